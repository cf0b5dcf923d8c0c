package demo_test

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/demo"
)

// penalties returns a source of n penalty records on 60 organisations and,
// one in twenty, natural persons, and the records it gave so far.
func penalties(n int) (func() map[string]any, *[]map[string]any) {
	g := demo.New(seed, today)
	orgs := make([]demo.Org, 60)
	for i := range orgs {
		orgs[i] = g.Org()
	}
	var given []map[string]any
	i := 0
	return func() map[string]any {
		if i == n {
			return nil
		}
		var rec map[string]any
		if i%20 == 19 {
			rec = g.PersonPenalty(g.Person())
		} else {
			rec = g.Penalty(orgs[i%len(orgs)])
		}
		i++
		given = append(given, rec)
		return rec
	}, &given
}

func penaltyItem(t *testing.T) *catalog.Item {
	t.Helper()
	it, ok := catalog.Default().Item("admin_penalty")
	if !ok {
		t.Fatal("no admin_penalty")
	}
	return it
}

// checkRows checks rows read back from a file against the records written:
// each row's non-empty cells, keyed by header, pass the catalogue, and
// carry the same values.
func checkRows(t *testing.T, it *catalog.Item, header []string, rows [][]string, given []map[string]any) {
	t.Helper()
	if len(rows) != len(given) {
		t.Fatalf("%d data rows, want %d", len(rows), len(given))
	}
	for i, row := range rows {
		rec := map[string]any{}
		for j, h := range header {
			if j < len(row) && row[j] != "" {
				rec[h] = row[j]
			}
		}
		c := it.Check(rec, today)
		if len(c.Errors) > 0 {
			t.Fatalf("row %d fails the catalogue: %v\n%v", i+1, c.Errors, rec)
		}
		for k, v := range given[i] {
			if c.Values[k] != v.(string) {
				t.Fatalf("row %d: %s = %q, wrote %q", i+1, k, c.Values[k], v)
			}
		}
	}
}

func TestWriteCSV(t *testing.T) {
	it := penaltyItem(t)
	tests := []struct {
		encoding, header string
		bom, gb          bool
	}{
		{"", "", false, false},
		{"utf-8", "code", false, false},
		{"utf-8-bom", "label", true, false},
		{"gbk", "label", false, true},
		{"gb18030", "code", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.encoding+"/"+tc.header, func(t *testing.T) {
			next, given := penalties(200)
			var buf bytes.Buffer
			n, err := demo.WriteRecords(&buf, it, demo.FileOptions{Format: "csv", Encoding: tc.encoding, Header: tc.header}, next)
			if err != nil || n != 200 {
				t.Fatalf("WriteRecords = %d, %v; want 200", n, err)
			}
			raw := buf.Bytes()
			if got := bytes.HasPrefix(raw, []byte("\xEF\xBB\xBF")); got != tc.bom {
				t.Errorf("BOM present = %v, want %v", got, tc.bom)
			}
			if tc.gb {
				if utf8.Valid(raw) {
					t.Fatal("a GBK file is valid UTF-8")
				}
				dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(raw)
				if err != nil || !utf8.Valid(dec) {
					t.Fatalf("GB18030 decoding: %v", err)
				}
				// The demo's text is all in GBK: a GBK reader reads the file too.
				if gbk, err := simplifiedchinese.GBK.NewDecoder().Bytes(raw); err != nil || !bytes.Equal(gbk, dec) {
					t.Fatalf("GBK decoding differs from GB18030: %v", err)
				}
				raw = dec
			} else if !utf8.Valid(raw) {
				t.Fatal("not valid UTF-8")
			}
			if !bytes.Contains(raw, []byte("\r\n")) {
				t.Error("lines do not end in CRLF")
			}
			raw = bytes.TrimPrefix(raw, []byte("\xEF\xBB\xBF"))
			records, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			header := records[0]
			want0 := "行政相对人名称"
			if tc.header == "code" {
				want0 = "xdr_mc"
			}
			if header[0] != want0 {
				t.Errorf("first column %q, want %q", header[0], want0)
			}
			// Catalogue order, only fields that occur: no 公示截止期, 情节严重, 备注.
			last := -1
			for _, h := range header {
				f, ok := it.Field(h)
				if !ok {
					t.Fatalf("column %q is not a field", h)
				}
				idx := fieldIndex(it, f.Code)
				if idx <= last {
					t.Errorf("column %q out of catalogue order", h)
				}
				last = idx
				if f.Code == "cf_gsjzq" || f.Code == "bz" || f.Code == "cf_qjyz" {
					t.Errorf("column %q never occurs", h)
				}
			}
			checkRows(t, it, header, records[1:], *given)
		})
	}
}

