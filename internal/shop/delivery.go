package shop

import (
	"context"
	"errors"
	"math"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/maps"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

// planDelivery fills an order's promised time and, with a maps key, the
// geocoded point and the drive from the pizzeria. An address the maps do
// not know is refused; a maps outage (or a refused key) falls back to the
// fixed time rather than losing the order.
func (s *Shop) planDelivery(ctx context.Context, shop pizzeria.Pizzeria, o *order.Order) error {
	o.ETAMinutes = order.PrepMinutes
	if o.Fulfilment != order.Delivery {
		return nil
	}
	o.ETAMinutes += order.DefaultDriveMinutes
	if s.Maps == nil || o.DeliveryAddress == nil {
		return nil
	}
	route, point, err := s.drive(ctx, shop, *o.DeliveryAddress)
	if errors.Is(err, maps.ErrNotFound) {
		return errs.E(errs.AddressNotFound, "we cannot find %s: check the street and number", o.DeliveryAddress.String()).With("field", "delivery_address")
	}
	if err != nil {
		s.Log.Error("maps unavailable: fixed delivery time used", "err", err)
		if errors.Is(err, maps.ErrDenied) && s.Alert != nil {
			s.Alert(ctx, "maps", "Google Maps refuses our requests", "Geocoding answered REQUEST_DENIED: check GOOGLE_MAPS_API_KEY and the billing account. Orders use the fixed delivery time meanwhile.\n\n"+err.Error())
		}
		return nil
	}
	o.Location = &order.Location{Lat: point.Lat, Lng: point.Lng}
	o.DistanceMeters = int64(route.DistanceMeters)
	o.ETAMinutes = order.PrepMinutes + int64(math.Ceil(route.Duration.Minutes()))
	return nil
}

// drive geocodes the address and the shop (both cached by the client) and
// asks for the route between them.
func (s *Shop) drive(ctx context.Context, shop pizzeria.Pizzeria, to pizzeria.Address) (maps.Route, maps.LatLng, error) {
	dest, err := s.Maps.Geocode(ctx, to.String())
	if err != nil {
		return maps.Route{}, dest, err
	}
	from, err := s.Maps.Geocode(ctx, shop.Address.String())
	if err != nil {
		return maps.Route{}, dest, err
	}
	route, err := s.Maps.Drive(ctx, from, dest)
	return route, dest, err
}

// DeliveryOption is a pizzeria that delivers an address and its time.
type DeliveryOption struct {
	PizzeriaID     int64  `json:"pizzeria_id"`
	Name           string `json:"name"`
	ETAMinutes     int64  `json:"eta_minutes"`
	DistanceMeters int64  `json:"distance_meters,omitempty"`
}

// NearestDelivery picks, among the open-to-orders pizzerias that deliver
// the address's postcode, the one with the shortest drive (the first by id
// without a maps key). clientAddr is the address the request came from
// ("" for the application itself): look-ups from one address are
// throttled, errs.RateLimited carrying the wait, as each can cost paid
// maps calls and nobody need be signed in to ask.
func (s *Shop) NearestDelivery(ctx context.Context, addr pizzeria.Address, clientAddr string) (DeliveryOption, error) {
	addr, err := addr.Normalize()
	if err != nil {
		return DeliveryOption{}, err
	}
	if clientAddr != "" {
		attempt, wait := s.lookups.reserve(limit{"address:" + clientAddr, addressLookups})
		if attempt == nil {
			return DeliveryOption{}, errs.E(errs.RateLimited, "too many delivery look-ups from your address: try again in %s", roundUp(wait)).Later(wait)
		}
		attempt.failed() // every look-up counts, found or not
	}
	shops, err := s.Pizzerias(ctx, account.Actor{})
	if err != nil {
		return DeliveryOption{}, err
	}
	var best *DeliveryOption
	for _, p := range shops {
		if !p.Active || !p.Delivers(addr.Postcode) {
			continue
		}
		o := order.Order{Fulfilment: order.Delivery, DeliveryAddress: &addr}
		if err := s.planDelivery(ctx, p, &o); err != nil {
			return DeliveryOption{}, err
		}
		opt := DeliveryOption{PizzeriaID: p.ID, Name: p.Name, ETAMinutes: o.ETAMinutes, DistanceMeters: o.DistanceMeters}
		if best == nil || opt.ETAMinutes < best.ETAMinutes {
			best = &opt
		}
	}
	if best == nil {
		return DeliveryOption{}, errs.E(errs.NotFound, "no pizzeria delivers to %s yet", addr.Postcode)
	}
	return *best, nil
}
