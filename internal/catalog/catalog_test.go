package catalog_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/xinyong/xinyong/internal/catalog"
)

func TestDefault(t *testing.T) {
	c := catalog.Default()
	want := []string{"registration_basic", "admin_licensing", "admin_penalty", "admin_compulsion", "judgment_refusal", "commendation", "voluntary_service"}
	for _, code := range want {
		it, ok := c.Item(code)
		if !ok {
			t.Errorf("built-in catalogue lacks %s", code)
			continue
		}
		if it.Version < 1 || it.NameZH == "" || len(it.Fields) == 0 {
			t.Errorf("%s: incomplete item %+v", code, it)
		}
	}
	// The double-publicity items carry the national field lists.
	pen, _ := c.Item("admin_penalty")
	for _, code := range strings.Fields("xdr_mc xdr_lb xdr_shxym xdr_gszc xdr_zzjg xdr_swdj xdr_sydw xdr_shzz fddbr fddbr_zjlx fddbr_zjhm zjlx zjhm " +
		"cf_wsh cf_wfxw cf_sy cf_yj cf_cflb cf_nr cf_nr_fk cf_nr_wfff cf_nr_zkdx cf_jdrq cf_yxq cf_gsjzq cf_cfjg cf_cfjgdm cf_sjly cf_sjlydm bz") {
		if _, ok := pen.Field(code); !ok {
			t.Errorf("admin_penalty lacks field %s", code)
		}
	}
	lic, _ := c.Item("admin_licensing")
	for _, code := range strings.Fields("xk_wsmc xk_wsh xk_xklb xk_xkzs xk_xkbh xk_nr xk_jdrq xk_yxqz xk_yxqzi xk_xkjg xk_xkjgdm xk_zt xk_lydw xk_lydwdm bz") {
		if _, ok := lic.Field(code); !ok {
			t.Errorf("admin_licensing lacks field %s", code)
		}
	}
	for _, it := range []*catalog.Item{pen, lic} {
		if got := strings.Join(it.Subject.CodeFields, " "); got != "xdr_gszc xdr_zzjg xdr_swdj xdr_sydw xdr_shzz" {
			t.Errorf("%s: code_fields %q, want the five older registration numbers", it.Code, got)
		}
	}
	if f, ok := pen.Field("处罚决定日期"); !ok || f.Code != "cf_jdrq" {
		t.Errorf("Chinese label lookup: got %v, %v", f, ok)
	}
	if pen.Deadline.From != "cf_jdrq" || pen.Deadline.WorkingDays != 7 {
		t.Errorf("penalty deadline = %+v, want 7 working days from cf_jdrq", pen.Deadline)
	}
}

