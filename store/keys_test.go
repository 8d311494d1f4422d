package store_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store"
)

func TestKeys(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		admin, err := s.CreateKey(ctxT(), models.Actor{}, models.APIKey{ID: "key_admin", Role: models.RoleAdmin, Label: "bootstrap"}, "hash-admin")
		check(t, err)
		ent, err := s.CreateKey(ctxT(), actorOf(admin), models.APIKey{Role: models.RoleEnterprise, Subject: creditCode(1)}, "hash-ent")
		check(t, err)
		if !strings.HasPrefix(ent.ID, "key_") || ent.CreatedAt.IsZero() || ent.RevokedAt != nil {
			t.Fatalf("created key = %+v, want a generated id, a creation time and no revocation", ent)
		}

		got, err := s.KeyByHash(ctxT(), "hash-ent")
		check(t, err)
		if diff := cmp.Diff(ent, got); diff != "" {
			t.Errorf("KeyByHash (-want +got):\n%s", diff)
		}
		_, err = s.KeyByHash(ctxT(), "hash-unknown")
		wantCode(t, err, models.CodeNotFound)

		list, err := s.ListKeys(ctxT())
		check(t, err)
		if diff := cmp.Diff([]models.APIKey{admin, ent}, list); diff != "" {
			t.Errorf("ListKeys (-want +got):\n%s", diff)
		}

		revoked, err := s.RevokeKey(ctxT(), actorOf(admin), ent.ID)
		check(t, err)
		if revoked.RevokedAt == nil {
			t.Fatal("RevokeKey: RevokedAt not set")
		}
		again, err := s.RevokeKey(ctxT(), actorOf(admin), ent.ID)
		check(t, err)
		if diff := cmp.Diff(revoked, again); diff != "" {
			t.Errorf("revoking twice changed the key (-first +second):\n%s", diff)
		}
		got, err = s.KeyByHash(ctxT(), "hash-ent")
		check(t, err)
		if diff := cmp.Diff(revoked, got); diff != "" {
			t.Errorf("KeyByHash of a revoked key (-want +got):\n%s", diff)
		}
		_, err = s.RevokeKey(ctxT(), actorOf(admin), "key_nobody")
		wantCode(t, err, models.CodeNotFound)

		// Created, then revoked once: the second revocation recorded nothing.
		audit := auditOf(t, s, "api_key", ent.ID)
		if len(audit) != 2 {
			t.Fatalf("audit entries of %s = %d, want 2: %+v", ent.ID, len(audit), audit)
		}
		if a := audit[0]; a.Action != "key" || a.KeyID != "key_admin" || a.Before != nil || !cmp.Equal(decode[models.APIKey](t, a.After), &ent) {
			t.Errorf("creation entry = %+v, after %s", a, a.After)
		}
		if a := audit[1]; !cmp.Equal(decode[models.APIKey](t, a.Before), &ent) || !cmp.Equal(decode[models.APIKey](t, a.After), &revoked) {
			t.Errorf("revocation entry: before %s, after %s", a.Before, a.After)
		}
		for _, a := range auditOf(t, s, "api_key", "") {
			if strings.Contains(string(a.After), "hash-") {
				t.Errorf("audit entry holds a secret hash: %s", a.After)
			}
		}

		for _, tc := range []struct {
			name string
			key  models.APIKey
			hash string
			want models.ErrorCode
		}{
			{"same hash", models.APIKey{Role: models.RoleTax}, "hash-admin", models.CodeConflict},
			{"same id", models.APIKey{ID: "key_admin", Role: models.RoleTax}, "hash-other", models.CodeConflict},
			{"unknown role", models.APIKey{Role: "mayor"}, "hash-2", models.CodeInvalid},
			{"subject key without subject", models.APIKey{Role: models.RoleUniversity}, "hash-3", models.CodeInvalid},
			{"finance key with subject", models.APIKey{Role: models.RoleFinance, Subject: "x"}, "hash-4", models.CodeInvalid},
			{"no hash", models.APIKey{Role: models.RoleTax}, "", models.CodeInvalid},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.CreateKey(ctxT(), actorOf(admin), tc.key, tc.hash)
				wantCode(t, err, tc.want)
			})
		}
	})
}
