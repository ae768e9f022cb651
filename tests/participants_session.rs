//! Participants in a live workshop, through its one owner and a real SQLite file:
//! joining, tokens, bad input, idempotent re-sends, rounds, and answers that survive.

use std::sync::mpsc::TryRecvError;

use ripple::api;
use ripple::participants::{self, Answer, CustomerAnswer, CustomerRef, Need, NeedCategory, Receipt, Round, TwoWay};
use ripple::session::{SessionCommand as C, SessionEvent, WorkshopSession};
use ripple::store::Store;
use ripple::workshop::WorkshopId;

struct Fixture {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    id: WorkshopId,
    session: WorkshopSession,
    code: String,
}

/// The demo workshop in a fresh file, live, with its self-assessment and thanks rounds open.
fn live() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ripple.db");
    let store = api::open_app_store(&db).unwrap();
    let id = store.list_workshops().unwrap()[0].id;
    let session = WorkshopSession::start(store, id).unwrap();
    let code = session.participation().unwrap().code;
    let f = Fixture { _dir: dir, db, id, session, code };
    f.apply(C::OpenRound { round: Round::SelfAssessment });
    f.apply(C::OpenRound { round: Round::Thanks });
    f
}

impl Fixture {
    fn apply(&self, command: C) -> SessionEvent {
        self.session.apply(command).unwrap_or_else(|e| panic!("{e}"))
    }

    fn refused(&self, command: C) -> ripple::error::ApiError {
        self.session.apply(command).expect_err("the command is refused")
    }

    /// Joins from unit `unit` and returns the token.
    fn join(&self, name: Option<&str>, unit: &str, manager: bool) -> String {
        match self.apply(C::Join { code: self.code.clone(), name: name.map(Into::into), unit: unit.into(), manager, client: None }) {
            SessionEvent::ParticipantJoined { token: Some(token), .. } => token,
            other => panic!("{other:?}"),
        }
    }

    fn submit(&self, token: &str, submission: &str, answer: Answer) -> Result<SessionEvent, ripple::error::ApiError> {
        self.session.apply(C::Submit { token: token.into(), submission: submission.into(), answer })
    }

    fn receipt(&self, token: &str, submission: &str, answer: Answer) -> Receipt {
        match self.submit(token, submission, answer).unwrap_or_else(|e| panic!("{e}")) {
            SessionEvent::AnswersChanged { receipt, .. } => receipt,
            other => panic!("{other:?}"),
        }
    }

    /// The room as another connection reads it from the file.
    fn stored(&self) -> ripple::store::StoredRoom {
        Store::open(&self.db).unwrap().load_room(self.id, || panic!("the code exists")).unwrap()
    }
}

fn customers(list: &[(&str, u8, &str)]) -> Answer {
    Answer::Customers {
        customers: list
            .iter()
            .map(|(unit, rating, need)| CustomerAnswer {
                customer: CustomerRef::Unit((*unit).into()),
                needs: vec![Need { text: (*need).into(), category: NeedCategory::Quality }],
                two_way: TwoWay::Yes,
                rating: *rating,
            })
            .collect(),
    }
}

fn thanks(unit: &str, message: &str) -> Answer {
    Answer::Thanks { unit: unit.into(), message: message.into() }
}

const ID1: &str = "0b7e7c2a-0000-4000-8000-000000000001";
const ID2: &str = "0b7e7c2a-0000-4000-8000-000000000002";
const ID3: &str = "0b7e7c2a-0000-4000-8000-000000000003";

#[test]
fn joining_with_a_wrong_code_is_refused_and_stores_no_one() {
    let f = live();
    let wrong = if f.code == "ABCDEF" { "ABCDEG" } else { "ABCDEF" };
    let e = f.refused(C::Join { code: wrong.into(), name: Some("Ada".into()), unit: "finance".into(), manager: false, client: None });
    assert_eq!(e.code, "bad_code");
    assert!(f.stored().participants.is_empty());
    assert_eq!(f.session.participation().unwrap().results.attendees, 0);
}

