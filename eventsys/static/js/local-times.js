// Add the reader's own clock time beside each event time: attendees join from many zones.
(function () {
  const readerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (const el of document.querySelectorAll("time[data-local]")) {
    if (el.dataset.zone === readerZone) continue;
    const when = new Date(el.getAttribute("datetime"));
    const text = new Intl.DateTimeFormat(undefined, {weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short"}).format(when);
    el.setAttribute("data-local-text", " — your time: " + text);
  }
})();
