package web

import (
	"net/http"
	"strconv"

	"github.com/oc-pizza/ocpizza/internal/order"
)

// delivery is an order as the driver's screen shows it.
type delivery struct {
	order.Order
	Route string // Google Maps directions from the pizzeria
	// Collect is set when the customer pays on delivery and has not.
	Collect bool
}

// deliveryFacts is one delivery with its page, for the template that
// lays a delivery's facts out in both lists.
type deliveryFacts struct {
	Page     Page
	Delivery delivery
}

type driverData struct {
	staffPage
	Ready, Mine, Others []delivery
	Trip                string // one route through all of the driver's deliveries
	// Done confirms the last delivery marked, and the money taken.
	Done string
}

func (p *Pages) driver(w http.ResponseWriter, r *http.Request) {
	p.driverPage(w, r, http.StatusOK, nil)
}

func (p *Pages) driverPage(w http.ResponseWriter, r *http.Request, status int, failure error) {
	sp, ok := p.staffPage(w, r, "driver", "driver.title")
	if !ok {
		return
	}
	view, err := p.shop.DriverView(r.Context(), actorOf(r), sp.Shop.ID)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	d := driverData{staffPage: sp, Trip: order.TripLink(sp.Shop.Address, view.Mine)}
	as := func(os []order.Order) []delivery {
		out := make([]delivery, 0, len(os))
		for _, o := range os {
			out = append(out, delivery{Order: o, Route: order.TripLink(sp.Shop.Address, []order.Order{o}),
				Collect: o.Due()})
		}
		return out
	}
	d.Ready, d.Mine, d.Others = as(view.Ready), as(view.Mine), as(view.Others)
	if id, err := strconv.ParseInt(r.URL.Query().Get("delivered"), 10, 64); err == nil {
		if o, err := p.shop.Order(r.Context(), actorOf(r), id); err == nil && o.Status == order.Delivered {
			d.Done = d.T("driver.done", o.Number)
			if r.URL.Query().Get("collected") == "1" {
				d.Done = d.T("driver.done.paid", o.Number, d.Money(o.TotalCents))
			}
		}
	}
	if failure != nil {
		d.Error = p.text.message(d.Lang, failure)
	}
	p.render(w, r, status, "staff/driver", d)
}

// driverLeave sends the driver out with the deliveries ticked ("Je pars").
func (p *Pages) driverLeave(w http.ResponseWriter, r *http.Request) {
	var ids []int64
	for _, v := range r.PostForm["order"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	ids, err := order.Run(ids)
	if err != nil {
		p.refused(w, r, err, p.driverPage)
		return
	}
	for _, id := range ids {
		if _, ok := p.screenOrderOf(w, r, id); !ok {
			return
		}
	}
	if _, err := p.shop.TakeDeliveries(r.Context(), actorOf(r), ids); err != nil {
		p.refused(w, r, err, p.driverPage)
		return
	}
	redirect(w, r, "/driver/"+r.PathValue("pizzeria"))
}

// driverDelivered marks a delivery done ("Livrée"), with the payment
// collected when one was due.
func (p *Pages) driverDelivered(w http.ResponseWriter, r *http.Request) {
	o, ok := p.screenOrder(w, r)
	if !ok {
		return
	}
	if _, err := p.shop.Complete(r.Context(), actorOf(r), o.ID, order.Delivered, r.PostFormValue("method")); err != nil {
		p.refused(w, r, err, p.driverPage)
		return
	}
	to := "/driver/" + r.PathValue("pizzeria") + "?delivered=" + strconv.FormatInt(o.ID, 10)
	if o.Due() {
		to += "&collected=1" // the payment was taken with the delivery
	}
	redirect(w, r, to)
}

// refused shows a staff screen again with why its action was refused; an
// internal error is the error page.
func (p *Pages) refused(w http.ResponseWriter, r *http.Request, err error, again func(http.ResponseWriter, *http.Request, int, error)) {
	if internal(err) {
		p.fail(w, r, err)
		return
	}
	again(w, r, refusalStatus(w, err), err)
}
