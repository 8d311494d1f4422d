package store

import (
	"context"

	"gorm.io/gorm"
)

// InTx lets the tests run a write transaction as the store does.
func (s *Store) InTx(ctx context.Context, fn func(tx *gorm.DB) error) error { return s.inTx(ctx, fn) }

// DB is the store's database handle, for tests that hook into gorm.
func (s *Store) DB() *gorm.DB { return s.db }
