-- haicap schema, version 16: the agency's seal on electronic results. A unit's own key (its
-- organisation certificate, held by its clerk's desk) signs the leader's signed result again
-- where the result is issued in the agency's name (Decree 30/2020/NĐ-CP). Each stored signed
-- file now says which paper it is, so that "a result is available" means the result, not an
-- apology letter.

-- @all
CREATE TABLE agency_keys (
    unit_code TEXT PRIMARY KEY,
    token_label TEXT NOT NULL,
    key_label TEXT NOT NULL,
    certificate_pem TEXT NOT NULL,
    certificate_sha256 TEXT NOT NULL,
    enrolled_at TIMESTAMP NOT NULL
);

-- @postgres
GRANT SELECT, INSERT, UPDATE, DELETE ON agency_keys TO haicap_app;

-- @all
-- 'result' (the leader's signature), 'sealed_result' (with the agency's), 'apology' (Form 04).
ALTER TABLE signed_results ADD COLUMN paper TEXT NOT NULL DEFAULT 'result';

-- @all
-- Files signed before this version: the apology letters are the ones not named as results.
UPDATE signed_results SET paper = 'apology' WHERE file_name NOT LIKE '%-ket-qua-ky-so.pdf';
