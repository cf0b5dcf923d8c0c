package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/credit"
)

func testJobs(t *testing.T, open Opener) {
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	s := open(t, func() time.Time { return now })
	if err := s.ScheduleJob(ctx, "audit.verify", 24*time.Hour, now); err != nil {
		t.Fatal(err)
	}
	// Registering again keeps the schedule.
	if err := s.ScheduleJob(ctx, "audit.verify", 12*time.Hour, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	alive := func(string) bool { return true }

	t.Run("OKOneClaimAtOnce", func(t *testing.T) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		claimed := 0
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				j, err := s.ClaimJob(ctx, "node-"+string(rune('a'+i)), now, now.Add(time.Minute), alive)
				if err == nil && j.Name == "audit.verify" {
					mu.Lock()
					claimed++
					mu.Unlock()
				} else if err != nil && !credit.IsNotFound(err) && credit.ErrorCode(err) != credit.EUNAVAILABLE {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if claimed != 1 {
			t.Fatalf("%d nodes claimed the job at once, want 1", claimed)
		}
	})
	jobs, err := s.Jobs(ctx)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("Jobs = %v, %v", jobs, err)
	}
	owner := jobs[0].Owner
	if jobs[0].Every != 12*time.Hour || !jobs[0].DueAt.Equal(now) || owner == "" {
		t.Errorf("job = %+v; want every 12h, due at first registration, owned", jobs[0])
	}

	t.Run("ErrLeased", func(t *testing.T) {
		if _, err := s.ClaimJob(ctx, "other", now.Add(30*time.Second), now.Add(time.Minute), alive); !credit.IsNotFound(err) {
			t.Errorf("claim of a leased job by another live node: %v, want ENOTFOUND", err)
		}
		if err := s.RenewJob(ctx, "audit.verify", "other", now.Add(time.Hour)); credit.ErrorCode(err) != credit.ECONFLICT {
			t.Errorf("renew by a non-owner: %v, want ECONFLICT", err)
		}
	})
	t.Run("OKDeadOwnerTakenOver", func(t *testing.T) {
		dead := func(o string) bool { return o != owner }
		j, err := s.ClaimJob(ctx, "survivor", now.Add(30*time.Second), now.Add(time.Minute), dead)
		if err != nil || j.Owner != "survivor" {
			t.Fatalf("claim from a dead owner = %+v, %v", j, err)
		}
		if err := s.FinishJob(ctx, "audit.verify", owner, true, "late", now.Add(time.Hour)); credit.ErrorCode(err) != credit.ECONFLICT {
			t.Errorf("finish by the owner taken over: %v, want ECONFLICT", err)
		}
	})
	t.Run("OKFinished", func(t *testing.T) {
		before, _ := s.VerifyAudit(ctx)
		if err := s.FinishJob(ctx, "audit.verify", "survivor", true, "chain intact: 3 entries", now.Add(12*time.Hour)); err != nil {
			t.Fatal(err)
		}
		jobs, _ := s.Jobs(ctx)
		j := jobs[0]
		if j.Owner != "" || j.Runs != 1 || !j.LastOK || j.LastMessage != "chain intact: 3 entries" || j.LastRunAt == nil || !j.DueAt.Equal(now.Add(12*time.Hour)) {
			t.Errorf("after the run: %+v", j)
		}
		if after, err := s.VerifyAudit(ctx); err != nil || after != before+1 {
			t.Errorf("audit entries %d → %d (%v); want the run recorded", before, after, err)
		}
		if _, err := s.ClaimJob(ctx, "x", now.Add(time.Hour), now.Add(2*time.Hour), alive); !credit.IsNotFound(err) {
			t.Errorf("claim before the next due time: %v, want ENOTFOUND", err)
		}
	})
	t.Run("OKLeasePassed", func(t *testing.T) {
		later := now.Add(13 * time.Hour)
		if _, err := s.ClaimJob(ctx, "a", later, later.Add(time.Minute), alive); err != nil {
			t.Fatal(err)
		}
		if j, err := s.ClaimJob(ctx, "b", later.Add(2*time.Minute), later.Add(3*time.Minute), alive); err != nil || j.Owner != "b" {
			t.Errorf("claim after the lease passed = %+v, %v", j, err)
		}
	})
}
