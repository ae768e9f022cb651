//! The Engagement Cycle through the workshop's session, a real SQLite file and the
//! real participants' server: templates brought into a workshop, the walkthrough,
//! needs proposed and voted on from phones, the trainer's decisions becoming links of
//! the map, findings, and everything back after a restart.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use ripple::api;
use ripple::cycle::{CycleNeed, CyclePhase, NeedDecision, NeedDraft, ProposalStatus};
use ripple::participants::{Answer, CustomerAnswer, CustomerRef, NeedCategory, Round, TwoWay};
use ripple::server::{limits::Limits, ParticipantServer, ServerConfig};
use ripple::session::{SessionCommand as C, SessionEvent, WorkshopSession};
use ripple::store::Store;

struct Room {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    id: i64,
    session: WorkshopSession,
}

/// The demo workshop, live, with the repair call's cycle added.
fn room() -> Room {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ripple.db");
    let store = api::open_app_store(&db).unwrap();
    let id = store.list_workshops().unwrap()[0].id;
    let session = WorkshopSession::start(store, id).unwrap();
    session.apply(C::AddCycleFromTemplate { template: "repair-call".into() }).unwrap();
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

    fn propose(&self, token: &str, submission: &str, stage: u32, provider: Option<&str>, what: &str) -> Result<SessionEvent, ripple::error::ApiError> {
        self.session.apply(C::ProposeNeed {
            token: token.into(),
            submission: submission.into(),
            stage,
            need: NeedDraft { provider: provider.map(str::to_owned), what: what.into(), category: NeedCategory::Time, standard: "by noon".into() },
        })
    }

    fn vote(&self, token: &str, submission: &str, proposal: u32, vote: bool) -> Result<SessionEvent, ripple::error::ApiError> {
        self.session.apply(C::VoteNeed { token: token.into(), submission: submission.into(), proposal, vote })
    }

    fn restart(self) -> Room {
        let Room { _dir, db, id, session } = self;
        drop(session);
        let session = WorkshopSession::start(Store::open(&db).unwrap(), id).unwrap();
        Room { _dir, db, id, session }
    }
}

#[test]
fn a_template_joins_the_workshop_with_its_needs_as_links_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ripple.db");
    let store = api::open_app_store(&db).unwrap();
    let id = store.list_workshops().unwrap()[0].id;
    let session = WorkshopSession::start(store, id).unwrap();
    let before = session.state().unwrap().map;
    let event = session.apply(C::AddCycleFromTemplate { template: "repair-call".into() }).unwrap();
    let SessionEvent::CyclesChanged { cycles, map: Some(map), walk: None, .. } = event else { panic!("{event:?}") };
    assert_eq!(cycles.len(), 1);
    assert_eq!((cycles[0].id, cycles[0].name.as_str(), cycles[0].customer.as_str()), (1, "A repair call", "households"));
    // The demo map already has the template's units (same ids): none is added twice.
    assert_eq!(map.units.len(), before.units.len());
    for (_, need) in cycles[0].needs() {
        if let Some(p) = &need.provider {
            assert!(map.links.iter().any(|l| l.provider == *p && l.customer == need.customer), "{p} → {}", need.customer);
        }
    }
    assert!(map.links.len() > before.links.len(), "missing links were created");
    drop(session);
    let session = WorkshopSession::start(Store::open(&db).unwrap(), id).unwrap();
    let state = session.state().unwrap();
    assert_eq!(state.cycles, cycles);
    assert_eq!(state.map, map);
}

#[test]
fn a_template_on_a_map_without_its_units_adds_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ripple.db");
    let store = api::open_app_store(&db).unwrap();
    let id = store.list_workshops().unwrap()[0].id;
    let session = WorkshopSession::start(Store::open(&db).unwrap(), id).unwrap();
    let event = session.apply(C::AddCycleFromTemplate { template: "insurance-claim".into() }).unwrap();
    let SessionEvent::CyclesChanged { map: Some(map), .. } = event else { panic!("{event:?}") };
    for unit in ["policyholders", "claims-line", "loss-adjusters", "fraud-checks"] {
        assert!(map.unit(unit).is_some(), "{unit} joined the map");
    }
    assert!(map.unit("it").is_some() && map.units.iter().filter(|u| u.id == "it").count() == 1, "IT is the demo's IT");
    drop(session);
    assert_eq!(store.load_map(id).unwrap(), map);
    let unknown = WorkshopSession::start(Store::open(&db).unwrap(), id).unwrap().apply(C::AddCycleFromTemplate { template: "moon-base".into() }).unwrap_err();
    assert_eq!(unknown.code, "not_found");
    assert!(unknown.message.contains("moon-base"));
    store.integrity_check().unwrap();
}

