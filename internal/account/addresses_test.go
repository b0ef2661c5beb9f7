package account

import (
	"testing"

	"github.com/oc-pizza/ocpizza/internal/errs"
)

func TestKeepsAddresses(t *testing.T) {
	cases := []struct {
		actor Actor
		want  errs.Code
	}{
		{Actor{}, errs.Unauthorized},
		{Actor{UserID: 1, Grants: []Grant{{Role: Customer}}}, ""},
		{Actor{UserID: 2, Grants: []Grant{{Role: Counter, PizzeriaID: 1}}}, errs.Forbidden},
		{Actor{UserID: 3, Grants: []Grant{{Role: Admin}}}, errs.Forbidden},
	}
	for _, c := range cases {
		err := c.actor.KeepsAddresses()
		if c.want == "" && err != nil || c.want != "" && !errs.Is(err, c.want) {
			t.Errorf("%+v: %v, want %q", c.actor, err, c.want)
		}
	}
}
