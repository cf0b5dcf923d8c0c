package sqlite_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/demo"
	"github.com/xinyong/xinyong/internal/intake"
	"github.com/xinyong/xinyong/internal/pii"
	"github.com/xinyong/xinyong/internal/store/sqlite"
	"github.com/xinyong/xinyong/internal/workday"
)

// benchEnv is a database loaded with demo organisations and penalties.
type benchEnv struct {
	db       credit.Store
	prep     *intake.Preparer
	provider *credit.Provider
	item     *catalog.Item
	gen      *demo.Generator
	now      time.Time
	usccs    []string
}

func newBenchEnv(b *testing.B, orgs int) *benchEnv {
	b.Helper()
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, workday.CST)
	keys, _ := pii.New(bytes.Repeat([]byte{5}, 32))
	e := &benchEnv{db: MustOpen(b, func() time.Time { return now }), prep: &intake.Preparer{Calendar: workday.Default(), Keys: keys},
		gen: demo.New(7, now), now: now}
	e.item, _ = catalog.Default().Item("admin_penalty")
	e.provider = &credit.Provider{Code: "420000-SCJG", Name: "湖北省市场监督管理局", Items: []string{"admin_penalty"}}
	if err := e.db.CreateProvider(context.Background(), e.provider, []byte("k")); err != nil {
		b.Fatal(err)
	}
	for done := 0; done < orgs; {
		n := min(1000, orgs-done)
		var recs []map[string]any
		for i := 0; i < n; i++ {
			o := e.gen.Org()
			e.usccs = append(e.usccs, o.USCC)
			recs = append(recs, e.gen.Penalty(o), e.gen.Penalty(o))
		}
		e.submit(b, recs)
		done += n
	}
	return e
}

func (e *benchEnv) submit(b *testing.B, recs []map[string]any) {
	sub := &credit.Submission{Provider: e.provider, Item: e.item.Code, CatalogVersion: e.item.Version}
	for i, r := range recs {
		d, errs, _ := e.prep.Prepare(e.item, i, r, e.now)
		if len(errs) > 0 {
			b.Fatalf("invalid demo record: %+v", errs)
		}
		sub.Drafts = append(sub.Drafts, d)
	}
	if _, err := e.db.Submit(context.Background(), sub); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSubmit measures the store's write path alone: batches of 5,000
// prepared penalty records, five to an organisation, into a growing
// database, as a file batch commits them.
func BenchmarkSubmit(b *testing.B) {
	e := newBenchEnv(b, 0)
	const per = 5000
	subs := make([]*credit.Submission, b.N)
	for i := range subs {
		var orgs []demo.Org
		for k := 0; k < per/5; k++ {
			orgs = append(orgs, e.gen.Org())
		}
		sub := &credit.Submission{Provider: e.provider, Item: e.item.Code, CatalogVersion: e.item.Version, RequestID: fmt.Sprint("bench-", i)}
		for j := 0; j < per; j++ {
			d, errs, _ := e.prep.Prepare(e.item, j, e.gen.Penalty(orgs[j%len(orgs)]), e.now)
			if len(errs) > 0 {
				b.Fatal(errs)
			}
			sub.Drafts = append(sub.Drafts, d)
		}
		subs[i] = sub
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.db.Submit(context.Background(), subs[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*per)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkPublicSubject reads an organisation and its public records, as
// GET /api/v1/subjects/{uscc} does, in a database of 20,000 organisations.
func BenchmarkPublicSubject(b *testing.B) {
	e := newBenchEnv(b, 20000)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := e.db.SubjectByUSCC(ctx, e.usccs[i%len(e.usccs)])
		if err != nil {
			b.Fatal(err)
		}
		counts, err := e.db.PublicCounts(ctx, s.ID, e.now)
		if err != nil {
			b.Fatal(err)
		}
		for item := range counts {
			if _, err := e.db.PublicRecords(ctx, s.ID, item, e.now, 20, 0); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkSearch searches names among 20,000 organisations with queries of
// 2, 3 and 4+ characters.
func BenchmarkSearch(b *testing.B) {
	e := newBenchEnv(b, 20000)
	ctx := context.Background()
	for _, q := range []string{"武汉", "建筑工", "商贸有限公司", "9142"} {
		b.Run(q, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := e.db.SearchSubjects(ctx, credit.SubjectFilter{Query: q, Page: 1, PerPage: 20}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStats computes the portal's statistics, which count every
// record, in a database of 20,000 organisations and 40,000 penalties; or,
// when XINYONG_BENCH_DB names a database file (such as the xinyong.db of
// `xinyong demo --subjects 10000 --records 100000`), in that database on
// today.
func BenchmarkStats(b *testing.B) {
	ctx := context.Background()
	var db credit.Store
	var day time.Time
	if path := os.Getenv("XINYONG_BENCH_DB"); path != "" {
		d, err := sqlite.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		defer d.Close()
		if err := d.CheckSchema(ctx); err != nil {
			b.Fatal(err)
		}
		db, day = d, time.Now().In(workday.CST)
	} else {
		e := newBenchEnv(b, 20000)
		db, day = e.db, e.now
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := db.Stats(ctx, day)
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 && s.ByMonth[11].Records == 0 {
			b.Fatalf("no records counted this month: %+v", s.ByMonth)
		}
	}
}
