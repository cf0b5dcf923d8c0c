package intake

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

var fuzzLimits = ReadLimits{MaxCellBytes: 64, MaxColumns: 16, MaxLineBytes: 512, MaxUnzipBytes: 4 << 20}

func fuzzKnown(s string) bool {
	switch s {
	case "行政相对人名称", "统一社会信用代码", "行政处罚决定书文号", "处罚决定日期", "a", "b", "xdr_mc", "cf_wsh":
		return true
	}
	return false
}

// fuzzRead opens data and reads it to the end, checking what every reader
// promises: errors are *FileError or *RowError, row numbers rise and come
// after the header, cells align with the header, are valid UTF-8 and within
// the limits, and a file error sticks.
func fuzzRead(t *testing.T, data []byte) {
	lim := fuzzLimits
	tbl, err := OpenTable(bytes.NewReader(data), int64(len(data)), "", lim, fuzzKnown)
	if err != nil {
		var fe *FileError
		if !errors.As(err, &fe) || fe.Code == "" || fe.MessageZH == "" || fe.MessageEN == "" || tbl != nil {
			t.Fatalf("open: %T %v", err, err)
		}
		return
	}
	defer tbl.Close()
	for _, h := range tbl.Header() {
		if !utf8.ValidString(h) {
			t.Fatalf("header %q is not UTF-8", h)
		}
	}
	last := tbl.HeaderRow()
	for range 1 << 20 {
		row, err := tbl.Next()
		if p := tbl.Progress(); p < 0 || p > 1 {
			t.Fatalf("progress %v", p)
		}
		var re *RowError
		var fe *FileError
		switch {
		case err == io.EOF:
			return
		case errors.As(err, &re):
			if re.Row <= last || re.Code == "" || re.MessageZH == "" || re.MessageEN == "" {
				t.Fatalf("row error %+v after row %d", re, last)
			}
			last = re.Row
			continue
		case errors.As(err, &fe):
			if fe.Code == "" || fe.MessageZH == "" {
				t.Fatalf("file error %+v", fe)
			}
			if _, again := tbl.Next(); again != err {
				t.Fatalf("Next after %v: %v", err, again)
			}
			return
		case err != nil:
			t.Fatalf("Next: %T %v", err, err)
		}
		if row.Number <= last {
			t.Fatalf("row %d after row %d (header row %d)", row.Number, last, tbl.HeaderRow())
		}
		last = row.Number
		if len(row.Cells) != len(tbl.Header()) {
			t.Fatalf("row %d: %d cells, %d columns", row.Number, len(row.Cells), len(tbl.Header()))
		}
		for _, c := range row.Cells {
			if len(c) > lim.MaxCellBytes || !utf8.ValidString(c) {
				t.Fatalf("row %d: cell %q", row.Number, c)
			}
		}
	}
	t.Fatal("Next never ended")
}

