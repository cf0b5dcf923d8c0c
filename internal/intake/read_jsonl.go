package intake

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"
)

// jsonlTable reads JSON Lines: one object per line, its keys the columns.
type jsonlTable struct {
	encoding string
	br       *bufio.Reader
	cnt      *countingReader
	size     int64
	bom      int64
	lim      ReadLimits
	header   []string
	index    map[string]int
	line     int    // the last physical line read
	lines    int    // non-blank lines read
	buf      []byte // the line being read
	pending  []jsonlItem
	err      error // *FileError or io.EOF, for good
}

type jsonlItem struct {
	row Row
	err error
}

func openJSONL(r io.ReaderAt, size int64, enc textEncoding, lim ReadLimits) (Table, error) {
	rd, cnt := enc.text(r, size)
	t := &jsonlTable{encoding: enc.name, br: bufio.NewReaderSize(rd, 64<<10), cnt: cnt,
		size: size, bom: enc.bom, lim: lim, index: map[string]int{}}
	// Read ahead to the first object, so that Header() has the first keys
	// as soon as the table is open.
	for len(t.pending) < headerSearchRows {
		row, err := t.read()
		if err == io.EOF && len(t.pending) == 0 {
			return nil, errEmpty()
		}
		if fe, ok := err.(*FileError); ok && len(t.pending) == 0 {
			return nil, fe
		}
		if err == io.EOF {
			break
		}
		t.pending = append(t.pending, jsonlItem{row, err})
		if err == nil || t.err != nil {
			break
		}
	}
	return t, nil
}

func (t *jsonlTable) Format() string   { return "jsonl" }
func (t *jsonlTable) Encoding() string { return t.encoding }
func (t *jsonlTable) Header() []string { return t.header }
func (t *jsonlTable) HeaderRow() int   { return 0 }
func (t *jsonlTable) Close() error     { return nil }

func (t *jsonlTable) Progress() float64 {
	if t.err == io.EOF && len(t.pending) == 0 {
		return 1
	}
	return min(max(float64(t.bom+t.cnt.n)/float64(t.size), 0), 1)
}

func (t *jsonlTable) Next() (Row, error) {
	if len(t.pending) > 0 {
		it := t.pending[0]
		t.pending = t.pending[1:]
		return it.row, it.err
	}
	return t.read()
}

// read reads the next row or row error.
func (t *jsonlTable) read() (Row, error) {
	for t.err == nil {
		line, err := t.readLine()
		if err != nil {
			t.err = err
			break
		}
		if line = bytes.TrimSpace(line); len(line) == 0 {
			continue
		}
		if t.lines++; t.lines == 1 && len(line) == 1 {
			// "{" alone: a JSON document written over many lines.
			t.err = &FileError{Code: "format",
				MessageZH: "文件是分多行排版的JSON文档，而不是JSON Lines：请每行写一条完整的JSON对象记录。",
				MessageEN: "the file is a JSON document laid out over many lines, not JSON Lines: write one complete JSON object per line."}
			break
		}
		row, err := t.parse(t.line, line)
		if err == nil && row.Cells == nil {
			continue // an object with nothing in it
		}
		return row, err
	}
	return Row{}, t.err
}

// readLine reads one physical line, refusing to hold more than
// MaxLineBytes of it.
func (t *jsonlTable) readLine() ([]byte, error) {
	t.buf = t.buf[:0]
	for {
		frag, err := t.br.ReadSlice('\n')
		if len(t.buf)+len(frag) > t.lim.MaxLineBytes+2 { // +2: the line end
			limit := sizeText(int64(t.lim.MaxLineBytes))
			return nil, &FileError{Code: "line_too_long",
				MessageZH: fmt.Sprintf("第%d行超过%s，超出了允许的长度：每行应是一条JSON记录。", t.line+1, limit),
				MessageEN: fmt.Sprintf("line %d is longer than %s, the most a line may hold: each line should be one JSON record.", t.line+1, limit)}
		}
		t.buf = append(t.buf, frag...)
		switch err {
		case nil:
			t.line++
			return t.buf, nil
		case bufio.ErrBufferFull:
			continue
		case io.EOF:
			if len(t.buf) == 0 {
				return nil, io.EOF
			}
			t.line++
			return t.buf, nil
		default:
			return nil, errIO(err)
		}
	}
}

