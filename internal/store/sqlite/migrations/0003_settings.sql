-- 0003: settings of the installation, such as the fingerprint of the master
-- key the data is written under (name 'key_id').

CREATE TABLE settings (
	name  TEXT PRIMARY KEY,
	value BLOB NOT NULL
) WITHOUT ROWID;
