//! The Engagement Cycle (DESIGN.md, "What a workshop contains" 4): one customer's
//! engagement traced from beginning to end in three phases, each stage with its moment
//! of truth (the unit the customer meets and what they expect) and the internal needs
//! behind it — who must deliver what to whom, to which standard.
//!
//! This module is the pure part: the cycle, its templates, how needs become service
//! links of the map, the walkthrough's steps and the findings. The session keeps
//! cycles, the walkthrough and the room's proposed needs.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::ApiError;
use crate::org::{OrgMap, ServiceLink, Unit};
use crate::participants::{required_text, Answer, CustomerRef, NeedCategory, TwoWay, TEXT_MAX};

/// A cycle's number in its workshop, from 1.
pub type CycleId = u32;
/// A stage's number in its cycle, from 1; it survives reordering.
pub type StageId = u32;

/// Most stages in one cycle, needs in one stage.
pub const STAGES_MAX: usize = 30;
pub const STAGE_NEEDS_MAX: usize = 30;
/// A cycle's name, a stage's title.
pub const TITLE_MAX: usize = 80;
/// Strength and lag of a link made for a need (the trainer tunes them in the map editor):
/// a need is a real dependency, but not one that blocks the customer outright.
pub const NEED_LINK_STRENGTH: f64 = 0.6;
pub const NEED_LINK_LAG_HOURS: f64 = 24.0;

/// The format tag of a cycle template file.
pub const TEMPLATE_FORMAT: &str = "ripple-cycle-template";
pub const TEMPLATE_VERSION: u32 = 1;

/// Where in the engagement a stage is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CyclePhase {
    PreService,
    DuringService,
    AfterService,
}

impl CyclePhase {
    pub const ALL: [CyclePhase; 3] = [CyclePhase::PreService, CyclePhase::DuringService, CyclePhase::AfterService];

    pub fn label(self) -> &'static str {
        match self {
            CyclePhase::PreService => "pre-service",
            CyclePhase::DuringService => "during service",
            CyclePhase::AfterService => "after service",
        }
    }
}

/// The moment of truth of a stage: the unit the customer meets and what they expect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct MomentOfTruth {
    pub unit: String,
    pub expectation: String,
}

/// An internal need behind a stage: `provider` must deliver `what` to `customer`, to a
/// standard in one category. No provider: nobody delivers it (yet) — a finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct CycleNeed {
    #[serde(default)]
    pub provider: Option<String>,
    pub customer: String,
    pub what: String,
    pub category: NeedCategory,
    #[serde(default)]
    pub standard: String,
}

/// One stage of the engagement, as the blueprint shows it: what the customer does, the
/// moment of truth on the frontline, the needs behind the line of visibility.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Stage {
    /// 0 in a template or a new stage: the cycle numbers it.
    #[serde(default)]
    pub id: StageId,
    pub phase: CyclePhase,
    pub title: String,
    #[serde(default)]
    pub customer_does: String,
    pub moment: MomentOfTruth,
    #[serde(default)]
    pub needs: Vec<CycleNeed>,
}

/// One customer's engagement from beginning to end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Cycle {
    /// 0 for a template or a new cycle: the session numbers it.
    #[serde(default)]
    pub id: CycleId,
    pub name: String,
    /// The unit whose engagement this is: an external segment, or an internal unit
    /// for an engagement with internal customers only.
    pub customer: String,
    pub stages: Vec<Stage>,
}

/// A cycle template as shipped in `assets/cycles/`: the cycle and the units it names,
/// which join a workshop's map when it is used there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct CycleTemplate {
    pub format: String,
    pub version: u32,
    /// The file's stem: `repair-call`.
    pub id: String,
    pub description: String,
    pub units: Vec<Unit>,
    pub cycle: Cycle,
}

fn invalid(message: String) -> ApiError {
    ApiError::new("invalid_cycle", message)
}

fn unit_named(map: &OrgMap, field: &str, id: &str) -> Result<(), ApiError> {
    if map.unit(id).is_some() {
        Ok(())
    } else {
        Err(ApiError::new("unknown_unit", format!("{field}: there is no unit '{id}' in the map")))
    }
}

