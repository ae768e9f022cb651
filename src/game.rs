//! The Ripple Effect game (DESIGN.md, "What a workshop contains" 3): the trainer drops
//! an incident, participants predict who will feel it, the ripple spreads wave by wave,
//! predictions are scored, and the debrief tells each chain in plain words. This module
//! is the pure part: the result is the engine's; scoring and stories are worked out here.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::analysis;
use crate::engine::{EngineGraph, ImpactResult, Incident, IncidentKind, DEFAULT_EPSILON};
use crate::error::ApiError;
use crate::org::{OrgMap, UnitKind};
use crate::participants::ParticipantId;

/// A game round's number in its workshop, from 1.
pub type GameRoundId = u32;

/// Most incidents dropped at once.
pub const INCIDENTS_MAX: usize = 5;
/// Most units one prediction may name.
pub const PREDICTED_MAX: usize = 200;

/// Where a round is: participants predict, the ripple spreads, predictions are scored,
/// the room talks it through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum GamePhase {
    Predict,
    Ripple,
    Score,
    Debrief,
}

impl GamePhase {
    pub fn as_str(self) -> &'static str {
        match self {
            GamePhase::Predict => "predict",
            GamePhase::Ripple => "ripple",
            GamePhase::Score => "score",
            GamePhase::Debrief => "debrief",
        }
    }

    pub fn parse(text: &str) -> Option<GamePhase> {
        [GamePhase::Predict, GamePhase::Ripple, GamePhase::Score, GamePhase::Debrief].into_iter().find(|p| p.as_str() == text)
    }
}

/// A participant's prediction: the units they expect to feel it, and whether the
/// external customers will.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Prediction {
    pub units: Vec<String>,
    pub customers: bool,
}

impl Prediction {
    /// The prediction as stored: known units only, each once, in id order.
    pub fn validate(self, map: &OrgMap) -> Result<Prediction, ApiError> {
        if self.units.len() > PREDICTED_MAX {
            return Err(ApiError::new("invalid_input", format!("units: at most {PREDICTED_MAX} units (got {})", self.units.len())));
        }
        let mut units = BTreeSet::new();
        for (i, unit) in self.units.into_iter().enumerate() {
            crate::participants::known_unit(map, &format!("units[{i}]"), &unit)?;
            units.insert(unit);
        }
        Ok(Prediction { units: units.into_iter().collect(), customers: self.customers })
    }
}

/// How one prediction fared against the ripple.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PredictionScore {
    pub participant: ParticipantId,
    /// Units predicted that felt it.
    pub hits: u32,
    /// Units that felt it but were not predicted.
    pub misses: u32,
    /// Units predicted that did not feel it.
    pub false_alarms: u32,
    /// Said right whether external customers would feel it.
    pub customers_right: bool,
    /// 0–100 for the units (hits over hits, misses and false alarms together), plus 20
    /// for the customers said right.
    pub points: u32,
}

/// Points for saying right whether the customers feel it.
pub const CUSTOMER_POINTS: u32 = 20;

/// The internal units an incident ripples to (not the incidents' own units, which
/// everyone is told; not the external segments, predicted with `customers`).
pub fn internal_hits(result: &ImpactResult, map: &OrgMap) -> BTreeSet<String> {
    let sources: BTreeSet<&str> = result.incidents.iter().map(|i| i.unit.as_str()).collect();
    let internal = internal_units(map);
    result
        .hits
        .iter()
        .filter(|h| !sources.contains(h.unit.as_str()) && internal.contains(h.unit.as_str()))
        .map(|h| h.unit.clone())
        .collect()
}

/// The ids of the map's internal units, looked up once (a room's thousands of
/// predictions are scored against the same map).
fn internal_units(map: &OrgMap) -> std::collections::HashSet<&str> {
    map.units.iter().filter(|u| u.kind != UnitKind::External).map(|u| u.id.as_str()).collect()
}

