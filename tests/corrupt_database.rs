//! A damaged database does not stop the app: it is moved aside, a fresh one is
//! opened, the trainer is told, and the latest automatic backup brings the
//! workshops back. Backups rotate; a newer database is refused untouched.

use std::path::{Path, PathBuf};

use ripple::api;
use ripple::store::{self, Store, BACKUPS_KEPT, SCHEMA_VERSION};

/// A database with the demo and "Cohort B", backed up, then closed.
fn database_with_a_backup(dir: &Path) -> (PathBuf, PathBuf) {
    let db = dir.join("ripple.db");
    let mut store = api::open_app_store(&db).unwrap();
    api::create_workshop(&mut store, &api::load_template("demo").unwrap(), Some("Cohort B")).unwrap();
    let backup = api::backup_now(&store).unwrap();
    (db, backup)
}

fn names(store: &Store) -> Vec<String> {
    let mut names: Vec<String> = store.list_workshops().unwrap().into_iter().map(|w| w.name).collect();
    names.sort();
    names
}

/// Damages the file with `damage`, then checks the whole recovery story.
fn recovers_from(damage: impl FnOnce(&Path)) {
    let dir = tempfile::tempdir().unwrap();
    let (db, backup) = database_with_a_backup(dir.path());
    damage(&db);
    let damaged_bytes = std::fs::read(&db).unwrap();

    let opened = api::open_app_store_recovering(&db).unwrap();
    let recovery = opened.recovery.expect("the damage is reported");
    assert_eq!(std::fs::read(&recovery.damaged_path).unwrap(), damaged_bytes, "the damaged file is kept as it was");
    assert!(recovery.damaged_path.file_name().unwrap().to_str().unwrap().starts_with("ripple.db.damaged-"));
    let offered = recovery.latest_backup.clone().expect("the latest backup is offered");
    assert_eq!(std::fs::read(&offered).unwrap(), std::fs::read(&backup).unwrap());
    assert!(recovery.message.contains(&recovery.damaged_path.display().to_string()), "{}", recovery.message);
    assert!(recovery.message.contains("backup"), "{}", recovery.message);
    assert_eq!(names(&opened.store), ["Demo: Northwind Home Services"], "a fresh database with the demo");
    drop(opened.store);

    // The app backs up the fresh database at start and every few minutes: the
    // offered backup outlives the rotation.
    let mut fresh = Store::open(&db).unwrap();
    let demo = fresh.list_workshops().unwrap()[0].id;
    for i in 0..BACKUPS_KEPT + 1 {
        fresh.rename_workshop(demo, &format!("Fresh {i}")).unwrap();
        fresh.backup_now().unwrap();
    }
    drop(fresh);
    assert!(!backup.exists(), "the original backup was rotated out");

    let restored = api::restore_backup(&db, &offered).unwrap();
    assert_eq!(names(&restored), ["Cohort B", "Demo: Northwind Home Services"]);
    restored.integrity_check().unwrap();
    drop(restored);
    // Restored for good: the next start finds nothing wrong.
    let reopened = api::open_app_store_recovering(&db).unwrap();
    assert!(reopened.recovery.is_none());
    assert_eq!(names(&reopened.store), ["Cohort B", "Demo: Northwind Home Services"]);
}