impl Cycle {
    /// Gives every stage without a number (0) the next free one.
    pub fn number_stages(&mut self) {
        let mut next = self.stages.iter().map(|s| s.id).max().unwrap_or(0) + 1;
        for stage in &mut self.stages {
            if stage.id == 0 {
                stage.id = next;
                next += 1;
            }
        }
    }

    pub fn stage(&self, id: StageId) -> Option<&Stage> {
        self.stages.iter().find(|s| s.id == id)
    }

    /// The cycle as stored: text cleaned, every rule checked against `map`. Errors
    /// name the stage and the field.
    pub fn validate(mut self, map: &OrgMap) -> Result<Cycle, ApiError> {
        self.name = required_text("name", &self.name, TITLE_MAX, false).map_err(|e| invalid(e.message))?;
        unit_named(map, "customer", &self.customer)?;
        if self.stages.len() > STAGES_MAX {
            return Err(invalid(format!("stages: at most {STAGES_MAX} stages (got {})", self.stages.len())));
        }
        self.number_stages();
        let mut seen = Vec::with_capacity(self.stages.len());
        let mut last_phase = CyclePhase::PreService;
        for (i, stage) in self.stages.iter_mut().enumerate() {
            let field = format!("stage {}", i + 1);
            stage.title = required_text(&format!("{field}: title"), &stage.title, TITLE_MAX, false).map_err(|e| invalid(e.message))?;
            let field = format!("stage {} ('{}')", i + 1, stage.title);
            if seen.contains(&stage.id) {
                return Err(invalid(format!("{field}: stage number {} is used twice", stage.id)));
            }
            seen.push(stage.id);
            if stage.phase < last_phase {
                return Err(invalid(format!(
                    "{field}: a {} stage cannot follow a {} stage; stages run pre-service, during service, after service",
                    stage.phase.label(),
                    last_phase.label()
                )));
            }
            last_phase = stage.phase;
            stage.customer_does = clean(&format!("{field}: what the customer does"), &stage.customer_does)?;
            unit_named(map, &format!("{field}: moment of truth"), &stage.moment.unit)?;
            stage.moment.expectation = clean(&format!("{field}: the customer's expectation"), &stage.moment.expectation)?;
            if stage.needs.len() > STAGE_NEEDS_MAX {
                return Err(invalid(format!("{field}: at most {STAGE_NEEDS_MAX} needs (got {})", stage.needs.len())));
            }
            for (j, need) in stage.needs.iter_mut().enumerate() {
                *need = need.clone().validate(map, &format!("{field}, need {}", j + 1))?;
            }
        }
        Ok(self)
    }

    /// Every need of every stage, with its stage.
    pub fn needs(&self) -> impl Iterator<Item = (&Stage, &CycleNeed)> {
        self.stages.iter().flat_map(|s| s.needs.iter().map(move |n| (s, n)))
    }
}

fn clean(field: &str, text: &str) -> Result<String, ApiError> {
    crate::participants::clean_text(field, text, TEXT_MAX, false).map_err(|e| invalid(e.message))
}

impl CycleNeed {
    /// The need as stored: text cleaned, units known, no unit serving itself.
    pub fn validate(mut self, map: &OrgMap, field: &str) -> Result<CycleNeed, ApiError> {
        self.what = required_text(&format!("{field}: what"), &self.what, TEXT_MAX, false).map_err(|e| invalid(e.message))?;
        self.standard = clean(&format!("{field}: standard"), &self.standard)?;
        unit_named(map, &format!("{field}: customer"), &self.customer)?;
        self.provider = self.provider.filter(|p| !p.trim().is_empty());
        if let Some(provider) = &self.provider {
            unit_named(map, &format!("{field}: provider"), provider)?;
            if *provider == self.customer {
                return Err(invalid(format!("{field}: '{provider}' cannot be its own provider")));
            }
        }
        Ok(self)
    }
}

