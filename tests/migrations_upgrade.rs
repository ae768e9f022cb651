//! A database from every earlier schema version upgrades to the current one with its
//! data intact. The fixtures are real files written by the old schema and committed,
//! so an edit to an old migration cannot go unnoticed.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use ripple::agenda::ActivityKind;
use ripple::session::{SessionCommand, WorkshopSession};
use ripple::store::{Store, SCHEMA_VERSION};

fn fixture(version: u32) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/schema-v{version}.db"))
}

/// A copy of a fixture to work on; the committed file stays as it is.
fn copy_of(version: u32) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ripple.db");
    std::fs::copy(fixture(version), &db).unwrap();
    (dir, db)
}

/// Every row of a table as text, in a stable order: compares data across schemas.
fn rows(db: &Path, sql: &str) -> Vec<String> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    let columns = stmt.column_count();
    stmt.query_map([], |r| {
        (0..columns).map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}"))).collect::<Result<Vec<_>, _>>()
    })
    .unwrap()
    .map(|r| r.unwrap().join("|"))
    .collect()
}

const UNITS: &str = "SELECT workshop_id, id, position, name, kind, weight FROM unit ORDER BY workshop_id, position";
const LINKS: &str = "SELECT * FROM link ORDER BY workshop_id, position";
const WORKSHOPS: &str = "SELECT id, name, map_name, created_at, updated_at FROM workshop ORDER BY id";

#[test]
fn every_earlier_schema_version_has_a_fixture() {
    for version in 1..SCHEMA_VERSION {
        let found: u32 =
            Connection::open(fixture(version)).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(found, version, "{}", fixture(version).display());
    }
}

#[test]
fn a_version_1_database_upgrades_to_the_current_schema_with_its_data_intact() {
    let (_dir, db) = copy_of(1);
    let before = (rows(&db, WORKSHOPS), rows(&db, UNITS), rows(&db, LINKS));
    assert!(before.1.len() > 10 && before.2.len() > 10, "the fixture holds a real map");
    let store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    store.integrity_check().unwrap();
    assert_eq!((rows(&db, WORKSHOPS), rows(&db, UNITS), rows(&db, LINKS)), before);
    let fk_problems = rows(&db, "PRAGMA foreign_key_check");
    assert!(fk_problems.is_empty(), "{fk_problems:?}");
}

#[test]
fn workshops_from_version_1_get_the_default_agenda_not_yet_started() {
    let (_dir, db) = copy_of(1);
    let store = Store::open(&db).unwrap();
    let workshops = store.list_workshops().unwrap();
    assert_eq!(workshops.len(), 2);
    for w in workshops {
        let agenda = store.load_agenda(w.id).unwrap();
        let kinds: Vec<ActivityKind> = agenda.activities.iter().map(|a| a.kind).collect();
        use ActivityKind::*;
        assert_eq!(kinds, [Welcome, SelfAssessment, RippleRound, EngagementCycle, Debrief, Thanks], "{}", w.name);
        assert_eq!(agenda.activities.iter().map(|a| a.planned_minutes).sum::<u32>(), 105);
        assert!(agenda.activities.iter().all(|a| !a.notes.is_empty() && a.started_at.is_none()));
        assert_eq!(agenda.current, None);
    }
}

#[test]
fn an_upgraded_version_1_workshop_runs_in_a_session_and_reopens() {
    let (_dir, db) = copy_of(1);
    let store = Store::open(&db).unwrap();
    let id = store.list_workshops().unwrap()[0].id;
    let session = WorkshopSession::start(store, id).unwrap();
    session.apply(SessionCommand::NextActivity).unwrap();
    session.apply(SessionCommand::DeleteUnit { id: "households".into() }).unwrap();
    drop(session);
    let store = Store::open(&db).unwrap();
    assert_eq!(store.load_agenda(id).unwrap().current, Some(1));
    assert!(store.load_map(id).unwrap().unit("households").is_none());
}

