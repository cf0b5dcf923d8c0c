package credit

import (
	"context"
	"time"
)

// Job is scheduled work (verifying the audit chain, and later expiries,
// deadlines and notifications) that runs on one node at a time, however
// many nodes run: a node claims a due job under a lease, renews the lease
// while it runs, and records the run; a job whose node died is claimed
// again when its lease passes, or at once when its owner is known dead.
// Jobs are written to be run again safely.
type Job struct {
	Name        string
	Every       time.Duration
	DueAt       time.Time
	Owner       string // "" when not running
	LeaseUntil  time.Time
	Runs        int
	LastRunAt   *time.Time
	LastOK      bool
	LastMessage string
}

// JobStore is the storage of scheduled jobs.
type JobStore interface {
	// ScheduleJob registers a job that runs every interval, first at
	// first; a job registered already keeps its schedule and takes the
	// new interval.
	ScheduleJob(ctx context.Context, name string, every time.Duration, first time.Time) error
	// ClaimJob leases to owner, until lease, the job due longest at now
	// that no live owner holds (alive reports on owners). Returns
	// ENOTFOUND when none is due.
	ClaimJob(ctx context.Context, owner string, now, lease time.Time, alive func(owner string) bool) (*Job, error)
	// RenewJob extends owner's lease. Returns ECONFLICT if owner no longer
	// holds the job.
	RenewJob(ctx context.Context, name, owner string, lease time.Time) error
	// FinishJob records a run of the job, with the audit entry of it, and
	// makes it due at next. Returns ECONFLICT if owner no longer holds it.
	FinishJob(ctx context.Context, name, owner string, ok bool, message string, next time.Time) error
	// Jobs lists the jobs by name.
	Jobs(ctx context.Context) ([]*Job, error)
}
