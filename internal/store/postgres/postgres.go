// Package postgres is the storage backend for large provinces: PostgreSQL
// 15 or later through pgx, shared by any number of `xinyong serve` nodes.
// It satisfies credit.Store with the same behaviour as the embedded SQLite
// backend; the contract suite in storetest runs against both.
//
// Concurrency between nodes rests on the database: unique keys and row
// locks decide which of two writers creates a subject or a record, the
// audit chain is ordered by a lock on its head row taken just before
// commit, and transactions that lose a deadlock or a serialization check
// are run again.
//
// It imports the domain and the audit chain; never HTTP.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/xinyong/xinyong/internal/audit"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/names"
	"github.com/xinyong/xinyong/internal/store/schema"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is the PostgreSQL store.
type DB struct {
	pool  *pgxpool.Pool
	grams gramFreqs

	// Now returns the current time; tests replace it.
	Now func() time.Time
}

var _ credit.Store = (*DB)(nil)

// Defaults for settings the connection URL does not name.
const (
	defaultStatementTimeout = 60 * time.Second
	defaultLockTimeout      = 30 * time.Second
)

// Open connects to the database at url ("postgres://user@host/db?..."),
// with a pool sized for this machine unless the URL sets pool_max_conns,
// and a statement timeout unless the URL sets one (options=-c
// statement_timeout=...). It does not migrate; call Migrate, or
// CheckSchema to refuse a schema that differs.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, credit.Errorf(credit.EINVALID, "数据库地址无法解析，应形如 postgres://用户@主机:端口/库名",
			"the database URL does not parse; write it as postgres://user@host:port/dbname")
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = int32(max(8, 4*runtime.NumCPU()))
	}
	cfg.MaxConnIdleTime = 5 * time.Minute
	rp := cfg.ConnConfig.RuntimeParams
	if rp["application_name"] == "" {
		rp["application_name"] = "xinyong"
	}
	if rp["statement_timeout"] == "" && !strings.Contains(rp["options"], "statement_timeout") {
		rp["statement_timeout"] = strconv.Itoa(int(defaultStatementTimeout.Milliseconds()))
	}
	if rp["lock_timeout"] == "" && !strings.Contains(rp["options"], "lock_timeout") {
		rp["lock_timeout"] = strconv.Itoa(int(defaultLockTimeout.Milliseconds()))
	}
	rp["timezone"] = "UTC"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	db := &DB{pool: pool, Now: time.Now}
	if err := db.checkServer(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// checkServer refuses a server this program cannot serve correctly: one it
// cannot reach, older than 15, or whose text is not UTF-8 with a
// character classification that knows Chinese (pg_trgm makes no trigrams
// of characters its LC_CTYPE does not classify as letters).
func (db *DB) checkServer(ctx context.Context) error {
	var version int
	var encoding, ctype string
	err := db.pool.QueryRow(ctx, `SELECT current_setting('server_version_num')::int, current_setting('server_encoding'),
		(SELECT datctype FROM pg_database WHERE datname = current_database())`).Scan(&version, &encoding, &ctype)
	if err != nil {
		return credit.Errorf(credit.EUNAVAILABLE, "无法连接数据库：%s", "cannot reach the database: %s", connMessage(err))
	}
	switch c := strings.ToUpper(ctype); {
	case version < 150000:
		return credit.Errorf(credit.EUNAVAILABLE, "PostgreSQL 版本过低（%d），需要 15 或更高版本", "PostgreSQL %d is too old; version 15 or later is needed", version/10000)
	case encoding != "UTF8":
		return credit.Errorf(credit.EUNAVAILABLE, "数据库编码为 %s，须为 UTF8：请以 CREATE DATABASE ... ENCODING 'UTF8' LC_CTYPE 'C.UTF-8' TEMPLATE template0 重建",
			"the database encoding is %s, it must be UTF8: create it with CREATE DATABASE ... ENCODING 'UTF8' LC_CTYPE 'C.UTF-8' TEMPLATE template0", encoding)
	case c == "C" || c == "POSIX" || !strings.Contains(strings.ReplaceAll(c, "-", ""), "UTF8"):
		return credit.Errorf(credit.EUNAVAILABLE, "数据库的 LC_CTYPE 为 %s，中文名称无法建立三元组索引：请以 LC_CTYPE 'C.UTF-8'（或 zh_CN.UTF-8）TEMPLATE template0 重建数据库",
			"the database's LC_CTYPE is %s, under which Chinese names make no trigrams: create the database with LC_CTYPE 'C.UTF-8' (or zh_CN.UTF-8) TEMPLATE template0", ctype)
	}
	return nil
}

// connMessage is what a user can act on from a connection error, without
// the URL (which may hold a password).
func connMessage(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Message
	}
	msg := err.Error()
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		msg = ce.Unwrap().Error()
	}
	first, _, _ := strings.Cut(msg, "\n") // one line per address tried: the first says it
	return first
}

// Close closes the pool.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

func migrations() ([]schema.Migration, error) { return schema.Load(migrationFS, "migrations") }

// migrationSteps are the parts of migrations that the program computes,
// run after the migration's SQL in its transaction.
var migrationSteps = map[int]func(context.Context, pgx.Tx) error{
	9: regram,
}

// regram rewrites the grams of organisations' names that hold a character
// besides letters and digits, as names.Grams now makes them (0009), a
// range of names at a time.
func regram(ctx context.Context, tx pgx.Tx) error {
	for last := int64(0); ; {
		rows, err := tx.Query(ctx, `SELECT id, name FROM subject_names WHERE org AND id > $1 ORDER BY id LIMIT 10000`, last)
		if err != nil {
			return err
		}
		var ids []int64
		var grams []string
		n := 0
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return err
			}
			n, last = n+1, id
			if names.Punctuated(name) {
				ids, grams = append(ids, id), append(grams, strings.Join(names.Grams(name), "\x1f"))
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		// The grams go joined by a unit separator, which no name holds.
		if _, err := tx.Exec(ctx, `UPDATE subject_names s SET grams = string_to_array(u.g, E'\x1f') FROM unnest($1::bigint[], $2::text[]) AS u (id, g)
			WHERE s.id = u.id`, ids, grams); err != nil {
			return err
		}
	}
}

