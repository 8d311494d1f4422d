package input

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// The cost of bad input: a body of a hundred thousand bad entries lists at
// most models.MaxFieldErrors of them and counts the rest, on every path
// that reads a client's input.

// bigBody repeats entry n times inside a list of an evaluation request.
func bigBody(list, entry string, n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"as_of":"2025-06-30","subject":{"kind":"enterprise","credit_code":"91330382MA2AB3C47E","name":"x","region":"330382","` + list + `":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(entry)
	}
	b.WriteString(`]}}`)
	return b.Bytes()
}

func wantBounded(t *testing.T, err error, wantTotal int) {
	t.Helper()
	var me *models.Error
	if !errors.As(err, &me) || me.Code != models.CodeInvalid {
		t.Fatalf("want invalid input, got %v", err)
	}
	if len(me.Fields) != models.MaxFieldErrors {
		t.Errorf("%d fields listed, want %d", len(me.Fields), models.MaxFieldErrors)
	}
	if got := len(me.Fields) + me.Omitted; got < wantTotal {
		t.Errorf("%d listed + %d omitted = %d problems, want at least %d", len(me.Fields), me.Omitted, got, wantTotal)
	}
}

func TestBadInputIsBounded(t *testing.T) {
	dec := NewDecoder(mustEngine(t))
	today := models.MustDate("2025-06-30")
	t.Run("empty certifications", func(t *testing.T) {
		_, err := dec.Evaluate(bigBody("certifications", `{}`, 20000), today)
		wantBounded(t, err, 40000) // level and certified_on missing in each
	})
	t.Run("rules of the wrong type", func(t *testing.T) {
		body := []byte(`{"rules":[` + strings.Repeat(`1,`, 100000) + `1],"subject":{"kind":"university"}}`)
		_, err := dec.Evaluate(body, today)
		wantBounded(t, err, 100001)
	})
	t.Run("bad values that parse", func(t *testing.T) {
		body := `{"subject":{"kind":"university","code":"u","name":"u","ownership":"public","affiliation":"city","grant_year":2025,"donations":[` +
			strings.Repeat(`{"amount":"1","form":"gold","via_foundation":true},`, 5000) + `{"amount":"1","form":"cash","via_foundation":true}]}}`
		_, err := dec.Evaluate([]byte(body), today)
		wantBounded(t, err, 5000)
	})
	t.Run("distinct bad grants and years", func(t *testing.T) {
		var grants, years strings.Builder
		for i := range 15000 {
			if i > 0 {
				grants.WriteByte(',')
				years.WriteByte(',')
			}
			fmt.Fprintf(&grants, `{"level":"l%d","amount":"1.00"}`, i)
			fmt.Fprintf(&years, `{"year":%d,"investment":"1","fiscal_subsidy":"0","education_surcharge":"1","local_education_surcharge":"1"}`, 3000+i)
		}
		// Too many entries: the list is refused as such, and the rules
		// that compare entries (no level or year twice) stay linear
		// (BenchmarkBadInputMiB in api measures it).
		for list, body := range map[string]string{"grants_received": grants.String(), "credit_years": years.String()} {
			_, err := dec.Evaluate(bigBody(list, body, 1), today)
			var me *models.Error
			if !errors.As(err, &me) || len(me.Fields) != 1 || me.Fields[0].Field != "subject."+list || me.Fields[0].Code != "max_items" {
				t.Errorf("%s: %v", list, err)
			}
		}
	})
	t.Run("a certification list of bad lines", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("统一社会信用代码,企业名称,所在地,认定等级,认定日期\n")
		for i := range 20000 {
			fmt.Fprintf(&b, "bad%d,,火星,县级,2024-13-01\n", i)
		}
		_, err := CertificationList([]byte(b.String()), nil)
		wantBounded(t, err, 100000)
	})
}
