package intake

// Readers for the files providers upload: CSV (any delimiter, UTF-8,
// GBK/GB18030 or UTF-16), XLSX and JSON Lines. Each streams its rows through
// the same Table interface; the caller maps the header to catalogue fields.

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Limits bound what a reader accepts; zero fields take the defaults.
type ReadLimits struct {
	MaxCellBytes  int   // default 64 KiB: a longer cell is an error for that row (RowError), not the file
	MaxColumns    int   // default 512: a wider row is an error for that row
	MaxLineBytes  int   // default 16 MiB: CSV/JSONL physical line guard, protects memory; exceeding it is a file error
	MaxUnzipBytes int64 // default 1 GiB: XLSX total uncompressed size guard (zip bomb)
}

const (
	defaultMaxCellBytes  = 64 << 10
	defaultMaxColumns    = 512
	defaultMaxLineBytes  = 16 << 20
	defaultMaxUnzipBytes = 1 << 30

	// headerSearchRows is how many non-empty rows may precede and include
	// the header row.
	headerSearchRows = 10
	// sampleBytes is how much of a text file encoding detection looks at.
	sampleBytes = 64 << 10
	// maxLabelBytes is the longest header cell taken for a column name.
	maxLabelBytes = 1 << 10
	// asciiScanBytes is how far past the sample detection looks for the
	// first non-ASCII byte when the sample is plain ASCII.
	asciiScanBytes = 16 << 20
)

func (l ReadLimits) withDefaults() ReadLimits {
	if l.MaxCellBytes <= 0 {
		l.MaxCellBytes = defaultMaxCellBytes
	}
	if l.MaxColumns <= 0 {
		l.MaxColumns = defaultMaxColumns
	}
	if l.MaxLineBytes <= 0 {
		l.MaxLineBytes = defaultMaxLineBytes
	}
	if l.MaxUnzipBytes <= 0 {
		l.MaxUnzipBytes = defaultMaxUnzipBytes
	}
	return l
}

// Table is a file being read: a header row and data rows.
type Table interface {
	Format() string   // "csv", "xlsx", "jsonl"
	Encoding() string // "utf-8", "utf-8-bom", "utf-16le", "utf-16be", "gb18030" (GBK files decode as GB18030, its superset); "" for xlsx
	Header() []string // column names as written (trimmed); for JSONL the keys seen so far, in first-seen order (it may grow)
	HeaderRow() int   // 1-based row/line number of the header (title rows above it are skipped); 0 for JSONL
	// Next returns the next data row. Row numbers are 1-based file rows
	// (CSV/JSONL: the physical line the record starts on; XLSX: the sheet
	// row). Cells align with Header() (JSONL: values by key, missing keys
	// ""). Entirely empty rows are skipped.
	//
	// A problem confined to one row returns a *RowError with that row's
	// number; reading can continue after it. A problem with the file itself
	// returns a *FileError; reading cannot continue (Next keeps returning
	// it). io.EOF at the end.
	Next() (Row, error)
	// Progress returns how far reading has got, 0..1.
	Progress() float64
	Close() error
}

// Row is one data row.
type Row struct {
	Number int
	Cells  []string
}

// RowError is a problem confined to one row; reading can continue.
// Code is one of "too_many_columns", "cell_too_long", "not_an_object",
// "bad_json", "encoding".
type RowError struct {
	Row                        int
	Code, MessageZH, MessageEN string
}

func (e *RowError) Error() string { return e.MessageEN }

// FileError is a problem with the file itself; reading cannot continue.
// Code is one of "format", "encoding", "csv_syntax", "line_too_long",
// "xlsx_corrupt", "xlsx_too_large", "no_header", "empty", "io".
type FileError struct {
	Code, MessageZH, MessageEN string
	Err                        error
}

func (e *FileError) Error() string {
	if e.Err != nil {
		return e.MessageEN + " (" + e.Err.Error() + ")"
	}
	return e.MessageEN
}

func (e *FileError) Unwrap() error { return e.Err }

func errEmpty() *FileError {
	return &FileError{Code: "empty",
		MessageZH: "文件是空的：没有任何内容行。请检查是否上传了正确的文件。",
		MessageEN: "the file is empty: it has no rows. Check that the right file was uploaded."}
}