// TestLoadProblems checks that every kind of catalogue mistake is reported
// with its file and line.
func TestLoadProblems(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("items", "admin_penalty.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	src := string(good)
	tests := []struct {
		name    string
		file    string
		content string
		want    string // substring of one problem
		line    int    // its line, 0 to skip the check
	}{
		{"ErrYAMLSyntax", "admin_penalty.yaml", "code: admin_penalty\nfields: [\n", "YAML", 0},
		{"ErrUnknownKey", "admin_penalty.yaml", strings.Replace(src, "nature: negative", "nature: negative\ncolour: red", 1), "colour", lineOf(src, "nature: negative") + 1},
		{"ErrCodeFileMismatch", "other.yaml", src, "does not match the file name", lineOf(src, "code: admin_penalty")},
		{"ErrBadNature", "admin_penalty.yaml", strings.Replace(src, "nature: negative", "nature: bad", 1), "nature", lineOf(src, "nature: negative")},
		{"ErrFieldType", "admin_penalty.yaml", strings.Replace(src, "type: text\n    required: true\n    max_len: 5000", "type: novel\n    required: true\n    max_len: 5000", 1), "type \"novel\"", lineOf(src, "type: text\n    required: true\n    max_len: 5000")},
		{"ErrDuplicateLabel", "admin_penalty.yaml", strings.Replace(src, "label_zh: 违法事实", "label_zh: 违法行为类型", 1), "used twice", 0},
		{"ErrMissingRef", "admin_penalty.yaml", strings.Replace(src, "from: cf_jdrq\n  working_days", "from: cf_nope\n  working_days", 1), "cf_nope", lineOf(src, "from: cf_jdrq\n  working_days")},
		{"ErrBadPattern", "admin_penalty.yaml", strings.Replace(src, "max_len: 128\n", "max_len: 128\n    pattern: \"([\"\n", 1), "pattern does not compile", 0},
		{"ErrForbiddenField", "admin_penalty.yaml", strings.Replace(src, "label_zh: 备注", "label_zh: 宗教信仰", 1), "forbids", 0},
		{"ErrPeriodOrder", "admin_penalty.yaml", strings.Replace(src, "general: {min_months: 3, max_months: 12}", "general: {min_months: 13, max_months: 12}", 1), "min_months", lineOf(src, "general: {min_months")},
		{"ErrMissingSeverityPeriod", "admin_penalty.yaml", strings.Replace(src, "    minor: {min_months: 0, max_months: 3}\n", "", 1), "periods.minor is missing", 0},
		{"ErrEnumOutsideField", "admin_penalty.yaml", strings.Replace(src, "minor_only: [警告,", "minor_only: [提醒,", 1), "提醒", 0},
		{"ErrSummaryNotPublic", "admin_penalty.yaml", strings.Replace(src, "summary: [cf_wsh,", "summary: [zjhm,", 1), "summary field \"zjhm\" is not public", lineOf(src, "summary: [cf_wsh,")},
		{"ErrSummaryUnknown", "admin_penalty.yaml", strings.Replace(src, "summary: [cf_wsh,", "summary: [cf_none,", 1), "cf_none", lineOf(src, "summary: [cf_wsh,")},
		{"ErrCodeFieldUnknown", "admin_penalty.yaml", strings.Replace(src, "code_fields: [xdr_gszc,", "code_fields: [xdr_nope,", 1), "xdr_nope", lineOf(src, "code_fields: [")},
		{"ErrCodeFieldNotPublic", "admin_penalty.yaml", strings.Replace(src, "code_fields: [xdr_gszc,", "code_fields: [cf_qjyz,", 1), "code field \"cf_qjyz\" is not public", lineOf(src, "code_fields: [")},
		{"ErrCodeFieldPersonal", "admin_penalty.yaml", strings.Replace(src, "code_fields: [xdr_gszc,", "code_fields: [fddbr_zjhm,", 1), "code field \"fddbr_zjhm\" holds personal data", lineOf(src, "code_fields: [")},
		{"ErrIDNotPersonal", "admin_penalty.yaml", strings.Replace(src, "    personal: true\n    max_len: 64\n    sensitivity: public", "    max_len: 64\n    sensitivity: public", 1), "personal", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := catalog.LoadFS(fstest.MapFS{tt.file: {Data: []byte(tt.content)}})
			var probs catalog.Problems
			if !errors.As(err, &probs) {
				t.Fatalf("err = %v, want Problems", err)
			}
			for _, p := range probs {
				if strings.Contains(p.Msg, tt.want) {
					if p.File != tt.file {
						t.Errorf("problem file = %q, want %q", p.File, tt.file)
					}
					if tt.line != 0 && p.Line != tt.line {
						t.Errorf("problem %q at line %d, want %d", p.Msg, p.Line, tt.line)
					}
					return
				}
			}
			t.Errorf("no problem mentions %q; got:\n%v", tt.want, probs)
		})
	}
}

