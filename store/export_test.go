package store

import (
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// InTx lets the tests run a write transaction as the store does.
func (s *Store) InTx(ctx context.Context, fn func(tx *gorm.DB) error) error { return s.inTx(ctx, fn) }

// NoDriverText fails the test when a message a client reads shows what a
// database driver says: its text, a constraint or a SQLSTATE.
func NoDriverText(t testing.TB, e *models.Error) {
	t.Helper()
	texts := []models.Text{e.Message}
	for _, f := range e.Fields {
		texts = append(texts, f.Text)
	}
	for _, text := range texts {
		for _, msg := range []string{text.Zh, text.En} {
			for _, driver := range []string{"server says", "CHECK", "constraint failed", "violates", "constraint \"", "_set", "_check", "2351", "2350", "SQLSTATE"} {
				if strings.Contains(msg, driver) {
					t.Errorf("message %q shows the driver's text (%q)", msg, driver)
				}
			}
			if e.Err != nil && strings.Contains(msg, e.Err.Error()) {
				t.Errorf("message %q shows the cause %q", msg, e.Err)
			}
		}
	}
}

// DB is the store's database handle, for tests that hook into gorm.
func (s *Store) DB() *gorm.DB { return s.db }
