package api

import (
	"github.com/wenzhou-subsidy/subsidy/models"
)

// routes registers the middleware and every route of the API. Who may call
// what: the public routes need no key; every other route
// needs a key (401 without a known one) of one of the roles listed (403
// otherwise); subject keys see only their own subject (404 for others,
// decided in app).
func (s *Server) routes() {
	e := s.echo
	e.Pre(headAsGet)
	e.Use(headAgain, requestID, s.accessLog(), s.recoverPanic(), acceptLanguage, cleanQuery)

	// Public: no key needed.
	e.GET("/healthz", s.health)
	e.GET("/openapi.json", s.openAPI)
	e.POST("/v1/evaluate", s.evaluate)
	e.GET("/v1/rules", s.listRules)
	e.GET("/v1/rules/:id", s.getRule)
	if s.idem == nil || !s.app.Stateful() {
		return
	}

	const (
		admin      = models.RoleAdmin
		finance    = models.RoleFinance
		tax        = models.RoleTax
		enterprise = models.RoleEnterprise
		university = models.RoleUniversity
	)
	auth := s.authenticate
	roles := allow
	idem := s.idempotent

	// Registry: enterprises, certifications, credit years.
	e.GET("/v1/enterprises", s.listEnterprises, auth, roles(admin, finance, tax))
	e.PUT("/v1/enterprises/:credit_code", s.putEnterprise, auth, roles(admin, finance))
	e.GET("/v1/enterprises/:credit_code", s.getEnterprise, auth, roles(admin, finance, tax, enterprise))
	e.GET("/v1/enterprises/:credit_code/certifications", s.listCertifications, auth, roles(admin, finance, tax, enterprise))
	e.POST("/v1/enterprises/:credit_code/certifications", s.addCertification, auth, roles(admin, finance), idem)
	e.PUT("/v1/enterprises/:credit_code/certifications/:id", s.putCertification, auth, roles(admin, finance))
	e.POST("/v1/certifications/import", s.importCertifications, auth, roles(admin, finance), idem)
	e.GET("/v1/enterprises/:credit_code/credit-years", s.listCreditYears, auth, roles(admin, finance, tax, enterprise))
	e.PUT("/v1/enterprises/:credit_code/credit-years/:year", s.putCreditYear, auth, roles(admin, finance, tax))
	e.GET("/v1/enterprises/:credit_code/credit-ledger", s.creditLedger, auth, roles(admin, finance, tax, enterprise))
	e.PUT("/v1/enterprises/:credit_code/credit-carry-in", s.putCreditCarryIn, auth, roles(admin, finance, tax))
	e.GET("/v1/enterprises/:credit_code/evaluation", s.enterpriseEvaluation, auth, roles(admin, finance, tax, enterprise))

	// Registry: universities and donations.
	e.GET("/v1/universities", s.listUniversities, auth, roles(admin, finance))
	e.PUT("/v1/universities/:code", s.putUniversity, auth, roles(admin, finance))
	e.GET("/v1/universities/:code", s.getUniversity, auth, roles(admin, finance, university))
	e.GET("/v1/universities/:code/donations", s.listDonations, auth, roles(admin, finance, university))
	e.POST("/v1/universities/:code/donations", s.addDonation, auth, roles(admin, finance), idem)
	e.PUT("/v1/universities/:code/donations/:id", s.putDonation, auth, roles(admin, finance))
	e.GET("/v1/universities/:code/evaluation", s.universityEvaluation, auth, roles(admin, finance, university))

	// Payouts (免申即享).
	e.POST("/v1/payout-runs", s.createPayoutRun, auth, roles(admin, finance), idem)
	e.GET("/v1/payout-runs", s.listPayoutRuns, auth, roles(admin, finance))
	e.GET("/v1/payout-runs/:id", s.getPayoutRun, auth, roles(admin, finance))
	e.GET("/v1/payouts", s.listPayouts, auth, roles(admin, finance, enterprise, university))
	e.GET("/v1/payouts/export", s.exportPayouts, auth, roles(admin, finance))
	e.GET("/v1/payouts/:id", s.getPayout, auth, roles(admin, finance, enterprise, university))
	e.POST("/v1/payouts/:id/approve", s.approvePayout, auth, roles(admin, finance), idem)
	e.POST("/v1/payouts/:id/reject", s.rejectPayout, auth, roles(admin, finance), idem)
	e.POST("/v1/payouts/:id/paid", s.markPayoutPaid, auth, roles(admin, finance), idem)

	// Applications (申报): subjects bring their own facts and evidence,
	// finance reviews (not the key that submitted: four eyes, in app).
	e.POST("/v1/applications", s.submitApplication, auth, roles(admin, finance, enterprise, university), idem)
	e.GET("/v1/applications", s.listApplications, auth, roles(admin, finance, enterprise, university))
	e.GET("/v1/applications/:id", s.getApplication, auth, roles(admin, finance, enterprise, university))
	e.PUT("/v1/applications/:id", s.correctApplication, auth, roles(admin, finance, enterprise, university))
	e.POST("/v1/applications/:id/attachments", s.addAttachment, auth, roles(admin, finance, enterprise, university))
	e.GET("/v1/applications/:id/attachments/:n", s.getAttachment, auth, roles(admin, finance, enterprise, university))
	e.POST("/v1/applications/:id/accept", s.acceptApplication, auth, roles(admin, finance), idem)
	e.POST("/v1/applications/:id/return", s.returnApplication, auth, roles(admin, finance), idem)
	e.POST("/v1/applications/:id/reject", s.rejectApplication, auth, roles(admin, finance), idem)

	// The finance bureau's own work around payouts: forecasts (资金测算),
	// budgets (预算指标).
	e.POST("/v1/forecasts", s.createForecast, auth, roles(admin, finance))
	e.GET("/v1/budgets", s.listBudgets, auth, roles(admin, finance))
	e.PUT("/v1/budgets/:payer/:year", s.putBudget, auth, roles(admin, finance))

	// Credit verification (tax officers).
	e.POST("/v1/credit-verifications", s.verifyCredit, auth, roles(admin, tax), idem)
	e.GET("/v1/enterprises/:credit_code/credit-verifications", s.listVerifications, auth, roles(admin, tax))

	// The key itself, for any role; key management and the audit trail.
	e.GET("/v1/whoami", s.whoami, auth)
	e.POST("/v1/keys", s.createKey, auth, roles(admin))
	e.GET("/v1/keys", s.listKeys, auth, roles(admin))
	e.POST("/v1/keys/:id/revoke", s.revokeKey, auth, roles(admin))
	e.GET("/v1/audit", s.listAudit, auth, roles(admin))
}
