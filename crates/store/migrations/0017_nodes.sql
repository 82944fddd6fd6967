-- haicap schema, version 17: the commune nodes a province's server accepts histories from
-- (issue #25). A node is known by the SHA-256 of its token (the token itself is printed once,
-- to the administrator who adds it, and never stored); a revoked node's token opens nothing.

-- @all
CREATE TABLE nodes (
    commune_code TEXT PRIMARY KEY,
    province_code TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    added_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    last_seen_at TIMESTAMP
);

-- @postgres
GRANT SELECT, INSERT, UPDATE, DELETE ON nodes TO haicap_app;
