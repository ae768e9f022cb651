//! The trainer's app as the library sees it: the installation's database, the
//! workshop that is live, and what the projector shows. The Tauri shell owns one
//! [`App`] and only translates its calls and events; the tests drive it directly.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

use crate::agenda::{Agenda, PresenterClock};
use crate::api::{self, Recovery};
use crate::error::ApiError;
use crate::layout::{self, MapLayout};
use crate::org::OrgMap;
use crate::live::{ProjectorFeed, PROJECTOR_INTERVAL};
use crate::server::limits::Limits;
use crate::server::{lan, OnlineStatus, ParticipantServer};
use crate::session::{Participation, SessionCommand, SessionEvent, WorkshopSession};
use crate::store::Store;
use crate::workshop::{WorkshopId, WorkshopSummary};

/// What the audience window shows besides the map: a black screen, and whether the
/// results of the current activity are revealed (hidden until the trainer reveals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, TS)]
#[ts(export)]
pub struct ProjectorState {
    pub blank: bool,
    pub revealed: bool,
    /// The trainer may keep the attendee count off the projector.
    pub hide_attendees: bool,
}

/// A change to [`ProjectorState`]: each setting given is set, the others are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, TS)]
#[ts(export)]
pub struct ProjectorChange {
    #[serde(default)]
    pub blank: Option<bool>,
    #[serde(default)]
    pub revealed: Option<bool>,
    #[serde(default)]
    pub hide_attendees: Option<bool>,
}

/// The live workshop, ready to draw in either window.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct LiveWorkshop {
    #[ts(type = "number")]
    pub id: WorkshopId,
    pub name: String,
    pub map: OrgMap,
    pub layout: MapLayout,
    pub agenda: Agenda,
    /// The workshop's Engagement Cycles.
    pub cycles: Vec<crate::cycle::Cycle>,
    #[ts(type = "number")]
    pub seq: u64,
    pub projector: ProjectorState,
}

/// Where an export of the live workshop comes from, and the file name to offer.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportSource {
    pub db: PathBuf,
    pub workshop: WorkshopId,
    pub file_name: String,
}

impl ExportSource {
    /// Writes the export to `out` on a connection of its own (reads only).
    pub fn export(&self, format: &str, out: &Path, anonymous: bool) -> Result<(), ApiError> {
        let store = Store::open(&self.db)?;
        api::export_workshop(&store, self.workshop, format, out, anonymous)
    }
}

/// A display the audience window can go to.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Display {
    pub index: u32,
    pub name: String,
    pub width: u32,
    pub height: u32,
    pub primary: bool,
}

/// What the app tells every window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum AppEvent {
    /// A committed change to the live workshop.
    WorkshopChanged(SessionEvent),
    ProjectorChanged(ProjectorState),
    /// The list of workshops changed (created, renamed, duplicated, deleted).
    WorkshopsChanged,
    /// The room's live results and rounds, coalesced (see [`crate::live`]).
    ParticipationChanged(Box<Participation>),
    /// The participants' server started or stopped.
    OnlineChanged(OnlineStatus),
}

/// Where the app's events go: the shell sends them to its windows, tests collect them.
pub trait EventSink: Send + Sync + 'static {
    fn emit(&self, event: AppEvent);
}

pub struct App {
    db: PathBuf,
    store: Store,
    /// Dropped before the session it serves (fields drop in order).
    online: Option<ParticipantServer>,
    feed: Option<ProjectorFeed>,
    live: Option<WorkshopSession>,
    projector: ProjectorState,
    sink: Arc<dyn EventSink>,
    recovery: Option<Recovery>,
}

fn no_live_workshop() -> ApiError {
    ApiError::new("no_live_workshop", "no workshop is open")
}

