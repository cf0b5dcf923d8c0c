// Package catalog is the credit information catalogue: which items are
// collected, with which fields and formats, from which providers, about which
// subjects, under which time limits, and how long and through which channels
// each may be disclosed. It loads the catalogue from YAML files (one per item),
// checks it, and validates incoming records against it.
//
// It imports the domain (credit), identifiers (ident) and no storage or HTTP.
package catalog

import (
	"embed"
	"regexp"
	"sort"
	"strings"
)

// Field types.
const (
	TypeString    = "string"     // one line of text
	TypeText      = "text"       // free text
	TypeDate      = "date"       // YYYY-MM-DD
	TypeDecimal   = "decimal"    // non-negative decimal number
	TypeInteger   = "integer"    // whole number
	TypeEnum      = "enum"       // one of Enum
	TypeEnumMulti = "enum_multi" // one or more of Enum, stored separated by ";"
	TypeUSCC      = "uscc"       // unified social credit code (GB 32100)
	TypeOrgCode   = "orgcode"    // organisation code (GB 11714)
	TypeIDNumber  = "id_number"  // identity document number; checked as GB 11643 when its type says 身份证
	TypeDivision  = "division"   // administrative division code (GB/T 2260)
)

// Sensitivity levels of a field: who may see its value.
const (
	Public     = "public"     // the portal, when the item is public
	Shared     = "shared"     // government bodies through sharing
	Restricted = "restricted" // the subject, the provider and authorised inquiries only
)

// Disclosure channels of an item.
const (
	ChannelPublic  = "public"
	ChannelSharing = "sharing"
	ChannelInquiry = "inquiry"
)

// Subject types an item may be about, and the subject kind each maps to.
const (
	SubjectOrg                = "org"
	SubjectIndividualBusiness = "individual_business"
	SubjectPerson             = "person"
)

// Natures of an item.
const (
	NatureBasic       = "basic"
	NatureNegative    = "negative"
	NatureTrustworthy = "trustworthy"
)

// Severities of negative records, which fix their publication period.
const (
	SeverityMinor   = "minor"
	SeverityGeneral = "general"
	SeveritySerious = "serious"
)

// Categories of the catalogue (the regulation's Article 10).
var Categories = map[string][2]string{
	"registration": {"登记注册基本信息", "Registration information"},
	"admin":        {"行政管理信息", "Administrative management information"},
	"judicial":     {"司法裁判及执行信息", "Judicial rulings and enforcement"},
	"honour":       {"诚实守信相关荣誉信息", "Honours for trustworthiness"},
	"other":        {"其他信息", "Other information"},
}

//go:embed items/*.yaml
var defaultFS embed.FS

// Catalog is a loaded, checked catalogue. It is immutable and safe for
// concurrent use.
type Catalog struct {
	items  []*Item
	byCode map[string]*Item
}

// Items returns the items ordered by category and code.
func (c *Catalog) Items() []*Item { return c.items }

// Item returns the item with the given code.
func (c *Catalog) Item(code string) (*Item, bool) {
	it, ok := c.byCode[code]
	return it, ok
}

func newCatalog(items []*Item) *Catalog {
	c := &Catalog{byCode: make(map[string]*Item, len(items))}
	order := map[string]int{"registration": 0, "admin": 1, "judicial": 2, "honour": 3, "other": 4}
	sort.SliceStable(items, func(i, j int) bool {
		if order[items[i].Category] != order[items[j].Category] {
			return order[items[i].Category] < order[items[j].Category]
		}
		return items[i].Code < items[j].Code
	})
	for _, it := range items {
		c.byCode[it.Code] = it
		it.index()
	}
	c.items = items
	return c
}

