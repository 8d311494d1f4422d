package models_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// TestYearMessages: the messages about years give the range the service
// takes, as models.MinYear and MaxYear say.
func TestYearMessages(t *testing.T) {
	lo, hi := models.MinYear, models.MaxYear
	want := map[string]models.Text{
		"year": {Zh: fmt.Sprintf("年份应为%d至%d之间的整数", lo, hi), En: fmt.Sprintf("must be a year between %d and %d", lo, hi)},
		"year_of_date": {
			Zh: fmt.Sprintf("日期应在%d年至%d年之间（未给出补助年度 grant_year 时，补助年度取该日期所在的年份）", lo, hi),
			En: fmt.Sprintf("must be a date in the years %d to %d (without grant_year, the grant year is its year)", lo, hi),
		},
	}
	for code, text := range want {
		if diff := cmp.Diff(text, models.Field("grant_year", code).Text); diff != "" {
			t.Errorf("%s (-want +got):\n%s", code, diff)
		}
	}
}
