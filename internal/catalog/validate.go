package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/ident"
)

// NoEnd is the date that means "valid without end" in licence validity fields.
const NoEnd = "2099-12-31"

// IDCardType is the document type whose numbers are checked under GB 11643.
const IDCardType = "身份证"

var (
	dateRE    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	decimalRE = regexp.MustCompile(`^\d{1,12}(\.\d{1,6})?$`)
	integerRE = regexp.MustCompile(`^-?\d{1,18}$`)
	multiSep  = regexp.MustCompile(`[;；,，、]`)
	// thousandsRE matches numbers written with thousands separators.
	thousandsRE = regexp.MustCompile(`^\d{1,3}(,\d{3})+(\.\d+)?$`)
)

// Checked is the outcome of checking one record.
type Checked struct {
	// Values are the record's values in canonical form by field code;
	// empty fields are omitted.
	Values map[string]string
	// Errors lists every problem, in catalogue field order.
	Errors []credit.FieldError
	// Notes lists what was normalised to reach the canonical form.
	Notes []Normalisation
}

// Check validates one submitted record against the item. Keys may be field
// codes or Chinese labels (matched ignoring spaces and the width of
// brackets). It reports every problem found, so that a provider can fix
// them all at once, and every normalisation made. today is the day of
// submission in China Standard Time.
func (it *Item) Check(raw map[string]any, today time.Time) Checked {
	var errs []credit.FieldError
	var notes []Normalisation
	vals := make(map[string]string, len(raw))
	// By field position: the key a field was given under, whether its
	// value failed already, whether it passed its check.
	n := len(it.Fields)
	state := make([]struct {
		given           string
		failed, checked bool
	}, n)
	for k, v := range raw {
		f, ok := it.Field(k)
		if !ok {
			errs = append(errs, credit.FieldError{Field: k, Code: "unknown_field",
				MessageZH: fmt.Sprintf("条目“%s”没有字段“%s”，请按目录使用字段代码或中文名称", it.NameZH, k),
				MessageEN: fmt.Sprintf("item %s has no field %q; use the catalogue's field codes or Chinese labels", it.Code, k)})
			continue
		}
		st := &state[f.pos]
		if prev := st.given; prev != "" {
			if prev > k { // name the pair in the same order whatever the map's
				prev, k = k, prev
			}
			errs = append(errs, credit.FieldError{Field: f.Code, Code: "duplicate_field",
				MessageZH: fmt.Sprintf("字段“%s”出现两次（%s 与 %s），请只保留一个", f.LabelZH, prev, k),
				MessageEN: fmt.Sprintf("field %s is given twice (as %q and %q); keep one", f.Code, prev, k)})
			continue
		}
		st.given = k
		s, fe := scalar(f, v)
		if fe == nil && s != "" {
			s, fe = clean(f, s, &notes)
		}
		if fe != nil {
			errs = append(errs, *fe)
			st.failed = true
			continue
		}
		if s != "" {
			vals[f.Code] = s
		}
	}

	for _, f := range it.Fields {
		v, present := vals[f.Code]
		if !present {
			if state[f.pos].failed {
				continue
			}
			if f.Required {
				errs = append(errs, required(f, "", ""))
			} else if f.RequiredWhen != nil && it.holds(f.RequiredWhen, vals) {
				zh, en := it.describe(f.RequiredWhen)
				errs = append(errs, required(f, zh, en))
			}
			continue
		}
		canon, fe := it.checkValue(f, v, vals, today)
		if fe == nil && canon != v {
			notes = append(notes, Normalisation{Field: f.Code, Code: normCode(f.Type)})
		}
		if fe != nil {
			errs = append(errs, *fe)
			delete(vals, f.Code)
			continue
		}
		vals[f.Code] = canon
		state[f.pos].checked = true
	}
	// Cross-field date order, once both sides are valid.
	for _, f := range it.Fields {
		if f.NotBefore == "" || !state[f.pos].checked {
			continue
		}
		other, _ := it.Field(f.NotBefore)
		if !state[other.pos].checked {
			continue
		}
		if vals[f.Code] < vals[f.NotBefore] {
			errs = append(errs, credit.FieldError{Field: f.Code, Code: "date_order",
				MessageZH: fmt.Sprintf("“%s”（%s）早于“%s”（%s），请检查日期", f.LabelZH, vals[f.Code], other.LabelZH, vals[f.NotBefore]),
				MessageEN: fmt.Sprintf("%s (%s) is before %s (%s); check the dates", f.LabelEN, vals[f.Code], other.LabelEN, vals[f.NotBefore])})
		}
	}
	sortErrors(it, errs)
	return Checked{Values: vals, Errors: errs, Notes: notes}
}

