// Choose the reader's own time zone, as their browser knows it, where a form asks for it and none is chosen.
(function () {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) return;
  for (const select of document.querySelectorAll("select[data-prefill-zone]")) {
    if (select.value) continue;
    const option = Array.from(select.options).find((o) => o.value === zone);
    if (option) select.value = zone;
  }
})();
