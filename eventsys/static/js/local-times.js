// Add the reader's own clock time beside each event time: attendees join from many zones.
// In the page's language (not the browser's), with the page's own words (data-your-time on <body>).
(function () {
  const readerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const language = document.documentElement.lang || undefined;
  const words = document.body.dataset.yourTime || " — your time: %(time)s";
  for (const el of document.querySelectorAll("time[data-local]")) {
    if (el.dataset.zone === readerZone) continue;
    const when = new Date(el.getAttribute("datetime"));
    const text = new Intl.DateTimeFormat(language, {weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short"}).format(when);
    el.setAttribute("data-local-text", words.replace("%(time)s", text));
  }
})();
