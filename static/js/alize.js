// Alizé: behaviour that needs no inline script (the CSP forbids it).
document.addEventListener("DOMContentLoaded", () => {
  // Ask for confirmation on buttons that carry data-confirm.
  document.body.addEventListener("click", (event) => {
    const button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });
});
