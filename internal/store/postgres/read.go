package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/workday"
)

// Record returns a record with its whole version history.
func (db *DB) Record(ctx context.Context, id int64) (*credit.Record, error) {
	var r credit.Record
	var uscc *string
	// One snapshot for the record and its history.
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	cur, err := scanVersion(tx.QueryRow(ctx, `SELECT r.id, p.code, p.name, r.item, r.business_key, r.subject_id, s.uscc, s.name, r.status,
		r.objection, r.first_submitted_at, `+versionColumns+`
		FROM record_keys k
		JOIN records r ON r.subject_id = k.subject_id AND r.id = k.id
		JOIN providers p ON p.id = r.provider_id
		JOIN subjects s ON s.id = r.subject_id
		WHERE k.id = $1`, id),
		&r.ID, &r.ProviderCode, &r.ProviderName, &r.Item, &r.BusinessKey, &r.SubjectID, &uscc, &r.SubjectName, &r.Status, &r.UnderObjection, &r.FirstSubmittedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, credit.Errorf(credit.ENOTFOUND, "记录 %d 不存在", "record %d does not exist", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read record: %w", err)
	}
	if uscc != nil {
		r.SubjectUSCC = *uscc
	}
	r.FirstSubmittedAt, r.UpdatedAt = r.FirstSubmittedAt.UTC(), cur.SubmittedAt
	rows, err := tx.Query(ctx, `SELECT `+versionColumns+` FROM record_history WHERE record_id = $1 ORDER BY version`, id)
	if err != nil {
		return nil, fmt.Errorf("read versions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, err
		}
		r.Versions = append(r.Versions, *v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	r.Versions = append(r.Versions, *cur)
	r.Current = *cur
	return &r, nil
}

const versionColumns = `version, catalog_version, fields, sealed, decision_date, submission_deadline, deadline_estimated, on_time,
	severity, public, published_from, published_until, submitted_at, request_id`

// scanVersion scans versionColumns, after the destinations in before.
func scanVersion(s pgx.Row, before ...any) (*credit.RecordVersion, error) {
	var v credit.RecordVersion
	var fields string
	var decision, deadline, from, until *time.Time
	dest := append(before, &v.Version, &v.CatalogVersion, &fields, &v.Sealed, &decision, &deadline, &v.DeadlineEstimated, &v.OnTime,
		&v.Severity, &v.Public, &from, &until, &v.SubmittedAt, &v.RequestID)
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(fields), &v.Fields); err != nil {
		return nil, fmt.Errorf("record fields: %w", err)
	}
	v.DecisionDate, v.SubmissionDeadline = localDay(decision), localDay(deadline)
	v.PublishedFrom, v.PublishedUntil = localDay(from), localDay(until)
	v.SubmittedAt = v.SubmittedAt.UTC()
	return &v, nil
}

// localDay is a stored date as the calendar day in China Standard Time,
// as the SQLite backend returns it.
func localDay(d *time.Time) *time.Time {
	if d == nil {
		return nil
	}
	t := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, workday.CST)
	return &t
}

// dayArg is a calendar day for storage, or NULL for nil.
func dayArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.Format(time.DateOnly)
}

// SubjectByUSCC returns an organisation with its name history, in one
// query (a public lookup makes several; each costs a round trip).
func (db *DB) SubjectByUSCC(ctx context.Context, uscc string) (*credit.Subject, error) {
	rows, err := db.pool.Query(ctx, `SELECT s.id, s.kind, s.uscc, s.type, s.name, s.created_at, s.updated_at, n.name, n.first_seen, n.as_of
		FROM subjects s LEFT JOIN subject_names n ON n.subject_id = s.id
		WHERE s.uscc = $1 AND s.kind = 'org'
		ORDER BY n.name = s.name DESC, n.as_of DESC NULLS LAST, n.id DESC`, uscc)
	if err != nil {
		return nil, fmt.Errorf("read subject: %w", err)
	}
	defer rows.Close()
	var s *credit.Subject
	for rows.Next() {
		var got credit.Subject
		var name *string
		var firstSeen *time.Time
		var asOf *time.Time
		if err := rows.Scan(&got.ID, &got.Kind, &got.USCC, &got.Type, &got.Name, &got.CreatedAt, &got.UpdatedAt, &name, &firstSeen, &asOf); err != nil {
			return nil, fmt.Errorf("read subject: %w", err)
		}
		if s == nil {
			got.CreatedAt, got.UpdatedAt = got.CreatedAt.UTC(), got.UpdatedAt.UTC()
			s = &got
		}
		if name == nil {
			continue
		}
		n := credit.SubjectName{Name: *name}
		if firstSeen != nil {
			n.FirstSeen = firstSeen.UTC()
		}
		if d := localDay(asOf); d != nil {
			n.AsOf = *d
		}
		s.Names = append(s.Names, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read subject: %w", err)
	}
	if s == nil {
		return nil, credit.Errorf(credit.ENOTFOUND, "未找到统一社会信用代码为 %s 的主体", "no subject with unified social credit code %s", uscc)
	}
	return s, nil
}

// publicOn selects the records shown publicly on the day in the parameter
// day (such as "$2"): public items, active, within their publication window.
func publicOn(day string) string {
	return `r.public AND r.status = 'active'
	AND r.published_from <= ` + day + ` AND (r.published_until IS NULL OR r.published_until >= ` + day + `)`
}

// publicWhere selects a subject's records shown publicly on a day ($2).
var publicWhere = `r.subject_id = $1 AND ` + publicOn("$2")

// PublicCounts returns, by item, how many of the subject's records are
// public on day.
func (db *DB) PublicCounts(ctx context.Context, subjectID int64, day time.Time) (map[string]int, error) {
	rows, err := db.pool.Query(ctx, `SELECT r.item, count(*) FROM records r WHERE `+publicWhere+` GROUP BY r.item`,
		subjectID, day.Format(time.DateOnly))
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
	rows, err := db.pool.Query(ctx, `SELECT r.id, p.code, p.name, r.item, r.business_key, r.status, r.objection, r.first_submitted_at,
		r.version, r.catalog_version, r.fields, NULL::bytea, r.decision_date, r.submission_deadline, r.deadline_estimated, r.on_time,
		r.severity, r.public, r.published_from, r.published_until, r.submitted_at, r.request_id
		FROM records r
		JOIN providers p ON p.id = r.provider_id
		WHERE `+publicWhere+` AND r.item = $3
		ORDER BY r.published_from DESC, r.id DESC LIMIT $4 OFFSET $5`, subjectID, day.Format(time.DateOnly), item, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("read public records: %w", err)
	}
	defer rows.Close()
	var out []*credit.Record
	for rows.Next() {
		r := credit.Record{SubjectID: subjectID}
		v, err := scanVersion(rows, &r.ID, &r.ProviderCode, &r.ProviderName, &r.Item, &r.BusinessKey, &r.Status, &r.UnderObjection, &r.FirstSubmittedAt)
		if err != nil {
			return nil, err
		}
		r.FirstSubmittedAt, r.UpdatedAt = r.FirstSubmittedAt.UTC(), v.SubmittedAt
		r.Current = *v
		out = append(out, &r)
	}
	return out, rows.Err()
}
