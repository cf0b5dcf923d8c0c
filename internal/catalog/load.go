package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Problem is one thing wrong with a catalogue file.
type Problem struct {
	File string
	Line int
	Msg  string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// Problems is the error Load returns when a catalogue is not sound: every
// problem found, each with its file and line.
type Problems []Problem

func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Default returns the catalogue built into the binary. The built-in files
// are checked by tests; a failure here is a build defect.
func Default() *Catalog {
	sub, err := fs.Sub(defaultFS, "items")
	if err != nil {
		panic(err)
	}
	c, err := LoadFS(sub)
	if err != nil {
		panic("built-in catalogue: " + err.Error())
	}
	return c
}

// DefaultFiles returns the built-in catalogue files, for an operator who
// wants to start a catalogue directory from them.
func DefaultFiles() fs.FS {
	sub, _ := fs.Sub(defaultFS, "items")
	return sub
}

// Load reads and checks every *.yaml file in dir. dir "" means the built-in
// catalogue. The error is Problems when the files are readable but unsound.
func Load(dir string) (*Catalog, error) {
	if dir == "" {
		return Default(), nil
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("catalogue directory: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("catalogue directory: %s is not a directory", dir)
	}
	return LoadFS(os.DirFS(dir))
}

// LoadFS reads and checks every *.yaml file at the top of fsys.
func LoadFS(fsys fs.FS) (*Catalog, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var probs Problems
	if len(names) == 0 {
		probs = append(probs, Problem{File: ".", Msg: "no *.yaml item files found / 目录中没有 *.yaml 条目文件"})
	}
	var items []*Item
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		it, ps := parseItem(name, data)
		probs = append(probs, ps...)
		if it != nil {
			items = append(items, it)
		}
	}
	probs = append(probs, checkAll(items)...)
	if len(probs) > 0 {
		return nil, probs
	}
	return newCatalog(items), nil
}

// lines maps a YAML path (e.g. "code", "fields.3.type") to its line.
type lines map[string]int

func (l lines) at(key string) int {
	for key != "" {
		if n, ok := l[key]; ok {
			return n
		}
		i := strings.LastIndexByte(key, '.')
		if i < 0 {
			break
		}
		key = key[:i]
	}
	return 1
}

func collectLines(n *yaml.Node, prefix string, l lines) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			collectLines(c, prefix, l)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if prefix != "" {
				k = prefix + "." + k
			}
			l[k] = n.Content[i].Line
			collectLines(n.Content[i+1], k, l)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			k := fmt.Sprintf("%s.%d", prefix, i)
			l[k] = c.Line
			collectLines(c, k, l)
		}
	}
}

var yamlLine = regexp.MustCompile(`line (\d+): (.*)`)

func parseItem(file string, data []byte) (*Item, []Problem) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlProblems(file, err)
	}
	l := lines{}
	collectLines(&root, "", l)

	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var it Item
	if err := dec.Decode(&it); err != nil {
		return nil, yamlProblems(file, err)
	}
	it.File = file
	for i, f := range it.Fields {
		if f != nil {
			f.Line = l.at(fmt.Sprintf("fields.%d", i))
		}
	}
	return &it, checkItem(&it, l)
}

func yamlProblems(file string, err error) []Problem {
	var te *yaml.TypeError
	msgs := []string{err.Error()}
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	var ps []Problem
	for _, m := range msgs {
		p := Problem{File: file, Msg: "YAML: " + strings.TrimPrefix(m, "yaml: ")}
		if sub := yamlLine.FindStringSubmatch(m); sub != nil {
			fmt.Sscan(sub[1], &p.Line)
			p.Msg = "YAML: " + sub[2]
		}
		ps = append(ps, p)
	}
	return ps
}

