//! The one owner of a live workshop: commands are applied in order, committed to a
//! real SQLite file before they are acknowledged, broadcast to every subscriber, and
//! the trainer's map and agenda edits can be undone.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::mpsc::TryRecvError;
use std::sync::Arc;

use ripple::agenda::{ActivityDraft, ActivityKind};
use ripple::api;
use ripple::org::{ServiceLink, Unit, UnitKind};
use ripple::session::{SessionCommand as C, SessionEvent, WorkshopSession, UNDO_DEPTH};
use ripple::store::Store;
use ripple::workshop::WorkshopId;

const T0: i64 = 1_800_000_000_000;

struct Fixture {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    id: WorkshopId,
    clock: Arc<AtomicI64>,
    session: WorkshopSession,
}

/// The demo workshop in a fresh file, its session on a clock the test moves.
fn live() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ripple.db");
    let store = api::open_app_store(&db).unwrap();
    let id = store.list_workshops().unwrap()[0].id;
    let clock = Arc::new(AtomicI64::new(T0));
    let session = WorkshopSession::start_with_clock(store, id, {
        let clock = clock.clone();
        move || clock.load(Ordering::SeqCst)
    })
    .unwrap();
    Fixture { _dir: dir, db, id, clock, session }
}

impl Fixture {
    /// A second connection, as another process would see the file.
    fn stored(&self) -> Store {
        Store::open(&self.db).unwrap()
    }

    fn apply(&self, command: C) -> SessionEvent {
        self.session.apply(command).unwrap_or_else(|e| panic!("{e}"))
    }

    fn refused(&self, command: C) -> String {
        self.session.apply(command).expect_err("the command is refused").code
    }
}

fn unit(id: &str) -> Unit {
    Unit { id: id.into(), name: format!("The {id} team"), kind: UnitKind::Support, weight: 1.0 }
}

fn link(provider: &str, customer: &str) -> ServiceLink {
    ServiceLink {
        provider: provider.into(),
        customer: customer.into(),
        service: "reports".into(),
        strength: 0.5,
        lag: 4.0,
        quality: String::new(),
        time: String::new(),
        delivery: String::new(),
    }
}

fn draft(title: &str) -> ActivityDraft {
    ActivityDraft::new(ActivityKind::Custom, title, 10, "Keep it short.")
}

#[test]
fn every_change_is_in_the_file_when_it_is_acknowledged() {
    let f = live();
    f.apply(C::Rename { name: "  Cohort A ".into() });
    assert_eq!(f.stored().workshop_name(f.id).unwrap(), "Cohort A");
    f.apply(C::AddUnit { unit: unit("audit") });
    assert!(f.stored().load_map(f.id).unwrap().unit("audit").is_some());
    f.apply(C::AddActivity { activity: draft("Coffee"), at: Some(1) });
    assert_eq!(f.stored().load_agenda(f.id).unwrap().activities[1].title, "Coffee");
    assert_eq!(f.stored().load_agenda(f.id).unwrap(), f.session.state().unwrap().agenda);
}

#[test]
fn every_change_marks_the_workshop_updated() {
    let f = live();
    let set_old = || {
        rusqlite::Connection::open(&f.db)
            .unwrap()
            .execute("UPDATE workshop SET updated_at = '2000-01-01T00:00:00Z'", [])
            .unwrap()
    };
    let updated = || f.stored().list_workshops().unwrap()[0].updated_at.clone();
    for command in [C::Rename { name: "B".into() }, C::AddUnit { unit: unit("audit") }, C::NextActivity] {
        set_old();
        f.apply(command.clone());
        assert_ne!(updated(), "2000-01-01T00:00:00Z", "{command:?}");
    }
}

#[test]
fn every_subscriber_hears_each_change_in_order_and_a_dropped_one_disturbs_no_one() {
    let f = live();
    let (state, first) = f.session.handle().subscribe_with_state().unwrap();
    assert_eq!(state.seq, 0);
    let second = f.session.subscribe();
    drop(f.session.subscribe());
    let acks = [f.apply(C::Rename { name: "One".into() }), f.apply(C::NextActivity), f.apply(C::DeleteLink { index: 0 })];
    assert_eq!(acks.iter().map(SessionEvent::seq).collect::<Vec<_>>(), [1, 2, 3]);
    for events in [first, second] {
        let heard: Vec<SessionEvent> = events.try_iter().collect();
        assert_eq!(heard, acks);
    }
    assert_eq!(f.session.state().unwrap().seq, 3);
}

