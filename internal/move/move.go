// Package move moves an embedded installation (the SQLite database of a data
// directory) into an empty PostgreSQL database, and proves it: every table
// is copied in one PostgreSQL transaction, then read back inside it and
// compared with the source, row count and SHA-256 over every row's values,
// and the audit chain is walked on the copy, before anything is committed.
// An interrupted move leaves the target as it was (empty), so running it
// again is safe.
//
// It reads the SQLite file through database/sql and writes through pgx; it
// knows both schemas as of their latest migrations.
package move

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xinyong/xinyong/internal/audit"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/names"
)

// kind is how a column's values are converted and compared.
type kind int

const (
	text    kind = iota
	number       // integer
	real         // floating point
	boolean      // SQLite 0/1
	stamp        // RFC 3339 text in SQLite, timestamptz in PostgreSQL; "" is NULL
	day          // YYYY-MM-DD text in SQLite, date in PostgreSQL; "" is NULL
	bytes
)

type column struct {
	name string
	kind kind
}

// table is one table to move: its columns, in both databases, and the
// order its rows are read in for the checksum.
type table struct {
	name    string
	columns []column
	order   string
	// targetOrder, when not empty, is order as PostgreSQL must read it:
	// text in byte order, as SQLite compares it, whatever the database's
	// collation.
	targetOrder string
	// source, when not empty, is the SQLite query (columns in order);
	// extra returns values for more target columns computed from a row.
	source string
	extra  []string
	derive func(row []any) []any
}

func cols(spec string) []column {
	var out []column
	for _, f := range strings.Fields(spec) {
		name, k, _ := strings.Cut(f, ":")
		c := column{name: name}
		switch k {
		case "i":
			c.kind = number
		case "f":
			c.kind = real
		case "b":
			c.kind = boolean
		case "ts":
			c.kind = stamp
		case "d":
			c.kind = day
		case "x":
			c.kind = bytes
		}
		out = append(out, c)
	}
	return out
}

var versionCols = `version:i subject_id:i catalog_version:i fields content_hash:x sealed:x decision_date:d submission_deadline:d
	deadline_estimated:b on_time:b severity public:b published_from:d published_until:d submitted_at:ts request_id`

