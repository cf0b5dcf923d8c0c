package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/ident"
	"github.com/xinyong/xinyong/internal/workday"
)

// chunkSize is how many drafts are looked up together: one query finds the
// stored records of a chunk, one its subjects.
const chunkSize = 500

// Submit stores the drafts of s in one transaction, in order.
func (db *DB) Submit(ctx context.Context, s *credit.Submission) ([]credit.Outcome, error) {
	t, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer t.Rollback()
	out, err := submit(ctx, t, s)
	if err != nil {
		return nil, err
	}
	if err := t.Commit(); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	return out, nil
}

// submit writes the drafts of s in t, with one audit entry for the whole
// submission that names every record written and a digest of their content.
func submit(ctx context.Context, t *tx, s *credit.Submission) ([]credit.Outcome, error) {
	w, err := newWriter(ctx, t, s)
	if err != nil {
		return nil, err
	}
	defer w.close()
	out := make([]credit.Outcome, 0, len(s.Drafts))
	for start := 0; start < len(s.Drafts); start += chunkSize {
		chunk := s.Drafts[start:min(start+chunkSize, len(s.Drafts))]
		if err := w.load(ctx, chunk); err != nil {
			return nil, err
		}
		for _, d := range chunk {
			o, err := w.write(ctx, d, len(out))
			if err != nil {
				return nil, fmt.Errorf("record %d: %w", d.Index, err)
			}
			out = append(out, o)
		}
		if err := w.insertPending(ctx, out); err != nil {
			return nil, err
		}
		w.stated(chunk, out[len(out)-len(chunk):])
		if err := w.insertCodes(ctx); err != nil {
			return nil, err
		}
		if err := w.flush(ctx); err != nil {
			return nil, err
		}
	}
	if err := w.audit(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// storedRecord is what the writer knows of a record already stored.
type storedRecord struct {
	id        int64
	version   int
	hash      []byte
	subjectID int64
	firstAt   string
	requestID string
}

// storedSubject is what the writer knows of a subject.
type storedSubject struct {
	id     int64
	name   string
	asOf   string
	source string
	label  string
	// maxAsOf is the latest decision date seen for the current name in this
	// chunk, written back by flush.
	maxAsOf string
}

// writer writes one submission: its prepared statements and, per chunk,
// the stored records and subjects the chunk refers to.
type writer struct {
	stmts
	s        *credit.Submission
	now      string
	records  map[string]*storedRecord  // by business key
	subjects map[string]*storedSubject // by USCC or hex of the identity hash
	// pending are new records not yet inserted: they go in many to a
	// statement, which is much cheaper than one by one.
	pending []pendingRecord
	maxID   int64 // the largest record id, once insertPending has read it; -1 before
	// codes are registration numbers of the chunk's organisations not yet
	// inserted, many to a statement; codeSeen holds every one this
	// submission has queued, so that each goes once.
	codes    []subjectCode
	codeSeen map[subjectCode]bool

	findRecord, historyRecord, updateRecord   *sql.Stmt
	insertSubject, renameSubject, bumpSubject *sql.Stmt
	findName, insertName, bumpName            *sql.Stmt
}

func newWriter(ctx context.Context, t *tx, s *credit.Submission) (*writer, error) {
	w := &writer{stmts: stmts{ctx: ctx, t: t}, s: s, now: ts(t.now), maxID: -1, codeSeen: map[subjectCode]bool{}}
	w.findRecord = w.prep(`SELECT id, version, content_hash, subject_id, first_submitted_at, request_id FROM records
		WHERE provider_id = ? AND item = ? AND business_key = ?`)
	w.historyRecord = w.prep(`INSERT INTO record_history (record_id, version, subject_id, catalog_version, fields, sealed, content_hash, decision_date,
		submission_deadline, deadline_estimated, on_time, severity, public, published_from, published_until, submitted_at, request_id)
		SELECT id, version, subject_id, catalog_version, fields, sealed, content_hash, decision_date,
		submission_deadline, deadline_estimated, on_time, severity, public, published_from, published_until, submitted_at, request_id
		FROM records WHERE id = ?`)
	w.updateRecord = w.prep(`UPDATE records SET version = ?, subject_id = ?, catalog_version = ?, fields = ?, sealed = ?, content_hash = ?, decision_date = ?,
		submission_deadline = ?, deadline_estimated = ?, on_time = ?, severity = ?, public = ?, published_from = ?, published_until = ?,
		submitted_at = ?, request_id = ? WHERE id = ?`)
	w.insertSubject = w.prep(`INSERT INTO subjects (kind, uscc, id_hash, id_sealed, id_masked, type, name, name_as_of, name_source, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	w.renameSubject = w.prep(`UPDATE subjects SET name = ?, type = ?, name_as_of = ?, name_source = ?, updated_at = ? WHERE id = ?`)
	w.bumpSubject = w.prep(`UPDATE subjects SET name_as_of = ? WHERE id = ? AND coalesce(name_as_of, '') < ?`)
	w.findName = w.prep(`SELECT id FROM subject_names WHERE subject_id = ? AND name = ?`)
	w.insertName = w.prep(`INSERT INTO subject_names (subject_id, name, first_seen, as_of) VALUES (?, ?, ?, ?)`)
	w.bumpName = w.prep(`UPDATE subject_names SET as_of = ? WHERE subject_id = ? AND name = ? AND coalesce(as_of, '') < ?`)
	if w.err != nil {
		w.close()
		return nil, w.err
	}
	return w, nil
}

// load reads, with one query for each kind, the stored subjects that the
// chunk's drafts refer to. Records are not looked up: a new record is
// inserted at once, and only a business key already stored (the insert
// yields to it) is read and compared.
func (w *writer) load(ctx context.Context, chunk []*credit.Draft) error {
	w.records = make(map[string]*storedRecord, len(chunk))
	w.subjects = make(map[string]*storedSubject, len(chunk))
	var usccs, hashes []any
	seenSubject := map[string]bool{}
	for _, d := range chunk {
		if k := d.Subject.Key(); !seenSubject[k] {
			seenSubject[k] = true
			if d.Subject.Kind == credit.KindOrg {
				usccs = append(usccs, d.Subject.USCC)
			} else {
				hashes = append(hashes, d.Subject.IDHash)
			}
		}
	}
	for _, q := range []struct {
		kind, col string
		args      []any
	}{{credit.KindOrg, "uscc", usccs}, {credit.KindPerson, "id_hash", hashes}} {
		if len(q.args) == 0 {
			continue
		}
		// One statement for every chunk of the submission: its list is
		// padded to chunkSize with NULL, which matches nothing.
		st, err := w.cached(`SELECT id, ` + q.col + `, name, coalesce(name_as_of, ''), name_source FROM subjects
			WHERE ` + q.col + ` IN (` + placeholders(chunkSize) + `)`)
		if err != nil {
			return fmt.Errorf("find subjects: %w", err)
		}
		args := append(q.args, make([]any, chunkSize-len(q.args))...)
		rows, err := st.QueryContext(ctx, args...)
		if err != nil {
			return fmt.Errorf("find subjects: %w", err)
		}
		for rows.Next() {
			s := &storedSubject{}
			ref := credit.SubjectRef{Kind: q.kind}
			var key any = &ref.USCC
			if q.kind != credit.KindOrg {
				key = &ref.IDHash
			}
			if err := rows.Scan(&s.id, key, &s.name, &s.asOf, &s.source); err != nil {
				rows.Close()
				return err
			}
			s.label = subjectLabel(&ref, s.id)
			w.subjects[ref.Key()] = s
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func subjectLabel(ref *credit.SubjectRef, id int64) string {
	if ref.Kind == credit.KindOrg {
		return ref.USCC
	}
	return strconv.FormatInt(id, 10)
}

func placeholders(n int) string {
	if n == 0 {
		return "NULL"
	}
	return strings.Repeat("?,", n-1) + "?"
}

// pendingRecord is a new record waiting for insertPending.
type pendingRecord struct {
	out     int // its outcome's index
	draft   *credit.Draft
	subject int64
	rec     *storedRecord
}

// insertRows is how many new records one statement inserts.
const insertRows = 40

const recordInsertColumns = `provider_id, item, business_key, first_submitted_at, version, subject_id, catalog_version, fields, sealed,
	content_hash, decision_date, submission_deadline, deadline_estimated, on_time, severity, public, published_from, published_until, submitted_at, request_id`

// insertPending inserts the pending records, setting their ids in out.
// A statement inserts many; the ids it gave are read back only when a key
// was stored already (the insert yields to it): else they are the ones
// after the largest before it, in order, as SQLite gives rowids.
func (w *writer) insertPending(ctx context.Context, out []credit.Outcome) error {
	if len(w.pending) > 0 && w.maxID < 0 {
		if err := w.t.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM records`).Scan(&w.maxID); err != nil {
			return fmt.Errorf("insert records: %w", err)
		}
	}
	for len(w.pending) > 0 {
		n := min(len(w.pending), insertRows)
		batch := w.pending[:n]
		st, err := w.cached(`INSERT INTO records (` + recordInsertColumns + `) VALUES ` +
			tuples("(?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", n) + `
			ON CONFLICT (provider_id, item, business_key) DO NOTHING`)
		if err != nil {
			return fmt.Errorf("insert records: %w", err)
		}
		args := make([]any, 0, 19*n)
		for i := range batch {
			p := &batch[i]
			d := p.draft
			onTime := credit.OnTime(d.SubmissionDeadline, w.t.now.In(workday.CST))
			args = append(args, w.s.Provider.ID, w.s.Item, d.BusinessKey, w.now, p.subject, w.s.CatalogVersion,
				d.FieldsText(), d.Sealed, d.ContentHash, day(d.DecisionDate), day(d.SubmissionDeadline), d.DeadlineEstimated, onTime,
				d.Severity, d.Public, day(d.PublishedFrom), day(d.PublishedUntil), w.now, w.s.RequestID)
		}
		res, err := st.ExecContext(ctx, args...)
		if err != nil {
			return fmt.Errorf("insert records: %w", err)
		}
		inserted, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("insert records: %w", err)
		}
		last, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("insert records: %w", err)
		}
		set := func(p *pendingRecord, id int64) {
			p.rec.id = id
			out[p.out].RecordID = id
		}
		var stored []*pendingRecord // keys stored before: compared below
		switch {
		case inserted == int64(n) && last == w.maxID+int64(n):
			for i := range batch {
				set(&batch[i], w.maxID+1+int64(i))
			}
		case inserted == 0:
			for i := range batch {
				stored = append(stored, &batch[i])
			}
		default:
			byKey := make(map[string]*pendingRecord, n)
			for i := range batch {
				byKey[batch[i].draft.BusinessKey] = &batch[i]
			}
			rows, err := w.t.QueryContext(ctx, `SELECT id, business_key FROM records WHERE id > ? AND id <= ? AND provider_id = ? AND item = ?`,
				w.maxID, last, w.s.Provider.ID, w.s.Item)
			if err != nil {
				return fmt.Errorf("insert records: %w", err)
			}
			for rows.Next() {
				var id int64
				var key string
				if err := rows.Scan(&id, &key); err != nil {
					rows.Close()
					return err
				}
				if p := byKey[key]; p != nil {
					set(p, id)
					delete(byKey, key)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("insert records: %w", err)
			}
			for i := range batch {
				if p := &batch[i]; byKey[p.draft.BusinessKey] == p {
					stored = append(stored, p)
				}
			}
		}
		if inserted > 0 {
			w.maxID = last
		}
		for _, p := range stored {
			if err := w.resolve(ctx, p, out); err != nil {
				return err
			}
		}
		w.pending = w.pending[n:]
	}
	w.pending = w.pending[:0]
	return nil
}

