package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/workday"
)

// nullTime stores a time, NULL for the zero time.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// utcOrZero is a nullable stored time in UTC, the zero time for NULL.
func utcOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// nextID takes the next id of a case table from its identity, so that the
// case's number, which holds the id, is written with the row.
func nextID(ctx context.Context, t *tx, table string) (int64, error) {
	var id int64
	if err := t.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence($1, 'id'))`, table).Scan(&id); err != nil {
		return 0, fmt.Errorf("next %s id: %w", table, err)
	}
	return id, nil
}

// caseRecord checks that the record exists.
func caseRecord(ctx context.Context, t *tx, id int64) error {
	var one int
	err := t.QueryRow(ctx, `SELECT 1 FROM record_keys WHERE id = $1`, id).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return credit.Errorf(credit.ENOTFOUND, "记录 %d 不存在", "record %d does not exist", id)
	}
	if err != nil {
		return fmt.Errorf("find record: %w", err)
	}
	return nil
}

// insertFiles stores a case's evidence files, setting their IDs.
func insertFiles(ctx context.Context, t *tx, kind string, id int64, files []credit.EvidenceFile) error {
	for i := range files {
		f := &files[i]
		err := t.QueryRow(ctx, `INSERT INTO case_files (case_kind, case_id, name, type, size, sha256, data) VALUES ($1, $2, $3, $4, $5, $6, $7)
			RETURNING id`, kind, id, f.Name, f.Type, f.Size, f.SHA256, f.Data).Scan(&f.ID)
		if err != nil {
			return fmt.Errorf("insert evidence: %w", err)
		}
	}
	return nil
}

// insertStep appends a step to a case. The case's row is locked (created
// or updated) by the same transaction, so steps of one case are numbered
// one after another.
func insertStep(ctx context.Context, t *tx, kind string, id int64, s credit.CaseStep) error {
	_, err := t.Exec(ctx, `INSERT INTO case_steps (case_kind, case_id, seq, step, at, actor, reason, days, outcome)
		VALUES ($1, $2, (SELECT coalesce(max(seq), 0) + 1 FROM case_steps WHERE case_kind = $1 AND case_id = $2), $3, $4, $5, $6, $7, $8)`,
		kind, id, s.Kind, s.At, s.Actor, s.Reason, s.Days, s.Outcome)
	if err != nil {
		return fmt.Errorf("insert step: %w", err)
	}
	return nil
}

// CreateObjection stores o as filed with its files and audit entry.
func (db *DB) CreateObjection(ctx context.Context, o *credit.Objection) error {
	var id int64
	var number string
	var step credit.CaseStep
	err := db.inTx(ctx, func(t *tx) error {
		if err := caseRecord(ctx, t, o.RecordID); err != nil {
			return err
		}
		var err error
		if id, err = nextID(ctx, t, "objections"); err != nil {
			return err
		}
		number = credit.CaseNumber("YY", t.now.In(workday.CST), id)
		_, err = t.Exec(ctx, `INSERT INTO objections (id, number, record_id, ground, statement, applicant, token_hash, state, filed_at)
			OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			id, number, o.RecordID, o.Ground, o.Statement, jsonText(o.Applicant), o.TokenHash, o.State, t.now)
		if err != nil {
			return fmt.Errorf("insert objection: %w", err)
		}
		if err := insertFiles(ctx, t, "objection", id, o.Files); err != nil {
			return err
		}
		step = credit.CaseStep{Kind: "file", At: t.now, Actor: "applicant", Reason: o.Ground}
		if err := insertStep(ctx, t, "objection", id, step); err != nil {
			return err
		}
		detail := jsonText(map[string]any{"number": number, "record": o.RecordID, "ground": o.Ground, "files": len(o.Files)})
		return t.record(ctx, "applicant", "objection.file", "objection:"+strconv.FormatInt(id, 10), detail)
	})
	if err != nil {
		return err
	}
	o.ID, o.Number, o.FiledAt, o.Version = id, number, step.At, 1
	o.Steps = []credit.CaseStep{step}
	return nil
}

// caseFrom joins a case (alias a) to what the queue shows of its record:
// the item and provider from its key, the subject where it lives.
func caseFrom(table, a string) string {
	return ` FROM ` + table + ` ` + a + ` JOIN record_keys k ON k.id = ` + a + `.record_id JOIN providers p ON p.id = k.provider_id
	JOIN subjects s ON s.id = k.subject_id`
}

var objectionColumns = `o.id, o.number, o.record_id, k.item, p.code, p.name, coalesce(s.uscc, ''), s.name, o.ground, o.statement, o.applicant,
	o.token_hash, o.state, o.filed_at, o.accepted_at, o.forwarded_at, o.decided_at, o.extended, o.paused_since, o.paused, o.outcome, o.reasons,
	o.escalated_at, o.version` + caseFrom("objections", "o")

