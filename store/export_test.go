package store

import (
	"context"

	"gorm.io/gorm"
)

// InTx lets the tests run a write transaction as the store does.
func (s *Store) InTx(ctx context.Context, fn func(tx *gorm.DB) error) error { return s.inTx(ctx, fn) }
