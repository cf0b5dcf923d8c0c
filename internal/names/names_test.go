package names

import (
	"slices"
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
		{"91420100ma4k", CodePrefix, "91420100MA4K"},
		{"ab", Short, "ab"}, // letters only: a short name query, not a code
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
