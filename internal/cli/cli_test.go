package cli_test

import (
	"context"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/cli/clitest"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/store"
)

// run executes one ocpizza command in-process with its own environment.
var run = clitest.Run

func TestCommandLine(t *testing.T) {
	t.Parallel()
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "cli.db")
	env := map[string]string{"OCPIZZA_DATABASE_URL": dbURL}
	cases := []struct {
		name     string
		env      map[string]string
		stdin    string
		args     []string
		code     int
		contains string
	}{
		{"no command", env, "", nil, 2, "Usage"},
		{"unknown command", env, "", []string{"bake"}, 2, `unknown command "bake"`},
		{"bad flag", env, "", []string{"serve", "--port", "80"}, 2, "flag provided but not defined"},
		{"bad database URL", map[string]string{"OCPIZZA_DATABASE_URL": "oracle://x"}, "", []string{"migrate"}, 1, "expected sqlite:PATH"},
		{"unreachable database", map[string]string{"OCPIZZA_DATABASE_URL": "postgres://nobody@127.0.0.1:1/x?connect_timeout=2"}, "", []string{"migrate"}, 1, "connect to"},
		{"bad environment", map[string]string{"OCPIZZA_ENV": "staging"}, "", []string{"migrate"}, 1, "OCPIZZA_ENV"},
		{"schema not migrated", env, "", []string{"demo"}, 1, "run `ocpizza migrate`"},
		{"migrate", env, "", []string{"migrate"}, 0, "applied 002_events"},
		{"migrate again", env, "", []string{"migrate"}, 0, "schema up to date (version "},
		{"user without password", env, "", []string{"user", "add", "--email", "a@b.fr", "--name", "A", "--role", "admin"}, 1, "standard input"},
		{"user with bad role", env, "x\n", []string{"user", "add", "--email", "a@b.fr", "--name", "A", "--role", "chef"}, 2, "unknown role"},
		{"driver without pizzeria", env, "x\n", []string{"user", "add", "--email", "a@b.fr", "--name", "A", "--role", "driver"}, 2, "belongs to one pizzeria"},
		{"short password", env, "short\n", []string{"user", "add", "--email", "a@b.fr", "--name", "A", "--role", "admin"}, 1, "at least 10"},
		{"user add", env, "a long enough password\n", []string{"user", "add", "--email", "Boss@OCPizza.fr", "--name", "Boss", "--role", "admin"}, 0, "<boss@ocpizza.fr> with role admin"},
		{"user twice", env, "a long enough password\n", []string{"user", "add", "--email", "boss@ocpizza.fr", "--name", "Boss", "--role", "admin"}, 1, "already uses"},
		{"demo refuses a non-empty database", env, "", []string{"demo"}, 1, "empty"},
		{"version", env, "", []string{"version"}, 0, "ocpizza "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(t, tc.env, tc.stdin, tc.args...)
			if code != tc.code || !strings.Contains(out+errOut, tc.contains) {
				t.Fatalf("exit %d, want %d; output %q / %q, want it to contain %q", code, tc.code, out, errOut, tc.contains)
			}
		})
	}
}

