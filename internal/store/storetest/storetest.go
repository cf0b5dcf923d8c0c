// Package storetest is the storage contract as a test suite: every backend
// runs the same tests against a real database, so that SQLite and later
// backends behave alike. No database is mocked.
package storetest

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/catalog/catalogtest"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/intake"
	"github.com/xinyong/xinyong/internal/pii"
	"github.com/xinyong/xinyong/internal/workday"
)

// Opener returns a fresh, migrated, empty store whose clock is now().
type Opener func(tb testing.TB, now func() time.Time) credit.Store

// Run runs the contract suite against the stores open returns.
func Run(t *testing.T, open Opener) {
	t.Run("Providers", func(t *testing.T) { testProviders(t, open) })
	t.Run("Versions", func(t *testing.T) { testVersions(t, open) })
	t.Run("ConcurrentVersions", func(t *testing.T) { testConcurrentVersions(t, open) })
	t.Run("Subjects", func(t *testing.T) { testSubjects(t, open) })
	t.Run("Search", func(t *testing.T) { testSearch(t, open) })
	t.Run("Codes", func(t *testing.T) { testCodes(t, open) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, open) })
	t.Run("Keys", func(t *testing.T) { testKeys(t, open) })
	t.Run("Jobs", func(t *testing.T) { testJobs(t, open) })
	t.Run("Batches", func(t *testing.T) { testBatches(t, open) })
	t.Run("Announcements", func(t *testing.T) { testAnnouncements(t, open) })
	t.Run("Stats", func(t *testing.T) { testStats(t, open) })
	t.Run("Staff", func(t *testing.T) { testStaff(t, open) })
	t.Run("Objections", func(t *testing.T) { testObjections(t, open) })
	t.Run("Repairs", func(t *testing.T) { testRepairs(t, open) })
	t.Run("RecordLife", func(t *testing.T) { testRecordLife(t, open) })
}

type fixture struct {
	requests int // submissions so far, for distinct request ids
	store    credit.Store
	now      time.Time
	prep     *intake.Preparer
	provider *credit.Provider
	penalty  *catalog.Item
}

