package ident

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// idCardWeights are the ISO 7064 MOD 11-2 weights for positions 1–17.
var idCardWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCardChecks maps the weighted sum mod 11 to the check character.
const idCardChecks = "10X98765432"

// minBirth is the earliest birth date accepted.
var minBirth = time.Date(1900, time.January, 1, 0, 0, 0, 0, time.UTC)

// provinceCodes holds the first two digits of division codes that an
// identity number or a division code may start with: the provinces,
// autonomous regions and municipalities (11–65), Taiwan (71), Hong Kong (81),
// Macao (82) and 91, as the platform specifies. 83 (residence permits of
// Taiwan residents) is not in the list.
var provinceCodes = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true, "91": true,
}

// idCardCheck computes the check character of 17 ASCII digits.
func idCardCheck(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idCardWeights[i]
	}
	return idCardChecks[sum%11]
}

// parseDate parses eight ASCII digits YYYYMMDD as a calendar date in UTC.
func parseDate(s string) (time.Time, bool) {
	y, _ := strconv.Atoi(s[0:4])
	m, _ := strconv.Atoi(s[4:6])
	d, _ := strconv.Atoi(s[6:8])
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// idDigitsError checks that s (of known length) has digits everywhere and,
// when lastX, a digit or 'X' at the last position.
func idDigitsError(s string, lastX bool) *Error {
	n := utf8.RuneCountInString(s)
	pos := 0
	for _, r := range s {
		pos++
		if '0' <= r && r <= '9' {
			continue
		}
		if pos == n && lastX {
			if r == 'X' {
				continue
			}
			return charsetError(kindIDCard, pos, r, "数字或大写字母 X", "a digit or upper-case X")
		}
		return charsetError(kindIDCard, pos, r, "数字", "a digit")
	}
	return nil
}

// provinceError reports an unknown province-level code at positions 1–2.
func provinceError() *Error {
	return newError(kindIDCard, "division", 1, "", "",
		"第1-2位不是有效的省级行政区划代码，请核对前6位地址码",
		"positions 1-2 are not a valid province-level division code; verify the 6-digit address code")
}

// birthError reports that the birth date at positions 7–end is not
// acceptable: not a calendar date, or (early) before 1900-01-01.
func birthError(end int, early bool) *Error {
	format := "YYYYMMDD"
	if end == 12 {
		format = "YYMMDD"
	}
	if early {
		return newError(kindIDCard, "birth_date", 7, "", "",
			fmt.Sprintf("第7-%d位出生日期早于1900年1月1日", end),
			fmt.Sprintf("birth date at positions 7-%d is before 1900-01-01", end))
	}
	return newError(kindIDCard, "birth_date", 7, "", "",
		fmt.Sprintf("第7-%d位出生日期不是有效日期，应为 %s 格式的真实日期", end, format),
		fmt.Sprintf("positions 7-%d are not a valid birth date; expected a real date as %s", end, format))
}

// CheckIDCard validates a normalised 18-character resident identity number
// (GB 11643) as of the calendar date of today. It returns nil or an *Error
// for the first failing check, in this order: length 18 ("length"), digits at
// positions 1–17 and a digit or 'X' at 18 ("charset"; lower-case 'x' is
// rejected, normalise first), a known province code at positions 1–2
// ("division"), a real birth date at positions 7–14 not before 1900-01-01
// ("birth_date") and not after today ("future_birth"), and the
// ISO 7064 MOD 11-2 check character at position 18 ("check"). The error
// never contains the number.
func CheckIDCard(s string, today time.Time) error {
	if n := utf8.RuneCountInString(s); n != 18 {
		e := lengthError(kindIDCard, s, n, 18, "", "")
		if n == 15 {
			e.MessageZH += "；15位旧号码须先升位为18位"
			e.MessageEN += "; a 15-digit legacy number must first be converted to 18 digits"
		}
		return e
	}
	if e := idDigitsError(s, true); e != nil {
		return e
	}
	if !provinceCodes[s[:2]] {
		return provinceError()
	}
	birth, ok := parseDate(s[6:14])
	if !ok || birth.Before(minBirth) {
		return birthError(14, ok)
	}
	ty, tm, td := today.Date()
	if birth.After(time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)) {
		return newError(kindIDCard, "future_birth", 7, "", "",
			"第7-14位出生日期晚于当前日期，请核对出生日期",
			"birth date at positions 7-14 is in the future; verify the birth date")
	}
	if want := idCardCheck(s[:17]); s[17] != want {
		return checkError(kindIDCard, "check", 18, s[17], want,
			"校验码", "check character",
			"请核对全部18位是否抄录有误", "verify all 18 characters against the identity document")
	}
	return nil
}

