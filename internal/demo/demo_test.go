package demo_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/demo"
	"github.com/xinyong/xinyong/internal/ident"
)

var today = time.Date(2026, 11, 30, 10, 30, 0, 0, time.FixedZone("CST", 8*3600))

const seed = 20261130

// record is one generated record and the catalogue item it belongs to.
type record struct {
	item string
	data map[string]any
}

// dataset is what the tests generate: 300 organisations with a
// registration, two licences, two penalties and a commendation each, and 50
// natural persons with a penalty each.
type dataset struct {
	orgs    []demo.Org
	persons []demo.Person
	records []record
}

func generate(seed int64) dataset {
	g := demo.New(seed, today)
	var d dataset
	for i := 0; i < 300; i++ {
		o := g.Org()
		d.orgs = append(d.orgs, o)
		d.records = append(d.records,
			record{"registration_basic", g.Registration(o)},
			record{"admin_licensing", g.Licensing(o)},
			record{"admin_licensing", g.Licensing(o)},
			record{"admin_penalty", g.Penalty(o)},
			record{"admin_penalty", g.Penalty(o)},
			record{"commendation", g.Commendation(o)},
		)
	}
	for i := 0; i < 50; i++ {
		p := g.Person()
		d.persons = append(d.persons, p)
		d.records = append(d.records, record{"admin_penalty", g.PersonPenalty(p)})
	}
	return d
}

// of returns the records of one item.
func (d dataset) of(item string) []map[string]any {
	var out []map[string]any
	for _, r := range d.records {
		if r.item == item {
			out = append(out, r.data)
		}
	}
	return out
}

func TestRecordsPassCatalogue(t *testing.T) {
	d := generate(seed)
	cat := catalog.Default()
	tests := []struct {
		item string
		want int
	}{
		{"registration_basic", 300},
		{"admin_licensing", 600},
		{"admin_penalty", 650},
		{"commendation", 300},
	}
	for _, tc := range tests {
		t.Run(tc.item, func(t *testing.T) {
			it, ok := cat.Item(tc.item)
			if !ok {
				t.Fatalf("catalogue has no item %s", tc.item)
			}
			recs := d.of(tc.item)
			if len(recs) != tc.want {
				t.Fatalf("got %d records, want %d", len(recs), tc.want)
			}
			failed := 0
			for i, rec := range recs {
				if errs := it.Check(rec, today).Errors; len(errs) > 0 {
					failed++
					if failed <= 10 {
						t.Errorf("record %d fails the catalogue:\n  record: %v", i, rec)
						for _, e := range errs {
							t.Errorf("    %s %s: %s", e.Field, e.Code, e.MessageEN)
						}
					}
				}
			}
			if failed > 0 {
				t.Errorf("%d of %d records fail", failed, len(recs))
			}
		})
	}
}

func TestSubjects(t *testing.T) {
	d := generate(seed)
	usccs, names, ids := map[string]bool{}, map[string]bool{}, map[string]bool{}
	individual := 0
	for _, o := range d.orgs {
		if err := ident.CheckUSCC(o.USCC); err != nil {
			t.Errorf("%s: USCC %s: %v", o.Name, o.USCC, err)
		}
		if usccs[o.USCC] {
			t.Errorf("USCC %s repeats", o.USCC)
		}
		usccs[o.USCC] = true
		if names[o.Name] {
			t.Errorf("name %s repeats", o.Name)
		}
		names[o.Name] = true

		div, ok := ident.LookupDivision(o.Division)
		if !ok || div.Level != "county" || o.USCC[2:8] != o.Division {
			t.Errorf("%s: division %s (USCC %s) is not a Hubei county-level code in the code", o.Name, o.Division, o.USCC)
		}
		switch {
		case o.Type == "个体工商户" && strings.HasPrefix(o.USCC, "92"):
			individual++
		case o.Type == "法人及非法人组织" && strings.HasPrefix(o.USCC, "91"):
			if !strings.HasSuffix(o.Name, "公司") {
				t.Errorf("enterprise name %s has no legal form", o.Name)
			}
		default:
			t.Errorf("%s: type %s does not fit USCC %s", o.Name, o.Type, o.USCC)
		}

		if err := ident.CheckIDCard(o.LegalRepID, today); err != nil {
			t.Errorf("%s: legal representative's ID: %v", o.Name, err)
		}
		birth, _ := ident.IDCardBirth(o.LegalRepID)
		if birth.Year() < 1955 || birth.Year() > 2000 {
			t.Errorf("%s: legal representative born %d, want 1955–2000", o.Name, birth.Year())
		}
		if !strings.HasPrefix(o.LegalRepID, "42") {
			t.Errorf("%s: legal representative's ID is not from Hubei", o.Name)
		}
		if n := len([]rune(o.LegalRep)); n < 2 || n > 3 {
			t.Errorf("%s: legal representative's name %q", o.Name, o.LegalRep)
		}
		if o.Founded.Year() < 1995 || o.Founded.After(today.AddDate(0, 0, -30)) {
			t.Errorf("%s: founded %s, want 1995 to 30 days ago", o.Name, o.Founded.Format("2006-01-02"))
		}
	}
	if individual < 15 || individual > 90 {
		t.Errorf("%d of %d are individual businesses, want about 15%%", individual, len(d.orgs))
	}
	for _, p := range d.persons {
		if err := ident.CheckIDCard(p.IDNumber, today); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
		if ids[p.IDNumber] {
			t.Errorf("identity number of %s repeats", p.Name)
		}
		ids[p.IDNumber] = true
	}
}

