-- 0004: scheduled jobs. A node claims a due job under a lease (FOR UPDATE
-- SKIP LOCKED: nodes claiming at once take different jobs, never the same)
-- and records its run; the next run is due after the job's interval.

CREATE TABLE jobs (
	name         text PRIMARY KEY,
	every_s      bigint NOT NULL,
	due_at       timestamptz NOT NULL,
	owner        text NOT NULL DEFAULT '',
	lease_until  timestamptz,
	runs         integer NOT NULL DEFAULT 0,
	last_run_at  timestamptz,
	last_ok      boolean NOT NULL DEFAULT false,
	last_message text NOT NULL DEFAULT ''
);