// write stores one draft, whose outcome will be out[at].
func (w *writer) write(ctx context.Context, d *credit.Draft, at int) (credit.Outcome, error) {
	o := credit.Outcome{Index: d.Index}
	subj, err := w.subject(ctx, &d.Subject)
	if err != nil {
		return o, err
	}
	o.SubjectID, o.Subject = subj.id, subj.label
	rec := w.records[d.BusinessKey]
	switch {
	case rec == nil:
		rec = &storedRecord{version: 1, hash: d.ContentHash, subjectID: subj.id, firstAt: w.now, requestID: w.s.RequestID}
		w.records[d.BusinessKey] = rec
		w.pending = append(w.pending, pendingRecord{out: at, draft: d, subject: subj.id, rec: rec})
		o.Status, o.Version = credit.StatusCreated, 1 // the id comes with insertPending
	default:
		if err := w.existing(ctx, d, subj.id, rec, &o); err != nil {
			return o, err
		}
	}
	return o, nil
}

// resolve handles a pending record whose business key turned out to be
// stored already: it reads the stored record and treats the draft as a
// new version of it.
func (w *writer) resolve(ctx context.Context, p *pendingRecord, out []credit.Outcome) error {
	rec := p.rec
	err := w.findRecord.QueryRowContext(ctx, w.s.Provider.ID, w.s.Item, p.draft.BusinessKey).
		Scan(&rec.id, &rec.version, &rec.hash, &rec.subjectID, &rec.firstAt, &rec.requestID)
	if err != nil {
		return fmt.Errorf("find record: %w", err)
	}
	o := &out[p.out]
	*o = credit.Outcome{Index: o.Index, SubjectID: o.SubjectID, Subject: o.Subject}
	return w.existing(ctx, p.draft, p.subject, rec, o)
}

