// Package casework runs the subjects' rights for every door that serves
// them — the portal (applicants), the console (the credit center's staff)
// and the API (applicants and provider departments): filing an objection
// or a repair application with its evidence, each step of a case with its
// effect on the record, revocation of records, and the scheduled work that
// escalates overdue cases and archives old records.
//
// The rules themselves are pure functions in package rights; this package
// loads, checks, applies and stores. It imports the domain, the catalogue,
// the disclosure rules and the calendar; no SQL and no HTTP.
package casework

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/disclose"
	"github.com/xinyong/xinyong/internal/rights"
	"github.com/xinyong/xinyong/internal/workday"
)

// Limits bound what an applicant may send.
type Limits struct {
	MaxFiles     int   // evidence files a case may have
	MaxFileBytes int64 // each
	MaxText      int   // characters of a statement
}

// DefaultLimits are the limits when none are configured.
var DefaultLimits = Limits{MaxFiles: 5, MaxFileBytes: 10 << 20, MaxText: 5000}

// IdentityChecker checks who an applicant is. The default leaves it to the
// staff ("staff verify"); a real-name service can be plugged in.
type IdentityChecker interface {
	// Check returns whether the applicant is verified and by whom, or an
	// EINVALID error when the service refuses the identity.
	Check(ctx context.Context, a credit.Applicant) (verified bool, by string, err error)
}

// StaffVerify is the default IdentityChecker: nothing is verified at
// filing; staff check the applicant's identity when they accept the case.
type StaffVerify struct{}

// Check leaves the applicant unverified.
func (StaffVerify) Check(context.Context, credit.Applicant) (bool, string, error) {
	return false, "", nil
}

// Service is the casework. Its fields are its dependencies.
type Service struct {
	Store    credit.Store
	Catalog  *catalog.Catalog
	Calendar *workday.Calendar
	Identity IdentityChecker
	Limits   Limits
	Now      func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) limits() Limits {
	if s.Limits.MaxFiles == 0 {
		return DefaultLimits
	}
	return s.Limits
}

// File is an uploaded evidence file as received.
type File struct {
	Name string
	Data []byte
}

// evidenceTypes are the file types taken, by their first bytes.
var evidenceTypes = []struct {
	magic []byte
	typ   string
}{
	{[]byte("%PDF-"), "application/pdf"},
	{[]byte{0xff, 0xd8, 0xff}, "image/jpeg"},
	{[]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, "image/png"},
}

// Evidence checks files by content and size and returns them ready to
// store.
func (s *Service) Evidence(files []File) ([]credit.EvidenceFile, error) {
	l := s.limits()
	if len(files) > l.MaxFiles {
		return nil, credit.Errorf(credit.EINVALID, "最多上传 %d 个材料文件，收到 %d 个", "at most %d evidence files, got %d", l.MaxFiles, len(files))
	}
	var out []credit.EvidenceFile
	for _, f := range files {
		name := cleanName(f.Name)
		if int64(len(f.Data)) > l.MaxFileBytes {
			return nil, credit.Errorf(credit.ETOOLARGE, "文件“%s”超过 %d MB，请压缩后再上传", "the file %q is over %d MB; make it smaller", name, l.MaxFileBytes>>20)
		}
		if len(f.Data) == 0 {
			return nil, credit.Errorf(credit.EINVALID, "文件“%s”是空的", "the file %q is empty", name)
		}
		typ := ""
		for _, t := range evidenceTypes {
			if bytes.HasPrefix(f.Data, t.magic) {
				typ = t.typ
			}
		}
		if typ == "" {
			return nil, credit.Errorf(credit.EINVALID, "文件“%s”不是 PDF、JPEG 或 PNG 文件（按内容判断，与文件名无关）",
				"the file %q is not a PDF, JPEG or PNG file (judged by its content, not its name)", name)
		}
		sum := sha256.Sum256(f.Data)
		out = append(out, credit.EvidenceFile{Name: name, Type: typ, Size: int64(len(f.Data)), SHA256: sum[:], Data: f.Data})
	}
	return out, nil
}

// cleanName keeps a file name printable and short.
func cleanName(n string) string {
	n = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' || r == '\\' {
			return '_'
		}
		return r
	}, strings.ToValidUTF8(n, "_"))
	if n == "" {
		n = "file"
	}
	if utf8.RuneCountInString(n) > 100 {
		n = string([]rune(n)[:100])
	}
	return n
}

// newToken returns a tracking token and the hash stored for it.
func newToken() (string, []byte) {
	b := make([]byte, 24)
	rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	return tok, TokenHash(tok)
}

