package engine

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// grantDue is the total of grantItems.
func grantDue(certs []models.Certification, received []models.GrantReceived, amounts LevelAmounts, stacking string) (models.Money, error) {
	items, err := grantItems(certs, received, amounts, stacking)
	total := models.Money{}
	for _, it := range items {
		total = total.Add(it.Amount)
	}
	return total, err
}

func TestGrantDue(t *testing.T) {
	amounts := LevelAmounts{
		City:     mustMoney(t, "50000.00"),
		Province: mustMoney(t, "200000.00"),
		National: mustMoney(t, "500000.00"),
	}
	certs := func(levels ...string) []models.Certification {
		out := []models.Certification{}
		for _, l := range levels {
			out = append(out, models.Certification{Level: l, CertifiedOn: models.MustDate("2024-06-01")})
		}
		return out
	}
	paid := func(levelAmounts ...string) []models.GrantReceived {
		var out []models.GrantReceived
		for i := 0; i+1 < len(levelAmounts); i += 2 {
			out = append(out, models.GrantReceived{Level: levelAmounts[i], Amount: mustMoney(t, levelAmounts[i+1])})
		}
		return out
	}
	const (
		city, province, national = models.LevelCity, models.LevelProvince, models.LevelNational
	)
	tests := []struct {
		name     string
		certs    []models.Certification
		received []models.GrantReceived
		// the amount due under each stacking mode
		cumulative, topUp, highestOnly string
	}{
		{
			name:       "no certification",
			certs:      certs(),
			cumulative: "0.00", topUp: "0.00", highestOnly: "0.00",
		},
		{
			name:       "no certification, a grant paid",
			certs:      certs(),
			received:   paid(city, "50000.00"),
			cumulative: "0.00", topUp: "0.00", highestOnly: "0.00",
		},
		{
			name:       "nothing paid: city",
			certs:      certs(city),
			cumulative: "50000.00", topUp: "50000.00", highestOnly: "50000.00",
		},
		{
			name:       "nothing paid: province",
			certs:      certs(province),
			cumulative: "200000.00", topUp: "200000.00", highestOnly: "200000.00",
		},
		{
			name:       "nothing paid: national",
			certs:      certs(national),
			cumulative: "500000.00", topUp: "500000.00", highestOnly: "500000.00",
		},
		{
			name:       "lower level paid: city paid, province certified too",
			certs:      certs(city, province),
			received:   paid(city, "50000.00"),
			cumulative: "200000.00", topUp: "150000.00", highestOnly: "0.00",
		},
		{
			// The city certification no longer counts (say it was granted
			// before the plan period), but its grant was paid.
			name:       "lower level paid: only province certified",
			certs:      certs(province),
			received:   paid(city, "50000.00"),
			cumulative: "200000.00", topUp: "150000.00", highestOnly: "0.00",
		},
		{
			name:       "lower level paid: top_up deducts what was actually paid",
			certs:      certs(city, province),
			received:   paid(city, "30000.00"),
			cumulative: "200000.00", topUp: "170000.00", highestOnly: "0.00",
		},
		{
			name:       "lower levels paid: city and province paid, national certified",
			certs:      certs(city, province, national),
			received:   paid(city, "50000.00", province, "200000.00"),
			cumulative: "500000.00", topUp: "300000.00", highestOnly: "0.00",
		},
		{
			name:       "lower level paid more than the higher level's amount",
			certs:      certs(province),
			received:   paid(city, "300000.00"),
			cumulative: "200000.00", topUp: "0.00", highestOnly: "0.00",
		},
		{
			// top_up deducts the largest grant received, whatever its level.
			name:       "the largest grant received is not the highest level's",
			certs:      certs(national),
			received:   paid(city, "300000.00", province, "200000.00"),
			cumulative: "500000.00", topUp: "200000.00", highestOnly: "0.00",
		},
		{
			// top_up compares amounts, not levels: a higher level received
			// for less than the level now certified leaves a difference.
			name:       "higher level paid, for less than the level certified",
			certs:      certs(city),
			received:   paid(province, "10000.00"),
			cumulative: "50000.00", topUp: "40000.00", highestOnly: "0.00",
		},
		{
			name:       "same level paid: province",
			certs:      certs(province),
			received:   paid(province, "200000.00"),
			cumulative: "0.00", topUp: "0.00", highestOnly: "0.00",
		},
		{
			name:       "same levels paid: city and province",
			certs:      certs(city, province),
			received:   paid(city, "50000.00", province, "200000.00"),
			cumulative: "0.00", topUp: "0.00", highestOnly: "0.00",
		},
		{
			name:       "same level certified twice",
			certs:      certs(province, province),
			cumulative: "200000.00", topUp: "200000.00", highestOnly: "200000.00",
		},
		{
			// cumulative pays each level once, ever: province was never
			// paid, so it is due even after the national grant (see the
			// report: questionable, the policy does not say).
			name:       "higher level paid: national paid, province certified",
			certs:      certs(province),
			received:   paid(national, "500000.00"),
			cumulative: "200000.00", topUp: "0.00", highestOnly: "0.00",
		},
		{
			name:       "higher level paid: province paid, city certified",
			certs:      certs(city),
			received:   paid(province, "200000.00"),
			cumulative: "50000.00", topUp: "0.00", highestOnly: "0.00",
		},
		{
			name:       "two new levels at once: city and province",
			certs:      certs(city, province),
			cumulative: "250000.00", topUp: "200000.00", highestOnly: "200000.00",
		},
		{
			name:       "two new levels at once, listed highest first",
			certs:      certs(national, province),
			cumulative: "700000.00", topUp: "500000.00", highestOnly: "500000.00",
		},
		{
			name:       "two new levels at once above a paid one",
			certs:      certs(city, province, national),
			received:   paid(city, "50000.00"),
			cumulative: "700000.00", topUp: "450000.00", highestOnly: "0.00",
		},
		{
			name:       "all three levels at once",
			certs:      certs(city, province, national),
			cumulative: "750000.00", topUp: "500000.00", highestOnly: "500000.00",
		},
	}
	for _, tt := range tests {
		for _, mode := range []struct {
			stacking string
			want     string
		}{
			{StackingCumulative, tt.cumulative},
			{StackingTopUp, tt.topUp},
			{StackingHighestOnly, tt.highestOnly},
		} {
			t.Run(mode.stacking+"/"+tt.name, func(t *testing.T) {
				got, err := grantDue(tt.certs, tt.received, amounts, mode.stacking)
				if err != nil {
					t.Fatal(err)
				}
				if got.String() != mode.want {
					t.Errorf("grantDue = %s, want %s", got, mode.want)
				}
			})
		}
	}
}

