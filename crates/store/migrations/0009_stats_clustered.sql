-- haicap schema, version 9: on SQLite the two statistics tables are stored in the order of
-- their keys (WITHOUT ROWID). A province's figures read its rows by key range; with a rowid
-- table each of them was found in the key's index and then fetched again from the table (a
-- quarter of the province dashboard's time on a national database of a million dossiers), and
-- each counter bump wrote both. PostgreSQL keeps its tables as they are.

-- @sqlite
CREATE TABLE stats_daily_clustered (
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
    digitised BIGINT NOT NULL DEFAULT 0,
    rated BIGINT NOT NULL DEFAULT 0,
    satisfied BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (province_code, unit_code, procedure_code, day, channel)
) WITHOUT ROWID;
INSERT INTO stats_daily_clustered
SELECT province_code, unit_code, procedure_code, day, channel, registered, received, refused,
       supplement_requested, extended, transferred, resolved_early, resolved_on_time,
       resolved_late, returned, withdrawn, stopped, digitised, rated, satisfied
FROM stats_daily;
DROP TABLE stats_daily;
ALTER TABLE stats_daily_clustered RENAME TO stats_daily;

CREATE TABLE stats_unit_daily_clustered (
    province_code TEXT NOT NULL,
    day DATE NOT NULL,
    unit_code TEXT NOT NULL,
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
    digitised BIGINT NOT NULL DEFAULT 0,
    rated BIGINT NOT NULL DEFAULT 0,
    satisfied BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (province_code, day, unit_code, channel)
) WITHOUT ROWID;
INSERT INTO stats_unit_daily_clustered
SELECT province_code, day, unit_code, channel, registered, received, refused,
       supplement_requested, extended, transferred, resolved_early, resolved_on_time,
       resolved_late, returned, withdrawn, stopped, digitised, rated, satisfied
FROM stats_unit_daily;
DROP TABLE stats_unit_daily;
ALTER TABLE stats_unit_daily_clustered RENAME TO stats_unit_daily;