#[test]
fn an_invalid_map_edit_is_refused_and_changes_nothing() {
    let f = live();
    let events = f.session.subscribe();
    let before = f.stored().load_map(f.id).unwrap();
    assert_eq!(f.refused(C::AddLink { link: link("finance", "nobody") }), "invalid_map");
    assert_eq!(f.refused(C::AddUnit { unit: unit("finance") }), "invalid_map");
    assert_eq!(f.refused(C::UpdateLink { index: 0, link: ServiceLink { strength: 2.0, ..before.links[0].clone() } }), "invalid_map");
    assert_eq!(f.refused(C::DeleteUnit { id: "nobody".into() }), "not_found");
    assert_eq!(f.refused(C::DeleteLink { index: 999 }), "not_found");
    assert_eq!(f.refused(C::Rename { name: " ".into() }), "invalid_name");
    assert_eq!(f.stored().load_map(f.id).unwrap(), before);
    assert_eq!(f.session.state().unwrap().map, before);
    assert_eq!(events.try_recv(), Err(TryRecvError::Empty), "no event for a refused command");
    assert_eq!(f.refused(C::Undo), "nothing_to_undo", "a refused command leaves nothing to undo");
}

#[test]
fn a_renamed_unit_id_is_carried_over_to_its_links_and_a_deleted_unit_takes_its_links() {
    let f = live();
    let before = f.stored().load_map(f.id).unwrap();
    let finance_links = before.links.iter().filter(|l| l.provider == "finance" || l.customer == "finance").count();
    assert!(finance_links > 0);
    f.apply(C::UpdateUnit { id: "finance".into(), unit: Unit { id: "treasury".into(), ..before.unit("finance").unwrap().clone() } });
    let map = f.stored().load_map(f.id).unwrap();
    assert_eq!(map.links.iter().filter(|l| l.provider == "treasury" || l.customer == "treasury").count(), finance_links);
    f.apply(C::DeleteUnit { id: "treasury".into() });
    let map = f.stored().load_map(f.id).unwrap();
    assert_eq!(map.links.len(), before.links.len() - finance_links);
    assert!(map.links.iter().all(|l| l.provider != "treasury" && l.customer != "treasury"));
}

#[test]
fn undo_takes_back_map_and_agenda_edits_newest_first_but_not_navigation() {
    let f = live();
    let map0 = f.stored().load_map(f.id).unwrap();
    let agenda0 = f.stored().load_agenda(f.id).unwrap();
    f.apply(C::DeleteUnit { id: "finance".into() });
    let map1 = f.stored().load_map(f.id).unwrap();
    f.apply(C::MoveActivity { id: 6, to: 0 });
    f.apply(C::NextActivity);
    f.apply(C::Rename { name: "Not undone".into() });
    // Undo skips the navigation and the rename: it takes back the move.
    let SessionEvent::AgendaChanged { agenda, .. } = f.apply(C::Undo) else { panic!("an agenda event") };
    let ids = |a: &ripple::agenda::Agenda| a.activities.iter().map(|a| a.id).collect::<Vec<_>>();
    assert_eq!(ids(&agenda), ids(&agenda0));
    // Still on the activity navigated to, with its start time.
    assert_eq!(agenda.current, Some(6));
    assert_eq!(agenda.activities[5].started_at, Some(T0));
    assert_eq!(f.stored().load_agenda(f.id).unwrap(), agenda);
    assert_ne!(map1, map0);
    f.apply(C::Undo);
    assert_eq!(f.stored().load_map(f.id).unwrap(), map0, "finance and its links are back");
    assert_eq!(f.refused(C::Undo), "nothing_to_undo");
    assert_eq!(f.stored().workshop_name(f.id).unwrap(), "Not undone");
}

#[test]
fn undo_reaches_back_fifty_edits_and_no_further() {
    let f = live();
    for i in 0..UNDO_DEPTH + 5 {
        f.apply(C::AddUnit { unit: unit(&format!("u{i}")) });
    }
    for _ in 0..UNDO_DEPTH {
        f.apply(C::Undo);
    }
    assert_eq!(f.refused(C::Undo), "nothing_to_undo");
    let map = f.stored().load_map(f.id).unwrap();
    assert!(map.unit("u4").is_some() && map.unit("u5").is_none(), "the five oldest edits stay");
}

