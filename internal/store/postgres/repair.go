package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/workday"
)

// CreateRepair stores r as applied with its files and audit entry.
func (db *DB) CreateRepair(ctx context.Context, r *credit.Repair) error {
	var id int64
	var number string
	var step credit.CaseStep
	err := db.inTx(ctx, func(t *tx) error {
		if err := caseRecord(ctx, t, r.RecordID); err != nil {
			return err
		}
		var err error
		if id, err = nextID(ctx, t, "repairs"); err != nil {
			return err
		}
		number = credit.CaseNumber("XF", t.now.In(workday.CST), id)
		_, err = t.Exec(ctx, `INSERT INTO repairs (id, number, record_id, applicant, performed, commitment, token_hash, state, applied_at)
			OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			id, number, r.RecordID, jsonText(r.Applicant), r.Performed, r.Commitment, r.TokenHash, r.State, t.now)
		if err != nil {
			return fmt.Errorf("insert repair: %w", err)
		}
		if err := insertFiles(ctx, t, "repair", id, r.Files); err != nil {
			return err
		}
		step = credit.CaseStep{Kind: "apply", At: t.now, Actor: "applicant"}
		if err := insertStep(ctx, t, "repair", id, step); err != nil {
			return err
		}
		detail := jsonText(map[string]any{"number": number, "record": r.RecordID, "files": len(r.Files)})
		return t.record(ctx, "applicant", "repair.apply", "repair:"+strconv.FormatInt(id, 10), detail)
	})
	if err != nil {
		return err
	}
	r.ID, r.Number, r.AppliedAt, r.Version = id, number, step.At, 1
	r.Steps = []credit.CaseStep{step}
	return nil
}

var repairColumns = `x.id, x.number, x.record_id, k.item, p.code, p.name, coalesce(s.uscc, ''), s.name, x.applicant, x.performed, x.commitment,
	x.token_hash, x.state, x.applied_at, x.extended, x.decided_at, x.reasons, x.version` + caseFrom("repairs", "x")

func scanRepair(row pgx.Row) (*credit.Repair, error) {
	var r credit.Repair
	var applicant string
	var decided *time.Time
	err := row.Scan(&r.ID, &r.Number, &r.RecordID, &r.Item, &r.ProviderCode, &r.ProviderName, &r.SubjectUSCC, &r.SubjectName, &applicant, &r.Performed,
		&r.Commitment, &r.TokenHash, &r.State, &r.AppliedAt, &r.Extended, &decided, &r.Reasons, &r.Version)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(applicant), &r.Applicant); err != nil {
		return nil, fmt.Errorf("repair applicant: %w", err)
	}
	r.AppliedAt, r.DecidedAt = r.AppliedAt.UTC(), utcOrZero(decided)
	return &r, nil
}

// Repair returns an application with its steps and files.
func (db *DB) Repair(ctx context.Context, id int64) (*credit.Repair, error) {
	return db.repair(ctx, `x.id = $1`, id)
}

// RepairByToken returns the application of a tracking token's hash.
func (db *DB) RepairByToken(ctx context.Context, tokenHash []byte) (*credit.Repair, error) {
	return db.repair(ctx, `x.token_hash = $1`, tokenHash)
}

func (db *DB) repair(ctx context.Context, where string, arg any) (*credit.Repair, error) {
	// One snapshot for the application, its steps and its files.
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	r, err := scanRepair(tx.QueryRow(ctx, `SELECT `+repairColumns+` WHERE `+where, arg))
	if errors.Is(err, pgx.ErrNoRows) {
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
	rows, err := db.pool.Query(ctx, `SELECT `+repairColumns+` WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list repairs: %w", err)
	}
	defer rows.Close()
	var out []*credit.Repair
	for rows.Next() {
		r, err := scanRepair(rows)
		if err != nil {
			return nil, fmt.Errorf("list repairs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// UpdateRepair stores r after step s with its effect on the record, if the
// stored application is still at r.Version.
func (db *DB) UpdateRepair(ctx context.Context, r *credit.Repair, s credit.CaseStep, effect credit.RecordEffect) error {
	err := db.inTx(ctx, func(t *tx) error {
		s.At = t.now
		tag, err := t.Exec(ctx, `UPDATE repairs SET state = $1, extended = $2, decided_at = $3, reasons = $4, applicant = $5, version = version + 1
			WHERE id = $6 AND version = $7`, r.State, r.Extended, nullTime(r.DecidedAt), r.Reasons, jsonText(r.Applicant), r.ID, r.Version)
		if err != nil {
			return fmt.Errorf("update repair: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return credit.ErrCaseMoved("修复申请", "repair application", r.Number)
		}
		ref := "repair:" + strconv.FormatInt(r.ID, 10)
		if err := applyEffect(ctx, t, r.RecordID, effect, s, ref); err != nil {
			return err
		}
		if err := insertStep(ctx, t, "repair", r.ID, s); err != nil {
			return err
		}
		detail := jsonText(map[string]any{"number": r.Number, "step": s.Kind, "state": r.State, "reason": s.Reason})
		return t.record(ctx, s.Actor, "repair."+s.Kind, ref, detail)
	})
	if err != nil {
		return err
	}
	r.Version++
	r.Steps = append(r.Steps, s)
	return nil
}
