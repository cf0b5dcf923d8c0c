package intake_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"

	"github.com/xinyong/xinyong/internal/intake"
)

// rdKnownColumns stands in for the catalogue: a few labels and codes of the
// penalty item.
var rdKnownColumns = map[string]bool{
	"行政相对人名称": true, "统一社会信用代码": true, "行政处罚决定书文号": true, "处罚决定日期": true,
	"罚款金额（万元）": true, "处罚类别": true, "备注": true,
	"xdr_mc": true, "xdr_shxym": true, "cf_wsh": true, "cf_jdrq": true, "cf_nr_fk": true,
}

func rdKnown(s string) bool { return rdKnownColumns[s] }

var rdPenaltyHeader = []string{"行政相对人名称", "统一社会信用代码", "行政处罚决定书文号", "处罚决定日期", "罚款金额（万元）"}

var rdPenaltyRows = [][]string{
	{"武汉某某商贸有限公司", "91420100MA4K0000X1", "鄂市监罚〔2026〕1号", "2026-03-05", "0.5"},
	{"李四", "", "鄂市监罚〔2026〕2号", "2026年3月5日", "１０"},
}

// rdPenaltyText joins the penalty header and rows with sep and eol.
func rdPenaltyText(sep, eol string) string {
	var b strings.Builder
	b.WriteString(strings.Join(rdPenaltyHeader, sep) + eol)
	for _, r := range rdPenaltyRows {
		b.WriteString(strings.Join(r, sep) + eol)
	}
	return b.String()
}

func rdOpen(data []byte, lim intake.ReadLimits) (intake.Table, error) {
	return intake.OpenTable(bytes.NewReader(data), int64(len(data)), "", lim, rdKnown)
}

// rdResult is everything reading a table gave.
type rdResult struct {
	rows    []intake.Row
	rowErrs []*intake.RowError
	err     error // the *FileError that stopped reading, or nil at io.EOF
}

func rdDrain(tb testing.TB, t intake.Table) rdResult {
	tb.Helper()
	var res rdResult
	for range 10_000_000 {
		row, err := t.Next()
		var re *intake.RowError
		switch {
		case err == nil:
			res.rows = append(res.rows, row)
		case errors.As(err, &re):
			res.rowErrs = append(res.rowErrs, re)
		case err == io.EOF:
			return res
		default:
			res.err = err
			return res
		}
	}
	tb.Fatal("Next never ended")
	return res
}

func rdFileCode(err error) string {
	var fe *intake.FileError
	if errors.As(err, &fe) {
		return fe.Code
	}
	if err != nil {
		return "not a FileError: " + err.Error()
	}
	return ""
}

func rdEncode(tb testing.TB, enc interface{ String(string) (string, error) }, s string) []byte {
	tb.Helper()
	out, err := enc.String(s)
	if err != nil {
		tb.Fatal(err)
	}
	return []byte(out)
}

func rdWantRows(first int, rows [][]string) []intake.Row {
	var out []intake.Row
	for i, r := range rows {
		out = append(out, intake.Row{Number: first + i, Cells: r})
	}
	return out
}

