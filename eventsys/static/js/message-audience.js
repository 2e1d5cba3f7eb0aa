// Show only the filters of the audience chosen on the message form: registrants' or speakers'.
// The server ignores the other audience's ticks anyway (MessageForm.forget_other_audience).
(function () {
  function start() {
    const choices = document.querySelectorAll('input[name="audience"]');
    const groups = document.querySelectorAll("fieldset[data-audience]");
    if (!choices.length || !groups.length) return;
    function show() {
      const chosen = document.querySelector('input[name="audience"]:checked');
      const audience = chosen ? chosen.value : "registrants";
      groups.forEach((group) => { group.hidden = group.dataset.audience !== audience; });
    }
    choices.forEach((choice) => choice.addEventListener("change", show));
    show();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
