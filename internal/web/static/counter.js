// counter.js — the counter's order form, friendlier when scripts run: the
// total of the quantities typed, so the phone operator can say the price
// before recording the order. The server prices the order again; this is
// only what the form adds up to.

const form = document.querySelector("form[data-counter-order]");
if (form) {
  const out = form.querySelector("[data-counter-total]");
  const money = new Intl.NumberFormat(document.documentElement.lang || "fr", { style: "currency", currency: "EUR" });
  const update = () => {
    let cents = 0;
    for (const field of form.querySelectorAll("input[data-price]")) {
      const n = Number.parseInt(field.value, 10);
      if (!field.disabled && Number.isFinite(n) && n > 0) cents += n * Number(field.dataset.price);
    }
    out.textContent = money.format(cents / 100);
    out.closest("[data-counter-total-row]").hidden = false;
  };
  if (out) {
    form.addEventListener("input", update);
    update();
  }
}