impl App {
    /// Opens the installation's database (recovering from a damaged file), takes a
    /// backup, and makes the most recently updated workshop live.
    pub fn open(db: &Path, sink: Arc<dyn EventSink>) -> Result<App, ApiError> {
        let opened = api::open_app_store_recovering(db)?;
        api::backup_now(&opened.store)?;
        let mut app = App {
            db: db.to_owned(),
            store: opened.store,
            online: None,
            feed: None,
            live: None,
            projector: ProjectorState::default(),
            sink,
            recovery: opened.recovery,
        };
        if let Some(first) = app.store.list_workshops()?.first() {
            app.open_workshop(first.id)?;
        }
        Ok(app)
    }

    /// Why the database had to be started afresh, if it had to.
    pub fn recovery(&self) -> Option<&Recovery> {
        self.recovery.as_ref()
    }

    /// Replaces the fresh database by the backup offered after a recovery, and makes
    /// its most recent workshop live. The damaged file stays where it was set aside.
    pub fn restore_offered_backup(&mut self) -> Result<Option<LiveWorkshop>, ApiError> {
        let backup = self
            .recovery
            .as_ref()
            .and_then(|r| r.latest_backup.clone())
            .ok_or_else(|| ApiError::new("no_backup", "there is no backup to restore"))?;
        self.close_live();
        // The backup is copied into the file in place (SQLite's backup API), so the
        // store's connection sees it; the new one replaces it for clarity.
        self.store = api::restore_backup(&self.db, &backup)?;
        self.recovery = None;
        self.sink.emit(AppEvent::WorkshopsChanged);
        if let Some(first) = self.store.list_workshops()?.first() {
            return self.open_workshop(first.id).map(Some);
        }
        Ok(None)
    }

    pub fn list_workshops(&self) -> Result<Vec<WorkshopSummary>, ApiError> {
        api::list_workshops(&self.store)
    }

    pub fn create_workshop(&mut self, from: &str, name: Option<&str>) -> Result<WorkshopId, ApiError> {
        let template = api::load_template(from)?;
        let id = api::create_workshop(&mut self.store, &template, name)?;
        self.sink.emit(AppEvent::WorkshopsChanged);
        Ok(id)
    }

    /// Renames a workshop; the live one through its session, so every window hears of it.
    pub fn rename_workshop(&mut self, id: WorkshopId, name: &str) -> Result<(), ApiError> {
        match &self.live {
            Some(live) if live.id() == id => {
                live.apply(SessionCommand::Rename { name: name.to_owned() })?;
            }
            _ => api::rename_workshop(&mut self.store, id, name)?,
        }
        self.sink.emit(AppEvent::WorkshopsChanged);
        Ok(())
    }

    pub fn duplicate_workshop(&mut self, id: WorkshopId, name: Option<&str>) -> Result<WorkshopId, ApiError> {
        let copy = api::duplicate_workshop(&mut self.store, id, name)?;
        self.sink.emit(AppEvent::WorkshopsChanged);
        Ok(copy)
    }

    /// Deletes a workshop for good; the live one is closed first.
    pub fn delete_workshop(&mut self, id: WorkshopId) -> Result<(), ApiError> {
        if self.live.as_ref().map(WorkshopSession::id) == Some(id) {
            self.close_live();
        }
        api::delete_workshop(&mut self.store, id)?;
        self.sink.emit(AppEvent::WorkshopsChanged);
        Ok(())
    }

