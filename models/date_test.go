package models_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/models"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in        string
		wantYear  int
		wantMonth time.Month
		wantDay   int
	}{
		{"2024-01-01", 2024, time.January, 1},
		{"2024-12-31", 2024, time.December, 31},
		{"2024-02-29", 2024, time.February, 29}, // leap year
		{"2000-02-29", 2000, time.February, 29}, // divisible by 400
		{"2023-02-28", 2023, time.February, 28},
		{"2024-04-30", 2024, time.April, 30},
		{"0001-01-01", 1, time.January, 1},
		{"9999-12-31", 9999, time.December, 31},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := models.ParseDate(tt.in)
			if err != nil {
				t.Fatalf("ParseDate(%q): %v", tt.in, err)
			}
			if got := d.String(); got != tt.in {
				t.Errorf("String() = %q, want %q", got, tt.in)
			}
			if d.Year() != tt.wantYear {
				t.Errorf("Year() = %d, want %d", d.Year(), tt.wantYear)
			}
			want := time.Date(tt.wantYear, tt.wantMonth, tt.wantDay, 0, 0, 0, 0, time.UTC)
			if !d.Time().Equal(want) {
				t.Errorf("Time() = %v, want %v", d.Time(), want)
			}
			if models.DateOf(want.Add(12*time.Hour)) != d {
				t.Errorf("DateOf(noon of %s) = %s", d, models.DateOf(want.Add(12*time.Hour)))
			}
			if d.IsZero() {
				t.Error("IsZero() = true")
			}
		})
	}
}

