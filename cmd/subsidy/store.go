package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/wenzhou-subsidy/subsidy/store"
)

// openStore opens (and migrates) the database named by dsn: a SQLite file
// path or a postgres:// URL.
func openStore(ctx context.Context, dsn string, logger *slog.Logger) (*store.Store, error) {
	st, err := store.Open(ctx, dsn, store.Options{Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", redact(dsn), err)
	}
	return st, nil
}

// redact hides a password in a database URL before it is printed.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
