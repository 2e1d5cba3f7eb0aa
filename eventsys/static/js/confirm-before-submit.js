// A form with data-confirm="question?" asks before it is sent (what onsubmit="return confirm(…)" did,
// which the Content-Security-Policy blocks as inline script).
document.addEventListener("submit", function (event) {
  const question = event.target.dataset && event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
