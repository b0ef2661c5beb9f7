package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestHomePage(t *testing.T) {
	c := newChain(t, "sqlite")
	get := func(path, lang string) (int, string) {
		req, _ := http.NewRequest("GET", c.srv.URL+path, nil)
		if lang != "" {
			req.Header.Set("Accept-Language", lang)
		}
		res, err := http.DefaultClient.Do(req)
		check(t, err)
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	status, fr := get("/", "")
	if status != 200 || !strings.Contains(fr, `<html lang="fr">`) || !strings.Contains(fr, "OC Pizza ONE") || !strings.Contains(fr, "Margherita") ||
		!strings.Contains(fr, "9,50 €") || !strings.Contains(fr, "Livre les codes postaux") {
		t.Fatalf("French home page: %d\n%s", status, fr)
	}
	if _, en := get("/", "en-GB,en;q=0.9"); !strings.Contains(en, `<html lang="en">`) || !strings.Contains(en, "Delivers to postcodes") {
		t.Fatalf("English by Accept-Language:\n%s", en)
	}
	if _, en := get("/?lang=en", ""); !strings.Contains(en, "Delivers to postcodes") {
		t.Fatal("English by ?lang=en")
	}
	if status, _ := get("/no-such-page", ""); status != 404 {
		t.Fatalf("unknown page: %d", status)
	}
}
