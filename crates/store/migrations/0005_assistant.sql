-- haicap schema, version 5: the digital assistant. Questions asked (for usage figures and the
-- list of unanswered ones), questions handed to officers and their answers, feedback and
-- suggestions with their review, aliases accepted into the catalog's search, and the
-- operations handbook.

-- @all
CREATE TABLE assistant_questions (
    id {id},
    asked_at TIMESTAMP NOT NULL,
    question TEXT NOT NULL,
    province_code TEXT,
    username TEXT,
    unit_code TEXT,
    top_code TEXT,
    confident BOOLEAN NOT NULL,
    asks TEXT NOT NULL,
    latency_us BIGINT NOT NULL
);
-- @all
CREATE TABLE assistant_suggestions (
    id {id},
    created_at TIMESTAMP NOT NULL,
    question_id BIGINT,
    helpful BOOLEAN,
    kind TEXT NOT NULL,
    procedure_code TEXT,
    text TEXT,
    suggested_by TEXT,
    status TEXT NOT NULL,
    reviewed_by TEXT,
    reviewed_at TIMESTAMP
);
-- @all
CREATE TABLE handbook_articles (
    id {id},
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL
);
-- @sqlite

-- @postgres
GRANT USAGE ON SEQUENCE assistant_questions_id_seq, assistant_suggestions_id_seq, handbook_articles_id_seq TO haicap_app;

-- @all
CREATE INDEX assistant_questions_at ON assistant_questions (asked_at);
CREATE TABLE assistant_handoffs (
    code TEXT PRIMARY KEY,
    created_at TIMESTAMP NOT NULL,
    question_id BIGINT,
    question TEXT NOT NULL,
    province_code TEXT,
    contact TEXT,
    status TEXT NOT NULL,
    answer TEXT,
    answered_by TEXT,
    answered_at TIMESTAMP
);
CREATE INDEX assistant_handoffs_open ON assistant_handoffs (status, created_at);
CREATE TABLE catalog_aliases (
    procedure_code TEXT NOT NULL,
    alias TEXT NOT NULL,
    added_by TEXT NOT NULL,
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (procedure_code, alias)
);

-- @postgres
GRANT SELECT, INSERT, UPDATE ON assistant_questions, assistant_suggestions, handbook_articles, assistant_handoffs, catalog_aliases TO haicap_app;
