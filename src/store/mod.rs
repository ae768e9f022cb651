//! The SQLite file that holds every workshop of an installation.
//!
//! One file, WAL, foreign keys on, versioned migrations kept as embedded `.sql`
//! files and counted in `PRAGMA user_version`. A file written by a newer Ripple is
//! refused untouched rather than half-understood.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::agenda::{Activity, ActivityKind, Agenda};
use crate::layout::{Point, Positions};
use crate::org::{OrgMap, ServiceLink, Unit, UnitKind, MAP_FORMAT_VERSION};
use crate::workshop::{WorkshopId, WorkshopSummary};

mod archive;
mod backup;
mod cycle;
mod game;
mod participants;
pub use game::StoredGameRound;
pub use participants::{NewParticipant, StoredRoom};
pub use backup::{backups_dir, keep_backup, latest_backup, list_backups, move_aside, restore_backup, stamp, BACKUPS_KEPT};

/// Every schema version in order; the schema version of a file is how many have run.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_agenda.sql"),
    include_str!("migrations/0003_participants.sql"),
    include_str!("migrations/0004_join_retry.sql"),
    include_str!("migrations/0005_game.sql"),
    include_str!("migrations/0006_cycle.sql"),
    include_str!("migrations/0007_positions.sql"),
];

/// `updated_at` as SQLite writes it, to the second.
const NOW_SQL: &str = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database {path} was written by a newer Ripple (schema version {found}, this Ripple knows up to {supported}); update Ripple to open it — the file was left untouched")]
    NewerSchema { path: PathBuf, found: u32, supported: u32 },
    #[error("cannot open the database {path}: {source}")]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error("no workshop with id {0}")]
    WorkshopNotFound(WorkshopId),
    #[error("{0}")]
    InvalidName(String),
    #[error("the database {path} is damaged: {reason}")]
    Damaged { path: PathBuf, reason: String },
    #[error("{0}")]
    Io(String),
    #[error("the workshop's stored map is invalid: {0}")]
    InvalidStoredMap(String),
    #[error(transparent)]
    InvalidMap(#[from] crate::org::MapError),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (or creates) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let open_err = |source| StoreError::Open { path: path.to_owned(), source };
        let conn = Connection::open(path).map_err(open_err)?;
        // Check the version before anything writes to the file.
        let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(open_err)?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema { path: path.to_owned(), found, supported: SCHEMA_VERSION });
        }
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: an acknowledged change survives power loss, not only a crash of the app.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        let mut store = Store { conn, path: path.to_owned() };
        store.migrate(found)?;
        Ok(store)
    }

    /// For tests that look at rows directly.
    #[cfg(test)]
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    fn migrate(&mut self, from: u32) -> Result<(), StoreError> {
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (index + 1) as u32)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Creates the demo workshop the first time this database is opened by the app,
    /// and never again (a trainer who deleted it meant it). Returns its id if created.
    pub fn seed_demo_once(&mut self) -> Result<Option<WorkshopId>, StoreError> {
        let seeded: Option<String> =
            self.conn.query_row("SELECT value FROM meta WHERE key = 'demo_seeded'", [], |r| r.get(0)).optional()?;
        if seeded.is_some() {
            return Ok(None);
        }
        let map = crate::workshop::demo_map();
        let tx = self.conn.transaction()?;
        let id = insert_workshop(&tx, crate::workshop::DEMO_WORKSHOP_NAME, &map, &Agenda::new_default())?;
        tx.execute("INSERT INTO meta (key, value) VALUES ('demo_seeded', '1')", [])?;
        tx.commit()?;
        Ok(Some(id))
    }

    /// Creates a workshop holding `map` and the default agenda; the map is validated first.
    pub fn create_workshop(&mut self, name: &str, map: &OrgMap) -> Result<WorkshopId, StoreError> {
        let name = valid_name(name)?;
        map.validate()?;
        let tx = self.conn.transaction()?;
        let id = insert_workshop(&tx, name, map, &Agenda::new_default())?;
        tx.commit()?;
        Ok(id)
    }

    pub fn rename_workshop(&mut self, id: WorkshopId, name: &str) -> Result<(), StoreError> {
        let name = valid_name(name)?;
        let changed =
            self.conn.execute(&format!("UPDATE workshop SET name = ?2, updated_at = {NOW_SQL} WHERE id = ?1"), params![id, name])?;
        if changed == 0 {
            return Err(StoreError::WorkshopNotFound(id));
        }
        Ok(())
    }

    /// A deep copy for another cohort: the map, the agenda (not yet run: no times,
    /// no current activity) and the Engagement Cycles. Named `name`, or "<name> (copy)".
    pub fn duplicate_workshop(&mut self, id: WorkshopId, name: Option<&str>) -> Result<WorkshopId, StoreError> {
        let name = match name {
            Some(name) => valid_name(name)?.to_owned(),
            None => crate::workshop::copy_name(&self.workshop_name(id)?),
        };
        let map = self.load_map(id)?;
        let mut agenda = self.load_agenda(id)?;
        agenda.current = None;
        for a in &mut agenda.activities {
            a.started_at = None;
            a.finished_at = None;
        }
        let tx = self.conn.transaction()?;
        let copy = insert_workshop(&tx, &name, &map, &agenda)?;
        // Cycles are content, like the map; the room's proposals stay with their cohort.
        tx.execute(
            "INSERT INTO cycle (workshop_id, id, position, body) SELECT ?2, id, position, body FROM cycle WHERE workshop_id = ?1",
            params![id, copy],
        )?;
        // The units the trainer arranged come along.
        tx.execute(
            "INSERT INTO unit_position (workshop_id, unit_id, x, y) SELECT ?1, unit_id, x, y FROM unit_position WHERE workshop_id = ?2",
            [copy, id],
        )?;
        tx.commit()?;
        Ok(copy)
    }

    /// Deletes a workshop and everything in it, for good.
    pub fn delete_workshop(&mut self, id: WorkshopId) -> Result<(), StoreError> {
        // The schema cascades to the map and agenda.
        if self.conn.execute("DELETE FROM workshop WHERE id = ?1", [id])? == 0 {
            return Err(StoreError::WorkshopNotFound(id));
        }
        Ok(())
    }

    /// Replaces a workshop's map in one transaction; the map is validated first.
    pub fn save_map(&mut self, id: WorkshopId, map: &OrgMap) -> Result<(), StoreError> {
        map.validate()?;
        let tx = self.conn.transaction()?;
        replace_map_rows(&tx, id, map)?;
        tx.commit()?;
        Ok(())
    }

    /// The units the trainer placed by hand.
    pub fn load_positions(&self, id: WorkshopId) -> Result<Positions, StoreError> {
        let mut stmt = self.conn.prepare("SELECT unit_id, x, y FROM unit_position WHERE workshop_id = ?1")?;
        let rows = stmt.query_map([id], |r| Ok((r.get::<_, String>(0)?, Point { x: r.get(1)?, y: r.get(2)? })))?;
        Ok(rows.collect::<Result<Positions, _>>()?)
    }

    /// Replaces the units placed by hand in one transaction.
    pub fn save_positions(&mut self, id: WorkshopId, positions: &Positions) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        touch(&tx, id)?;
        tx.execute("DELETE FROM unit_position WHERE workshop_id = ?1", [id])?;
        let mut insert = tx.prepare("INSERT INTO unit_position (workshop_id, unit_id, x, y) VALUES (?1, ?2, ?3, ?4)")?;
        for (unit, p) in positions {
            insert.execute(params![id, unit, p.x, p.y])?;
        }
        drop(insert);
        tx.commit()?;
        Ok(())
    }

    /// Replaces a workshop's agenda and current activity in one transaction.
    pub fn save_agenda(&mut self, id: WorkshopId, agenda: &Agenda) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        touch(&tx, id)?;
        tx.execute("DELETE FROM activity WHERE workshop_id = ?1", [id])?;
        insert_agenda_rows(&tx, id, agenda)?;
        tx.commit()?;
        Ok(())
    }

    /// The workshop's agenda in order, with the running activity.
    pub fn load_agenda(&self, id: WorkshopId) -> Result<Agenda, StoreError> {
        let current: Option<u32> = self
            .conn
            .query_row("SELECT current_activity FROM workshop WHERE id = ?1", [id], |r| r.get(0))
            .optional()?
            .ok_or(StoreError::WorkshopNotFound(id))?;
        let mut stmt = self.conn.prepare(
            "SELECT id, kind, title, planned_minutes, notes, started_at, finished_at
             FROM activity WHERE workshop_id = ?1 ORDER BY position",
        )?;
        let activities = stmt
            .query_map([id], |r| {
                Ok((
                    r.get::<_, u32>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, u32>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                    r.get::<_, Option<i64>>(6)?,
                ))
            })?
            .map(|row| {
                let (id, kind, title, planned_minutes, notes, started_at, finished_at) = row?;
                let kind = ActivityKind::parse(&kind)
                    .ok_or_else(|| StoreError::InvalidStoredMap(format!("activity {id} has unknown kind '{kind}'")))?;
                Ok(Activity { id, kind, title, planned_minutes, notes, started_at, finished_at })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        // A current id that no longer exists means the workshop has not started.
        let current = current.filter(|c| activities.iter().any(|a| a.id == *c));
        Ok(Agenda { activities, current })
    }

    /// `PRAGMA quick_check`: `Ok(())`, or what SQLite found wrong.
    pub fn quick_check(&self) -> Result<(), StoreError> {
        check_pragma(&self.conn, "quick_check", &self.path)
    }

    /// `PRAGMA integrity_check`, the thorough one.
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        check_pragma(&self.conn, "integrity_check", &self.path)
    }

    pub fn list_workshops(&self) -> Result<Vec<WorkshopSummary>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT w.id, w.name, w.updated_at,
                    (SELECT count(*) FROM unit u WHERE u.workshop_id = w.id),
                    (SELECT count(*) FROM link l WHERE l.workshop_id = w.id)
             FROM workshop w ORDER BY w.updated_at DESC, w.id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(WorkshopSummary { id: r.get(0)?, name: r.get(1)?, updated_at: r.get(2)?, units: r.get(3)?, links: r.get(4)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn workshop_name(&self, id: WorkshopId) -> Result<String, StoreError> {
        self.conn
            .query_row("SELECT name FROM workshop WHERE id = ?1", [id], |r| r.get(0))
            .optional()?
            .ok_or(StoreError::WorkshopNotFound(id))
    }

    /// The workshop's organisation map, in the order it was saved.
    pub fn load_map(&self, id: WorkshopId) -> Result<OrgMap, StoreError> {
        let map_name: String = self
            .conn
            .query_row("SELECT map_name FROM workshop WHERE id = ?1", [id], |r| r.get(0))
            .optional()?
            .ok_or(StoreError::WorkshopNotFound(id))?;
        let mut stmt =
            self.conn.prepare("SELECT id, name, kind, weight FROM unit WHERE workshop_id = ?1 ORDER BY position")?;
        let units = stmt
            .query_map([id], |r| {
                let kind: String = r.get(2)?;
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, kind, r.get::<_, f64>(3)?))
            })?
            .map(|row| {
                let (id, name, kind, weight) = row?;
                let kind = UnitKind::parse(&kind)
                    .ok_or_else(|| StoreError::InvalidStoredMap(format!("unit '{id}' has unknown kind '{kind}'")))?;
                Ok(Unit { id, name, kind, weight })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut stmt = self.conn.prepare(
            "SELECT provider, customer, service, strength, lag, quality, time, delivery
             FROM link WHERE workshop_id = ?1 ORDER BY position",
        )?;
        let links = stmt
            .query_map([id], |r| {
                Ok(ServiceLink {
                    provider: r.get(0)?,
                    customer: r.get(1)?,
                    service: r.get(2)?,
                    strength: r.get(3)?,
                    lag: r.get(4)?,
                    quality: r.get(5)?,
                    time: r.get(6)?,
                    delivery: r.get(7)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(OrgMap { version: MAP_FORMAT_VERSION, name: map_name, units, links })
    }
}

fn valid_name(name: &str) -> Result<&str, StoreError> {
    crate::workshop::validate_name(name).map_err(StoreError::InvalidName)
}

fn check_pragma(conn: &Connection, pragma: &str, path: &Path) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(&format!("PRAGMA {pragma}"))?;
    let lines = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
    if lines == ["ok"] {
        Ok(())
    } else {
        Err(StoreError::Damaged { path: path.to_owned(), reason: lines.join("; ") })
    }
}

/// Marks a workshop changed; a workshop that does not exist is an error.
fn touch(tx: &Connection, id: WorkshopId) -> Result<(), StoreError> {
    if tx.execute(&format!("UPDATE workshop SET updated_at = {NOW_SQL} WHERE id = ?1"), [id])? == 0 {
        return Err(StoreError::WorkshopNotFound(id));
    }
    Ok(())
}

/// Replaces the map of workshop `id` inside the caller's transaction.
pub(super) fn replace_map_rows(tx: &Connection, id: WorkshopId, map: &OrgMap) -> Result<(), StoreError> {
    touch(tx, id)?;
    tx.execute("UPDATE workshop SET map_name = ?2 WHERE id = ?1", params![id, map.name])?;
    // Links first: deleting units would cascade to them anyway, but this way the
    // inserts below never meet a stale row.
    tx.execute("DELETE FROM link WHERE workshop_id = ?1", [id])?;
    tx.execute("DELETE FROM unit WHERE workshop_id = ?1", [id])?;
    insert_map_rows(tx, id, map)
}

fn insert_agenda_rows(tx: &Transaction, id: WorkshopId, agenda: &Agenda) -> Result<(), StoreError> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO activity (workshop_id, id, position, kind, title, planned_minutes, notes, started_at, finished_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (position, a) in agenda.activities.iter().enumerate() {
        stmt.execute(params![
            id,
            a.id,
            position as i64,
            a.kind.as_str(),
            a.title,
            a.planned_minutes,
            a.notes,
            a.started_at,
            a.finished_at
        ])?;
    }
    let current = agenda.current.filter(|c| agenda.index_of(*c).is_some());
    tx.execute("UPDATE workshop SET current_activity = ?2 WHERE id = ?1", params![id, current])?;
    Ok(())
}

fn insert_workshop(tx: &Transaction, name: &str, map: &OrgMap, agenda: &Agenda) -> Result<WorkshopId, StoreError> {
    tx.execute("INSERT INTO workshop (name, map_name) VALUES (?1, ?2)", params![name.trim(), map.name])?;
    let id = tx.last_insert_rowid();
    insert_map_rows(tx, id, map)?;
    insert_agenda_rows(tx, id, agenda)?;
    Ok(id)
}

fn insert_map_rows(tx: &Connection, id: WorkshopId, map: &OrgMap) -> Result<(), StoreError> {
    let mut unit = tx.prepare_cached(
        "INSERT INTO unit (workshop_id, id, position, name, kind, weight) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (position, u) in map.units.iter().enumerate() {
        unit.execute(params![id, u.id, position as i64, u.name, u.kind.as_str(), u.weight])?;
    }
    let mut link = tx.prepare_cached(
        "INSERT INTO link (workshop_id, position, provider, customer, service, strength, lag, quality, time, delivery)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for (position, l) in map.links.iter().enumerate() {
        link.execute(params![
            id,
            position as i64,
            l.provider,
            l.customer,
            l.service,
            l.strength,
            l.lag,
            l.quality,
            l.time,
            l.delivery
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_placed_by_hand_are_stored_replaced_copied_with_the_workshop_and_deleted_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("r.db")).unwrap();
        let id = store.create_workshop("W", &crate::workshop::demo_map()).unwrap();
        assert!(store.load_positions(id).unwrap().is_empty());
        let placed = Positions::from([("finance".to_owned(), Point { x: 10.5, y: 20.0 }), ("hr".to_owned(), Point { x: 30.0, y: 40.0 })]);
        store.save_positions(id, &placed).unwrap();
        assert_eq!(store.load_positions(id).unwrap(), placed);
        let copy = store.duplicate_workshop(id, None).unwrap();
        assert_eq!(store.load_positions(copy).unwrap(), placed);
        let fewer = Positions::from([("hr".to_owned(), Point { x: 1.0, y: 2.0 })]);
        store.save_positions(id, &fewer).unwrap();
        assert_eq!(store.load_positions(id).unwrap(), fewer);
        assert_eq!(store.load_positions(copy).unwrap(), placed, "the copy is its own");
        store.delete_workshop(id).unwrap();
        let left: i64 = store.conn.query_row("SELECT count(*) FROM unit_position WHERE workshop_id = ?1", [id], |r| r.get(0)).unwrap();
        assert_eq!(left, 0);
    }

    #[test]
    fn a_new_database_is_migrated_to_the_current_schema_with_wal_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("r.db")).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let mode: String = store.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = store.conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert_eq!(fk, 1);
    }

    #[test]
    fn the_schema_refuses_a_link_to_a_unit_that_does_not_exist() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("r.db")).unwrap();
        let id = store.seed_demo_once().unwrap().unwrap();
        let err = store
            .conn
            .execute(
                "INSERT INTO link (workshop_id, position, provider, customer, service, strength, lag)
                 VALUES (?1, 999, 'finance', 'nobody', 'x', 0.5, 1)",
                [id],
            )
            .unwrap_err();
        assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
    }
}