func fieldIndex(it *catalog.Item, code string) int {
	for i, f := range it.Fields {
		if f.Code == code {
			return i
		}
	}
	return -1
}

func TestWriteXLSX(t *testing.T) {
	it := penaltyItem(t)
	for _, title := range []string{"", "2026年行政处罚信息"} {
		t.Run("title="+title, func(t *testing.T) {
			next, given := penalties(200)
			var buf bytes.Buffer
			n, err := demo.WriteRecords(&buf, it, demo.FileOptions{Format: "xlsx", Title: title}, next)
			if err != nil || n != 200 {
				t.Fatalf("WriteRecords = %d, %v; want 200", n, err)
			}
			f, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sheet := f.GetSheetName(0)
			if sheet != "行政处罚" {
				t.Errorf("sheet %q, want 行政处罚", sheet)
			}
			rows, err := f.GetRows(sheet)
			if err != nil {
				t.Fatal(err)
			}
			headerRow := 1
			if title != "" {
				headerRow = 2
				if len(rows[0]) == 0 || rows[0][0] != title {
					t.Fatalf("first row %v, want the title %q", rows[0], title)
				}
			}
			header := rows[headerRow-1]
			if header[0] != "行政相对人名称" {
				t.Fatalf("header %v", header)
			}
			checkRows(t, it, header, rows[headerRow:], *given)

			// Dates are numeric serials formatted as dates.
			col := -1
			for i, h := range header {
				if h == "处罚决定日期" {
					col = i + 1
				}
			}
			if col < 0 {
				t.Fatal("no 处罚决定日期 column")
			}
			for i := 0; i < 5; i++ {
				cell, _ := excelize.CoordinatesToCellName(col, headerRow+1+i)
				raw, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
				if err != nil {
					t.Fatal(err)
				}
				serial, err := strconv.ParseFloat(raw, 64)
				if err != nil || serial < 40000 || serial > 60000 {
					t.Fatalf("%s raw value %q is not a date serial", cell, raw)
				}
				tm, err := excelize.ExcelDateToTime(serial, false)
				if err != nil || tm.Format("2006-01-02") != (*given)[i]["cf_jdrq"] {
					t.Errorf("%s serial %v is %v, wrote %v", cell, serial, tm, (*given)[i]["cf_jdrq"])
				}
				styleID, err := f.GetCellStyle(sheet, cell)
				if err != nil {
					t.Fatal(err)
				}
				style, err := f.GetStyle(styleID)
				if err != nil || style.CustomNumFmt == nil || *style.CustomNumFmt != "yyyy-mm-dd" {
					t.Errorf("%s style %+v is not a yyyy-mm-dd date", cell, style)
				}
			}
		})
	}
}

func TestWriteJSONL(t *testing.T) {
	it := penaltyItem(t)
	for _, header := range []string{"label", "code"} {
		t.Run(header, func(t *testing.T) {
			next, given := penalties(200)
			var buf bytes.Buffer
			n, err := demo.WriteRecords(&buf, it, demo.FileOptions{Format: "jsonl", Header: header}, next)
			if err != nil || n != 200 {
				t.Fatalf("WriteRecords = %d, %v; want 200", n, err)
			}
			sc := bufio.NewScanner(&buf)
			sc.Buffer(nil, 1<<20)
			i := 0
			for sc.Scan() {
				var rec map[string]any
				if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
					t.Fatalf("line %d: %v", i+1, err)
				}
				key := "xdr_mc"
				if header == "label" {
					key = "行政相对人名称"
				}
				if rec[key] != (*given)[i]["xdr_mc"] {
					t.Fatalf("line %d: %s = %v", i+1, key, rec[key])
				}
				if errs := it.Check(rec, today).Errors; len(errs) > 0 {
					t.Fatalf("line %d fails: %v", i+1, errs)
				}
				i++
			}
			if i != 200 {
				t.Errorf("%d lines, want 200", i)
			}
		})
	}
}