func TestReadCSV(t *testing.T) {
	text := rdPenaltyText(",", "\n")
	for _, c := range []struct {
		name      string
		data      []byte
		enc       string
		header    []string
		headerRow int
		rows      []intake.Row
	}{
		{name: "UTF8", data: []byte(text), enc: "utf-8"},
		{name: "UTF8BOM", data: []byte("\xEF\xBB\xBF" + text), enc: "utf-8-bom"},
		{name: "GB18030", data: rdEncode(t, simplifiedchinese.GB18030.NewEncoder(), text), enc: "gb18030"},
		{name: "GBK", data: rdEncode(t, simplifiedchinese.GBK.NewEncoder(), text), enc: "gb18030"},
		{name: "UTF16LETab", data: rdEncode(t, xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewEncoder(), rdPenaltyText("\t", "\r\n")), enc: "utf-16le"},
		{name: "UTF16BETab", data: rdEncode(t, xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM).NewEncoder(), rdPenaltyText("\t", "\r\n")), enc: "utf-16be"},
		{name: "Semicolon", data: []byte(rdPenaltyText(";", "\n")), enc: "utf-8"},
		{name: "Pipe", data: []byte(rdPenaltyText("|", "\n")), enc: "utf-8"},
		{name: "CRLF", data: []byte(rdPenaltyText(",", "\r\n")), enc: "utf-8"},
		{name: "CROnly", data: []byte(rdPenaltyText(",", "\r")), enc: "utf-8"},
		{name: "NoFinalNewline", data: []byte(strings.TrimSuffix(text, "\n")), enc: "utf-8"},
		{name: "GBKCRLFNoFinalNewline", data: rdEncode(t, simplifiedchinese.GBK.NewEncoder(), strings.TrimSuffix(rdPenaltyText(",", "\r\n"), "\r\n")), enc: "gb18030"},
		{
			name: "TitleRows", enc: "utf-8", headerRow: 3, rows: rdWantRows(4, rdPenaltyRows),
			data: []byte("2026年行政处罚信息,,,,\n填报单位：某某局,,,,\n" + text),
		},
		{
			name: "TitleRowsGBK", enc: "gb18030", headerRow: 4, rows: rdWantRows(5, rdPenaltyRows),
			data: rdEncode(t, simplifiedchinese.GBK.NewEncoder(), "2026年行政处罚信息\r\n\r\n填报单位：某某局\r\n"+rdPenaltyText(",", "\r\n")),
		},
		{
			name: "TrimmedHeaderPaddedRows", enc: "utf-8",
			data: []byte(" 行政相对人名称 ,\u3000统一社会信用代码\u3000,行政处罚决定书文号,处罚决定日期,罚款金额（万元）,,\n" +
				strings.Join(rdPenaltyRows[0], ",") + ",,,,\n" +
				",,,,,,,\n" + // empty: skipped
				"李四,,鄂市监罚〔2026〕2号\n"),
			rows: []intake.Row{{Number: 2, Cells: rdPenaltyRows[0]}, {Number: 4, Cells: []string{"李四", "", "鄂市监罚〔2026〕2号", "", ""}}},
		},
		{
			name: "UnknownColumnsKept", enc: "utf-8",
			data:   []byte("xdr_mc,违法事实,cf_wsh\nA,事实,W1\n"),
			header: []string{"xdr_mc", "违法事实", "cf_wsh"},
			rows:   []intake.Row{{Number: 2, Cells: []string{"A", "事实", "W1"}}},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			tbl, err := rdOpen(c.data, intake.ReadLimits{})
			if err != nil {
				t.Fatal(err)
			}
			defer tbl.Close()
			if c.header == nil {
				c.header = rdPenaltyHeader
			}
			if c.headerRow == 0 {
				c.headerRow = 1
			}
			if c.rows == nil {
				c.rows = rdWantRows(2, rdPenaltyRows)
			}
			if tbl.Format() != "csv" || tbl.Encoding() != c.enc {
				t.Errorf("format %q encoding %q, want csv %q", tbl.Format(), tbl.Encoding(), c.enc)
			}
			if !slices.Equal(tbl.Header(), c.header) || tbl.HeaderRow() != c.headerRow {
				t.Errorf("header %q at row %d, want %q at %d", tbl.Header(), tbl.HeaderRow(), c.header, c.headerRow)
			}
			res := rdDrain(t, tbl)
			if res.err != nil || len(res.rowErrs) > 0 {
				t.Fatalf("errors: %v %v", res.err, res.rowErrs)
			}
			if !reflect.DeepEqual(res.rows, c.rows) {
				t.Errorf("rows\n%v\nwant\n%v", res.rows, c.rows)
			}
			if p := tbl.Progress(); p != 1 {
				t.Errorf("progress at the end = %v", p)
			}
		})
	}
}

func TestReadCSVQuoted(t *testing.T) {
	data := "行政相对人名称,行政处罚决定书文号,违法事实\n" + // 1
		"\"某公司, 武汉分公司\",文号1,\"第一行\r\n第二行\"\n" + // 2-3
		"李四,文号2,\"他说\"\"你好\"\"\"\n" + // 4
		"\n" + // 5
		",,\n" + // 6
		"王五,\"\"\"\n,\n\"\"\",末尾\r\r\n" + // 7-9: a quoted cell of quote, newline, comma, newline, quote; a stray \r
		"赵六,文号4,普通\n" // 10
	tbl, err := rdOpen([]byte(data), intake.ReadLimits{})
	if err != nil {
		t.Fatal(err)
	}
	res := rdDrain(t, tbl)
	want := []intake.Row{
		{Number: 2, Cells: []string{"某公司, 武汉分公司", "文号1", "第一行\n第二行"}},
		{Number: 4, Cells: []string{"李四", "文号2", "他说\"你好\""}},
		{Number: 7, Cells: []string{"王五", "\"\n,\n\"", "末尾"}},
		{Number: 10, Cells: []string{"赵六", "文号4", "普通"}},
	}
	if res.err != nil || len(res.rowErrs) > 0 || !reflect.DeepEqual(res.rows, want) {
		t.Errorf("got %v %v %v\nwant %v", res.rows, res.rowErrs, res.err, want)
	}
}