func TestGrantDueErrors(t *testing.T) {
	amounts := LevelAmounts{City: models.Yuan(50000), Province: models.Yuan(200000), National: models.Yuan(500000)}
	cert := models.Certification{Level: models.LevelCity, CertifiedOn: models.MustDate("2024-06-01")}
	tests := []struct {
		name     string
		certs    []models.Certification
		stacking string
		wantErr  string
	}{
		{
			name:     "unknown level",
			certs:    []models.Certification{{Level: "county"}},
			stacking: StackingCumulative,
			wantErr:  `grant_items: unknown level "county"`,
		},
		{
			name:     "unknown stacking mode",
			certs:    []models.Certification{cert},
			stacking: "stacked",
			wantErr:  `grant_items: unknown stacking mode "stacked"`,
		},
		{
			name:     "empty stacking mode",
			certs:    []models.Certification{cert},
			stacking: "",
			wantErr:  `grant_items: unknown stacking mode ""`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := grantDue(tt.certs, nil, amounts, tt.stacking)
			if err == nil {
				t.Fatalf("grantDue = %s, want error %q", got, tt.wantErr)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("grantDue error:\n got %q\nwant %q", err, tt.wantErr)
			}
		})
	}
}

func TestGrantItems(t *testing.T) {
	amounts := LevelAmounts{City: models.Yuan(50000), Province: models.Yuan(200000), National: models.Yuan(500000)}
	cert := func(level string) models.Certification {
		return models.Certification{Level: level, CertifiedOn: models.MustDate("2024-06-01")}
	}
	item := func(level, amount string) models.PayoutItem {
		return models.PayoutItem{Level: level, Amount: mustMoney(t, amount)}
	}
	cityPaid := []models.GrantReceived{{Level: models.LevelCity, Amount: models.Yuan(50000)}}
	tests := []struct {
		name     string
		certs    []models.Certification
		received []models.GrantReceived
		stacking string
		want     []models.PayoutItem
	}{
		{
			name:  "cumulative: every level certified and unpaid, lowest first",
			certs: []models.Certification{cert(models.LevelNational), cert(models.LevelCity), cert(models.LevelProvince)}, stacking: StackingCumulative,
			want: []models.PayoutItem{item("city", "50000.00"), item("province", "200000.00"), item("national", "500000.00")},
		},
		{
			name:  "cumulative: the paid level left out",
			certs: []models.Certification{cert(models.LevelCity), cert(models.LevelProvince)}, received: cityPaid, stacking: StackingCumulative,
			want: []models.PayoutItem{item("province", "200000.00")},
		},
		{
			name:  "top_up: the highest level, less what was paid",
			certs: []models.Certification{cert(models.LevelCity), cert(models.LevelProvince)}, received: cityPaid, stacking: StackingTopUp,
			want: []models.PayoutItem{item("province", "150000.00")},
		},
		{
			name:  "top_up: nothing when more was paid than the level's amount",
			certs: []models.Certification{cert(models.LevelProvince)}, stacking: StackingTopUp,
			received: []models.GrantReceived{{Level: models.LevelCity, Amount: models.Yuan(300000)}},
			want:     []models.PayoutItem{},
		},
		{
			name:  "top_up: the largest amount received deducted, whatever its level",
			certs: []models.Certification{cert(models.LevelNational)}, stacking: StackingTopUp,
			received: []models.GrantReceived{{Level: models.LevelCity, Amount: models.Yuan(300000)}, {Level: models.LevelProvince, Amount: models.Yuan(200000)}},
			want:     []models.PayoutItem{item("national", "200000.00")},
		},
		{
			name:  "highest_only: the highest level in full when nothing was received",
			certs: []models.Certification{cert(models.LevelCity), cert(models.LevelProvince)}, stacking: StackingHighestOnly,
			want: []models.PayoutItem{item("province", "200000.00")},
		},
		{
			name:  "highest_only: nothing once any grant was received",
			certs: []models.Certification{cert(models.LevelCity), cert(models.LevelProvince)}, received: cityPaid, stacking: StackingHighestOnly,
			want: []models.PayoutItem{},
		},
		{
			name:  "nothing certified",
			certs: []models.Certification{}, received: cityPaid, stacking: StackingCumulative,
			want: []models.PayoutItem{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := grantItems(tt.certs, tt.received, amounts, tt.stacking)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, moneyText); diff != "" {
				t.Errorf("grantItems (-want +got):\n%s", diff)
			}
			due, err := grantDue(tt.certs, tt.received, amounts, tt.stacking)
			if err != nil {
				t.Fatal(err)
			}
			total := models.Money{}
			for _, it := range got {
				total = total.Add(it.Amount)
			}
			if total != due {
				t.Errorf("items add up to %s, grantDue = %s", total, due)
			}
		})
	}
}