// tables are moved in this order (parents before children).
var tables = []table{
	{name: "providers", columns: cols("id:i code name items key_hash:x created_at:ts"), order: "id"},
	{name: "subjects", columns: cols("id:i kind uscc id_hash:x id_sealed:x id_masked type name name_as_of:d name_source created_at:ts updated_at:ts"), order: "id"},
	{name: "subject_names", columns: cols("id:i subject_id:i name first_seen:ts as_of:d"), order: "id",
		source: `SELECT n.id, n.subject_id, n.name, n.first_seen, n.as_of, s.kind FROM subject_names n JOIN subjects s ON s.id = n.subject_id ORDER BY n.id`,
		extra:  []string{"org", "grams"},
		derive: func(row []any) []any { return []any{row[5] == "org", names.Grams(row[2].(string))} }},
	{name: "subject_codes", columns: cols("code subject_id:i"), order: "code, subject_id", targetOrder: `code COLLATE "C", subject_id`},
	{name: "record_keys", columns: cols("id:i provider_id:i item business_key subject_id:i"), order: "id",
		source: `SELECT id, provider_id, item, business_key, subject_id FROM records ORDER BY id`},
	{name: "records", columns: cols("id:i provider_id:i item business_key status objection:b first_submitted_at:ts " + versionCols), order: "id"},
	{name: "record_history", columns: cols("record_id:i " + versionCols), order: "record_id, version"},
	{name: "record_events", columns: cols("id:i record_id:i at:ts kind actor reason ref"), order: "id"},
	{name: "objections", columns: cols(`id:i number record_id:i ground statement applicant token_hash:x state filed_at:ts accepted_at:ts
		forwarded_at:ts decided_at:ts extended:i paused_since:ts paused:i outcome reasons escalated_at:ts version:i`), order: "id"},
	{name: "repairs", columns: cols(`id:i number record_id:i applicant performed commitment token_hash:x state applied_at:ts extended:b
		decided_at:ts reasons version:i`), order: "id"},
	{name: "case_steps", columns: cols("case_kind case_id:i seq:i step at:ts actor reason days:i outcome"), order: "case_kind, case_id, seq"},
	{name: "case_files", columns: cols("id:i case_kind case_id:i name type size:i sha256:x data:x"), order: "id"},
	{name: "audit_log", columns: cols("seq:i at actor action object detail prev:x hash:x"), order: "seq"},
	{name: "batches", columns: cols(`id:i provider_id:i item mode status file_name file_path file_hash:x file_size:i sheet format encoding header notes
		rows_read:i created:i updated:i unchanged:i rejected:i checkpoint:i progress:f reason_zh reason_en owner lease_until:ts created_at:ts
		started_at:ts finished_at:ts`), order: "id"},
	{name: "batch_errors", columns: cols("batch_id:i row:i errors cells:x"), order: "batch_id, row"},
	{name: "settings", columns: cols("name value:x"), order: "name"},
	{name: "announcements", columns: cols("id:i title_zh title_en body_zh body_en published_at:ts author"), order: "id"},
	{name: "staff", columns: cols(`id:i name display role password_hash must_change:b disabled:b failed_logins:i locked_until:ts last_login_at:ts
		password_changed_at:ts created_at:ts`), order: "id"},
	{name: "staff_sessions", columns: cols("token_hash:x staff_id:i csrf_secret:x created_at:ts seen_at:ts idle_until:ts absolute_until:ts"), order: "token_hash"},
}

// identities are the tables whose id the target generates: their counters
// continue after the moved rows.
var identities = []string{"providers", "subjects", "subject_names", "record_keys", "record_events", "objections", "repairs", "case_files",
	"batches", "announcements", "staff"}

// TableReport is what was moved of one table.
type TableReport struct {
	Table    string
	Rows     int64
	Checksum string // hex SHA-256 over every row's values, the same read from both databases
}

// Report is what a move did.
type Report struct {
	Tables       []TableReport
	AuditEntries int
	Elapsed      time.Duration
}

// Run moves the SQLite database read through src (a read transaction: one
// snapshot of every table) into the PostgreSQL database behind dst
// (migrated and empty), writing progress lines to progress. pause, when
// not nil, is called after each table is copied (tests use it to
// interrupt a move).
func Run(ctx context.Context, src *sql.Tx, dst *pgx.Conn, progress io.Writer, pause func(table string)) (*Report, error) {
	start := time.Now()
	if err := targetEmpty(ctx, dst); err != nil {
		return nil, err
	}
	tx, err := dst.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := sameKeys(ctx, src, tx); err != nil {
		return nil, err
	}
	rep := &Report{}
	for _, t := range tables {
		n, sum, err := copyTable(ctx, src, tx, t)
		if err != nil {
			return nil, fmt.Errorf("move %s: %w", t.name, err)
		}
		back, backSum, err := checksumTarget(ctx, tx, t)
		if err != nil {
			return nil, fmt.Errorf("check %s: %w", t.name, err)
		}
		if back != n || backSum != sum {
			return nil, credit.Errorf(credit.EINTERNAL, "表 %s 校验不符：源 %d 行 %s，目标 %d 行 %s；未提交任何数据",
				"table %s does not check: source %d rows %s, target %d rows %s; nothing was committed", t.name, n, sum[:12], back, backSum[:12])
		}
		rep.Tables = append(rep.Tables, TableReport{Table: t.name, Rows: n, Checksum: sum})
		fmt.Fprintf(progress, "  %-15s %10d rows  sha256 %s…\n", t.name, n, sum[:16])
		if pause != nil {
			pause(t.name)
		}
	}
	for _, name := range identities {
		if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('`+name+`', 'id'), coalesce(max(id), 0) + 1, false) FROM `+name); err != nil {
			return nil, fmt.Errorf("identity of %s: %w", name, err)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE audit_head SET (seq, hash) = (SELECT coalesce(max(seq), 0), (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1) FROM audit_log)`); err != nil {
		return nil, fmt.Errorf("audit head: %w", err)
	}
	if rep.AuditEntries, err = verifyAudit(ctx, tx); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// targetEmpty refuses a target that holds data: a move fills an empty
