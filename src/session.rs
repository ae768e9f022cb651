//! The one owner of a running workshop's state (DESIGN.md, "Architecture").
//!
//! A [`WorkshopSession`] runs on its own thread and takes [`SessionCommand`]s in
//! order, from the trainer's windows now and from participants later. Each command
//! is one SQLite transaction, committed before anyone hears of it; then a
//! [`SessionEvent`] goes to every subscriber and, last, the acknowledgement to the
//! caller. A command that fails changes nothing and is answered with an error.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::thread::JoinHandle;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::agenda::{Activity, ActivityDraft, ActivityId, Agenda};
use crate::cycle::{self, Cycle, CycleFindings, CycleId, CycleNeed, CycleWalk, NeedDecision, NeedDraft, NeedProposal, ProposalStatus, Stage, StageId};
use crate::error::ApiError;
use crate::layout::{Point, Positions};
use crate::game::{self, GamePhase, GameRoundId, GameRoundView, PhoneGame, Prediction, ScoredPrediction};
use crate::org::{OrgMap, ServiceLink, Unit};
use crate::participants::{
    self, Answer, CustomerRef, LiveResults, Participant, ParticipantId, Receipt, Round, RoundStates, Tally,
};
use crate::store::{NewParticipant, Store, StoreError, StoredGameRound};
use crate::workshop::WorkshopId;

/// How many of the trainer's edits can be undone.
pub const UNDO_DEPTH: usize = 50;

/// A change to a live workshop. Links are named by their position in the map's list,
/// activities by their id (which survives moves).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum SessionCommand {
    Rename { name: String },
    AddUnit { unit: Unit },
    /// Replaces the unit `id`; a new id is carried over to its links.
    UpdateUnit { id: String, unit: Unit },
    /// Removes the unit and every link to or from it.
    DeleteUnit { id: String },
    AddLink { link: ServiceLink },
    UpdateLink { index: u32, link: ServiceLink },
    DeleteLink { index: u32 },
    /// Inserts an activity at `at` (default: at the end).
    AddActivity { activity: ActivityDraft, at: Option<u32> },
    UpdateActivity { id: ActivityId, activity: ActivityDraft },
    DeleteActivity { id: ActivityId },
    MoveActivity { id: ActivityId, to: u32 },
    NextActivity,
    PreviousActivity,
    GoToActivity { id: ActivityId },
    /// Takes back the last edit to the map or the agenda (not renames, not navigation).
    Undo,
    /// Puts back the last undone edit (until a new edit is made).
    Redo,
    /// Replaces the whole map (an imported one); undoable.
    ReplaceMap { map: OrgMap },
    /// Places a unit where the trainer dropped it on the map (the layout's canvas
    /// coordinates); `None` gives it back to the automatic layout. Undoable.
    MoveUnit { id: String, position: Option<Point> },
    /// A participant joins with the session code, a name (`None`: anonymously) and
    /// their unit. The acknowledgement alone carries their token.
    Join {
        code: String,
        name: Option<String>,
        unit: String,
        #[serde(default)]
        manager: bool,
        /// The phone's own id for this join (like a submission id): a join re-sent
        /// with it finds the participant it made, with a fresh token, instead of adding one.
        #[serde(default)]
        #[ts(optional)]
        client: Option<String>,
    },
    /// A participant's answer. `submission` is the client's id for it: a re-send is
    /// stored once and acknowledged with the same receipt; a newer answer to the same
    /// question replaces the older one while the round is open.
    Submit { token: String, submission: String, answer: Answer },
    /// The trainer opens a round for answers.
    OpenRound { round: Round },
    /// The trainer closes a round: answers to it are refused (`round_closed`).
    CloseRound { round: Round },
    /// The trainer deletes every answer of a round (it stays open or closed).
    ResetRound { round: Round },
    /// The trainer starts a round of the Ripple Effect game: the incidents are dropped
    /// on the map as it is now, and participants may predict.
    StartGameRound { incidents: Vec<crate::engine::Incident> },
    /// The trainer moves a round to a phase (forward, or back to replay the ripple).
    SetGamePhase { round: GameRoundId, phase: GamePhase },
    /// A participant's prediction for the current round (while it is in its prediction
    /// phase); idempotent by `submission`, a newer one replaces the older.
    Predict { token: String, submission: String, round: GameRoundId, prediction: Prediction },
    /// The trainer accepts an internal customer participants typed (`name`, any case)
    /// as a unit of the map; the answers naming it now name the unit.
    AcceptProposedUnit { name: String, kind: crate::org::UnitKind },
    /// The trainer starts an Engagement Cycle from a shipped template (`repair-call`):
    /// its units join the map where missing, its needs become links.
    AddCycleFromTemplate { template: String },
    /// Adds (id 0) or replaces a cycle; its needs and moments of truth become links of the map.
    SaveCycle { cycle: Cycle },
    DeleteCycle { id: CycleId },
    /// Starts the walkthrough of a cycle at a stage (default: the first), or ends it (`cycle: None`).
    WalkCycle {
        cycle: Option<CycleId>,
        #[serde(default)]
        #[ts(optional)]
        stage: Option<StageId>,
    },
    /// One step of the walkthrough: the stage's needs, then the next stage (or back).
    StepCycle { forward: bool },
    /// A participant proposes a need at the stage on screen (they are its customer).
    ProposeNeed { token: String, submission: String, stage: StageId, need: NeedDraft },
    /// A participant votes for a proposed need (`vote: false` takes the vote back).
    VoteNeed { token: String, submission: String, proposal: u32, vote: bool },
    /// The trainer accepts, discards, merges or reopens a proposed need.
    DecideNeed { proposal: u32, decision: NeedDecision },
}

/// What changed, sent to every subscriber once committed; also the acknowledgement.
/// `seq` counts the changes of this session, so a window can tell if it missed one.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum SessionEvent {
    Renamed {
        #[ts(type = "number")]
        seq: u64,
        name: String,
    },
    MapChanged {
        #[ts(type = "number")]
        seq: u64,
        map: OrgMap,
    },
    AgendaChanged {
        #[ts(type = "number")]
        seq: u64,
        agenda: Agenda,
    },
    /// Someone joined. `token` is only in the joiner's own acknowledgement, never in
    /// what subscribers hear.
    ParticipantJoined {
        #[ts(type = "number")]
        seq: u64,
        participant: Participant,
        attendees: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        token: Option<String>,
    },
    /// An answer was stored. A re-sent submission is acknowledged with its original
    /// `receipt` (and the current `seq`) without any change or broadcast. The live
    /// results are not in the event: with a room answering at once, windows ask for
    /// them ([`SessionHandle::participation`]) at the pace they can draw.
    AnswersChanged {
        #[ts(type = "number")]
        seq: u64,
        receipt: Receipt,
    },
    /// The units placed by hand changed (the layout follows them).
    PositionsChanged {
        #[ts(type = "number")]
        seq: u64,
        positions: Positions,
    },
    /// A game round started or moved to another phase.
    GameChanged {
        #[ts(type = "number")]
        seq: u64,
        round: GameRoundId,
        phase: GamePhase,
    },
    /// A cycle was added, changed or deleted, the walkthrough moved, or a proposed need
    /// was decided. `map` is there when the map changed with it.
    CyclesChanged {
        #[ts(type = "number")]
        seq: u64,
        cycles: Vec<Cycle>,
        walk: Option<CycleWalk>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        map: Option<OrgMap>,
    },
    /// A round was opened, closed or reset.
    RoundChanged {
        #[ts(type = "number")]
        seq: u64,
        rounds: RoundStates,
        /// The round that was reset, if this was a reset.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        reset: Option<Round>,
    },
}

impl SessionEvent {
    pub fn seq(&self) -> u64 {
        match self {
            SessionEvent::Renamed { seq, .. }
            | SessionEvent::MapChanged { seq, .. }
            | SessionEvent::AgendaChanged { seq, .. }
            | SessionEvent::ParticipantJoined { seq, .. }
            | SessionEvent::AnswersChanged { seq, .. }
            | SessionEvent::RoundChanged { seq, .. }
            | SessionEvent::GameChanged { seq, .. }
            | SessionEvent::CyclesChanged { seq, .. }
            | SessionEvent::PositionsChanged { seq, .. } => *seq,
        }
    }

