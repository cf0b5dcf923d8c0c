-- 0010: subject_names hash-partitioned by subject, 16 ways, like records.
-- A name search reads the partitions one after another and stops at the
-- cap, so a match in a few percent of the names costs the posting lists of
-- the first partition or two instead of the whole index (see
-- docs/postgres-partitioning.md). The names move in this transaction,
-- keeping their ids; the indexes are built after.
ALTER TABLE subject_names RENAME TO subject_names_0009;
ALTER SEQUENCE subject_names_id_seq RENAME TO subject_names_0009_id_seq;
ALTER TABLE subject_names_0009 RENAME CONSTRAINT subject_names_pkey TO subject_names_0009_pkey;
ALTER TABLE subject_names_0009 RENAME CONSTRAINT subject_names_subject_id_name_key TO subject_names_0009_subject_id_name_key;
ALTER TABLE subject_names_0009 RENAME CONSTRAINT subject_names_subject_id_fkey TO subject_names_0009_subject_id_fkey;
DROP INDEX subject_names_name;
DROP INDEX subject_names_trgm;
DROP INDEX subject_names_grams;

CREATE TABLE subject_names (
	id         bigint GENERATED ALWAYS AS IDENTITY,
	subject_id bigint NOT NULL REFERENCES subjects (id),
	org        boolean NOT NULL,
	name       text NOT NULL,
	grams      text[] NOT NULL,
	first_seen timestamptz NOT NULL,
	as_of      date,
	PRIMARY KEY (subject_id, id),
	UNIQUE (subject_id, name)
) PARTITION BY HASH (subject_id);

DO $$
BEGIN
	FOR i IN 0..15 LOOP
		EXECUTE format('CREATE TABLE subject_names_%s PARTITION OF subject_names FOR VALUES WITH (MODULUS 16, REMAINDER %s)', i, i);
	END LOOP;
END $$;

INSERT INTO subject_names (id, subject_id, org, name, grams, first_seen, as_of) OVERRIDING SYSTEM VALUE
	SELECT id, subject_id, org, name, grams, first_seen, as_of FROM subject_names_0009;
SELECT setval(pg_get_serial_sequence('subject_names', 'id'), coalesce(max(id), 0) + 1, false) FROM subject_names;
DROP TABLE subject_names_0009;

CREATE INDEX subject_names_name ON subject_names (name) WHERE org;
CREATE INDEX subject_names_trgm ON subject_names USING gin (lower(name) gin_trgm_ops) WHERE org;
CREATE INDEX subject_names_grams ON subject_names USING gin (grams) WHERE org;
