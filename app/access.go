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
// the subject did not exist (service-v1.md), so callers give the same
// not-found error for both.
func mayRead(a models.Actor, kind, code string) bool {
	if !isSubjectKey(a) {
		return true
	}
	return a.Role == kind && a.Subject == code
}

// fourEyes keeps clerk and approver apart (审核与经办分离): an actor whose key
// is one of the clerks' (the keys that prepared what is to be decided) may
// not decide on it, whatever its role. An office of one person turns it off
// (Options.FourEyes).
func (s *Service) fourEyes(actor models.Actor, clerks ...string) error {
	if !s.fourEyesOn || !slices.Contains(clerks, actor.KeyID) {
		return nil
	}
	return models.Errorf(models.CodeForbidden,
		"审核与经办分离：经办人不能审核自己经办的事项",
		"four eyes: a key may not decide on what it prepared itself")
}
