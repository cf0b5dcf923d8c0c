package intake

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xinyong/xinyong/internal/credit"
)

// Work collects batches until ctx ends: the oldest queued batch, or one
// whose owner died or let its lease pass, one at a time (the store has one
// writer). wake, when it receives, starts the next look at once; otherwise
// it looks every poll.
func (r *Runner) Work(ctx context.Context, wake <-chan struct{}, poll time.Duration, log *slog.Logger) {
	// A batch this runner left running (a failed commit) is taken up again
	// at once rather than after its lease.
	alive := func(owner string) bool { return owner != r.Owner && Alive(owner) }
	r.removeCopies(log)
	for {
		for {
			b, err := r.Store.NextBatch(ctx, r.now(), alive)
			if credit.IsNotFound(err) || ctx.Err() != nil {
				break
			}
			if err != nil {
				log.Error("next batch", "err", err)
				break
			}
			ok, err := r.Store.ClaimBatch(ctx, b.ID, r.Owner, r.now().Add(r.lease()), alive)
			if err != nil {
				log.Error("claim batch", "batch", b.ID, "err", err)
				break
			}
			if !ok {
				continue
			}
			id := b.ID
			if b, err = r.Store.Batch(ctx, id); err != nil { // as claimed: an atomic resume starts over
				log.Error("read batch", "batch", id, "err", err)
				break
			}
			start := time.Now()
			if err := r.Run(ctx, b, nil); err != nil {
				log.Error("batch interrupted; it will be resumed", "batch", b.ID, "err", err)
				r.removeCopies(log) // whichever node resumes it fetches the file again
				break
			}
			log.Info("batch finished", "batch", b.ID, "status", b.Status, "rows", b.RowsRead, "rejected", b.Rejected,
				"seconds", time.Since(start).Seconds())
			// An uploaded file is not kept past its batch: it may hold
			// personal data, and the batch has what the provider needs.
			if r.UploadDir != "" && strings.HasPrefix(filepath.Clean(b.FilePath), filepath.Clean(r.UploadDir)+string(filepath.Separator)) {
				if err := os.Remove(b.FilePath); err != nil && !os.IsNotExist(err) {
					log.Error("remove upload", "batch", b.ID, "err", err)
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-time.After(poll):
		}
	}
}

// removeCopies deletes the copies this node made of files kept in the
// store (batch-N.dat, see Runner.open) and left behind by an earlier run:
// they may hold personal data, and a batch resumed here fetches its file
// again.
func (r *Runner) removeCopies(log *slog.Logger) {
	if r.UploadDir == "" {
		return
	}
	copies, _ := filepath.Glob(filepath.Join(r.UploadDir, "batch-*.dat"))
	for _, c := range copies {
		if err := os.Remove(c); err != nil && !os.IsNotExist(err) {
			log.Error("remove copy of an upload", "file", c, "err", err)
		}
	}
}
