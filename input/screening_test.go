package input

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// TestScreening: a payout run's or a forecast's body is read and its
// defaults filled as the service does (Decode, then Screening): a grant
// year is one the service takes, whether the client gave it (0 included:
// it is not the default) or it is taken from as_of, and then the refusal
// names as_of, what the client wrote.
func TestScreening(t *testing.T) {
	d := NewDecoder(mustEngine(t))
	today := models.MustDate("2025-06-30")
	tests := []struct {
		name   string
		body   string
		future bool
		want   []string
		year   int // the grant year once the defaults are filled
	}{
		{"the defaults", `{}`, false, nil, 2025},
		{"as_of's year", `{"as_of":"2024-12-31"}`, false, nil, 2024},
		{"a grant year given", `{"as_of":"2025-01-01","grant_year":2026}`, false, nil, 2026},
		{"a grant year of 0", `{"grant_year":0}`, false, []string{"grant_year:year"}, 0},
		{"a grant year before 2000", `{"grant_year":1999}`, false, []string{"grant_year:year"}, 1999},
		{"a grant year after 2100", `{"grant_year":2101}`, true, []string{"grant_year:year"}, 2101},
		{"as_of before 2000", `{"as_of":"1999-06-30"}`, false, []string{"as_of:year_of_date"}, 1999},
		{"as_of after 2100, for a forecast", `{"as_of":"2101-01-01"}`, true, []string{"as_of:year_of_date"}, 2101},
		{"as_of after 2100, for a run", `{"as_of":"2101-01-01"}`, false, []string{"as_of:year_of_date", "as_of:not_future"}, 2101},
		{"a null grant year is none", `{"grant_year":null}`, false, nil, 2025},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var req models.PayoutRunRequest
			err := d.Decode([]byte(tt.body), &req)
			if err == nil {
				err = d.Screening(&req.AsOf, &req.GrantYear, &req.Rules, today, tt.future)
			}
			if diff := cmp.Diff(tt.want, fieldsOf(err)); diff != "" {
				t.Errorf("refusals (-want +got):\n%s", diff)
			}
			if req.GrantYear == nil || *req.GrantYear != tt.year {
				t.Errorf("grant year %v, want %d", req.GrantYear, tt.year)
			}
		})
	}
}
