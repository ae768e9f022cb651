//! One handler per operation, written once: the Tauri commands and (later) the
//! participants' HTTP routes call these, and only translate arguments and errors.

use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

use crate::agenda::Agenda;
use crate::error::ApiError;
use crate::layout;
use crate::store::{self, Store, StoreError};
use crate::workshop::{WorkshopId, WorkshopSummary, WorkshopView};

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        let code = match &e {
            StoreError::WorkshopNotFound(_) => "not_found",
            StoreError::InvalidMap(_) => "invalid_map",
            StoreError::InvalidName(_) => "invalid_name",
            StoreError::NewerSchema { .. } => "newer_database",
            StoreError::Damaged { .. } => "damaged_database",
            StoreError::Open { .. } | StoreError::InvalidStoredMap(_) | StoreError::Sql(_) | StoreError::Io(_) => "storage",
        };
        ApiError::new(code, e.to_string())
    }
}

pub fn list_workshops(store: &Store) -> Result<Vec<WorkshopSummary>, ApiError> {
    Ok(store.list_workshops()?)
}

/// A workshop's map with its layout, ready to draw.
pub fn open_workshop(store: &Store, id: WorkshopId) -> Result<WorkshopView, ApiError> {
    let name = store.workshop_name(id)?;
    let map = store.load_map(id)?;
    let layout = layout::arranged(&map, &store.load_positions(id)?);
    Ok(WorkshopView { id, name, map, layout })
}

/// Opens a database as it is (the command line).
pub fn open_store(path: &Path) -> Result<Store, ApiError> {
    Ok(Store::open(path)?)
}

/// Opens the installation's database, creating the demo workshop on first start (the app).
pub fn open_app_store(path: &Path) -> Result<Store, ApiError> {
    let mut store = Store::open(path)?;
    store.seed_demo_once()?;
    Ok(store)
}

/// What happened when the app's database could not be used as it was.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Recovery {
    /// Where the damaged file now is (kept for the curious and for support).
    #[ts(type = "string")]
    pub damaged_path: PathBuf,
    /// A sentence for the trainer saying what happened.
    pub message: String,
    /// The newest automatic backup, to offer restoring; a copy kept out of the
    /// rotation, so later automatic backups do not delete it.
    #[ts(type = "string | null")]
    pub latest_backup: Option<PathBuf>,
}

/// The app's database, opened, and whether it had to be recovered.
pub struct OpenedStore {
    pub store: Store,
    pub recovery: Option<Recovery>,
}

/// Opens the installation's database like [`open_app_store`], but a damaged file
/// (unreadable, "not a database", empty, or failing `PRAGMA quick_check`) does not
/// stop the app: it is moved aside, a fresh database is opened, and the recovery is
/// reported with the latest backup. A database from a newer Ripple is still refused
/// untouched: it is not damaged.
pub fn open_app_store_recovering(path: &Path) -> Result<OpenedStore, ApiError> {
    let damage = match open_checked(path) {
        Ok(store) => return Ok(OpenedStore { store, recovery: None }),
        Err(e) if e.is_damage() => e,
        Err(e) => return Err(e.into()),
    };
    let damaged_path = store::move_aside(path)?;
    let store = open_app_store(path)?;
    // The app backs up the fresh database right away: the good backup must not be
    // rotated out before the trainer gets to restore it.
    let latest_backup = store::latest_backup(path).map(|b| store::keep_backup(&b)).transpose()?;
    let offer = match &latest_backup {
        Some(b) => format!("The latest automatic backup is {}.", b.display()),
        None => "There is no automatic backup to restore.".to_owned(),
    };
    let message = format!(
        "Ripple could not read its database ({damage}). The damaged file was kept as {} and Ripple started with a fresh database. {offer}",
        damaged_path.display()
    );
    Ok(OpenedStore { store, recovery: Some(Recovery { damaged_path, message, latest_backup }) })
}

fn open_checked(path: &Path) -> Result<Store, StoreError> {
    // SQLite takes an empty file for a new database; here it means the file lost
    // everything, and the trainer should hear of it.
    if std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0) {
        return Err(StoreError::Damaged { path: path.to_owned(), reason: "the file is empty (0 bytes)".to_owned() });
    }
    let mut store = Store::open(path)?;
    store.quick_check()?;
    store.seed_demo_once()?;
    Ok(store)
}

/// Replaces the database at `db` by `backup` (checked first) and opens it. Every
/// other `Store` on `db` should be dropped first; the database being replaced, if
/// sound, is backed up beforehand so a restore can be taken back.
pub fn restore_backup(db: &Path, backup: &Path) -> Result<Store, ApiError> {
    Ok(store::restore_backup(db, backup)?)
}

/// Takes an automatic backup now (the app calls it at start and every few minutes).
pub fn backup_now(store: &Store) -> Result<PathBuf, ApiError> {
    Ok(store.backup_now()?)
}

