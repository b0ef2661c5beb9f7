package ops

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/hmac"
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
// damaged file is refused before anything is written. A checksum proves
// nothing against someone who edits the file and recomputes it, though
// (an administrator was added that way): with a key, the backup is signed
// instead — version 2, whose end line carries an HMAC-SHA256 of the same
// bytes ("hmac_sha256") and no checksum. A signed backup restores only
// where its key is known; an unsigned one, where a key is configured, only
// when the operator vouches for it (Trust.AcceptUnsigned).
//
// Text values never hold NUL: PostgreSQL refuses it where SQLite stored
// it before the rules refused it, so a backup that held one could not move
// a chain to PostgreSQL. Writing and reading replace it by U+FFFD and
// count the replacements.
const (
	backupFormat   = "ocpizza-backup"
	unsignedFormat = 1
	signedFormat   = 2
)

// Trust is what a backup is checked with.
type Trust struct {
	// Key signs new backups and checks signed ones (OCPIZZA_BACKUP_KEY,
	// else OCPIZZA_SECRET_KEY). Without it backups are only checksummed.
	Key []byte
	// AcceptUnsigned lets an unsigned backup in although a key is set: one
	// taken without a key, or by an ocpizza from before signatures, that
	// the operator vouches for.
	AcceptUnsigned bool
}

// mac returns the hash that covers a backup's content: keyed with a key
// derived from the configured one, so the same secret signs nothing else.
func (t Trust) mac(signed bool) hash.Hash {
	if !signed {
		return sha256.New()
	}
	k := sha256.Sum256(append([]byte("ocpizza backup signature\x00"), t.Key...))
	return hmac.New(sha256.New, k[:])
}

// ErrUntrusted marks a backup whose signature is missing or does not
// match the key: it may have been edited, and is not restored.
var ErrUntrusted = errors.New("backup file is not trusted")

// BackupInfo describes a backup file.
type BackupInfo struct {
	Format        string    `json:"format"`
	Version       int       `json:"version"`
	SchemaVersion int       `json:"schema_version"`
	Engine        string    `json:"engine"`
	CreatedAt     time.Time `json:"created_at"`
	Tables        int       `json:"-"`
	Rows          int64     `json:"-"`
	SHA256        string    `json:"-"` // the checksum or, signed, the HMAC
	Signed        bool      `json:"-"`
	// Replaced counts the NUL characters replaced in text values.
	Replaced int `json:"-"`
}

type tableHeader struct {
	Table   string         `json:"table"`
	Columns []store.Column `json:"columns"`
}

type trailer struct {
	End    bool   `json:"end"`
	Tables int    `json:"tables"`
	Rows   int64  `json:"rows"`
	SHA256 string `json:"sha256,omitempty"`
	HMAC   string `json:"hmac_sha256,omitempty"`
}

// backupWriter is the Dumper that writes the format. Its lines are
// hashed and compressed in another goroutine (asyncWriter).
type backupWriter struct {
	w        *asyncWriter
	tables   int
	rows     int64
	replaced int
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
	return b.line(tableHeader{Table: name, Columns: columns})
}

func (b *backupWriter) Row(values []any) error {
	b.rows++
	for i, v := range values {
		if x, ok := v.(string); ok {
			var n int
			values[i], n = replaceNUL(x)
			b.replaced += n
		}
	}
	var err error
	if b.w.buf, err = appendRow(b.w.buf, values); err != nil {
		return err
	}
	b.w.buf = append(b.w.buf, '\n')
	return b.w.appended()
}

// replaceNUL replaces NUL characters, which PostgreSQL refuses in text,
// by U+FFFD and says how many there were.
func replaceNUL(s string) (string, int) {
	n := strings.Count(s, "\x00")
	if n == 0 {
		return s, 0
	}
	return strings.ReplaceAll(s, "\x00", "\uFFFD"), n
}

