package ident

import (
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Error describes why an identifier is invalid. Pos is 1-based (0 when the
// fault is not about one position).
//
// For a resident identity number (Kind "idcard") Got holds only the single
// offending character, or the length as a decimal number for length errors,
// and is empty when the fault spans several characters; it never holds the
// number itself.
type Error struct {
	Kind      string // "uscc", "orgcode", "idcard", "division"
	Code      string // machine code: "length", "charset", "check", "orgcode_check", "birth_date", "future_birth", "division", "format"
	Pos       int
	Got       string // the character found at Pos (or the whole value for length errors)
	Want      string // the expected character, when Code is a check
	MessageZH string
	MessageEN string
}

// Error returns the English message.
func (e *Error) Error() string { return e.MessageEN }

// Kinds of identifier, used in Error.Kind.
const (
	kindUSCC     = "uscc"
	kindOrgCode  = "orgcode"
	kindIDCard   = "idcard"
	kindDivision = "division"
)

// label returns the Chinese and English name of an identifier kind.
func label(kind string) (zh, en string) {
	switch kind {
	case kindUSCC:
		return "统一社会信用代码", "unified social credit code"
	case kindOrgCode:
		return "组织机构代码", "organisation code"
	case kindIDCard:
		return "公民身份号码", "resident identity number"
	case kindDivision:
		return "行政区划代码", "administrative division code"
	}
	return kind, kind
}

// newError builds an Error whose messages are prefixed with the kind's name:
// zh is appended directly to the Chinese name, en follows "name: ".
func newError(kind, code string, pos int, got, want, zh, en string) *Error {
	lzh, len_ := label(kind)
	return &Error{
		Kind:      kind,
		Code:      code,
		Pos:       pos,
		Got:       got,
		Want:      want,
		MessageZH: lzh + zh,
		MessageEN: len_ + ": " + en,
	}
}

// lengthError reports a value of n characters where want were expected.
// part names the part of the identifier that was measured ("" for all of it).
// For identity numbers Got is the length, not the value.
func lengthError(kind, value string, n, want int, partZH, partEN string) *Error {
	got := value
	if kind == kindIDCard {
		got = strconv.Itoa(n)
	}
	return newError(kind, "length", 0, got, "",
		fmt.Sprintf("%s长度错误：应为%d位，实为%d位", partZH, want, n),
		fmt.Sprintf("%slength is %d characters, expected %d", partEN, n, want))
}

// charsetError reports a character that is not allowed at pos.
func charsetError(kind string, pos int, r rune, allowedZH, allowedEN string) *Error {
	c := show(r)
	return newError(kind, "charset", pos, string(r), "",
		fmt.Sprintf("第%d位字符 %s 不合法：应为%s", pos, c, allowedZH),
		fmt.Sprintf("character %s at position %d is not allowed; expected %s", c, pos, allowedEN))
}

// checkError reports a wrong check character at pos.
func checkError(kind, code string, pos int, got, want byte, whatZH, whatEN, hintZH, hintEN string) *Error {
	g, w := show(rune(got)), string(want)
	return newError(kind, code, pos, string(rune(got)), w,
		fmt.Sprintf("第%d位%s错误：应为 %s，实为 %s；%s", pos, whatZH, w, g, hintZH),
		fmt.Sprintf("%s at position %d is %s, expected %s; %s", whatEN, pos, g, w, hintEN))
}

// show renders a character for a message: printable characters as they are,
// others (spaces, controls, invalid bytes) as U+XXXX.
func show(r rune) string {
	if r != utf8.RuneError && unicode.IsGraphic(r) && !unicode.IsSpace(r) {
		return string(r)
	}
	return fmt.Sprintf("U+%04X", r)
}

// normalize removes white space (including U+3000 and zero-width spaces),
// converts full-width ASCII variants (U+FF01–U+FF5E) to ASCII and upper-cases
// ASCII letters; with dashes it also removes hyphens and dashes. Invalid
// UTF-8 bytes become U+FFFD. The result is a fixed point of normalize.
func normalize(s string, dashes bool) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0
		}
		switch {
		case unicode.IsSpace(r), r == '\u200B', r == '\u200C', r == '\u200D', r == '\u2060', r == '\uFEFF':
			continue
		case dashes && isDash(r):
			continue
		case 'a' <= r && r <= 'z':
			r -= 'a' - 'A'
		}
		b = utf8.AppendRune(b, r)
	}
	return string(b)
}

// isDash reports whether r is a hyphen or dash that people put between
// groups of an identifier.
func isDash(r rune) bool {
	switch r {
	case '-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\uFE63':
		return true
	}
	return false
}