#[test]
fn the_code_is_six_unambiguous_characters_typed_in_any_case_and_stable_across_restarts() {
    let f = live();
    assert_eq!(f.code.len(), 6);
    assert!(f.code.chars().all(|c| participants::CODE_ALPHABET.contains(&(c as u8))), "{}", f.code);
    f.apply(C::Join { code: format!(" {} ", f.code.to_lowercase()), name: None, unit: "finance".into(), manager: false, client: None });
    let Fixture { _dir, db, id, session, code } = f;
    drop(session);
    let again = WorkshopSession::start(Store::open(&db).unwrap(), id).unwrap();
    assert_eq!(again.participation().unwrap().code, code);
}

#[test]
fn joining_names_the_participant_or_leaves_them_anonymous_and_checks_the_unit() {
    let f = live();
    let event = f.apply(C::Join { code: f.code.clone(), name: Some("  Ada\u{7} ".into()), unit: "finance".into(), manager: true, client: None });
    let SessionEvent::ParticipantJoined { participant, attendees, .. } = event else { panic!() };
    assert_eq!((participant.name.as_deref(), participant.unit.as_str(), participant.manager, attendees), (Some("Ada"), "finance", true, 1));
    let SessionEvent::ParticipantJoined { participant, attendees, .. } =
        f.apply(C::Join { code: f.code.clone(), name: Some("   ".into()), unit: "finance".into(), manager: false, client: None })
    else {
        panic!()
    };
    assert_eq!((participant.name, attendees), (None, 2), "a blank name is anonymous");
    let e = f.refused(C::Join { code: f.code.clone(), name: None, unit: "nowhere".into(), manager: false, client: None });
    assert_eq!(e.code, "unknown_unit");
    assert!(e.message.starts_with("unit:"), "{}", e.message);
    let e = f.refused(C::Join { code: f.code.clone(), name: Some("x".repeat(61)), unit: "finance".into(), manager: false, client: None });
    assert_eq!((e.code.as_str(), e.message.as_str()), ("invalid_input", "name: at most 60 characters (got 61)"));
    assert_eq!(f.stored().participants.len(), 2);
}

#[test]
fn subscribers_hear_a_join_without_the_token_and_the_database_keeps_only_its_hash() {
    let f = live();
    let events = f.session.subscribe();
    let token = f.join(Some("Ada"), "finance", false);
    match events.try_recv().unwrap() {
        SessionEvent::ParticipantJoined { token: None, attendees: 1, .. } => {}
        other => panic!("{other:?}"),
    }
    let heard = serde_json::to_string(&f.session.participation().unwrap()).unwrap();
    assert!(!heard.contains(&token));
    let (_, hash) = &f.stored().participants[0];
    assert_eq!(*hash, participants::token_hash(&token));
    for file in [f.db.clone(), f.db.with_extension("db-wal")] {
        let raw = std::fs::read(&file).unwrap_or_default();
        assert!(!raw.windows(token.len()).any(|w| w == token.as_bytes()), "the token itself is not in {}", file.display());
    }
}

#[test]
fn a_forged_or_unknown_token_is_refused_as_bad_token() {
    let f = live();
    let token = f.join(Some("Ada"), "finance", false);
    let mut forged = token.clone();
    forged.replace_range(0..1, if token.starts_with('0') { "1" } else { "0" });
    let hash = participants::token_hash(&token);
    for bad in [forged.as_str(), "", "not-a-token", hash.as_str()] {
        let e = f.submit(bad, ID1, thanks("it", "Thank you")).unwrap_err();
        assert_eq!(e.code, "bad_token", "{bad}");
    }
    // A token of another workshop in the same file grants nothing here.
    let mut store = Store::open(&f.db).unwrap();
    let other = store.create_workshop("Other", &ripple::workshop::demo_map()).unwrap();
    let other_session = WorkshopSession::start(store, other).unwrap();
    let other_code = other_session.participation().unwrap().code;
    assert_ne!(other_code, f.code);
    assert_eq!(f.refused(C::Join { code: other_code, name: None, unit: "finance".into(), manager: false, client: None }).code, "bad_code");
    assert!(f.stored().answers.is_empty());
}

