package demo

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"github.com/xinyong/xinyong/internal/catalog"
)

// File formats, encodings and header styles of FileOptions.
const (
	FormatCSV   = "csv"
	FormatXLSX  = "xlsx"
	FormatJSONL = "jsonl"

	EncodingUTF8    = "utf-8"
	EncodingUTF8BOM = "utf-8-bom"
	EncodingGBK     = "gbk"
	EncodingGB18030 = "gb18030"

	HeaderLabel = "label"
	HeaderCode  = "code"
)

// Formats, Encodings and Headers list the accepted option values.
var (
	Formats   = []string{FormatCSV, FormatXLSX, FormatJSONL}
	Encodings = []string{EncodingUTF8, EncodingUTF8BOM, EncodingGBK, EncodingGB18030}
	Headers   = []string{HeaderLabel, HeaderCode}
)

// XLSXMaxRows is the number of rows a worksheet holds, header and title
// included.
const XLSXMaxRows = excelize.TotalRows

// FileOptions says how to write a demo file.
type FileOptions struct {
	Format   string // "csv", "xlsx", "jsonl"
	Encoding string // CSV only: "utf-8" (default), "utf-8-bom", "gbk" (written as GB18030, which GBK readers read), "gb18030"
	Header   string // "label" (default: the Chinese labels, as spreadsheets have them) or "code"
	Title    string // XLSX only: a title row above the header, e.g. "2026年行政处罚信息" ("" for none)
}

// check fills in the defaults and rejects what does not fit.
func (o FileOptions) check() (FileOptions, error) {
	o.Format = strings.ToLower(strings.TrimSpace(o.Format))
	o.Encoding = strings.ToLower(strings.TrimSpace(o.Encoding))
	o.Header = strings.ToLower(strings.TrimSpace(o.Header))
	if o.Encoding == "utf8" {
		o.Encoding = EncodingUTF8
	}
	if o.Header == "" {
		o.Header = HeaderLabel
	}
	if !slices.Contains(Formats, o.Format) {
		return o, fmt.Errorf("demo file: unknown format %q (want %s)", o.Format, strings.Join(Formats, ", "))
	}
	if o.Encoding != "" && !slices.Contains(Encodings, o.Encoding) {
		return o, fmt.Errorf("demo file: unknown encoding %q (want %s)", o.Encoding, strings.Join(Encodings, ", "))
	}
	if o.Format != FormatCSV && o.Encoding != "" && o.Encoding != EncodingUTF8 {
		return o, fmt.Errorf("demo file: encoding %s applies to CSV only; %s is always UTF-8", o.Encoding, o.Format)
	}
	if o.Encoding == "" {
		o.Encoding = EncodingUTF8
	}
	if !slices.Contains(Headers, o.Header) {
		return o, fmt.Errorf("demo file: unknown header %q (want %s)", o.Header, strings.Join(Headers, ", "))
	}
	if o.Title != "" && o.Format != FormatXLSX {
		return o, fmt.Errorf("demo file: a title row applies to XLSX only")
	}
	return o, nil
}

// lookahead is how many records WriteRecords reads before it fixes the
// columns of a CSV or XLSX file.
const lookahead = 1000

// generatedFields are the fields the generator can write for each item.
// A file longer than the lookahead has these columns besides those seen,
// so that a field first used late (a revoked licence) still has one.
var generatedFields = map[string][]string{
	"registration_basic": {"mc", "tyshxydm", "ztlb", "fddbr", "fddbr_zjlx", "fddbr_zjhm", "clrq", "djrq", "djjg",
		"xzqh", "zs", "jyfw", "djzt", "zzlx", "zczb"},
	"admin_licensing": {"xdr_mc", "xdr_lb", "xdr_shxym", "fddbr", "fddbr_zjlx", "fddbr_zjhm", "xk_wsmc", "xk_wsh",
		"xk_xklb", "xk_xkzs", "xk_xkbh", "xk_nr", "xk_jdrq", "xk_yxqz", "xk_yxqzi", "xk_xkjg", "xk_xkjgdm", "xk_zt",
		"xk_lydw", "xk_lydwdm", "bz"},
	"admin_penalty": {"xdr_mc", "xdr_lb", "xdr_shxym", "fddbr", "fddbr_zjlx", "fddbr_zjhm", "zjlx", "zjhm",
		"cf_wsh", "cf_wfxw", "cf_sy", "cf_yj", "cf_cflb", "cf_nr", "cf_nr_fk", "cf_nr_wfff", "cf_nr_zkdx",
		"cf_jdrq", "cf_yxq", "cf_cfjg", "cf_cfjgdm", "cf_sjly", "cf_sjlydm"},
	"commendation": {"xdr_mc", "xdr_lb", "xdr_shxym", "xdr_key", "ry_mc", "ry_jb", "ry_wh", "ry_rq", "ry_jg", "ry_jgdm"},
}

