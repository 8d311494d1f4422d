package engine_test

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// TestEvaluateUnder: overrides parsed once give every request the answer
// the same overrides in the request give, from many goroutines at once;
// bad overrides are named as an evaluation names them.
func TestEvaluateUnder(t *testing.T) {
	e := mustEngine(t)
	raws := map[string]json.RawMessage{
		"cert-grant.stacking":         raw(`"top_up"`),
		"surcharge-credit.rate":       raw(`"0.25"`),
		"surcharge-credit.allocation": raw(`"education_first"`),
		"donation-match.cap":          raw(`"1000000.00"`),
	}
	o, fields := e.ParseOverrides(raws)
	if len(fields) > 0 {
		t.Fatal(fields)
	}
	if !o.Touches("donation-match") || o.Touches("nothing") {
		t.Error("Touches")
	}
	reqs := concurrencyRequests()
	want := make([]models.EvaluateResponse, len(reqs))
	for i, req := range reqs {
		req.Overrides = raws
		var err error
		if want[i], err = e.Evaluate(req, models.LangZh); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i, req := range reqs {
				req.Overrides = nil
				got, err := e.EvaluateUnder(req, o, models.LangZh)
				if err != nil {
					t.Error(err)
					return
				}
				if diff := cmp.Diff(want[i], got, cmpModels); diff != "" {
					t.Errorf("request %d (-Evaluate +EvaluateUnder):\n%s", i, diff)
					return
				}
			}
		})
	}
	wg.Wait()

	req := reqs[0]
	req.Overrides = raws
	if _, err := e.EvaluateUnder(req, o, models.LangZh); err == nil {
		t.Error("overrides given twice were taken")
	}
	// Without overrides, EvaluateUnder is Evaluate.
	req.Overrides = nil
	plain, err := e.Evaluate(req, models.LangZh)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.EvaluateUnder(req, nil, models.LangZh); err != nil || !cmp.Equal(plain, got, cmpModels) {
		t.Errorf("EvaluateUnder(nil) differs: %v", err)
	}

	_, fields = e.ParseOverrides(map[string]json.RawMessage{"cert-grant.nope": raw(`1`), "donation-match.cap": raw(`"x"`)})
	var paths []string
	for _, f := range fields {
		paths = append(paths, f.Field+":"+f.Code)
	}
	if diff := cmp.Diff([]string{"overrides.cert-grant.nope:unknown_param", "overrides.donation-match.cap:param_value"}, paths); diff != "" {
		t.Errorf("bad overrides (-want +got):\n%s", diff)
	}
}
