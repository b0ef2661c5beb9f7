package account

import (
	"strings"
	"testing"

	"github.com/oc-pizza/ocpizza/internal/errs"
)

func TestActorHas(t *testing.T) {
	admin := Actor{UserID: 1, Grants: []Grant{{Role: Admin}}}
	manager := Actor{UserID: 2, Grants: []Grant{{Role: Manager, PizzeriaID: 1}}}
	cook := Actor{UserID: 3, Grants: []Grant{{Role: Pizzaiolo, PizzeriaID: 1}}}
	customer := Actor{UserID: 4, Grants: []Grant{{Role: Customer}}}
	tests := []struct {
		name  string
		actor Actor
		role  Role
		shop  int64
		want  bool
	}{
		{"admin is a driver anywhere", admin, Driver, 7, true},
		{"admin is not a customer", admin, Customer, 0, false},
		{"manager is pizzaiolo in own shop", manager, Pizzaiolo, 1, true},
		{"manager is nothing elsewhere", manager, Pizzaiolo, 2, false},
		{"manager is not admin", manager, Admin, 0, false},
		{"pizzaiolo in own shop", cook, Pizzaiolo, 1, true},
		{"pizzaiolo is not driver", cook, Driver, 1, false},
		{"pizzaiolo not in another shop", cook, Pizzaiolo, 2, false},
		{"customer is customer", customer, Customer, 0, true},
		{"customer is not staff", customer, Counter, 1, false},
		{"anonymous holds nothing", Actor{}, Customer, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.actor.Has(tt.role, tt.shop); got != tt.want {
				t.Errorf("Has(%s, %d) = %v, want %v", tt.role, tt.shop, got, tt.want)
			}
		})
	}
	if !cook.IsStaffOf(1) || cook.IsStaffOf(2) || customer.IsStaff() || !admin.IsAdmin() || manager.IsAdmin() {
		t.Error("staff helpers disagree with Has")
	}
}

func TestGrantValidate(t *testing.T) {
	ok := []Grant{{Role: Customer}, {Role: Admin}, {Role: Driver, PizzeriaID: 3}}
	bad := []Grant{{Role: "chef"}, {Role: Driver}, {Role: Admin, PizzeriaID: 1}, {Role: Customer, PizzeriaID: 1}}
	for _, g := range ok {
		if err := g.Validate(); err != nil {
			t.Errorf("%+v refused: %v", g, err)
		}
	}
	for _, g := range bad {
		if err := g.Validate(); !errs.Is(err, errs.Invalid) {
			t.Errorf("%+v: got %v, want invalid", g, err)
		}
	}
}

func TestNewCustomerNormalize(t *testing.T) {
	n, err := NewCustomer{Email: " Marie@Example.FR ", Password: "correct horse", Name: " Marie ", Lang: "de"}.Normalize()
	if err != nil || n.Email != "marie@example.fr" || n.Name != "Marie" || n.Lang != "fr" {
		t.Fatalf("got %+v, %v", n, err)
	}
	for name, c := range map[string]NewCustomer{
		"bad email":      {Email: "marie", Password: "correct horse", Name: "M"},
		"display name":   {Email: "Marie <m@x.fr>", Password: "correct horse", Name: "M"},
		"short password": {Email: "m@x.fr", Password: "short", Name: "M"},
		"long password":  {Email: "m@x.fr", Password: strings.Repeat("x", 300), Name: "M"},
		"no name":        {Email: "m@x.fr", Password: "correct horse", Name: " "},
	} {
		if _, err := c.Normalize(); !errs.Is(err, errs.Invalid) {
			t.Errorf("%s: got %v, want invalid", name, err)
		}
	}
}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$") {
		t.Fatalf("unexpected encoding %q", h)
	}
	if !VerifyPassword(h, "correct horse battery") {
		t.Error("the right password is refused")
	}
	if VerifyPassword(h, "correct horse battery!") {
		t.Error("a wrong password is accepted")
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=1,t=1,p=1$$", "$bcrypt$x", "$argon2id$v=19$m=999999999,t=1,p=1$c2FsdA$a2V5"} {
		if VerifyPassword(bad, "x") {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}
