package intake

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// A workbook is read here directly from its XML parts, streaming the
// worksheet: excelize's row iterator parses each row several times over
// and was most of the time spent on a large sheet. Only what reading
// needs is understood: the sheet list, the shared strings, and cells'
// values as stored (numbers, dates as serial numbers, strings).

// workbook is the zip of an XLSX file and where its parts are.
type workbook struct {
	zr     *zip.Reader
	sheets []sheetRef // in workbook order
	shared string     // path of the shared strings part, "" if none
}

type sheetRef struct{ name, path string }

// openWorkbook reads the workbook's sheet list and relationships.
func openWorkbook(zr *zip.Reader) (*workbook, error) {
	wb := &workbook{zr: zr}
	rels := map[string]string{} // relationship id -> part path
	if err := wb.walk("xl/_rels/workbook.xml.rels", func(d *xml.Decoder, se xml.StartElement) error {
		if se.Name.Local == "Relationship" {
			target := attr(se, "Target")
			if !strings.HasPrefix(target, "/") {
				target = "xl/" + target
			}
			target = strings.TrimPrefix(path.Clean(target), "/")
			rels[attr(se, "Id")] = target
			if strings.HasSuffix(attr(se, "Type"), "/sharedStrings") {
				wb.shared = target
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := wb.walk("xl/workbook.xml", func(d *xml.Decoder, se xml.StartElement) error {
		if se.Name.Local == "sheet" {
			id := ""
			for _, a := range se.Attr {
				if a.Name.Local == "id" { // r:id
					id = a.Value
				}
			}
			if p, ok := rels[id]; ok {
				wb.sheets = append(wb.sheets, sheetRef{name: attr(se, "name"), path: p})
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return wb, nil
}

func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

func (wb *workbook) part(name string) *zip.File {
	for _, f := range wb.zr.File {
		if strings.EqualFold(f.Name, name) {
			return f
		}
	}
	return nil
}

// walk calls fn with every start element of a part.
func (wb *workbook) walk(name string, fn func(*xml.Decoder, xml.StartElement) error) error {
	f := wb.part(name)
	if f == nil {
		return fmt.Errorf("part %s missing", name)
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if se, ok := tok.(xml.StartElement); ok {
			if err := fn(d, se); err != nil {
				return err
			}
		}
	}
}

// text reads the character data up to the end of the element just started.
func text(d *xml.Decoder) (string, error) {
	var b strings.Builder
	depth := 1
	for depth > 0 {
		tok, err := d.RawToken()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return b.String(), nil
}

// sharedStrings reads the shared string table; a string is the text of
// all its runs. limit bounds the table's total size.
func (wb *workbook) sharedStrings(limit int64) ([]string, error) {
	if wb.shared == "" || wb.part(wb.shared) == nil {
		return nil, nil
	}
	var out []string
	var total int64
	err := wb.walk(wb.shared, func(d *xml.Decoder, se xml.StartElement) error {
		if se.Name.Local != "si" {
			return nil
		}
		var b strings.Builder
		depth := 1
		for depth > 0 {
			tok, err := d.RawToken()
			if err != nil {
				return err
			}
			switch t := tok.(type) {
			case xml.StartElement:
				depth++
				if t.Name.Local == "t" {
					s, err := text(d)
					if err != nil {
						return err
					}
					depth--
					b.WriteString(s)
				} else if t.Name.Local == "rPh" { // phonetic hints are not part of the text
					if _, err := text(d); err != nil {
						return err
					}
					depth--
				}
			case xml.EndElement:
				depth--
			}
		}
		total += int64(b.Len())
		if total > limit {
			return errXLSXTooLarge(limit)
		}
		out = append(out, b.String())
		return nil
	})
	return out, err
}

// sheetSource streams the rows of one worksheet.
type sheetSource struct {
	rc     io.ReadCloser
	d      *xml.Decoder
	shared []string
	total  int // last row of the declared dimension
	n      int // the row last returned
	err    error
}

func (wb *workbook) openSheet(ref sheetRef, shared []string) (*sheetSource, error) {
	f := wb.part(ref.path)
	if f == nil {
		return nil, fmt.Errorf("sheet part %s missing", ref.path)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	return &sheetSource{rc: rc, d: xml.NewDecoder(rc), shared: shared}, nil
}

// columnIndex turns a cell reference's letters (the "C" of "C5") into a
// 0-based column.
func columnIndex(ref string) int {
	n := 0
	for i := 0; i < len(ref); i++ {
		c := ref[i]
		if c < 'A' || c > 'Z' {
			break
		}
		n = n*26 + int(c-'A'+1)
		if n > 1<<20 {
			return -1
		}
	}
	return n - 1
}

func (s *sheetSource) next() (int, []string, error) {
	if s.err != nil {
		return 0, nil, s.err
	}
	n, cells, err := s.row()
	if err != nil {
		if !errors.Is(err, io.EOF) {
			var fe *FileError
			if !errors.As(err, &fe) {
				err = errXLSXCorrupt(err)
			}
		}
		s.err = err
		return 0, nil, err
	}
	return n, cells, nil
}

func (s *sheetSource) row() (int, []string, error) {
	for {
		tok, err := s.d.RawToken()
		if err != nil {
			return 0, nil, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "dimension":
			ref := attr(se, "ref")
			if i := strings.LastIndexByte(ref, ':'); i >= 0 {
				ref = ref[i+1:]
			}
			s.total, _ = strconv.Atoi(strings.TrimLeft(ref, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
		case "row":
			n, err := strconv.Atoi(attr(se, "r"))
			if err != nil || n <= s.n {
				n = s.n + 1 // rows without numbers follow one another
			}
			s.n = n
			cells, err := s.cells()
			return n, cells, err
		}
	}
}

// cells reads the cells of the row element just started.
func (s *sheetSource) cells() ([]string, error) {
	var cells []string
	next := 0
	for {
		tok, err := s.d.RawToken()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if t.Name.Local == "row" {
				return cells, nil
			}
		case xml.StartElement:
			if t.Name.Local != "c" {
				continue
			}
			col := next
			if ref := attr(t, "r"); ref != "" {
				col = columnIndex(ref)
			}
			if col < 0 || col > 1<<16 {
				return nil, fmt.Errorf("cell reference %q out of range", attr(t, "r"))
			}
			v, err := s.value(attr(t, "t"))
			if err != nil {
				return nil, err
			}
			for len(cells) <= col {
				cells = append(cells, "")
			}
			cells[col] = v
			next = col + 1
		}
	}
}

// value reads the value of the cell element just started, by its type.
func (s *sheetSource) value(typ string) (string, error) {
	var v string
	depth := 1
	for depth > 0 {
		tok, err := s.d.RawToken()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch t.Name.Local {
			case "v":
				if v, err = text(s.d); err != nil {
					return "", err
				}
				depth--
			case "t": // inline string text, possibly in runs
				part, err := text(s.d)
				if err != nil {
					return "", err
				}
				depth--
				v += part
			case "f": // a formula: its cached value follows in <v>
				if _, err := text(s.d); err != nil {
					return "", err
				}
				depth--
			}
		case xml.EndElement:
			depth--
		}
	}
	if typ == "s" {
		i, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || i < 0 || i >= len(s.shared) {
			return "", fmt.Errorf("shared string %q out of range", v)
		}
		return s.shared[i], nil
	}
	return v, nil
}

func (s *sheetSource) progress() float64 {
	if s.total <= 1 {
		return 0
	}
	return min(float64(s.n)/float64(s.total), 0.99)
}

func (s *sheetSource) close() error { return s.rc.Close() }