// backupCompression is gzip's level 2: on a year of orders (520 MB of
// JSON) it compresses at about 200 MB/s to 13 %, where the default level
// (6) took 66 MB/s for 11 %.
const backupCompression = 2

// Backup writes a consistent snapshot of the database to path, atomically:
// a failed backup never leaves a half-written file under that name. With
// a key in trust, the backup is signed.
func Backup(ctx context.Context, st *store.Store, path string, trust Trust) (BackupInfo, error) {
	applied, _, err := st.SchemaVersion(ctx)
	if err != nil {
		return BackupInfo{}, err
	}
	signed := len(trust.Key) > 0
	info := BackupInfo{Format: backupFormat, Version: unsignedFormat, SchemaVersion: applied, Engine: string(st.Engine()), CreatedAt: st.Now(), Signed: signed}
	if signed {
		info.Version = signedFormat
	}
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
	gz, _ := gzip.NewWriterLevel(buffered, backupCompression)
	sum := trust.mac(signed)
	aw := newAsyncWriter(io.MultiWriter(sum, gz))
	defer aw.abort()
	bw := &backupWriter{w: aw}
	if err := bw.line(info); err != nil {
		return info, err
	}
	if err := st.Dump(ctx, bw); err != nil {
		return info, err
	}
	if err := aw.Close(); err != nil {
		return info, err
	}
	info.Tables, info.Rows, info.SHA256, info.Replaced = bw.tables, bw.rows, hex.EncodeToString(sum.Sum(nil)), bw.replaced
	end := trailer{End: true, Tables: info.Tables, Rows: info.Rows, SHA256: info.SHA256}
	if signed {
		end.SHA256, end.HMAC = "", info.SHA256
	}
	endLine, _ := json.Marshal(end)
	if _, err := gz.Write(append(endLine, '\n')); err != nil {
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
	sc    *bufio.Scanner
	ahead *readAhead // decompresses in another goroutine
	sum   hash.Hash
	last  []byte
}

func openBackup(f io.Reader) (*reader, error) {
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%w: not a gzip file (%v)", ErrCorrupt, err)
	}
	ahead := newReadAhead(gz)
	sc := bufio.NewScanner(ahead)
	sc.Buffer(make([]byte, 1<<16), 16<<20)
	return &reader{sc: sc, ahead: ahead}, nil
}

func (r *reader) close() { r.ahead.Close() }

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

