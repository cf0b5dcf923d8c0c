package intake

import (
	"archive/zip"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// xlsxXMLInMemory is the most of one worksheet or of the shared strings
// excelize keeps in memory; a larger part is unpacked to a temporary file.
const xlsxXMLInMemory = 256 << 20

func errXLSXCorrupt(err error) *FileError {
	return &FileError{Code: "xlsx_corrupt", Err: err,
		MessageZH: "Excel文件已损坏或不完整（可能在上传时被截断）。请用Excel打开后重新保存为.xlsx，再重新上传。",
		MessageEN: "the Excel file is damaged or incomplete (it may have been cut short during upload). Open it in Excel, save it again as .xlsx and upload it again."}
}

func errXLSXTooLarge(limit int64) *FileError {
	return &FileError{Code: "xlsx_too_large",
		MessageZH: fmt.Sprintf("Excel文件解压后超过%s，超出了允许的大小。请将数据拆分成几个较小的文件分别上传。", sizeText(limit)),
		MessageEN: fmt.Sprintf("the Excel file unpacks to more than %s, more than allowed. Split the data into several smaller files and upload them separately.", sizeText(limit))}
}

// openXLSX opens a worksheet of an XLSX workbook. Before excelize sees the
// file, its zip directory must be readable and the parts' declared sizes
// must add up to no more than MaxUnzipBytes (archive/zip refuses to inflate
// a part beyond its declared size, so the declaration bounds the work).
func openXLSX(r io.ReaderAt, size int64, sheet string, lim ReadLimits, known func(string) bool) (t Table, err error) {
	zr, zerr := zip.NewReader(r, size)
	if zerr != nil {
		return nil, errXLSXCorrupt(zerr)
	}
	var total uint64
	for _, zf := range zr.File {
		total += min(zf.UncompressedSize64, 1<<62)
		if total > uint64(lim.MaxUnzipBytes) {
			return nil, errXLSXTooLarge(lim.MaxUnzipBytes)
		}
	}

	// excelize is a large parser fed untrusted input: a panic in it is a
	// corrupt file, not a crash.
	var f *excelize.File
	defer func() {
		if p := recover(); p != nil {
			if f != nil {
				f.Close()
			}
			t, err = nil, errXLSXCorrupt(fmt.Errorf("excelize: %v", p))
		}
	}()
	f, err = excelize.OpenReader(io.NewSectionReader(r, 0, size), excelize.Options{
		RawCellValue:      true,
		UnzipSizeLimit:    lim.MaxUnzipBytes,
		UnzipXMLSizeLimit: min(lim.MaxUnzipBytes, xlsxXMLInMemory),
	})
	if err != nil {
		if f != nil {
			f.Close()
		}
		if strings.Contains(err.Error(), "unzip size") {
			return nil, errXLSXTooLarge(lim.MaxUnzipBytes)
		}
		return nil, errXLSXCorrupt(err)
	}
	list := f.GetSheetList()
	if len(list) == 0 {
		f.Close()
		return nil, &FileError{Code: "format",
			MessageZH: "该文件是zip压缩包，但其中没有Excel工作表。请上传.xlsx、CSV或JSON Lines文件。",
			MessageEN: "the file is a zip archive but holds no Excel worksheet. Upload an .xlsx, CSV or JSON Lines file."}
	}
	name := ""
	if sheet == "" {
		name = list[0]
	} else {
		for _, s := range list {
			if strings.EqualFold(s, sheet) {
				name = s
				break
			}
		}
		if name == "" {
			f.Close()
			return nil, &FileError{Code: "format",
				MessageZH: fmt.Sprintf("工作簿中没有名为“%s”的工作表；现有工作表：%s。", sheet, strings.Join(list, "、")),
				MessageEN: fmt.Sprintf("the workbook has no sheet named %q; its sheets are: %s.", sheet, strings.Join(list, ", "))}
		}
	}
	rows, err := f.Rows(name)
	if err != nil {
		f.Close()
		return nil, errXLSXCorrupt(err)
	}
	src := &xlsxSource{f: f, rows: rows, total: sheetRows(f, name)}
	rt := &rowTable{format: "xlsx", src: src, lim: lim}
	if err := rt.findHeader(known); err != nil {
		src.close()
		return nil, err
	}
	return rt, nil
}

// sheetRows is the last row of the sheet's declared dimension, 0 if it has
// none.
func sheetRows(f *excelize.File, sheet string) int {
	ref, err := f.GetSheetDimension(sheet)
	if err != nil || ref == "" {
		return 0
	}
	if i := strings.LastIndexByte(ref, ':'); i >= 0 {
		ref = ref[i+1:]
	}
	_, row, err := excelize.CellNameToCoordinates(ref)
	if err != nil {
		return 0
	}
	return row
}

type xlsxSource struct {
	f     *excelize.File
	rows  *excelize.Rows
	n     int // the sheet row last read
	total int
	err   error
}

func (s *xlsxSource) next() (n int, cells []string, err error) {
	if s.err != nil {
		return 0, nil, s.err
	}
	defer func() {
		if p := recover(); p != nil {
			s.err = errXLSXCorrupt(fmt.Errorf("excelize: %v", p))
			n, cells, err = 0, nil, s.err
		}
	}()
	// Rows.Next stops at every row number, including the ones the sheet
	// leaves out; Columns returns nothing for those.
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			s.err = errXLSXCorrupt(err)
		} else {
			s.err = io.EOF
		}
		return 0, nil, s.err
	}
	s.n++
	cells, err = s.rows.Columns()
	if err != nil {
		s.err = errXLSXCorrupt(err)
		return 0, nil, s.err
	}
	return s.n, cells, nil
}

// progress is rows read over the rows the sheet declares; 0 when it
// declares none (excelize itself writes "A1"), and short of 1 until the end
// when the declaration is short.
func (s *xlsxSource) progress() float64 {
	if s.total <= 1 {
		return 0
	}
	return min(float64(s.n)/float64(s.total), 0.99)
}

func (s *xlsxSource) close() error {
	s.rows.Close() // its error is the iteration's, already reported
	return s.f.Close()
}
