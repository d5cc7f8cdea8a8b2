package errs

import (
	"fmt"
	"strings"
)

// prefix starts every message of the plugin's errors, once.
const prefix = "softcascade: "

// Wrap adds context (format, args) to err so that the message says
// "softcascade:" once, however many layers wrap it: "softcascade:
// context: rest", where rest is err's message without its own prefix.
// errors.Is and errors.As see err.
func Wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf(format, args...)
	return &wrapped{msg: prefix + what + ": " + strings.TrimPrefix(err.Error(), prefix), err: err}
}

type wrapped struct {
	msg string
	err error
}

func (e *wrapped) Error() string { return e.msg }
func (e *wrapped) Unwrap() error { return e.err }
