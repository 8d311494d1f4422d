package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// demoRegistry is the shape of testdata/demo/registry.json.
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
// previous demo keys and prints a new admin and finance key. It refuses a
// database that holds a registry it did not load: --demo left on in
// production must not mint admin keys.
func loadDemo(ctx context.Context, st models.Store, file string, stdout io.Writer) error {
	empty, err := registryEmpty(ctx, st)
	if err != nil {
		return err
	}
	keys, err := st.ListKeys(ctx)
	if err != nil {
		return err
	}
	demoBefore := slices.ContainsFunc(keys, func(k models.APIKey) bool { return k.Label == demoLabel })
	if !empty && !demoBefore {
		return usageError{fmt.Errorf("--demo: this database holds a registry the demo did not load; start without --demo")}
	}
	if empty {
		if err := importDemo(ctx, st, file); err != nil {
			return fmt.Errorf("demo registry %s: %w", file, err)
		}
		fmt.Fprintf(stdout, "subsidy: loaded the demo registry from %s\n", file)
	}
	for _, k := range keys {
		if k.Label == demoLabel && k.RevokedAt == nil {
			if _, err := st.RevokeKey(ctx, cliActor, k.ID); err != nil {
				return err
			}
		}
	}
	for _, role := range []string{models.RoleAdmin, models.RoleFinance} {
		_, secret, err := createKey(ctx, st, role, "", demoLabel)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "subsidy: demo %s key: %s\n", role, secret)
	}
	return nil
}

func registryEmpty(ctx context.Context, st models.Store) (bool, error) {
	ents, err := st.ListEnterprises(ctx, models.EnterpriseFilter{Limit: 1})
	if err != nil {
		return false, err
	}
	unis, err := st.ListUniversities(ctx, "", 1)
	if err != nil {
		return false, err
	}
	return len(ents) == 0 && len(unis) == 0, nil
}

func importDemo(ctx context.Context, st models.Store, file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var reg demoRegistry
	if err := json.Unmarshal(data, &reg); err != nil {
		return err
	}
	for _, e := range reg.Enterprises {
		if _, _, err := st.PutEnterprise(ctx, cliActor, e.EnterpriseRecord); err != nil {
			return err
		}
		for _, c := range e.Certifications {
			rec := models.CertificationRecord{CreditCode: e.CreditCode, Level: c.Level, CertifiedOn: c.CertifiedOn, RevokedOn: c.RevokedOn}
			if _, err := st.AddCertification(ctx, cliActor, rec); err != nil {
				return err
			}
		}
		for _, y := range e.CreditYears {
			rec := models.CreditYearRecord{
				CreditCode: e.CreditCode, Year: y.Year, Investment: y.Investment, FiscalSubsidy: y.FiscalSubsidy,
				Withdrawn: y.Withdrawn, EducationSurcharge: y.EducationSurcharge, LocalEducationSurcharge: y.LocalEducationSurcharge,
			}
			if _, _, err := st.PutCreditYear(ctx, cliActor, rec); err != nil {
				return err
			}
		}
	}
	for _, u := range reg.Universities {
		if _, _, err := st.PutUniversity(ctx, cliActor, u.UniversityRecord); err != nil {
			return err
		}
		for _, d := range u.Donations {
			rec := models.DonationRecord{UniversityCode: u.Code, Amount: d.Amount, Form: d.Form, ViaFoundation: d.ViaFoundation, ArrivedOn: d.ArrivedOn}
			if _, err := st.AddDonation(ctx, cliActor, rec); err != nil {
				return err
			}
		}
	}
	return nil
}
