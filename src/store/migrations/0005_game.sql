-- Version 5: rounds of the Ripple Effect game and the room's predictions. A round
-- keeps the map and the result as they were when it was played, so it can be
-- replayed later whatever happens to the map.
CREATE TABLE game_round (
    workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
    id          INTEGER NOT NULL,
    incidents   TEXT NOT NULL CHECK (json_valid(incidents)),
    map         TEXT NOT NULL CHECK (json_valid(map)),
    result      TEXT NOT NULL CHECK (json_valid(result)),
    phase       TEXT NOT NULL CHECK (phase IN ('predict', 'ripple', 'score', 'debrief')),
    started_at  INTEGER NOT NULL,
    PRIMARY KEY (workshop_id, id)
) STRICT;

-- A participant's current prediction for a round; a newer one replaces it while the
-- round is in its prediction phase.
CREATE TABLE prediction (
    workshop_id    INTEGER NOT NULL,
    round_id       INTEGER NOT NULL,
    participant_id INTEGER NOT NULL REFERENCES participant(id) ON DELETE CASCADE,
    body           TEXT NOT NULL CHECK (json_valid(body)),
    submitted_at   INTEGER NOT NULL,
    PRIMARY KEY (workshop_id, round_id, participant_id),
    FOREIGN KEY (workshop_id, round_id) REFERENCES game_round(workshop_id, id) ON DELETE CASCADE
) STRICT;
