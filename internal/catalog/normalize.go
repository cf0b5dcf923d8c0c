package catalog

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xinyong/xinyong/internal/credit"
)

// Normalisation codes: what was changed in a value to make it canonical.
// Normalisations are reported back, never applied silently.
const (
	NormTrim       = "trim"        // leading or trailing blanks removed
	NormInvisible  = "invisible"   // zero-width characters or byte-order marks removed
	NormFullWidth  = "full_width"  // full-width digits, letters or spaces made half-width
	NormDateFormat = "date_format" // a date written another way rewritten as YYYY-MM-DD
	NormCode       = "code_format" // a code upper-cased or stripped of spaces and hyphens
	NormDecimal    = "decimal"     // a number written with leading zeros, trailing zeros or thousands separators
	NormList       = "list"        // a list re-separated with ";" or de-duplicated
)

// Normalisation is one change made to one field. It names the field and
// the kind of change, never the value, which may be personal.
type Normalisation struct {
	Field string `json:"field"`
	Code  string `json:"code"`
}

// invisible are characters removed from every value: zero-width spaces and
// joiners, word joiner, byte-order mark, soft hyphen.
func isInvisible(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
		return true
	}
	return false
}

// isBidiControl reports the directional formatting characters that can
// make text display differently from what it says.
func isBidiControl(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069' || r == '\u200e' || r == '\u200f' || r == '\u061c'
}

// halfWidth maps full-width ASCII variants (U+FF01–U+FF5E) and the
// ideographic space to ASCII. With alnumOnly, only digits, letters and the
// space are mapped, so that Chinese punctuation in prose stays as written.
func halfWidth(s string, alnumOnly bool) string {
	return strings.Map(func(r rune) rune {
		if r == '\u3000' {
			return ' '
		}
		if fullWidthChanged(r, alnumOnly) {
			return r - 0xfee0
		}
		return r
	}, s)
}

// fullWidthChanged reports whether halfWidth changes r.
func fullWidthChanged(r rune, alnumOnly bool) bool {
	if r < '\uff01' || r > '\uff5e' {
		return false
	}
	a := r - 0xfee0
	return !alnumOnly || a >= '0' && a <= '9' || a >= 'A' && a <= 'Z' || a >= 'a' && a <= 'z'
}

// clean applies the normalisations every value gets, by field type, and
// rejects characters that have no place in a record.
func clean(f *Field, v string, notes *[]Normalisation) (string, *credit.FieldError) {
	alnumOnly := f.Type == TypeString || f.Type == TypeText || f.Type == TypeEnum || f.Type == TypeEnumMulti
	if plain(v, alnumOnly) {
		return v, nil
	}
	if !utf8.ValidString(v) {
		return "", &credit.FieldError{Field: f.Code, Code: "encoding",
			MessageZH: fmt.Sprintf("“%s”含有无效的字符编码，请以 UTF-8 提交", f.LabelZH),
			MessageEN: fmt.Sprintf("%s (%s) is not valid UTF-8; submit UTF-8 text", f.LabelEN, f.Code)}
	}
	note := func(code string) { *notes = append(*notes, Normalisation{Field: f.Code, Code: code}) }
	if strings.IndexFunc(v, isInvisible) >= 0 {
		v = strings.Map(func(r rune) rune {
			if isInvisible(r) {
				return -1
			}
			return r
		}, v)
		note(NormInvisible)
	}
	for _, r := range v {
		multiline := f.Type == TypeText && (r == '\n' || r == '\r' || r == '\t')
		if (unicode.IsControl(r) && !multiline) || isBidiControl(r) {
			return "", &credit.FieldError{Field: f.Code, Code: "control_char",
				MessageZH: fmt.Sprintf("“%s”含有控制字符（U+%04X），请删除后重新提交", f.LabelZH, r),
				MessageEN: fmt.Sprintf("%s (%s) contains the control character U+%04X; remove it", f.LabelEN, f.Code, r)}
		}
	}
	hw := halfWidth(v, alnumOnly)
	if hw != v {
		v = hw
		note(NormFullWidth)
	}
	if t := strings.TrimSpace(v); t != v {
		v = t
		note(NormTrim)
	}
	return v, nil
}

var (
	// Dates as spreadsheets and case systems write them.
	dateSlashRE   = regexp.MustCompile(`^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})$`)
	dateChineseRE = regexp.MustCompile(`^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$`)
	dateCompactRE = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
	// A date and a midnight time, as exported date-time cells often are.
	dateTimeRE = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})[ T]0{1,2}:00(:00(\.0+)?)?$`)
)

// serialRE matches a spreadsheet date serial number (days since 1899-12-30,
// as Excel and WPS store dates), from 1954 (20000) to 2119 (80000).
var serialRE = regexp.MustCompile(`^[2-7]\d{4}(\.0+)?$`)

// canonicalDate rewrites the common ways of writing a date as YYYY-MM-DD,
// including spreadsheet serial numbers. It returns v unchanged when it is
// none of them, for the strict check to report.
func canonicalDate(v string) string {
	if m := dateTimeRE.FindStringSubmatch(v); m != nil {
		return m[1]
	}
	if serialRE.MatchString(v) {
		n, _ := strconv.Atoi(strings.SplitN(v, ".", 2)[0])
		return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n).Format(time.DateOnly)
	}
	for _, re := range []*regexp.Regexp{dateSlashRE, dateChineseRE, dateCompactRE} {
		if m := re.FindStringSubmatch(v); m != nil {
			y, _ := strconv.Atoi(m[1])
			mo, _ := strconv.Atoi(m[2])
			d, _ := strconv.Atoi(m[3])
			t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
			if t.Year() != y || int(t.Month()) != mo || t.Day() != d {
				return v // not a real date: leave it for the check to name
			}
			return t.Format(time.DateOnly)
		}
	}
	return v
}

// plain reports whether v needs no cleaning: valid UTF-8 with no blank at
// either end and nothing invisible, control, bidirectional or full-width
// that halfWidth would change (with alnumOnly, full-width punctuation such
// as the Chinese comma stays). It is the fast path for the common value.
func plain(v string, alnumOnly bool) bool {
	if v == "" {
		return true
	}
	if v[0] == ' ' || v[len(v)-1] == ' ' {
		return false
	}
	for i := 0; i < len(v); {
		c := v[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(v[i:])
		if r == utf8.RuneError || isInvisible(r) || isBidiControl(r) || r == '\u3000' || fullWidthChanged(r, alnumOnly) ||
			unicode.IsControl(r) || unicode.IsSpace(r) && (i == 0 || i+size == len(v)) {
			return false
		}
		i += size
	}
	return true
}

// labelKey normalises a field label for matching column headers and JSON
// keys: half-width characters, no spaces, Chinese brackets as ASCII ones.
func labelKey(s string) string {
	s = halfWidth(strings.TrimSpace(s), false)
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r) || isInvisible(r):
			return -1
		case r == '【' || r == '〔':
			return '('
		case r == '】' || r == '〕':
			return ')'
		}
		return unicode.ToLower(r)
	}, s)
}
