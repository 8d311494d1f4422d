package store_test

import (
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store"
)

func TestVerifications(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		a, b := creditCode(1), creditCode(2)
		putEnterprise(t, s, models.EnterpriseRecord{CreditCode: a})
		putEnterprise(t, s, models.EnterpriseRecord{CreditCode: b})
		verify := func(code string, claimed, allowed string) models.CreditVerification {
			t.Helper()
			c, al := models.MustMoney(claimed), models.MustMoney(allowed)
			v, err := s.RecordVerification(ctxT(), tax, models.CreditVerification{
				CreditCode: code, Year: 2024, ClaimedOffset: c, AllowedOffset: al, Difference: c.Sub(al),
				Verdict: models.VerdictOverClaimed, AsOf: models.MustDate("2025-06-30"), RulesetVersion: "v1", RulesetDigest: "d1",
				LedgerRow: models.LedgerRow{Year: 2024, Generated: al, Offset: al, Qualified: true,
					Conditions: []models.ConditionResult{{ID: "invested", Passed: true, Message: "当年有投入"}}},
			})
			check(t, err)
			return v
		}
		v1 := verify(a, "500", "300.25")
		v2 := verify(b, "10", "10")
		v3 := verify(a, "1", "2")
		if v1.ID == 0 || v1.KeyID != tax.KeyID || v1.CreatedAt.IsZero() || v1.Difference != models.MustMoney("199.75") {
			t.Errorf("recorded = %+v", v1)
		}
		if v3.Difference != models.Fen(-100) {
			t.Errorf("a negative difference reads back as %s", v3.Difference)
		}
		for _, tc := range []struct {
			code string
			want []models.CreditVerification
		}{
			{a, []models.CreditVerification{v1, v3}},
			{b, []models.CreditVerification{v2}},
			{"", []models.CreditVerification{v1, v2, v3}},
		} {
			got, err := s.ListVerifications(ctxT(), tc.code)
			check(t, err)
			if diff := cmp.Diff(tc.want, got, cmpModels); diff != "" {
				t.Errorf("ListVerifications(%q) (-want +got):\n%s", tc.code, diff)
			}
		}
		audit := auditOf(t, s, "credit_verification", strconv.FormatInt(v1.ID, 10))
		if len(audit) != 1 || audit[0].Action != "verify" || !cmp.Equal(decode[models.CreditVerification](t, audit[0].After), &v1, cmpModels) {
			t.Errorf("audit = %+v", audit)
		}

		_, err := s.RecordVerification(ctxT(), tax, models.CreditVerification{CreditCode: creditCode(9), Year: 2024, Verdict: models.VerdictMatch})
		wantCode(t, err, models.CodeNotFound)
		_, err = s.ListVerifications(ctxT(), creditCode(9))
		wantCode(t, err, models.CodeNotFound)
		_, err = s.RecordVerification(ctxT(), tax, models.CreditVerification{CreditCode: a, Year: 2024, Verdict: "maybe"})
		wantCode(t, err, models.CodeInvalid)
	})
}
