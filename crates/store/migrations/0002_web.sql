-- haicap schema, version 2: sessions of the web app, the audit log of logins and denials,
-- citizens' satisfaction ratings.

-- @all
-- Only a hash of the token is kept: a copy of the database opens no session.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (username);

CREATE TABLE ratings (
    dossier_code TEXT PRIMARY KEY,
    province_code TEXT NOT NULL,
    score BIGINT NOT NULL,
    comment TEXT,
    at TIMESTAMP NOT NULL
);

-- @all
CREATE TABLE audit_log (
    id {id},
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    ip TEXT,
    detail TEXT
);
-- @sqlite
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'append_only: the audit log cannot be changed'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'append_only: the audit log cannot be changed'); END;

-- @postgres
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION haicap_append_only();
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions, ratings TO haicap_app;
GRANT SELECT, INSERT ON audit_log TO haicap_app;
GRANT USAGE ON SEQUENCE audit_log_id_seq TO haicap_app;

-- @all
CREATE INDEX audit_log_at ON audit_log (at);
