package squaretest

import "net/http"

// WebSDK is a stand-in for Square's Web Payments SDK script
// (square.js), for browser tests that cannot reach Square. It offers the
// same calls the checkout makes — Square.payments(app, location).card(),
// card.attach(selector), card.tokenize() — and draws, instead of Square's
// card frame, one labelled field holding the sandbox nonce to return:
// cnon:card-nonce-ok pays, cnon:card-nonce-declined is declined, as with
// Square's sandbox.
const WebSDK = `(function () {
  window.Square = {
    payments: function (appId, locationId) {
      if (!appId || !locationId) throw new Error("application and location ids are required");
      return {
        card: async function () {
          let field = null;
          return {
            attach: async function (selector) {
              const box = document.querySelector(selector);
              if (!box) throw new Error("no element " + selector);
              const label = document.createElement("label");
              label.htmlFor = "sandbox-nonce";
              label.textContent = "Carte de test (nonce du bac à sable Square)";
              field = document.createElement("input");
              field.id = "sandbox-nonce";
              field.value = "` + OK + `";
              box.append(label, field);
            },
            tokenize: async function () {
              if (!field.value) return { status: "Invalid", errors: [{ message: "Card number is required." }] };
              return { status: "OK", token: field.value };
            },
          };
        },
      };
    },
  };
})();
`

// ServeWebSDK serves WebSDK as a script.
func ServeWebSDK(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Write([]byte(WebSDK))
}
