package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/shop"
)

type cartData struct {
	Page
	Shop  *shopCard
	Quote shop.Quote
	// Switch is set when the visitor adds from another pizzeria than the
	// cart's: the page asks before emptying the cart.
	Switch *switchOffer
}

type switchOffer struct {
	From, To  string
	ToID      int64
	ProductID int64
}

func (p *Pages) cartShow(w http.ResponseWriter, r *http.Request) {
	d := cartData{Page: p.page(r, "cart.title")}
	c := readCart(r)
	if len(c.Items) == 0 {
		p.render(w, r, http.StatusOK, "site/cart", d)
		return
	}
	ps, q, err := p.quote(r, c)
	if errs.Is(err, errs.NotFound) {
		// The cart's pizzeria closed for good: the cart is of no use.
		p.saveCart(w, cart{})
		d.CartCount, d.Notice = 0, d.T("cart.gone")
		p.render(w, r, http.StatusOK, "site/cart", d)
		return
	}
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	if len(q.Dropped) > 0 {
		for _, id := range q.Dropped {
			c = c.set(id, 0)
		}
		p.saveCart(w, c)
		d.CartCount, d.Notice = c.count(), d.T("cart.dropped")
	}
	now := time.Now()
	d.Shop = &shopCard{Pizzeria: ps, Open: ps.OpenAt(now), Opening: opening(d.Lang, p.text, ps, now)}
	d.Quote = q
	p.render(w, r, http.StatusOK, "site/cart", d)
}

// quote prices the cart in its pizzeria.
func (p *Pages) quote(r *http.Request, c cart) (pizzeria.Pizzeria, shop.Quote, error) {
	actor := actorOf(r)
	ps, err := p.shop.Pizzeria(r.Context(), actor, c.PizzeriaID)
	if err != nil {
		return ps, shop.Quote{}, err
	}
	q, err := p.shop.Quote(r.Context(), actor, c.PizzeriaID, c.Items)
	return ps, q, err
}

// cartAdd puts one more of a product in the cart and goes back to the
// menu. A sold-out product is refused; a product of another pizzeria than
// the cart's asks first.
func (p *Pages) cartAdd(w http.ResponseWriter, r *http.Request) {
	shopID, _ := strconv.ParseInt(r.PostFormValue("pizzeria"), 10, 64)
	productID, _ := strconv.ParseInt(r.PostFormValue("product"), 10, 64)
	qty, err := strconv.ParseInt(r.PostFormValue("quantity"), 10, 64)
	if err != nil || qty < 1 {
		qty = 1
	}
	actor := actorOf(r)
	menu, err := p.shop.Menu(r.Context(), actor, shopID)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	var item *shop.MenuItem
	for i := range menu {
		if menu[i].ProductID == productID {
			item = &menu[i]
		}
	}
	if item == nil {
		p.errorPage(w, r, errs.E(errs.Invalid, "product %d is not on the menu", productID))
		return
	}
	back := "/pizzerias/" + strconv.FormatInt(shopID, 10)
	if item.Available == 0 {
		p.errorPage(w, r, errs.E(errs.OutOfStock, "%s is sold out", item.Name))
		return
	}
	c := readCart(r)
	if c.PizzeriaID != shopID && len(c.Items) > 0 && r.PostFormValue("replace") == "" {
		from, err := p.shop.Pizzeria(r.Context(), actor, c.PizzeriaID)
		to, err2 := p.shop.Pizzeria(r.Context(), actor, shopID)
		if err == nil && err2 == nil {
			d := cartData{Page: p.page(r, "cart.switch.title"), Switch: &switchOffer{From: from.Name, To: to.Name, ToID: shopID, ProductID: productID}}
			p.render(w, r, http.StatusOK, "site/cart", d)
			return
		}
	}
	if c.PizzeriaID != shopID {
		c = cart{PizzeriaID: shopID}
	}
	p.saveCart(w, c.add(productID, qty))
	redirect(w, r, back+"?added="+strconv.FormatInt(productID, 10)+"#p-"+strconv.FormatInt(productID, 10))
}

// cartUpdate sets the quantities typed in the cart (0 removes a line) or
// removes the line whose button was pressed.
func (p *Pages) cartUpdate(w http.ResponseWriter, r *http.Request) {
	c := readCart(r)
	for _, it := range c.Items {
		if v := r.PostForm.Get("qty-" + strconv.FormatInt(it.ProductID, 10)); v != "" {
			if q, err := strconv.ParseInt(v, 10, 64); err == nil {
				c = c.set(it.ProductID, q)
			}
		}
	}
	if id, err := strconv.ParseInt(r.PostForm.Get("remove"), 10, 64); err == nil {
		c = c.set(id, 0)
	}
	p.saveCart(w, c)
	redirect(w, r, "/cart")
}