#[test]
fn a_corrupt_file_of_garbage_bytes_is_moved_aside_and_the_backup_restores_the_workshops() {
    recovers_from(|db| {
        let garbage: Vec<u8> = (0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        std::fs::write(db, garbage).unwrap();
    });
}

#[test]
fn a_corrupt_truncated_file_is_moved_aside_and_the_backup_restores_the_workshops() {
    recovers_from(|db| {
        let len = std::fs::metadata(db).unwrap().len();
        std::fs::OpenOptions::new().write(true).open(db).unwrap().set_len(len / 2).unwrap();
    });
}

#[test]
fn a_corrupt_zero_length_file_is_moved_aside_and_the_backup_restores_the_workshops() {
    recovers_from(|db| std::fs::write(db, b"").unwrap());
}

#[test]
fn a_corrupt_page_inside_a_valid_header_is_caught_by_the_quick_check() {
    recovers_from(|db| {
        // Keep page 1 (the header and schema) and scribble over the rest.
        let mut bytes = std::fs::read(db).unwrap();
        let page = u16::from_be_bytes([bytes[16], bytes[17]]) as usize;
        for (i, b) in bytes.iter_mut().enumerate().skip(page) {
            *b = (i % 251) as u8;
        }
        std::fs::write(db, bytes).unwrap();
    });
}

#[test]
fn a_corrupt_file_without_any_backup_says_there_is_none() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ripple.db");
    std::fs::write(&db, b"this is not a database, it is a shopping list").unwrap();
    let recovery = api::open_app_store_recovering(&db).unwrap().recovery.unwrap();
    assert_eq!(recovery.latest_backup, None);
    assert!(recovery.message.contains("no automatic backup"), "{}", recovery.message);
}

#[test]
fn a_sound_database_opens_without_a_recovery() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = database_with_a_backup(dir.path());
    let opened = api::open_app_store_recovering(&db).unwrap();
    assert!(opened.recovery.is_none());
    assert_eq!(names(&opened.store).len(), 2);
}

#[test]
fn a_newer_database_is_not_taken_for_a_corrupt_one_and_stays_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = database_with_a_backup(dir.path());
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    let err = api::open_app_store_recovering(&db).err().expect("refused");
    assert_eq!(err.code, "newer_database");
    assert_eq!(std::fs::read(&db).unwrap(), before);
    let aside = std::fs::read_dir(dir.path()).unwrap().filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains("damaged")).count();
    assert_eq!(aside, 0, "nothing moved aside");
}

#[test]
fn backups_rotate_keeping_the_newest_and_skip_an_unchanged_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ripple.db");
    let mut store = api::open_app_store(&db).unwrap();
    let first = store.backup_now().unwrap();
    assert_eq!(store.backup_now().unwrap(), first, "nothing changed: no new backup");
    let id = store.list_workshops().unwrap()[0].id;
    let mut taken = vec![first];
    for i in 0..BACKUPS_KEPT + 2 {
        store.rename_workshop(id, &format!("Cohort {i}")).unwrap();
        taken.push(store.backup_now().unwrap());
    }
    assert_eq!(store::list_backups(&db), taken[taken.len() - BACKUPS_KEPT..], "the newest, oldest first");
    assert_eq!(store::latest_backup(&db).as_ref(), taken.last());
    // A backup is a whole database on its own.
    let copy = Store::open(taken.last().unwrap()).unwrap();
    copy.integrity_check().unwrap();
    assert_eq!(copy.workshop_name(id).unwrap(), format!("Cohort {}", BACKUPS_KEPT + 1));
}

#[test]
fn restoring_a_backup_first_backs_up_the_database_it_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let (db, backup) = database_with_a_backup(dir.path());
    let mut store = Store::open(&db).unwrap();
    let id = store.list_workshops().unwrap()[0].id;
    store.rename_workshop(id, "Renamed after the backup").unwrap();
    drop(store);
    let restored = api::restore_backup(&db, &backup).unwrap();
    assert!(!names(&restored).contains(&"Renamed after the backup".to_owned()));
    let safety = Store::open(&store::latest_backup(&db).unwrap()).unwrap();
    assert!(names(&safety).contains(&"Renamed after the backup".to_owned()), "the replaced state can be restored in turn");
}

#[test]
fn a_corrupt_backup_is_refused_and_the_database_is_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let (db, backup) = database_with_a_backup(dir.path());
    std::fs::write(&backup, b"garbage").unwrap();
    let err = api::restore_backup(&db, &backup).err().expect("refused");
    assert_eq!(err.code, "damaged_database", "{err}");
    assert_eq!(names(&Store::open(&db).unwrap()).len(), 2);
}
