-- haicap schema, version 3: documents uploaded with a dossier. The bytes live in the blob
-- store, named by their SHA-256; the database keeps what they are and whose.

-- @all
CREATE TABLE attachments (
    dossier_code TEXT NOT NULL,
    seq BIGINT NOT NULL,
    province_code TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (dossier_code, seq)
);

-- @postgres
GRANT SELECT, INSERT ON attachments TO haicap_app;

-- @all
-- What officers search by: the applicant's name folded (no tones, lower case), phone and code.
ALTER TABLE dossiers ADD COLUMN search_key TEXT;

-- @all
-- The open dossiers of a province or commune, for live figures: a small index whatever the
-- history's size (only open dossiers are in it).
CREATE INDEX dossiers_open ON dossiers (province_code, receiving_unit, due_at) WHERE status IN (1, 2, 4, 5, 6, 9);