func TestReadTableFileErrors(t *testing.T) {
	header := strings.Join(rdPenaltyHeader, ",") + "\n"
	rng := rand.New(rand.NewPCG(1, 2))
	garbage := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return b
	}
	gbClean := func(n int) []byte { // decodes as GB18030, means nothing
		b := make([]byte, 0, n)
		for len(b) < n {
			b = append(b, byte(0xB0+rng.UintN(0x30)), byte(0xA1+rng.UintN(0x5E)))
		}
		return b
	}
	unclosed := header + "李四,\"鄂市监罚,x\n" + strings.Repeat("王五,91420100MA4K0000X1,文号,2026-03-05,1\n", 5000)
	for _, c := range []struct {
		name  string
		data  []byte
		lim   intake.ReadLimits
		codes []string // any of
		msg   string   // in MessageEN
	}{
		{name: "Empty", data: nil, codes: []string{"empty"}},
		{name: "BlankLines", data: []byte("\n \r\n\t\n"), codes: []string{"empty"}},
		{name: "EmptyCells", data: []byte(",,,\n,,\n,\n"), codes: []string{"empty"}},
		{name: "BOMOnly", data: []byte("\xEF\xBB\xBF"), codes: []string{"empty"}},
		{name: "UTF16BOMOnly", data: []byte("\xFF\xFE"), codes: []string{"empty"}},
		{name: "NoKnownColumns", data: []byte("a,b,c\n1,2,3\n"), codes: []string{"no_header"}, msg: "first 10"},
		{name: "HeaderTooLow", data: []byte(strings.Repeat("标题\n", 10) + header), codes: []string{"no_header"}},
		{name: "HeaderTooWide", data: []byte(header[:len(header)-1] + strings.Repeat(",x", 600) + "\n"), codes: []string{"no_header"}, msg: "limit of 512"},
		{name: "UnbalancedQuoteAtEOF", data: []byte(header + "李四,\"鄂市监罚,x\n王五,2\n"), codes: []string{"csv_syntax"}, msg: "line 2"},
		{name: "QuoteNotDoubled", data: []byte(header + "李四,x\n\"王\"五,2\n"), codes: []string{"csv_syntax"}, msg: "line 3"},
		{name: "BareQuote", data: []byte(header + "李四,x\n王\"五,2\n"), codes: []string{"csv_syntax"}, msg: "line 3"},
		{name: "UnclosedQuoteRunsAway", data: []byte(unclosed), lim: intake.ReadLimits{MaxLineBytes: 4 << 10}, codes: []string{"csv_syntax"}, msg: "starts on line 2"},
		{name: "LineTooLong", data: []byte(header + "李四," + strings.Repeat("长", 1000) + "\n"), lim: intake.ReadLimits{MaxLineBytes: 1 << 10}, codes: []string{"line_too_long"}, msg: "line 2"},
		{name: "HeaderLineTooLong", data: []byte(strings.Repeat("长", 1000) + "\n" + header), lim: intake.ReadLimits{MaxLineBytes: 1 << 10}, codes: []string{"line_too_long"}, msg: "line 1"},
		{name: "TooManyDelimiters", data: []byte(header + strings.Repeat(",", 300_000) + "\n"), codes: []string{"line_too_long"}, msg: "delimiters"},
		{name: "NUL", data: []byte("行政相对人名称,统一社会信用代码\n\x00\x01\x02"), codes: []string{"encoding"}},
		{name: "NeitherUTF8NorGB", data: []byte("行政相对人名称,统一社会信用代码\n\xff\xfe\xff"), codes: []string{"encoding"}},
		{name: "BOMButNotUTF8", data: []byte("\xEF\xBB\xBF\xC4\xFA\xBA\xC3,1\n"), codes: []string{"encoding"}},
		{name: "XLS", data: append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, garbage(1000)...), codes: []string{"format"}, msg: ".xls"},
		{name: "Garbage1", data: garbage(10), codes: []string{"encoding", "csv_syntax", "no_header", "empty"}},
		{name: "Garbage2", data: garbage(100_000), codes: []string{"encoding", "csv_syntax", "no_header"}},
		{name: "GB18030Noise", data: gbClean(100_000), codes: []string{"no_header"}},
		{name: "PDF", data: append([]byte("%PDF-1.7\n"), garbage(5000)...), codes: []string{"encoding", "csv_syntax", "no_header"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tbl, err := rdOpen(c.data, c.lim)
			if err == nil {
				res := rdDrain(t, tbl)
				err = res.err
				// The error sticks.
				if _, again := tbl.Next(); again != err {
					t.Errorf("Next after %v = %v", err, again)
				}
			}
			var fe *intake.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a FileError %v", err, c.codes)
			}
			if !slices.Contains(c.codes, fe.Code) || !strings.Contains(fe.MessageEN, c.msg) {
				t.Errorf("got %s: %s, want %v and %q", fe.Code, fe.MessageEN, c.codes, c.msg)
			}
			if fe.MessageZH == "" || fe.Error() == "" {
				t.Errorf("%s: no message", fe.Code)
			}
		})
	}
}

