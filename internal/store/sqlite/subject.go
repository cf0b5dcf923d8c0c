package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/names"
)

// spaced separates the letters and digits of a name so that the unicode61
// tokenizer makes each its own token.
func spaced(s string) string { return strings.Join(names.Letters(s), " ") }

// SubjectByUSCC returns an organisation with its name history.
func (db *DB) SubjectByUSCC(ctx context.Context, uscc string) (*credit.Subject, error) {
	var s credit.Subject
	var created, updated string
	st, err := db.readStmt(ctx, `SELECT id, kind, uscc, type, name, created_at, updated_at FROM subjects WHERE uscc = ? AND kind = 'org'`)
	if err != nil {
		return nil, err
	}
	err = st.QueryRowContext(ctx, uscc).Scan(&s.ID, &s.Kind, &s.USCC, &s.Type, &s.Name, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, credit.Errorf(credit.ENOTFOUND, "未找到统一社会信用代码为 %s 的主体", "no subject with unified social credit code %s", uscc)
	}
	if err != nil {
		return nil, fmt.Errorf("read subject: %w", err)
	}
	s.CreatedAt, s.UpdatedAt = parseTS(created), parseTS(updated)
	names, err := db.readStmt(ctx, `SELECT name, first_seen, coalesce(as_of, '') FROM subject_names WHERE subject_id = ?
		ORDER BY name = ? DESC, as_of DESC, id DESC`)
	if err != nil {
		return nil, err
	}
	rows, err := names.QueryContext(ctx, s.ID, s.Name)
	if err != nil {
		return nil, fmt.Errorf("read names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n credit.SubjectName
		var first, asOf string
		if err := rows.Scan(&n.Name, &first, &asOf); err != nil {
			return nil, err
		}
		n.FirstSeen = parseTS(first)
		if t := parseDay(sql.NullString{String: asOf, Valid: asOf != ""}); t != nil {
			n.AsOf = *t
		}
		s.Names = append(s.Names, n)
	}
	return &s, rows.Err()
}

// publicOn selects the records shown publicly on a day, given twice (as
// YYYY-MM-DD): public items, active, within their publication window.
const publicOn = `r.public = 1 AND r.status = 'active'
	AND r.published_from <= ? AND (r.published_until IS NULL OR r.published_until >= ?)`

// publicWhere selects a subject's records shown publicly on a day.
const publicWhere = `r.subject_id = ? AND ` + publicOn

// PublicCounts returns, by item, how many of the subject's records are
// public on day.
func (db *DB) PublicCounts(ctx context.Context, subjectID int64, day time.Time) (map[string]int, error) {
	d := day.Format(time.DateOnly)
	st, err := db.readStmt(ctx, `SELECT r.item, count(*) FROM records r WHERE `+publicWhere+` GROUP BY r.item`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, subjectID, d, d)
	if err != nil {
		return nil, fmt.Errorf("count public records: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var item string
		var n int
		if err := rows.Scan(&item, &n); err != nil {
			return nil, err
		}
		out[item] = n
	}
	return out, rows.Err()
}

// PublicRecords returns a page of the subject's records of item shown
// publicly on day, newest first. The sealed personal values are not read.
func (db *DB) PublicRecords(ctx context.Context, subjectID int64, item string, day time.Time, limit, offset int) ([]*credit.Record, error) {
	d := day.Format(time.DateOnly)
	st, err := db.readStmt(ctx, `SELECT r.id, p.code, p.name, r.item, r.business_key, r.status, r.objection, r.first_submitted_at,
		r.version, r.catalog_version, r.fields, NULL, r.decision_date, r.submission_deadline, r.deadline_estimated, r.on_time,
		r.severity, r.public, r.published_from, r.published_until, r.submitted_at, r.request_id
		FROM records r
		JOIN providers p ON p.id = r.provider_id
		WHERE `+publicWhere+` AND r.item = ?
		ORDER BY r.published_from DESC, r.id DESC LIMIT ? OFFSET ?`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, subjectID, d, d, item, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("read public records: %w", err)
	}
	defer rows.Close()
	var out []*credit.Record
	for rows.Next() {
		r := credit.Record{SubjectID: subjectID}
		var first string
		v, err := scanVersion(rows, &r.ID, &r.ProviderCode, &r.ProviderName, &r.Item, &r.BusinessKey, &r.Status, &r.UnderObjection, &first)
		if err != nil {
			return nil, err
		}
		r.FirstSubmittedAt, r.UpdatedAt = parseTS(first), v.SubmittedAt
		r.Current = *v
		out = append(out, &r)
	}
	return out, rows.Err()
}
