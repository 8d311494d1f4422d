package models

import (
	"errors"
	"fmt"
	"strings"
)

// ErrorCode classifies an error for callers; api maps each code to one HTTP
// status in one place.
type ErrorCode string

// Error codes.
const (
	CodeInvalid      ErrorCode = "invalid"      // the request is wrong: 400
	CodeUnauthorized ErrorCode = "unauthorized" // no or unknown key: 401
	CodeForbidden    ErrorCode = "forbidden"    // the key's role may not: 403
	CodeNotFound     ErrorCode = "not_found"    // no such thing (or not yours): 404
	CodeConflict     ErrorCode = "conflict"     // clashes with the current state: 409
	CodeInternal     ErrorCode = "internal"     // a bug: 500
	CodeUnavailable  ErrorCode = "unavailable"  // the database is unreachable, read-only or full, or the service is stopping: 503
)

// Error is subsidy's error with a code, a message in both languages and, for
// invalid input, the bad fields found: at most MaxFieldErrors of them, with
// Omitted counting the rest.
type Error struct {
	Code    ErrorCode
	Message Text
	Fields  []FieldError
	Omitted int
	Err     error // the cause, for logs; never shown to clients
}

// MaxFieldErrors is the most bad fields an error lists: a request with a
// hundred thousand bad entries must not cost a hundred thousand messages.
const MaxFieldErrors = 100

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	if e.Message.En != "" {
		b.WriteString(": " + e.Message.En)
	}
	for _, f := range e.Fields {
		b.WriteString("; " + f.Field + ": " + f.Text.En)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the code and an English and Chinese message.
func Errorf(code ErrorCode, zh, en string, args ...any) *Error {
	return &Error{Code: code, Message: Text{Zh: fmt.Sprintf(zh, args...), En: fmt.Sprintf(en, args...)}}
}

// InvalidInput returns the 400 error for the given bad fields.
func InvalidInput(fields ...FieldError) *Error {
	return &Error{
		Code:    CodeInvalid,
		Message: Text{Zh: "请求内容有误，请检查所列字段", En: "the request has invalid fields"},
		Fields:  fields,
	}
}

// NotFound returns the 404 error for a missing thing; zh and en name it
// ("企业 %s", "enterprise %s").
func NotFound(zh, en string, args ...any) *Error {
	return Errorf(CodeNotFound, "未找到"+zh, en+" not found", args...)
}

// The not-found errors of the records a client names. One wording per kind
// of record, whoever finds it missing, so that a subject key cannot tell
// another subject's record from one that does not exist.

func EnterpriseNotFound(code string) *Error { return NotFound("企业 %s", "enterprise %s", code) }
func UniversityNotFound(code string) *Error { return NotFound("高校 %s", "university %s", code) }
func PayoutNotFound(id int64) *Error        { return NotFound("补助发放记录 %d", "payout %d", id) }
func RunNotFound(id int64) *Error           { return NotFound("发放批次 %d", "payout run %d", id) }
func RuleNotFound(id string) *Error         { return NotFound("规则 %s", "rule %s", id) }
func KeyNotFound(id string) *Error          { return NotFound("API 密钥 %s", "API key %s", id) }

// Conflict returns the 409 error with an explanation.
func Conflict(zh, en string) *Error {
	return &Error{Code: CodeConflict, Message: Text{Zh: zh, En: en}}
}

// CodeOf returns the code of err: the code of the first *Error in its chain,
// or CodeInternal for anything else.
func CodeOf(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// FieldError names one bad field by its JSON path
// ("subject.credit_years[1].investment") and says what is wrong with it.
type FieldError struct {
	Field string
	Code  string // machine-readable reason, such as "required" or "money"
	Text  Text
}

// Field builds the FieldError for a reason code, with its message in both
// languages from the catalogue below; args fill the message's %s verbs.
func Field(path, code string, args ...any) FieldError {
	m, ok := fieldMessages[code]
	if !ok {
		m = fieldMessages["invalid"]
	}
	return FieldError{
		Field: path,
		Code:  code,
		Text:  Text{Zh: fmt.Sprintf(m.Zh, args...), En: fmt.Sprintf(m.En, args...)},
	}
}

// FieldWords builds the FieldError for a reason code whose arguments are
// words of either language (an id's Chinese and English names).
func FieldWords(path, code string, args ...Text) FieldError {
	m, ok := fieldMessages[code]
	if !ok {
		m = fieldMessages["invalid"]
	}
	zh, en := make([]any, len(args)), make([]any, len(args))
	for i, a := range args {
		zh[i], en[i] = a.Zh, a.En
	}
	return FieldError{Field: path, Code: code, Text: Text{Zh: fmt.Sprintf(m.Zh, zh...), En: fmt.Sprintf(m.En, en...)}}
}

// fieldMessages holds every input problem the service reports.
var fieldMessages = map[string]Text{
	"invalid":        {Zh: "取值无效", En: "is invalid"},
	"required":       {Zh: "必填字段缺失", En: "is required"},
	"not_null":       {Zh: "不能为 null", En: "must not be null"},
	"unknown_field":  {Zh: "未知字段（请检查拼写）", En: "is not a known field (check the spelling)"},
	"money":          {Zh: "金额格式错误：应为非负、最多两位小数、不超过1万亿元的数，如 \"1234.50\"（%s）", En: "must be a non-negative amount in yuan with at most two decimals, at most 1,000,000,000,000.00, such as \"1234.50\" (%s)"},
	"decimal":        {Zh: "应为非负小数，如 \"0.30\"（%s）", En: "must be a non-negative decimal such as \"0.30\" (%s)"},
	"percent":        {Zh: "持股比例应为0至100之间、最多两位小数的数（%s）", En: "must be a share between 0 and 100 with at most two decimals (%s)"},
	"date":           {Zh: "日期应为 YYYY-MM-DD 格式的有效日期", En: "must be a calendar date written YYYY-MM-DD"},
	"year":           {Zh: fmt.Sprintf("年份应为%d至%d之间的整数", MinYear, MaxYear), En: fmt.Sprintf("must be a year between %d and %d", MinYear, MaxYear)},
	"year_of_date":   {Zh: fmt.Sprintf("日期应在%d年至%d年之间（未给出补助年度 grant_year 时，补助年度取该日期所在的年份）", MinYear, MaxYear), En: fmt.Sprintf("must be a date in the years %d to %d (without grant_year, the grant year is its year)", MinYear, MaxYear)},
	"oneof":          {Zh: "取值应为以下之一：%s", En: "must be one of: %s"},
	"eq":             {Zh: "取值应为 %s", En: "must be %s"},
	"max_len":        {Zh: "长度不能超过%v", En: "must be at most %v characters long"},
	"max_items":      {Zh: "条目不能超过%v个", En: "must have at most %v entries"},
	"credit_length":  {Zh: "统一社会信用代码应为18位", En: "a unified social credit code has 18 characters"},
	"credit_charset": {Zh: "统一社会信用代码含有不允许的字符（只能为数字和除 I、O、Z、S、V 以外的大写字母）", En: "a unified social credit code uses digits and capital letters other than I, O, Z, S and V"},
	"credit_check":   {Zh: "统一社会信用代码校验位错误（GB 32100-2015）", En: "the check character of this unified social credit code is wrong (GB 32100-2015)"},
	"region":         {Zh: "行政区划代码应为6位数字", En: "must be a six-digit administrative division code"},
	"subject_code":   {Zh: "代码应为1至64位字母、数字、连字符或下划线，且不能是统一社会信用代码", En: "must be 1 to 64 letters, digits, hyphens or underscores, and not a unified social credit code"},
	"subject_kind":   {Zh: "主体类型应为 enterprise 或 university", En: "must be enterprise or university"},
	"duplicate_year": {Zh: "年度 %s 重复出现", En: "year %s is listed twice"},
	"duplicate":      {Zh: "%s 重复出现", En: "%s is listed twice"},
	"subsidy_above":  {Zh: "财政补助不能超过当年投入", En: "must not be above the year's investment"},
	"revoked_before": {Zh: "撤销日期不能早于认定日期", En: "must not be before certified_on"},
	"same_as_self":   {Zh: "母公司代码不能与企业本身相同", En: "must differ from the enterprise's own code"},
	"no_subject":     {Zh: "只有企业和高校的密钥绑定主体", En: "only enterprise and university keys are bound to a subject"},
	"unknown_rule":   {Zh: "未知规则 %s", En: "unknown rule %s"},
	"rule_kind":      {Zh: "规则 %s 不适用于%s", En: "rule %s does not apply to a subject of kind %s"},
	"unknown_param":  {Zh: "未知参数 %s", En: "unknown parameter %s"},
	"param_value":    {Zh: "参数取值无效：%s", En: "invalid parameter value: %s"},
	"range":          {Zh: "取值应在 %s 之间", En: "must be between %s"},
	"positive":       {Zh: "应大于零", En: "must be above zero"},
	"not_future":     {Zh: "不能晚于今天", En: "must not be after today"},
	"text":           {Zh: "含有不允许的字符（控制字符或无效的 UTF-8）", En: "contains characters that are not allowed (control characters or invalid UTF-8)"},
	"non_negative":   {Zh: "应为0或正整数", En: "must be 0 or a positive whole number"},
	"too_large_sum":  {Zh: "金额过大，无法精确计算", En: "the amounts are too large to compute exactly"},
	"status":         {Zh: "状态应为以下之一：%v", En: "must be one of: %v"},
	"csv_header":     {Zh: "CSV 文件缺少表头行", En: "the CSV file has no header line"},
	"csv_column":     {Zh: "CSV 表头缺少 %s 列（也可用查询参数给出）", En: "the CSV header lacks the %s column (or give it as a query parameter)"},
	"csv_syntax":     {Zh: "CSV 格式错误", En: "malformed CSV line"},
	"duplicate_row":  {Zh: "与第 %d 行重复", En: "repeats line %d"},
	"csv_empty":      {Zh: "CSV 文件没有数据行", En: "the CSV file has no rows"},
	"unknown_county": {Zh: "未知的县（市、区）：%s（应为温州市所辖县级行政区名称或6位行政区划代码）", En: "unknown county %s (give the name of one of Wenzhou's counties or a six-digit division code)"},
	"no_such_date":   {Zh: "没有这一天：%s", En: "no such date: %s"},
	"encoding":       {Zh: "文件既不是 UTF-8 也不是 GB18030（GBK）编码的文本", En: "the file is neither UTF-8 nor GB18030 (GBK) text"},
	"account_no":     {Zh: "账号应为8至32位数字", En: "must be 8 to 32 digits"},
	"payer":          {Zh: "付款单位应为温州市所辖县级财政局（县级行政区划代码）或温州市财政局 330300", En: "must be the division code of one of Wenzhou's county finance bureaus or 330300 for the city's"},
	"list_date":      {Zh: "日期格式无法识别：%s（可写作 2024-03-01、2024/3/1 或 2024年3月1日）", En: "unrecognised date %s (write 2024-03-01, 2024/3/1 or 2024年3月1日)"},

	// Applications (申报) and their evidence.
	"already_recorded": {Zh: "已登记在册（%s），无需申报", En: "is already recorded (%s): there is nothing to apply for"},
	"not_for_rule":     {Zh: "所申报的规则不含此项", En: "has no place in an application for this rule"},
	"subject_ref":      {Zh: "应为企业的统一社会信用代码或高校代码", En: "must be an enterprise's unified social credit code or a university's code"},
	"if_match":         {Zh: "应为申报的版本号（ETag），如 \"3\"", En: "must be the application's version (its ETag), such as \"3\""},
	"file_name":        {Zh: "文件名不能含有 /、\\ 或控制字符，且不超过200个字符", En: "a file name has at most 200 characters and no /, \\ or control characters"},
}