pub fn rename_workshop(store: &mut Store, id: WorkshopId, name: &str) -> Result<(), ApiError> {
    Ok(store.rename_workshop(id, name)?)
}

/// A deep copy of a workshop (map and agenda, not yet run); returns the copy's id.
pub fn duplicate_workshop(store: &mut Store, id: WorkshopId, name: Option<&str>) -> Result<WorkshopId, ApiError> {
    Ok(store.duplicate_workshop(id, name)?)
}

/// Deletes a workshop for good; asking for confirmation is the UI's job.
pub fn delete_workshop(store: &mut Store, id: WorkshopId) -> Result<(), ApiError> {
    Ok(store.delete_workshop(id)?)
}

/// Starts the owner of a live workshop on its own connection to the database at
/// `db`. While it runs, every change to that workshop should go through it.
pub fn start_session(db: &Path, id: WorkshopId) -> Result<crate::session::WorkshopSession, ApiError> {
    crate::session::WorkshopSession::start(Store::open(db)?, id)
}

pub fn load_agenda(store: &Store, id: WorkshopId) -> Result<Agenda, ApiError> {
    Ok(store.load_agenda(id)?)
}

/// What a new workshop starts from: a map and the name it suggests.
pub struct Template {
    pub map: crate::org::OrgMap,
    pub name: String,
}

/// Loads the demo or a shipped template by id (`demo`, `hospital`, …), or a map file
/// or folder (JSON, GraphML, or units.csv and links.csv).
pub fn load_template(from: &str) -> Result<Template, ApiError> {
    if let Some(shipped) = crate::workshop::shipped_templates().into_iter().find(|t| t.id == from) {
        let map = crate::workshop::shipped_map(&shipped.id).expect("a shipped template");
        return Ok(Template { map, name: shipped.name });
    }
    let map = crate::mapio::load(std::path::Path::new(from)).map_err(|e| ApiError::new("invalid_map", e.to_string()))?;
    let name = if map.name.trim().is_empty() { from.to_owned() } else { map.name.clone() };
    Ok(Template { map, name })
}

/// Creates a workshop from a template, named `name` or else as the template suggests.
pub fn create_workshop(store: &mut Store, template: &Template, name: Option<&str>) -> Result<WorkshopId, ApiError> {
    Ok(store.create_workshop(name.unwrap_or(&template.name), &template.map)?)
}

/// The unit scorecard of a workshop, as it stands (also while it is live).
pub fn scorecard(store: &Store, id: WorkshopId) -> Result<crate::scorecard::Scorecard, ApiError> {
    let archive = store.load_archive(id)?;
    Ok(crate::export::scorecard_of(&archive))
}

/// How each unit's score moved from workshop `before` to workshop `after` (the same
/// organisation before and after a training; units matched by id).
pub fn scorecard_movement(store: &Store, before: WorkshopId, after: WorkshopId) -> Result<Vec<crate::scorecard::UnitMovement>, ApiError> {
    Ok(crate::scorecard::compare(&scorecard(store, before)?, &scorecard(store, after)?))
}

/// Exports a workshop to `out` in `format` (`json`, `xlsx`, `csv`, `report`, `pdf`,
/// `graphml`, `kumu`), names left out if `anonymous`. Reads only: fine while live.
pub fn export_workshop(store: &Store, id: WorkshopId, format: &str, out: &Path, anonymous: bool) -> Result<(), ApiError> {
    let format = crate::export::Format::parse(format)
        .ok_or_else(|| ApiError::new("invalid_input", format!("format: '{format}' is not one of json, xlsx, csv, report, pdf, graphml, kumu")))?;
    Ok(crate::export::export(store, id, format, out, crate::export::ExportOptions { anonymous })?)
}