// Item is one catalogue item: a kind of credit information.
type Item struct {
	Code         string   `yaml:"code" json:"code"`
	Version      int      `yaml:"version" json:"version"`
	NameZH       string   `yaml:"name_zh" json:"name_zh"`
	NameEN       string   `yaml:"name_en" json:"name_en"`
	Category     string   `yaml:"category" json:"category"`
	Nature       string   `yaml:"nature" json:"nature"`
	Description  string   `yaml:"description" json:"description,omitempty"`
	Basis        string   `yaml:"basis" json:"basis,omitempty"`
	SubjectTypes []string `yaml:"subject_types" json:"subject_types"`
	// Providers lists the provider codes allowed to submit the item; "*"
	// allows every registered provider.
	Providers   []string    `yaml:"providers" json:"providers"`
	Collection  []string    `yaml:"collection" json:"collection"`
	UpdateCycle string      `yaml:"update_cycle" json:"update_cycle,omitempty"`
	BusinessKey []string    `yaml:"business_key" json:"business_key"`
	Subject     SubjectRule `yaml:"subject" json:"subject"`
	Deadline    Deadline    `yaml:"deadline" json:"deadline"`
	Disclosure  Disclosure  `yaml:"disclosure" json:"disclosure"`
	Fields      []*Field    `yaml:"fields" json:"fields"`
	// Summary lists the public fields, in order, that a listing of the
	// item's records shows (the portal's subject page); the record's own
	// page shows every public field.
	Summary []string `yaml:"summary" json:"summary,omitempty"`

	// File and Line locate the item's source, for messages.
	File string `yaml:"-" json:"-"`

	byKey map[string]*Field // codes and Chinese labels
}

// SubjectRule says which fields identify the record's subject.
type SubjectRule struct {
	TypeField   string `yaml:"type_field" json:"type_field"`
	NameField   string `yaml:"name_field" json:"name_field"`
	USCCField   string `yaml:"uscc_field" json:"uscc_field"`
	IDTypeField string `yaml:"id_type_field" json:"id_type_field,omitempty"`
	IDField     string `yaml:"id_field" json:"id_field,omitempty"`
	// Types maps the values of TypeField to subject types.
	Types map[string]string `yaml:"types" json:"types"`
	// Fixed is the subject type when the item has no TypeField.
	Fixed string `yaml:"fixed" json:"fixed,omitempty"`
	// CodeFields are the fields holding other registration numbers of an
	// organisation (工商注册号, 组织机构代码, 税务登记号 and the like, from
	// before the unified code): the public search finds the organisation by
	// each. They are never read for natural persons.
	CodeFields []string `yaml:"code_fields" json:"code_fields,omitempty"`
}

// Deadline is the collection time limit: WorkingDays working days after the
// date in field From.
type Deadline struct {
	From        string `yaml:"from" json:"from"`
	WorkingDays int    `yaml:"working_days" json:"working_days"`
}

// Disclosure fixes the channels and the publication period of an item.
type Disclosure struct {
	Channels []string `yaml:"channels" json:"channels"`
	// From is the date field publication periods count from.
	From string `yaml:"from" json:"from,omitempty"`
	// EndField, when set, is a field where the provider may state an earlier
	// end of publication; it is capped at the period's maximum.
	EndField string `yaml:"end_field" json:"end_field,omitempty"`
	// Period applies when the item has no severity rule.
	Period *Period `yaml:"period" json:"period,omitempty"`
	// Severity classifies negative records; Periods gives each class its period.
	Severity *SeverityRule     `yaml:"severity" json:"severity,omitempty"`
	Periods  map[string]Period `yaml:"periods" json:"periods,omitempty"`
	// ArchiveYears is how long negative information stays in the credit file
	// after the end of the conduct.
	ArchiveYears int `yaml:"archive_years" json:"archive_years,omitempty"`
}

// Period is a publication period in months from the disclosure date.
// Indefinite means published without end; NotPublished means never on the portal.
type Period struct {
	MinMonths    int  `yaml:"min_months" json:"min_months"`
	MaxMonths    int  `yaml:"max_months" json:"max_months"`
	Indefinite   bool `yaml:"indefinite" json:"indefinite,omitempty"`
	NotPublished bool `yaml:"not_published" json:"not_published,omitempty"`
}

// SeverityRule classifies a negative record as minor, general or serious
// from the values of its fields.
type SeverityRule struct {
	// Field holds the penalty categories (an enum_multi field).
	Field string `yaml:"field" json:"field"`
	// SeriousAny: any of these categories makes the record serious.
	SeriousAny []string `yaml:"serious_any" json:"serious_any"`
	// SeriousFlag: a provider's own "serious" marking.
	SeriousFlag *Condition `yaml:"serious_flag" json:"serious_flag,omitempty"`
	// MinorOnly: a record whose categories are all among these is minor,
	// provided any fine is below SmallFine.
	MinorOnly []string `yaml:"minor_only" json:"minor_only"`
	SmallFine *Amount  `yaml:"small_fine" json:"small_fine,omitempty"`
	// NoEarlyEndAny: these categories can never leave publication early.
	NoEarlyEndAny []string `yaml:"no_early_end_any" json:"no_early_end_any,omitempty"`
}