/// Where a need landed on the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeedLink {
    /// The link `provider → customer` at this index already existed (its expectation
    /// in the need's category now includes the need's standard).
    Existing(usize),
    /// A link was made for it, at this index.
    Created(usize),
    /// No provider: nothing to link.
    Undelivered,
}

/// Puts a need onto the map: onto the service link `provider → customer`, creating it
/// when missing. The need's standard (or, without one, what is needed) joins the link's
/// expectation in the need's category unless it is already there.
pub fn map_need(map: &mut OrgMap, need: &CycleNeed) -> NeedLink {
    let Some(provider) = &need.provider else {
        return NeedLink::Undelivered;
    };
    let expectation = if need.standard.is_empty() { need.what.clone() } else { need.standard.clone() };
    if let Some(index) = map.links.iter().position(|l| l.provider == *provider && l.customer == need.customer) {
        let field = expectation_field(&mut map.links[index], need.category);
        if !field.to_lowercase().contains(&expectation.to_lowercase()) {
            if !field.is_empty() {
                field.push_str("; ");
            }
            field.push_str(&expectation);
        }
        return NeedLink::Existing(index);
    }
    let mut link = ServiceLink {
        provider: provider.clone(),
        customer: need.customer.clone(),
        service: need.what.clone(),
        strength: NEED_LINK_STRENGTH,
        lag: NEED_LINK_LAG_HOURS,
        quality: String::new(),
        time: String::new(),
        delivery: String::new(),
    };
    *expectation_field(&mut link, need.category) = expectation;
    map.links.push(link);
    NeedLink::Created(map.links.len() - 1)
}

fn expectation_field(link: &mut ServiceLink, category: NeedCategory) -> &mut String {
    match category {
        NeedCategory::Quality => &mut link.quality,
        NeedCategory::Time => &mut link.time,
        NeedCategory::Delivery => &mut link.delivery,
    }
}

/// Puts a whole cycle onto the map: every need onto its link, and every moment of
/// truth as the link `frontline unit → customer` when the map has none (so the cycle
/// can be played in a Ripple round). Returns how many links were created.
pub fn map_cycle(map: &mut OrgMap, cycle: &Cycle) -> usize {
    let before = map.links.len();
    for stage in &cycle.stages {
        let moment = &stage.moment;
        let served = map.links.iter().any(|l| l.provider == moment.unit && l.customer == cycle.customer);
        if !served && moment.unit != cycle.customer {
            map.links.push(ServiceLink {
                provider: moment.unit.clone(),
                customer: cycle.customer.clone(),
                service: stage.title.clone(),
                strength: NEED_LINK_STRENGTH,
                lag: NEED_LINK_LAG_HOURS,
                quality: moment.expectation.clone(),
                time: String::new(),
                delivery: String::new(),
            });
        }
        for need in &stage.needs {
            map_need(map, need);
        }
    }
    map.links.len() - before
}

/// The shipped templates, from `assets/cycles/` (embedded: nothing is read at run time).
pub fn templates() -> Vec<CycleTemplate> {
    const FILES: [&str; 5] = [
        include_str!("../assets/cycles/repair-call.json"),
        include_str!("../assets/cycles/training-course.json"),
        include_str!("../assets/cycles/hospital-visit.json"),
        include_str!("../assets/cycles/insurance-claim.json"),
        include_str!("../assets/cycles/first-month.json"),
    ];
    FILES.iter().map(|text| parse_template(text).expect("a shipped cycle template is valid (tested)")).collect()
}

/// A template file read and checked: its format, its units, and its cycle against them.
pub fn parse_template(text: &str) -> Result<CycleTemplate, ApiError> {
    let template: CycleTemplate =
        serde_json::from_str(text).map_err(|e| invalid(format!("not a cycle template: {e}")))?;
    if template.format != TEMPLATE_FORMAT {
        return Err(invalid(format!("format is '{}', expected '{TEMPLATE_FORMAT}'", template.format)));
    }
    if template.version > TEMPLATE_VERSION {
        return Err(invalid(format!("template version {} is newer than this Ripple understands ({TEMPLATE_VERSION})", template.version)));
    }
    let own_map = OrgMap::new(template.cycle.name.clone(), template.units.clone(), Vec::new());
    own_map.validate().map_err(|e| invalid(format!("template '{}': {e}", template.id)))?;
    template.cycle.clone().validate(&own_map).map_err(|e| invalid(format!("template '{}': {}", template.id, e.message)))?;
    Ok(template)
}

