package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/xinyong/xinyong/internal/catalog/catalogtest"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/ident"
)

// testCodes: an organisation is found by the registration numbers its
// records state and by the organisation code in its USCC, exactly, before
// the organisations whose code starts with the query; a natural person
// never is.
func testCodes(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newFixture(t, open)
	const (
		chutian = "91110000600037341L" // states its older numbers
		plain   = "9144030071526726XG" // states none
	)
	f.submit(t,
		catalogtest.Penalty("cf_wsh", "c1", "xdr_gszc", "420100000123456", "xdr_zzjg", "MA4K1234-5"),
		catalogtest.Penalty("cf_wsh", "c2", "xdr_mc", "宜昌长江商贸有限公司", "xdr_shxym", plain),
		catalogtest.Penalty("cf_wsh", "p1", "xdr_lb", "自然人", "xdr_shxym", "", "fddbr", "", "xdr_mc", "王五",
			"zjlx", "身份证", "zjhm", "110105195001010039",
			"xdr_gszc", "420100000999999", "xdr_zzjg", "L1234567-4", "xdr_swdj", "110105195001010039"))
	// The same numbers again, from another record and an unchanged one: still
	// one row each.
	f.submit(t, catalogtest.Penalty("cf_wsh", "c1", "xdr_gszc", "420100000123456", "xdr_zzjg", "MA4K1234-5"),
		catalogtest.Penalty("cf_wsh", "c3", "xdr_gszc", "4201 0000 0123 456", "xdr_sydw", "420100000123456"))

	search := func(t *testing.T, q string, page, perPage int) *credit.SubjectPage {
		t.Helper()
		res, err := f.store.SearchSubjects(ctx, credit.SubjectFilter{Query: q, Page: page, PerPage: perPage})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		return res
	}
	for _, tc := range []struct {
		name, q    string
		uscc, code string // the one hit, and the number it matched by ("" for a code prefix)
	}{
		{"OKBusinessNumber", "420100000123456", chutian, "420100000123456"},
		{"OKOrgCodeStated", "MA4K1234-5", chutian, "MA4K12345"},
		{"OKOrgCodeStatedLowerCaseNoHyphen", "ma4k12345", chutian, "MA4K12345"},
		{"OKOrgCodeOfUSCC", "71526726-X", plain, "71526726X"},
		{"OKOrgCodeOfUSCCNoHyphen", "71526726x", plain, "71526726X"},
		{"OKOrgCodeOfUSCCWithRecords", "600037341", chutian, "600037341"},
		{"OKWholeUSCCIsAPrefix", chutian, chutian, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := search(t, tc.q, 1, 10)
			if res.Total != 1 || len(res.Hits) != 1 {
				t.Fatalf("total %d, hits %+v; want %s once", res.Total, res.Hits, tc.uscc)
			}
			h := res.Hits[0]
			if h.USCC != tc.uscc || h.MatchedCode != tc.code || h.Name == "" || h.Type == "" || h.SubjectID == 0 {
				t.Errorf("hit %+v, want %s matched by %q", h, tc.uscc, tc.code)
			}
			if tc.code != "" && h.MatchedName != "" {
				t.Errorf("a hit by registration number has matched name %q, want none", h.MatchedName)
			}
		})
	}
	t.Run("OKPersonNeverFound", func(t *testing.T) {
		for _, q := range []string{"420100000999999", "L1234567-4", "L12345674", "110105195001010039", "王五"} {
			if res := search(t, q, 1, 10); res.Total != 0 || len(res.Hits) != 0 {
				t.Errorf("search %q found %+v", q, res.Hits)
			}
		}
	})
	t.Run("OKRefusedDraftStatesNothing", func(t *testing.T) {
		// The second draft of the same record in one request is refused:
		// what it states is not kept.
		sub := &credit.Submission{Provider: f.provider, Item: f.penalty.Code, CatalogVersion: f.penalty.Version, RequestID: "codes-dup"}
		for i, gszc := range []string{"420100000555555", "420100000777777"} {
			d, errs, _ := f.prep.Prepare(f.penalty, i, catalogtest.Penalty("cf_wsh", "dup", "xdr_gszc", gszc), f.now)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			sub.Drafts = append(sub.Drafts, d)
		}
		out, err := f.store.Submit(ctx, sub)
		if err != nil {
			t.Fatal(err)
		}
		if out[0].Status != credit.StatusCreated || out[1].Status != credit.StatusRejected {
			t.Fatalf("outcomes %+v", out)
		}
		if res := search(t, "420100000555555", 1, 10); res.Total != 1 || res.Hits[0].USCC != chutian {
			t.Errorf("the stored draft's number: %+v", res)
		}
		if res := search(t, "420100000777777", 1, 10); res.Total != 0 {
			t.Errorf("the refused draft's number found %+v", res.Hits)
		}
	})
	t.Run("OKUnknownNumber", func(t *testing.T) {
		if res := search(t, "420100000654321", 1, 10); res.Total != 0 || len(res.Hits) != 0 {
			t.Errorf("found %+v", res.Hits)
		}
	})

	// A number that is both what some organisations were known by and the
	// start of others' codes: the exact ones first (in the order they were
	// first seen), then the prefix ones (in code order), each once.
	t.Run("OKPagingExactThenPrefix", func(t *testing.T) {
		const number = "91420100MA4K"
		var prefixed []string
		for i := 1; i <= 5; i++ {
			code, err := ident.MakeUSCC('9', '1', "420100", fmt.Sprintf("MA4K%04d", i))
			if err != nil {
				t.Fatal(err)
			}
			prefixed = append(prefixed, code)
		}
		e1, e2 := "91310115MA1K3BTP2B", "91350100M000100Y43"
		recs := []map[string]any{
			catalogtest.Penalty("cf_wsh", "e1", "xdr_mc", "甲公司", "xdr_shxym", e1, "xdr_swdj", "91420100-MA4K"),
			catalogtest.Penalty("cf_wsh", "e2", "xdr_mc", "乙公司", "xdr_shxym", e2, "xdr_swdj", number),
		}
		for i, code := range prefixed {
			r := catalogtest.Penalty("cf_wsh", fmt.Sprint("pre", i), "xdr_mc", fmt.Sprintf("丙%d公司", i), "xdr_shxym", code)
			if i == 2 { // found by the number, and by the prefix: once, among the exact ones
				r["xdr_swdj"] = number
			}
			recs = append(recs, r)
		}
		f.submit(t, recs...)
		want := []string{e1, e2, prefixed[2], prefixed[0], prefixed[1], prefixed[3], prefixed[4]}
		var got []string
		for page := 1; page <= 5; page++ {
			res := search(t, number, page, 2)
			if res.Total != len(want) || res.TotalCapped {
				t.Errorf("page %d: total %d (capped %v), want %d", page, res.Total, res.TotalCapped, len(want))
			}
			for i, h := range res.Hits {
				exact := len(got) < 3
				if exact && h.MatchedCode != number || !exact && h.MatchedCode != "" {
					t.Errorf("page %d hit %d (%s): matched code %q", page, i, h.USCC, h.MatchedCode)
				}
				got = append(got, h.USCC)
			}
			if n := min(2, max(0, len(want)-(page-1)*2)); len(res.Hits) != n {
				t.Errorf("page %d: %d hits, want %d", page, len(res.Hits), n)
			}
		}
		if !equal(got, want) {
			t.Errorf("pages list %v, want %v", got, want)
		}
		// The plain code prefix finds the same organisations by code only.
		if res := search(t, "91420100", 1, 50); res.Total != 5 || res.Hits[0].MatchedCode != "" {
			t.Errorf("prefix 91420100: total %d, hits %+v", res.Total, res.Hits)
		}
	})
}
