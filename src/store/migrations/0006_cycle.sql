-- Version 6: Engagement Cycles, where the walkthrough is, and the needs the room
-- proposed during it (with their votes). A cycle is kept whole as JSON: it is read and
-- written as one piece, and its needs map onto links of the map when it is saved.
CREATE TABLE cycle (
    workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
    id          INTEGER NOT NULL CHECK (id > 0),
    position    INTEGER NOT NULL,
    body        TEXT NOT NULL CHECK (json_valid(body)),
    PRIMARY KEY (workshop_id, id)
) STRICT;

-- The walkthrough's place (a CycleWalk as JSON); NULL when no cycle is being walked.
ALTER TABLE workshop ADD COLUMN cycle_walk TEXT CHECK (cycle_walk IS NULL OR json_valid(cycle_walk));

CREATE TABLE need_proposal (
    workshop_id    INTEGER NOT NULL,
    id             INTEGER NOT NULL CHECK (id > 0),
    cycle_id       INTEGER NOT NULL,
    stage_id       INTEGER NOT NULL,
    participant_id INTEGER NOT NULL REFERENCES participant(id) ON DELETE CASCADE,
    need           TEXT NOT NULL CHECK (json_valid(need)),
    status         TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'discarded', 'merged')),
    merged_into    INTEGER CHECK ((status = 'merged') = (merged_into IS NOT NULL)),
    submitted_at   INTEGER NOT NULL,
    PRIMARY KEY (workshop_id, id),
    FOREIGN KEY (workshop_id, cycle_id) REFERENCES cycle(workshop_id, id) ON DELETE CASCADE
) STRICT;

CREATE TABLE need_vote (
    workshop_id    INTEGER NOT NULL,
    proposal_id    INTEGER NOT NULL,
    participant_id INTEGER NOT NULL REFERENCES participant(id) ON DELETE CASCADE,
    PRIMARY KEY (workshop_id, proposal_id, participant_id),
    FOREIGN KEY (workshop_id, proposal_id) REFERENCES need_proposal(workshop_id, id) ON DELETE CASCADE
) STRICT;
