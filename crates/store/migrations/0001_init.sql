-- haicap schema, version 1. One file for both databases: the common part is plain SQL that
-- SQLite and PostgreSQL read alike (BIGINT, TEXT, BOOLEAN, TIMESTAMP, DATE); the marked parts
-- are what only one of them can say (triggers, roles).
-- Tables that a national deployment distributes (Citus) keep province_code in their keys.

-- @all
CREATE TABLE catalog_meta (
    id BIGINT PRIMARY KEY,
    title TEXT NOT NULL,
    version TEXT NOT NULL,
    data_as_of TEXT,
    warning TEXT,
    imported_at TIMESTAMP NOT NULL
);

-- Every imported version of a procedure is kept; dossiers point at the version they used.
CREATE TABLE procedure_versions (
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    PRIMARY KEY (code, version)
);

CREATE TABLE procedures (
    code TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    active BOOLEAN NOT NULL
);

CREATE TABLE province_settings (
    province_code TEXT PRIMARY KEY,
    code_pattern TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- What a province published about a procedure: delegation, its own fee, boundary-free intake.
CREATE TABLE province_procedure_rules (
    province_code TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    delegated_to_commune BOOLEAN NOT NULL,
    boundary_free BOOLEAN NOT NULL,
    fee_vnd BIGINT,
    fee_note TEXT,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (province_code, procedure_code)
);

CREATE TABLE counters (
    key TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

-- The current state of each dossier: a projection of its events, written with them.
CREATE TABLE dossiers (
    code TEXT PRIMARY KEY,
    province_code TEXT NOT NULL,
    receiving_unit TEXT NOT NULL,
    handling_unit TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    procedure_version BIGINT NOT NULL,
    channel BIGINT NOT NULL,
    status BIGINT NOT NULL,
    applicant_name TEXT NOT NULL,
    applicant_phone TEXT,
    applicant_id_number TEXT,
    address_text TEXT,
    address_commune TEXT,
    registered_at TIMESTAMP NOT NULL,
    received_at TIMESTAMP,
    due_at TIMESTAMP,
    finished_at TIMESTAMP,
    verdict TEXT,
    assignee TEXT,
    supplement_requests BIGINT NOT NULL,
    event_count BIGINT NOT NULL,
    head_hash TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Queues by unit and due date. Status is left out of the keys so that most steps of the
-- workflow (which change the status but not the due date) leave the indexes untouched.
CREATE INDEX dossiers_receiving ON dossiers (receiving_unit, due_at);
CREATE INDEX dossiers_handling ON dossiers (handling_unit, due_at);
CREATE INDEX dossiers_province ON dossiers (province_code, due_at);

-- The history: append-only, hash-chained per dossier.
CREATE TABLE events (
    dossier_code TEXT NOT NULL,
    seq BIGINT NOT NULL,
    province_code TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (dossier_code, seq)
);
CREATE INDEX events_at ON events (at);

-- Statistics per unit, procedure, day and channel, bumped in the same transaction.
CREATE TABLE stats_daily (
    province_code TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    day DATE NOT NULL,
    channel BIGINT NOT NULL,
    registered BIGINT NOT NULL,
    received BIGINT NOT NULL,
    refused BIGINT NOT NULL,
    supplement_requested BIGINT NOT NULL,
    extended BIGINT NOT NULL,
    transferred BIGINT NOT NULL,
    resolved_early BIGINT NOT NULL,
    resolved_on_time BIGINT NOT NULL,
    resolved_late BIGINT NOT NULL,
    returned BIGINT NOT NULL,
    withdrawn BIGINT NOT NULL,
    stopped BIGINT NOT NULL,
    PRIMARY KEY (province_code, unit_code, procedure_code, day, channel)
);

-- The daily digest over all chains, and the heads it was computed from.
CREATE TABLE day_digests (
    day DATE PRIMARY KEY,
    prev TEXT NOT NULL,
    digest TEXT NOT NULL,
    heads BIGINT NOT NULL,
    sealed_at TIMESTAMP NOT NULL
);
CREATE TABLE day_heads (
    day DATE NOT NULL,
    dossier_code TEXT NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (day, dossier_code)
);

CREATE TABLE users (
    username TEXT PRIMARY KEY,
    full_name TEXT,
    role TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    province_code TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- @sqlite
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'append_only: events cannot be changed'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'append_only: events cannot be deleted'); END;
CREATE TRIGGER day_digests_no_update BEFORE UPDATE ON day_digests
BEGIN SELECT RAISE(ABORT, 'append_only: digests cannot be changed'); END;
CREATE TRIGGER day_digests_no_delete BEFORE DELETE ON day_digests
BEGIN SELECT RAISE(ABORT, 'append_only: digests cannot be deleted'); END;
CREATE TRIGGER day_heads_no_update BEFORE UPDATE ON day_heads
BEGIN SELECT RAISE(ABORT, 'append_only: digests cannot be changed'); END;
CREATE TRIGGER day_heads_no_delete BEFORE DELETE ON day_heads
BEGIN SELECT RAISE(ABORT, 'append_only: digests cannot be deleted'); END;

-- @postgres
CREATE FUNCTION haicap_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'append_only: % cannot be changed', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION haicap_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION haicap_append_only();
CREATE TRIGGER day_digests_append_only BEFORE UPDATE OR DELETE ON day_digests
    FOR EACH ROW EXECUTE FUNCTION haicap_append_only();
CREATE TRIGGER day_digests_no_truncate BEFORE TRUNCATE ON day_digests
    FOR EACH STATEMENT EXECUTE FUNCTION haicap_append_only();
CREATE TRIGGER day_heads_append_only BEFORE UPDATE OR DELETE ON day_heads
    FOR EACH ROW EXECUTE FUNCTION haicap_append_only();
CREATE TRIGGER day_heads_no_truncate BEFORE TRUNCATE ON day_heads
    FOR EACH STATEMENT EXECUTE FUNCTION haicap_append_only();

-- The role the application logs in with (as a member): it may add history, never rewrite it.
DO $$
BEGIN
    CREATE ROLE haicap_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO haicap_app;
REVOKE UPDATE, DELETE, TRUNCATE ON events, day_digests, day_heads FROM haicap_app;
