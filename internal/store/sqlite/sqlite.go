// Package sqlite is the embedded storage backend: one SQLite file through
// modernc.org/sqlite (pure Go, no cgo), in WAL mode, with one writer
// connection beside a pool of readers. It satisfies credit.Store.
//
// It imports the domain and the audit chain; never HTTP.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/xinyong/xinyong/internal/audit"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/store/schema"
	"github.com/xinyong/xinyong/internal/workday"
	"modernc.org/sqlite" // the database/sql driver "sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is the SQLite store.
type DB struct {
	write *sql.DB // exactly one connection: SQLite has one writer
	read  *sql.DB
	path  string
	// stmts holds the prepared statements of the hot public reads, by
	// query text: preparing costs as much as running them.
	stmts sync.Map

	// Now returns the current time; tests replace it.
	Now func() time.Time
}

var _ credit.Store = (*DB)(nil)

// Open opens (creating if absent) the database file at path. It does not
// migrate; call Migrate, or CheckSchema to refuse a schema that differs.
func Open(ctx context.Context, path string) (*DB, error) {
	// busy_timeout first, so that every later pragma waits for a busy file
	// instead of failing; then WAL, foreign keys, synchronous NORMAL (safe in
	// WAL: a crash loses no committed transaction of the last checkpoint).
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	// The writer's page cache holds the index pages that a transaction of
	// many records touches (64 MiB), and its statement journals stay in
	// memory; each reader has 16 MiB.
	writeDSN := "file:" + path + "?" + q.Encode() + "&_pragma=cache_size(-65536)&_pragma=temp_store(2)&_txlock=immediate"
	readDSN := "file:" + path + "?" + q.Encode() + "&_pragma=cache_size(-16384)"
	db := &DB{path: path, Now: time.Now}
	var err error
	if db.write, err = sql.Open("sqlite", writeDSN); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetConnMaxIdleTime(0)
	if db.read, err = sql.Open("sqlite", readDSN); err != nil {
		db.write.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	n := max(4, runtime.NumCPU()*2)
	db.read.SetMaxOpenConns(n)
	db.read.SetMaxIdleConns(n)
	if err := db.write.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// Close closes both connection pools.
func (db *DB) Close() error {
	db.stmts.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
	return errors.Join(db.read.Close(), db.write.Close())
}

// readStmt returns query prepared on the reader pool, preparing it the
// first time (database/sql prepares it again on each connection as needed).
func (db *DB) readStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := db.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.read.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	if prev, loaded := db.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

func migrations() ([]schema.Migration, error) { return schema.Load(migrationFS, "migrations") }

// SchemaVersion returns the version the code expects and the version the
// database has.
func (db *DB) SchemaVersion(ctx context.Context) (want, have int, err error) {
	ms, err := migrations()
	if err != nil {
		return 0, 0, err
	}
	want = ms[len(ms)-1].Version
	var exists int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&exists); err != nil {
		return 0, 0, fmt.Errorf("read schema version: %w", err)
	}
	if exists == 0 {
		return want, 0, nil
	}
	if err := db.read.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return 0, 0, fmt.Errorf("read schema version: %w", err)
	}
	return want, have, nil
}

