package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/workday"
)

// nullTS stores a time, NULL for the zero time.
func nullTS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}

func parseNullTS(s sql.NullString) time.Time {
	if !s.Valid {
		return time.Time{}
	}
	return parseTS(s.String)
}

// caseRecord checks that the record exists and returns its item.
func caseRecord(ctx context.Context, t *tx, id int64) (string, error) {
	var item string
	err := t.QueryRowContext(ctx, `SELECT item FROM records WHERE id = ?`, id).Scan(&item)
	if errors.Is(err, sql.ErrNoRows) {
		return "", credit.Errorf(credit.ENOTFOUND, "记录 %d 不存在", "record %d does not exist", id)
	}
	return item, err
}

// insertFiles stores a case's evidence files.
func insertFiles(ctx context.Context, t *tx, kind string, id int64, files []credit.EvidenceFile) error {
	for i := range files {
		f := &files[i]
		res, err := t.ExecContext(ctx, `INSERT INTO case_files (case_kind, case_id, name, type, size, sha256, data) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			kind, id, f.Name, f.Type, f.Size, f.SHA256, f.Data)
		if err != nil {
			return fmt.Errorf("insert evidence: %w", err)
		}
		if f.ID, err = res.LastInsertId(); err != nil {
			return err
		}
	}
	return nil
}

// insertStep appends a step to a case.
func insertStep(ctx context.Context, t *tx, kind string, id int64, s credit.CaseStep) error {
	_, err := t.ExecContext(ctx, `INSERT INTO case_steps (case_kind, case_id, seq, step, at, actor, reason, days, outcome)
		VALUES (?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM case_steps WHERE case_kind = ? AND case_id = ?), ?, ?, ?, ?, ?, ?)`,
		kind, id, kind, id, s.Kind, ts(s.At), s.Actor, s.Reason, s.Days, s.Outcome)
	if err != nil {
		return fmt.Errorf("insert step: %w", err)
	}
	return nil
}

// CreateObjection stores o as filed with its files and audit entry.
func (db *DB) CreateObjection(ctx context.Context, o *credit.Objection) error {
	t, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback()
	if _, err := caseRecord(ctx, t, o.RecordID); err != nil {
		return err
	}
	applicant, _ := json.Marshal(o.Applicant)
	o.FiledAt, o.Version = t.now, 1
	res, err := t.ExecContext(ctx, `INSERT INTO objections (number, record_id, ground, statement, applicant, token_hash, state, filed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, "", o.RecordID, o.Ground, o.Statement, string(applicant), o.TokenHash, o.State, ts(t.now))
	if err != nil {
		return fmt.Errorf("insert objection: %w", err)
	}
	if o.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	o.Number = credit.CaseNumber("YY", t.now.In(workday.CST), o.ID)
	if _, err := t.ExecContext(ctx, `UPDATE objections SET number = ? WHERE id = ?`, o.Number, o.ID); err != nil {
		return fmt.Errorf("number objection: %w", err)
	}
	if err := insertFiles(ctx, t, "objection", o.ID, o.Files); err != nil {
		return err
	}
	step := credit.CaseStep{Kind: "file", At: t.now, Actor: "applicant", Reason: o.Ground}
	if err := insertStep(ctx, t, "objection", o.ID, step); err != nil {
		return err
	}
	o.Steps = []credit.CaseStep{step}
	detail, _ := json.Marshal(map[string]any{"number": o.Number, "record": o.RecordID, "ground": o.Ground, "files": len(o.Files)})
	if err := t.record(ctx, "applicant", "objection.file", "objection:"+strconv.FormatInt(o.ID, 10), string(detail)); err != nil {
		return err
	}
	return t.Commit()
}

const objectionColumns = `o.id, o.number, o.record_id, r.item, p.code, p.name, coalesce(s.uscc, ''), s.name, o.ground, o.statement, o.applicant,
	o.token_hash, o.state, o.filed_at, o.accepted_at, o.forwarded_at, o.decided_at, o.extended, o.paused_since, o.paused, o.outcome, o.reasons,
	o.escalated_at, o.version
	FROM objections o JOIN records r ON r.id = o.record_id JOIN providers p ON p.id = r.provider_id JOIN subjects s ON s.id = r.subject_id`

func scanObjection(sc scanner) (*credit.Objection, error) {
	var o credit.Objection
	var applicant, filed string
	var accepted, forwarded, decided, paused, escalated sql.NullString
	err := sc.Scan(&o.ID, &o.Number, &o.RecordID, &o.Item, &o.ProviderCode, &o.ProviderName, &o.SubjectUSCC, &o.SubjectName, &o.Ground, &o.Statement,
		&applicant, &o.TokenHash, &o.State, &filed, &accepted, &forwarded, &decided, &o.Extended, &paused, &o.Paused, &o.Outcome, &o.Reasons,
		&escalated, &o.Version)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(applicant), &o.Applicant); err != nil {
		return nil, fmt.Errorf("objection applicant: %w", err)
	}
	o.FiledAt, o.AcceptedAt, o.ForwardedAt = parseTS(filed), parseNullTS(accepted), parseNullTS(forwarded)
	o.DecidedAt, o.PausedSince, o.EscalatedAt = parseNullTS(decided), parseNullTS(paused), parseNullTS(escalated)
	return &o, nil
}

