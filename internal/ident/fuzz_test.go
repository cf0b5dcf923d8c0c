package ident_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xinyong/xinyong/internal/ident"
)

// The reference validators below restate the standards independently of the
// package, straight from identifiers.md, so that the fuzz tests can compare.

const refAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// refOrgCheck computes the GB 11714 check of 8 digits or upper-case letters.
func refOrgCheck(body string) byte {
	weights := []int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		v := int(body[i] - '0')
		if body[i] >= 'A' {
			v = int(body[i]-'A') + 10
		}
		sum += v * w
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}

// refUSCC reports whether s is a valid Unified Social Credit Code.
func refUSCC(s string) bool {
	if len(s) != 18 {
		return false
	}
	sum, w := 0, 1
	for i := 0; i < 18; i++ {
		v := strings.IndexByte(refAlphabet, s[i])
		if v < 0 || (i >= 2 && i < 8 && v > 9) {
			return false
		}
		if i < 17 {
			sum += v * w
			w = w * 3 % 31
		}
	}
	return refOrgCheck(s[8:16]) == s[16] && refAlphabet[(31-sum%31)%31] == s[17]
}

// refOrgCode reports whether s is a valid organisation code, bare or with a
// hyphen before the check character.
func refOrgCode(s string) bool {
	if len(s) == 10 && s[8] == '-' {
		s = s[:8] + s[9:]
	}
	if len(s) != 9 {
		return false
	}
	for i := 0; i < 8; i++ {
		if !('0' <= s[i] && s[i] <= '9' || 'A' <= s[i] && s[i] <= 'Z') {
			return false
		}
	}
	return refOrgCheck(s[:8]) == s[8]
}

// refIDCard reports whether s is a valid identity number on the date today.
func refIDCard(s string, today time.Time) bool {
	if len(s) != 18 {
		return false
	}
	for i := 0; i < 17; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	if !strings.Contains(" 11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 91 ", " "+s[:2]+" ") {
		return false
	}
	birth, err := time.Parse("20060102", s[6:14])
	if err != nil || birth.Year() < 1900 || birth.Format("20060102") > today.Format("20060102") {
		return false
	}
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(s[i]-'0') * w
	}
	return "10X98765432"[sum%11] == s[17]
}

// checkFuzzErr checks the invariants every error of the package keeps.
func checkFuzzErr(t *testing.T, kind string, err error, maxPos int) *ident.Error {
	t.Helper()
	var e *ident.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is %T, want *ident.Error", err, err)
	}
	codes := " length charset check orgcode_check birth_date future_birth division format "
	if e.Kind != kind || !strings.Contains(codes, " "+e.Code+" ") || e.Pos < 0 || e.Pos > maxPos {
		t.Fatalf("bad error %+v", e)
	}
	if e.MessageZH == "" || e.MessageEN == "" || e.Error() != e.MessageEN {
		t.Fatalf("bad messages in %+v", e)
	}
	if !utf8.ValidString(e.MessageZH) || !utf8.ValidString(e.MessageEN) {
		t.Fatalf("messages are not valid UTF-8: %q / %q", e.MessageZH, e.MessageEN)
	}
	return e
}

// pick maps b onto one byte of set.
func pick(set string, b byte) byte { return set[int(b)%len(set)] }

