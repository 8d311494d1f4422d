package app

import (
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/engine"
	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store/storetest"
)

func newService(t *testing.T) *Service {
	t.Helper()
	eng, err := engine.Load(os.DirFS("../rules"))
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2025, 6, 30, 10, 0, 0, 0, models.Wenzhou) }
	return New(eng, storetest.Open(t, "sqlite"), Options{Now: now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

func TestVerdict(t *testing.T) {
	m := models.MustMoney
	for _, tt := range []struct {
		claimed, allowed string
		verdict, diff    string
	}{
		{"50000.00", "50000.00", models.VerdictMatch, "0.00"},
		{"50000.01", "50000.00", models.VerdictOverClaimed, "0.01"},
		{"0.00", "50000.00", models.VerdictUnderClaimed, "50000.00"},
	} {
		v, d := verdict(m(tt.claimed), m(tt.allowed))
		if v != tt.verdict || d.String() != tt.diff {
			t.Errorf("claimed %s, allowed %s: %s %s, want %s %s", tt.claimed, tt.allowed, v, d, tt.verdict, tt.diff)
		}
	}
}

// A run request takes its defaults from today, and names rules that pay
// out, once each, as of today or before, for a grant year the service
// takes; a forecast may speak for the future, for such a year too.
func TestCheckRun(t *testing.T) {
	s := newService(t)
	req := models.PayoutRunRequest{}
	if err := s.checkRun(&req); err != nil {
		t.Fatal(err)
	}
	want := models.PayoutRunRequest{AsOf: models.MustDate("2025-06-30"), GrantYear: new(2025), Rules: []string{"cert-grant", "donation-match"}}
	if diff := cmp.Diff(want, req, cmp.AllowUnexported(models.Date{})); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	fieldsOf := func(err error) []string {
		var fields []string
		if me, ok := err.(*models.Error); ok {
			for _, f := range me.Fields {
				fields = append(fields, f.Field+":"+f.Code)
			}
		}
		return fields
	}
	for _, tt := range []struct {
		name string
		req  models.PayoutRunRequest
		want []string
	}{
		{"tomorrow, rules that do not pay or twice", models.PayoutRunRequest{AsOf: models.MustDate("2025-07-01"), Rules: []string{"surcharge-credit", "cert-grant", "cert-grant"}},
			[]string{"as_of:not_future", "rules[0]:oneof", "rules[2]:duplicate"}},
		{"a grant year of 0", models.PayoutRunRequest{GrantYear: new(0)}, []string{"grant_year:year"}},
		{"a grant year before the years taken", models.PayoutRunRequest{GrantYear: new(1999)}, []string{"grant_year:year"}},
		{"as_of in a year before the years taken", models.PayoutRunRequest{AsOf: models.MustDate("1999-06-30")}, []string{"as_of:year_of_date"}},
	} {
		if diff := cmp.Diff(tt.want, fieldsOf(s.checkRun(&tt.req))); diff != "" {
			t.Errorf("run, %s: refusals (-want +got):\n%s", tt.name, diff)
		}
	}
	for _, tt := range []struct {
		name string
		req  models.ForecastRequest
		want []string
	}{
		{"a grant year of 0", models.ForecastRequest{GrantYear: new(0)}, []string{"grant_year:year"}},
		{"a grant year after the years taken", models.ForecastRequest{GrantYear: new(2101)}, []string{"grant_year:year"}},
		{"as_of in a year after the years taken", models.ForecastRequest{AsOf: models.MustDate("2101-01-01")}, []string{"as_of:year_of_date"}},
	} {
		_, err := s.Forecast(t.Context(), tt.req)
		if diff := cmp.Diff(tt.want, fieldsOf(err)); diff != "" {
			t.Errorf("forecast, %s: refusals (-want +got):\n%s", tt.name, diff)
		}
	}
}

// A new key's role, subject and label are checked; the secret is given
// once and only its hash stored, and the secret authenticates.
func TestKeys(t *testing.T) {
	s := newService(t)
	admin := models.Actor{KeyID: "test", Role: models.RoleAdmin}
	for _, r := range []models.KeyEntry{
		{Role: "boss"},
		{Role: models.RoleEnterprise, Subject: "91330382MA2AB3C47F"}, // wrong check character
		{Role: models.RoleUniversity, Subject: "91330382MA2AB3C47E"}, // a credit code
		{Role: models.RoleTax, Subject: "wzvtc"},
		{Role: models.RoleTax, Label: "a\nb"},
	} {
		if _, err := s.CreateKey(t.Context(), admin, r); models.CodeOf(err) != models.CodeInvalid {
			t.Errorf("%+v: %v", r, err)
		}
	}
	key, err := s.CreateKey(t.Context(), admin, models.KeyEntry{Role: models.RoleEnterprise, Subject: "91330382MA2AB3C47E", Label: "示例电气"})
	if err != nil {
		t.Fatal(err)
	}
	actor, err := s.Authenticate(t.Context(), key.Secret, "req-1")
	if err != nil || actor.KeyID != key.ID || actor.Subject != "91330382MA2AB3C47E" || actor.RequestID != "req-1" {
		t.Fatalf("authenticate: %+v %v", actor, err)
	}
	if _, err := s.RevokeKey(t.Context(), admin, key.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(t.Context(), key.Secret, "req-2"); models.CodeOf(err) != models.CodeUnauthorized {
		t.Errorf("a revoked key: %v", err)
	}
}

// A subject key reads only its own subject: another's is not found, worded
// as a missing one.
func TestSubjectKeysReadTheirOwn(t *testing.T) {
	s := newService(t)
	admin := models.Actor{KeyID: "test", Role: models.RoleAdmin}
	for _, code := range []string{"91330382MA2AB3C47E", "91330302MA2C000012"} {
		if _, _, err := s.PutEnterprise(t.Context(), admin, models.EnterpriseEntry{CreditCode: code, Name: "x", Region: "330382"}); err != nil {
			t.Fatal(err)
		}
	}
	own := models.Actor{KeyID: "k", Role: models.RoleEnterprise, Subject: "91330382MA2AB3C47E"}
	if _, err := s.Enterprise(t.Context(), own, "91330382MA2AB3C47E"); err != nil {
		t.Errorf("its own: %v", err)
	}
	_, other := s.Enterprise(t.Context(), own, "91330302MA2C000012")
	_, missing := s.Enterprise(t.Context(), models.Actor{Role: models.RoleFinance}, "91330304MA2C000035")
	if models.CodeOf(other) != models.CodeNotFound || models.CodeOf(missing) != models.CodeNotFound {
		t.Fatalf("another's %v, a missing one %v", other, missing)
	}
	if _, err := s.Payouts(t.Context(), own, models.PayoutFilter{Subject: "91330302MA2C000012"}); models.CodeOf(err) != models.CodeNotFound {
		t.Errorf("another's payouts: %v", err)
	}
}

// A subject a run skips is recorded with the reason in Chinese, field by field.
func TestSkippedReasonIsChinese(t *testing.T) {
	err := models.InvalidInput(models.Field("subject.credit_years[1].year", "duplicate_year", "2024"))
	if got, want := reasonZh(err), "请求内容有误，请检查所列字段；subject.credit_years[1].year：年度 2024 重复出现"; got != want {
		t.Errorf("reason %q, want %q", got, want)
	}
}
