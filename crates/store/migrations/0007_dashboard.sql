-- haicap schema, version 7: what the service index and the alerts need. Counters of
-- digitised dossiers and of citizens' ratings beside the others (filled from the documents
-- and ratings already stored); alerts to officers and leaders; an outbox of messages to send
-- (log, e-mail, SMS) with retries; officers' e-mail and phone.

-- @all
ALTER TABLE stats_daily ADD COLUMN digitised BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_daily ADD COLUMN rated BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_daily ADD COLUMN satisfied BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_unit_daily ADD COLUMN digitised BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_unit_daily ADD COLUMN rated BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stats_unit_daily ADD COLUMN satisfied BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN phone TEXT;

-- One alert per person, dossier, kind and due date: a new due date (an extension) may alert
-- again, a sweep run twice never does.
CREATE TABLE alerts (
    id {id},
    created_at TIMESTAMP NOT NULL,
    username TEXT NOT NULL,
    province_code TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    dossier_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    due_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP,
    UNIQUE (username, dossier_code, kind, due_at)
);
CREATE INDEX alerts_user ON alerts (username, id);
CREATE INDEX alerts_dossier ON alerts (dossier_code, kind, due_at);

CREATE TABLE outbox (
    id {id},
    created_at TIMESTAMP NOT NULL,
    alert_id BIGINT,
    recipient TEXT NOT NULL,
    channel TEXT NOT NULL,
    address TEXT,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- The counters of what is already stored (`day` of a time written as each database keeps
-- days: see `store::migrate`).
INSERT INTO stats_unit_daily (province_code, day, unit_code, channel, registered, received, refused, supplement_requested, extended, transferred, resolved_early, resolved_on_time, resolved_late, returned, withdrawn, stopped, digitised)
SELECT d.province_code, {day(d.registered_at)}, d.receiving_unit, d.channel, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, COUNT(*)
FROM dossiers d WHERE EXISTS (SELECT 1 FROM attachments a WHERE a.dossier_code = d.code)
GROUP BY d.province_code, {day(d.registered_at)}, d.receiving_unit, d.channel
ON CONFLICT (province_code, day, unit_code, channel) DO UPDATE SET digitised = excluded.digitised;

INSERT INTO stats_unit_daily (province_code, day, unit_code, channel, registered, received, refused, supplement_requested, extended, transferred, resolved_early, resolved_on_time, resolved_late, returned, withdrawn, stopped, rated, satisfied)
SELECT d.province_code, {day(r.at)}, d.receiving_unit, d.channel, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, COUNT(*), SUM(CASE WHEN r.score >= 4 THEN 1 ELSE 0 END)
FROM ratings r JOIN dossiers d ON d.code = r.dossier_code WHERE true
GROUP BY d.province_code, {day(r.at)}, d.receiving_unit, d.channel
ON CONFLICT (province_code, day, unit_code, channel) DO UPDATE SET rated = excluded.rated, satisfied = excluded.satisfied;

INSERT INTO stats_daily (province_code, unit_code, procedure_code, day, channel, registered, received, refused, supplement_requested, extended, transferred, resolved_early, resolved_on_time, resolved_late, returned, withdrawn, stopped, digitised)
SELECT d.province_code, d.receiving_unit, d.procedure_code, {day(d.registered_at)}, d.channel, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, COUNT(*)
FROM dossiers d WHERE EXISTS (SELECT 1 FROM attachments a WHERE a.dossier_code = d.code)
GROUP BY d.province_code, d.receiving_unit, d.procedure_code, {day(d.registered_at)}, d.channel
ON CONFLICT (province_code, unit_code, procedure_code, day, channel) DO UPDATE SET digitised = excluded.digitised;

INSERT INTO stats_daily (province_code, unit_code, procedure_code, day, channel, registered, received, refused, supplement_requested, extended, transferred, resolved_early, resolved_on_time, resolved_late, returned, withdrawn, stopped, rated, satisfied)
SELECT d.province_code, d.receiving_unit, d.procedure_code, {day(r.at)}, d.channel, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, COUNT(*), SUM(CASE WHEN r.score >= 4 THEN 1 ELSE 0 END)
FROM ratings r JOIN dossiers d ON d.code = r.dossier_code WHERE true
GROUP BY d.province_code, d.receiving_unit, d.procedure_code, {day(r.at)}, d.channel
ON CONFLICT (province_code, unit_code, procedure_code, day, channel) DO UPDATE SET rated = excluded.rated, satisfied = excluded.satisfied;

-- @postgres
GRANT SELECT, INSERT, UPDATE ON alerts, outbox TO haicap_app;
GRANT USAGE ON SEQUENCE alerts_id_seq, outbox_id_seq TO haicap_app;
