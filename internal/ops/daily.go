package ops

import (
	"context"
	"time"

	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

// NextAt returns the next time after now that the Paris clock shows hhmm
// ("07:00"), across daylight-saving changes.
func NextAt(now time.Time, hhmm string) time.Time {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		t = time.Date(0, 1, 1, 7, 0, 0, 0, time.UTC)
	}
	local := now.In(pizzeria.Paris)
	next := time.Date(local.Year(), local.Month(), local.Day(), t.Hour(), t.Minute(), 0, 0, pizzeria.Paris)
	if !next.After(now) {
		next = time.Date(local.Year(), local.Month(), local.Day()+1, t.Hour(), t.Minute(), 0, 0, pizzeria.Paris)
	}
	return next
}

// Daily runs fn every day at hhmm, Paris time, until ctx ends.
func Daily(ctx context.Context, hhmm string, fn func(context.Context)) {
	for {
		wait := time.Until(NextAt(time.Now(), hhmm))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		fn(ctx)
	}
}
