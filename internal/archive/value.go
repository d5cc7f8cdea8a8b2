package archive

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/softcascade/softcascade/internal/errs"
)

// A value is written as JSON: null, true, false, an integer as a JSON
// number (exact: read back with json.Number), a valid UTF-8 string as a
// JSON string, and the rest as a one-key object:
//
//	{"b":"<base64>"}   []byte
//	{"s":"<base64>"}   a string that is not valid UTF-8
//	{"f":"1.5"}        float64, shortest exact text (also NaN, +Inf, -Inf)
//	{"t":"2026-01-02T03:04:05.123456789+01:00"}  time.Time, full precision and offset

// AppendValue appends v's JSON form to buf.
func AppendValue(buf []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(buf, "null"...), nil
	case bool:
		return strconv.AppendBool(buf, x), nil
	case int64:
		return strconv.AppendInt(buf, x, 10), nil
	case int:
		return strconv.AppendInt(buf, int64(x), 10), nil
	case int32:
		return strconv.AppendInt(buf, int64(x), 10), nil
	case uint64:
		return strconv.AppendUint(buf, x, 10), nil
	case float64:
		return tagged(buf, "f", strconv.FormatFloat(x, 'g', -1, 64)), nil
	case float32:
		return tagged(buf, "f", strconv.FormatFloat(float64(x), 'g', -1, 32)), nil
	case string:
		if !utf8.ValidString(x) {
			return tagged(buf, "s", base64.StdEncoding.EncodeToString([]byte(x))), nil
		}
		return appendString(buf, x)
	case []byte:
		return tagged(buf, "b", base64.StdEncoding.EncodeToString(x)), nil
	case time.Time:
		return tagged(buf, "t", x.Format(time.RFC3339Nano)), nil
	}
	return buf, fmt.Errorf("softcascade: archive: value of type %T cannot be archived", v)
}

func appendString(buf []byte, s string) ([]byte, error) {
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c >= 0x20 && c != '"' && c != '\\' && c < 0x7f
	}
	if plain { // the common case: nothing to escape
		buf = append(buf, '"')
		buf = append(buf, s...)
		return append(buf, '"'), nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return buf, err
	}
	return append(buf, bytes.TrimRight(b.Bytes(), "\n")...), nil
}

func tagged(buf []byte, tag, text string) []byte {
	buf = append(buf, `{"`...)
	buf = append(buf, tag...)
	buf = append(buf, `":"`...)
	buf = append(buf, text...) // base64, numbers and RFC 3339 need no escaping
	return append(buf, `"}`...)
}

// DecodeValue reads a value written by AppendValue (decoded by a
// json.Decoder with UseNumber, into an any).
func DecodeValue(v any) (any, error) {
	switch x := v.(type) {
	case nil, bool, string:
		return x, nil
	case json.Number:
		n, err := strconv.ParseInt(string(x), 10, 64)
		if err == nil {
			return n, nil
		}
		u, uerr := strconv.ParseUint(string(x), 10, 64)
		if uerr == nil {
			return u, nil
		}
		return nil, fmt.Errorf("softcascade: archive: number %.40s is not a 64-bit integer", x)
	case map[string]any:
		if len(x) != 1 {
			return nil, fmt.Errorf("softcascade: archive: malformed value (an object with %d keys)", len(x))
		}
		for tag, raw := range x {
			text, ok := raw.(string)
			if !ok {
				return nil, fmt.Errorf("softcascade: archive: malformed %q value", tag)
			}
			return decodeTagged(tag, text)
		}
	}
	return nil, fmt.Errorf("softcascade: archive: malformed value of JSON type %T", v)
}

func decodeTagged(tag, text string) (any, error) {
	switch tag {
	case "b":
		b, err := base64.StdEncoding.DecodeString(text)
		if err != nil {
			return nil, errs.Wrap(err, "archive: binary value")
		}
		return b, nil
	case "s":
		b, err := base64.StdEncoding.DecodeString(text)
		if err != nil {
			return nil, errs.Wrap(err, "archive: string value")
		}
		return string(b), nil
	case "f":
		f, err := strconv.ParseFloat(text, 64)
		if err != nil && !math.IsInf(f, 0) {
			return nil, errs.Wrap(err, "archive: float value")
		}
		return f, nil
	case "t":
		t, err := time.Parse(time.RFC3339Nano, text)
		if err != nil {
			return nil, errs.Wrap(err, "archive: time value")
		}
		return t, nil
	}
	return nil, fmt.Errorf("softcascade: archive: unknown value tag %.20q", tag)
}
