// Add the reader's own clock time beside each event time: attendees join from many zones.
// In the page's language (not the browser's), with the page's own words (data-your-time on <body>).
(function () {
  const readerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const language = document.documentElement.lang || undefined;
  const words = document.body.dataset.yourTime || " — your time: %(time)s";
  for (const el of document.querySelectorAll("time[data-local]")) {
    if (el.dataset.zone === readerZone) continue;
    const when = new Date(el.getAttribute("datetime"));
    let text;
    if (el.dataset.end) {
      // A programme slot: its start with the day, then its end, on the reader's clock.
      const day = new Intl.DateTimeFormat(language, {weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23"});
      const until = new Intl.DateTimeFormat(language, {hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short"});
      text = day.format(when) + "–" + until.format(new Date(el.dataset.end));
    } else {
      text = new Intl.DateTimeFormat(language, {weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short"}).format(when);
    }
    el.setAttribute("data-local-text", words.replace("%(time)s", text));
  }
})();
