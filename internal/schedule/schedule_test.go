package schedule_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/schedule"
	"github.com/xinyong/xinyong/internal/store/sqlite"
)

func TestRunDue(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var runs atomic.Int32
	jobs := []schedule.Job{
		{Name: "count", Every: time.Hour, Run: func(context.Context) (string, error) { runs.Add(1); return "counted", nil }},
		{Name: "fail", Every: time.Hour, Run: func(context.Context) (string, error) { return "", errors.New("disk on fire") }},
	}
	// Two nodes at once: each job runs once.
	var wg sync.WaitGroup
	for _, owner := range []string{"1@a", "2@b"} {
		r := &schedule.Runner{Store: db, Owner: owner, Jobs: jobs, Alive: func(string) bool { return true }}
		if err := r.Register(ctx); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := r.RunDue(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if runs.Load() != 1 {
		t.Errorf("the job ran %d times on two nodes, want 1", runs.Load())
	}
	list, err := db.Jobs(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("Jobs = %v, %v", list, err)
	}
	for _, j := range list {
		switch j.Name {
		case "count":
			if !j.LastOK || j.LastMessage != "counted" || j.Runs != 1 {
				t.Errorf("count: %+v", j)
			}
		case "fail":
			if j.LastOK || j.LastMessage != "disk on fire" || j.Runs != 1 {
				t.Errorf("a failed run is recorded as failed: %+v", j)
			}
		}
	}
	// Nothing is due again within the hour.
	r := &schedule.Runner{Store: db, Owner: "3@c", Jobs: jobs}
	if n, err := r.RunDue(ctx); n != 0 || err != nil {
		t.Errorf("RunDue before the next due time ran %d (%v)", n, err)
	}
}