func TestLoadDir(t *testing.T) {
	t.Run("OKExported", func(t *testing.T) {
		c, err := catalog.Load("items")
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Items()) != len(catalog.Default().Items()) {
			t.Errorf("loaded %d items from items/, default has %d", len(c.Items()), len(catalog.Default().Items()))
		}
	})
	t.Run("ErrEmpty", func(t *testing.T) {
		if _, err := catalog.Load(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no *.yaml") {
			t.Errorf("err = %v, want no *.yaml files", err)
		}
	})
	t.Run("ErrMissing", func(t *testing.T) {
		if _, err := catalog.Load(filepath.Join(t.TempDir(), "nope")); err == nil {
			t.Error("loading a missing directory succeeded")
		}
	})
}

func TestCheck(t *testing.T) {
	pen, _ := catalog.Default().Item("admin_penalty")
	today := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	base := func(kv ...any) map[string]any {
		r := map[string]any{
			"xdr_mc": " 武汉楚天建筑工程有限公司 ", "xdr_lb": "法人及非法人组织", "xdr_shxym": "91110000600037341l",
			"fddbr": "张三", "cf_wsh": "鄂市监罚〔2026〕1号", "cf_wfxw": "虚假宣传", "cf_sy": "事实", "cf_yj": "依据",
			"cf_cflb": "警告；罚款", "cf_nr": "罚款", "cf_nr_fk": "05.50", "cf_jdrq": "2026-02-13", "cf_yxq": "2027-02-13",
			"cf_cfjg": "湖北省市场监督管理局", "cf_cfjgdm": "9144030071526726XG", "cf_sjly": "湖北省市场监督管理局", "cf_sjlydm": "9144030071526726XG",
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(r, kv[i].(string))
			} else {
				r[kv[i].(string)] = kv[i+1]
			}
		}
		return r
	}
	t.Run("OKCanonical", func(t *testing.T) {
		c := pen.Check(base(), today)
		vals, errs := c.Values, c.Errors
		if len(errs) > 0 {
			t.Fatalf("errors: %+v", errs)
		}
		for code, want := range map[string]string{"xdr_mc": "武汉楚天建筑工程有限公司", "xdr_shxym": "91110000600037341L", "cf_cflb": "警告;罚款", "cf_nr_fk": "5.5"} {
			if vals[code] != want {
				t.Errorf("%s = %q, want %q", code, vals[code], want)
			}
		}
	})
	tests := []struct {
		name  string
		rec   map[string]any
		codes []string // field:code, in catalogue order
	}{
		{"ErrRequired", base("cf_wsh", nil), []string{"cf_wsh:required"}},
		{"ErrConditional", base("cf_nr_fk", nil), []string{"cf_nr_fk:required"}},
		{"ErrOrgNeedsUSCC", base("xdr_shxym", nil), []string{"xdr_shxym:required"}},
		{"ErrPersonNeedsID", base("xdr_lb", "自然人", "xdr_shxym", nil, "fddbr", nil), []string{"zjlx:required", "zjhm:required"}},
		{"ErrIDCheck", base("fddbr_zjlx", "身份证", "fddbr_zjhm", "36042619910102009X"), []string{"fddbr_zjhm:idcard_check"}},
		{"OKPassportNotChecked", base("fddbr_zjlx", "护照号", "fddbr_zjhm", "E12345678"), nil},
		{"ErrLegacy15", base("fddbr_zjlx", "身份证", "fddbr_zjhm", "110105491231002"), []string{"fddbr_zjhm:idcard_legacy"}},
		{"ErrTwoProblems", base("cf_jdrq", "13/2/2026", "cf_cflb", "罚金"), []string{"cf_cflb:enum", "cf_jdrq:date_format"}},
		{"ErrDateInvalid", base("cf_jdrq", "2026-02-30"), []string{"cf_jdrq:date_invalid"}},
		{"ErrFuture", base("cf_jdrq", "2026-12-01", "cf_yxq", "2027-12-01"), []string{"cf_jdrq:date_future"}},
		{"ErrOrder", base("cf_yxq", "2026-01-01"), []string{"cf_yxq:date_order"}},
		{"ErrDecimal", base("cf_nr_fk", "-1"), []string{"cf_nr_fk:decimal_format"}},
		{"ErrType", base("cf_wsh", true), []string{"cf_wsh:type"}},
		{"ErrUnknown", base("colour", "red"), []string{"colour:unknown_field"}},
		{"ErrDuplicate", base("行政处罚决定书文号", "x"), []string{"cf_wsh:duplicate_field"}},
		{"ErrTooLong", base("cf_wfxw", strings.Repeat("长", 2001)), []string{"cf_wfxw:too_long"}},
		{"OKDateForms", base("cf_jdrq", "2026年2月13日", "cf_yxq", "2027/2/13", "cf_gsjzq", "20260813"), nil},
		{"OKSpreadsheetSerial", base("cf_jdrq", "46066", "cf_yxq", "46066.0"), nil}, // 2026-02-13
		{"OKFullWidth", base("cf_nr_fk", "５", "xdr_shxym", "９１１１００００６０００３７３４１Ｌ", "cf_jdrq", "２０２６-０２-１３"), nil},
		{"OKThousands", base("cf_nr_fk", "1,250.5"), nil},
		{"OKLabelWithHalfWidthBrackets", base("cf_nr_fk", nil, "罚款金额(万元)", "5"), nil},
		{"ErrControlChar", base("xdr_mc", "武汉\u202e公司"), []string{"xdr_mc:control_char"}},
		{"ErrNUL", base("cf_wsh", "a\x00b"), []string{"cf_wsh:control_char"}},
		{"ErrDateBefore1949", base("cf_jdrq", "1948-01-01"), []string{"cf_jdrq:date_invalid"}},
		{"ErrRevocationNeedsLicence", base("cf_cflb", "吊销许可证件"), []string{"cf_nr_zkdx:required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := pen.Check(tt.rec, today).Errors
			var got []string
			for _, e := range errs {
				got = append(got, e.Field+":"+e.Code)
				if e.MessageZH == "" || e.MessageEN == "" {
					t.Errorf("%s:%s has an empty message", e.Field, e.Code)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.codes, " ") {
				t.Errorf("errors = %v, want %v", got, tt.codes)
			}
		})
	}
}

