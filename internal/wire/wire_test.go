package wire

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/stock"
)

func keys(t *testing.T, v any) ([]string, string) {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out, string(raw)
}

// TestOrderShowsWhatTheAPIDocuments: every documented field, named as
// documented, and nothing private (the provider's payment reference).
func TestOrderShowsWhatTheAPIDocuments(t *testing.T) {
	at := time.Date(2026, 12, 4, 18, 30, 0, 0, time.UTC)
	o := order.Order{ID: 7, Number: "REP-0007", PizzeriaID: 1, CustomerID: 3,
		Contact: order.Contact{Name: "Alice", Phone: "0600000000", Email: "a@example.org"},
		Channel: order.Web, Fulfilment: order.Delivery, DeliveryAddress: &pizzeria.Address{Street: "1 rue X", Postcode: "75011", City: "Paris"},
		Location: &order.Location{Lat: 48.85, Lng: 2.37}, DistanceMeters: 1200, ETAMinutes: 35, DriverLink: "https://maps.example/x",
		Lines: []order.Line{{ProductID: 2, Name: "Reine", Quantity: 2, UnitPriceCents: 1100, VATBasis: 1000}}, TotalCents: 2200,
		PaymentMethod: order.Online, PaymentStatus: order.Paid, PaymentRef: "pay_secret_ref", Status: order.Pending,
		CreatedAt: at, UpdatedAt: at, History: []order.Change{{Status: order.Pending, At: at, ByUserID: 3}}, Version: 2}
	got, raw := keys(t, OrderOf(o))
	want := []string{"created_at", "customer", "customer_id", "delivery_address", "distance_meters", "driver_link", "eta_minutes", "fulfilment",
		"channel", "history", "id", "items", "location", "number", "payment_method", "payment_status", "pizzeria_id", "status", "total_cents",
		"updated_at", "version"}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("order keys\n got %q\nwant %q", got, want)
	}
	if strings.Contains(raw, "pay_secret_ref") {
		t.Fatalf("the payment reference is shown: %s", raw)
	}
	for _, part := range []string{`"items":[{"product_id":2,"name":"Reine","quantity":2,"unit_price_cents":1100,"vat_basis_points":1000}]`,
		`"history":[{"status":"pending","at":"2026-12-04T18:30:00Z","by":3}]`, `"customer":{"name":"Alice","phone":"0600000000","email":"a@example.org"}`,
		`"location":{"lat":48.85,"lng":2.37}`, `"delivery_address":{"street":"1 rue X","postcode":"75011","city":"Paris"}`} {
		if !strings.Contains(raw, part) {
			t.Errorf("missing %s in %s", part, raw)
		}
	}
	if raw, _ := json.Marshal(Orders(nil)); string(raw) != "[]" {
		t.Fatalf("no orders: %s", raw)
	}
}

func TestLevelShowsNoInternalState(t *testing.T) {
	got, _ := keys(t, LevelOf(stock.Level{PizzeriaID: 1, IngredientID: 4, Name: "Mozzarella", Unit: "g", Quantity: 500, LowThreshold: 1000, Alerted: true}))
	if want := []string{"ingredient_id", "low_threshold", "name", "quantity", "unit"}; !slices.Equal(got, want) {
		t.Fatalf("level keys %q, want %q", got, want)
	}
	if raw, _ := json.Marshal(Levels(nil)); string(raw) != "[]" {
		t.Fatalf("no levels: %s", raw)
	}
}