func TestDecisionNumbersUnique(t *testing.T) {
	d := generate(seed)
	tests := []struct{ item, field string }{
		{"admin_penalty", "cf_wsh"},
		{"admin_licensing", "xk_wsh"},
		{"commendation", "ry_wh"},
	}
	for _, tc := range tests {
		t.Run(tc.field, func(t *testing.T) {
			seen := map[string]bool{}
			for _, rec := range d.of(tc.item) {
				n, _ := rec[tc.field].(string)
				if n == "" || seen[n] {
					t.Errorf("%s %q is empty or repeats", tc.field, n)
				}
				seen[n] = true
			}
		})
	}
}

func TestDeterminism(t *testing.T) {
	a, b := generate(seed), generate(seed)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave different data")
	}
	if c := generate(seed + 1); reflect.DeepEqual(a.orgs, c.orgs) {
		t.Fatal("different seeds gave the same organisations")
	}
}

func TestPenaltyMix(t *testing.T) {
	d := generate(seed)
	day := func(s any) time.Time {
		v, err := time.Parse("2006-01-02", s.(string))
		if err != nil {
			t.Fatalf("date %v: %v", s, err)
		}
		return v
	}
	todayDate := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	var minor, serious, old, persons int
	for _, rec := range d.of("admin_penalty") {
		cats := rec["cf_cflb"].(string)
		switch {
		case cats == "警告":
			minor++
		case strings.Contains(cats, "吊销许可证件") || strings.Contains(cats, "责令停产停业"):
			serious++
		}
		if strings.Contains(cats, "吊销许可证件") && rec["cf_nr_zkdx"] == nil {
			t.Errorf("%s revokes a licence without naming it", rec["cf_wsh"])
		}
		jd, yxq := day(rec["cf_jdrq"]), day(rec["cf_yxq"])
		if jd.After(todayDate) || jd.Before(todayDate.AddDate(-4, 0, 0)) {
			t.Errorf("%s decided %s, want within the last four years", rec["cf_wsh"], rec["cf_jdrq"])
		}
		if jd.Before(todayDate.AddDate(-3, 0, 0)) {
			old++
		}
		if yxq.Before(jd.AddDate(1, 0, 0)) || yxq.After(jd.AddDate(3, 0, 0)) {
			t.Errorf("%s valid until %s, want 1–3 years after %s", rec["cf_wsh"], rec["cf_yxq"], rec["cf_jdrq"])
		}
		if rec["cf_cfjgdm"] != rec["cf_sjlydm"] || rec["cf_cfjg"] != rec["cf_sjly"] {
			t.Errorf("%s: data source differs from the penalising authority", rec["cf_wsh"])
		}
		if rec["xdr_lb"] == "自然人" {
			persons++
		}
	}
	if minor == 0 || serious == 0 || old == 0 {
		t.Errorf("warning-only %d, serious %d, older than three years %d; want at least one of each", minor, serious, old)
	}
	if persons != 50 {
		t.Errorf("%d penalties on natural persons, want 50", persons)
	}
}

func TestAuthorities(t *testing.T) {
	auths := demo.Authorities()
	if len(auths) == 0 {
		t.Fatal("no authorities")
	}
	byUSCC := map[string]demo.Authority{}
	codes := map[string]bool{}
	for _, a := range auths {
		if err := ident.CheckUSCC(a.USCC); err != nil {
			t.Errorf("%s %s: %v", a.Code, a.USCC, err)
		}
		div, _, _ := strings.Cut(a.Code, "-")
		d, ok := ident.LookupDivision(div)
		if !strings.HasPrefix(a.USCC, "11"+div) || !ok || d.Level == "county" {
			t.Errorf("%s: USCC %s should be 11 + the province's or a prefecture's code", a.Code, a.USCC)
		}
		if codes[a.Code] {
			t.Errorf("code %s repeats", a.Code)
		}
		codes[a.Code] = true
		if _, dup := byUSCC[a.USCC]; dup {
			t.Errorf("USCC %s repeats", a.USCC)
		}
		byUSCC[a.USCC] = a
	}

	d := generate(seed)
	pairs := [][2]string{{"cf_cfjg", "cf_cfjgdm"}, {"xk_xkjg", "xk_xkjgdm"}, {"xk_lydw", "xk_lydwdm"}, {"ry_jg", "ry_jgdm"}}
	for _, r := range d.records {
		for _, p := range pairs {
			name, ok := r.data[p[0]]
			if !ok {
				continue
			}
			if a, ok := byUSCC[r.data[p[1]].(string)]; !ok || a.Name != name {
				t.Errorf("%s: %v / %v is not one of Authorities()", r.item, name, r.data[p[1]])
			}
		}
	}
}
