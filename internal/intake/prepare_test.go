package intake_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/catalog/catalogtest"
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

func TestPrepare(t *testing.T) {
	p := MustPreparer(t)
	pen, _ := catalog.Default().Item("admin_penalty")
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, workday.CST)

	t.Run("OKOrganisation", func(t *testing.T) {
		d, errs, _ := p.Prepare(pen, 3, catalogtest.Penalty(), now)
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
		d, errs, _ := p.Prepare(pen, 0, catalogtest.Penalty("xdr_lb", "自然人", "xdr_shxym", "", "fddbr", "", "fddbr_zjhm", "", "fddbr_zjlx", "",
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
		d2, _, _ := p.Prepare(pen, 0, catalogtest.Penalty("xdr_lb", "自然人", "xdr_shxym", "", "fddbr", "", "fddbr_zjhm", "", "fddbr_zjlx", "",
			"xdr_mc", "李四", "zjlx", "身份证", "zjhm", "110105195001010039", "cf_wsh", "other"), now)
		if !bytes.Equal(d.Subject.IDHash, d2.Subject.IDHash) {
			t.Error("the same person hashes differently")
		}
	})
	t.Run("OKCodes", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			kv   []string
			want []string
		}{
			{"None", nil, nil},
			{"Normalised", []string{"xdr_gszc", " 420100000123456 ", "xdr_zzjg", "ma4k1234-5", "xdr_swdj", "420100 MA4K12345"},
				[]string{"420100000123456", "MA4K12345", "420100MA4K12345"}},
			{"Distinct", []string{"xdr_gszc", "420100000123456", "xdr_sydw", "420100-000123456", "xdr_shzz", "ｓ１２３４５６７８９"},
				[]string{"420100000123456", "S123456789"}},
			// The USCC and the organisation code it embeds are the subject's
			// already.
			{"NotTheUSCC", []string{"xdr_gszc", "91110000600037341l", "xdr_zzjg", "60003734-1", "xdr_swdj", "110000600037341"},
				[]string{"110000600037341"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				d, errs, _ := p.Prepare(pen, 0, catalogtest.Penalty(tc.kv...), now)
				if len(errs) > 0 {
					t.Fatal(errs)
				}
				if !slices.Equal(d.Subject.Codes, tc.want) {
					t.Errorf("codes %q, want %q", d.Subject.Codes, tc.want)
				}
			})
		}
	})
	t.Run("OKIndividualBusinessCodes", func(t *testing.T) {
		d, errs, _ := p.Prepare(pen, 0, catalogtest.Penalty("xdr_lb", "个体工商户", "xdr_gszc", "420106600123456"), now)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		if d.Subject.Kind != credit.KindOrg || !slices.Equal(d.Subject.Codes, []string{"420106600123456"}) {
			t.Errorf("individual business: kind %q codes %q", d.Subject.Kind, d.Subject.Codes)
		}
	})
	t.Run("OKPersonNeverHasCodes", func(t *testing.T) {
		d, errs, _ := p.Prepare(pen, 0, catalogtest.Penalty("xdr_lb", "自然人", "xdr_shxym", "", "fddbr", "", "fddbr_zjhm", "", "fddbr_zjlx", "",
			"xdr_mc", "李四", "zjlx", "身份证", "zjhm", "110105195001010039",
			"xdr_gszc", "420100000123456", "xdr_zzjg", "MA4K1234-5", "xdr_swdj", "110105195001010039"), now)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		if d.Subject.Kind != credit.KindPerson || d.Subject.Codes != nil {
			t.Errorf("person: kind %q codes %q, want none", d.Subject.Kind, d.Subject.Codes)
		}
	})
	t.Run("OKContentHash", func(t *testing.T) {
		a, _, _ := p.Prepare(pen, 0, catalogtest.Penalty(), now)
		b, _, _ := p.Prepare(pen, 0, catalogtest.Penalty("cf_nr_fk", "5.0"), now)
		c, _, _ := p.Prepare(pen, 0, catalogtest.Penalty("fddbr_zjhm", "110105195001010039"), now)
		if !bytes.Equal(a.ContentHash, b.ContentHash) {
			t.Error("equal canonical content hashes differently")
		}
		if bytes.Equal(a.ContentHash, c.ContentHash) {
			t.Error("a changed personal value does not change the content hash")
		}
	})
	t.Run("ErrSubjectType", func(t *testing.T) {
		vs, _ := catalog.Default().Item("voluntary_service")
		_, errs, _ := p.Prepare(vs, 0, map[string]any{"xdr_mc": "x", "xdr_lb": "个体工商户"}, now)
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

func BenchmarkPrepare(b *testing.B) {
	p := MustPreparer(b)
	pen, _ := catalog.Default().Item("admin_penalty")
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, workday.CST)
	rec := catalogtest.Penalty()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, errs, _ := p.Prepare(pen, i, rec, now); len(errs) > 0 {
			b.Fatal(errs)
		}
	}
}
