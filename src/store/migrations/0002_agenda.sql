-- Version 2: each workshop's agenda and where the trainer is in it.
-- Activity ids are per workshop and stable across moves; times are Unix milliseconds.
CREATE TABLE activity (
    workshop_id     INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
    id              INTEGER NOT NULL CHECK (id > 0),
    position        INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('welcome', 'self_assessment', 'ripple_round', 'engagement_cycle', 'debrief', 'thanks', 'custom')),
    title           TEXT NOT NULL CHECK (length(trim(title)) > 0),
    planned_minutes INTEGER NOT NULL CHECK (planned_minutes > 0),
    notes           TEXT NOT NULL DEFAULT '',
    started_at      INTEGER,
    finished_at     INTEGER,
    PRIMARY KEY (workshop_id, id)
) STRICT;

CREATE INDEX activity_by_position ON activity(workshop_id, position);

-- The running activity's id (NULL before the workshop starts).
ALTER TABLE workshop ADD COLUMN current_activity INTEGER;

-- Workshops from version 1 get the default agenda as it was when version 2 shipped
-- (frozen here: later changes to the default must not rewrite history).
INSERT INTO activity (workshop_id, id, position, kind, title, planned_minutes, notes)
SELECT w.id, d.id, d.id - 1, d.kind, d.title, d.minutes, d.notes
FROM workshop w, (
    SELECT 1 AS id, 'welcome' AS kind, 'Welcome' AS title, 10 AS minutes,
           'Introduce yourself and the goal: see how each person''s work reaches the customer through colleagues. Show the join code and wait until most phones are in.' AS notes
    UNION ALL SELECT 2, 'self_assessment', 'Who are my internal customers?', 20,
           'Participants answer the four questions on their phones. Remind them that everyone serves someone, and that a rating is about the service, not the person.'
    UNION ALL SELECT 3, 'ripple_round', 'The Ripple Effect', 25,
           'Drop an incident on a support unit, let the room predict who feels it, then play the ripple wave by wave. Ask who was surprised to be hit.'
    UNION ALL SELECT 4, 'engagement_cycle', 'One customer, start to finish', 30,
           'Walk one customer engagement through pre-service, service and after-service. At each moment of truth, ask who had to deliver what, by when and how.'
    UNION ALL SELECT 5, 'debrief', 'Debrief', 15,
           'Show the most critical internal services and the gaps between self-ratings and customers'' ratings. Have each team name one service it will improve.'
    UNION ALL SELECT 6, 'thanks', 'Thank you', 5,
           'Thank the group, say when the results will be shared, and who to contact. Leave the map on screen while people leave.'
) d;
