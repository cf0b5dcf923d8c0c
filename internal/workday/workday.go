// Package workday is the working-day (工作日) calendar used to compute
// statutory time limits: deadlines for provider submissions, objection
// handling and repair decisions are counted in working days.
//
// A working day is Monday–Friday that is not a public holiday, plus any
// weekend day the State Council declares an adjusted working day (调休).
// The State Council publishes each year's calendar late in the preceding
// year, so years are data: one small text file per year. The years 2025 and
// 2026 are built in (years/2025.txt, years/2026.txt); an operator adds later
// years by placing files named YYYY.txt in a directory passed to [Load]. An
// operator file for a built-in year replaces the built-in one.
//
// Year file format, one entry per line:
//
//	holiday YYYY-MM-DD[..YYYY-MM-DD] NAME   # day(s) off; inclusive range of at most 31 days
//	workday YYYY-MM-DD NAME                 # adjusted working day; must be a Saturday or Sunday
//
// for example
//
//	holiday 2026-02-15..2026-02-23 春节 Spring Festival
//	workday 2026-02-14 春节调休 Spring Festival adjusted working day
//
// Lines whose first non-blank character is # are comments; blank lines are
// ignored. Every date must fall in the file's year, no date may be listed
// twice (so a holiday cannot also be a workday entry), and a file must hold
// at least one entry. Days not listed follow the weekday rule. Errors are
// reported as [*ParseError] naming file and line.
//
// For a date in a year with no file, Monday–Friday is taken as working and
// the result is flagged (known == false, [Result.Estimated]), never silently
// guessed.
//
// Dates are calendar dates: only the year, month and day of a time.Time in
// its own location matter, and results are midnight in that location. Use
// [Date] to build dates in China Standard Time.
package workday

import (
	"embed"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"
)

// CST is China Standard Time, UTC+8. China has not observed daylight saving
// time since 1991, so a fixed zone is exact for all dates this package handles.
var CST = time.FixedZone("CST", 8*3600)

// Date returns midnight at the start of the given day in [CST].
func Date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, CST)
}

//go:embed years/*.txt
var builtin embed.FS

var yearFile = regexp.MustCompile(`^([0-9]{4})\.txt$`)

// Calendar is a set of known years. It is immutable after construction and
// safe for concurrent use. The zero Calendar knows no years.
type Calendar struct {
	years map[int]yearData
}

// Result is the outcome of [Calendar.AddWorkingDays].
type Result struct {
	Date time.Time
	// Estimated is true when a day counted or skipped lies in a year the
	// calendar does not know; such days were counted by the weekday rule alone.
	Estimated bool
}

var defaultCal = sync.OnceValue(func() *Calendar {
	c := &Calendar{years: map[int]yearData{}}
	ents, _ := builtin.ReadDir("years") // cannot fail: the directory is embedded
	for _, e := range ents {
		file := path.Join("years", e.Name())
		data, err := builtin.ReadFile(file)
		if err == nil {
			err = c.add(e.Name(), file, data)
		}
		if err != nil {
			panic("workday: invalid built-in calendar: " + err.Error()) // unreachable: built-in data is tested
		}
	}
	return c
})

// Default returns the calendar of the built-in years. It is parsed once and
// shared. Built-in data that fails to parse is a build defect and panics;
// tests cover it.
func Default() *Calendar { return defaultCal() }

// Load returns a calendar of the built-in years plus every file named
// YYYY.txt in dir; other entries of dir are ignored. An operator file for a
// built-in year replaces the built-in year entirely. If dir is "", Load
// returns [Default]. Errors name the file and, for invalid contents, the line
// (a wrapped [*ParseError]).
func Load(dir string) (*Calendar, error) {
	if dir == "" {
		return Default(), nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("workday: load calendar: %w", err)
	}
	c := &Calendar{years: maps.Clone(Default().years)}
	for _, e := range ents {
		if e.IsDir() || !yearFile.MatchString(e.Name()) {
			continue
		}
		file := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(file)
		if err == nil {
			err = c.add(e.Name(), file, data)
		}
		if err != nil {
			return nil, fmt.Errorf("workday: load calendar: %w", err)
		}
	}
	return c, nil
}

// add parses data, the contents of the year file called name (shown as file
// in errors), and stores the year in c. Names not of the form YYYY.txt are
// skipped.
func (c *Calendar) add(name, file string, data []byte) error {
	m := yearFile.FindStringSubmatch(name)
	if m == nil {
		return nil
	}
	year, _ := strconv.Atoi(m[1])
	days, err := parseYear(file, year, data)
	if err != nil {
		return err
	}
	c.years[year] = days
	return nil
}

// Years returns the known years in increasing order.
func (c *Calendar) Years() []int {
	return slices.Sorted(maps.Keys(c.years))
}

// Known reports whether d's year is known to the calendar.
func (c *Calendar) Known(d time.Time) bool {
	_, ok := c.years[d.Year()]
	return ok
}

// IsWorkingDay reports whether d is a working day. If d's year is unknown,
// known is false and working follows the weekday rule (Monday–Friday).
func (c *Calendar) IsWorkingDay(d time.Time) (working bool, known bool) {
	days, known := c.years[d.Year()]
	if e, ok := days[mdKey(d.Month(), d.Day())]; ok {
		return e.working, true
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday, known
}

// HolidayName returns the name of the holiday or adjusted working day on d,
// or "" if d is an ordinary day or its year is unknown.
func (c *Calendar) HolidayName(d time.Time) string {
	return c.years[d.Year()][mdKey(d.Month(), d.Day())].name
}

// AddWorkingDays returns the n-th working day after from; from itself is not
// counted, and n == 0 returns from. A negative n is treated as 0. The result
// is midnight of that day in from's location.
func (c *Calendar) AddWorkingDays(from time.Time, n int) Result {
	d := midnight(from)
	var est bool
	for n > 0 {
		d = nextDay(d)
		working, known := c.IsWorkingDay(d)
		est = est || !known
		if working {
			n--
		}
	}
	return Result{Date: d, Estimated: est}
}

// WorkingDaysBetween returns the number of working days d with from < d ≤ to,
// comparing calendar dates (0 if to is not after from). estimated is true
// when any of those days lies in an unknown year.
func (c *Calendar) WorkingDaysBetween(from, to time.Time) (n int, estimated bool) {
	end := civil(to)
	for d := civil(from).AddDate(0, 0, 1); !d.After(end); d = d.AddDate(0, 0, 1) {
		working, known := c.IsWorkingDay(d)
		estimated = estimated || !known
		if working {
			n++
		}
	}
	return n, estimated
}

// midnight returns the start of t's calendar day in t's location.
func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// nextDay returns midnight of the calendar day after d, robust to DST shifts.
func nextDay(d time.Time) time.Time {
	y, m, day := d.Date()
	return time.Date(y, m, day+1, 0, 0, 0, 0, d.Location())
}

// civil returns t's calendar date as midnight UTC, so dates in different
// locations compare by year, month and day.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