// Amount is a threshold on a decimal field.
type Amount struct {
	Field string  `yaml:"field" json:"field"`
	Below float64 `yaml:"below" json:"below"`
}

// Condition is true when field Field equals one of Equals, or (for
// enum_multi fields) contains one of Contains.
type Condition struct {
	Field    string   `yaml:"field" json:"field"`
	Equals   []string `yaml:"equals" json:"equals,omitempty"`
	Contains []string `yaml:"contains" json:"contains,omitempty"`
}

// Field is one field of an item.
type Field struct {
	Code     string `yaml:"code" json:"code"`
	LabelZH  string `yaml:"label_zh" json:"label_zh"`
	LabelEN  string `yaml:"label_en" json:"label_en"`
	Type     string `yaml:"type" json:"type"`
	Required bool   `yaml:"required" json:"required"`
	// RequiredWhen makes the field required when the condition holds.
	RequiredWhen *Condition `yaml:"required_when" json:"required_when,omitempty"`
	MaxLen       int        `yaml:"max_len" json:"max_len,omitempty"`
	Pattern      string     `yaml:"pattern" json:"pattern,omitempty"`
	Enum         []string   `yaml:"enum" json:"enum,omitempty"`
	// NotBefore names a date field this date may not precede.
	NotBefore string `yaml:"not_before" json:"not_before,omitempty"`
	// NotFuture rejects dates after the day of submission.
	NotFuture bool `yaml:"not_future" json:"not_future,omitempty"`
	// IDTypeField names the field holding the document type of an id_number.
	IDTypeField string `yaml:"id_type_field" json:"id_type_field,omitempty"`
	// Legacy15 accepts 15-digit identity numbers and converts them.
	Legacy15    bool   `yaml:"legacy15" json:"legacy15,omitempty"`
	Sensitivity string `yaml:"sensitivity" json:"sensitivity"`
	// Personal marks personal data (identity numbers): stored encrypted,
	// matched by keyed hash, shown masked to anyone not entitled.
	Personal bool   `yaml:"personal" json:"personal,omitempty"`
	Note     string `yaml:"note" json:"note,omitempty"`

	Line int            `yaml:"-" json:"-"`
	re   *regexp.Regexp // Pattern, compiled at load
	pos  int            // position in the item's fields
}

func (it *Item) index() {
	it.byKey = make(map[string]*Field, 4*len(it.Fields))
	for i, f := range it.Fields {
		f.pos = i
		for _, k := range []string{f.Code, f.LabelZH} {
			if k != "" {
				it.byKey[k] = f // exact, the usual case
				it.byKey[labelKey(k)] = f
			}
		}
		if f.Pattern != "" {
			f.re = regexp.MustCompile(f.Pattern) // checked at load
		}
	}
}

// Field returns the field with the given code or Chinese label, ignoring
// case, spaces and the width of characters and brackets.
func (it *Item) Field(key string) (*Field, bool) {
	if f, ok := it.byKey[key]; ok {
		return f, true
	}
	f, ok := it.byKey[labelKey(key)]
	return f, ok
}

// HasChannel reports whether the item is disclosed through channel ch.
func (it *Item) HasChannel(ch string) bool {
	for _, c := range it.Disclosure.Channels {
		if c == ch {
			return true
		}
	}
	return false
}

// AllowsProvider reports whether the catalogue lets provider code submit
// the item. A pattern is a provider code, "*" for every provider, or
// "*-ABBR" for the department ABBR of every division (e.g. "*-FY", the
// people's courts).
func (it *Item) AllowsProvider(code string) bool {
	for _, p := range it.Providers {
		if p == "*" || p == code || strings.HasPrefix(p, "*-") && strings.HasSuffix(code, p[1:]) {
			return true
		}
	}
	return false
}

// AllowsSubjectType reports whether the item may be about subjects of type t.
func (it *Item) AllowsSubjectType(t string) bool {
	for _, s := range it.SubjectTypes {
		if s == t {
			return true
		}
	}
	return false
}