/// Scores a prediction against the ripple.
pub fn score(participant: ParticipantId, prediction: &Prediction, result: &ImpactResult, map: &OrgMap) -> PredictionScore {
    let felt = internal_hits(result, map);
    let sources: BTreeSet<&str> = result.incidents.iter().map(|i| i.unit.as_str()).collect();
    let internal = internal_units(map);
    let predicted: BTreeSet<&str> =
        prediction.units.iter().map(String::as_str).filter(|u| !sources.contains(u) && internal.contains(u)).collect();
    let hits = predicted.iter().filter(|u| felt.contains(**u)).count() as u32;
    let false_alarms = predicted.len() as u32 - hits;
    let misses = felt.len() as u32 - hits;
    let customers_right = prediction.customers != result.external.is_empty();
    let judged = hits + misses + false_alarms;
    // Nothing to feel and nothing predicted is a perfect call.
    let unit_points = (100 * hits + judged / 2).checked_div(judged).unwrap_or(100);
    PredictionScore {
        participant,
        hits,
        misses,
        false_alarms,
        customers_right,
        points: unit_points + if customers_right { CUSTOMER_POINTS } else { 0 },
    }
}

/// One step of a chain as the debrief tells it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StoryStep {
    pub unit: String,
    pub name: String,
    /// The service this unit gets from the step before (none for the incident's unit).
    pub service: Option<String>,
    pub impact: f64,
    /// Hours after the incident.
    pub arrival: f64,
}

/// A chain that carried the ripple, told in plain words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChainStory {
    pub steps: Vec<StoryStep>,
    /// "Finance is late with “Salaries paid on time” → Customer Service feel it after
    /// 3 days → Households feel it after 3 days".
    pub sentence: String,
}

fn hours(h: f64) -> String {
    if h >= 48.0 && (h / 24.0).fract() == 0.0 {
        format!("{} days", h / 24.0)
    } else {
        format!("{} h", (h * 10.0).round() / 10.0)
    }
}

/// The story of the chain that reached `unit`, if the ripple reached it.
pub fn story(result: &ImpactResult, map: &OrgMap, unit: &str) -> Option<ChainStory> {
    let hit = result.hits.iter().find(|h| h.unit == unit)?;
    let kind = result.incidents.iter().find(|i| i.unit == hit.source).map_or(IncidentKind::Late, |i| i.kind);
    let name = |id: &str| map.unit(id).map_or_else(|| id.to_owned(), |u| u.name.clone());
    let steps: Vec<StoryStep> = hit
        .chain
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let service = (i > 0)
                .then(|| map.links.iter().find(|l| l.provider == hit.chain[i - 1] && l.customer == *id).map(|l| l.service.clone()))
                .flatten();
            let at = result.hits.iter().find(|h| h.unit == *id);
            StoryStep {
                unit: id.clone(),
                name: name(id),
                service,
                impact: at.map_or(0.0, |h| h.impact),
                arrival: at.map_or(0.0, |h| h.arrival),
            }
        })
        .collect();
    let mut parts = Vec::with_capacity(steps.len());
    for (i, step) in steps.iter().enumerate() {
        parts.push(match (i, steps.get(1)) {
            (0, Some(next)) => {
                let service = next.service.as_deref().unwrap_or("its service");
                match kind {
                    IncidentKind::Late => format!("{} is late with “{service}”", step.name),
                    IncidentKind::Quality => format!("{} gets “{service}” wrong", step.name),
                    IncidentKind::Delivery => format!("{} delivers “{service}” the wrong way", step.name),
                }
            }
            (0, None) => format!("{} is hit", step.name),
            _ if step.arrival == 0.0 => format!("{} feel it at once", step.name),
            _ => format!("{} feel it after {}", step.name, hours(step.arrival)),
        });
    }
    Some(ChainStory { sentence: parts.join(" → "), steps })
}