const ACTIVITIES: &str = "SELECT * FROM activity ORDER BY workshop_id, position";

#[test]
fn a_version_2_database_upgrades_to_the_current_schema_with_its_data_intact() {
    let (_dir, db) = copy_of(2);
    let before = (rows(&db, WORKSHOPS), rows(&db, UNITS), rows(&db, LINKS), rows(&db, ACTIVITIES));
    assert!(before.1.len() > 10 && before.3.len() >= 6, "the fixture holds a real map and agenda");
    let store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    store.integrity_check().unwrap();
    assert_eq!((rows(&db, WORKSHOPS), rows(&db, UNITS), rows(&db, LINKS), rows(&db, ACTIVITIES)), before);
    assert_eq!(store.load_agenda(1).unwrap().current, Some(2), "the running activity is kept");
    let fk_problems = rows(&db, "PRAGMA foreign_key_check");
    assert!(fk_problems.is_empty(), "{fk_problems:?}");
}

#[test]
fn an_upgraded_version_2_workshop_takes_participants() {
    let (_dir, db) = copy_of(2);
    let store = Store::open(&db).unwrap();
    let session = WorkshopSession::start(store, 1).unwrap();
    let code = session.participation().unwrap().code;
    let joined = session.apply(SessionCommand::Join { code, name: Some("Ada".into()), unit: "finance".into(), manager: false, client: None });
    assert!(joined.is_ok(), "{joined:?}");
    assert_eq!(session.participation().unwrap().results.attendees, 1);
}

const PARTICIPANTS: &str = "SELECT id, workshop_id, token_hash, name, unit, manager, joined_at FROM participant ORDER BY id";
const ANSWERS: &str = "SELECT * FROM answer ORDER BY participant_id, question";
/// The token of the participant in the version-3 fixture.
const V3_TOKEN: &str = "v3-fixture-token-0000000000000000000000000000000000000000000000000";

#[test]
fn a_version_3_database_upgrades_with_its_participants_and_answers_and_they_can_resume() {
    let (_dir, db) = copy_of(3);
    let before = (rows(&db, PARTICIPANTS), rows(&db, ANSWERS), rows(&db, ACTIVITIES));
    assert!(!before.0.is_empty() && !before.1.is_empty(), "the fixture holds a room");
    let store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    store.integrity_check().unwrap();
    assert_eq!((rows(&db, PARTICIPANTS), rows(&db, ANSWERS), rows(&db, ACTIVITIES)), before);
    let session = WorkshopSession::start(store, 1).unwrap();
    let me = session.participant(V3_TOKEN).unwrap();
    assert_eq!(me.participant.name.as_deref(), Some("Ada"));
    assert_eq!(me.answers.len(), 1);
    assert!(me.rounds.self_assessment);
    assert_eq!(session.participation().unwrap().code, "V3CODE");
}

#[test]
fn a_version_4_database_upgrades_and_its_workshops_play_the_game() {
    let (_dir, db) = copy_of(4);
    let before = (rows(&db, PARTICIPANTS), rows(&db, ANSWERS));
    let store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    store.integrity_check().unwrap();
    assert_eq!((rows(&db, PARTICIPANTS), rows(&db, ANSWERS)), before);
    let session = WorkshopSession::start(store, 1).unwrap();
    let incidents = vec![ripple::engine::Incident::new("finance", 1.0, ripple::engine::IncidentKind::Late)];
    session.apply(SessionCommand::StartGameRound { incidents }).unwrap();
    assert_eq!(session.participation().unwrap().game.unwrap().id, 1);
    assert_eq!(session.participant(V3_TOKEN).unwrap().game.unwrap().round, 1);
}

