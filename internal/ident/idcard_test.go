package ident_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xinyong/xinyong/internal/ident"
)

// today is the fixed reference date of the identity number tests.
var today = time.Date(2026, time.November, 30, 15, 4, 5, 0, time.UTC)

// withIDCheck appends the check character to 17 digits.
func withIDCheck(t testing.TB, first17 string) string {
	t.Helper()
	c, err := ident.IDCardCheckChar(first17)
	if err != nil {
		t.Fatalf("IDCardCheckChar(%q): %v", first17, err)
	}
	return first17 + string(c)
}

func TestCheckIDCard(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, s := range []string{
			"11010519491231002X",
			"110105195001010039",
			withIDCheck(t, "42010220261130001"), // born today
			withIDCheck(t, "42010219000101002"), // earliest accepted
			withIDCheck(t, "81000019991231001"),
		} {
			if err := ident.CheckIDCard(s, today); err != nil {
				t.Errorf("CheckIDCard(%q) = %v, want nil", s, err)
			}
		}
	})
	t.Run("OKTodayInOtherZone", func(t *testing.T) {
		// The calendar date of today counts, in today's own location.
		beijing := time.FixedZone("CST", 8*3600)
		s := withIDCheck(t, "42010220261201001")
		if err := ident.CheckIDCard(s, time.Date(2026, 12, 1, 0, 30, 0, 0, beijing)); err != nil {
			t.Errorf("CheckIDCard on 2026-12-01 00:30 CST = %v, want nil", err)
		}
	})

	cases := []errCase{
		{name: "ErrLength", in: "1101051949123100", code: "length", got: "16"},
		{name: "ErrLengthLegacy", in: "110105491231002", code: "length", got: "15"},
		{name: "ErrLengthEmpty", in: "", code: "length", got: "0"},
		{name: "ErrCharsetLowerX", in: "11010519491231002x", code: "charset", pos: 18, got: "x"},
		{name: "ErrCharsetXInside", in: "1101051949123100X2", code: "charset", pos: 17, got: "X"},
		{name: "ErrCharsetFirst", in: "A1010519491231002X", code: "charset", pos: 1, got: "A"},
		{name: "ErrCharsetFullWidth", in: "１10105194912310029", code: "charset", pos: 1, got: "１"},
		{name: "ErrDivision", in: withIDCheck(t, "99010519491231002"), code: "division", pos: 1},
		{name: "ErrDivisionZero", in: withIDCheck(t, "00010519491231002"), code: "division", pos: 1},
		{name: "ErrBirthDate", in: withIDCheck(t, "42010219990230001"), code: "birth_date", pos: 7},
		{name: "ErrBirthDateMonth", in: withIDCheck(t, "42010219991301001"), code: "birth_date", pos: 7},
		{name: "ErrBirthDateEarly", in: withIDCheck(t, "42010218991231001"), code: "birth_date", pos: 7},
		{name: "ErrFutureBirth", in: withIDCheck(t, "42010220270101001"), code: "future_birth", pos: 7},
		{name: "ErrFutureBirthTomorrow", in: withIDCheck(t, "42010220261201001"), code: "future_birth", pos: 7},
		{name: "ErrCheck", in: "36042619910102009X", code: "check", pos: 18, got: "X", want: "3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := checkErr(t, "idcard", ident.CheckIDCard(c.in, today), c)
			checkPersonalData(t, e)
			if len(c.in) >= 10 && (strings.Contains(e.MessageZH, c.in[:10]) || strings.Contains(e.MessageEN, c.in[:10])) {
				t.Errorf("message quotes the number: %q / %q", e.MessageZH, e.MessageEN)
			}
		})
	}

	t.Run("ErrCheckMessage", func(t *testing.T) {
		e := asError(t, ident.CheckIDCard("36042619910102009X", today))
		if zh := "公民身份号码第18位校验码错误：应为 3，实为 X"; !strings.HasPrefix(e.MessageZH, zh) {
			t.Errorf("MessageZH = %q, want prefix %q", e.MessageZH, zh)
		}
		if en := "resident identity number: check character at position 18 is X, expected 3"; !strings.HasPrefix(e.MessageEN, en) {
			t.Errorf("MessageEN = %q, want prefix %q", e.MessageEN, en)
		}
	})
	t.Run("ErrLengthLegacyMessage", func(t *testing.T) {
		e := asError(t, ident.CheckIDCard("110105491231002", today))
		if !strings.Contains(e.MessageZH, "升位") || !strings.Contains(e.MessageEN, "converted") {
			t.Errorf("messages should say to convert a 15-digit number: %q / %q", e.MessageZH, e.MessageEN)
		}
	})
}

