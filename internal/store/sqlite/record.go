package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/workday"
)

// Submit stores the drafts of s in one transaction, in order.
func (db *DB) Submit(ctx context.Context, s *credit.Submission) ([]credit.Outcome, error) {
	t, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer t.Rollback()
	st, err := prepareSubmit(ctx, t)
	if err != nil {
		return nil, err
	}
	defer st.close()
	out := make([]credit.Outcome, 0, len(s.Drafts))
	for _, d := range s.Drafts {
		o, err := submitOne(ctx, t, st, s, d)
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", d.Index, err)
		}
		out = append(out, o)
	}
	if err := t.Commit(); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	return out, nil
}

// submitStmts are the statements of a submission, prepared once per transaction.
type submitStmts struct {
	stmts
	findRecord, insertRecord, updateRecord, insertVersion *sql.Stmt
	subjects                                              *subjectStmts
}

func prepareSubmit(ctx context.Context, t *tx) (*submitStmts, error) {
	st := &submitStmts{stmts: stmts{ctx: ctx, t: t}}
	st.findRecord = st.prep(`SELECT id, version, content_hash, subject_id, first_submitted_at FROM records WHERE provider_id = ? AND item = ? AND business_key = ?`)
	st.insertRecord = st.prep(`INSERT INTO records (provider_id, item, business_key, subject_id, version, content_hash, public, published_from, published_until, first_submitted_at, updated_at)
		VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)`)
	st.updateRecord = st.prep(`UPDATE records SET subject_id = ?, version = ?, content_hash = ?, public = ?, published_from = ?, published_until = ?, updated_at = ? WHERE id = ?`)
	st.insertVersion = st.prep(`INSERT INTO record_versions (record_id, version, catalog_version, subject_id, fields, sealed, content_hash, decision_date,
		submission_deadline, deadline_estimated, on_time, severity, public, published_from, published_until, submitted_at, request_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	st.subjects = prepareSubjects(&st.stmts)
	if st.err != nil {
		st.close()
		return nil, st.err
	}
	return st, nil
}

func submitOne(ctx context.Context, t *tx, st *submitStmts, s *credit.Submission, d *credit.Draft) (credit.Outcome, error) {
	o := credit.Outcome{Index: d.Index}
	subjectID, label, err := resolveSubject(ctx, t, st.subjects, &d.Subject)
	if err != nil {
		return o, err
	}
	o.SubjectID, o.Subject = subjectID, label

	var (
		id, prevSubject int64
		version         int
		hash            []byte
		firstAt         string
	)
	err = st.findRecord.QueryRowContext(ctx, s.Provider.ID, s.Item, d.BusinessKey).Scan(&id, &version, &hash, &prevSubject, &firstAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err := st.insertRecord.ExecContext(ctx, s.Provider.ID, s.Item, d.BusinessKey, subjectID, d.ContentHash,
			d.Public, day(d.PublishedFrom), day(d.PublishedUntil), ts(t.now), ts(t.now))
		if err != nil {
			return o, fmt.Errorf("insert record: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return o, err
		}
		version, o.Status = 1, credit.StatusCreated
		firstAt = ts(t.now)
	case err != nil:
		return o, fmt.Errorf("find record: %w", err)
	case bytes.Equal(hash, d.ContentHash) && prevSubject == subjectID:
		o.Status, o.RecordID, o.Version = credit.StatusUnchanged, id, version
		return o, nil
	default:
		version++
		if _, err := st.updateRecord.ExecContext(ctx, subjectID, version, d.ContentHash, d.Public,
			day(d.PublishedFrom), day(d.PublishedUntil), ts(t.now), id); err != nil {
			return o, fmt.Errorf("update record: %w", err)
		}
		o.Status = credit.StatusUpdated
	}
	o.RecordID, o.Version = id, version

	fields, err := json.Marshal(d.Fields)
	if err != nil {
		return o, err
	}
	onTime := credit.OnTime(d.SubmissionDeadline, parseTS(firstAt).In(workday.CST))
	if _, err := st.insertVersion.ExecContext(ctx, id, version, s.CatalogVersion, subjectID, string(fields), d.Sealed, d.ContentHash,
		day(d.DecisionDate), day(d.SubmissionDeadline), d.DeadlineEstimated, onTime, d.Severity, d.Public,
		day(d.PublishedFrom), day(d.PublishedUntil), ts(t.now), s.RequestID); err != nil {
		return o, fmt.Errorf("insert version: %w", err)
	}
	action := "record.create"
	if o.Status == credit.StatusUpdated {
		action = "record.update"
	}
	detail := `{"item":` + strconv.Quote(s.Item) + `,"version":` + strconv.Itoa(version) + `,"request":` + strconv.Quote(s.RequestID) + `}`
	if err := t.record(ctx, "provider:"+s.Provider.Code, action, "record:"+strconv.FormatInt(id, 10), detail); err != nil {
		return o, err
	}
	return o, nil
}

// Record returns a record with its whole version history.
func (db *DB) Record(ctx context.Context, id int64) (*credit.Record, error) {
	var r credit.Record
	var first, updated string
	var uscc sql.NullString
	err := db.read.QueryRowContext(ctx, `SELECT r.id, p.code, p.name, r.item, r.business_key, r.subject_id, s.uscc, s.name, r.status, r.first_submitted_at, r.updated_at
		FROM records r JOIN providers p ON p.id = r.provider_id JOIN subjects s ON s.id = r.subject_id WHERE r.id = ?`, id).
		Scan(&r.ID, &r.ProviderCode, &r.ProviderName, &r.Item, &r.BusinessKey, &r.SubjectID, &uscc, &r.SubjectName, &r.Status, &first, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, credit.Errorf(credit.ENOTFOUND, "记录 %d 不存在", "record %d does not exist", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read record: %w", err)
	}
	r.SubjectUSCC = uscc.String
	r.FirstSubmittedAt, r.UpdatedAt = parseTS(first), parseTS(updated)
	rows, err := db.read.QueryContext(ctx, `SELECT `+versionColumns+` FROM record_versions WHERE record_id = ? ORDER BY version`, id)
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
	r.Current = r.Versions[len(r.Versions)-1]
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