// TokenHash is the stored form of a tracking token.
func TokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// checkText checks a required free text.
func (s *Service) checkText(field, zh, en, v string, required bool, fields *[]credit.FieldError) string {
	v = strings.TrimSpace(v)
	switch n := utf8.RuneCountInString(v); {
	case !utf8.ValidString(v):
		*fields = append(*fields, fieldErr(field, "encoding", zh+"不是有效的 UTF-8 文本", en+" is not valid UTF-8 text"))
	case required && n == 0:
		*fields = append(*fields, fieldErr(field, "required", "请填写"+zh, en+" is required"))
	case n > s.limits().MaxText:
		*fields = append(*fields, fieldErr(field, "too_long", fmt.Sprintf("%s最多 %d 个字，实为 %d 个", zh, s.limits().MaxText, n),
			fmt.Sprintf("%s may have at most %d characters, got %d", en, s.limits().MaxText, n)))
	}
	return v
}

func fieldErr(field, code, zh, en string) credit.FieldError {
	return credit.FieldError{Field: field, Code: code, MessageZH: zh, MessageEN: en}
}

// checkApplicant checks who applies and for which organisation: the
// record's subject.
func (s *Service) checkApplicant(a credit.Applicant, rec *credit.Record, fields *[]credit.FieldError) credit.Applicant {
	a.Name = s.checkText("applicant.name", "申请人姓名", "the applicant's name", a.Name, true, fields)
	a.Role = s.checkText("applicant.role", "申请人身份", "how the applicant acts for the organisation", a.Role, true, fields)
	a.Phone = strings.TrimSpace(a.Phone)
	a.Email = strings.TrimSpace(a.Email)
	if a.Phone == "" && a.Email == "" {
		*fields = append(*fields, credit.FieldErrorf("applicant.phone", "required", "请留下电话或电子邮箱，便于联系", "give a phone number or an e-mail address to be reached at"))
	}
	if len(a.Phone) > 40 || len(a.Email) > 200 {
		*fields = append(*fields, credit.FieldErrorf("applicant.phone", "too_long", "联系方式过长", "the contact details are too long"))
	}
	a.USCC = strings.ToUpper(strings.TrimSpace(a.USCC))
	if a.USCC != rec.SubjectUSCC {
		*fields = append(*fields, credit.FieldErrorf("applicant.uscc", "subject", "请填写该记录所涉主体的统一社会信用代码",
			"give the unified social credit code of the organisation the record is about"))
	}
	a.Verified, a.VerifiedBy = false, ""
	return a
}