    /// Makes a workshop live: its session owns every change from now on.
    pub fn open_workshop(&mut self, id: WorkshopId) -> Result<LiveWorkshop, ApiError> {
        // Close the previous session first, so its last change is committed before the new one loads.
        self.close_live();
        let session = api::start_session(&self.db, id)?;
        let events = session.subscribe();
        let sink = Arc::clone(&self.sink);
        // The forwarder ends when the session stops and drops its subscribers.
        std::thread::Builder::new()
            .name(format!("workshop-{id}-events"))
            .spawn(move || {
                for event in events {
                    // A room answering sends hundreds of these a second: windows hear
                    // of them through the coalesced participation feed instead.
                    if !matches!(event, SessionEvent::AnswersChanged { .. } | SessionEvent::ParticipantJoined { .. }) {
                        sink.emit(AppEvent::WorkshopChanged(event));
                    }
                }
            })
            .map_err(|e| ApiError::new("internal", format!("cannot forward the workshop's events: {e}")))?;
        let sink = Arc::clone(&self.sink);
        self.feed = Some(ProjectorFeed::start(session.handle(), PROJECTOR_INTERVAL, move |participation, _| {
            sink.emit(AppEvent::ParticipationChanged(Box::new(participation)));
        })?);
        self.live = Some(session);
        self.projector = ProjectorState::default();
        self.sink.emit(AppEvent::ProjectorChanged(self.projector));
        self.current()?.ok_or_else(no_live_workshop)
    }

    pub fn current(&self) -> Result<Option<LiveWorkshop>, ApiError> {
        let Some(live) = &self.live else { return Ok(None) };
        let state = live.state()?;
        let layout = layout::arranged(&state.map, &state.positions);
        Ok(Some(LiveWorkshop {
            id: state.id,
            name: state.name,
            map: state.map,
            layout,
            agenda: state.agenda,
            cycles: state.cycles,
            seq: state.seq,
            projector: self.projector,
        }))
    }

    /// Applies a change to the live workshop. Moving to another activity hides the
    /// results again: every result is hidden until the trainer reveals it.
    pub fn apply(&mut self, command: SessionCommand) -> Result<SessionEvent, ApiError> {
        let live = self.live.as_ref().ok_or_else(no_live_workshop)?;
        let navigates = matches!(
            command,
            SessionCommand::NextActivity | SessionCommand::PreviousActivity | SessionCommand::GoToActivity { .. }
        );
        let event = live.apply(command)?;
        if navigates && self.projector.revealed {
            self.set_projector(ProjectorChange { revealed: Some(false), ..Default::default() });
        }
        Ok(event)
    }

    /// The presenter's clock for the live workshop at `now` (Unix ms).
    pub fn presenter_clock(&self, now: i64) -> Result<PresenterClock, ApiError> {
        let live = self.live.as_ref().ok_or_else(no_live_workshop)?;
        Ok(live.state()?.agenda.clock(now))
    }

    pub fn projector(&self) -> ProjectorState {
        self.projector
    }

    /// Changes what the projector shows; `None` keeps a setting as it is.
    pub fn set_projector(&mut self, change: ProjectorChange) -> ProjectorState {
        let now = self.projector;
        let next = ProjectorState {
            blank: change.blank.unwrap_or(now.blank),
            revealed: change.revealed.unwrap_or(now.revealed),
            hide_attendees: change.hide_attendees.unwrap_or(now.hide_attendees),
        };
        if next != self.projector {
            self.projector = next;
            self.sink.emit(AppEvent::ProjectorChanged(next));
        }
        self.projector
    }

    /// Stops the participants' server and the live session (in that order).
    fn close_live(&mut self) {
        if self.online.take().is_some() {
            self.sink.emit(AppEvent::OnlineChanged(self.online_status()));
        }
        self.feed = None;
        self.live = None;
    }

    /// Every Ripple Effect round of the live workshop, oldest first (to replay one).
    pub fn game_rounds(&self) -> Result<Vec<crate::game::GameRoundView>, ApiError> {
        self.live.as_ref().ok_or_else(no_live_workshop)?.game_rounds()
    }

    /// Incidents worth dropping: the live map's most critical internal units.
    pub fn incident_suggestions(&self) -> Result<Vec<crate::game::CriticalUnit>, ApiError> {
        let live = self.live.as_ref().ok_or_else(no_live_workshop)?;
        Ok(crate::game::suggestions(&live.state()?.map, 5))
    }

