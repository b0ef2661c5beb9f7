package shop

import (
	"context"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/notify"
)

// Invitation is someone joining the staff with a role.
type Invitation struct {
	Email string
	Name  string
	Lang  string // of their mails and pages: "fr" (default) or "en"
	Grant account.Grant
}

// Invite gives someone a staff role. A new account is created without a
// password and mailed a single-use link to set one (the same link as a
// password reset, worded as an invitation); an e-mail that already has an
// account gets the role and a mail saying so (it may be a customer's, who
// did not ask). It reports whether the account is new.
func (s *Shop) Invite(ctx context.Context, actor account.Actor, inv Invitation) (account.User, bool, error) {
	if err := account.CheckGrant(actor, inv.Grant); err != nil {
		return account.User{}, false, err
	}
	email, err := account.NormalizeEmail(inv.Email)
	if err != nil {
		return account.User{}, false, err
	}
	name, err := account.NormalizeName(inv.Name)
	if err != nil {
		return account.User{}, false, err
	}
	if inv.Lang != "en" {
		inv.Lang = "fr"
	}
	existing, err := s.Store.UserByEmail(ctx, email)
	switch {
	case err == nil:
		added, err := s.Store.AddGrant(ctx, existing.ID, inv.Grant)
		if err != nil {
			return existing, false, err
		}
		s.sessions.forgetUser(existing.ID)
		if added { // asking again changes nothing, and mails nothing
			s.tellTeam(ctx, existing, inv.Grant)
		}
		u, err := s.Store.User(ctx, existing.ID)
		return u, false, err
	case !errs.Is(err, errs.NotFound):
		return account.User{}, false, err
	}
	u, err := s.Store.CreateUser(ctx, account.User{Email: email, Name: name, Lang: inv.Lang, Grants: []account.Grant{inv.Grant}})
	if err != nil {
		return u, false, err
	}
	if err := s.sendPasswordLink(ctx, u, "invite", InviteTTL); err != nil {
		return u, true, err
	}
	return u, true, nil
}

// Staff lists the staff of a pizzeria for its manager, or (pizzeriaID 0)
// the whole chain's, administrators included, for the admin.
func (s *Shop) Staff(ctx context.Context, actor account.Actor, pizzeriaID int64) ([]account.User, error) {
	// Has(Manager, 0) holds for the admin only.
	if !actor.Has(account.Manager, pizzeriaID) {
		return nil, errs.E(errs.Forbidden, "only the manager of pizzeria %d sees its staff", pizzeriaID)
	}
	return s.Store.Staff(ctx, pizzeriaID)
}

// ChangeRole gives a member of staff another role in one pizzeria. Their
// open screens reconnect under the new role at once (and those the role
// no longer opens say so); their sessions go on.
func (s *Shop) ChangeRole(ctx context.Context, actor account.Actor, userID int64, g account.Grant) (account.User, error) {
	target, err := s.Store.User(ctx, userID)
	if err != nil {
		return target, err
	}
	if err := account.CheckRoleChange(actor, target, g); err != nil {
		return target, err
	}
	if err := s.Store.SetRole(ctx, userID, g); err != nil {
		return target, err
	}
	s.endStreams(ctx, userID)
	return s.Store.User(ctx, userID)
}

// RemoveFromTeam takes away the roles someone holds in one pizzeria: they
// left the job. Their account stays theirs (a customer's too), with its
// roles elsewhere; their open screens close at once.
func (s *Shop) RemoveFromTeam(ctx context.Context, actor account.Actor, userID, pizzeriaID int64) (account.User, error) {
	target, err := s.Store.User(ctx, userID)
	if err != nil {
		return target, err
	}
	if err := account.CheckRemove(actor, target, pizzeriaID); err != nil {
		return target, err
	}
	if err := s.Store.RemoveFromPizzeria(ctx, userID, pizzeriaID); err != nil {
		return target, err
	}
	s.endStreams(ctx, userID)
	return s.Store.User(ctx, userID)
}

// SetDisabled disables an account — it cannot sign in, its sessions end
// and its open event streams close, here at once and on the other
// instances through the journal (within 2 s) — or enables it again.
func (s *Shop) SetDisabled(ctx context.Context, actor account.Actor, userID int64, disabled bool) (account.User, error) {
	target, err := s.Store.User(ctx, userID)
	if err != nil {
		return target, err
	}
	if err := account.CheckDisable(actor, target); err != nil {
		return target, err
	}
	if err := s.Store.SetDisabled(ctx, userID, disabled); err != nil {
		return target, err
	}
	if disabled {
		s.endStreams(ctx, userID)
	}
	return s.Store.User(ctx, userID)
}

// endStreams forgets a user's cached sessions and closes their open
// streams, as a password reset does.
func (s *Shop) endStreams(ctx context.Context, userID int64) {
	s.sessions.forgetUser(userID)
	s.publish(ctx, event.SessionEnded, event.Ended{UserID: userID}, 0, 0)
}

// tellTeam mails an existing account that it now has a role in a
// pizzeria, in the background; a failure is logged.
func (s *Shop) tellTeam(ctx context.Context, u account.User, g account.Grant) {
	where := "" // the chain's, for an administrator
	if g.PizzeriaID != 0 {
		p, err := s.Store.Pizzeria(ctx, g.PizzeriaID)
		if err != nil {
			s.Log.Error("team mail: pizzeria", "pizzeria", g.PizzeriaID, "err", err)
			return
		}
		where = p.Name
	}
	s.mailLater(ctx, notify.TeamMessage(u.Lang, u.Email, u.Name, where, string(g.Role), s.PublicURL), "team")
}