func TestReadCSVRowErrors(t *testing.T) {
	header := strings.Join(rdPenaltyHeader, ",") + "\n"
	good := strings.Join(rdPenaltyRows[0], ",") + "\n"
	filler := strings.Repeat(good, 70<<10/len(good)+1) // past the encoding sample
	fillerLines := strings.Count(filler, "\n")
	for _, c := range []struct {
		name     string
		data     string
		lim      intake.ReadLimits
		errRow   int
		code     string
		nextRow  int // the row read after the error
		rowCount int
	}{
		{name: "TenThousandColumns", data: header + strings.Repeat("x,", 9999) + "x\n" + good, errRow: 2, code: "too_many_columns", nextRow: 3, rowCount: 1},
		{name: "BeyondHeader", data: header + good[:len(good)-1] + ",多余\n" + good, errRow: 2, code: "too_many_columns", nextRow: 3, rowCount: 1},
		{name: "TenMBCell", data: header + "李四,\"" + strings.Repeat("长", 10<<20/3) + "\"\n" + good, errRow: 2, code: "cell_too_long", nextRow: 3, rowCount: 1},
		{name: "SmallCellLimit", data: header + "李四," + strings.Repeat("x", 40) + "\n" + good, lim: intake.ReadLimits{MaxCellBytes: 32}, errRow: 2, code: "cell_too_long", nextRow: 3, rowCount: 1},
		{name: "NarrowColumnLimit", data: header + "a,b,c,d,e\n" + "a,b,c\n", lim: intake.ReadLimits{MaxColumns: 4}, code: "no_header"},
		{name: "BadUTF8Later", data: header + filler + "李\xff四,1\n" + good, errRow: 2 + fillerLines, code: "encoding", nextRow: 3 + fillerLines, rowCount: fillerLines + 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			tbl, err := rdOpen([]byte(c.data), c.lim)
			if c.code == "no_header" {
				if rdFileCode(err) != c.code {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			res := rdDrain(t, tbl)
			if res.err != nil || len(res.rowErrs) != 1 || len(res.rows) != c.rowCount {
				t.Fatalf("%d rows, row errors %v, file error %v", len(res.rows), res.rowErrs, res.err)
			}
			re := res.rowErrs[0]
			if re.Row != c.errRow || re.Code != c.code || re.MessageZH == "" || !strings.Contains(re.MessageEN, strconv.Itoa(c.errRow)) {
				t.Errorf("row error %+v, want %s at %d", re, c.code, c.errRow)
			}
			last := res.rows[len(res.rows)-1]
			if last.Number != c.nextRow || !slices.Equal(last.Cells, rdPenaltyRows[0]) {
				t.Errorf("last row %d %q, want %d", last.Number, last.Cells, c.nextRow)
			}
		})
	}
}

func TestReadCSVProgress(t *testing.T) {
	data := []byte(strings.Join(rdPenaltyHeader, ",") + "\n" + strings.Repeat(strings.Join(rdPenaltyRows[0], ",")+"\n", 20000))
	tbl, err := rdOpen(data, intake.ReadLimits{})
	if err != nil {
		t.Fatal(err)
	}
	last, n := 0.0, 0
	for {
		_, err := tbl.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		p := tbl.Progress()
		if p < last || p > 1 {
			t.Fatalf("progress %v after %v", p, last)
		}
		last = p
		if n++; n == 10000 && (p < 0.3 || p > 0.7) {
			t.Errorf("progress half way = %v", p)
		}
	}
	if tbl.Progress() != 1 {
		t.Errorf("progress at the end = %v", tbl.Progress())
	}
}

// rdPenaltyXLSX is a workbook as departments send them: a merged title row,
// the header, dates as dates, numbers as numbers, a gap; and a second
// sheet.
func rdPenaltyXLSX(tb testing.TB) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	s := "Sheet1"
	must := func(err error) {
		if err != nil {
			tb.Helper()
			tb.Fatal(err)
		}
	}
	must(f.SetCellValue(s, "A1", "2026年行政处罚信息"))
	must(f.MergeCell(s, "A1", "E1"))
	must(f.SetSheetRow(s, "A2", &rdPenaltyHeader))
	must(f.SetSheetRow(s, "A3", &[]any{"武汉某某商贸有限公司", "91420100MA4K0000X1", "鄂市监罚〔2026〕1号", time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), 0.5}))
	must(f.SetSheetRow(s, "A5", &[]any{"李四", nil, "鄂市监罚〔2026〕2号", "2026-03-05", 1000}))
	must(f.SetCellValue(s, "E7", 12.25))
	must(f.SetCellValue(s, "G7", "表外备注"))
	must(f.SetSheetDimension(s, "A1:G7")) // as Excel writes it; excelize writes "A1"
	if _, err := f.NewSheet("第二页"); err != nil {
		tb.Fatal(err)
	}
	must(f.SetSheetRow("第二页", "A1", &[]string{"xdr_mc", "cf_wsh"}))
	must(f.SetSheetRow("第二页", "A2", &[]string{"王五", "文号3"}))
	buf, err := f.WriteToBuffer()
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadXLSX(t *testing.T) {
	data := rdPenaltyXLSX(t)
	for _, c := range []struct {
		sheet     string
		header    []string
		headerRow int
		progress  float64
		rows      []intake.Row
	}{
		{
			sheet: "", header: rdPenaltyHeader, headerRow: 2, progress: 2.0 / 7,
			rows: []intake.Row{
				{Number: 3, Cells: []string{"武汉某某商贸有限公司", "91420100MA4K0000X1", "鄂市监罚〔2026〕1号", "46086", "0.5"}},
				{Number: 5, Cells: []string{"李四", "", "鄂市监罚〔2026〕2号", "2026-03-05", "1000"}},
				{Number: 7, Cells: []string{"", "", "", "", "12.25"}}, // G7 has no column: dropped
			},
		},
		{sheet: "第二页", header: []string{"xdr_mc", "cf_wsh"}, headerRow: 1, rows: []intake.Row{{Number: 2, Cells: []string{"王五", "文号3"}}}},
	} {
		t.Run("Sheet"+c.sheet, func(t *testing.T) {
			tbl, err := intake.OpenTable(bytes.NewReader(data), int64(len(data)), c.sheet, intake.ReadLimits{}, rdKnown)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := tbl.Close(); err != nil {
					t.Error(err)
				}
			}()
			if tbl.Format() != "xlsx" || tbl.Encoding() != "" || !slices.Equal(tbl.Header(), c.header) || tbl.HeaderRow() != c.headerRow {
				t.Errorf("%s %q header %q at %d", tbl.Format(), tbl.Encoding(), tbl.Header(), tbl.HeaderRow())
			}
			if p := tbl.Progress(); p != c.progress {
				t.Errorf("progress after the header = %v, want %v", p, c.progress)
			}
			res := rdDrain(t, tbl)
			if res.err != nil || len(res.rowErrs) > 0 || !reflect.DeepEqual(res.rows, c.rows) {
				t.Errorf("got %v %v %v\nwant %v", res.rows, res.rowErrs, res.err, c.rows)
			}
			if p := tbl.Progress(); p != 1 {
				t.Errorf("progress at the end = %v", p)
			}
		})
	}
}

