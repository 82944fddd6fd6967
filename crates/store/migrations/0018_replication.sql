-- haicap schema, version 18: histories that arrive from a commune's node (issue #25).
--
-- An event written here keeps its own time as the time it arrived (arrived_at NULL). An
-- event a node wrote, pushed when its link returned, keeps its own time too (the history
-- says when the officer acted) and records when this database took it: each day's digest
-- seals what the database held that day, so a week of a node's work arriving late adds to
-- today's digest instead of contradicting days already sealed.
--
-- Who writes a dossier: NULL here; at a province, 'node:' and the commune's code for a
-- dossier its node holds (the province refuses to write it); at a node, 'upstream' for one
-- handed to the province.
--
-- At a node, node_sync says which dossiers have events the province has not confirmed, and
-- how many it has (a province writes no row there: its writes pay nothing for it).

-- @all
ALTER TABLE events ADD COLUMN arrived_at TIMESTAMP;
DROP INDEX events_at;
CREATE INDEX events_arrived ON events ((COALESCE(arrived_at, at)));

ALTER TABLE dossiers ADD COLUMN writer TEXT;
-- Few dossiers have one (a province's nodes' own): the index stays small.
CREATE INDEX dossiers_writer ON dossiers (writer) WHERE writer IS NOT NULL;

CREATE TABLE node_sync (
    dossier_code TEXT PRIMARY KEY,
    acked BIGINT NOT NULL,
    pending BOOLEAN NOT NULL
);
CREATE INDEX node_sync_pending ON node_sync (dossier_code) WHERE pending;

-- At a province: how many events each node's pushes added (a node restored from an old
-- backup knows fewer, and so learns that it is behind).
ALTER TABLE nodes ADD COLUMN events_taken BIGINT NOT NULL DEFAULT 0;

-- At a node: the province it is attached to (one row), and how its link fares.
CREATE TABLE upstream (
    commune_code TEXT PRIMARY KEY,
    province_code TEXT NOT NULL,
    url TEXT NOT NULL,
    attached_at TIMESTAMP NOT NULL,
    last_push_at TIMESTAMP,
    last_pull_at TIMESTAMP,
    last_error TEXT,
    last_error_at TIMESTAMP,
    -- Set when the province holds more of this node's events than the node knows of: restored
    -- from an old backup, it writes nothing more (it would fork histories).
    behind TEXT
);

-- At a province feeding the nation: how far the feed has gone (one row).
CREATE TABLE national_feed (
    id BIGINT PRIMARY KEY,
    cursor_at TIMESTAMP,
    last_feed_at TIMESTAMP,
    last_error TEXT
);

-- @postgres
GRANT SELECT, INSERT, UPDATE, DELETE ON node_sync, upstream, national_feed TO haicap_app;
