package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/account"
	"github.com/oc-pizza/ocpizza/internal/app"
	"github.com/oc-pizza/ocpizza/internal/demo"
	"github.com/oc-pizza/ocpizza/internal/errs"
	"github.com/oc-pizza/ocpizza/internal/notify"
	"github.com/oc-pizza/ocpizza/internal/ops"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/store"
	"github.com/oc-pizza/ocpizza/internal/text"
)

// checkResult is one line of `ocpizza check`.
type checkResult struct {
	name   string
	status string // "ok", "FAIL", "warn" or "skip"
	detail string
}

// runChecks verifies a deployment, as the seed's `manage.py test` did: the
// configuration, the database and its schema, secrets, TLS files, SMTP,
// provider keys and disk space.
func runChecks(ctx context.Context, env app.Env) []checkResult {
	var out []checkResult
	add := func(name, status, format string, args ...any) {
		out = append(out, checkResult{name, status, fmt.Sprintf(format, args...)})
	}
	cfg, err := env.Config()
	if err != nil {
		add("configuration", "FAIL", "%v", err)
	} else {
		where := "environment"
		if cfg.ConfigFile != "" {
			where = "environment and " + cfg.ConfigFile
		}
		add("configuration", "ok", "%s profile, from the %s", cfg.Env, where)
	}

	start := time.Now()
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		add("database", "FAIL", "%s", message(err))
		add("migrations", "skip", "no database")
	} else {
		defer st.Close()
		add("database", "ok", "%s answers (%s)", st.Engine(), time.Since(start).Round(time.Millisecond))
		if settings, err := st.Durability(ctx); err != nil {
			add("durability", "warn", "could not read the settings: %v", err)
		} else {
			for _, d := range settings {
				add("durability", d.Status, "%s = %s: %s", d.Name, d.Value, d.Why)
			}
		}
		applied, known, err := st.SchemaVersion(ctx)
		switch {
		case err != nil:
			add("migrations", "FAIL", "%v", err)
		case applied != known:
			add("migrations", "FAIL", "schema at version %d, this binary needs %d: run `ocpizza migrate`", applied, known)
		default:
			add("migrations", "ok", "schema at version %d, current", applied)
			if cfg.Production() {
				switch found, err := demoLogins(ctx, st); {
				case err != nil:
					add("demo accounts", "FAIL", "%v", err)
				case len(found) > 0:
					add("demo accounts", "FAIL", "%d demo account(s) keep the public demo password (%s): remove them or change their password",
						len(found), strings.Join(found, ", "))
				default:
					add("demo accounts", "ok", "none with the public demo password")
				}
			}
		}
	}

	switch {
	case cfg.Production() && len(cfg.SecretKey) < 32:
		add("secret key", "FAIL", "production needs OCPIZZA_SECRET_KEY of 32 bytes or more")
	case cfg.SecretKey == "":
		add("secret key", "skip", "not set (development)")
	case len(cfg.SecretKey) < 32:
		add("secret key", "warn", "%d bytes: production needs 32 or more", len(cfg.SecretKey))
	default:
		add("secret key", "ok", "%d bytes", len(cfg.SecretKey))
	}

	if !cfg.TLS() {
		add("tls", "skip", "HTTPS not configured (OCPIZZA_TLS_CERT, OCPIZZA_TLS_KEY)")
	} else if r, err := ops.NewCertReloader(cfg.TLSCert, cfg.TLSKey); err != nil {
		add("tls", "FAIL", "%v", err)
	} else if left := time.Until(r.NotAfter()); left < app.CertWarning {
		add("tls", "FAIL", "certificate expires on %s (in %d days): renew it (`ocpizza tls csr`)", r.NotAfter().Format("2006-01-02"), int(left.Hours()/24))
	} else {
		add("tls", "ok", "certificate valid until %s (%d days)", r.NotAfter().Format("2006-01-02"), int(left.Hours()/24))
	}

	if cfg.SMTPURL == "" {
		add("smtp", "skip", "not configured (OCPIZZA_SMTP_URL): no mail is sent")
	} else if m, err := notify.NewMailer(cfg.SMTPURL, cfg.MailFrom); err != nil {
		add("smtp", "FAIL", "%v", err)
	} else if err := m.Ping(ctx); err != nil {
		add("smtp", "FAIL", "%s does not answer: %v", text.RedactURL(cfg.SMTPURL), err)
	} else {
		add("smtp", "ok", "%s answers", text.RedactURL(cfg.SMTPURL))
	}
	if cfg.AdminEmail == "" {
		add("admin e-mail", "warn", "OCPIZZA_ADMIN_EMAIL not set: alerts are only logged")
	} else {
		add("admin e-mail", "ok", "alerts go to %s", cfg.AdminEmail)
	}

	if l := cfg.HoldLimit; l == (order.HoldLimit{}) {
		add("hold limit", "warn", "OCPIZZA_HOLD_LIMIT=off: one customer may reserve a pizzeria's whole stock (for load tests only)")
	} else {
		add("hold limit", "ok", "a customer's website orders waiting for the kitchen hold at most %d orders and %d items a pizzeria", l.Orders, l.Items)
	}

	switch {
	case cfg.MetricsAddr == "" && cfg.MetricsToken == "":
		add("metrics", "skip", "not exposed: set OCPIZZA_METRICS_ADDR (an internal address) or OCPIZZA_METRICS_TOKEN")
	case cfg.MetricsAddr != "":
		add("metrics", "ok", "on http://%s/metrics (keep that address internal)", cfg.MetricsAddr)
	default:
		add("metrics", "ok", "on the site's /metrics, to the bearer of OCPIZZA_METRICS_TOKEN")
	}

	square := map[string]string{"SQUARE_ACCESS_TOKEN": cfg.SquareAccessToken, "SQUARE_APPLICATION_ID": cfg.SquareApplicationID, "SQUARE_LOCATION_ID": cfg.SquareLocationID}
	var missing []string
	for k, v := range square {
		if v == "" {
			missing = append(missing, k)
		}
	}
	switch {
	case len(missing) == len(square):
		add("square", "skip", "online payment disabled (no SQUARE_* keys)")
	case len(missing) > 0:
		add("square", "FAIL", "online payment half configured: missing %s", strings.Join(sorted(missing), ", "))
	default:
		add("square", "ok", "keys present")
	}
	if cfg.GoogleMapsAPIKey == "" {
		add("google maps", "skip", "no key: delivery zones by postcode, fixed ETA")
	} else {
		add("google maps", "ok", "key present")
	}

	mounts, err := os.Open("/proc/self/mounts")
	if err != nil {
		add("disk", "FAIL", "%v", err)
		return out
	}
	defer mounts.Close()
	fss, err := ops.DiskUsage(mounts, map[string]string{"data": cfg.DataDir, "backups": cfg.BackupDir})
	if err != nil {
		add("disk", "FAIL", "%v", err)
		return out
	}
	for _, fs := range fss {
		status := "ok"
		if fs.Over(cfg.DiskMaxUsed) {
			status = "FAIL"
		}
		add("disk "+fs.Mount, status, "%.0f%% used, %s free (limit %d%%)", fs.UsedPct, ops.HumanBytes(fs.FreeBytes), cfg.DiskMaxUsed)
	}
	return out
}