#[test]
fn a_version_5_database_upgrades_with_its_game_rounds_and_takes_an_engagement_cycle() {
    let (_dir, db) = copy_of(5);
    let rounds = "SELECT * FROM game_round ORDER BY workshop_id, id";
    let predictions = "SELECT * FROM prediction ORDER BY workshop_id, round_id, participant_id";
    let before = (rows(&db, PARTICIPANTS), rows(&db, ANSWERS), rows(&db, rounds), rows(&db, predictions));
    assert_eq!(before.2.len(), 1, "the fixture holds a played round");
    let store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    store.integrity_check().unwrap();
    assert_eq!((rows(&db, PARTICIPANTS), rows(&db, ANSWERS), rows(&db, rounds), rows(&db, predictions)), before);
    let session = WorkshopSession::start(store, 1).unwrap();
    assert_eq!(session.game_rounds().unwrap().len(), 1);
    session.apply(SessionCommand::AddCycleFromTemplate { template: "repair-call".into() }).unwrap();
    session.apply(SessionCommand::WalkCycle { cycle: Some(1), stage: None }).unwrap();
    assert_eq!(session.participant(V3_TOKEN).unwrap().cycle.unwrap().stage.title, "Reporting the fault");
}

#[test]
fn a_version_6_database_upgrades_with_its_cycles_and_proposals_intact() {
    let (_dir, db) = copy_of(6);
    let cycles = "SELECT * FROM cycle ORDER BY workshop_id, id";
    let proposals = "SELECT * FROM need_proposal ORDER BY workshop_id, id";
    let before = (rows(&db, UNITS), rows(&db, cycles), rows(&db, proposals));
    assert_eq!((before.1.len(), before.2.len()), (1, 1), "the fixture holds a cycle and a proposed need");
    let store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    store.integrity_check().unwrap();
    assert_eq!((rows(&db, UNITS), rows(&db, cycles), rows(&db, proposals)), before);
    assert!(store.load_positions(1).unwrap().is_empty());
    let session = WorkshopSession::start(store, 1).unwrap();
    assert_eq!(session.state().unwrap().cycles[0].name, "A repair call");
    assert_eq!(session.participation().unwrap().cycles.proposals[0].need.what, "Spare vans");
}

/// Writes `tests/fixtures/schema-v6.db`: the version-5 fixture upgraded with the
/// version-6 migration as it shipped, with a cycle walked to its first stage and a
/// proposed need (`cargo test --test migrations_upgrade -- --ignored`). Run it once; the
/// file is committed and must not change afterwards.
#[test]
#[ignore]
fn regenerate_the_schema_v6_fixture() {
    let path = fixture(6);
    let _ = std::fs::remove_file(&path);
    std::fs::copy(fixture(5), &path).unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    conn.execute_batch(include_str!("../src/store/migrations/0006_cycle.sql")).unwrap();
    conn.pragma_update(None, "user_version", 6).unwrap();
    let template = ripple::cycle::templates().into_iter().find(|t| t.id == "repair-call").unwrap();
    let mut cycle = template.cycle.clone();
    cycle.id = 1;
    cycle.number_stages();
    conn.execute("INSERT INTO cycle (workshop_id, id, position, body) VALUES (1, 1, 0, ?1)", [serde_json::json!(cycle).to_string()]).unwrap();
    conn.execute_batch(
        r#"UPDATE workshop SET cycle_walk = '{"cycle":1,"stage":1,"needs_shown":false,"findings_shown":false}' WHERE id = 1;
           INSERT INTO need_proposal (workshop_id, id, cycle_id, stage_id, participant_id, need, status, submitted_at)
           VALUES (1, 1, 1, 1, 1, '{"provider":"it","customer":"finance","what":"Spare vans","category":"time","standard":""}', 'open', 1767606000000);
           INSERT INTO need_vote (workshop_id, proposal_id, participant_id) VALUES (1, 1, 1);
           VACUUM;"#,
    )
    .unwrap();
}

