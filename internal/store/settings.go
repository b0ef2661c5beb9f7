package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Setting returns a chain-wide setting; ok is false when it was never set.
func (s *Store) Setting(ctx context.Context, name string) (value string, updated time.Time, ok bool, err error) {
	err = s.read().queryRow(ctx, "SELECT value, updated_at FROM settings WHERE name = ?", name).Scan(&value, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, false, nil
	}
	return value, updated, err == nil, err
}

// SetSetting stores a chain-wide setting.
func (s *Store) SetSetting(ctx context.Context, name, value string) error {
	return s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, s.d.upsertSetting(), name, value, s.Now())
		return err
	})
}
