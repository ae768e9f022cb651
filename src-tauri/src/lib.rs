//! Ripple's desktop shell. It only translates: each command parses its
//! arguments, calls the `ripple` library, and maps the error to `{code, message}`.

use std::path::Path;
use std::sync::Mutex;

use ripple::api;
use ripple::error::ApiError;
use ripple::store::Store;
use ripple::workshop::{WorkshopId, WorkshopSummary, WorkshopView};
use tauri::{Manager, Runtime, State};

/// The app's state: the open database, or why it could not be opened (every
/// command then answers with that error, so the window can say what happened).
pub struct AppState {
    store: Result<Mutex<Store>, ApiError>,
}

impl AppState {
    pub fn open(db_path: &Path) -> AppState {
        AppState { store: api::open_app_store(db_path).map(Mutex::new) }
    }

    fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let store = self.store.as_ref().map_err(Clone::clone)?;
        let mut store = store.lock().map_err(|_| ApiError::new("internal", "the database lock was poisoned"))?;
        f(&mut store)
    }
}

#[tauri::command]
fn list_workshops(state: State<'_, AppState>) -> Result<Vec<WorkshopSummary>, ApiError> {
    state.with_store(|s| api::list_workshops(s))
}

#[tauri::command]
fn open_workshop(state: State<'_, AppState>, id: WorkshopId) -> Result<WorkshopView, ApiError> {
    state.with_store(|s| api::open_workshop(s, id))
}

/// Adds the app's commands to a builder: the real one in `run`, tauri's mock one in tests.
pub fn with_commands<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![list_workshops, open_workshop])
}

/// Starts the app: the database lives in the app data directory.
pub fn run() {
    with_commands(tauri::Builder::default())
        .setup(|app| {
            let dir = app.path().app_data_dir()?;
            std::fs::create_dir_all(&dir)?;
            app.manage(AppState::open(&dir.join("ripple.db")));
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("Ripple could not start its window");
}