/// Writes `tests/fixtures/schema-v5.db`: the version-4 fixture upgraded with the
/// version-5 migration as it shipped, with a game round and a prediction
/// (`cargo test --test migrations_upgrade -- --ignored`). Run it once; the file is
/// committed and must not change afterwards.
#[test]
#[ignore]
fn regenerate_the_schema_v5_fixture() {
    let path = fixture(5);
    let _ = std::fs::remove_file(&path);
    std::fs::copy(fixture(4), &path).unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    conn.execute_batch(include_str!("../src/store/migrations/0005_game.sql")).unwrap();
    conn.pragma_update(None, "user_version", 5).unwrap();
    // A round keeps its own copy of the map as played.
    let map = ripple::workshop::demo_map();
    let incidents = vec![ripple::engine::Incident::new("finance", 1.0, ripple::engine::IncidentKind::Late)];
    let result = ripple::game::ripple(&map, &incidents).unwrap();
    let json = |v: serde_json::Value| v.to_string();
    conn.execute(
        "INSERT INTO game_round (workshop_id, id, incidents, map, result, phase, started_at) VALUES (1, 1, ?1, ?2, ?3, 'score', 1767605000000)",
        rusqlite::params![json(serde_json::json!(incidents)), json(serde_json::json!(map)), json(serde_json::json!(result))],
    )
    .unwrap();
    conn.execute_batch(
        r#"INSERT INTO prediction (workshop_id, round_id, participant_id, body, submitted_at)
           VALUES (1, 1, 1, '{"units":["it","sales"],"customers":true}', 1767605100000);
           VACUUM;"#,
    )
    .unwrap();
}

#[test]
fn a_version_5_database_upgrades_with_no_unit_placed_by_hand() {
    let (_dir, db) = copy_of(5);
    let before = (rows(&db, WORKSHOPS), rows(&db, UNITS), rows(&db, LINKS));
    let store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    store.integrity_check().unwrap();
    assert_eq!((rows(&db, WORKSHOPS), rows(&db, UNITS), rows(&db, LINKS)), before);
    assert!(store.load_positions(1).unwrap().is_empty());
}

/// Writes `tests/fixtures/schema-v4.db`: the version-3 fixture upgraded with the
/// version-4 migration as it shipped (`cargo test --test migrations_upgrade -- --ignored`).
/// Run it once; the file is committed and must not change afterwards.
#[test]
#[ignore]
fn regenerate_the_schema_v4_fixture() {
    let path = fixture(4);
    let _ = std::fs::remove_file(&path);
    std::fs::copy(fixture(3), &path).unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    conn.execute_batch(include_str!("../src/store/migrations/0004_join_retry.sql")).unwrap();
    conn.pragma_update(None, "user_version", 4).unwrap();
    conn.execute_batch("VACUUM;").unwrap();
}

/// Writes `tests/fixtures/schema-v3.db`: the version-2 fixture upgraded with the
/// version-3 migration as it shipped, with a room: a participant who answered
/// (`cargo test --test migrations_upgrade -- --ignored`). Run it once; the file is
/// committed and must not change afterwards.
#[test]
#[ignore]
fn regenerate_the_schema_v3_fixture() {
    let path = fixture(3);
    let _ = std::fs::remove_file(&path);
    std::fs::copy(fixture(2), &path).unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    conn.execute_batch(include_str!("../src/store/migrations/0003_participants.sql")).unwrap();
    conn.pragma_update(None, "user_version", 3).unwrap();
    let answer = r#"{"question":"customers","customers":[{"customer":{"unit":"it"},"needs":[{"text":"Laptops","category":"time"}],"two_way":"yes","rating":7}]}"#;
    let receipt = r#"{"submission":"sub-0000001","participant":1,"question":"customers"}"#;
    conn.execute_batch(&format!(
        "INSERT INTO session_code (workshop_id, code) VALUES (1, 'V3CODE');
         INSERT INTO round (workshop_id, name, open) VALUES (1, 'self_assessment', 1);
         INSERT INTO participant (id, workshop_id, token_hash, name, unit, manager, joined_at)
         VALUES (1, 1, '{}', 'Ada', 'finance', 0, 1767604300000);
         INSERT INTO answer (participant_id, question, round, submission, body, submitted_at)
         VALUES (1, 'customers', 'self_assessment', 'sub-0000001', '{answer}', 1767604400000);
         INSERT INTO submission (participant_id, id, receipt) VALUES (1, 'sub-0000001', '{receipt}');
         VACUUM;",
        ripple::participants::token_hash(V3_TOKEN)
    ))
    .unwrap();
}

