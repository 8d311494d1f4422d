package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// The YAML shape of a rule file; rules/README.md documents it. Decoding is
// strict: an unknown key anywhere is a load error. Expressions are kept as
// yaml.Node so that errors can name the line they are on.

type ruleYAML struct {
	ID           string               `yaml:"id"`
	Title        models.Text          `yaml:"title"`
	Subject      string               `yaml:"subject"`
	Citation     citationYAML         `yaml:"citation"`
	Parameters   map[string]paramDecl `yaml:"parameters"`
	Definitions  []definitionYAML     `yaml:"definitions"`
	Conditions   []conditionYAML      `yaml:"conditions"`
	Amount       yaml.Node            `yaml:"amount"`
	CreditLedger *creditLedgerYAML    `yaml:"credit_ledger"`
	Payout       *payoutYAML          `yaml:"payout"`
}

// payoutYAML marks a grant: who pays it and, optionally, its parts.
type payoutYAML struct {
	Payer string    `yaml:"payer"`
	Items yaml.Node `yaml:"items"`
}

type citationYAML struct {
	Document string `yaml:"document"`
	Title    string `yaml:"title"`
	Clause   string `yaml:"clause"`
	Text     string `yaml:"text"`
	// Paraphrase marks a text that restates the clause instead of quoting it.
	Paraphrase bool           `yaml:"paraphrase"`
	Related    []citationYAML `yaml:"related"`
}

func (c citationYAML) model() models.Citation {
	out := models.Citation{Document: c.Document, Title: c.Title, Clause: c.Clause, Text: c.Text, Paraphrase: c.Paraphrase}
	for _, r := range c.Related {
		out.Related = append(out.Related, r.model())
	}
	return out
}

type datedYAML struct {
	From  yaml.Node `yaml:"from"`
	Value yaml.Node `yaml:"value"`
}

type definitionYAML struct {
	Name string    `yaml:"name"`
	Expr yaml.Node `yaml:"expr"`
}

type conditionYAML struct {
	ID        string      `yaml:"id"`
	AppliesIf yaml.Node   `yaml:"applies_if"`
	Expr      yaml.Node   `yaml:"expr"`
	Message   models.Text `yaml:"message"`
}

// creditLedgerYAML is the per-year part of the surcharge credit; the
// offset is split by the rule's parameter named allocation.
type creditLedgerYAML struct {
	PerYear perYearYAML `yaml:"per_year"`
}

type perYearYAML struct {
	Definitions []definitionYAML `yaml:"definitions"`
	Conditions  []conditionYAML  `yaml:"conditions"`
	Generated   yaml.Node        `yaml:"generated"`
	Reversed    yaml.Node        `yaml:"reversed"`
}

type manifestYAML struct {
	Version string      `yaml:"version"`
	Title   models.Text `yaml:"title"`
}

// DecodeStrictYAML decodes one YAML document into v, rejecting unknown keys,
// as rule files are read (and the rule test cases beside them).
func DecodeStrictYAML(data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	return dec.Decode(v)
}

// YAMLToJSON converts a YAML value to JSON without losing the text of
// numbers: "0.30" stays 0.30, never a float. Dates stay strings.
func YAMLToJSON(n *yaml.Node) ([]byte, error) {
	var buf bytes.Buffer
	if err := writeJSON(&buf, n); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeJSON(buf *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return fmt.Errorf("line %d: empty document", n.Line)
		}
		return writeJSON(buf, n.Content[0])
	case yaml.AliasNode:
		return writeJSON(buf, n.Alias)
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!int", "!!float":
			if _, err := strconv.ParseFloat(n.Value, 64); err != nil {
				return fmt.Errorf("line %d: number %q is not plain decimal notation", n.Line, n.Value)
			}
			buf.WriteString(n.Value)
		case "!!bool":
			b, err := strconv.ParseBool(n.Value)
			if err != nil {
				return fmt.Errorf("line %d: %q is not true or false", n.Line, n.Value)
			}
			buf.WriteString(strconv.FormatBool(b))
		case "!!null":
			buf.WriteString("null")
		default:
			s, _ := json.Marshal(n.Value)
			buf.Write(s)
		}
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSON(buf, c); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case yaml.MappingNode:
		buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				buf.WriteByte(',')
			}
			k, _ := json.Marshal(n.Content[i].Value)
			buf.Write(k)
			buf.WriteByte(':')
			if err := writeJSON(buf, n.Content[i+1]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	default:
		return fmt.Errorf("line %d: no value", n.Line)
	}
	return nil
}
