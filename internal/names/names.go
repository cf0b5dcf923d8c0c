// Package names is how organisations are found by name, the same on every
// storage backend: what a query is (a code prefix, a fragment of 3+
// characters, or of 1–2), and what it means for a name to match it.
//
// It imports only the standard library.
package names

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
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
)

var codePrefixRE = regexp.MustCompile(`^[0-9A-Z]{2,18}$`)

// Parse returns what q asks for and the text to look up: the upper-case
// prefix, the fragment as typed (without control characters and outer
// blanks), or the 1–2 letters and digits in lower case.
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

// Letters returns the letters and digits of s, one string each.
func Letters(s string) []string {
	var out []string
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			out = append(out, string(r))
		}
	}
	return out
}

// Grams returns the distinct single letters and digits of name and its
// pairs of consecutive ones, in lower case: a name matches a Short query
// exactly when the query is one of its grams.
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
	return out
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
