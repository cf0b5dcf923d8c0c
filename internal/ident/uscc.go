package ident

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// usccAlphabet lists the 31 symbols of GB 32100; a symbol's value is its index.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccAllowedZH and usccAllowedEN describe usccAlphabet in messages.
const (
	usccAllowedZH = "数字或大写字母（不含 I、O、S、V、Z）"
	usccAllowedEN = "a digit or an upper-case letter other than I, O, S, V, Z"
)

// usccWeights are the GB 32100 weights 3^(i-1) mod 31 for positions 1–17.
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// usccValue returns the value of r in usccAlphabet, or -1 when r is not in it.
func usccValue(r rune) int {
	if r <= 0 || r >= utf8.RuneSelf {
		return -1
	}
	return strings.IndexByte(usccAlphabet, byte(r))
}

// usccCheck computes the GB 32100 check symbol of 17 symbols already known
// to be in usccAlphabet.
func usccCheck(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += usccValue(rune(first17[i])) * usccWeights[i]
	}
	return usccAlphabet[(31-sum%31)%31]
}

// CheckUSCC validates a normalised Unified Social Credit Code (GB 32100-2015).
// It returns nil or an *Error for the first failing check, in this order:
// length 18 ("length"), every character in the code alphabet ("charset"),
// positions 3–8 digits ("division"; the division need not be a known one),
// the GB 11714 organisation code check at position 17 ("orgcode_check") and
// the GB 32100 check at position 18 ("check").
func CheckUSCC(s string) error {
	if n := utf8.RuneCountInString(s); n != 18 {
		return lengthError(kindUSCC, s, n, 18, "", "")
	}
	pos := 0
	for _, r := range s {
		pos++
		if usccValue(r) < 0 {
			return charsetError(kindUSCC, pos, r, usccAllowedZH, usccAllowedEN)
		}
	}
	// s is now 18 ASCII bytes.
	for i := 2; i < 8; i++ {
		if !isDigit(s[i]) {
			return newError(kindUSCC, "division", i+1, s[i:i+1], "",
				fmt.Sprintf("第%d位应为数字（第3-8位为登记管理机关行政区划码），实为 %c", i+1, s[i]),
				fmt.Sprintf("position %d must be a digit (positions 3-8 are the administrative division code), found %c", i+1, s[i]))
		}
	}
	if want := orgCodeCheck(s[8:16]); s[16] != want {
		return checkError(kindUSCC, "orgcode_check", 17, s[16], want,
			"（组织机构代码校验码）", "organisation code check character",
			"请核对第9-17位组织机构代码是否抄录有误", "verify positions 9-17 (the organisation code) against the source document")
	}
	if want := usccCheck(s[:17]); s[17] != want {
		return checkError(kindUSCC, "check", 18, s[17], want,
			"校验码", "check character",
			"请核对全部18位是否抄录有误", "verify all 18 characters against the source document")
	}
	return nil
}

// NormalizeUSCC prepares user input for CheckUSCC: it removes all spaces
// (including the full-width space U+3000), hyphens and dashes anywhere in s,
// converts full-width letters and digits to ASCII and upper-cases letters.
// It does not validate; NormalizeUSCC(NormalizeUSCC(s)) == NormalizeUSCC(s).
func NormalizeUSCC(s string) string { return normalize(s, true) }

// USCCCheckChar returns the GB 32100 check character (position 18) for the
// first 17 characters of a code, which must all be in the code alphabet.
func USCCCheckChar(first17 string) (byte, error) {
	if n := utf8.RuneCountInString(first17); n != 17 {
		return 0, lengthError(kindUSCC, first17, n, 17, "前17位", "first 17 characters: ")
	}
	pos := 0
	for _, r := range first17 {
		pos++
		if usccValue(r) < 0 {
			return 0, charsetError(kindUSCC, pos, r, usccAllowedZH, usccAllowedEN)
		}
	}
	return usccCheck(first17), nil
}

