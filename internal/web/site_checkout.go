package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/shop"
)

// checkoutForm is what the checkout form posts, and shows again after a
// refusal so nothing typed is lost.
type checkoutForm struct {
	Fulfilment order.Fulfilment
	// AddressID is a saved address; 0 means the new one typed below.
	AddressID              int64
	Street, Postcode, City string
	Payment                order.PaymentMethod
	// Key makes a double submission place one order.
	Key string
	// Source is the card token from Square's form.
	Source string
}

type checkoutData struct {
	Page
	Shop      shopCard
	Quote     shop.Quote
	Addresses []account.SavedAddress
	Form      checkoutForm
	Error     string
	// Call offers the pizzeria's phone with the error: what the website
	// may not take, the pizzeria may.
	Call bool
	// Card is set when card payment is offered: Square's script and ids.
	Card *squareForm
}

type squareForm struct {
	SDK, AppID, LocationID string
}

func (p *Pages) checkoutShow(w http.ResponseWriter, r *http.Request) {
	c := readCart(r)
	if len(c.Items) == 0 {
		redirect(w, r, "/cart")
		return
	}
	f := checkoutForm{Fulfilment: order.Delivery, Payment: order.OnDelivery, Key: newKey()}
	p.checkoutPage(w, r, c, f, http.StatusOK, nil)
}

// checkoutPage renders the checkout for the cart, with an error when the
// order was refused.
func (p *Pages) checkoutPage(w http.ResponseWriter, r *http.Request, c cart, f checkoutForm, status int, failure error) {
	d := checkoutData{Page: p.page(r, "checkout.title"), Form: f}
	ps, q, err := p.quote(r, c)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	now := time.Now()
	d.Shop = shopCard{Pizzeria: ps, Open: ps.OpenAt(now), Opening: opening(d.Lang, p.text, ps, now)}
	d.Quote = q
	if actor := actorOf(r); actor.KeepsAddresses() == nil {
		if d.Addresses, err = p.shop.Addresses(r.Context(), actor); err != nil {
			p.fail(w, r, err)
			return
		}
		if f.AddressID == 0 && f.Street == "" && len(d.Addresses) > 0 && failure == nil {
			d.Form.AddressID = d.Addresses[0].ID
		}
	}
	if p.cardPayment() {
		d.Card = &squareForm{SDK: p.opt.SquareSDK, AppID: p.opt.SquareAppID, LocationID: p.opt.SquareLocationID}
		w.Header().Set("Content-Security-Policy", policy(d.Nonce, squareSources(p.opt.SquareSDK)))
	}
	if failure != nil {
		d.Error = p.checkoutError(d.Lang, failure, q)
		d.Call = errs.Is(failure, errs.HoldLimit) && ps.Phone != ""
	}
	p.render(w, r, status, "site/checkout", d)
}

// cardPayment reports whether card payment is offered on the site.
func (p *Pages) cardPayment() bool {
	return p.shop.Payments != nil && p.opt.SquareSDK != "" && p.opt.SquareAppID != "" && p.opt.SquareLocationID != ""
}

// squareSources are the origins Square's Web Payments SDK loads from and
// talks to: its script's own origin (the sandbox's, production's, or a
// test's stand-in) and Square's card-data endpoints. Only the checkout
// page allows them.
func squareSources(sdk string) sources {
	origin := ""
	if u, err := url.Parse(sdk); err == nil && u.Host != "" {
		origin = u.Scheme + "://" + u.Host
	}
	sandbox := strings.Contains(sdk, "sandbox")
	connect, pci, js := "https://connect.squareup.com", "https://pci-connect.squareup.com", "https://js.squareup.com"
	if sandbox {
		connect, pci, js = "https://connect.squareupsandbox.com", "https://pci-connect.squareupsandbox.com", "https://js.squareupsandbox.com"
	}
	return sources{
		"script-src":  {origin, js},
		"frame-src":   {origin, connect},
		"connect-src": {origin, pci, connect, "https://o160250.ingest.sentry.io"},
		"img-src":     {origin},
		"style-src":   {origin},
		"font-src":    {origin, "https://square-fonts-production-f.squarecdn.com", "https://d1g145x70srn7h.cloudfront.net"},
	}
}

