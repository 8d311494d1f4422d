package store

import (
	"testing"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
)

// TestListedBuildsOnlySetConditions checks the SQL a list runs: a filter
// left empty adds no condition, and paging starts after the given key.
func TestListedBuildsOnlySetConditions(t *testing.T) {
	db, err := gorm.Open(sqlite.Open(":memory:"), &gorm.Config{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		matches []match
		key     string
		after   any
		limit   int
		want    string
	}{
		{"nothing set", []match{{"rule", ""}, {"run_id", int64(0)}}, "id", int64(0), 0,
			"SELECT * FROM `payouts` ORDER BY id"},
		{"strings and numbers", []match{{"rule", "cert-grant"}, {"status", ""}, {"run_id", int64(7)}}, "id", int64(0), 0,
			"SELECT * FROM `payouts` WHERE rule = ? AND run_id = ? ORDER BY id"},
		{"paged by id", nil, "id", int64(40), 20,
			"SELECT * FROM `payouts` WHERE id > ? ORDER BY id LIMIT 20"},
		{"paged by code", []match{{"region", "330302"}}, "credit_code", "91330302", 5,
			"SELECT * FROM `payouts` WHERE region = ? AND credit_code > ? ORDER BY credit_code LIMIT 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rows []payoutRow
			stmt := listed(db.Model(&payoutRow{}), tt.matches, tt.key, tt.after, tt.limit).Find(&rows).Statement
			if got := stmt.SQL.String(); got != tt.want {
				t.Errorf("SQL = %q, want %q", got, tt.want)
			}
		})
	}
}