// normCode names the normalisation checkValue makes for a field type.
func normCode(typ string) string {
	switch typ {
	case TypeDate:
		return NormDateFormat
	case TypeDecimal, TypeInteger:
		return NormDecimal
	case TypeEnumMulti:
		return NormList
	}
	return NormCode
}

func required(f *Field, whenZH, whenEN string) credit.FieldError {
	if whenZH != "" {
		return credit.FieldError{Field: f.Code, Code: "required",
			MessageZH: fmt.Sprintf("%s“%s”必填，请补充", whenZH, f.LabelZH),
			MessageEN: fmt.Sprintf("%s (%s) is required when %s; please fill it in", f.LabelEN, f.Code, whenEN)}
	}
	return credit.FieldError{Field: f.Code, Code: "required",
		MessageZH: fmt.Sprintf("“%s”必填，请补充", f.LabelZH),
		MessageEN: fmt.Sprintf("%s (%s) is required; please fill it in", f.LabelEN, f.Code)}
}

// scalar turns a JSON value into a trimmed string.
func scalar(f *Field, v any) (string, *credit.FieldError) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case json.Number:
		if f.Type == TypeDecimal || f.Type == TypeInteger || f.Type == TypeString || f.Type == TypeText {
			return x.String(), nil
		}
	case float64:
		if f.Type == TypeDecimal || f.Type == TypeInteger || f.Type == TypeString || f.Type == TypeText {
			return strconv.FormatFloat(x, 'f', -1, 64), nil
		}
	case []any:
		if f.Type == TypeEnumMulti {
			parts := make([]string, 0, len(x))
			for _, p := range x {
				s, ok := p.(string)
				if !ok {
					goto bad
				}
				parts = append(parts, s)
			}
			return strings.Join(parts, ";"), nil
		}
	}
bad:
	fe := credit.FieldError{Field: f.Code, Code: "type",
		MessageZH: fmt.Sprintf("“%s”应为%s，请改为文本值", f.LabelZH, typeZH(f.Type)),
		MessageEN: fmt.Sprintf("%s (%s) must be %s; send it as a string", f.LabelEN, f.Code, typeEN(f.Type))}
	return "", &fe
}