func (p *Pages) checkoutPlace(w http.ResponseWriter, r *http.Request) {
	c := readCart(r)
	if len(c.Items) == 0 {
		redirect(w, r, "/cart")
		return
	}
	f := checkoutForm{
		Fulfilment: order.Fulfilment(r.PostFormValue("fulfilment")),
		Street:     r.PostFormValue("street"), Postcode: r.PostFormValue("postcode"), City: r.PostFormValue("city"),
		Payment: order.PaymentMethod(r.PostFormValue("payment")),
		Key:     r.PostFormValue("key"), Source: r.PostFormValue("payment_source"),
	}
	f.AddressID, _ = strconv.ParseInt(r.PostFormValue("address_id"), 10, 64)
	if len(f.Key) != 32 {
		f.Key = newKey()
	}
	req := shop.PlaceRequest{IdempotencyKey: "web-" + f.Key, PaymentSource: f.Source,
		Draft: order.Draft{PizzeriaID: c.PizzeriaID, Items: c.Items, Fulfilment: f.Fulfilment, PaymentMethod: f.Payment, Channel: order.Web}}
	var typed *pizzeria.Address
	if f.Fulfilment == order.Delivery {
		if f.AddressID > 0 {
			req.AddressID = f.AddressID
		} else {
			typed = &pizzeria.Address{Street: f.Street, Postcode: f.Postcode, City: f.City}
			req.Draft.DeliveryAddress = typed
		}
	}
	actor := actorOf(r)
	o, _, err := p.shop.PlaceOrder(r.Context(), actor, req)
	if err != nil {
		if internal(err) {
			p.log.Error("place an order from the checkout", "err", err)
		}
		if !internal(err) && !errs.Is(err, errs.Unavailable) {
			// Refused: what the visitor changes next is a new attempt (a
			// declined card, then another). An outage keeps the key, so a
			// retry cannot place the order twice.
			f.Key = newKey()
		}
		f.Source = ""
		p.checkoutPage(w, r, c, f, refusalStatus(w, err), err)
		return
	}
	if typed != nil && actor.KeepsAddresses() == nil {
		// Kept for next time; the order has its own copy either way.
		if _, _, err := p.shop.SaveAddress(r.Context(), actor, *typed); err != nil && !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Conflict) {
			p.log.Warn("save the address of an order", "order", o.Number, "err", err)
		}
	}
	p.saveCart(w, cart{})
	redirect(w, r, "/orders/"+strconv.FormatInt(o.ID, 10))
}

// checkoutError explains a refused order in the visitor's words: a
// product that ran out is named.
func (p *Pages) checkoutError(lang string, err error, q shop.Quote) string {
	var e *errs.Error
	if errors.As(err, &e) && e.Code == errs.OutOfStock {
		if id, ok := e.Fields["product_id"].(int64); ok {
			for _, l := range q.Lines {
				if l.ProductID == id {
					return p.text.text(lang, "checkout.soldout", l.Name)
				}
			}
		}
	}
	return p.text.message(lang, err)
}

// shortText explains a refused counter order or change: the product that
// ran out is named, with how many can still be made.
func (p *Pages) shortText(lang string, err error, menu []shop.MenuItem) string {
	var e *errs.Error
	if errors.As(err, &e) && e.Code == errs.OutOfStock {
		if id, ok := e.Fields["product_id"].(int64); ok {
			for _, it := range menu {
				if it.ProductID == id {
					return p.text.text(lang, "order.short", it.Name, it.Available)
				}
			}
		}
	}
	return p.text.message(lang, err)
}

func newKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
