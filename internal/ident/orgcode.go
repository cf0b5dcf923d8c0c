package ident

import (
	"fmt"
	"unicode/utf8"
)

// orgCodeWeights are the GB 11714 weights for the eight body characters.
var orgCodeWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// orgCodeValue returns the GB 11714 value of c (digits 0–9, letters A–Z as
// 10–35), or -1 when c is neither.
func orgCodeValue(c rune) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'A' <= c && c <= 'Z':
		return int(c-'A') + 10
	}
	return -1
}

// orgCodeCheck computes the GB 11714 check character of eight body
// characters already known to be digits or upper-case letters.
func orgCodeCheck(body8 string) byte {
	sum := 0
	for i := 0; i < 8; i++ {
		sum += orgCodeValue(rune(body8[i])) * orgCodeWeights[i]
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

// OrgCodeCheckChar returns the GB 11714 check character for the eight body
// characters of an organisation code, which must be digits or upper-case
// letters: C = 11 − (Σ value·weight mod 11), with 10 written 'X' and 11 '0'.
func OrgCodeCheckChar(body8 string) (byte, error) {
	if n := utf8.RuneCountInString(body8); n != 8 {
		return 0, lengthError(kindOrgCode, body8, n, 8, "本体", "body: ")
	}
	pos := 0
	for _, r := range body8 {
		pos++
		if orgCodeValue(r) < 0 {
			return 0, charsetError(kindOrgCode, pos, r, "数字或大写字母", "a digit or an upper-case letter")
		}
	}
	return orgCodeCheck(body8), nil
}

// CheckOrgCode validates a normalised organisation code (GB 11714): eight
// body characters (digits or upper-case letters) and a check character
// (digit or 'X'). The common form "XXXXXXXX-X" with a hyphen before the
// check character is accepted too; positions in errors count the nine code
// characters, not the hyphen.
func CheckOrgCode(s string) error {
	rs := []rune(s)
	if len(rs) == 10 {
		for i, r := range rs {
			if r == '-' && i != 8 {
				return newError(kindOrgCode, "format", i+1, "-", "",
					fmt.Sprintf("第%d位的连字符位置错误：只允许写在校验码之前（XXXXXXXX-X）", i+1),
					fmt.Sprintf("hyphen at position %d is misplaced; a hyphen is allowed only before the check character (XXXXXXXX-X)", i+1))
			}
		}
		if rs[8] == '-' {
			rs = append(rs[:8], rs[9])
		}
	}
	if len(rs) != 9 {
		return lengthError(kindOrgCode, s, len(rs), 9, "", "")
	}
	for i, r := range rs[:8] {
		if orgCodeValue(r) < 0 {
			return charsetError(kindOrgCode, i+1, r, "数字或大写字母", "a digit or an upper-case letter")
		}
	}
	if c := rs[8]; !('0' <= c && c <= '9') && c != 'X' {
		return charsetError(kindOrgCode, 9, c, "数字或大写字母 X", "a digit or upper-case X")
	}
	body := string(rs[:8])
	if want := orgCodeCheck(body); byte(rs[8]) != want {
		return checkError(kindOrgCode, "check", 9, byte(rs[8]), want,
			"校验码", "check character",
			"请核对全部9位是否抄录有误", "verify all 9 characters against the source document")
	}
	return nil
}

// NormalizeOrgCode prepares user input for CheckOrgCode: it removes spaces,
// hyphens and dashes, converts full-width letters and digits to ASCII and
// upper-cases letters, so "12345678-9" becomes "123456789".
func NormalizeOrgCode(s string) string { return normalize(s, true) }

// NormalizeRegistration prepares any registration number of an
// organisation (工商注册号, 组织机构代码, 税务登记号, 事业单位证书号,
// 社会组织登记证号, ...) for storage and exact lookup, the same way as
// NormalizeOrgCode: spaces, hyphens and dashes removed, full-width letters
// and digits made ASCII, letters upper-cased. "12345678-9" becomes
// "123456789", "420100 000123456" becomes "420100000123456".
func NormalizeRegistration(s string) string { return normalize(s, true) }

// USCCOrgCode returns the organisation code a unified social credit code
// embeds at positions 9–17, without hyphen, or "" when code is not 18
// characters long. It does not check either code.
func USCCOrgCode(code string) string {
	if len(code) != 18 {
		return ""
	}
	return code[8:17]
}
