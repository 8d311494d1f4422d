package main

import (
	"context"
	"errors"
	"io"
)

func cmdKeys(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	return errors.New("keys: not built yet")
}