func newFixture(t *testing.T, open Opener) *fixture {
	t.Helper()
	keys, err := pii.New(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{now: time.Date(2026, 11, 30, 10, 0, 0, 0, workday.CST), prep: &intake.Preparer{Calendar: workday.Default(), Keys: keys}}
	f.store = open(t, func() time.Time { return f.now })
	f.penalty, _ = catalog.Default().Item("admin_penalty")
	f.provider = &credit.Provider{Code: "420000-SCJG", Name: "湖北省市场监督管理局", Items: []string{"admin_penalty", "registration_basic"}}
	if err := f.store.CreateProvider(context.Background(), f.provider, []byte("key-hash-1")); err != nil {
		t.Fatal(err)
	}
	return f
}

// submit prepares and stores penalty records, failing the test on invalid ones.
func (f *fixture) submit(t *testing.T, recs ...map[string]any) []credit.Outcome {
	t.Helper()
	return f.submitItem(t, f.penalty, recs...)
}

func (f *fixture) submitItem(t *testing.T, it *catalog.Item, recs ...map[string]any) []credit.Outcome {
	t.Helper()
	f.requests++
	sub := &credit.Submission{Provider: f.provider, Item: it.Code, CatalogVersion: it.Version, RequestID: fmt.Sprintf("test-%d", f.requests)}
	for i, r := range recs {
		d, errs, _ := f.prep.Prepare(it, i, r, f.now)
		if len(errs) > 0 {
			t.Fatalf("record %d invalid: %+v", i, errs)
		}
		sub.Drafts = append(sub.Drafts, d)
	}
	out, err := f.store.Submit(context.Background(), sub)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func testProviders(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newFixture(t, open)
	t.Run("OK", func(t *testing.T) {
		p, err := f.store.ProviderByKeyHash(ctx, []byte("key-hash-1"))
		if err != nil || p.Code != "420000-SCJG" || len(p.Items) != 2 || p.Items[0] != "admin_penalty" {
			t.Fatalf("ProviderByKeyHash = %+v, %v", p, err)
		}
		ps, err := f.store.Providers(ctx)
		if err != nil || len(ps) != 1 {
			t.Fatalf("Providers = %v, %v", ps, err)
		}
	})
	t.Run("ErrUnauthorized", func(t *testing.T) {
		if _, err := f.store.ProviderByKeyHash(ctx, []byte("nope")); credit.ErrorCode(err) != credit.EUNAUTHORIZED {
			t.Errorf("err = %v, want EUNAUTHORIZED", err)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		err := f.store.CreateProvider(ctx, &credit.Provider{Code: "420000-SCJG", Name: "x", Items: []string{"admin_penalty"}}, []byte("key-hash-2"))
		if credit.ErrorCode(err) != credit.ECONFLICT {
			t.Errorf("err = %v, want ECONFLICT", err)
		}
	})
}

func testVersions(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newFixture(t, open)
	out := f.submit(t, catalogtest.Penalty())
	if out[0].Status != credit.StatusCreated || out[0].Version != 1 || out[0].Subject != "91110000600037341L" {
		t.Fatalf("first = %+v", out[0])
	}
	id := out[0].RecordID
	if again := f.submit(t, catalogtest.Penalty()); again[0].Status != credit.StatusUnchanged || again[0].RecordID != id || again[0].Version != 1 {
		t.Errorf("identical resubmission = %+v", again[0])
	}
	f.now = f.now.Add(time.Hour)
	if upd := f.submit(t, catalogtest.Penalty("cf_nr_fk", "6")); upd[0].Status != credit.StatusUpdated || upd[0].RecordID != id || upd[0].Version != 2 {
		t.Errorf("changed = %+v", upd[0])
	}
	if other := f.submit(t, catalogtest.Penalty("cf_wsh", "鄂市监罚〔2026〕2号")); other[0].Status != credit.StatusCreated || other[0].RecordID == id {
		t.Errorf("new business key = %+v", other[0])
	}
	// A later draft of the same request for a record it already wrote is
	// refused: which one to keep is the provider's to say.
	sub := &credit.Submission{Provider: f.provider, Item: f.penalty.Code, CatalogVersion: 1, RequestID: "same-request"}
	for i, fee := range []string{"7", "8"} {
		d, _, _ := f.prep.Prepare(f.penalty, i, catalogtest.Penalty("cf_wsh", "dup", "cf_nr_fk", fee), f.now)
		sub.Drafts = append(sub.Drafts, d)
	}
	dup, err := f.store.Submit(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	if dup[0].Status != credit.StatusCreated || dup[1].Status != credit.StatusRejected || dup[1].Error == nil || dup[1].Error.Code != "duplicate_in_batch" {
		t.Errorf("same key twice in one request = %+v / %+v", dup[0], dup[1])
	}

	rec, err := f.store.Record(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Versions) != 2 || rec.Versions[0].Fields["cf_nr_fk"] != "5" || rec.Versions[1].Fields["cf_nr_fk"] != "6" || rec.Current.Version != 2 {
		t.Errorf("history = %+v", rec.Versions)
	}
	if d := rec.Current.SubmissionDeadline; d == nil || d.Format(time.DateOnly) != "2026-03-02" {
		t.Errorf("deadline = %v", d)
	}
	if rec.Current.OnTime == nil || *rec.Current.OnTime {
		t.Errorf("on_time = %v, want false (first submitted 2026-11-30)", rec.Current.OnTime)
	}
	if !rec.FirstSubmittedAt.Before(rec.UpdatedAt) {
		t.Errorf("first submitted %v, updated %v", rec.FirstSubmittedAt, rec.UpdatedAt)
	}
	if _, err := f.store.Record(ctx, 99999); !credit.IsNotFound(err) {
		t.Errorf("missing record: err = %v", err)
	}
}

func testSubjects(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newFixture(t, open)
	f.submit(t, catalogtest.Penalty("xdr_mc", "武汉甲公司", "cf_jdrq", "2025-05-01", "cf_wsh", "a"))
	f.submit(t, catalogtest.Penalty("xdr_mc", "武汉乙公司", "cf_jdrq", "2026-05-01", "cf_wsh", "b"))
	f.submit(t, catalogtest.Penalty("xdr_mc", "武汉甲公司", "cf_jdrq", "2025-06-01", "cf_wsh", "c"))
	s, err := f.store.SubjectByUSCC(ctx, "91110000600037341L")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "武汉乙公司" || len(s.Names) != 2 || s.Names[0].Name != "武汉乙公司" || s.Names[1].Name != "武汉甲公司" {
		t.Errorf("subject = %q, names %+v", s.Name, s.Names)
	}
	day := workday.Date(2026, 11, 30)
	recs, err := f.store.PublicRecords(ctx, s.ID, "admin_penalty", day, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if counts, err := f.store.PublicCounts(ctx, s.ID, day); err != nil || len(counts) != 1 || counts["admin_penalty"] != 1 {
		t.Errorf("PublicCounts = %v, %v", counts, err)
	}
	// a and c (2025, general: one year) have ended; b is shown.
	if len(recs) != 1 || recs[0].BusinessKey != "b" || recs[0].Current.Sealed != nil {
		t.Errorf("public records = %d, first %+v", len(recs), recs)
	}
	if _, err := f.store.SubjectByUSCC(ctx, "91350100M000100Y43"); !credit.IsNotFound(err) {
		t.Errorf("unknown subject: err = %v", err)
	}
	// A registered name is not replaced by what other records call the
	// subject; those names stay searchable as aliases.
	reg, _ := catalog.Default().Item("registration_basic")
	f.submitItem(t, reg, map[string]any{"mc": "武汉丙有限公司", "tyshxydm": "91110000600037341L", "ztlb": "法人及非法人组织",
		"zzlx": "有限责任公司", "fddbr": "张三", "clrq": "2010-01-01", "djrq": "2020-01-01", "djjg": "武汉市市场监督管理局",
		"zs": "武汉市江岸区沿江大道1号", "djzt": "存续"})
	f.submit(t, catalogtest.Penalty("xdr_mc", "武汉丁公司", "cf_jdrq", "2026-06-01", "cf_wsh", "d"))
	if s, _ := f.store.SubjectByUSCC(ctx, "91110000600037341L"); s.Name != "武汉丙有限公司" {
		t.Errorf("after a penalty under another name, the registered name became %q", s.Name)
	}
	if page, _ := f.store.SearchSubjects(ctx, credit.SubjectFilter{Query: "武汉丁公司", Page: 1, PerPage: 10}); page.Total != 1 || page.Hits[0].MatchedName != "武汉丁公司" {
		t.Errorf("alias search = %+v", page)
	}

	// A natural person is stored but never found by code or name.
	f.submit(t, catalogtest.Penalty("xdr_lb", "自然人", "xdr_shxym", "", "fddbr", "", "xdr_mc", "王五", "zjlx", "身份证", "zjhm", "110105195001010039", "cf_wsh", "p"))
	page, err := f.store.SearchSubjects(ctx, credit.SubjectFilter{Query: "王五", Page: 1, PerPage: 10})
	if err != nil || page.Total != 0 {
		t.Errorf("person search = %+v, %v", page, err)
	}
}

func testSearch(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newFixture(t, open)
	f.submit(t, catalogtest.Penalty("xdr_mc", "武汉楚天建筑工程有限公司", "cf_wsh", "1"),
		catalogtest.Penalty("xdr_mc", "宜昌长江商贸有限公司", "xdr_shxym", "9144030071526726XG", "cf_wsh", "2"),
		catalogtest.Penalty("xdr_mc", "楚天长江物流股份有限公司", "xdr_shxym", "91310115MA1K3BTP2B", "cf_wsh", "3"),
		catalogtest.Penalty("xdr_mc", "长江商贸有限公司", "xdr_shxym", "91350100M000100Y43", "cf_wsh", "4"),
		catalogtest.Penalty("xdr_mc", "襄阳汉江水务（集团）股份公司", "xdr_shxym", "91420600MA49XY312A", "cf_wsh", "5"))
	tests := []struct {
		q    string
		want []string
	}{
		{"建筑工程", []string{"91110000600037341L"}},
		{"长江", []string{"9144030071526726XG", "91310115MA1K3BTP2B", "91350100M000100Y43"}},
		{"楚", []string{"91110000600037341L", "91310115MA1K3BTP2B"}},
		{"长江商贸有限公司", []string{"91350100M000100Y43", "9144030071526726XG"}}, // the exact name first
		{"楚天长江物流股份有限公司", []string{"91310115MA1K3BTP2B"}},
		{"9131", []string{"91310115MA1K3BTP2B"}},
		{"91", []string{"91110000600037341L", "91310115MA1K3BTP2B", "91350100M000100Y43", "91420600MA49XY312A", "9144030071526726XG"}},
		{"有限公司", []string{"91110000600037341L", "9144030071526726XG", "91310115MA1K3BTP2B", "91350100M000100Y43"}},
		// Across punctuation, as typed: the bridge "务（集" and the pairs.
		{"水务（集团）", []string{"91420600MA49XY312A"}},
		{"务（集", []string{"91420600MA49XY312A"}},
		{"（集团）股份", []string{"91420600MA49XY312A"}},
		{"水务集团", nil},
		{"团）有", nil},
		{"ABC", nil},
		{`"* AND (`, nil},
		{"不存在的公司", nil},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			page, err := f.store.SearchSubjects(ctx, credit.SubjectFilter{Query: tt.q, Page: 1, PerPage: 50})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range page.Hits {
				got = append(got, h.USCC)
			}
			if !equal(got, tt.want) || page.Total != len(tt.want) {
				t.Errorf("hits = %v (total %d), want %v", got, page.Total, tt.want)
			}
		})
	}
}

func testAudit(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newFixture(t, open)
	f.submit(t, catalogtest.Penalty(), catalogtest.Penalty("cf_wsh", "2"))
	n, err := f.store.VerifyAudit(ctx)
	if err != nil || n != 2 { // provider.create, records.submit
		t.Errorf("VerifyAudit = %d, %v; want 2 entries", n, err)
	}
	if err := f.store.LogAccess(ctx, "provider:420000-SCJG", "record.read_personal", "record:1", "{}"); err != nil {
		t.Fatal(err)
	}
	if n, err := f.store.VerifyAudit(ctx); err != nil || n != 3 {
		t.Errorf("after LogAccess: %d, %v", n, err)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func testKeys(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t, nil)
	if err := s.BindKeys(ctx, []byte("key-one")); err != nil {
		t.Fatal(err)
	}
	if err := s.BindKeys(ctx, []byte("key-one")); err != nil {
		t.Errorf("the same key again: %v", err)
	}
	if err := s.BindKeys(ctx, []byte("key-two")); credit.ErrorCode(err) != credit.ECONFLICT {
		t.Errorf("another key: %v, want ECONFLICT", err)
	}
}

// testConcurrentVersions: writers changing the same record at once (on
// PostgreSQL, several nodes) each make one version, none lost or counted
// twice.
func testConcurrentVersions(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newFixture(t, open)
	first := f.submit(t, catalogtest.Penalty())
	const writers = 8
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		// Half of them name another organisation: subjects are locked
		// before records, so only the record's own lock orders these.
		uscc := []string{"91110000600037341L", "9144030071526726XG"}[w%2]
		d, errs, _ := f.prep.Prepare(f.penalty, 0, catalogtest.Penalty("cf_nr_fk", fmt.Sprint(10+w), "xdr_shxym", uscc), f.now)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		sub := &credit.Submission{Provider: f.provider, Item: f.penalty.Code, CatalogVersion: 1, RequestID: fmt.Sprintf("writer-%d", w),
			Drafts: []*credit.Draft{d}}
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := f.store.Submit(ctx, sub)
			if err != nil {
				t.Errorf("writer %d: %v", w, err)
				return
			}
			if out[0].Status != credit.StatusUpdated {
				t.Errorf("writer %d: %+v, want a new version", w, out[0])
			}
		}()
	}
	wg.Wait()
	r, err := f.store.Record(ctx, first[0].RecordID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Current.Version != writers+1 || len(r.Versions) != writers+1 {
		t.Errorf("after %d concurrent changes: version %d with %d versions kept, want %d", writers, r.Current.Version, len(r.Versions), writers+1)
	}
	for i, v := range r.Versions {
		if v.Version != i+1 {
			t.Errorf("version %d kept as %d", i+1, v.Version)
		}
	}
}
