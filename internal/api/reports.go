package api

import (
	"net/http"
	"strconv"

	"github.com/oc-pizza/ocpizza/internal/errs"
)

// reports answers a period's report: ?from=&to= (YYYY-MM-DD, both
// included), of the whole chain or of ?pizzeria=.
func (a *API) reports(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var pizzeriaID int64
	if v := q.Get("pizzeria"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			writeError(w, r, errs.E(errs.Invalid, "pizzeria must be a pizzeria's id"))
			return
		}
		pizzeriaID = id
	}
	rep, err := a.shop.Report(r.Context(), actorOf(r), q.Get("from"), q.Get("to"), pizzeriaID)
	reply(w, r, http.StatusOK, rep, err)
}
