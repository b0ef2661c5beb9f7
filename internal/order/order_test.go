package order

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

const shopID, otherShop = 1, 2

func staff(role account.Role, shop int64) account.Actor {
	return account.Actor{UserID: 100 + int64(len(role)), Grants: []account.Grant{{Role: role, PizzeriaID: shop}}}
}

var (
	owner     = account.Actor{UserID: 7, Grants: []account.Grant{{Role: account.Customer}}}
	stranger  = account.Actor{UserID: 8, Grants: []account.Grant{{Role: account.Customer}}}
	cook      = staff(account.Pizzaiolo, shopID)
	driver    = staff(account.Driver, shopID)
	counter   = staff(account.Counter, shopID)
	manager   = staff(account.Manager, shopID)
	foreignMg = staff(account.Manager, otherShop)
	admin     = account.Actor{UserID: 1, Grants: []account.Grant{{Role: account.Admin}}}
)

func TestCheckTransition(t *testing.T) {
	tests := []struct {
		actor      account.Actor
		from, to   Status
		fulfilment Fulfilment
		want       errs.Code
	}{
		{cook, Pending, Preparing, Delivery, ""},
		{cook, Preparing, Ready, Pickup, ""},
		{cook, Ready, OutForDelivery, Delivery, errs.Forbidden},
		{driver, Ready, OutForDelivery, Delivery, ""},
		{driver, OutForDelivery, Delivered, Delivery, ""},
		{driver, Pending, Preparing, Delivery, errs.Forbidden},
		{driver, Ready, OutForDelivery, Pickup, errs.InvalidTransition},
		{counter, Ready, PickedUp, Pickup, ""},
		{counter, Ready, PickedUp, Delivery, errs.InvalidTransition},
		{counter, Pending, Cancelled, Pickup, ""},
		{counter, Preparing, Cancelled, Pickup, errs.NotCancellable},
		{manager, Pending, Preparing, Delivery, ""},
		{manager, Ready, OutForDelivery, Delivery, ""},
		{manager, Delivered, Pending, Delivery, errs.InvalidTransition},
		{foreignMg, Pending, Preparing, Delivery, errs.NotFound},
		{admin, Ready, PickedUp, Pickup, ""},
		{admin, Cancelled, Preparing, Pickup, errs.InvalidTransition},
		{owner, Pending, Cancelled, Delivery, ""},
		{owner, Preparing, Cancelled, Delivery, errs.NotCancellable},
		{owner, Pending, Preparing, Delivery, errs.Forbidden},
		{stranger, Pending, Cancelled, Delivery, errs.NotFound},
		{account.Actor{}, Pending, Cancelled, Delivery, errs.NotFound},
		{cook, Preparing, "baked", Delivery, errs.Invalid},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%v %s->%s %s", tt.actor.Grants, tt.from, tt.to, tt.fulfilment)
		t.Run(name, func(t *testing.T) {
			o := Order{Number: "REP-0001", PizzeriaID: shopID, CustomerID: owner.UserID, Status: tt.from, Fulfilment: tt.fulfilment}
			if got := errs.CodeOf(CheckTransition(tt.actor, o, tt.to)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNextCoversTheGraph(t *testing.T) {
	if got := Next(Ready, Delivery); len(got) != 2 || got[0] != OutForDelivery || got[1] != Preparing {
		t.Errorf("Next(ready, delivery) = %v", got)
	}
	if got := Next(Ready, Pickup); len(got) != 2 || got[0] != PickedUp || got[1] != Preparing {
		t.Errorf("Next(ready, pickup) = %v", got)
	}
	for _, s := range Statuses {
		if s.Final() && len(Next(s, Delivery))+len(Next(s, Pickup)) != 0 {
			t.Errorf("final status %s has a successor", s)
		}
	}
}

func TestCheckModifyAndPayment(t *testing.T) {
	pending := Order{PizzeriaID: shopID, CustomerID: owner.UserID, Status: Pending, PaymentMethod: OnDelivery, PaymentStatus: Unpaid}
	preparing := pending
	preparing.Status = Preparing
	paid := pending
	paid.PaymentStatus = Paid
	tests := []struct {
		name string
		err  error
		want errs.Code
	}{
		{"owner modifies pending", CheckModify(owner, pending), ""},
		{"counter modifies pending", CheckModify(counter, pending), ""},
		{"cook may not modify", CheckModify(cook, pending), errs.Forbidden},
		{"stranger cannot see", CheckModify(stranger, pending), errs.NotFound},
		{"owner too late", CheckModify(owner, preparing), errs.NotModifiable},
		{"paid is not modifiable", CheckModify(owner, paid), errs.NotModifiable},
		{"driver takes cash", CheckPayment(driver, preparing, "cash"), ""},
		{"counter takes card", CheckPayment(counter, pending, "card"), ""},
		{"cook takes no money", CheckPayment(cook, pending, "cash"), errs.Forbidden},
		{"owner cannot mark paid", CheckPayment(owner, pending, "cash"), errs.Forbidden},
		{"bad method", CheckPayment(counter, pending, "cheque"), errs.Invalid},
		{"paid twice", CheckPayment(counter, paid, "cash"), errs.Conflict},
	}
	for _, tt := range tests {
		if got := errs.CodeOf(tt.err); got != tt.want {
			t.Errorf("%s: got %q (%v), want %q", tt.name, got, tt.err, tt.want)
		}
	}
}

func testShop() (pizzeria.Pizzeria, map[int64]catalog.Product) {
	shop := pizzeria.Pizzeria{ID: shopID, Code: "rep", Name: "OC Pizza République", Active: true, DeliveryPostcodes: []string{"69002"},
		Hours: []pizzeria.Hours{{Weekday: time.Friday, Open: 11 * 60, Close: 23 * 60}}}
	products := map[int64]catalog.Product{
		10: {ID: 10, Name: "Margherita", PriceCents: 950, VATBasis: 1000, Active: true},
		20: {ID: 20, Name: "Coca-Cola", PriceCents: 300, VATBasis: 550, Active: true},
		30: {ID: 30, Name: "Old pizza", PriceCents: 800, Active: false},
	}
	return shop, products
}

func TestBuild(t *testing.T) {
	shop, products := testShop()
	addr := &pizzeria.Address{Street: "10 rue Mercière", Postcode: "69002", City: "Lyon"}
	customer := account.User{ID: owner.UserID, Name: "Marie", Phone: "0600000000", Email: "marie@example.fr"}
	d := Draft{PizzeriaID: shopID, Items: []Item{{10, 2}, {20, 1}, {10, 1}}, Fulfilment: Delivery, DeliveryAddress: addr, PaymentMethod: OnDelivery}
	o, err := Build(d, owner, shop, products, customer, fridayNoon)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Lines) != 2 || o.Lines[0].Quantity != 3 || o.TotalCents != 3*950+300 {
		t.Fatalf("lines %+v total %d", o.Lines, o.TotalCents)
	}
	if o.Channel != Web || o.CustomerID != owner.UserID || o.Contact.Name != "Marie" || o.Status != Pending || o.PaymentStatus != Unpaid {
		t.Fatalf("unexpected order %+v", o)
	}

	bad := []struct {
		name  string
		actor account.Actor
		edit  func(d *Draft)
		want  errs.Code
	}{
		{"no items", owner, func(d *Draft) { d.Items = nil }, errs.Invalid},
		{"zero quantity", owner, func(d *Draft) { d.Items = []Item{{10, 0}} }, errs.Invalid},
		{"negative quantity", owner, func(d *Draft) { d.Items = []Item{{10, -1}} }, errs.Invalid},
		{"10,000 pizzas", owner, func(d *Draft) { d.Items = []Item{{10, 10000}} }, errs.Invalid},
		{"merged lines over limit", owner, func(d *Draft) { d.Items = []Item{{10, 30}, {10, 30}} }, errs.Invalid},
		{"unknown product", owner, func(d *Draft) { d.Items = []Item{{99, 1}} }, errs.Invalid},
		{"inactive product", owner, func(d *Draft) { d.Items = []Item{{30, 1}} }, errs.Invalid},
		{"postcode not served", owner, func(d *Draft) {
			d.DeliveryAddress = &pizzeria.Address{Street: "1 rue X", Postcode: "75001", City: "Paris"}
		}, errs.Invalid},
		{"delivery without address", owner, func(d *Draft) { d.DeliveryAddress = nil }, errs.Invalid},
		{"bad fulfilment", owner, func(d *Draft) { d.Fulfilment = "drone" }, errs.Invalid},
		{"bad payment", owner, func(d *Draft) { d.PaymentMethod = "bitcoin" }, errs.Invalid},
		{"customer enters phone order", owner, func(d *Draft) { d.Channel = Phone }, errs.Forbidden},
		{"staff orders on the web", counter, func(d *Draft) {}, errs.Forbidden},
		{"phone order needs contact", counter, func(d *Draft) { d.Channel = Phone }, errs.Invalid},
		{"phone order needs a phone", counter, func(d *Draft) {
			d.Channel, d.Contact, d.Fulfilment, d.DeliveryAddress = Phone, Contact{Name: "A"}, Pickup, nil
		}, errs.Invalid},
		{"delivery at the counter needs a phone", counter, func(d *Draft) { d.Channel, d.Contact = Walk, Contact{Name: "A"} }, errs.Invalid},
		{"counter order needs a name", counter, func(d *Draft) {
			d.Channel, d.Contact, d.Fulfilment, d.DeliveryAddress = Walk, Contact{Phone: "1"}, Pickup, nil
		}, errs.Invalid},
		{"foreign counter", staff(account.Counter, otherShop), func(d *Draft) {
			d.Channel, d.Contact = Phone, Contact{Name: "A", Phone: "1"}
		}, errs.Forbidden},
		{"phone order paid online", counter, func(d *Draft) {
			d.Channel, d.Contact, d.PaymentMethod = Phone, Contact{Name: "A", Phone: "1"}, Online
		}, errs.Invalid},
		{"NUL in a contact's name", counter, func(d *Draft) { d.Channel, d.Contact = Phone, Contact{Name: "A\x00", Phone: "1"} }, errs.Invalid},
		{"tab in a contact's phone", counter, func(d *Draft) { d.Channel, d.Contact = Phone, Contact{Name: "A", Phone: "04\t78"} }, errs.Invalid},
		{"NUL in a contact's e-mail", owner, func(d *Draft) { d.Contact = Contact{Name: "A", Phone: "1", Email: "a\x00@b.fr"} }, errs.Invalid},
	}
	// Someone at the counter taking a pizza away gives a name, no phone.
	walkIn := d
	walkIn.Channel, walkIn.Contact, walkIn.Fulfilment, walkIn.DeliveryAddress = Walk, Contact{Name: "Paul"}, Pickup, nil
	if _, err := Build(walkIn, counter, shop, products, account.User{}, fridayNoon); err != nil {
		t.Errorf("a walk-in take-away without a phone: %v", err)
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			d2 := d
			tt.edit(&d2)
			if _, err := Build(d2, tt.actor, shop, products, customer, fridayNoon); errs.CodeOf(err) != tt.want {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}

	phone := d
	phone.Channel, phone.Contact, phone.Fulfilment = Phone, Contact{Name: " Jean ", Phone: "0478000000"}, Pickup
	o, err = Build(phone, counter, shop, products, account.User{}, fridayNoon)
	if err != nil || o.CustomerID != 0 || o.Contact.Name != "Jean" || o.DeliveryAddress != nil {
		t.Fatalf("phone order: %+v, %v", o, err)
	}

	// Friday 23:00 in Paris: closed, and the message says when it opens.
	fridayNight := time.Date(2026, 11, 27, 22, 0, 0, 0, time.UTC)
	_, err = Build(d, owner, shop, products, customer, fridayNight)
	var e *errs.Error
	if !errors.As(err, &e) || e.Code != errs.Closed || !strings.Contains(e.Message, "opens at 11:00") {
		t.Fatalf("ordering while closed: %v", err)
	}

	if _, err := Build(phone, counter, shop, products, account.User{}, fridayNight); err != nil {
		t.Fatalf("staff take phone orders when they choose to: %v", err)
	}

	shop.Active = false
	if _, err := Build(d, owner, shop, products, customer, fridayNoon); !errs.Is(err, errs.Invalid) {
		t.Fatalf("inactive shop: %v", err)
	}
}

// fridayNoon is 12:00 on a Friday in Paris, when testShop is open.
var fridayNoon = time.Date(2026, 11, 27, 11, 0, 0, 0, time.UTC)

func TestNumber(t *testing.T) {
	if got := Number("rep", 42); got != "REP-0042" {
		t.Errorf("got %q", got)
	}
	if got := Number("BEL", 123456); got != "BEL-123456" {
		t.Errorf("got %q", got)
	}
}

// TestKitchenTakesATicketBack: a ticket marked ready by mistake goes back
// to preparing, by the kitchen only, and never once it left the shop.
func TestKitchenTakesATicketBack(t *testing.T) {
	cook, driver := staff(account.Pizzaiolo, shopID), staff(account.Driver, shopID)
	ready := Order{Number: "REP-0001", PizzeriaID: shopID, Status: Ready, Fulfilment: Delivery}
	if err := CheckTransition(cook, ready, Preparing); err != nil {
		t.Fatalf("the kitchen takes back a ready ticket: %v", err)
	}
	if err := CheckTransition(driver, ready, Preparing); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("a driver took back a ticket: %v", err)
	}
	gone := ready
	gone.Status = OutForDelivery
	if err := CheckTransition(cook, gone, Preparing); !errs.Is(err, errs.InvalidTransition) {
		t.Fatalf("an order out for delivery went back to the oven: %v", err)
	}
}

func TestTripLink(t *testing.T) {
	shop := pizzeria.Address{Street: "45 rue de la République", Postcode: "69002", City: "Lyon"}
	a := Order{Fulfilment: Delivery, DeliveryAddress: &pizzeria.Address{Street: "8 rue Mercière", Postcode: "69002", City: "Lyon"}}
	b := Order{Fulfilment: Delivery, DeliveryAddress: &pizzeria.Address{Street: "3 quai Saint-Antoine", Postcode: "69002", City: "Lyon"}, Location: &Location{Lat: 45.7621, Lng: 4.8302}}
	link := TripLink(shop, []Order{a, b, {Fulfilment: Pickup}})
	u, err := url.Parse(link)
	if err != nil || u.Host != "www.google.com" {
		t.Fatalf("link %q", link)
	}
	q := u.Query()
	if q.Get("origin") != shop.String() || q.Get("destination") != "45.762100,4.830200" || q.Get("waypoints") != a.DeliveryAddress.String() || q.Get("travelmode") != "driving" {
		t.Fatalf("trip %v", q)
	}
	if TripLink(shop, []Order{{Fulfilment: Pickup}}) != "" {
		t.Fatal("a trip without delivery")
	}
}

func TestCheckCompletion(t *testing.T) {
	driver, counter := staff(account.Driver, shopID), staff(account.Counter, shopID)
	out := Order{Number: "REP-0002", PizzeriaID: shopID, Status: OutForDelivery, Fulfilment: Delivery, PaymentMethod: OnDelivery, PaymentStatus: Unpaid}
	if _, err := CheckCompletion(driver, out, Delivered, ""); !errs.Is(err, errs.Invalid) {
		t.Fatalf("delivered without saying how it was paid: %v", err)
	}
	if collect, err := CheckCompletion(driver, out, Delivered, "cash"); err != nil || !collect {
		t.Fatalf("delivered, cash collected: %v %v", collect, err)
	}
	if _, err := CheckCompletion(driver, out, Delivered, "cheque"); !errs.Is(err, errs.Invalid) {
		t.Fatalf("an unknown method: %v", err)
	}
	paid := out
	paid.PaymentMethod, paid.PaymentStatus = Online, Paid
	if collect, err := CheckCompletion(driver, paid, Delivered, ""); err != nil || collect {
		t.Fatalf("a paid order delivered: %v %v", collect, err)
	}
	ready := Order{Number: "REP-0003", PizzeriaID: shopID, Status: Ready, Fulfilment: Pickup, PaymentMethod: OnDelivery, PaymentStatus: Unpaid}
	if collect, err := CheckCompletion(counter, ready, PickedUp, "card"); err != nil || !collect {
		t.Fatalf("handed over and paid at the counter: %v %v", collect, err)
	}
	if _, err := CheckCompletion(driver, ready, PickedUp, "card"); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("a driver handed over a take-away order: %v", err)
	}
	if _, err := CheckCompletion(counter, ready, Preparing, ""); !errs.Is(err, errs.Invalid) {
		t.Fatalf("completion to preparing: %v", err)
	}
}

func TestToMake(t *testing.T) {
	pizza := func(id int64) bool { return id != 20 }
	orders := []Order{
		{Status: Pending, Lines: []Line{{ProductID: 10, Name: "Reine", Quantity: 2}, {ProductID: 20, Name: "Cola", Quantity: 3}}},
		{Status: Preparing, Lines: []Line{{ProductID: 11, Name: "Calzone", Quantity: 2}, {ProductID: 10, Name: "Reine", Quantity: 2}}},
		{Status: Ready, Lines: []Line{{ProductID: 11, Name: "Calzone", Quantity: 5}}},
	}
	got := ToMake(orders, pizza)
	if len(got) != 2 || got[0].Name != "Reine" || got[0].Quantity != 4 || got[1].Name != "Calzone" || got[1].Quantity != 2 {
		t.Fatalf("to make: %+v", got)
	}
}

func TestCause(t *testing.T) {
	const customer, cook = 7, 3
	hist := func(steps ...Change) []Change { return steps }
	for _, tt := range []struct {
		name string
		o    Order
		want CancelCause
	}{
		{"not cancelled", Order{Status: Pending, CustomerID: customer, History: hist(Change{Status: Pending, ByUserID: customer})}, NotCancelled},
		{"by its customer", Order{Status: Cancelled, CustomerID: customer, History: hist(Change{Status: Pending, ByUserID: customer}, Change{Status: Cancelled, ByUserID: customer})}, CancelledByCustomer},
		{"by the counter", Order{Status: Cancelled, CustomerID: customer, History: hist(Change{Status: Pending, ByUserID: customer}, Change{Status: Cancelled, ByUserID: cook})}, CancelledByStaff},
		{"a phone order, by the counter", Order{Status: Cancelled, History: hist(Change{Status: Pending, ByUserID: cook}, Change{Status: Cancelled, ByUserID: cook})}, CancelledByStaff},
		{"left at closing", Order{Status: Cancelled, CustomerID: customer, History: hist(Change{Status: Pending, ByUserID: customer}, Change{Status: Cancelled})}, CancelledAtClosing},
		{"payment never went through", Order{Status: Cancelled, CustomerID: customer, History: hist(Change{Status: AwaitingPayment, ByUserID: customer}, Change{Status: Cancelled})}, CancelledUnpaid},
		{"payment refused at once", Order{Status: Cancelled, CustomerID: customer, History: hist(Change{Status: AwaitingPayment, ByUserID: customer}, Change{Status: Cancelled, ByUserID: customer})}, CancelledUnpaid},
	} {
		if got := tt.o.Cause(); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestRun(t *testing.T) {
	if run, err := Run([]int64{5, 3, 5, 3, 9}); err != nil || fmt.Sprint(run) != "[5 3 9]" {
		t.Errorf("ticked twice: %v %v", run, err)
	}
	if _, err := Run(nil); !errs.Is(err, errs.Invalid) {
		t.Errorf("nothing ticked: %v", err)
	}
	many := make([]int64, MaxRun+1)
	for i := range many {
		many[i] = int64(i + 1)
	}
	if _, err := Run(many); !errs.Is(err, errs.Invalid) {
		t.Errorf("%d deliveries: %v", len(many), err)
	}
	if run, err := Run(append(many[:MaxRun:MaxRun], 1, 2)); err != nil || len(run) != MaxRun {
		t.Errorf("%d distinct, some twice: %v %v", MaxRun, run, err)
	}
}