#[test]
fn the_walkthrough_reveals_a_stage_then_its_needs_and_phones_see_only_what_is_shown() {
    let r = room();
    let ana = r.join("Ana", "customer-service");
    assert!(r.session.participant(&ana).unwrap().cycle.is_none(), "nothing before the walkthrough starts");
    r.session.apply(C::WalkCycle { cycle: Some(1), stage: None }).unwrap();
    let phone = r.session.participant(&ana).unwrap().cycle.unwrap();
    assert_eq!((phone.stage.title.as_str(), phone.position, phone.stages, phone.needs_shown), ("Reporting the fault", 1, 5, false));
    assert!(phone.stage.needs.is_empty(), "needs stay hidden until revealed");
    r.session.apply(C::StepCycle { forward: true }).unwrap();
    let phone = r.session.participant(&ana).unwrap().cycle.unwrap();
    assert!(phone.needs_shown && phone.stage.needs.len() == 2);
    let mut titles = vec![phone.stage.title.clone()];
    while r.session.apply(C::StepCycle { forward: true }).is_ok() {
        let t = r.session.participant(&ana).unwrap().cycle.unwrap().stage.title;
        if titles.last() != Some(&t) {
            titles.push(t);
        }
    }
    assert_eq!(titles, ["Reporting the fault", "Booking the visit", "The repair", "The invoice", "Quarterly satisfaction follow-up"]);
    let end = r.session.apply(C::StepCycle { forward: true }).unwrap_err();
    assert_eq!(end.code, "no_next_stage");
    // The place is kept across a restart.
    let r = r.restart();
    let walk = r.session.participation().unwrap().cycles.walk.unwrap();
    assert_eq!((walk.stage, walk.needs_shown, walk.findings_shown), (5, true, true), "the findings close the walkthrough");
    r.session.apply(C::WalkCycle { cycle: None, stage: None }).unwrap();
    assert!(r.session.participant(&ana).unwrap().cycle.is_none());
}

#[test]
fn needs_proposed_and_voted_on_from_phones_are_kept_once_and_only_at_the_stage_on_screen() {
    let r = room();
    let ana = r.join("Ana", "field-engineers");
    let bo = r.join("Bo", "customer-service");
    r.session.apply(C::WalkCycle { cycle: Some(1), stage: Some(3) }).unwrap();
    let closed = r.propose(&ana, "need-ana-01", 2, Some("dispatch"), "Traffic news").unwrap_err();
    assert_eq!(closed.code, "stage_closed");
    r.propose(&ana, "need-ana-01", 3, Some("dispatch"), "Traffic news for the route").unwrap();
    r.propose(&ana, "need-ana-01", 3, Some("dispatch"), "Traffic news for the route").unwrap();
    r.propose(&bo, "need-bo-001", 3, None, "Who tells the customer about delays").unwrap();
    let bad = r.propose(&bo, "need-bo-002", 3, Some("moon-base"), "x").unwrap_err();
    assert_eq!(bad.code, "unknown_unit");
    assert!(bad.message.contains("need: provider") && bad.message.contains("moon-base"), "{}", bad.message);
    let proposals = r.session.participation().unwrap().cycles.proposals;
    assert_eq!(proposals.len(), 2, "a re-sent proposal is stored once");
    assert_eq!(proposals[0].need.customer, "field-engineers", "the proposer's unit is the customer");
    assert_eq!(proposals[0].voters.len(), 1, "proposing counts as a vote");

    r.vote(&bo, "vote-bo-0001", 1, true).unwrap();
    r.vote(&bo, "vote-bo-0001", 1, true).unwrap();
    r.vote(&ana, "vote-ana-001", 2, true).unwrap();
    let phone = r.session.participant(&bo).unwrap().cycle.unwrap();
    let votes: Vec<(u32, u32, bool, bool)> = phone.proposals.iter().map(|p| (p.id, p.votes, p.voted, p.mine)).collect();
    assert_eq!(votes, [(1, 2, true, false), (2, 2, true, true)]);
    r.vote(&bo, "vote-bo-0002", 1, false).unwrap();
    assert_eq!(r.session.participation().unwrap().cycles.proposals[0].voters.len(), 1, "a vote taken back");

    // Everything is in the file: after a restart the room sees the same.
    let r = r.restart();
    let after = r.session.participation().unwrap().cycles.proposals;
    assert_eq!(after.iter().map(|p| (p.id, p.voters.len())).collect::<Vec<_>>(), [(1, 1), (2, 2)]);
    r.vote(&bo, "vote-bo-0001", 1, true).unwrap();
    assert_eq!(r.session.participation().unwrap().cycles.proposals[0].voters.len(), 1, "a re-sent vote changes nothing, even later");
}