func TestNormalizeIDCard(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"OK", "11010519491231002X", "11010519491231002X"},
		{"OKLowerX", "11010519491231002x", "11010519491231002X"},
		{"OKSpaces", " 110105 19491231 002x\t", "11010519491231002X"},
		{"OKFullWidth", "\u3000１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"},
		{"OKKeepsHyphen", "110105-19491231-002X", "110105-19491231-002X"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ident.NormalizeIDCard(c.in)
			if got != c.want {
				t.Errorf("NormalizeIDCard(%q) = %q, want %q", c.in, got, c.want)
			}
			if again := ident.NormalizeIDCard(got); again != got {
				t.Errorf("NormalizeIDCard not idempotent: %q -> %q", got, again)
			}
		})
	}
}

func TestIDCardCheckChar(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		cases := []struct {
			first17 string
			want    byte
		}{
			{"11010519491231002", 'X'},
			{"11010519500101003", '9'},
			{"36042619910102009", '3'},
		}
		for _, c := range cases {
			got, err := ident.IDCardCheckChar(c.first17)
			if err != nil || got != c.want {
				t.Errorf("IDCardCheckChar(%q) = %q, %v; want %q, nil", c.first17, got, err, c.want)
			}
		}
	})
	cases := []errCase{
		{name: "ErrLength", in: "11010519491231002X", code: "length", got: "18"},
		{name: "ErrCharset", in: "1101051949123100X", code: "charset", pos: 17, got: "X"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ident.IDCardCheckChar(c.in)
			checkPersonalData(t, checkErr(t, "idcard", err, c))
		})
	}
}

func TestConvertIDCard15(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		cases := []struct{ in, want string }{
			{"110105491231002", "11010519491231002X"},
			{"110105500101003", "110105195001010039"},
		}
		for _, c := range cases {
			got, err := ident.ConvertIDCard15(c.in)
			if err != nil || got != c.want {
				t.Errorf("ConvertIDCard15(%q) = %q, %v; want %q, nil", c.in, got, err, c.want)
			}
			if err := ident.CheckIDCard(got, today); err != nil {
				t.Errorf("CheckIDCard(%q) = %v", got, err)
			}
		}
	})
	cases := []errCase{
		{name: "ErrLength", in: "11010519491231002X", code: "length", got: "18"},
		{name: "ErrCharset", in: "11010549123100X", code: "charset", pos: 15, got: "X"},
		{name: "ErrDivision", in: "990105491231002", code: "division", pos: 1},
		{name: "ErrBirthDate", in: "110105490230002", code: "birth_date", pos: 7},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ident.ConvertIDCard15(c.in)
			checkPersonalData(t, checkErr(t, "idcard", err, c))
		})
	}
}

