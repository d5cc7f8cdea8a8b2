package main

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// printable returns s safe to write to a terminal, for every value from the
// database or the command line in human output: control characters (C0,
// DEL, C1, so every escape sequence), format characters (bidi overrides
// such as U+202E, zero-width characters), line and paragraph separators
// and invalid UTF-8 are written as Go escapes (\x1b, \u202e, \xff).
// Backslashes stay as they are, so "\x1b" may also be those four
// characters; --json shows every value exactly.
func printable(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80 && escaped(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff && escaped(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		case escaped(r):
			fmt.Fprintf(&b, `\U%08x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// jsonPrintable escapes in encoded JSON the characters printable escapes
// that encoding/json writes as they are: DEL, C1 controls and format
// characters, all inside strings (the JSON around them is ASCII).
func jsonPrintable(js []byte) []byte {
	var out []byte
	for i := 0; i < len(js); {
		r, size := utf8.DecodeRune(js[i:])
		if r >= 0x7f && escaped(r) {
			if out == nil {
				out = append(make([]byte, 0, len(js)+16), js[:i]...)
			}
			if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
				out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
			} else {
				out = fmt.Appendf(out, `\u%04x`, r)
			}
		} else if out != nil {
			out = append(out, js[i:i+size]...)
		}
		i += size
	}
	if out == nil {
		return js
	}
	return out
}

// needsEscape reports whether printable would change s.
func needsEscape(s string) bool {
	for i, r := range s {
		if escaped(r) || (r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD")) {
			return true
		}
	}
	return false
}

// escaped reports whether printable writes r as an escape.
func escaped(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}
