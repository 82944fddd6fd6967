-- haicap schema, version 14: what each commune offers. A province imports the list of the
-- procedures each of its communes receives at its service point (by national code); the
-- intake and the assistant show a commune's own procedures first. The list orders, it does
-- not restrict: boundary-free rules and the catalog stay as they are.

-- @all
CREATE TABLE commune_offers (
    commune_code TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    name TEXT NOT NULL,
    field TEXT,
    imported_at TIMESTAMP NOT NULL,
    PRIMARY KEY (commune_code, procedure_code)
);

-- @postgres
GRANT SELECT, INSERT, UPDATE, DELETE ON commune_offers TO haicap_app;