#[test]
fn navigation_starts_and_finishes_activities_at_the_session_clock() {
    let f = live();
    assert_eq!(f.refused(C::PreviousActivity), "no_previous_activity");
    f.apply(C::NextActivity);
    f.clock.store(T0 + 12 * 60_000, Ordering::SeqCst);
    f.apply(C::NextActivity);
    let agenda = f.stored().load_agenda(f.id).unwrap();
    assert_eq!((agenda.activities[0].started_at, agenda.activities[0].finished_at), (Some(T0), Some(T0 + 12 * 60_000)));
    assert_eq!((agenda.activities[1].started_at, agenda.activities[1].finished_at), (Some(T0 + 12 * 60_000), None));
    assert_eq!(agenda.current, Some(2));
    // The first ran 2' over: the clock re-flows the rest from the second's planned end.
    let clock = agenda.clock(T0 + 13 * 60_000);
    assert_eq!(clock.current.as_ref().unwrap().activity.id, 2);
    assert_eq!(clock.schedule[2].start, T0 + 32 * 60_000);
    assert_eq!(clock.delay_ms, 2 * 60_000);
    f.apply(C::GoToActivity { id: 6 });
    assert_eq!(f.refused(C::NextActivity), "no_next_activity");
    f.apply(C::PreviousActivity);
    assert_eq!(f.stored().load_agenda(f.id).unwrap().current, Some(5));
    assert_eq!(f.refused(C::GoToActivity { id: 99 }), "not_found");
}

#[test]
fn agenda_edits_keep_ids_and_timing_and_refuse_what_would_break_the_run() {
    let f = live();
    f.apply(C::NextActivity);
    let SessionEvent::AgendaChanged { agenda, .. } = f.apply(C::AddActivity { activity: draft("Coffee"), at: None }) else {
        panic!("an agenda event")
    };
    assert_eq!(agenda.activities.last().unwrap().id, 7);
    f.apply(C::UpdateActivity { id: 1, activity: ActivityDraft::new(ActivityKind::Welcome, "Hello", 12, "New notes") });
    let a = &f.stored().load_agenda(f.id).unwrap().activities[0];
    assert_eq!((a.title.as_str(), a.planned_minutes, a.started_at), ("Hello", 12, Some(T0)));
    f.apply(C::MoveActivity { id: 7, to: 2 });
    assert_eq!(f.stored().load_agenda(f.id).unwrap().activities[2].id, 7);
    assert_eq!(f.refused(C::DeleteActivity { id: 1 }), "activity_running");
    assert_eq!(f.refused(C::AddActivity { activity: draft(""), at: None }), "invalid_activity");
    assert_eq!(f.refused(C::AddActivity { activity: draft("Late"), at: Some(99) }), "invalid_position");
    assert_eq!(f.refused(C::MoveActivity { id: 7, to: 99 }), "invalid_position");
    f.apply(C::DeleteActivity { id: 7 });
    assert_eq!(f.stored().load_agenda(f.id).unwrap().activities.len(), 6);
}

#[test]
fn commands_from_many_threads_are_applied_one_at_a_time() {
    let f = live();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let handle = f.session.handle();
            std::thread::spawn(move || {
                (0..10).map(|i| handle.apply(C::AddActivity { activity: draft(&format!("t{t} #{i}")), at: None }).unwrap().seq()).collect::<Vec<_>>()
            })
        })
        .collect();
    let mut seqs: Vec<u64> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=40).collect::<Vec<_>>());
    let agenda = f.stored().load_agenda(f.id).unwrap();
    assert_eq!(agenda.activities.len(), 46);
    let mut ids: Vec<u32> = agenda.activities.iter().map(|a| a.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 46, "ids are unique");
}

#[test]
fn a_stopped_session_answers_that_it_has_ended() {
    let f = live();
    let handle = f.session.handle();
    drop(f.session);
    assert_eq!(handle.apply(C::NextActivity).unwrap_err().code, "session_closed");
    assert!(handle.subscribe().recv().is_err());
}