func scanObjection(row pgx.Row) (*credit.Objection, error) {
	var o credit.Objection
	var applicant string
	var accepted, forwarded, decided, paused, escalated *time.Time
	err := row.Scan(&o.ID, &o.Number, &o.RecordID, &o.Item, &o.ProviderCode, &o.ProviderName, &o.SubjectUSCC, &o.SubjectName, &o.Ground, &o.Statement,
		&applicant, &o.TokenHash, &o.State, &o.FiledAt, &accepted, &forwarded, &decided, &o.Extended, &paused, &o.Paused, &o.Outcome, &o.Reasons,
		&escalated, &o.Version)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(applicant), &o.Applicant); err != nil {
		return nil, fmt.Errorf("objection applicant: %w", err)
	}
	o.FiledAt, o.AcceptedAt, o.ForwardedAt = o.FiledAt.UTC(), utcOrZero(accepted), utcOrZero(forwarded)
	o.DecidedAt, o.PausedSince, o.EscalatedAt = utcOrZero(decided), utcOrZero(paused), utcOrZero(escalated)
	return &o, nil
}

// Objection returns a case with its steps and files.
func (db *DB) Objection(ctx context.Context, id int64) (*credit.Objection, error) {
	return db.objection(ctx, `o.id = $1`, id)
}

// ObjectionByToken returns the case of a tracking token's hash.
func (db *DB) ObjectionByToken(ctx context.Context, tokenHash []byte) (*credit.Objection, error) {
	return db.objection(ctx, `o.token_hash = $1`, tokenHash)
}

