-- Version 4: a phone's join request carries an id of its own, so a join re-sent after
-- a lost reply finds the participant it made instead of adding another. Only the
-- SHA-256 of that id is kept, as for tokens.
ALTER TABLE participant ADD COLUMN client_hash TEXT CHECK (client_hash IS NULL OR length(client_hash) = 64);

CREATE UNIQUE INDEX participant_by_client ON participant(workshop_id, client_hash) WHERE client_hash IS NOT NULL;