/// A template brought into a workshop's map: a template unit that the map already
/// has (same id, or same name in any case) is that unit; the others join the map.
/// Every need and moment of truth then lands on a link. Returns the new map and the
/// cycle naming the map's units.
pub fn instantiate(template: &CycleTemplate, map: &OrgMap) -> (OrgMap, Cycle) {
    let mut map = map.clone();
    let mut renamed: HashMap<&str, String> = HashMap::new();
    for unit in &template.units {
        if map.unit(&unit.id).is_some() {
            continue;
        }
        let folded = unit.name.to_lowercase();
        if let Some(same) = map.units.iter().find(|u| u.name.to_lowercase() == folded) {
            renamed.insert(&unit.id, same.id.clone());
        } else {
            map.units.push(unit.clone());
        }
    }
    let rename = |id: &mut String| {
        if let Some(to) = renamed.get(id.as_str()) {
            id.clone_from(to);
        }
    };
    let mut cycle = template.cycle.clone();
    rename(&mut cycle.customer);
    for stage in &mut cycle.stages {
        rename(&mut stage.moment.unit);
        for need in &mut stage.needs {
            rename(&mut need.customer);
            if let Some(p) = &mut need.provider {
                rename(p);
            }
        }
    }
    cycle.number_stages();
    map_cycle(&mut map, &cycle);
    (map, cycle)
}

/// Where the walkthrough is: a stage, and whether its needs are revealed yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CycleWalk {
    pub cycle: CycleId,
    /// The stage on screen (its id).
    pub stage: StageId,
    /// `false`: only the moment of truth is shown; `true`: the needs behind it too.
    pub needs_shown: bool,
    /// Past the last stage: the findings are on screen.
    #[serde(default)]
    pub findings_shown: bool,
}

impl CycleWalk {
    /// The walkthrough's start: the first stage's moment of truth.
    pub fn start(cycle: &Cycle) -> Option<CycleWalk> {
        cycle.stages.first().map(|s| CycleWalk { cycle: cycle.id, stage: s.id, needs_shown: false, findings_shown: false })
    }

    /// One step on (`forward`) or back: moment of truth → needs → next stage's moment;
    /// after the last stage's needs, the findings. `None` at either end.
    pub fn step(&self, cycle: &Cycle, forward: bool) -> Option<CycleWalk> {
        let at = cycle.stages.iter().position(|s| s.id == self.stage)?;
        let to = |index: usize, needs_shown| {
            cycle.stages.get(index).map(|s| CycleWalk { cycle: self.cycle, stage: s.id, needs_shown, findings_shown: false })
        };
        let last = at + 1 == cycle.stages.len();
        match (forward, self.needs_shown, self.findings_shown) {
            (true, _, true) => None,
            (true, false, _) => to(at, true),
            (true, true, _) if last => Some(CycleWalk { findings_shown: true, ..*self }),
            (true, true, _) => to(at + 1, false),
            (false, _, true) => to(at, true),
            (false, true, _) => to(at, false),
            (false, false, _) => at.checked_sub(1).and_then(|i| to(i, true)),
        }
    }

    /// How far into the cycle the walk is: the index of its stage.
    pub fn position(&self, cycle: &Cycle) -> Option<usize> {
        cycle.stages.iter().position(|s| s.id == self.stage)
    }
}

/// A need the room proposed during the walkthrough, and what the trainer made of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "status", rename_all = "snake_case")]
#[ts(export)]
pub enum ProposalStatus {
    Open,
    /// Now one of its stage's needs (and a link of the map if it has a provider).
    Accepted,
    Discarded,
    /// Folded into another proposal, which got its votes.
    Merged { into: u32 },
}