func lineOf(s, sub string) int {
	i := strings.Index(s, sub)
	if i < 0 {
		panic("lineOf: " + sub)
	}
	return strings.Count(s[:i], "\n") + 1
}

func TestCheckNotes(t *testing.T) {
	pen, _ := catalog.Default().Item("admin_penalty")
	c := pen.Check(map[string]any{"cf_wsh": " 鄂市监罚〔２０２６〕1号\u200b", "cf_jdrq": "2026年2月13日", "xdr_shxym": "91110000600037341l", "cf_cflb": "警告、罚款"},
		time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC))
	got := map[string]bool{}
	for _, n := range c.Notes {
		got[n.Field+":"+n.Code] = true
	}
	for _, want := range []string{"cf_wsh:invisible", "cf_wsh:full_width", "cf_wsh:trim", "cf_jdrq:date_format", "xdr_shxym:code_format", "cf_cflb:list"} {
		if !got[want] {
			t.Errorf("notes %v lack %s", c.Notes, want)
		}
	}
	if c.Values["cf_wsh"] != "鄂市监罚〔2026〕1号" || c.Values["cf_jdrq"] != "2026-02-13" || c.Values["cf_cflb"] != "警告;罚款" {
		t.Errorf("values = %v", c.Values)
	}
}

func TestAllowsProvider(t *testing.T) {
	jr, _ := catalog.Default().Item("judgment_refusal")
	pen, _ := catalog.Default().Item("admin_penalty")
	for _, tt := range []struct {
		it   *catalog.Item
		code string
		want bool
	}{
		{jr, "420100-FY", true},
		{jr, "420000-SCJG", false},
		{pen, "420000-SCJG", true},
	} {
		if got := tt.it.AllowsProvider(tt.code); got != tt.want {
			t.Errorf("%s.AllowsProvider(%s) = %v, want %v", tt.it.Code, tt.code, got, tt.want)
		}
	}
}