// existing applies a draft to a stored record: refused if this request
// wrote it already, unchanged if identical, else a new version with the
// old one kept in the history.
func (w *writer) existing(ctx context.Context, d *credit.Draft, subjectID int64, rec *storedRecord, o *credit.Outcome) error {
	switch {
	case w.s.RequestID != "" && rec.requestID == w.s.RequestID:
		o.Status, o.RecordID, o.Version = credit.StatusRejected, rec.id, rec.version
		o.Error = credit.DuplicateInBatch()
	case bytes.Equal(rec.hash, d.ContentHash) && rec.subjectID == subjectID:
		o.Status, o.RecordID, o.Version = credit.StatusUnchanged, rec.id, rec.version
	default:
		if _, err := w.historyRecord.ExecContext(ctx, rec.id); err != nil {
			return fmt.Errorf("keep version %d: %w", rec.version, err)
		}
		onTime := credit.OnTime(d.SubmissionDeadline, parseTS(rec.firstAt).In(workday.CST))
		rec.version++
		if _, err := w.updateRecord.ExecContext(ctx, rec.version, subjectID, w.s.CatalogVersion, d.FieldsText(), d.Sealed, d.ContentHash,
			day(d.DecisionDate), day(d.SubmissionDeadline), d.DeadlineEstimated, onTime, d.Severity, d.Public,
			day(d.PublishedFrom), day(d.PublishedUntil), w.now, w.s.RequestID, rec.id); err != nil {
			return fmt.Errorf("update record: %w", err)
		}
		rec.hash, rec.subjectID, rec.requestID = d.ContentHash, subjectID, w.s.RequestID
		o.Status, o.RecordID, o.Version = credit.StatusUpdated, rec.id, rec.version
	}
	return nil
}