func (it *Item) checkValue(f *Field, v string, vals map[string]string, today time.Time) (string, *credit.FieldError) {
	fail := func(code, zh, en string) (string, *credit.FieldError) {
		return "", &credit.FieldError{Field: f.Code, Code: code, MessageZH: zh, MessageEN: en}
	}
	if f.MaxLen > 0 && utf8.RuneCountInString(v) > f.MaxLen {
		return fail("too_long", fmt.Sprintf("“%s”最多 %d 个字符，实为 %d 个，请缩短", f.LabelZH, f.MaxLen, utf8.RuneCountInString(v)),
			fmt.Sprintf("%s (%s) allows at most %d characters, got %d; shorten it", f.LabelEN, f.Code, f.MaxLen, utf8.RuneCountInString(v)))
	}
	switch f.Type {
	case TypeDate:
		v = canonicalDate(v)
		if !dateRE.MatchString(v) {
			return fail("date_format", fmt.Sprintf("“%s”应为日期，如 2026-03-05、2026/3/5 或 2026年3月5日，实为“%s”", f.LabelZH, v),
				fmt.Sprintf("%s (%s) must be a date such as 2026-03-05, 2026/3/5 or 2026年3月5日, got %q", f.LabelEN, f.Code, v))
		}
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return fail("date_invalid", fmt.Sprintf("“%s”不是真实存在的日期：“%s”", f.LabelZH, v),
				fmt.Sprintf("%s (%s) is not a real date: %q", f.LabelEN, f.Code, v))
		}
		if d.Year() < 1949 {
			return fail("date_invalid", fmt.Sprintf("“%s”（%s）早于 1949 年，请核对", f.LabelZH, v),
				fmt.Sprintf("%s (%s) is %s, before 1949; check it", f.LabelEN, f.Code, v))
		}
		if f.NotFuture && v > today.Format("2006-01-02") {
			return fail("date_future", fmt.Sprintf("“%s”（%s）晚于今天，决定日期不能是将来的日期", f.LabelZH, v),
				fmt.Sprintf("%s (%s) is %s, after today; a decision date cannot be in the future", f.LabelEN, f.Code, v))
		}
	case TypeDecimal:
		if strings.Contains(v, ",") && thousandsRE.MatchString(v) {
			v = strings.ReplaceAll(v, ",", "")
		}
		if !decimalRE.MatchString(v) {
			return fail("decimal_format", fmt.Sprintf("“%s”应为不小于 0 的数字（最多 6 位小数），实为“%s”", f.LabelZH, v),
				fmt.Sprintf("%s (%s) must be a number ≥ 0 with at most 6 decimals, got %q", f.LabelEN, f.Code, v))
		}
		v = canonicalDecimal(v)
	case TypeInteger:
		if !integerRE.MatchString(v) {
			return fail("integer_format", fmt.Sprintf("“%s”应为整数，实为“%s”", f.LabelZH, v),
				fmt.Sprintf("%s (%s) must be a whole number, got %q", f.LabelEN, f.Code, v))
		}
	case TypeEnum:
		if !contains(f.Enum, v) {
			return fail("enum", fmt.Sprintf("“%s”的值“%s”无效，应为：%s", f.LabelZH, v, strings.Join(f.Enum, "、")),
				fmt.Sprintf("%s (%s) is %q; it must be one of: %s", f.LabelEN, f.Code, v, strings.Join(f.Enum, ", ")))
		}
	case TypeEnumMulti:
		var out []string
		for _, p := range multiSep.Split(v, -1) {
			p = strings.TrimSpace(p)
			if p == "" || contains(out, p) {
				continue
			}
			if !contains(f.Enum, p) {
				return fail("enum", fmt.Sprintf("“%s”含无效值“%s”，应为以下一项或多项（以 ; 分隔）：%s", f.LabelZH, p, strings.Join(f.Enum, "、")),
					fmt.Sprintf("%s (%s) has %q; each value must be one of (separate with ;): %s", f.LabelEN, f.Code, p, strings.Join(f.Enum, ", ")))
			}
			out = append(out, p)
		}
		if len(out) == 0 {
			return "", nil
		}
		v = strings.Join(out, ";")
	case TypeUSCC:
		v = ident.NormalizeUSCC(v)
		if err := ident.CheckUSCC(v); err != nil {
			return identFail(f, "uscc", err)
		}
	case TypeOrgCode:
		v = ident.NormalizeOrgCode(v)
		if err := ident.CheckOrgCode(v); err != nil {
			return identFail(f, "orgcode", err)
		}
	case TypeDivision:
		if err := ident.CheckDivision(v); err != nil {
			return identFail(f, "division", err)
		}
	case TypeIDNumber:
		docType := IDCardType
		if f.IDTypeField != "" {
			docType = vals[f.IDTypeField]
		}
		if docType == IDCardType || docType == "" {
			v = ident.NormalizeIDCard(v)
			if len(v) == 15 {
				if !f.Legacy15 {
					return fail("idcard_legacy", fmt.Sprintf("“%s”为 15 位旧号码，本字段只接受 18 位居民身份证号码", f.LabelZH),
						fmt.Sprintf("%s (%s) is a 15-digit legacy number; this field takes 18-digit numbers only", f.LabelEN, f.Code))
				}
				conv, err := ident.ConvertIDCard15(v)
				if err != nil {
					return identFail(f, "idcard", err)
				}
				v = conv
			}
			if err := ident.CheckIDCard(v, today); err != nil {
				return identFail(f, "idcard", err)
			}
		}
	}
	if f.re != nil {
		if !f.re.MatchString(v) {
			return fail("pattern", fmt.Sprintf("“%s”格式不符合目录要求（%s）", f.LabelZH, f.Pattern),
				fmt.Sprintf("%s (%s) does not match the catalogue's format %s", f.LabelEN, f.Code, f.Pattern))
		}
	}
	return v, nil
}

