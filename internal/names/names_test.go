package names

import (
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		q    string
		kind Kind
		s    string
	}{
		{"", None, ""},
		{" \t", None, ""},
		{"91420100", CodePrefix, "91420100"},
		{"91420100ma4k", Registration, "91420100MA4K"}, // 9+ characters: a number too, and still a prefix
		{"9142010", CodePrefix, "9142010"},
		{"91420100M", Registration, "91420100M"},
		{"420100000123456", Registration, "420100000123456"},       // 工商注册号
		{"ma4k12345", Registration, "MA4K12345"},                   // 组织机构代码
		{"MA4K1234-5", Registration, "MA4K12345"},                  // written with its hyphen
		{"ma4k1234－5", Registration, "MA4K12345"},                  // a full-width hyphen
		{"MA4K1234-6", Fragment, "MA4K1234-6"},                     // a wrong check character: not a code
		{"MA4K-12345", Fragment, "MA4K-12345"},                     // a hyphen elsewhere: not a code
		{"91420100MA4K12345K", Registration, "91420100MA4K12345K"}, // a whole USCC
		{"42010619900101123456", Registration, "42010619900101123456"},
		{"420106199001011234567", Fragment, "420106199001011234567"}, // 21 characters: too long
		{"ABCDEFGHIJKL", Fragment, "ABCDEFGHIJKL"},                   // letters only: a name
		{"4201 0000 0123 456", Fragment, "4201 0000 0123 456"},       // spaces: read as typed
		{"ab", Short, "ab"},                                          // letters only: a short name query, not a code
		{"华", Short, "华"},
		{"华 达", Fragment, "华 达"},
		{"华达", Short, "华达"},
		{"AB", Short, "ab"},
		{"·-", None, ""},
		{"华达化工", Fragment, "华达化工"},
		{" 华达化工\x00 ", Fragment, "华达化工"},
	} {
		kind, s := Parse(tc.q)
		if kind != tc.kind || s != tc.s {
			t.Errorf("Parse(%q) = %v, %q; want %v, %q", tc.q, kind, s, tc.kind, tc.s)
		}
	}
}

func TestGramsAgreeWithMatches(t *testing.T) {
	name := "襄阳华达·化工 Co."
	grams := Grams(name)
	for _, q := range []string{"华", "华达", "达化", "co", "C", "O.", "阳化", "华化", "x"} {
		kind, s := Parse(q)
		if kind != Short {
			t.Fatalf("Parse(%q) = %v, want Short", q, kind)
		}
		if got, want := slices.Contains(grams, s), Matches(name, q); got != want {
			t.Errorf("%q: in grams %v, Matches %v", q, got, want)
		}
	}
	if !Matches(name, "华达·化") || Matches(name, "华达化") {
		t.Error("a fragment of 3+ characters is matched as typed")
	}
}

func TestPunctuatedBridges(t *testing.T) {
	if Punctuated("有限公司") || !Punctuated("有限公司（1") || !Punctuated("A B") {
		t.Error("Punctuated: a fragment is punctuated when it has a character besides letters and digits")
	}
	if got, want := Pairs("有限公司（1"), []string{"有限", "限公", "公司", "司1"}; !slices.Equal(got, want) {
		t.Errorf("Pairs = %q, want %q", got, want)
	}
	// Every pair and bridge of a fragment is among the grams of a name
	// containing it.
	name := "武汉楚天建筑工程有限公司（汉口分公司）"
	grams := Grams(name)
	for _, q := range []string{"公司（汉", "（汉口分", "司（汉口分公司）"} {
		if !Matches(name, q) {
			t.Fatalf("%q should match %q", q, name)
		}
		for _, p := range append(Pairs(q), Bridges(q)...) {
			if !slices.Contains(grams, p) {
				t.Errorf("gram %q of %q is not among the grams", p, q)
			}
		}
	}
}

func TestBridges(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want []string
	}{
		{"店（四", []string{"店（四"}},
		{"有限公司（二十）", []string{"公司（", "司（二", "（二十", "二十）"}},
		{"A B c", []string{"a b", " b ", "b c"}},
		{"有限公司", nil},
		{"（）", nil},
	} {
		if got := Bridges(tc.s); !slices.Equal(got, tc.want) {
			t.Errorf("Bridges(%q) = %q, want %q", tc.s, got, tc.want)
		}
	}
}

func TestSpans(t *testing.T) {
	mark := func(name string, spans []Span) string {
		var b strings.Builder
		last := 0
		for _, s := range spans {
			b.WriteString(name[last:s.Start] + "[" + name[s.Start:s.End] + "]")
			last = s.End
		}
		return b.String() + name[last:]
	}
	for _, tc := range []struct{ name, q, want string }{
		{"武汉光谷科技有限公司", "光谷科技", "武汉[光谷科技]有限公司"},
		{"武汉光谷科技有限公司", "科", "武汉光谷[科]技有限公司"},
		{"武汉（光谷）科技", "谷科", "武汉（光[谷）科]技"},
		{"ABC abc Trading", "abc", "[ABC] [abc] Trading"},
		{"Ａ公司", "a", "Ａ公司"}, // full-width is not folded in names; the query is cleaned, not the name
		{"宜昌市三峡水电有限公司", "水电有限", "宜昌市三峡[水电有限]公司"},
		{"宜昌市三峡水电有限公司", "黄石", "宜昌市三峡水电有限公司"},
		{"宜昌市三峡水电有限公司", "91420", "宜昌市三峡水电有限公司"},
		{"宜昌市三峡水电有限公司", "420100000123456", "宜昌市三峡水电有限公司"},
		{"MA4K1234-5 Trading", "MA4K1234-5", "MA4K1234-5 Trading"}, // a registration number never marks a name
		{"宜昌市三峡水电有限公司", "", "宜昌市三峡水电有限公司"},
	} {
		if got := mark(tc.name, Spans(tc.name, tc.q)); got != tc.want {
			t.Errorf("Spans(%q, %q) marks %q, want %q", tc.name, tc.q, got, tc.want)
		}
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"　９１４２０１　": "914201",
		" 光谷 ":     "光谷",
		"ａｂｃＡＢＣ":   "abcABC",
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}