// rdZipOf writes a zip of the given parts: name → content or, with a
// declared size, name → raw deflate data.
type rdZipPart struct {
	name     string
	content  []byte
	raw      []byte // deflate data written as is
	declared uint64 // its uncompressed size, as declared
	crc      uint32
}

func rdZipOf(tb testing.TB, parts ...rdZipPart) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p.raw != nil {
			w, err = zw.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate,
				CompressedSize64: uint64(len(p.raw)), UncompressedSize64: p.declared, CRC32: p.crc})
			if err == nil {
				_, err = w.Write(p.raw)
			}
		} else if w, err = zw.Create(p.name); err == nil {
			_, err = w.Write(p.content)
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// rdDeflateZeros is a hand-made deflate stream of 1+258·k zero bytes: a
// literal zero, then k copies of (length 258, distance 1), in one block
// with the fixed codes: 13 bits for every 258 bytes, so a 2 GiB bomb is
// 13 MB and takes no time to make.
func rdDeflateZeros(k int) []byte {
	var out []byte
	var acc uint64
	var nbits uint
	put := func(v uint64, n uint) { // LSB first
		acc |= v << nbits
		for nbits += n; nbits >= 8; nbits -= 8 {
			out = append(out, byte(acc))
			acc >>= 8
		}
	}
	code := func(c uint64, n uint) { // Huffman codes go MSB first
		var r uint64
		for i := range n {
			r |= (c >> i & 1) << (n - 1 - i)
		}
		put(r, n)
	}
	put(1, 1)     // BFINAL
	put(1, 2)     // BTYPE fixed
	code(0x30, 8) // literal 0
	for range k {
		code(0xC5, 8) // length symbol 285: 258
		code(0, 5)    // distance symbol 0: 1
	}
	code(0, 7) // end of block
	if nbits > 0 {
		out = append(out, byte(acc))
	}
	return out
}

func TestReadDeflateZeros(t *testing.T) {
	n, err := io.Copy(io.Discard, flate.NewReader(bytes.NewReader(rdDeflateZeros(1000))))
	if err != nil || n != 1+258*1000 {
		t.Fatalf("inflates to %d bytes, %v", n, err)
	}
}

func TestReadXLSXErrors(t *testing.T) {
	valid := rdPenaltyXLSX(t)

	// 2 GiB of zeros as a worksheet, declared honestly.
	const k = (2<<30 - 1) / 258
	bombSize := uint64(1 + 258*k)
	crc := crc32.NewIEEE()
	zeros := make([]byte, 1<<20)
	for left := bombSize; left > 0; {
		n := min(left, uint64(len(zeros)))
		crc.Write(zeros[:n])
		left -= n
	}
	bomb := rdZipOf(t,
		rdZipPart{name: "[Content_Types].xml", content: []byte(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`)},
		rdZipPart{name: "xl/worksheets/sheet1.xml", raw: rdDeflateZeros(k), declared: bombSize, crc: crc.Sum32()})

	// 64 MiB of zeros through compress/flate, against a 16 MiB limit.
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestSpeed)
	for range 64 {
		fw.Write(zeros)
	}
	fw.Close()
	smallBomb := rdZipOf(t, rdZipPart{name: "xl/worksheets/sheet1.xml", raw: z.Bytes(), declared: 64 << 20, crc: 0})

	// A part that declares 1 KiB and inflates to 64 MiB: archive/zip stops
	// reading at the declared size.
	liar := rdZipOf(t,
		rdZipPart{name: "[Content_Types].xml", content: []byte(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`)},
		rdZipPart{name: "xl/worksheets/sheet1.xml", raw: rdDeflateZeros(64 << 20 / 258), declared: 1 << 10})

	for _, c := range []struct {
		name  string
		data  []byte
		sheet string
		lim   intake.ReadLimits
		codes []string
	}{
		{name: "Truncated", data: valid[:len(valid)/2], codes: []string{"xlsx_corrupt"}},
		{name: "TruncatedEnd", data: valid[:len(valid)-10], codes: []string{"xlsx_corrupt"}},
		{name: "MagicOnly", data: []byte("PK\x03\x04"), codes: []string{"xlsx_corrupt"}},
		{name: "Bomb2GiB", data: bomb, codes: []string{"xlsx_too_large"}},
		{name: "Bomb64MiB", data: smallBomb, lim: intake.ReadLimits{MaxUnzipBytes: 16 << 20}, codes: []string{"xlsx_too_large"}},
		{name: "LyingSize", data: liar, codes: []string{"xlsx_corrupt"}},
		{name: "NotAWorkbook", data: rdZipOf(t, rdZipPart{name: "readme.txt", content: []byte("hello")}), codes: []string{"format", "xlsx_corrupt"}},
		{name: "NoSuchSheet", data: valid, sheet: "Sheet9", codes: []string{"format"}},
		{name: "TooSmallLimit", data: valid, lim: intake.ReadLimits{MaxUnzipBytes: 1 << 10}, codes: []string{"xlsx_too_large"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			tbl, err := intake.OpenTable(bytes.NewReader(c.data), int64(len(c.data)), c.sheet, c.lim, rdKnown)
			if err == nil {
				res := rdDrain(t, tbl)
				tbl.Close()
				err = res.err
			}
			var fe *intake.FileError
			if !errors.As(err, &fe) || !slices.Contains(c.codes, fe.Code) || fe.MessageZH == "" {
				t.Errorf("err = %v, want %v", err, c.codes)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func TestReadJSONL(t *testing.T) {
	lines := []string{
		`{"行政相对人名称":"武汉某某商贸有限公司","罚款金额（万元）":1.50,"处罚类别":["警告", "罚款"]}`, // 1
		``, // 2
		`{"行政处罚决定书文号":"文号2","行政相对人名称":"李四","罚款金额（万元）":null,"ok":true,"extra":{"a": 1, "b": [null]}}`, // 3
		`[1,2,3]`,              // 4
		`{"行政相对人名称": "broken"`, // 5
		`{"行政相对人名称":"王五"} trailing`, // 6
		`{}`,               // 7
		`  {"new":null}  `, // 8
		`{" 行政相对人名称 ":"赵六","罚款金额（万元）":-1e3,"n":false}`, // 9
		`"just a string"`, // 10
		`{"a":1}{"b":2}`,  // 11
	}
	text := strings.Join(lines, "\r\n") + "\n"
	h3 := []string{"行政相对人名称", "罚款金额（万元）", "处罚类别"}
	h6 := append(slices.Clone(h3), "行政处罚决定书文号", "ok", "extra")
	h7 := append(slices.Clone(h6), "n")
	want := []struct {
		row    intake.Row
		code   string
		header []string
	}{
		{row: intake.Row{Number: 1, Cells: []string{"武汉某某商贸有限公司", "1.50", `["警告","罚款"]`}}, header: h3},
		{row: intake.Row{Number: 3, Cells: []string{"李四", "", "", "文号2", "true", `{"a":1,"b":[null]}`}}, header: h6},
		{row: intake.Row{Number: 4}, code: "not_an_object", header: h6},
		{row: intake.Row{Number: 5}, code: "bad_json", header: h6},
		{row: intake.Row{Number: 6}, code: "bad_json", header: h6},
		{row: intake.Row{Number: 9, Cells: []string{"赵六", "-1e3", "", "", "", "", "false"}}, header: h7},
		{row: intake.Row{Number: 10}, code: "not_an_object", header: h7},
		{row: intake.Row{Number: 11}, code: "bad_json", header: h7},
	}
	for _, c := range []struct {
		name string
		data []byte
		enc  string
	}{
		{"UTF8", []byte(text), "utf-8"},
		{"UTF8BOM", []byte("\xEF\xBB\xBF" + text), "utf-8-bom"},
		{"GB18030", rdEncode(t, simplifiedchinese.GB18030.NewEncoder(), text), "gb18030"},
		{"UTF16LE", rdEncode(t, xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewEncoder(), text), "utf-16le"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tbl, err := rdOpen(c.data, intake.ReadLimits{})
			if err != nil {
				t.Fatal(err)
			}
			if tbl.Format() != "jsonl" || tbl.Encoding() != c.enc || tbl.HeaderRow() != 0 || !slices.Equal(tbl.Header(), h3) {
				t.Errorf("%s %s header %q at %d", tbl.Format(), tbl.Encoding(), tbl.Header(), tbl.HeaderRow())
			}
			for _, w := range want {
				row, err := tbl.Next()
				var re *intake.RowError
				switch {
				case w.code == "" && err != nil:
					t.Errorf("line %d: %v", w.row.Number, err)
				case w.code != "" && (!errors.As(err, &re) || re.Code != w.code || re.Row != w.row.Number):
					t.Errorf("line %d: err %v, want %s", w.row.Number, err, w.code)
				case w.code == "" && !reflect.DeepEqual(row, w.row):
					t.Errorf("row %v, want %v", row, w.row)
				}
				if !slices.Equal(tbl.Header(), w.header) {
					t.Errorf("line %d: header %q, want %q", w.row.Number, tbl.Header(), w.header)
				}
			}
			if _, err := tbl.Next(); err != io.EOF {
				t.Errorf("at the end: %v", err)
			}
			if tbl.Progress() != 1 {
				t.Errorf("progress %v", tbl.Progress())
			}
		})
	}
}

func TestReadJSONLLimits(t *testing.T) {
	for _, c := range []struct {
		name     string
		data     string
		lim      intake.ReadLimits
		rowCodes []string // in order, "" for a row
		fileCode string
	}{
		{name: "BrokenFirstLine", data: "{\"a\":\n{\"a\":\"1\",\"b\":2}\n", rowCodes: []string{"bad_json", ""}},
		{name: "CellTooLong", data: `{"a":"` + strings.Repeat("x", 100) + `","b":1}` + "\n" + `{"a":"1","b":2}`, lim: intake.ReadLimits{MaxCellBytes: 50}, rowCodes: []string{"cell_too_long", ""}},
		{name: "TooManyKeys", data: `{"a":1,"b":2,"c":3,"d":4}` + "\n" + `{"a":1,"b":2}`, lim: intake.ReadLimits{MaxColumns: 3}, rowCodes: []string{"too_many_columns", ""}},
		{name: "TooManyKeysInFile", data: `{"a":1,"b":2}` + "\n" + `{"c":1,"d":2}` + "\n" + `{"a":3}`, lim: intake.ReadLimits{MaxColumns: 3}, rowCodes: []string{"", "too_many_columns", ""}},
		{name: "BadUTF8Later", data: "{\"a\":\"武汉\"}\n" + strings.Repeat(" ", 70<<10) + "\n{\"a\":\"\xff\"}\n{\"a\":\"1\"}\n", rowCodes: []string{"", "encoding", ""}},
		{name: "LineTooLong", data: `{"a":"1"}` + "\n" + `{"a":"` + strings.Repeat("x", 2000) + `"}`, lim: intake.ReadLimits{MaxLineBytes: 1000}, rowCodes: []string{""}, fileCode: "line_too_long"},
		{name: "FirstLineTooLong", data: `{"a":"` + strings.Repeat("x", 2000) + `"}`, lim: intake.ReadLimits{MaxLineBytes: 1000}, fileCode: "line_too_long"},
		{name: "OnlyEmptyObjects", data: "{}\n{}\n", fileCode: "empty"},
		{name: "PrettyJSON", data: "{\n  \"a\": 1\n}\n", fileCode: "format"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tbl, err := rdOpen([]byte(c.data), c.lim)
			var codes []string
			if err == nil {
				for {
					_, err = tbl.Next()
					var re *intake.RowError
					if err == nil {
						codes = append(codes, "")
					} else if errors.As(err, &re) {
						codes = append(codes, re.Code)
					} else {
						break
					}
				}
			}
			if err == io.EOF {
				err = nil
			}
			if rdFileCode(err) != c.fileCode || !slices.Equal(codes, c.rowCodes) && len(codes)+len(c.rowCodes) > 0 {
				t.Errorf("rows %q then %v, want %q then %q", codes, err, c.rowCodes, c.fileCode)
			}
		})
	}
}

// rdGenCSV is a large CSV file made up as it is read.
type rdGenCSV struct {
	header string
	tmpl   []byte // one row, its number in the first 8 bytes of digits
	rows   int64
}

func (g *rdGenCSV) size() int64 { return int64(len(g.header)) + g.rows*int64(len(g.tmpl)) }

func (g *rdGenCSV) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	line := slices.Clone(g.tmpl)
	for n < len(p) && off < g.size() {
		var c int
		if off < int64(len(g.header)) {
			c = copy(p[n:], g.header[off:])
		} else {
			i := (off - int64(len(g.header))) / int64(len(g.tmpl))
			within := (off - int64(len(g.header))) % int64(len(g.tmpl))
			copy(line, fmt.Sprintf("%08d", i))
			c = copy(p[n:], line[within:])
		}
		n += c
		off += int64(c)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func TestReadMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 200 MB")
	}
	g := &rdGenCSV{
		header: strings.Join(rdPenaltyHeader, ",") + ",违法事实\n",
		tmpl:   []byte("00000000武汉某某商贸有限公司,91420100MA4K0000X1,\"鄂市监罚〔2026〕1号\",2026-03-05,0.5,\"违反《中华人民共和国食品安全法》第三十四条，销售超过保质期的食品\"\n"),
	}
	g.rows = 200_000_000 / int64(len(g.tmpl))
	runtime.GC()
	tbl, err := intake.OpenTable(g, g.size(), "", intake.ReadLimits{}, rdKnown)
	if err != nil {
		t.Fatal(err)
	}
	var ms runtime.MemStats
	var peak uint64
	n := int64(0)
	for {
		row, err := tbl.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if row.Number != int(n)+2 {
			t.Fatalf("row %d numbered %d", n, row.Number)
		}
		if n++; n%20000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	if n != g.rows {
		t.Errorf("read %d rows of %d", n, g.rows)
	}
	t.Logf("%d rows, %d MB, peak HeapInuse %.1f MB", n, g.size()>>20, float64(peak)/(1<<20))
	if peak > 50<<20 {
		t.Errorf("peak HeapInuse %.1f MB", float64(peak)/(1<<20))
	}
}
