package store

import (
	"reflect"

	"gorm.io/gorm"
)

// match is one "column = value" condition of a list's filter; a value left
// at its type's zero value (an empty string, 0) is no condition.
type match struct {
	column string
	value  any
}

// listed narrows q to the rows that meet every set match and pages it by
// key: rows whose key comes after `after` (zero: from the first), in key
// order, at most limit of them (0: all).
func listed(q *gorm.DB, matches []match, key string, after any, limit int) *gorm.DB {
	for _, m := range matches {
		if !isZero(m.value) {
			q = q.Where(m.column+" = ?", m.value)
		}
	}
	if !isZero(after) {
		q = q.Where(key+" > ?", after)
	}
	if limit > 0 {
		q = q.Limit(limit)
	}
	return q.Order(key)
}

func isZero(v any) bool {
	return v == nil || reflect.ValueOf(v).IsZero()
}
