package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/catalog/catalogtest"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/workday"
)

func ptr[T any](v T) *T { return &v }

// newObjection files an objection on record id.
func newObjection(t *testing.T, f *fixture, id int64, token string) *credit.Objection {
	t.Helper()
	h := sha256.Sum256([]byte(token))
	o := &credit.Objection{RecordID: id, Ground: "error", Statement: "处罚决定已被撤销", State: "filed", TokenHash: h[:],
		Applicant: credit.Applicant{Name: "王五", Role: "委托代理人", USCC: "91110000600037341L", Phone: "13800000000"},
		Files:     []credit.EvidenceFile{{Name: "撤销决定.pdf", Type: "application/pdf", Size: 9, SHA256: bytes.Repeat([]byte{1}, 32), Data: []byte("%PDF-1.4\n")}}}
	if err := f.store.CreateObjection(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	return o
}

func testObjections(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newFixture(t, open)
	out := f.submit(t, catalogtest.Penalty("cf_wsh", "鄂市监罚〔2026〕31号"))
	id := out[0].RecordID

	t.Run("OK file", func(t *testing.T) {
		o := newObjection(t, f, id, "token-1")
		if o.ID == 0 || o.Version != 1 || !strings.HasPrefix(o.Number, "YY20261130-") || !o.FiledAt.Equal(f.now) {
			t.Fatalf("filed %+v", o)
		}
		got, err := f.store.ObjectionByToken(ctx, o.TokenHash)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != o.ID || got.Item != "admin_penalty" || got.ProviderCode != "420000-SCJG" || got.SubjectUSCC != "91110000600037341L" ||
			got.Applicant.Name != "王五" || got.State != "filed" || len(got.Files) != 1 || got.Files[0].Data != nil || len(got.Steps) != 1 {
			t.Errorf("read back %+v", got)
		}
		file, err := f.store.EvidenceFile(ctx, "objection", o.ID, got.Files[0].ID)
		if err != nil || string(file.Data) != "%PDF-1.4\n" || file.Type != "application/pdf" {
			t.Errorf("file %+v, %v", file, err)
		}
		if _, err := f.store.EvidenceFile(ctx, "repair", o.ID, got.Files[0].ID); !credit.IsNotFound(err) {
			t.Errorf("a file read as another kind of case: %v", err)
		}
	})
	t.Run("ErrFile on no record", func(t *testing.T) {
		err := f.store.CreateObjection(ctx, &credit.Objection{RecordID: 999999, Ground: "error", State: "filed", TokenHash: []byte("x")})
		if !credit.IsNotFound(err) {
			t.Errorf("err = %v, want not found", err)
		}
	})
	t.Run("OK steps mark and clear the record", func(t *testing.T) {
		o := newObjection(t, f, id, "token-2")
		f.now = f.now.Add(time.Hour)
		o.State, o.AcceptedAt = "accepted", f.now
		if err := f.store.UpdateObjection(ctx, o, credit.CaseStep{Kind: "accept", Actor: "handler1"}, credit.RecordEffect{Mark: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		rec, err := f.store.Record(ctx, id)
		if err != nil || !rec.UnderObjection {
			t.Fatalf("after accept: marked %v, %v", rec != nil && rec.UnderObjection, err)
		}
		recs, err := f.store.PublicRecords(ctx, out[0].SubjectID, "admin_penalty", f.now.In(workday.CST), 10, 0)
		if err != nil || len(recs) != 1 || !recs[0].UnderObjection {
			t.Fatalf("public records do not show the mark: %v", err)
		}
		o.State, o.DecidedAt, o.Outcome, o.Reasons = "decided", f.now, "stop_disclosure", "已超期"
		if err := f.store.UpdateObjection(ctx, o, credit.CaseStep{Kind: "decide", Actor: "handler1", Outcome: "stop_disclosure", Reason: "已超期"},
			credit.RecordEffect{Mark: ptr(false), Status: credit.RecordStopped, From: []string{credit.RecordActive}}); err != nil {
			t.Fatal(err)
		}
		rec, _ = f.store.Record(ctx, id)
		if rec.UnderObjection || rec.Status != credit.RecordStopped {
			t.Errorf("after decision: marked %v, status %s", rec.UnderObjection, rec.Status)
		}
		got, _ := f.store.Objection(ctx, o.ID)
		if got.Version != 3 || got.State != "decided" || got.Outcome != "stop_disclosure" || len(got.Steps) != 3 || got.Steps[2].Actor != "handler1" {
			t.Errorf("case %+v", got)
		}
		evs, err := f.store.RecordEvents(ctx, id)
		if err != nil || len(evs) != 3 || evs[0].Kind != "objection.mark" || evs[2].Kind != credit.RecordStopped || !strings.HasPrefix(evs[2].Ref, "objection:") {
			t.Errorf("events %+v, %v", evs, err)
		}
		if n, err := f.store.VerifyAudit(ctx); err != nil || n == 0 {
			t.Errorf("audit chain: %d, %v", n, err)
		}
		// Back to active for the tests below.
		if err := f.store.SetRecordStatus(ctx, id, []string{credit.RecordStopped}, credit.RecordActive, "handler1", "test"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrStale version", func(t *testing.T) {
		o := newObjection(t, f, id, "token-3")
		stale := *o
		o.State = "accepted"
		if err := f.store.UpdateObjection(ctx, o, credit.CaseStep{Kind: "accept", Actor: "a"}, credit.RecordEffect{}); err != nil {
			t.Fatal(err)
		}
		stale.State = "returned"
		err := f.store.UpdateObjection(ctx, &stale, credit.CaseStep{Kind: "return", Actor: "b", Reason: "x"}, credit.RecordEffect{})
		if credit.ErrorCode(err) != credit.ECONFLICT {
			t.Errorf("err = %v, want conflict", err)
		}
		got, _ := f.store.Objection(ctx, o.ID)
		if got.State != "accepted" || len(got.Steps) != 2 {
			t.Errorf("the stale step was half applied: %+v", got)
		}
	})
	t.Run("OK one of two at once wins", func(t *testing.T) {
		o := newObjection(t, f, id, "token-4")
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range 2 {
			c := *o
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.State = []string{"accepted", "returned"}[i]
				errs[i] = f.store.UpdateObjection(ctx, &c, credit.CaseStep{Kind: []string{"accept", "return"}[i], Actor: "staff", Reason: "r"}, credit.RecordEffect{})
			}()
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("errors %v and %v: want exactly one conflict", errs[0], errs[1])
		}
		got, _ := f.store.Objection(ctx, o.ID)
		if len(got.Steps) != 2 || got.Version != 2 {
			t.Errorf("case after the race: %+v", got)
		}
	})
	t.Run("OK queue and escalation", func(t *testing.T) {
		list, err := f.store.Objections(ctx, credit.CaseFilter{States: []string{"filed"}, ProviderCode: "420000-SCJG"})
		if err != nil || len(list) == 0 {
			t.Fatalf("queue: %d, %v", len(list), err)
		}
		for _, o := range list {
			if o.State != "filed" {
				t.Errorf("queue of filed cases lists %s", o.State)
			}
		}
		if other, _ := f.store.Objections(ctx, credit.CaseFilter{ProviderCode: "420100-OTHER"}); len(other) != 0 {
			t.Errorf("another provider's queue lists %d", len(other))
		}
		first, err := f.store.EscalateObjection(ctx, list[0].ID, "overdue")
		if err != nil || !first {
			t.Fatalf("escalate: %v %v", first, err)
		}
		again, err := f.store.EscalateObjection(ctx, list[0].ID, "overdue")
		if err != nil || again {
			t.Errorf("escalated twice: %v %v", again, err)
		}
		got, _ := f.store.Objection(ctx, list[0].ID)
		if got.EscalatedAt.IsZero() {
			t.Error("no escalation time")
		}
	})
}

func testRepairs(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newFixture(t, open)
	out := f.submit(t, catalogtest.Penalty("cf_wsh", "鄂市监罚〔2026〕41号"))
	id := out[0].RecordID
	h := sha256.Sum256([]byte("repair-token"))
	r := &credit.Repair{RecordID: id, State: "applied", TokenHash: h[:], Performed: "罚款已于2026年3月1日缴清", Commitment: "本单位承诺……",
		Applicant: credit.Applicant{Name: "赵六", Role: "法定代表人", USCC: "91110000600037341L"}}
	if err := f.store.CreateRepair(ctx, r); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Number, "XF20261130-") || r.Version != 1 {
		t.Fatalf("applied %+v", r)
	}
	got, err := f.store.RepairByToken(ctx, h[:])
	if err != nil || got.ID != r.ID || got.Performed != r.Performed || got.SubjectName == "" {
		t.Fatalf("read back %+v, %v", got, err)
	}
	r.State, r.DecidedAt = "approved", f.now
	if err := f.store.UpdateRepair(ctx, r, credit.CaseStep{Kind: "approve", Actor: "provider:420000-SCJG"},
		credit.RecordEffect{Status: credit.RecordRepaired, From: []string{credit.RecordActive}}); err != nil {
		t.Fatal(err)
	}
	rec, _ := f.store.Record(ctx, id)
	if rec.Status != credit.RecordRepaired || len(rec.Versions) != 1 {
		t.Errorf("record after repair: %s, %d versions", rec.Status, len(rec.Versions))
	}
	if recs, _ := f.store.PublicRecords(ctx, out[0].SubjectID, "admin_penalty", f.now.In(workday.CST), 10, 0); len(recs) != 0 {
		t.Error("a repaired record is still public")
	}
	if list, err := f.store.Repairs(ctx, credit.CaseFilter{States: []string{"applied"}}); err != nil || len(list) != 0 {
		t.Errorf("open repairs: %d, %v", len(list), err)
	}
	// A second approval of the same record finds it repaired already.
	r2 := &credit.Repair{RecordID: id, State: "applied", TokenHash: []byte("other-token-hash-000000000000000"), Applicant: credit.Applicant{Name: "赵六"}}
	if err := f.store.CreateRepair(ctx, r2); err != nil {
		t.Fatal(err)
	}
	r2.State = "approved"
	err = f.store.UpdateRepair(ctx, r2, credit.CaseStep{Kind: "approve", Actor: "x"}, credit.RecordEffect{Status: credit.RecordRepaired, From: []string{credit.RecordActive}})
	if credit.ErrorCode(err) != credit.ECONFLICT {
		t.Errorf("err = %v, want conflict", err)
	}
	if got, _ := f.store.Repair(ctx, r2.ID); got.State != "applied" {
		t.Errorf("half applied: %s", got.State)
	}
}

func testRecordLife(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newFixture(t, open)
	out := f.submit(t,
		catalogtest.Penalty("cf_wsh", "鄂市监罚〔2020〕1号", "cf_jdrq", "2020-05-06"),
		catalogtest.Penalty("cf_wsh", "鄂市监罚〔2021〕2号", "cf_jdrq", "2021-12-01"),
		catalogtest.Penalty("cf_wsh", "鄂市监罚〔2026〕3号", "cf_jdrq", "2026-05-06"))
	if err := f.store.SetRecordStatus(ctx, out[2].RecordID, []string{credit.RecordActive}, credit.RecordRevoked, "provider:420000-SCJG", "复议撤销"); err != nil {
		t.Fatal(err)
	}
	if err := f.store.SetRecordStatus(ctx, out[2].RecordID, []string{credit.RecordActive}, credit.RecordRevoked, "provider:420000-SCJG", "again"); credit.ErrorCode(err) != credit.ECONFLICT {
		t.Errorf("revoking twice: %v, want conflict", err)
	}
	if err := f.store.SetRecordStatus(ctx, 999999, nil, credit.RecordRevoked, "x", "y"); !credit.IsNotFound(err) {
		t.Errorf("unknown record: %v", err)
	}
	// Archive what was decided five years ago or earlier, one at a time.
	by := workday.Date(2021, 11, 30)
	n, err := f.store.ArchiveRecords(ctx, "admin_penalty", by, 1)
	if err != nil || n != 1 {
		t.Fatalf("archive: %d, %v", n, err)
	}
	if n, _ = f.store.ArchiveRecords(ctx, "admin_penalty", by, 1); n != 0 {
		t.Errorf("archived %d more: only one was old enough", n)
	}
	for i, want := range []string{credit.RecordArchived, credit.RecordActive, credit.RecordRevoked} {
		rec, _ := f.store.Record(ctx, out[i].RecordID)
		if rec.Status != want {
			t.Errorf("record %d: %s, want %s", i, rec.Status, want)
		}
	}
	evs, _ := f.store.RecordEvents(ctx, out[0].RecordID)
	if len(evs) != 1 || evs[0].Kind != credit.RecordArchived || evs[0].Actor != "scheduler" {
		t.Errorf("events %+v", evs)
	}
}
