// checkout.js — the checkout form, made friendlier when scripts run: the
// address shows only for a delivery, and card payment goes through Square's
// Web Payments SDK. The card form is Square's own (in its frame): our
// server only ever receives the single-use token Square gives for it.

const form = document.querySelector("form[data-checkout]");
if (form) {
  const address = form.querySelector("fieldset[data-when-delivery]");
  // The payment on receipt is named after the fulfilment chosen.
  const payLabel = form.querySelector("[data-pay-label]");
  const cardBlock = form.querySelector("[data-when-card]");
  const radio = (name) => form.querySelector(`input[name="${name}"]:checked`);
  const wantsCard = () => form.dataset.cardAlways !== undefined || (radio("payment") || {}).value === "online";
  const sync = () => {
    const pickup = (radio("fulfilment") || {}).value === "pickup";
    if (address) address.hidden = pickup;
    if (payLabel) payLabel.textContent = pickup ? payLabel.dataset.pickup : payLabel.dataset.delivery;
    if (cardBlock) cardBlock.hidden = !wantsCard();
  };
  form.addEventListener("change", sync);
  sync();
  if (form.dataset.squareApp && window.Square) card(form, wantsCard);
}

async function card(form, wantsCard) {
  const errorBox = form.querySelector("[data-card-error]");
  const say = (text) => {
    if (errorBox) errorBox.textContent = text;
  };
  let card;
  try {
    const payments = window.Square.payments(form.dataset.squareApp, form.dataset.squareLocation);
    card = await payments.card();
    await card.attach("#card-container");
  } catch (err) {
    say(form.dataset.cardUnavailable || String(err));
    return;
  }
  form.addEventListener("submit", async (e) => {
    const source = form.elements.namedItem("payment_source");
    if (!wantsCard() || source.value) return;
    e.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    say("");
    try {
      const result = await card.tokenize();
      if (result.status === "OK") {
        source.value = result.token;
        form.submit();
        return;
      }
      say((result.errors || []).map((x) => x.message).join(" ") || form.dataset.cardInvalid);
    } catch (err) {
      say(form.dataset.cardInvalid);
    }
    button.disabled = false;
  });
}
