-- haicap schema, version 19: each dossier's status for the national public service portal
-- (Cổng Dịch vụ công quốc gia), through the outbox (issue #25).
--
-- A round finds the dossiers whose history changed and queues one message each: the status
-- record in the portal's fields, keyed by the dossier and how many events its history holds
-- (`dedupe`: a round that looks back over what it sent queues nothing twice). A newer status
-- of a dossier supersedes its older one still waiting, so that the portal never takes an older
-- status after a newer one.

-- @all
ALTER TABLE outbox ADD COLUMN dossier_code TEXT;
ALTER TABLE outbox ADD COLUMN dedupe TEXT;
CREATE UNIQUE INDEX outbox_dedupe ON outbox (dedupe);
CREATE INDEX outbox_dossier ON outbox (dossier_code, status) WHERE dossier_code IS NOT NULL;

-- How far the portal's feed has gone (one row): the next round starts there.
CREATE TABLE portal_feed (
    id BIGINT PRIMARY KEY,
    cursor_at TIMESTAMP NOT NULL,
    last_round_at TIMESTAMP NOT NULL
);

-- @postgres
GRANT SELECT, INSERT, UPDATE, DELETE ON portal_feed TO haicap_app;