#[test]
fn accepted_needs_join_their_stage_and_the_map_merged_ones_give_their_votes_discarded_ones_can_come_back() {
    let r = room();
    let ana = r.join("Ana", "field-engineers");
    let bo = r.join("Bo", "field-engineers");
    let cy = r.join("Cy", "customer-service");
    r.session.apply(C::WalkCycle { cycle: Some(1), stage: Some(3) }).unwrap();
    r.propose(&ana, "need-ana-01", 3, Some("legal"), "Signed-off safety rules").unwrap();
    r.propose(&bo, "need-bo-001", 3, Some("legal"), "Safety rules approved").unwrap();
    r.propose(&cy, "need-cy-001", 3, None, "Nothing useful").unwrap();
    let map_before = r.session.state().unwrap().map;
    assert!(!map_before.links.iter().any(|l| l.provider == "legal" && l.customer == "field-engineers"));

    r.session.apply(C::DecideNeed { proposal: 2, decision: NeedDecision::Merge { into: 1 } }).unwrap();
    let event = r.session.apply(C::DecideNeed { proposal: 1, decision: NeedDecision::Accept }).unwrap();
    let SessionEvent::CyclesChanged { cycles, map: Some(map), .. } = event else { panic!("{event:?}") };
    let link = map.links.iter().find(|l| l.provider == "legal" && l.customer == "field-engineers").expect("a link for the accepted need");
    assert_eq!((link.service.as_str(), link.time.as_str()), ("Signed-off safety rules", "by noon"));
    let stage = cycles[0].stage(3).unwrap();
    assert_eq!(stage.needs.last().unwrap().what, "Signed-off safety rules");
    let proposals = r.session.participation().unwrap().cycles.proposals;
    assert_eq!(proposals[0].status, ProposalStatus::Accepted);
    assert_eq!(proposals[0].voters.len(), 2, "Bo's vote came with the merge");
    assert_eq!(proposals[1].status, ProposalStatus::Merged { into: 1 });

    let twice = r.session.apply(C::DecideNeed { proposal: 1, decision: NeedDecision::Accept }).unwrap_err();
    assert_eq!(twice.code, "already_decided");
    r.session.apply(C::DecideNeed { proposal: 3, decision: NeedDecision::Discard }).unwrap();
    let closed = r.vote(&ana, "vote-ana-003", 3, true).unwrap_err();
    assert_eq!(closed.code, "proposal_closed");
    r.session.apply(C::DecideNeed { proposal: 3, decision: NeedDecision::Reopen }).unwrap();
    r.vote(&ana, "vote-ana-004", 3, true).unwrap();
    // The phone sees accepted and open needs, not merged ones.
    let phone = r.session.participant(&cy).unwrap().cycle.unwrap();
    assert_eq!(phone.proposals.iter().map(|p| (p.id, p.accepted)).collect::<Vec<_>>(), [(1, true), (3, false)]);

    // Undo takes the accepted need's link off the map (a map edit like any other).
    r.session.apply(C::Undo).unwrap();
    assert_eq!(r.session.state().unwrap().map, map_before);
    let r = r.restart();
    assert_eq!(r.session.participation().unwrap().cycles.proposals[1].status, ProposalStatus::Merged { into: 1 });
    assert_eq!(r.session.state().unwrap().cycles[0].stage(3).unwrap().needs.len(), 5);
}

