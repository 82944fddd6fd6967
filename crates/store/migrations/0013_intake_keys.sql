-- haicap schema, version 13: an intake sent again is filed once. A client (the API's
-- `Idempotency-Key`, the intake form's hidden key) names each intake; the key is written in
-- the dossier's transaction, so that a request repeated after a lost answer (a proxy's
-- timeout during a database outage, a double click) gets the dossier already filed instead
-- of a second one. Keys are per account and kept a day.

-- @all
CREATE TABLE intake_keys (
    actor TEXT NOT NULL,
    key TEXT NOT NULL,
    dossier_code TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (actor, key)
);

-- @postgres
-- The application's role gets the tables added since version 1 (login_failures was missed).
GRANT SELECT, INSERT, UPDATE, DELETE ON intake_keys, login_failures TO haicap_app;
