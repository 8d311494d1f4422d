package input

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wenzhou-subsidy/subsidy/engine"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// Decoder turns request bodies into checked values: the JSON reader, then
// validation, then (for an evaluation) the engine's checks, with every
// problem reported together.
type Decoder struct {
	engine    *engine.Engine
	validator *Validator
}

// NewDecoder returns a Decoder checking evaluations against eng's rules.
func NewDecoder(eng *engine.Engine) *Decoder {
	return &Decoder{engine: eng, validator: NewValidator()}
}

// Validator returns the decoder's validator, for values that come from
// elsewhere than a JSON body.
func (d *Decoder) Validator() *Validator { return d.validator }

// Validate checks a value that comes from elsewhere than a JSON body (the
// command line, a generated registry) as Decode checks a body.
func (d *Decoder) Validate(v any) error {
	var probs problems
	d.validator.checkInto(v, &probs)
	probs.sort()
	return probs.err()
}

// Decode reads a JSON body into v (a pointer to a struct; fields tagged
// json:"-" may be set beforehand) and validates it. Bad input gives a
// *models.Error with code invalid naming the bad fields.
func (d *Decoder) Decode(body []byte, v any) error {
	var probs problems
	if err := readJSON(body, v, &probs); err != nil {
		return err
	}
	if !probs.full() {
		d.validator.checkInto(v, &probs)
	}
	probs.sort()
	return probs.err()
}

// Evaluate decodes a POST /v1/evaluate body; a missing as_of becomes today.
func (d *Decoder) Evaluate(body []byte, today models.Date) (models.EvaluateRequest, error) {
	var req models.EvaluateRequest
	var probs problems
	if err := readJSON(body, &req, &probs); err != nil {
		return req, err
	}
	if req.AsOf.IsZero() {
		req.AsOf = today
	}
	if !probs.full() {
		d.validator.checkInto(&req, &probs)
		probs.addChecked(d.engine.Check(req))
	}
	probs.sort()
	return req, probs.err()
}

// Screening fills the defaults of a screening of the registry (a payout
// run, or a forecast) and checks them: as_of defaults to today (and may be
// after it only for a forecast, future), grant_year (nil when the client
// gave none) to as_of's year, rules to every rule that pays out; the rules
// must pay out, once each. A grant year the client gave is checked with the
// request's fields (its validate tag); one taken from as_of must be a year
// the service takes too, and is refused as as_of, the field the client
// wrote.
func (d *Decoder) Screening(asOf *models.Date, grantYear **int, rules *[]string, today models.Date, future bool) error {
	var probs problems
	if asOf.IsZero() {
		*asOf = today
	}
	if *grantYear == nil {
		year := asOf.Year()
		*grantYear = &year
		if !models.ValidYear(year) {
			probs.addAt("as_of", "year_of_date")
		}
	}
	grants := d.engine.PayoutRules()
	if len(*rules) == 0 {
		*rules = grants
	}
	if !future && asOf.After(today) {
		probs.addAt("as_of", "not_future")
	}
	for i, id := range *rules {
		switch {
		case !slices.Contains(grants, id):
			probs.addAt(fmt.Sprintf("rules[%d]", i), "oneof", strings.Join(grants, ", "))
		case slices.Contains((*rules)[:i], id):
			probs.addAt(fmt.Sprintf("rules[%d]", i), "duplicate", id)
		}
	}
	return probs.err()
}
