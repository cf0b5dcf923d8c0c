-- 0001: the whole schema of the SQLite migrations 0001–0002, for
-- PostgreSQL 15+. Plain SQL that Citus also runs (see docs/postgres.md):
-- no triggers, no sequences shared across tables, records and their
-- history partitioned by hash so that the largest tables stay manageable.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE providers (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	code       text NOT NULL UNIQUE,
	name       text NOT NULL,
	items      text NOT NULL,          -- comma-separated catalogue item codes
	key_hash   bytea NOT NULL UNIQUE,  -- SHA-256 of the API key; the key itself is never stored
	created_at timestamptz NOT NULL
);

CREATE TABLE subjects (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind        text NOT NULL CHECK (kind IN ('org', 'person')),
	uscc        text UNIQUE,           -- organisations
	id_hash     bytea UNIQUE,          -- persons: keyed hash of document type and number
	id_sealed   bytea,                 -- persons: encrypted document type and number
	id_masked   text,
	type        text NOT NULL,
	name        text NOT NULL,
	name_as_of  date,                  -- decision date of the record the name came from
	name_source text NOT NULL DEFAULT 'record', -- 'registration' when a registration record set it
	created_at  timestamptz NOT NULL,
	updated_at  timestamptz NOT NULL,
	CHECK ((kind = 'org' AND uscc IS NOT NULL) OR (kind = 'person' AND id_hash IS NOT NULL))
);

-- Code prefixes: a range in byte order, whatever the database's collation.
CREATE INDEX subjects_uscc_c ON subjects (uscc COLLATE "C") WHERE uscc IS NOT NULL;

-- Every name an organisation or person has had. Organisations' names are
-- searched: trigrams (pg_trgm, GIN) for 3+ characters, and the name's
-- single characters and pairs of characters (grams) for 1–2.
CREATE TABLE subject_names (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	subject_id bigint NOT NULL REFERENCES subjects (id),
	org        boolean NOT NULL,
	name       text NOT NULL,
	grams      text[] NOT NULL,
	first_seen timestamptz NOT NULL,
	as_of      date,
	UNIQUE (subject_id, name)
);
CREATE INDEX subject_names_name ON subject_names (name) WHERE org;
CREATE INDEX subject_names_trgm ON subject_names USING gin (lower(name) gin_trgm_ops) WHERE org;
CREATE INDEX subject_names_grams ON subject_names USING gin (grams) WHERE org;

-- A record is one provider's item about one subject, identified by its
-- business key. record_keys holds the key once (its uniqueness cannot be a
-- constraint of a table partitioned by subject); records holds the current
-- version, partitioned by subject so that a subject's records are one
-- partition's; earlier versions move to record_history, partitioned by
-- record.
CREATE TABLE record_keys (
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	provider_id  bigint NOT NULL REFERENCES providers (id),
	item         text NOT NULL,
	business_key text NOT NULL,
	subject_id   bigint NOT NULL,      -- the subject of the current version: where it lives in records
	UNIQUE (provider_id, item, business_key)
);

CREATE TABLE records (
	id                  bigint NOT NULL,   -- record_keys.id
	subject_id          bigint NOT NULL,
	provider_id         bigint NOT NULL,
	item                text NOT NULL,
	business_key        text NOT NULL,
	status              text NOT NULL DEFAULT 'active',
	first_submitted_at  timestamptz NOT NULL,
	version             integer NOT NULL,
	catalog_version     integer NOT NULL,
	fields              text NOT NULL,     -- JSON by field code; personal values masked
	sealed              bytea,             -- encrypted JSON of the personal values
	content_hash        bytea NOT NULL,
	decision_date       date,
	submission_deadline date,
	deadline_estimated  boolean NOT NULL DEFAULT false,
	on_time             boolean,
	severity            text NOT NULL DEFAULT '',
	public              boolean NOT NULL,
	published_from      date,
	published_until     date,              -- last day shown; NULL: without end
	submitted_at        timestamptz NOT NULL,
	request_id          text NOT NULL DEFAULT '',
	PRIMARY KEY (subject_id, id)
) PARTITION BY HASH (subject_id);
CREATE INDEX records_public ON records (subject_id, item, published_from DESC, id DESC) WHERE public AND status = 'active';

