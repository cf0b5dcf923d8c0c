package web

import (
	"strconv"
	"unicode/utf8"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/names"
)

// MaxQueryRunes bounds the length of a search query.
const MaxQueryRunes = 100

// SearchQuery checks a subject search query as typed and returns it
// cleaned (names.Clean). Every door that searches uses it, so that they
// refuse the same queries with the same words.
func SearchQuery(q string) (string, error) {
	if !utf8.ValidString(q) {
		return "", credit.Errorf(credit.EINVALID, "查询词不是有效的 UTF-8 文本", "the query is not valid UTF-8 text")
	}
	q = names.Clean(q)
	if q == "" {
		return "", credit.Errorf(credit.EINVALID, "请提供查询词：名称中的任意字词或统一社会信用代码前缀",
			"give a query: any part of a name, or the beginning of a unified social credit code")
	}
	if n := utf8.RuneCountInString(q); n > MaxQueryRunes {
		return "", credit.Errorf(credit.EINVALID, "查询词最多 %d 个字符，实为 %d 个", "the query may have at most %d characters, got %d", MaxQueryRunes, n)
	}
	return q, nil
}

// IntParam reads a whole-number query parameter named name from v, def
// when v is empty.
func IntParam(v, name string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, credit.Errorf(credit.EINVALID, "参数 %s 应为 1 到 1000000 之间的整数，实为“%s”",
			"parameter %s must be a whole number from 1 to 1000000, got %q", name, v)
	}
	return n, nil
}
