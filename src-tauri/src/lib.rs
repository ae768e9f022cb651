//! Ripple's desktop shell. It only translates: each command parses its arguments,
//! calls the `ripple` library's [`App`], and maps the error to `{code, message}`;
//! the library's events go out to the windows as Tauri events.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ripple::agenda::PresenterClock;
use ripple::api::Recovery;
use ripple::app::{self, App, AppEvent, Display, EventSink, LiveWorkshop, ProjectorChange, ProjectorState};
use ripple::error::ApiError;
use ripple::server::OnlineStatus;
use ripple::session::{Participation, SessionCommand, SessionEvent};
use ripple::workshop::{TemplateInfo, WorkshopId, WorkshopSummary};
use tauri::{AppHandle, Emitter, Manager, Runtime, State, WebviewUrl, WebviewWindowBuilder};
use tauri_plugin_dialog::DialogExt;

/// How often the database is backed up while the app runs.
const BACKUP_EVERY: Duration = Duration::from_secs(5 * 60);

/// The app's state: the library's `App`, or why the database could not be opened
/// (every command then answers with that error, so the window can say what happened).
pub struct AppState(Mutex<Result<App, ApiError>>);

impl AppState {
    fn with<T>(&self, f: impl FnOnce(&mut App) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let mut guard = self.0.lock().map_err(|_| ApiError::new("internal", "the app's state lock was poisoned"))?;
        let app = guard.as_mut().map_err(|e| e.clone())?;
        f(app)
    }
}

/// Sends the library's events to every window.
struct WindowEvents<R: Runtime>(AppHandle<R>);

impl<R: Runtime> EventSink for WindowEvents<R> {
    fn emit(&self, event: AppEvent) {
        let _ = match event {
            AppEvent::WorkshopChanged(e) => self.0.emit("workshop-changed", e),
            AppEvent::ProjectorChanged(p) => self.0.emit("projector-changed", p),
            AppEvent::WorkshopsChanged => self.0.emit("workshops-changed", ()),
            AppEvent::ParticipationChanged(p) => self.0.emit("participation-changed", p),
            AppEvent::OnlineChanged(s) => self.0.emit("online-changed", s),
        };
    }
}

/// Opens the database at `db` and puts the app's state in the Tauri app.
pub fn manage_state<R: Runtime>(handle: &AppHandle<R>, db: &Path) {
    let app = App::open(db, Arc::new(WindowEvents(handle.clone())));
    handle.manage(AppState(Mutex::new(app)));
}

#[tauri::command]
fn list_workshops(state: State<'_, AppState>) -> Result<Vec<WorkshopSummary>, ApiError> {
    state.with(|app| app.list_workshops())
}

#[tauri::command]
fn list_templates() -> Vec<TemplateInfo> {
    ripple::workshop::shipped_templates()
}

#[tauri::command]
fn create_workshop(state: State<'_, AppState>, from: String, name: Option<String>) -> Result<WorkshopId, ApiError> {
    state.with(|app| app.create_workshop(&from, name.as_deref()))
}

#[tauri::command]
fn rename_workshop(state: State<'_, AppState>, id: WorkshopId, name: String) -> Result<(), ApiError> {
    state.with(|app| app.rename_workshop(id, &name))
}

#[tauri::command]
fn duplicate_workshop(state: State<'_, AppState>, id: WorkshopId, name: Option<String>) -> Result<WorkshopId, ApiError> {
    state.with(|app| app.duplicate_workshop(id, name.as_deref()))
}

#[tauri::command]
fn delete_workshop(state: State<'_, AppState>, id: WorkshopId) -> Result<(), ApiError> {
    state.with(|app| app.delete_workshop(id))
}

#[tauri::command]
fn open_workshop(state: State<'_, AppState>, id: WorkshopId) -> Result<LiveWorkshop, ApiError> {
    state.with(|app| app.open_workshop(id))
}

#[tauri::command]
fn current_workshop(state: State<'_, AppState>) -> Result<Option<LiveWorkshop>, ApiError> {
    state.with(|app| app.current())
}

#[tauri::command]
fn apply(state: State<'_, AppState>, command: SessionCommand) -> Result<SessionEvent, ApiError> {
    state.with(|app| app.apply(command))
}

#[tauri::command]
fn presenter_clock(state: State<'_, AppState>) -> Result<PresenterClock, ApiError> {
    state.with(|app| app.presenter_clock(app::now_ms()))
}

#[tauri::command]
fn set_projector(state: State<'_, AppState>, change: ProjectorChange) -> Result<ProjectorState, ApiError> {
    state.with(|app| Ok(app.set_projector(change)))
}

#[tauri::command]
fn recovery_notice(state: State<'_, AppState>) -> Result<Option<Recovery>, ApiError> {
    state.with(|app| Ok(app.recovery().cloned()))
}