func TestDemoChain(t *testing.T) {
	t.Parallel()
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "demo.db")
	env := map[string]string{"OCPIZZA_DATABASE_URL": dbURL}
	if code, _, errOut := run(t, env, "", "migrate"); code != 0 {
		t.Fatal(errOut)
	}
	code, out, errOut := run(t, env, "", "demo")
	if code != 0 {
		t.Fatalf("demo: %s", errOut)
	}
	for _, want := range []string{"5 pizzerias", "admin@ocpizza.fr", "pizzaiolo.rep@ocpizza.fr", "driver.vai@ocpizza.fr", "marie.durand@example.fr", "pizza-demo-2026"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	ctx := context.Background()
	st, err := store.Open(ctx, dbURL)
	check(t, err)
	defer st.Close()
	shops, err := st.Pizzerias(ctx)
	check(t, err)
	products, err := st.Products(ctx, true)
	check(t, err)
	pizzas := 0
	for _, p := range products {
		if p.Category == "pizza" {
			pizzas++
			// The demo's memos became steps and baking (migration 010).
			if len(p.Steps) == 0 || p.BakeSeconds == 0 || len(p.Recipe) < 3 {
				t.Errorf("%s lacks its steps, its baking or a full recipe", p.Name)
			}
		}
	}
	if len(shops) != 5 || pizzas < 15 {
		t.Fatalf("%d shops, %d pizzas", len(shops), pizzas)
	}
	marie, err := st.UserByEmail(ctx, "marie.durand@example.fr")
	check(t, err)
	if addrs, err := st.Addresses(ctx, marie.ID); err != nil || len(addrs) != 1 || addrs[0].Street != "8 rue Mercière" {
		t.Errorf("Marie's saved addresses: %+v, %v", addrs, err)
	}
	seen := map[order.Status]int{}
	for _, p := range shops {
		orders, err := st.Orders(ctx, order.Filter{PizzeriaID: p.ID})
		check(t, err)
		if len(orders) < 10 {
			t.Errorf("%s has %d orders", p.Name, len(orders))
		}
		for _, o := range orders {
			seen[o.Status]++
		}
	}
	for _, s := range order.Statuses {
		// The demo chain takes no card payment: none awaits one.
		if seen[s] == 0 && s != order.AwaitingPayment {
			t.Errorf("no demo order is %s", s)
		}
	}
	// The demo's past orders are nobody's news: no mail waits to be sent
	// (it held real confirmations back when a mail server was set).
	if due, err := st.ClaimOutbox(ctx, 1000, time.Minute); err != nil || len(due) != 0 {
		t.Errorf("the demo queued %d customer notifications (%v)", len(due), err)
	}
	// A few pizzas are scarce or unavailable somewhere.
	levels, err := st.StockQuantities(ctx, shops[1].ID) // Croix-Rousse: no gorgonzola
	check(t, err)
	for _, p := range products {
		if p.Name == "Quatre fromages" {
			for _, l := range p.Recipe {
				if l.Name == "Gorgonzola" && levels[l.IngredientID] != 0 {
					t.Errorf("Croix-Rousse should have no gorgonzola left, has %d", levels[l.IngredientID])
				}
			}
		}
	}
}

// The load tool runs both phases on a fresh SQLite chain and counts only
// what follows its warm-up.
func TestLoadtest(t *testing.T) {
	// Alone: it measures the process (other tests would share it).
	if testing.Short() {
		t.Skip("runs two short load phases")
	}
	code, out, errOut := run(t, nil, "", "loadtest", "--duration", "1500ms", "--warmup", "500ms", "--concurrency", "4")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"1.5s measured per phase after 500ms of warm-up", "Floor", "Baseline", "Over HTTP", "share of the floor's", "HTTP throughput as a share"} {
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	// | operation | ok | errors | ops/s | ...: every operation of the mix
	// succeeded at least once in each phase, and none failed.
	for _, op := range []string{"menu read", "place order", "kitchen transition"} {
		rows := 0
		for _, line := range strings.Split(out, "\n") {
			if !strings.HasPrefix(line, "| "+op+" |") {
				continue
			}
			rows++
			cells := strings.Split(line, "|")
			if ok, errs := strings.TrimSpace(cells[2]), strings.TrimSpace(cells[3]); ok == "0" || errs != "0" {
				t.Errorf("%s: %s ok, %s errors", op, ok, errs)
			}
		}
		if rows != 3 {
			t.Errorf("%s: %d rows, want one per phase:\n%s", op, rows, out)
		}
	}
	if runtime.GOOS == "linux" && strings.Count(out, "% taken by the host (steal)") != 3 {
		t.Errorf("no CPU line after each phase:\n%s", out)
	}
	if code, _, errOut := run(t, nil, "", "loadtest", "--warmup", "-1s"); code == 0 || !strings.Contains(errOut, "--warmup") {
		t.Fatalf("negative warm-up: exit %d, %q", code, errOut)
	}
}

