package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/oc-pizza/ocpizza/internal/app"
	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/demo"
	"github.com/oc-pizza/ocpizza/internal/store"
	"github.com/oc-pizza/ocpizza/internal/store/storetest"
)

// snapshot is what the API shows of a chain: pizzerias, menus, stock and
// orders of every pizzeria, as the admin sees them.
func snapshotOf(t *testing.T, databaseURL string) map[string]any {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, databaseURL)
	check(t, err)
	defer st.Close()
	srv := httptest.NewServer(app.NewServer(st, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler())
	defer srv.Close()
	get := func(path, token string) any {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		check(t, err)
		defer res.Body.Close()
		var v any
		check(t, json.NewDecoder(res.Body).Decode(&v))
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d %v", path, res.StatusCode, v)
		}
		return v
	}
	res, err := http.Post(srv.URL+"/api/v1/auth/token", "application/json",
		strings.NewReader(`{"email":"admin@ocpizza.fr","password":"`+demo.Password+`"}`))
	check(t, err)
	var login struct{ Token string }
	check(t, json.NewDecoder(res.Body).Decode(&login))
	res.Body.Close()
	if login.Token == "" {
		t.Fatal("the admin cannot sign in")
	}
	out := map[string]any{}
	shops := get("/api/v1/pizzerias", "").([]any)
	out["pizzerias"] = shops
	for _, p := range shops {
		id := int64(p.(map[string]any)["id"].(float64))
		out[fmt.Sprintf("menu %d", id)] = get(fmt.Sprintf("/api/v1/pizzerias/%d/menu", id), "")
		out[fmt.Sprintf("stock %d", id)] = get(fmt.Sprintf("/api/v1/pizzerias/%d/stock", id), login.Token)
		out[fmt.Sprintf("orders %d", id)] = get(fmt.Sprintf("/api/v1/pizzerias/%d/orders", id), login.Token)
	}
	return out
}

func TestBackupAndRestoreAcrossEngines(t *testing.T) {
	dir := t.TempDir()
	source := map[string]string{"OCPIZZA_DATABASE_URL": "sqlite:" + filepath.Join(dir, "source.db")}
	if code, _, errOut := run(t, source, "", "migrate"); code != 0 {
		t.Fatal(errOut)
	}
	if code, _, errOut := run(t, source, "", "demo"); code != 0 {
		t.Fatal(errOut)
	}
	file := filepath.Join(dir, "chain.backup.gz")
	code, out, errOut := run(t, source, "", "backup", file)
	if code != 0 || !strings.Contains(out, "backup written to") {
		t.Fatalf("backup: %d %s %s", code, out, errOut)
	}
	if code, out, _ := run(t, source, "", "backup", "--verify", file); code != 0 || !strings.Contains(out, "valid") {
		t.Fatalf("verify: %d %s", code, out)
	}
	want := snapshotOf(t, source["OCPIZZA_DATABASE_URL"])
	if n := len(want["orders 1"].([]any)); n < 10 {
		t.Fatalf("source has %d orders in its first pizzeria", n)
	}

	// Damaged copies.
	data, err := os.ReadFile(file)
	check(t, err)
	truncated := filepath.Join(dir, "truncated.gz")
	check(t, os.WriteFile(truncated, data[:len(data)/2], 0o600))
	flipped := append([]byte(nil), data...)
	flipped[len(flipped)/2] ^= 0x20
	altered := filepath.Join(dir, "altered.gz")
	check(t, os.WriteFile(altered, flipped, 0o600))
	garbage := filepath.Join(dir, "garbage.gz")
	check(t, os.WriteFile(garbage, []byte("not a backup at all"), 0o600))

	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			target := map[string]string{"OCPIZZA_DATABASE_URL": storetest.NewDatabase(t, e)}
			for _, bad := range []string{truncated, altered, garbage} {
				code, _, errOut := run(t, target, "", "restore", bad)
				if code != 1 || !strings.Contains(errOut, "restore refused") || !strings.Contains(errOut, "damaged") {
					t.Fatalf("restore of %s: %d %q", filepath.Base(bad), code, errOut)
				}
			}
			// Untouched: not even a schema was created.
			st, err := store.Open(context.Background(), target["OCPIZZA_DATABASE_URL"])
			check(t, err)
			applied, _, err := st.SchemaVersion(context.Background())
			st.Close()
			check(t, err)
			if applied != 0 {
				t.Fatalf("a refused restore migrated the target to version %d", applied)
			}

			if code, out, errOut := run(t, target, "", "restore", file); code != 0 || !strings.Contains(out, "restored") {
				t.Fatalf("restore: %d %s %s", code, out, errOut)
			}
			got := snapshotOf(t, target["OCPIZZA_DATABASE_URL"])
			for k, v := range want {
				if !reflect.DeepEqual(got[k], v) {
					t.Errorf("%s differs after restore into %s:\n got %.600v\nwant %.600v", k, e, got[k], v)
				}
			}
			if code, _, errOut := run(t, target, "", "restore", file); code != 1 || !strings.Contains(errOut, "not empty") {
				t.Fatalf("restore into a non-empty database: %d %s", code, errOut)
			}
			if code, _, errOut := run(t, target, "", "restore", "--force", file); code != 0 {
				t.Fatalf("forced restore: %s", errOut)
			}
			// Generated ids continue after the restored ones.
			st, err = store.Open(context.Background(), target["OCPIZZA_DATABASE_URL"])
			check(t, err)
			defer st.Close()
			if _, err := st.CreateIngredient(context.Background(), catalog.Ingredient{Name: "Truffe noire", Unit: catalog.Gram}, 10); err != nil {
				t.Fatalf("new row after restore: %v", err)
			}
		})
	}
}
