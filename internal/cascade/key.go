package cascade

import (
	"fmt"
	"strconv"
	"strings"
)

// KeyString identifies a row key (one value per key column) in a map: the
// values as text, each quoted, so that ("a", "bc") and ("ab", "c") differ
// while an int64 and a uint of the same value, as drivers and Go models
// give them, agree.
func KeyString(key []any) string {
	parts := make([]string, len(key))
	for i, v := range key {
		parts[i] = strconv.Quote(fmt.Sprint(v))
	}
	return strings.Join(parts, ",")
}
