package app

import "github.com/wenzhou-subsidy/subsidy/models"

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
