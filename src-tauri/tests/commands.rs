//! The Tauri commands on tauri's mock runtime: no window, no WebKit, a real SQLite file.

use ripple_desktop::{manage_state, with_commands};
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

fn app_with_db(db: &std::path::Path) -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let app = with_commands(mock_builder()).build(mock_context(noop_assets())).unwrap();
    manage_state(app.handle(), db);
    let window = WebviewWindowBuilder::new(&app, "presenter", Default::default()).build().unwrap();
    (app, window)
}

fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            // On Linux the ACL accepts only this origin for the app's own pages.
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().unwrap())
}

#[test]
fn the_first_start_lists_the_demo_workshop_and_makes_it_live_with_a_layout() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, window) = app_with_db(&dir.path().join("ripple.db"));
    let list = invoke(&window, "list_workshops", json!({})).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["name"], "Demo: Northwind Home Services");
    let live = invoke(&window, "current_workshop", json!({})).unwrap();
    assert_eq!(live["id"], list[0]["id"]);
    let units = live["map"]["units"].as_array().unwrap();
    assert!(units.iter().any(|u| u["id"] == "finance"));
    assert_eq!(live["layout"]["nodes"].as_array().unwrap().len(), units.len());
    assert_eq!(live["projector"], json!({ "blank": false, "revealed": false, "hide_attendees": false }));
}

#[test]
fn the_agenda_is_stepped_through_and_the_clock_follows() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, window) = app_with_db(&dir.path().join("ripple.db"));
    let event = invoke(&window, "apply", json!({ "command": { "type": "next_activity" } })).unwrap();
    assert_eq!(event["type"], "agenda_changed");
    let clock = invoke(&window, "presenter_clock", json!({})).unwrap();
    assert_eq!(clock["current"]["index"], 0);
    assert_eq!(clock["current"]["activity"]["kind"], "welcome");
    assert!(clock["next"]["title"].is_string());
}

#[test]
fn workshops_are_created_renamed_duplicated_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, window) = app_with_db(&dir.path().join("ripple.db"));
    let templates = invoke(&window, "list_templates", json!({})).unwrap();
    assert!(templates.as_array().unwrap().iter().any(|t| t["id"] == "hospital"), "{templates}");
    let hospital = invoke(&window, "create_workshop", json!({ "from": "hospital", "name": null })).unwrap();
    let opened = invoke(&window, "open_workshop", json!({ "id": hospital })).unwrap();
    assert_eq!(opened["name"], "General hospital");
    assert!(opened["map"]["units"].as_array().unwrap().iter().any(|u| u["id"] == "patients"));
    let id = invoke(&window, "create_workshop", json!({ "from": "demo", "name": "Cohort B" })).unwrap();
    invoke(&window, "rename_workshop", json!({ "id": id, "name": "Cohort C" })).unwrap();
    let copy = invoke(&window, "duplicate_workshop", json!({ "id": id, "name": null })).unwrap();
    invoke(&window, "delete_workshop", json!({ "id": id })).unwrap();
    let names: Vec<String> = invoke(&window, "list_workshops", json!({}))
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names.len(), 3, "the demo, the hospital and the copy: {names:?}");
    assert!(!names.contains(&"Cohort C".to_owned()));
    let opened = invoke(&window, "open_workshop", json!({ "id": copy })).unwrap();
    assert!(opened["name"].as_str().unwrap().contains("Cohort C"), "{opened}");
}

#[test]
fn a_failing_command_answers_with_code_and_message_only() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, window) = app_with_db(&dir.path().join("ripple.db"));
    let err = invoke(&window, "open_workshop", json!({ "id": 999 })).unwrap_err();
    assert_eq!(err, json!({ "code": "not_found", "message": "no workshop with id 999" }));
    let err = invoke(&window, "apply", json!({ "command": { "type": "no_such_thing" } })).unwrap_err();
    assert!(err.as_str().is_some_and(|m| m.contains("no_such_thing")), "a malformed command is refused: {err}");
}

