package order_test

import (
	"testing"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/order"
)

func lines(qty ...int64) []order.Line {
	var out []order.Line
	for i, q := range qty {
		out = append(out, order.Line{ProductID: int64(i + 1), Quantity: q})
	}
	return out
}

func TestHoldLimitCountsOrdersAndItems(t *testing.T) {
	l := order.HoldLimit{Orders: 3, Items: 50}
	for _, c := range []struct {
		name   string
		others order.Held
		lines  []order.Line
		ok     bool
	}{
		{"a first order", order.Held{}, lines(2, 1), true},
		{"a third order", order.Held{Orders: 2, Items: 4}, lines(1), true},
		{"a fourth order", order.Held{Orders: 3, Items: 3}, lines(1), false},
		{"fifty items in one order", order.Held{}, lines(30, 20), true},
		{"fifty-one items in one order", order.Held{}, lines(30, 21), false},
		{"fifty items over two orders", order.Held{Orders: 1, Items: 45}, lines(5), true},
		{"fifty-one items over two orders", order.Held{Orders: 1, Items: 45}, lines(6), false},
	} {
		err := l.CheckNew(c.others, c.lines)
		if (err == nil) != c.ok || (err != nil && !errs.Is(err, errs.HoldLimit)) {
			t.Errorf("%s: CheckNew(%+v) = %v, want ok %v", c.name, c.others, err, c.ok)
		}
	}
	if err := (order.HoldLimit{}).CheckNew(order.Held{Orders: 1000, Items: 1e6}, lines(50)); err != nil {
		t.Errorf("the zero limit refused an order: %v", err)
	}
}

func TestHoldLimitOnAChangeRefusesOnlyMore(t *testing.T) {
	l := order.HoldLimit{Orders: 3, Items: 50}
	others := order.Held{Orders: 3, Items: 40} // over a limit lowered meanwhile
	if err := l.CheckChange(others, lines(5), lines(10)); err != nil {
		t.Errorf("40 + 10 items refused: %v", err)
	}
	if err := l.CheckChange(others, lines(5), lines(11)); !errs.Is(err, errs.HoldLimit) {
		t.Errorf("40 + 11 items: %v, want hold_limit", err)
	}
	if err := l.CheckChange(order.Held{Items: 60}, lines(5), lines(3)); err != nil {
		t.Errorf("a smaller order over the limit refused: %v", err)
	}
}

func TestCappedIsTheCustomersOwnWebsiteOrder(t *testing.T) {
	web := order.Order{Channel: order.Web, CustomerID: 7}
	if !order.Capped(web, 7) {
		t.Error("the customer's own website order is not capped")
	}
	if order.Capped(web, 9) {
		t.Error("a change by the staff to a website order is capped")
	}
	if order.Capped(order.Order{Channel: order.Phone}, 9) {
		t.Error("a phone order is capped")
	}
}
