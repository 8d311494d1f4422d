// Package export writes the tables the finance bureau hands on — the bank
// transfer list of payouts — as CSV and as an xlsx workbook. A table is
// built once (rows, words, total) and written by either format, so the two
// never differ in what they say. It imports models only.
package export

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Table is a sheet: its columns, its rows and a total row, which the
// workbook keeps in view with the header.
type Table struct {
	Sheet   string // the workbook's sheet name
	Columns []Column
	Rows    [][]Cell
	Total   []Cell
}

// Column is a column's header and its width in characters in the workbook.
type Column struct {
	Header string
	Width  float64
}

// Cell is one value: text, a whole number or an amount.
type Cell struct {
	kind   cellKind
	text   string
	number int64
	amount models.Money
}

type cellKind int

const (
	kindText cellKind = iota
	kindInt
	kindAmount
)

// Text is a text cell; Int a whole number (an id, a year); Amount a sum of
// money, a number with two decimals in the workbook.
func Text(s string) Cell         { return Cell{kind: kindText, text: s} }
func Int(n int64) Cell           { return Cell{kind: kindInt, number: n} }
func Amount(m models.Money) Cell { return Cell{kind: kindAmount, amount: m} }
func (c Cell) plain() string {
	switch c.kind {
	case kindInt:
		return strconv.FormatInt(c.number, 10)
	case kindAmount:
		return c.amount.String()
	}
	return formulaSafe(c.text)
}

// all is the rows and the total row.
func (t Table) all() [][]Cell { return slices.Concat(t.Rows, [][]Cell{t.Total}) }

// formulaSafe keeps text from being read as a formula by the spreadsheet
// that opens it (CSV injection): text that starts with =, +, -, @, a tab
// or a carriage return gets a leading apostrophe. Names, codes and
// accounts come from imported lists and clerks' typing; every text cell of
// both formats passes here.
func formulaSafe(text string) string {
	if text != "" && strings.ContainsRune("=+-@\t\r", rune(text[0])) {
		return "'" + text
	}
	return text
}

// CSV writes the table as UTF-8 CSV with a byte-order mark (so that
// spreadsheet programs read the Chinese), the header first and the total
// row last; amounts are written with two decimals and no separators.
func (t Table) CSV() []byte {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	header := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = c.Header
	}
	_ = w.Write(header) // a bytes.Buffer does not fail
	for _, row := range t.all() {
		line := make([]string, len(row))
		for i, c := range row {
			line[i] = c.plain()
		}
		_ = w.Write(line)
	}
	w.Flush()
	return buf.Bytes()
}

// AmountFormat is the workbook's number format of amounts.
const AmountFormat = "#,##0.00"

// XLSX writes the table as an xlsx workbook of one sheet: a bold header
// row frozen in view, columns sized, amounts as numbers in AmountFormat
// written from their exact decimal text (never through a float), and a
// bold total row.
func (t Table) XLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := t.Sheet
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	amountFmt := AmountFormat
	styles := map[string]*excelize.Style{
		"header":      {Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "center"}},
		"amount":      {CustomNumFmt: &amountFmt},
		"total":       {Font: &excelize.Font{Bold: true}},
		"totalAmount": {Font: &excelize.Font{Bold: true}, CustomNumFmt: &amountFmt},
	}
	ids := map[string]int{}
	for name, st := range styles {
		id, err := f.NewStyle(st)
		if err != nil {
			return nil, fmt.Errorf("xlsx: style %s: %w", name, err)
		}
		ids[name] = id
	}
	put := func(col, row int, c Cell, total bool) error {
		ref, err := excelize.CoordinatesToCellName(col, row)
		if err != nil {
			return err
		}
		switch c.kind {
		case kindInt:
			err = f.SetCellInt(sheet, ref, c.number)
		case kindAmount:
			// The decimal text as the cell's value, typed as a number:
			// exact for every amount, which a float64 might not print back.
			err = f.SetCellDefault(sheet, ref, c.amount.String())
		default:
			err = f.SetCellStr(sheet, ref, formulaSafe(c.text))
		}
		if err != nil {
			return err
		}
		style := ""
		switch {
		case c.kind == kindAmount && total:
			style = "totalAmount"
		case c.kind == kindAmount:
			style = "amount"
		case total:
			style = "total"
		}
		if style == "" {
			return nil
		}
		return f.SetCellStyle(sheet, ref, ref, ids[style])
	}
	for i, col := range t.Columns {
		ref, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellStr(sheet, ref, col.Header); err != nil {
			return nil, fmt.Errorf("xlsx: header: %w", err)
		}
		name, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, name, name, col.Width); err != nil {
			return nil, fmt.Errorf("xlsx: width: %w", err)
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(t.Columns), 1)
	if err := f.SetCellStyle(sheet, "A1", last, ids["header"]); err != nil {
		return nil, fmt.Errorf("xlsx: header style: %w", err)
	}
	for r, row := range t.all() {
		for i, c := range row {
			if err := put(i+1, r+2, c, r == len(t.Rows)); err != nil {
				return nil, fmt.Errorf("xlsx: row %d: %w", r+2, err)
			}
		}
	}
	err := f.SetPanes(sheet, &excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	})
	if err != nil {
		return nil, fmt.Errorf("xlsx: freeze the header: %w", err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	return buf.Bytes(), nil
}
