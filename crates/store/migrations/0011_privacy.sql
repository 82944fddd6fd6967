-- haicap schema, version 11: the whole dossier under the seal, and personal data kept only as
-- long as the law allows.
--
-- seal_salt: the random salt of the dossier's subject digest (who it is for, what was filed),
-- sealed by its registration event; erased with the personal data, after which the digest can
-- no longer be tested against guesses. erased_at: when the retention job erased it.

-- @all
ALTER TABLE dossiers ADD COLUMN seal_salt TEXT;
ALTER TABLE dossiers ADD COLUMN erased_at TIMESTAMP;
-- Who read a dossier's personal data: `haicap audit reads CODE`.
CREATE INDEX audit_log_target ON audit_log (target, at);
