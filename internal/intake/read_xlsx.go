package intake

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"strings"
)

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

// openXLSX opens a worksheet of an XLSX workbook and streams its rows (see
// read_sheet.go). The zip directory must be readable and the parts'
// declared sizes must add up to no more than MaxUnzipBytes (archive/zip
// refuses to inflate a part beyond its declared size, so the declaration
// bounds the work).
func openXLSX(r io.ReaderAt, size int64, sheet string, lim ReadLimits, known func(string) bool) (Table, error) {
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

	wb, werr := openWorkbook(zr)
	if werr != nil || len(wb.sheets) == 0 {
		for _, zf := range zr.File {
			if strings.HasPrefix(zf.Name, "xl/") { // a workbook, but damaged
				return nil, errXLSXCorrupt(werr)
			}
		}
		return nil, &FileError{Code: "format", Err: werr,
			MessageZH: "该文件是zip压缩包，但其中没有Excel工作表。请上传.xlsx、CSV或JSON Lines文件。",
			MessageEN: "the file is a zip archive but holds no Excel worksheet. Upload an .xlsx, CSV or JSON Lines file."}
	}
	ref := wb.sheets[0]
	if sheet != "" {
		found := false
		var names []string
		for _, s := range wb.sheets {
			names = append(names, s.name)
			if !found && strings.EqualFold(s.name, sheet) {
				ref, found = s, true
			}
		}
		if !found {
			return nil, &FileError{Code: "format",
				MessageZH: fmt.Sprintf("工作簿中没有名为“%s”的工作表；现有工作表：%s。", sheet, strings.Join(names, "、")),
				MessageEN: fmt.Sprintf("the workbook has no sheet named %q; its sheets are: %s.", sheet, strings.Join(names, ", "))}
		}
	}
	shared, err := wb.sharedStrings(lim.MaxUnzipBytes)
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			return nil, fe
		}
		return nil, errXLSXCorrupt(err)
	}
	src, err := wb.openSheet(ref, shared)
	if err != nil {
		return nil, errXLSXCorrupt(err)
	}
	rt := &rowTable{format: "xlsx", src: src, lim: lim}
	if err := rt.findHeader(known); err != nil {
		src.close()
		return nil, err
	}
	return rt, nil
}