func FuzzOpenTableCSV(f *testing.F) {
	csv := "行政相对人名称,统一社会信用代码,行政处罚决定书文号\n武汉某某商贸有限公司,91420100MA4K0000X1,\"鄂市监罚〔2026〕1号\"\n李四,,\"多行\n内容,\"\"引号\"\"\"\n"
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(csv)
	u16, _ := xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewEncoder().String(strings.ReplaceAll(csv, ",", "\t"))
	for _, s := range []string{
		csv,
		"\xEF\xBB\xBF" + csv,
		gbk,
		u16,
		strings.ReplaceAll(csv, ",", ";"),
		strings.ReplaceAll(csv, "\n", "\r"),
		"标题,,\n\n" + csv,
		"a,b\n1,2,3\n" + strings.Repeat("x,", 20) + "\n\"open,1\n",
		"a|b\n" + strings.Repeat("长", 40) + "|\xff\xfe\n1|2\r\r\n",
		"a,b\n\"x\"y,1\n",
		"",
		"\x00\x01",
		"a,b\n\xaa\xa1,\x81\x30\x81\x30\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(fuzzRead)
}

func FuzzOpenTableJSONL(f *testing.F) {
	for _, s := range []string{
		`{"a":"1","b":2.50}` + "\n" + `{"b":null,"c":[1,{"d":true}]}` + "\n[1]\n{\"a\":\n\n{}\n",
		"\xEF\xBB\xBF{\"行政相对人名称\":\"武汉\",\"x\":false}\r\n",
		`{"a":"` + strings.Repeat("x", 100) + `"}` + "\n" + `{"a":1}{"b":2}`,
		"{\"a\":\"\xff\"}\n  {\"a\": \"\\u0000\\ud800\"}\n",
		`{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13,"n":14,"o":15,"p":16,"q":17}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(fuzzRead)
}

func FuzzOpenTableXLSX(f *testing.F) {
	x := excelize.NewFile()
	x.SetCellValue("Sheet1", "A1", "2026年行政处罚信息")
	x.SetSheetRow("Sheet1", "A2", &[]string{"行政相对人名称", "行政处罚决定书文号", "处罚决定日期"})
	x.SetSheetRow("Sheet1", "A3", &[]any{"武汉某某商贸有限公司", "鄂市监罚〔2026〕1号", 46086})
	x.SetCellValue("Sheet1", "C5", strings.Repeat("长", 30))
	buf, err := x.WriteToBuffer()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()/2])
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(fuzzRead)
}

// FuzzReadGBDecoder checks that the GB18030 decoder gives the same text
// whatever pieces its input arrives in, and agrees with x/text except for
// the user-defined areas.
func FuzzReadGBDecoder(f *testing.F) {
	f.Add([]byte("\xd6\xd0\xce\xc4\xaa\xa1\xfe\xfe\xa1\x40\xa7\xa0\x81\x30\x81\x30\xff\x80\x81"))
	f.Fuzz(func(t *testing.T, data []byte) {
		whole, _, err := transform.Bytes(newGBDecoder(), data)
		if err != nil {
			t.Fatal(err)
		}
		pieces, err := io.ReadAll(transform.NewReader(iotest.OneByteReader(bytes.NewReader(data)), newGBDecoder()))
		if err != nil || !bytes.Equal(whole, pieces) {
			t.Fatalf("whole %q, byte by byte %q (%v)", whole, pieces, err)
		}
		if !utf8.Valid(whole) {
			t.Fatalf("%q", whole)
		}
		plain, _, _ := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), data)
		if !bytes.ContainsRune(plain, utf8.RuneError) && !bytes.Equal(plain, whole) {
			t.Fatalf("x/text %q, ours %q", plain, whole)
		}
	})
}

func TestReadGBUserDefined(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
	}{
		{"\xaa\xa1", "\uE000"},
		{"\xaf\xfe", "\uE233"},
		{"\xf8\xa1", "\uE234"},
		{"\xfe\xfe", "\uE4C5"},
		{"\xa1\x40", "\uE4C6"},
		{"\xa1\x80", "\uE4C6" + string(rune(0xE4C6+63))},
		{"\xa7\xa0", "\uE765"},
		{"\xd5\xc5\xaa\xa1\xc8\xfd", "张\uE000三"},
		{"\xd5\xc5\xff\xc8\xfd", "张\uFFFD三"},
	} {
		got, _, err := transform.String(newGBDecoder(), c.in)
		if c.in == "\xa1\x80" {
			got, _, err = transform.String(newGBDecoder(), "\xa1\x40\xa1\x80")
		}
		if err != nil || got != c.want {
			t.Errorf("%x decodes to %q (%v), want %q", c.in, got, err, c.want)
		}
	}
	// The mapping only fills what x/text leaves undecoded.
	plain := simplifiedchinese.GB18030.NewDecoder()
	for c0 := 0x81; c0 <= 0xFE; c0++ {
		for c1 := 0x40; c1 <= 0xFE; c1++ {
			if gbUserDefined(byte(c0), byte(c1)) < 0 {
				continue
			}
			if s, _ := plain.Bytes([]byte{byte(c0), byte(c1)}); string(s) != "\uFFFD" {
				t.Errorf("%X%X: x/text decodes it to %q", c0, c1, s)
			}
		}
	}
	// A GBK file naming someone with a rare character from the
	// user-defined area reads, the character kept.
	name := "\xd5\xc5\xaa\xa1" // 张 + AAA1
	header, _ := simplifiedchinese.GBK.NewEncoder().String("行政相对人名称,行政处罚决定书文号\n")
	data := []byte(header + name + ",1\n")
	tbl, err := OpenTable(bytes.NewReader(data), int64(len(data)), "", ReadLimits{}, func(s string) bool {
		return s == "行政相对人名称" || s == "行政处罚决定书文号"
	})
	if err != nil {
		t.Fatal(err)
	}
	row, err := tbl.Next()
	if err != nil || tbl.Encoding() != "gb18030" || row.Cells[0] != "张\uE000" {
		t.Errorf("%s: %q %v", tbl.Encoding(), row.Cells, err)
	}
}

func TestReadMostlyUTF8(t *testing.T) {
	good := strings.Repeat("武汉某某商贸有限公司,", 20)
	for _, c := range []struct {
		in   string
		want bool
	}{
		{good, true},
		{good + "\xff" + good, true},         // one damaged byte in 400 characters
		{"\xff" + "abc", false},              // nothing to outweigh it
		{"\xd6\xd0\xce\xc4,\xb2\xe2", false}, // GBK
	} {
		if got := mostlyUTF8([]byte(c.in), true); got != c.want {
			t.Errorf("mostlyUTF8(%q) = %v", c.in, got)
		}
	}
	// Cut in the middle of a character, the sample is still UTF-8.
	if !mostlyUTF8([]byte("武汉")[:4], false) || mostlyUTF8([]byte("武汉")[:4], true) {
		t.Error("partial last character")
	}
}