var (
	codeRE            = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)
	providerPatternRE = regexp.MustCompile(`^(\*|\*-[A-Z0-9]{2,20}|\d{6}-[A-Z0-9]{2,20})$`)
	// Never collected (regulation): religion, genes, fingerprints, blood
	// type, illness and medical history.
	forbidden  = []string{"宗教", "信仰", "基因", "指纹", "血型", "疾病", "病史", "religion", "gene", "fingerprint", "blood type", "medical"}
	fieldTypes = map[string]bool{TypeString: true, TypeText: true, TypeDate: true, TypeDecimal: true, TypeInteger: true,
		TypeEnum: true, TypeEnumMulti: true, TypeUSCC: true, TypeOrgCode: true, TypeIDNumber: true, TypeDivision: true}
	sensitivities = map[string]bool{Public: true, Shared: true, Restricted: true}
	channels      = map[string]bool{ChannelPublic: true, ChannelSharing: true, ChannelInquiry: true}
	subjectTypes  = map[string]bool{SubjectOrg: true, SubjectIndividualBusiness: true, SubjectPerson: true}
	natures       = map[string]bool{NatureBasic: true, NatureNegative: true, NatureTrustworthy: true}
	collections   = map[string]bool{"api": true, "file": true, "exchange": true, "manual": true}
	severities    = map[string]bool{SeverityMinor: true, SeverityGeneral: true, SeveritySerious: true}
)

