-- 0003: uploaded files kept in the database until their batch ends, so that
-- any node can collect a batch whichever node received its file.

CREATE TABLE uploads (
	batch_id bigint NOT NULL REFERENCES batches (id),
	seq      integer NOT NULL,
	data     bytea NOT NULL,   -- 1 MiB pieces of the file, in order
	PRIMARY KEY (batch_id, seq)
);
