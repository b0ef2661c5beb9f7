package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
	"github.com/oc-pizza/ocpizza/internal/shop"
)

// The team screen, the manager's for one pizzeria and the administrator's
// for the whole chain: invite by e-mail, change a role, disable an
// account. What each row offers is asked of the rules (account), never
// decided here.

type roleAt struct {
	Role  string
	Where string
}

type staffRow struct {
	account.User
	Roles []roleAt
	// Here is the role held in the pizzeria of a manager's screen.
	Here          account.Role
	CanChangeRole bool
	CanDisable    bool
	CanRemove     bool // from this pizzeria's team
}

type roleOption struct {
	Value account.Role
	Label string
}

type inviteForm struct {
	Name, Email, Lang string
	Role              account.Role
	PizzeriaID        int64
}

type staffData struct {
	Office
	Admin     bool
	Staff     []staffRow
	Roles     []roleOption
	Pizzerias []pizzeria.Pizzeria
	Form      inviteForm
	// Action is where the screen's forms post: /manage/{id}/staff or
	// /admin/staff.
	Action string
	// Only, on the admin's list, keeps the staff of one pizzeria (0: all).
	Only int64
}

var staffNotices = map[string]string{"invited": "manage.team.done.invited", "added": "manage.team.done.added", "role": "manage.team.done.role",
	"disabled": "manage.team.done.disabled", "enabled": "manage.team.done.enabled", "removed": "manage.team.done.removed",
	"invited-nomail": "manage.team.done.invited.nomail"}

// roleName words a role.
func (pg Page) roleName(r account.Role) string {
	switch r {
	case account.Manager:
		return pg.T("manage.role.manager")
	case account.Counter:
		return pg.T("manage.role.counter")
	case account.Pizzaiolo:
		return pg.T("manage.role.pizzaiolo")
	case account.Driver:
		return pg.T("manage.role.driver")
	case account.Admin:
		return pg.T("manage.role.admin")
	}
	return pg.T("manage.role.customer")
}

func (p *Pages) manageStaff(w http.ResponseWriter, r *http.Request) {
	p.teamPage(w, r, nil, inviteForm{Role: account.Driver})
}

func (p *Pages) adminStaff(w http.ResponseWriter, r *http.Request) {
	p.teamPage(w, r, nil, inviteForm{Role: account.Driver})
}

// staffPage renders the team screen of the path's pizzeria, or the
// chain's under /admin; after a refused form, with its error and what was
// typed.
func (p *Pages) teamPage(w http.ResponseWriter, r *http.Request, failure error, f inviteForm) {
	actor := actorOf(r)
	var d staffData
	var pizzeriaID int64
	if strings.HasPrefix(r.URL.Path, "/admin") {
		d = staffData{Office: p.adminPage(r, "/staff", "admin.team.title"), Admin: true, Action: "/admin/staff"}
	} else {
		o, ps, ok := p.managePage(w, r, "/staff", "manage.team.title")
		if !ok {
			return
		}
		pizzeriaID = ps.ID
		d = staffData{Office: o, Action: o.Home + "/staff"}
		f.PizzeriaID = ps.ID
	}
	users, err := p.shop.Staff(r.Context(), actor, pizzeriaID)
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	if d.Pizzerias, err = p.shop.Pizzerias(r.Context(), actor); err != nil {
		p.fail(w, r, err)
		return
	}
	names := map[int64]string{}
	for _, ps := range d.Pizzerias {
		names[ps.ID] = ps.Name
	}
	done(&d.Page, r, staffNotices)
	if d.Admin {
		d.Only, _ = strconv.ParseInt(r.URL.Query().Get("pizzeria"), 10, 64)
	}
	for _, u := range users {
		if d.Only != 0 && !u.WorksIn(d.Only) {
			continue
		}
		row := staffRow{User: u, CanDisable: account.CheckDisable(actor, u) == nil}
		for _, g := range u.Grants {
			if g.Role == account.Customer {
				continue
			}
			row.Roles = append(row.Roles, roleAt{Role: d.roleName(g.Role), Where: names[g.PizzeriaID]})
			if pizzeriaID != 0 && g.PizzeriaID == pizzeriaID {
				row.Here = g.Role
			}
		}
		if pizzeriaID != 0 {
			row.CanChangeRole = account.CheckRoleChange(actor, u, account.Grant{Role: account.Counter, PizzeriaID: pizzeriaID}) == nil
			row.CanRemove = account.CheckRemove(actor, u, pizzeriaID) == nil
		}
		d.Staff = append(d.Staff, row)
	}
	for _, role := range account.PizzeriaRoles {
		d.Roles = append(d.Roles, roleOption{role, d.roleName(role)})
	}
	if d.Admin {
		d.Roles = append(d.Roles, roleOption{account.Admin, d.roleName(account.Admin)})
	}
	d.Form = f
	status := http.StatusOK
	if failure != nil {
		if status = p.officeRefused(w, r, &d.Office, failure); status == 0 {
			return
		}
	}
	p.render(w, r, status, "manage/staff", d)
}

