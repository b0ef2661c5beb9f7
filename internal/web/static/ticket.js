// ticket.js — the ticket page's print button (browsers print without it too).
const button = document.querySelector("[data-print]");
if (button) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
