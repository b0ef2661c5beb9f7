package web

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/shop"
)

// counterForm is a phone or counter order being taken, shown again as
// typed when it is refused.
type counterForm struct {
	Phone, Name string
	Channel     order.Channel
	Fulfilment  order.Fulfilment
	// Address is a known address of the caller as its radio button
	// carries it (addressValue), or "" for the one typed below. The
	// address itself, not its place in a list: a list read again when
	// the form is sent may have a new address first.
	Address                string
	Street, Postcode, City string
	Qty                    map[int64]int64
	Key                    string
}

// counterOrder is one of today's orders with what the counter may do.
type counterOrder struct {
	order.Order
	HandOver bool // a take-away order ready to give
	Collect  bool // a payment to take
	Cancel   bool
}

type counterData struct {
	staffPage
	Searched bool
	Caller   shop.Caller
	Menu     []shop.MenuItem
	Form     counterForm
	Today    []counterOrder
	Placed   *order.Order
	// Dropped names what "Commander à nouveau" could not take again:
	// sold out, or fewer left than the earlier order had.
	Dropped []string
	// Done says what the last action did to which order ("REP-0013
	// annulée"): the page reloads at its top, the order's line may have
	// left the list.
	Done string
}

func (p *Pages) counter(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := counterForm{Phone: q.Get("phone"), Channel: order.Phone, Fulfilment: order.Pickup, Qty: map[int64]int64{}, Key: newKey()}
	p.counterPage(w, r, http.StatusOK, f, q.Has("phone"), nil)
}

// counterPage renders the counter: the phone look-up and order form, and
// today's orders.
func (p *Pages) counterPage(w http.ResponseWriter, r *http.Request, status int, f counterForm, searched bool, failure error) {
	sp, ok := p.staffPage(w, r, "counter", "counter.title")
	if !ok {
		return
	}
	ctx, actor := r.Context(), actorOf(r)
	d := counterData{staffPage: sp, Searched: searched, Form: f}
	var err error
	if d.Menu, err = p.shop.Menu(ctx, actor, sp.Shop.ID); err != nil {
		p.errorPage(w, r, err)
		return
	}
	if searched {
		if d.Caller, err = p.shop.FindCaller(ctx, actor, sp.Shop.ID, f.Phone); err != nil && internal(err) {
			p.fail(w, r, err)
			return
		} else if err != nil && failure == nil {
			failure = err
		}
		d.Form.Phone = d.Caller.Phone
		if d.Form.Name == "" {
			d.Form.Name = d.Caller.Name
		}
		if len(d.Caller.Addresses) > 0 && failure == nil && status == http.StatusOK {
			d.Form.Address = addressValue(d.Caller.Addresses[0]) // the latest
		}
		if from, err := strconv.ParseInt(r.URL.Query().Get("from"), 10, 64); err == nil {
			d.again(from)
		}
	}
	today, err := p.shop.TodaysOrders(ctx, actor, sp.Shop.ID)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	for _, o := range today {
		d.Today = append(d.Today, counterOrder{Order: o,
			HandOver: o.Status == order.Ready && o.Fulfilment == order.Pickup,
			Collect:  order.CheckPayment(actor, o, "cash") == nil,
			Cancel:   order.CheckTransition(actor, o, order.Cancelled) == nil})
		if id, _ := strconv.ParseInt(r.URL.Query().Get("placed"), 10, 64); id == o.ID {
			placed := o
			d.Placed = &placed
		}
		if id, _ := strconv.ParseInt(r.URL.Query().Get("order"), 10, 64); id == o.ID {
			if done := r.URL.Query().Get("done"); counterActions[done] {
				d.Done = d.T("counter.done."+done, o.Number)
			}
		}
	}
	if failure != nil {
		d.Error = p.shortText(d.Lang, failure, d.Menu)
	}
	p.render(w, r, status, "staff/counter", d)
}

// again fills the form with an earlier order of the caller ("Commander à
// nouveau"): its quantities, within what can be made now (what cannot is
// named), its fulfilment and its delivery address.
func (d *counterData) again(from int64) {
	i := slices.IndexFunc(d.Caller.Orders, func(o order.Order) bool { return o.ID == from })
	if i < 0 {
		return
	}
	o := d.Caller.Orders[i]
	available := map[int64]int64{}
	for _, it := range d.Menu {
		available[it.ProductID] = it.Available
	}
	for _, l := range o.Lines {
		n := min(l.Quantity, available[l.ProductID])
		if n > 0 {
			d.Form.Qty[l.ProductID] = n
		}
		if n < l.Quantity {
			d.Dropped = append(d.Dropped, d.T("counter.again.short", l.Name, l.Quantity-n))
		}
	}
	d.Form.Fulfilment = o.Fulfilment
	if a := o.DeliveryAddress; a != nil {
		d.Form.Address = addressValue(*a)
		if !slices.Contains(d.Caller.Addresses, *a) {
			d.Form.Address, d.Form.Street, d.Form.Postcode, d.Form.City = "", a.Street, a.Postcode, a.City
		}
	}
}

