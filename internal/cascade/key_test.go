package cascade

import "testing"

func TestKeyString(t *testing.T) {
	if KeyString([]any{"a", "bc"}) == KeyString([]any{"ab", "c"}) {
		t.Error(`("a", "bc") and ("ab", "c") give the same key string`)
	}
	if KeyString([]any{"a b", "c"}) == KeyString([]any{"a", "b c"}) {
		t.Error(`("a b", "c") and ("a", "b c") give the same key string`)
	}
	if KeyString([]any{int64(7)}) != KeyString([]any{uint(7)}) {
		t.Error("int64(7) and uint(7) give different key strings")
	}
}
