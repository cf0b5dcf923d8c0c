package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/xinyong/xinyong/internal/credit"
)

// Record returns a record with its whole version history.
func (db *DB) Record(ctx context.Context, id int64) (*credit.Record, error) {
	var r credit.Record
	var first string
	var uscc sql.NullString
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}) // one snapshot for the record and its history
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	cur, err := scanVersion(tx.QueryRowContext(ctx, `SELECT r.id, p.code, p.name, r.item, r.business_key, r.subject_id, s.uscc, s.name, r.status, r.objection, r.first_submitted_at,
		`+versionColumns+`
		FROM records r JOIN providers p ON p.id = r.provider_id JOIN subjects s ON s.id = r.subject_id WHERE r.id = ?`, id),
		&r.ID, &r.ProviderCode, &r.ProviderName, &r.Item, &r.BusinessKey, &r.SubjectID, &uscc, &r.SubjectName, &r.Status, &r.UnderObjection, &first)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, credit.Errorf(credit.ENOTFOUND, "记录 %d 不存在", "record %d does not exist", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read record: %w", err)
	}
	r.SubjectUSCC = uscc.String
	r.FirstSubmittedAt, r.UpdatedAt = parseTS(first), cur.SubmittedAt
	rows, err := tx.QueryContext(ctx, `SELECT `+versionColumns+` FROM record_history WHERE record_id = ? ORDER BY version`, id)
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
func scanVersion(s scanner, before ...any) (*credit.RecordVersion, error) {
	var v credit.RecordVersion
	var fields, submitted string
	var decision, deadline, from, until sql.NullString
	var onTime sql.NullBool
	dest := append(before, &v.Version, &v.CatalogVersion, &fields, &v.Sealed, &decision, &deadline, &v.DeadlineEstimated, &onTime,
		&v.Severity, &v.Public, &from, &until, &submitted, &v.RequestID)
	if err := s.Scan(dest...); err != nil {
		return nil, fmt.Errorf("scan version: %w", err)
	}
	if err := json.Unmarshal([]byte(fields), &v.Fields); err != nil {
		return nil, fmt.Errorf("record fields: %w", err)
	}
	v.DecisionDate, v.SubmissionDeadline = parseDay(decision), parseDay(deadline)
	v.PublishedFrom, v.PublishedUntil = parseDay(from), parseDay(until)
	if onTime.Valid {
		v.OnTime = &onTime.Bool
	}
	v.SubmittedAt = parseTS(submitted)
	return &v, nil
}
