package ops

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

func TestPruneKeepsTheNewest(t *testing.T) {
	dir := t.TempDir()
	base := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC)
	for i := 0; i < 5; i++ {
		os.WriteFile(filepath.Join(dir, BackupName(base.AddDate(0, 0, i))), []byte("x"), 0o600)
	}
	os.WriteFile(filepath.Join(dir, "manual.backup.gz"), []byte("x"), 0o600) // not ours to prune
	removed, err := Prune(dir, 2)
	if err != nil || len(removed) != 3 {
		t.Fatalf("removed %v, %v", removed, err)
	}
	entries, _ := os.ReadDir(dir)
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	sort.Strings(left)
	want := []string{"manual.backup.gz", BackupName(base.AddDate(0, 0, 3)), BackupName(base.AddDate(0, 0, 4))}
	sort.Strings(want)
	if len(left) != 3 || left[0] != want[0] || left[1] != want[1] || left[2] != want[2] {
		t.Fatalf("left %v, want %v", left, want)
	}
}

func TestNextAtFollowsParisTime(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, pizzeria.Paris)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct{ now, hhmm, want string }{
		{"2026-11-28 06:59", "07:00", "2026-11-28 07:00"},
		{"2026-11-28 07:00", "07:00", "2026-11-29 07:00"},
		{"2026-11-28 23:30", "03:00", "2026-11-29 03:00"},
		{"2027-03-27 12:00", "07:00", "2027-03-28 07:00"}, // the night clocks go forward
	}
	for _, tt := range tests {
		if got := NextAt(at(tt.now), tt.hhmm); !got.Equal(at(tt.want)) {
			t.Errorf("NextAt(%s, %s) = %s, want %s", tt.now, tt.hhmm, got.In(pizzeria.Paris), tt.want)
		}
	}
}