// WriteRecords writes the records of item it that next produces (it is
// called until it returns nil) to w as a department's export would be, and
// returns the number of records written. Record keys are field codes.
//
// Columns follow the catalogue's field order and are only the fields that
// occur: in the whole file when it has at most 1,000 records, else in its
// first 1,000 records and among the fields the generator writes for the
// item; a later record with a field outside the columns is an error.
// JSONL lines hold each record's own fields. Writing streams: memory does
// not grow with the number of records (XLSX rows go through excelize's
// stream writer, which spills to a temporary file). XLSX dates are date
// cells (spreadsheet serial numbers formatted yyyy-mm-dd) and amounts
// numbers, as real exports have them; a value that is no valid date or
// number stays text.
func WriteRecords(w io.Writer, it *catalog.Item, opts FileOptions, next func() map[string]any) (int, error) {
	opts, err := opts.check()
	if err != nil {
		return 0, err
	}
	if opts.Format == FormatJSONL {
		return writeJSONL(w, it, opts, next)
	}
	cols, buf, err := columns(it, next)
	if err != nil {
		return 0, err
	}
	colSet := make(map[string]bool, len(cols))
	for _, f := range cols {
		colSet[f.Code] = true
	}
	n := 0
	// fetch returns the next record: the buffered ones first.
	fetch := func() (map[string]any, error) {
		var rec map[string]any
		if n < len(buf) {
			rec, buf[n] = buf[n], nil
		} else if rec = next(); rec == nil {
			return nil, nil
		}
		for k, v := range rec {
			if colSet[k] {
				continue
			}
			if !isCode(it, k) {
				return nil, fmt.Errorf("demo file: record %d: item %s has no field %q", n+1, it.Code, k)
			}
			if text(v) != "" {
				return nil, fmt.Errorf("demo file: record %d: field %s first occurs after the columns were fixed from the first %d records", n+1, k, lookahead)
			}
		}
		n++
		return rec, nil
	}
	header := make([]string, len(cols))
	for i, f := range cols {
		header[i] = f.Code
		if opts.Header == HeaderLabel && f.LabelZH != "" {
			header[i] = f.LabelZH
		}
	}
	if opts.Format == FormatCSV {
		err = writeCSV(w, opts, header, cols, fetch)
	} else {
		err = writeXLSX(w, it, opts, header, cols, fetch)
	}
	return n, err
}

// columns reads up to lookahead records and returns the columns of the
// file and the records read.
func columns(it *catalog.Item, next func() map[string]any) ([]*catalog.Field, []map[string]any, error) {
	var buf []map[string]any
	seen := map[string]bool{}
	for len(buf) < lookahead {
		rec := next()
		if rec == nil {
			break
		}
		for k, v := range rec {
			if !isCode(it, k) {
				return nil, nil, fmt.Errorf("demo file: record %d: item %s has no field %q", len(buf)+1, it.Code, k)
			}
			if text(v) != "" {
				seen[k] = true
			}
		}
		buf = append(buf, rec)
	}
	if len(buf) == lookahead {
		for _, c := range generatedFields[it.Code] {
			seen[c] = true
		}
	}
	var cols []*catalog.Field
	for _, f := range it.Fields {
		if seen[f.Code] {
			cols = append(cols, f)
		}
	}
	return cols, buf, nil
}

// isCode reports whether k is the code of one of the item's fields.
func isCode(it *catalog.Item, k string) bool {
	f, ok := it.Field(k)
	return ok && f.Code == k
}

// text returns a record value as a file cell holds it.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []string:
		return strings.Join(x, ";")
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = text(p)
		}
		return strings.Join(parts, ";")
	}
	return fmt.Sprint(v)
}

