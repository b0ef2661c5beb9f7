package ops

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
	"hash"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/store"
)

// The backup format: a gzip stream of JSON lines, the same whatever the
// engine, so a backup of SQLite restores into PostgreSQL or MySQL.
//
//	{"format":"ocpizza-backup","version":1,"schema_version":1,"engine":"sqlite","created_at":"…"}
//	{"table":"pizzerias","columns":[{"name":"id","type":"int"},…]}
//	[1,"REP","OC Pizza République",…]                      one line per row
//	…
//	{"end":true,"tables":17,"rows":1234,"sha256":"…"}
//
// The SHA-256 covers every byte before the last line, so a truncated or
// altered file is refused before anything is written.
const (
	backupFormat  = "ocpizza-backup"
	backupVersion = 1
)

// BackupInfo describes a backup file.
type BackupInfo struct {
	Format        string    `json:"format"`
	Version       int       `json:"version"`
	SchemaVersion int       `json:"schema_version"`
	Engine        string    `json:"engine"`
	CreatedAt     time.Time `json:"created_at"`
	Tables        int       `json:"-"`
	Rows          int64     `json:"-"`
	SHA256        string    `json:"-"`
}

type tableHeader struct {
	Table   string         `json:"table"`
	Columns []store.Column `json:"columns"`
}

type trailer struct {
	End    bool   `json:"end"`
	Tables int    `json:"tables"`
	Rows   int64  `json:"rows"`
	SHA256 string `json:"sha256"`
}

// backupWriter is the Dumper that writes the format.
type backupWriter struct {
	w      io.Writer // hashed, compressed
	types  []string
	tables int
	rows   int64
}

func (b *backupWriter) line(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	data = append(data, '\n')
	_, err = b.w.Write(data)
	return err
}

func (b *backupWriter) Table(name string, columns []store.Column) error {
	b.tables++
	b.types = b.types[:0]
	for _, c := range columns {
		b.types = append(b.types, c.Type)
	}
	return b.line(tableHeader{Table: name, Columns: columns})
}

func (b *backupWriter) Row(values []any) error {
	b.rows++
	for i, v := range values {
		if t, ok := v.(time.Time); ok {
			values[i] = t.Format(time.RFC3339Nano)
		}
	}
	return b.line(values)
}

// Backup writes a consistent snapshot of the database to path, atomically:
// a failed backup never leaves a half-written file under that name.
func Backup(ctx context.Context, st *store.Store, path string) (BackupInfo, error) {
	applied, _, err := st.SchemaVersion(ctx)
	if err != nil {
		return BackupInfo{}, err
	}
	info := BackupInfo{Format: backupFormat, Version: backupVersion, SchemaVersion: applied, Engine: string(st.Engine()), CreatedAt: st.Now()}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return info, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".backup-*")
	if err != nil {
		return info, err
	}
	defer os.Remove(tmp.Name()) // after a successful rename this is a no-op
	defer tmp.Close()
	buffered := bufio.NewWriterSize(tmp, 1<<16)
	gz := gzip.NewWriter(buffered)
	sum := sha256.New()
	bw := &backupWriter{w: io.MultiWriter(gz, sum)}
	if err := bw.line(info); err != nil {
		return info, err
	}
	if err := st.Dump(ctx, bw); err != nil {
		return info, err
	}
	info.Tables, info.Rows, info.SHA256 = bw.tables, bw.rows, hex.EncodeToString(sum.Sum(nil))
	end, _ := json.Marshal(trailer{End: true, Tables: info.Tables, Rows: info.Rows, SHA256: info.SHA256})
	if _, err := gz.Write(append(end, '\n')); err != nil {
		return info, err
	}
	if err := gz.Close(); err != nil {
		return info, err
	}
	if err := buffered.Flush(); err != nil {
		return info, err
	}
	if err := tmp.Sync(); err != nil {
		return info, err
	}
	if err := tmp.Close(); err != nil {
		return info, err
	}
	if err := os.Chmod(tmp.Name(), 0o640); err != nil {
		return info, err
	}
	return info, os.Rename(tmp.Name(), path)
}

// ErrCorrupt marks a backup file that fails verification.
var ErrCorrupt = errors.New("backup file is damaged")

// reader walks a backup file line by line, hashing as it goes.
type reader struct {
	sc   *bufio.Scanner
	sum  hash.Hash
	last []byte
}

func openBackup(f io.Reader) (*reader, error) {
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%w: not a gzip file (%v)", ErrCorrupt, err)
	}
	sc := bufio.NewScanner(gz)
	sc.Buffer(make([]byte, 1<<16), 16<<20)
	return &reader{sc: sc, sum: sha256.New()}, nil
}

// next returns the next line; the previous one is added to the hash only
// now, so the trailer line itself is never hashed.
func (r *reader) next() ([]byte, error) {
	if r.last != nil {
		r.sum.Write(r.last)
		r.sum.Write([]byte{'\n'})
	}
	if !r.sc.Scan() {
		if err := r.sc.Err(); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		return nil, io.EOF
	}
	r.last = append(r.last[:0], r.sc.Bytes()...)
	return r.last, nil
}

