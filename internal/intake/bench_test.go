package intake_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/demo"
	"github.com/xinyong/xinyong/internal/workday"
)

// writePenaltyCSV writes rows demo penalties about subjects organisations.
func writePenaltyCSV(tb testing.TB, path string, subjects, rows int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	g := demo.New(11, time.Date(2026, 11, 30, 0, 0, 0, 0, workday.CST))
	orgs := make([]demo.Org, subjects)
	for i := range orgs {
		orgs[i] = g.Org()
	}
	it, _ := catalog.Default().Item("admin_penalty")
	n := 0
	if _, err := demo.WriteRecords(f, it, demo.FileOptions{Format: "csv"}, func() map[string]any {
		if n == rows {
			return nil
		}
		n++
		return g.Penalty(orgs[n%subjects])
	}); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkImportCSV collects a CSV file of 20,000 penalty rows about 4,000
// organisations into a fresh database: read, normalise, validate, link
// subjects, version, index names, commit.
func BenchmarkImportCSV(b *testing.B) {
	path := filepath.Join(b.TempDir(), "p.csv")
	writePenaltyCSV(b, path, 4000, 20000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newBatchEnv(b)
		e.runner.Limits.ChunkRows = 5000
		bt := &credit.Batch{ProviderID: e.provider.ID, ProviderCode: e.provider.Code, Item: "admin_penalty", Mode: credit.ModePartial,
			FileName: "p.csv", FilePath: path, FileHash: []byte("p"), FileSize: 1}
		e.store.CreateBatch(context.Background(), bt)
		e.store.ClaimBatch(context.Background(), bt.ID, e.runner.Owner, time.Now().Add(time.Hour), nil)
		b.StartTimer()
		if err := e.runner.Run(context.Background(), bt, nil); err != nil {
			b.Fatal(err)
		}
		if bt.Status != credit.BatchDone {
			b.Fatalf("batch %+v", bt)
		}
	}
	b.ReportMetric(float64(b.N*20000)/b.Elapsed().Seconds(), "rows/s")
}