// writeCSV writes a CSV file with CRLF line ends, as spreadsheet programs
// save them, in the encoding asked for.
func writeCSV(w io.Writer, opts FileOptions, header []string, cols []*catalog.Field, fetch func() (map[string]any, error)) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var out io.Writer = bw
	var enc io.WriteCloser
	switch opts.Encoding {
	case EncodingUTF8BOM:
		bw.WriteString("\uFEFF")
	case EncodingGBK, EncodingGB18030:
		// GB18030 is a superset of GBK that encodes every character;
		// GBK readers read the GBK part, which is all the demo uses.
		enc = transform.NewWriter(bw, simplifiedchinese.GB18030.NewEncoder())
		out = enc
	}
	cw := csv.NewWriter(out)
	cw.UseCRLF = true
	if err := cw.Write(header); err != nil {
		return err
	}
	row := make([]string, len(cols))
	for {
		rec, err := fetch()
		if err != nil {
			return err
		}
		if rec == nil {
			break
		}
		for i, f := range cols {
			row[i] = text(rec[f.Code])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	if enc != nil {
		if err := enc.Close(); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// writeXLSX writes a workbook of one sheet named after the item: an
// optional merged title row, a bold frozen header, then the records.
func writeXLSX(w io.Writer, it *catalog.Item, opts FileOptions, header []string, cols []*catalog.Field, fetch func() (map[string]any, error)) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := sheetName(it.NameZH)
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	dateFmt := "yyyy-mm-dd"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return err
	}
	headStyle, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
	})
	if err != nil {
		return err
	}
	titleStyle, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Size: 14},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"},
	})
	if err != nil {
		return err
	}
	for i, c := range cols {
		width := 14.0
		switch c.Type {
		case catalog.TypeText:
			width = 40
		case catalog.TypeDate:
			width = 12
		case catalog.TypeUSCC, catalog.TypeIDNumber:
			width = 22
		}
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	row := 1
	if opts.Title != "" {
		row++
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: row, TopLeftCell: "A" + strconv.Itoa(row+1), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	row = 1
	if opts.Title != "" {
		if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: titleStyle, Value: opts.Title}}, excelize.RowOpts{Height: 24}); err != nil {
			return err
		}
		if len(cols) > 1 {
			last, _ := excelize.CoordinatesToCellName(len(cols), 1)
			if err := sw.MergeCell("A1", last); err != nil {
				return err
			}
		}
		row++
	}
	cells := make([]any, len(cols))
	for i, h := range header {
		cells[i] = excelize.Cell{StyleID: headStyle, Value: h}
	}
	if err := sw.SetRow("A"+strconv.Itoa(row), cells); err != nil {
		return err
	}
	for {
		rec, err := fetch()
		if err != nil {
			return err
		}
		if rec == nil {
			break
		}
		row++
		if row > XLSXMaxRows {
			return fmt.Errorf("demo file: a worksheet holds at most %d rows, title and header included", XLSXMaxRows)
		}
		for i, c := range cols {
			cells[i] = cellValue(c, text(rec[c.Code]), dateStyle)
		}
		if err := sw.SetRow("A"+strconv.Itoa(row), cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := f.Write(bw); err != nil {
		return err
	}
	return bw.Flush()
}

// cellValue is what an XLSX cell of field c holds for value v: a date cell
// for a valid date, a number for an amount, else the text; nil for none.
func cellValue(c *catalog.Field, v string, dateStyle int) any {
	if v == "" {
		return nil
	}
	switch c.Type {
	case catalog.TypeDate:
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			return excelize.Cell{StyleID: dateStyle, Value: t}
		}
	case catalog.TypeDecimal:
		if x, err := strconv.ParseFloat(v, 64); err == nil && !strings.ContainsAny(v, "eExX_") {
			return x
		}
	}
	return v
}

// sheetName makes a valid worksheet name: at most 31 characters, none of []:*?/\.
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	if s == "" {
		s = "Sheet1"
	}
	return s
}

// writeJSONL writes one JSON object a line, keys in catalogue order, with
// each record's own non-empty fields.
func writeJSONL(w io.Writer, it *catalog.Item, opts FileOptions, next func() map[string]any) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	var line bytes.Buffer
	var val bytes.Buffer
	enc := json.NewEncoder(&val)
	enc.SetEscapeHTML(false)
	quote := func(s string) {
		val.Reset()
		enc.Encode(s) // a string always encodes
		line.Write(bytes.TrimRight(val.Bytes(), "\n"))
	}
	n := 0
	for {
		rec := next()
		if rec == nil {
			break
		}
		for k := range rec {
			if !isCode(it, k) {
				return n, fmt.Errorf("demo file: record %d: item %s has no field %q", n+1, it.Code, k)
			}
		}
		line.Reset()
		line.WriteByte('{')
		first := true
		for _, f := range it.Fields {
			v := text(rec[f.Code])
			if v == "" {
				continue
			}
			if !first {
				line.WriteByte(',')
			}
			first = false
			key := f.Code
			if opts.Header == HeaderLabel && f.LabelZH != "" {
				key = f.LabelZH
			}
			quote(key)
			line.WriteByte(':')
			quote(v)
		}
		line.WriteString("}\n")
		if _, err := bw.Write(line.Bytes()); err != nil {
			return n, err
		}
		n++
	}
	return n, bw.Flush()
}

// Spoiler makes records invalid in the ways real exports are, for import
// and error-report tests.
type Spoiler struct {
	it    *catalog.Item
	today time.Time
	r     *rand.Rand
}

// Ways a Spoiler spoils a record.
const (
	SpoilUSCC     = "uscc"     // wrong check character of the subject's code
	SpoilDate     = "date"     // an impossible date like 2026/13/45
	SpoilRequired = "required" // a required field left empty
	SpoilFine     = "fine"     // an amount missing that a category requires (罚款 without 罚款金额)
	SpoilEnum     = "enum"     // a value outside the field's list
)