// checkItem checks one item on its own and returns every problem.
func checkItem(it *Item, l lines) []Problem {
	var ps []Problem
	add := func(key, format string, args ...any) {
		ps = append(ps, Problem{File: it.File, Line: l.at(key), Msg: fmt.Sprintf(format, args...)})
	}
	if !codeRE.MatchString(it.Code) {
		add("code", "code %q must be 2–40 lower-case letters, digits or _ starting with a letter / 条目代码格式错误", it.Code)
	}
	if want := strings.TrimSuffix(path.Base(it.File), ".yaml"); it.Code != "" && it.Code != want {
		add("code", "code %q does not match the file name %q / 条目代码应与文件名一致", it.Code, want)
	}
	if it.Version < 1 {
		add("version", "version must be 1 or more / 版本号必须 ≥ 1")
	}
	if it.NameZH == "" || it.NameEN == "" {
		add("name_zh", "name_zh and name_en are both required / 中英文名称均必填")
	}
	if _, ok := Categories[it.Category]; !ok {
		add("category", "category %q is not one of registration, admin, judicial, honour, other / 类别无效", it.Category)
	}
	if !natures[it.Nature] {
		add("nature", "nature %q is not one of basic, negative, trustworthy / 性质无效", it.Nature)
	}
	if len(it.SubjectTypes) == 0 {
		add("subject_types", "subject_types is empty / 主体类型不能为空")
	}
	for i, s := range it.SubjectTypes {
		if !subjectTypes[s] {
			add(fmt.Sprintf("subject_types.%d", i), "subject type %q is not one of org, individual_business, person / 主体类型无效", s)
		}
	}
	if len(it.Providers) == 0 {
		add("providers", "providers is empty: list provider codes or \"*\" / 提供单位不能为空")
	}
	for i, p := range it.Providers {
		if !providerPatternRE.MatchString(p) {
			add(fmt.Sprintf("providers.%d", i), "provider %q must be a code like 420000-SCJG, \"*\", or \"*-FY\" / 提供单位格式错误", p)
		}
	}
	for i, c := range it.Collection {
		if !collections[c] {
			add(fmt.Sprintf("collection.%d", i), "collection path %q is not one of api, file, exchange, manual / 归集方式无效", c)
		}
	}

	// Fields.
	if len(it.Fields) == 0 {
		add("fields", "an item needs fields / 条目必须有字段")
	}
	seen := map[string]string{}
	byCode := map[string]*Field{}
	for i, f := range it.Fields {
		key := fmt.Sprintf("fields.%d", i)
		if f == nil {
			add(key, "empty field entry / 空字段")
			continue
		}
		if !codeRE.MatchString(f.Code) {
			add(key+".code", "field code %q must be lower-case letters, digits or _ / 字段代码格式错误", f.Code)
		}
		for _, name := range []string{f.Code, f.LabelZH} {
			if name == "" {
				continue
			}
			if prev, dup := seen[name]; dup {
				add(key, "%q is used twice (also by field %s) / 字段代码或名称重复", name, prev)
			}
			seen[name] = f.Code
		}
		byCode[f.Code] = f
		if f.LabelZH == "" || f.LabelEN == "" {
			add(key, "field %s needs label_zh and label_en / 字段需中英文名称", f.Code)
		}
		for _, w := range forbidden {
			if strings.Contains(strings.ToLower(f.LabelZH+" "+f.LabelEN), w) {
				add(key, "field %s collects %q, which the regulation forbids / 法规禁止归集该类信息", f.Code, w)
			}
		}
		if !fieldTypes[f.Type] {
			add(key+".type", "field %s: type %q is unknown / 字段类型无效", f.Code, f.Type)
		}
		if (f.Type == TypeEnum || f.Type == TypeEnumMulti) && len(f.Enum) == 0 {
			add(key+".type", "field %s: an %s field needs enum values / 枚举字段需列出取值", f.Code, f.Type)
		}
		if f.Pattern != "" {
			if _, err := regexp.Compile(f.Pattern); err != nil {
				add(key+".pattern", "field %s: pattern does not compile: %v / 正则表达式无效", f.Code, err)
			}
		}
		if f.MaxLen < 0 {
			add(key+".max_len", "field %s: max_len must not be negative / 长度不能为负", f.Code)
		}
		if !sensitivities[f.Sensitivity] {
			add(key+".sensitivity", "field %s: sensitivity %q must be public, shared or restricted / 敏感级别无效", f.Code, f.Sensitivity)
		}
		if f.Type == TypeIDNumber && !f.Personal {
			add(key, "field %s: identity numbers must be marked personal: true / 证件号码必须标记为个人信息", f.Code)
		}
	}
	refField := func(key, code, want string) *Field {
		if code == "" {
			return nil
		}
		f, ok := byCode[code]
		if !ok {
			add(key, "refers to field %q, which the item does not have / 引用的字段不存在", code)
			return nil
		}
		if want != "" && f.Type != want {
			add(key, "field %q must be of type %s / 字段类型应为 %s", code, want, want)
		}
		return f
	}
	for i, f := range it.Fields {
		if f == nil {
			continue
		}
		key := fmt.Sprintf("fields.%d", i)
		if f.RequiredWhen != nil {
			refField(key+".required_when", f.RequiredWhen.Field, "")
		}
		if f.NotBefore != "" {
			if f.Type != TypeDate {
				add(key+".not_before", "field %s: not_before applies to dates only / 仅日期字段可设 not_before", f.Code)
			}
			refField(key+".not_before", f.NotBefore, TypeDate)
		}
		if f.IDTypeField != "" {
			refField(key+".id_type_field", f.IDTypeField, "")
		}
	}

	// Business key, subject, deadline.
	if len(it.BusinessKey) == 0 {
		add("business_key", "business_key is empty: name the fields that identify a record / 业务主键不能为空")
	}
	for i, k := range it.BusinessKey {
		if f := refField(fmt.Sprintf("business_key.%d", i), k, ""); f != nil && !f.Required {
			add(fmt.Sprintf("business_key.%d", i), "business key field %s must be required / 业务主键字段必须必填", k)
		}
	}
	s := it.Subject
	refField("subject.name_field", s.NameField, "")
	if s.NameField == "" {
		add("subject", "subject.name_field is required / 须指定主体名称字段")
	}
	refField("subject.type_field", s.TypeField, "")
	refField("subject.uscc_field", s.USCCField, TypeUSCC)
	refField("subject.id_type_field", s.IDTypeField, "")
	refField("subject.id_field", s.IDField, TypeIDNumber)
	for i, code := range s.CodeFields {
		key := fmt.Sprintf("subject.code_fields.%d", i)
		f := refField(key, code, "")
		switch {
		case f == nil:
		case f.Personal || f.Type == TypeIDNumber:
			add(key, "code field %q holds personal data: subjects are never searchable by it / 登记号码字段不能是个人信息字段", code)
		case f.Sensitivity != Public:
			add(key, "code field %q is not public: the public search finds subjects by it / 登记号码字段须为公开字段", code)
		}
	}
	if s.TypeField == "" && s.Fixed == "" {
		add("subject", "subject needs type_field (with types) or fixed / 须指定主体类型字段或固定类型")
	}
	for v, t := range s.Types {
		if !subjectTypes[t] {
			add("subject.types", "subject type value %q maps to %q, not one of org, individual_business, person / 主体类型映射无效", v, t)
		}
		if !it.AllowsSubjectType(t) {
			add("subject.types", "value %q maps to %q, which subject_types does not allow / 映射的主体类型不在 subject_types 中", v, t)
		}
	}
	needUSCC, needID := false, false
	for _, t := range it.SubjectTypes {
		if t == SubjectPerson {
			needID = true
		} else {
			needUSCC = true
		}
	}
	if needUSCC && s.USCCField == "" {
		add("subject", "organisations are matched by USCC: subject.uscc_field is required / 组织主体须指定统一社会信用代码字段")
	}
	if needID && s.IDField == "" {
		add("subject", "persons are matched by identity number: subject.id_field is required / 自然人主体须指定证件号码字段")
	}
	if it.Deadline.From != "" || it.Deadline.WorkingDays != 0 {
		refField("deadline.from", it.Deadline.From, TypeDate)
		if it.Deadline.WorkingDays < 1 || it.Deadline.WorkingDays > 60 {
			add("deadline.working_days", "working_days must be 1–60 / 时限应为 1–60 个工作日")
		}
	}

	// Disclosure.
	d := it.Disclosure
	if len(d.Channels) == 0 {
		add("disclosure.channels", "disclosure.channels is empty / 须指定公开或共享渠道")
	}
	for i, c := range d.Channels {
		if !channels[c] {
			add(fmt.Sprintf("disclosure.channels.%d", i), "channel %q is not one of public, sharing, inquiry / 渠道无效", c)
		}
	}
	refField("disclosure.from", d.From, TypeDate)
	refField("disclosure.end_field", d.EndField, TypeDate)
	for i, code := range it.Summary {
		if f := refField(fmt.Sprintf("summary.%d", i), code, ""); f != nil && f.Sensitivity != Public {
			add(fmt.Sprintf("summary.%d", i), "summary field %q is not public: listings show public fields only / 摘要字段须为公开字段", code)
		}
	}
	if it.HasChannel(ChannelPublic) {
		if d.From == "" {
			add("disclosure.from", "a public item needs disclosure.from, the date its period counts from / 公开条目须指定公示起算日期字段")
		}
		if d.Period == nil && d.Severity == nil {
			add("disclosure", "a public item needs a period or a severity rule with periods / 公开条目须指定公示期限")
		}
	}
	checkPeriod := func(key string, p Period) {
		if p.Indefinite || p.NotPublished {
			return
		}
		if p.MaxMonths < 1 || p.MinMonths < 0 || p.MinMonths > p.MaxMonths {
			add(key, "period needs 0 ≤ min_months ≤ max_months and max_months ≥ 1, or indefinite / 公示期限设置错误")
		}
	}
	if d.Period != nil {
		checkPeriod("disclosure.period", *d.Period)
	}
	if d.Severity != nil {
		sv := d.Severity
		if f := refField("disclosure.severity.field", sv.Field, ""); f != nil {
			for _, group := range [][]string{sv.SeriousAny, sv.MinorOnly, sv.NoEarlyEndAny} {
				for _, v := range group {
					if !contains(f.Enum, v) {
						add("disclosure.severity", "%q is not a value of field %s / 取值不在字段枚举中", v, f.Code)
					}
				}
			}
		}
		if sv.SeriousFlag != nil {
			refField("disclosure.severity.serious_flag", sv.SeriousFlag.Field, "")
		}
		if sv.SmallFine != nil {
			refField("disclosure.severity.small_fine", sv.SmallFine.Field, TypeDecimal)
		}
		for _, sev := range []string{SeverityMinor, SeverityGeneral, SeveritySerious} {
			p, ok := d.Periods[sev]
			if !ok {
				add("disclosure.periods", "periods.%s is missing / 缺少 %s 公示期限", sev, sev)
				continue
			}
			checkPeriod("disclosure.periods."+sev, p)
		}
		for sev := range d.Periods {
			if !severities[sev] {
				add("disclosure.periods", "periods.%s: severity must be minor, general or serious / 严重程度无效", sev)
			}
		}
	} else if len(d.Periods) > 0 {
		add("disclosure.periods", "periods needs a severity rule / 分级期限须配合 severity 规则")
	}
	if it.Nature == NatureNegative && d.ArchiveYears < 1 {
		add("disclosure.archive_years", "negative items need archive_years (the regulation's default is 5) / 失信信息须设置保存年限")
	}
	return ps
}

func checkAll(items []*Item) []Problem {
	var ps []Problem
	seen := map[string]string{}
	for _, it := range items {
		if prev, ok := seen[it.Code]; ok && it.Code != "" {
			ps = append(ps, Problem{File: it.File, Line: 1, Msg: fmt.Sprintf("item code %q is also used by %s / 条目代码重复", it.Code, prev)})
		}
		seen[it.Code] = it.File
	}
	return ps
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
