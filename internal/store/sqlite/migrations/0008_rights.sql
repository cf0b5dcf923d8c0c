-- 0008: the subjects' rights: objections and repair applications with
-- their steps and evidence files, the "under objection" mark, and the
-- events of a record's life (revoked, deleted, stopped, repaired,
-- archived).

ALTER TABLE records ADD COLUMN objection INTEGER NOT NULL DEFAULT 0;

CREATE TABLE record_events (
	id        INTEGER PRIMARY KEY,
	record_id INTEGER NOT NULL REFERENCES records (id),
	at        TEXT NOT NULL,
	kind      TEXT NOT NULL,
	actor     TEXT NOT NULL,
	reason    TEXT NOT NULL DEFAULT '',
	ref       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX record_events_record ON record_events (record_id, id);

CREATE TABLE objections (
	id           INTEGER PRIMARY KEY,
	number       TEXT NOT NULL UNIQUE,
	record_id    INTEGER NOT NULL REFERENCES records (id),
	ground       TEXT NOT NULL,
	statement    TEXT NOT NULL,
	applicant    TEXT NOT NULL,         -- JSON: name, role, organisation, contact, verification
	token_hash   BLOB NOT NULL UNIQUE,  -- SHA-256 of the tracking link's token
	state        TEXT NOT NULL,
	filed_at     TEXT NOT NULL,
	accepted_at  TEXT,
	forwarded_at TEXT,
	decided_at   TEXT,
	extended     INTEGER NOT NULL DEFAULT 0,
	paused_since TEXT,
	paused       INTEGER NOT NULL DEFAULT 0,
	outcome      TEXT NOT NULL DEFAULT '',
	reasons      TEXT NOT NULL DEFAULT '',
	escalated_at TEXT,
	version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX objections_state ON objections (state, id);
CREATE INDEX objections_record ON objections (record_id);

CREATE TABLE repairs (
	id          INTEGER PRIMARY KEY,
	number      TEXT NOT NULL UNIQUE,
	record_id   INTEGER NOT NULL REFERENCES records (id),
	applicant   TEXT NOT NULL,
	performed   TEXT NOT NULL,
	commitment  TEXT NOT NULL,
	token_hash  BLOB NOT NULL UNIQUE,
	state       TEXT NOT NULL,
	applied_at  TEXT NOT NULL,
	extended    INTEGER NOT NULL DEFAULT 0,
	decided_at  TEXT,
	reasons     TEXT NOT NULL DEFAULT '',
	version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX repairs_state ON repairs (state, id);
CREATE INDEX repairs_record ON repairs (record_id);

-- Steps of both kinds of case, never changed once written.
CREATE TABLE case_steps (
	case_kind TEXT NOT NULL CHECK (case_kind IN ('objection', 'repair')),
	case_id   INTEGER NOT NULL,
	seq       INTEGER NOT NULL,
	step      TEXT NOT NULL,
	at        TEXT NOT NULL,
	actor     TEXT NOT NULL,
	reason    TEXT NOT NULL DEFAULT '',
	days      INTEGER NOT NULL DEFAULT 0,
	outcome   TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (case_kind, case_id, seq)
) WITHOUT ROWID;

CREATE TABLE case_files (
	id        INTEGER PRIMARY KEY,
	case_kind TEXT NOT NULL CHECK (case_kind IN ('objection', 'repair')),
	case_id   INTEGER NOT NULL,
	name      TEXT NOT NULL,
	type      TEXT NOT NULL,
	size      INTEGER NOT NULL,
	sha256    BLOB NOT NULL,
	data      BLOB NOT NULL
);
CREATE INDEX case_files_case ON case_files (case_kind, case_id);