func errIO(err error) *FileError {
	return &FileError{Code: "io", Err: err,
		MessageZH: "读取文件失败，请重新上传。",
		MessageEN: "reading the file failed; upload it again."}
}

func errNoHeader() *FileError {
	return &FileError{Code: "no_header",
		MessageZH: fmt.Sprintf("前%d个非空行中没有找到表头行：表头行应至少有两个列名与目录中的字段名称或代码相符。", headerSearchRows),
		MessageEN: fmt.Sprintf("no header row with known column names was found in the first %d non-empty rows: a header row needs at least two column names that match catalogue field names or codes.", headerSearchRows)}
}

// sizeText writes a byte count for people.
func sizeText(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%.4g MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.4g KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// OpenTable opens a CSV, XLSX or JSON Lines file, detecting the format from
// the content (never from a file name): "PK\x03\x04" is XLSX; a text file
// whose first non-blank character (after any byte-order mark) is '{' is
// JSON Lines; any other text is CSV.
//
// known reports whether a header cell names a catalogue field. For CSV and
// XLSX the header row is the first of the first 10 non-empty rows in which
// at least 2 cells are known; rows above it (titles) are skipped. A nil
// known accepts any non-empty cell. For XLSX, sheet names the sheet to read
// ("" = the first).
func OpenTable(r io.ReaderAt, size int64, sheet string, lim ReadLimits, known func(string) bool) (Table, error) {
	lim = lim.withDefaults()
	if known == nil {
		known = func(s string) bool { return s != "" }
	}
	if size <= 0 {
		return nil, errEmpty()
	}
	head := make([]byte, min(size, 8))
	if _, err := readFullAt(r, head, 0); err != nil {
		return nil, errIO(err)
	}
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return openXLSX(r, size, sheet, lim, known)
	case bytes.Equal(head, oleMagic):
		return nil, &FileError{Code: "format",
			MessageZH: "这是旧版Excel 97-2003（.xls）工作簿或设置了密码的工作簿，无法读取。请在Excel中另存为.xlsx（不设密码）或CSV后重新上传。",
			MessageEN: "this is an old Excel 97-2003 (.xls) workbook or a password-protected workbook, which cannot be read. Save it in Excel as .xlsx (without a password) or as CSV and upload it again."}
	}
	enc, err := detectText(r, size)
	if err != nil {
		return nil, err
	}
	if first := strings.TrimLeftFunc(enc.sample, unicode.IsSpace); first == "" {
		if enc.whole {
			return nil, errEmpty()
		}
	} else if first[0] == '{' {
		return openJSONL(r, size, enc, lim)
	}
	return openCSV(r, size, enc, lim, known)
}

// readFullAt reads len(p) bytes at off; io.EOF only if it could not.
func readFullAt(r io.ReaderAt, p []byte, off int64) (int, error) {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return n, nil
	}
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// textEncoding is what detection found out about a text file.
type textEncoding struct {
	name    string
	bom     int64                        // bytes of byte-order mark to skip
	decoder func() transform.Transformer // nil for UTF-8
	sample  string                       // the start of the file decoded to UTF-8, without the BOM
	whole   bool                         // the sample is the whole file
	crOnly  bool                         // lines end in a bare '\r' (classic Mac)
}

