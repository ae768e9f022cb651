//! Workshops in a real SQLite file: they survive closing and reopening, the demo is
//! created once, and a database from a newer Ripple is refused untouched.

use std::process::Command;

use ripple::api;
use ripple::store::{Store, StoreError, SCHEMA_VERSION};
use ripple::workshop::demo_map;

#[test]
fn a_workshop_and_its_map_survive_closing_and_reopening_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ripple.db");
    let id = {
        let mut store = api::open_app_store(&db).unwrap();
        api::create_workshop(&mut store, &api::load_template("demo").unwrap(), Some("Cohort B")).unwrap()
    };
    let store = api::open_app_store(&db).unwrap();
    let names: Vec<String> = store.list_workshops().unwrap().into_iter().map(|w| w.name).collect();
    assert_eq!(names.len(), 2, "the demo and Cohort B, the demo not seeded twice: {names:?}");
    assert!(names.contains(&"Cohort B".to_owned()));
    assert_eq!(store.load_map(id).unwrap(), demo_map(), "the map comes back exactly as saved");
}

#[test]
fn the_demo_workshop_is_created_on_first_start_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ripple.db");
    for _ in 0..3 {
        api::open_app_store(&db).unwrap();
    }
    let store = Store::open(&db).unwrap();
    assert_eq!(store.list_workshops().unwrap().len(), 1);
}

#[test]
fn a_database_from_a_newer_ripple_is_refused_and_left_byte_for_byte_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ripple.db");
    api::open_app_store(&db).unwrap();
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    let err = Store::open(&db).err().expect("a newer schema is refused");
    assert!(matches!(err, StoreError::NewerSchema { found, .. } if found == SCHEMA_VERSION + 1));
    assert!(err.to_string().contains("newer Ripple"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn an_invalid_template_is_refused_with_its_problem_and_nothing_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ripple.db");
    let store = api::open_app_store(&db).unwrap();
    let mut map = demo_map();
    map.links[0].strength = 1.7;
    let template = dir.path().join("broken.json");
    std::fs::write(&template, serde_json::to_string(&map).unwrap()).unwrap();
    let err = api::load_template(template.to_str().unwrap()).err().expect("the template is refused");
    assert_eq!(err.code, "invalid_map");
    assert!(err.message.contains("strength 1.7"), "{}", err.message);
    assert_eq!(store.list_workshops().unwrap().len(), 1);
}

fn ripple(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ripple")).args(args).output().unwrap()
}

#[test]
fn the_cli_creates_and_lists_workshops() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let db = db.to_str().unwrap();
    let out = ripple(&["new", "--db", db, "--from", "demo", "--name", "Morning cohort"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let id: i64 = String::from_utf8(out.stdout).unwrap().trim().parse().unwrap();
    let out = ripple(&["workshops", "--db", db, "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["name"], "Morning cohort");
    assert_eq!(list[0]["units"], demo_map().units.len());
}

#[test]
fn the_cli_names_a_missing_template_and_exits_with_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let out = ripple(&["new", "--db", db.to_str().unwrap(), "--from", "/no/such/map.json"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/no/such/map.json"), "{stderr}");
    assert!(!db.exists(), "nothing is written on bad input");
}
