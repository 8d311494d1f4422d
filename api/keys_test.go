package api_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/wenzhou-subsidy/subsidy/api"
	"github.com/wenzhou-subsidy/subsidy/app"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// TestWhoami: every known key learns its own role, subject and label; no
// key or a revoked one is 401.
func TestWhoami(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		tests := []struct {
			role string
			want api.Whoami
		}{
			{models.RoleAdmin, api.Whoami{Role: "admin", Label: "test"}},
			{models.RoleFinance, api.Whoami{Role: "finance", Label: "test"}},
			{models.RoleTax, api.Whoami{Role: "tax", Label: "test"}},
			{models.RoleEnterprise, api.Whoami{Role: "enterprise", Subject: entA, Label: "test"}},
			{models.RoleUniversity, api.Whoami{Role: "university", Subject: uniCode, Label: "test"}},
		}
		for _, tt := range tests {
			got := decode[api.Whoami](t, h.must(200, tt.role, "GET", "/v1/whoami", ""))
			if !strings.HasPrefix(got.KeyID, "key_") {
				t.Errorf("%s: key id %q", tt.role, got.KeyID)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(api.Whoami{}, "KeyID")); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.role, diff)
			}
		}
		h.must(401, "", "GET", "/v1/whoami", "")
	})
}

// TestKeyManagement: an admin creates a key (its secret shown once, never
// listed), the key works, is listed, is revoked and then refused; every
// change is audited without the secret; only admins may manage keys.
func TestKeyManagement(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		rec := h.must(201, "admin", "POST", "/v1/keys", `{"role":"enterprise","subject":"`+entA+`","label":"示例电气 财务部"}`)
		if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q, want no-store", cc)
		}
		created := decode[app.NewKey](t, rec)
		if !strings.HasPrefix(created.Secret, "sk_") || created.Role != "enterprise" || created.Subject != entA || created.Label != "示例电气 财务部" {
			t.Fatalf("created %+v", created)
		}
		h.keys["new"] = created.Secret
		me := decode[api.Whoami](t, h.must(200, "new", "GET", "/v1/whoami", ""))
		if me.KeyID != created.ID || me.Role != "enterprise" {
			t.Errorf("the new key is %+v", me)
		}

		list := h.must(200, "admin", "GET", "/v1/keys", "")
		if strings.Contains(list.Body.String(), created.Secret) || strings.Contains(list.Body.String(), app.HashKey(created.Secret)) {
			t.Error("the key list shows a secret or its hash")
		}
		keys := decode[struct {
			Keys []models.APIKey `json:"keys"`
		}](t, list)
		last := len(keys.Keys) - 1
		if len(keys.Keys) != len(h.keys) || keys.Keys[last].ID != created.ID || keys.Keys[last].RevokedAt != nil {
			t.Errorf("keys %+v", keys.Keys)
		}

		revoked := decode[models.APIKey](t, h.must(200, "admin", "POST", "/v1/keys/"+created.ID+"/revoke", ""))
		if revoked.RevokedAt == nil {
			t.Errorf("revoked %+v", revoked)
		}
		h.must(401, "new", "GET", "/v1/whoami", "")
		again := decode[models.APIKey](t, h.must(200, "admin", "POST", "/v1/keys/"+created.ID+"/revoke", "{}"))
		if !again.RevokedAt.Equal(*revoked.RevokedAt) {
			t.Errorf("revoking again moved revoked_at from %v to %v", revoked.RevokedAt, again.RevokedAt)
		}
		h.must(404, "admin", "POST", "/v1/keys/key_nosuchkey/revoke", "")
		h.must(400, "admin", "POST", "/v1/keys/"+created.ID+"/revoke", `{"why":"x"}`)

		audit := h.must(200, "admin", "GET", "/v1/audit?entity=api_key&entity_id="+created.ID, "")
		if strings.Contains(audit.Body.String(), created.Secret) || strings.Contains(audit.Body.String(), app.HashKey(created.Secret)) {
			t.Error("the audit trail shows the secret or its hash")
		}
		entries := decode[struct {
			Entries []models.AuditEntry `json:"entries"`
		}](t, audit)
		if len(entries.Entries) != 2 || entries.Entries[0].Role != models.RoleAdmin {
			t.Errorf("audit %+v", entries.Entries)
		}

		for _, role := range []string{"finance", "tax", "enterprise", "university"} {
			h.must(403, role, "GET", "/v1/keys", "")
			h.must(403, role, "POST", "/v1/keys", `{"role":"admin"}`)
			h.must(403, role, "POST", "/v1/keys/"+created.ID+"/revoke", "")
		}
		h.must(401, "", "POST", "/v1/keys", `{"role":"admin"}`)
	})
}

// TestCreateKeyRefusals: each bad request is refused at the field it names.
func TestCreateKeyRefusals(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		tests := []struct {
			body  string
			field string
		}{
			{`{"role":"mayor"}`, "role"},
			{`{"label":"x"}`, "role"},
			{`{"role":"enterprise"}`, "subject"},
			{`{"role":"enterprise","subject":"91330382MA2AB3C47F"}`, "subject"},
			{`{"role":"university","subject":"` + entA + `"}`, "subject"},
			{`{"role":"finance","subject":"wzvtc"}`, "subject"},
			{`{"role":"tax","label":"two\nlines"}`, "label"},
			{`{"role":"tax","secret":"sk_mine"}`, "secret"},
		}
		for _, tt := range tests {
			p := decode[api.Problem](t, h.must(400, "admin", "POST", "/v1/keys", tt.body))
			if len(p.Errors) != 1 || p.Errors[0].Field != tt.field {
				t.Errorf("%s: errors %+v, want one at %s", tt.body, p.Errors, tt.field)
			}
		}
	})
}