// publicRecord returns a record the public may see today, or ENOTFOUND.
func (s *Service) publicRecord(ctx context.Context, id int64) (*credit.Record, *catalog.Item, error) {
	rec, err := s.Store.Record(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	it, ok := s.Catalog.Item(rec.Item)
	if !ok || !disclose.OnPortal(it) || rec.SubjectUSCC == "" || !disclose.RecordShown(rec, s.now().In(workday.CST)) {
		return nil, nil, credit.Errorf(credit.ENOTFOUND, "没有这条公示记录，或其公示期已结束", "there is no such public record, or its publication period has ended")
	}
	return rec, it, nil
}

// ObjectionInput is what an applicant files.
type ObjectionInput struct {
	RecordID  int64
	Ground    string
	Statement string
	Applicant credit.Applicant
	Files     []File
}

// FileObjection files an objection on a public record and returns it with
// its private tracking token (shown once; only its hash is kept).
func (s *Service) FileObjection(ctx context.Context, in ObjectionInput) (*credit.Objection, string, error) {
	rec, _, err := s.publicRecord(ctx, in.RecordID)
	if err != nil {
		return nil, "", err
	}
	var fields []credit.FieldError
	if rights.GroundName(false, in.Ground) == in.Ground {
		fields = append(fields, credit.FieldErrorf("ground", "enum", "请选择异议理由", "choose the ground of the objection"))
	}
	stmt := s.checkText("statement", "异议内容", "the statement", in.Statement, true, &fields)
	applicant := s.checkApplicant(in.Applicant, rec, &fields)
	if len(fields) > 0 {
		return nil, "", &credit.Error{Code: credit.EINVALID, MessageZH: "异议申请填写有误，请按提示修改", MessageEN: "the objection is not complete; fix what is marked", Fields: fields}
	}
	files, err := s.Evidence(in.Files)
	if err != nil {
		return nil, "", err
	}
	if s.Identity != nil {
		if applicant.Verified, applicant.VerifiedBy, err = s.Identity.Check(ctx, applicant); err != nil {
			return nil, "", err
		}
	}
	tok, hash := newToken()
	o := &credit.Objection{RecordID: rec.ID, Ground: in.Ground, Statement: stmt, Applicant: applicant, TokenHash: hash, State: rights.ObjFiled, Files: files}
	if err := s.Store.CreateObjection(ctx, o); err != nil {
		return nil, "", err
	}
	return o, tok, nil
}

// caseOf is the state machine's view of a stored objection.
func caseOf(o *credit.Objection) rights.Objection {
	return rights.Objection{State: o.State, FiledAt: o.FiledAt, AcceptedAt: o.AcceptedAt, ForwardedAt: o.ForwardedAt, DecidedAt: o.DecidedAt,
		Extended: o.Extended, PausedSince: o.PausedSince, Paused: o.Paused, Outcome: o.Outcome}
}

// Deadline returns what the case waits for and by when.
func (s *Service) Deadline(o *credit.Objection) (rights.Deadline, bool) {
	return caseOf(o).Deadline(s.Calendar)
}

// ObjectionStep takes step on case id as its actor, computed from the
// case at version (what the actor saw). A provider (provider != "") may
// only answer cases forwarded to it. The record's mark and status follow
// the step, in the same transaction.
func (s *Service) ObjectionStep(ctx context.Context, id int64, version int, provider string, step rights.Step) (*credit.Objection, error) {
	o, err := s.Store.Objection(ctx, id)
	if err != nil {
		return nil, err
	}
	if provider != "" && (o.ProviderCode != provider || step.Kind != rights.StepAnswer) {
		return nil, credit.Errorf(credit.ENOTFOUND, "没有转给本单位的这件异议", "no such objection forwarded to your department")
	}
	if version != 0 && version != o.Version {
		return nil, credit.ErrCaseMoved("异议", "objection", o.Number)
	}
	step.At = s.now()
	next, err := rights.Apply(s.Calendar, caseOf(o), step)
	if err != nil {
		return nil, err
	}
	var effect credit.RecordEffect
	mark := func(b bool) *bool { return &b }
	switch step.Kind {
	case rights.StepAccept:
		effect.Mark = mark(true)
		o.Applicant.Verified, o.Applicant.VerifiedBy = true, step.Actor
	case rights.StepDecide, rights.StepAnswer:
		effect.Mark = mark(false)
		switch step.Outcome {
		case rights.OutcomeDelete:
			effect.Status, effect.From = credit.RecordDeleted, []string{credit.RecordActive, credit.RecordStopped}
		case rights.OutcomeStop:
			effect.Status, effect.From = credit.RecordStopped, []string{credit.RecordActive}
		}
	}
	o.State, o.AcceptedAt, o.ForwardedAt, o.DecidedAt = next.State, next.AcceptedAt, next.ForwardedAt, next.DecidedAt
	o.Extended, o.PausedSince, o.Paused, o.Outcome = next.Extended, next.PausedSince, next.Paused, next.Outcome
	if step.Kind == rights.StepReturn || step.Kind == rights.StepDecide || step.Kind == rights.StepAnswer {
		o.Reasons = step.Reason
	}
	cs := credit.CaseStep{Kind: step.Kind, Actor: step.Actor, Reason: step.Reason, Days: step.Days, Outcome: step.Outcome}
	if err := s.Store.UpdateObjection(ctx, o, cs, effect); err != nil {
		return nil, err
	}
	return o, nil
}

// RepairInput is a repair application.
type RepairInput struct {
	RecordID   int64
	Applicant  credit.Applicant
	Performed  string
	Commitment bool // the applicant signs the credit commitment
	Files      []File
}

// CommitmentText is the credit commitment an applicant signs, filled in
// with the organisation, the record and the day.
func CommitmentText(org, uscc, decision string, day time.Time) string {
	return fmt.Sprintf("信用承诺书\n\n本单位%s（统一社会信用代码：%s）已按照%s的要求全面履行了行政处罚决定规定的义务，"+
		"违法行为已经纠正，现申请信用修复，并郑重承诺：\n一、所提交的材料真实、准确、完整，如有虚假，愿承担相应法律责任；\n"+
		"二、严格遵守法律法规，依法诚信经营，不再发生同类违法失信行为；\n三、自愿接受社会监督，本承诺书同步向社会公开。\n\n承诺日期：%s",
		org, uscc, decision, day.In(workday.CST).Format("2006年1月2日"))
}

// Repairability tells whether a record can be repaired and from when.
func (s *Service) Repairability(rec *credit.Record, it *catalog.Item) rights.Eligibility {
	if it.Nature != catalog.NatureNegative {
		return rights.Eligibility{WhyZH: "只有失信信息需要信用修复", WhyEN: "only negative information is repaired"}
	}
	w := disclose.Compute(it, rec.Current.Fields, catalog.SubjectOrg)
	w.Until = rec.Current.PublishedUntil
	return rights.RepairEligibility(w, false)
}

// ApplyRepair takes a repair application for a public negative record.
func (s *Service) ApplyRepair(ctx context.Context, in RepairInput) (*credit.Repair, string, error) {
	rec, it, err := s.publicRecord(ctx, in.RecordID)
	if err != nil {
		return nil, "", err
	}
	if err := s.Repairability(rec, it).CheckApplication(s.now()); err != nil {
		return nil, "", err
	}
	open, err := s.Store.Repairs(ctx, credit.CaseFilter{RecordID: rec.ID, States: []string{rights.RepairApplied}})
	if err != nil {
		return nil, "", err
	}
	if len(open) > 0 {
		return nil, "", credit.Errorf(credit.ECONFLICT, "该记录已有正在办理的修复申请（%s）", "a repair application for this record is open already (%s)", open[0].Number)
	}
	var fields []credit.FieldError
	performed := s.checkText("performed", "履行情况说明", "how the penalty was performed", in.Performed, true, &fields)
	applicant := s.checkApplicant(in.Applicant, rec, &fields)
	if !in.Commitment {
		fields = append(fields, credit.FieldErrorf("commitment", "required", "请阅读并签署信用承诺书", "read and sign the credit commitment"))
	}
	if len(in.Files) == 0 {
		fields = append(fields, credit.FieldErrorf("files", "required", "请上传已履行处罚的证明（如缴款凭证）", "upload proof that the penalty was performed (a payment receipt, say)"))
	}
	if len(fields) > 0 {
		return nil, "", &credit.Error{Code: credit.EINVALID, MessageZH: "修复申请填写有误，请按提示修改", MessageEN: "the application is not complete; fix what is marked", Fields: fields}
	}
	files, err := s.Evidence(in.Files)
	if err != nil {
		return nil, "", err
	}
	tok, hash := newToken()
	r := &credit.Repair{RecordID: rec.ID, Applicant: applicant, Performed: performed, TokenHash: hash, State: rights.RepairApplied, Files: files,
		Commitment: CommitmentText(rec.SubjectName, rec.SubjectUSCC, rec.Current.Fields[decisionField(it)], s.now())}
	if err := s.Store.CreateRepair(ctx, r); err != nil {
		return nil, "", err
	}
	return r, tok, nil
}

// decisionField is the field naming a record's decision document: the
// first of the item's summary fields.
func decisionField(it *catalog.Item) string {
	if len(it.Summary) > 0 {
		return it.Summary[0]
	}
	return it.BusinessKey[0]
}

// RepairDeadline returns the last day to decide an open application.
func (s *Service) RepairDeadline(r *credit.Repair) (time.Time, bool) {
	by, _, ok := rights.Repair{State: r.State, AppliedAt: r.AppliedAt, Extended: r.Extended}.Deadline(s.Calendar)
	return by, ok
}

// RepairStep decides (or extends) application id. A provider may act
// only on applications about its own records.
func (s *Service) RepairStep(ctx context.Context, id int64, version int, provider string, step rights.Step) (*credit.Repair, error) {
	r, err := s.Store.Repair(ctx, id)
	if err != nil {
		return nil, err
	}
	if provider != "" && r.ProviderCode != provider {
		return nil, credit.Errorf(credit.ENOTFOUND, "没有本单位的这件修复申请", "no such repair application about your department's records")
	}
	if version != 0 && version != r.Version {
		return nil, credit.ErrCaseMoved("修复申请", "repair application", r.Number)
	}
	step.At = s.now()
	next, err := rights.ApplyRepair(rights.Repair{State: r.State, AppliedAt: r.AppliedAt, Extended: r.Extended}, step)
	if err != nil {
		return nil, err
	}
	var effect credit.RecordEffect
	if next.State == rights.RepairApproved {
		effect.Status, effect.From = credit.RecordRepaired, []string{credit.RecordActive}
	}
	r.State, r.Extended, r.DecidedAt = next.State, next.Extended, next.DecidedAt
	if step.Kind != rights.StepExtend {
		r.Reasons = step.Reason
	}
	if err := s.Store.UpdateRepair(ctx, r, credit.CaseStep{Kind: step.Kind, Actor: step.Actor, Reason: step.Reason}, effect); err != nil {
		return nil, err
	}
	return r, nil
}

// Revoke withdraws a provider's record whose decision was revoked.
func (s *Service) Revoke(ctx context.Context, provider *credit.Provider, id int64, reason string) error {
	rec, err := s.Store.Record(ctx, id)
	if err != nil {
		return err
	}
	if rec.ProviderCode != provider.Code {
		return credit.Errorf(credit.ENOTFOUND, "记录 %d 不存在", "record %d does not exist", id)
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 1000 {
		return credit.Errorf(credit.EINVALID, "请说明撤销原因（1000 字以内），如“行政复议决定撤销原处罚决定”",
			"give the reason for the revocation (up to 1,000 characters), e.g. the review decision that revoked the penalty")
	}
	return s.Store.SetRecordStatus(ctx, id, []string{credit.RecordActive, credit.RecordStopped}, credit.RecordRevoked, "provider:"+provider.Code, reason)
}
