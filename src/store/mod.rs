//! The SQLite file that holds every workshop of an installation.
//!
//! One file, WAL, foreign keys on, versioned migrations kept as embedded `.sql`
//! files and counted in `PRAGMA user_version`. A file written by a newer Ripple is
//! refused untouched rather than half-understood.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::org::{OrgMap, ServiceLink, Unit, UnitKind, MAP_FORMAT_VERSION};
use crate::workshop::{WorkshopId, WorkshopSummary};

/// Every schema version in order; the schema version of a file is how many have run.
const MIGRATIONS: &[&str] = &[include_str!("migrations/0001_init.sql")];

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
        let id = insert_workshop(&tx, crate::workshop::DEMO_WORKSHOP_NAME, &map)?;
        tx.execute("INSERT INTO meta (key, value) VALUES ('demo_seeded', '1')", [])?;
        tx.commit()?;
        Ok(Some(id))
    }

    /// Creates a workshop holding `map`; the map is validated first.
    pub fn create_workshop(&mut self, name: &str, map: &OrgMap) -> Result<WorkshopId, StoreError> {
        map.validate()?;
        let tx = self.conn.transaction()?;
        let id = insert_workshop(&tx, name, map)?;
        tx.commit()?;
        Ok(id)
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

fn insert_workshop(tx: &Transaction, name: &str, map: &OrgMap) -> Result<WorkshopId, StoreError> {
    tx.execute("INSERT INTO workshop (name, map_name) VALUES (?1, ?2)", params![name.trim(), map.name])?;
    let id = tx.last_insert_rowid();
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
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

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