/// Opens an archive as a new workshop; returns its id.
pub fn import_archive(store: &mut Store, path: &Path) -> Result<WorkshopId, ApiError> {
    Ok(crate::export::import(store, path)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app_store() -> (tempfile::TempDir, Store, WorkshopId) {
        let dir = tempfile::tempdir().unwrap();
        let store = open_app_store(&dir.path().join("r.db")).unwrap();
        let id = store.list_workshops().unwrap()[0].id;
        (dir, store, id)
    }

    fn count(store: &Store, table: &str, id: WorkshopId) -> i64 {
        store.conn().query_row(&format!("SELECT count(*) FROM {table} WHERE workshop_id = ?1"), [id], |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_new_workshop_gets_the_default_agenda_not_yet_started() {
        let (_dir, store, id) = app_store();
        let agenda = load_agenda(&store, id).unwrap();
        let minutes: Vec<u32> = agenda.activities.iter().map(|a| a.planned_minutes).collect();
        assert_eq!(minutes, [10, 20, 25, 30, 15, 5]);
        assert_eq!(agenda.activities.iter().map(|a| a.id).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6]);
        assert_eq!(agenda.current, None);
    }

    #[test]
    fn a_workshop_is_renamed_trimmed_and_an_empty_name_is_refused() {
        let (_dir, mut store, id) = app_store();
        rename_workshop(&mut store, id, "  Cohort A  ").unwrap();
        assert_eq!(store.workshop_name(id).unwrap(), "Cohort A");
        assert_eq!(rename_workshop(&mut store, id, " ").unwrap_err().code, "invalid_name");
        assert_eq!(rename_workshop(&mut store, 999, "X").unwrap_err().code, "not_found");
        assert_eq!(store.workshop_name(id).unwrap(), "Cohort A");
    }

    #[test]
    fn a_duplicate_is_a_deep_copy_that_has_not_run_yet_and_changes_apart_from_its_original() {
        let (_dir, mut store, id) = app_store();
        let mut agenda = store.load_agenda(id).unwrap();
        agenda.activities[0].started_at = Some(1);
        agenda.current = Some(1);
        store.save_agenda(id, &agenda).unwrap();
        let copy = duplicate_workshop(&mut store, id, None).unwrap();
        assert_eq!(store.workshop_name(copy).unwrap(), "Demo: Northwind Home Services (copy)");
        assert_eq!(store.load_map(copy).unwrap(), store.load_map(id).unwrap());
        let copied = store.load_agenda(copy).unwrap();
        assert_eq!(copied.current, None);
        assert_eq!(copied.activities.iter().map(|a| a.draft()).collect::<Vec<_>>(), agenda.activities.iter().map(|a| a.draft()).collect::<Vec<_>>());
        assert!(copied.activities.iter().all(|a| a.started_at.is_none()));
        // Deep: editing the copy leaves the original alone.
        let mut map = store.load_map(copy).unwrap();
        map.links.clear();
        store.save_map(copy, &map).unwrap();
        assert!(!store.load_map(id).unwrap().links.is_empty());
        let named = duplicate_workshop(&mut store, id, Some("Cohort C")).unwrap();
        assert_eq!(store.workshop_name(named).unwrap(), "Cohort C");
        assert_eq!(duplicate_workshop(&mut store, 999, None).unwrap_err().code, "not_found");
    }

    #[test]
    fn deleting_a_workshop_removes_its_map_and_agenda_for_good() {
        let (_dir, mut store, id) = app_store();
        let other = duplicate_workshop(&mut store, id, None).unwrap();
        delete_workshop(&mut store, id).unwrap();
        for table in ["unit", "link", "activity"] {
            assert_eq!(count(&store, table, id), 0, "{table}");
            assert!(count(&store, table, other) > 0, "{table} of the other workshop");
        }
        assert_eq!(open_workshop(&store, id).unwrap_err().code, "not_found");
        assert_eq!(delete_workshop(&mut store, id).unwrap_err().code, "not_found");
        assert_eq!(list_workshops(&store).unwrap().len(), 1);
    }

    #[test]
    fn the_demo_exports_and_imports_through_the_handlers_and_a_bad_format_is_named() {
        let (dir, mut store, id) = app_store();
        let out = dir.path().join("demo.json");
        export_workshop(&store, id, "json", &out, false).unwrap();
        let copy = import_archive(&mut store, &out).unwrap();
        assert_ne!(copy, id);
        assert_eq!(store.load_map(copy).unwrap(), store.load_map(id).unwrap());
        let card = scorecard(&store, copy).unwrap();
        assert_eq!(card.units.len(), store.load_map(id).unwrap().units.iter().filter(|u| u.kind != crate::org::UnitKind::External).count());
        let e = export_workshop(&store, id, "docx", &dir.path().join("x.docx"), false).unwrap_err();
        assert_eq!((e.code.as_str(), e.message.starts_with("format: 'docx'")), ("invalid_input", true));
        assert_eq!(export_workshop(&store, 999, "json", &out, false).unwrap_err().code, "not_found");
    }

    /// The front end's tests draw the real demo view: this writes it where they read it,
    /// and `scripts/test.sh` fails if the committed copy differs (like the bindings).
    #[test]
    fn the_ui_fixture_is_the_demo_workshop_as_the_presenter_receives_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = open_app_store(&dir.path().join("r.db")).unwrap();
        let id = store.list_workshops().unwrap()[0].id;
        let view = open_workshop(&store, id).unwrap();
        assert_eq!(view.map, crate::workshop::demo_map());
        assert_eq!(view.layout.nodes.len(), view.map.units.len());
        let json = serde_json::to_string_pretty(&view).unwrap() + "\n";
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/tests/fixtures/demo-view.json");
        if std::fs::read_to_string(&path).ok().as_deref() != Some(json.as_str()) {
            std::fs::write(&path, json).unwrap();
        }
    }
}
