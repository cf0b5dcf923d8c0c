package ident_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xinyong/xinyong/internal/ident"
)

// errCase is one expected validation failure.
type errCase struct {
	name string // subtest name, "ErrXxx..."
	in   string
	code string // Error.Code
	pos  int    // Error.Pos
	got  string // Error.Got; not compared when empty and gotAny
	want string // Error.Want
}

// asError returns err as *ident.Error or fails the test.
func asError(t *testing.T, err error) *ident.Error {
	t.Helper()
	if err == nil {
		t.Fatal("error = nil, want *ident.Error")
	}
	var e *ident.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is %T, want *ident.Error", err, err)
	}
	return e
}

// checkErr compares err with the expected failure c of the given kind.
func checkErr(t *testing.T, kind string, err error, c errCase) *ident.Error {
	t.Helper()
	e := asError(t, err)
	if e.Kind != kind || e.Code != c.code || e.Pos != c.pos || e.Got != c.got || e.Want != c.want {
		t.Errorf("error = {Kind:%q Code:%q Pos:%d Got:%q Want:%q}, want {Kind:%q Code:%q Pos:%d Got:%q Want:%q}",
			e.Kind, e.Code, e.Pos, e.Got, e.Want, kind, c.code, c.pos, c.got, c.want)
	}
	if e.MessageZH == "" || e.MessageEN == "" {
		t.Errorf("messages must not be empty: zh %q, en %q", e.MessageZH, e.MessageEN)
	}
	if e.Error() != e.MessageEN {
		t.Errorf("Error() = %q, want MessageEN %q", e.Error(), e.MessageEN)
	}
	return e
}

// digitRun returns the longest run of consecutive ASCII digits in s,
// ignoring code points written as U+XXXX.
func digitRun(s string) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if strings.HasPrefix(s[i:], "U+") {
			i += 2
			for i+1 < len(s) && strings.IndexByte("0123456789ABCDEF", s[i+1]) >= 0 {
				i++
			}
			run = 0
			continue
		}
		if '0' <= s[i] && s[i] <= '9' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// checkPersonalData fails when an identity number error could leak the
// number: messages with five or more digits in a row, or a Got that is
// neither empty, one character nor a length.
func checkPersonalData(t *testing.T, e *ident.Error) {
	t.Helper()
	for _, m := range []string{e.MessageZH, e.MessageEN} {
		if digitRun(m) >= 5 {
			t.Errorf("message %q contains a run of digits", m)
		}
	}
	if e.Code == "length" {
		if _, err := strconv.Atoi(e.Got); err != nil {
			t.Errorf("Got = %q for a length error, want the length", e.Got)
		}
	} else if utf8.RuneCountInString(e.Got) > 1 {
		t.Errorf("Got = %q, want at most one character", e.Got)
	}
}
