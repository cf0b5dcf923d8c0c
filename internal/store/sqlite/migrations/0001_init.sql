-- 0001: the spine. Providers, subjects with name history, records with
-- immutable versions, the name search index, and the audit chain.

CREATE TABLE providers (
	id         INTEGER PRIMARY KEY,
	code       TEXT NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	items      TEXT NOT NULL,          -- comma-separated catalogue item codes
	key_hash   BLOB NOT NULL UNIQUE,   -- SHA-256 of the API key; the key itself is never stored
	created_at TEXT NOT NULL
);

CREATE TABLE subjects (
	id         INTEGER PRIMARY KEY,
	kind       TEXT NOT NULL CHECK (kind IN ('org', 'person')),
	uscc       TEXT UNIQUE,            -- organisations
	id_hash    BLOB UNIQUE,            -- persons: keyed hash of document type and number
	id_sealed  BLOB,                   -- persons: encrypted document type and number
	id_masked  TEXT,
	type       TEXT NOT NULL,
	name       TEXT NOT NULL,
	name_as_of TEXT,                   -- decision date of the record the name came from
	name_source TEXT NOT NULL DEFAULT 'record', -- 'registration' when a registration record set it
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	CHECK ((kind = 'org' AND uscc IS NOT NULL) OR (kind = 'person' AND id_hash IS NOT NULL))
);

CREATE TABLE subject_names (
	id         INTEGER PRIMARY KEY,
	subject_id INTEGER NOT NULL REFERENCES subjects (id),
	name       TEXT NOT NULL,
	first_seen TEXT NOT NULL,          -- when a record first carried the name
	as_of      TEXT,                   -- latest decision date of a record carrying it
	UNIQUE (subject_id, name)
);
CREATE INDEX subject_names_name ON subject_names (name);

-- Name search over every name an organisation has had: trigrams for queries
-- of 3+ characters; single characters as tokens (phrase queries) for 1–2
-- character queries. One row per organisation, rowid = subject id, its names
-- separated so that no match spans two names. Natural persons are never
-- indexed.
CREATE VIRTUAL TABLE name_trigram USING fts5 (names, content = '', contentless_delete = 1, tokenize = 'trigram');
CREATE VIRTUAL TABLE name_chars USING fts5 (chars, content = '', contentless_delete = 1, tokenize = 'unicode61');

-- A record is one provider's item about one subject, identified by its
-- business key. The row holds its current version; earlier versions move
-- to record_history when a new one arrives, so that an import of new
-- records writes one row each.
CREATE TABLE records (
	id                  INTEGER PRIMARY KEY,
	provider_id         INTEGER NOT NULL REFERENCES providers (id),
	item                TEXT NOT NULL,
	business_key        TEXT NOT NULL,
	status              TEXT NOT NULL DEFAULT 'active',
	first_submitted_at  TEXT NOT NULL,
	-- the current version
	version             INTEGER NOT NULL,
	subject_id          INTEGER NOT NULL REFERENCES subjects (id),
	catalog_version     INTEGER NOT NULL,
	fields              TEXT NOT NULL,  -- JSON by field code; personal values masked
	sealed              BLOB,           -- encrypted JSON of the personal values
	content_hash        BLOB NOT NULL,
	decision_date       TEXT,
	submission_deadline TEXT,
	deadline_estimated  INTEGER NOT NULL DEFAULT 0,
	on_time             INTEGER,
	severity            TEXT NOT NULL DEFAULT '',
	public              INTEGER NOT NULL,
	published_from      TEXT,
	published_until     TEXT,           -- last day shown; NULL: without end
	submitted_at        TEXT NOT NULL,
	request_id          TEXT NOT NULL DEFAULT '', -- the request or batch that wrote the version
	UNIQUE (provider_id, item, business_key)
);
CREATE INDEX records_subject ON records (subject_id, item);

-- Earlier versions of records, never changed once written.
CREATE TABLE record_history (
	record_id           INTEGER NOT NULL REFERENCES records (id),
	version             INTEGER NOT NULL,
	subject_id          INTEGER NOT NULL,
	catalog_version     INTEGER NOT NULL,
	fields              TEXT NOT NULL,
	sealed              BLOB,
	content_hash        BLOB NOT NULL,
	decision_date       TEXT,
	submission_deadline TEXT,
	deadline_estimated  INTEGER NOT NULL,
	on_time             INTEGER,
	severity            TEXT NOT NULL,
	public              INTEGER NOT NULL,
	published_from      TEXT,
	published_until     TEXT,
	submitted_at        TEXT NOT NULL,
	request_id          TEXT NOT NULL,
	PRIMARY KEY (record_id, version)
) WITHOUT ROWID;

CREATE TABLE audit_log (
	seq    INTEGER PRIMARY KEY,
	at     TEXT NOT NULL,
	actor  TEXT NOT NULL,
	action TEXT NOT NULL,
	object TEXT NOT NULL,
	detail TEXT NOT NULL,
	prev   BLOB,
	hash   BLOB NOT NULL
);
