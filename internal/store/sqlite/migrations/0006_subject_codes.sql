-- 0006: the registration numbers organisations are known by besides their
-- unified social credit code, for the public search: older numbers their
-- records state (工商注册号, 组织机构代码, 税务登记号, 事业单位证书号,
-- 社会组织登记证号: the catalogue's subject.code_fields), and the
-- organisation code every USCC embeds (positions 9–17). Normalised: upper
-- case, no spaces or hyphens. Looked up exactly, by the primary key.
-- Natural persons never have a row.
CREATE TABLE subject_codes (
	code       TEXT NOT NULL,
	subject_id INTEGER NOT NULL REFERENCES subjects (id),
	PRIMARY KEY (code, subject_id)
) WITHOUT ROWID;

INSERT INTO subject_codes (code, subject_id)
	SELECT substr(uscc, 9, 9), id FROM subjects WHERE kind = 'org' AND length(uscc) = 18;
