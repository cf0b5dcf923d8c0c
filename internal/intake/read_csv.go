package intake

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// guardSlack is the size of the buffer between the guard and encoding/csv:
// how far the guard may be ahead of the record being parsed.
const guardSlack = 64 << 10

var delimiters = []rune{',', '\t', ';', '|'}

// openCSV opens a delimited text file whose encoding has been detected.
//
// The stream is: file → byte counter (progress) → decoder to UTF-8 →
// line guard → 64 KiB buffer → encoding/csv. The guard fails the read as
// soon as a physical line, a record or a record's delimiters go past the
// limits, so memory stays bounded whatever the file holds.
func openCSV(r io.ReaderAt, size int64, enc textEncoding, lim ReadLimits, known func(string) bool) (Table, error) {
	delim := detectDelimiter(enc.sample, known)
	rd, cnt := enc.text(r, size)
	g := &lineGuard{r: rd, delim: byte(delim), line: 1,
		maxLine:   int64(lim.MaxLineBytes),
		maxRecord: int64(lim.MaxLineBytes),
		maxDelims: max(lim.MaxColumns*64, 1<<16),
	}
	cr := csv.NewReader(bufio.NewReaderSize(g, guardSlack))
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true // rowTable copies the cells it returns
	src := &csvSource{cr: cr, guard: g, cnt: cnt, size: size, bom: enc.bom, lim: lim}
	t := &rowTable{format: "csv", encoding: enc.name, src: src, lim: lim, strict: true, delim: delim}
	if err := t.findHeader(known); err != nil {
		return nil, err
	}
	return t, nil
}

// detectDelimiter picks the delimiter under which the sample has a header
// row with the most known cells; failing that, the one that splits the
// rows into the most fields. Ties go to the earlier of , Tab ; |.
func detectDelimiter(sample string, known func(string) bool) rune {
	type score struct {
		found               bool
		known, fields, most int
	}
	better := func(a, b score) bool {
		switch {
		case a.found != b.found:
			return a.found
		case a.known != b.known:
			return a.known > b.known
		case a.fields != b.fields:
			return a.fields > b.fields
		}
		return a.most > b.most
	}
	best, bestScore := delimiters[0], score{}
	for i, d := range delimiters {
		cr := csv.NewReader(strings.NewReader(sample))
		cr.Comma = d
		cr.LazyQuotes = true
		cr.FieldsPerRecord = -1
		cr.ReuseRecord = true
		var sc score
		for seen := 0; seen < headerSearchRows; {
			rec, err := cr.Read()
			if err != nil {
				break
			}
			w := width(rec)
			sc.most = max(sc.most, len(rec))
			if w == 0 {
				continue
			}
			seen++
			k := 0
			for _, c := range rec[:w] {
				if len(c) <= maxLabelBytes {
					if c = trimCell(c); c != "" && known(c) {
						k++
					}
				}
			}
			if k >= 2 {
				sc.found, sc.known, sc.fields = true, k, w
				break
			}
		}
		if i == 0 || better(sc, bestScore) {
			best, bestScore = d, sc
		}
	}
	return best
}

type csvSource struct {
	cr      *csv.Reader
	guard   *lineGuard
	cnt     *countingReader
	size    int64
	bom     int64
	lim     ReadLimits
	lastEnd int // the line the last record ended on
	err     error
}

func (s *csvSource) next() (int, []string, error) {
	if s.err != nil {
		return 0, nil, s.err
	}
	s.guard.mark(s.cr.InputOffset())
	rec, err := s.cr.Read()
	if err != nil {
		s.err = s.fileError(err)
		return 0, nil, s.err
	}
	line, _ := s.cr.FieldPos(0)
	last := len(rec) - 1
	rec[last] = strings.TrimSuffix(rec[last], "\r")
	lastLine, _ := s.cr.FieldPos(last)
	s.lastEnd = lastLine + strings.Count(rec[last], "\n")
	return line, rec, nil
}

func (s *csvSource) progress() float64 {
	return float64(s.bom+s.cnt.n) / float64(s.size)
}

func (s *csvSource) close() error { return nil }

