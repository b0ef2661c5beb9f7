package web

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

// Languages the site speaks, French first: the default.
var languages = []string{"fr", "en"}

//go:embed locales
var localeFS embed.FS

// catalogue holds every text of the site, one map per language, and the
// wording of the domain's error messages (which are written in English,
// their format string being the key).
//
// Each language is a folder of JSON files, one per audience (site.json,
// staff.json, …) so that screens are worded side by side without one
// growing file; files named errors*.json word the error messages. A key
// defined twice is an error.
type catalogue struct {
	texts  map[string]map[string]string // lang → key → text
	errors map[string]map[string]string // lang → English format → what to say
}

func loadCatalogue() (*catalogue, error) {
	c := &catalogue{texts: map[string]map[string]string{}, errors: map[string]map[string]string{}}
	for _, lang := range languages {
		c.texts[lang], c.errors[lang] = map[string]string{}, map[string]string{}
		files, err := fs.Glob(localeFS, "locales/"+lang+"/*.json")
		if err != nil {
			return nil, err
		}
		for _, name := range files {
			into := c.texts[lang]
			if strings.HasPrefix(path.Base(name), "errors") {
				into = c.errors[lang]
			}
			if err := readJSON(name, into); err != nil {
				return nil, err
			}
		}
	}
	return c, nil
}

func readJSON(name string, into map[string]string) error {
	data, err := localeFS.ReadFile(name)
	if err != nil {
		return err
	}
	m := map[string]string{}
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for k, v := range m {
		if _, dup := into[k]; dup {
			return fmt.Errorf("%s: %q is defined twice", name, k)
		}
		into[k] = v
	}
	return nil
}

// text returns the text of key in lang, formatted with args. A missing key
// shows itself, which the catalogue test catches before anyone sees it.
func (c *catalogue) text(lang, key string, args ...any) string {
	s, ok := c.texts[lang][key]
	if !ok {
		return key
	}
	// French elides before a vowel: "Quantité d'ail", not "de Ail". A
	// text that says so has an ".elided" twin, used when its first
	// argument begins with one.
	if first, isText := firstArg(args); isText && startsWithVowel(first) {
		if e, ok := c.texts[lang][key+".elided"]; ok {
			s = e
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

func firstArg(args []any) (string, bool) {
	if len(args) == 0 {
		return "", false
	}
	s, ok := args[0].(string)
	return s, ok
}

// startsWithVowel looks at the first letter only: it runs for every text
// of every page that takes an argument.
func startsWithVowel(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return strings.ContainsRune("aàâäeéèêëiîïoôöuùûüyœæ", unicode.ToLower(r))
}

// message says err to a person in lang: the domain's message (written in
// English), as the catalogue words it for the site when it knows its
// format, else as it is in English or a general sentence for its code in
// French. Internal errors never show their detail.
func (c *catalogue) message(lang string, err error) string {
	var e *errs.Error
	if !errors.As(err, &e) {
		return c.text(lang, "error.internal")
	}
	args := c.words(lang, e.Args)
	if f, ok := c.errors[lang][e.Format]; ok {
		return capitalize(fmt.Sprintf(f, args...))
	}
	if lang == "en" && e.Format != "" {
		return capitalize(fmt.Sprintf(e.Format, args...))
	}
	if lang == "en" && e.Message != "" {
		return capitalize(e.Message)
	}
	if s, ok := c.texts[lang]["error."+string(e.Code)]; ok {
		return s
	}
	return c.text(lang, "error.generic")
}

// words gives a message's arguments in the visitor's words: an order's
// status is "en préparation", not "preparing"; its payment "payée", not
// "paid".
func (c *catalogue) words(lang string, args []any) []any {
	out := slices.Clone(args)
	for i, a := range out {
		var key string
		switch v := a.(type) {
		case order.Status:
			key = "status." + string(v)
		case order.PaymentStatus:
			key = "payment." + string(v)
		case time.Weekday:
			key = "day." + v.String()
		default:
			continue
		}
		if w, ok := c.texts[lang][key]; ok {
			out[i] = w
		}
	}
	return out
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// langCookie remembers a language chosen with ?lang=.
const langCookie = "lang"

// language picks the page's language: ?lang= (remembered in a cookie), then
// the cookie, then the browser's Accept-Language, then French.
func language(w http.ResponseWriter, r *http.Request, secure bool) string {
	if q := r.URL.Query().Get("lang"); known(q) {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
		return q
	}
	if c, err := r.Cookie(langCookie); err == nil && known(c.Value) {
		return c.Value
	}
	return acceptLanguage(r.Header.Get("Accept-Language"))
}

func known(lang string) bool { return lang == "fr" || lang == "en" }

// acceptLanguage returns the known language the browser prefers most
// (French when it names neither).
func acceptLanguage(header string) string {
	best, bestQ := "fr", -1.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if !known(base) {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if q > bestQ {
			best, bestQ = base, q
		}
	}
	return best
}

// money shows cents as French or English readers write euros.
func money(lang string, cents int64) string {
	if lang != "en" {
		return catalog.FormatEuros(cents)
	}
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s€%s.%02d", sign, catalog.Group(cents/100, ","), cents%100)
}

// clock shows a time of day in Paris: "18 h 05" in French, "18:05" in English.
func clock(lang string, t time.Time) string {
	t = t.In(pizzeria.Paris)
	if lang == "en" {
		return t.Format("15:04")
	}
	// No-break spaces: "18 h 05" stays on one line.
	if t.Minute() == 0 {
		return fmt.Sprintf("%d\u00a0h", t.Hour())
	}
	return fmt.Sprintf("%d\u00a0h\u00a0%02d", t.Hour(), t.Minute())
}

// minutesClock shows minutes after midnight as a time of day.
func minutesClock(lang string, minutes int) string {
	day := time.Date(2000, 1, 1, 0, 0, 0, 0, pizzeria.Paris)
	return clock(lang, day.Add(time.Duration(minutes%(24*60))*time.Minute))
}

// formatPhone writes a French number as it is read aloud, in pairs
// ("04 78 42 10 01"); other numbers as stored.
func formatPhone(key string) string {
	if len(key) != 10 || key[0] != '0' || strings.Trim(key, "0123456789") != "" {
		return key
	}
	return key[0:2] + " " + key[2:4] + " " + key[4:6] + " " + key[6:8] + " " + key[8:10]
}