// detectText works out a text file's encoding from its first 64 KiB.
func detectText(r io.ReaderAt, size int64) (textEncoding, error) {
	raw := make([]byte, min(size, sampleBytes))
	if _, err := readFullAt(r, raw, 0); err != nil {
		return textEncoding{}, errIO(err)
	}
	enc := textEncoding{whole: int64(len(raw)) == size}
	switch {
	case bytes.HasPrefix(raw, []byte{0xEF, 0xBB, 0xBF}):
		enc.name, enc.bom = "utf-8-bom", 3
		if !mostlyUTF8(raw[3:], enc.whole) {
			return enc, &FileError{Code: "encoding",
				MessageZH: "文件以UTF-8字节顺序标记开头，但内容不是有效的UTF-8。请用文本编辑器或Excel将文件另存为“CSV UTF-8”后重新上传。",
				MessageEN: "the file starts with a UTF-8 byte-order mark but its content is not valid UTF-8. Save it as \"CSV UTF-8\" in a text editor or Excel and upload it again."}
		}
	case bytes.HasPrefix(raw, []byte{0xFF, 0xFE}):
		enc.name, enc.bom = "utf-16le", 2
		enc.decoder = func() transform.Transformer {
			return xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM).NewDecoder()
		}
	case bytes.HasPrefix(raw, []byte{0xFE, 0xFF}):
		enc.name, enc.bom = "utf-16be", 2
		enc.decoder = func() transform.Transformer {
			return xunicode.UTF16(xunicode.BigEndian, xunicode.IgnoreBOM).NewDecoder()
		}
	case bytes.IndexByte(raw, 0) >= 0:
		return enc, &FileError{Code: "encoding",
			MessageZH: "文件中含有空字节（NUL），不是文本（CSV）文件，或是没有字节顺序标记的UTF-16文件。请另存为“CSV UTF-8”或.xlsx后重新上传。",
			MessageEN: "the file contains NUL bytes: it is not a text (CSV) file, or it is UTF-16 without a byte-order mark. Save it as \"CSV UTF-8\" or .xlsx and upload it again."}
	default:
		probe, probeEOF := raw, enc.whole
		if !enc.whole && isASCII(raw) {
			// A plain-ASCII start says nothing: look at the first
			// non-ASCII bytes further on.
			p, err := firstNonASCII(r, size, int64(len(raw)))
			if err != nil {
				return enc, errIO(err)
			}
			if p >= 0 {
				probe = make([]byte, min(size-p, sampleBytes))
				if _, err := readFullAt(r, probe, p); err != nil {
					return enc, errIO(err)
				}
				probeEOF = p+int64(len(probe)) == size
			}
		}
		switch {
		case mostlyUTF8(probe, probeEOF):
			enc.name = "utf-8"
		case gbLike(probe, probeEOF):
			enc.name, enc.decoder = "gb18030", newGBDecoder
		default:
			return enc, &FileError{Code: "encoding",
				MessageZH: "无法识别文件的字符编码：既不是UTF-8，也不是GBK/GB18030。请将文件另存为“CSV UTF-8”后重新上传。",
				MessageEN: "the file's character encoding is not recognised: it is neither UTF-8 nor GBK/GB18030. Save it as \"CSV UTF-8\" and upload it again."}
		}
	}
	body := raw[enc.bom:]
	if enc.decoder == nil {
		enc.sample = string(body)
	} else {
		s, clean := decodePrefix(enc.decoder(), body, enc.whole)
		if !clean && enc.bom > 0 {
			return enc, &FileError{Code: "encoding",
				MessageZH: "文件以UTF-16字节顺序标记开头，但内容不是有效的UTF-16。请将文件另存为“CSV UTF-8”后重新上传。",
				MessageEN: "the file starts with a UTF-16 byte-order mark but its content is not valid UTF-16. Save it as \"CSV UTF-8\" and upload it again."}
		}
		enc.sample = s
	}
	enc.crOnly = strings.IndexByte(enc.sample, '\r') >= 0 && strings.IndexByte(enc.sample, '\n') < 0
	if enc.crOnly {
		enc.sample = strings.ReplaceAll(enc.sample, "\r", "\n")
	}
	return enc, nil
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// firstNonASCII returns the offset of the first byte ≥ 0x80 at or after
// from, looking no further than asciiScanBytes; -1 if there is none.
func firstNonASCII(r io.ReaderAt, size, from int64) (int64, error) {
	buf := make([]byte, sampleBytes)
	for off := from; off < size && off < from+asciiScanBytes; {
		n, err := r.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
		for i, c := range buf[:n] {
			if c >= utf8.RuneSelf {
				return off + int64(i), nil
			}
		}
		if err != nil && err != io.EOF {
			return -1, err
		}
		if n == 0 {
			break
		}
		off += int64(n)
	}
	return -1, nil
}

// trimPartialRune drops an incomplete UTF-8 character from the end of b.
func trimPartialRune(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			break
		}
	}
	return b
}

