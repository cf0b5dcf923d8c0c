package sqlite

import (
	"context"
	"fmt"
	"strings"
)

// nameQueue holds the organisations whose rows in the name search indexes
// (name_trigram, name_chars) are written when their transaction commits.
// Written together, after every other statement, they cost far less: FTS5
// moves what it holds in memory to a new index segment whenever a later
// statement of the transaction opens a savepoint (each multi-row insert of
// records does), so rows written among the records made many tiny segments
// per transaction, and merges to match.
type nameQueue struct {
	order []int64
	rows  map[int64]*queuedNames
}

// queuedNames is one organisation's pending index row.
type queuedNames struct {
	// fresh: not in the index yet, so a plain insert; name is its only
	// name unless reread is set.
	fresh bool
	name  string
	// reread: the organisation has several names, read at commit.
	reread bool
}

func (q *nameQueue) get(id int64) *queuedNames {
	if q.rows == nil {
		q.rows = map[int64]*queuedNames{}
	}
	r := q.rows[id]
	if r == nil {
		r = &queuedNames{}
		q.rows[id] = r
		q.order = append(q.order, id)
	}
	return r
}

// nameQueueMax bounds the queue: a transaction that has queued this many
// organisations (an atomic batch is one transaction for the whole file)
// writes them out at once, rather than hold them all until commit.
const nameQueueMax = 20000

// full reports whether the queue should be written out now.
func (q *nameQueue) full() bool { return len(q.order) >= nameQueueMax }

// added queues the index row of a new organisation, known by name.
func (q *nameQueue) added(id int64, name string) {
	r := q.get(id)
	r.fresh, r.name = true, name
}

// renamed queues the rewrite of an organisation's index row from all its
// names: it has gained one.
func (q *nameQueue) renamed(id int64) { q.get(id).reread = true }

// nameSeparator stands between an organisation's names in the search
// index: a newline for trigrams (queries never contain one) and a token no
// query can produce for single characters.
const (
	nameSeparator  = "\n"
	charsSeparator = " 0sep0 "
)

// indexNames writes the queued index rows and empties the queue.
func (t *tx) indexNames(ctx context.Context) error {
	q := &t.names
	if len(q.order) == 0 {
		return nil
	}
	s := stmts{ctx: ctx, t: t}
	defer s.close()
	newTri := s.prep(`INSERT INTO name_trigram (rowid, names) VALUES (?, ?)`)
	newChars := s.prep(`INSERT INTO name_chars (rowid, chars) VALUES (?, ?)`)
	setTri := s.prep(`INSERT OR REPLACE INTO name_trigram (rowid, names) VALUES (?, ?)`)
	setChars := s.prep(`INSERT OR REPLACE INTO name_chars (rowid, chars) VALUES (?, ?)`)
	all := s.prep(`SELECT name FROM subject_names WHERE subject_id = ? ORDER BY id`)
	if s.err != nil {
		return s.err
	}
	for _, id := range q.order {
		r := q.rows[id]
		names := []string{r.name}
		if r.reread {
			var err error
			if names, err = column[string](all.QueryContext(ctx, id)); err != nil {
				return fmt.Errorf("read names: %w", err)
			}
		}
		chars := make([]string, len(names))
		for i, n := range names {
			chars[i] = spaced(n)
		}
		tri, ch := setTri, setChars
		if r.fresh {
			tri, ch = newTri, newChars
		}
		if _, err := tri.ExecContext(ctx, id, strings.Join(names, nameSeparator)); err != nil {
			return fmt.Errorf("index names: %w", err)
		}
		if _, err := ch.ExecContext(ctx, id, strings.Join(chars, charsSeparator)); err != nil {
			return fmt.Errorf("index names: %w", err)
		}
	}
	*q = nameQueue{}
	return nil
}
