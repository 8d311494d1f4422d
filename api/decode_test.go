package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// TestDecodeStrictText covers what the one-pass decoder makes of strings and
// structure: escapes, surrogates, text the database cannot keep, nesting,
// duplicate keys.
func TestDecodeStrictText(t *testing.T) {
	type body struct {
		Name  string                     `json:"name"`
		Tags  []string                   `json:"tags,omitempty"`
		Extra map[string]json.RawMessage `json:"extra,omitempty"`
	}
	tests := []struct {
		name      string
		in        string
		want      string   // Name, when accepted
		wantCodes []string // field:code of each problem
	}{
		{name: "plain", in: `{"name":"示例电气"}`, want: "示例电气"},
		{name: "escapes", in: `{"name":"a\"b\\c\/d\n\u4e2d"}`, want: "a\"b\\c/d\n中"},
		{name: "surrogate pair", in: `{"name":"\ud83d\ude00"}`, want: "😀"},
		{name: "lone high surrogate keeps what follows", in: `{"name":"\ud800\u0041"}`, want: "\uFFFDA"},
		{name: "NUL escaped", in: `{"name":"a\u0000b"}`, wantCodes: []string{"name:text"}},
		{name: "invalid UTF-8", in: "{\"name\":\"a\xffb\"}", wantCodes: []string{"name:text"}},
		{name: "NUL in a list", in: `{"name":"x","tags":["ok","\u0000"]}`, wantCodes: []string{"tags[1]:text"}},
		{name: "duplicate field", in: `{"name":"x","name":"y"}`, wantCodes: []string{"name:duplicate"}},
		{name: "duplicate map key", in: `{"name":"x","extra":{"a":1,"a":2}}`, wantCodes: []string{"extra.a:duplicate"}},
		{name: "nested too deep", in: `{"name":"x","extra":{"a":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}}`, wantCodes: []string{":json"}},
		{name: "a million brackets", in: `{"extra":{"a":` + strings.Repeat("[", 1<<20), wantCodes: []string{":json"}},
		{name: "nested within the limit", in: `{"name":"x","extra":{"a":` + strings.Repeat("[", 20) + strings.Repeat("]", 20) + `}}`, want: "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b body
			problems := decodeStrict([]byte(tt.in), &b)
			var codes []string
			for _, p := range problems {
				codes = append(codes, p.Field+":"+p.Code)
			}
			if diff := cmp.Diff(tt.wantCodes, codes); diff != "" {
				t.Fatalf("problems (-want +got):\n%s", diff)
			}
			if tt.wantCodes == nil && b.Name != tt.want {
				t.Errorf("name %q, want %q", b.Name, tt.want)
			}
		})
	}
}

// TestProblemNeverShowsInternals: an internal error, with or without a
// message, is answered with the generic detail; errors is always a list.
func TestProblemNeverShowsInternals(t *testing.T) {
	for _, err := range []error{
		&models.Error{Code: models.CodeInternal},
		&models.Error{Code: models.CodeInternal, Message: models.Text{Zh: "秘密", En: "secret"}},
		models.ErrOverflow,
	} {
		p := NewProblem(err, models.LangEn)
		if p.Status != 500 || p.Detail == "" || strings.Contains(p.Detail, "secret") || p.Errors == nil {
			t.Errorf("%v: %+v", err, p)
		}
	}
	if p := NewProblem(models.NotFound("x"), models.LangEn); p.Errors == nil || len(p.Errors) != 0 {
		t.Errorf("errors of a 404: %#v", p.Errors)
	}
}

func TestSpreadsheetSafe(t *testing.T) {
	for in, want := range map[string]string{
		"示例电气有限公司":          "示例电气有限公司",
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")",
		"+1":                "'+1",
		"-1":                "'-1",
		"@SUM(A1)":          "'@SUM(A1)",
		"":                  "",
	} {
		if got := spreadsheetSafe(in); got != want {
			t.Errorf("spreadsheetSafe(%q) = %q, want %q", in, got, want)
		}
	}
}