// walk reads a whole backup, calling table and row for its content, and
// checks the header, the counts and the checksum. It reports a damaged file
// as ErrCorrupt.
func walk(f io.Reader, table func(tableHeader) error, row func(values []any) error) (BackupInfo, error) {
	var info BackupInfo
	r, err := openBackup(f)
	if err != nil {
		return info, err
	}
	first, err := r.next()
	if err != nil {
		return info, fmt.Errorf("%w: empty file", ErrCorrupt)
	}
	if err := json.Unmarshal(first, &info); err != nil || info.Format != backupFormat {
		return info, fmt.Errorf("%w: not an OC Pizza backup", ErrCorrupt)
	}
	if info.Version != backupVersion {
		return info, fmt.Errorf("backup format version %d: this ocpizza reads version %d", info.Version, backupVersion)
	}
	var types []string
	var tables int
	var rows int64
	for {
		line, err := r.next()
		if errors.Is(err, io.EOF) {
			return info, fmt.Errorf("%w: truncated (no end marker after %d rows)", ErrCorrupt, rows)
		}
		if err != nil {
			return info, err
		}
		switch {
		case bytes.HasPrefix(line, []byte(`{"end":`)):
			var t trailer
			if err := json.Unmarshal(line, &t); err != nil {
				return info, fmt.Errorf("%w: bad end marker", ErrCorrupt)
			}
			got := hex.EncodeToString(r.sum.Sum(nil))
			if t.SHA256 != got || t.Rows != rows || t.Tables != tables {
				return info, fmt.Errorf("%w: checksum or counts do not match (the file was altered or cut)", ErrCorrupt)
			}
			if extra, err := r.next(); err == nil && len(extra) > 0 {
				return info, fmt.Errorf("%w: data after the end marker", ErrCorrupt)
			}
			info.Tables, info.Rows, info.SHA256 = tables, rows, got
			return info, nil
		case bytes.HasPrefix(line, []byte(`{"table":`)):
			var h tableHeader
			if err := json.Unmarshal(line, &h); err != nil {
				return info, fmt.Errorf("%w: bad table header", ErrCorrupt)
			}
			tables++
			types = types[:0]
			for _, c := range h.Columns {
				types = append(types, c.Type)
			}
			if table != nil {
				if err := table(h); err != nil {
					return info, err
				}
			}
		default:
			values, err := decodeRow(line, types)
			if err != nil {
				return info, fmt.Errorf("%w: row %d: %v", ErrCorrupt, rows+1, err)
			}
			rows++
			if row != nil {
				if err := row(values); err != nil {
					return info, err
				}
			}
		}
	}
}

func decodeRow(line []byte, types []string) ([]any, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var raw []any
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	if len(raw) != len(types) {
		return nil, fmt.Errorf("%d values for %d columns", len(raw), len(types))
	}
	for i, v := range raw {
		if v == nil {
			continue
		}
		var ok bool
		switch types[i] {
		case "int":
			var n json.Number
			if n, ok = v.(json.Number); ok {
				var err error
				if raw[i], err = n.Int64(); err != nil {
					return nil, err
				}
			}
		case "bool":
			_, ok = v.(bool)
		case "text":
			_, ok = v.(string)
		case "time":
			var s string
			if s, ok = v.(string); ok {
				t, err := time.Parse(time.RFC3339Nano, s)
				if err != nil {
					return nil, err
				}
				raw[i] = t.UTC()
			}
		}
		if !ok {
			return nil, fmt.Errorf("value %v does not fit a %s column", v, types[i])
		}
	}
	return raw, nil
}

// VerifyBackup checks a backup file completely without touching any
// database.
func VerifyBackup(path string) (BackupInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return BackupInfo{}, err
	}
	defer f.Close()
	return walk(f, nil, nil)
}

// Restore loads a backup into st. The file is verified completely first;
// then the schema is brought to the backup's version, the rows are loaded
// in one transaction (all or nothing), and the remaining migrations run.
// A non-empty database is refused unless force.
func Restore(ctx context.Context, st *store.Store, path string, force bool) (BackupInfo, error) {
	info, err := VerifyBackup(path)
	if err != nil {
		return info, err
	}
	if _, err := st.MigrateTo(ctx, info.SchemaVersion); err != nil {
		return info, err
	}
	f, err := os.Open(path)
	if err != nil {
		return info, err
	}
	defer f.Close()
	_, err = st.Restore(ctx, force, func(l *store.Loader) error {
		var table string
		var columns []string
		_, err := walk(f, func(h tableHeader) error {
			// A fresh slice: the loader may still hold the previous one.
			table, columns = h.Table, nil
			for _, c := range h.Columns {
				columns = append(columns, c.Name)
			}
			return nil
		}, func(values []any) error {
			return l.Insert(table, columns, values)
		})
		return err
	})
	if err != nil {
		return info, err
	}
	_, err = st.Migrate(ctx)
	return info, err
}

// BackupName is the file name of a scheduled backup taken at t.
func BackupName(t time.Time) string {
	return "ocpizza-" + t.UTC().Format("20060102-150405") + ".backup.gz"
}

// Prune keeps the newest keep scheduled backups in dir and removes the
// rest; it returns the files removed.
func Prune(dir string, keep int) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasPrefix(e.Name(), "ocpizza-") && strings.HasSuffix(e.Name(), ".backup.gz") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names) // the timestamp in the name sorts by age
	var removed []string
	for len(names) > keep {
		p := filepath.Join(dir, names[0])
		if err := os.Remove(p); err != nil {
			return removed, err
		}
		removed = append(removed, p)
		names = names[1:]
	}
	return removed, nil
}