// staffBack is where a team form goes back to.
func staffBack(r *http.Request, notice string) string {
	if strings.HasPrefix(r.URL.Path, "/admin") {
		return "/admin/staff?done=" + notice
	}
	return "/manage/" + r.PathValue("pizzeria") + "/staff?done=" + notice
}

// staffInvite invites someone by e-mail with a role; an e-mail that has
// an account gets the role.
func (p *Pages) staffInvite(w http.ResponseWriter, r *http.Request) {
	f := inviteForm{Name: r.PostFormValue("name"), Email: r.PostFormValue("email"), Lang: r.PostFormValue("lang"), Role: account.Role(r.PostFormValue("role"))}
	if id, err := strconv.ParseInt(r.PathValue("pizzeria"), 10, 64); err == nil {
		f.PizzeriaID = id
	} else if id, err := strconv.ParseInt(r.PostFormValue("pizzeria"), 10, 64); err == nil && f.Role != account.Admin {
		f.PizzeriaID = id
	}
	_, created, err := p.shop.Invite(r.Context(), actorOf(r), shop.Invitation{Email: f.Email, Name: f.Name, Lang: f.Lang,
		Grant: account.Grant{Role: f.Role, PizzeriaID: f.PizzeriaID}})
	if err != nil {
		p.teamPage(w, r, err, f)
		return
	}
	notice := "added"
	switch {
	case created && p.shop.Mail == nil:
		notice = "invited-nomail" // the link is in the server's log, not in a mailbox
	case created:
		notice = "invited"
	}
	redirect(w, r, staffBack(r, notice))
}

// staffRole changes someone's role in the pizzeria of the path.
func (p *Pages) staffRole(w http.ResponseWriter, r *http.Request) {
	pizzeriaID, userID, ok := p.member(w, r)
	if !ok {
		return
	}
	g := account.Grant{Role: account.Role(r.PostFormValue("role")), PizzeriaID: pizzeriaID}
	if _, err := p.shop.ChangeRole(r.Context(), actorOf(r), userID, g); err != nil {
		p.teamPage(w, r, err, inviteForm{Role: account.Driver})
		return
	}
	redirect(w, r, staffBack(r, "role"))
}

func (p *Pages) staffDisable(w http.ResponseWriter, r *http.Request) { p.staffSetDisabled(w, r, true) }
func (p *Pages) staffEnable(w http.ResponseWriter, r *http.Request)  { p.staffSetDisabled(w, r, false) }

func (p *Pages) staffSetDisabled(w http.ResponseWriter, r *http.Request, disabled bool) {
	userID, err := pathID(r, "user")
	if err != nil {
		p.errorPage(w, r, err)
		return
	}
	if _, err := p.shop.SetDisabled(r.Context(), actorOf(r), userID, disabled); err != nil {
		p.teamPage(w, r, err, inviteForm{Role: account.Driver})
		return
	}
	notice := "enabled"
	if disabled {
		notice = "disabled"
	}
	redirect(w, r, staffBack(r, notice))
}

// staffRemove takes someone off the team of the pizzeria of the path.
func (p *Pages) staffRemove(w http.ResponseWriter, r *http.Request) {
	pizzeriaID, userID, ok := p.member(w, r)
	if !ok {
		return
	}
	if _, err := p.shop.RemoveFromTeam(r.Context(), actorOf(r), userID, pizzeriaID); err != nil {
		p.teamPage(w, r, err, inviteForm{Role: account.Driver})
		return
	}
	redirect(w, r, staffBack(r, "removed"))
}

// member reads the pizzeria and the member of staff a team form's path
// names; a malformed one answers the error page.
func (p *Pages) member(w http.ResponseWriter, r *http.Request) (pizzeriaID, userID int64, ok bool) {
	pizzeriaID, err := pathID(r, "pizzeria")
	if err == nil {
		userID, err = pathID(r, "user")
	}
	if err != nil {
		p.errorPage(w, r, err)
		return 0, 0, false
	}
	return pizzeriaID, userID, true
}
