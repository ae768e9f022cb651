//! Rounds of the Ripple Effect game through the workshop's session and a real SQLite
//! file: incidents dropped, predictions from participants, phases, scores, the debrief,
//! and everything back after a restart.

use ripple::api;
use ripple::engine::{Incident, IncidentKind};
use ripple::game::{GamePhase, Prediction};
use ripple::session::{SessionCommand as C, SessionEvent, WorkshopSession};
use ripple::store::Store;

struct Room {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    id: i64,
    session: WorkshopSession,
}

fn room() -> Room {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ripple.db");
    let store = api::open_app_store(&db).unwrap();
    let id = store.list_workshops().unwrap()[0].id;
    let session = WorkshopSession::start(store, id).unwrap();
    Room { _dir: dir, db, id, session }
}

impl Room {
    fn join(&self, name: &str, unit: &str) -> String {
        let code = self.session.participation().unwrap().code;
        match self.session.apply(C::Join { code, name: Some(name.into()), unit: unit.into(), manager: false, client: None }).unwrap() {
            SessionEvent::ParticipantJoined { token: Some(t), .. } => t,
            other => panic!("{other:?}"),
        }
    }

    fn predict(&self, token: &str, submission: &str, units: &[&str], customers: bool) -> Result<SessionEvent, ripple::error::ApiError> {
        self.session.apply(C::Predict {
            token: token.into(),
            submission: submission.into(),
            round: 1,
            prediction: Prediction { units: units.iter().map(|u| (*u).to_owned()).collect(), customers },
        })
    }
}

#[test]
fn a_round_goes_from_predictions_through_the_ripple_to_scores_and_a_debrief() {
    let r = room();
    let ana = r.join("Ana", "customer-service");
    let bo = r.join("Bo", "legal");
    let event = r.session.apply(C::StartGameRound { incidents: vec![Incident::new("finance", 1.0, IncidentKind::Late)] }).unwrap();
    assert!(matches!(event, SessionEvent::GameChanged { round: 1, phase: GamePhase::Predict, .. }), "{event:?}");
    let game = r.session.participation().unwrap().game.expect("a round");
    assert!(!game.result.hits.is_empty() && game.leaderboard.is_empty() && game.debrief.is_none(), "nothing revealed yet");
    let felt: Vec<String> = ripple::game::internal_hits(&game.result, &game.map).into_iter().collect();
    let felt_refs: Vec<&str> = felt.iter().map(String::as_str).collect();
    r.predict(&ana, "pred-ana-01", &felt_refs, true).unwrap();
    r.predict(&bo, "pred-bo-001", &["legal"], false).unwrap();
    // A re-sent prediction is acknowledged again and stored once; a change replaces it.
    r.predict(&bo, "pred-bo-001", &["legal"], false).unwrap();
    r.predict(&bo, "pred-bo-002", &["legal", &felt[0]], false).unwrap();
    assert_eq!(r.session.participation().unwrap().game.unwrap().predictions, 2);
    // The phone sees its own prediction, and nothing of the ripple yet.
    let phone = r.session.participant(&ana).unwrap().game.unwrap();
    assert_eq!((phone.phase, phone.reached_me.is_none(), phone.customers_felt), (GamePhase::Predict, true, None));

    r.session.apply(C::SetGamePhase { round: 1, phase: GamePhase::Ripple }).unwrap();
    let late = r.predict(&bo, "pred-bo-003", &[], true).unwrap_err();
    assert_eq!(late.code, "round_closed", "no predictions once the ripple has started");
    let phone = r.session.participant(&ana).unwrap().game.unwrap();
    let reached = phone.reached_me.expect("the ripple reached Customer Service");
    assert_eq!(reached.steps.first().unwrap().unit, "finance");
    assert_eq!(reached.steps.last().unwrap().unit, "customer-service");
    assert!(r.session.participant(&bo).unwrap().game.unwrap().reached_me.is_none(), "Legal was not reached");

    r.session.apply(C::SetGamePhase { round: 1, phase: GamePhase::Score }).unwrap();
    let game = r.session.participation().unwrap().game.unwrap();
    let names: Vec<_> = game.leaderboard.iter().map(|s| s.name.as_deref().unwrap()).collect();
    assert_eq!(names, ["Ana", "Bo"], "best first");
    assert_eq!(game.leaderboard[0].score.points, 120);
    let bo_score = &game.leaderboard[1].score;
    assert_eq!((bo_score.hits, bo_score.false_alarms), (1, 1));
    assert_eq!(game.room_average, Some(f64::from(120 + bo_score.points) / 2.0));
    assert_eq!(r.session.participant(&bo).unwrap().game.unwrap().my_score.as_ref(), Some(bo_score));

    r.session.apply(C::SetGamePhase { round: 1, phase: GamePhase::Debrief }).unwrap();
    let debrief = r.session.participation().unwrap().game.unwrap().debrief.expect("the debrief");
    assert!(debrief.chains.iter().all(|c| c.sentence.starts_with("Finance is late with")));
    assert!(!debrief.critical.is_empty());

    // Saved: a new session on the file has the round, its phase and the predictions.
    drop(r.session);
    let session = WorkshopSession::start(Store::open(&r.db).unwrap(), r.id).unwrap();
    let game = session.participation().unwrap().game.unwrap();
    assert_eq!((game.id, game.phase, game.predictions), (1, GamePhase::Debrief, 2));
    assert!(game.debrief.is_some());
}

#[test]
fn bad_incidents_and_predictions_are_refused_by_name_and_change_nothing() {
    let r = room();
    let ana = r.join("Ana", "it");
    let e = r.session.apply(C::StartGameRound { incidents: vec![Incident::new("nowhere", 1.0, IncidentKind::Late)] }).unwrap_err();
    assert!(e.message.contains("nowhere"), "{e:?}");
    assert!(r.session.participation().unwrap().game.is_none());
    assert_eq!(r.predict(&ana, "pred-000001", &["it"], true).unwrap_err().code, "round_closed", "no round yet");
    r.session.apply(C::StartGameRound { incidents: vec![Incident::new("it", 0.8, IncidentKind::Quality)] }).unwrap();
    let e = r.predict(&ana, "pred-000002", &["<script>"], true).unwrap_err();
    assert_eq!(e.code, "unknown_unit");
    assert_eq!(r.predict(&"0".repeat(64), "pred-000003", &["hr"], true).unwrap_err().code, "bad_token");
    assert_eq!(r.session.apply(C::SetGamePhase { round: 7, phase: GamePhase::Score }).unwrap_err().code, "not_found");
    assert_eq!(r.session.participation().unwrap().game.unwrap().predictions, 0);
    // A second round is round 2; predictions go to the current round only.
    r.session.apply(C::StartGameRound { incidents: vec![Incident::new("hr", 1.0, IncidentKind::Late)] }).unwrap();
    assert_eq!(r.predict(&ana, "pred-000004", &["it"], true).unwrap_err().code, "round_closed", "round 1 is over");
    assert_eq!(r.session.participation().unwrap().game.unwrap().id, 2);
}