// The demo chain's logins are public: production refuses to load them, and
// `ocpizza check` fails while a production database holds one with the
// demo password.
func TestDemoRefusedInProduction(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dev := map[string]string{"OCPIZZA_DATABASE_URL": "sqlite:" + filepath.Join(dir, "demo.db"), "OCPIZZA_DATA_DIR": dir}
	prod := map[string]string{"OCPIZZA_ENV": "production", "OCPIZZA_SECRET_KEY": strings.Repeat("k", 40), "OCPIZZA_PUBLIC_URL": "https://www.ocpizza.test"}
	for k, v := range dev {
		prod[k] = v
	}
	if code, _, errOut := run(t, prod, "", "serve", "--demo", "--addr", "127.0.0.1:0"); code != 1 || !strings.Contains(errOut, "OCPIZZA_ENV=production") {
		t.Fatalf("serve --demo in production: exit %d, %q", code, errOut)
	}
	if code, _, errOut := run(t, dev, "", "migrate"); code != 0 {
		t.Fatal(errOut)
	}
	if code, _, errOut := run(t, prod, "", "demo"); code != 1 || !strings.Contains(errOut, "public") {
		t.Fatalf("demo in production: exit %d, %q", code, errOut)
	}
	if code, out, _ := run(t, prod, "", "check"); !strings.Contains(out, "ok    demo accounts") {
		t.Fatalf("check of an empty production database: exit %d\n%s", code, out)
	}
	if code, _, errOut := run(t, dev, "", "demo"); code != 0 {
		t.Fatal(errOut)
	}
	code, out, _ := run(t, prod, "", "check")
	if code != 1 || !strings.Contains(out, "FAIL  demo accounts") || !strings.Contains(out, "admin@ocpizza.fr") {
		t.Fatalf("check with the demo accounts in production: exit %d\n%s", code, out)
	}
	if code, out, _ := run(t, dev, "", "check"); strings.Contains(out, "demo accounts") {
		t.Fatalf("development checks the demo accounts: exit %d\n%s", code, out)
	}
}

// `ocpizza check` shows the configuration it read, secrets masked: the
// secret key by its length only, a URL's password as xxxxx.
func TestCheckShowsTheConfigurationMasked(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secret := strings.Repeat("s", 40)
	env := map[string]string{"OCPIZZA_DATABASE_URL": "sqlite:" + filepath.Join(dir, "c.db"), "OCPIZZA_DATA_DIR": dir,
		"OCPIZZA_SECRET_KEY": secret, "OCPIZZA_SMTP_URL": "smtp://mailer:hunter22@mail.ocpizza.test:587"}
	_, out, _ := run(t, env, "", "check")
	for _, want := range []string{"OCPIZZA_SECRET_KEY", "(set, 40 bytes)", "smtp://mailer:xxxxx@mail.ocpizza.test:587", "GOOGLE_MAPS_API_KEY"} {
		if !strings.Contains(out, want) {
			t.Errorf("check does not show %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, secret) || strings.Contains(out, "hunter22") {
		t.Fatalf("check shows a secret:\n%s", out)
	}
}

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// OCPIZZA_HOLD_LIMIT sets what one customer's website orders may hold;
// check shows it; a value it cannot read stops the binary with a message.
func TestHoldLimitSetting(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{"OCPIZZA_DATABASE_URL": "sqlite:" + filepath.Join(dir, "c.db"), "OCPIZZA_DATA_DIR": dir}
	for value, want := range map[string]string{"": "at most 3 orders and 50 items", "5, 80": "at most 5 orders and 80 items", "off": "warn  hold limit"} {
		env["OCPIZZA_HOLD_LIMIT"] = value
		if _, out, _ := run(t, env, "", "check"); !strings.Contains(out, "OCPIZZA_HOLD_LIMIT") || !strings.Contains(out, want) {
			t.Errorf("OCPIZZA_HOLD_LIMIT=%q: check does not show %s:\n%s", value, want, out)
		}
	}
	for _, value := range []string{"3", "0,50", "three,50", "3,50,1"} {
		env["OCPIZZA_HOLD_LIMIT"] = value
		if code, out, _ := run(t, env, "", "check"); code == 0 || !strings.Contains(out, "FAIL  configuration") || !strings.Contains(out, "OCPIZZA_HOLD_LIMIT=") {
			t.Errorf("OCPIZZA_HOLD_LIMIT=%q: exit %d\n%s", value, code, out)
		}
	}
}
