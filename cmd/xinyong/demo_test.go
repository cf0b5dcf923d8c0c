package main_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/xinyong/xinyong/internal/catalog"
)

// invalidRows counts the rows (cells keyed by the header) that fail the
// catalogue's check of admin_penalty.
func invalidRows(t *testing.T, header []string, rows [][]string) int {
	t.Helper()
	it, _ := catalog.Default().Item("admin_penalty")
	today := time.Now().In(time.FixedZone("CST", 8*3600))
	bad := 0
	for _, row := range rows {
		rec := map[string]any{}
		for i, h := range header {
			if i < len(row) && row[i] != "" {
				rec[h] = row[i]
			}
		}
		if len(it.Check(rec, today).Errors) > 0 {
			bad++
		}
	}
	return bad
}

func TestDemoFile(t *testing.T) {
	dir := t.TempDir()
	t.Run("csv-gbk", func(t *testing.T) {
		path := filepath.Join(dir, "penalties.csv")
		out, stderr, code := xinyong(t, "demo", "--out", path, "--format", "csv", "--encoding", "gbk", "--bad", "10", "--subjects", "50", "--records", "200")
		if code != 0 || !strings.Contains(out, "wrote 200 rows") || !strings.Contains(out, "20 invalid") {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, stderr)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if utf8.Valid(raw) {
			t.Error("a GBK file is valid UTF-8")
		}
		dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(raw)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(dec)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 201 || rows[0][0] != "行政相对人名称" {
			t.Fatalf("%d rows, header %v; want a header and 200 rows", len(rows), rows[0])
		}
		if bad := invalidRows(t, rows[0], rows[1:]); bad != 20 {
			t.Errorf("%d rows fail validation, want 20", bad)
		}
	})
	t.Run("xlsx", func(t *testing.T) {
		path := filepath.Join(dir, "penalties.xlsx")
		out, stderr, code := xinyong(t, "demo", "--out", path, "--format", "xlsx", "--title", "2026年行政处罚信息", "--bad", "10", "--subjects", "50", "--records", "200")
		if code != 0 || !strings.Contains(out, "wrote 200 rows") {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, stderr)
		}
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows(f.GetSheetName(0))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 202 || rows[0][0] != "2026年行政处罚信息" || rows[1][0] != "行政相对人名称" {
			t.Fatalf("%d rows, first %v, %v; want a title, a header and 200 rows", len(rows), rows[0], rows[1])
		}
		if bad := invalidRows(t, rows[1], rows[2:]); bad != 20 {
			t.Errorf("%d rows fail validation, want 20", bad)
		}
	})
	t.Run("jsonl-stdout", func(t *testing.T) {
		out, stderr, code := xinyong(t, "demo", "--out", "-", "--format", "jsonl", "--subjects", "5", "--records", "7", "--item", "admin_licensing")
		if code != 0 || strings.Count(out, "\n") != 7 || !strings.Contains(stderr, "wrote 7 rows") {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, stderr)
		}
	})
}

func TestDemoLoad(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	out, stderr, code := xinyong(t, "demo", "--data", data, "--subjects", "50", "--records", "200")
	if code != 0 || !strings.Contains(out, "50 organisations, 250 records") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, stderr)
	}
	if out, _, code := xinyong(t, "audit", "verify", "--data", data); code != 0 || !strings.Contains(out, "intact") {
		t.Errorf("audit verify: exit %d: %s", code, out)
	}
	// A second load leaves a database with providers alone.
	if out, _, code := xinyong(t, "demo", "--data", data); code != 0 || !strings.Contains(out, "no demo data loaded") {
		t.Errorf("second demo: exit %d: %s", code, out)
	}
}

func TestDemoFlagErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"Format", []string{"--out", filepath.Join(dir, "x.xls")}, "--format"},
		{"UnknownFormat", []string{"--out", filepath.Join(dir, "x"), "--format", "xls"}, "xls"},
		{"Encoding", []string{"--out", filepath.Join(dir, "x.csv"), "--encoding", "big5"}, "big5"},
		{"EncodingXLSX", []string{"--out", filepath.Join(dir, "x.xlsx"), "--encoding", "gbk"}, "CSV"},
		{"TitleCSV", []string{"--out", filepath.Join(dir, "x.csv"), "--title", "t"}, "XLSX"},
		{"Bad", []string{"--out", filepath.Join(dir, "x.csv"), "--bad", "150"}, "--bad"},
		{"Header", []string{"--out", filepath.Join(dir, "x.csv"), "--header", "english"}, "english"},
		{"Item", []string{"--out", filepath.Join(dir, "x.csv"), "--item", "commendation"}, "commendation"},
		{"Subjects", []string{"--out", filepath.Join(dir, "x.csv"), "--subjects", "0"}, "--subjects"},
		{"Records", []string{"--out", filepath.Join(dir, "x.csv"), "--records", "-1"}, "--records"},
		{"FormatWithoutOut", []string{"--data", dir, "--format", "csv"}, "--out"},
		{"DataWithOut", []string{"--data", dir, "--out", filepath.Join(dir, "x.csv")}, "--data"},
		{"XLSXRows", []string{"--out", filepath.Join(dir, "x.xlsx"), "--records", "1048576"}, "1048576"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := xinyong(t, append([]string{"demo"}, tt.args...)...)
			if code == 0 || !strings.Contains(stderr, tt.want) || !strings.Contains(stderr, "错误") {
				t.Errorf("exit %d, stderr %q; want a bilingual error mentioning %q", code, stderr, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "x.csv")); err == nil {
		t.Error("a refused command left a file")
	}
}
