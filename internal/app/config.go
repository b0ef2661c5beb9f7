package app

import (
	"bufio"
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/maps"
	"github.com/oc-pizza/ocpizza/internal/ops"
	"github.com/oc-pizza/ocpizza/internal/order"
	"github.com/oc-pizza/ocpizza/internal/square"
	"github.com/oc-pizza/ocpizza/internal/text"
	"github.com/oc-pizza/ocpizza/internal/web"
)

// Config is everything the binary reads from its environment, validated
// once at start. Nothing else reads environment variables.
type Config struct {
	Env             string // "development" or "production"
	Addr            string
	DataDir         string
	DatabaseURL     string
	ShutdownTimeout time.Duration
	SecretKey       string
	// BackupKey signs backups and checks them at restore:
	// OCPIZZA_BACKUP_KEY, else OCPIZZA_SECRET_KEY (so that a server keeps
	// restoring its own backups after the secret changes, or another
	// machine restores them, by giving the old secret here).
	BackupKey string

	TLSCert, TLSKey, TLSAddr string

	AdminEmail string
	SMTPURL    string
	MailFrom   string

	BackupDir  string
	BackupAt   string // HH:MM, Europe/Paris
	BackupKeep int

	DiskCheckAt string // HH:MM, Europe/Paris
	DiskMaxUsed int    // percent

	SquareAccessToken, SquareApplicationID, SquareLocationID string
	SquareEnvironment, SquareBaseURL                         string
	SquareWebhookKey, SquareWebhookURL                       string
	// SquareWebSDK is the Web Payments SDK script the checkout loads.
	SquareWebSDK string
	// PublicURL is the site's address for links in mails.
	PublicURL string
	// publicFromAddr: PublicURL was not given, and follows the address
	// the site listens on (ListenOn).
	publicFromAddr                                           bool
	GoogleMapsAPIKey, GoogleMapsBaseURL, GoogleRoutesBaseURL string

	// TrustedProxies are the reverse proxies whose X-Forwarded-For gives
	// the client's address (OCPIZZA_TRUSTED_PROXIES: addresses or CIDR
	// ranges, comma-separated).
	TrustedProxies []netip.Prefix

	// Metrics are never public on the site's address: they are served on
	// MetricsAddr (an internal address) and/or on the site's /metrics to
	// a scraper sending MetricsToken as a bearer token.
	MetricsAddr, MetricsToken string

	// HoldLimit caps what a customer's own website orders hold in a
	// pizzeria before the kitchen starts on them (OCPIZZA_HOLD_LIMIT:
	// ORDERS,ITEMS; "off" for none, as the load tools run).
	HoldLimit order.HoldLimit

	// ConfigFile is the file that was read, if any.
	ConfigFile string
}

// Production reports whether the production profile is on.
func (c Config) Production() bool { return c.Env == "production" }

// TLS reports whether HTTPS is configured.
func (c Config) TLS() bool { return c.TLSCert != "" || c.TLSKey != "" }

// ConfigFileName is the file read from the configuration directory.
const ConfigFileName = "ocpizza.conf"

// withConfigDir returns a getenv that falls back to the KEY=value lines of
// DIR/ocpizza.conf: the environment wins over the file.
func withConfigDir(getenv func(string) string, dir string) (func(string) string, string, error) {
	if dir == "" {
		dir = getenv("OCPIZZA_CONFIG_DIR")
	}
	if dir == "" {
		return getenv, "", nil
	}
	path := filepath.Join(dir, ConfigFileName)
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("configuration directory: %w", err)
	}
	defer f.Close()
	values := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return nil, "", fmt.Errorf("%s line %d: expected KEY=value", path, n)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			v = v[1 : len(v)-1]
		}
		values[k] = v
	}
	if err := sc.Err(); err != nil {
		return nil, "", err
	}
	return func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return values[k]
	}, path, nil
}

