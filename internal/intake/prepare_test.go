package intake_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/intake"
	"github.com/xinyong/xinyong/internal/pii"
	"github.com/xinyong/xinyong/internal/workday"
)

func MustPreparer(tb testing.TB) *intake.Preparer {
	tb.Helper()
	keys, err := pii.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		tb.Fatal(err)
	}
	return &intake.Preparer{Calendar: workday.Default(), Keys: keys}
}

func penalty(kv ...string) map[string]any {
	r := map[string]any{
		"xdr_mc": "武汉楚天建筑工程有限公司", "xdr_lb": "法人及非法人组织", "xdr_shxym": "91110000600037341L",
		"fddbr": "张三", "fddbr_zjlx": "身份证", "fddbr_zjhm": "11010519491231002X",
		"cf_wsh": "鄂市监罚〔2026〕1号", "cf_wfxw": "虚假宣传", "cf_sy": "事实", "cf_yj": "依据", "cf_cflb": "罚款", "cf_nr": "罚款",
		"cf_nr_fk": "5", "cf_jdrq": "2026-02-13", "cf_yxq": "2027-02-13", "cf_cfjg": "湖北省市场监督管理局",
		"cf_cfjgdm": "9144030071526726XG", "cf_sjly": "湖北省市场监督管理局", "cf_sjlydm": "9144030071526726XG",
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(r, kv[i])
		} else {
			r[kv[i]] = kv[i+1]
		}
	}
	return r
}

func TestPrepare(t *testing.T) {
	p := MustPreparer(t)
	pen, _ := catalog.Default().Item("admin_penalty")
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, workday.CST)

	t.Run("OKOrganisation", func(t *testing.T) {
		d, errs := p.Prepare(pen, 3, penalty(), now)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		if d.Index != 3 || d.BusinessKey != "鄂市监罚〔2026〕1号" || d.Subject.Kind != credit.KindOrg || d.Subject.USCC != "91110000600037341L" {
			t.Errorf("draft = %+v", d)
		}
		if got := d.SubmissionDeadline.Format(time.DateOnly); got != "2026-03-02" || d.DeadlineEstimated {
			t.Errorf("deadline = %s (estimated %v), want 2026-03-02", got, d.DeadlineEstimated)
		}
		if d.Fields["fddbr_zjhm"] != "110105********002X" {
			t.Errorf("stored identity number = %q, want masked", d.Fields["fddbr_zjhm"])
		}
		plain, err := p.Keys.Open(d.Sealed)
		if err != nil {
			t.Fatal(err)
		}
		var personal map[string]string
		json.Unmarshal(plain, &personal)
		if personal["fddbr_zjhm"] != "11010519491231002X" {
			t.Errorf("sealed values = %v", personal)
		}
		if !d.Public || d.Severity != "general" || d.PublishedUntil.Format(time.DateOnly) != "2027-02-12" {
			t.Errorf("window: public %v severity %q until %v", d.Public, d.Severity, d.PublishedUntil)
		}
	})
	t.Run("OKPerson", func(t *testing.T) {
		d, errs := p.Prepare(pen, 0, penalty("xdr_lb", "自然人", "xdr_shxym", "", "fddbr", "", "fddbr_zjhm", "", "fddbr_zjlx", "",
			"xdr_mc", "李四", "zjlx", "身份证", "zjhm", "110105195001010039"), now)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		if d.Subject.Kind != credit.KindPerson || d.Public || len(d.Subject.IDHash) == 0 || d.Subject.IDMasked != "110105********0039" {
			t.Errorf("person draft: kind %q public %v masked %q", d.Subject.Kind, d.Public, d.Subject.IDMasked)
		}
		if strings.Contains(string(d.Subject.IDSealed), "110105195001010039") {
			t.Error("sealed identity contains the number in clear")
		}
		d2, _ := p.Prepare(pen, 0, penalty("xdr_lb", "自然人", "xdr_shxym", "", "fddbr", "", "fddbr_zjhm", "", "fddbr_zjlx", "",
			"xdr_mc", "李四", "zjlx", "身份证", "zjhm", "110105195001010039", "cf_wsh", "other"), now)
		if !bytes.Equal(d.Subject.IDHash, d2.Subject.IDHash) {
			t.Error("the same person hashes differently")
		}
	})
	t.Run("OKContentHash", func(t *testing.T) {
		a, _ := p.Prepare(pen, 0, penalty(), now)
		b, _ := p.Prepare(pen, 0, penalty("cf_nr_fk", "5.0"), now)
		c, _ := p.Prepare(pen, 0, penalty("fddbr_zjhm", "110105195001010039"), now)
		if !bytes.Equal(a.ContentHash, b.ContentHash) {
			t.Error("equal canonical content hashes differently")
		}
		if bytes.Equal(a.ContentHash, c.ContentHash) {
			t.Error("a changed personal value does not change the content hash")
		}
	})
	t.Run("ErrSubjectType", func(t *testing.T) {
		vs, _ := catalog.Default().Item("voluntary_service")
		_, errs := p.Prepare(vs, 0, map[string]any{"xdr_mc": "x", "xdr_lb": "个体工商户"}, now)
		found := false
		for _, e := range errs {
			if e.Code == "enum" || e.Code == "subject_type" {
				found = true
			}
		}
		if !found {
			t.Errorf("errors = %+v, want the category refused", errs)
		}
	})
}

func TestOnTime(t *testing.T) {
	deadline := workday.Date(2026, 3, 2)
	for at, want := range map[time.Time]bool{
		time.Date(2026, 3, 2, 23, 59, 0, 0, workday.CST): true,
		time.Date(2026, 3, 3, 0, 1, 0, 0, workday.CST):   false,
	} {
		if got := credit.OnTime(&deadline, at); *got != want {
			t.Errorf("OnTime(%v) = %v, want %v", at, *got, want)
		}
	}
	if credit.OnTime(nil, time.Now()) != nil {
		t.Error("OnTime without a deadline is not nil")
	}
}
