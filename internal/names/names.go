// Package names is how organisations are found by name, the same on every
// storage backend: what a query is (a code prefix, a registration number, a
// fragment of 3+ characters, or of 1–2), and what it means for a name to
// match it.
//
// It imports the standard library and ident only.
package names

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xinyong/xinyong/internal/ident"
)

// Kind is what a search query asks for.
type Kind int

const (
	// None: nothing to search for.
	None Kind = iota
	// CodePrefix: the start of a unified social credit code.
	CodePrefix
	// Fragment: 3 or more characters anywhere in a name, ignoring case.
	Fragment
	// Short: 1 or 2 letters or digits in sequence in a name, ignoring
	// everything else between them and case.
	Short
	// Registration: a registration number, looked up exactly among the
	// numbers organisations are known by (older numbers their records
	// state, and the organisation code in every USCC); then, as for
	// CodePrefix, the unified social credit codes that start with it.
	Registration
)

var (
	codePrefixRE   = regexp.MustCompile(`^[0-9A-Z]{2,18}$`)
	registrationRE = regexp.MustCompile(`^[0-9A-Z]{9,20}$`)
)

// Parse returns what q asks for and the text to look up: the upper-case
// prefix, the registration number (upper case, without hyphen), the
// fragment as typed (without control characters and outer blanks), or the
// 1–2 letters and digits in lower case.
//
// A query (cleaned, as by Clean) is a registration number when it is
// 9–20 ASCII letters and digits with at least one digit — a 15-digit
// business registration number, a 9-character organisation code, a tax
// number, a whole USCC —, or an organisation code written XXXXXXXX-X whose
// check character is right (GB 11714). Every other query of 2–18 letters
// and digits with a digit is a CodePrefix. A registration number of 9–18
// characters is also a USCC prefix, which is why Registration searches
// both: no query that was a code prefix loses a result.
func Parse(q string) (Kind, string) {
	q = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.TrimSpace(q))
	if q == "" {
		return None, ""
	}
	if code, ok := registration(q); ok {
		return Registration, code
	}
	if upper := strings.ToUpper(q); codePrefixRE.MatchString(upper) && strings.ContainsAny(upper, "0123456789") {
		return CodePrefix, upper
	}
	if utf8.RuneCountInString(q) >= 3 {
		return Fragment, q
	}
	s := strings.ToLower(strings.Join(Letters(q), ""))
	if s == "" {
		return None, ""
	}
	return Short, s
}

// registration returns q as a registration number, normalised, when Parse
// reads it as one.
func registration(q string) (string, bool) {
	upper := strings.ToUpper(q)
	if registrationRE.MatchString(upper) && strings.ContainsAny(upper, "0123456789") {
		return upper, true
	}
	if rs := []rune(upper); len(rs) == 10 && isDash(rs[8]) {
		code := string(rs[:8]) + string(rs[9])
		if ident.CheckOrgCode(code) == nil {
			return code, true
		}
	}
	return "", false
}

// isDash reports whether r is a hyphen or dash people write in an
// organisation code (XXXXXXXX-X), full-width ones included.
func isDash(r rune) bool {
	switch r {
	case '-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\uFE63', '\uFF0D':
		return true
	}
	return false
}

// Letters returns the letters and digits of s, one string each.
func Letters(s string) []string {
	var out []string
	for _, r := range s {
		if isLetter(r) {
			out = append(out, string(r))
		}
	}
	return out
}

// Grams returns, in lower case, the distinct single letters and digits of
// name and its pairs of consecutive ones — a name matches a Short query
// exactly when the query is one of them — and its Bridges.
func Grams(name string) []string {
	ls := Letters(strings.ToLower(name))
	seen := make(map[string]bool, 2*len(ls))
	out := make([]string, 0, 2*len(ls))
	add := func(g string) {
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	for i, l := range ls {
		add(l)
		if i > 0 {
			add(ls[i-1] + l)
		}
	}
	for _, b := range Bridges(name) {
		add(b)
	}
	return out
}

// Bridges returns the distinct runs of three characters of s, in lower
// case, that hold a character besides letters and digits (punctuation, a
// space): what trigrams of words miss. A name that contains a fragment has
// every bridge of the fragment among its own.
func Bridges(s string) []string {
	rs := []rune(strings.ToLower(s))
	var out []string
	for i := 0; i+3 <= len(rs); i++ {
		w := rs[i : i+3]
		if isLetter(w[0]) && isLetter(w[1]) && isLetter(w[2]) {
			continue
		}
		if b := string(w); !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	return out
}

func isLetter(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// Pairs returns the distinct pairs of consecutive letters and digits of a
// fragment, in lower case (nil with fewer than two): a name that contains
// the fragment has every one among its Grams.
func Pairs(fragment string) []string {
	ls := Letters(strings.ToLower(fragment))
	var out []string
	for i := 1; i < len(ls); i++ {
		if p := ls[i-1] + ls[i]; !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// Punctuated reports whether a fragment has a character besides letters
// and digits (punctuation, a space): trigrams of words, which end at such
// characters, find mostly the common words around it.
func Punctuated(fragment string) bool {
	return utf8.RuneCountInString(fragment) != len(Letters(fragment))
}

// Matches reports whether name matches the query q, as Parse reads it.
func Matches(name, q string) bool {
	switch kind, s := Parse(q); kind {
	case Fragment:
		return strings.Contains(strings.ToLower(name), strings.ToLower(s))
	case Short:
		return strings.Contains(strings.ToLower(strings.Join(Letters(name), "")), s)
	}
	return false
}

// Clean is a query as typed made ready for Parse: full-width letters,
// digits and the ideographic space (from a Chinese input method) become
// ASCII, and outer blanks go.
func Clean(q string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r == '\u3000':
			return ' '
		case r >= '０' && r <= '９', r >= 'Ａ' && r <= 'Ｚ', r >= 'ａ' && r <= 'ｚ':
			return r - 0xfee0
		}
		return r
	}, q))
}

// Span is a half-open range of byte offsets in a name.
type Span struct{ Start, End int }

// Spans returns where q, as Parse reads it, matches name: every
// non-overlapping occurrence of a fragment ignoring case, or the first
// run of a short query's letters (with what lies between them). It
// returns nil when q does not match or is a code prefix or registration
// number.
func Spans(name, q string) []Span {
	kind, s := Parse(q)
	var want []rune
	switch kind {
	case Fragment, Short:
		want = []rune(strings.ToLower(s))
	default:
		return nil
	}
	type pos struct {
		r     rune
		start int
		end   int
	}
	var rs []pos
	for i, r := range name {
		if kind == Short && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			continue
		}
		rs = append(rs, pos{unicode.ToLower(r), i, i + utf8.RuneLen(r)})
	}
	var out []Span
	for i := 0; i+len(want) <= len(rs); {
		match := true
		for j, w := range want {
			if rs[i+j].r != w {
				match = false
				break
			}
		}
		if !match {
			i++
			continue
		}
		out = append(out, Span{rs[i].start, rs[i+len(want)-1].end})
		if kind == Short {
			break
		}
		i += len(want)
	}
	return out
}