// drain reads what is left of the file, for gzip to check it: an error
// says the file is damaged.
func (r *reader) drain() error {
	for {
		if _, err := r.next(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// walk reads a whole backup, calling table and row for its content, and
// checks the header, the counts and the checksum or signature. It reports
// a damaged file as ErrCorrupt, an unsigned or wrongly signed one as
// ErrUntrusted.
func walk(f io.Reader, trust Trust, table func(tableHeader) error, row func(values []any) error) (BackupInfo, error) {
	var info BackupInfo
	r, err := openBackup(f)
	if err != nil {
		return info, err
	}
	defer r.close()
	first, err := r.next()
	if err != nil {
		return info, fmt.Errorf("%w: empty file", ErrCorrupt)
	}
	if err := json.Unmarshal(first, &info); err != nil || info.Format != backupFormat {
		return info, fmt.Errorf("%w: not an OC Pizza backup", ErrCorrupt)
	}
	switch info.Version {
	case unsignedFormat:
		if len(trust.Key) > 0 && !trust.AcceptUnsigned {
			return info, fmt.Errorf("%w: it is not signed (taken without OCPIZZA_BACKUP_KEY or OCPIZZA_SECRET_KEY, or by an older ocpizza), "+
				"so anyone could have edited it; if you vouch for this file, give --accept-unsigned", ErrUntrusted)
		}
	case signedFormat:
		if len(trust.Key) == 0 {
			return info, fmt.Errorf("%w: it is signed, and no key is set to check it: give the key of the server that took it "+
				"(OCPIZZA_BACKUP_KEY, or the same OCPIZZA_SECRET_KEY)", ErrUntrusted)
		}
		info.Signed = true
	default:
		return info, fmt.Errorf("backup format version %d: this ocpizza reads versions %d and %d", info.Version, unsignedFormat, signedFormat)
	}
	r.sum = trust.mac(info.Signed)
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
			if info.Signed && t.HMAC != got {
				// A flipped bit and an edit both change the content; only
				// damage also breaks gzip's own checksum, read at the end.
				if err := r.drain(); err != nil {
					return info, err
				}
				return info, fmt.Errorf("%w: its signature does not match the key (the file was edited, or signed with another key)", ErrUntrusted)
			}
			if !info.Signed && t.SHA256 != got || t.Rows != rows || t.Tables != tables {
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
			values, replaced, err := decodeRow(line, types)
			if err != nil {
				return info, fmt.Errorf("%w: row %d: %v", ErrCorrupt, rows+1, err)
			}
			info.Replaced += replaced
			rows++
			if row != nil {
				if err := row(values); err != nil {
					return info, err
				}
			}
		}
	}
}

func decodeRow(line []byte, types []string) (_ []any, replaced int, _ error) {
	if values, replaced, ok := fastRow(line, types, make([]any, 0, len(types))); ok {
		return values, replaced, nil
	}
	return decodeRowJSON(line, types)
}

// decodeRowJSON is decodeRow through encoding/json, for any row.
func decodeRowJSON(line []byte, types []string) (_ []any, replaced int, _ error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var raw []any
	if err := dec.Decode(&raw); err != nil {
		return nil, 0, err
	}
	if len(raw) != len(types) {
		return nil, 0, fmt.Errorf("%d values for %d columns", len(raw), len(types))
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
					return nil, 0, err
				}
			}
		case "bool":
			_, ok = v.(bool)
		case "text":
			var s string
			if s, ok = v.(string); ok {
				var n int
				raw[i], n = replaceNUL(s)
				replaced += n
			}
		case "time":
			var s string
			if s, ok = v.(string); ok {
				t, err := time.Parse(time.RFC3339Nano, s)
				if err != nil {
					return nil, 0, err
				}
				raw[i] = t.UTC()
			}
		}
		if !ok {
			return nil, 0, fmt.Errorf("value %v does not fit a %s column", v, types[i])
		}
	}
	return raw, replaced, nil
}

// VerifyBackup checks a backup file completely without touching any
// database.
func VerifyBackup(path string, trust Trust) (BackupInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return BackupInfo{}, err
	}
	defer f.Close()
	return walk(f, trust, nil, nil)
}

// Restore loads a backup into st. The file is verified completely first;
// then the schema is brought to the backup's version, the rows are loaded
// in one transaction (all or nothing), and the remaining migrations run.
// A non-empty database is refused unless force.
func Restore(ctx context.Context, st *store.Store, path string, force bool, trust Trust) (BackupInfo, error) {
	info, err := VerifyBackup(path, trust)
	if err != nil {
		return info, err
	}
	return RestoreVerified(ctx, st, path, info, force, trust)
}

// RestoreVerified is Restore of a file VerifyBackup has just accepted,
// which gave info: the file is read once more, not twice. The load checks
// the checksum or signature again as it reads, within its transaction:
// a file changed since is refused and nothing of it is kept.
func RestoreVerified(ctx context.Context, st *store.Store, path string, info BackupInfo, force bool, trust Trust) (BackupInfo, error) {
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
		loaded, err := walk(f, trust, func(h tableHeader) error {
			// A fresh slice: the loader may still hold the previous one.
			table, columns = h.Table, nil
			for _, c := range h.Columns {
				columns = append(columns, c.Name)
			}
			return nil
		}, func(values []any) error {
			return l.Insert(table, columns, values)
		})
		if err == nil && (loaded.SHA256 != info.SHA256 || loaded.SchemaVersion != info.SchemaVersion) {
			err = fmt.Errorf("%w: the file changed since it was verified", ErrCorrupt)
		}
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
