//! The Tauri commands on tauri's mock runtime: no window, no WebKit, a real SQLite file.

use ripple_desktop::{with_commands, AppState};
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

fn app_with_db(db: &std::path::Path) -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let app = with_commands(mock_builder()).manage(AppState::open(db)).build(mock_context(noop_assets())).unwrap();
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
fn the_first_start_lists_the_demo_workshop_and_opens_its_map_with_a_layout() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, window) = app_with_db(&dir.path().join("ripple.db"));
    let list = invoke(&window, "list_workshops", json!({})).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["name"], "Demo: Northwind Home Services");
    let view = invoke(&window, "open_workshop", json!({ "id": list[0]["id"] })).unwrap();
    let units = view["map"]["units"].as_array().unwrap();
    assert!(units.iter().any(|u| u["id"] == "finance"));
    assert_eq!(view["layout"]["nodes"].as_array().unwrap().len(), units.len());
}

#[test]
fn a_failing_command_answers_with_code_and_message_only() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, window) = app_with_db(&dir.path().join("ripple.db"));
    let err = invoke(&window, "open_workshop", json!({ "id": 999 })).unwrap_err();
    assert_eq!(err, json!({ "code": "not_found", "message": "no workshop with id 999" }));
}

#[test]
fn a_database_from_a_newer_ripple_is_reported_to_the_window_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ripple.db");
    ripple::store::Store::open(&db).unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.pragma_update(None, "user_version", ripple::store::SCHEMA_VERSION + 1).unwrap();
    drop(conn);
    let before = std::fs::read(&db).unwrap();
    let (_app, window) = app_with_db(&db);
    let err = invoke(&window, "list_workshops", json!({})).unwrap_err();
    assert_eq!(err["code"], "newer_database");
    assert!(err["message"].as_str().unwrap().contains("newer Ripple"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
}