// Objection returns a case with its steps and files.
func (db *DB) Objection(ctx context.Context, id int64) (*credit.Objection, error) {
	return db.objection(ctx, `o.id = ?`, id)
}

// ObjectionByToken returns the case of a tracking token's hash.
func (db *DB) ObjectionByToken(ctx context.Context, tokenHash []byte) (*credit.Objection, error) {
	return db.objection(ctx, `o.token_hash = ?`, tokenHash)
}

func (db *DB) objection(ctx context.Context, where string, arg any) (*credit.Objection, error) {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	o, err := scanObjection(tx.QueryRowContext(ctx, `SELECT `+objectionColumns+` WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, credit.Errorf(credit.ENOTFOUND, "没有这件异议", "no such objection")
	}
	if err != nil {
		return nil, fmt.Errorf("read objection: %w", err)
	}
	if o.Steps, o.Files, err = caseDetails(ctx, tx, "objection", o.ID); err != nil {
		return nil, err
	}
	return o, nil
}

// caseDetails reads a case's steps and its files' metadata.
func caseDetails(ctx context.Context, tx *sql.Tx, kind string, id int64) ([]credit.CaseStep, []credit.EvidenceFile, error) {
	rows, err := tx.QueryContext(ctx, `SELECT step, at, actor, reason, days, outcome FROM case_steps WHERE case_kind = ? AND case_id = ? ORDER BY seq`, kind, id)
	if err != nil {
		return nil, nil, fmt.Errorf("read steps: %w", err)
	}
	defer rows.Close()
	var steps []credit.CaseStep
	for rows.Next() {
		var s credit.CaseStep
		var at string
		if err := rows.Scan(&s.Kind, &at, &s.Actor, &s.Reason, &s.Days, &s.Outcome); err != nil {
			return nil, nil, err
		}
		s.At = parseTS(at)
		steps = append(steps, s)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	frows, err := tx.QueryContext(ctx, `SELECT id, name, type, size, sha256 FROM case_files WHERE case_kind = ? AND case_id = ? ORDER BY id`, kind, id)
	if err != nil {
		return nil, nil, fmt.Errorf("read files: %w", err)
	}
	defer frows.Close()
	var files []credit.EvidenceFile
	for frows.Next() {
		var f credit.EvidenceFile
		if err := frows.Scan(&f.ID, &f.Name, &f.Type, &f.Size, &f.SHA256); err != nil {
			return nil, nil, err
		}
		files = append(files, f)
	}
	return steps, files, frows.Err()
}

// caseWhere builds the WHERE of a case listing from f, for table alias a.
func caseWhere(a string, f credit.CaseFilter) (string, []any) {
	where, args := []string{"1 = 1"}, []any{}
	if len(f.States) > 0 {
		where = append(where, a+".state IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(f.States)), ", ")+")")
		for _, s := range f.States {
			args = append(args, s)
		}
	}
	if f.ProviderCode != "" {
		where = append(where, "p.code = ?")
		args = append(args, f.ProviderCode)
	}
	if f.RecordID != 0 {
		where = append(where, a+".record_id = ?")
		args = append(args, f.RecordID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 500
	}
	args = append(args, limit)
	return strings.Join(where, " AND ") + " ORDER BY " + a + ".id LIMIT ?", args
}

// Objections lists cases, oldest first.
func (db *DB) Objections(ctx context.Context, f credit.CaseFilter) ([]*credit.Objection, error) {
	where, args := caseWhere("o", f)
	rows, err := db.read.QueryContext(ctx, `SELECT `+objectionColumns+` WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list objections: %w", err)
	}
	defer rows.Close()
	var out []*credit.Objection
	for rows.Next() {
		o, err := scanObjection(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// UpdateObjection stores o's case after step s with its effect on the
// record, if the stored case is still at o.Version.
func (db *DB) UpdateObjection(ctx context.Context, o *credit.Objection, s credit.CaseStep, effect credit.RecordEffect) error {
	t, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback()
	s.At = t.now
	res, err := t.ExecContext(ctx, `UPDATE objections SET state = ?, accepted_at = ?, forwarded_at = ?, decided_at = ?, extended = ?, paused_since = ?,
		paused = ?, outcome = ?, reasons = ?, applicant = ?, version = version + 1 WHERE id = ? AND version = ?`,
		o.State, nullTS(o.AcceptedAt), nullTS(o.ForwardedAt), nullTS(o.DecidedAt), o.Extended, nullTS(o.PausedSince), o.Paused, o.Outcome, o.Reasons,
		mustJSON(o.Applicant), o.ID, o.Version)
	if err != nil {
		return fmt.Errorf("update objection: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return credit.ErrCaseMoved("异议", "objection", o.Number)
	}
	ref := "objection:" + strconv.FormatInt(o.ID, 10)
	if err := applyEffect(ctx, t, o.RecordID, effect, s, ref); err != nil {
		return err
	}
	if err := insertStep(ctx, t, "objection", o.ID, s); err != nil {
		return err
	}
	detail, _ := json.Marshal(map[string]any{"number": o.Number, "step": s.Kind, "state": o.State, "outcome": s.Outcome, "days": s.Days, "reason": s.Reason})
	if err := t.record(ctx, s.Actor, "objection."+s.Kind, ref, string(detail)); err != nil {
		return err
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	o.Version++
	o.Steps = append(o.Steps, s)
	return nil
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// applyEffect changes the record as a step requires, with its events.
func applyEffect(ctx context.Context, t *tx, recordID int64, e credit.RecordEffect, s credit.CaseStep, ref string) error {
	if e.Mark != nil {
		mark := 0
		kind := "objection.clear"
		if *e.Mark {
			mark, kind = 1, "objection.mark"
		}
		if _, err := t.ExecContext(ctx, `UPDATE records SET objection = ? WHERE id = ?`, mark, recordID); err != nil {
			return fmt.Errorf("mark record: %w", err)
		}
		if err := recordEvent(ctx, t, recordID, credit.RecordEvent{At: t.now, Kind: kind, Actor: s.Actor, Reason: s.Reason, Ref: ref}); err != nil {
			return err
		}
	}
	if e.Status != "" {
		if err := setStatus(ctx, t, recordID, e.From, e.Status, s.Actor, s.Reason, ref); err != nil {
			return err
		}
	}
	return nil
}

func recordEvent(ctx context.Context, t *tx, id int64, ev credit.RecordEvent) error {
	_, err := t.ExecContext(ctx, `INSERT INTO record_events (record_id, at, kind, actor, reason, ref) VALUES (?, ?, ?, ?, ?, ?)`,
		id, ts(ev.At), ev.Kind, ev.Actor, ev.Reason, ev.Ref)
	if err != nil {
		return fmt.Errorf("record event: %w", err)
	}
	return nil
}

// setStatus moves a record from one of from (any when empty) to status.
func setStatus(ctx context.Context, t *tx, id int64, from []string, status, actor, reason, ref string) error {
	var cur string
	err := t.QueryRowContext(ctx, `SELECT status FROM records WHERE id = ?`, id).Scan(&cur)
	if errors.Is(err, sql.ErrNoRows) {
		return credit.Errorf(credit.ENOTFOUND, "记录 %d 不存在", "record %d does not exist", id)
	}
	if err != nil {
		return fmt.Errorf("read record status: %w", err)
	}
	if len(from) > 0 && !slices.Contains(from, cur) {
		return credit.Errorf(credit.ECONFLICT, "记录 %d 当前状态为“%s”，不能变更为“%s”", "record %d is %s: it cannot become %s", id, cur, status)
	}
	if _, err := t.ExecContext(ctx, `UPDATE records SET status = ? WHERE id = ?`, status, id); err != nil {
		return fmt.Errorf("set record status: %w", err)
	}
	return recordEvent(ctx, t, id, credit.RecordEvent{At: t.now, Kind: status, Actor: actor, Reason: reason, Ref: ref})
}

// SetRecordStatus changes a record's status with its event and audit entry.
func (db *DB) SetRecordStatus(ctx context.Context, id int64, from []string, to, actor, reason string) error {
	t, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback()
	if err := setStatus(ctx, t, id, from, to, actor, reason, ""); err != nil {
		return err
	}
	detail, _ := json.Marshal(map[string]string{"status": to, "reason": reason})
	if err := t.record(ctx, actor, "record."+to, "record:"+strconv.FormatInt(id, 10), string(detail)); err != nil {
		return err
	}
	return t.Commit()
}

// RecordEvents returns a record's events, oldest first.
func (db *DB) RecordEvents(ctx context.Context, id int64) ([]credit.RecordEvent, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT at, kind, actor, reason, ref FROM record_events WHERE record_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("read record events: %w", err)
	}
	defer rows.Close()
	var out []credit.RecordEvent
	for rows.Next() {
		var ev credit.RecordEvent
		var at string
		if err := rows.Scan(&at, &ev.Kind, &ev.Actor, &ev.Reason, &ev.Ref); err != nil {
			return nil, err
		}
		ev.At = parseTS(at)
		out = append(out, ev)
	}
	return out, rows.Err()
}

// ArchiveRecords archives up to limit records of item decided on or
// before decidedBy.
func (db *DB) ArchiveRecords(ctx context.Context, item string, decidedBy time.Time, limit int) (int, error) {
	t, err := db.begin(ctx)
	if err != nil {
		return 0, err
	}
	defer t.Rollback()
	rows, err := t.QueryContext(ctx, `SELECT id FROM records WHERE item = ? AND status IN ('active', 'stopped') AND decision_date <= ? ORDER BY id LIMIT ?`,
		item, decidedBy.Format(time.DateOnly), limit)
	if err != nil {
		return 0, fmt.Errorf("find records to archive: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, nil
	}
	reason := "decided on or before " + decidedBy.Format(time.DateOnly)
	for _, id := range ids {
		if err := setStatus(ctx, t, id, nil, credit.RecordArchived, "scheduler", reason, ""); err != nil {
			return 0, err
		}
	}
	detail, _ := json.Marshal(map[string]any{"item": item, "decided_by": decidedBy.Format(time.DateOnly), "records": len(ids), "first": ids[0], "last": ids[len(ids)-1]})
	if err := t.record(ctx, "scheduler", "records.archive", "item:"+item, string(detail)); err != nil {
		return 0, err
	}
	return len(ids), t.Commit()
}

// EscalateObjection marks a case escalated, once.
func (db *DB) EscalateObjection(ctx context.Context, id int64, reason string) (bool, error) {
	t, err := db.begin(ctx)
	if err != nil {
		return false, err
	}
	defer t.Rollback()
	res, err := t.ExecContext(ctx, `UPDATE objections SET escalated_at = ? WHERE id = ? AND escalated_at IS NULL`, ts(t.now), id)
	if err != nil {
		return false, fmt.Errorf("escalate objection: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if err := t.record(ctx, "scheduler", "objection.escalate", "objection:"+strconv.FormatInt(id, 10), mustJSON(map[string]string{"reason": reason})); err != nil {
		return false, err
	}
	return true, t.Commit()
}

// EvidenceFile returns a case's file with its data.
func (db *DB) EvidenceFile(ctx context.Context, kind string, caseID, fileID int64) (*credit.EvidenceFile, error) {
	var f credit.EvidenceFile
	err := db.read.QueryRowContext(ctx, `SELECT id, name, type, size, sha256, data FROM case_files WHERE case_kind = ? AND case_id = ? AND id = ?`,
		kind, caseID, fileID).Scan(&f.ID, &f.Name, &f.Type, &f.Size, &f.SHA256, &f.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, credit.Errorf(credit.ENOTFOUND, "没有这个材料文件", "no such evidence file")
	}
	if err != nil {
		return nil, fmt.Errorf("read evidence: %w", err)
	}
	return &f, nil
}