// SchemaVersion returns the version the code expects and the version the
// database has.
func (db *DB) SchemaVersion(ctx context.Context) (want, have int, err error) {
	ms, err := migrations()
	if err != nil {
		return 0, 0, err
	}
	want = ms[len(ms)-1].Version
	var exists bool
	if err := db.pool.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, 0, fmt.Errorf("read schema version: %w", err)
	}
	if !exists {
		return want, 0, nil
	}
	if err := db.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return 0, 0, fmt.Errorf("read schema version: %w", err)
	}
	return want, have, nil
}

// migrateLock is the advisory lock key that makes nodes migrate one at a time.
const migrateLock = 0x78696e796f6e67 // "xinyong"

// Migrate applies every migration not yet applied, each in its own
// transaction with its record in schema_migrations, holding an advisory
// lock so that nodes starting together migrate once. It refuses a database
// whose schema is newer than the code.
func (db *DB) Migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrateLock); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLock)
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`); err != nil {
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
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			if step := migrationSteps[m.Version]; step != nil {
				if err := step(ctx, tx); err != nil {
					return err
				}
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`, m.Version, m.Name, db.Now())
			return err
		})
		if err != nil {
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
	return schema.Check(want, have, "xinyong migrate --db ...")
}

// tx is a write transaction with the fixed time of its changes and the
// audit entries it will chain at commit.
type tx struct {
	pgx.Tx
	now     time.Time
	entries []audit.Entry
}

// record queues an audit entry; commit chains it.
func (t *tx) record(_ context.Context, actor, action, object, detail string) error {
	t.entries = append(t.entries, audit.Entry{At: t.now, Actor: actor, Action: action, Object: object, Detail: detail})
	return nil
}

// commit chains the queued audit entries after the head of the chain,
// locking the head row until the commit so that concurrent transactions,
// on any node, chain one after another, and commits.
func (t *tx) commit(ctx context.Context) error {
	if len(t.entries) > 0 {
		var seq int64
		var prev []byte
		if err := t.QueryRow(ctx, `SELECT seq, hash FROM audit_head FOR UPDATE`).Scan(&seq, &prev); err != nil {
			return fmt.Errorf("audit chain head: %w", err)
		}
		rows := make([][]any, len(t.entries))
		for i := range t.entries {
			e := &t.entries[i]
			seq++
			e.Seq = seq
			e.Seal(prev)
			prev = e.Hash
			rows[i] = []any{e.Seq, e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.Action, e.Object, e.Detail, e.Prev, e.Hash}
		}
		if _, err := t.CopyFrom(ctx, pgx.Identifier{"audit_log"}, []string{"seq", "at", "actor", "action", "object", "detail", "prev", "hash"},
			pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		if _, err := t.Exec(ctx, `UPDATE audit_head SET seq = $1, hash = $2`, seq, prev); err != nil {
			return fmt.Errorf("audit chain head: %w", err)
		}
	}
	return t.Commit(ctx)
}

// maxAttempts bounds how often a transaction that lost a deadlock or a
// serialization check runs again.
const maxAttempts = 5

// inTx runs fn in a write transaction and commits, running it again when
// the database aborted it for a deadlock or a serialization failure.
func (db *DB) inTx(ctx context.Context, fn func(t *tx) error) error {
	for attempt := 1; ; attempt++ {
		err := db.tryTx(ctx, fn)
		if err == nil || !retryable(err) || attempt == maxAttempts {
			return storeError(err)
		}
		time.Sleep(time.Duration(attempt*attempt) * 10 * time.Millisecond)
	}
}

func (db *DB) tryTx(ctx context.Context, fn func(t *tx) error) error {
	ptx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	// Timestamps are kept to the microsecond, as PostgreSQL stores them,
	// so that audit hashes computed now verify later.
	t := &tx{Tx: ptx, now: db.Now().UTC().Truncate(time.Microsecond)}
	defer ptx.Rollback(context.WithoutCancel(ctx))
	if err := fn(t); err != nil {
		return err
	}
	return t.commit(ctx)
}

// retryable reports whether err is a deadlock or serialization failure:
// the transaction was aborted and may run again.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// isUnique reports whether err is a unique violation.
func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// storeError turns the database's refusals that a user can act on into
// domain errors; anything else stays as it is, for the log.
func storeError(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case "57014": // query_canceled: statement_timeout
		return credit.Errorf(credit.EUNAVAILABLE, "数据库处理超时，请稍后重试", "the database took too long; please retry shortly")
	case "55P03", "40001", "40P01": // lock_not_available, after the last attempt
		return credit.Errorf(credit.EUNAVAILABLE, "数据库正忙（其他写入占用了相同数据），请稍后重试",
			"the database is busy (other writes hold the same data); please retry shortly")
	}
	return err
}

// LogAccess records an access to non-public data in the audit chain.
func (db *DB) LogAccess(ctx context.Context, actor, action, object, detail string) error {
	return db.inTx(ctx, func(t *tx) error { return t.record(ctx, actor, action, object, detail) })
}

// VerifyAudit walks the whole audit chain.
func (db *DB) VerifyAudit(ctx context.Context) (int, error) {
	rows, err := db.pool.Query(ctx, `SELECT seq, at, actor, action, object, detail, prev, hash FROM audit_log ORDER BY seq`)
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
