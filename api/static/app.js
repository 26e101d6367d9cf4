// ngo-review pages: the little JavaScript they need; every page also works without it.
document.addEventListener("click", (event) => {
  // A button with data-confirm asks before submitting its form (sign, refuse, revoke ...).
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