// LoadConfig reads the configuration through getenv and checks it. All
// problems are reported together, so an operator fixes them in one go.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		Env:             orDefault(getenv("OCPIZZA_ENV"), "development"),
		Addr:            orDefault(getenv("OCPIZZA_ADDR"), "127.0.0.1:8080"),
		DataDir:         orDefault(getenv("OCPIZZA_DATA_DIR"), "data"),
		ShutdownTimeout: 30 * time.Second,
		SecretKey:       getenv("OCPIZZA_SECRET_KEY"),
		TLSCert:         getenv("OCPIZZA_TLS_CERT"),
		TLSKey:          getenv("OCPIZZA_TLS_KEY"),
		TLSAddr:         orDefault(getenv("OCPIZZA_TLS_ADDR"), "127.0.0.1:8443"),
		AdminEmail:      getenv("OCPIZZA_ADMIN_EMAIL"),
		SMTPURL:         getenv("OCPIZZA_SMTP_URL"),
		MailFrom:        orDefault(getenv("OCPIZZA_MAIL_FROM"), "OC Pizza <no-reply@ocpizza.fr>"),
		BackupAt:        orDefault(getenv("OCPIZZA_BACKUP_AT"), "03:00"),
		BackupKeep:      14,
		DiskCheckAt:     orDefault(getenv("OCPIZZA_DISK_CHECK_AT"), "07:00"),
		DiskMaxUsed:     80,

		SquareAccessToken:   getenv("SQUARE_ACCESS_TOKEN"),
		SquareApplicationID: getenv("SQUARE_APPLICATION_ID"),
		SquareLocationID:    getenv("SQUARE_LOCATION_ID"),
		SquareEnvironment:   orDefault(getenv("SQUARE_ENVIRONMENT"), "sandbox"),
		SquareBaseURL:       getenv("SQUARE_BASE_URL"),
		SquareWebhookKey:    getenv("SQUARE_WEBHOOK_SIGNATURE_KEY"),
		SquareWebhookURL:    getenv("SQUARE_WEBHOOK_URL"),
		SquareWebSDK:        getenv("SQUARE_WEB_SDK_URL"),
		PublicURL:           strings.TrimRight(getenv("OCPIZZA_PUBLIC_URL"), "/"),
		GoogleMapsAPIKey:    getenv("GOOGLE_MAPS_API_KEY"),
		GoogleMapsBaseURL:   getenv("GOOGLE_MAPS_BASE_URL"),
		GoogleRoutesBaseURL: getenv("GOOGLE_ROUTES_BASE_URL"),
		MetricsAddr:         getenv("OCPIZZA_METRICS_ADDR"),
		MetricsToken:        getenv("OCPIZZA_METRICS_TOKEN"),
	}
	c.BackupKey = orDefault(getenv("OCPIZZA_BACKUP_KEY"), c.SecretKey)
	c.DatabaseURL = orDefault(getenv("OCPIZZA_DATABASE_URL"), "sqlite:"+filepath.Join(c.DataDir, "ocpizza.db"))
	c.BackupDir = orDefault(getenv("OCPIZZA_BACKUP_DIR"), filepath.Join(c.DataDir, "backups"))

	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if c.Env != "development" && c.Env != "production" {
		bad("OCPIZZA_ENV=%q: use development or production", c.Env)
	}
	if v := getenv("OCPIZZA_SHUTDOWN_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			bad("OCPIZZA_SHUTDOWN_TIMEOUT=%q: give a duration such as 30s", v)
		}
		c.ShutdownTimeout = d
	}
	if v := getenv("OCPIZZA_BACKUP_KEEP"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			bad("OCPIZZA_BACKUP_KEEP=%q: give a number of backups, 1 or more", v)
		}
		c.BackupKeep = n
	}
	if v := getenv("OCPIZZA_DISK_MAX_USED"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 99 {
			bad("OCPIZZA_DISK_MAX_USED=%q: give a percentage from 1 to 99", v)
		}
		c.DiskMaxUsed = n
	}
	c.HoldLimit = order.DefaultHoldLimit
	if v := getenv("OCPIZZA_HOLD_LIMIT"); v != "" {
		if l, err := parseHoldLimit(v); err != nil {
			bad("OCPIZZA_HOLD_LIMIT=%q: give ORDERS,ITEMS such as 3,50, or off", v)
		} else {
			c.HoldLimit = l
		}
	}
	for name, v := range map[string]string{"OCPIZZA_BACKUP_AT": c.BackupAt, "OCPIZZA_DISK_CHECK_AT": c.DiskCheckAt} {
		if _, err := time.Parse("15:04", v); err != nil {
			bad("%s=%q: give a time of day such as 07:00", name, v)
		}
	}
	switch c.SquareEnvironment {
	case "sandbox", "production":
	default:
		bad("SQUARE_ENVIRONMENT=%q: use sandbox or production", c.SquareEnvironment)
	}
	if c.SquareBaseURL == "" {
		c.SquareBaseURL = map[string]string{"sandbox": square.SandboxURL, "production": square.ProductionURL}[c.SquareEnvironment]
	}
	if c.SquareWebSDK == "" {
		c.SquareWebSDK = map[string]string{"sandbox": square.SandboxWebSDK, "production": square.ProductionWebSDK}[c.SquareEnvironment]
	}
	if c.PublicURL == "" {
		c.PublicURL, c.publicFromAddr = "http://"+c.Addr, !c.TLS()
		if c.TLS() {
			c.PublicURL = "https://" + c.TLSAddr
		}
		if c.Production() {
			bad("production needs OCPIZZA_PUBLIC_URL, the site's address as customers type it (https://…), for the links in mails")
		}
	} else if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		bad("OCPIZZA_PUBLIC_URL=%q: give the site's address, such as https://www.ocpizza.fr", c.PublicURL)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		bad("OCPIZZA_TLS_CERT and OCPIZZA_TLS_KEY go together: give both or neither")
	}
	if c.AdminEmail != "" {
		if _, err := mail.ParseAddress(c.AdminEmail); err != nil {
			bad("OCPIZZA_ADMIN_EMAIL=%q is not an e-mail address", c.AdminEmail)
		}
	}
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			bad("OCPIZZA_SMTP_URL: expected smtp://user:pass@host:port")
		}
	}
	for _, v := range strings.Split(getenv("OCPIZZA_TRUSTED_PROXIES"), ",") {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		p, err := netip.ParsePrefix(v)
		if err != nil {
			a, aerr := netip.ParseAddr(v)
			if aerr != nil {
				bad("OCPIZZA_TRUSTED_PROXIES: %q is neither an address nor a CIDR range", v)
				continue
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		c.TrustedProxies = append(c.TrustedProxies, p.Masked())
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		bad("OCPIZZA_METRICS_TOKEN is %d bytes: give 16 or more (e.g. `openssl rand -hex 16`)", len(c.MetricsToken))
	}
	if c.Production() {
		switch {
		case c.SecretKey == "":
			bad("production needs OCPIZZA_SECRET_KEY (32 random bytes or more, e.g. `openssl rand -base64 48`)")
		case len(c.SecretKey) < 32:
			bad("OCPIZZA_SECRET_KEY is %d bytes: production needs 32 or more", len(c.SecretKey))
		}
	}
	if len(problems) > 0 {
		return c, errors.New("configuration: " + strings.Join(problems, "; "))
	}
	return c, nil
}

// BackupTrust is what backups are signed and checked with.
func (c Config) BackupTrust(acceptUnsigned bool) ops.Trust {
	return ops.Trust{Key: []byte(c.BackupKey), AcceptUnsigned: acceptUnsigned}
}

// Square returns the payment provider when online payment is configured
// (access token and location), else nil: online orders are then refused.
func (c Config) Square() *square.Client {
	if c.SquareAccessToken == "" || c.SquareLocationID == "" {
		return nil
	}
	return square.New(c.SquareBaseURL, c.SquareAccessToken, c.SquareLocationID)
}

// Web is how the pages are served: secure cookies in production (served
// over HTTPS), and card payment when Square is configured.
func (c Config) Web() web.Options {
	o := web.Options{Secure: c.Production()}
	if c.Square() != nil && c.SquareApplicationID != "" {
		o.SquareSDK, o.SquareAppID, o.SquareLocationID = c.SquareWebSDK, c.SquareApplicationID, c.SquareLocationID
	}
	return o
}

// Maps returns the Google Maps client when a key is set, else nil.
func (c Config) Maps() *maps.Client {
	if c.GoogleMapsAPIKey == "" {
		return nil
	}
	return maps.New(c.GoogleMapsAPIKey, c.GoogleMapsBaseURL, c.GoogleRoutesBaseURL)
}

// Redacted lists the configuration for display, secrets masked.
func (c Config) Redacted() [][2]string {
	mask := func(s string) string {
		if s == "" {
			return "(not set)"
		}
		return "(set, " + strconv.Itoa(len(s)) + " bytes)"
	}
	show := func(s string) string {
		if s == "" {
			return "(not set)"
		}
		return s
	}
	return [][2]string{
		{"OCPIZZA_ENV", c.Env},
		{"OCPIZZA_CONFIG_FILE", show(c.ConfigFile)},
		{"OCPIZZA_ADDR", c.Addr},
		{"OCPIZZA_DATABASE_URL", text.RedactURL(c.DatabaseURL)},
		{"OCPIZZA_DATA_DIR", c.DataDir},
		{"OCPIZZA_SECRET_KEY", mask(c.SecretKey)},
		{"OCPIZZA_BACKUP_KEY", mask(c.BackupKey)},
		{"OCPIZZA_TLS_CERT", show(c.TLSCert)},
		{"OCPIZZA_TLS_ADDR", c.TLSAddr},
		{"OCPIZZA_ADMIN_EMAIL", show(c.AdminEmail)},
		{"OCPIZZA_METRICS_ADDR", show(c.MetricsAddr)},
		{"OCPIZZA_METRICS_TOKEN", mask(c.MetricsToken)},
		{"OCPIZZA_SMTP_URL", text.RedactURL(c.SMTPURL)},
		{"OCPIZZA_BACKUP_DIR", c.BackupDir},
		{"OCPIZZA_HOLD_LIMIT", holdLimitString(c.HoldLimit)},
		{"SQUARE_ACCESS_TOKEN", mask(c.SquareAccessToken)},
		{"GOOGLE_MAPS_API_KEY", mask(c.GoogleMapsAPIKey)},
	}
}

// parseHoldLimit reads ORDERS,ITEMS (each 1 or more), or "off".
func parseHoldLimit(v string) (order.HoldLimit, error) {
	if strings.TrimSpace(v) == "off" {
		return order.HoldLimit{}, nil
	}
	orders, items, ok := strings.Cut(v, ",")
	o, err1 := strconv.ParseInt(strings.TrimSpace(orders), 10, 64)
	i, err2 := strconv.ParseInt(strings.TrimSpace(items), 10, 64)
	if !ok || err1 != nil || err2 != nil || o < 1 || i < 1 {
		return order.HoldLimit{}, errors.New("not ORDERS,ITEMS")
	}
	return order.HoldLimit{Orders: o, Items: i}, nil
}

func holdLimitString(l order.HoldLimit) string {
	if l == (order.HoldLimit{}) {
		return "off"
	}
	return fmt.Sprintf("%d,%d", l.Orders, l.Items)
}

func orDefault(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return strings.TrimSpace(v)
}

// ListenOn sets the address the site listens on (serve --addr); the links
// in mails follow it unless OCPIZZA_PUBLIC_URL names the site (an
// invitation sent from a demo on port 18084 pointed at port 8080).
func (c *Config) ListenOn(addr string) {
	c.Addr = addr
	if c.publicFromAddr {
		c.PublicURL = "http://" + addr
	}
}
