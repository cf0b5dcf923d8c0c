package ident_test

import (
	"strings"
	"testing"

	"github.com/xinyong/xinyong/internal/ident"
)

// validUSCC are public codes known to be valid.
var validUSCC = []string{
	"91110000600037341L",
	"9144030071526726XG",
	"91310115MA1K3BTP2B",
	"91350100M000100Y43",
}

// withUSCCCheck appends the position-18 check character to first17.
func withUSCCCheck(t *testing.T, first17 string) string {
	t.Helper()
	c, err := ident.USCCCheckChar(first17)
	if err != nil {
		t.Fatalf("USCCCheckChar(%q): %v", first17, err)
	}
	return first17 + string(c)
}

func TestCheckUSCC(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, s := range validUSCC {
			if err := ident.CheckUSCC(s); err != nil {
				t.Errorf("CheckUSCC(%q) = %v, want nil", s, err)
			}
		}
	})

	// Correct check at 18 over a wrong organisation code check at 17.
	badOrg := withUSCCCheck(t, "91110000600037342")
	// Both checks wrong: the organisation code check is reported first.
	bothBad := "91110000600037342N"
	if badOrg[17] == 'N' {
		t.Fatal("test setup: pick another wrong check character")
	}

	cases := []errCase{
		{name: "ErrLengthShort", in: "91110000600037341", code: "length", got: "91110000600037341"},
		{name: "ErrLengthLong", in: "91110000600037341LL", code: "length", got: "91110000600037341LL"},
		{name: "ErrLengthEmpty", in: "", code: "length"},
		{name: "ErrCharset", in: "9111000060003IOZSV", code: "charset", pos: 14, got: "I"},
		{name: "ErrCharsetLowerCase", in: "91110000600037341l", code: "charset", pos: 18, got: "l"},
		{name: "ErrCharsetFullWidth", in: "９1110000600037341L", code: "charset", pos: 1, got: "９"},
		{name: "ErrCharsetBeforeDivision", in: "91I10000600037341L", code: "charset", pos: 3, got: "I"},
		{name: "ErrDivision", in: "91A10000600037341L", code: "division", pos: 3, got: "A"},
		{name: "ErrDivisionLast", in: "9111000M600037341L", code: "division", pos: 8, got: "M"},
		{name: "ErrOrgCodeCheck", in: badOrg, code: "orgcode_check", pos: 17, got: "2", want: "1"},
		{name: "ErrOrgCodeCheckFirst", in: bothBad, code: "orgcode_check", pos: 17, got: "2", want: "1"},
		{name: "ErrCheck", in: "91110000600037341N", code: "check", pos: 18, got: "N", want: "L"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkErr(t, "uscc", ident.CheckUSCC(c.in), c)
		})
	}

	t.Run("ErrCheckMessage", func(t *testing.T) {
		e := asError(t, ident.CheckUSCC("91110000600037341N"))
		if zh := "统一社会信用代码第18位校验码错误：应为 L，实为 N"; !strings.HasPrefix(e.MessageZH, zh) {
			t.Errorf("MessageZH = %q, want prefix %q", e.MessageZH, zh)
		}
		if en := "unified social credit code: check character at position 18 is N, expected L"; !strings.HasPrefix(e.MessageEN, en) {
			t.Errorf("MessageEN = %q, want prefix %q", e.MessageEN, en)
		}
	})
	t.Run("ErrCharsetMessage", func(t *testing.T) {
		e := asError(t, ident.CheckUSCC("9111000060003IOZSV"))
		for _, m := range []string{e.MessageZH, e.MessageEN} {
			if !strings.Contains(m, "14") || !strings.Contains(m, "I") {
				t.Errorf("message %q should name position 14 and character I", m)
			}
		}
	})
	t.Run("ErrOrgCodeCheckMessage", func(t *testing.T) {
		e := asError(t, ident.CheckUSCC(badOrg))
		if !strings.Contains(e.MessageZH, "第17位") || !strings.Contains(e.MessageZH, "应为 1") {
			t.Errorf("MessageZH = %q, want position 17 and expected 1", e.MessageZH)
		}
		if !strings.Contains(e.MessageEN, "organisation code") || !strings.Contains(e.MessageEN, "expected 1") {
			t.Errorf("MessageEN = %q, want the organisation code check and expected 1", e.MessageEN)
		}
	})
}

func TestNormalizeUSCC(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"OK", "91110000600037341L", "91110000600037341L"},
		{"OKSpaces", " 9111 0000 6000 3734 1L\t\n", "91110000600037341L"},
		{"OKHyphens", "911100-00600-037341-L", "91110000600037341L"},
		{"OKLowerCase", "91310115ma1k3btp2b", "91310115MA1K3BTP2B"},
		{"OKFullWidth", "\u3000９１１１００００６０００３７３４１ｌ\u3000", "91110000600037341L"},
		{"OKFullWidthHyphen", "91110000－600037341L", "91110000600037341L"},
		{"OKZeroWidth", "\ufeff91110000600037341L\u200b", "91110000600037341L"},
		{"OKKeepsInvalid", "9111000060003IOZSV", "9111000060003IOZSV"},
		{"OKEmpty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ident.NormalizeUSCC(c.in)
			if got != c.want {
				t.Errorf("NormalizeUSCC(%q) = %q, want %q", c.in, got, c.want)
			}
			if again := ident.NormalizeUSCC(got); again != got {
				t.Errorf("NormalizeUSCC not idempotent: %q -> %q", got, again)
			}
		})
	}
}

