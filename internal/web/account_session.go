package web

import (
	"net/http"
	"strings"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/api"
	"github.com/oc-pizza/ocpizza/internal/errs"
)

type loginData struct {
	Page
	Email string
	Next  string
	Error string
}

func (p *Pages) loginShow(w http.ResponseWriter, r *http.Request) {
	d := loginData{Page: p.page(r, "login.title"), Next: safeNext(r.URL.Query().Get("next"))}
	if r.URL.Query().Get("reset") == "1" {
		d.Notice = d.T("reset.done")
	}
	p.render(w, r, http.StatusOK, "account/login", d)
}

func (p *Pages) loginCheck(w http.ResponseWriter, r *http.Request) {
	email, password := strings.TrimSpace(r.PostFormValue("email")), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	token, u, err := p.shop.SignIn(r.Context(), email, password, api.ClientIP(r))
	if err != nil {
		if internal(err) {
			p.fail(w, r, err)
			return
		}
		d := loginData{Page: p.page(r, "login.title"), Email: email, Next: next, Error: p.text.message(requestOf(r).lang, err)}
		if errs.Is(err, errs.Unauthorized) {
			d.Error = d.T("login.wrong")
		}
		p.render(w, r, refusalStatus(w, err), "account/login", d)
		return
	}
	p.setSession(w, token)
	if next == "" {
		next = landing(account.ActorOf(u))
	}
	redirect(w, r, next)
}

// landing is where a user goes after signing in without a destination:
// staff to their screens, customers to the pizzerias.
func landing(a account.Actor) string {
	if a.IsStaff() {
		return "/staff"
	}
	return "/"
}

func (p *Pages) logout(w http.ResponseWriter, r *http.Request) {
	if v := visitorOf(r); v.token != "" {
		if err := p.shop.SignOut(r.Context(), v.token); err != nil {
			p.fail(w, r, err)
			return
		}
	}
	p.clearSession(w)
	redirect(w, r, "/")
}

type signupData struct {
	Page
	Name, Email, Phone string
	Next               string
	Error              string
}

func (p *Pages) signupShow(w http.ResponseWriter, r *http.Request) {
	p.render(w, r, http.StatusOK, "account/signup", signupData{Page: p.page(r, "signup.title"), Next: safeNext(r.URL.Query().Get("next"))})
}

func (p *Pages) signupCreate(w http.ResponseWriter, r *http.Request) {
	d := signupData{Page: p.page(r, "signup.title"), Name: r.PostFormValue("name"), Email: r.PostFormValue("email"),
		Phone: r.PostFormValue("phone"), Next: safeNext(r.PostFormValue("next"))}
	password := r.PostFormValue("password")
	_, err := p.shop.SignUp(r.Context(), account.NewCustomer{Email: d.Email, Password: password, Name: d.Name, Phone: d.Phone, Lang: d.Lang}, api.ClientIP(r))
	// An e-mail that has an account goes on as a new one does, to the
	// sign-in with the password typed, as the API's sign-up does: the page
	// does not say who is a customer. A wrong password then costs a
	// throttled sign-in, as on the sign-in page.
	if err == nil || errs.Is(err, errs.EmailTaken) {
		var token string
		token, _, err = p.shop.SignIn(r.Context(), d.Email, password, api.ClientIP(r))
		if errs.Is(err, errs.Unauthorized) {
			d.Error = d.T("signup.signin_failed")
			p.render(w, r, http.StatusUnauthorized, "account/signup", d)
			return
		}
		if err == nil {
			p.setSession(w, token)
			if d.Next == "" {
				d.Next = "/"
			}
			redirect(w, r, d.Next)
			return
		}
	}
	if internal(err) {
		p.fail(w, r, err)
		return
	}
	d.Error = p.text.message(d.Lang, err)
	p.render(w, r, refusalStatus(w, err), "account/signup", d)
}
