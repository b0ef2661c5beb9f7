package app

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// Config is everything the binary reads from its environment, validated
// once at start. Nothing else reads environment variables.
type Config struct {
	Env             string // "development" or "production"
	Addr            string
	DataDir         string
	DatabaseURL     string
	ShutdownTimeout time.Duration
}

// Production reports whether the production profile is on.
func (c Config) Production() bool { return c.Env == "production" }

// LoadConfig reads the configuration through getenv.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		Env:             orDefault(getenv("OCPIZZA_ENV"), "development"),
		Addr:            orDefault(getenv("OCPIZZA_ADDR"), "127.0.0.1:8080"),
		DataDir:         orDefault(getenv("OCPIZZA_DATA_DIR"), "data"),
		ShutdownTimeout: 30 * time.Second,
	}
	c.DatabaseURL = orDefault(getenv("OCPIZZA_DATABASE_URL"), "sqlite:"+filepath.Join(c.DataDir, "ocpizza.db"))
	if c.Env != "development" && c.Env != "production" {
		return c, fmt.Errorf("OCPIZZA_ENV=%q: use development or production", c.Env)
	}
	if v := getenv("OCPIZZA_SHUTDOWN_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return c, fmt.Errorf("OCPIZZA_SHUTDOWN_TIMEOUT=%q: give a duration such as 30s", v)
		}
		c.ShutdownTimeout = d
	}
	return c, nil
}

func orDefault(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return strings.TrimSpace(v)
}