#[test]
fn oversized_or_out_of_range_answers_are_refused_naming_the_field_and_change_nothing() {
    let f = live();
    let token = f.join(None, "finance", true);
    f.receipt(&token, ID1, customers(&[("it", 7, "Laptops that work")]));
    let before = f.stored();
    let cases: Vec<(Answer, &str, &str)> = vec![
        (customers(&[("it", 7, "n".repeat(281).as_str())]), "invalid_input", "customers[0].needs[0].text: at most 280 characters (got 281)"),
        (customers(&[("it", 11, "x")]), "invalid_input", "customers[0].rating: a rating is from 1 to 10 (got 11)"),
        (customers(&[("it", 0, "x")]), "invalid_input", "customers[0].rating: a rating is from 1 to 10 (got 0)"),
        (customers(&[("it", 5, "x"), ("nowhere", 5, "x")]), "unknown_unit", "customers[1].customer: there is no unit 'nowhere' in the map"),
        (customers(&[("it", 5, "x"), ("it", 5, "y")]), "invalid_input", "customers[1].customer: this customer is named twice"),
        (customers(&[("it", 5, "  ")]), "invalid_input", "customers[0].needs[0].text: must not be empty"),
        (thanks("it", &"t".repeat(281)), "invalid_input", "message: at most 280 characters (got 281)"),
        (thanks("nowhere", "Thanks"), "unknown_unit", "unit: there is no unit 'nowhere' in the map"),
        (
            Answer::ReceivedRating { unit: "it".into(), rating: 4, comment: "c".repeat(281) },
            "invalid_input",
            "comment: at most 280 characters (got 281)",
        ),
        (Answer::Manager { morale: "m".repeat(1001), team: String::new() }, "invalid_input", "morale: at most 1000 characters (got 1001)"),
    ];
    for (i, (answer, code, message)) in cases.into_iter().enumerate() {
        let e = f.submit(&token, &format!("{ID2}-{i}"), answer).unwrap_err();
        assert_eq!((e.code.as_str(), e.message.as_str()), (code, message));
    }
    let many: Vec<(&str, u8, &str)> = std::iter::repeat_n(("it", 5, "x"), 21).collect();
    let e = f.submit(&token, ID3, customers(&many)).unwrap_err();
    assert_eq!(e.message, "customers: at most 20 internal customers (got 21)");
    let e = f.submit(&token, "bad id!", thanks("it", "x")).unwrap_err();
    assert!(e.message.starts_with("submission:"), "{}", e.message);
    assert_eq!(f.stored(), before, "nothing already saved is lost or changed");
}