/// Writes `tests/fixtures/schema-v2.db`: the version-1 fixture upgraded with the
/// version-2 migration exactly as it shipped, and the first workshop under way
/// (`cargo test --test migrations_upgrade -- --ignored`). Run it once; the file is
/// committed and must not change afterwards.
#[test]
#[ignore]
fn regenerate_the_schema_v2_fixture() {
    let path = fixture(2);
    let _ = std::fs::remove_file(&path);
    std::fs::copy(fixture(1), &path).unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    conn.execute_batch(include_str!("../src/store/migrations/0002_agenda.sql")).unwrap();
    conn.pragma_update(None, "user_version", 2).unwrap();
    conn.execute_batch(
        "UPDATE activity SET started_at = 1767603600000, finished_at = 1767604200000 WHERE workshop_id = 1 AND id = 1;
         UPDATE activity SET started_at = 1767604200000 WHERE workshop_id = 1 AND id = 2;
         UPDATE workshop SET current_activity = 2, updated_at = '2026-01-05T09:10:00Z' WHERE id = 1;
         INSERT INTO activity (workshop_id, id, position, kind, title, planned_minutes, notes)
         VALUES (2, 7, 6, 'custom', 'Coffee <break>', 10, 'Tea too.');
         VACUUM;",
    )
    .unwrap();
}

/// Writes `tests/fixtures/schema-v1.db` with the version-1 migration exactly as it
/// shipped: `cargo test --test migrations_upgrade -- --ignored`. Run it once; the file
/// is committed and must not change afterwards.
#[test]
#[ignore]
fn regenerate_the_schema_v1_fixture() {
    let path = fixture(1);
    let _ = std::fs::remove_file(&path);
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    conn.execute_batch(include_str!("../src/store/migrations/0001_init.sql")).unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    let insert = |id: i64, name: &str, map: &ripple::org::OrgMap, stamp: &str| {
        conn.execute(
            "INSERT INTO workshop (id, name, map_name, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
            rusqlite::params![id, name, map.name, stamp],
        )
        .unwrap();
        for (position, u) in map.units.iter().enumerate() {
            conn.execute(
                "INSERT INTO unit (workshop_id, id, position, name, kind, weight) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                rusqlite::params![id, u.id, position as i64, u.name, u.kind.as_str(), u.weight],
            )
            .unwrap();
        }
        for (position, l) in map.links.iter().enumerate() {
            conn.execute(
                "INSERT INTO link (workshop_id, position, provider, customer, service, strength, lag, quality, time, delivery)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                rusqlite::params![id, position as i64, l.provider, l.customer, l.service, l.strength, l.lag, l.quality, l.time, l.delivery],
            )
            .unwrap();
        }
    };
    let demo = ripple::workshop::demo_map();
    insert(1, ripple::workshop::DEMO_WORKSHOP_NAME, &demo, "2026-01-05T09:00:00Z");
    let mut small = demo.clone();
    small.name = "Spring cohort".into();
    small.links.truncate(12);
    insert(2, "Spring cohort — Finance & HR", &small, "2026-03-02T14:30:00Z");
    conn.execute("INSERT INTO meta (key, value) VALUES ('demo_seeded', '1')", []).unwrap();
    conn.execute_batch("VACUUM").unwrap();
}
