-- 0007: staff accounts of the console and their sessions.
--
-- A password is kept as its argon2id hash (PHC string); a session as the
-- SHA-256 hash of its token, never the token.

CREATE TABLE staff (
	id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name                text NOT NULL UNIQUE,  -- login name, lower case
	display             text NOT NULL DEFAULT '',
	role                text NOT NULL CHECK (role IN ('admin', 'handler', 'auditor')),
	password_hash       text NOT NULL,
	must_change         boolean NOT NULL DEFAULT true,  -- the password is one-time
	disabled            boolean NOT NULL DEFAULT false,
	failed_logins       integer NOT NULL DEFAULT 0,  -- in a row, since the last success
	locked_until        timestamptz,
	last_login_at       timestamptz,
	password_changed_at timestamptz NOT NULL,
	created_at          timestamptz NOT NULL
);

CREATE TABLE staff_sessions (
	token_hash     bytea PRIMARY KEY,  -- SHA-256 of the cookie's token
	staff_id       bigint NOT NULL REFERENCES staff (id),
	csrf_secret    bytea NOT NULL,
	created_at     timestamptz NOT NULL,
	seen_at        timestamptz NOT NULL,
	idle_until     timestamptz NOT NULL,  -- slides with use
	absolute_until timestamptz NOT NULL
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);
CREATE INDEX staff_sessions_idle ON staff_sessions (idle_until);
