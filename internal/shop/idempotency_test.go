package shop

import (
	"testing"

	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

// TestRequestHashIsPinned: an idempotency key is kept a day
// (KeepIdempotencyKeys), and an upgrade can fall within it, so the
// fingerprint of a request may never change with the domain types. The
// hashes are those of the release before the domain types lost their JSON
// tags: a retry sent across that upgrade still finds its order.
func TestRequestHashIsPinned(t *testing.T) {
	for _, c := range []struct {
		draft order.Draft
		want  string
	}{
		{order.Draft{PizzeriaID: 1, Items: []order.Item{{ProductID: 2, Quantity: 3}, {ProductID: 5, Quantity: 1}}, Fulfilment: order.Delivery,
			DeliveryAddress: &pizzeria.Address{Street: "12 rue de la Paix", Postcode: "75002", City: "Paris"}, PaymentMethod: order.Online},
			"800d8e19a04ad385621a1ae02ad3731e1b0cb67f01a3467a2b9f6e65afc6dd9b"},
		{order.Draft{PizzeriaID: 2, Items: []order.Item{{ProductID: 1, Quantity: 1}}, Fulfilment: order.Pickup, PaymentMethod: order.OnDelivery,
			Channel: order.Phone, Contact: order.Contact{Name: "Jean Dupont", Phone: "0612345678"}},
			"2c04bd48bcd55f55bfada3cf61425540a7483c26207098723b036ef77c170917"},
		{order.Draft{PizzeriaID: 3, Fulfilment: order.Pickup, Contact: order.Contact{Name: "A", Phone: "1", Email: "a@example.org"}},
			"ad079c4625ba53589b51cf652cb758c33a506838f733a3c7bdfbd10ad5e14040"},
	} {
		if got := requestHash(c.draft); got != c.want {
			t.Errorf("draft of pizzeria %d: hash %s, want %s", c.draft.PizzeriaID, got, c.want)
		}
	}
}
