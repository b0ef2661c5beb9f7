package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/oc-pizza/ocpizza/internal/notify"
	"github.com/oc-pizza/ocpizza/internal/ops"
)

// NewAlerter builds the admin alerter from the configuration.
func NewAlerter(cfg Config, log *slog.Logger) (*notify.Alerter, error) {
	var m *notify.Mailer
	if cfg.SMTPURL != "" {
		var err error
		if m, err = notify.NewMailer(cfg.SMTPURL, cfg.MailFrom); err != nil {
			return nil, err
		}
	}
	return notify.NewAlerter(m, cfg.AdminEmail, log), nil
}

// DiskReport checks every filesystem against the limit, prints the
// report and alerts the admin about those over it.
func DiskReport(ctx context.Context, cfg Config, maxUsed int, w io.Writer, alerts *notify.Alerter) (over int, err error) {
	mounts, err := os.Open("/proc/self/mounts")
	if err != nil {
		return 0, err
	}
	defer mounts.Close()
	fss, err := ops.DiskUsage(mounts, map[string]string{"data": cfg.DataDir, "backups": cfg.BackupDir})
	if err != nil {
		return 0, err
	}
	var lines []string
	for _, fs := range fss {
		status := "ok"
		if fs.Over(maxUsed) {
			status, over = "OVER", over+1
		}
		holds := ""
		if len(fs.Holds) > 0 {
			holds = " (holds " + strings.Join(fs.Holds, ", ") + ")"
		}
		line := fmt.Sprintf("%-4s %-24s %5.1f%% used  %10s free of %10s  %s%s", status, fs.Mount, fs.UsedPct,
			ops.HumanBytes(fs.FreeBytes), ops.HumanBytes(fs.TotalBytes), fs.Type, holds)
		fmt.Fprintln(w, line)
		if status == "OVER" {
			lines = append(lines, line)
		}
	}
	if over > 0 && alerts != nil {
		body := fmt.Sprintf("%d filesystem(s) are over %d%% used:\n\n%s\n\nFree space before the database or the backups fill the disk.", over, maxUsed, strings.Join(lines, "\n"))
		if _, err := alerts.Alert(ctx, "disk", "disk space low", body); err != nil {
			fmt.Fprintf(w, "the alert mail could not be sent: %v\n", err)
		}
	}
	return over, nil
}