func FuzzUSCC(f *testing.F) {
	for _, s := range validUSCC {
		f.Add(s)
	}
	for _, s := range []string{
		"91110000600037341N", "9111000060003IOZSV", "91110000600037342N", "",
		" 9111 0000-6000 3734 1l ", "９１１１００００６０００３７３４１Ｌ", "\xff\xfe", "91A10000600037341L",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ident.CheckUSCC(s)
		if (err == nil) != refUSCC(s) {
			t.Fatalf("CheckUSCC(%q) = %v, reference says valid = %v", s, err, refUSCC(s))
		}
		if err != nil {
			e := checkFuzzErr(t, "uscc", err, 18)
			switch e.Code {
			case "check": // putting the expected character in fixes the code
				if fixed := s[:17] + e.Want; ident.CheckUSCC(fixed) != nil {
					t.Fatalf("%q with check %s still invalid: %v", s, e.Want, ident.CheckUSCC(fixed))
				}
			case "orgcode_check":
				c, cerr := ident.USCCCheckChar(s[:16] + e.Want)
				if cerr != nil {
					t.Fatal(cerr)
				}
				if fixed := s[:16] + e.Want + string(c); ident.CheckUSCC(fixed) != nil {
					t.Fatalf("%q fixed as %q still invalid", s, fixed)
				}
			}
		} else {
			c, cerr := ident.USCCCheckChar(s[:17])
			if cerr != nil || c != s[17] {
				t.Fatalf("USCCCheckChar(%q) = %q, %v for valid %q", s[:17], c, cerr, s)
			}
			if oc, oerr := ident.OrgCodeCheckChar(s[8:16]); oerr != nil || oc != s[16] {
				t.Fatalf("OrgCodeCheckChar(%q) = %q, %v for valid %q", s[8:16], oc, oerr, s)
			}
			if ident.NormalizeUSCC(s) != s {
				t.Fatalf("NormalizeUSCC changes valid %q", s)
			}
		}

		n := ident.NormalizeUSCC(s)
		if again := ident.NormalizeUSCC(n); again != n {
			t.Fatalf("NormalizeUSCC(%q) = %q, but NormalizeUSCC(%q) = %q", s, n, n, again)
		}
		if ident.CheckUSCC(s) == nil && ident.CheckUSCC(n) != nil {
			t.Fatalf("normalising valid %q broke it", s)
		}
		ident.USCCAuthority(s)
		if len(s) >= 17 {
			ident.USCCCheckChar(s[:17])
		}

		// MakeUSCC straight from s must not panic, and succeeds only with a valid result.
		if len(s) >= 16 {
			if code, err := ident.MakeUSCC(s[0], s[1], s[2:8], s[8:16]); err == nil {
				if ident.CheckUSCC(code) != nil || code[:16] != s[:16] {
					t.Fatalf("MakeUSCC from %q = %q, invalid: %v", s, code, ident.CheckUSCC(code))
				}
			} else {
				checkFuzzErr(t, "uscc", err, 16)
			}
		}
		// Arguments mapped into the allowed sets always give a valid code.
		b := []byte(s + "0123456789abcdef")
		div := make([]byte, 6)
		for i := range div {
			div[i] = pick("0123456789", b[2+i])
		}
		body := make([]byte, 8)
		for i := range body {
			body[i] = pick(refAlphabet, b[8+i])
		}
		code, err := ident.MakeUSCC(pick(refAlphabet, b[0]), pick(refAlphabet, b[1]), string(div), string(body))
		if err != nil || !refUSCC(code) || ident.CheckUSCC(code) != nil {
			t.Fatalf("MakeUSCC from %q = %q, %v; not valid", s, code, err)
		}
	})
}

func FuzzOrgCode(f *testing.F) {
	for _, s := range []string{
		"600037341", "60003734-1", "71526726X", "MA1K3BTP2", "000000000", "IOSVZ0009",
		"600037342", "6000-37341", "60003734-", "ma1k3btp-2", "６０００３７３４－１", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ident.CheckOrgCode(s)
		if (err == nil) != refOrgCode(s) {
			t.Fatalf("CheckOrgCode(%q) = %v, reference says valid = %v", s, err, refOrgCode(s))
		}
		if err != nil {
			e := checkFuzzErr(t, "orgcode", err, 10)
			if e.Code == "check" {
				rs := []rune(s)
				if fixed := string(rs[:len(rs)-1]) + e.Want; ident.CheckOrgCode(fixed) != nil {
					t.Fatalf("%q fixed as %q still invalid", s, fixed)
				}
			}
		}

		n := ident.NormalizeOrgCode(s)
		if again := ident.NormalizeOrgCode(n); again != n {
			t.Fatalf("NormalizeOrgCode(%q) = %q, but NormalizeOrgCode(%q) = %q", s, n, n, again)
		}
		if err == nil && ident.CheckOrgCode(n) != nil {
			t.Fatalf("normalising valid %q to %q broke it", s, n)
		}

		if c, cerr := ident.OrgCodeCheckChar(s); cerr == nil {
			if ident.CheckOrgCode(s+string(c)) != nil || ident.CheckOrgCode(s+"-"+string(c)) != nil {
				t.Fatalf("code composed from %q and %q is invalid", s, c)
			}
		} else {
			checkFuzzErr(t, "orgcode", cerr, 8)
		}
		b := []byte(s + "01234567")
		body := make([]byte, 8)
		for i := range body {
			body[i] = pick("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", b[i])
		}
		c, cerr := ident.OrgCodeCheckChar(string(body))
		if cerr != nil || !refOrgCode(string(body)+string(c)) {
			t.Fatalf("OrgCodeCheckChar(%q) = %q, %v; not valid", body, c, cerr)
		}
	})
}

