package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/xinyong/xinyong/internal/credit"
)

// subjectStmts are the statements that resolve subjects, prepared once per
// transaction with the submission's.
type subjectStmts struct {
	byUSCC, byIDHash, insert, rename, findName, insertName, touchName, names, indexTri, indexChars *sql.Stmt
}

func prepareSubjects(s *stmts) *subjectStmts {
	return &subjectStmts{
		byUSCC:     s.prep(`SELECT id, name, coalesce(name_as_of, '') FROM subjects WHERE uscc = ?`),
		byIDHash:   s.prep(`SELECT id, name, coalesce(name_as_of, '') FROM subjects WHERE id_hash = ?`),
		insert:     s.prep(`INSERT INTO subjects (kind, uscc, id_hash, id_sealed, id_masked, type, name, name_as_of, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		rename:     s.prep(`UPDATE subjects SET name = ?, type = ?, name_as_of = ?, updated_at = ? WHERE id = ?`),
		findName:   s.prep(`SELECT id FROM subject_names WHERE subject_id = ? AND name = ?`),
		insertName: s.prep(`INSERT INTO subject_names (subject_id, name, first_seen, last_seen, as_of) VALUES (?, ?, ?, ?, ?)`),
		touchName:  s.prep(`UPDATE subject_names SET last_seen = ?, as_of = max(coalesce(as_of, ''), ?) WHERE id = ?`),
		names:      s.prep(`SELECT name FROM subject_names WHERE subject_id = ? ORDER BY id`),
		indexTri:   s.prep(`INSERT OR REPLACE INTO name_trigram (rowid, names) VALUES (?, ?)`),
		indexChars: s.prep(`INSERT OR REPLACE INTO name_chars (rowid, chars) VALUES (?, ?)`),
	}
}

// resolveSubject finds the subject of ref, creating it on first sight, and
// keeps its name history: the subject takes the name of its record with the
// latest decision date. It returns the id and the label outcomes show (the
// USCC, or the id for persons).
func resolveSubject(ctx context.Context, t *tx, st *subjectStmts, ref *credit.SubjectRef) (int64, string, error) {
	var (
		id         int64
		name, asOf string
		refAsOf    = ""
		label      string
		isOrg      = ref.Kind == credit.KindOrg
		err        error
	)
	if !ref.AsOf.IsZero() {
		refAsOf = ref.AsOf.Format(time.DateOnly)
	}
	if isOrg {
		err = st.byUSCC.QueryRowContext(ctx, ref.USCC).Scan(&id, &name, &asOf)
	} else {
		err = st.byIDHash.QueryRowContext(ctx, ref.IDHash).Scan(&id, &name, &asOf)
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		var uscc, masked any
		if isOrg {
			uscc = ref.USCC
		} else {
			masked = ref.IDMasked
		}
		var hash, sealed any
		if !isOrg {
			hash, sealed = ref.IDHash, ref.IDSealed
		}
		res, err := st.insert.ExecContext(ctx, ref.Kind, uscc, hash, sealed, masked, ref.Type, ref.Name, refAsOf, ts(t.now), ts(t.now))
		if err != nil {
			return 0, "", fmt.Errorf("insert subject: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return 0, "", err
		}
		name, asOf = ref.Name, refAsOf
	case err != nil:
		return 0, "", fmt.Errorf("find subject: %w", err)
	default:
		if ref.Name != name && refAsOf >= asOf {
			if _, err := st.rename.ExecContext(ctx, ref.Name, ref.Type, refAsOf, ts(t.now), id); err != nil {
				return 0, "", fmt.Errorf("rename subject: %w", err)
			}
			if err := t.record(ctx, "system", "subject.rename", "subject:"+strconv.FormatInt(id, 10),
				`{"from":`+strconv.Quote(name)+`,"to":`+strconv.Quote(ref.Name)+`}`); err != nil {
				return 0, "", err
			}
		}
	}
	if isOrg {
		label = ref.USCC
	} else {
		label = strconv.FormatInt(id, 10)
	}

	// Name history and, for organisations, the search index.
	var nameID int64
	err = st.findName.QueryRowContext(ctx, id, ref.Name).Scan(&nameID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := st.insertName.ExecContext(ctx, id, ref.Name, ts(t.now), ts(t.now), refAsOf); err != nil {
			return 0, "", fmt.Errorf("insert name: %w", err)
		}
		if isOrg {
			if err := indexNames(ctx, st, id); err != nil {
				return 0, "", err
			}
		}
	case err != nil:
		return 0, "", fmt.Errorf("find name: %w", err)
	default:
		if _, err := st.touchName.ExecContext(ctx, ts(t.now), refAsOf, nameID); err != nil {
			return 0, "", fmt.Errorf("touch name: %w", err)
		}
	}
	return id, label, nil
}

// nameSeparator stands between an organisation's names in the search
// index: a newline for trigrams (queries never contain one) and a token no
// query can produce for single characters.
const (
	nameSeparator  = "\n"
	charsSeparator = " 0sep0 "
)

// indexNames rewrites the organisation's row in both name indexes from all
// its names.
func indexNames(ctx context.Context, st *subjectStmts, id int64) error {
	rows, err := st.names.QueryContext(ctx, id)
	if err != nil {
		return fmt.Errorf("read names: %w", err)
	}
	var names, chars []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		names = append(names, n)
		chars = append(chars, spaced(n))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if _, err := st.indexTri.ExecContext(ctx, id, strings.Join(names, nameSeparator)); err != nil {
		return fmt.Errorf("index names: %w", err)
	}
	if _, err := st.indexChars.ExecContext(ctx, id, strings.Join(chars, charsSeparator)); err != nil {
		return fmt.Errorf("index names: %w", err)
	}
	return nil
}

// spaced separates the characters of a name so that the unicode61 tokenizer
// makes each letter, digit or Han character its own token.
func spaced(s string) string {
	var b strings.Builder
	b.Grow(2 * len(s))
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// SubjectByUSCC returns an organisation with its name history.
func (db *DB) SubjectByUSCC(ctx context.Context, uscc string) (*credit.Subject, error) {
	var s credit.Subject
	var created, updated string
	err := db.read.QueryRowContext(ctx, `SELECT id, kind, uscc, type, name, created_at, updated_at FROM subjects WHERE uscc = ? AND kind = 'org'`, uscc).
		Scan(&s.ID, &s.Kind, &s.USCC, &s.Type, &s.Name, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, credit.Errorf(credit.ENOTFOUND, "未找到统一社会信用代码为 %s 的主体", "no subject with unified social credit code %s", uscc)
	}
	if err != nil {
		return nil, fmt.Errorf("read subject: %w", err)
	}
	s.CreatedAt, s.UpdatedAt = parseTS(created), parseTS(updated)
	rows, err := db.read.QueryContext(ctx, `SELECT name, first_seen, last_seen, coalesce(as_of, '') FROM subject_names WHERE subject_id = ?
		ORDER BY name = ? DESC, as_of DESC, last_seen DESC`, s.ID, s.Name)
	if err != nil {
		return nil, fmt.Errorf("read names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n credit.SubjectName
		var first, last, asOf string
		if err := rows.Scan(&n.Name, &first, &last, &asOf); err != nil {
			return nil, err
		}
		n.FirstSeen, n.LastSeen = parseTS(first), parseTS(last)
		if t := parseDay(sql.NullString{String: asOf, Valid: asOf != ""}); t != nil {
			n.AsOf = *t
		}
		s.Names = append(s.Names, n)
	}
	return &s, rows.Err()
}

// PublicRecords returns the subject's records shown publicly on day. The
// sealed personal values are not read.
func (db *DB) PublicRecords(ctx context.Context, subjectID int64, day time.Time) ([]*credit.Record, error) {
	d := day.Format(time.DateOnly)
	rows, err := db.read.QueryContext(ctx, `SELECT r.id, p.code, p.name, r.item, r.business_key, r.status, r.first_submitted_at, r.updated_at,
		v.version, v.catalog_version, v.fields, NULL, v.decision_date, v.submission_deadline, v.deadline_estimated, v.on_time,
		v.severity, v.public, v.published_from, v.published_until, v.submitted_at, v.request_id
		FROM records r
		JOIN record_versions v ON v.record_id = r.id AND v.version = r.version
		JOIN providers p ON p.id = r.provider_id
		WHERE r.subject_id = ? AND r.public = 1 AND r.status = 'active'
		  AND r.published_from <= ? AND (r.published_until IS NULL OR r.published_until >= ?)
		ORDER BY r.item, r.published_from DESC, r.id DESC`, subjectID, d, d)
	if err != nil {
		return nil, fmt.Errorf("read public records: %w", err)
	}
	defer rows.Close()
	var out []*credit.Record
	for rows.Next() {
		r := credit.Record{SubjectID: subjectID}
		var first, updated string
		v, err := scanVersion(rows, &r.ID, &r.ProviderCode, &r.ProviderName, &r.Item, &r.BusinessKey, &r.Status, &first, &updated)
		if err != nil {
			return nil, err
		}
		r.FirstSubmittedAt, r.UpdatedAt = parseTS(first), parseTS(updated)
		r.Current = *v
		out = append(out, &r)
	}
	return out, rows.Err()
}