// addressValue is a known address as its radio button carries it.
func addressValue(a pizzeria.Address) string {
	return url.Values{"street": {a.Street}, "postcode": {a.Postcode}, "city": {a.City}}.Encode()
}

func parseAddressValue(v string) (pizzeria.Address, bool) {
	q, err := url.ParseQuery(v)
	if v == "" || err != nil {
		return pizzeria.Address{}, false
	}
	return pizzeria.Address{Street: q.Get("street"), Postcode: q.Get("postcode"), City: q.Get("city")}, true
}

// counterPlace records a phone or counter order.
func (p *Pages) counterPlace(w http.ResponseWriter, r *http.Request) {
	shopID, _ := strconv.ParseInt(r.PathValue("pizzeria"), 10, 64)
	pf := r.PostForm
	f := counterForm{Phone: pf.Get("phone"), Name: pf.Get("name"), Channel: order.Channel(pf.Get("channel")), Fulfilment: order.Fulfilment(pf.Get("fulfilment")),
		Street: pf.Get("street"), Postcode: pf.Get("postcode"), City: pf.Get("city"), Qty: map[int64]int64{}, Key: pf.Get("key")}
	if len(f.Key) != 32 {
		f.Key = newKey()
	}
	if f.Channel != order.Walk {
		f.Channel = order.Phone // the counter takes phone and counter orders only
	}
	f.Address = pf.Get("address")
	var items []order.Item
	for k, vs := range pf {
		pid, ok := strings.CutPrefix(k, "qty-")
		if !ok || len(vs) == 0 {
			continue
		}
		id, err1 := strconv.ParseInt(pid, 10, 64)
		q, err2 := strconv.ParseInt(vs[0], 10, 64)
		if err1 != nil || err2 != nil || q <= 0 {
			continue
		}
		f.Qty[id] = q
		items = append(items, order.Item{ProductID: id, Quantity: q})
	}
	// Lines in a fixed order (by product), whatever the form sent first.
	slices.SortFunc(items, func(a, b order.Item) int { return cmp.Compare(a.ProductID, b.ProductID) })
	d := order.Draft{PizzeriaID: shopID, Items: items, Fulfilment: f.Fulfilment, PaymentMethod: order.OnDelivery, Channel: f.Channel,
		Contact: order.Contact{Name: f.Name, Phone: f.Phone}}
	if f.Fulfilment == order.Delivery {
		addr := pizzeria.Address{Street: f.Street, Postcode: f.Postcode, City: f.City}
		if known, ok := parseAddressValue(f.Address); ok {
			addr = known // what the radio showed; the rules check it as any address
		}
		d.DeliveryAddress = &addr
	}
	o, _, err := p.shop.PlaceOrder(r.Context(), actorOf(r), shop.PlaceRequest{Draft: d, IdempotencyKey: "counter-" + f.Key})
	if err != nil {
		if internal(err) {
			p.fail(w, r, err)
			return
		}
		p.counterPage(w, r, refusalStatus(w, err), f, true, err)
		return
	}
	redirect(w, r, "/counter/"+r.PathValue("pizzeria")+"?placed="+strconv.FormatInt(o.ID, 10))
}

// counterAct hands an order over, takes its payment or cancels it.
func (p *Pages) counterAct(w http.ResponseWriter, r *http.Request) {
	o, ok := p.screenOrder(w, r)
	if !ok {
		return
	}
	id, ctx, actor, method := o.ID, r.Context(), actorOf(r), r.PostFormValue("method")
	var err error
	switch r.PathValue("action") {
	case "handover":
		_, err = p.shop.Complete(ctx, actor, id, order.PickedUp, method)
	case "payment":
		_, err = p.shop.RecordPayment(ctx, actor, id, method)
	case "cancel":
		_, err = p.shop.SetStatus(ctx, actor, id, order.Cancelled)
	default:
		err = errs.E(errs.NotFound, "no page %s", r.URL.Path)
	}
	if err != nil {
		p.refused(w, r, err, func(w http.ResponseWriter, r *http.Request, status int, err error) {
			p.counterPage(w, r, status, counterForm{Channel: order.Phone, Fulfilment: order.Pickup, Qty: map[int64]int64{}, Key: newKey()}, false, err)
		})
		return
	}
	redirect(w, r, "/counter/"+r.PathValue("pizzeria")+"?done="+r.PathValue("action")+"&order="+strconv.FormatInt(id, 10))
}

// counterActions are the actions on an order the counter confirms.
var counterActions = map[string]bool{"handover": true, "payment": true, "cancel": true}

type ticketData struct {
	Page
	Shop  pizzeria.Pizzeria
	Order order.Order
	Due   bool
}

// counterTicket is an order's ticket for the receipt printer.
func (p *Pages) counterTicket(w http.ResponseWriter, r *http.Request) {
	o, ok := p.screenOrder(w, r)
	if !ok {
		return
	}
	ps, err := p.shop.Pizzeria(r.Context(), actorOf(r), o.PizzeriaID)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	d := ticketData{Page: p.page(r, "ticket.title", o.Number), Shop: ps, Order: o, Due: o.Due()}
	p.render(w, r, http.StatusOK, "staff/ticket", d)
}