    /// The live workshop's unit scorecard as it stands (also while the room answers).
    pub fn scorecard(&self) -> Result<crate::scorecard::Scorecard, ApiError> {
        let live = self.live.as_ref().ok_or_else(no_live_workshop)?;
        api::scorecard(&self.store, live.id())
    }

    /// How the live workshop's units moved since workshop `before` (an earlier cohort).
    pub fn scorecard_movement(&self, before: WorkshopId) -> Result<Vec<crate::scorecard::UnitMovement>, ApiError> {
        let live = self.live.as_ref().ok_or_else(no_live_workshop)?;
        api::scorecard_movement(&self.store, before, live.id())
    }

    /// What an export of the live workshop reads: the database file and the workshop,
    /// and a file name to suggest for `format` (a zip for the formats that are several files).
    /// The export itself runs on a connection of its own, without holding the app.
    pub fn export_source(&self, format: &str) -> Result<ExportSource, ApiError> {
        let live = self.live.as_ref().ok_or_else(no_live_workshop)?;
        let format = crate::export::Format::parse(format)
            .ok_or_else(|| ApiError::new("invalid_input", format!("format: '{format}' is not one of json, xlsx, csv, report, pdf, graphml, kumu")))?;
        let stem: String = self.store.workshop_name(live.id())?.chars().map(|c| if c.is_alphanumeric() || c == ' ' || c == '-' { c } else { '_' }).collect();
        let ending = match format.extension() {
            "" => ".zip",
            ending => ending,
        };
        let suffix = match format {
            crate::export::Format::Report => " report",
            crate::export::Format::Kumu => " kumu",
            crate::export::Format::Csv => " tables",
            _ => "",
        };
        Ok(ExportSource { db: self.db.clone(), workshop: live.id(), file_name: format!("{}{suffix}{ending}", stem.trim()) })
    }

    /// Opens an archive as a new workshop (listed, not opened); returns its id.
    pub fn import_archive(&mut self, path: &Path) -> Result<WorkshopId, ApiError> {
        api::import_archive(&mut self.store, path)
    }

    /// The live workshop's session code, rounds and live results.
    pub fn participation(&self) -> Result<Option<Participation>, ApiError> {
        self.live.as_ref().map(WorkshopSession::participation).transpose()
    }

    /// Whether participants can join, and where.
    pub fn online_status(&self) -> OnlineStatus {
        let join = match (&self.online, &self.live) {
            (Some(server), Some(live)) => live.participation().ok().and_then(|p| server.join_info(&p.code).ok()),
            _ => None,
        };
        let kiosk_url = join.as_ref().map(|j| format!("{}&kiosk=1", j.url));
        OnlineStatus { join, addresses: lan::addresses(), kiosk_url }
    }

    /// Starts the participants' server for the live workshop on `ip` (default: the
    /// best LAN address) and `port` (default: 8765 or the next free one). Already
    /// online elsewhere: moves there.
    pub fn go_online(&mut self, ip: Option<&str>, port: Option<u16>) -> Result<OnlineStatus, ApiError> {
        let live = self.live.as_ref().ok_or_else(no_live_workshop)?;
        let ip = ip.map_or_else(|| lan::best_address().ip, str::to_owned);
        let ip: std::net::IpAddr =
            ip.parse().map_err(|_| ApiError::new("invalid_address", format!("'{ip}' is not an IP address of this machine")))?;
        if port == Some(0) {
            return Err(ApiError::new("invalid_port", "the port must be between 1 and 65535"));
        }
        self.online = None;
        let server = ParticipantServer::start_on(live.handle(), ip, port, Limits::classroom());
        let result = server.map(|server| self.online = Some(server));
        let status = self.online_status();
        self.sink.emit(AppEvent::OnlineChanged(status.clone()));
        result.map(|()| status)
    }

    /// Stops the participants' server: phones are told; every answer stays saved.
    pub fn go_offline(&mut self) -> OnlineStatus {
        if self.online.take().is_some() {
            self.sink.emit(AppEvent::OnlineChanged(self.online_status()));
        }
        self.online_status()
    }

