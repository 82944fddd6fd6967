-- haicap schema, version 15: electronic results with legal value. The key each leader signs
-- results with: which token and which key in it, and the certificate enrolled for it (its
-- SHA-256 names it in the dossier's history). The key never leaves the token; the PIN is never
-- stored. A signed result is a document of its dossier (attachments), named in the history by
-- its SHA-256.

-- @all
CREATE TABLE signing_keys (
    username TEXT PRIMARY KEY,
    token_label TEXT NOT NULL,
    key_label TEXT NOT NULL,
    certificate_pem TEXT NOT NULL,
    certificate_sha256 TEXT NOT NULL,
    enrolled_at TIMESTAMP NOT NULL
);

-- @postgres
GRANT SELECT, INSERT, UPDATE, DELETE ON signing_keys TO haicap_app;

-- @all
-- The signed results: the file by its SHA-256 (which the history's result_signed event seals),
-- whose dossier it is, and its name and size. A third party who holds the file finds its
-- dossier by the file's hash.
CREATE TABLE signed_results (
    sha256 TEXT PRIMARY KEY,
    dossier_code TEXT NOT NULL,
    province_code TEXT NOT NULL,
    file_name TEXT NOT NULL,
    size BIGINT NOT NULL,
    signed_at TIMESTAMP NOT NULL
);

-- @all
CREATE INDEX signed_results_dossier ON signed_results (dossier_code);

-- @postgres
GRANT SELECT, INSERT, DELETE ON signed_results TO haicap_app;