#[test]
fn findings_join_the_cycle_with_the_self_assessment() {
    let r = room();
    r.session.apply(C::OpenRound { round: Round::SelfAssessment }).unwrap();
    let before = r.session.participation().unwrap().cycles.findings;
    assert_eq!(before.len(), 1);
    let f = &before[0].findings;
    assert_eq!(f.undelivered.len(), 1, "the template's late-engineer warning has no provider");
    let silent_before = f.without_two_way.len();
    assert_eq!(silent_before, r.session.state().unwrap().cycles[0].needs().filter(|(_, n)| n.provider.is_some()).count(), "nobody answered yet");
    assert_eq!(f.busiest_stage, Some(3));
    assert_eq!(f.phases.iter().map(|p| (p.phase, p.stages)).collect::<Vec<_>>(), [
        (CyclePhase::PreService, 2),
        (CyclePhase::DuringService, 1),
        (CyclePhase::AfterService, 2)
    ]);
    // Someone in the warehouse talks with the field engineers every day.
    let dee = r.join("Dee", "warehouse");
    r.session
        .apply(C::Submit {
            token: dee,
            submission: "answer-dee-1".into(),
            answer: Answer::Customers {
                customers: vec![CustomerAnswer { customer: CustomerRef::Unit("field-engineers".into()), needs: vec![], two_way: TwoWay::Yes, rating: 8 }],
            },
        })
        .unwrap();
    let after = r.session.participation().unwrap().cycles.findings;
    assert_eq!(after[0].findings.without_two_way.len(), silent_before - 2, "the warehouse's two needs of the engineers are no longer silent");
    assert!(!after[0].findings.without_two_way.iter().any(|n| n.need.provider.as_deref() == Some("warehouse")));
}

#[test]
fn the_trainer_edits_a_cycle_and_bad_edits_are_refused_with_the_stage_named() {
    let r = room();
    let mut cycle = r.session.state().unwrap().cycles[0].clone();
    cycle.stages[1].title = "Booking a visit".into();
    cycle.stages[1].needs.push(CycleNeed {
        provider: Some("hr".into()),
        customer: "dispatch".into(),
        what: "Cover for holidays".into(),
        category: NeedCategory::Time,
        standard: String::new(),
    });
    let event = r.session.apply(C::SaveCycle { cycle: cycle.clone() }).unwrap();
    let SessionEvent::CyclesChanged { cycles, map: Some(map), .. } = event else { panic!("{event:?}") };
    assert_eq!(cycles[0].stages[1].title, "Booking a visit");
    assert!(map.links.iter().any(|l| l.provider == "hr" && l.customer == "dispatch"));

    let mut bad = cycle.clone();
    bad.stages[0].phase = CyclePhase::AfterService;
    let e = r.session.apply(C::SaveCycle { cycle: bad }).unwrap_err();
    assert_eq!(e.code, "invalid_cycle");
    assert!(e.message.contains("stage 2 ('Booking a visit')"), "{}", e.message);
    let mut bad = cycle.clone();
    bad.stages[4].moment.unit = "nobody".into();
    let e = r.session.apply(C::SaveCycle { cycle: bad }).unwrap_err();
    assert!(e.message.contains("stage 5") && e.message.contains("moment of truth") && e.message.contains("nobody"), "{}", e.message);
    assert_eq!(r.session.state().unwrap().cycles[0].stages[1].title, "Booking a visit", "nothing saved is lost");

    // A new cycle gets the next id; deleting one takes its walkthrough and proposals with it.
    let mut second = cycle.clone();
    second.id = 0;
    second.name = "Second".into();
    r.session.apply(C::SaveCycle { cycle: second }).unwrap();
    assert_eq!(r.session.state().unwrap().cycles.iter().map(|c| c.id).collect::<Vec<_>>(), [1, 2]);
    let ana = r.join("Ana", "dispatch");
    r.session.apply(C::WalkCycle { cycle: Some(2), stage: None }).unwrap();
    r.propose(&ana, "need-ana-01", 1, Some("it"), "Working radios").unwrap();
    r.session.apply(C::DeleteCycle { id: 2 }).unwrap();
    let room = r.session.participation().unwrap().cycles;
    assert!(room.walk.is_none() && room.proposals.is_empty());
    let r = r.restart();
    assert_eq!(r.session.state().unwrap().cycles.len(), 1);
}