    /// The kiosk page's link: online on this machine only (loopback) if the app was offline.
    pub fn kiosk_url(&mut self) -> Result<String, ApiError> {
        if self.online.is_none() {
            self.go_online(Some("127.0.0.1"), None)?;
        }
        self.online_status().kiosk_url.ok_or_else(|| ApiError::new("offline", "the participants' server is not running"))
    }

    /// Takes an automatic backup (the shell calls this every few minutes).
    pub fn backup(&self) -> Result<PathBuf, ApiError> {
        api::backup_now(&self.store)
    }
}

/// Where the audience window opens and whether it takes the whole display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AudiencePlacement {
    pub display: Option<u32>,
    pub fullscreen: bool,
}

/// Places the audience window: on the display the trainer picked, else on the first
/// display that is not the laptop's own (the projector). It goes fullscreen only on a
/// display the presenter window is not on: with one screen, a fullscreen audience
/// window would hide the trainer's controls (F still makes it fullscreen).
pub fn audience_placement(displays: &[Display], picked: Option<u32>, presenter_on: Option<u32>) -> AudiencePlacement {
    let display = picked
        .filter(|&i| displays.iter().any(|d| d.index == i))
        .or_else(|| displays.iter().find(|d| !d.primary && Some(d.index) != presenter_on).map(|d| d.index))
        .or_else(|| displays.first().map(|d| d.index));
    let fullscreen = display.is_some() && display != presenter_on;
    AudiencePlacement { display, fullscreen }
}