func TestParseDateRejects(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{"29 February of a common year", "2023-02-29", `invalid date "2023-02-29": not a calendar date`},
		{"29 February 1900", "1900-02-29", `invalid date "1900-02-29": not a calendar date`},
		{"31 April", "2024-04-31", `invalid date "2024-04-31": not a calendar date`},
		{"month 13", "2024-13-01", `invalid date "2024-13-01": not a calendar date`},
		{"month 0", "2024-00-10", `invalid date "2024-00-10": not a calendar date`},
		{"day 0", "2024-01-00", `invalid date "2024-01-00": not a calendar date`},
		{"year 0", "0000-01-01", `invalid date "0000-01-01": not a calendar date`},
		{"one-digit month", "2024-1-01", `invalid date "2024-1-01": want YYYY-MM-DD`},
		{"one-digit day", "2024-01-1", `invalid date "2024-01-1": want YYYY-MM-DD`},
		{"slashes", "2024/01/01", `invalid date "2024/01/01": want YYYY-MM-DD`},
		{"compact", "20240101", `invalid date "20240101": want YYYY-MM-DD`},
		{"with time", "2024-01-01T00:00:00Z", `invalid date "2024-01-01T00:00:00Z": want YYYY-MM-DD`},
		{"leading space", " 2024-01-01", `invalid date " 2024-01-01": want YYYY-MM-DD`},
		{"sign in the month", "2024-+1-01", `invalid date "2024-+1-01": want YYYY-MM-DD`},
		{"empty", "", `invalid date "": want YYYY-MM-DD`},
		{"Chinese", "2024年1月1日", `invalid date "2024年1月1日": want YYYY-MM-DD`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := models.ParseDate(tt.in)
			if err == nil {
				t.Fatalf("ParseDate(%q) = %s, want error %q", tt.in, d, tt.wantErr)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("ParseDate(%q) error:\n got %q\nwant %q", tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestNewDate(t *testing.T) {
	d, err := models.NewDate(2024, 2, 29)
	if err != nil {
		t.Fatal(err)
	}
	if d != models.MustDate("2024-02-29") {
		t.Errorf("NewDate(2024, 2, 29) = %s", d)
	}
	_, err = models.NewDate(2023, 2, 29)
	if want := "2023-02-29 is not a calendar date"; err == nil || err.Error() != want {
		t.Errorf("NewDate(2023, 2, 29) error = %v, want %q", err, want)
	}
}

func TestDateOrdering(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"2024-01-01", "2024-01-01", 0},
		{"2024-01-01", "2024-01-02", -1},
		{"2024-01-31", "2024-02-01", -1},
		{"2023-12-31", "2024-01-01", -1},
		{"2024-02-29", "2024-03-01", -1},
		{"2025-01-01", "2024-12-31", 1},
		{"2024-10-01", "2024-09-30", 1},
	}
	for _, tt := range tests {
		t.Run(tt.a+" vs "+tt.b, func(t *testing.T) {
			a, b := models.MustDate(tt.a), models.MustDate(tt.b)
			if got := a.Cmp(b); got != tt.want {
				t.Errorf("Cmp = %d, want %d", got, tt.want)
			}
			if got := a.Before(b); got != (tt.want < 0) {
				t.Errorf("Before = %v, want %v", got, tt.want < 0)
			}
			if got := a.After(b); got != (tt.want > 0) {
				t.Errorf("After = %v, want %v", got, tt.want > 0)
			}
			if got := b.Cmp(a); got != -tt.want {
				t.Errorf("reverse Cmp = %d, want %d", got, -tt.want)
			}
		})
	}
}

func TestDateSort(t *testing.T) {
	in := []string{"2025-01-01", "2024-02-29", "2024-12-31", "2019-01-01", "2024-03-01"}
	dates := make([]models.Date, len(in))
	for i, s := range in {
		dates[i] = models.MustDate(s)
	}
	slices.SortFunc(dates, models.Date.Cmp)
	var got []string
	for _, d := range dates {
		got = append(got, d.String())
	}
	want := []string{"2019-01-01", "2024-02-29", "2024-03-01", "2024-12-31", "2025-01-01"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sorted dates (-want +got):\n%s", diff)
	}
}

func TestMonthDayIn(t *testing.T) {
	for _, y := range []int{2000, 2019, 2024, 2100} {
		got := models.MonthDay{Month: 12, Day: 31}.In(y)
		want, err := models.NewDate(y, 12, 31)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("12-31 in %d = %s, want %s", y, got, want)
		}
		if got.Year() != y {
			t.Errorf("12-31 in %d.Year() = %d", y, got.Year())
		}
		next, _ := models.NewDate(y+1, 1, 1)
		if !got.Before(next) || got.Cmp(models.MustDate("2000-01-01")) < 0 {
			t.Errorf("12-31 in %d = %s is not the last day of the year", y, got)
		}
	}
}

func TestZeroDate(t *testing.T) {
	var d models.Date
	if !d.IsZero() {
		t.Error("zero Date: IsZero() = false")
	}
	if d.String() != "" {
		t.Errorf("zero Date: String() = %q, want \"\"", d.String())
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "null" {
		t.Errorf("zero Date: MarshalJSON = %s, want null", b)
	}
	if !d.Before(models.MustDate("0001-01-01")) {
		t.Error("the zero Date is not before every date")
	}
}

func TestDateOf(t *testing.T) {
	cst := time.FixedZone("CST", 8*60*60)
	// 2024-12-31 20:00 UTC is already 1 January 2025 in Wenzhou.
	instant := time.Date(2024, 12, 31, 20, 0, 0, 0, time.UTC)
	if got := models.DateOf(instant); got != models.MustDate("2024-12-31") {
		t.Errorf("DateOf(UTC) = %s, want 2024-12-31", got)
	}
	if got := models.DateOf(instant.In(cst)); got != models.MustDate("2025-01-01") {
		t.Errorf("DateOf(CST) = %s, want 2025-01-01", got)
	}
}

func TestDateJSON(t *testing.T) {
	var v struct {
		D  models.Date  `json:"d"`
		P  *models.Date `json:"p"`
		PN *models.Date `json:"pn"`
	}
	in := `{"d":"2024-02-29","p":"2024-03-01","pn":null}`
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	if v.D != models.MustDate("2024-02-29") || v.P == nil || *v.P != models.MustDate("2024-03-01") || v.PN != nil {
		t.Errorf("decoded %+v", v)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != in {
		t.Errorf("Marshal = %s, want %s", out, in)
	}

	rejects := []struct {
		in      string
		wantErr string
	}{
		{`20240101`, `invalid date 20240101: want a "YYYY-MM-DD" string`},
		{`"2023-02-29"`, `invalid date "2023-02-29": not a calendar date`},
		{`"2024-1-1"`, `invalid date "2024-1-1": want YYYY-MM-DD`},
		{`""`, `invalid date "": want YYYY-MM-DD`},
	}
	for _, tt := range rejects {
		t.Run(tt.in, func(t *testing.T) {
			var d models.Date
			err := json.Unmarshal([]byte(tt.in), &d)
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("Unmarshal(%s) error = %v, want %q", tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestDateText(t *testing.T) {
	d := models.MustDate("2024-02-29")
	b, err := d.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	var back models.Date
	if err := back.UnmarshalText(b); err != nil {
		t.Fatal(err)
	}
	if back != d {
		t.Errorf("text round trip: %s became %s", d, back)
	}
}

func TestPeriodContains(t *testing.T) {
	p := models.Period{From: models.MustDate("2024-01-01"), To: models.MustDate("2027-12-31")}
	tests := []struct {
		d    string
		want bool
	}{
		{"2023-12-31", false}, // the day before
		{"2024-01-01", true},  // first day
		{"2024-01-02", true},
		{"2025-06-30", true},
		{"2027-12-30", true},
		{"2027-12-31", true},  // last day
		{"2028-01-01", false}, // the day after
	}
	for _, tt := range tests {
		t.Run(tt.d, func(t *testing.T) {
			if got := p.Contains(models.MustDate(tt.d)); got != tt.want {
				t.Errorf("%s contains %s = %v, want %v", p, tt.d, got, tt.want)
			}
		})
	}
	one := models.Period{From: models.MustDate("2024-05-01"), To: models.MustDate("2024-05-01")}
	if !one.Contains(models.MustDate("2024-05-01")) {
		t.Errorf("one-day period %s does not contain its day", one)
	}
	if got := p.String(); got != "2024-01-01..2027-12-31" {
		t.Errorf("String() = %q", got)
	}
}

func TestYearRangeContains(t *testing.T) {
	r := models.YearRange{From: 2024, To: 2026}
	tests := []struct {
		y    int
		want bool
	}{
		{2023, false},
		{2024, true},
		{2025, true},
		{2026, true},
		{2027, false},
	}
	for _, tt := range tests {
		if got := r.Contains(tt.y); got != tt.want {
			t.Errorf("%s contains %d = %v, want %v", r, tt.y, got, tt.want)
		}
	}
	if got := r.String(); got != "2024..2026" {
		t.Errorf("String() = %q", got)
	}
}

func TestPeriodJSON(t *testing.T) {
	var p models.Period
	if err := json.Unmarshal([]byte(`{"from":"2024-01-01","to":"2027-12-31"}`), &p); err != nil {
		t.Fatal(err)
	}
	want := models.Period{From: models.MustDate("2024-01-01"), To: models.MustDate("2027-12-31")}
	if p != want {
		t.Errorf("got %s, want %s", p, want)
	}
}

func TestParseMonthDay(t *testing.T) {
	tests := []struct {
		in      string
		want    models.MonthDay
		wantErr string
	}{
		{in: "12-31", want: models.MonthDay{Month: 12, Day: 31}},
		{in: "01-01", want: models.MonthDay{Month: 1, Day: 1}},
		{in: "06-30", want: models.MonthDay{Month: 6, Day: 30}},
		{in: "02-29", wantErr: `invalid day of the year "02-29": not a day of every year`},
		{in: "13-01", wantErr: `invalid day of the year "13-01": not a day of every year`},
		{in: "04-31", wantErr: `invalid day of the year "04-31": not a day of every year`},
		{in: "1-1", wantErr: `invalid day of the year "1-1": want MM-DD`},
		{in: "12/31", wantErr: `invalid day of the year "12/31": want MM-DD`},
	}
	for _, tt := range tests {
		got, err := models.ParseMonthDay(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseMonthDay(%q) error %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want || got.String() != tt.in {
			t.Errorf("ParseMonthDay(%q) = %v, %v", tt.in, got, err)
		}
	}
}