#[test]
fn wrong_types_are_refused_as_bad_request_naming_what_is_wrong() {
    let parse = |json: &str| participants::parse::<C>(json).unwrap_err();
    let ok = r#"{"type":"submit","token":"t","submission":"s","answer":{"question":"thanks","unit":"it","message":"hi"}}"#;
    participants::parse::<C>(ok).unwrap();
    for (json, says) in [
        (r#"{"type":"submit","token":"t","submission":"s","answer":{"question":"received_rating","unit":"it","rating":"ten"}}"#, "invalid type"),
        (r#"{"type":"submit","token":"t","submission":"s","answer":{"question":"received_rating","unit":"it","rating":-1}}"#, "invalid value"),
        (r#"{"type":"submit","token":"t","submission":"s","answer":{"question":"received_rating","unit":"it","rating":300}}"#, "invalid value"),
        (r#"{"type":"submit","token":"t","submission":"s","answer":{"question":"thanks","unit":"it"}}"#, "missing field `message`"),
        (r#"{"type":"submit","token":"t","submission":"s","answer":{"question":"gossip"}}"#, "unknown variant `gossip`"),
        (
            r#"{"type":"submit","token":"t","submission":"s","answer":{"question":"customers","customers":[{"customer":{"unit":"it"},"two_way":"maybe","rating":5}]}}"#,
            "unknown variant `maybe`",
        ),
        (
            r#"{"type":"submit","token":"t","submission":"s","answer":{"question":"customers","customers":[{"customer":{"unit":"it"},"two_way":"yes","rating":5,"needs":[{"text":"x","category":"speed"}]}]}}"#,
            "unknown variant `speed`",
        ),
        (r#"{"type":"join","code":7,"name":null,"unit":"it"}"#, "invalid type"),
        (r#"{"type":"submit""#, "EOF"),
    ] {
        let e = parse(json);
        assert_eq!(e.code, "bad_request", "{json}");
        assert!(e.message.contains(says), "{json}: {}", e.message);
    }
}

#[test]
fn markup_in_every_text_field_is_stored_as_text_and_comes_back_unchanged() {
    let f = live();
    let script = "<script>alert('x')</script> & <b>bold</b>";
    let SessionEvent::ParticipantJoined { token: Some(token), participant, .. } =
        f.apply(C::Join { code: f.code.clone(), name: Some("<i>Ada</i>".into()), unit: "finance".into(), manager: true, client: None })
    else {
        panic!()
    };
    assert_eq!(participant.name.as_deref(), Some("<i>Ada</i>"));
    let typed = Answer::Customers {
        customers: vec![CustomerAnswer {
            customer: CustomerRef::Proposed("<img src=x onerror=alert(1)>".into()),
            needs: vec![Need { text: script.into(), category: NeedCategory::Time }],
            two_way: TwoWay::Sometimes,
            rating: 6,
        }],
    };
    let answers = [
        typed,
        thanks("it", script),
        Answer::ReceivedRating { unit: "it".into(), rating: 9, comment: script.into() },
        Answer::Manager { morale: script.into(), team: format!("{script}\n{script}") },
    ];
    for (i, answer) in answers.iter().enumerate() {
        f.receipt(&token, &format!("{ID1}-{i}"), answer.clone());
    }
    let stored = f.stored();
    assert_eq!(stored.participants[0].0.name.as_deref(), Some("<i>Ada</i>"));
    for answer in &answers {
        assert!(stored.answers.iter().any(|(_, a)| a == answer), "{answer:?}");
    }
    let results = f.session.participation().unwrap().results;
    assert_eq!(results.thanks[0].message, script);
    assert_eq!(results.proposed[0].name, "<img src=x onerror=alert(1)>");
}

#[test]
fn a_resent_submission_is_stored_once_and_gets_the_same_receipt() {
    let f = live();
    let token = f.join(Some("Ada"), "finance", false);
    let events = f.session.subscribe();
    let first = f.receipt(&token, ID1, customers(&[("it", 7, "Laptops")]));
    assert!(matches!(events.try_recv(), Ok(SessionEvent::AnswersChanged { .. })));
    let seq = f.session.state().unwrap().seq;
    // The phone did not hear back and sends it again, even with other content.
    for again in [customers(&[("it", 7, "Laptops")]), customers(&[("it", 2, "Different")])] {
        assert_eq!(f.receipt(&token, ID1, again), first);
    }
    assert_eq!(events.try_recv(), Err(TryRecvError::Empty), "a re-send changes nothing, so no one hears of it");
    assert_eq!(f.session.state().unwrap().seq, seq);
    let stored = f.stored();
    assert_eq!(stored.answers, [(first.participant, customers(&[("it", 7, "Laptops")]))]);
    assert_eq!(f.session.participation().unwrap().results.ratings.total, 1);
}

#[test]
fn an_answer_can_be_edited_until_the_round_closes() {
    let f = live();
    let token = f.join(Some("Ada"), "finance", false);
    f.receipt(&token, ID1, customers(&[("it", 3, "Laptops")]));
    let newer = f.receipt(&token, ID2, customers(&[("it", 8, "Laptops"), ("hr", 6, "Payslips")]));
    assert_eq!(newer.question, "customers");
    let stored = f.stored();
    assert_eq!(stored.answers.len(), 1, "the newer answer replaced the older one");
    assert_eq!(stored.answers[0].1, customers(&[("it", 8, "Laptops"), ("hr", 6, "Payslips")]));
    // A late re-send of the older submission does not bring it back.
    f.receipt(&token, ID1, customers(&[("it", 3, "Laptops")]));
    assert_eq!(f.stored().answers, stored.answers);

    f.apply(C::CloseRound { round: Round::SelfAssessment });
    let e = f.submit(&token, ID3, customers(&[("it", 1, "Anything")])).unwrap_err();
    assert_eq!(e.code, "round_closed");
    assert_eq!(f.receipt(&token, ID2, customers(&[])), newer, "what was stored is still acknowledged after closing");
    f.receipt(&token, "thanks-0001", thanks("it", "Thank you")); // the thanks round is still open
    assert_eq!(f.stored().answers.len(), 2);
    f.apply(C::OpenRound { round: Round::SelfAssessment });
    f.receipt(&token, ID3, customers(&[("it", 1, "Anything")]));
}

#[test]
fn a_round_is_closed_until_the_trainer_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = api::open_app_store(&dir.path().join("r.db")).unwrap();
    let id = store.list_workshops().unwrap()[0].id;
    let session = WorkshopSession::start(store, id).unwrap();
    let p = session.participation().unwrap();
    assert!(!p.rounds.self_assessment && !p.rounds.thanks);
    let SessionEvent::ParticipantJoined { token: Some(token), .. } =
        session.apply(C::Join { code: p.code, name: None, unit: "finance".into(), manager: false, client: None }).unwrap()
    else {
        panic!()
    };
    let e = session.apply(C::Submit { token, submission: ID1.into(), answer: thanks("it", "Thanks") }).unwrap_err();
    assert_eq!((e.code.as_str(), e.message.as_str()), ("round_closed", "the thanks round is closed; answers can no longer change"));
}

#[test]
fn resetting_a_round_deletes_its_answers_and_keeps_the_participants_and_the_other_round() {
    let f = live();
    let a = f.join(Some("Ada"), "finance", false);
    let b = f.join(None, "it", false);
    f.receipt(&a, ID1, customers(&[("it", 7, "Laptops")]));
    f.receipt(&b, ID1, customers(&[("finance", 4, "Budgets")]));
    f.receipt(&b, ID2, thanks("finance", "Thanks for the budget"));
    let events = f.session.subscribe();
    let event = f.apply(C::ResetRound { round: Round::SelfAssessment });
    let SessionEvent::RoundChanged { rounds, reset, .. } = &event else { panic!("{event:?}") };
    assert!(rounds.self_assessment, "a reset round stays open");
    assert_eq!(*reset, Some(Round::SelfAssessment));
    let results = f.session.participation().unwrap().results;
    assert_eq!((results.attendees, results.ratings.total, results.thanks.len()), (2, 0, 1));
    assert_eq!(events.try_recv().unwrap(), event);
    let stored = f.stored();
    assert_eq!(stored.participants.len(), 2);
    assert_eq!(stored.answers, [(2, thanks("finance", "Thanks for the budget"))]);
    // Answering again after the reset works with a new submission id.
    f.receipt(&a, ID3, customers(&[("it", 9, "Laptops")]));
    assert_eq!(f.session.participation().unwrap().results.ratings.total, 1);
}

#[test]
fn every_stored_answer_is_heard_and_counted_in_the_live_results() {
    let f = live();
    let events = f.session.subscribe();
    let a = f.join(Some("Ada"), "finance", false);
    let b = f.join(Some("Bo"), "it", false);
    f.receipt(&a, ID1, customers(&[("it", 4, "Laptops")]));
    f.receipt(&b, ID1, Answer::ReceivedRating { unit: "finance".into(), rating: 8, comment: String::new() });
    let heard: Vec<SessionEvent> = events.try_iter().collect();
    assert_eq!(heard.iter().map(SessionEvent::seq).collect::<Vec<_>>(), [3, 4, 5, 6], "after opening two rounds");
    let SessionEvent::AnswersChanged { receipt, .. } = heard.last().unwrap() else { panic!() };
    assert_eq!(receipt.question, "received_rating:finance");
    let results = f.session.participation().unwrap().results;
    assert_eq!(results.attendees, 2);
    assert_eq!(results.ratings.average, Some(4.0));
    let finance = results.units.iter().find(|u| u.unit == "finance").unwrap();
    assert_eq!((finance.self_average, finance.received_average), (Some(4.0), Some(8.0)));
    assert_eq!(results.edges[0].provider, "finance");
}

#[test]
fn a_typed_customer_that_names_a_unit_becomes_that_unit_and_others_are_proposed() {
    let f = live();
    let token = f.join(None, "finance", false);
    let name_of_it = ripple::workshop::demo_map().unit("it").unwrap().name.clone();
    let typed = |name: &str| CustomerAnswer {
        customer: CustomerRef::Proposed(name.into()),
        needs: vec![],
        two_way: TwoWay::No,
        rating: 5,
    };
    f.receipt(&token, ID1, Answer::Customers { customers: vec![typed(&name_of_it.to_uppercase()), typed(" Night  shift ")] });
    let Answer::Customers { customers } = &f.stored().answers[0].1 else { panic!() };
    assert_eq!(customers[0].customer, CustomerRef::Unit("it".into()));
    assert_eq!(customers[1].customer, CustomerRef::Proposed("Night  shift".into()));
    assert_eq!(f.session.participation().unwrap().results.proposed[0].mentions, 1);
}

#[test]
fn only_managers_answer_the_managers_questions() {
    let f = live();
    let staff = f.join(None, "finance", false);
    let manager = f.join(None, "finance", true);
    let answer = Answer::Manager { morale: "It drains people.".into(), team: "Meet monthly.".into() };
    assert_eq!(f.submit(&staff, ID1, answer.clone()).unwrap_err().code, "not_a_manager");
    f.receipt(&manager, ID1, answer);
}

#[test]
fn an_acknowledged_answer_is_in_the_file_after_the_session_is_dropped_and_the_token_still_works() {
    let f = live();
    let token = f.join(Some("Ada"), "finance", false);
    let receipt = f.receipt(&token, ID1, customers(&[("it", 7, "Laptops")]));
    let Fixture { _dir, db, id, session, .. } = f;
    drop(session);
    let mut store = Store::open(&db).unwrap();
    store.integrity_check().unwrap();
    let room = store.load_room(id, || panic!("the code exists")).unwrap();
    assert_eq!(room.answers, [(receipt.participant, customers(&[("it", 7, "Laptops")]))]);
    assert!(room.rounds.self_assessment, "the open round is remembered");
    let session = WorkshopSession::start(store, id).unwrap();
    assert_eq!(session.participation().unwrap().results.ratings.total, 1);
    let resent = session.apply(C::Submit { token: token.clone(), submission: ID1.into(), answer: customers(&[]) }).unwrap();
    assert!(matches!(resent, SessionEvent::AnswersChanged { receipt: r, .. } if r == receipt), "the phone's re-send after a restart");
    session.apply(C::Submit { token, submission: ID2.into(), answer: thanks("it", "Thanks") }).unwrap();
}

#[test]
fn deleting_the_workshop_deletes_its_participants_and_answers() {
    let f = live();
    let token = f.join(Some("Ada"), "finance", false);
    f.receipt(&token, ID1, customers(&[("it", 7, "Laptops")]));
    let Fixture { _dir, db, id, session, .. } = f;
    drop(session);
    Store::open(&db).unwrap().delete_workshop(id).unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    for table in ["participant", "answer", "submission", "round", "session_code"] {
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap();
        assert_eq!(n, 0, "{table}");
    }
}

#[test]
fn a_participant_resumes_with_their_token_and_sees_their_own_answers_only() {
    let f = live();
    let a = f.join(Some("Ada"), "finance", false);
    let b = f.join(Some("Bo"), "it", false);
    f.receipt(&a, ID1, thanks("it", "Thanks, IT"));
    f.receipt(&a, ID2, customers(&[("it", 7, "Laptops")]));
    f.receipt(&b, ID1, thanks("finance", "Thanks, Finance"));
    let me = f.session.participant(&a).unwrap();
    assert_eq!(me.participant.name.as_deref(), Some("Ada"));
    assert!(me.rounds.self_assessment && me.rounds.thanks);
    assert_eq!(me.answers, [customers(&[("it", 7, "Laptops")]), thanks("it", "Thanks, IT")]);
    assert_eq!(f.session.participant("forged").unwrap_err().code, "bad_token");
}

#[test]
fn an_edited_thanks_note_or_typed_customer_is_shown_once_in_its_newer_form() {
    let f = live();
    let token = f.join(None, "finance", false);
    f.receipt(&token, ID1, thanks("it", "Thanks"));
    f.receipt(&token, ID2, thanks("it", "Thanks a lot"));
    let typed = |name: &str| Answer::Customers {
        customers: vec![CustomerAnswer { customer: CustomerRef::Proposed(name.into()), needs: vec![], two_way: TwoWay::No, rating: 5 }],
    };
    f.receipt(&token, ID3, typed("Night shift"));
    f.receipt(&token, "0b7e7c2a-0000-4000-8000-000000000004", typed("Night crew"));
    let results = f.session.participation().unwrap().results;
    assert_eq!(results.thanks.iter().map(|t| t.message.as_str()).collect::<Vec<_>>(), ["Thanks a lot"]);
    assert_eq!(results.proposed.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Night crew"]);
    assert_eq!(results.ratings.total, 1);
}

#[test]
fn the_trainer_accepts_a_proposed_unit_and_the_answers_naming_it_now_name_the_unit() {
    let f = live();
    let a = f.join(Some("Ada"), "finance", false);
    let b = f.join(Some("Bo"), "it", false);
    let proposed = |name: &str, rating| Answer::Customers {
        customers: vec![CustomerAnswer { customer: CustomerRef::Proposed(name.into()), needs: vec![], two_way: TwoWay::Yes, rating }],
    };
    f.receipt(&a, ID1, proposed("Night shift", 4));
    f.receipt(&b, ID1, proposed("night SHIFT", 8));
    assert_eq!(f.session.participation().unwrap().results.proposed[0].mentions, 2);
    let event = f.apply(C::AcceptProposedUnit { name: " Night Shift ".into(), kind: ripple::org::UnitKind::Frontline });
    let SessionEvent::MapChanged { map, .. } = event else { panic!("{event:?}") };
    let unit = map.unit("night-shift").expect("the unit is in the map");
    assert_eq!((unit.name.as_str(), unit.kind), ("Night Shift", ripple::org::UnitKind::Frontline));
    let results = f.session.participation().unwrap().results;
    assert!(results.proposed.is_empty(), "{:?}", results.proposed);
    let edges: Vec<_> = results.edges.iter().filter(|e| e.customer == CustomerRef::Unit("night-shift".into())).collect();
    assert_eq!(edges.len(), 2, "{:?}", results.edges);
    // Saved: a fresh session reads the unit and the rewritten answers from the file.
    let stored = f.stored();
    assert!(stored.answers.iter().all(|(_, answer)| matches!(answer,
        Answer::Customers { customers } if customers[0].customer == CustomerRef::Unit("night-shift".into()))));
    assert!(Store::open(&f.db).unwrap().load_map(f.id).unwrap().unit("night-shift").is_some());
    // A second proposal with the same name as an existing unit's id gets its own id.
    f.receipt(&a, ID2, proposed("Night-shift crew", 5));
    let refused = f.refused(C::AcceptProposedUnit { name: "Nobody proposed this".into(), kind: ripple::org::UnitKind::Support });
    assert_eq!(refused.code, "not_found");
}

#[test]
fn a_join_re_sent_by_the_same_phone_finds_its_participant_with_a_fresh_token() {
    let f = live();
    let join = |client: &str| C::Join {
        code: f.code.clone(),
        name: Some("Ada".into()),
        unit: "finance".into(),
        manager: false,
        client: Some(client.into()),
    };
    let SessionEvent::ParticipantJoined { participant, token: Some(first), .. } = f.apply(join("phone-0001")) else { panic!() };
    f.receipt(&first, ID1, customers(&[("it", 7, "Laptops")]));
    // The reply was lost; the phone asks again with the same id.
    let SessionEvent::ParticipantJoined { participant: again, attendees, token: Some(second), .. } = f.apply(join("phone-0001")) else {
        panic!()
    };
    assert_eq!((again.id, attendees), (participant.id, 1), "no second attendee");
    assert_ne!(first, second);
    assert_eq!(f.submit(&first, ID2, customers(&[("it", 1, "x")])).unwrap_err().code, "bad_token", "only the newest token holds");
    assert_eq!(f.session.participant(&second).unwrap().answers.len(), 1, "the answers stay with the participant");
    // Another phone is another participant; a malformed id is refused by name.
    let SessionEvent::ParticipantJoined { attendees, .. } = f.apply(join("phone-0002")) else { panic!() };
    assert_eq!(attendees, 2);
    assert!(f.refused(join("no")).message.starts_with("client:"));
    // Known after a restart too: the id's hash is in the file.
    assert_eq!(f.stored().clients.len(), 2);
}
