//! A workshop's agenda: the ordered activities, and the presenter's clock over them.
//!
//! The clock is pure: the time is always passed in (`now`, Unix milliseconds), never
//! read here, so every case can be checked by hand.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Ids of activities are small numbers, unique within their workshop and stable
/// across moves, so the UI and undo can name an activity wherever it sits.
pub type ActivityId = u32;

/// Longest planned duration of one activity: a full day.
pub const MAX_PLANNED_MINUTES: u32 = 8 * 60;
const MAX_TITLE_CHARS: usize = 200;
const MAX_NOTES_CHARS: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ActivityKind {
    Welcome,
    SelfAssessment,
    RippleRound,
    EngagementCycle,
    Debrief,
    Thanks,
    Custom,
}

impl ActivityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Welcome => "welcome",
            ActivityKind::SelfAssessment => "self_assessment",
            ActivityKind::RippleRound => "ripple_round",
            ActivityKind::EngagementCycle => "engagement_cycle",
            ActivityKind::Debrief => "debrief",
            ActivityKind::Thanks => "thanks",
            ActivityKind::Custom => "custom",
        }
    }

    pub fn parse(text: &str) -> Option<ActivityKind> {
        [
            ActivityKind::Welcome,
            ActivityKind::SelfAssessment,
            ActivityKind::RippleRound,
            ActivityKind::EngagementCycle,
            ActivityKind::Debrief,
            ActivityKind::Thanks,
            ActivityKind::Custom,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// What the trainer edits about an activity (its timing is the clock's business).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ActivityDraft {
    pub kind: ActivityKind,
    pub title: String,
    pub planned_minutes: u32,
    /// The trainer's notes: shown on the presenter's screen only, never to the room.
    pub notes: String,
}

impl ActivityDraft {
    pub fn new(kind: ActivityKind, title: &str, planned_minutes: u32, notes: &str) -> ActivityDraft {
        ActivityDraft { kind, title: title.to_owned(), planned_minutes, notes: notes.to_owned() }
    }

    /// Checks the limits every activity keeps; the message names the activity.
    pub fn validate(&self) -> Result<(), String> {
        let title = self.title.trim();
        if title.is_empty() {
            return Err("an activity's title is empty".to_owned());
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(format!("activity '{title}': the title is longer than {MAX_TITLE_CHARS} characters"));
        }
        if !(1..=MAX_PLANNED_MINUTES).contains(&self.planned_minutes) {
            return Err(format!(
                "activity '{title}': {} planned minutes must be between 1 and {MAX_PLANNED_MINUTES}",
                self.planned_minutes
            ));
        }
        if self.notes.chars().count() > MAX_NOTES_CHARS {
            return Err(format!("activity '{title}': the notes are longer than {MAX_NOTES_CHARS} characters"));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Activity {
    pub id: ActivityId,
    pub kind: ActivityKind,
    pub title: String,
    pub planned_minutes: u32,
    pub notes: String,
    /// When it was last started (Unix ms), if ever.
    #[ts(type = "number | null")]
    pub started_at: Option<i64>,
    /// When it was left for another activity (Unix ms), if it was.
    #[ts(type = "number | null")]
    pub finished_at: Option<i64>,
}

impl Activity {
    pub fn from_draft(id: ActivityId, draft: ActivityDraft) -> Activity {
        Activity {
            id,
            kind: draft.kind,
            title: draft.title.trim().to_owned(),
            planned_minutes: draft.planned_minutes,
            notes: draft.notes,
            started_at: None,
            finished_at: None,
        }
    }

    pub fn draft(&self) -> ActivityDraft {
        ActivityDraft { kind: self.kind, title: self.title.clone(), planned_minutes: self.planned_minutes, notes: self.notes.clone() }
    }

    fn planned_ms(&self) -> i64 {
        i64::from(self.planned_minutes) * 60_000
    }
}

/// The agenda of a workshop and where the trainer is in it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Agenda {
    pub activities: Vec<Activity>,
    /// The activity running now; `None` before the workshop starts.
    pub current: Option<ActivityId>,
}

impl Agenda {
    pub fn index_of(&self, id: ActivityId) -> Option<usize> {
        self.activities.iter().position(|a| a.id == id)
    }

    pub fn current_index(&self) -> Option<usize> {
        self.current.and_then(|id| self.index_of(id))
    }

    /// A new workshop's agenda: the default activities, numbered from 1, not started.
    pub fn new_default() -> Agenda {
        let activities = default_agenda().into_iter().zip(1..).map(|(draft, id)| Activity::from_draft(id, draft)).collect();
        Agenda { activities, current: None }
    }

    /// The presenter's clock at `now` (Unix ms).
    pub fn clock(&self, now: i64) -> PresenterClock {
        presenter_clock(&self.activities, self.current_index(), now)
    }
}

/// The agenda every new workshop starts with: a classic half-day session.
pub fn default_agenda() -> Vec<ActivityDraft> {
    use ActivityKind::*;
    vec![
        ActivityDraft::new(Welcome, "Welcome", 10,
            "Introduce yourself and the goal: see how each person's work reaches the customer through colleagues. Show the join code and wait until most phones are in."),
        ActivityDraft::new(SelfAssessment, "Who are my internal customers?", 20,
            "Participants answer the four questions on their phones. Remind them that everyone serves someone, and that a rating is about the service, not the person."),
        ActivityDraft::new(RippleRound, "The Ripple Effect", 25,
            "Drop an incident on a support unit, let the room predict who feels it, then play the ripple wave by wave. Ask who was surprised to be hit."),
        ActivityDraft::new(EngagementCycle, "One customer, start to finish", 30,
            "Walk one customer engagement through pre-service, service and after-service. At each moment of truth, ask who had to deliver what, by when and how."),
        ActivityDraft::new(Debrief, "Debrief", 15,
            "Show the most critical internal services and the gaps between self-ratings and customers' ratings. Have each team name one service it will improve."),
        ActivityDraft::new(Thanks, "Thank you", 5,
            "Thank the group, say when the results will be shared, and who to contact. Leave the map on screen while people leave."),
    ]
}

/// Where an activity stands on the presenter's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SlotState {
    /// Before the current activity and run (times are the actual ones).
    Done,
    /// Before the current activity but never started: it takes no time.
    Skipped,
    Current,
    /// Still to come: times are planned, re-flowed from the current activity's end.
    Upcoming,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Slot {
    pub id: ActivityId,
    pub state: SlotState,
    #[ts(type = "number")]
    pub start: i64,
    #[ts(type = "number")]
    pub end: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CurrentActivity {
    pub index: u32,
    pub activity: Activity,
    #[ts(type = "number")]
    pub elapsed_ms: i64,
    #[ts(type = "number")]
    pub planned_ms: i64,
    /// How far past its plan it runs (0 while on time).
    #[ts(type = "number")]
    pub overrun_ms: i64,
}

/// What the presenter view shows about time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PresenterClock {
    pub current: Option<CurrentActivity>,
    pub next: Option<Activity>,
    /// Every activity in order with its actual or re-flowed planned times.
    pub schedule: Vec<Slot>,
    /// When the last activity is expected to end (or `now` for an empty agenda).
    #[ts(type = "number")]
    pub projected_end: i64,
    /// How much later than planned the workshop will end: the projected end against
    /// the plan laid from the first activity's start (0 before it starts).
    #[ts(type = "number")]
    pub delay_ms: i64,
}

/// The clock for `activities` with the one at `current` running, at `now` (Unix ms).
/// The current activity ends no earlier than `now`, so when it runs long everything
/// after it moves later by as much.
pub fn presenter_clock(activities: &[Activity], current: Option<usize>, now: i64) -> PresenterClock {
    let current = current.filter(|&i| i < activities.len());
    let mut schedule = Vec::with_capacity(activities.len());
    let mut cursor: Option<i64> = None;
    let mut current_view = None;
    for (index, a) in activities.iter().enumerate() {
        let slot = match current {
            Some(c) if index < c => match a.started_at {
                Some(start) => {
                    let end = a.finished_at.filter(|&f| f >= start).unwrap_or(start + a.planned_ms());
                    Slot { id: a.id, state: SlotState::Done, start, end }
                }
                None => {
                    let at = cursor.unwrap_or(now);
                    Slot { id: a.id, state: SlotState::Skipped, start: at, end: at }
                }
            },
            Some(c) if index == c => {
                let start = a.started_at.unwrap_or(now).min(now);
                let elapsed_ms = now - start;
                let planned_ms = a.planned_ms();
                current_view = Some(CurrentActivity {
                    index: index as u32,
                    activity: a.clone(),
                    elapsed_ms,
                    planned_ms,
                    overrun_ms: (elapsed_ms - planned_ms).max(0),
                });
                Slot { id: a.id, state: SlotState::Current, start, end: start + planned_ms.max(elapsed_ms) }
            }
            _ => {
                let start = cursor.unwrap_or(now);
                Slot { id: a.id, state: SlotState::Upcoming, start, end: start + a.planned_ms() }
            }
        };
        cursor = Some(slot.end);
        schedule.push(slot);
    }
    let projected_end = cursor.unwrap_or(now);
    let delay_ms = match (current, schedule.first()) {
        (Some(_), Some(first)) => {
            let planned_total: i64 = activities.iter().map(Activity::planned_ms).sum();
            projected_end - (first.start + planned_total)
        }
        _ => 0,
    };
    let next = current.map_or(Some(0), |c| Some(c + 1)).and_then(|i| activities.get(i)).cloned();
    PresenterClock { current: current_view, next, schedule, projected_end, delay_ms }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;
    const T0: i64 = 1_700_000_000_000;

    fn agenda(minutes: &[u32]) -> Vec<Activity> {
        minutes
            .iter()
            .enumerate()
            .map(|(i, &m)| Activity::from_draft(i as u32 + 1, ActivityDraft::new(ActivityKind::Custom, &format!("a{i}"), m, "")))
            .collect()
    }

    fn starts(clock: &PresenterClock) -> Vec<i64> {
        clock.schedule.iter().map(|s| (s.start - T0) / MIN).collect()
    }

    #[test]
    fn before_the_start_everything_is_planned_from_now_and_the_first_activity_is_next() {
        let acts = agenda(&[10, 20, 25]);
        let clock = presenter_clock(&acts, None, T0);
        assert_eq!(clock.current, None);
        assert_eq!(clock.next.as_ref().unwrap().id, 1);
        assert_eq!(starts(&clock), [0, 10, 30]);
        assert_eq!(clock.projected_end, T0 + 55 * MIN);
        assert_eq!(clock.delay_ms, 0);
    }

    #[test]
    fn an_activity_on_time_keeps_the_plan() {
        // | a0 10' | a1 20' | a2 25' |, started at T0, now T0+5'.
        let mut acts = agenda(&[10, 20, 25]);
        acts[0].started_at = Some(T0);
        let clock = presenter_clock(&acts, Some(0), T0 + 5 * MIN);
        let current = clock.current.as_ref().unwrap();
        assert_eq!((current.elapsed_ms, current.planned_ms, current.overrun_ms), (5 * MIN, 10 * MIN, 0));
        assert_eq!(clock.next.as_ref().unwrap().id, 2);
        assert_eq!(starts(&clock), [0, 10, 30]);
        assert_eq!(clock.delay_ms, 0);
    }

    #[test]
    fn an_activity_that_runs_long_pushes_every_later_start_by_its_overrun() {
        // a0 planned 10', still running at 14': a1 starts at 14' (not 10'), a2 at 34'.
        let mut acts = agenda(&[10, 20, 25]);
        acts[0].started_at = Some(T0);
        let clock = presenter_clock(&acts, Some(0), T0 + 14 * MIN);
        assert_eq!(clock.current.as_ref().unwrap().overrun_ms, 4 * MIN);
        assert_eq!(starts(&clock), [0, 14, 34]);
        assert_eq!(clock.projected_end, T0 + 59 * MIN);
        assert_eq!(clock.delay_ms, 4 * MIN);
    }

    #[test]
    fn finished_activities_keep_their_actual_times_and_a_short_one_wins_time_back() {
        // a0 ran 0'–12' (2' over), a1 started at 12' and now, at 20', is on time:
        // a1 ends at 32', a2 runs 32'–57': 2' late overall.
        let mut acts = agenda(&[10, 20, 25]);
        acts[0].started_at = Some(T0);
        acts[0].finished_at = Some(T0 + 12 * MIN);
        acts[1].started_at = Some(T0 + 12 * MIN);
        let clock = presenter_clock(&acts, Some(1), T0 + 20 * MIN);
        assert_eq!(clock.schedule[0].state, SlotState::Done);
        assert_eq!(clock.schedule[0].end, T0 + 12 * MIN);
        assert_eq!(starts(&clock), [0, 12, 32]);
        assert_eq!(clock.delay_ms, 2 * MIN);
        // a0 took 3', a1 started at 3': the workshop will end 7' early.
        acts[0].finished_at = Some(T0 + 3 * MIN);
        acts[1].started_at = Some(T0 + 3 * MIN);
        let clock = presenter_clock(&acts, Some(1), T0 + 4 * MIN);
        assert_eq!(starts(&clock), [0, 3, 23]);
        assert_eq!(clock.delay_ms, -7 * MIN);
    }

    #[test]
    fn a_skipped_activity_takes_no_time_and_the_last_has_nothing_next() {
        // Jumped from a0 (ran 0'–10') straight to a2 at 10'; a1 never ran.
        let mut acts = agenda(&[10, 20, 25]);
        acts[0].started_at = Some(T0);
        acts[0].finished_at = Some(T0 + 10 * MIN);
        acts[2].started_at = Some(T0 + 10 * MIN);
        let clock = presenter_clock(&acts, Some(2), T0 + 40 * MIN);
        assert_eq!(clock.schedule[1].state, SlotState::Skipped);
        assert_eq!(clock.schedule[1].start, clock.schedule[1].end);
        assert_eq!(clock.current.as_ref().unwrap().overrun_ms, 5 * MIN);
        assert_eq!(clock.next, None);
        assert_eq!(clock.projected_end, T0 + 40 * MIN);
        // Planned 55' from T0, ends at 40': 15' early.
        assert_eq!(clock.delay_ms, -15 * MIN);
    }

    #[test]
    fn an_empty_agenda_has_no_current_and_no_next() {
        let clock = presenter_clock(&[], None, T0);
        assert_eq!((&clock.current, &clock.next, clock.projected_end), (&None, &None, T0));
    }

    #[test]
    fn the_default_agenda_is_valid_and_lasts_an_hour_and_three_quarters() {
        let agenda = default_agenda();
        for draft in &agenda {
            draft.validate().unwrap();
            assert!(draft.notes.len() > 40, "{} has real notes", draft.title);
        }
        assert_eq!(agenda.iter().map(|d| d.planned_minutes).collect::<Vec<_>>(), [10, 20, 25, 30, 15, 5]);
    }

    #[test]
    fn a_draft_out_of_limits_is_refused_with_its_reason() {
        let d = ActivityDraft::new(ActivityKind::Custom, "  ", 10, "");
        assert_eq!(d.validate().unwrap_err(), "an activity's title is empty");
        let d = ActivityDraft::new(ActivityKind::Custom, "Break", 0, "");
        assert!(d.validate().unwrap_err().contains("0 planned minutes"));
    }

    #[test]
    fn kinds_round_trip_through_their_stored_names() {
        for kind in [ActivityKind::Welcome, ActivityKind::SelfAssessment, ActivityKind::Custom] {
            assert_eq!(ActivityKind::parse(kind.as_str()), Some(kind));
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{}\"", kind.as_str()));
        }
    }
}