// mostlyUTF8 reports whether b, the start of a file (all of it when
// atEOF), is UTF-8: valid, or with at most one bad byte for every 50 valid
// multi-byte characters (a file with a few damaged characters is still
// UTF-8; its damaged rows are reported as they are read). GBK text is
// almost never valid UTF-8: its lead bytes are UTF-8 continuation bytes.
func mostlyUTF8(b []byte, atEOF bool) bool {
	if !atEOF {
		b = trimPartialRune(b)
	}
	if utf8.Valid(b) {
		return true
	}
	multi, bad := 0, 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			bad++
		} else {
			multi++
		}
		i += n
	}
	return multi >= 50*bad
}

// gbLike reports whether b, the start of a file, decodes as GB18030 with at
// most one character in 200 (plus one) left undecoded: a rare code point
// outside the mapping makes the row holding it an error, not the file.
func gbLike(b []byte, atEOF bool) bool {
	s, _ := decodePrefix(newGBDecoder(), b, atEOF)
	chars, bad := 0, 0
	for _, r := range s {
		if r >= utf8.RuneSelf {
			chars++
		}
		if r == utf8.RuneError {
			bad++
		}
	}
	return bad <= 1+chars/200
}

// decodePrefix decodes src, which is the start of a file (all of it when
// atEOF), and reports whether it decoded without replacement characters.
func decodePrefix(t transform.Transformer, src []byte, atEOF bool) (string, bool) {
	dst := make([]byte, 3*len(src)+16)
	n, _, err := t.Transform(dst, src, atEOF)
	out := dst[:n]
	return string(out), (err == nil || err == transform.ErrShortSrc) && !bytes.ContainsRune(out, utf8.RuneError)
}

// badEncoding reports whether a cell read with encoding enc holds bytes
// that did not decode.
func badEncoding(enc, s string) bool {
	switch enc {
	case "":
		return false
	case "utf-8", "utf-8-bom":
		return !utf8.ValidString(s)
	}
	return strings.ContainsRune(s, utf8.RuneError)
}

func errRowEncoding(row int, enc string) *RowError {
	name := strings.ToUpper(strings.TrimSuffix(enc, "-bom"))
	return &RowError{Row: row, Code: "encoding",
		MessageZH: fmt.Sprintf("第%d行含有无法按%s解码的字符：文件可能混用了多种编码。请将整个文件另存为“CSV UTF-8”后重新上传。", row, name),
		MessageEN: fmt.Sprintf("row %d contains bytes that are not valid %s: the file may mix encodings. Save the whole file as \"CSV UTF-8\" and upload it again.", row, name)}
}

// trimCell trims a header cell: spaces (including full-width ones) and
// stray byte-order marks.
func trimCell(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' })
}