/// What the debrief shows besides the scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Debrief {
    /// One story per external segment reached, strongest first.
    pub chains: Vec<ChainStory>,
    pub external_impact: f64,
    /// The map's most critical internal units (their own failure's external impact), most critical first.
    pub critical: Vec<CriticalUnit>,
    /// Per external segment: the units every chain to it passes through.
    pub gatekeepers: Vec<Gatekeepers>,
    /// Loops of mutual dependency (unit names).
    pub loops: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CriticalUnit {
    pub unit: String,
    pub name: String,
    pub criticality: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Gatekeepers {
    pub segment: String,
    /// Unit names, nearest the segment first.
    pub through: Vec<String>,
}

/// How many critical units the debrief names.
pub const CRITICAL_SHOWN: usize = 5;

/// The debrief of a round on `map`.
pub fn debrief(result: &ImpactResult, map: &OrgMap) -> Result<Debrief, ApiError> {
    let name = |id: &str| map.unit(id).map_or_else(|| id.to_owned(), |u| u.name.clone());
    let chains = result.external.iter().filter_map(|e| story(result, map, &e.unit)).collect();
    let analysis = analysis::analyze(map, result.epsilon).map_err(|e| ApiError::new("invalid_map", e.to_string()))?;
    let critical = analysis
        .units
        .iter()
        .filter(|u| u.kind != UnitKind::External && u.criticality > 0.0)
        .take(CRITICAL_SHOWN)
        .map(|u| CriticalUnit { unit: u.unit.clone(), name: name(&u.unit), criticality: u.criticality })
        .collect();
    let gatekeepers = analysis
        .dominators
        .iter()
        .filter(|d| !d.all_chains_through.is_empty())
        .map(|d| Gatekeepers { segment: name(&d.external), through: d.all_chains_through.iter().map(|u| name(u)).collect() })
        .collect();
    let loops = analysis.cycles.iter().map(|c| c.iter().map(|u| name(u)).collect()).collect();
    Ok(Debrief { chains, external_impact: result.external_impact, critical, gatekeepers, loops })
}

/// A prediction's score with who made it (the leaderboard; the projector may hide names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ScoredPrediction {
    /// `None`: joined anonymously.
    pub name: Option<String>,
    pub unit: String,
    pub score: PredictionScore,
}

/// A game round as the trainer's windows show it: what is revealed grows with the phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GameRoundView {
    pub id: GameRoundId,
    pub incidents: Vec<Incident>,
    pub phase: GamePhase,
    /// The map as it was when the round started (a replay draws this one).
    pub map: OrgMap,
    /// The ripple, wave by wave (the windows animate it from the ripple phase on).
    pub result: ImpactResult,
    /// Predictions made so far.
    pub predictions: u32,
    /// From the score phase on: best first, then by name.
    pub leaderboard: Vec<ScoredPrediction>,
    pub room_average: Option<f64>,
    /// In the debrief phase.
    pub debrief: Option<Debrief>,
    #[ts(type = "number")]
    pub started_at: i64,
}

/// A game round as a participant's phone shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PhoneGame {
    pub round: GameRoundId,
    pub phase: GamePhase,
    pub incidents: Vec<Incident>,
    /// Their prediction, as stored.
    pub mine: Option<Prediction>,
    /// From the ripple phase on: whether it reached external customers.
    pub customers_felt: Option<bool>,
    /// From the ripple phase on: how the ripple reached their own unit, if it did.
    pub reached_me: Option<ChainStory>,
    /// From the score phase on.
    pub my_score: Option<PredictionScore>,
}

/// Ranks scored predictions: most points first, then by name (anonymous last), then unit.
pub fn rank(mut scores: Vec<ScoredPrediction>) -> Vec<ScoredPrediction> {
    scores.sort_by(|a, b| {
        b.score
            .points
            .cmp(&a.score.points)
            .then_with(|| a.name.is_none().cmp(&b.name.is_none()))
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.unit.cmp(&b.unit))
            .then_with(|| a.score.participant.cmp(&b.score.participant))
    });
    scores
}

/// Suggested incidents: the map's most critical internal units, most critical first.
pub fn suggestions(map: &OrgMap, count: usize) -> Vec<CriticalUnit> {
    let graph = EngineGraph::new(map);
    let (scores, _) = analysis::criticality(&graph, DEFAULT_EPSILON);
    let mut units: Vec<CriticalUnit> = (0..graph.len() as u32)
        .filter(|&v| graph.kind(v) != UnitKind::External && scores[v as usize] > 0.0)
        .map(|v| {
            let id = graph.id(v);
            CriticalUnit { unit: id.to_owned(), name: map.unit(id).map_or_else(|| id.to_owned(), |u| u.name.clone()), criticality: scores[v as usize] }
        })
        .collect();
    units.sort_by(|a, b| b.criticality.total_cmp(&a.criticality).then_with(|| a.unit.cmp(&b.unit)));
    units.truncate(count);
    units
}

