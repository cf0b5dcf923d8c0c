package postgres

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/ident"
	"github.com/xinyong/xinyong/internal/names"
	"github.com/xinyong/xinyong/internal/workday"
)

// chunkSize is how many drafts are looked up together.
const chunkSize = 500

// Submit stores the drafts of s in one transaction, in order.
func (db *DB) Submit(ctx context.Context, s *credit.Submission) ([]credit.Outcome, error) {
	var out []credit.Outcome
	err := db.inTx(ctx, func(t *tx) error {
		var err error
		out, err = submit(ctx, t, s)
		return err
	})
	return out, err
}

// submit writes the drafts of s in t, with one audit entry for the whole
// submission that names every record written and a digest of their content.
func submit(ctx context.Context, t *tx, s *credit.Submission) ([]credit.Outcome, error) {
	w := &writer{t: t, s: s, subjects: map[string]*storedSubject{}, codeSeen: map[subjectCode]bool{}}
	out := make([]credit.Outcome, 0, len(s.Drafts))
	for start := 0; start < len(s.Drafts); start += chunkSize {
		chunk := s.Drafts[start:min(start+chunkSize, len(s.Drafts))]
		if err := w.load(ctx, chunk); err != nil {
			return nil, err
		}
		if err := w.createSubjects(ctx, chunk); err != nil {
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
	}
	// The subjects stay known (and locked) for the whole submission, so
	// their names' dates are written back once: each statement on the
	// partitioned names costs milliseconds of planning whatever its size.
	if err := w.flush(ctx); err != nil {
		return nil, err
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
	firstAt   time.Time
	requestID string
}

// storedSubject is what the writer knows of a subject, locked for this
// transaction.
type storedSubject struct {
	id     int64
	org    bool
	name   string
	asOf   string
	source string
	label  string
	// maxAsOf is the latest decision date seen for the current name,
	// written back by flush.
	maxAsOf string
}

// writer writes one submission.
type writer struct {
	t        *tx
	s        *credit.Submission
	records  map[string]*storedRecord  // by business key, for the chunk
	subjects map[string]*storedSubject // by USCC or hex of the identity hash, for the transaction
	pending  []pendingRecord
	// codes are registration numbers of the chunk's organisations not yet
	// inserted; codeSeen holds every one this submission has queued, so
	// that each goes once.
	codes    []subjectCode
	codeSeen map[subjectCode]bool
}

// pendingRecord is a new record waiting for insertPending.
type pendingRecord struct {
	out     int // its outcome's index
	draft   *credit.Draft
	subject int64
	rec     *storedRecord
}

func subjectLabel(kind, uscc string, id int64) string {
	if kind == credit.KindOrg {
		return uscc
	}
	return strconv.FormatInt(id, 10)
}

const subjectColumns = `id, kind, coalesce(uscc, ''), id_hash, name, coalesce(to_char(name_as_of, 'YYYY-MM-DD'), ''), name_source`

func scanSubject(row pgx.Row) (*storedSubject, string, error) {
	s := &storedSubject{}
	var kind, uscc string
	var hash []byte
	if err := row.Scan(&s.id, &kind, &uscc, &hash, &s.name, &s.asOf, &s.source); err != nil {
		return nil, "", err
	}
	s.org = kind == credit.KindOrg
	s.label = subjectLabel(kind, uscc, s.id)
	key := uscc
	if !s.org {
		key = "p:" + hex.EncodeToString(hash)
	}
	return s, key, nil
}

// load reads and locks the stored records and subjects the chunk refers
// to, in id order (so that concurrent writers lock alike). Records are
// found by their keys; a key stored meanwhile by another transaction is
// found when its insert yields (insertPending).
func (w *writer) load(ctx context.Context, chunk []*credit.Draft) error {
	w.records = make(map[string]*storedRecord, len(chunk))
	var usccs []string
	var hashes [][]byte
	seen := map[string]bool{}
	keys := make([]string, 0, len(chunk))
	for _, d := range chunk {
		if k := d.Subject.Key(); !seen[k] && w.subjects[k] == nil {
			seen[k] = true
			if d.Subject.Kind == credit.KindOrg {
				usccs = append(usccs, d.Subject.USCC)
			} else {
				hashes = append(hashes, d.Subject.IDHash)
			}
		}
		keys = append(keys, d.BusinessKey)
	}
	if err := w.loadSubjects(ctx, usccs, hashes); err != nil {
		return err
	}
	return w.loadRecords(ctx, keys)
}

// loadSubjects reads and locks the stored subjects with the given codes or
// identity hashes, in id order.
func (w *writer) loadSubjects(ctx context.Context, usccs []string, hashes [][]byte) error {
	if len(usccs)+len(hashes) == 0 {
		return nil
	}
	// One query per kind of key, each key looked up in its unique index
	// (LATERAL: the plan cannot turn into a scan while statistics lag behind
	// a bulk load), locked in key order so that concurrent writers lock
	// alike.
	sort.Strings(usccs)
	sort.Slice(hashes, func(i, j int) bool { return bytes.Compare(hashes[i], hashes[j]) < 0 })
	for _, q := range []struct {
		col  string
		keys any
		n    int
	}{{"uscc", usccs, len(usccs)}, {"id_hash", hashes, len(hashes)}} {
		if q.n == 0 {
			continue
		}
		rows, err := w.t.Query(ctx, `SELECT s.* FROM unnest($1::`+map[string]string{"uscc": "text", "id_hash": "bytea"}[q.col]+`[]) AS q (k)
			CROSS JOIN LATERAL (SELECT `+subjectColumns+` FROM subjects WHERE `+q.col+` = q.k FOR NO KEY UPDATE) s`, q.keys)
		if err != nil {
			return fmt.Errorf("find subjects: %w", err)
		}
		for rows.Next() {
			s, key, err := scanSubject(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("find subjects: %w", err)
			}
			w.subjects[key] = s
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("find subjects: %w", err)
		}
	}
	return nil
}

// loadRecords reads and locks the stored records with the given keys: the
// keys are locked first, in key order, one index probe each (LATERAL, so
// that the plan holds while statistics lag behind a bulk load); the
// records are read by a second statement, whose snapshot is taken after
// the locks are held, so that a version another transaction committed
// while this one waited is the one seen.
func (w *writer) loadRecords(ctx context.Context, keys []string) error {
	keys = append([]string(nil), keys...)
	sort.Strings(keys)
	rows, err := w.t.Query(ctx, `SELECT k.id, k.subject_id FROM unnest($3::text[]) AS q (key)
		CROSS JOIN LATERAL (SELECT id, subject_id FROM record_keys
			WHERE provider_id = $1 AND item = $2 AND business_key = q.key FOR NO KEY UPDATE) k`, w.s.Provider.ID, w.s.Item, keys)
	if err != nil {
		return fmt.Errorf("lock records: %w", err)
	}
	var ids, subjects []int64
	for rows.Next() {
		var id, subject int64
		if err := rows.Scan(&id, &subject); err != nil {
			rows.Close()
			return fmt.Errorf("lock records: %w", err)
		}
		ids, subjects = append(ids, id), append(subjects, subject)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("lock records: %w", err)
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err = w.t.Query(ctx, `SELECT r.id, r.business_key, r.version, r.content_hash, r.subject_id, r.first_submitted_at, r.request_id
		FROM unnest($1::bigint[], $2::bigint[]) AS q (id, subject)
		CROSS JOIN LATERAL (SELECT id, business_key, version, content_hash, subject_id, first_submitted_at, request_id FROM records
			WHERE subject_id = q.subject AND id = q.id) r`, ids, subjects)
	if err != nil {
		return fmt.Errorf("find records: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rec storedRecord
		var key string
		if err := rows.Scan(&rec.id, &key, &rec.version, &rec.hash, &rec.subjectID, &rec.firstAt, &rec.requestID); err != nil {
			return fmt.Errorf("find records: %w", err)
		}
		w.records[key] = &rec
	}
	return rows.Err()
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
	if rec == nil {
		rec = &storedRecord{version: 1, hash: d.ContentHash, subjectID: subj.id, firstAt: w.t.now, requestID: w.s.RequestID}
		w.records[d.BusinessKey] = rec
		w.pending = append(w.pending, pendingRecord{out: at, draft: d, subject: subj.id, rec: rec})
		o.Status, o.Version = credit.StatusCreated, 1 // the id comes with insertPending
		return o, nil
	}
	return o, w.existing(ctx, d, subj.id, rec, &o)
}

// insertPending inserts the chunk's new records: their keys first, which
// yield to keys another transaction stored meanwhile (those drafts become
// new versions of the stored records), then the records by COPY.
func (w *writer) insertPending(ctx context.Context, out []credit.Outcome) error {
	if len(w.pending) == 0 {
		return nil
	}
	defer func() { w.pending = w.pending[:0] }()
	keys := make([]string, len(w.pending))
	subjects := make([]int64, len(w.pending))
	byKey := make(map[string]*pendingRecord, len(w.pending))
	for i := range w.pending {
		p := &w.pending[i]
		keys[i], subjects[i] = p.draft.BusinessKey, p.subject
		byKey[p.draft.BusinessKey] = p
	}
	rows, err := w.t.Query(ctx, `INSERT INTO record_keys (provider_id, item, business_key, subject_id)
		SELECT $1, $2, k, s FROM unnest($3::text[], $4::bigint[]) AS u (k, s)
		ON CONFLICT (provider_id, item, business_key) DO NOTHING RETURNING id, business_key`, w.s.Provider.ID, w.s.Item, keys, subjects)
	if err != nil {
		return fmt.Errorf("insert record keys: %w", err)
	}
	var copyRows [][]any
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			rows.Close()
			return err
		}
		p := byKey[key]
		delete(byKey, key)
		p.rec.id = id
		out[p.out].RecordID = id
		d := p.draft
		copyRows = append(copyRows, []any{id, p.subject, w.s.Provider.ID, w.s.Item, d.BusinessKey, w.t.now, 1, w.s.CatalogVersion,
			d.FieldsText(), d.Sealed, d.ContentHash, dayArg(d.DecisionDate), dayArg(d.SubmissionDeadline), d.DeadlineEstimated,
			credit.OnTime(d.SubmissionDeadline, w.t.now.In(workday.CST)), d.Severity, d.Public, dayArg(d.PublishedFrom),
			dayArg(d.PublishedUntil), w.t.now, w.s.RequestID})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("insert record keys: %w", err)
	}
	if len(copyRows) > 0 {
		if _, err := w.t.CopyFrom(ctx, pgx.Identifier{"records"}, recordColumns, pgx.CopyFromRows(copyRows)); err != nil {
			return fmt.Errorf("insert records: %w", err)
		}
	}
	if len(byKey) == 0 {
		return nil
	}
	// Keys another transaction stored since load: read them, locked, and
	// make these drafts their next versions, in the drafts' order.
	late := make([]string, 0, len(byKey))
	for k := range byKey {
		late = append(late, k)
	}
	if err := w.loadRecords(ctx, late); err != nil {
		return err
	}
	for i := range w.pending {
		p := &w.pending[i]
		if byKey[p.draft.BusinessKey] != p {
			continue
		}
		rec := w.records[p.draft.BusinessKey]
		if rec == nil {
			return fmt.Errorf("record key %q neither inserted nor found", p.draft.BusinessKey)
		}
		o := &out[p.out]
		*o = credit.Outcome{Index: o.Index, SubjectID: o.SubjectID, Subject: o.Subject}
		if err := w.existing(ctx, p.draft, p.subject, rec, o); err != nil {
			return err
		}
	}
	return nil
}

var recordColumns = []string{"id", "subject_id", "provider_id", "item", "business_key", "first_submitted_at", "version", "catalog_version",
	"fields", "sealed", "content_hash", "decision_date", "submission_deadline", "deadline_estimated", "on_time", "severity", "public",
	"published_from", "published_until", "submitted_at", "request_id"}

// existing applies a draft to a stored record: refused if this request
// wrote it already, unchanged if identical, else a new version with the
// old one kept in the history.
func (w *writer) existing(ctx context.Context, d *credit.Draft, subjectID int64, rec *storedRecord, o *credit.Outcome) error {
	switch {
	case rec.requestID == w.s.RequestID && (w.s.RequestID != "" || rec.id == 0):
		o.Status, o.RecordID, o.Version = credit.StatusRejected, rec.id, rec.version
		o.Error = credit.DuplicateInBatch()
	case bytes.Equal(rec.hash, d.ContentHash) && rec.subjectID == subjectID:
		o.Status, o.RecordID, o.Version = credit.StatusUnchanged, rec.id, rec.version
	default:
		if _, err := w.t.Exec(ctx, `INSERT INTO record_history (record_id, version, subject_id, catalog_version, fields, sealed, content_hash,
			decision_date, submission_deadline, deadline_estimated, on_time, severity, public, published_from, published_until, submitted_at, request_id)
			SELECT id, version, subject_id, catalog_version, fields, sealed, content_hash, decision_date, submission_deadline, deadline_estimated,
			on_time, severity, public, published_from, published_until, submitted_at, request_id
			FROM records WHERE subject_id = $1 AND id = $2`, rec.subjectID, rec.id); err != nil {
			return fmt.Errorf("keep version %d: %w", rec.version, err)
		}
		rec.version++
		if _, err := w.t.Exec(ctx, `UPDATE records SET version = $1, subject_id = $2, catalog_version = $3, fields = $4, sealed = $5,
			content_hash = $6, decision_date = $7, submission_deadline = $8, deadline_estimated = $9, on_time = $10, severity = $11,
			public = $12, published_from = $13, published_until = $14, submitted_at = $15, request_id = $16
			WHERE subject_id = $17 AND id = $18`,
			rec.version, subjectID, w.s.CatalogVersion, d.FieldsText(), d.Sealed, d.ContentHash, dayArg(d.DecisionDate),
			dayArg(d.SubmissionDeadline), d.DeadlineEstimated, credit.OnTime(d.SubmissionDeadline, rec.firstAt.In(workday.CST)),
			d.Severity, d.Public, dayArg(d.PublishedFrom), dayArg(d.PublishedUntil), w.t.now, w.s.RequestID, rec.subjectID, rec.id); err != nil {
			return fmt.Errorf("update record: %w", err)
		}
		if subjectID != rec.subjectID {
			if _, err := w.t.Exec(ctx, `UPDATE record_keys SET subject_id = $1 WHERE id = $2`, subjectID, rec.id); err != nil {
				return fmt.Errorf("update record key: %w", err)
			}
		}
		rec.hash, rec.subjectID, rec.requestID = d.ContentHash, subjectID, w.s.RequestID
		o.Status, o.RecordID, o.Version = credit.StatusUpdated, rec.id, rec.version
	}
	return nil
}

// subject resolves the subject of ref, creating it on first sight, and
// keeps its names, by the rules of credit.Renames.
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
		return nil, fmt.Errorf("subject %s neither found nor created", subjectLabel(ref.Kind, ref.USCC, 0))
	}
	if ref.Name == s.name {
		if refAsOf > s.asOf && refAsOf > s.maxAsOf {
			s.maxAsOf = refAsOf
		}
		return s, nil
	}

	// Another name: keep it, and rename if the rules say so.
	if _, err := w.t.Exec(ctx, `INSERT INTO subject_names (subject_id, org, name, grams, first_seen, as_of) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (subject_id, name) DO UPDATE SET as_of = EXCLUDED.as_of
		WHERE subject_names.as_of IS NULL OR subject_names.as_of < EXCLUDED.as_of`,
		s.id, s.org, ref.Name, names.Grams(ref.Name), w.t.now, nullDay(refAsOf)); err != nil {
		return nil, fmt.Errorf("keep name: %w", err)
	}
	if err := w.flushSubject(ctx, s); err != nil { // settle the current name's date first
		return nil, err
	}
	if credit.Renames(s.source == "registration", s.asOf, ref.Authoritative, refAsOf) {
		if _, err := w.t.Exec(ctx, `UPDATE subjects SET name = $1, type = $2, name_as_of = $3, name_source = $4, updated_at = $5 WHERE id = $6`,
			ref.Name, ref.Type, nullDay(refAsOf), source, w.t.now, s.id); err != nil {
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

// createSubjects creates, with one statement for the subjects and one COPY
// for their names, the subjects of the chunk not stored yet, each from the
// first draft that names it. Subjects another transaction created since
// load are read and locked instead.
func (w *writer) createSubjects(ctx context.Context, chunk []*credit.Draft) error {
	var refs []*credit.SubjectRef
	seen := map[string]bool{}
	for _, d := range chunk {
		if k := d.Subject.Key(); w.subjects[k] == nil && !seen[k] {
			seen[k] = true
			refs = append(refs, &d.Subject)
		}
	}
	if len(refs) == 0 {
		return nil
	}
	n := len(refs)
	kinds, types, nms, sources := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	usccs, masked, asOf := make([]*string, n), make([]*string, n), make([]*string, n)
	hashes, sealed := make([][]byte, n), make([][]byte, n)
	for i, ref := range refs {
		kinds[i], types[i], nms[i], sources[i] = ref.Kind, ref.Type, ref.Name, "record"
		if ref.Authoritative {
			sources[i] = "registration"
		}
		if ref.Kind == credit.KindOrg {
			usccs[i] = &ref.USCC
		} else {
			hashes[i], sealed[i], masked[i] = ref.IDHash, ref.IDSealed, &ref.IDMasked
		}
		if !ref.AsOf.IsZero() {
			d := ref.AsOf.Format(time.DateOnly)
			asOf[i] = &d
		}
	}
	rows, err := w.t.Query(ctx, `INSERT INTO subjects (kind, uscc, id_hash, id_sealed, id_masked, type, name, name_as_of, name_source, created_at, updated_at)
		SELECT k, u, h, s, m, t, n, a, src, $10, $10
		FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bytea[], $5::text[], $6::text[], $7::text[], $8::date[], $9::text[])
			AS x (k, u, h, s, m, t, n, a, src)
		ON CONFLICT DO NOTHING RETURNING `+subjectColumns, kinds, usccs, hashes, sealed, masked, types, nms, asOf, sources, w.t.now)
	if err != nil {
		return fmt.Errorf("insert subjects: %w", err)
	}
	var nameRows [][]any
	for rows.Next() {
		s, key, err := scanSubject(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("insert subjects: %w", err)
		}
		w.subjects[key] = s
		nameRows = append(nameRows, []any{s.id, s.org, s.name, names.Grams(s.name), w.t.now, nullDay(s.asOf)})
		if s.org {
			w.addCode(ident.USCCOrgCode(key), s.id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("insert subjects: %w", err)
	}
	if len(nameRows) > 0 {
		if _, err := w.t.CopyFrom(ctx, pgx.Identifier{"subject_names"}, []string{"subject_id", "org", "name", "grams", "first_seen", "as_of"},
			pgx.CopyFromRows(nameRows)); err != nil {
			return fmt.Errorf("insert names: %w", err)
		}
	}
	if len(nameRows) == len(refs) {
		return nil
	}
	// Created by another transaction since load: read and lock them.
	var lateUSCC []string
	var lateHash [][]byte
	for _, ref := range refs {
		if w.subjects[ref.Key()] == nil {
			if ref.Kind == credit.KindOrg {
				lateUSCC = append(lateUSCC, ref.USCC)
			} else {
				lateHash = append(lateHash, ref.IDHash)
			}
		}
	}
	return w.loadSubjects(ctx, lateUSCC, lateHash)
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

// insertCodes inserts the chunk's queued registration numbers with one
// statement; a number the organisation has already is left as it is. The
// organisations are this transaction's (locked by load, or created by it),
// so no other writer inserts the same rows meanwhile.
func (w *writer) insertCodes(ctx context.Context) error {
	if len(w.codes) == 0 {
		return nil
	}
	codes, subjects := make([]string, len(w.codes)), make([]int64, len(w.codes))
	for i, c := range w.codes {
		codes[i], subjects[i] = c.code, c.subject
	}
	w.codes = w.codes[:0]
	if _, err := w.t.Exec(ctx, `INSERT INTO subject_codes (code, subject_id) SELECT c, s FROM unnest($1::text[], $2::bigint[]) AS u (c, s)
		ON CONFLICT DO NOTHING`, codes, subjects); err != nil {
		return fmt.Errorf("insert codes: %w", err)
	}
	return nil
}

func nullDay(d string) any {
	if d == "" {
		return nil
	}
	return d
}

// flushSubject writes back the latest date seen for the subject's current name.
func (w *writer) flushSubject(ctx context.Context, s *storedSubject) error {
	if s.maxAsOf == "" {
		return nil
	}
	if _, err := w.t.Exec(ctx, `UPDATE subjects SET name_as_of = $1 WHERE id = $2 AND (name_as_of IS NULL OR name_as_of < $1)`,
		s.maxAsOf, s.id); err != nil {
		return fmt.Errorf("update subject date: %w", err)
	}
	if _, err := w.t.Exec(ctx, `UPDATE subject_names SET as_of = $1 WHERE subject_id = $2 AND name = $3 AND (as_of IS NULL OR as_of < $1)`,
		s.maxAsOf, s.id, s.name); err != nil {
		return fmt.Errorf("update name date: %w", err)
	}
	s.asOf, s.maxAsOf = s.maxAsOf, ""
	return nil
}

// flush ends a submission: the latest dates seen for subjects' current
// names written back, with one statement for subjects and one for names.
func (w *writer) flush(ctx context.Context) error {
	var ids []int64
	var days, nms []string
	for _, s := range w.subjects {
		if s.maxAsOf != "" {
			ids, days, nms = append(ids, s.id), append(days, s.maxAsOf), append(nms, s.name)
			s.asOf, s.maxAsOf = s.maxAsOf, ""
		}
	}
	if len(ids) == 0 {
		return nil
	}
	if _, err := w.t.Exec(ctx, `UPDATE subjects s SET name_as_of = u.d FROM unnest($1::bigint[], $2::date[]) AS u (id, d)
		WHERE s.id = u.id AND (s.name_as_of IS NULL OR s.name_as_of < u.d)`, ids, days); err != nil {
		return fmt.Errorf("update subject dates: %w", err)
	}
	if _, err := w.t.Exec(ctx, `UPDATE subject_names n SET as_of = u.d FROM unnest($1::bigint[], $2::text[], $3::date[]) AS u (id, name, d)
		WHERE n.subject_id = u.id AND n.name = u.name AND (n.as_of IS NULL OR n.as_of < u.d)`, ids, nms, days); err != nil {
		return fmt.Errorf("update name dates: %w", err)
	}
	return nil
}

// audit queues one entry for the submission: counts, the records written,
// and a digest over their ids, versions and content hashes.
func (w *writer) audit(ctx context.Context, out []credit.Outcome) error {
	detail, ok := w.s.AuditDetail(out)
	if !ok {
		return nil
	}
	return w.t.record(ctx, "provider:"+w.s.Provider.Code, "records.submit", "request:"+w.s.RequestID, detail)
}