#[tauri::command]
fn restore_backup(state: State<'_, AppState>) -> Result<Option<LiveWorkshop>, ApiError> {
    state.with(|app| app.restore_offered_backup())
}

/// Reads a map from files the trainer picked (name and text); the window then applies
/// it with `replace_map`, so an import is one undoable edit.
#[tauri::command]
fn map_from_files(files: Vec<(String, String)>) -> Result<ripple::org::OrgMap, ApiError> {
    ripple::mapio::from_files(&files).map_err(|e| ApiError::new("invalid_map", e.to_string()))
}

#[tauri::command]
fn scorecard(state: State<'_, AppState>) -> Result<ripple::scorecard::Scorecard, ApiError> {
    state.with(|app| app.scorecard())
}

/// How the live workshop's units moved since an earlier workshop.
#[tauri::command]
fn scorecard_movement(state: State<'_, AppState>, before: WorkshopId) -> Result<Vec<ripple::scorecard::UnitMovement>, ApiError> {
    state.with(|app| app.scorecard_movement(before))
}

/// Exports the live workshop; asks where with the system's save dialog unless `path`
/// is given. `None`: the trainer cancelled. Runs off the main thread (the dialog waits).
#[tauri::command(async)]
fn export_workshop<R: Runtime>(
    handle: AppHandle<R>,
    state: State<'_, AppState>,
    format: String,
    anonymous: bool,
    path: Option<String>,
) -> Result<Option<String>, ApiError> {
    let source = state.with(|app| app.export_source(&format))?;
    let out = match path {
        Some(path) => PathBuf::from(path),
        None => match handle.dialog().file().set_title("Export the workshop").set_file_name(&source.file_name).blocking_save_file() {
            Some(picked) => picked.into_path().map_err(|e| ApiError::new("output", format!("cannot save there: {e}")))?,
            None => return Ok(None),
        },
    };
    // The export reads on a connection of its own: the app stays free meanwhile.
    source.export(&format, &out, anonymous)?;
    Ok(Some(out.display().to_string()))
}

/// Opens a Ripple archive as a new workshop (asking which with the system's open dialog
/// unless `path` is given); `None`: the trainer cancelled.
#[tauri::command(async)]
fn import_archive<R: Runtime>(handle: AppHandle<R>, state: State<'_, AppState>, path: Option<String>) -> Result<Option<WorkshopId>, ApiError> {
    let path = match path {
        Some(path) => PathBuf::from(path),
        None => match handle.dialog().file().set_title("Open a Ripple archive").add_filter("Ripple archive", &["json"]).blocking_pick_file() {
            Some(picked) => picked.into_path().map_err(|e| ApiError::new("invalid_input", format!("cannot open that file: {e}")))?,
            None => return Ok(None),
        },
    };
    state.with(|app| app.import_archive(&path)).map(Some)
}

#[tauri::command]
fn cycle_templates() -> Vec<ripple::cycle::CycleTemplate> {
    ripple::cycle::templates()
}

#[tauri::command]
fn game_rounds(state: State<'_, AppState>) -> Result<Vec<ripple::game::GameRoundView>, ApiError> {
    state.with(|app| app.game_rounds())
}

#[tauri::command]
fn incident_suggestions(state: State<'_, AppState>) -> Result<Vec<ripple::game::CriticalUnit>, ApiError> {
    state.with(|app| app.incident_suggestions())
}

#[tauri::command]
fn online_status(state: State<'_, AppState>) -> Result<OnlineStatus, ApiError> {
    state.with(|app| Ok(app.online_status()))
}

#[tauri::command]
fn go_online(state: State<'_, AppState>, ip: Option<String>, port: Option<u16>) -> Result<OnlineStatus, ApiError> {
    state.with(|app| app.go_online(ip.as_deref(), port))
}

#[tauri::command]
fn go_offline(state: State<'_, AppState>) -> Result<OnlineStatus, ApiError> {
    state.with(|app| Ok(app.go_offline()))
}

#[tauri::command]
fn participation(state: State<'_, AppState>) -> Result<Option<Participation>, ApiError> {
    state.with(|app| app.participation())
}

/// Opens the questionnaire in an app window (kiosk mode: participants take turns on
/// the laptop). The page is the participants' own, served on this machine; the
/// window gets no access to the app's commands.
#[tauri::command]
fn open_kiosk<R: Runtime>(handle: AppHandle<R>, state: State<'_, AppState>) -> Result<(), ApiError> {
    let url = state.with(|app| app.kiosk_url())?;
    let url: tauri::Url = url.parse().map_err(|e| ApiError::new("internal", format!("the kiosk link is not valid: {e}")))?;
    if let Some(window) = handle.get_webview_window("kiosk") {
        window.navigate(url).map_err(window_error)?;
        return window.set_focus().map_err(window_error);
    }
    WebviewWindowBuilder::new(&handle, "kiosk", WebviewUrl::External(url))
        .title("Ripple — questions")
        .inner_size(900.0, 800.0)
        .build()
        .map_err(window_error)?;
    Ok(())
}