// NewSpoiler returns a Spoiler of records of item it, with its own random
// source seeded by seed; today is the day records are checked on.
func NewSpoiler(it *catalog.Item, seed int64, today time.Time) *Spoiler {
	return &Spoiler{it: it, today: today, r: rand.New(rand.NewPCG(uint64(seed), 0x5bd1e995))}
}

// wrongValues are plausible mistakes for enumerated fields.
var wrongValues = map[string][]string{
	"cf_cflb":    {"罚金", "拘留", "责令改正"},
	"xdr_lb":     {"企业法人", "个人", "企业"},
	"ztlb":       {"企业法人", "企业"},
	"xk_xklb":    {"行政审批", "审批"},
	"xk_zt":      {"有效", "正常"},
	"fddbr_zjlx": {"居民身份证", "二代身份证"},
	"zjlx":       {"居民身份证", "二代身份证"},
	"djzt":       {"开业", "正常"},
	"ry_jb":      {"国家级省级", "区级"},
}

// Spoil makes rec, a valid record, fail the catalogue's check in one
// realistic way, changing it in place, and returns the way; "" when no way
// applies (it never happens to generated records).
func (s *Spoiler) Spoil(rec map[string]any) string {
	ways := []string{SpoilUSCC, SpoilDate, SpoilRequired, SpoilFine, SpoilEnum}
	s.r.Shuffle(len(ways), func(i, j int) { ways[i], ways[j] = ways[j], ways[i] })
	for _, way := range ways {
		undo := s.apply(way, rec)
		if undo == nil {
			continue
		}
		if len(s.it.Check(rec, s.today).Errors) > 0 {
			return way
		}
		undo()
	}
	return ""
}

// apply spoils rec one way and returns how to undo it, or nil when the way
// does not apply to rec.
func (s *Spoiler) apply(way string, rec map[string]any) func() {
	set := func(code, v string) func() {
		old, had := rec[code]
		rec[code] = v
		return func() {
			if had {
				rec[code] = old
			} else {
				delete(rec, code)
			}
		}
	}
	drop := func(code string) func() {
		old := rec[code]
		delete(rec, code)
		return func() { rec[code] = old }
	}
	has := func(code string) bool { return code != "" && text(rec[code]) != "" }
	var fields []*catalog.Field
	pickField := func(ok func(f *catalog.Field) bool) *catalog.Field {
		fields = fields[:0]
		for _, f := range s.it.Fields {
			if has(f.Code) && ok(f) {
				fields = append(fields, f)
			}
		}
		if len(fields) == 0 {
			return nil
		}
		return fields[s.r.IntN(len(fields))]
	}
	switch way {
	case SpoilUSCC:
		code := s.it.Subject.USCCField
		if !has(code) {
			return nil
		}
		u := []byte(text(rec[code]))
		last := strings.IndexByte(usccAlphabet, u[len(u)-1])
		u[len(u)-1] = usccAlphabet[(last+1+s.r.IntN(len(usccAlphabet)-1))%len(usccAlphabet)]
		return set(code, string(u))
	case SpoilDate:
		code := s.it.Deadline.From
		if !has(code) {
			f := pickField(func(f *catalog.Field) bool { return f.Type == catalog.TypeDate })
			if f == nil {
				return nil
			}
			code = f.Code
		}
		return set(code, pickR(s.r, []string{"2026/13/45", "2025-02-30", "2024.00.12"}))
	case SpoilRequired:
		f := pickField(func(f *catalog.Field) bool { return f.Required })
		if f == nil {
			return nil
		}
		return drop(f.Code)
	case SpoilFine:
		vals := make(map[string]string, len(rec))
		for k, v := range rec {
			vals[k] = text(v)
		}
		f := pickField(func(f *catalog.Field) bool {
			c := f.RequiredWhen
			return c != nil && len(c.Contains) > 0 && s.it.Holds(c, vals)
		})
		if f == nil {
			return nil
		}
		return drop(f.Code)
	case SpoilEnum:
		f := pickField(func(f *catalog.Field) bool {
			return f.Type == catalog.TypeEnum || f.Type == catalog.TypeEnumMulti
		})
		if f == nil {
			return nil
		}
		wrong := wrongValues[f.Code]
		if len(wrong) == 0 {
			wrong = []string{"其它", "未知"}
		}
		v := pickR(s.r, wrong)
		if f.Type == catalog.TypeEnumMulti && s.r.IntN(2) == 0 {
			v = text(rec[f.Code]) + ";" + v
		}
		return set(f.Code, v)
	}
	return nil
}

// pickR returns a random element of list.
func pickR[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }
