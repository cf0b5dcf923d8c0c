package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xinyong/xinyong/internal/credit"
)

// ScheduleJob registers a job, keeping the schedule of one registered already.
func (db *DB) ScheduleJob(ctx context.Context, name string, every time.Duration, first time.Time) error {
	return db.inTx(ctx, func(t *tx) error {
		_, err := t.Exec(ctx, `INSERT INTO jobs (name, every_s, due_at) VALUES ($1, $2, $3)
			ON CONFLICT (name) DO UPDATE SET every_s = EXCLUDED.every_s`, name, int64(every/time.Second), first)
		return err
	})
}

const jobColumns = `name, every_s, due_at, owner, lease_until, runs, last_run_at, last_ok, last_message`

func scanJob(s pgx.Row) (*credit.Job, error) {
	var j credit.Job
	var every int64
	var lease *time.Time
	if err := s.Scan(&j.Name, &every, &j.DueAt, &j.Owner, &lease, &j.Runs, &j.LastRunAt, &j.LastOK, &j.LastMessage); err != nil {
		return nil, err
	}
	j.Every, j.DueAt = time.Duration(every)*time.Second, j.DueAt.UTC()
	if lease != nil {
		j.LeaseUntil = lease.UTC()
	}
	if j.LastRunAt != nil {
		*j.LastRunAt = j.LastRunAt.UTC()
	}
	return &j, nil
}

// ClaimJob leases the job due longest that no live owner holds. Due jobs
// are read FOR UPDATE SKIP LOCKED: nodes claiming at once each lock other
// rows, and a job is never claimed by two.
func (db *DB) ClaimJob(ctx context.Context, owner string, now, lease time.Time, alive func(string) bool) (*credit.Job, error) {
	var claimed *credit.Job
	err := db.inTx(ctx, func(t *tx) error {
		claimed = nil
		rows, err := t.Query(ctx, `SELECT `+jobColumns+` FROM jobs WHERE due_at <= $1 ORDER BY due_at, name FOR UPDATE SKIP LOCKED`, now)
		if err != nil {
			return err
		}
		due, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*credit.Job, error) { return scanJob(r) })
		if err != nil {
			return err
		}
		for _, j := range due {
			if j.Owner != "" && now.Before(j.LeaseUntil) && (alive == nil || alive(j.Owner)) {
				continue
			}
			if _, err := t.Exec(ctx, `UPDATE jobs SET owner = $1, lease_until = $2 WHERE name = $3`, owner, lease, j.Name); err != nil {
				return fmt.Errorf("claim job: %w", err)
			}
			j.Owner, j.LeaseUntil = owner, lease
			claimed = j
			return nil
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if claimed == nil {
		return nil, credit.Errorf(credit.ENOTFOUND, "没有到期的任务", "no job is due")
	}
	return claimed, nil
}

// RenewJob extends owner's lease.
func (db *DB) RenewJob(ctx context.Context, name, owner string, lease time.Time) error {
	return db.inTx(ctx, func(t *tx) error { return holdsJob(ctx, t, name, owner, lease) })
}

func holdsJob(ctx context.Context, t *tx, name, owner string, lease time.Time) error {
	tag, err := t.Exec(ctx, `UPDATE jobs SET lease_until = $1 WHERE name = $2 AND owner = $3`, lease, name, owner)
	if err != nil {
		return fmt.Errorf("renew job: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return credit.Errorf(credit.ECONFLICT, "任务 %s 已由其他节点接手", "job %s was taken over by another node", name)
	}
	return nil
}

// FinishJob records a run and makes the job due at next.
func (db *DB) FinishJob(ctx context.Context, name, owner string, ok bool, message string, next time.Time) error {
	return db.inTx(ctx, func(t *tx) error {
		if err := holdsJob(ctx, t, name, owner, t.now); err != nil {
			return err
		}
		if _, err := t.Exec(ctx, `UPDATE jobs SET owner = '', lease_until = NULL, due_at = $1, runs = runs + 1, last_run_at = $2, last_ok = $3,
			last_message = $4 WHERE name = $5`, next, t.now, ok, message, name); err != nil {
			return fmt.Errorf("finish job: %w", err)
		}
		return t.record(ctx, owner, "job.run", "job:"+name, jsonText(map[string]any{"ok": ok, "message": message}))
	})
}

// Jobs lists the jobs by name.
func (db *DB) Jobs(ctx context.Context) ([]*credit.Job, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+jobColumns+` FROM jobs ORDER BY name`)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*credit.Job, error) { return scanJob(r) })
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return out, err
}
