package app

import (
	"slices"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// isSubjectKey reports whether the actor is an enterprise's or a
// university's own key.
func isSubjectKey(a models.Actor) bool {
	return a.Role == models.RoleEnterprise || a.Role == models.RoleUniversity
}

// mayRead reports whether the actor may read the data of a subject of the
// given kind: staff read every subject; a subject key only itself. A
// subject key asking for another subject must be answered exactly as if
// the subject did not exist, so callers give the same
// not-found error for both.
func mayRead(a models.Actor, kind, code string) bool {
	if !isSubjectKey(a) {
		return true
	}
	return a.Role == kind && a.Subject == code
}

// canRead is mayRead as an error: nil when the actor may read the subject,
// otherwise the not-found a missing subject of that kind gives.
func canRead(a models.Actor, kind, code string) error {
	switch {
	case mayRead(a, kind, code):
		return nil
	case kind == models.KindEnterprise:
		return models.EnterpriseNotFound(code)
	}
	return models.UniversityNotFound(code)
}

// ownSubject is the subject a request of the actor's is about: a subject
// key's own (naming another subject is not found, as if it did not exist),
// or the one staff name ("" for none).
func ownSubject(a models.Actor, named string) (string, error) {
	if !isSubjectKey(a) {
		return named, nil
	}
	if named != "" && named != a.Subject {
		return "", models.NotFound("主体 %s", "subject %s", named)
	}
	return a.Subject, nil
}

// keepApart keeps clerk and approver apart (审核与经办分离): an actor whose key
// is one of the clerks' (the keys that prepared what is to be decided) may
// not decide on it, whatever its role. An office of one person turns it off
// (Options.NoFourEyes).
func (s *Service) keepApart(actor models.Actor, clerks ...string) error {
	if !s.fourEyes || !slices.Contains(clerks, actor.KeyID) {
		return nil
	}
	return models.Errorf(models.CodeForbidden,
		"审核与经办分离：经办人不能审核自己经办的事项",
		"four eyes: a key may not decide on what it prepared itself")
}

// payeeFor is a payee account as the actor may read it: whole for finance
// and admin, who pay it; with the account number masked to its last four
// digits for anyone else (the subject's own key, a tax officer).
func payeeFor(a models.Actor, p *models.Payee) *models.Payee {
	if p == nil || a.Role == models.RoleFinance || a.Role == models.RoleAdmin {
		return p
	}
	masked := p.Masked()
	return &masked
}

// payoutFor is a payout as the actor may read it: a subject key does not
// see which staff key approved it.
func payoutFor(a models.Actor, p models.Payout) models.Payout {
	if isSubjectKey(a) {
		p.ApprovedBy = ""
	}
	return p
}
