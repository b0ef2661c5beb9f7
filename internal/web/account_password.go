package web

import (
	"net/http"
	"strings"

	"github.com/oc-pizza/ocpizza/internal/errs"
)

type forgotData struct {
	Page
	Email string
	Sent  bool
	Error string
}

func (p *Pages) forgotShow(w http.ResponseWriter, r *http.Request) {
	p.render(w, r, http.StatusOK, "account/forgot", forgotData{Page: p.page(r, "forgot.title")})
}

// forgotSend asks for a reset link. The answer is the same whether the
// address has an account or not.
func (p *Pages) forgotSend(w http.ResponseWriter, r *http.Request) {
	d := forgotData{Page: p.page(r, "forgot.title"), Email: strings.TrimSpace(r.PostFormValue("email"))}
	if err := p.shop.RequestPasswordReset(r.Context(), d.Email); err != nil {
		if internal(err) {
			p.fail(w, r, err)
			return
		}
		d.Error = p.text.message(d.Lang, err)
		p.render(w, r, refusalStatus(w, err), "account/forgot", d)
		return
	}
	d.Sent = true
	p.render(w, r, http.StatusOK, "account/forgot", d)
}

type resetData struct {
	Page
	Token string
	Error string
	// Expired is set when the link can no longer be used.
	Expired bool
}

func (p *Pages) resetShow(w http.ResponseWriter, r *http.Request) {
	d := resetData{Page: p.page(r, "reset.title"), Token: r.URL.Query().Get("token")}
	if err := p.shop.CheckPasswordToken(r.Context(), d.Token); err != nil {
		if internal(err) {
			p.fail(w, r, err)
			return
		}
		d.Expired = true
		p.render(w, r, http.StatusNotFound, "account/reset", d)
		return
	}
	p.render(w, r, http.StatusOK, "account/reset", d)
}

func (p *Pages) resetSave(w http.ResponseWriter, r *http.Request) {
	d := resetData{Page: p.page(r, "reset.title"), Token: r.PostFormValue("token")}
	password := r.PostFormValue("password")
	if password != r.PostFormValue("confirm") {
		d.Error = d.T("reset.mismatch")
		p.render(w, r, http.StatusUnprocessableEntity, "account/reset", d)
		return
	}
	if err := p.shop.ResetPassword(r.Context(), d.Token, password); err != nil {
		if internal(err) {
			p.fail(w, r, err)
			return
		}
		d.Expired = errs.Is(err, errs.NotFound)
		d.Error = p.text.message(d.Lang, err)
		p.render(w, r, refusalStatus(w, err), "account/reset", d)
		return
	}
	// The reset ended every session, this browser's too.
	p.clearSession(w)
	redirect(w, r, "/login?reset=1")
}
