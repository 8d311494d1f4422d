package api_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/api"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// TestListEnterprisesByName: ?name= finds the enterprises whose name holds
// the text, whatever the case of its Latin letters; % and _ are taken
// literally; it combines with the other filters; an overlong text is
// refused at the parameter.
func TestListEnterprisesByName(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed() // 示例电气有限公司 (乐清), 成员单位 (龙湾)
		h.must(201, "finance", "PUT", "/v1/enterprises/"+entB, `{"name":"Wenzhou ELECTRIC 100% 电气","region":"330302"}`)
		h.must(201, "finance", "PUT", "/v1/enterprises/"+outside, `{"name":"瓯海_机械","region":"330304"}`)
		names := func(query string) []string {
			t.Helper()
			page := decode[struct {
				Enterprises []models.EnterpriseRecord `json:"enterprises"`
			}](t, h.must(200, "finance", "GET", "/v1/enterprises?"+query, ""))
			out := []string{}
			for _, e := range page.Enterprises {
				out = append(out, e.Name)
			}
			return out
		}
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"name=" + url.QueryEscape("电气"), []string{"Wenzhou ELECTRIC 100% 电气", "示例电气有限公司"}},
			{"name=electric", []string{"Wenzhou ELECTRIC 100% 电气"}},
			{"name=" + url.QueryEscape("%"), []string{"Wenzhou ELECTRIC 100% 电气"}},
			{"name=" + url.QueryEscape("海_机"), []string{"瓯海_机械"}},
			{"name=" + url.QueryEscape("_"), []string{"瓯海_机械"}},
			{"name=" + url.QueryEscape("电气") + "&region=330382", []string{"示例电气有限公司"}},
			{"name=" + url.QueryEscape("温州"), []string{}},
		} {
			if diff := cmp.Diff(tc.want, names(tc.query)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.query, diff)
			}
		}
		p := decode[api.Problem](t, h.must(400, "finance", "GET", "/v1/enterprises?name="+url.QueryEscape(strings.Repeat("名", 201)), ""))
		if len(p.Errors) != 1 || p.Errors[0].Field != "name" || p.Errors[0].Code != "max_len" {
			t.Errorf("an overlong name: %+v", p.Errors)
		}
	})
}
