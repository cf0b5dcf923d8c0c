package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/xinyong/xinyong/internal/credit"
)

// ScheduleJob registers a job, keeping the schedule of one registered already.
func (db *DB) ScheduleJob(ctx context.Context, name string, every time.Duration, first time.Time) error {
	t, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback()
	if _, err := t.ExecContext(ctx, `INSERT INTO jobs (name, every_s, due_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET every_s = excluded.every_s`, name, int64(every/time.Second), ts(first)); err != nil {
		return fmt.Errorf("schedule job: %w", err)
	}
	return t.Commit()
}

const jobColumns = `name, every_s, due_at, owner, lease_until, runs, last_run_at, last_ok, last_message`

func scanJob(s scanner) (*credit.Job, error) {
	var j credit.Job
	var every int64
	var due, lease string
	var last sql.NullString
	if err := s.Scan(&j.Name, &every, &due, &j.Owner, &lease, &j.Runs, &last, &j.LastOK, &j.LastMessage); err != nil {
		return nil, err
	}
	j.Every, j.DueAt, j.LeaseUntil = time.Duration(every)*time.Second, parseTS(due), parseTS(lease)
	if last.Valid {
		t := parseTS(last.String)
		j.LastRunAt = &t
	}
	return &j, nil
}

// ClaimJob leases the job due longest that no live owner holds.
func (db *DB) ClaimJob(ctx context.Context, owner string, now, lease time.Time, alive func(string) bool) (*credit.Job, error) {
	t, err := db.begin(ctx) // the one writer: nobody claims between the read and the update
	if err != nil {
		return nil, err
	}
	defer t.Rollback()
	rows, err := t.QueryContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE due_at <= ? ORDER BY due_at, name`, ts(now))
	if err != nil {
		return nil, err
	}
	var due []*credit.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		due = append(due, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, j := range due {
		if j.Owner != "" && now.Before(j.LeaseUntil) && (alive == nil || alive(j.Owner)) {
			continue
		}
		if _, err := t.ExecContext(ctx, `UPDATE jobs SET owner = ?, lease_until = ? WHERE name = ?`, owner, ts(lease), j.Name); err != nil {
			return nil, fmt.Errorf("claim job: %w", err)
		}
		if err := t.Commit(); err != nil {
			return nil, err
		}
		j.Owner, j.LeaseUntil = owner, lease
		return j, nil
	}
	return nil, credit.Errorf(credit.ENOTFOUND, "没有到期的任务", "no job is due")
}

// RenewJob extends owner's lease.
func (db *DB) RenewJob(ctx context.Context, name, owner string, lease time.Time) error {
	t, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback()
	if err := holdsJob(ctx, t, name, owner, lease); err != nil {
		return err
	}
	return t.Commit()
}

func holdsJob(ctx context.Context, t *tx, name, owner string, lease time.Time) error {
	res, err := t.ExecContext(ctx, `UPDATE jobs SET lease_until = ? WHERE name = ? AND owner = ?`, ts(lease), name, owner)
	if err != nil {
		return fmt.Errorf("renew job: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return credit.Errorf(credit.ECONFLICT, "任务 %s 已由其他节点接手", "job %s was taken over by another node", name)
	}
	return nil
}

// FinishJob records a run and makes the job due at next.
func (db *DB) FinishJob(ctx context.Context, name, owner string, ok bool, message string, next time.Time) error {
	t, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback()
	if err := holdsJob(ctx, t, name, owner, t.now); err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, `UPDATE jobs SET owner = '', lease_until = '', due_at = ?, runs = runs + 1, last_run_at = ?, last_ok = ?,
		last_message = ? WHERE name = ?`, ts(next), ts(t.now), ok, message, name); err != nil {
		return fmt.Errorf("finish job: %w", err)
	}
	if err := t.record(ctx, owner, "job.run", "job:"+name, jsonText(map[string]any{"ok": ok, "message": message})); err != nil {
		return err
	}
	return t.Commit()
}

// Jobs lists the jobs by name.
func (db *DB) Jobs(ctx context.Context) ([]*credit.Job, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+jobColumns+` FROM jobs ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*credit.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	return out, nil
}
