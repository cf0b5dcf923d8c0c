-- 0005: the public portal: announcements of the credit center.

CREATE TABLE announcements (
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	title_zh     text NOT NULL,
	title_en     text NOT NULL DEFAULT '',
	body_zh      text NOT NULL,
	body_en      text NOT NULL DEFAULT '',
	published_at timestamptz NOT NULL,
	author       text NOT NULL  -- a staff account, or 'cli'
);
CREATE INDEX announcements_published ON announcements (published_at DESC, id DESC);
