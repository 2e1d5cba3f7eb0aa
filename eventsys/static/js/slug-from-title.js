// Suggest the web address from the title while the organiser has not typed one.
(function () {
  const title = document.getElementById("title"), slug = document.getElementById("slug");
  if (!title || !slug) return;
  let typed = slug.value !== "";
  slug.addEventListener("input", () => { typed = slug.value !== ""; });
  title.addEventListener("input", () => {
    if (typed) return;
    slug.value = title.value.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .match(/[a-z0-9]+/g)?.join("-").slice(0, 110) ?? "";
  });
})();