    /// The event as subscribers hear it: without a joiner's token.
    pub fn public(&self) -> SessionEvent {
        match self {
            SessionEvent::ParticipantJoined { seq, participant, attendees, .. } => SessionEvent::ParticipantJoined {
                seq: *seq,
                participant: participant.clone(),
                attendees: *attendees,
                token: None,
            },
            other => other.clone(),
        }
    }
}

/// The room of a live workshop as the trainer's windows show it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Participation {
    /// The session code participants join with.
    pub code: String,
    pub rounds: RoundStates,
    pub results: LiveResults,
    /// The latest round of the Ripple Effect game, if one was played.
    pub game: Option<GameRoundView>,
    pub cycles: CycleRoom,
    #[ts(type = "number")]
    pub seq: u64,
}

/// The Engagement Cycle walkthrough as the trainer's windows show it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CycleRoom {
    pub walk: Option<CycleWalk>,
    /// Every need the room proposed, oldest first.
    pub proposals: Vec<NeedProposal>,
    /// Each cycle's findings, in the order of the cycles.
    pub findings: Vec<CycleFindingsOf>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CycleFindingsOf {
    pub cycle: CycleId,
    pub findings: CycleFindings,
}

/// The walkthrough as a participant's phone shows it: the stage on screen and the
/// needs proposed there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PhoneCycle {
    pub cycle: CycleId,
    pub name: String,
    /// The stage on screen; its needs only once they are revealed.
    pub stage: Stage,
    /// Its place (from 1) among `stages`.
    pub position: u32,
    pub stages: u32,
    pub needs_shown: bool,
    pub proposals: Vec<PhoneProposal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PhoneProposal {
    pub id: u32,
    pub need: CycleNeed,
    pub votes: u32,
    /// This participant voted for it.
    pub voted: bool,
    /// This participant proposed it.
    pub mine: bool,
    pub accepted: bool,
}

/// Everything a window needs to draw the workshop, as of change `seq`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct WorkshopState {
    #[ts(type = "number")]
    pub id: WorkshopId,
    pub name: String,
    pub map: OrgMap,
    /// Units the trainer placed by hand (the layout's canvas coordinates).
    pub positions: Positions,
    pub agenda: Agenda,
    pub cycles: Vec<Cycle>,
    #[ts(type = "number")]
    pub seq: u64,
}

/// What a participant's phone needs to resume: who they are, which rounds are open,
/// and their answers as stored (in question order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ParticipantView {
    pub participant: Participant,
    pub rounds: RoundStates,
    pub answers: Vec<Answer>,
    /// The latest game round, as this participant sees it.
    #[serde(default)]
    pub game: Option<PhoneGame>,
    /// The Engagement Cycle walkthrough, while one runs.
    #[serde(default)]
    pub cycle: Option<PhoneCycle>,
}

/// What a session code opens: the workshop's name, its units and the rounds.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomInfo {
    pub workshop: String,
    pub map: OrgMap,
    pub rounds: RoundStates,
}

/// How an answer gets back to whoever asked: a thread waiting on a channel, or an
/// async task's oneshot.
type Reply<T> = Box<dyn FnOnce(T) + Send>;

/// A participant's change applied inside a batch, waiting for the batch's commit.
type Uncommitted = (Reply<Result<SessionEvent, ApiError>>, Result<(SessionEvent, bool), ApiError>);

/// A subscriber hears every committed change while it returns `true`.
type Subscriber = Box<dyn FnMut(&SessionEvent) -> bool + Send>;

/// The most queued participants' changes committed in one transaction.
const BATCH_MAX: usize = 256;

enum Message {
    Apply(SessionCommand, Reply<Result<SessionEvent, ApiError>>),
    Subscribe(Subscriber, Reply<WorkshopState>),
    Participation(Reply<Participation>),
    Me(String, Reply<Result<ParticipantView, ApiError>>),
    Lookup(String, Reply<Result<RoomInfo, ApiError>>),
    GameRounds(Reply<Vec<GameRoundView>>),
    Stop,
}

impl SessionCommand {
    /// Participants' changes: committed in batches when many arrive at once.
    fn batches(&self) -> bool {
        matches!(
            self,
            SessionCommand::Join { .. }
                | SessionCommand::Submit { .. }
                | SessionCommand::Predict { .. }
                | SessionCommand::ProposeNeed { .. }
                | SessionCommand::VoteNeed { .. }
        )
    }
}

/// Asks the owner thread and waits for its answer.
fn ask<T: Send + 'static>(tx: &Sender<Message>, message: impl FnOnce(Reply<T>) -> Message) -> Result<T, ApiError> {
    let (reply, answer) = channel();
    tx.send(message(Box::new(move |value| {
        let _ = reply.send(value);
    })))
    .map_err(|_| closed())?;
    answer.recv().map_err(|_| closed())
}

/// A cheap, clonable way to talk to a session from any thread.
#[derive(Clone)]
pub struct SessionHandle {
    tx: Sender<Message>,
}

fn closed() -> ApiError {
    ApiError::new("session_closed", "the workshop's session has ended")
}

impl SessionHandle {
    /// Applies a command and waits until it is committed (or refused).
    pub fn apply(&self, command: SessionCommand) -> Result<SessionEvent, ApiError> {
        ask(&self.tx, |reply| Message::Apply(command, reply))?
    }

    /// Applies a command and calls `reply` on the session's thread once it is
    /// committed (or refused); for callers that must not block (the async server).
    pub fn apply_then(&self, command: SessionCommand, reply: impl FnOnce(Result<SessionEvent, ApiError>) + Send + 'static) {
        self.tell(Message::Apply(command, Box::new(reply)));
    }

    /// Sends a message whose reply is a callback; if the session has ended, the
    /// callback hears so at once.
    fn tell(&self, message: Message) {
        if let Err(unsent) = self.tx.send(message) {
            match unsent.0 {
                Message::Apply(_, reply) => reply(Err(closed())),
                Message::Me(_, reply) => reply(Err(closed())),
                Message::Lookup(_, reply) => reply(Err(closed())),
                // The others' askers see their dropped reply channel.
                _ => {}
            }
        }
    }

    /// Every event from now on; dropping the receiver unsubscribes.
    pub fn subscribe(&self) -> Receiver<SessionEvent> {
        self.subscribe_with_state().map_or_else(|_| channel().1, |(_, events)| events)
    }

    /// The state now and every event after it, with nothing missed in between.
    pub fn subscribe_with_state(&self) -> Result<(WorkshopState, Receiver<SessionEvent>), ApiError> {
        let (events_tx, events) = channel();
        let state = self.subscribe_fn(move |event| events_tx.send(event.clone()).is_ok())?;
        Ok((state, events))
    }

    /// Calls `hear` on the session's thread with every committed change until it
    /// returns `false`; it must not block. Returns the state it starts from.
    pub fn subscribe_fn(&self, hear: impl FnMut(&SessionEvent) -> bool + Send + 'static) -> Result<WorkshopState, ApiError> {
        ask(&self.tx, |reply| Message::Subscribe(Box::new(hear), reply))
    }

    pub fn state(&self) -> Result<WorkshopState, ApiError> {
        self.subscribe_fn(|_| false)
    }

    /// The session code, the rounds and the live results now.
    pub fn participation(&self) -> Result<Participation, ApiError> {
        ask(&self.tx, Message::Participation)
    }

    /// The participant holding `token`, with their answers (`bad_token` if there is none).
    pub fn participant(&self, token: &str) -> Result<ParticipantView, ApiError> {
        ask(&self.tx, |reply| Message::Me(token.to_owned(), reply))?
    }

