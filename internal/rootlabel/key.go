package rootlabel

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"time"
)

// Key is a row's primary key as text: the value of a single-column key
// (42, "inv-7", a UUID), the values of a composite key as a JSON array
// ([3,"en"]), cleaned and bounded like a label (MaxKey).
func Key(values []any) string {
	if len(values) == 1 {
		return Clean(Text(values[0]), MaxKey)
	}
	parts := make([]any, len(values))
	for i, v := range values {
		t := Text(v)
		if isNumber(v) {
			parts[i] = json.Number(t)
		} else {
			parts[i] = t
		}
	}
	b, err := json.Marshal(parts)
	if err != nil { // not reached: json.Number holds a number's own text
		return Clean(fmt.Sprint(values...), MaxKey)
	}
	return Clean(string(b), MaxKey)
}

// Text is a value as text: strings as they are, numbers in decimal, times
// in RFC 3339 (UTC), a driver.Valuer's value, else fmt's %v.
func Text(v any) string {
	if vr, ok := v.(driver.Valuer); ok {
		if rv := reflect.ValueOf(v); !(rv.Kind() == reflect.Pointer && rv.IsNil()) {
			if dv, err := vr.Value(); err == nil {
				v = dv
			}
		}
	}
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case fmt.Stringer:
		return x.String()
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return ""
		}
		return Text(rv.Elem().Interface())
	case reflect.String:
		return rv.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(rv.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(rv.Float(), 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

// isNumber reports whether v is an integer or float (for the JSON form of
// a composite key).
func isNumber(v any) bool {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		_, isValuer := v.(driver.Valuer)
		return !isValuer
	}
	return false
}