// MakeUSCC composes a valid code from the registration authority (position
// 1), the entity type (position 2), a six-digit division code and the eight
// body characters of the organisation code, appending the organisation code
// check character and the GB 32100 check character. The authority, entity
// type and body must be in the code alphabet; the combination of authority
// and type is not checked against the GB 32100 table.
func MakeUSCC(authority, entityType byte, division string, body8 string) (string, error) {
	if usccValue(rune(authority)) < 0 {
		return "", charsetError(kindUSCC, 1, byteRune(authority), usccAllowedZH, usccAllowedEN)
	}
	if usccValue(rune(entityType)) < 0 {
		return "", charsetError(kindUSCC, 2, byteRune(entityType), usccAllowedZH, usccAllowedEN)
	}
	if n := utf8.RuneCountInString(division); n != 6 {
		return "", newError(kindUSCC, "division", 0, division, "",
			fmt.Sprintf("登记管理机关行政区划码应为6位数字，实为%d位", n),
			fmt.Sprintf("the division code must be 6 digits, got %d characters", n))
	}
	pos := 2
	for _, r := range division {
		pos++
		if r < '0' || r > '9' {
			return "", newError(kindUSCC, "division", pos, string(r), "",
				fmt.Sprintf("第%d位应为数字（第3-8位为登记管理机关行政区划码），实为 %s", pos, show(r)),
				fmt.Sprintf("position %d must be a digit (positions 3-8 are the administrative division code), found %s", pos, show(r)))
		}
	}
	if n := utf8.RuneCountInString(body8); n != 8 {
		return "", lengthError(kindUSCC, body8, n, 8, "组织机构代码本体", "organisation code body: ")
	}
	pos = 8
	for _, r := range body8 {
		pos++
		if usccValue(r) < 0 {
			return "", charsetError(kindUSCC, pos, r, usccAllowedZH, usccAllowedEN)
		}
	}
	first17 := string([]byte{authority, entityType}) + division + body8 + string(orgCodeCheck(body8))
	return first17 + string(usccCheck(first17)), nil
}

// byteRune returns the character a single byte stands for in messages;
// bytes outside ASCII are not valid UTF-8 on their own.
func byteRune(b byte) rune {
	if b >= utf8.RuneSelf {
		return utf8.RuneError
	}
	return rune(b)
}

// usccAuthority is one registration authority of GB 32100 with its entity types.
type usccAuthority struct {
	name  string
	types map[byte]string
}

// usccAuthorities is the GB 32100 table of registration authorities
// (position 1) and entity types (position 2).
var usccAuthorities = map[byte]usccAuthority{
	'1': {"机构编制", map[byte]string{'1': "机关", '2': "事业单位", '3': "中央编办直接管理机构编制的群众团体", '9': "其他"}},
	'2': {"外交", map[byte]string{'1': "外国常驻新闻机构", '9': "其他"}},
	'3': {"司法行政", map[byte]string{'1': "律师执业机构", '2': "公证处", '3': "基层法律服务所", '4': "司法鉴定机构", '5': "仲裁委员会", '9': "其他"}},
	'4': {"文化", map[byte]string{'1': "外国在华文化中心", '9': "其他"}},
	'5': {"民政", map[byte]string{'1': "社会团体", '2': "民办非企业单位", '3': "基金会", '9': "其他"}},
	'6': {"旅游", map[byte]string{'1': "外国旅游部门常驻代表机构", '2': "港澳台地区旅游部门常驻内地（大陆）代表机构", '9': "其他"}},
	'7': {"宗教", map[byte]string{'1': "宗教活动场所", '2': "宗教院校", '9': "其他"}},
	'8': {"工会", map[byte]string{'1': "基层工会", '9': "其他"}},
	'9': {"市场监督管理", map[byte]string{'1': "企业", '2': "个体工商户", '3': "农民专业合作社"}},
	'A': {"中央军委改革和编制办公室", map[byte]string{'1': "军队事业单位", '9': "其他"}},
	'N': {"农业", map[byte]string{'1': "组级集体经济组织", '2': "村级集体经济组织", '3': "乡镇级集体经济组织", '9': "其他"}},
	'Y': {"其他", map[byte]string{'1': "其他"}},
}

// USCCAuthority returns the Chinese names of the registration authority
// (position 1) and entity type (position 2) of a code, for example
// ("市场监督管理", "企业") for a code starting "91". An unknown authority
// gives ("", ""); a known authority with an unknown type gives the
// authority's name and "". Only the first two characters are looked at.
func USCCAuthority(code string) (authority, entityType string) {
	if len(code) < 2 {
		return "", ""
	}
	a, ok := usccAuthorities[code[0]]
	if !ok {
		return "", ""
	}
	return a.name, a.types[code[1]]
}

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
