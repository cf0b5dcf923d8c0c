package intake

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/pii"
)

// ErrorRows yields a batch's rejected rows in order, stopping at the first
// error fn returns.
type ErrorRows func(fn func(credit.RowError) error) error

// Opened returns rows with their sealed cells opened, for the error file
// of the provider that sent them.
func Opened(keys *pii.Keys, rows ErrorRows) ErrorRows {
	return func(fn func(credit.RowError) error) error {
		return rows(func(r credit.RowError) error {
			if r.Cells == nil && r.Sealed != nil {
				plain, err := keys.Open(r.Sealed)
				if err != nil {
					return fmt.Errorf("row %d: %w", r.Row, err)
				}
				if err := json.Unmarshal(plain, &r.Cells); err != nil {
					return fmt.Errorf("row %d cells: %w", r.Row, err)
				}
			}
			return fn(r)
		})
	}
}

// kept returns the positions of the header's columns an error file
// repeats: all but those an earlier error file added, so that a corrected
// error file's own error file does not grow extra columns.
func kept(header []string) []int {
	var out []int
	for i, h := range header {
		if !contains(ErrorColumns, strings.TrimSpace(h)) {
			out = append(out, i)
		}
	}
	return out
}

// errorLine is one line of an error file: the row number, the original
// cells, the fields at fault and the reasons in Chinese.
func errorLine(it *catalog.Item, cols []int, r credit.RowError) []string {
	line := make([]string, 0, len(cols)+3)
	line = append(line, strconv.Itoa(r.Row))
	for _, i := range cols {
		cell := ""
		if i < len(r.Cells) {
			cell = r.Cells[i]
		}
		line = append(line, cell)
	}
	var fields, reasons []string
	for _, e := range r.Errors {
		label := e.Field
		if f, ok := it.Field(e.Field); ok {
			label = f.LabelZH
		}
		if label != "" && !contains(fields, label) {
			fields = append(fields, label)
		}
		reasons = append(reasons, e.MessageZH)
	}
	return append(line, strings.Join(fields, "；"), strings.Join(reasons, "；"))
}

// errorHeader is the header of an error file.
func errorHeader(header []string, cols []int) []string {
	out := []string{ErrorColumns[0]}
	for _, i := range cols {
		out = append(out, header[i])
	}
	return append(out, ErrorColumns[1:]...)
}

// WriteErrorsCSV writes the error file as CSV in UTF-8 with a byte-order
// mark (so that spreadsheet programs read the Chinese correctly): 行号, the
// original columns as they were, 错误字段 and 错误原因. Fixed in place and
// sent back, it loads as it is: the three added columns are ignored.
func WriteErrorsCSV(w io.Writer, it *catalog.Item, header []string, rows ErrorRows) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cols := kept(header)
	cw.Write(errorHeader(header, cols))
	err := rows(func(r credit.RowError) error {
		return cw.Write(errorLine(it, cols, r))
	})
	cw.Flush()
	if err != nil {
		return err
	}
	return cw.Error()
}

// WriteErrorsXLSX writes the error file as a spreadsheet with the same
// columns as WriteErrorsCSV, streaming rows so memory stays flat.
func WriteErrorsXLSX(w io.Writer, it *catalog.Item, header []string, rows ErrorRows) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	red, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "C00000"}})
	cells := func(vals []string, style int, reasonStyle int) []any {
		out := make([]any, len(vals))
		for i, v := range vals {
			s := style
			if i >= len(vals)-2 && reasonStyle != 0 {
				s = reasonStyle
			}
			out[i] = excelize.Cell{StyleID: s, Value: v}
		}
		return out
	}
	cols := kept(header)
	if err := sw.SetRow("A1", cells(errorHeader(header, cols), bold, 0)); err != nil {
		return err
	}
	n := 1
	err = rows(func(r credit.RowError) error {
		n++
		addr, _ := excelize.CoordinatesToCellName(1, n)
		return sw.SetRow(addr, cells(errorLine(it, cols, r), 0, red))
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("error file: %w", err)
	}
	_, err = f.WriteTo(w)
	return err
}