fn window_error(e: tauri::Error) -> ApiError {
    ApiError::new("window", e.to_string())
}

fn displays<R: Runtime>(handle: &AppHandle<R>) -> Result<Vec<(Display, tauri::Monitor)>, ApiError> {
    let primary = handle.primary_monitor().map_err(window_error)?;
    let monitors = handle.available_monitors().map_err(window_error)?;
    Ok(monitors
        .into_iter()
        .enumerate()
        .map(|(index, m)| {
            let display = Display {
                index: index as u32,
                name: m.name().cloned().unwrap_or_else(|| format!("Display {}", index + 1)),
                width: m.size().width,
                height: m.size().height,
                primary: primary.as_ref().is_some_and(|p| p.name() == m.name() && p.position() == m.position()),
            };
            (display, m)
        })
        .collect())
}

#[tauri::command]
fn list_displays<R: Runtime>(handle: AppHandle<R>) -> Result<Vec<Display>, ApiError> {
    Ok(displays(&handle)?.into_iter().map(|(d, _)| d).collect())
}

/// Opens the audience window (or moves it) on `display`, or where the library places it.
#[tauri::command]
fn open_audience<R: Runtime>(handle: AppHandle<R>, display: Option<u32>) -> Result<(), ApiError> {
    let all = displays(&handle)?;
    let infos: Vec<Display> = all.iter().map(|(d, _)| d.clone()).collect();
    let presenter_monitor = handle.get_webview_window("presenter").and_then(|w| w.current_monitor().ok().flatten());
    let presenter_on = presenter_monitor
        .and_then(|p| all.iter().find(|(_, m)| m.name() == p.name() && m.position() == p.position()).map(|(d, _)| d.index));
    let placement = app::audience_placement(&infos, display, presenter_on);
    let window = match handle.get_webview_window("audience") {
        Some(window) => window,
        None => WebviewWindowBuilder::new(&handle, "audience", WebviewUrl::App("audience.html".into()))
            .title("Ripple — audience")
            .inner_size(1280.0, 720.0)
            .build()
            .map_err(window_error)?,
    };
    if let Some((_, monitor)) = placement.display.and_then(|i| all.get(i as usize)) {
        window.set_position(*monitor.position()).map_err(window_error)?;
    }
    window.set_fullscreen(placement.fullscreen).map_err(window_error)?;
    window.show().map_err(window_error)?;
    window.set_focus().map_err(window_error)
}

#[tauri::command]
fn close_audience<R: Runtime>(handle: AppHandle<R>) -> Result<(), ApiError> {
    match handle.get_webview_window("audience") {
        Some(window) => window.close().map_err(window_error),
        None => Ok(()),
    }
}

/// Adds the app's commands to a builder: the real one in `run`, tauri's mock one in tests.
pub fn with_commands<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        list_workshops,
        list_templates,
        create_workshop,
        rename_workshop,
        duplicate_workshop,
        delete_workshop,
        open_workshop,
        current_workshop,
        apply,
        presenter_clock,
        set_projector,
        recovery_notice,
        restore_backup,
        list_displays,
        open_audience,
        close_audience,
        online_status,
        go_online,
        go_offline,
        participation,
        open_kiosk,
        map_from_files,
        game_rounds,
        incident_suggestions,
        cycle_templates,
        scorecard,
        scorecard_movement,
        export_workshop,
        import_archive
    ])
}

/// Starts the app: one instance only (a second launch focuses the first); the
/// database lives in the app data directory and is backed up every few minutes.
pub fn run() {
    let builder = tauri::Builder::default().plugin(tauri_plugin_dialog::init()).plugin(tauri_plugin_single_instance::init(|handle, _args, _cwd| {
        if let Some(window) = handle.get_webview_window("presenter") {
            let _ = window.unminimize();
            let _ = window.set_focus();
        }
    }));
    with_commands(builder)
        .setup(|tauri_app| {
            let dir = tauri_app.path().app_data_dir()?;
            std::fs::create_dir_all(&dir)?;
            manage_state(tauri_app.handle(), &dir.join("ripple.db"));
            let handle = tauri_app.handle().clone();
            std::thread::spawn(move || loop {
                std::thread::sleep(BACKUP_EVERY);
                let _ = handle.state::<AppState>().with(|app| app.backup());
            });
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the presenter ends the workshop on screen: the audience window goes too.
            if window.label() == "presenter" && matches!(event, tauri::WindowEvent::Destroyed) {
                window.app_handle().exit(0);
            }
        })
        .run(tauri::generate_context!())
        .expect("Ripple could not start its window");
}
