-- haicap schema, version 4: statistics per unit, day and channel (all procedures together),
-- kept beside the per-procedure table so that a province's figures over a period read a few
-- thousand rows, not millions. Filled from the per-procedure table for existing data.

-- @all
CREATE TABLE stats_unit_daily (
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
    PRIMARY KEY (province_code, day, unit_code, channel)
);

INSERT INTO stats_unit_daily
SELECT province_code, day, unit_code, channel,
       SUM(registered), SUM(received), SUM(refused), SUM(supplement_requested), SUM(extended),
       SUM(transferred), SUM(resolved_early), SUM(resolved_on_time), SUM(resolved_late),
       SUM(returned), SUM(withdrawn), SUM(stopped)
FROM stats_daily GROUP BY province_code, day, unit_code, channel;

-- @postgres
GRANT SELECT, INSERT, UPDATE, DELETE ON stats_unit_daily TO haicap_app;
