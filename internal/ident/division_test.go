package ident_test

import (
	"testing"

	"github.com/xinyong/xinyong/internal/ident"
)

func TestLookupDivision(t *testing.T) {
	cases := []struct {
		name string
		code string
		want ident.Division
		ok   bool
	}{
		{"OKCounty", "420102", ident.Division{Code: "420102", Name: "江岸区", Level: "county", Parent: "420100"}, true},
		{"OKPrefecture", "420500", ident.Division{Code: "420500", Name: "宜昌市", Level: "prefecture", Parent: "420000"}, true},
		{"OKProvince", "420000", ident.Division{Code: "420000", Name: "湖北省", Level: "province"}, true},
		{"OKDirectlyAdministered", "429004", ident.Division{Code: "429004", Name: "仙桃市", Level: "county", Parent: "420000"}, true},
		{"UnknownHubei", "429999", ident.Division{}, false},
		{"OtherProvince", "110101", ident.Division{}, false},
		{"Empty", "", ident.Division{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := ident.LookupDivision(c.code)
			if got != c.want || ok != c.ok {
				t.Errorf("LookupDivision(%q) = %+v, %v; want %+v, %v", c.code, got, ok, c.want, c.ok)
			}
		})
	}
}

func TestHubeiDivisions(t *testing.T) {
	all := ident.HubeiDivisions()
	if len(all) != 117 {
		t.Errorf("len(HubeiDivisions()) = %d, want 117", len(all))
	}
	if all[0].Code != "420000" || all[0].Level != "province" {
		t.Errorf("first division = %+v, want the province 420000", all[0])
	}
	levels := map[string]int{}
	seen := map[string]bool{}
	for _, d := range all {
		levels[d.Level]++
		if seen[d.Code] {
			t.Errorf("duplicate code %s", d.Code)
		}
		if d.Parent != "" && !seen[d.Parent] {
			t.Errorf("%s: parent %s not listed before it", d.Code, d.Parent)
		}
		seen[d.Code] = true
		if err := ident.CheckDivision(d.Code); err != nil {
			t.Errorf("CheckDivision(%q) = %v", d.Code, err)
		}
		if got, ok := ident.LookupDivision(d.Code); !ok || got != d {
			t.Errorf("LookupDivision(%q) = %+v, %v; want %+v", d.Code, got, ok, d)
		}
		if ident.DivisionName(d.Code) == "" {
			t.Errorf("DivisionName(%q) is empty", d.Code)
		}
	}
	if levels["province"] != 1 || levels["prefecture"] != 13 || levels["county"] != 103 {
		t.Errorf("levels = %v, want 1 province, 13 prefectures, 103 counties", levels)
	}

	all[0].Name = "changed"
	if again := ident.HubeiDivisions(); again[0].Name != "湖北省" {
		t.Errorf("HubeiDivisions shares its backing array with callers")
	}
}

func TestCheckDivision(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, s := range []string{"420102", "420000", "420100", "429021", "422801", "110101", "310115", "820000"} {
			if err := ident.CheckDivision(s); err != nil {
				t.Errorf("CheckDivision(%q) = %v, want nil", s, err)
			}
		}
	})
	cases := []errCase{
		{name: "ErrLength", in: "42010", code: "length", got: "42010"},
		{name: "ErrCharset", in: "42010A", code: "charset", pos: 6, got: "A"},
		{name: "ErrDivisionUnknownHubei", in: "429999", code: "division", got: "429999"},
		{name: "ErrDivisionProvince", in: "990101", code: "division", pos: 1, got: "990101"},
		{name: "ErrDivisionZero", in: "000000", code: "division", pos: 1, got: "000000"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkErr(t, "division", ident.CheckDivision(c.in), c)
		})
	}
}

func TestDivisionName(t *testing.T) {
	cases := []struct {
		name, code, want string
	}{
		{"OKCounty", "420102", "湖北省武汉市江岸区"},
		{"OKPrefecture", "420100", "湖北省武汉市"},
		{"OKProvince", "420000", "湖北省"},
		{"OKAutonomousPrefecture", "422801", "湖北省恩施土家族苗族自治州恩施市"},
		{"OKDirectlyAdministered", "429004", "湖北省仙桃市"},
		{"UnknownHubei", "429999", ""},
		{"OtherProvince", "110101", ""},
		{"Empty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ident.DivisionName(c.code); got != c.want {
				t.Errorf("DivisionName(%q) = %q, want %q", c.code, got, c.want)
			}
		})
	}
}