// Migrate applies every migration not yet applied, each in its own
// transaction with its record in schema_migrations. It refuses a database
// whose schema is newer than the code.
func (db *DB) Migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	want, have, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if err := schema.Ahead(want, have); err != nil {
		return err
	}
	for _, m := range ms {
		if m.Version <= have {
			continue
		}
		tx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			m.Version, m.Name, ts(db.Now())); err != nil {
			tx.Rollback()
			return fmt.Errorf("record migration %s: %w", m.Name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// CheckSchema returns EUNAVAILABLE, saying what to run, when the database
// schema is not the one the code expects.
func (db *DB) CheckSchema(ctx context.Context) error {
	want, have, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	return schema.Check(want, have, "xinyong migrate")
}

// tx is a write transaction with the fixed time of its changes and the
// state of the audit chain.
type tx struct {
	*sql.Tx
	ctx   context.Context
	now   time.Time
	seq   int64
	prev  []byte
	audit *sql.Stmt
	// names are the organisations whose search index rows are written at
	// commit (see indexLater).
	names nameQueue
}

// begin starts a write transaction. Exported methods own transactions;
// helpers take the *tx so several steps compose.
func (db *DB) begin(ctx context.Context) (*tx, error) {
	t, err := db.write.BeginTx(ctx, nil)
	if isBusy(err) {
		return nil, errBusy
	}
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &tx{Tx: t, ctx: ctx, now: db.Now().UTC()}, nil
}

// Commit writes the queued name index rows, then commits; if the rows
// cannot be written, it rolls back, so that the single writer is free.
func (t *tx) Commit() error {
	if err := t.indexNames(t.ctx); err != nil {
		t.Tx.Rollback()
		return err
	}
	return t.Tx.Commit()
}

// errBusy is what a writer is told when another process (an import in
// atomic mode, say) has held the database longer than busy_timeout.
var errBusy = credit.Errorf(credit.EUNAVAILABLE, "数据库正忙（另一批数据正在写入），请稍后重试",
	"the database is busy (another batch is being written); please retry shortly")

// isConstraint reports whether err is a constraint violation (a unique
// index refusing a second row).
func isConstraint(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}

// isBusy reports whether err is SQLite's SQLITE_BUSY.
func isBusy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}

// record writes an audit entry in the transaction, chained after the last.
func (t *tx) record(ctx context.Context, actor, action, object, detail string) error {
	if t.audit == nil {
		err := t.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&t.seq, &t.prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("audit chain head: %w", err)
		}
		if t.audit, err = t.PrepareContext(ctx, `INSERT INTO audit_log (seq, at, actor, action, object, detail, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`); err != nil {
			return err
		}
	}
	if detail == "" {
		detail = "{}"
	}
	e := audit.Entry{Seq: t.seq + 1, At: t.now, Actor: actor, Action: action, Object: object, Detail: detail}
	e.Seal(t.prev)
	if _, err := t.audit.ExecContext(ctx, e.Seq, ts(e.At), e.Actor, e.Action, e.Object, e.Detail, e.Prev, e.Hash); err != nil {
		return fmt.Errorf("write audit entry: %w", err)
	}
	t.seq, t.prev = e.Seq, e.Hash
	return nil
}

// stmts prepares statements in a transaction, remembering the first error
// and every statement so that they close together.
type stmts struct {
	ctx     context.Context
	t       *tx
	all     []*sql.Stmt
	err     error
	byQuery map[string]*sql.Stmt // those of cached
}

// cached returns query prepared in the transaction, preparing it the first
// time it is asked for: statements whose text depends on how many rows they
// take are made as the rows come.
func (s *stmts) cached(query string) (*sql.Stmt, error) {
	if st := s.byQuery[query]; st != nil {
		return st, nil
	}
	st, err := s.t.PrepareContext(s.ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	if s.byQuery == nil {
		s.byQuery = map[string]*sql.Stmt{}
	}
	s.byQuery[query] = st
	s.all = append(s.all, st)
	return st, nil
}

// tuples returns n copies of tuple, comma-separated, for a VALUES list.
func tuples(tuple string, n int) string {
	return strings.TrimSuffix(strings.Repeat(tuple+",", n), ",")
}

func (s *stmts) prep(query string) *sql.Stmt {
	if s.err != nil {
		return nil
	}
	st, err := s.t.PrepareContext(s.ctx, query)
	if err != nil {
		s.err = fmt.Errorf("prepare: %w", err)
		return nil
	}
	s.all = append(s.all, st)
	return st
}

func (s *stmts) close() {
	for _, st := range s.all {
		st.Close()
	}
}

// VerifyAudit walks the whole audit chain.
func (db *DB) VerifyAudit(ctx context.Context) (int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT seq, at, actor, action, object, detail, prev, hash FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var v audit.Verifier
	for rows.Next() {
		var e audit.Entry
		var at string
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Object, &e.Detail, &e.Prev, &e.Hash); err != nil {
			return 0, err
		}
		e.At, _ = time.Parse(time.RFC3339Nano, at)
		if err := v.Next(&e); err != nil {
			return int(v.Count()), err
		}
	}
	return int(v.Count()), rows.Err()
}

// tsLayout is RFC 3339 with a fixed number of fraction digits, so that
// stored timestamps sort as text.
const tsLayout = "2006-01-02T15:04:05.000000000Z07:00"

// ts formats a timestamp for storage, in UTC.
func ts(t time.Time) string { return t.UTC().Format(tsLayout) }

func parseTS(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// day formats a calendar date, or NULL for nil.
func day(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.Format(time.DateOnly)
}

func parseDay(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s.String, workday.CST)
	if err != nil {
		return nil
	}
	return &t
}

// LogAccess records an access to non-public data in the audit chain.
func (db *DB) LogAccess(ctx context.Context, actor, action, object, detail string) error {
	t, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback()
	if err := t.record(ctx, actor, action, object, detail); err != nil {
		return err
	}
	return t.Commit()
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }
