package ident

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Division is one administrative division (GB/T 2260). Level is "province",
// "prefecture" or "county"; Parent is the code of the enclosing division, ""
// for a province. The four county-level cities and forestry district directly
// under Hubei province have the province as Parent.
type Division struct {
	Code, Name, Level, Parent string
}

// divisionsCSV is Hubei's list of division codes (code,name,level,parent).
//
//go:embed data/divisions.csv
var divisionsCSV string

// hubei holds the embedded divisions in file order; hubeiIndex maps a code to
// its index in hubei.
var hubei, hubeiIndex = mustParseDivisions(divisionsCSV)

// mustParseDivisions parses the embedded list and panics if it is malformed,
// which the package tests rule out.
func mustParseDivisions(data string) ([]Division, map[string]int) {
	r := csv.NewReader(strings.NewReader(data))
	r.FieldsPerRecord = 4
	rows, err := r.ReadAll()
	if err != nil {
		panic("ident: embedded divisions.csv: " + err.Error())
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != "code,name,level,parent" {
		panic("ident: embedded divisions.csv: missing header code,name,level,parent")
	}
	list := make([]Division, 0, len(rows)-1)
	index := make(map[string]int, len(rows)-1)
	for i, row := range rows[1:] {
		d := Division{Code: row[0], Name: row[1], Level: row[2], Parent: row[3]}
		switch {
		case len(d.Code) != 6 || strings.Trim(d.Code, "0123456789") != "":
			panic(fmt.Sprintf("ident: embedded divisions.csv line %d: bad code %q", i+2, d.Code))
		case d.Level != "province" && d.Level != "prefecture" && d.Level != "county":
			panic(fmt.Sprintf("ident: embedded divisions.csv line %d: bad level %q", i+2, d.Level))
		case (d.Parent == "") != (d.Level == "province"):
			panic(fmt.Sprintf("ident: embedded divisions.csv line %d: parent %q does not fit level %q", i+2, d.Parent, d.Level))
		}
		if _, dup := index[d.Code]; dup {
			panic(fmt.Sprintf("ident: embedded divisions.csv line %d: duplicate code %s", i+2, d.Code))
		}
		if _, ok := index[d.Parent]; d.Parent != "" && !ok {
			panic(fmt.Sprintf("ident: embedded divisions.csv line %d: parent %s not listed before it", i+2, d.Parent))
		}
		index[d.Code] = len(list)
		list = append(list, d)
	}
	return list, index
}

// LookupDivision returns the Hubei division with the given code from the
// embedded list, and whether it is listed.
func LookupDivision(code string) (Division, bool) {
	i, ok := hubeiIndex[code]
	if !ok {
		return Division{}, false
	}
	return hubei[i], true
}

// HubeiDivisions returns all embedded Hubei divisions in file order: the
// province, then each prefecture followed by its counties. The slice is a
// copy that the caller may modify.
func HubeiDivisions() []Division {
	return append([]Division(nil), hubei...)
}

// CheckDivision validates a division code: six digits whose first two are a
// known province-level code. A Hubei code (prefix 42) must also be in the
// embedded list; other provinces' codes are checked for format and province
// only.
func CheckDivision(s string) error {
	if n := utf8.RuneCountInString(s); n != 6 {
		return lengthError(kindDivision, s, n, 6, "", "")
	}
	pos := 0
	for _, r := range s {
		pos++
		if r < '0' || r > '9' {
			return charsetError(kindDivision, pos, r, "数字", "a digit")
		}
	}
	if !provinceCodes[s[:2]] {
		return newError(kindDivision, "division", 1, s, "",
			fmt.Sprintf(" %s 的第1-2位 %s 不是有效的省级代码，请核对", s, s[:2]),
			fmt.Sprintf("positions 1-2 (%s) of %s are not a valid province-level code; verify the code", s[:2], s))
	}
	if s[:2] == "42" {
		if _, ok := hubeiIndex[s]; !ok {
			return newError(kindDivision, "division", 0, s, "",
				fmt.Sprintf(" %s 不是湖北省现行的行政区划代码，请对照 GB/T 2260 核对", s),
				fmt.Sprintf("%s is not a current Hubei division code; verify it against GB/T 2260", s))
		}
	}
	return nil
}

// DivisionName returns the full name of a Hubei division from the province
// down, such as "湖北省武汉市江岸区" for 420102, or "" when the code is not in
// the embedded list.
func DivisionName(code string) string {
	i, ok := hubeiIndex[code]
	if !ok {
		return ""
	}
	var parts []string
	for depth := 0; depth < 3; depth++ {
		d := hubei[i]
		parts = append(parts, d.Name)
		if i, ok = hubeiIndex[d.Parent]; !ok {
			break
		}
	}
	var b strings.Builder
	for j := len(parts) - 1; j >= 0; j-- {
		b.WriteString(parts[j])
	}
	return b.String()
}
