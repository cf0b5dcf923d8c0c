-- 0002: file batches. A batch is one uploaded file of one item from one
-- provider, processed in chunks; each chunk's records, its rejected rows
-- and the batch's checkpoint commit together, so a crash loses nothing
-- that was reported accepted and a restart resumes after the checkpoint.

CREATE TABLE batches (
	id          INTEGER PRIMARY KEY,
	provider_id INTEGER NOT NULL REFERENCES providers (id),
	item        TEXT NOT NULL,
	mode        TEXT NOT NULL CHECK (mode IN ('partial', 'atomic')),
	status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
	file_name   TEXT NOT NULL,
	file_path   TEXT NOT NULL,
	file_hash   BLOB NOT NULL,          -- SHA-256 of the file: the same file twice is recognised
	file_size   INTEGER NOT NULL,
	sheet       TEXT NOT NULL DEFAULT '',
	format      TEXT NOT NULL DEFAULT '',
	encoding    TEXT NOT NULL DEFAULT '',
	header      TEXT NOT NULL DEFAULT '[]', -- JSON: the header row as read
	notes       TEXT NOT NULL DEFAULT '[]', -- JSON: unknown columns, normalisations by kind
	rows_read   INTEGER NOT NULL DEFAULT 0,
	created     INTEGER NOT NULL DEFAULT 0,
	updated     INTEGER NOT NULL DEFAULT 0,
	unchanged   INTEGER NOT NULL DEFAULT 0,
	rejected    INTEGER NOT NULL DEFAULT 0,
	checkpoint  INTEGER NOT NULL DEFAULT 0, -- last file row whose outcome is committed
	progress    REAL NOT NULL DEFAULT 0,
	reason_zh   TEXT NOT NULL DEFAULT '',
	reason_en   TEXT NOT NULL DEFAULT '',
	owner       TEXT NOT NULL DEFAULT '',  -- who is processing it: "node:pid@host"
	lease_until TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL,
	started_at  TEXT,
	finished_at TEXT
);
-- One live batch per file: the same file sent twice at once is one batch.
CREATE UNIQUE INDEX batches_file ON batches (provider_id, item, file_hash, mode, sheet) WHERE status != 'failed';
CREATE INDEX batches_status ON batches (status, id);

-- Rejected rows: every problem of the row and its cells as read, for the
-- error file a department fixes and resubmits. The cells may hold identity
-- numbers, so they are stored encrypted.
CREATE TABLE batch_errors (
	batch_id INTEGER NOT NULL REFERENCES batches (id),
	row      INTEGER NOT NULL,
	errors   TEXT NOT NULL, -- JSON array of field errors
	cells    BLOB,          -- sealed JSON array of the row's cells
	PRIMARY KEY (batch_id, row)
) WITHOUT ROWID;
