package storetest

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/catalog/catalogtest"
	"github.com/xinyong/xinyong/internal/credit"
)

func testBatches(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newFixture(t, open)
	file := filepath.Join(t.TempDir(), "x.csv")
	content := []byte("处罚决定书文号\n鄂罚〔2026〕1号\n")
	if err := os.WriteFile(file, content, 0o600); err != nil {
		t.Fatal(err)
	}
	newBatch := func(t *testing.T, hash, mode string) *credit.Batch {
		t.Helper()
		b := &credit.Batch{ProviderID: f.provider.ID, ProviderCode: f.provider.Code, Item: "admin_penalty", Mode: mode,
			FileName: "x.csv", FilePath: file, FileHash: []byte(hash), FileSize: int64(len(content))}
		if err := f.store.CreateBatch(ctx, b); err != nil {
			t.Fatal(err)
		}
		if b.ID == 0 || b.Status != credit.BatchQueued {
			t.Fatalf("created batch = %+v", b)
		}
		return b
	}
	lease := f.now.Add(time.Minute)
	chunk := func(b *credit.Batch, checkpoint int, keys ...string) *credit.Chunk {
		sub := &credit.Submission{Provider: f.provider, Item: "admin_penalty", CatalogVersion: 1, RequestID: "batch:" + string(rune('0'+b.ID))}
		c := &credit.Chunk{Batch: b, Submission: sub, Cells: map[int][]string{}, Checkpoint: checkpoint, Progress: 0.5,
			Seal: func(cells []string) []byte { return []byte(strings.Join(cells, "\x00")) }}
		for i, k := range keys {
			d, errs, _ := f.prep.Prepare(f.penalty, checkpoint-len(keys)+i+1, catalogtest.Penalty("cf_wsh", k), f.now)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			sub.Drafts = append(sub.Drafts, d)
			c.Cells[d.Index] = []string{k}
			c.RowsRead++
		}
		return c
	}

	t.Run("OKPartial", func(t *testing.T) {
		b := newBatch(t, "h1", credit.ModePartial)
		if ok, err := f.store.ClaimBatch(ctx, b.ID, "node-a", lease, nil); !ok || err != nil {
			t.Fatalf("claim = %v, %v", ok, err)
		}
		if ok, _ := f.store.ClaimBatch(ctx, b.ID, "node-b", lease, nil); ok {
			t.Error("a second owner claimed a leased batch")
		}
		c := chunk(b, 3, "k1", "k2", "k1") // row 3 repeats row 1's key
		c.Rejected = []credit.RowError{{Row: 4, Errors: []credit.FieldError{{Field: "cf_jdrq", Code: "date_format"}}, Sealed: []byte("bad")}}
		c.RowsRead++
		c.Checkpoint = 4
		out, err := f.store.CommitChunk(ctx, c, "node-a", lease)
		if err != nil {
			t.Fatal(err)
		}
		if out[0].Status != credit.StatusCreated || out[2].Status != credit.StatusRejected {
			t.Errorf("outcomes = %+v", out)
		}
		if _, err := f.store.CommitChunk(ctx, chunk(b, 5, "k5"), "node-b", lease); credit.ErrorCode(err) != credit.ECONFLICT {
			t.Errorf("commit by a non-owner: %v, want ECONFLICT", err)
		}
		if err := f.store.FinishBatch(ctx, b, "node-a", credit.BatchDone, "", ""); err != nil {
			t.Fatal(err)
		}
		got, err := f.store.Batch(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != credit.BatchDone || got.RowsRead != 4 || got.Created != 2 || got.Rejected != 2 || got.Checkpoint != 4 || got.Progress != 1 {
			t.Errorf("batch = %+v", got)
		}
		var rows []int
		f.store.BatchErrors(ctx, b.ID, func(r credit.RowError) error {
			rows = append(rows, r.Row)
			if len(r.Sealed) == 0 || len(r.Errors) == 0 {
				t.Errorf("row error without cells or errors: %+v", r)
			}
			return nil
		})
		if len(rows) != 2 || rows[0] != 3 || rows[1] != 4 {
			t.Errorf("error rows = %v, want [3 4]", rows)
		}
		again := &credit.Batch{ProviderID: f.provider.ID, ProviderCode: f.provider.Code, Item: "admin_penalty", Mode: credit.ModePartial,
			FileName: "x.csv", FilePath: "/tmp/x.csv", FileHash: []byte("h1"), FileSize: 10}
		if err := f.store.CreateBatch(ctx, again); credit.ErrorCode(err) != credit.ECONFLICT {
			t.Errorf("a second live batch of the same file: %v, want ECONFLICT", err)
		}
		if same, err := f.store.FindBatch(ctx, f.provider.ID, "admin_penalty", []byte("h1"), credit.ModePartial, ""); err != nil || same.ID != b.ID {
			t.Errorf("FindBatch = %+v, %v", same, err)
		}
		if _, err := f.store.FindBatch(ctx, f.provider.ID, "admin_penalty", []byte("h1"), credit.ModeAtomic, ""); !credit.IsNotFound(err) {
			t.Errorf("FindBatch other mode: %v", err)
		}
	})
	t.Run("OKSharedUploads", func(t *testing.T) {
		shared, ok := f.store.(credit.SharedUploads)
		if !ok {
			t.Skip("this store is not shared between nodes: uploads stay on the node's disk")
		}
		b := newBatch(t, "h5", credit.ModePartial)
		var got bytes.Buffer
		if err := shared.Upload(ctx, b.ID, &got); err != nil || !bytes.Equal(got.Bytes(), content) {
			t.Fatalf("Upload = %q, %v; want the file", got.Bytes(), err)
		}
		f.store.ClaimBatch(ctx, b.ID, "node-a", lease, nil)
		if err := f.store.FinishBatch(ctx, b, "node-a", credit.BatchDone, "", ""); err != nil {
			t.Fatal(err)
		}
		if err := shared.Upload(ctx, b.ID, io.Discard); !credit.IsNotFound(err) {
			t.Errorf("Upload after the batch ended: %v, want ENOTFOUND", err)
		}
	})
	t.Run("OKChunksInTransactions", func(t *testing.T) {
		b := newBatch(t, "h4", credit.ModePartial)
		f.store.ClaimBatch(ctx, b.ID, "node-a", lease, nil)
		chunks := []*credit.Chunk{chunk(b, 2, "t1", "t2"), chunk(b, 4, "t3", "t4"), chunk(b, 6, "t5", "t6"), chunk(b, 7, "t7")}
		var commits []int
		err := f.store.CommitChunks(ctx, "node-a", time.Minute, 4, time.Hour, func() (*credit.Chunk, error) {
			if len(chunks) == 0 {
				return nil, nil
			}
			c := chunks[0]
			chunks = chunks[1:]
			return c, nil
		}, func(n int) { commits = append(commits, n) })
		if err != nil {
			t.Fatal(err)
		}
		// 4 rows a transaction, in whole chunks: 2+2, 2+1.
		if len(commits) != 2 || commits[0] != 2 || commits[1] != 2 {
			t.Errorf("committed chunks = %v, want [2 2]", commits)
		}
		got, _ := f.store.Batch(ctx, b.ID)
		if got.RowsRead != 7 || got.Created != 7 || got.Checkpoint != 7 {
			t.Errorf("batch = %+v", got)
		}

		// Another owner's chunks fail whole transactions: nothing of them stays.
		chunks = []*credit.Chunk{chunk(b, 8, "t8")}
		err = f.store.CommitChunks(ctx, "node-b", time.Minute, 4, time.Hour, func() (*credit.Chunk, error) {
			if len(chunks) == 0 {
				return nil, nil
			}
			c := chunks[0]
			chunks = chunks[1:]
			return c, nil
		}, func(int) { t.Error("a non-owner's transaction committed") })
		if credit.ErrorCode(err) != credit.ECONFLICT {
			t.Errorf("CommitChunks by a non-owner: %v, want ECONFLICT", err)
		}
		if got, _ := f.store.Batch(ctx, b.ID); got.RowsRead != 7 {
			t.Errorf("rows read after a refused commit = %d, want 7", got.RowsRead)
		}
		f.store.FinishBatch(ctx, b, "node-a", credit.BatchDone, "", "")
	})
	t.Run("OKTakeOverDeadOwner", func(t *testing.T) {
		b := newBatch(t, "h2", credit.ModePartial)
		f.store.ClaimBatch(ctx, b.ID, "dead", lease, nil)
		next, err := f.store.NextBatch(ctx, f.now, func(o string) bool { return o != "dead" })
		if err != nil || next.ID != b.ID {
			t.Fatalf("NextBatch = %+v, %v", next, err)
		}
		if ok, _ := f.store.ClaimBatch(ctx, b.ID, "node-b", lease, func(o string) bool { return o != "dead" }); !ok {
			t.Error("could not take over from a dead owner")
		}
		f.store.FinishBatch(ctx, b, "node-b", credit.BatchFailed, "原因", "reason")
		if got, _ := f.store.Batch(ctx, b.ID); got.Status != credit.BatchFailed || got.ReasonEN != "reason" {
			t.Errorf("failed batch = %+v", got)
		}
		if _, err := f.store.NextBatch(ctx, f.now.Add(time.Hour), nil); !credit.IsNotFound(err) {
			t.Errorf("NextBatch with nothing to do: %v", err)
		}
	})
	t.Run("OKAtomic", func(t *testing.T) {
		b := newBatch(t, "h3", credit.ModeAtomic)
		f.store.ClaimBatch(ctx, b.ID, "node-a", lease, nil)
		chunks := []*credit.Chunk{chunk(b, 2, "a1", "a2"), chunk(b, 3, "a1")}
		i := 0
		refused, err := f.store.CommitAtomic(ctx, b, "node-a", func() (*credit.Chunk, error) {
			if i == len(chunks) {
				return nil, nil
			}
			i++
			return chunks[i-1], nil
		})
		if err != nil || len(refused) != 1 || refused[0].Row != 3 {
			t.Fatalf("CommitAtomic = %+v, %v; want row 3 refused", refused, err)
		}
		if got, _ := f.store.Batch(ctx, b.ID); got.Created != 0 || got.Status != credit.BatchRunning {
			t.Errorf("after a refused atomic batch: %+v", got)
		}
		page, _ := f.store.SearchSubjects(ctx, credit.SubjectFilter{Query: "楚天", Page: 1, PerPage: 10})
		_ = page
		// Nothing of it was stored: a1 is not a record.
		ok := []*credit.Chunk{chunk(b, 2, "a1", "a2")}
		i = 0
		refused, err = f.store.CommitAtomic(ctx, b, "node-a", func() (*credit.Chunk, error) {
			if i == len(ok) {
				return nil, nil
			}
			i++
			return ok[i-1], nil
		})
		if err != nil || len(refused) != 0 {
			t.Fatalf("CommitAtomic = %+v, %v", refused, err)
		}
		if got, _ := f.store.Batch(ctx, b.ID); got.Created != 2 || got.Status != credit.BatchDone {
			t.Errorf("atomic batch = %+v", got)
		}
	})
	if n, err := f.store.VerifyAudit(ctx); err != nil || n < 8 {
		t.Errorf("audit after batches: %d, %v", n, err)
	}
}
