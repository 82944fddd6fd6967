-- haicap schema, version 12: tracking that cannot be guessed. Each dossier gets a random
-- tracking PIN at intake, printed on the receipt (Form 01) and shown on online submission;
-- the public tracking page and the rating need it with the code. Dossiers filed before keep
-- the phone's last four digits (and the same limits on failures).

-- @all
ALTER TABLE dossiers ADD COLUMN tracking_pin TEXT;

-- Which dossiers refer to a stored document: the sweep of documents nobody refers to (a
-- submission whose transaction failed after its files were stored) asks it per file.
CREATE INDEX attachments_sha256 ON attachments (sha256);
