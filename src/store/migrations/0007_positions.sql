-- Version 7: where the trainer dragged units on the map, in the layout's canvas
-- coordinates (1600 × 900). A unit without a row sits where the automatic layout puts
-- it. Not tied to the unit rows: the map's rows are rewritten on every edit, and a
-- position of a unit no longer on the map is simply not used.
CREATE TABLE unit_position (
    workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
    unit_id     TEXT NOT NULL,
    x           REAL NOT NULL,
    y           REAL NOT NULL,
    PRIMARY KEY (workshop_id, unit_id)
) STRICT;
