package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
)

// databaseIDSetting names a database's identity: a random value made the
// first time it is asked for. Two instances share a listening address only
// when they serve the same database (see app's listen), and this is how
// they tell. It belongs to the database, not to its data: backups leave
// it out and a restore keeps the target's, so a restored copy is another
// database.
const databaseIDSetting = "database_id"

// notIdentity selects the settings rows that are data, for dump and
// restore.
const notIdentity = "name <> '" + databaseIDSetting + "'"

// DatabaseID returns the database's identity, creating it on first use.
// Concurrent first calls agree: the first insert wins, the others read it.
func (s *Store) DatabaseID(ctx context.Context) (string, error) {
	if v, _, ok, err := s.Setting(ctx, databaseIDSetting); err != nil || ok {
		return v, err
	}
	b := make([]byte, 16)
	rand.Read(b)
	err := s.write(ctx, func(c conn) error {
		_, err := c.exec(ctx, s.d.insertIgnore("settings", "name", "name, value, updated_at", "?, ?, ?"), databaseIDSetting, hex.EncodeToString(b), s.Now())
		return err
	})
	if err != nil {
		return "", err
	}
	v, _, _, err := s.Setting(ctx, databaseIDSetting)
	return v, err
}