// identFail turns an identifier error into a field error with a code like
// uscc_check or idcard_format; the identifier's own message names the
// position and the expected character.
func identFail(f *Field, kind string, err error) (string, *credit.FieldError) {
	var ie *ident.Error
	suffix := "format"
	zh, en := err.Error(), err.Error()
	if errors.As(err, &ie) {
		zh, en = ie.MessageZH, ie.MessageEN
		switch ie.Code {
		case "check", "orgcode_check":
			suffix = "check"
		case "birth_date", "future_birth":
			suffix = "birth"
		}
	}
	return "", &credit.FieldError{Field: f.Code, Code: kind + "_" + suffix,
		MessageZH: fmt.Sprintf("“%s”：%s", f.LabelZH, zh),
		MessageEN: fmt.Sprintf("%s (%s): %s", f.LabelEN, f.Code, en)}
}

func canonicalDecimal(v string) string {
	intPart, frac, _ := strings.Cut(v, ".")
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	frac = strings.TrimRight(frac, "0")
	if frac == "" {
		return intPart
	}
	return intPart + "." + frac
}

// Holds reports whether the condition is true of the canonical values.
func (it *Item) holds(c *Condition, vals map[string]string) bool {
	v, ok := vals[c.Field]
	if !ok {
		return false
	}
	if contains(c.Equals, v) {
		return true
	}
	if len(c.Contains) > 0 {
		for _, p := range strings.Split(v, ";") {
			if contains(c.Contains, p) {
				return true
			}
		}
	}
	return false
}

// Holds reports whether condition c is true of the canonical values vals.
func (it *Item) Holds(c *Condition, vals map[string]string) bool { return it.holds(c, vals) }

// describe says when condition c holds, in Chinese and in English.
func (it *Item) describe(c *Condition) (zh, en string) {
	f, _ := it.Field(c.Field)
	labelZH, labelEN := c.Field, c.Field
	if f != nil {
		labelZH, labelEN = f.LabelZH, f.LabelEN
	}
	if len(c.Contains) > 0 {
		return fmt.Sprintf("“%s”含“%s”时", labelZH, strings.Join(c.Contains, "”或“")),
			fmt.Sprintf("%s includes %s", labelEN, strings.Join(c.Contains, " or "))
	}
	return fmt.Sprintf("“%s”为“%s”时", labelZH, strings.Join(c.Equals, "”或“")),
		fmt.Sprintf("%s is %s", labelEN, strings.Join(c.Equals, " or "))
}

// sortErrors orders problems as the fields are ordered in the catalogue,
// problems with keys that are not fields first, by key.
func sortErrors(it *Item, errs []credit.FieldError) {
	if len(errs) < 2 {
		return
	}
	pos := func(e credit.FieldError) (int, bool) {
		if f, ok := it.byKey[e.Field]; ok && f.Code == e.Field {
			return f.pos, true
		}
		return 0, false
	}
	sort.SliceStable(errs, func(i, j int) bool {
		pi, oki := pos(errs[i])
		pj, okj := pos(errs[j])
		switch {
		case oki != okj:
			return !oki
		case !oki:
			return errs[i].Field < errs[j].Field
		}
		return pi < pj
	})
}

func typeZH(t string) string {
	switch t {
	case TypeDecimal:
		return "数字或数字文本"
	case TypeInteger:
		return "整数"
	case TypeEnumMulti:
		return "文本或文本数组"
	}
	return "文本"
}

func typeEN(t string) string {
	switch t {
	case TypeDecimal:
		return "a number or a numeric string"
	case TypeInteger:
		return "a whole number"
	case TypeEnumMulti:
		return "a string or an array of strings"
	}
	return "a string"
}
