-- 0004: scheduled jobs. A node claims a due job under a lease and records
-- its run; the next run is due after the job's interval.

CREATE TABLE jobs (
	name         TEXT PRIMARY KEY,
	every_s      INTEGER NOT NULL,
	due_at       TEXT NOT NULL,
	owner        TEXT NOT NULL DEFAULT '',
	lease_until  TEXT NOT NULL DEFAULT '',
	runs         INTEGER NOT NULL DEFAULT 0,
	last_run_at  TEXT,
	last_ok      INTEGER NOT NULL DEFAULT 0,
	last_message TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
