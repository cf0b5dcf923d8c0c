package ident_test

import (
	"testing"

	"github.com/xinyong/xinyong/internal/ident"
)

func TestCheckOrgCode(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, s := range []string{
			"600037341", "60003734-1", "71526726X", "71526726-X",
			"MA1K3BTP2", "M000100Y4", "000000000", "D2143569X",
			"IOSVZ0009", // letters outside the USCC alphabet are fine here
		} {
			if err := ident.CheckOrgCode(s); err != nil {
				t.Errorf("CheckOrgCode(%q) = %v, want nil", s, err)
			}
		}
	})
	cases := []errCase{
		{name: "ErrLengthShort", in: "60003734", code: "length", got: "60003734"},
		{name: "ErrLengthLong", in: "6000373410", code: "length", got: "6000373410"},
		{name: "ErrCharsetHyphenOnly", in: "60003734-", code: "charset", pos: 9, got: "-"},
		{name: "ErrFormat", in: "6000-37341", code: "format", pos: 5, got: "-"},
		{name: "ErrCharsetBody", in: "6000373a1", code: "charset", pos: 8, got: "a"},
		{name: "ErrCharsetCheck", in: "60003734Y", code: "charset", pos: 9, got: "Y"},
		{name: "ErrCharsetLowerX", in: "71526726-x", code: "charset", pos: 9, got: "x"},
		{name: "ErrCheck", in: "600037342", code: "check", pos: 9, got: "2", want: "1"},
		{name: "ErrCheckHyphenForm", in: "60003734-2", code: "check", pos: 9, got: "2", want: "1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkErr(t, "orgcode", ident.CheckOrgCode(c.in), c)
		})
	}
}

func TestOrgCodeCheckChar(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		cases := []struct {
			body string
			want byte
		}{
			{"60003734", '1'},
			{"71526726", 'X'}, // C = 10
			{"MA1K3BTP", '2'},
			{"M000100Y", '4'},
			{"00000000", '0'}, // C = 11
			{"D2143569", 'X'},
			{"IOSVZ000", '9'},
		}
		for _, c := range cases {
			got, err := ident.OrgCodeCheckChar(c.body)
			if err != nil || got != c.want {
				t.Errorf("OrgCodeCheckChar(%q) = %q, %v; want %q, nil", c.body, got, err, c.want)
			}
		}
	})
	cases := []errCase{
		{name: "ErrLength", in: "6000373", code: "length", got: "6000373"},
		{name: "ErrCharset", in: "6000373a", code: "charset", pos: 8, got: "a"},
		{name: "ErrCharsetHyphen", in: "6000-373", code: "charset", pos: 5, got: "-"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ident.OrgCodeCheckChar(c.in)
			checkErr(t, "orgcode", err, c)
		})
	}
}

func TestNormalizeOrgCode(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"OK", "600037341", "600037341"},
		{"OKHyphen", "60003734-1", "600037341"},
		{"OKSpaces", " 6000 3734 - 1 ", "600037341"},
		{"OKLowerCase", "ma1k3btp-2", "MA1K3BTP2"},
		{"OKFullWidth", "６０００３７３４－１\u3000", "600037341"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ident.NormalizeOrgCode(c.in)
			if got != c.want {
				t.Errorf("NormalizeOrgCode(%q) = %q, want %q", c.in, got, c.want)
			}
			if err := ident.CheckOrgCode(got); err != nil {
				t.Errorf("CheckOrgCode(%q) = %v", got, err)
			}
		})
	}
}

func TestNormalizeRegistration(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"OKBusinessNumber", " 420100000123456 ", "420100000123456"},
		{"OKGrouped", "420100 000 123456", "420100000123456"},
		{"OKOrgCode", "ma4k1234-5", "MA4K12345"},
		{"OKFullWidth", "４２０１００－０００１２３４５６", "420100000123456"},
		{"OKOtherCharactersKept", "鄂民证字第001号", "鄂民证字第001号"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := ident.NormalizeRegistration(c.in); got != c.want {
				t.Errorf("NormalizeRegistration(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestUSCCOrgCode(t *testing.T) {
	for in, want := range map[string]string{
		"91110000600037341L": "600037341",
		"9144030071526726XG": "71526726X",
		"91110000600037341":  "",
		"":                   "",
	} {
		if got := ident.USCCOrgCode(in); got != want {
			t.Errorf("USCCOrgCode(%q) = %q, want %q", in, got, want)
		}
	}
}
