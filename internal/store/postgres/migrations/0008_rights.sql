-- 0008: the subjects' rights (SQLite 0008): objections and repair
-- applications with their steps and evidence files, the "under objection"
-- mark, and the events of a record's life (revoked, deleted, stopped,
-- repaired, archived).
--
-- A record is named by its record_keys.id (records is partitioned by
-- subject, and a record may move to another subject). The writers check
-- that the record exists, and lock its key, before writing any of these
-- rows; the foreign keys to record_keys are a second guard on one server.
-- Under Citus these tables stay on the coordinator and the foreign keys
-- are dropped (record_keys is distributed by provider).

ALTER TABLE records ADD COLUMN objection boolean NOT NULL DEFAULT false;

-- Records an archive run may take: found by item and decision date.
CREATE INDEX records_archive ON records (item, decision_date, id) WHERE status IN ('active', 'stopped');

CREATE TABLE record_events (
	id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	record_id bigint NOT NULL REFERENCES record_keys (id),
	at        timestamptz NOT NULL,
	kind      text NOT NULL,
	actor     text NOT NULL,
	reason    text NOT NULL DEFAULT '',
	ref       text NOT NULL DEFAULT ''
);
CREATE INDEX record_events_record ON record_events (record_id, id);

-- A case's id is taken from its identity before the insert, so that its
-- number (prefix, China date, id) is written with it.
CREATE TABLE objections (
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	number       text NOT NULL UNIQUE,
	record_id    bigint NOT NULL REFERENCES record_keys (id),
	ground       text NOT NULL,
	statement    text NOT NULL,
	applicant    text NOT NULL,          -- JSON: name, role, organisation, contact, verification
	token_hash   bytea NOT NULL UNIQUE,  -- SHA-256 of the tracking link's token
	state        text NOT NULL,
	filed_at     timestamptz NOT NULL,
	accepted_at  timestamptz,
	forwarded_at timestamptz,
	decided_at   timestamptz,
	extended     integer NOT NULL DEFAULT 0,
	paused_since timestamptz,
	paused       integer NOT NULL DEFAULT 0,
	outcome      text NOT NULL DEFAULT '',
	reasons      text NOT NULL DEFAULT '',
	escalated_at timestamptz,
	version      integer NOT NULL DEFAULT 1
);
CREATE INDEX objections_state ON objections (state, id);
CREATE INDEX objections_record ON objections (record_id);

CREATE TABLE repairs (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	number      text NOT NULL UNIQUE,
	record_id   bigint NOT NULL REFERENCES record_keys (id),
	applicant   text NOT NULL,
	performed   text NOT NULL,
	commitment  text NOT NULL,
	token_hash  bytea NOT NULL UNIQUE,
	state       text NOT NULL,
	applied_at  timestamptz NOT NULL,
	extended    boolean NOT NULL DEFAULT false,
	decided_at  timestamptz,
	reasons     text NOT NULL DEFAULT '',
	version     integer NOT NULL DEFAULT 1
);
CREATE INDEX repairs_state ON repairs (state, id);
CREATE INDEX repairs_record ON repairs (record_id);

-- Steps of both kinds of case, never changed once written.
CREATE TABLE case_steps (
	case_kind text NOT NULL CHECK (case_kind IN ('objection', 'repair')),
	case_id   bigint NOT NULL,
	seq       integer NOT NULL,
	step      text NOT NULL,
	at        timestamptz NOT NULL,
	actor     text NOT NULL,
	reason    text NOT NULL DEFAULT '',
	days      integer NOT NULL DEFAULT 0,
	outcome   text NOT NULL DEFAULT '',
	PRIMARY KEY (case_kind, case_id, seq)
);

CREATE TABLE case_files (
	id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	case_kind text NOT NULL CHECK (case_kind IN ('objection', 'repair')),
	case_id   bigint NOT NULL,
	name      text NOT NULL,
	type      text NOT NULL,
	size      bigint NOT NULL,
	sha256    bytea NOT NULL,
	data      bytea NOT NULL
);
CREATE INDEX case_files_case ON case_files (case_kind, case_id);
