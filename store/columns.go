package store

import (
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// date is a models.Date in a column: written as 'YYYY-MM-DD' (which SQLite
// keeps as text and PostgreSQL reads into DATE), NULL for the zero Date.
type date struct{ models.Date }

func (d date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

func (d *date) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		d.Date = models.Date{}
	case time.Time: // PostgreSQL DATE
		d.Date = models.DateOf(v)
	case string:
		return d.parse(v)
	case []byte:
		return d.parse(string(v))
	default:
		return fmt.Errorf("scan date: unexpected %T", v)
	}
	return nil
}

func (d *date) parse(s string) error {
	v, err := models.ParseDate(s)
	if err != nil {
		return fmt.Errorf("scan date: %w", err)
	}
	d.Date = v
	return nil
}

// ptr returns the date as an optional *models.Date: nil for NULL.
func (d date) ptr() *models.Date {
	if d.IsZero() {
		return nil
	}
	v := d.Date
	return &v
}

// optDate stores an optional date.
func optDate(p *models.Date) date {
	if p == nil {
		return date{}
	}
	return date{*p}
}

// jsonText is a JSON document in a column: text on SQLite (where bytes
// would be stored as a BLOB), JSON on PostgreSQL; NULL when empty.
type jsonText []byte

func (j jsonText) Value() (driver.Value, error) {
	if len(j) == 0 {
		return nil, nil
	}
	return string(j), nil
}

func (j *jsonText) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*j = nil
	case string:
		*j = jsonText(v)
	case []byte:
		*j = append(jsonText(nil), v...)
	default:
		return fmt.Errorf("scan json: unexpected %T", v)
	}
	return nil
}

// percent stores an ownership share as its decimal text ("51", "66.67"), so
// that it reads back exactly as written; empty for none.
func percentText(p models.Percent) string { return p.String() }

func parsePercent(s string) (models.Percent, error) {
	if s == "" {
		return models.Percent{}, nil
	}
	p, err := models.ParsePercent(s)
	if err != nil {
		return models.Percent{}, fmt.Errorf("scan ownership share: %w", err)
	}
	return p, nil
}

// utc returns an optional time in UTC (mattn/go-sqlite3 and pgx may hand
// back another location for the same instant).
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.UTC()
	return &v
}

// idOf reads an optional reference to a numbered row: 0 for NULL.
func idOf(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
