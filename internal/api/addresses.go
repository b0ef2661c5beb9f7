package api

import (
	"net/http"

	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

func (a *API) addresses(w http.ResponseWriter, r *http.Request) {
	list, err := a.shop.Addresses(r.Context(), actorOf(r))
	reply(w, r, http.StatusOK, list, err)
}

func (a *API) saveAddress(w http.ResponseWriter, r *http.Request) {
	var in pizzeria.Address
	if err := decode(w, r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	saved, created, err := a.shop.SaveAddress(r.Context(), actorOf(r), in)
	if err != nil {
		writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/me/addresses/"+itoa(saved.ID))
	status := http.StatusOK // the same address, kept already
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, saved)
}

func (a *API) deleteAddress(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, r, err)
		return
	}
	if err := a.shop.DeleteAddress(r.Context(), actorOf(r), id); err != nil {
		writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
