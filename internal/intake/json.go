package intake

import (
	"sort"
	"unicode/utf8"

	"github.com/xinyong/xinyong/internal/catalog"
)

// appendJSON appends m as a JSON object with its keys sorted, as
// encoding/json would write it but without reflection: the record path
// writes one per record.
func appendJSON(b []byte, m map[string]string) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return appendJSONKeys(b, m, keys)
}

// appendFieldsJSON appends the values of a record as a JSON object in the
// item's field order, which is as deterministic as sorting and cheaper.
func appendFieldsJSON(b []byte, fields []*catalog.Field, m map[string]string) []byte {
	b = append(b, '{')
	first := true
	for _, f := range fields {
		v, ok := m[f.Code]
		if !ok {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, f.Code)
		b = append(b, ':')
		b = appendString(b, v)
	}
	return append(b, '}')
}

func appendJSONKeys(b []byte, m map[string]string, keys []string) []byte {
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, m[k])
	}
	return append(b, '}')
}

const hex = "0123456789abcdef"

// appendString appends s as a JSON string. Values are valid UTF-8 by the
// time they get here; invalid bytes would be written as U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			if r == utf8.RuneError {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