#[test]
fn a_duplicated_workshop_keeps_its_cycles_but_not_the_rooms_proposals() {
    let r = room();
    let ana = r.join("Ana", "customer-service");
    r.session.apply(C::WalkCycle { cycle: Some(1), stage: None }).unwrap();
    r.propose(&ana, "need-ana-01", 1, Some("it"), "Headsets that work").unwrap();
    let mut store = Store::open(&r.db).unwrap();
    let copy = store.duplicate_workshop(r.id, Some("Cohort B")).unwrap();
    assert_eq!(store.load_cycles(copy).unwrap(), r.session.state().unwrap().cycles);
    assert!(store.load_proposals(copy).unwrap().is_empty());
    assert!(store.load_cycle_walk(copy).unwrap().is_none());
    store.delete_workshop(r.id).unwrap();
    assert!(store.load_cycles(r.id).unwrap().is_empty(), "deleting a workshop deletes its cycles");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_phones_propose_and_vote_over_the_server_and_hear_each_others_needs() {
    let r = room();
    r.session.apply(C::WalkCycle { cycle: Some(1), stage: Some(3) }).unwrap();
    let code = r.session.participation().unwrap().code;
    let server = ParticipantServer::start(r.session.handle(), ServerConfig { bind: "127.0.0.1:0".parse().unwrap(), limits: Limits::classroom() }).unwrap();
    let url = format!("ws://{}/ws", server.local_addr());
    let (mut ana, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    let (mut bo, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    async fn ask(socket: &mut (impl SinkExt<Message> + StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin), request: Value) -> Value {
        let _ = socket.send(Message::Text(request.to_string().into())).await;
        next(socket).await
    }
    async fn next(socket: &mut (impl StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin)) -> Value {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(5), socket.next()).await.expect("a message in time").unwrap().unwrap();
            if let Message::Text(text) = message {
                return serde_json::from_str(&text).unwrap();
            }
        }
    }
    let welcome = ask(&mut ana, json!({"type": "join", "code": code, "name": "Ana", "unit": "field-engineers"})).await;
    assert_eq!(welcome["me"]["cycle"]["stage"]["title"], "The repair", "{welcome}");
    let ana_token = welcome["token"].as_str().unwrap().to_owned();
    let welcome = ask(&mut bo, json!({"type": "join", "code": code, "name": "<b>Bo</b>", "unit": "customer-service"})).await;
    let bo_token = welcome["token"].as_str().unwrap().to_owned();

    let ack = ask(&mut ana, json!({"type": "propose_need", "token": ana_token, "submission": "need-ana-01", "stage": 3,
        "need": {"provider": "dispatch", "what": "<script>alert(1)</script> route plan", "category": "delivery", "standard": "on the van tablet"}})).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    // Bo hears of Ana's need (gathered, within the push interval) and votes for it.
    let news = loop {
        let news = next(&mut bo).await;
        if news["type"] == "welcome" && !news["me"]["cycle"]["proposals"].as_array().unwrap().is_empty() {
            break news;
        }
    };
    let proposal = &news["me"]["cycle"]["proposals"][0];
    assert_eq!(proposal["need"]["what"], "<script>alert(1)</script> route plan", "text comes back as typed, to be shown as text");
    assert_eq!((proposal["votes"].as_u64(), proposal["voted"].as_bool()), (Some(1), Some(false)));
    let ack = ask(&mut bo, json!({"type": "vote_need", "token": bo_token, "submission": "vote-bo-0001", "proposal": proposal["id"], "vote": true})).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let bad = ask(&mut bo, json!({"type": "vote_need", "token": bo_token, "submission": "vote-bo-0002", "proposal": 99, "vote": true})).await;
    assert_eq!((bad["type"].as_str(), bad["code"].as_str()), (Some("error"), Some("not_found")));
    let unknown_field = ask(&mut bo, json!({"type": "propose_need", "token": bo_token, "submission": "need-bo-0001", "stage": 3,
        "need": {"what": "x", "category": "time", "owner": "me"}})).await;
    assert!(unknown_field["message"].as_str().unwrap().contains("owner"), "{unknown_field}");
    assert_eq!(r.session.participation().unwrap().cycles.proposals[0].voters.len(), 2);
    // The trainer moves on: the phones are told at once, and the old stage takes no more needs.
    r.session.apply(C::StepCycle { forward: true }).unwrap();
    let news = loop {
        let news = next(&mut ana).await;
        if news["type"] == "welcome" && news["me"]["cycle"]["needs_shown"] == true {
            break news;
        }
    };
    assert_eq!(news["me"]["cycle"]["stage"]["needs"].as_array().unwrap().len(), 4);
    drop(server);
}
