// Keep the desk's counts current while other desks scan too; without JavaScript they refresh with each scan.
(function () {
  const counts = document.getElementById("desk-counts");
  if (!counts) return;
  async function refresh() {
    try {
      const answer = await fetch(counts.dataset.url, {headers: {Accept: "application/json"}, credentials: "same-origin"});
      if (!answer.ok) return;
      const data = await answer.json();
      document.getElementById("checked-in-count").textContent = data.checked_in;
      document.getElementById("confirmed-count").textContent = data.confirmed;
    } catch (error) { /* offline for a moment, or signed out: keep the last counts */ }
  }
  setInterval(refresh, 10000);
})();