// NormalizeIDCard prepares user input for CheckIDCard: it removes all spaces
// (including U+3000), converts full-width digits and letters to ASCII and
// upper-cases letters, so a trailing 'x' becomes 'X'.
func NormalizeIDCard(s string) string { return normalize(s, false) }

// IDCardCheckChar returns the ISO 7064 MOD 11-2 check character ('0'–'9' or
// 'X') for the first 17 digits of a resident identity number.
func IDCardCheckChar(first17 string) (byte, error) {
	if n := utf8.RuneCountInString(first17); n != 17 {
		return 0, lengthError(kindIDCard, first17, n, 17, "前17位", "first 17 characters: ")
	}
	if e := idDigitsError(first17, false); e != nil {
		return 0, e
	}
	return idCardCheck(first17), nil
}

// ConvertIDCard15 converts a legacy 15-digit identity number to the 18-digit
// form by inserting "19" before the two-digit birth year (positions 7–8) and
// appending the computed check character. It rejects values that are not 15
// digits, whose first two digits are not a known province code or whose
// birth date is not a real date.
func ConvertIDCard15(s string) (string, error) {
	if n := utf8.RuneCountInString(s); n != 15 {
		return "", lengthError(kindIDCard, s, n, 15, "（旧15位号码）", "legacy 15-digit number: ")
	}
	if e := idDigitsError(s, false); e != nil {
		return "", e
	}
	if !provinceCodes[s[:2]] {
		return "", provinceError()
	}
	if _, ok := parseDate("19" + s[6:12]); !ok {
		return "", birthError(12, false)
	}
	first17 := s[:6] + "19" + s[6:]
	return first17 + string(idCardCheck(first17)), nil
}

// MaskIDCard masks an identity number for public display, keeping the first
// 6 and last 4 characters and replacing the others with '*', for example
// "420106********123X". It counts characters, not bytes, and never reveals
// more than 6+4 characters nor all of s: strings of 10 characters or fewer
// become all '*' of the same length. s need not be valid.
func MaskIDCard(s string) string {
	n := utf8.RuneCountInString(s)
	if n <= 10 {
		return strings.Repeat("*", n)
	}
	head := 0
	for i := 0; i < 6; i++ {
		_, size := utf8.DecodeRuneInString(s[head:])
		head += size
	}
	tail := len(s)
	for i := 0; i < 4; i++ {
		_, size := utf8.DecodeLastRuneInString(s[:tail])
		tail -= size
	}
	return s[:head] + strings.Repeat("*", n-10) + s[tail:]
}

// MakeIDCard composes a valid 18-digit identity number from a division code
// (which must pass CheckDivision), the birth date (its calendar date in its
// own location, from 1900-01-01 to 9999-12-31) and a sequence number 0–999
// (odd for men, even for women), appending the check character.
func MakeIDCard(division string, birth time.Time, seq int) (string, error) {
	if err := CheckDivision(division); err != nil {
		return "", err
	}
	y, m, d := birth.Date()
	if y < 1900 || y > 9999 {
		return "", birthError(14, y < 1900)
	}
	if seq < 0 || seq > 999 {
		return "", newError(kindIDCard, "format", 15, "", "",
			fmt.Sprintf("第15-17位顺序码应在000至999之间，实为%d", seq),
			fmt.Sprintf("sequence number at positions 15-17 must be 0 to 999, got %d", seq))
	}
	first17 := fmt.Sprintf("%s%04d%02d%02d%03d", division, y, int(m), d, seq)
	return first17 + string(idCardCheck(first17)), nil
}

// IDCardBirth returns the birth date (in UTC) of an 18-digit identity number,
// or of a legacy 15-digit one (born 19YY). Only the length and the birth
// date part are validated.
func IDCardBirth(s string) (time.Time, error) {
	rs := []rune(s)
	var digits []rune
	end := 14
	switch len(rs) {
	case 18:
		digits = rs[6:14]
	case 15:
		digits = rs[6:12]
		end = 12
	default:
		return time.Time{}, lengthError(kindIDCard, s, len(rs), 18, "", "")
	}
	for i, r := range digits {
		if r < '0' || r > '9' {
			return time.Time{}, charsetError(kindIDCard, 7+i, r, "数字", "a digit")
		}
	}
	date := string(digits)
	if end == 12 {
		date = "19" + date
	}
	t, ok := parseDate(date)
	if !ok || t.Before(minBirth) {
		return time.Time{}, birthError(end, ok)
	}
	return t, nil
}

// IDCardMale reports whether an 18-digit (or legacy 15-digit) identity number
// belongs to a man, that is whether its sequence number (position 17, or 15
// in the legacy form) is odd. It returns false when s has neither length or
// that position is not a digit.
func IDCardMale(s string) bool {
	var c byte
	switch len(s) {
	case 18:
		c = s[16]
	case 15:
		c = s[14]
	default:
		return false
	}
	return isDigit(c) && (c-'0')%2 == 1
}
