package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/oc-pizza/ocpizza/internal/order"
)

// cart is what a visitor has put aside in one pizzeria, kept in a cookie:
// it survives a reload and signing in, needs no account, and the server
// prices it afresh on every page, so an edited cookie buys nothing.
type cart struct {
	PizzeriaID int64
	Items      []order.Item
}

const cartCookie = "cart"

// The cookie reads "3:12x2.14x1": the pizzeria, then product×quantity.
func (c cart) encode() string {
	var b strings.Builder
	b.WriteString(strconv.FormatInt(c.PizzeriaID, 10) + ":")
	for i, it := range c.Items {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.FormatInt(it.ProductID, 10) + "x" + strconv.FormatInt(it.Quantity, 10))
	}
	return b.String()
}

// decodeCart reads a cart cookie; anything malformed is an empty cart.
func decodeCart(s string) cart {
	shop, items, ok := strings.Cut(s, ":")
	id, err := strconv.ParseInt(shop, 10, 64)
	if !ok || err != nil || id <= 0 || len(s) > 1024 {
		return cart{}
	}
	c := cart{PizzeriaID: id}
	if items == "" {
		return c
	}
	for _, part := range strings.Split(items, ".") {
		p, q, ok := strings.Cut(part, "x")
		pid, err1 := strconv.ParseInt(p, 10, 64)
		qty, err2 := strconv.ParseInt(q, 10, 64)
		if !ok || err1 != nil || err2 != nil || pid <= 0 || qty <= 0 {
			return cart{}
		}
		c = c.add(pid, qty)
	}
	return c
}

func readCart(r *http.Request) cart {
	ck, err := r.Cookie(cartCookie)
	if err != nil {
		return cart{}
	}
	return decodeCart(ck.Value)
}

func (p *Pages) saveCart(w http.ResponseWriter, c cart) {
	if len(c.Items) == 0 {
		http.SetCookie(w, &http.Cookie{Name: cartCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: p.opt.Secure, SameSite: http.SameSiteLaxMode})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cartCookie, Value: c.encode(), Path: "/", MaxAge: 30 * 24 * 3600,
		HttpOnly: true, Secure: p.opt.Secure, SameSite: http.SameSiteLaxMode})
}

// add puts qty more of a product in the cart, within an order's limits.
// Both terms are capped before the sum: a quantity near the int64 limit
// (a form or cookie can say anything) must not wrap to a negative.
func (c cart) add(productID, qty int64) cart {
	qty = min(qty, order.MaxLineQuantity)
	items := make([]order.Item, 0, len(c.Items)+1)
	found := false
	for _, it := range c.Items {
		if it.ProductID == productID {
			it.Quantity = min(min(it.Quantity, order.MaxLineQuantity)+qty, order.MaxLineQuantity)
			found = true
		}
		items = append(items, it)
	}
	if !found && len(items) < order.MaxLines {
		items = append(items, order.Item{ProductID: productID, Quantity: qty})
	}
	c.Items = items
	return c
}

// set changes a product's quantity; 0 removes it.
func (c cart) set(productID, qty int64) cart {
	items := make([]order.Item, 0, len(c.Items))
	for _, it := range c.Items {
		if it.ProductID == productID {
			if qty <= 0 {
				continue
			}
			it.Quantity = min(qty, order.MaxLineQuantity)
		}
		items = append(items, it)
	}
	c.Items = items
	return c
}

func (c cart) count() int64 {
	var n int64
	for _, it := range c.Items {
		n += it.Quantity
	}
	return n
}