    /// Like [`participant`](Self::participant), answering through `reply`.
    pub fn participant_then(&self, token: &str, reply: impl FnOnce(Result<ParticipantView, ApiError>) + Send + 'static) {
        self.tell(Message::Me(token.to_owned(), Box::new(reply)));
    }

    /// What the session code `code` opens (`bad_code` if it opens nothing), through `reply`.
    pub fn lookup_then(&self, code: &str, reply: impl FnOnce(Result<RoomInfo, ApiError>) + Send + 'static) {
        self.tell(Message::Lookup(code.to_owned(), Box::new(reply)));
    }

    /// Every game round played in this workshop, oldest first (for replays).
    pub fn game_rounds(&self) -> Result<Vec<GameRoundView>, ApiError> {
        ask(&self.tx, Message::GameRounds)
    }

    /// What the session code `code` opens.
    pub fn lookup(&self, code: &str) -> Result<RoomInfo, ApiError> {
        ask(&self.tx, |reply| Message::Lookup(code.to_owned(), reply))?
    }
}

/// The running session; dropping it stops the thread after the command in hand.
pub struct WorkshopSession {
    id: WorkshopId,
    handle: SessionHandle,
    thread: Option<JoinHandle<()>>,
}

impl WorkshopSession {
    /// The workshop this session owns (fixed for its lifetime).
    pub fn id(&self) -> WorkshopId {
        self.id
    }

    /// Starts the owner of workshop `id` on its own thread, with its own connection.
    pub fn start(store: Store, id: WorkshopId) -> Result<WorkshopSession, ApiError> {
        WorkshopSession::start_with_clock(store, id, system_now)
    }

    /// Like [`start`](Self::start), with the clock (Unix ms) that stamps activities.
    pub fn start_with_clock(
        store: Store,
        id: WorkshopId,
        clock: impl Fn() -> i64 + Send + 'static,
    ) -> Result<WorkshopSession, ApiError> {
        let state = WorkshopState {
            id,
            name: store.workshop_name(id)?,
            map: store.load_map(id)?,
            positions: store.load_positions(id)?,
            agenda: store.load_agenda(id)?,
            cycles: store.load_cycles(id)?,
            seq: 0,
        };
        let next_activity_id = state.agenda.activities.iter().map(|a| a.id).max().unwrap_or(0) + 1;
        let mut store = store;
        let room = Room::load(&mut store, id)?;
        let game = store.load_game(id)?.into_iter().map(GameRound::new).collect();
        let walk = store.load_cycle_walk(id)?;
        let proposals = store.load_proposals(id)?;
        let mut owner = Owner {
            store,
            state,
            undo: VecDeque::new(),
            redo: VecDeque::new(),
            subscribers: Vec::new(),
            next_activity_id,
            clock: Box::new(clock),
            room,
            game,
            walk,
            proposals,
        };
        let (tx, rx) = channel();
        let thread = std::thread::Builder::new()
            .name(format!("workshop-{id}"))
            .spawn(move || owner.run(rx))
            .map_err(|e| ApiError::new("internal", format!("cannot start the workshop's session: {e}")))?;
        Ok(WorkshopSession { id, handle: SessionHandle { tx }, thread: Some(thread) })
    }

    pub fn handle(&self) -> SessionHandle {
        self.handle.clone()
    }

    pub fn apply(&self, command: SessionCommand) -> Result<SessionEvent, ApiError> {
        self.handle.apply(command)
    }

    pub fn subscribe(&self) -> Receiver<SessionEvent> {
        self.handle.subscribe()
    }

    pub fn state(&self) -> Result<WorkshopState, ApiError> {
        self.handle.state()
    }

    pub fn participation(&self) -> Result<Participation, ApiError> {
        self.handle.participation()
    }

    pub fn participant(&self, token: &str) -> Result<ParticipantView, ApiError> {
        self.handle.participant(token)
    }

    pub fn game_rounds(&self) -> Result<Vec<GameRoundView>, ApiError> {
        self.handle.game_rounds()
    }
}

