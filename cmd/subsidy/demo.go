package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

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

// demoLabel marks the keys serve --demo makes ("demo: " and what each is
// for), so that the next start can revoke them.
const demoLabel = "demo"

func isDemoKey(k models.APIKey) bool {
	return k.Label == demoLabel || strings.HasPrefix(k.Label, demoLabel+": ")
}

// demoEnterprise is the demo registry's enterprise whose own key the demo
// prints: 乐清电气科技有限公司, due a city and a province grant.
const demoEnterprise = "91330382MA2C00005A"

// demoUniversity is the demo registry's city-owned university whose own key
// the demo prints: 温州职业技术学院, due a donation match.
const demoUniversity = "wzvtc"

// demoKeySpecs are the keys a person needs to walk the whole flow, each with
// what it is for: the finance bureau's clerk (经办人) registers, starts the
// payout runs and marks payouts paid; its approver (审核人), a second
// finance key, approves or rejects them (four eyes); tax records credit
// years; the enterprise and the university see their own and apply (申报).
var demoKeySpecs = []struct {
	name string // as printed: "subsidy: demo <name> key (<label>): sk_…"
	req  models.KeyEntry
}{
	{"admin", models.KeyEntry{Role: models.RoleAdmin, Label: "demo: 管理员 admin"}},
	{"clerk", models.KeyEntry{Role: models.RoleFinance, Label: "demo: 财政 经办人 clerk - registers, starts payout runs, marks paid"}},
	{"approver", models.KeyEntry{Role: models.RoleFinance, Label: "demo: 财政 审核人 approver - approves or rejects payouts"}},
	{"tax", models.KeyEntry{Role: models.RoleTax, Label: "demo: 税务 tax - credit years and verifications"}},
	{"enterprise", models.KeyEntry{Role: models.RoleEnterprise, Subject: demoEnterprise, Label: "demo: 企业 enterprise - 乐清电气科技有限公司 " + demoEnterprise}},
	{"university", models.KeyEntry{Role: models.RoleUniversity, Subject: demoUniversity, Label: "demo: 高校 university - 温州职业技术学院 " + demoUniversity}},
}

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
	demoBefore := slices.ContainsFunc(keys, isDemoKey)
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
		if isDemoKey(k) && k.RevokedAt == nil {
			if _, err := svc.RevokeKey(ctx, cliActor, k.ID); err != nil {
				return err
			}
		}
	}
	fmt.Fprintln(stdout, "subsidy: demo keys (shown once; those of an earlier start are revoked):")
	for _, d := range demoKeySpecs {
		key, err := svc.CreateKey(ctx, cliActor, d.req)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "subsidy: demo %s key (%s): %s\n", d.name, strings.TrimPrefix(d.req.Label, demoLabel+": "), key.Secret)
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
		entry := models.EnterpriseEntry{CreditCode: e.CreditCode, Name: e.Name, Region: e.Region, Parent: e.Parent, Payee: e.Payee}
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
		entry := models.UniversityEntry{Code: u.Code, Name: u.Name, Ownership: u.Ownership, Affiliation: u.Affiliation, Payee: u.Payee}
		if _, _, err := svc.PutUniversity(ctx, cliActor, entry); err != nil {
			return err
		}
		for _, d := range u.Donations {
			entry := models.DonationEntry{Amount: d.Amount, Form: d.Form, ViaFoundation: d.ViaFoundation, ArrivedOn: d.ArrivedOn}
			if _, err := svc.AddDonation(ctx, cliActor, u.Code, entry); err != nil {
				return err
			}
		}
	}
	return nil
}