func FuzzIDCard(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "110105195001010039", "36042619910102009X", "11010519491231002x",
		"42010220270101001X", "420102199902300010", "110105491231002", "１１０１０５１９４９１２３１００２ｘ",
		"42010619900101123X", "", "\xff", "一二三四五六七八九十百千",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ident.CheckIDCard(s, today)
		if (err == nil) != refIDCard(s, today) {
			t.Fatalf("CheckIDCard(%q) = %v, reference says valid = %v", s, err, refIDCard(s, today))
		}
		if err != nil {
			e := checkFuzzErr(t, "idcard", err, 18)
			checkPersonalData(t, e)
			if e.Code == "check" {
				if fixed := s[:17] + e.Want; ident.CheckIDCard(fixed, today) != nil {
					t.Fatalf("%q with check %s still invalid", s, e.Want)
				}
			}
		} else {
			if c, cerr := ident.IDCardCheckChar(s[:17]); cerr != nil || c != s[17] {
				t.Fatalf("IDCardCheckChar(%q) = %q, %v for valid %q", s[:17], c, cerr, s)
			}
			birth, berr := ident.IDCardBirth(s)
			if berr != nil || birth.Format("20060102") != s[6:14] {
				t.Fatalf("IDCardBirth(%q) = %v, %v", s, birth, berr)
			}
			if ident.IDCardMale(s) != ((s[16]-'0')%2 == 1) {
				t.Fatalf("IDCardMale(%q) wrong", s)
			}
			if ident.NormalizeIDCard(s) != s {
				t.Fatalf("NormalizeIDCard changes valid %q", s)
			}
		}

		n := ident.NormalizeIDCard(s)
		if again := ident.NormalizeIDCard(n); again != n {
			t.Fatalf("NormalizeIDCard(%q) = %q, but NormalizeIDCard(%q) = %q", s, n, n, again)
		}

		// Masking keeps the length and reveals at most the first 6 and last 4.
		m := ident.MaskIDCard(s)
		rs, ms := []rune(s), []rune(m)
		if len(rs) != len(ms) {
			t.Fatalf("MaskIDCard(%q) = %q changes the length", s, m)
		}
		for i := range ms {
			hidden := len(rs) <= 10 || (i >= 6 && i < len(rs)-4)
			if hidden && ms[i] != '*' {
				t.Fatalf("MaskIDCard(%q) = %q reveals position %d", s, m, i+1)
			}
		}

		if out, cerr := ident.ConvertIDCard15(s); cerr == nil {
			if len(out) != 18 || out[:6] != s[:6] || out[6:8] != "19" || out[8:17] != s[6:] || ident.CheckIDCard(out, today) != nil {
				t.Fatalf("ConvertIDCard15(%q) = %q, invalid", s, out)
			}
		} else {
			checkPersonalData(t, checkFuzzErr(t, "idcard", cerr, 15))
		}
		if _, berr := ident.IDCardBirth(s); berr != nil {
			checkPersonalData(t, checkFuzzErr(t, "idcard", berr, 18))
		}
		if len(s) >= 17 {
			ident.IDCardCheckChar(s[:17])
		}

		// A number made from a real division, a birth date up to today and
		// any sequence number is valid.
		h := 0
		for i := 0; i < len(s); i++ {
			h = (h*31 + int(s[i])) & 0x7fffffff
		}
		divs := ident.HubeiDivisions()
		days := int(today.Sub(time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)).Hours() / 24)
		birth := time.Date(1900, 1, 1+h%(days+1), 0, 0, 0, 0, time.UTC)
		code, merr := ident.MakeIDCard(divs[h%len(divs)].Code, birth, h%1000)
		if merr != nil || !refIDCard(code, today) || ident.CheckIDCard(code, today) != nil {
			t.Fatalf("MakeIDCard(%s, %v, %d) = %q, %v; not valid", divs[h%len(divs)].Code, birth, h%1000, code, merr)
		}
		if ident.IDCardMale(code) != (h%1000%2 == 1) || code[14:17] != strconv.Itoa(1000 + h%1000)[1:] {
			t.Fatalf("MakeIDCard(..., %d) = %q: wrong sequence number", h%1000, code)
		}
	})
}
