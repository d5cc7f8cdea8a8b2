package trashui

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of the query parameters.
const (
	// maxFilter is the longest table or actor filter, in bytes.
	maxFilter = 1024
	// maxOffset bounds (page-1) × page size: far past any trash, and an
	// OFFSET every database and a 32-bit int take.
	maxOffset = math.MaxInt32
)

// badRequest is a query parameter the view refuses (400), with a message
// that names the parameter, never echoes its value.
type badRequest string

func (e badRequest) Error() string { return string(e) }

// listQuery is the list page's query: filters and page.
type listQuery struct {
	Table, Actor string
	Key, Label   string
	Restored     bool
	Page         int
}

// parseListQuery reads and checks the list page's query parameters;
// pageSize bounds the page number. Parameters it does not know are
// ignored.
func parseListQuery(q url.Values, pageSize int) (listQuery, error) {
	var (
		lq  listQuery
		err error
	)
	if lq.Table, err = filterParam(q, "table", "table"); err != nil {
		return lq, err
	}
	if lq.Actor, err = filterParam(q, "actor", "deleted by"); err != nil {
		return lq, err
	}
	if lq.Key, err = filterParam(q, "key", "key"); err != nil {
		return lq, err
	}
	if lq.Label, err = filterParam(q, "label", "label"); err != nil {
		return lq, err
	}
	if lq.Restored, err = flagParam(q, "restored"); err != nil {
		return lq, err
	}
	if lq.Page, err = pageParam(q, pageSize); err != nil {
		return lq, err
	}
	return lq, nil
}

// single is the one value of a parameter ("" when absent); a repeated
// parameter is refused.
func single(q url.Values, name string) (string, error) {
	switch vs := q[name]; len(vs) {
	case 0:
		return "", nil
	case 1:
		return vs[0], nil
	default:
		return "", badRequest(fmt.Sprintf("The parameter %q is given %d times; give it once.", name, len(vs)))
	}
}

// filterParam is a text filter, trimmed: valid UTF-8 without control
// characters (which no database compares alike: PostgreSQL refuses NUL
// and invalid UTF-8), at most maxFilter bytes.
func filterParam(q url.Values, name, label string) (string, error) {
	v, err := single(q, name)
	if err != nil {
		return "", err
	}
	v = strings.TrimSpace(v)
	switch {
	case !utf8.ValidString(v):
		return "", badRequest(fmt.Sprintf("The %q filter is not valid UTF-8 text.", label))
	case strings.ContainsFunc(v, unicode.IsControl):
		return "", badRequest(fmt.Sprintf("The %q filter holds a control character.", label))
	case len(v) > maxFilter:
		return "", badRequest(fmt.Sprintf("The %q filter is longer than %d bytes.", label, maxFilter))
	}
	return v, nil
}

// flagParam is a checkbox: absent, "" or "0" is false, "1" true.
func flagParam(q url.Values, name string) (bool, error) {
	v, err := single(q, name)
	if err != nil {
		return false, err
	}
	switch v {
	case "", "0":
		return false, nil
	case "1":
		return true, nil
	}
	return false, badRequest(fmt.Sprintf("The parameter %q must be 1 or 0.", name))
}

// pageParam is the page number, 1 when absent: digits only, from 1 to the
// page whose offset reaches maxOffset.
func pageParam(q url.Values, pageSize int) (int, error) {
	v, err := single(q, "page")
	if err != nil || v == "" {
		return 1, err
	}
	last := maxOffset/max(pageSize, 1) + 1
	bad := badRequest(fmt.Sprintf("The page must be a whole number from 1 to %d.", last))
	if len(v) > len(strconv.Itoa(last)) || strings.Trim(v, "0123456789") != "" {
		return 0, bad
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > last {
		return 0, bad
	}
	return n, nil
}
