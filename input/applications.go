package input

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// CheckApplication checks what an application's facts need beyond their
// record rules, knowing its subject's kind and today's date: the rule is
// one of the subject's kind, the grant year lies within the years the rule
// grants in (its year_range parameter, in force today, read through the
// engine), and nothing claimed happened after today. Every problem is
// named by its field.
func (d *Decoder) CheckApplication(a models.ApplicationEntry, kind string, today models.Date) error {
	var probs problems
	switch ruleKind, ok := d.engine.RuleSubject(a.Rule); {
	case !ok:
		probs.addAt("rule", "unknown_rule", a.Rule)
	case ruleKind != kind:
		probs.add(models.FieldWords("rule", "rule_kind", models.Text{Zh: a.Rule, En: a.Rule}, models.KindWords[kind]))
	}
	if a.GrantYear != 0 {
		if years, ok := d.engine.GrantYears(a.Rule, today); ok && !years.Contains(a.GrantYear) {
			probs.addAt("grant_year", "range", years.String())
		}
	}
	for i, c := range a.Certifications {
		if c.CertifiedOn.After(today) {
			probs.addAt(fmt.Sprintf("certifications[%d].certified_on", i), "not_future")
		}
	}
	for i, dn := range a.Donations {
		if dn.ArrivedOn.After(today) {
			probs.addAt(fmt.Sprintf("donations[%d].arrived_on", i), "not_future")
		}
	}
	probs.sort()
	return probs.err()
}

// IfMatch reads an If-Match header that names the version of an
// application the client saw: "3" (an ETag) or 3; "" or "*" give 0, any
// version.
func IfMatch(text string) (int, error) {
	text = strings.TrimSpace(text)
	if text == "" || text == "*" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(text, `"`), `"`))
	if err != nil || n < 1 {
		return 0, models.InvalidInput(models.Field("If-Match", "if_match"))
	}
	return n, nil
}

// FileName checks the name a client gives an uploaded file, shown again
// when it is downloaded: one line, no path, at most 200 characters.
func FileName(name, text string) (string, error) {
	if !OneLine(text) || strings.ContainsAny(text, `/\`) || len([]rune(text)) > 200 {
		return "", models.InvalidInput(models.Field(name, "file_name"))
	}
	return text, nil
}