// subject resolves the subject of ref, creating it on first sight, and
// keeps its names. A registration record sets the name (the latest by date
// wins); any record may name a subject that has no registered name (the
// latest by date wins); every name seen is kept and searchable.
func (w *writer) subject(ctx context.Context, ref *credit.SubjectRef) (*storedSubject, error) {
	key := ref.Key()
	refAsOf := ""
	if !ref.AsOf.IsZero() {
		refAsOf = ref.AsOf.Format(time.DateOnly)
	}
	source := "record"
	if ref.Authoritative {
		source = "registration"
	}
	s := w.subjects[key]
	if s == nil {
		var uscc, hash, sealed, masked any
		if ref.Kind == credit.KindOrg {
			uscc = ref.USCC
		} else {
			hash, sealed, masked = ref.IDHash, ref.IDSealed, ref.IDMasked
		}
		res, err := w.insertSubject.ExecContext(ctx, ref.Kind, uscc, hash, sealed, masked, ref.Type, ref.Name, refAsOf, source, w.now, w.now)
		if err != nil {
			return nil, fmt.Errorf("insert subject: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return nil, err
		}
		if _, err := w.insertName.ExecContext(ctx, id, ref.Name, w.now, refAsOf); err != nil {
			return nil, fmt.Errorf("insert name: %w", err)
		}
		if ref.Kind == credit.KindOrg {
			w.addCode(ident.USCCOrgCode(ref.USCC), id)
			w.t.names.added(id, ref.Name)
			if w.t.names.full() {
				if err := w.t.indexNames(ctx); err != nil {
					return nil, err
				}
			}
		}
		s = &storedSubject{id: id, name: ref.Name, asOf: refAsOf, source: source, label: subjectLabel(ref, id)}
		w.subjects[key] = s
		return s, nil
	}
	if ref.Name == s.name {
		if refAsOf > s.asOf && refAsOf > s.maxAsOf {
			s.maxAsOf = refAsOf
		}
		return s, nil
	}

	// Another name: keep it, and rename if the rules say so.
	var nameID int64
	switch err := w.findName.QueryRowContext(ctx, s.id, ref.Name).Scan(&nameID); {
	case err == sql.ErrNoRows:
		if _, err := w.insertName.ExecContext(ctx, s.id, ref.Name, w.now, refAsOf); err != nil {
			return nil, fmt.Errorf("insert name: %w", err)
		}
		if ref.Kind == credit.KindOrg {
			w.t.names.renamed(s.id)
		}
	case err != nil:
		return nil, fmt.Errorf("find name: %w", err)
	default:
		if _, err := w.bumpName.ExecContext(ctx, refAsOf, s.id, ref.Name, refAsOf); err != nil {
			return nil, fmt.Errorf("update name: %w", err)
		}
	}
	if err := w.flushSubject(ctx, s); err != nil { // settle the current name's date first
		return nil, err
	}
	if credit.Renames(s.source == "registration", s.asOf, ref.Authoritative, refAsOf) {
		if _, err := w.renameSubject.ExecContext(ctx, ref.Name, ref.Type, refAsOf, source, w.now, s.id); err != nil {
			return nil, fmt.Errorf("rename subject: %w", err)
		}
		if err := w.t.record(ctx, "system", "subject.rename", "subject:"+strconv.FormatInt(s.id, 10),
			`{"from":`+strconv.Quote(s.name)+`,"to":`+strconv.Quote(ref.Name)+`,"source":`+strconv.Quote(source)+`}`); err != nil {
			return nil, err
		}
		s.name, s.asOf, s.source = ref.Name, refAsOf, source
	}
	return s, nil
}

// subjectCode is a registration number of an organisation.
type subjectCode struct {
	code    string
	subject int64
}

// stated queues the registration numbers the chunk's drafts state about
// their organisations, but not those of drafts refused: outs are their
// outcomes, final once the chunk's records are inserted.
func (w *writer) stated(chunk []*credit.Draft, outs []credit.Outcome) {
	for i, d := range chunk {
		if d.Subject.Kind != credit.KindOrg || outs[i].Status == credit.StatusRejected {
			continue
		}
		for _, c := range d.Subject.Codes {
			w.addCode(c, outs[i].SubjectID)
		}
	}
}

// addCode queues a registration number of an organisation for
// insertCodes, unless this submission queued it already.
func (w *writer) addCode(code string, subject int64) {
	k := subjectCode{code, subject}
	if code == "" || w.codeSeen[k] {
		return
	}
	w.codeSeen[k] = true
	w.codes = append(w.codes, k)
}

// codeRows is how many registration numbers one statement inserts.
const codeRows = 200

// insertCodes inserts the queued registration numbers, many to a
// statement; a number the organisation has already is left as it is.
func (w *writer) insertCodes(ctx context.Context) error {
	for start := 0; start < len(w.codes); start += codeRows {
		batch := w.codes[start:min(start+codeRows, len(w.codes))]
		n := len(batch)
		st, err := w.cached(`INSERT OR IGNORE INTO subject_codes (code, subject_id) VALUES ` + tuples("(?, ?)", n))
		if err != nil {
			return fmt.Errorf("insert codes: %w", err)
		}
		args := make([]any, 0, 2*n)
		for _, c := range batch {
			args = append(args, c.code, c.subject)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("insert codes: %w", err)
		}
	}
	w.codes = w.codes[:0]
	return nil
}

// flushSubject writes back the latest date seen for the subject's current name.
func (w *writer) flushSubject(ctx context.Context, s *storedSubject) error {
	if s.maxAsOf == "" {
		return nil
	}
	if _, err := w.bumpSubject.ExecContext(ctx, s.maxAsOf, s.id, s.maxAsOf); err != nil {
		return fmt.Errorf("update subject date: %w", err)
	}
	if _, err := w.bumpName.ExecContext(ctx, s.maxAsOf, s.id, s.name, s.maxAsOf); err != nil {
		return fmt.Errorf("update name date: %w", err)
	}
	s.asOf, s.maxAsOf = s.maxAsOf, ""
	return nil
}

// flushRows is how many subjects one statement of flush updates.
const flushRows = 200

// flush ends a chunk: the latest dates seen for subjects' current names
// written back, many subjects to a statement (two statements each, one by
// one, had cost a twelfth of an intake's writer).
func (w *writer) flush(ctx context.Context) error {
	var due []*storedSubject
	for _, s := range w.subjects {
		if s.maxAsOf != "" {
			due = append(due, s)
		}
	}
	for start := 0; start < len(due); start += flushRows {
		batch := due[start:min(start+flushRows, len(due))]
		n := len(batch)
		subjects, err := w.cached(`UPDATE subjects SET name_as_of = v.column2 FROM (VALUES ` + tuples("(?, ?)", n) + `) AS v
			WHERE subjects.id = v.column1 AND coalesce(subjects.name_as_of, '') < v.column2`)
		if err != nil {
			return fmt.Errorf("update subject dates: %w", err)
		}
		names, err := w.cached(`UPDATE subject_names SET as_of = v.column3 FROM (VALUES ` + tuples("(?, ?, ?)", n) + `) AS v
			WHERE subject_names.subject_id = v.column1 AND subject_names.name = v.column2 AND coalesce(subject_names.as_of, '') < v.column3`)
		if err != nil {
			return fmt.Errorf("update name dates: %w", err)
		}
		subjectArgs, nameArgs := make([]any, 0, 2*n), make([]any, 0, 3*n)
		for _, s := range batch {
			subjectArgs = append(subjectArgs, s.id, s.maxAsOf)
			nameArgs = append(nameArgs, s.id, s.name, s.maxAsOf)
		}
		if _, err := subjects.ExecContext(ctx, subjectArgs...); err != nil {
			return fmt.Errorf("update subject dates: %w", err)
		}
		if _, err := names.ExecContext(ctx, nameArgs...); err != nil {
			return fmt.Errorf("update name dates: %w", err)
		}
		for _, s := range batch {
			s.asOf, s.maxAsOf = s.maxAsOf, ""
		}
	}
	return nil
}

// audit writes one entry for the submission: counts, the records written,
// and a digest over their ids, versions and content hashes, so that the
// entry pins exactly what was written.
func (w *writer) audit(ctx context.Context, out []credit.Outcome) error {
	detail, ok := w.s.AuditDetail(out)
	if !ok {
		return nil
	}
	return w.t.record(ctx, "provider:"+w.s.Provider.Code, "records.submit", "request:"+w.s.RequestID, detail)
}
