package api

import (
	"errors"
	"net/http"

	"github.com/wenzhou-subsidy/subsidy/app"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// Problem is an RFC 9457 problem document (application/problem+json).
type Problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail"`
	Instance  string         `json:"instance,omitempty"`
	RequestID string         `json:"request_id,omitempty"`
	Errors    []ProblemField `json:"errors"` // [] when no field is to blame
	// ErrorsOmitted counts the bad fields found beyond those listed.
	ErrorsOmitted int `json:"errors_omitted,omitempty"`
}

// ProblemField names one bad field by its JSON path.
type ProblemField struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ProblemContentType is the media type of problem documents.
const ProblemContentType = "application/problem+json"

// Codes of errors only HTTP has: a method a path does not take, a body
// over the limit, a body of a media type not taken, a body that arrives
// too slowly.
const (
	codeNotAllowed       models.ErrorCode = "not_allowed"
	codeTooLarge         models.ErrorCode = "too_large"
	codeUnsupportedMedia models.ErrorCode = "unsupported_media_type"
	codeTimeout          models.ErrorCode = "timeout"
)

// statusOf is the one place where error codes become HTTP statuses.
var statusOf = map[models.ErrorCode]int{
	models.CodeInvalid:      http.StatusBadRequest,
	models.CodeUnauthorized: http.StatusUnauthorized,
	models.CodeForbidden:    http.StatusForbidden,
	models.CodeNotFound:     http.StatusNotFound,
	models.CodeConflict:     http.StatusConflict,
	models.CodeInternal:     http.StatusInternalServerError,
	models.CodeUnavailable:  http.StatusServiceUnavailable,
	codeNotAllowed:          http.StatusMethodNotAllowed,
	codeTooLarge:            http.StatusRequestEntityTooLarge,
	codeUnsupportedMedia:    http.StatusUnsupportedMediaType,
	codeTimeout:             http.StatusRequestTimeout,
}

var titles = map[models.ErrorCode]models.Text{
	models.CodeInvalid:      {Zh: "请求无效", En: "Invalid request"},
	models.CodeUnauthorized: {Zh: "未认证", En: "Unauthorized"},
	models.CodeForbidden:    {Zh: "无权操作", En: "Forbidden"},
	models.CodeNotFound:     {Zh: "未找到", En: "Not found"},
	models.CodeConflict:     {Zh: "状态冲突", En: "Conflict"},
	models.CodeInternal:     {Zh: "服务器内部错误", En: "Internal server error"},
	models.CodeUnavailable:  {Zh: "服务暂不可用", En: "Service unavailable"},
	codeNotAllowed:          {Zh: "方法不允许", En: "Method not allowed"},
	codeTooLarge:            {Zh: "请求体过大", En: "Request body too large"},
	codeUnsupportedMedia:    {Zh: "不支持的文件类型", En: "Unsupported media type"},
	codeTimeout:             {Zh: "请求超时", En: "Request timeout"},
}

// fromAppError maps the errors of package app that only HTTP has a status
// for to their transport codes; anything else passes unchanged.
func fromAppError(err error) error {
	var media *app.UnsupportedMediaError
	var large *app.TooLargeError
	switch {
	case errors.As(err, &media):
		return &models.Error{Code: codeUnsupportedMedia, Message: media.Text(), Err: err}
	case errors.As(err, &large):
		return &models.Error{Code: codeTooLarge, Message: large.Text(), Err: err}
	}
	return err
}

// NewProblem renders err as a problem document in lang. Anything that is not
// a *models.Error is internal: its text is never shown, only logged.
func NewProblem(err error, lang string) Problem {
	var e *models.Error
	if !errors.As(fromAppError(err), &e) || statusOf[e.Code] == 0 || e.Code == models.CodeInternal {
		// Whatever went wrong inside is logged, never shown.
		e = &models.Error{Code: models.CodeInternal, Message: models.Text{
			Zh: "服务器内部错误，已记录，请凭请求编号联系管理员",
			En: "an internal error occurred and was logged; quote the request id to an administrator",
		}}
	}
	p := Problem{
		Type:          "urn:subsidy:problem:" + string(e.Code),
		Title:         titles[e.Code].In(lang),
		Status:        statusOf[e.Code],
		Detail:        e.Message.In(lang),
		Errors:        make([]ProblemField, 0, len(e.Fields)),
		ErrorsOmitted: e.Omitted,
	}
	for _, f := range e.Fields {
		p.Errors = append(p.Errors, ProblemField{Field: f.Field, Code: f.Code, Message: f.Text.In(lang)})
	}
	return p
}
