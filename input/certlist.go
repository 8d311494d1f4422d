package input

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// A published certification list (认定名单) as 发改委 and 教育局 publish it:
// a CSV file whose columns are found by their header, in Chinese or
// English. Other columns (序号, 备注…) are ignored; a list that names its
// level or date only in its title gets them as defaults.

// listColumns maps the headers a list may use to the fields of a row.
var listColumns = map[string]string{
	"credit_code": "credit_code", "统一社会信用代码": "credit_code", "信用代码": "credit_code",
	"name": "name", "企业名称": "name", "单位名称": "name",
	"region": "region", "注册地": "region", "所在地": "region", "行政区划代码": "region", "区划代码": "region", "所在县（市、区）": "region",
	"level": "level", "认定等级": "level", "等级": "level", "级别": "level",
	"certified_on": "certified_on", "认定日期": "certified_on", "认定时间": "certified_on",
}

// listHeaders names each field by its usual Chinese header, for a list
// that lacks the column.
var listHeaders = map[string]string{
	"credit_code": "统一社会信用代码", "name": "企业名称", "region": "所在地", "level": "认定等级", "certified_on": "认定日期",
}

var listFields = []string{"credit_code", "name", "region", "level", "certified_on"}

var listLevels = map[string]string{
	"city": models.LevelCity, "市级": models.LevelCity,
	"province": models.LevelProvince, "省级": models.LevelProvince,
	"national": models.LevelNational, "国家级": models.LevelNational,
}

// CertificationList reads and checks every row of a certification list.
// The list is UTF-8 (with or without a byte-order mark) or, when it is not
// valid UTF-8, GB18030 — what Excel on Chinese Windows saves, GBK included.
// defaults gives the level and certified_on of a list that has no such
// column. Every bad row is reported at once as lines[N].<header>, N being
// the line of the file and the header the list's own; a bad default is
// reported by its name.
func CertificationList(body []byte, defaults map[string]string) ([]models.CertificationImport, error) {
	text, err := listText(body)
	if err != nil {
		return nil, err
	}
	var probs problems
	for _, f := range []string{"level", "certified_on"} {
		if v := defaults[f]; v != "" {
			if bad := setListField(&models.CertificationImport{}, f, v); bad != nil {
				probs.addAt(f, bad.code, bad.args...)
			}
		}
	}
	if !probs.empty() {
		return nil, probs.err()
	}

	r := csv.NewReader(bytes.NewReader(text))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		return nil, models.InvalidInput(models.Field("lines[1]", "csv_header"))
	}
	col, name := map[string]int{}, map[string]string{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if f, ok := listColumns[h]; ok {
			col[f], name[f] = i, h
		}
	}
	for _, f := range listFields {
		if _, ok := col[f]; !ok && defaults[f] == "" {
			probs.add(models.Field("lines[1]", "csv_column", listHeaders[f]))
		}
		if name[f] == "" {
			name[f] = f // a default from the query, named as the query names it
		}
	}
	if !probs.empty() {
		return nil, probs.err()
	}

	var rows []models.CertificationImport
	seen := map[string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var syntax *csv.ParseError
		if errors.As(err, &syntax) {
			probs.add(models.Field(fmt.Sprintf("lines[%d]", syntax.Line), "csv_syntax"))
			continue
		}
		if err != nil {
			probs.add(models.Field("lines", "csv_syntax"))
			break
		}
		if blank(rec) {
			continue
		}
		line, _ := r.FieldPos(0)
		at := fmt.Sprintf("lines[%d]", line)
		row, ok := models.CertificationImport{}, true
		for _, f := range listFields {
			value := defaults[f]
			if i, has := col[f]; has && i < len(rec) && strings.TrimSpace(rec[i]) != "" {
				value = strings.TrimSpace(rec[i])
			}
			if bad := setListField(&row, f, value); bad != nil {
				probs.addAt(at+"."+name[f], bad.code, bad.args...)
				ok = false
			}
		}
		if ok {
			key := row.CreditCode + "|" + row.Level + "|" + row.CertifiedOn.String()
			if prev, dup := seen[key]; dup {
				probs.addAt(at, "duplicate_row", prev)
			}
			seen[key] = line
		}
		if probs.empty() {
			rows = append(rows, row)
		}
	}
	if len(rows) == 0 && probs.empty() {
		probs.add(models.Field("lines", "csv_empty"))
	}
	return rows, probs.err()
}

// listText returns the list as UTF-8 without a byte-order mark.
func listText(body []byte) ([]byte, error) {
	body = bytes.TrimPrefix(body, []byte("\ufeff"))
	if utf8.Valid(body) {
		return body, nil
	}
	text, err := simplifiedchinese.GB18030.NewDecoder().Bytes(body)
	if err != nil || !utf8.Valid(text) {
		return nil, models.InvalidInput(models.Field("lines", "encoding"))
	}
	return text, nil
}

// listProblem is what is wrong with a cell: a message code and its
// arguments, turned into a FieldError only if it is listed.
type listProblem struct {
	code string
	args []any
}

// setListField parses one cell of field f into row, or says what is wrong
// with it (leaving row as it was).
func setListField(row *models.CertificationImport, f, value string) *listProblem {
	bad := func(code string, args ...any) *listProblem { return &listProblem{code, args} }
	if !OneLine(value) {
		return bad("text")
	}
	switch f {
	case "credit_code":
		code := strings.ToUpper(value)
		if p := models.CreditCodeProblem(code); p != "" {
			return bad("credit_" + p)
		}
		row.CreditCode = code
	case "name":
		switch {
		case value == "":
			return bad("required")
		case utf8.RuneCountInString(value) > 200:
			return bad("max_len", 200)
		}
		row.Name = value
	case "region":
		// A division code, or the name of one of Wenzhou's counties (乐清市 → 330382).
		if models.ValidRegion(value) {
			row.Region = value
		} else if c, ok := models.CountyByName(value); ok {
			row.Region = c.Code
		} else {
			return bad("unknown_county", value)
		}
	case "level":
		level, ok := listLevels[value]
		if !ok {
			return bad("oneof", "市级, 省级, 国家级, city, province, national")
		}
		row.Level = level
	case "certified_on":
		date, p := parseListDate(value)
		if p != nil {
			return p
		}
		row.CertifiedOn = date
	default:
		return bad("invalid")
	}
	return nil
}

var listDate = regexp.MustCompile(`^(\d{4})[年/.-](\d{1,2})[月/.-](\d{1,2})日?$`)

// parseListDate accepts 2024-03-01, 2024/3/1, 2024.3.1 and 2024年3月1日.
func parseListDate(text string) (models.Date, *listProblem) {
	m := listDate.FindStringSubmatch(text)
	if m == nil {
		return models.Date{}, &listProblem{"list_date", []any{text}}
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	date, err := models.NewDate(y, mo, d)
	if err != nil {
		return models.Date{}, &listProblem{"no_such_date", []any{text}}
	}
	return date, nil
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}
