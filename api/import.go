package api

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// importColumns maps the headers a published certification list may use
// (发改委 and 教育局 publish them in Chinese) to the fields of a row.
var importColumns = map[string]string{
	"credit_code": "credit_code", "统一社会信用代码": "credit_code", "信用代码": "credit_code",
	"name": "name", "企业名称": "name", "单位名称": "name",
	"region": "region", "注册地": "region", "所在地": "region", "行政区划代码": "region", "区划代码": "region", "所在县（市、区）": "region",
	"level": "level", "认定等级": "level", "等级": "level", "级别": "level",
	"certified_on": "certified_on", "认定日期": "certified_on", "认定时间": "certified_on",
}

var importLevels = map[string]string{
	"city": models.LevelCity, "市级": models.LevelCity,
	"province": models.LevelProvince, "省级": models.LevelProvince,
	"national": models.LevelNational, "国家级": models.LevelNational,
}

// importCertifications answers POST /v1/certifications/import: a published
// certification list as CSV (UTF-8, with or without a byte-order mark).
// Columns are found by their header, in Chinese or English; other columns
// (序号, 备注…) are ignored; ?level= and ?certified_on= give the level and
// date of a list that names them only in its title. Every row is checked
// first: one bad row refuses the whole list with every bad row reported
// (lines[N] is line N of the file); otherwise it is applied all at once.
func (s *Server) importCertifications(c echo.Context) error {
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	defaults := map[string]string{}
	for _, f := range []string{"level", "certified_on"} {
		if v := c.QueryParam(f); v != "" {
			defaults[f] = v
		}
	}
	rows, fields := parseCertificationList(body, defaults)
	if len(fields) > 0 {
		return models.InvalidInput(fields...)
	}
	summary, err := s.store.ImportCertifications(c.Request().Context(), actorOf(c), rows)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, summary)
}

// parseCertificationList reads and checks every row of a certification list.
func parseCertificationList(body []byte, defaults map[string]string) ([]models.CertificationImport, []models.FieldError) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		return nil, []models.FieldError{models.Field("lines[1]", "csv_header")}
	}
	col := map[string]int{}
	for i, h := range header {
		if f, ok := importColumns[strings.TrimSpace(h)]; ok {
			col[f] = i
		}
	}
	var fields []models.FieldError
	for _, f := range []string{"credit_code", "name", "region", "level", "certified_on"} {
		if _, ok := col[f]; !ok && defaults[f] == "" {
			fields = append(fields, models.Field("lines[1]", "csv_column", f))
		}
	}
	if len(fields) > 0 {
		return nil, fields
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
			fields = append(fields, models.Field(fmt.Sprintf("lines[%d]", syntax.Line), "csv_syntax"))
			continue
		}
		if err != nil {
			return nil, append(fields, models.Field("lines", "csv_syntax"))
		}
		line, _ := r.FieldPos(0)
		at := fmt.Sprintf("lines[%d]", line)
		if blank(rec) {
			continue
		}
		cell := func(f string) string {
			if i, ok := col[f]; ok && i < len(rec) && strings.TrimSpace(rec[i]) != "" {
				return strings.TrimSpace(rec[i])
			}
			return defaults[f]
		}
		if slices.ContainsFunc(rec, func(v string) bool { return !cleanText(v) }) {
			fields = append(fields, models.Field(at, "text"))
			continue
		}
		row, rowFields := parseImportRow(at, cell)
		fields = append(fields, rowFields...)
		if len(rowFields) == 0 {
			key := row.CreditCode + "|" + row.Level + "|" + row.CertifiedOn.String()
			if prev, dup := seen[key]; dup {
				fields = append(fields, models.Field(at, "duplicate_row", prev))
			}
			seen[key] = line
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 && len(fields) == 0 {
		fields = append(fields, models.Field("lines", "csv_empty"))
	}
	return rows, fields
}

func parseImportRow(at string, cell func(string) string) (models.CertificationImport, []models.FieldError) {
	var fields []models.FieldError
	row := models.CertificationImport{CreditCode: strings.ToUpper(cell("credit_code")), Name: cell("name")}
	if p := models.CreditCodeProblem(row.CreditCode); p != "" {
		fields = append(fields, models.Field(at+".credit_code", "credit_"+p))
	}
	switch {
	case row.Name == "":
		fields = append(fields, models.Field(at+".name", "required"))
	case len([]rune(row.Name)) > 200:
		fields = append(fields, models.Field(at+".name", "max_len", 200))
	}
	if row.Region = regionCode(cell("region")); row.Region == "" {
		fields = append(fields, models.Field(at+".region", "region"))
	}
	if row.Level = importLevels[cell("level")]; row.Level == "" {
		fields = append(fields, models.Field(at+".level", "oneof", "city, province, national, 市级, 省级, 国家级"))
	}
	d, err := parseListDate(cell("certified_on"))
	if err != nil {
		fields = append(fields, models.Field(at+".certified_on", "date"))
	}
	row.CertifiedOn = d
	return row, fields
}

// regionCode accepts a six-digit division code or the name of one of
// Wenzhou's counties (乐清市 → 330382).
func regionCode(text string) string {
	if len(text) == 6 && strings.Trim(text, "0123456789") == "" {
		return text
	}
	for _, code := range models.CountyCodes {
		if bureau := models.LocalFinanceBureau(code).Name; strings.TrimSuffix(bureau, "财政局") == text {
			return code
		}
	}
	return ""
}

var chineseDate = regexp.MustCompile(`^(\d{4})[年/.-](\d{1,2})[月/.-](\d{1,2})日?$`)

// parseListDate accepts 2024-03-01, 2024/3/1, 2024.3.1 and 2024年3月1日.
func parseListDate(text string) (models.Date, error) {
	m := chineseDate.FindStringSubmatch(text)
	if m == nil {
		return models.Date{}, fmt.Errorf("invalid date %q", text)
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	return models.NewDate(y, mo, d)
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}
