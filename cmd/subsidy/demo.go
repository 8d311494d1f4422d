package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/wenzhou-subsidy/subsidy/app"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// demoRegistryJSON is the demo registry (demo/README.md says what a payout
// run over it records), built into the binary so that make run works from
// any directory.
//
//go:embed demo/registry.json
var demoRegistryJSON []byte

// demoRegistry is the shape of demo/registry.json.
type demoRegistry struct {
	Enterprises []struct {
		models.EnterpriseRecord
		Certifications []models.Certification `json:"certifications"`
		CreditYears    []models.CreditYear    `json:"credit_years"`
	} `json:"enterprises"`
	Universities []struct {
		models.UniversityRecord
		Donations []models.Donation `json:"donations"`
	} `json:"universities"`
}

// demoLabel marks the keys serve --demo makes, so that the next start can
// revoke them.
const demoLabel = "demo"

// loadDemo loads the demo registry into an empty database, then revokes the
// previous demo keys and prints new ones. It refuses a database that holds
// a registry it did not load: --demo left on in production must not mint
// admin keys.
func loadDemo(ctx context.Context, svc *app.Service, stdout io.Writer) error {
	empty, err := registryEmpty(ctx, svc)
	if err != nil {
		return err
	}
	keys, err := svc.ListKeys(ctx)
	if err != nil {
		return err
	}
	demoBefore := slices.ContainsFunc(keys, func(k models.APIKey) bool { return k.Label == demoLabel })
	if !empty && !demoBefore {
		return usageError{fmt.Errorf("--demo: this database holds a registry the demo did not load; start without --demo")}
	}
	if empty {
		if err := importDemo(ctx, svc); err != nil {
			return fmt.Errorf("demo registry: %w", err)
		}
		fmt.Fprintln(stdout, "subsidy: loaded the demo registry")
	}
	for _, k := range keys {
		if k.Label == demoLabel && k.RevokedAt == nil {
			if _, err := svc.RevokeKey(ctx, cliActor, k.ID); err != nil {
				return err
			}
		}
	}
	for _, role := range []string{models.RoleAdmin, models.RoleFinance} {
		key, err := svc.CreateKey(ctx, cliActor, app.KeyRequest{Role: role, Label: demoLabel})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "subsidy: demo %s key: %s\n", role, key.Secret)
	}
	return nil
}

func registryEmpty(ctx context.Context, svc *app.Service) (bool, error) {
	ents, err := svc.ListEnterprises(ctx, cliActor, models.EnterpriseFilter{Limit: 1})
	if err != nil {
		return false, err
	}
	unis, err := svc.ListUniversities(ctx, "", 1)
	if err != nil {
		return false, err
	}
	return len(ents) == 0 && len(unis) == 0, nil
}

// importDemo registers the demo registry through the use cases, as a
// clerk would.
func importDemo(ctx context.Context, svc *app.Service) error {
	var reg demoRegistry
	if err := json.Unmarshal(demoRegistryJSON, &reg); err != nil {
		return err
	}
	for _, e := range reg.Enterprises {
		entry := models.EnterpriseEntry{CreditCode: e.CreditCode, Name: e.Name, Region: e.Region, Parent: e.Parent}
		if _, _, err := svc.PutEnterprise(ctx, cliActor, entry); err != nil {
			return err
		}
		for _, c := range e.Certifications {
			if _, err := svc.AddCertification(ctx, cliActor, e.CreditCode, c); err != nil {
				return err
			}
		}
		for _, y := range e.CreditYears {
			entry := models.CreditYearEntry{
				CreditCode: e.CreditCode, Year: y.Year, Investment: y.Investment, FiscalSubsidy: y.FiscalSubsidy,
				Withdrawn: y.Withdrawn, EducationSurcharge: y.EducationSurcharge, LocalEducationSurcharge: y.LocalEducationSurcharge,
			}
			if _, _, err := svc.PutCreditYear(ctx, cliActor, entry); err != nil {
				return err
			}
		}
	}
	for _, u := range reg.Universities {
		entry := models.UniversityEntry{Code: u.Code, Name: u.Name, Ownership: u.Ownership, Affiliation: u.Affiliation}
		if _, _, err := svc.PutUniversity(ctx, cliActor, entry); err != nil {
			return err
		}
		for _, d := range u.Donations {
			if _, err := svc.AddDonation(ctx, cliActor, u.Code, d); err != nil {
				return err
			}
		}
	}
	return nil
}