// database, and a failed one leaves it empty.
func targetEmpty(ctx context.Context, dst *pgx.Conn) error {
	var n int64
	if err := dst.QueryRow(ctx, `SELECT (SELECT count(*) FROM providers) + (SELECT count(*) FROM subjects) + (SELECT count(*) FROM audit_log)
		+ (SELECT count(*) FROM batches) + (SELECT count(*) FROM announcements) + (SELECT count(*) FROM staff)`).Scan(&n); err != nil {
		return fmt.Errorf("target: %w", err)
	}
	if n > 0 {
		return credit.Errorf(credit.ECONFLICT, "目标数据库已有数据：迁移只写入新建的空数据库（可新建一个数据库后重试）",
			"the target database already holds data: a move writes only into a new, empty database (create one and run the move again)")
	}
	return nil
}

// sameKeys refuses a target already bound to another master key (a node
// started on it with other keys), and clears the settings the source's
// replace.
func sameKeys(ctx context.Context, src *sql.Tx, tx pgx.Tx) error {
	var mine, theirs []byte
	if err := src.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = 'key_id'`).Scan(&mine); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("source keys: %w", err)
	}
	if err := tx.QueryRow(ctx, `SELECT value FROM settings WHERE name = 'key_id'`).Scan(&theirs); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("target keys: %w", err)
	}
	if theirs != nil && mine != nil && hex.EncodeToString(mine) != hex.EncodeToString(theirs) {
		return credit.ErrOtherKeys
	}
	_, err := tx.Exec(ctx, `DELETE FROM settings`)
	return err
}

// copyTable copies one table by COPY and returns its row count and the
// checksum of the values as written.
func copyTable(ctx context.Context, src *sql.Tx, tx pgx.Tx, t table) (int64, string, error) {
	query := t.source
	if query == "" {
		names := make([]string, len(t.columns))
		for i, c := range t.columns {
			names[i] = c.name
		}
		query = `SELECT ` + strings.Join(names, ", ") + ` FROM ` + t.name + ` ORDER BY ` + t.order
	}
	rows, err := src.QueryContext(ctx, query)
	if err != nil {
		return 0, "", err
	}
	defer rows.Close()
	width := len(t.columns)
	if t.derive != nil {
		width++ // the source has one column more, for derive
	}
	raw := make([]any, width)
	ptrs := make([]any, width)
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	sum := sha256.New()
	var n int64
	var failed error
	next := func() ([]any, bool) {
		if failed != nil || !rows.Next() {
			return nil, false
		}
		if err := rows.Scan(ptrs...); err != nil {
			failed = err
			return nil, false
		}
		out := make([]any, len(t.columns), len(t.columns)+len(t.extra))
		for i, c := range t.columns {
			v, err := convert(c, raw[i])
			if err != nil {
				failed = fmt.Errorf("row %d, %s: %w", n+1, c.name, err)
				return nil, false
			}
			out[i] = v
		}
		writeRow(sum, t.columns, out)
		if t.derive != nil {
			out = append(out, t.derive(raw)...)
		}
		n++
		return out, true
	}
	target := make([]string, 0, len(t.columns)+len(t.extra))
	for _, c := range t.columns {
		target = append(target, c.name)
	}
	target = append(target, t.extra...)
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, target, &rowSource{next: next}); err != nil {
		return 0, "", err
	}
	if failed != nil {
		return 0, "", failed
	}
	if err := rows.Err(); err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(sum.Sum(nil)), nil
}

type rowSource struct {
	next func() ([]any, bool)
	row  []any
}

func (r *rowSource) Next() bool {
	var ok bool
	r.row, ok = r.next()
	return ok
}
func (r *rowSource) Values() ([]any, error) { return r.row, nil }
func (r *rowSource) Err() error             { return nil }

// convert turns a SQLite value into what the PostgreSQL column takes.
func convert(c column, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	s, isText := v.(string)
	switch c.kind {
	case number:
		switch x := v.(type) {
		case int64:
			return x, nil
		case string:
			return strconv.ParseInt(x, 10, 64)
		}
	case real:
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		}
	case boolean:
		if x, ok := v.(int64); ok {
			return x != 0, nil
		}
	case stamp:
		if isText {
			if s == "" {
				return nil, nil
			}
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return nil, err
			}
			return t.UTC().Truncate(time.Microsecond), nil // PostgreSQL keeps microseconds
		}
	case day:
		if isText {
			if s == "" {
				return nil, nil
			}
			if _, err := time.Parse(time.DateOnly, s); err != nil {
				return nil, err
			}
			return s, nil
		}
	case bytes:
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
	default:
		if isText {
			return s, nil
		}
		if b, ok := v.([]byte); ok {
			return string(b), nil
		}
	}
	return nil, fmt.Errorf("unexpected %T value", v)
}

// writeRow adds a row's values to the checksum in a form both databases'
// values reach: NULL, numbers in decimal, booleans t/f, timestamps in UTC
// RFC 3339, days as YYYY-MM-DD, bytes in hex; each value length-prefixed.
func writeRow(h hash.Hash, cs []column, vals []any) {
	for i, c := range cs {
		var s string
		switch v := vals[i].(type) {
		case nil:
			s = "\x00NULL"
		case string:
			s = v
		case int64:
			s = strconv.FormatInt(v, 10)
		case int32:
			s = strconv.FormatInt(int64(v), 10)
		case float64:
			s = strconv.FormatFloat(v, 'g', -1, 64)
		case bool:
			s = strconv.FormatBool(v)
		case []byte:
			s = hex.EncodeToString(v)
		case time.Time:
			if c.kind == day {
				s = v.Format(time.DateOnly)
			} else {
				s = v.UTC().Format(time.RFC3339Nano)
			}
		default:
			s = fmt.Sprint(v)
		}
		fmt.Fprintf(h, "%d:%s;", len(s), s)
	}
	h.Write([]byte{'\n'})
}

// checksumTarget reads the table back from the target, inside the move's
// transaction.
func checksumTarget(ctx context.Context, tx pgx.Tx, t table) (int64, string, error) {
	names := make([]string, len(t.columns))
	for i, c := range t.columns {
		names[i] = c.name
	}
	order := t.order
	if t.targetOrder != "" {
		order = t.targetOrder
	}
	rows, err := tx.Query(ctx, `SELECT `+strings.Join(names, ", ")+` FROM `+t.name+` ORDER BY `+order)
	if err != nil {
		return 0, "", err
	}
	defer rows.Close()
	sum := sha256.New()
	var n int64
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return 0, "", err
		}
		writeRow(sum, t.columns, vals)
		n++
	}
	return n, hex.EncodeToString(sum.Sum(nil)), rows.Err()
}

// verifyAudit walks the moved audit chain.
func verifyAudit(ctx context.Context, tx pgx.Tx) (int, error) {
	rows, err := tx.Query(ctx, `SELECT seq, at, actor, action, object, detail, prev, hash FROM audit_log ORDER BY seq`)
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
			return 0, credit.Errorf(credit.EINTERNAL, "迁移后的审计链在第 %d 条断开：%v；未提交任何数据",
				"the moved audit chain breaks at entry %d: %v; nothing was committed", v.Count()+1, err)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return int(v.Count()), nil
}
