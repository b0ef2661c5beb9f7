// Package account holds users, their roles and what scope each role covers.
package account

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/text"
)

// Role is what a user does in the chain.
type Role string

const (
	Customer  Role = "customer"
	Counter   Role = "counter"   // takes phone and counter orders, hands out pickups, takes payment
	Pizzaiolo Role = "pizzaiolo" // prepares orders
	Driver    Role = "driver"    // delivers, takes cash
	Manager   Role = "manager"   // everything within one pizzeria
	Admin     Role = "admin"     // everything, chain-wide
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case Customer, Counter, Pizzaiolo, Driver, Manager, Admin:
		return true
	}
	return false
}

// Staff reports whether r is a staff role.
func (r Role) Staff() bool { return r.Valid() && r != Customer }

// Scoped reports whether the role is tied to one pizzeria.
func (r Role) Scoped() bool { return r.Staff() && r != Admin }

// Grant is a role, held within one pizzeria for scoped roles (PizzeriaID
// is 0 for customer and admin).
type Grant struct {
	Role       Role  `json:"role"`
	PizzeriaID int64 `json:"pizzeria_id,omitempty"`
}

// Validate checks that the grant's scope fits its role.
func (g Grant) Validate() error {
	switch {
	case !g.Role.Valid():
		return errs.E(errs.Invalid, "unknown role %q (customer, counter, pizzaiolo, driver, manager, admin)", g.Role)
	case g.Role.Scoped() && g.PizzeriaID <= 0:
		return errs.E(errs.Invalid, "the %s role belongs to one pizzeria: give its id", g.Role)
	case !g.Role.Scoped() && g.PizzeriaID != 0:
		return errs.E(errs.Invalid, "the %s role is not tied to a pizzeria", g.Role)
	}
	return nil
}

// User is anyone who signs in.
type User struct {
	ID           int64
	Email        string
	Name         string
	Phone        string
	Lang         string // "fr" or "en": the language of pages and mails
	PasswordHash string
	Grants       []Grant
	CreatedAt    time.Time
	// Disabled accounts cannot sign in; their sessions ended when they
	// were disabled.
	Disabled bool
}

// Actor is who performs an action: a signed-in user with their grants.
// The zero Actor is anonymous.
type Actor struct {
	UserID int64
	Grants []Grant
	// Name, Email and Phone come with the session, so an order can carry
	// its customer's contact without another lookup.
	Name, Email, Phone string
}

// ActorOf returns the actor for a user.
func ActorOf(u User) Actor {
	return Actor{UserID: u.ID, Grants: u.Grants, Name: u.Name, Email: u.Email, Phone: u.Phone}
}

// System acts for the application itself (demo loading, scheduled jobs).
var System = Actor{UserID: 0, Grants: []Grant{{Role: Admin}}}

// Anonymous reports whether nobody is signed in.
func (a Actor) Anonymous() bool { return a.UserID == 0 && len(a.Grants) == 0 }

// Has reports whether the actor holds role r within pizzeria p. Admin
// holds every role everywhere; manager holds every staff role in its shop.
func (a Actor) Has(r Role, pizzeriaID int64) bool {
	for _, g := range a.Grants {
		switch {
		case g.Role == Admin:
			return r != Customer
		case g.Role == r && (!r.Scoped() || g.PizzeriaID == pizzeriaID):
			return true
		case g.Role == Manager && r.Scoped() && g.PizzeriaID == pizzeriaID:
			return true
		}
	}
	return false
}

// HasAny reports whether the actor holds any of the roles within p.
func (a Actor) HasAny(pizzeriaID int64, roles ...Role) bool {
	for _, r := range roles {
		if a.Has(r, pizzeriaID) {
			return true
		}
	}
	return false
}

// IsStaffOf reports whether the actor works in (or manages the chain
// including) pizzeria p.
func (a Actor) IsStaffOf(pizzeriaID int64) bool {
	return a.HasAny(pizzeriaID, Counter, Pizzaiolo, Driver, Manager)
}

// IsStaff reports whether the actor holds any staff role anywhere.
func (a Actor) IsStaff() bool {
	for _, g := range a.Grants {
		if g.Role.Staff() {
			return true
		}
	}
	return false
}

// IsAdmin reports whether the actor manages the whole chain.
func (a Actor) IsAdmin() bool { return a.Has(Admin, 0) }

// NewCustomer is what a visitor gives to open an account.
type NewCustomer struct {
	Email    string
	Password string
	Name     string
	Phone    string
	Lang     string
}

// Normalize validates a sign-up and returns it cleaned.
func (n NewCustomer) Normalize() (NewCustomer, error) {
	email, err := NormalizeEmail(n.Email)
	if err != nil {
		return n, err
	}
	n.Email = email
	if n.Name, err = NormalizeName(n.Name); err != nil {
		return n, err
	}
	if n.Phone, err = NormalizePhone(n.Phone); err != nil {
		return n, err
	}
	if n.Lang != "en" {
		n.Lang = "fr"
	}
	if err := CheckPassword(n.Password); err != nil {
		return n, err
	}
	return n, nil
}

// NormalizeName trims and checks a person's name.
func NormalizeName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || utf8.RuneCountInString(s) > 100 {
		return s, errs.E(errs.Invalid, "give a name of at most 100 characters").With("field", "name")
	}
	return s, text.Line("name", s)
}

// NormalizePhone trims and checks an optional phone number, and writes it
// one way — digits only, French numbers from their leading 0 — so the
// counter finds a caller whether "04 78 42 10 01" or "+33 4 78 42 10 01"
// was typed.
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) > 30 {
		return s, errs.E(errs.Invalid, "the phone number is too long").With("field", "phone")
	}
	if err := text.Line("phone", s); err != nil {
		return s, err
	}
	return PhoneKey(s), nil
}

// PhoneKey is a phone number in its stored form: the digits (with a
// leading + for a foreign number); a French +33 or 0033 becomes 0. Text
// that is not a phone number is kept as typed.
func PhoneKey(s string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')' || r == '/':
		default:
			return strings.TrimSpace(s)
		}
	}
	k := b.String()
	switch {
	case strings.HasPrefix(k, "+33") && len(k) == 12:
		k = "0" + k[3:]
	case strings.HasPrefix(k, "0033") && len(k) == 13:
		k = "0" + k[4:]
	}
	return k
}

// NormalizeEmail lowercases and checks an e-mail address.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if err := text.Line("e-mail address", s); err != nil {
		return "", err
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return "", errs.E(errs.Invalid, "%q is not an e-mail address", s)
	}
	return s, nil
}

// CheckPassword enforces the password policy: long enough to resist
// guessing, not one of the passwords guessed first, short enough that
// hashing it is not a denial of service.
func CheckPassword(p string) error {
	n := utf8.RuneCountInString(p)
	if n < 10 {
		return errs.E(errs.Invalid, "the password needs at least 10 characters")
	}
	if len(p) > 256 {
		return errs.E(errs.Invalid, "the password is too long")
	}
	if Common(p) {
		return errs.E(errs.Invalid, "this password is among the most common ones, tried first by anyone guessing: choose another")
	}
	return nil
}
