package web

import (
	"net/http"
	"strconv"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/shop"
)

// editLine is a product of the pizzeria's menu with its quantity in the
// order being changed.
type editLine struct {
	shop.MenuItem
	Quantity int64
}

type orderEditData struct {
	Page
	Order order.Order
	// Lines are what the order holds, first; More the rest of the menu,
	// folded away on a phone unless something there was asked for.
	Lines    []editLine
	More     []editLine
	MoreOpen bool
	Error    string
	// Card is set when the order was paid online: a larger total is paid
	// with a card again.
	Card *squareForm
}

// editLinesView is one table of the edit page: the order's lines, or the
// rest of the menu.
type editLinesView struct {
	Page
	Lines []editLine
}

func (p *Pages) orderEdit(w http.ResponseWriter, r *http.Request) {
	p.orderEditPage(w, r, http.StatusOK, nil, nil)
}

// orderEditPage shows the order's items over the pizzeria's whole menu, so
// a quantity can be changed, a product removed (0) or added.
func (p *Pages) orderEditPage(w http.ResponseWriter, r *http.Request, status int, asked map[int64]int64, failure error) {
	id, err := pathID(r, "id")
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	actor := actorOf(r)
	o, err := p.shop.Order(r.Context(), actor, id)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	if err := order.CheckModify(actor, o); err != nil {
		p.orderPage(w, r, refusalStatus(w, err), err)
		return
	}
	menu, err := p.shop.Menu(r.Context(), actor, o.PizzeriaID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d := orderEditData{Page: p.page(r, "edit.title", o.Number), Order: o}
	if asked == nil {
		asked = map[int64]int64{}
		for _, l := range o.Lines {
			asked[l.ProductID] = l.Quantity
		}
	}
	held := map[int64]bool{}
	for _, l := range o.Lines {
		held[l.ProductID] = true
	}
	for _, it := range menu {
		line := editLine{MenuItem: it, Quantity: asked[it.ProductID]}
		if held[it.ProductID] {
			d.Lines = append(d.Lines, line)
			continue
		}
		d.More = append(d.More, line)
		d.MoreOpen = d.MoreOpen || line.Quantity > 0
	}
	if o.PaymentMethod == order.Online && o.PaymentStatus == order.Paid && p.cardPayment() {
		d.Card = &squareForm{SDK: p.opt.SquareSDK, AppID: p.opt.SquareAppID, LocationID: p.opt.SquareLocationID}
		w.Header().Set("Content-Security-Policy", policy(d.Nonce, squareSources(p.opt.SquareSDK)))
	}
	if failure != nil {
		items := make([]shop.MenuItem, 0, len(d.Lines)+len(d.More))
		for _, l := range append(d.Lines, d.More...) {
			items = append(items, l.MenuItem)
		}
		d.Error = p.shortText(d.Lang, failure, items)
	}
	p.render(w, r, status, "site/order-edit", d)
}

func (p *Pages) orderModify(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	asked := map[int64]int64{}
	var items []order.Item
	for _, pid := range r.PostForm["product"] {
		productID, err := strconv.ParseInt(pid, 10, 64)
		if err != nil {
			continue
		}
		q, err := strconv.ParseInt(r.PostForm.Get("qty-"+pid), 10, 64)
		if err != nil || q <= 0 {
			continue
		}
		asked[productID] = q
		items = append(items, order.Item{ProductID: productID, Quantity: q})
	}
	if _, err := p.shop.ModifyItems(r.Context(), actorOf(r), id, items, r.PostForm.Get("payment_source")); err != nil {
		if errs.Is(err, errs.NotFound) || internal(err) {
			p.errorPage(w, r, err)
			return
		}
		p.orderEditPage(w, r, refusalStatus(w, err), asked, err)
		return
	}
	redirect(w, r, "/orders/"+strconv.FormatInt(id, 10)+"?done=modified")
}
