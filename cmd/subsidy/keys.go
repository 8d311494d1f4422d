package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wenzhou-subsidy/subsidy/app"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// cliActor is who the audit trail names for changes made from the command line.
var cliActor = models.Actor{KeyID: "cli", Role: models.RoleAdmin}

// cmdKeys manages API keys: create prints a new key alone on its last line
// (only its hash is stored, so it is shown once), list shows every key,
// revoke revokes one.
func cmdKeys(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || !slices.Contains([]string{"create", "list", "revoke"}, args[0]) {
		return usageError{fmt.Errorf("want keys create|list|revoke")}
	}
	verb := args[0]
	fs := flagSet("keys "+verb, stdout)
	db := dbFlag(fs, getenv)
	var req models.KeyEntry
	fs.StringVar(&req.Role, "role", "", "role of the new key: "+strings.Join(models.Roles, ", "))
	fs.StringVar(&req.Subject, "subject", "", "credit code (enterprise) or university code (university) the key is bound to")
	fs.StringVar(&req.Label, "label", "", "a note on what the key is for")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	svc, st, err := openService(ctx, *db, "", app.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	defer st.Close()

	switch verb {
	case "create":
		key, err := svc.CreateKey(ctx, cliActor, req)
		if models.CodeOf(err) == models.CodeInvalid {
			return usageError{err}
		}
		if err != nil {
			return fmt.Errorf("create key: %w", err)
		}
		fmt.Fprintf(stdout, "created key %s (role %s%s); it is shown only now:\n%s\n", key.ID, key.Role, subjectNote(key.Subject), key.Secret)
	case "list":
		keys, err := svc.ListKeys(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tROLE\tSUBJECT\tLABEL\tCREATED\tREVOKED")
		for _, k := range keys {
			revoked := ""
			if k.RevokedAt != nil {
				revoked = k.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Role, k.Subject, k.Label, k.CreatedAt.Format(time.RFC3339), revoked)
		}
		return tw.Flush()
	case "revoke":
		if fs.NArg() != 1 {
			return usageError{fmt.Errorf("want the id of the key to revoke")}
		}
		key, err := svc.RevokeKey(ctx, cliActor, fs.Arg(0))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked key %s (role %s%s)\n", key.ID, key.Role, subjectNote(key.Subject))
	}
	return nil
}

func subjectNote(subject string) string {
	if subject == "" {
		return ""
	}
	return ", subject " + subject
}
