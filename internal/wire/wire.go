// Package wire is the JSON the chain shows of orders and stock levels:
// the API's answers and the events its streams carry. Those domain types
// carry no encoding of their own, so a field renamed in the domain cannot
// change what clients receive, and what is private (a payment's provider
// reference, an alert flag) is out by construction.
package wire

import (
	"time"

	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/stock"
)

// Order is an order as the API and the streams show it.
type Order struct {
	ID              int64               `json:"id"`
	Number          string              `json:"number"`
	PizzeriaID      int64               `json:"pizzeria_id"`
	CustomerID      int64               `json:"customer_id,omitempty"`
	Customer        Contact             `json:"customer"`
	Channel         order.Channel       `json:"channel"`
	Fulfilment      order.Fulfilment    `json:"fulfilment"`
	DeliveryAddress *Address            `json:"delivery_address"`
	Location        *Location           `json:"location,omitempty"`
	DistanceMeters  int64               `json:"distance_meters,omitempty"`
	ETAMinutes      int64               `json:"eta_minutes"`
	DriverLink      string              `json:"driver_link,omitempty"`
	Items           []Line              `json:"items"`
	TotalCents      int64               `json:"total_cents"`
	PaymentMethod   order.PaymentMethod `json:"payment_method"`
	PaymentStatus   order.PaymentStatus `json:"payment_status"`
	Status          order.Status        `json:"status"`
	CreatedAt       time.Time           `json:"created_at"`
	UpdatedAt       time.Time           `json:"updated_at"`
	History         []Step              `json:"history"`
	Version         int64               `json:"version"`
}

// Contact is who to call about an order.
type Contact struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email,omitempty"`
}

// Address is where an order is delivered.
type Address struct {
	Street   string `json:"street"`
	Postcode string `json:"postcode"`
	City     string `json:"city"`
}

// Line is one product of an order, at the price it was ordered at.
type Line struct {
	ProductID      int64  `json:"product_id"`
	Name           string `json:"name"`
	Quantity       int64  `json:"quantity"`
	UnitPriceCents int64  `json:"unit_price_cents"`
	VATBasis       int    `json:"vat_basis_points"`
}

// Step is one entry of an order's status history.
type Step struct {
	Status   order.Status `json:"status"`
	At       time.Time    `json:"at"`
	ByUserID int64        `json:"by"` // 0 for the system
}

// Location is the geocoded delivery point, in degrees.
type Location struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// OrderOf is o as clients see it.
func OrderOf(o order.Order) Order {
	out := Order{ID: o.ID, Number: o.Number, PizzeriaID: o.PizzeriaID, CustomerID: o.CustomerID,
		Customer: Contact(o.Contact), Channel: o.Channel, Fulfilment: o.Fulfilment,
		DistanceMeters: o.DistanceMeters, ETAMinutes: o.ETAMinutes, DriverLink: o.DriverLink, TotalCents: o.TotalCents,
		PaymentMethod: o.PaymentMethod, PaymentStatus: o.PaymentStatus, Status: o.Status,
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Version: o.Version}
	if a := o.DeliveryAddress; a != nil {
		out.DeliveryAddress = &Address{Street: a.Street, Postcode: a.Postcode, City: a.City}
	}
	if o.Location != nil {
		out.Location = &Location{Lat: o.Location.Lat, Lng: o.Location.Lng}
	}
	if o.Lines != nil {
		out.Items = make([]Line, len(o.Lines))
		for i, l := range o.Lines {
			out.Items[i] = Line(l)
		}
	}
	if o.History != nil {
		out.History = make([]Step, len(o.History))
		for i, h := range o.History {
			out.History[i] = Step(h)
		}
	}
	return out
}

// Orders is os as clients see them: never null.
func Orders(os []order.Order) []Order {
	out := make([]Order, len(os))
	for i, o := range os {
		out[i] = OrderOf(o)
	}
	return out
}

// Level is one ingredient's stock in one pizzeria.
type Level struct {
	IngredientID int64        `json:"ingredient_id"`
	Name         string       `json:"name"`
	Unit         catalog.Unit `json:"unit"`
	Quantity     int64        `json:"quantity"`
	LowThreshold int64        `json:"low_threshold"`
}

// LevelOf is l as clients see it.
func LevelOf(l stock.Level) Level {
	return Level{IngredientID: l.IngredientID, Name: l.Name, Unit: l.Unit, Quantity: l.Quantity, LowThreshold: l.LowThreshold}
}

// Levels is ls as clients see them: never null.
func Levels(ls []stock.Level) []Level {
	out := make([]Level, len(ls))
	for i, l := range ls {
		out[i] = LevelOf(l)
	}
	return out
}
