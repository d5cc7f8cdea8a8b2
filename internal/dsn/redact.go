package dsn

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Mask replaces a password in what Redact and Scrub return.
const Mask = "xxxxx"

// minScrub is the shortest password Scrub looks for in free text: shorter
// ones would mask parts of ordinary words.
const minScrub = 3

// urlQueryPassword is a password in a URL's query (pgx's ?password=...).
var urlQueryPassword = regexp.MustCompile(`(?i)[?&][a-z_]*password=([^&#\s]*)`)

// keywordPassword is a password in keyword/value form: password=secret,
// password = 'it\'s a secret', sslpassword=..., pwd=....
var keywordPassword = regexp.MustCompile(`(?i)(?:^|[\s;?&])[a-z_.]*(?:password|passwd|pwd)\s*=\s*('(?:[^'\\]|\\.)*'?|\S*)`)

// Redact returns dsn with every password in it replaced by xxxxx: the
// password of URL user info (postgres://user:pw@host), of keyword/value
// pairs (password=pw, password='p w'), of a URL query (?password=pw) and
// of the MySQL form (user:pw@tcp(host)/db). When in doubt it masks more.
func Redact(dsn string) string {
	spans := secretSpans(dsn)
	if len(spans) == 0 {
		return dsn
	}
	var b strings.Builder
	last := 0
	for _, s := range spans {
		b.WriteString(dsn[last:s[0]])
		b.WriteString(Mask)
		last = s[1]
	}
	b.WriteString(dsn[last:])
	return b.String()
}

// Secrets returns the passwords in dsn, as written and as a driver or an
// error message may spell them (unescaped, unquoted, Go-quoted).
func Secrets(dsn string) []string {
	var out []string
	add := func(s string) {
		if s != "" && s != Mask && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, s := range secretSpans(dsn) {
		raw := dsn[s[0]:s[1]]
		add(raw)
		if v, err := url.PathUnescape(raw); err == nil {
			add(v)
		}
		if v, err := url.QueryUnescape(raw); err == nil {
			add(v)
		}
		if len(raw) >= 2 && raw[0] == '\'' && raw[len(raw)-1] == '\'' {
			add(strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(raw[1 : len(raw)-1]))
		}
	}
	for _, s := range slices.Clone(out) {
		add(strings.Trim(strconv.Quote(s), `"`))
		add(strings.Trim(strconv.QuoteToASCII(s), `"`))
	}
	return out
}

// Scrub returns text (an error message, a log line) with dsn shown
// redacted and every password of dsn of three bytes or more masked,
// wherever it appears.
func Scrub(text, dsn string) string {
	if dsn == "" {
		return text
	}
	if r := Redact(dsn); r != dsn {
		text = strings.ReplaceAll(text, dsn, r)
	}
	secrets := Secrets(dsn)
	// Longest first, so that a password is masked whole before a part of it.
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	for _, s := range secrets {
		if len(s) >= minScrub {
			text = strings.ReplaceAll(text, s, Mask)
		}
	}
	return text
}

// secretSpans returns the byte ranges of the passwords in dsn, sorted
// and merged.
func secretSpans(dsn string) [][2]int {
	var spans [][2]int
	add := func(from, to int) {
		if from < to {
			spans = append(spans, [2]int{from, to})
		}
	}
	if i := strings.Index(dsn, "://"); i >= 0 {
		// URL: the user info runs to the last "@" (a password may hold
		// unescaped "@", "/" or "?"; masking too much is the safe mistake).
		rest := i + len("://")
		if at := strings.LastIndexByte(dsn[rest:], '@'); at >= 0 {
			if c := strings.IndexByte(dsn[rest:rest+at], ':'); c >= 0 {
				add(rest+c+1, rest+at)
			}
		}
		for _, m := range urlQueryPassword.FindAllStringSubmatchIndex(dsn, -1) {
			add(m[2], m[3])
		}
	} else {
		// MySQL: user:password@protocol(address)/db, the password running
		// from the first ":" to the last "@" before the last "/", as
		// go-sql-driver reads it.
		end := strings.LastIndexByte(dsn, '/')
		if end < 0 {
			end = len(dsn)
		}
		if at := strings.LastIndexByte(dsn[:end], '@'); at >= 0 {
			if c := strings.IndexByte(dsn[:at], ':'); c >= 0 && !strings.ContainsAny(dsn[:c], " \t\r\n=") {
				add(c+1, at)
			}
		}
		for _, m := range keywordPassword.FindAllStringSubmatchIndex(dsn, -1) {
			add(m[2], m[3])
		}
	}
	return merge(spans)
}

// merge sorts spans and joins those that overlap or touch.
func merge(spans [][2]int) [][2]int {
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	var out [][2]int
	for _, s := range spans {
		if n := len(out); n > 0 && s[0] <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], s[1])
			continue
		}
		out = append(out, s)
	}
	return out
}
