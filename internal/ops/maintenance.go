// Package ops holds the operator's procedures: maintenance mode, the
// deployment check, backups and restores, the disk check and certificate
// requests. Each is a command of the ocpizza binary.
package ops

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/oc-pizza/ocpizza/internal/store"
)

// maintenanceSetting is the settings row that holds the mode: in the
// database, so every instance on it obeys the same switch.
const maintenanceSetting = "maintenance"

// Maintenance is the site's maintenance state.
type Maintenance struct {
	On      bool      `json:"on"`
	Message string    `json:"message,omitempty"`
	Since   time.Time `json:"since"`
}

// SetMaintenance turns maintenance mode on or off for every instance.
func SetMaintenance(ctx context.Context, st *store.Store, on bool, message string) (Maintenance, error) {
	m := Maintenance{On: on, Message: message, Since: st.Now()}
	data, err := json.Marshal(m)
	if err != nil {
		return m, err
	}
	return m, st.SetSetting(ctx, maintenanceSetting, string(data))
}

// GetMaintenance reads the current state (off when never set).
func GetMaintenance(ctx context.Context, st *store.Store) (Maintenance, error) {
	v, _, ok, err := st.Setting(ctx, maintenanceSetting)
	if err != nil || !ok {
		return Maintenance{}, err
	}
	var m Maintenance
	err = json.Unmarshal([]byte(v), &m)
	return m, err
}

// MaintenanceWatch keeps a running instance's view of the mode fresh by
// reading it every interval, so a switch reaches every instance within
// that delay without any message between them.
type MaintenanceWatch struct {
	current atomic.Pointer[Maintenance]
}

// Current returns the last state read.
func (w *MaintenanceWatch) Current() Maintenance {
	if m := w.current.Load(); m != nil {
		return *m
	}
	return Maintenance{}
}

// Run polls until ctx ends. A failed read keeps the last known state: a
// database hiccup should not take the site out of maintenance, nor into it.
func (w *MaintenanceWatch) Run(ctx context.Context, st *store.Store, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		w.Refresh(ctx, st, log)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Refresh reads the state once.
func (w *MaintenanceWatch) Refresh(ctx context.Context, st *store.Store, log *slog.Logger) {
	m, err := GetMaintenance(ctx, st)
	if err != nil {
		if ctx.Err() == nil {
			log.Warn("read maintenance mode", "err", err)
		}
		return
	}
	if prev := w.current.Swap(&m); prev == nil || prev.On != m.On {
		log.Info("maintenance mode", "on", m.On, "message", m.Message)
	}
}
