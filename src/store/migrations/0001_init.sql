-- Version 1: workshops and their organisation maps.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE workshop (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL CHECK (length(trim(name)) > 0),
    map_name   TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

-- Units keep the order they had in the map (position) so a map round-trips unchanged.
CREATE TABLE unit (
    workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('external', 'frontline', 'support')),
    weight      REAL NOT NULL DEFAULT 1 CHECK (weight >= 0),
    PRIMARY KEY (workshop_id, id)
) STRICT;

CREATE TABLE link (
    workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    provider    TEXT NOT NULL,
    customer    TEXT NOT NULL,
    service     TEXT NOT NULL,
    strength    REAL NOT NULL CHECK (strength > 0 AND strength <= 1),
    lag         REAL NOT NULL CHECK (lag >= 0),
    quality     TEXT NOT NULL DEFAULT '',
    time        TEXT NOT NULL DEFAULT '',
    delivery    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (workshop_id, position),
    FOREIGN KEY (workshop_id, provider) REFERENCES unit(workshop_id, id) ON DELETE CASCADE ON UPDATE CASCADE,
    FOREIGN KEY (workshop_id, customer) REFERENCES unit(workshop_id, id) ON DELETE CASCADE ON UPDATE CASCADE,
    CHECK (provider <> customer)
) STRICT;

CREATE INDEX link_by_customer ON link(workshop_id, customer);
CREATE INDEX link_by_provider ON link(workshop_id, provider);
