package archive

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"
)

func TestValueRoundTrip(t *testing.T) {
	at := time.Date(2024, 2, 29, 23, 59, 58, 123456789, time.FixedZone("", 5*3600+30*60))
	values := []any{nil, true, false, int64(0), int64(math.MaxInt64), int64(math.MinInt64), uint64(math.MaxUint64),
		1.5, 0.1 + 0.2, math.Inf(1), math.Inf(-1), "", "plain", "q\"uote\\ \n\t\x01 ünï 𝄞 \u2028", string([]byte{0xff, 'a'}),
		[]byte{}, []byte{0, 1, 0xff}, at, at.UTC()}
	for _, v := range values {
		b, err := AppendValue(nil, v)
		if err != nil {
			t.Fatalf("%v: %v", v, err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var raw any
		if err := dec.Decode(&raw); err != nil {
			t.Fatalf("%v: %s: %v", v, b, err)
		}
		got, err := DecodeValue(raw)
		if err != nil {
			t.Fatalf("%v: %v", v, err)
		}
		switch w := v.(type) {
		case time.Time:
			g := got.(time.Time)
			if !g.Equal(w) || g.Format(time.RFC3339Nano) != w.Format(time.RFC3339Nano) {
				t.Errorf("time %v came back %v", w, g)
			}
		case []byte:
			if !bytes.Equal(got.([]byte), w) {
				t.Errorf("bytes %v came back %v", w, got)
			}
		default:
			if got != v {
				t.Errorf("%#v came back %#v (%s)", v, got, b)
			}
		}
	}
	f, _ := AppendValue(nil, math.NaN())
	var raw any
	dec := json.NewDecoder(bytes.NewReader(f))
	dec.UseNumber()
	_ = dec.Decode(&raw)
	if got, err := DecodeValue(raw); err != nil || !math.IsNaN(got.(float64)) {
		t.Errorf("NaN came back %v, %v", got, err)
	}
}