CREATE TABLE record_history (
	record_id           bigint NOT NULL,
	version             integer NOT NULL,
	subject_id          bigint NOT NULL,
	catalog_version     integer NOT NULL,
	fields              text NOT NULL,
	sealed              bytea,
	content_hash        bytea NOT NULL,
	decision_date       date,
	submission_deadline date,
	deadline_estimated  boolean NOT NULL,
	on_time             boolean,
	severity            text NOT NULL,
	public              boolean NOT NULL,
	published_from      date,
	published_until     date,
	submitted_at        timestamptz NOT NULL,
	request_id          text NOT NULL,
	PRIMARY KEY (record_id, version)
) PARTITION BY HASH (record_id);

DO $$
BEGIN
	FOR i IN 0..15 LOOP
		EXECUTE format('CREATE TABLE records_%s PARTITION OF records FOR VALUES WITH (MODULUS 16, REMAINDER %s)', i, i);
		EXECUTE format('CREATE TABLE record_history_%s PARTITION OF record_history FOR VALUES WITH (MODULUS 16, REMAINDER %s)', i, i);
	END LOOP;
END $$;

-- The audit chain. audit_head is its one row: a writer takes it FOR UPDATE
-- just before committing, which orders the entries of concurrent
-- transactions on every node.
CREATE TABLE audit_log (
	seq    bigint PRIMARY KEY,
	at     text NOT NULL,         -- RFC 3339 with nanoseconds, exactly as hashed
	actor  text NOT NULL,
	action text NOT NULL,
	object text NOT NULL,
	detail text NOT NULL,
	prev   bytea,
	hash   bytea NOT NULL
);
CREATE TABLE audit_head (
	one  boolean PRIMARY KEY DEFAULT true CHECK (one),
	seq  bigint NOT NULL,
	hash bytea
);
INSERT INTO audit_head (seq, hash) VALUES (0, NULL);

CREATE TABLE batches (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	provider_id bigint NOT NULL REFERENCES providers (id),
	item        text NOT NULL,
	mode        text NOT NULL CHECK (mode IN ('partial', 'atomic')),
	status      text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
	file_name   text NOT NULL,
	file_path   text NOT NULL,
	file_hash   bytea NOT NULL,
	file_size   bigint NOT NULL,
	sheet       text NOT NULL DEFAULT '',
	format      text NOT NULL DEFAULT '',
	encoding    text NOT NULL DEFAULT '',
	header      text NOT NULL DEFAULT '[]',
	notes       text NOT NULL DEFAULT '[]',
	rows_read   integer NOT NULL DEFAULT 0,
	created     integer NOT NULL DEFAULT 0,
	updated     integer NOT NULL DEFAULT 0,
	unchanged   integer NOT NULL DEFAULT 0,
	rejected    integer NOT NULL DEFAULT 0,
	checkpoint  integer NOT NULL DEFAULT 0,
	progress    double precision NOT NULL DEFAULT 0,
	reason_zh   text NOT NULL DEFAULT '',
	reason_en   text NOT NULL DEFAULT '',
	owner       text NOT NULL DEFAULT '',
	lease_until timestamptz,
	created_at  timestamptz NOT NULL,
	started_at  timestamptz,
	finished_at timestamptz
);
CREATE UNIQUE INDEX batches_file ON batches (provider_id, item, file_hash, mode, sheet) WHERE status != 'failed';
CREATE INDEX batches_status ON batches (status, id);

CREATE TABLE batch_errors (
	batch_id bigint NOT NULL REFERENCES batches (id),
	row      integer NOT NULL,
	errors   text NOT NULL,
	cells    bytea,
	PRIMARY KEY (batch_id, row)
);