impl ProposalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalStatus::Open => "open",
            ProposalStatus::Accepted => "accepted",
            ProposalStatus::Discarded => "discarded",
            ProposalStatus::Merged { .. } => "merged",
        }
    }

    pub fn parse(text: &str, merged_into: Option<u32>) -> Option<ProposalStatus> {
        Some(match (text, merged_into) {
            ("open", _) => ProposalStatus::Open,
            ("accepted", _) => ProposalStatus::Accepted,
            ("discarded", _) => ProposalStatus::Discarded,
            ("merged", Some(into)) => ProposalStatus::Merged { into },
            _ => return None,
        })
    }
}

/// What a participant proposes at the current stage: who should deliver (if they
/// know), what, in which category, to which standard. The customer is their own unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct NeedDraft {
    #[serde(default)]
    pub provider: Option<String>,
    pub what: String,
    pub category: NeedCategory,
    #[serde(default)]
    pub standard: String,
}

/// A proposed need with its votes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NeedProposal {
    pub id: u32,
    pub cycle: CycleId,
    pub stage: StageId,
    pub participant: crate::participants::ParticipantId,
    pub need: CycleNeed,
    /// The participants who voted for it (merged proposals' voters included).
    pub voters: Vec<crate::participants::ParticipantId>,
    pub status: ProposalStatus,
}

/// What the trainer does with a proposed need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "decision", rename_all = "snake_case")]
#[ts(export)]
pub enum NeedDecision {
    Accept,
    Discard,
    /// Fold it into proposal `into` (same stage): the votes go there.
    Merge { into: u32 },
    /// Back to open (undoes a discard).
    Reopen,
}

/// Who communicates two ways with whom, from the self-assessment: for a provider unit
/// and a customer unit, the best answer any member of the provider gave.
pub type TwoWayIndex = HashMap<(String, String), TwoWay>;

/// Builds the index from the room's answers (`unit` is the answering participant's unit).
pub fn two_way_index<'a>(answers: impl IntoIterator<Item = (&'a str, &'a Answer)>) -> TwoWayIndex {
    let rank = |t: TwoWay| match t {
        TwoWay::Yes => 2,
        TwoWay::Sometimes => 1,
        TwoWay::No => 0,
    };
    let mut index = TwoWayIndex::new();
    for (unit, answer) in answers {
        if let Answer::Customers { customers } = answer {
            for c in customers {
                if let CustomerRef::Unit(customer) = &c.customer {
                    let best = index.entry((unit.to_owned(), customer.clone())).or_insert(c.two_way);
                    if rank(c.two_way) > rank(*best) {
                        *best = c.two_way;
                    }
                }
            }
        }
    }
    index
}

/// A need named in the findings.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct NeedRef {
    pub stage: StageId,
    pub stage_title: String,
    pub need: CycleNeed,
    /// For two-way findings: what the self-assessment said (`None`: nobody of the
    /// provider named this customer).
    pub two_way: Option<TwoWay>,
}

/// How much a phase carries.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PhaseLoad {
    pub phase: CyclePhase,
    pub stages: u32,
    pub needs: u32,
}

/// What the walkthrough shows the room once the stages are out.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CycleFindings {
    /// Needs no unit delivers (no provider).
    pub undelivered: Vec<NeedRef>,
    /// Needs whose provider is not in regular two-way communication with the customer
    /// (the self-assessment said no, or did not name the customer at all).
    pub without_two_way: Vec<NeedRef>,
    /// The stage with the most needs (the first of equals); `None` without needs.
    pub busiest_stage: Option<StageId>,
    /// Stages and needs per phase, in phase order (all three, even when empty).
    pub phases: Vec<PhaseLoad>,
}