#[test]
fn a_database_from_a_newer_ripple_is_reported_to_the_window_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ripple.db");
    ripple::store::Store::open(&db).unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    conn.pragma_update(None, "user_version", ripple::store::SCHEMA_VERSION + 1).unwrap();
    drop(conn);
    let before = std::fs::read(&db).unwrap();
    let (_app, window) = app_with_db(&db);
    let err = invoke(&window, "list_workshops", json!({})).unwrap_err();
    assert_eq!(err["code"], "newer_database");
    assert!(err["message"].as_str().unwrap().contains("newer Ripple"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn a_damaged_database_is_set_aside_and_the_window_is_told_why() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ripple.db");
    std::fs::write(&db, b"this is not a database, it is a shopping list").unwrap();
    let (_app, window) = app_with_db(&db);
    let notice = invoke(&window, "recovery_notice", json!({})).unwrap();
    assert!(notice["message"].as_str().unwrap().contains("damaged"), "{notice}");
    let list = invoke(&window, "list_workshops", json!({})).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "the app starts with a fresh database holding the demo");
    let err = invoke(&window, "restore_backup", json!({})).unwrap_err();
    assert_eq!(err["code"], "no_backup", "a new installation has no backup to offer: {err}");
}

#[test]
fn the_presenter_takes_the_room_online_and_offline_and_reads_the_live_results() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, window) = app_with_db(&dir.path().join("ripple.db"));
    let status = invoke(&window, "go_online", json!({ "ip": "127.0.0.1", "port": null })).unwrap();
    let code = status["join"]["code"].as_str().unwrap().to_owned();
    assert!(status["join"]["url"].as_str().unwrap().ends_with(&format!("/?c={code}")));
    assert!(status["join"]["qr_svg"].as_str().unwrap().starts_with("<?xml") || status["join"]["qr_svg"].as_str().unwrap().contains("<svg"));
    let participation = invoke(&window, "participation", json!({})).unwrap();
    assert_eq!(participation["code"], code.as_str());
    assert_eq!(participation["results"]["attendees"], 0);
    invoke(&window, "apply", json!({ "command": { "type": "open_round", "round": "thanks" } })).unwrap();
    assert_eq!(invoke(&window, "participation", json!({})).unwrap()["rounds"]["thanks"], true);
    let projector = invoke(&window, "set_projector", json!({ "change": { "hide_attendees": true } })).unwrap();
    assert_eq!(projector, json!({ "blank": false, "revealed": false, "hide_attendees": true }));
    let status = invoke(&window, "go_offline", json!({})).unwrap();
    assert_eq!(status["join"], Value::Null);
    let refused = invoke(&window, "go_online", json!({ "ip": "example.org", "port": null })).unwrap_err();
    assert_eq!(refused["code"], "invalid_address");
}

#[test]
fn an_imported_map_is_read_from_picked_files_and_replaces_the_map_as_one_undoable_edit() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, window) = app_with_db(&dir.path().join("ripple.db"));
    let before = invoke(&window, "current_workshop", json!({})).unwrap()["map"].clone();
    let units = "id,name,kind,weight\nfront,Front desk,frontline,1\nback,Back office,support,1\nguests,Guests,external,1\n";
    let links = "provider,customer,service,strength,lag,quality,time,delivery\nback,front,Rotas,0.8,24,,,\nfront,guests,Check-in,1,0,,,\n";
    let map = invoke(&window, "map_from_files", json!({ "files": [["links.csv", links], ["units.csv", units]] })).unwrap();
    assert_eq!(map["units"].as_array().unwrap().len(), 3);
    invoke(&window, "apply", json!({ "command": { "type": "replace_map", "map": map } })).unwrap();
    assert_eq!(invoke(&window, "current_workshop", json!({})).unwrap()["map"]["units"].as_array().unwrap().len(), 3);
    invoke(&window, "apply", json!({ "command": { "type": "undo" } })).unwrap();
    assert_eq!(invoke(&window, "current_workshop", json!({})).unwrap()["map"], before);
    let refused = invoke(&window, "map_from_files", json!({ "files": [["units.csv", units]] })).unwrap_err();
    assert_eq!(refused["code"], "invalid_map");
    assert!(refused["message"].as_str().unwrap().contains("units.csv"), "{refused}");
}

