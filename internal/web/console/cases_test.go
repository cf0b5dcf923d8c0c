package console_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strconv"
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
	"github.com/xinyong/xinyong/internal/workday"
)

// mustObjection stores a penalty and files an objection on it.
func mustObjection(t *testing.T, e *Env) *credit.Objection {
	t.Helper()
	ctx := context.Background()
	p := &credit.Provider{Code: "420000-SCJG", Name: "湖北省市场监督管理局", Items: []string{"admin_penalty"}}
	if err := e.Store.CreateProvider(ctx, p, []byte("hash-of-a-key-for-the-tests-0001")); err != nil {
		t.Fatal(err)
	}
	keys, _ := pii.New(bytes.Repeat([]byte{5}, 32))
	it, _ := catalog.Default().Item("admin_penalty")
	d, errs, _ := (&intake.Preparer{Calendar: workday.Default(), Keys: keys}).Prepare(it, 0, catalogtest.Penalty("cf_jdrq", "2026-11-20"), e.Clock())
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	outs, err := e.Store.Submit(ctx, &credit.Submission{Provider: p, Item: it.Code, CatalogVersion: it.Version, RequestID: "t", Drafts: []*credit.Draft{d}})
	if err != nil {
		t.Fatal(err)
	}
	cases := &casework.Service{Store: e.Store, Catalog: catalog.Default(), Calendar: workday.Default(), Now: e.Clock}
	o, _, err := cases.FileObjection(ctx, casework.ObjectionInput{RecordID: outs[0].RecordID, Ground: rights.GroundError, Statement: "金额有误",
		Applicant: credit.Applicant{Name: "王五", Role: "委托代理人", USCC: "91110000600037341L", Phone: "13800000000"},
		Files:     []casework.File{{Name: "证明.pdf", Data: []byte("%PDF-1.4 proof")}}})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestObjectionCase(t *testing.T) {
	e := MustEnv(t)
	o := mustObjection(t, e)
	e.MustStaff(t, "handler1", credit.RoleHandler, "correct horse battery", false)
	e.MustStaff(t, "handler2", credit.RoleHandler, "correct horse battery", false)
	e.MustStaff(t, "auditor1", credit.RoleAuditor, "correct horse battery", false)
	casePath := fmt.Sprintf("/console/objections/%d", o.ID)
	stepPath := casePath + "/step"

	a := e.Browser()
	a.MustLogin(t, "handler1", "correct horse battery")
	q := a.Get(t, "/console/objections")
	if q.Status != 200 || !strings.Contains(q.Body, o.Number) || !strings.Contains(q.Body, "2026-12-01") {
		t.Fatalf("queue: %d %.400s", q.Status, q.Body)
	}
	if q := a.Get(t, "/console/objections?provider=420000-SCJG"); !strings.Contains(q.Body, o.Number) || !strings.Contains(q.Body, `<option value="420000-SCJG" selected>`) {
		t.Errorf("the provider's queue lacks %s", o.Number)
	}
	if q := a.Get(t, "/console/objections?provider=420100-SWJ"); strings.Contains(q.Body, o.Number) {
		t.Errorf("another provider's queue lists %s", o.Number)
	}
	p := a.Get(t, casePath)
	if p.Status != 200 || !strings.Contains(p.Body, "金额有误") || !strings.Contains(p.Body, "证明.pdf") || !strings.Contains(p.Body, "身份待核实") {
		t.Fatalf("case page: %d %.600s", p.Status, p.Body)
	}
	f := a.Get(t, fmt.Sprintf("%s/files/%d", casePath, o.Files[0].ID))
	if f.Status != 200 || f.Body != "%PDF-1.4 proof" || f.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(f.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("evidence: %d %q %v", f.Status, f.Body, f.Header)
	}

	// Two handlers open the case; the first to act wins, the second is
	// told, and nothing of its step is applied.
	b := e.Browser()
	b.MustLogin(t, "handler2", "correct horse battery")
	pa, pb := a.Get(t, casePath), b.Get(t, casePath)
	version := strconv.Itoa(o.Version)
	ra := a.Post(t, stepPath, url.Values{"csrf": {pa.CSRF(stepPath)}, "version": {version}, "step": {"accept"}})
	if ra.Status != 303 || !strings.HasPrefix(ra.Location(), casePath) {
		t.Fatalf("accept: %d %.400s", ra.Status, ra.Body)
	}
	rb := b.Post(t, stepPath, url.Values{"csrf": {pb.CSRF(stepPath)}, "version": {version}, "step": {"return"}, "reason": {"材料不全"}})
	if rb.Status != 409 || !strings.Contains(rb.Body, "已被他人处理") {
		t.Fatalf("second handler: %d %.400s", rb.Status, rb.Body)
	}
	got, _ := e.Store.Objection(context.Background(), o.ID)
	if got.State != rights.ObjAccepted || !got.Applicant.Verified || got.Applicant.VerifiedBy != "staff:handler1" || len(got.Steps) != 2 {
		t.Fatalf("case after the race: %+v", got)
	}
	rec, _ := e.Store.Record(context.Background(), got.RecordID)
	if !rec.UnderObjection {
		t.Error("the record is not marked")
	}

	// A step the case does not allow is refused with the reason.
	pa = a.Get(t, casePath)
	r := a.Post(t, stepPath, url.Values{"csrf": {pa.CSRF(stepPath)}, "version": {strconv.Itoa(got.Version)}, "step": {"extend"}, "days": {"21"}, "reason": {"x"}})
	if r.Status != 400 || !strings.Contains(r.Body, "延期合计不得超过 20 个工作日") {
		t.Errorf("extend by 21: %d %.300s", r.Status, r.Body)
	}
	e.Advance(2 * time.Hour)
	r = a.Post(t, stepPath, url.Values{"csrf": {pa.CSRF(stepPath)}, "version": {strconv.Itoa(got.Version)}, "step": {"decide"}, "outcome": {"correct"}, "reason": {"罚款金额更正"}})
	if r.Status != 303 || !strings.HasPrefix(r.Location(), casePath) {
		t.Fatalf("decide: %d to %q %.300s", r.Status, r.Location(), r.Body)
	}
	got, _ = e.Store.Objection(context.Background(), o.ID)
	rec, _ = e.Store.Record(context.Background(), got.RecordID)
	if got.State != rights.ObjDecided || got.Outcome != "correct" || rec.UnderObjection {
		t.Errorf("after the decision: %s %s, marked %v", got.State, got.Outcome, rec.UnderObjection)
	}

	// An auditor sees the case but may not act.
	c := e.Browser()
	c.MustLogin(t, "auditor1", "correct horse battery")
	if p := c.Get(t, casePath); p.Status != 200 || strings.Contains(p.Body, `value="decide"`) {
		t.Errorf("auditor's view: %d", p.Status)
	}
	if r := c.Post(t, stepPath, url.Values{"csrf": {c.Get(t, casePath).CSRF(stepPath)}, "version": {"9"}, "step": {"accept"}}); r.Status != 403 {
		t.Errorf("auditor acted: %d", r.Status)
	}
	if n, err := e.Store.VerifyAudit(context.Background()); err != nil || n == 0 {
		t.Errorf("audit: %d %v", n, err)
	}
}
