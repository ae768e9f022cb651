-- Version 3: participants joining a live workshop, and their answers.
-- Participants and rounds belong to a workshop and go with it; answers go with their participant.

-- The short code participants type to join (stable across restarts of the session).
CREATE TABLE session_code (
    workshop_id INTEGER PRIMARY KEY REFERENCES workshop(id) ON DELETE CASCADE,
    code        TEXT NOT NULL UNIQUE CHECK (length(code) = 6)
) STRICT;

-- A round is closed until the trainer opens it; no row means closed.
CREATE TABLE round (
    workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
    name        TEXT NOT NULL CHECK (name IN ('self_assessment', 'thanks')),
    open        INTEGER NOT NULL CHECK (open IN (0, 1)),
    PRIMARY KEY (workshop_id, name)
) STRICT;

-- Only the SHA-256 of a participant's token is kept. The unit is the map's unit id as
-- it was at joining (no foreign key: deleting a unit from the map keeps its people's answers).
CREATE TABLE participant (
    id          INTEGER PRIMARY KEY,
    workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    name        TEXT CHECK (name IS NULL OR length(name) BETWEEN 1 AND 60),
    unit        TEXT NOT NULL,
    manager     INTEGER NOT NULL DEFAULT 0 CHECK (manager IN (0, 1)),
    joined_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX participant_by_workshop ON participant(workshop_id);

-- A participant's current answer to each question ('customers', 'manager',
-- 'received_rating:UNIT', 'thanks:UNIT'); a newer submission replaces the row.
CREATE TABLE answer (
    participant_id INTEGER NOT NULL REFERENCES participant(id) ON DELETE CASCADE,
    question       TEXT NOT NULL,
    round          TEXT NOT NULL CHECK (round IN ('self_assessment', 'thanks')),
    submission     TEXT NOT NULL,
    body           TEXT NOT NULL CHECK (json_valid(body)),
    submitted_at   INTEGER NOT NULL,
    PRIMARY KEY (participant_id, question)
) STRICT;

-- Every submission id ever stored, with the receipt it was answered with: a re-send
-- gets the same receipt and changes nothing (not even after a newer answer or a reset).
CREATE TABLE submission (
    participant_id INTEGER NOT NULL REFERENCES participant(id) ON DELETE CASCADE,
    id             TEXT NOT NULL,
    receipt        TEXT NOT NULL CHECK (json_valid(receipt)),
    PRIMARY KEY (participant_id, id)
) STRICT;
