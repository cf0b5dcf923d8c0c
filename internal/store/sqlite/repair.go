package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/workday"
)

// CreateRepair stores r as applied with its files and audit entry.
func (db *DB) CreateRepair(ctx context.Context, r *credit.Repair) error {
	t, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback()
	if _, err := caseRecord(ctx, t, r.RecordID); err != nil {
		return err
	}
	r.AppliedAt, r.Version = t.now, 1
	res, err := t.ExecContext(ctx, `INSERT INTO repairs (number, record_id, applicant, performed, commitment, token_hash, state, applied_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, "", r.RecordID, mustJSON(r.Applicant), r.Performed, r.Commitment, r.TokenHash, r.State, ts(t.now))
	if err != nil {
		return fmt.Errorf("insert repair: %w", err)
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	r.Number = credit.CaseNumber("XF", t.now.In(workday.CST), r.ID)
	if _, err := t.ExecContext(ctx, `UPDATE repairs SET number = ? WHERE id = ?`, r.Number, r.ID); err != nil {
		return fmt.Errorf("number repair: %w", err)
	}
	if err := insertFiles(ctx, t, "repair", r.ID, r.Files); err != nil {
		return err
	}
	step := credit.CaseStep{Kind: "apply", At: t.now, Actor: "applicant"}
	if err := insertStep(ctx, t, "repair", r.ID, step); err != nil {
		return err
	}
	r.Steps = []credit.CaseStep{step}
	detail := mustJSON(map[string]any{"number": r.Number, "record": r.RecordID, "files": len(r.Files)})
	if err := t.record(ctx, "applicant", "repair.apply", "repair:"+strconv.FormatInt(r.ID, 10), detail); err != nil {
		return err
	}
	return t.Commit()
}

const repairColumns = `x.id, x.number, x.record_id, r.item, p.code, p.name, coalesce(s.uscc, ''), s.name, x.applicant, x.performed, x.commitment,
	x.token_hash, x.state, x.applied_at, x.extended, x.decided_at, x.reasons, x.version
	FROM repairs x JOIN records r ON r.id = x.record_id JOIN providers p ON p.id = r.provider_id JOIN subjects s ON s.id = r.subject_id`

func scanRepair(sc scanner) (*credit.Repair, error) {
	var r credit.Repair
	var applicant, applied string
	var decided sql.NullString
	err := sc.Scan(&r.ID, &r.Number, &r.RecordID, &r.Item, &r.ProviderCode, &r.ProviderName, &r.SubjectUSCC, &r.SubjectName, &applicant, &r.Performed,
		&r.Commitment, &r.TokenHash, &r.State, &applied, &r.Extended, &decided, &r.Reasons, &r.Version)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(applicant), &r.Applicant); err != nil {
		return nil, fmt.Errorf("repair applicant: %w", err)
	}
	r.AppliedAt, r.DecidedAt = parseTS(applied), parseNullTS(decided)
	return &r, nil
}

// Repair returns an application with its steps and files.
func (db *DB) Repair(ctx context.Context, id int64) (*credit.Repair, error) {
	return db.repair(ctx, `x.id = ?`, id)
}

// RepairByToken returns the application of a tracking token's hash.
func (db *DB) RepairByToken(ctx context.Context, tokenHash []byte) (*credit.Repair, error) {
	return db.repair(ctx, `x.token_hash = ?`, tokenHash)
}

func (db *DB) repair(ctx context.Context, where string, arg any) (*credit.Repair, error) {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	r, err := scanRepair(tx.QueryRowContext(ctx, `SELECT `+repairColumns+` WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, credit.Errorf(credit.ENOTFOUND, "没有这件修复申请", "no such repair application")
	}
	if err != nil {
		return nil, fmt.Errorf("read repair: %w", err)
	}
	if r.Steps, r.Files, err = caseDetails(ctx, tx, "repair", r.ID); err != nil {
		return nil, err
	}
	return r, nil
}

// Repairs lists applications, oldest first.
func (db *DB) Repairs(ctx context.Context, f credit.CaseFilter) ([]*credit.Repair, error) {
	where, args := caseWhere("x", f)
	rows, err := db.read.QueryContext(ctx, `SELECT `+repairColumns+` WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list repairs: %w", err)
	}
	defer rows.Close()
	var out []*credit.Repair
	for rows.Next() {
		r, err := scanRepair(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// UpdateRepair stores r after step s with its effect on the record, if the
// stored application is still at r.Version.
func (db *DB) UpdateRepair(ctx context.Context, r *credit.Repair, s credit.CaseStep, effect credit.RecordEffect) error {
	t, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback()
	s.At = t.now
	res, err := t.ExecContext(ctx, `UPDATE repairs SET state = ?, extended = ?, decided_at = ?, reasons = ?, applicant = ?, version = version + 1
		WHERE id = ? AND version = ?`, r.State, r.Extended, nullTS(r.DecidedAt), r.Reasons, mustJSON(r.Applicant), r.ID, r.Version)
	if err != nil {
		return fmt.Errorf("update repair: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return credit.ErrCaseMoved("修复申请", "repair application", r.Number)
	}
	ref := "repair:" + strconv.FormatInt(r.ID, 10)
	if err := applyEffect(ctx, t, r.RecordID, effect, s, ref); err != nil {
		return err
	}
	if err := insertStep(ctx, t, "repair", r.ID, s); err != nil {
		return err
	}
	detail := mustJSON(map[string]any{"number": r.Number, "step": s.Kind, "state": r.State, "reason": s.Reason})
	if err := t.record(ctx, s.Actor, "repair."+s.Kind, ref, detail); err != nil {
		return err
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	r.Version++
	r.Steps = append(r.Steps, s)
	return nil
}
