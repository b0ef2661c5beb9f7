package account

import (
	"context"
	"strings"
	"testing"
	"time"

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
		"bad email":       {Email: "marie", Password: "correct horse", Name: "M"},
		"display name":    {Email: "Marie <m@x.fr>", Password: "correct horse", Name: "M"},
		"short password":  {Email: "m@x.fr", Password: "short", Name: "M"},
		"long password":   {Email: "m@x.fr", Password: strings.Repeat("x", 300), Name: "M"},
		"no name":         {Email: "m@x.fr", Password: "correct horse", Name: " "},
		"common password": {Email: "m@x.fr", Password: "Password123", Name: "M"},
		"French common":   {Email: "m@x.fr", Password: "azertyuiop", Name: "M"},
		"NUL in name":     {Email: "m@x.fr", Password: "correct horse", Name: "M\x00rie"},
		"newline in name": {Email: "m@x.fr", Password: "correct horse", Name: "Marie\nDurand"},
		"NUL in phone":    {Email: "m@x.fr", Password: "correct horse", Name: "M", Phone: "06\x00"},
		"NUL in e-mail":   {Email: "m\x00@x.fr", Password: "correct horse", Name: "M"},
		"bad UTF-8 name":  {Email: "m@x.fr", Password: "correct horse", Name: "M\xffrie"},
	} {
		if _, err := c.Normalize(); !errs.Is(err, errs.Invalid) {
			t.Errorf("%s: got %v, want invalid", name, err)
		}
	}
}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery", ProductionParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("unexpected encoding %q", h)
	}
	if !VerifyPassword(h, "correct horse battery") {
		t.Error("the right password is refused")
	}
	if VerifyPassword(h, "correct horse battery!") {
		t.Error("a wrong password is accepted")
	}
	h2, _ := HashPassword("correct horse battery", ProductionParams)
	if h == h2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	// A hash keeps its parameters: a cheap one verifies beside the others.
	cheap, _ := HashPassword("correct horse battery", FixtureParams)
	if !strings.Contains(cheap, "$m=64,t=1,p=1$") || !VerifyPassword(cheap, "correct horse battery") || VerifyPassword(cheap, "wrong horse battery") {
		t.Errorf("cheap hash %q does not verify on its own parameters", cheap)
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=1,t=1,p=1$$", "$bcrypt$x", "$argon2id$v=19$m=999999999,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=262144,t=1,p=1$c2FsdA$a2V5"} {
		if VerifyPassword(bad, "x") {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}

func TestCommonPasswords(t *testing.T) {
	for _, p := range []string{"password123", "PASSWORD123", "1234567890", "qwertyuiop", "motdepasse123", "iloveyou123"} {
		if !Common(p) {
			t.Errorf("%q is not found common", p)
		}
		if err := CheckPassword(p); !errs.Is(err, errs.Invalid) {
			t.Errorf("%q accepted: %v", p, err)
		}
	}
	if n := len(commonPasswords()); n < 3000 {
		t.Errorf("only %d common passwords embedded", n)
	}
	for _, p := range []string{"correct horse battery", "pizza-demo-2026", "Tr0ub4dor&3xyz"} {
		if err := CheckPassword(p); err != nil {
			t.Errorf("%q refused: %v", p, err)
		}
	}
}

// The hasher runs a fixed number of hashes at once, lets a few wait their
// turn, and refuses the rest at once with a delay to retry after.
func TestHasherBoundsConcurrency(t *testing.T) {
	h := NewHasher(FixtureParams, Limits{Parallel: 2, Queue: 3, Wait: time.Minute})
	ctx := context.Background()
	got := make(chan func(), 5)
	for range 5 {
		// Hold turns as slow hashes would: two run, three wait.
		go func() {
			release, err := h.turn(ctx)
			if err != nil {
				t.Error(err)
			}
			got <- release
		}()
	}
	for deadline := time.Now().Add(5 * time.Second); len(h.admitted) < 5 || len(h.running) < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("running %d, admitted %d; want 2 and 5", len(h.running), len(h.admitted))
		}
		time.Sleep(time.Millisecond)
	}
	if len(h.running) != 2 {
		t.Fatalf("%d hashes run at once, want 2", len(h.running))
	}
	_, err := h.Verify(ctx, h.dummy, "x")
	if !errs.Is(err, errs.Unavailable) || errs.RetryAfter(err) <= 0 {
		t.Fatalf("a sixth caller: %v (retry after %v), want unavailable with a delay", err, errs.RetryAfter(err))
	}
	for range 5 {
		(<-got)() // each release lets a waiting caller run
	}

	// A waiting caller gives up at the deadline.
	quick := NewHasher(FixtureParams, Limits{Parallel: 1, Queue: 1, Wait: 20 * time.Millisecond})
	hold, err := quick.turn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := quick.Hash(ctx, "correct horse battery"); !errs.Is(err, errs.Unavailable) || time.Since(start) < 20*time.Millisecond {
		t.Fatalf("past the deadline: %v after %v", err, time.Since(start))
	}
	hold()
	hash, err := quick.Hash(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := quick.Verify(ctx, hash, "correct horse battery"); !ok || err != nil {
		t.Fatalf("verify: %v %v", ok, err)
	}
	if err := quick.VerifyNobody(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if len(quick.running) != 0 || len(quick.admitted) != 0 {
		t.Fatal("turns were not given back")
	}
}

func TestPhoneKey(t *testing.T) {
	for in, want := range map[string]string{
		"04 78 42 10 01":    "0478421001",
		"04.78.42.10.01":    "0478421001",
		"+33 4 78 42 10 01": "0478421001",
		"0033478421001":     "0478421001",
		"+44 20 7946 0958":  "+442079460958",
		" 06-12-34-56-78 ":  "0612345678",
		"(04) 78 42 10 01":  "0478421001",
		"poste 12":          "poste 12",
		"":                  "",
	} {
		if got := PhoneKey(in); got != want {
			t.Errorf("PhoneKey(%q) = %q, want %q", in, got, want)
		}
	}
}