// fileError turns a read error into a *FileError (or io.EOF).
func (s *csvSource) fileError(err error) error {
	if err == io.EOF {
		return io.EOF
	}
	var ge *guardError
	var pe *csv.ParseError
	switch {
	case errors.As(err, &ge):
		limit := sizeText(s.guard.maxLine)
		switch ge.kind {
		case guardLine:
			return &FileError{Code: "line_too_long", Err: err,
				MessageZH: fmt.Sprintf("第%d行超过%s，超出了允许的长度：文件可能不是CSV文件，或某个单元格过长。", ge.line, limit),
				MessageEN: fmt.Sprintf("line %d is longer than %s, the most a line may hold: the file may not be a CSV file, or a cell is far too long.", ge.line, limit)}
		case guardDelims:
			return &FileError{Code: "line_too_long", Err: err,
				MessageZH: fmt.Sprintf("第%d行附近的一行数据含有超过%d个分隔符，远超允许的列数：文件可能不是CSV文件。", ge.line, s.guard.maxDelims),
				MessageEN: fmt.Sprintf("the row around line %d holds more than %d delimiters, far more columns than allowed: the file may not be a CSV file.", ge.line, s.guard.maxDelims)}
		default:
			start := s.lastEnd + 1
			return &FileError{Code: "csv_syntax", Err: err,
				MessageZH: fmt.Sprintf("从第%d行开始的一条记录到第%d行仍未结束，超过%s：很可能该记录中的某个英文双引号没有配对。请检查第%d行起的引号，单元格内的双引号要写成两个（\"\"）。", start, ge.line, limit, start),
				MessageEN: fmt.Sprintf("the record that starts on line %d has not ended by line %d and is longer than %s: most likely a double quote in it is never closed. Check the quotes from line %d on; a double quote inside a quoted cell must be doubled (\"\").", start, ge.line, limit, start)}
		}
	case errors.As(err, &pe):
		if errors.Is(pe.Err, csv.ErrBareQuote) {
			return &FileError{Code: "csv_syntax", Err: err,
				MessageZH: fmt.Sprintf("第%d行：未用引号括起的单元格中出现了英文双引号。请将该单元格整个用英文双引号括起来，并把其中的双引号写成两个（\"\"）。", pe.Line),
				MessageEN: fmt.Sprintf("line %d: a double quote appears in a cell that is not enclosed in double quotes. Enclose the whole cell in double quotes and double the quotes inside it (\"\").", pe.Line)}
		}
		if pe.StartLine == pe.Line {
			return &FileError{Code: "csv_syntax", Err: err,
				MessageZH: fmt.Sprintf("第%d行：英文双引号不成对。带引号的单元格必须以引号结束，单元格内的双引号要写成两个（\"\"）。", pe.Line),
				MessageEN: fmt.Sprintf("line %d: unbalanced double quote. A quoted cell must end with a quote, and a double quote inside it must be doubled (\"\").", pe.Line)}
		}
		return &FileError{Code: "csv_syntax", Err: err,
			MessageZH: fmt.Sprintf("从第%d行开始的带引号单元格没有正确结束（到第%d行仍未找到配对的引号）。请检查第%d行的英文双引号是否成对，单元格内的双引号要写成两个（\"\"）。", pe.StartLine, pe.Line, pe.StartLine),
			MessageEN: fmt.Sprintf("the quoted cell that starts on line %d is not closed properly (no matching quote by line %d). Check that the double quotes on line %d are balanced; a double quote inside a quoted cell must be doubled (\"\").", pe.StartLine, pe.Line, pe.StartLine)}
	}
	return errIO(err)
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// crToLF turns the bare '\r' line ends of classic Mac files into '\n'.
type crToLF struct{ r io.Reader }

func (c crToLF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}

type guardKind int

const (
	guardLine guardKind = iota
	guardRecord
	guardDelims
)

type guardError struct {
	kind guardKind
	line int
}

func (e *guardError) Error() string {
	return [...]string{"line too long", "record too long", "too many delimiters"}[e.kind] + fmt.Sprintf(" at line %d", e.line)
}

// lineGuard passes text through and fails, for good, once a physical line
// is longer than maxLine, or the record being parsed (which starts at the
// offset last marked) is longer than maxRecord or holds more than
// maxDelims delimiters. The record checks allow for the guardSlack bytes
// the buffer after the guard may hold.
type lineGuard struct {
	r          io.Reader
	delim      byte
	maxLine    int64
	maxRecord  int64
	maxDelims  int
	line       int   // the physical line being read, 1-based
	lineLen    int64 // bytes of it so far
	n          int64 // bytes passed through
	delims     int   // delimiters passed through
	markN      int64
	markDelims int
	err        error
}

// mark notes that a record starts at stream offset off.
func (g *lineGuard) mark(off int64) {
	g.markN, g.markDelims = off, g.delims
}

func (g *lineGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	for b := p[:n]; len(b) > 0; {
		i := bytes.IndexByte(b, '\n')
		seg := b
		if i >= 0 {
			seg = b[:i]
		}
		g.lineLen += int64(len(seg))
		g.delims += bytes.Count(seg, []byte{g.delim})
		if g.lineLen > g.maxLine {
			g.err = &guardError{guardLine, g.line}
			return 0, g.err
		}
		if i < 0 {
			break
		}
		g.line++
		g.lineLen = 0
		b = b[i+1:]
	}
	g.n += int64(n)
	switch {
	case g.n-g.markN > g.maxRecord+guardSlack:
		g.err = &guardError{guardRecord, g.line}
	case g.delims-g.markDelims > g.maxDelims+guardSlack:
		g.err = &guardError{guardDelims, g.line}
	}
	if g.err != nil {
		return 0, g.err
	}
	return n, err
}
