package app_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
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

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/app"
	"github.com/oc-pizza/ocpizza/internal/catalog"
	"github.com/oc-pizza/ocpizza/internal/demo"
	"github.com/oc-pizza/ocpizza/internal/store"
	"github.com/oc-pizza/ocpizza/internal/store/storetest"
	"github.com/oc-pizza/ocpizza/internal/web"
)

// snapshot is what the API shows of a chain: pizzerias, menus, stock and
// orders of every pizzeria, as the admin sees them.
func snapshotOf(t *testing.T, databaseURL string) map[string]any {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, databaseURL)
	check(t, err)
	defer st.Close()
	server := app.NewServer(st, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Options{})
	server.Shop.Passwords = cheapPasswords()
	srv := httptest.NewServer(server.Handler())
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
	t.Parallel()
	dir := t.TempDir()
	const key = "the chain's backup key, kept off the backup disk"
	source := map[string]string{"OCPIZZA_DATABASE_URL": "sqlite:" + filepath.Join(dir, "source.db"), "OCPIZZA_BACKUP_KEY": key}
	if code, _, errOut := run(t, source, "", "migrate"); code != 0 {
		t.Fatal(errOut)
	}
	if code, _, errOut := run(t, source, "", "demo"); code != 0 {
		t.Fatal(errOut)
	}
	file := filepath.Join(dir, "chain.backup.gz")
	code, out, errOut := run(t, source, "", "backup", file)
	if code != 0 || !strings.Contains(out, "backup written to") || !strings.Contains(out, "signed (HMAC-SHA256") {
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

	// Edited copies, their checksum recomputed: a pizzeria renamed, as
	// someone could add an administrator.
	rename := func(line string) string { return strings.Replace(line, "OC Pizza République", "OC Pizza Pirate", 1) }
	forgedUnsigned := filepath.Join(dir, "forged-unsigned.gz")
	rewriteBackup(t, file, forgedUnsigned, rename, nil)
	forgedSigned := filepath.Join(dir, "forged-signed.gz")
	rewriteBackup(t, file, forgedSigned, rename, func(h map[string]any) { h["version"] = 2 })
	otherKey := filepath.Join(dir, "other-key.gz")
	if code, _, errOut := run(t, map[string]string{"OCPIZZA_DATABASE_URL": source["OCPIZZA_DATABASE_URL"], "OCPIZZA_BACKUP_KEY": "another key"}, "", "backup", otherKey); code != 0 {
		t.Fatal(errOut)
	}
	for _, forged := range []string{forgedUnsigned, forgedSigned, otherKey} {
		if code, _, errOut := run(t, source, "", "backup", "--verify", forged); code != 1 || !strings.Contains(errOut, "not trusted") {
			t.Fatalf("verify %s: exit %d %q", filepath.Base(forged), code, errOut)
		}
	}
	// A signed backup needs its key; an unsigned one is taken only when
	// the operator vouches for it.
	if code, _, errOut := run(t, map[string]string{}, "", "backup", "--verify", file); code != 1 || !strings.Contains(errOut, "OCPIZZA_BACKUP_KEY") {
		t.Fatalf("verify without the key: exit %d %q", code, errOut)
	}
	if code, out, errOut := run(t, source, "", "backup", "--verify", "--accept-unsigned", forgedUnsigned); code != 0 || !strings.Contains(out, "not signed") {
		t.Fatalf("verify with --accept-unsigned: exit %d %q %q", code, out, errOut)
	}

	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			target := map[string]string{"OCPIZZA_DATABASE_URL": storetest.NewDatabase(t, e)}
			target["OCPIZZA_BACKUP_KEY"] = key
			for bad, why := range map[string]string{truncated: "damaged", altered: "damaged", garbage: "damaged",
				forgedUnsigned: "not trusted", forgedSigned: "not trusted", otherKey: "not trusted"} {
				code, _, errOut := run(t, target, "", "restore", bad)
				if code != 1 || !strings.Contains(errOut, "restore refused") || !strings.Contains(errOut, why) {
					t.Fatalf("restore of %s: %d %q", filepath.Base(bad), code, errOut)
				}
			}
			if file, ok := store.SQLiteFile(target["OCPIZZA_DATABASE_URL"]); ok {
				if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("a refused restore left %s behind: %v", file, err)
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

// rewriteBackup copies a backup as someone editing it would: each row
// line through edit, the header through header, and a recomputed SHA-256
// end line (all an unsigned backup can check).
func rewriteBackup(t *testing.T, src, dst string, edit func(string) string, header func(map[string]any)) {
	t.Helper()
	f, err := os.Open(src)
	check(t, err)
	defer f.Close()
	gz, err := gzip.NewReader(f)
	check(t, err)
	sc := bufio.NewScanner(gz)
	sc.Buffer(nil, 16<<20)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	check(t, sc.Err())
	var h map[string]any
	check(t, json.Unmarshal([]byte(lines[0]), &h))
	h["version"] = 1
	if header != nil {
		header(h)
	}
	first, _ := json.Marshal(h)
	lines[0] = string(first)
	var end map[string]any
	check(t, json.Unmarshal([]byte(lines[len(lines)-1]), &end))
	lines = lines[:len(lines)-1]
	for i := 1; i < len(lines); i++ {
		if edit != nil {
			lines[i] = edit(lines[i])
		}
	}
	sum := sha256.New()
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	for _, l := range lines {
		io.WriteString(sum, l+"\n")
		io.WriteString(w, l+"\n")
	}
	delete(end, "hmac_sha256")
	end["sha256"] = hex.EncodeToString(sum.Sum(nil))
	last, _ := json.Marshal(end)
	w.Write(append(last, '\n'))
	check(t, w.Close())
	check(t, os.WriteFile(dst, out.Bytes(), 0o600))
}

// A NUL stored by SQLite before the rules refused it does not stop the
// chain from moving to PostgreSQL: the backup holds U+FFFD instead, and
// so does what a hand-made backup restores. A restore that fails after
// its file is checked leaves no database file either.
func TestBackupReplacesNUL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	source := map[string]string{"OCPIZZA_DATABASE_URL": "sqlite:" + filepath.Join(dir, "source.db")}
	st, err := store.Open(ctx, source["OCPIZZA_DATABASE_URL"])
	check(t, err)
	_, err = st.Migrate(ctx)
	check(t, err)
	_, err = st.CreateUser(ctx, account.User{Email: "eve@example.test", Name: "Eve\x00Hacker", PasswordHash: "x", Grants: []account.Grant{{Role: account.Customer}}})
	check(t, err)
	st.Close()
	file := filepath.Join(dir, "nul.backup.gz")
	if code, out, errOut := run(t, source, "", "backup", file); code != 0 || !strings.Contains(out, "1 NUL character(s)") {
		t.Fatalf("backup: exit %d %q %q", code, out, errOut)
	}
	// A backup made by hand (or by an older ocpizza) that holds one.
	handMade := filepath.Join(dir, "hand-made.gz")
	rewriteBackup(t, file, handMade, func(l string) string { return strings.Replace(l, "\ufffd", "\\u0000", 1) }, nil)
	for _, f := range []string{file, handMade} {
		target := map[string]string{"OCPIZZA_DATABASE_URL": storetest.NewDatabase(t, store.Postgres)}
		code, out, errOut := run(t, target, "", "restore", f)
		if code != 0 {
			t.Fatalf("restore of %s into PostgreSQL: %s", filepath.Base(f), errOut)
		}
		if f == handMade && !strings.Contains(out, "1 NUL character(s)") {
			t.Errorf("the replacement was not reported: %s", out)
		}
		st, err := store.Open(ctx, target["OCPIZZA_DATABASE_URL"])
		check(t, err)
		u, err := st.UserByEmail(ctx, "eve@example.test")
		st.Close()
		check(t, err)
		if u.Name != "Eve\uFFFDHacker" {
			t.Errorf("restored name %q", u.Name)
		}
	}

	// Valid, but for a schema this binary does not have: the restore
	// fails after the database was opened, and removes the file it made.
	future := filepath.Join(dir, "future.gz")
	rewriteBackup(t, file, future, nil, func(h map[string]any) { h["schema_version"] = 999 })
	target := filepath.Join(dir, "new", "ocpizza.db")
	if code, _, errOut := run(t, map[string]string{"OCPIZZA_DATABASE_URL": "sqlite:" + target}, "", "restore", future); code != 1 {
		t.Fatalf("restore of a future schema: exit %d %s", code, errOut)
	}
	if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a failed restore left %s: %v", target, err)
	}
}
