package api

import (
	"net/http"
	"strconv"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/shop"
)

func (a *API) registerStaff(mux *http.ServeMux) {
	a.route(mux, "GET /api/v1/staff", a.auth(a.staff))
	a.route(mux, "POST /api/v1/staff", a.auth(a.invite))
	a.route(mux, "PUT /api/v1/staff/{id}/role", a.auth(a.changeRole))
	a.route(mux, "POST /api/v1/staff/{id}/disable", a.auth(a.disable))
	a.route(mux, "POST /api/v1/staff/{id}/enable", a.auth(a.enable))
	a.route(mux, "DELETE /api/v1/staff/{id}/pizzerias/{pizzeria}", a.auth(a.removeFromTeam))
}

// staffJSON is a member of staff: the user and whether the account is
// disabled.
type staffJSON struct {
	userJSON
	Disabled bool `json:"disabled"`
}

func staffOf(u account.User) staffJSON { return staffJSON{userOf(u), u.Disabled} }

// staff lists the staff of ?pizzeria= (its manager), or of the whole
// chain without it (the admin).
func (a *API) staff(w http.ResponseWriter, r *http.Request) {
	var pizzeriaID int64
	if q := r.URL.Query().Get("pizzeria"); q != "" {
		id, err := strconv.ParseInt(q, 10, 64)
		if err != nil || id <= 0 {
			writeError(w, r, errs.E(errs.Invalid, "pizzeria must be a pizzeria's id"))
			return
		}
		pizzeriaID = id
	}
	users, err := a.shop.Staff(r.Context(), actorOf(r), pizzeriaID)
	if err != nil {
		writeError(w, r, err)
		return
	}
	out := make([]staffJSON, len(users))
	for i, u := range users {
		out[i] = staffOf(u)
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) invite(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email      string       `json:"email"`
		Name       string       `json:"name"`
		Lang       string       `json:"lang"`
		Role       account.Role `json:"role"`
		PizzeriaID int64        `json:"pizzeria_id"`
	}
	if err := decode(w, r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	u, created, err := a.shop.Invite(r.Context(), actorOf(r), shop.Invitation{Email: in.Email, Name: in.Name, Lang: in.Lang,
		Grant: account.Grant{Role: in.Role, PizzeriaID: in.PizzeriaID}})
	if err != nil {
		writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, staffOf(u))
}

func (a *API) changeRole(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	var in account.Grant
	if err := decode(w, r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	u, err := a.shop.ChangeRole(r.Context(), actorOf(r), id, in)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, staffOf(u))
}

func (a *API) disable(w http.ResponseWriter, r *http.Request) { a.setDisabled(w, r, true) }
func (a *API) enable(w http.ResponseWriter, r *http.Request)  { a.setDisabled(w, r, false) }

func (a *API) setDisabled(w http.ResponseWriter, r *http.Request, disabled bool) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	u, err := a.shop.SetDisabled(r.Context(), actorOf(r), id, disabled)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, staffOf(u))
}

// removeFromTeam takes away someone's roles in one pizzeria.
func (a *API) removeFromTeam(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	pizzeriaID, err := pathID(r, "pizzeria")
	if err != nil {
		writeError(w, r, err)
		return
	}
	u, err := a.shop.RemoveFromTeam(r.Context(), actorOf(r), id, pizzeriaID)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, staffOf(u))
}