func TestUSCCCheckChar(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, s := range validUSCC {
			c, err := ident.USCCCheckChar(s[:17])
			if err != nil || c != s[17] {
				t.Errorf("USCCCheckChar(%q) = %q, %v; want %q, nil", s[:17], c, err, s[17])
			}
		}
	})
	cases := []errCase{
		{name: "ErrLength", in: "91110000600037341L", code: "length", got: "91110000600037341L"},
		{name: "ErrCharset", in: "9111000060003IOZS", code: "charset", pos: 14, got: "I"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ident.USCCCheckChar(c.in)
			checkErr(t, "uscc", err, c)
		})
	}
}

func TestMakeUSCC(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		cases := []struct {
			authority, entityType byte
			division, body, want  string
		}{
			{'9', '1', "110000", "60003734", "91110000600037341L"},
			{'9', '1', "440300", "71526726", "9144030071526726XG"},
			{'9', '1', "310115", "MA1K3BTP", "91310115MA1K3BTP2B"},
			{'5', '2', "420102", "MJH00001", ""},
			{'Y', '1', "429021", "00000000", ""},
		}
		for _, c := range cases {
			got, err := ident.MakeUSCC(c.authority, c.entityType, c.division, c.body)
			if err != nil {
				t.Errorf("MakeUSCC(%c, %c, %q, %q): %v", c.authority, c.entityType, c.division, c.body, err)
				continue
			}
			if c.want != "" && got != c.want {
				t.Errorf("MakeUSCC(%c, %c, %q, %q) = %q, want %q", c.authority, c.entityType, c.division, c.body, got, c.want)
			}
			if prefix := string([]byte{c.authority, c.entityType}) + c.division + c.body; !strings.HasPrefix(got, prefix) {
				t.Errorf("MakeUSCC = %q, want prefix %q", got, prefix)
			}
			if err := ident.CheckUSCC(got); err != nil {
				t.Errorf("CheckUSCC(MakeUSCC(...) = %q) = %v", got, err)
			}
		}
	})
	cases := []struct {
		errCase
		authority, entityType byte
		division, body        string
	}{
		{errCase{name: "ErrCharsetAuthority", code: "charset", pos: 1, got: "I"}, 'I', '1', "420102", "MA1K3BTP"},
		{errCase{name: "ErrCharsetEntityType", code: "charset", pos: 2, got: "o"}, '9', 'o', "420102", "MA1K3BTP"},
		{errCase{name: "ErrDivisionLength", code: "division", got: "4201"}, '9', '1', "4201", "MA1K3BTP"},
		{errCase{name: "ErrDivisionDigit", code: "division", pos: 8, got: "A"}, '9', '1', "42010A", "MA1K3BTP"},
		{errCase{name: "ErrLengthBody", code: "length", got: "MA1K3BT"}, '9', '1', "420102", "MA1K3BT"},
		{errCase{name: "ErrCharsetBody", code: "charset", pos: 16, got: "S"}, '9', '1', "420102", "MA1K3BTS"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ident.MakeUSCC(c.authority, c.entityType, c.division, c.body)
			checkErr(t, "uscc", err, c.errCase)
		})
	}
}

func TestUSCCAuthority(t *testing.T) {
	cases := []struct {
		name, code, authority, entityType string
	}{
		{"OKEnterprise", "91110000600037341L", "市场监督管理", "企业"},
		{"OKIndividualBusiness", "92420102MA4K0000X0", "市场监督管理", "个体工商户"},
		{"OKCooperative", "93", "市场监督管理", "农民专业合作社"},
		{"OKOrgan", "11", "机构编制", "机关"},
		{"OKSocialGroup", "51", "民政", "社会团体"},
		{"OKLawFirm", "31", "司法行政", "律师执业机构"},
		{"OKVillageCollective", "N2", "农业", "村级集体经济组织"},
		{"OKMilitary", "A1", "中央军委改革和编制办公室", "军队事业单位"},
		{"OKOther", "Y1", "其他", "其他"},
		{"UnknownType", "94", "市场监督管理", ""},
		{"UnknownAuthority", "Z1", "", ""},
		{"TooShort", "9", "", ""},
		{"Empty", "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, e := ident.USCCAuthority(c.code)
			if a != c.authority || e != c.entityType {
				t.Errorf("USCCAuthority(%q) = %q, %q; want %q, %q", c.code, a, e, c.authority, c.entityType)
			}
		})
	}
}