/// Now, in Unix milliseconds, for the presenter's clock.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Collected(Mutex<Vec<AppEvent>>);

    impl EventSink for Collected {
        fn emit(&self, event: AppEvent) {
            self.0.lock().unwrap().push(event);
        }
    }

    fn app() -> (tempfile::TempDir, App, Arc<Collected>) {
        let dir = tempfile::tempdir().unwrap();
        let sink = Arc::new(Collected::default());
        let app = App::open(&dir.path().join("ripple.db"), sink.clone()).unwrap();
        (dir, app, sink)
    }

    /// Waits for the forwarder thread to deliver an event matching `want`.
    fn wait_for(sink: &Collected, want: impl Fn(&AppEvent) -> bool) {
        for _ in 0..200 {
            if sink.0.lock().unwrap().iter().any(&want) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        panic!("no such event: {:?}", sink.0.lock().unwrap());
    }

    #[test]
    fn the_audience_window_goes_fullscreen_on_the_projector_and_never_over_the_presenter() {
        let display = |index, primary| Display { index, name: format!("d{index}"), width: 1920, height: 1080, primary };
        let laptop_and_projector = [display(0, true), display(1, false)];
        let placed = |picked, presenter_on| audience_placement(&laptop_and_projector, picked, presenter_on);
        assert_eq!(placed(None, Some(0)), AudiencePlacement { display: Some(1), fullscreen: true });
        assert_eq!(placed(Some(0), Some(0)), AudiencePlacement { display: Some(0), fullscreen: false });
        assert_eq!(placed(Some(7), Some(0)), AudiencePlacement { display: Some(1), fullscreen: true }, "an unknown pick falls back");
        // The presenter moved to the projector: the audience goes to the laptop's screen.
        assert_eq!(placed(None, Some(1)), AudiencePlacement { display: Some(0), fullscreen: true });
        let laptop_only = [display(0, true)];
        assert_eq!(audience_placement(&laptop_only, None, Some(0)), AudiencePlacement { display: Some(0), fullscreen: false });
        assert_eq!(audience_placement(&[], None, None), AudiencePlacement { display: None, fullscreen: false });
    }

    #[test]
    fn the_live_workshop_exports_while_live_and_its_archive_imports_as_a_new_workshop() {
        let (dir, mut app, _) = app();
        let id = app.current().unwrap().unwrap().id;
        app.apply(SessionCommand::Rename { name: "Spring: cohort/1".into() }).unwrap();
        let source = app.export_source("csv").unwrap();
        assert_eq!(source.file_name, "Spring_ cohort_1 tables.zip", "a name a file system takes, a zip for many files");
        assert_eq!(app.export_source("report").unwrap().file_name, "Spring_ cohort_1 report.html");
        let out = dir.path().join("spring.json");
        // The app is not held while the export runs: the live session keeps taking changes.
        app.export_source("json").unwrap().export("json", &out, false).unwrap();
        let copy = app.import_archive(&out).unwrap();
        assert_ne!(copy, id);
        assert!(app.list_workshops().unwrap().iter().any(|w| w.id == copy && w.name == "Spring: cohort/1"));
        assert_eq!(app.current().unwrap().unwrap().id, id, "importing does not change the live workshop");
        assert!(app.scorecard().unwrap().units.iter().any(|u| u.unit == "finance"));
        // The live workshop against its own copy: every unit there, nothing moved.
        let moved = app.scorecard_movement(copy).unwrap();
        assert!(!moved.is_empty() && moved.iter().all(|m| m.in_before && m.in_after && m.criticality == Some(0.0)));
        assert_eq!(app.scorecard_movement(999).unwrap_err().code, "not_found");
        let refused = app.export_source("docx").unwrap_err();
        assert_eq!(refused.code, "invalid_input");
        let broken = dir.path().join("broken.json");
        std::fs::write(&broken, "{\"format\": \"ripple-archive\"}").unwrap();
        assert_eq!(app.import_archive(&broken).unwrap_err().code, "invalid_archive");
    }

    #[test]
    fn on_first_start_the_demo_workshop_is_live_with_its_layout_and_agenda() {
        let (_dir, app, _) = app();
        let live = app.current().unwrap().expect("a live workshop");
        assert_eq!(live.map, crate::workshop::demo_map());
        assert_eq!(live.layout.nodes.len(), live.map.units.len());
        assert!(!live.agenda.activities.is_empty());
        assert_eq!(live.projector, ProjectorState::default(), "results start hidden");
    }

    #[test]
    fn a_committed_change_reaches_the_windows_as_an_event() {
        let (_dir, mut app, sink) = app();
        app.apply(SessionCommand::NextActivity).unwrap();
        wait_for(&sink, |e| matches!(e, AppEvent::WorkshopChanged(SessionEvent::AgendaChanged { .. })));
        let clock = app.presenter_clock(now_ms()).unwrap();
        assert_eq!(clock.current.unwrap().index, 0);
    }

    #[test]
    fn moving_to_another_activity_hides_revealed_results_again() {
        let (_dir, mut app, sink) = app();
        app.apply(SessionCommand::NextActivity).unwrap();
        assert!(app.set_projector(ProjectorChange { revealed: Some(true), ..Default::default() }).revealed);
        app.apply(SessionCommand::NextActivity).unwrap();
        assert!(!app.projector().revealed);
        let hidden = ProjectorState::default();
        assert_eq!(sink.0.lock().unwrap().iter().filter(|e| **e == AppEvent::ProjectorChanged(hidden)).count(), 2);
    }

    #[test]
    fn renaming_the_live_workshop_goes_through_its_session() {
        let (_dir, mut app, sink) = app();
        let id = app.current().unwrap().unwrap().id;
        app.rename_workshop(id, "Cohort A").unwrap();
        assert_eq!(app.current().unwrap().unwrap().name, "Cohort A");
        assert_eq!(app.list_workshops().unwrap()[0].name, "Cohort A");
        wait_for(&sink, |e| matches!(e, AppEvent::WorkshopChanged(SessionEvent::Renamed { name, .. }) if name == "Cohort A"));
    }

    #[test]
    fn after_a_damaged_database_the_offered_backup_brings_the_workshops_back() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ripple.db");
        {
            let mut app = App::open(&db, Arc::new(Collected::default())).unwrap();
            app.create_workshop("demo", Some("Cohort B")).unwrap();
            app.backup().unwrap();
        }
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(dir.path().join(format!("ripple.db{suffix}")));
        }
        std::fs::write(&db, b"garbage, not a database").unwrap();
        let mut app = App::open(&db, Arc::new(Collected::default())).unwrap();
        let recovery = app.recovery().expect("the damage is reported").clone();
        assert!(recovery.latest_backup.is_some());
        assert_eq!(app.list_workshops().unwrap().len(), 1, "a fresh database with the demo");
        let live = app.restore_offered_backup().unwrap().expect("a live workshop");
        assert_eq!(live.name, "Cohort B");
        assert_eq!(app.list_workshops().unwrap().len(), 2);
        assert!(app.recovery().is_none());
        assert_eq!(app.restore_offered_backup().unwrap_err().code, "no_backup");
    }

    #[test]
    fn going_online_serves_the_live_workshop_and_going_offline_stops_it() {
        let (_dir, mut app, sink) = app();
        assert!(app.online_status().join.is_none());
        let status = app.go_online(Some("127.0.0.1"), None).unwrap();
        let join = status.join.clone().expect("online");
        let code = app.participation().unwrap().unwrap().code;
        assert_eq!(join.code, code);
        assert!(join.url.starts_with("http://127.0.0.1:") && join.url.ends_with(&format!("/?c={code}")), "{}", join.url);
        assert_eq!(status.kiosk_url.as_deref(), Some(format!("{}&kiosk=1", join.url).as_str()));
        assert!(status.addresses.iter().any(|a| a.loopback));
        let addr: std::net::SocketAddr = join.address.parse().unwrap();
        assert!(std::net::TcpStream::connect(addr).is_ok(), "something listens");
        wait_for(&sink, |e| matches!(e, AppEvent::OnlineChanged(s) if s.join.is_some()));
        assert!(app.go_offline().join.is_none());
        assert!(std::net::TcpStream::connect(addr).is_err(), "nothing listens any more");
        assert_eq!(app.go_online(Some("not an ip"), None).unwrap_err().code, "invalid_address");
    }

    #[test]
    fn opening_another_workshop_takes_the_room_offline() {
        let (_dir, mut app, _) = app();
        let demo = app.current().unwrap().unwrap().id;
        let copy = app.duplicate_workshop(demo, None).unwrap();
        app.go_online(Some("127.0.0.1"), None).unwrap();
        app.open_workshop(copy).unwrap();
        assert!(app.online_status().join.is_none(), "phones of one workshop never answer into another");
    }

    #[test]
    fn answers_reach_the_projector_as_coalesced_participation_events() {
        let (_dir, mut app, sink) = app();
        app.apply(SessionCommand::OpenRound { round: crate::participants::Round::SelfAssessment }).unwrap();
        let code = app.participation().unwrap().unwrap().code;
        app.apply(SessionCommand::Join { code, name: Some("Ana".into()), unit: "it".into(), manager: false, client: None }).unwrap();
        wait_for(&sink, |e| matches!(e, AppEvent::ParticipationChanged(p) if p.results.attendees == 1 && p.rounds.self_assessment));
    }

    #[test]
    fn deleting_the_live_workshop_closes_it_and_keeps_the_others() {
        let (_dir, mut app, _) = app();
        let demo = app.current().unwrap().unwrap().id;
        let copy = app.duplicate_workshop(demo, Some("Copy")).unwrap();
        app.delete_workshop(demo).unwrap();
        assert!(app.current().unwrap().is_none());
        assert_eq!(app.apply(SessionCommand::Undo).unwrap_err().code, "no_live_workshop");
        let opened = app.open_workshop(copy).unwrap();
        assert_eq!(opened.name, "Copy");
        assert_eq!(app.list_workshops().unwrap().len(), 1);
    }
}