func TestMaskIDCard(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"OK", "42010619900101123X", "420106********123X"},
		{"OKLegacy", "110105491231002", "110105*****1002"},
		{"OKEleven", "12345678901", "123456*8901"},
		{"OKRunes", "一二三四五六七八九十百千", "一二三四五六**九十百千"},
		{"OKTen", "1234567890", "**********"},
		{"OKShort", "123456789", "*********"},
		{"OKShortRunes", "湖北省", "***"},
		{"OKEmpty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ident.MaskIDCard(c.in); got != c.want {
				t.Errorf("MaskIDCard(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
	t.Run("OKInvalidUTF8", func(t *testing.T) {
		in := "\xff\xfe420106199001011\xff3X"
		got := ident.MaskIDCard(in)
		if n, m := utf8.RuneCountInString(in), utf8.RuneCountInString(got); n != m {
			t.Errorf("MaskIDCard(%q) = %q: %d characters, want %d", in, got, m, n)
		}
		if strings.Count(got, "*") != utf8.RuneCountInString(in)-10 {
			t.Errorf("MaskIDCard(%q) = %q, want all but 10 characters masked", in, got)
		}
	})
}

func TestMakeIDCard(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		beijing := time.FixedZone("CST", 8*3600)
		cases := []struct {
			division string
			birth    time.Time
			seq      int
			prefix   string
			male     bool
		}{
			{"420102", time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), 123, "42010219900101123", true},
			{"420106", time.Date(1990, 1, 1, 0, 30, 0, 0, beijing), 2, "42010619900101002", false},
			{"110105", time.Date(1949, 12, 31, 0, 0, 0, 0, time.UTC), 2, "11010519491231002", false},
			{"429021", time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), 0, "42902119000101000", false},
			{"420000", today, 999, "42000020261130999", true},
		}
		for _, c := range cases {
			got, err := ident.MakeIDCard(c.division, c.birth, c.seq)
			if err != nil {
				t.Errorf("MakeIDCard(%q, %v, %d): %v", c.division, c.birth, c.seq, err)
				continue
			}
			if !strings.HasPrefix(got, c.prefix) || len(got) != 18 {
				t.Errorf("MakeIDCard(%q, %v, %d) = %q, want %s + check", c.division, c.birth, c.seq, got, c.prefix)
			}
			if err := ident.CheckIDCard(got, today); err != nil {
				t.Errorf("CheckIDCard(%q) = %v", got, err)
			}
			if ident.IDCardMale(got) != c.male {
				t.Errorf("IDCardMale(%q) = %v, want %v", got, !c.male, c.male)
			}
		}
	})
	day := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		errCase
		kind     string
		division string
		birth    time.Time
		seq      int
	}{
		{errCase{name: "ErrDivisionUnknown", code: "division", got: "429999"}, "division", "429999", day, 1},
		{errCase{name: "ErrDivisionLength", code: "length", got: "4201"}, "division", "4201", day, 1},
		{errCase{name: "ErrBirthDate", code: "birth_date", pos: 7}, "idcard", "420102", time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC), 1},
		{errCase{name: "ErrFormatSeqNegative", code: "format", pos: 15}, "idcard", "420102", day, -1},
		{errCase{name: "ErrFormatSeqLarge", code: "format", pos: 15}, "idcard", "420102", day, 1000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ident.MakeIDCard(c.division, c.birth, c.seq)
			checkErr(t, c.kind, err, c.errCase)
		})
	}
}

func TestIDCardBirth(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		want := time.Date(1949, 12, 31, 0, 0, 0, 0, time.UTC)
		for _, s := range []string{"11010519491231002X", "110105491231002"} {
			got, err := ident.IDCardBirth(s)
			if err != nil || !got.Equal(want) || got.Location() != time.UTC {
				t.Errorf("IDCardBirth(%q) = %v, %v; want %v, nil", s, got, err, want)
			}
		}
	})
	cases := []errCase{
		{name: "ErrLength", in: "1101051949123100", code: "length", got: "16"},
		{name: "ErrCharset", in: "110105l9491231002X", code: "charset", pos: 7, got: "l"},
		{name: "ErrCharsetLegacy", in: "1101054912a1002", code: "charset", pos: 11, got: "a"},
		{name: "ErrBirthDate", in: "42010219990230001X", code: "birth_date", pos: 7},
		{name: "ErrBirthDateLegacy", in: "420102990230001", code: "birth_date", pos: 7},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ident.IDCardBirth(c.in)
			checkPersonalData(t, checkErr(t, "idcard", err, c))
		})
	}
}

func TestIDCardMale(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want bool
	}{
		{"Female", "11010519491231002X", false},
		{"Male", "110105195001010039", true},
		{"FemaleLegacy", "110105491231002", false},
		{"MaleLegacy", "110105491231003", true},
		{"Empty", "", false},
		{"NotDigit", "1101051949123100AX", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ident.IDCardMale(c.in); got != c.want {
				t.Errorf("IDCardMale(%q) = %v, want %v", c.in, got, c.want)
			}
		})
	}
}