func (db *DB) objection(ctx context.Context, where string, arg any) (*credit.Objection, error) {
	// One snapshot for the case, its steps and its files.
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	o, err := scanObjection(tx.QueryRow(ctx, `SELECT `+objectionColumns+` WHERE `+where, arg))
	if errors.Is(err, pgx.ErrNoRows) {
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
func caseDetails(ctx context.Context, tx pgx.Tx, kind string, id int64) ([]credit.CaseStep, []credit.EvidenceFile, error) {
	rows, err := tx.Query(ctx, `SELECT step, at, actor, reason, days, outcome FROM case_steps WHERE case_kind = $1 AND case_id = $2 ORDER BY seq`, kind, id)
	if err != nil {
		return nil, nil, fmt.Errorf("read steps: %w", err)
	}
	var steps []credit.CaseStep
	for rows.Next() {
		var s credit.CaseStep
		if err := rows.Scan(&s.Kind, &s.At, &s.Actor, &s.Reason, &s.Days, &s.Outcome); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("read steps: %w", err)
		}
		s.At = s.At.UTC()
		steps = append(steps, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("read steps: %w", err)
	}
	rows, err = tx.Query(ctx, `SELECT id, name, type, size, sha256 FROM case_files WHERE case_kind = $1 AND case_id = $2 ORDER BY id`, kind, id)
	if err != nil {
		return nil, nil, fmt.Errorf("read files: %w", err)
	}
	defer rows.Close()
	var files []credit.EvidenceFile
	for rows.Next() {
		var f credit.EvidenceFile
		if err := rows.Scan(&f.ID, &f.Name, &f.Type, &f.Size, &f.SHA256); err != nil {
			return nil, nil, fmt.Errorf("read files: %w", err)
		}
		files = append(files, f)
	}
	return steps, files, rows.Err()
}

// caseWhere builds the WHERE of a case listing from f, for table alias a.
func caseWhere(a string, f credit.CaseFilter) (string, []any) {
	where, args := []string{"true"}, []any{}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if len(f.States) > 0 {
		where = append(where, a+".state = ANY("+arg(f.States)+"::text[])")
	}
	if f.ProviderCode != "" {
		where = append(where, "p.code = "+arg(f.ProviderCode))
	}
	if f.RecordID != 0 {
		where = append(where, a+".record_id = "+arg(f.RecordID))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 500
	}
	clause := strings.Join(where, " AND ") + " ORDER BY " + a + ".id LIMIT " + arg(limit)
	return clause, args
}

// Objections lists cases, oldest first.
func (db *DB) Objections(ctx context.Context, f credit.CaseFilter) ([]*credit.Objection, error) {
	where, args := caseWhere("o", f)
	rows, err := db.pool.Query(ctx, `SELECT `+objectionColumns+` WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list objections: %w", err)
	}
	defer rows.Close()
	var out []*credit.Objection
	for rows.Next() {
		o, err := scanObjection(rows)
		if err != nil {
			return nil, fmt.Errorf("list objections: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// UpdateObjection stores o's case after step s with its effect on the
// record, if the stored case is still at o.Version.
func (db *DB) UpdateObjection(ctx context.Context, o *credit.Objection, s credit.CaseStep, effect credit.RecordEffect) error {
	err := db.inTx(ctx, func(t *tx) error {
		s.At = t.now
		tag, err := t.Exec(ctx, `UPDATE objections SET state = $1, accepted_at = $2, forwarded_at = $3, decided_at = $4, extended = $5,
			paused_since = $6, paused = $7, outcome = $8, reasons = $9, applicant = $10, version = version + 1 WHERE id = $11 AND version = $12`,
			o.State, nullTime(o.AcceptedAt), nullTime(o.ForwardedAt), nullTime(o.DecidedAt), o.Extended, nullTime(o.PausedSince), o.Paused,
			o.Outcome, o.Reasons, jsonText(o.Applicant), o.ID, o.Version)
		if err != nil {
			return fmt.Errorf("update objection: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return credit.ErrCaseMoved("异议", "objection", o.Number)
		}
		ref := "objection:" + strconv.FormatInt(o.ID, 10)
		if err := applyEffect(ctx, t, o.RecordID, effect, s, ref); err != nil {
			return err
		}
		if err := insertStep(ctx, t, "objection", o.ID, s); err != nil {
			return err
		}
		detail := jsonText(map[string]any{"number": o.Number, "step": s.Kind, "state": o.State, "outcome": s.Outcome, "days": s.Days, "reason": s.Reason})
		return t.record(ctx, s.Actor, "objection."+s.Kind, ref, detail)
	})
	if err != nil {
		return err
	}
	o.Version++
	o.Steps = append(o.Steps, s)
	return nil
}

// lockedRecord is a record whose key and current version this
// transaction holds locked.
type lockedRecord struct {
	id, subjectID int64
	status        string
	decisionDate  *time.Time
}

// lockRecord locks a record's key, then its current version, in the
// order writers lock them, and returns what it is now. The version is
// read after the key is locked, so it is the latest committed one.
func lockRecord(ctx context.Context, t *tx, id int64) (*lockedRecord, error) {
	r := &lockedRecord{id: id}
	err := t.QueryRow(ctx, `SELECT subject_id FROM record_keys WHERE id = $1 FOR NO KEY UPDATE`, id).Scan(&r.subjectID)
	if err == nil {
		err = t.QueryRow(ctx, `SELECT status, decision_date FROM records WHERE subject_id = $1 AND id = $2 FOR NO KEY UPDATE`, r.subjectID, id).
			Scan(&r.status, &r.decisionDate)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, credit.Errorf(credit.ENOTFOUND, "记录 %d 不存在", "record %d does not exist", id)
	}
	if err != nil {
		return nil, fmt.Errorf("lock record: %w", err)
	}
	return r, nil
}

// applyEffect changes the record as a step requires, with its events.
func applyEffect(ctx context.Context, t *tx, recordID int64, e credit.RecordEffect, s credit.CaseStep, ref string) error {
	if e.Mark == nil && e.Status == "" {
		return nil
	}
	r, err := lockRecord(ctx, t, recordID)
	if err != nil {
		return err
	}
	if e.Mark != nil {
		kind := "objection.clear"
		if *e.Mark {
			kind = "objection.mark"
		}
		if _, err := t.Exec(ctx, `UPDATE records SET objection = $1 WHERE subject_id = $2 AND id = $3`, *e.Mark, r.subjectID, r.id); err != nil {
			return fmt.Errorf("mark record: %w", err)
		}
		if err := recordEvent(ctx, t, recordID, credit.RecordEvent{At: t.now, Kind: kind, Actor: s.Actor, Reason: s.Reason, Ref: ref}); err != nil {
			return err
		}
	}
	if e.Status != "" {
		return setStatus(ctx, t, r, e.From, e.Status, s.Actor, s.Reason, ref)
	}
	return nil
}

func recordEvent(ctx context.Context, t *tx, id int64, ev credit.RecordEvent) error {
	_, err := t.Exec(ctx, `INSERT INTO record_events (record_id, at, kind, actor, reason, ref) VALUES ($1, $2, $3, $4, $5, $6)`,
		id, ev.At, ev.Kind, ev.Actor, ev.Reason, ev.Ref)
	if err != nil {
		return fmt.Errorf("record event: %w", err)
	}
	return nil
}

// setStatus moves a locked record from one of from (any when empty) to
// status, with its event.
func setStatus(ctx context.Context, t *tx, r *lockedRecord, from []string, status, actor, reason, ref string) error {
	if len(from) > 0 && !slices.Contains(from, r.status) {
		return credit.Errorf(credit.ECONFLICT, "记录 %d 当前状态为“%s”，不能变更为“%s”", "record %d is %s: it cannot become %s", r.id, r.status, status)
	}
	if _, err := t.Exec(ctx, `UPDATE records SET status = $1 WHERE subject_id = $2 AND id = $3`, status, r.subjectID, r.id); err != nil {
		return fmt.Errorf("set record status: %w", err)
	}
	r.status = status
	return recordEvent(ctx, t, r.id, credit.RecordEvent{At: t.now, Kind: status, Actor: actor, Reason: reason, Ref: ref})
}

// SetRecordStatus changes a record's status with its event and audit entry.
func (db *DB) SetRecordStatus(ctx context.Context, id int64, from []string, to, actor, reason string) error {
	return db.inTx(ctx, func(t *tx) error {
		r, err := lockRecord(ctx, t, id)
		if err != nil {
			return err
		}
		if err := setStatus(ctx, t, r, from, to, actor, reason, ""); err != nil {
			return err
		}
		detail := jsonText(map[string]string{"status": to, "reason": reason})
		return t.record(ctx, actor, "record."+to, "record:"+strconv.FormatInt(id, 10), detail)
	})
}

// RecordEvents returns a record's events, oldest first.
func (db *DB) RecordEvents(ctx context.Context, id int64) ([]credit.RecordEvent, error) {
	rows, err := db.pool.Query(ctx, `SELECT at, kind, actor, reason, ref FROM record_events WHERE record_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("read record events: %w", err)
	}
	defer rows.Close()
	var out []credit.RecordEvent
	for rows.Next() {
		var ev credit.RecordEvent
		if err := rows.Scan(&ev.At, &ev.Kind, &ev.Actor, &ev.Reason, &ev.Ref); err != nil {
			return nil, fmt.Errorf("read record events: %w", err)
		}
		ev.At = ev.At.UTC()
		out = append(out, ev)
	}
	return out, rows.Err()
}

// ArchiveRecords archives up to limit records of item decided on or
// before decidedBy. The batch is the records decided earliest (found in
// records_archive without reading the others), locked in id order; a
// record that a writer changed meanwhile so that it no longer qualifies
// is left as it is.
func (db *DB) ArchiveRecords(ctx context.Context, item string, decidedBy time.Time, limit int) (int, error) {
	by := decidedBy.Format(time.DateOnly)
	var n int
	err := db.inTx(ctx, func(t *tx) error {
		n = 0
		rows, err := t.Query(ctx, `SELECT id FROM records WHERE item = $1 AND status IN ('active', 'stopped') AND decision_date <= $2
			ORDER BY decision_date, id LIMIT $3`, item, by, limit)
		if err != nil {
			return fmt.Errorf("find records to archive: %w", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("find records to archive: %w", err)
		}
		slices.Sort(ids)
		reason := "decided on or before " + by
		var done []int64
		for _, id := range ids {
			r, err := lockRecord(ctx, t, id)
			if err != nil {
				return err
			}
			if (r.status != credit.RecordActive && r.status != credit.RecordStopped) || r.decisionDate == nil || r.decisionDate.Format(time.DateOnly) > by {
				continue
			}
			if err := setStatus(ctx, t, r, nil, credit.RecordArchived, "scheduler", reason, ""); err != nil {
				return err
			}
			done = append(done, id)
		}
		if len(done) == 0 {
			return nil
		}
		detail := jsonText(map[string]any{"item": item, "decided_by": by, "records": len(done), "first": done[0], "last": done[len(done)-1]})
		if err := t.record(ctx, "scheduler", "records.archive", "item:"+item, detail); err != nil {
			return err
		}
		n = len(done)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// EscalateObjection marks a case escalated, once.
func (db *DB) EscalateObjection(ctx context.Context, id int64, reason string) (bool, error) {
	var done bool
	err := db.inTx(ctx, func(t *tx) error {
		done = false
		tag, err := t.Exec(ctx, `UPDATE objections SET escalated_at = $1 WHERE id = $2 AND escalated_at IS NULL`, t.now, id)
		if err != nil {
			return fmt.Errorf("escalate objection: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		done = true
		return t.record(ctx, "scheduler", "objection.escalate", "objection:"+strconv.FormatInt(id, 10), jsonText(map[string]string{"reason": reason}))
	})
	if err != nil {
		return false, err
	}
	return done, nil
}

// EvidenceFile returns a case's file with its data.
func (db *DB) EvidenceFile(ctx context.Context, kind string, caseID, fileID int64) (*credit.EvidenceFile, error) {
	var f credit.EvidenceFile
	err := db.pool.QueryRow(ctx, `SELECT id, name, type, size, sha256, data FROM case_files WHERE case_kind = $1 AND case_id = $2 AND id = $3`,
		kind, caseID, fileID).Scan(&f.ID, &f.Name, &f.Type, &f.Size, &f.SHA256, &f.Data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, credit.Errorf(credit.ENOTFOUND, "没有这个材料文件", "no such evidence file")
	}
	if err != nil {
		return nil, fmt.Errorf("read evidence: %w", err)
	}
	return &f, nil
}
