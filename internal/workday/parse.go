package workday

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
	"time"
)

// maxRange is the longest holiday range, in days, one line may declare.
const maxRange = 31

// ParseError reports an invalid year file. Line is 1-based; 0 means the
// error concerns the file as a whole.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// entry is what a year file says about one date.
type entry struct {
	working bool // true for a "workday" line, false for a "holiday" line
	name    string
}

// yearData holds the entries of one year, keyed by month*100 + day.
type yearData map[int]entry

func mdKey(m time.Month, d int) int { return int(m)*100 + d }

// parseYear parses the contents of the file for year; file is used in errors.
func parseYear(file string, year int, data []byte) (yearData, error) {
	days := yearData{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		fail := func(format string, args ...any) error {
			return &ParseError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
		}
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Fields(text)
		if len(f) < 3 {
			return nil, fail("want KEYWORD DATE NAME, got %q", text)
		}
		kw, span, name := f[0], f[1], strings.Join(f[2:], " ")
		if kw != "holiday" && kw != "workday" {
			return nil, fail("unknown keyword %q (want holiday or workday)", kw)
		}
		startS, endS, isRange := strings.Cut(span, "..")
		if isRange && kw == "workday" {
			return nil, fail("workday takes a single date, not a range")
		}
		if !isRange {
			endS = startS
		}
		start, err := parseDate(startS, year)
		if err != nil {
			return nil, fail("%v", err)
		}
		end, err := parseDate(endS, year)
		if err != nil {
			return nil, fail("%v", err)
		}
		if end.Before(start) {
			return nil, fail("range %s ends before it starts", span)
		}
		if n := int(end.Sub(start).Hours()/24) + 1; n > maxRange {
			return nil, fail("range %s spans %d days (at most %d)", span, n, maxRange)
		}
		if kw == "workday" {
			if wd := start.Weekday(); wd != time.Saturday && wd != time.Sunday {
				return nil, fail("workday %s is a %s; only a Saturday or Sunday can be an adjusted working day", startS, wd)
			}
		}
		for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
			k := mdKey(d.Month(), d.Day())
			if prev, dup := days[k]; dup {
				return nil, fail("%s is already listed (%s)", d.Format(time.DateOnly), prev.name)
			}
			days[k] = entry{working: kw == "workday", name: name}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &ParseError{File: file, Msg: err.Error()}
	}
	if len(days) == 0 {
		return nil, &ParseError{File: file, Msg: "no entries"}
	}
	return days, nil
}

// parseDate parses YYYY-MM-DD as a UTC civil date that must lie in year.
func parseDate(s string, year int) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad date %q (want YYYY-MM-DD)", s)
	}
	if d.Year() != year {
		return time.Time{}, fmt.Errorf("date %s is outside the file's year %d", s, year)
	}
	return d, nil
}