// demoLogins returns the demo accounts in the database whose password is
// still the public demo one.
func demoLogins(ctx context.Context, st *store.Store) ([]string, error) {
	var found []string
	for _, email := range demo.Emails() {
		u, err := st.UserByEmail(ctx, email)
		if errs.Is(err, errs.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if account.VerifyPassword(u.PasswordHash, demo.Password) {
			found = append(found, email)
		}
	}
	return found, nil
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

func printChecks(w io.Writer, results []checkResult) (failed int) {
	for _, r := range results {
		fmt.Fprintf(w, "%-5s %-22s %s\n", r.status, r.name, r.detail)
		if r.status == "FAIL" {
			failed++
		}
	}
	return failed
}

func check(ctx context.Context, args []string, env app.Env) error {
	if err := parse(newFlags("check", env), args); err != nil {
		return err
	}
	// The configuration as this process reads it (files and environment
	// merged), secrets masked: what an operator compares with what they
	// meant to set.
	if cfg, err := env.Config(); err == nil {
		fmt.Fprintln(env.Stdout, "Configuration:")
		for _, kv := range cfg.Redacted() {
			fmt.Fprintf(env.Stdout, "      %-22s %s\n", kv[0], kv[1])
		}
		fmt.Fprintln(env.Stdout)
	}
	if failed := printChecks(env.Stdout, runChecks(ctx, env)); failed > 0 {
		return fmt.Errorf("%d check(s) failed", failed)
	}
	fmt.Fprintln(env.Stdout, "deployment looks good")
	return nil
}