func TestWriteRecordsErrors(t *testing.T) {
	it := penaltyItem(t)
	tests := []struct {
		name string
		opts demo.FileOptions
		recs []map[string]any
		want string
	}{
		{"Format", demo.FileOptions{Format: "xls"}, nil, "format"},
		{"Encoding", demo.FileOptions{Format: "csv", Encoding: "big5"}, nil, "encoding"},
		{"EncodingXLSX", demo.FileOptions{Format: "xlsx", Encoding: "gbk"}, nil, "CSV only"},
		{"Header", demo.FileOptions{Format: "csv", Header: "english"}, nil, "header"},
		{"TitleCSV", demo.FileOptions{Format: "csv", Title: "x"}, nil, "XLSX only"},
		{"UnknownField", demo.FileOptions{Format: "csv"}, []map[string]any{{"xdr_mc": "甲", "nope": "1"}}, "nope"},
		{"LabelKey", demo.FileOptions{Format: "jsonl"}, []map[string]any{{"行政相对人名称": "甲"}}, "no field"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			i := 0
			next := func() map[string]any {
				if i == len(tc.recs) {
					return nil
				}
				i++
				return tc.recs[i-1]
			}
			_, err := demo.WriteRecords(io.Discard, it, tc.opts, next)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

// TestLateColumns: past the lookahead, the generator's fields have columns
// even when first seen late; any other field first seen late is an error.
func TestLateColumns(t *testing.T) {
	it := penaltyItem(t)
	run := func(late string) error {
		next, _ := penalties(1200)
		i := 0
		_, err := demo.WriteRecords(io.Discard, it, demo.FileOptions{Format: "csv"}, func() map[string]any {
			rec := next()
			if rec != nil {
				delete(rec, "cf_nr_zkdx")
				if i++; i == 1100 {
					rec[late] = "x"
				}
			}
			return rec
		})
		return err
	}
	if err := run("cf_nr_zkdx"); err != nil {
		t.Errorf("a generated field first seen late: %v", err)
	}
	if err := run("bz"); err == nil || !strings.Contains(err.Error(), "bz") {
		t.Errorf("a field first seen late: err = %v", err)
	}
}

func TestSpoil(t *testing.T) {
	cat := catalog.Default()
	g := demo.New(seed, today)
	var orgs []demo.Org
	for i := 0; i < 50; i++ {
		orgs = append(orgs, g.Org())
	}
	for _, item := range []string{"admin_penalty", "admin_licensing"} {
		t.Run(item, func(t *testing.T) {
			it, _ := cat.Item(item)
			s := demo.NewSpoiler(it, seed, today)
			ways := map[string]int{}
			for i := 0; i < 1000; i++ {
				var rec map[string]any
				switch {
				case item == "admin_licensing":
					rec = g.Licensing(orgs[i%len(orgs)])
				case i%10 == 0:
					rec = g.PersonPenalty(g.Person())
				default:
					rec = g.Penalty(orgs[i%len(orgs)])
				}
				way := s.Spoil(rec)
				if way == "" {
					t.Fatalf("record %d could not be spoiled: %v", i, rec)
				}
				ways[way]++
				if errs := it.Check(rec, today).Errors; len(errs) == 0 {
					t.Fatalf("spoiled (%s) record %d passes: %v", way, i, rec)
				}
			}
			want := []string{demo.SpoilUSCC, demo.SpoilDate, demo.SpoilRequired, demo.SpoilEnum}
			if item == "admin_penalty" {
				want = append(want, demo.SpoilFine)
			}
			for _, w := range want {
				if ways[w] < 50 {
					t.Errorf("way %s used %d times of 1000: %v", w, ways[w], ways)
				}
			}
		})
	}
}

// countingWriter counts what is written and keeps nothing.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

func TestWriteCSVMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 200,000 rows")
	}
	it := penaltyItem(t)
	g := demo.New(seed, today)
	orgs := make([]demo.Org, 500)
	for i := range orgs {
		orgs[i] = g.Org()
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	// Warm up the generator's per-organisation state before measuring.
	for _, o := range orgs {
		g.Penalty(o)
	}
	before := heap()
	var peak uint64
	const rows = 200_000
	i := 0
	next := func() map[string]any {
		if i == rows {
			return nil
		}
		if i%20_000 == 0 {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
		}
		i++
		return g.Penalty(orgs[i%len(orgs)])
	}
	var w countingWriter
	n, err := demo.WriteRecords(&w, it, demo.FileOptions{Format: "csv", Encoding: "gbk"}, next)
	if err != nil || n != rows {
		t.Fatalf("WriteRecords = %d, %v", n, err)
	}
	after := heap()
	t.Logf("%d rows, %d MB written; heap before %d KB, after %d KB, peak sampled %d KB",
		n, w.n>>20, before>>10, after>>10, peak>>10)
	if w.n < rows*500 {
		t.Errorf("only %d bytes written", w.n)
	}
	// The rows themselves would take hundreds of megabytes.
	if after > before+16<<20 {
		t.Errorf("heap grew from %d KB to %d KB", before>>10, after>>10)
	}
	if peak > before+64<<20 {
		t.Errorf("heap peaked at %d KB (from %d KB)", peak>>10, before>>10)
	}
}