func isBlank(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// width is the number of cells up to the last non-blank one.
func width(cells []string) int {
	for i := len(cells) - 1; i >= 0; i-- {
		if !isBlank(cells[i]) {
			return i + 1
		}
	}
	return 0
}

// rowSource yields the raw rows of a CSV file or a worksheet. The cells are
// only valid until the next call.
type rowSource interface {
	next() (number int, cells []string, err error) // err: *FileError or io.EOF
	progress() float64
	close() error
}

// rowTable is a Table over a rowSource: the header found, limits checked,
// cells aligned with the header.
type rowTable struct {
	format, encoding string
	src              rowSource
	lim              ReadLimits
	header           []string
	headerRow        int
	// strict: a value beyond the last header column is a row error (in a
	// CSV file it means a cell holding an unquoted delimiter); otherwise
	// such values, which no column names, are dropped.
	strict bool
	delim  rune
	err    error
}

func (t *rowTable) Format() string   { return t.format }
func (t *rowTable) Encoding() string { return t.encoding }
func (t *rowTable) Header() []string { return t.header }
func (t *rowTable) HeaderRow() int   { return t.headerRow }
func (t *rowTable) Close() error     { return t.src.close() }

func (t *rowTable) Progress() float64 {
	if t.err == io.EOF {
		return 1
	}
	return min(max(t.src.progress(), 0), 1)
}

// findHeader reads up to the header row.
func (t *rowTable) findHeader(known func(string) bool) error {
	seen := 0
	for seen < headerSearchRows {
		n, cells, err := t.src.next()
		if err == io.EOF {
			if seen == 0 {
				return errEmpty()
			}
			break
		}
		if err != nil {
			return err
		}
		w := width(cells)
		if w == 0 {
			continue
		}
		seen++
		k := 0
		for _, c := range cells[:w] {
			if len(c) <= maxLabelBytes {
				if c = trimCell(c); c != "" && known(c) {
					k++
				}
			}
		}
		if k < 2 {
			continue
		}
		if w > t.lim.MaxColumns {
			return &FileError{Code: "no_header",
				MessageZH: fmt.Sprintf("第%d行的表头有%d列，超过上限%d列。", n, w, t.lim.MaxColumns),
				MessageEN: fmt.Sprintf("the header row (row %d) has %d columns, more than the limit of %d.", n, w, t.lim.MaxColumns)}
		}
		t.header = make([]string, w)
		for i, c := range cells[:w] {
			t.header[i] = strings.ToValidUTF8(strings.Clone(trimCell(c)), "\uFFFD")
		}
		t.headerRow = n
		return nil
	}
	return errNoHeader()
}

func (t *rowTable) Next() (Row, error) {
	if t.err != nil {
		return Row{}, t.err
	}
	for {
		n, cells, err := t.src.next()
		if err != nil {
			t.err = err
			return Row{}, err
		}
		w := width(cells)
		if w == 0 {
			continue
		}
		if err := t.check(n, cells, w); err != nil {
			return Row{Number: n}, err
		}
		out := make([]string, len(t.header))
		for i := range min(w, len(out)) {
			out[i] = strings.Clone(cells[i])
		}
		return Row{Number: n, Cells: out}, nil
	}
}

// check checks one row against the limits and the header.
func (t *rowTable) check(n int, cells []string, w int) *RowError {
	if w > t.lim.MaxColumns {
		return &RowError{Row: n, Code: "too_many_columns",
			MessageZH: fmt.Sprintf("第%d行有%d列，超过上限%d列。请检查该行是否错位。", n, w, t.lim.MaxColumns),
			MessageEN: fmt.Sprintf("row %d has %d columns, more than the limit of %d. Check the row for misplaced cells.", n, w, t.lim.MaxColumns)}
	}
	if t.strict && w > len(t.header) {
		d := string(t.delim)
		switch t.delim {
		case '\t':
			d = "Tab"
		case ',':
			d = "英文逗号"
		}
		dEN := map[rune]string{',': "comma", '\t': "tab", ';': "semicolon", '|': "'|'"}[t.delim]
		return &RowError{Row: n, Code: "too_many_columns",
			MessageZH: fmt.Sprintf("第%d行有%d列，但表头只有%d列：可能某个单元格含有%s却没有用英文双引号括起来，导致该行错位。", n, w, len(t.header), d),
			MessageEN: fmt.Sprintf("row %d has %d columns but the header has only %d: a cell probably contains a %s without being enclosed in double quotes, which shifts the row.", n, w, len(t.header), dEN)}
	}
	for i := range min(w, len(t.header)) {
		if len(cells[i]) > t.lim.MaxCellBytes {
			name := t.header[i]
			if name == "" {
				name = fmt.Sprintf("#%d", i+1)
			}
			return &RowError{Row: n, Code: "cell_too_long",
				MessageZH: fmt.Sprintf("第%d行“%s”列的内容有%s，超过上限%s。", n, name, sizeText(int64(len(cells[i]))), sizeText(int64(t.lim.MaxCellBytes))),
				MessageEN: fmt.Sprintf("row %d, column %q: the value is %s long, more than the limit of %s.", n, name, sizeText(int64(len(cells[i]))), sizeText(int64(t.lim.MaxCellBytes)))}
		}
	}
	for i := range min(w, len(t.header)) {
		if badEncoding(t.encoding, cells[i]) {
			return errRowEncoding(n, t.encoding)
		}
	}
	return nil
}

// gbDecoder decodes GB18030 (and so GBK) as golang.org/x/text does, but
// also maps the three user-defined areas to the Private Use Area as the
// standard and Windows code page 936 do: AAA1–AFFE to U+E000–U+E233,
// F8A1–FEFE to U+E234–U+E4C5, A140–A7A0 to U+E4C6–U+E765 (all codes x/text
// leaves undecoded). Case systems
// store rare characters in people's and places' names there; without the
// mapping each would be a replacement character.
type gbDecoder struct{ inner transform.Transformer }

func newGBDecoder() transform.Transformer {
	return gbDecoder{simplifiedchinese.GB18030.NewDecoder()}
}

func (d gbDecoder) Reset() { d.inner.Reset() }

func (d gbDecoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for {
		// Find the next user-defined character, stepping over characters
		// exactly as the inner decoder does.
		i, r := nSrc, rune(-1)
		for i < len(src) {
			n := gbSeqLen(src[i:])
			if n == 0 {
				break // incomplete: the inner decoder decides
			}
			if n == 2 {
				if r = gbUserDefined(src[i], src[i+1]); r >= 0 {
					break
				}
			}
			i += n
		}
		if r < 0 {
			nd, ns, err := d.inner.Transform(dst[nDst:], src[nSrc:], atEOF)
			return nDst + nd, nSrc + ns, err
		}
		nd, ns, err := d.inner.Transform(dst[nDst:], src[nSrc:i], true)
		nDst, nSrc = nDst+nd, nSrc+ns
		if err != nil {
			return nDst, nSrc, err
		}
		if len(dst)-nDst < utf8.RuneLen(r) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += utf8.EncodeRune(dst[nDst:], r)
		nSrc += 2
	}
}

// gbSeqLen is the length of the GB18030 sequence b starts with, as
// x/text's decoder steps (1 for an invalid byte); 0 if b is too short to
// tell.
func gbSeqLen(b []byte) int {
	c0 := b[0]
	if c0 < 0x81 || c0 == 0xFF {
		return 1
	}
	if len(b) < 2 {
		return 0
	}
	switch c1 := b[1]; {
	case 0x40 <= c1 && c1 < 0x7F, 0x80 <= c1 && c1 < 0xFF:
		return 2
	case 0x30 <= c1 && c1 < 0x40:
		if len(b) < 4 {
			return 0
		}
		if b[2] < 0x81 || b[2] == 0xFF || b[3] < 0x30 || b[3] > 0x39 {
			return 1
		}
		return 4
	}
	return 1
}

// gbUserDefined maps a two-byte code in a user-defined area to its Private
// Use Area character; -1 for any other code.
func gbUserDefined(c0, c1 byte) rune {
	switch {
	case 0xAA <= c0 && c0 <= 0xAF && 0xA1 <= c1 && c1 <= 0xFE:
		return 0xE000 + rune(c0-0xAA)*94 + rune(c1-0xA1)
	case 0xF8 <= c0 && c0 <= 0xFE && 0xA1 <= c1 && c1 <= 0xFE:
		return 0xE234 + rune(c0-0xF8)*94 + rune(c1-0xA1)
	case 0xA1 <= c0 && c0 <= 0xA7 && 0x40 <= c1 && c1 <= 0xA0 && c1 != 0x7F && !(c0 == 0xA3 && c1 == 0xA0):
		// (A3A0 x/text decodes, as WHATWG does, to U+3000.)
		t := rune(c1 - 0x40)
		if c1 > 0x7F {
			t--
		}
		return 0xE4C6 + rune(c0-0xA1)*96 + t
	}
	return -1
}

// text returns the file after its byte-order mark as UTF-8 text with LF
// line ends, and the counter of the bytes read from the file under it.
func (enc textEncoding) text(r io.ReaderAt, size int64) (io.Reader, *countingReader) {
	cnt := &countingReader{r: io.NewSectionReader(r, enc.bom, size-enc.bom)}
	var rd io.Reader = cnt
	if enc.decoder != nil {
		rd = transform.NewReader(rd, enc.decoder())
	}
	if enc.crOnly {
		rd = crToLF{rd}
	}
	return rd, cnt
}
