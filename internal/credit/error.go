package credit

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in the web layer; nothing else
// decides how an error is shown.
const (
	EINVALID      = "invalid"            // the input is wrong; the message says what to fix
	ENOTFOUND     = "not_found"          // the thing asked for does not exist (or may not be seen)
	EUNAUTHORIZED = "unauthorized"       // no or wrong credentials
	EFORBIDDEN    = "forbidden"          // credentials are right but do not allow this
	EMETHOD       = "method_not_allowed" // the resource exists but not for this method
	ECONFLICT     = "conflict"           // the request conflicts with what is stored
	ETOOLARGE     = "too_large"          // the request is over a configured limit
	EUNAVAILABLE  = "unavailable"        // a dependency is not ready (e.g. schema behind)
	ETOOMANY      = "too_many_requests"  // the client is over its rate limit; retry later
	EINTERNAL     = "internal"           // a bug or an outside failure; details are logged, never shown
)

// Error is the one error type the domain returns to its callers. Code is
// machine-readable; MessageZH and MessageEN are safe to show to users and say
// what to fix.
type Error struct {
	Code      string
	MessageZH string
	MessageEN string
	// Fields holds per-field problems when Code is EINVALID for one record.
	Fields []FieldError
}

// Error implements the error interface with the English message.
func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.MessageEN)
}

// Errorf returns an *Error with the given code and bilingual messages.
func Errorf(code, zh, en string, args ...any) *Error {
	return &Error{Code: code, MessageZH: fmt.Sprintf(zh, args...), MessageEN: fmt.Sprintf(en, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessages returns the safe bilingual messages of err. Errors that are
// not *Error are internal: their text is never shown.
func ErrorMessages(err error) (zh, en string) {
	var e *Error
	if errors.As(err, &e) {
		return e.MessageZH, e.MessageEN
	}
	return "服务器内部错误，已记录，请稍后重试", "internal error; it has been logged, please try again later"
}

// IsNotFound reports whether err is an ENOTFOUND error.
func IsNotFound(err error) bool { return ErrorCode(err) == ENOTFOUND }

// FieldError is one problem with one field of one record.
type FieldError struct {
	Field     string `json:"field"` // the field code; "" for the record as a whole
	Code      string `json:"code"`  // machine-readable: required, uscc_check, date_format, enum, ...
	MessageZH string `json:"message_zh"`
	MessageEN string `json:"message_en"`
}

// FieldErrorf builds a FieldError with formatted bilingual messages.
func FieldErrorf(field, code, zh, en string, args ...any) FieldError {
	return FieldError{Field: field, Code: code, MessageZH: fmt.Sprintf(zh, args...), MessageEN: fmt.Sprintf(en, args...)}
}