/// The findings of a cycle, with the self-assessment's two-way answers.
pub fn findings(cycle: &Cycle, two_way: &TwoWayIndex) -> CycleFindings {
    let reference = |stage: &Stage, need: &CycleNeed, two_way| NeedRef {
        stage: stage.id,
        stage_title: stage.title.clone(),
        need: need.clone(),
        two_way,
    };
    let mut undelivered = Vec::new();
    let mut without_two_way = Vec::new();
    for (stage, need) in cycle.needs() {
        match &need.provider {
            None => undelivered.push(reference(stage, need, None)),
            Some(provider) => {
                let said = two_way.get(&(provider.clone(), need.customer.clone())).copied();
                if !matches!(said, Some(TwoWay::Yes | TwoWay::Sometimes)) {
                    without_two_way.push(reference(stage, need, said));
                }
            }
        }
    }
    let busiest_stage = cycle
        .stages
        .iter()
        .filter(|s| !s.needs.is_empty())
        .fold(None::<&Stage>, |best, s| match best {
            Some(b) if b.needs.len() >= s.needs.len() => Some(b),
            _ => Some(s),
        })
        .map(|s| s.id);
    let mut load: BTreeMap<CyclePhase, (u32, u32)> = CyclePhase::ALL.iter().map(|p| (*p, (0, 0))).collect();
    for stage in &cycle.stages {
        let entry = load.entry(stage.phase).or_default();
        entry.0 += 1;
        entry.1 += stage.needs.len() as u32;
    }
    CycleFindings {
        undelivered,
        without_two_way,
        busiest_stage,
        phases: load.into_iter().map(|(phase, (stages, needs))| PhaseLoad { phase, stages, needs }).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::UnitKind;
    use crate::participants::CustomerAnswer;

    fn unit(id: &str, name: &str, kind: UnitKind) -> Unit {
        Unit { id: id.into(), name: name.into(), kind, weight: 1.0 }
    }

    fn small_map() -> OrgMap {
        OrgMap::new(
            "small",
            vec![
                unit("households", "Households", UnitKind::External),
                unit("service-desk", "Service Desk", UnitKind::Frontline),
                unit("parts", "Parts Store", UnitKind::Support),
            ],
            vec![],
        )
    }

    fn need(provider: Option<&str>, customer: &str, what: &str, category: NeedCategory, standard: &str) -> CycleNeed {
        CycleNeed {
            provider: provider.map(str::to_owned),
            customer: customer.into(),
            what: what.into(),
            category,
            standard: standard.into(),
        }
    }

    fn stage(phase: CyclePhase, title: &str, needs: Vec<CycleNeed>) -> Stage {
        Stage {
            id: 0,
            phase,
            title: title.into(),
            customer_does: "calls".into(),
            moment: MomentOfTruth { unit: "service-desk".into(), expectation: "answered fast".into() },
            needs,
        }
    }

    fn small_cycle() -> Cycle {
        Cycle {
            id: 0,
            name: "A call".into(),
            customer: "households".into(),
            stages: vec![
                stage(CyclePhase::PreService, "Report", vec![need(Some("parts"), "service-desk", "Stock levels", NeedCategory::Time, "by 9:00")]),
                stage(
                    CyclePhase::DuringService,
                    "Repair",
                    vec![
                        need(None, "service-desk", "A technician's ETA", NeedCategory::Time, ""),
                        need(Some("parts"), "service-desk", "The right part", NeedCategory::Quality, "first time"),
                    ],
                ),
                stage(CyclePhase::AfterService, "Follow-up", vec![]),
            ],
        }
    }

    #[test]
    fn every_shipped_template_loads_and_validates_against_its_own_units() {
        let all = templates();
        let ids: Vec<&str> = all.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["repair-call", "training-course", "hospital-visit", "insurance-claim", "first-month"]);
        for t in &all {
            assert!(t.cycle.stages.len() >= 4, "{} has {} stages", t.id, t.cycle.stages.len());
            let phases: Vec<CyclePhase> = t.cycle.stages.iter().map(|s| s.phase).collect();
            for p in CyclePhase::ALL {
                assert!(phases.contains(&p), "{} has no {} stage", t.id, p.label());
            }
            assert!(t.cycle.needs().count() >= 6, "{} has few needs", t.id);
            // Instantiated into an empty map, the map is valid and carries every need.
            let (map, cycle) = instantiate(t, &OrgMap::new("empty", vec![], vec![]));
            map.validate().unwrap_or_else(|e| panic!("{}: {e}", t.id));
            let cycle = cycle.validate(&map).unwrap();
            for (_, n) in cycle.needs() {
                if let Some(p) = &n.provider {
                    assert!(map.links.iter().any(|l| l.provider == *p && l.customer == n.customer), "{}: {p} → {}", t.id, n.customer);
                }
            }
        }
    }

    #[test]
    fn the_first_month_is_an_engagement_with_an_internal_customer() {
        let t = templates().into_iter().find(|t| t.id == "first-month").unwrap();
        let customer = t.units.iter().find(|u| u.id == t.cycle.customer).unwrap();
        assert_ne!(customer.kind, UnitKind::External);
        assert!(t.units.iter().all(|u| u.kind != UnitKind::External));
    }

    #[test]
    fn a_need_lands_on_its_existing_link_and_adds_its_standard_once() {
        let mut map = small_map();
        map.links.push(ServiceLink {
            provider: "parts".into(),
            customer: "service-desk".into(),
            service: "Parts".into(),
            strength: 0.9,
            lag: 4.0,
            quality: String::new(),
            time: "same day".into(),
            delivery: String::new(),
        });
        let n = need(Some("parts"), "service-desk", "Stock levels", NeedCategory::Time, "by 9:00");
        assert_eq!(map_need(&mut map, &n), NeedLink::Existing(0));
        assert_eq!(map_need(&mut map, &n), NeedLink::Existing(0));
        assert_eq!(map.links.len(), 1);
        assert_eq!(map.links[0].time, "same day; by 9:00");
        assert_eq!(map.links[0].strength, 0.9, "the trainer's strength stays");
    }

    #[test]
    fn a_missing_link_is_created_with_the_standard_in_its_category() {
        let mut map = small_map();
        let n = need(Some("parts"), "service-desk", "The right part", NeedCategory::Delivery, "");
        assert_eq!(map_need(&mut map, &n), NeedLink::Created(0));
        let link = &map.links[0];
        assert_eq!((link.provider.as_str(), link.customer.as_str(), link.service.as_str()), ("parts", "service-desk", "The right part"));
        assert_eq!(link.delivery, "The right part", "without a standard, what is needed is the expectation");
        assert_eq!((link.quality.as_str(), link.time.as_str()), ("", ""));
        map.validate().unwrap();
        assert_eq!(map_need(&mut map, &need(None, "service-desk", "x", NeedCategory::Time, "")), NeedLink::Undelivered);
        assert_eq!(map.links.len(), 1);
    }

    #[test]
    fn mapping_a_cycle_links_the_frontline_to_the_customer_once() {
        let mut map = small_map();
        let cycle = small_cycle().validate(&map).unwrap();
        assert_eq!(map_cycle(&mut map, &cycle), 2, "service desk → households, parts → service desk");
        assert_eq!(map_cycle(&mut map, &cycle), 0);
        map.validate().unwrap();
    }

    #[test]
    fn validation_names_the_stage_and_field() {
        let map = small_map();
        let mut c = small_cycle();
        c.stages[1].needs[1].provider = Some("ghosts".into());
        let e = c.validate(&map).unwrap_err();
        assert_eq!(e.code, "unknown_unit");
        assert!(e.message.contains("stage 2 ('Repair'), need 2: provider") && e.message.contains("ghosts"), "{}", e.message);

        let mut c = small_cycle();
        c.stages.swap(0, 2);
        let e = c.validate(&map).unwrap_err();
        assert!(e.message.contains("stage 2 ('Repair'): a during service stage cannot follow a after service stage"), "{}", e.message);

        let mut c = small_cycle();
        c.stages[0].needs[0].provider = Some("service-desk".into());
        assert!(c.validate(&map).unwrap_err().message.contains("own provider"));

        let mut c = small_cycle();
        c.stages[2].title = "  ".into();
        assert!(c.validate(&map).unwrap_err().message.contains("stage 3: title: must not be empty"));
    }

    #[test]
    fn validation_numbers_new_stages_after_the_highest() {
        let mut c = small_cycle();
        c.stages[1].id = 7;
        let c = c.validate(&small_map()).unwrap();
        assert_eq!(c.stages.iter().map(|s| s.id).collect::<Vec<_>>(), [8, 7, 9]);
    }

    #[test]
    fn a_template_unit_the_map_has_by_name_is_that_unit() {
        let t = templates().into_iter().find(|t| t.id == "repair-call").unwrap();
        let desk = t.units.iter().find(|u| u.kind == UnitKind::Frontline).unwrap().clone();
        let mut map = small_map();
        map.units.push(unit("our-desk", &desk.name.to_uppercase(), UnitKind::Frontline));
        let (new_map, cycle) = instantiate(&t, &map);
        assert!(new_map.unit(&desk.id).is_none(), "not added twice");
        assert!(cycle.stages.iter().any(|s| s.moment.unit == "our-desk"));
        cycle.validate(&new_map).unwrap();
    }

    #[test]
    fn the_walk_steps_moment_then_needs_then_the_next_stage() {
        let c = small_cycle().validate(&small_map()).unwrap();
        let mut walk = CycleWalk::start(&c).unwrap();
        let mut seen = vec![(walk.stage, walk.needs_shown)];
        while let Some(next) = walk.step(&c, true) {
            walk = next;
            seen.push((walk.stage, walk.needs_shown));
        }
        assert_eq!(seen, [(1, false), (1, true), (2, false), (2, true), (3, false), (3, true), (3, true)]);
        assert!(walk.findings_shown, "after the last stage's needs come the findings");
        let back = walk.step(&c, false).unwrap();
        assert_eq!((back.stage, back.needs_shown, back.findings_shown), (3, true, false));
        let back = back.step(&c, false).unwrap().step(&c, false).unwrap();
        assert_eq!((back.stage, back.needs_shown), (2, true));
        assert_eq!(CycleWalk::start(&c).unwrap().step(&c, false), None);
    }

    #[test]
    fn findings_name_undelivered_needs_silent_links_the_busiest_stage_and_phase_balance() {
        let c = small_cycle().validate(&small_map()).unwrap();
        let said_no = Answer::Customers {
            customers: vec![CustomerAnswer {
                customer: CustomerRef::Unit("service-desk".into()),
                needs: vec![],
                two_way: TwoWay::No,
                rating: 5,
            }],
        };
        let f = findings(&c, &two_way_index([("parts", &said_no)]));
        assert_eq!(f.undelivered.len(), 1);
        assert_eq!(f.undelivered[0].need.what, "A technician's ETA");
        assert_eq!(f.without_two_way.len(), 2);
        assert_eq!(f.without_two_way[0].two_way, Some(TwoWay::No));
        assert_eq!(f.busiest_stage, Some(2));
        let loads: Vec<(u32, u32)> = f.phases.iter().map(|p| (p.stages, p.needs)).collect();
        assert_eq!(loads, [(1, 1), (1, 2), (1, 0)]);

        // Someone else in Parts talks with the desk: the two links are no longer silent.
        let said_yes = Answer::Customers {
            customers: vec![CustomerAnswer { customer: CustomerRef::Unit("service-desk".into()), needs: vec![], two_way: TwoWay::Yes, rating: 8 }],
        };
        let f = findings(&c, &two_way_index([("parts", &said_no), ("parts", &said_yes)]));
        assert!(f.without_two_way.is_empty());
    }

    #[test]
    fn a_template_file_with_a_problem_says_which() {
        assert!(parse_template("{}").unwrap_err().message.contains("not a cycle template"));
        let mut t: serde_json::Value = serde_json::from_str(include_str!("../assets/cycles/repair-call.json")).unwrap();
        t["format"] = "something".into();
        assert!(parse_template(&t.to_string()).unwrap_err().message.contains("format is 'something'"));
        t["format"] = TEMPLATE_FORMAT.into();
        t["cycle"]["stages"][0]["moment"]["unit"] = "nobody".into();
        let e = parse_template(&t.to_string()).unwrap_err();
        assert!(e.message.contains("repair-call") && e.message.contains("nobody"), "{}", e.message);
    }
}