impl Drop for WorkshopSession {
    fn drop(&mut self) {
        let _ = self.handle.tx.send(Message::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn system_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// What undo puts back: the whole map, or the agenda's activities (their content and
/// order; the timing of activities that still exist is kept, since navigation is not undone).
enum UndoEntry {
    Map(OrgMap),
    Agenda(Vec<Activity>),
    Positions(Positions),
}

struct Owner {
    store: Store,
    state: WorkshopState,
    undo: VecDeque<UndoEntry>,
    redo: VecDeque<UndoEntry>,
    subscribers: Vec<Subscriber>,
    next_activity_id: ActivityId,
    clock: Box<dyn Fn() -> i64 + Send>,
    room: Room,
    /// Every game round played, oldest first.
    game: Vec<GameRound>,
    /// Where the Engagement Cycle walkthrough is (cycles live in `state`).
    walk: Option<CycleWalk>,
    /// The needs the room proposed, oldest first.
    proposals: Vec<NeedProposal>,
}

/// A game round as the session keeps it.
struct GameRound {
    stored: StoredGameRound,
    predictions: BTreeMap<ParticipantId, Prediction>,
    /// Worked out once the round reaches its debrief.
    debrief: Option<game::Debrief>,
}

impl GameRound {
    fn new(mut stored: StoredGameRound) -> GameRound {
        let predictions = std::mem::take(&mut stored.predictions).into_iter().collect();
        let mut round = GameRound { stored, predictions, debrief: None };
        round.prepare_debrief();
        round
    }

    fn prepare_debrief(&mut self) {
        if self.stored.phase >= GamePhase::Debrief && self.debrief.is_none() {
            self.debrief = game::debrief(&self.stored.result, &self.stored.map).ok();
        }
    }

    fn score(&self, participant: ParticipantId) -> Option<game::PredictionScore> {
        let prediction = self.predictions.get(&participant)?;
        Some(game::score(participant, prediction, &self.stored.result, &self.stored.map))
    }

    fn view(&self, room: &Room) -> GameRoundView {
        let scored = self.stored.phase >= GamePhase::Score;
        let leaderboard = if scored {
            game::rank(
                self.predictions
                    .iter()
                    .filter_map(|(id, p)| {
                        let who = room.participants.iter().find(|q| q.id == *id)?;
                        Some(ScoredPrediction {
                            name: who.name.clone(),
                            unit: who.unit.clone(),
                            score: game::score(*id, p, &self.stored.result, &self.stored.map),
                        })
                    })
                    .collect(),
            )
        } else {
            Vec::new()
        };
        let room_average = (!leaderboard.is_empty())
            .then(|| leaderboard.iter().map(|s| f64::from(s.score.points)).sum::<f64>() / leaderboard.len() as f64);
        GameRoundView {
            id: self.stored.id,
            incidents: self.stored.incidents.clone(),
            phase: self.stored.phase,
            map: self.stored.map.clone(),
            result: self.stored.result.clone(),
            predictions: self.predictions.len() as u32,
            leaderboard,
            room_average,
            debrief: self.debrief.clone(),
            started_at: self.stored.started_at,
        }
    }

    fn phone(&self, who: &Participant) -> PhoneGame {
        let rippled = self.stored.phase >= GamePhase::Ripple;
        PhoneGame {
            round: self.stored.id,
            phase: self.stored.phase,
            incidents: self.stored.incidents.clone(),
            mine: self.predictions.get(&who.id).cloned(),
            customers_felt: rippled.then_some(!self.stored.result.external.is_empty()),
            reached_me: if rippled { game::story(&self.stored.result, &self.stored.map, &who.unit) } else { None },
            my_score: if self.stored.phase >= GamePhase::Score { self.score(who.id) } else { None },
        }
    }
}

/// The participants' side of the workshop, as committed.
struct Room {
    code: String,
    rounds: RoundStates,
    /// In the order they joined.
    participants: Vec<Participant>,
    /// Token hash → participant.
    tokens: HashMap<String, ParticipantId>,
    /// The hash of the phone's id a participant joined with → participant.
    clients: HashMap<String, ParticipantId>,
    /// Current answers by participant and question.
    answers: BTreeMap<(ParticipantId, String), Answer>,
    /// The live results of `answers`, kept up to date answer by answer.
    tally: Tally,
}

impl Room {
    /// The room as committed to the store (making its session code on first use).
    fn load(store: &mut Store, id: WorkshopId) -> Result<Room, ApiError> {
        let stored = store.load_room(id, || participants::new_code().map_err(|e| StoreError::Io(e.message)))?;
        let mut room = Room {
            code: stored.code,
            rounds: stored.rounds,
            tokens: stored.participants.iter().map(|(p, hash)| (hash.clone(), p.id)).collect(),
            clients: stored.clients.into_iter().collect(),
            participants: stored.participants.into_iter().map(|(p, _)| p).collect(),
            answers: BTreeMap::new(),
            tally: Tally::default(),
        };
        room.tally.set_attendees(room.participants.len() as u32);
        for (participant, answer) in stored.answers {
            room.store_answer(participant, answer);
        }
        Ok(room)
    }

    /// The participant holding `token`; anything else is `bad_token`.
    fn participant(&self, token: &str) -> Result<&Participant, ApiError> {
        self.tokens
            .get(&participants::token_hash(token))
            .and_then(|id| self.participants.iter().find(|p| p.id == *id))
            .ok_or_else(|| ApiError::new("bad_token", "this participant is not known here; join the workshop again"))
    }

    /// `Ok` if `typed` is this room's session code (case, spaces and dashes aside).
    fn check_code(&self, typed: &str) -> Result<(), ApiError> {
        if participants::normalize_code(typed) == self.code {
            Ok(())
        } else {
            Err(ApiError::new("bad_code", "this session code does not open the workshop; check the code on the screen"))
        }
    }

    fn results(&self) -> LiveResults {
        self.tally.results()
    }

    fn unit_of(&self, participant: ParticipantId) -> String {
        self.participants.iter().find(|p| p.id == participant).map(|p| p.unit.clone()).unwrap_or_default()
    }

    fn join(&mut self, participant: Participant, token_hash: String, client_hash: Option<String>) {
        self.tokens.insert(token_hash, participant.id);
        if let Some(client) = client_hash {
            self.clients.insert(client, participant.id);
        }
        self.participants.push(participant);
        self.tally.set_attendees(self.participants.len() as u32);
    }

    /// Keeps a committed answer, replacing the participant's earlier one to the same question.
    fn store_answer(&mut self, participant: ParticipantId, answer: Answer) {
        let unit = self.unit_of(participant);
        let key = (participant, answer.question());
        // The old answer's share goes first: both share keys (a thanks note, a spelling).
        if let Some(old) = self.answers.remove(&key) {
            self.tally.remove(participant, &unit, &old);
        }
        self.tally.add(participant, &unit, &answer);
        self.answers.insert(key, answer);
    }

    /// Forgets every answer of a committed reset.
    fn reset(&mut self, round: Round) {
        let gone: Vec<(ParticipantId, String)> = self.answers.iter().filter(|(_, a)| a.round() == round).map(|(k, _)| k.clone()).collect();
        for key in gone {
            if let Some(answer) = self.answers.remove(&key) {
                let unit = self.unit_of(key.0);
                self.tally.remove(key.0, &unit, &answer);
            }
        }
    }
}

/// What the trainer does to a round.
enum RoundOp {
    Open,
    Close,
    Reset,
}

/// A change worked out in memory, not yet committed.
enum Change {
    Rename(String),
    Map(OrgMap, UndoStep),
    Agenda(Agenda, UndoStep),
    Positions(Positions, UndoStep),
    Join { token: String, name: Option<String>, unit: String, manager: bool, client_hash: Option<String> },
    /// A join re-sent by the same phone: its participant gets a fresh token.
    Rejoin { token: String, participant: ParticipantId },
    Answer(Answer, Receipt),
    /// A submission stored before: acknowledged again, nothing changes.
    Resent(Receipt),
    Round(Round, RoundOp),
    /// A proposed unit accepted: the new map and the answers that now name it.
    Accept(OrgMap, Vec<(ParticipantId, Answer)>, UndoStep),
    GameStarted(StoredGameRound),
    GamePhase(GameRoundId, GamePhase),
    Prediction(GameRoundId, Prediction, Receipt),
    /// A cycle added or replaced, with the map its needs landed on (if that changed).
    Cycle(Cycle, Option<OrgMap>, UndoStep),
    CycleDeleted(CycleId),
    Walk(Option<CycleWalk>),
    Proposal(NeedProposal, Receipt),
    Vote { proposal: u32, vote: bool, receipt: Receipt },
    /// A proposal decided, with the cycle and the map that changed with it.
    Decision { proposal: u32, status: ProposalStatus, cycle: Option<Cycle>, map: Option<OrgMap>, undo: UndoStep },
}

/// What a committed change does to the undo and redo stacks.
enum UndoStep {
    /// A new edit: what it replaced can be undone; nothing is left to redo.
    Push(UndoEntry),
    /// An undo was committed: its entry leaves the undo stack (only then, so a failed
    /// undo can be retried) and what it replaced can be redone.
    Undone(UndoEntry),
    /// A redo was committed: its entry leaves the redo stack and what it replaced can be undone.
    Redone(UndoEntry),
    /// Navigation is not undoable.
    Keep,
}

fn not_found(what: String) -> ApiError {
    ApiError::new("not_found", what)
}

fn invalid_activity(message: String) -> ApiError {
    ApiError::new("invalid_activity", message)
}

impl Owner {
    fn run(&mut self, rx: Receiver<Message>) {
        while let Ok(first) = rx.recv() {
            // Whatever queued up meanwhile is handled together: participants' changes
            // share one commit (one disk sync for a whole burst of answers).
            let mut batch = vec![first];
            while batch.len() < BATCH_MAX {
                match rx.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            if !self.handle_batch(batch) {
                return;
            }
        }
    }

    /// Handles queued messages in order; `false` once asked to stop.
    fn handle_batch(&mut self, batch: Vec<Message>) -> bool {
        let mut uncommitted: Vec<Uncommitted> = Vec::new();
        let mut in_transaction = false;
        for message in batch {
            match message {
                Message::Apply(command, reply) if command.batches() => {
                    if !in_transaction {
                        if let Err(e) = self.store.begin_batch() {
                            reply(Err(e.into()));
                            continue;
                        }
                        in_transaction = true;
                    }
                    let outcome = self.apply(command);
                    uncommitted.push((reply, outcome));
                }
                other => {
                    if in_transaction {
                        self.commit_batch(std::mem::take(&mut uncommitted));
                        in_transaction = false;
                    }
                    if !self.handle(other) {
                        return false;
                    }
                }
            }
        }
        if in_transaction {
            self.commit_batch(uncommitted);
        }
        true
    }

    /// Commits a batch of participants' changes, then tells everyone. If the commit
    /// fails, nothing of the batch happened: the room is read back from the store and
    /// every change in it is answered with the error.
    fn commit_batch(&mut self, batch: Vec<Uncommitted>) {
        if let Err(error) = self.store.commit_batch().map_err(ApiError::from) {
            self.store.rollback_batch();
            if let Ok(room) = Room::load(&mut self.store, self.state.id) {
                self.room = room;
            }
            if let Ok(proposals) = self.store.load_proposals(self.state.id) {
                self.proposals = proposals;
            }
            for (reply, outcome) in batch {
                reply(outcome.and(Err(error.clone())));
            }
            return;
        }
        for (reply, outcome) in batch {
            reply(outcome.map(|(event, changed)| {
                if changed {
                    self.broadcast(&event);
                }
                event
            }));
        }
    }

    fn broadcast(&mut self, event: &SessionEvent) {
        let public = event.public();
        self.subscribers.retain_mut(|hear| hear(&public));
    }

    /// Handles one message outside a batch; `false` for [`Message::Stop`].
    fn handle(&mut self, message: Message) -> bool {
        match message {
            Message::Apply(command, reply) => {
                let outcome = self.apply(command);
                // Broadcast before the acknowledgement: once a caller hears back,
                // every window already has the event queued.
                reply(outcome.map(|(event, changed)| {
                    if changed {
                        self.broadcast(&event);
                    }
                    event
                }));
            }
            Message::Participation(reply) => reply(Participation {
                code: self.room.code.clone(),
                rounds: self.room.rounds,
                results: self.room.results(),
                game: self.game.last().map(|round| round.view(&self.room)),
                cycles: self.cycle_room(),
                seq: self.state.seq,
            }),
            Message::Me(token, reply) => reply(self.room.participant(&token).map(|p| ParticipantView {
                participant: p.clone(),
                rounds: self.room.rounds,
                answers: self
                    .room
                    .answers
                    .range((p.id, String::new())..)
                    .take_while(|((id, _), _)| *id == p.id)
                    .map(|(_, a)| a.clone())
                    .collect(),
                game: self.game.last().map(|round| round.phone(p)),
                cycle: self.phone_cycle(p.id),
            })),
            Message::Lookup(code, reply) => reply(self.room.check_code(&code).map(|()| RoomInfo {
                workshop: self.state.name.clone(),
                map: self.state.map.clone(),
                rounds: self.room.rounds,
            })),
            Message::GameRounds(reply) => reply(self.game.iter().map(|round| round.view(&self.room)).collect()),
            Message::Subscribe(hear, reply) => {
                self.subscribers.push(hear);
                reply(self.state.clone());
            }
            Message::Stop => return false,
        }
        true
    }

    /// The event, and whether anything changed (a re-sent answer changes nothing).
    fn apply(&mut self, command: SessionCommand) -> Result<(SessionEvent, bool), ApiError> {
        let change = self.plan(command)?;
        let id = self.state.id;
        let seq = self.state.seq + 1;
        // Commit first; memory, undo and the event follow only a committed change.
        let event = match change {
            Change::Rename(name) => {
                self.store.rename_workshop(id, &name)?;
                self.state.name = name.trim().to_owned();
                SessionEvent::Renamed { seq, name: self.state.name.clone() }
            }
            Change::Map(map, undo) => {
                self.store.save_map(id, &map)?;
                self.state.map = map;
                self.remember(undo);
                SessionEvent::MapChanged { seq, map: self.state.map.clone() }
            }
            Change::Positions(positions, undo) => {
                self.store.save_positions(id, &positions)?;
                self.state.positions = positions;
                self.remember(undo);
                SessionEvent::PositionsChanged { seq, positions: self.state.positions.clone() }
            }
            Change::Agenda(agenda, undo) => {
                self.store.save_agenda(id, &agenda)?;
                self.state.agenda = agenda;
                self.remember(undo);
                SessionEvent::AgendaChanged { seq, agenda: self.state.agenda.clone() }
            }
            Change::Join { token, name, unit, manager, client_hash } => {
                let hash = participants::token_hash(&token);
                let pid = self.store.insert_participant(
                    id,
                    &NewParticipant {
                        token_hash: &hash,
                        name: name.as_deref(),
                        unit: &unit,
                        manager,
                        client_hash: client_hash.as_deref(),
                        joined_at: (self.clock)(),
                    },
                )?;
                let participant = Participant { id: pid, name, unit, manager };
                self.room.join(participant.clone(), hash, client_hash);
                SessionEvent::ParticipantJoined {
                    seq,
                    participant,
                    attendees: self.room.participants.len() as u32,
                    token: Some(token),
                }
            }
            Change::Rejoin { token, participant } => {
                let hash = participants::token_hash(&token);
                self.store.replace_token(participant, &hash)?;
                self.room.tokens.retain(|_, p| *p != participant);
                self.room.tokens.insert(hash, participant);
                let participant = self.room.participants.iter().find(|p| p.id == participant).cloned().ok_or_else(|| not_found("no such participant".into()))?;
                SessionEvent::ParticipantJoined { seq, participant, attendees: self.room.participants.len() as u32, token: Some(token) }
            }
            Change::Answer(answer, receipt) => {
                self.store.save_answer(id, &answer, &receipt, (self.clock)())?;
                self.room.store_answer(receipt.participant, answer);
                SessionEvent::AnswersChanged { seq, receipt }
            }
            Change::Resent(receipt) => {
                return Ok((SessionEvent::AnswersChanged { seq: self.state.seq, receipt }, false));
            }
            Change::Accept(map, answers, undo) => {
                self.store.accept_proposed_unit(id, &map, &answers)?;
                self.state.map = map;
                self.remember(undo);
                for (participant, answer) in answers {
                    self.room.store_answer(participant, answer);
                }
                SessionEvent::MapChanged { seq, map: self.state.map.clone() }
            }
            Change::GameStarted(round) => {
                self.store.insert_game_round(id, &round)?;
                let (round_id, phase) = (round.id, round.phase);
                self.game.push(GameRound::new(round));
                SessionEvent::GameChanged { seq, round: round_id, phase }
            }
            Change::GamePhase(round_id, phase) => {
                self.store.set_game_phase(id, round_id, phase)?;
                if let Some(round) = self.game.iter_mut().find(|r| r.stored.id == round_id) {
                    round.stored.phase = phase;
                    round.prepare_debrief();
                }
                SessionEvent::GameChanged { seq, round: round_id, phase }
            }
            Change::Prediction(round_id, prediction, receipt) => {
                self.store.save_prediction(id, round_id, &prediction, &receipt, (self.clock)())?;
                if let Some(round) = self.game.iter_mut().find(|r| r.stored.id == round_id) {
                    round.predictions.insert(receipt.participant, prediction);
                }
                SessionEvent::AnswersChanged { seq, receipt }
            }
            Change::Cycle(cycle, map, undo) => {
                self.store.save_cycle(id, &cycle, map.as_ref())?;
                match self.state.cycles.iter_mut().find(|c| c.id == cycle.id) {
                    Some(slot) => *slot = cycle,
                    None => self.state.cycles.push(cycle),
                }
                let map_changed = map.is_some();
                if let Some(map) = map {
                    self.state.map = map;
                    self.remember(undo);
                }
                self.cycles_changed(seq, map_changed)
            }
            Change::CycleDeleted(cycle) => {
                self.store.delete_cycle(id, cycle)?;
                self.state.cycles.retain(|c| c.id != cycle);
                self.proposals.retain(|p| p.cycle != cycle);
                self.walk = self.walk.filter(|w| w.cycle != cycle);
                self.cycles_changed(seq, false)
            }
            Change::Walk(walk) => {
                self.store.set_cycle_walk(id, walk.as_ref())?;
                self.walk = walk;
                self.cycles_changed(seq, false)
            }
            Change::Proposal(proposal, receipt) => {
                self.store.insert_proposal(id, &proposal, &receipt, (self.clock)())?;
                self.proposals.push(proposal);
                SessionEvent::AnswersChanged { seq, receipt }
            }
            Change::Vote { proposal, vote, receipt } => {
                self.store.save_vote(id, proposal, receipt.participant, vote, &receipt)?;
                if let Some(p) = self.proposals.iter_mut().find(|p| p.id == proposal) {
                    p.voters.retain(|v| *v != receipt.participant);
                    if vote {
                        p.voters.push(receipt.participant);
                        p.voters.sort_unstable();
                    }
                }
                SessionEvent::AnswersChanged { seq, receipt }
            }
            Change::Decision { proposal, status, cycle, map, undo } => {
                self.store.decide_proposal(id, proposal, status, cycle.as_ref(), map.as_ref())?;
                if let ProposalStatus::Merged { into } = status {
                    let moved = self.proposals.iter().find(|p| p.id == proposal).map(|p| p.voters.clone()).unwrap_or_default();
                    if let Some(target) = self.proposals.iter_mut().find(|p| p.id == into) {
                        target.voters.extend(moved);
                        target.voters.sort_unstable();
                        target.voters.dedup();
                    }
                }
                if let Some(p) = self.proposals.iter_mut().find(|p| p.id == proposal) {
                    p.status = status;
                }
                if let Some(cycle) = cycle {
                    if let Some(slot) = self.state.cycles.iter_mut().find(|c| c.id == cycle.id) {
                        *slot = cycle;
                    }
                }
                let map_changed = map.is_some();
                if let Some(map) = map {
                    self.state.map = map;
                    self.remember(undo);
                }
                self.cycles_changed(seq, map_changed)
            }
            Change::Round(round, op) => {
                let reset = match op {
                    RoundOp::Open | RoundOp::Close => {
                        let open = matches!(op, RoundOp::Open);
                        self.store.set_round(id, round, open)?;
                        self.room.rounds.set(round, open);
                        None
                    }
                    RoundOp::Reset => {
                        self.store.reset_round(id, round)?;
                        self.room.reset(round);
                        Some(round)
                    }
                };
                SessionEvent::RoundChanged { seq, rounds: self.room.rounds, reset }
            }
        };
        self.state.seq = seq;
        Ok((event, true))
    }

    fn remember(&mut self, step: UndoStep) {
        let push = |stack: &mut VecDeque<UndoEntry>, entry| {
            if stack.len() == UNDO_DEPTH {
                stack.pop_front();
            }
            stack.push_back(entry);
        };
        match step {
            UndoStep::Keep => {}
            UndoStep::Push(entry) => {
                push(&mut self.undo, entry);
                self.redo.clear();
            }
            UndoStep::Undone(replaced) => {
                self.undo.pop_back();
                push(&mut self.redo, replaced);
            }
            UndoStep::Redone(replaced) => {
                self.redo.pop_back();
                push(&mut self.undo, replaced);
            }
        }
    }

    /// The state an entry of the same kind would put back, as it is now.
    fn snapshot_like(&self, entry: &UndoEntry) -> UndoEntry {
        match entry {
            UndoEntry::Map(_) => UndoEntry::Map(self.state.map.clone()),
            UndoEntry::Agenda(_) => UndoEntry::Agenda(self.state.agenda.activities.clone()),
            UndoEntry::Positions(_) => UndoEntry::Positions(self.state.positions.clone()),
        }
    }

    /// Works out the new state a command asks for, without touching the store.
    fn plan(&mut self, command: SessionCommand) -> Result<Change, ApiError> {
        use SessionCommand::*;
        let old_map = || UndoStep::Push(UndoEntry::Map(self.state.map.clone()));
        let old_agenda = || UndoStep::Push(UndoEntry::Agenda(self.state.agenda.activities.clone()));
        let mut map = self.state.map.clone();
        let mut agenda = self.state.agenda.clone();
        Ok(match command {
            Rename { name } => Change::Rename(name),
            AddUnit { unit } => {
                map.units.push(unit);
                Change::Map(map, old_map())
            }
            UpdateUnit { id, unit } => {
                let slot = map.units.iter_mut().find(|u| u.id == id).ok_or_else(|| not_found(format!("no unit '{id}'")))?;
                let new_id = unit.id.clone();
                *slot = unit;
                for link in &mut map.links {
                    for end in [&mut link.provider, &mut link.customer] {
                        if *end == id {
                            end.clone_from(&new_id);
                        }
                    }
                }
                Change::Map(map, old_map())
            }
            DeleteUnit { id } => {
                let before = map.units.len();
                map.units.retain(|u| u.id != id);
                if map.units.len() == before {
                    return Err(not_found(format!("no unit '{id}'")));
                }
                map.links.retain(|l| l.provider != id && l.customer != id);
                Change::Map(map, old_map())
            }
            AddLink { link } => {
                map.links.push(link);
                Change::Map(map, old_map())
            }
            UpdateLink { index, link } => {
                *map.links.get_mut(index as usize).ok_or_else(|| not_found(format!("no link #{index}")))? = link;
                Change::Map(map, old_map())
            }
            DeleteLink { index } => {
                if index as usize >= map.links.len() {
                    return Err(not_found(format!("no link #{index}")));
                }
                map.links.remove(index as usize);
                Change::Map(map, old_map())
            }
            AddActivity { activity, at } => {
                activity.validate().map_err(invalid_activity)?;
                let at = at.map_or(agenda.activities.len(), |at| at as usize);
                if at > agenda.activities.len() {
                    return Err(ApiError::new("invalid_position", format!("position {at} is past the end of the agenda")));
                }
                agenda.activities.insert(at, Activity::from_draft(self.next_activity_id, activity));
                self.next_activity_id += 1;
                Change::Agenda(agenda, old_agenda())
            }
            UpdateActivity { id, activity } => {
                activity.validate().map_err(invalid_activity)?;
                let index = activity_index(&agenda, id)?;
                let a = &mut agenda.activities[index];
                *a = Activity { started_at: a.started_at, finished_at: a.finished_at, ..Activity::from_draft(id, activity) };
                Change::Agenda(agenda, old_agenda())
            }
            DeleteActivity { id } => {
                let index = activity_index(&agenda, id)?;
                if agenda.current == Some(id) {
                    return Err(ApiError::new("activity_running", "the running activity cannot be deleted; move to another one first"));
                }
                agenda.activities.remove(index);
                Change::Agenda(agenda, old_agenda())
            }
            MoveActivity { id, to } => {
                let index = activity_index(&agenda, id)?;
                if to as usize >= agenda.activities.len() {
                    return Err(ApiError::new("invalid_position", format!("position {to} is past the end of the agenda")));
                }
                let activity = agenda.activities.remove(index);
                agenda.activities.insert(to as usize, activity);
                Change::Agenda(agenda, old_agenda())
            }
            NextActivity => {
                let to = agenda.current_index().map_or(0, |i| i + 1);
                if to >= agenda.activities.len() {
                    return Err(ApiError::new("no_next_activity", "this is the last activity of the agenda"));
                }
                go_to(&mut agenda, to, (self.clock)());
                Change::Agenda(agenda, UndoStep::Keep)
            }
            PreviousActivity => {
                let to = agenda
                    .current_index()
                    .and_then(|i| i.checked_sub(1))
                    .ok_or_else(|| ApiError::new("no_previous_activity", "there is no activity before this one"))?;
                go_to(&mut agenda, to, (self.clock)());
                Change::Agenda(agenda, UndoStep::Keep)
            }
            GoToActivity { id } => {
                let to = activity_index(&agenda, id)?;
                go_to(&mut agenda, to, (self.clock)());
                Change::Agenda(agenda, UndoStep::Keep)
            }
            Undo => {
                let entry = self.undo.back().ok_or_else(|| ApiError::new("nothing_to_undo", "there is no edit to undo"))?;
                self.restore(entry, UndoStep::Undone(self.snapshot_like(entry)))
            }
            Redo => {
                let entry = self.redo.back().ok_or_else(|| ApiError::new("nothing_to_redo", "there is no undone edit to redo"))?;
                self.restore(entry, UndoStep::Redone(self.snapshot_like(entry)))
            }
            MoveUnit { id, position } => {
                if self.state.map.unit(&id).is_none() {
                    return Err(not_found(format!("no unit '{id}'")));
                }
                let mut positions = self.state.positions.clone();
                match position {
                    Some(p) if !(p.x.is_finite() && p.y.is_finite()) => {
                        return Err(ApiError::new("invalid_input", format!("position of '{id}': not a number")));
                    }
                    Some(p) => positions.insert(id, p),
                    None => positions.remove(&id),
                };
                Change::Positions(positions, UndoStep::Push(UndoEntry::Positions(self.state.positions.clone())))
            }
            ReplaceMap { map } => {
                map.validate()?;
                Change::Map(map, old_map())
            }
            Join { code, name, unit, manager, client } => {
                self.room.check_code(&code)?;
                let client_hash = match client {
                    Some(client) => {
                        participants::validate_client_id(&client)?;
                        Some(participants::token_hash(&client))
                    }
                    None => None,
                };
                if let Some(&participant) = client_hash.as_ref().and_then(|c| self.room.clients.get(c)) {
                    return Ok(Change::Rejoin { token: participants::new_token()?, participant });
                }
                let (name, unit) = participants::validate_join(&self.state.map, name.as_deref(), &unit)?;
                Change::Join { token: participants::new_token()?, name, unit, manager, client_hash }
            }
            Submit { token, submission, answer } => {
                let participant = self.room.participant(&token)?;
                participants::validate_submission_id(&submission)?;
                if let Some(receipt) = self.store.find_receipt(participant.id, &submission)? {
                    return Ok(Change::Resent(receipt));
                }
                let round = answer.round();
                if !self.room.rounds.is_open(round) {
                    return Err(ApiError::new("round_closed", format!("the {} round is closed; answers can no longer change", round_label(round))));
                }
                let answer = answer.validate(&self.state.map, participant)?;
                let receipt = Receipt { submission, participant: participant.id, question: answer.question() };
                Change::Answer(answer, receipt)
            }
            AcceptProposedUnit { name, kind } => {
                let folded = name.trim().to_lowercase();
                let mentioned = |c: &CustomerRef| matches!(c, CustomerRef::Proposed(p) if p.to_lowercase() == folded);
                let named: Vec<(ParticipantId, Answer)> = self
                    .room
                    .answers
                    .iter()
                    .filter_map(|((participant, _), answer)| match answer {
                        Answer::Customers { customers } if customers.iter().any(|c| mentioned(&c.customer)) => Some((*participant, answer.clone())),
                        _ => None,
                    })
                    .collect();
                if named.is_empty() {
                    return Err(not_found(format!("no participant proposed '{}'", name.trim())));
                }
                let unit = Unit { id: unique_unit_id(&map, &folded), name: name.trim().to_owned(), kind, weight: 1.0 };
                let id = unit.id.clone();
                map.units.push(unit);
                let answers = named
                    .into_iter()
                    .map(|(participant, answer)| match answer {
                        Answer::Customers { mut customers } => {
                            for c in &mut customers {
                                if mentioned(&c.customer) {
                                    c.customer = CustomerRef::Unit(id.clone());
                                }
                            }
                            (participant, Answer::Customers { customers })
                        }
                        other => (participant, other),
                    })
                    .collect();
                Change::Accept(map, answers, old_map())
            }
            StartGameRound { incidents } => {
                let result = game::ripple(&self.state.map, &incidents)?;
                let id = self.game.last().map_or(1, |r| r.stored.id + 1);
                Change::GameStarted(StoredGameRound {
                    id,
                    incidents,
                    map: self.state.map.clone(),
                    result,
                    phase: GamePhase::Predict,
                    started_at: (self.clock)(),
                    predictions: Vec::new(),
                })
            }
            SetGamePhase { round, phase } => {
                if !self.game.iter().any(|r| r.stored.id == round) {
                    return Err(not_found(format!("no game round {round}")));
                }
                Change::GamePhase(round, phase)
            }
            Predict { token, submission, round, prediction } => {
                let participant = self.room.participant(&token)?;
                participants::validate_submission_id(&submission)?;
                if let Some(receipt) = self.store.find_receipt(participant.id, &submission)? {
                    return Ok(Change::Resent(receipt));
                }
                let current = self.game.last().filter(|r| r.stored.id == round);
                match current {
                    None => return Err(ApiError::new("round_closed", format!("game round {round} is not the one being played"))),
                    Some(r) if r.stored.phase != GamePhase::Predict => {
                        return Err(ApiError::new("round_closed", "predictions are closed: the ripple has started"));
                    }
                    Some(_) => {}
                }
                let prediction = prediction.validate(&self.state.map)?;
                let receipt = Receipt { submission, participant: participant.id, question: format!("prediction:{round}") };
                Change::Prediction(round, prediction, receipt)
            }
            AddCycleFromTemplate { template } => {
                let found = cycle::templates().into_iter().find(|t| t.id == template);
                let template = found.ok_or_else(|| not_found(format!("no cycle template '{template}'")))?;
                let (map, mut new) = cycle::instantiate(&template, &self.state.map);
                new.id = self.next_cycle_id();
                let new = new.validate(&map)?;
                self.cycle_change(new, map)?
            }
            SaveCycle { cycle } => {
                let mut cycle = cycle;
                if cycle.id == 0 {
                    cycle.id = self.next_cycle_id();
                } else if !self.state.cycles.iter().any(|c| c.id == cycle.id) {
                    return Err(not_found(format!("no cycle {}", cycle.id)));
                }
                let cycle = cycle.validate(&self.state.map)?;
                let mut map = self.state.map.clone();
                cycle::map_cycle(&mut map, &cycle);
                self.cycle_change(cycle, map)?
            }
            DeleteCycle { id } => {
                self.cycle(id)?;
                Change::CycleDeleted(id)
            }
            WalkCycle { cycle: None, .. } => Change::Walk(None),
            WalkCycle { cycle: Some(id), stage } => {
                let cycle = self.cycle(id)?;
                let walk = match stage {
                    None => CycleWalk::start(cycle).ok_or_else(|| ApiError::new("invalid_cycle", format!("'{}' has no stages to walk through", cycle.name)))?,
                    Some(stage) => {
                        cycle.stage(stage).ok_or_else(|| not_found(format!("no stage {stage} in '{}'", cycle.name)))?;
                        CycleWalk { cycle: id, stage, needs_shown: false, findings_shown: false }
                    }
                };
                Change::Walk(Some(walk))
            }
            StepCycle { forward } => {
                let walk = self.walk.ok_or_else(|| ApiError::new("no_walkthrough", "no Engagement Cycle is being walked through"))?;
                let cycle = self.cycle(walk.cycle)?;
                let next = walk.step(cycle, forward).ok_or_else(|| {
                    if forward {
                        ApiError::new("no_next_stage", "this is the end of the cycle")
                    } else {
                        ApiError::new("no_previous_stage", "this is the start of the cycle")
                    }
                })?;
                Change::Walk(Some(next))
            }
            ProposeNeed { token, submission, stage, need } => {
                let participant = self.room.participant(&token)?.clone();
                participants::validate_submission_id(&submission)?;
                if let Some(receipt) = self.store.find_receipt(participant.id, &submission)? {
                    return Ok(Change::Resent(receipt));
                }
                let walk = self.walk.filter(|w| w.stage == stage).ok_or_else(|| {
                    ApiError::new("stage_closed", "needs are collected for the stage on the screen; this one has moved on")
                })?;
                let mine = self.proposals.iter().filter(|p| p.participant == participant.id && p.cycle == walk.cycle && p.stage == stage).count();
                if mine >= PROPOSALS_PER_STAGE {
                    return Err(ApiError::new("too_many", format!("at most {PROPOSALS_PER_STAGE} needs per person at one stage")));
                }
                let need = CycleNeed { provider: need.provider, customer: participant.unit.clone(), what: need.what, category: need.category, standard: need.standard }
                    .validate(&self.state.map, "need")?;
                let id = self.proposals.iter().map(|p| p.id).max().unwrap_or(0) + 1;
                let receipt = Receipt { submission, participant: participant.id, question: format!("need:{id}") };
                let proposal = NeedProposal { id, cycle: walk.cycle, stage, participant: participant.id, need, voters: vec![participant.id], status: ProposalStatus::Open };
                Change::Proposal(proposal, receipt)
            }
            VoteNeed { token, submission, proposal, vote } => {
                let participant = self.room.participant(&token)?;
                participants::validate_submission_id(&submission)?;
                if let Some(receipt) = self.store.find_receipt(participant.id, &submission)? {
                    return Ok(Change::Resent(receipt));
                }
                let p = self.proposal(proposal)?;
                if matches!(p.status, ProposalStatus::Discarded | ProposalStatus::Merged { .. }) {
                    return Err(ApiError::new("proposal_closed", "the trainer has merged or set aside this need; vote for the one it became"));
                }
                let receipt = Receipt { submission, participant: participant.id, question: format!("vote:{proposal}") };
                Change::Vote { proposal, vote, receipt }
            }
            DecideNeed { proposal, decision } => self.decide(proposal, decision)?,
            OpenRound { round } => Change::Round(round, RoundOp::Open),
            CloseRound { round } => Change::Round(round, RoundOp::Close),
            ResetRound { round } => Change::Round(round, RoundOp::Reset),
        })
    }

    /// The change that puts an undo (or redo) entry back.
    fn restore(&self, entry: &UndoEntry, step: UndoStep) -> Change {
        match entry {
            UndoEntry::Map(map) => Change::Map(map.clone(), step),
            UndoEntry::Positions(positions) => Change::Positions(positions.clone(), step),
            UndoEntry::Agenda(activities) => {
                let now = &self.state.agenda;
                let activities = activities
                    .iter()
                    .cloned()
                    .map(|a| match now.index_of(a.id) {
                        Some(i) => Activity { started_at: now.activities[i].started_at, finished_at: now.activities[i].finished_at, ..a },
                        None => a,
                    })
                    .collect::<Vec<_>>();
                let current = now.current.filter(|c| activities.iter().any(|a| a.id == *c));
                Change::Agenda(Agenda { activities, current }, step)
            }
        }
    }
}

/// How many needs one participant may propose at one stage.
pub const PROPOSALS_PER_STAGE: usize = 10;

impl Owner {
    fn next_cycle_id(&self) -> CycleId {
        self.state.cycles.iter().map(|c| c.id).max().unwrap_or(0) + 1
    }

    fn cycle(&self, id: CycleId) -> Result<&Cycle, ApiError> {
        self.state.cycles.iter().find(|c| c.id == id).ok_or_else(|| not_found(format!("no cycle {id}")))
    }

    fn proposal(&self, id: u32) -> Result<&NeedProposal, ApiError> {
        self.proposals.iter().find(|p| p.id == id).ok_or_else(|| not_found(format!("no proposed need {id}")))
    }

    /// A cycle saved with the map its needs landed on (an undoable map edit if it changed).
    fn cycle_change(&self, cycle: Cycle, map: OrgMap) -> Result<Change, ApiError> {
        if map == self.state.map {
            return Ok(Change::Cycle(cycle, None, UndoStep::Keep));
        }
        map.validate()?;
        Ok(Change::Cycle(cycle, Some(map), UndoStep::Push(UndoEntry::Map(self.state.map.clone()))))
    }

    fn decide(&self, id: u32, decision: NeedDecision) -> Result<Change, ApiError> {
        let proposal = self.proposal(id)?;
        let must_be_open = || {
            if proposal.status == ProposalStatus::Open {
                Ok(())
            } else {
                Err(ApiError::new("already_decided", format!("proposed need {id} was already {}", proposal.status.as_str())))
            }
        };
        let decided = |status| Change::Decision { proposal: id, status, cycle: None, map: None, undo: UndoStep::Keep };
        Ok(match decision {
            NeedDecision::Accept => {
                must_be_open()?;
                let mut cycle = self.cycle(proposal.cycle)?.clone();
                let stage = cycle.stages.iter_mut().find(|s| s.id == proposal.stage).ok_or_else(|| not_found(format!("the stage of proposed need {id} is gone")))?;
                stage.needs.push(proposal.need.clone());
                let cycle = cycle.validate(&self.state.map)?;
                let mut map = self.state.map.clone();
                cycle::map_need(&mut map, &proposal.need);
                let (map, undo) = if map == self.state.map {
                    (None, UndoStep::Keep)
                } else {
                    (Some(map), UndoStep::Push(UndoEntry::Map(self.state.map.clone())))
                };
                Change::Decision { proposal: id, status: ProposalStatus::Accepted, cycle: Some(cycle), map, undo }
            }
            NeedDecision::Discard => {
                must_be_open()?;
                decided(ProposalStatus::Discarded)
            }
            NeedDecision::Merge { into } => {
                must_be_open()?;
                let target = self.proposal(into)?;
                if into == id || target.cycle != proposal.cycle || target.stage != proposal.stage {
                    return Err(ApiError::new("invalid_merge", "a need merges only into another need of the same stage"));
                }
                if !matches!(target.status, ProposalStatus::Open | ProposalStatus::Accepted) {
                    return Err(ApiError::new("invalid_merge", format!("proposed need {into} was {}", target.status.as_str())));
                }
                decided(ProposalStatus::Merged { into })
            }
            NeedDecision::Reopen => {
                if proposal.status != ProposalStatus::Discarded {
                    return Err(ApiError::new("already_decided", "only a discarded need can be reopened"));
                }
                decided(ProposalStatus::Open)
            }
        })
    }

    fn cycles_changed(&self, seq: u64, map_changed: bool) -> SessionEvent {
        SessionEvent::CyclesChanged {
            seq,
            cycles: self.state.cycles.clone(),
            walk: self.walk,
            map: map_changed.then(|| self.state.map.clone()),
        }
    }

    /// Each cycle's findings, with the self-assessment's two-way answers.
    fn cycle_room(&self) -> CycleRoom {
        let two_way = cycle::two_way_index(self.room.answers.iter().filter_map(|((participant, _), answer)| {
            let who = self.room.participants.iter().find(|p| p.id == *participant)?;
            Some((who.unit.as_str(), answer))
        }));
        CycleRoom {
            walk: self.walk,
            proposals: self.proposals.clone(),
            findings: self.state.cycles.iter().map(|c| CycleFindingsOf { cycle: c.id, findings: cycle::findings(c, &two_way) }).collect(),
        }
    }

    /// The stage on screen for a participant's phone, with the needs proposed there.
    fn phone_cycle(&self, participant: ParticipantId) -> Option<PhoneCycle> {
        let walk = self.walk?;
        let cycle = self.state.cycles.iter().find(|c| c.id == walk.cycle)?;
        let position = walk.position(cycle)?;
        let mut stage = cycle.stages[position].clone();
        if !walk.needs_shown {
            stage.needs.clear();
        }
        let proposals = self
            .proposals
            .iter()
            .filter(|p| p.cycle == walk.cycle && p.stage == walk.stage && matches!(p.status, ProposalStatus::Open | ProposalStatus::Accepted))
            .map(|p| PhoneProposal {
                id: p.id,
                need: p.need.clone(),
                votes: p.voters.len() as u32,
                voted: p.voters.contains(&participant),
                mine: p.participant == participant,
                accepted: p.status == ProposalStatus::Accepted,
            })
            .collect();
        Some(PhoneCycle {
            cycle: cycle.id,
            name: cycle.name.clone(),
            stage,
            position: position as u32 + 1,
            stages: cycle.stages.len() as u32,
            needs_shown: walk.needs_shown,
            proposals,
        })
    }
}

/// A unit id made from a name (`Night shift` → `night-shift`), unique in the map.
fn unique_unit_id(map: &OrgMap, name: &str) -> String {
    let mut base: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if base.is_empty() {
        base = "unit".into();
    }
    let mut id = base.clone();
    let mut n = 2;
    while map.unit(&id).is_some() {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

fn round_label(round: Round) -> &'static str {
    match round {
        Round::SelfAssessment => "self-assessment",
        Round::Thanks => "thanks",
    }
}

fn activity_index(agenda: &Agenda, id: ActivityId) -> Result<usize, ApiError> {
    agenda.index_of(id).ok_or_else(|| not_found(format!("no activity {id} in the agenda")))
}

/// Leaves the running activity (it finishes now) and starts the one at `to`.
fn go_to(agenda: &mut Agenda, to: usize, now: i64) {
    let from = agenda.current_index();
    if from == Some(to) {
        return;
    }
    if let Some(from) = from {
        agenda.activities[from].finished_at = Some(now);
    }
    let activity = &mut agenda.activities[to];
    activity.started_at = Some(now);
    activity.finished_at = None;
    agenda.current = Some(activity.id);
}