/// The ripple of `incidents` on `map`, checked: known units, severities in (0, 1], at most [`INCIDENTS_MAX`].
pub fn ripple(map: &OrgMap, incidents: &[Incident]) -> Result<ImpactResult, ApiError> {
    if incidents.is_empty() || incidents.len() > INCIDENTS_MAX {
        return Err(ApiError::new("invalid_input", format!("incidents: 1 to {INCIDENTS_MAX} at once (got {})", incidents.len())));
    }
    EngineGraph::new(map).impact(incidents, DEFAULT_EPSILON).map_err(|e| ApiError::new("invalid_input", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workshop::demo_map;

    fn finance_late() -> (OrgMap, ImpactResult) {
        let map = demo_map();
        let result = ripple(&map, &[Incident::new("finance", 1.0, IncidentKind::Late)]).unwrap();
        (map, result)
    }

    /// Not a check: writes a round on a generated 100-unit map, with the map's layout,
    /// for `ui/tests/ripple-frames.mjs`, to the file named by `RIPPLE_ROUND_OUT`. The
    /// incident is the one that travels furthest (most units hit, then most waves), the
    /// hardest case for the projector.
    #[test]
    #[ignore]
    fn writes_a_100_unit_round_for_the_frame_script() {
        let Ok(out) = std::env::var("RIPPLE_ROUND_OUT") else { return };
        let map = crate::generate::generate(100, 3);
        let (incidents, result) = map
            .units
            .iter()
            .filter(|u| u.kind != UnitKind::External)
            .map(|u| {
                let incidents = vec![Incident::new(u.id.clone(), 1.0, IncidentKind::Late)];
                let result = ripple(&map, &incidents).unwrap();
                (incidents, result)
            })
            .max_by_key(|(_, r)| (r.hits.len(), r.waves.len()))
            .unwrap();
        let layout = crate::layout::layered(&map);
        let round = GameRoundView {
            id: 1,
            incidents,
            phase: GamePhase::Ripple,
            map: map.clone(),
            result,
            predictions: 3,
            leaderboard: vec![],
            room_average: None,
            debrief: None,
            started_at: 0,
        };
        let json = serde_json::json!({ "map": map, "layout": layout, "round": round });
        std::fs::write(out, serde_json::to_string(&json).unwrap()).unwrap();
    }

    #[test]
    fn a_perfect_prediction_scores_120_and_an_empty_one_scores_only_for_the_customers() {
        let (map, result) = finance_late();
        let felt = internal_hits(&result, &map);
        assert!(!felt.is_empty() && !felt.contains("finance"), "{felt:?}");
        let perfect = Prediction { units: felt.iter().cloned().collect(), customers: !result.external.is_empty() };
        let s = score(1, &perfect, &result, &map);
        assert_eq!((s.hits, s.misses, s.false_alarms, s.customers_right, s.points), (felt.len() as u32, 0, 0, true, 120));
        let nothing = score(2, &Prediction { units: vec![], customers: false }, &result, &map);
        assert_eq!((nothing.hits, nothing.misses, nothing.points), (0, felt.len() as u32, 0));
    }

    #[test]
    fn false_alarms_and_misses_cost_points_and_the_incident_unit_itself_is_not_judged() {
        let (map, result) = finance_late();
        let felt: Vec<String> = internal_hits(&result, &map).into_iter().collect();
        let not_felt = map
            .units
            .iter()
            .find(|u| u.kind != UnitKind::External && u.id != "finance" && !felt.contains(&u.id))
            .expect("a unit the ripple misses")
            .id
            .clone();
        let guess = Prediction { units: vec![felt[0].clone(), not_felt, "finance".into()], customers: true };
        let s = score(3, &guess, &result, &map);
        assert_eq!((s.hits, s.false_alarms, s.misses), (1, 1, felt.len() as u32 - 1));
        let judged = s.hits + s.misses + s.false_alarms;
        assert_eq!(s.points, (100 * s.hits + judged / 2) / judged + CUSTOMER_POINTS);
    }

    #[test]
    fn a_prediction_keeps_known_units_once_and_names_an_unknown_one() {
        let map = demo_map();
        let p = Prediction { units: vec!["it".into(), "hr".into(), "it".into()], customers: true }.validate(&map).unwrap();
        assert_eq!(p.units, ["hr", "it"]);
        let e = Prediction { units: vec!["hr".into(), "<script>".into()], customers: false }.validate(&map).unwrap_err();
        assert_eq!(e.code, "unknown_unit");
        assert!(e.message.starts_with("units[1]"), "{}", e.message);
    }

    #[test]
    fn each_chain_to_a_customer_is_told_in_plain_words_with_its_services_and_times() {
        let (map, result) = finance_late();
        let debrief = debrief(&result, &map).unwrap();
        assert_eq!(debrief.chains.len(), result.external.len());
        let first = &debrief.chains[0];
        assert_eq!(first.steps[0].unit, "finance");
        assert!(first.steps[1..].iter().all(|s| s.service.is_some()), "every later step names the service it gets");
        assert!(first.sentence.starts_with(&format!("Finance is late with “{}” → ", first.steps[1].service.as_ref().unwrap())), "{}", first.sentence);
        assert!(first.sentence.ends_with(&format!("feel it after {}", hours(first.steps.last().unwrap().arrival))), "{}", first.sentence);
        assert_eq!(first.sentence.matches(" → ").count(), first.steps.len() - 1);
        assert!(!debrief.critical.is_empty() && debrief.critical.len() <= CRITICAL_SHOWN);
        assert!(debrief.critical.windows(2).all(|w| w[0].criticality >= w[1].criticality));
    }

    #[test]
    fn what_went_wrong_is_worded_by_the_incident_kind() {
        let map = demo_map();
        for (kind, words) in [(IncidentKind::Quality, "IT gets “"), (IncidentKind::Delivery, "IT delivers “")] {
            let result = ripple(&map, &[Incident::new("it", 1.0, kind)]).unwrap();
            let told = story(&result, &map, &result.external[0].unit).unwrap();
            assert!(told.sentence.starts_with(words), "{}", told.sentence);
        }
        let result = ripple(&map, &[Incident::new("it", 1.0, IncidentKind::Late)]).unwrap();
        assert_eq!(story(&result, &map, "it").unwrap().sentence, "IT is hit");
        assert!(story(&result, &map, "legal").is_none(), "not reached");
    }

    #[test]
    fn suggestions_are_the_most_critical_internal_units() {
        let map = demo_map();
        let s = suggestions(&map, 3);
        assert_eq!(s.len(), 3);
        assert!(s.iter().all(|u| map.unit(&u.unit).unwrap().kind != UnitKind::External));
        assert!(s.windows(2).all(|w| w[0].criticality >= w[1].criticality));
    }

    #[test]
    fn an_incident_on_an_unknown_unit_or_too_many_at_once_are_refused_by_name() {
        let map = demo_map();
        assert!(ripple(&map, &[Incident::new("nowhere", 1.0, IncidentKind::Late)]).unwrap_err().message.contains("nowhere"));
        assert_eq!(ripple(&map, &[]).unwrap_err().code, "invalid_input");
        let many = vec![Incident::new("it", 0.5, IncidentKind::Quality); INCIDENTS_MAX + 1];
        assert!(ripple(&map, &many).unwrap_err().message.starts_with("incidents:"));
    }

    #[test]
    fn durations_read_as_hours_or_whole_days() {
        assert_eq!(hours(4.0), "4 h");
        assert_eq!(hours(72.0), "3 days");
        assert_eq!(hours(50.0), "50 h");
        assert_eq!(hours(2.25), "2.3 h");
    }
}
