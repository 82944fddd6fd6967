-- haicap schema, version 6: coordination between the tiers. Communes' proposals to the
-- province (a projection and its append-only history), the province's directives with each
-- commune's reports, and what the workload needs about people: department, position, fields,
-- leave, and each unit's quota and population.

-- @all
ALTER TABLE users ADD COLUMN department_code TEXT;
ALTER TABLE users ADD COLUMN position TEXT;
ALTER TABLE users ADD COLUMN fields TEXT;
CREATE INDEX users_unit ON users (unit_code);

CREATE TABLE unit_staffing (
    unit_code TEXT PRIMARY KEY,
    province_code TEXT NOT NULL,
    quota BIGINT,
    population BIGINT,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE staff_leave (
    username TEXT NOT NULL,
    from_date DATE NOT NULL,
    to_date DATE NOT NULL,
    reason TEXT,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (username, from_date)
);

-- @all
CREATE TABLE proposals (
    id {id},
    province_code TEXT NOT NULL,
    commune_code TEXT NOT NULL,
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    body TEXT NOT NULL,
    urgent BOOLEAN NOT NULL,
    procedure_code TEXT,
    dossier_code TEXT,
    handler TEXT NOT NULL,
    status TEXT NOT NULL,
    escalated BOOLEAN NOT NULL,
    to_central BOOLEAN NOT NULL,
    filed_by TEXT NOT NULL,
    filed_at TIMESTAMP NOT NULL,
    due_at TIMESTAMP NOT NULL,
    answered_at TIMESTAMP,
    flagged_due TIMESTAMP,
    event_count BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- @all
CREATE TABLE directives (
    id {id},
    province_code TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    due_date DATE NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    targets BIGINT NOT NULL
);
-- @sqlite

-- @postgres
GRANT USAGE ON SEQUENCE proposals_id_seq, directives_id_seq TO haicap_app;

-- @all
CREATE INDEX proposals_commune ON proposals (commune_code, filed_at);
CREATE INDEX proposals_handler ON proposals (province_code, handler, filed_at);
CREATE INDEX proposals_province ON proposals (province_code, filed_at);
CREATE INDEX proposals_open_due ON proposals (province_code, status, due_at);
CREATE INDEX directives_province ON directives (province_code, created_at);

-- The history of a proposal: append-only.
CREATE TABLE proposal_events (
    proposal_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    province_code TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (proposal_id, seq)
);

-- One row per commune a directive is assigned to, with where it stands.
CREATE TABLE directive_targets (
    directive_id BIGINT NOT NULL,
    commune_code TEXT NOT NULL,
    province_code TEXT NOT NULL,
    due_date DATE NOT NULL,
    status TEXT NOT NULL,
    reports BIGINT NOT NULL,
    last_report_at TIMESTAMP,
    done_at TIMESTAMP,
    PRIMARY KEY (directive_id, commune_code)
);
CREATE INDEX directive_targets_commune ON directive_targets (commune_code, due_date);

-- Communes' reports: append-only, with the documents attached to each.
CREATE TABLE directive_reports (
    directive_id BIGINT NOT NULL,
    commune_code TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (directive_id, commune_code, seq)
);
CREATE TABLE directive_attachments (
    directive_id BIGINT NOT NULL,
    commune_code TEXT NOT NULL,
    report_seq BIGINT NOT NULL,
    file_seq BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (directive_id, commune_code, report_seq, file_seq)
);

-- @sqlite
CREATE TRIGGER proposal_events_no_update BEFORE UPDATE ON proposal_events
BEGIN SELECT RAISE(ABORT, 'append_only: proposal history cannot be changed'); END;
CREATE TRIGGER proposal_events_no_delete BEFORE DELETE ON proposal_events
BEGIN SELECT RAISE(ABORT, 'append_only: proposal history cannot be deleted'); END;
CREATE TRIGGER directive_reports_no_update BEFORE UPDATE ON directive_reports
BEGIN SELECT RAISE(ABORT, 'append_only: reports cannot be changed'); END;
CREATE TRIGGER directive_reports_no_delete BEFORE DELETE ON directive_reports
BEGIN SELECT RAISE(ABORT, 'append_only: reports cannot be deleted'); END;

-- @postgres
CREATE TRIGGER proposal_events_append_only BEFORE UPDATE OR DELETE ON proposal_events
    FOR EACH ROW EXECUTE FUNCTION haicap_append_only();
CREATE TRIGGER directive_reports_append_only BEFORE UPDATE OR DELETE ON directive_reports
    FOR EACH ROW EXECUTE FUNCTION haicap_append_only();
GRANT SELECT, INSERT, UPDATE ON unit_staffing, proposals, directives, directive_targets, directive_attachments TO haicap_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON staff_leave TO haicap_app;
GRANT SELECT, INSERT ON proposal_events, directive_reports TO haicap_app;
