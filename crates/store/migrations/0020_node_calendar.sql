-- haicap schema, version 20: at a commune's node, the province's calendar; ratings that
-- arrive from a node (issue #25).
--
-- Deadlines are counted in the province's working days: the days off and swaps its
-- administrator added to the shipped ones, and its office hours. A node takes them with each
-- pull and counts in them, from then on and after a restart.

-- @all
CREATE TABLE node_calendar (
    id BIGINT PRIMARY KEY,
    decided TEXT NOT NULL,
    hours TEXT NOT NULL,
    taken_at TIMESTAMP NOT NULL
);

-- A rating a node's citizen gave, and when the province took it (NULL: given here): the
-- national feed sends again the figures of the day it was given.
ALTER TABLE ratings ADD COLUMN arrived_at TIMESTAMP;
CREATE INDEX ratings_arrived ON ratings ((COALESCE(arrived_at, at)));

-- @postgres
GRANT SELECT, INSERT, UPDATE, DELETE ON node_calendar TO haicap_app;
