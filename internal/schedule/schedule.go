// Package schedule runs scheduled jobs on every node so that each runs once
// when due, however many nodes run: a node claims a due job from the store
// under a lease, renews the lease while the job runs, and records the run
// (with an audit entry) and the next due time. A job whose node died is
// claimed again when its lease passes, at once when its owner is known
// dead; jobs are written to be run again safely.
//
// It imports the domain only.
package schedule

import (
	"context"
	"log/slog"
	"time"

	"github.com/xinyong/xinyong/internal/credit"
)

// Job is one kind of scheduled work.
type Job struct {
	Name  string
	Every time.Duration
	// Run does the work and says what it found; an error is recorded as a
	// failed run and the job is due again after Every.
	Run func(ctx context.Context) (string, error)
}

// Runner claims and runs the due jobs of this node.
type Runner struct {
	Store credit.JobStore
	Owner string // "pid@host"
	Jobs  []Job
	// Lease is how long a claim lasts without renewal; default 2 minutes.
	Lease time.Duration
	// Alive reports whether another owner may still be running.
	Alive func(owner string) bool
	Now   func() time.Time
	Log   *slog.Logger
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Runner) lease() time.Duration {
	if r.Lease > 0 {
		return r.Lease
	}
	return 2 * time.Minute
}

// Register schedules the runner's jobs, the first run of each at once.
func (r *Runner) Register(ctx context.Context) error {
	for _, j := range r.Jobs {
		if err := r.Store.ScheduleJob(ctx, j.Name, j.Every, r.now()); err != nil {
			return err
		}
	}
	return nil
}

// RunDue claims and runs due jobs until none is due, and returns how many
// it ran.
func (r *Runner) RunDue(ctx context.Context) (int, error) {
	byName := make(map[string]Job, len(r.Jobs))
	for _, j := range r.Jobs {
		byName[j.Name] = j
	}
	ran := 0
	for ctx.Err() == nil {
		claimed, err := r.Store.ClaimJob(ctx, r.Owner, r.now(), r.now().Add(r.lease()), r.Alive)
		if credit.IsNotFound(err) {
			return ran, nil
		}
		if err != nil {
			return ran, err
		}
		j, ok := byName[claimed.Name]
		if !ok { // a job of another version of the program: leave it to a node that knows it
			r.Store.FinishJob(ctx, claimed.Name, r.Owner, false, "unknown to "+r.Owner, r.now().Add(time.Minute))
			continue
		}
		msg, runErr := r.run(ctx, j)
		okRun := runErr == nil
		if !okRun {
			msg = runErr.Error()
		}
		if err := r.Store.FinishJob(ctx, j.Name, r.Owner, okRun, msg, r.now().Add(j.Every)); err != nil {
			return ran, err
		}
		if r.Log != nil {
			r.Log.Info("job ran", "job", j.Name, "ok", okRun, "message", msg)
		}
		ran++
	}
	return ran, ctx.Err()
}

// run runs j, renewing its lease while it runs; a lost lease cancels it.
func (r *Runner) run(ctx context.Context, j Job) (string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(r.lease() / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if err := r.Store.RenewJob(ctx, j.Name, r.Owner, r.now().Add(r.lease())); err != nil {
					cancel()
					return
				}
			}
		}
	}()
	defer close(done)
	return j.Run(ctx)
}

// Work runs due jobs every poll until ctx ends.
func (r *Runner) Work(ctx context.Context, poll time.Duration) {
	for {
		if _, err := r.RunDue(ctx); err != nil && ctx.Err() == nil && r.Log != nil {
			r.Log.Error("scheduled jobs", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(poll):
		}
	}
}
