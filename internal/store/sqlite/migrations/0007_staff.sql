-- 0007: staff accounts of the console and their sessions.
--
-- A password is kept as its argon2id hash (PHC string); a session as the
-- SHA-256 hash of its token, never the token. Times are UTC text (ts);
-- '' is none.

CREATE TABLE staff (
	id                  INTEGER PRIMARY KEY,
	name                TEXT NOT NULL UNIQUE,  -- login name, lower case
	display             TEXT NOT NULL DEFAULT '',
	role                TEXT NOT NULL CHECK (role IN ('admin', 'handler', 'auditor')),
	password_hash       TEXT NOT NULL,
	must_change         INTEGER NOT NULL DEFAULT 1,  -- the password is one-time
	disabled            INTEGER NOT NULL DEFAULT 0,
	failed_logins       INTEGER NOT NULL DEFAULT 0,  -- in a row, since the last success
	locked_until        TEXT NOT NULL DEFAULT '',
	last_login_at       TEXT NOT NULL DEFAULT '',
	password_changed_at TEXT NOT NULL,
	created_at          TEXT NOT NULL
);

CREATE TABLE staff_sessions (
	token_hash     BLOB PRIMARY KEY,  -- SHA-256 of the cookie's token
	staff_id       INTEGER NOT NULL REFERENCES staff (id),
	csrf_secret    BLOB NOT NULL,
	created_at     TEXT NOT NULL,
	seen_at        TEXT NOT NULL,
	idle_until     TEXT NOT NULL,  -- slides with use
	absolute_until TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);
CREATE INDEX staff_sessions_idle ON staff_sessions (idle_until);
