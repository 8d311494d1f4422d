package input

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestReadJSONText covers what the reader makes of strings and structure:
// escapes, surrogates, text the database cannot keep, nesting, duplicate
// keys. ":json" stands for a body refused as malformed.
func TestReadJSONText(t *testing.T) {
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
		{name: "lone high surrogate", in: `{"name":"\ud800\u0041"}`, wantCodes: []string{":json"}},
		{name: "NUL escaped", in: `{"name":"a\u0000b"}`, wantCodes: []string{"name:text"}},
		{name: "invalid UTF-8", in: "{\"name\":\"a\xffb\"}", wantCodes: []string{"name:text"}},
		{name: "NUL in a list", in: `{"name":"x","tags":["ok","\u0000"]}`, wantCodes: []string{"tags[1]:text"}},
		{name: "duplicate field", in: `{"name":"x","name":"y"}`, wantCodes: []string{"name:duplicate"}},
		{name: "duplicate map key", in: `{"name":"x","extra":{"a":1,"a":2}}`, wantCodes: []string{"extra.a:duplicate"}},
		{name: "unknown field", in: `{"name":"x","nmae":"y"}`, wantCodes: []string{"nmae:unknown_field"}},
		{name: "missing field", in: `{}`, wantCodes: []string{"name:required"}},
		{name: "wrong type", in: `{"name":1,"tags":"a"}`, wantCodes: []string{"name:type", "tags:type"}},
		{name: "deep, kept raw", in: `{"name":"x","extra":{"a":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}}`, want: "x"},
		{name: "deeper than jsontext takes", in: `{"name":"x","extra":{"a":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}}`, wantCodes: []string{":json"}},
		{name: "a million brackets", in: `{"extra":{"a":` + strings.Repeat("[", 1<<20), wantCodes: []string{":json"}},
		{name: "empty body", in: ``, wantCodes: []string{":json"}},
		{name: "cut short", in: `{"name":"x"`, wantCodes: []string{":json"}},
		{name: "two values", in: `{"name":"x"} {}`, wantCodes: []string{":json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b body
			var probs problems
			var codes []string
			if err := readJSON([]byte(tt.in), &b, &probs); err != nil {
				codes = append(codes, ":json")
			}
			for _, p := range probs.list {
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

// TestMalformedMessages: what a malformed body is told, in both languages,
// without English in the Chinese or the parser's own words.
func TestMalformedMessages(t *testing.T) {
	for in, want := range map[string]string{
		``:             "请求体不是有效的 JSON：请求体为空或不完整",
		`{"name":`:     "请求体不是有效的 JSON：请求体为空或不完整",
		`{"name" 1}`:   "请求体不是有效的 JSON：第 8 字节处的 JSON 语法错误",
		`{"name":1} x`: "请求体不是有效的 JSON：第 11 字节处的 JSON 语法错误",
	} {
		var v struct {
			Name int `json:"name"`
		}
		err := readJSON([]byte(in), &v, &problems{})
		if err == nil {
			t.Errorf("%q accepted", in)
			continue
		}
		if err.Message.Zh != want {
			t.Errorf("%q: %q, want %q", in, err.Message.Zh, want)
		}
		if strings.Contains(err.Message.En, "jsontext") || strings.Contains(err.Message.Zh, "jsontext") {
			t.Errorf("%q: the parser's words leak: %+v", in, err.Message)
		}
	}
}