#[test]
fn commands_and_events_cross_as_json_tagged_with_their_type() {
    let command: C = serde_json::from_str(r#"{"type":"go_to_activity","id":3}"#).unwrap();
    assert_eq!(command, C::GoToActivity { id: 3 });
    assert_eq!(serde_json::to_string(&C::Undo).unwrap(), r#"{"type":"undo"}"#);
    let event = SessionEvent::Renamed { seq: 4, name: "A".into() };
    assert_eq!(serde_json::to_string(&event).unwrap(), r#"{"type":"renamed","seq":4,"name":"A"}"#);
}

#[test]
fn redo_puts_back_what_undo_took_until_a_new_edit_is_made() {
    let f = live();
    let original = f.stored().load_map(f.id).unwrap();
    f.apply(C::AddUnit { unit: unit("night-shift") });
    f.apply(C::AddLink { link: link("night-shift", "finance") });
    let with_both = f.stored().load_map(f.id).unwrap();
    f.apply(C::Undo);
    f.apply(C::Undo);
    assert_eq!(f.stored().load_map(f.id).unwrap(), original);
    f.apply(C::Redo);
    let SessionEvent::MapChanged { map, .. } = f.apply(C::Redo) else { panic!("a map event") };
    assert_eq!(map, with_both);
    assert_eq!(f.stored().load_map(f.id).unwrap(), with_both, "redone edits are saved");
    assert_eq!(f.refused(C::Redo), "nothing_to_redo");
    // Undo again, then a new edit: the undone one cannot come back any more.
    f.apply(C::Undo);
    f.apply(C::DeleteUnit { id: "legal".into() });
    assert_eq!(f.refused(C::Redo), "nothing_to_redo");
    f.apply(C::Undo);
    f.apply(C::Undo);
    assert_eq!(f.stored().load_map(f.id).unwrap().units, with_both.units.iter().filter(|u| u.id != "night-shift").cloned().collect::<Vec<_>>());
}

#[test]
fn an_imported_map_replaces_the_whole_map_and_can_be_undone() {
    let f = live();
    let original = f.stored().load_map(f.id).unwrap();
    let imported = ripple::mapio::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/templates/hospital.json"))).unwrap();
    f.apply(C::ReplaceMap { map: imported.clone() });
    assert_eq!(f.stored().load_map(f.id).unwrap(), imported);
    let mut broken = imported.clone();
    broken.links[0].customer = "nowhere".into();
    assert_eq!(f.refused(C::ReplaceMap { map: broken }), "invalid_map");
    f.apply(C::Undo);
    assert_eq!(f.stored().load_map(f.id).unwrap(), original);
}

#[test]
fn a_unit_the_trainer_drags_stays_where_it_was_dropped_for_every_window_and_after_a_restart_and_undo_puts_it_back() {
    use ripple::layout::Point;
    let f = live();
    let auto = api::open_workshop(&f.stored(), f.id).unwrap().layout;
    let dropped = Point { x: 300.0, y: 450.0 };
    let event = f.apply(C::MoveUnit { id: "finance".into(), position: Some(dropped) });
    assert!(matches!(&event, SessionEvent::PositionsChanged { positions, .. } if positions.get("finance") == Some(&dropped)), "{event:?}");

    // Committed: another connection draws it there; a session started again from the file knows it.
    let at = |layout: &ripple::layout::MapLayout, id: &str| layout.nodes.iter().find(|n| n.id == id).map(|n| (n.x, n.y)).unwrap();
    let drawn = api::open_workshop(&f.stored(), f.id).unwrap().layout;
    assert_eq!(at(&drawn, "finance"), (300.0, 450.0));
    assert_eq!(at(&drawn, "hr"), at(&auto, "hr"), "no one else moves");
    let again = WorkshopSession::start(f.stored(), f.id).unwrap();
    assert_eq!(again.state().unwrap().positions.get("finance"), Some(&dropped));
    drop(again);

    assert_eq!(f.refused(C::MoveUnit { id: "nobody".into(), position: Some(dropped) }), "not_found");
    assert_eq!(f.refused(C::MoveUnit { id: "finance".into(), position: Some(Point { x: f64::NAN, y: 1.0 }) }), "invalid_input");

    f.apply(C::Undo);
    assert_eq!(api::open_workshop(&f.stored(), f.id).unwrap().layout, auto);
    f.apply(C::Redo);
    assert_eq!(at(&api::open_workshop(&f.stored(), f.id).unwrap().layout, "finance"), (300.0, 450.0));
    // Back to the automatic layout.
    f.apply(C::MoveUnit { id: "finance".into(), position: None });
    assert_eq!(api::open_workshop(&f.stored(), f.id).unwrap().layout, auto);
}
