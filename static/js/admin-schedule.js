// The schedule pages work without this; it only adds a Print button.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button.print-button")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
