package casework_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/casework"
	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/catalog/catalogtest"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/intake"
	"github.com/xinyong/xinyong/internal/pii"
	"github.com/xinyong/xinyong/internal/rights"
	"github.com/xinyong/xinyong/internal/store/sqlite"
	"github.com/xinyong/xinyong/internal/workday"
)

type env struct {
	now   time.Time
	store *sqlite.DB
	cases *casework.Service
	ids   []int64
}

// mustEnv stores penalties decided on the given days in a fresh SQLite
// database; the clock starts at 2026-11-30 10:00 CST.
func mustEnv(t *testing.T, decided ...string) *env {
	t.Helper()
	e := &env{now: time.Date(2026, 11, 30, 10, 0, 0, 0, workday.CST)}
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return e.now }
	e.store = db
	cat := catalog.Default()
	e.cases = &casework.Service{Store: db, Catalog: cat, Calendar: workday.Default(), Now: func() time.Time { return e.now }}
	p := &credit.Provider{Code: "420000-SCJG", Name: "湖北省市场监督管理局", Items: []string{"admin_penalty"}}
	if err := db.CreateProvider(context.Background(), p, []byte("hash")); err != nil {
		t.Fatal(err)
	}
	keys, _ := pii.New(bytes.Repeat([]byte{7}, 32))
	prep := &intake.Preparer{Calendar: workday.Default(), Keys: keys}
	it, _ := cat.Item("admin_penalty")
	sub := &credit.Submission{Provider: p, Item: it.Code, CatalogVersion: it.Version, RequestID: "t"}
	for i, d := range decided {
		draft, errs, _ := prep.Prepare(it, i, catalogtest.Penalty("cf_jdrq", d, "cf_wsh", "鄂市监罚〔"+d+"〕号"), e.now)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		sub.Drafts = append(sub.Drafts, draft)
	}
	outs, err := db.Submit(context.Background(), sub)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outs {
		e.ids = append(e.ids, o.RecordID)
	}
	return e
}

func applicant() credit.Applicant {
	return credit.Applicant{Name: "王五", Role: "委托代理人", USCC: "91110000600037341L", Phone: "13800000000"}
}

func TestEscalate(t *testing.T) {
	ctx := context.Background()
	e := mustEnv(t, "2026-11-20")
	o, _, err := e.cases.FileObjection(ctx, casework.ObjectionInput{RecordID: e.ids[0], Ground: rights.GroundError, Statement: "有误", Applicant: applicant()})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := e.cases.Escalate(ctx); err != nil || n != 0 {
		t.Fatalf("escalated %d before the deadline: %v", n, err)
	}
	e.now = time.Date(2026, 12, 1, 23, 59, 0, 0, workday.CST) // the last day to accept
	if n, _ := e.cases.Escalate(ctx); n != 0 {
		t.Fatalf("escalated %d on the last day", n)
	}
	e.now = time.Date(2026, 12, 2, 0, 1, 0, 0, workday.CST)
	if n, err := e.cases.Escalate(ctx); err != nil || n != 1 {
		t.Fatalf("escalated %d the day after: %v", n, err)
	}
	if n, _ := e.cases.Escalate(ctx); n != 0 {
		t.Fatalf("escalated again: %d", n)
	}
	got, _ := e.store.Objection(ctx, o.ID)
	if got.EscalatedAt.IsZero() {
		t.Error("not flagged")
	}
}

func TestArchive(t *testing.T) {
	ctx := context.Background()
	// Penalties are archived 5 years after their decision.
	e := mustEnv(t, "2021-11-29", "2021-11-30", "2021-12-01", "2026-01-05")
	n, err := e.cases.Archive(ctx)
	if err != nil || n != 1 {
		t.Fatalf("archived %d on 2026-11-30, want 1 (decided 2021-11-29): %v", n, err)
	}
	e.now = e.now.AddDate(0, 0, 1)
	if n, _ = e.cases.Archive(ctx); n != 1 {
		t.Fatalf("archived %d on 2026-12-01, want 1", n)
	}
	for i, want := range []string{credit.RecordArchived, credit.RecordArchived, credit.RecordActive, credit.RecordActive} {
		rec, _ := e.store.Record(ctx, e.ids[i])
		if rec.Status != want {
			t.Errorf("record decided %d: %s, want %s", i, rec.Status, want)
		}
	}
}

func TestEvidence(t *testing.T) {
	s := &casework.Service{Limits: casework.Limits{MaxFiles: 2, MaxFileBytes: 16, MaxText: 10}}
	for _, tc := range []struct {
		name  string
		files []casework.File
		err   string
		typ   string
	}{
		{"OK PDF", []casework.File{{"a.pdf", []byte("%PDF-1.7")}}, "", "application/pdf"},
		{"OK JPEG named .pdf", []casework.File{{"a.pdf", []byte{0xff, 0xd8, 0xff, 0xe0}}}, "", "image/jpeg"},
		{"ErrEXE named .pdf", []casework.File{{"a.pdf", []byte("MZ\x90\x00")}}, "not a PDF, JPEG or PNG", ""},
		{"ErrEmpty", []casework.File{{"a.png", nil}}, "is empty", ""},
		{"ErrToo big", []casework.File{{"a.pdf", append([]byte("%PDF-"), make([]byte, 20)...)}}, "is over", ""},
		{"ErrToo many", []casework.File{{"a", []byte("%PDF-")}, {"b", []byte("%PDF-")}, {"c", []byte("%PDF-")}}, "at most 2", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Evidence(tc.files)
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
			if tc.typ != "" && (len(got) != 1 || got[0].Type != tc.typ || len(got[0].SHA256) != 32) {
				t.Errorf("got %+v", got)
			}
		})
	}
}

func TestRevoke(t *testing.T) {
	ctx := context.Background()
	e := mustEnv(t, "2026-11-20")
	own := &credit.Provider{Code: "420000-SCJG"}
	other := &credit.Provider{Code: "420100-SWJ"}
	if err := e.cases.Revoke(ctx, other, e.ids[0], "x"); !credit.IsNotFound(err) {
		t.Errorf("another provider revoked it: %v", err)
	}
	if err := e.cases.Revoke(ctx, own, e.ids[0], " "); credit.ErrorCode(err) != credit.EINVALID {
		t.Errorf("revoked without a reason: %v", err)
	}
	if err := e.cases.Revoke(ctx, own, e.ids[0], "复议撤销"); err != nil {
		t.Fatal(err)
	}
	rec, _ := e.store.Record(ctx, e.ids[0])
	evs, _ := e.store.RecordEvents(ctx, e.ids[0])
	if rec.Status != credit.RecordRevoked || len(evs) != 1 || evs[0].Reason != "复议撤销" || evs[0].Actor != "provider:420000-SCJG" {
		t.Errorf("status %s, events %+v", rec.Status, evs)
	}
}