func errBadJSON(n int, err error) *RowError {
	return &RowError{Row: n, Code: "bad_json",
		MessageZH: fmt.Sprintf("第%d行不是有效的JSON（%v）。每行应是一条完整的JSON对象记录。", n, err),
		MessageEN: fmt.Sprintf("line %d is not valid JSON (%v). Each line should be one complete JSON object.", n, err)}
}

// parse turns one line into a row aligned with the header, adding the keys
// it introduces. A row with no values has nil Cells.
func (t *jsonlTable) parse(n int, line []byte) (Row, error) {
	if t.encoding == "utf-8" || t.encoding == "utf-8-bom" {
		if !utf8.Valid(line) {
			return Row{Number: n}, errRowEncoding(n, t.encoding)
		}
	} else if bytes.ContainsRune(line, utf8.RuneError) {
		return Row{Number: n}, errRowEncoding(n, t.encoding)
	}
	if line[0] != '{' {
		if !json.Valid(line) {
			return Row{Number: n}, errBadJSON(n, fmt.Errorf("syntax error"))
		}
		return Row{Number: n}, &RowError{Row: n, Code: "not_an_object",
			MessageZH: fmt.Sprintf("第%d行不是JSON对象：每行应是一条以{开头、以}结尾的记录。", n),
			MessageEN: fmt.Sprintf("line %d is not a JSON object: each line should be one record that starts with { and ends with }.", n)}
	}

	type pair struct{ key, value string }
	var pairs []pair
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // '{'
		return Row{Number: n}, errBadJSON(n, err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return Row{Number: n}, errBadJSON(n, err)
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return Row{Number: n}, errBadJSON(n, err)
		}
		pairs = append(pairs, pair{trimCell(key), jsonCell(raw)})
	}
	if _, err := dec.Token(); err != nil { // '}'
		return Row{Number: n}, errBadJSON(n, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = fmt.Errorf("more than one value on the line")
		}
		return Row{Number: n}, errBadJSON(n, err)
	}

	if len(pairs) > t.lim.MaxColumns {
		return Row{Number: n}, &RowError{Row: n, Code: "too_many_columns",
			MessageZH: fmt.Sprintf("第%d行有%d个键，超过上限%d个。", n, len(pairs), t.lim.MaxColumns),
			MessageEN: fmt.Sprintf("line %d has %d keys, more than the limit of %d.", n, len(pairs), t.lim.MaxColumns)}
	}
	added, blank := 0, true
	for _, p := range pairs {
		for _, s := range [2]string{p.key, p.value} {
			if len(s) > t.lim.MaxCellBytes {
				return Row{Number: n}, &RowError{Row: n, Code: "cell_too_long",
					MessageZH: fmt.Sprintf("第%d行“%s”的内容有%s，超过上限%s。", n, truncate(p.key, 64), sizeText(int64(len(s))), sizeText(int64(t.lim.MaxCellBytes))),
					MessageEN: fmt.Sprintf("line %d, key %q: the value is %s long, more than the limit of %s.", n, truncate(p.key, 64), sizeText(int64(len(s))), sizeText(int64(t.lim.MaxCellBytes)))}
			}
		}
		if _, ok := t.index[p.key]; !ok {
			added++
		}
		if !isBlank(p.value) {
			blank = false
		}
	}
	if blank {
		return Row{Number: n}, nil
	}
	if len(t.header)+added > t.lim.MaxColumns {
		return Row{Number: n}, &RowError{Row: n, Code: "too_many_columns",
			MessageZH: fmt.Sprintf("第%d行引入了新的键，使文件中不同的键超过上限%d个。", n, t.lim.MaxColumns),
			MessageEN: fmt.Sprintf("line %d brings new keys that take the file past the limit of %d different keys.", n, t.lim.MaxColumns)}
	}
	for _, p := range pairs {
		if _, ok := t.index[p.key]; !ok {
			t.index[p.key] = len(t.header)
			t.header = append(t.header, p.key)
		}
	}
	cells := make([]string, len(t.header))
	for _, p := range pairs {
		cells[t.index[p.key]] = p.value
	}
	return Row{Number: n, Cells: cells}, nil
}

// jsonCell is a JSON value as a cell: a string as is, a number as written,
// true/false as such, null as "", arrays and objects as compact JSON.
func jsonCell(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		json.Unmarshal(raw, &s)
		return s
	case 'n':
		return ""
	case '{', '[':
		var b bytes.Buffer
		if json.Compact(&b, raw) == nil {
			return b.String()
		}
	}
	return string(raw)
}

// truncate shortens s to at most n bytes, on a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