#[test]
fn a_game_round_is_started_moved_through_its_phases_and_listed_for_replay() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, window) = app_with_db(&dir.path().join("ripple.db"));
    let suggestions = invoke(&window, "incident_suggestions", json!({})).unwrap();
    let first = suggestions[0]["unit"].as_str().unwrap().to_owned();
    let incidents = json!([{ "unit": first, "severity": 1.0, "kind": "late" }]);
    let event = invoke(&window, "apply", json!({ "command": { "type": "start_game_round", "incidents": incidents } })).unwrap();
    assert_eq!((event["type"].as_str(), event["phase"].as_str()), (Some("game_changed"), Some("predict")));
    invoke(&window, "apply", json!({ "command": { "type": "set_game_phase", "round": 1, "phase": "debrief" } })).unwrap();
    let rounds = invoke(&window, "game_rounds", json!({})).unwrap();
    assert_eq!(rounds.as_array().unwrap().len(), 1);
    assert_eq!(rounds[0]["phase"], "debrief");
    assert!(!rounds[0]["result"]["waves"].as_array().unwrap().is_empty());
    assert!(rounds[0]["debrief"]["chains"][0]["sentence"].is_string());
    let game = &invoke(&window, "participation", json!({})).unwrap()["game"];
    assert_eq!(game["id"], 1);
}

#[test]
fn a_cycle_starts_from_a_template_and_is_walked_through_with_its_findings() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, window) = app_with_db(&dir.path().join("ripple.db"));
    let templates = invoke(&window, "cycle_templates", json!({})).unwrap();
    let ids: Vec<&str> = templates.as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["repair-call", "training-course", "hospital-visit", "insurance-claim", "first-month"]);
    let event = invoke(&window, "apply", json!({ "command": { "type": "add_cycle_from_template", "template": "training-course" } })).unwrap();
    assert_eq!(event["type"], "cycles_changed");
    assert!(event["map"]["units"].as_array().unwrap().iter().any(|u| u["id"] == "certification"), "the template's units joined the map");
    let live = invoke(&window, "current_workshop", json!({})).unwrap();
    assert_eq!(live["cycles"][0]["name"], "A training course");
    invoke(&window, "apply", json!({ "command": { "type": "walk_cycle", "cycle": 1 } })).unwrap();
    let walked = invoke(&window, "apply", json!({ "command": { "type": "step_cycle", "forward": true } })).unwrap();
    assert_eq!(walked["walk"], json!({ "cycle": 1, "stage": 1, "needs_shown": true, "findings_shown": false }));
    let room = &invoke(&window, "participation", json!({})).unwrap()["cycles"];
    assert_eq!(room["walk"]["stage"], 1);
    assert_eq!(room["findings"][0]["findings"]["phases"].as_array().unwrap().len(), 3);
    let refused = invoke(&window, "apply", json!({ "command": { "type": "decide_need", "proposal": 9, "decision": { "decision": "accept" } } })).unwrap_err();
    assert_eq!(refused["code"], "not_found");
}

#[test]
fn the_live_workshop_exports_to_a_given_path_and_its_archive_imports_as_a_new_workshop() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, window) = app_with_db(&dir.path().join("ripple.db"));
    let card = invoke(&window, "scorecard", json!({})).unwrap();
    assert!(card["units"].as_array().unwrap().iter().any(|u| u["unit"] == "finance"));
    let out = dir.path().join("demo.json");
    let written = invoke(&window, "export_workshop", json!({ "format": "json", "anonymous": false, "path": out })).unwrap();
    assert_eq!(written, json!(out.display().to_string()));
    let report = dir.path().join("demo.html");
    invoke(&window, "export_workshop", json!({ "format": "report", "anonymous": true, "path": report })).unwrap();
    assert!(std::fs::read_to_string(&report).unwrap().contains("<h2>Scorecard</h2>"));
    let id = invoke(&window, "import_archive", json!({ "path": out })).unwrap();
    let list = invoke(&window, "list_workshops", json!({})).unwrap();
    assert!(list.as_array().unwrap().iter().any(|w| w["id"] == id));
    let moved = invoke(&window, "scorecard_movement", json!({ "before": id })).unwrap();
    assert!(moved.as_array().unwrap().iter().any(|m| m["unit"] == "finance" && m["in_before"] == true));
    let refused = invoke(&window, "export_workshop", json!({ "format": "docx", "anonymous": false, "path": dir.path().join("x") })).unwrap_err();
    assert_eq!(refused["code"], "invalid_input");
    assert!(!dir.path().join("x").exists());
}
