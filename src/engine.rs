//! Impact propagation: how an incident at one unit ripples through the service
//! links to other units and to external customers (DESIGN.md, "Ripple semantics").
//!
//! The impact of an incident at `s` with severity `x0` on `v` is the strength of the
//! strongest chain, `max over paths s→v of x0 · Π w(e)`, found with Dijkstra on
//! `−ln w`. The heap keeps the product itself rather than its logarithm: `−ln` is
//! strictly decreasing, so the order (and thus the algorithm) is the same, and the
//! reported impact is the exact product along the chain instead of `exp(Σ ln w)`.
//!
//! Determinism: units are indexed in the order of their ids, and among chains of
//! equal strength the one with fewer hops wins, then the one whose last provider has
//! the smaller id. The result therefore depends only on the map's content, never on
//! the order in which units or links were listed.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::org::{OrgMap, UnitKind};

/// Below this impact a ripple is absorbed (DESIGN.md).
pub const DEFAULT_EPSILON: f64 = 0.05;

/// What went wrong with the work a unit delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum IncidentKind {
    /// Delivered late (the customer's *time* expectation is missed).
    Late,
    /// Poor quality (the *quality* expectation is missed).
    Quality,
    /// Wrong delivery method (the *delivery* expectation is missed).
    Delivery,
}

impl IncidentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentKind::Late => "late",
            IncidentKind::Quality => "quality",
            IncidentKind::Delivery => "delivery",
        }
    }

    pub fn parse(text: &str) -> Option<IncidentKind> {
        match text.trim().to_ascii_lowercase().as_str() {
            "late" | "time" => Some(IncidentKind::Late),
            "quality" | "poor-quality" => Some(IncidentKind::Quality),
            "delivery" | "wrong-delivery" => Some(IncidentKind::Delivery),
            _ => None,
        }
    }
}

/// An incident dropped on a unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Incident {
    pub unit: String,
    /// In (0, 1]; 1 is a complete failure of the unit's services.
    pub severity: f64,
    pub kind: IncidentKind,
}

impl Incident {
    pub fn new(unit: impl Into<String>, severity: f64, kind: IncidentKind) -> Incident {
        Incident { unit: unit.into(), severity, kind }
    }
}

/// Parses the command line's `UNIT[:SEVERITY[:KIND]]` (severity 1, kind late by default).
impl FromStr for Incident {
    type Err = EngineError;

    fn from_str(text: &str) -> Result<Incident, EngineError> {
        let bad = |reason: &str| EngineError::BadIncident { text: text.to_owned(), reason: reason.to_owned() };
        let mut parts = text.split(':');
        let unit = parts.next().unwrap_or("").trim();
        if unit.is_empty() {
            return Err(bad("the unit is missing"));
        }
        let severity = match parts.next() {
            None => 1.0,
            Some(s) => s.trim().parse::<f64>().map_err(|_| bad(&format!("severity '{s}' is not a number")))?,
        };
        let kind = match parts.next() {
            None => IncidentKind::Late,
            Some(k) => IncidentKind::parse(k).ok_or_else(|| bad(&format!("kind '{k}' is not late, quality or delivery")))?,
        };
        if parts.next().is_some() {
            return Err(bad("expected UNIT[:SEVERITY[:KIND]]"));
        }
        Ok(Incident::new(unit, severity, kind))
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    #[error("incident '{text}': {reason}")]
    BadIncident { text: String, reason: String },
    #[error("incident at unknown unit '{unit}'")]
    UnknownUnit { unit: String },
    #[error("incident at '{unit}': severity {severity} must be in (0, 1]")]
    BadSeverity { unit: String, severity: f64 },
    #[error("epsilon {epsilon} must be in [0, 1]")]
    BadEpsilon { epsilon: f64 },
    #[error("no incident given")]
    NoIncident,
}

/// A unit the ripple reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Hit {
    pub unit: String,
    /// Combined impact in [ε, 1] (noisy-or over the incidents that reach the unit).
    pub impact: f64,
    /// Links on the explaining chain (0 for the incident's own unit).
    pub hops: u32,
    /// Hours until the unit feels it: the sum of the lags on the explaining chain.
    pub arrival: f64,
    /// The explaining chain, from the incident's unit to this unit: the strongest
    /// chain of the incident that contributes most.
    pub chain: Vec<String>,
    /// The incident's unit the explaining chain starts from.
    pub source: String,
}

/// An external customer segment the ripple reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExternalHit {
    pub unit: String,
    pub impact: f64,
    /// The segment's relative value (the map's unit weight).
    pub weight: f64,
}

/// The units first reached after the same number of hops, for the animation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Wave {
    pub hops: u32,
    /// Ordered by arrival, then id.
    pub units: Vec<String>,
}

/// What `ripple impact` prints and the game shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImpactResult {
    pub incidents: Vec<Incident>,
    pub epsilon: f64,
    /// Ordered by impact (strongest first), then unit id.
    pub hits: Vec<Hit>,
    /// Ordered by impact (strongest first), then unit id.
    pub external: Vec<ExternalHit>,
    /// `Σ impact(c) · weight(c)` over the external segments hit.
    pub external_impact: f64,
    /// Ordered by hops.
    pub waves: Vec<Wave>,
}

/// Direction of a pass: along the service links (impact) or against them (criticality).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Forward,
    Reverse,
}

/// One adjacency in compressed-sparse-row form.
#[derive(Debug, Clone, Default)]
struct Csr {
    start: Vec<u32>,
    to: Vec<u32>,
    strength: Vec<f64>,
    lag: Vec<f64>,
}

impl Csr {
    fn build(n: usize, mut edges: Vec<(u32, u32, f64, f64)>) -> Csr {
        edges.sort_by_key(|e| (e.0, e.1));
        let mut start = vec![0u32; n + 1];
        for e in &edges {
            start[e.0 as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        Csr {
            start,
            to: edges.iter().map(|e| e.1).collect(),
            strength: edges.iter().map(|e| e.2).collect(),
            lag: edges.iter().map(|e| e.3).collect(),
        }
    }

    fn range(&self, v: u32) -> std::ops::Range<usize> {
        self.start[v as usize] as usize..self.start[v as usize + 1] as usize
    }
}

/// A map indexed once for many passes: units in id order, links in both directions.
/// Several links between the same two units (different services) count as one, the
/// strongest (then the one with the shortest lag).
#[derive(Debug, Clone)]
pub struct EngineGraph {
    ids: Vec<String>,
    kinds: Vec<UnitKind>,
    weights: Vec<f64>,
    index: HashMap<String, u32>,
    out: Csr,
    inc: Csr,
}

/// The settled result of one pass from one unit, over the units it reached.
#[derive(Debug, Clone)]
pub struct Reach {
    /// Units in the order they were settled (strongest first).
    pub order: Vec<u32>,
    pub strength: Vec<f64>,
    pub hops: Vec<u32>,
    pub arrival: Vec<f64>,
    /// The previous unit on the chain (`u32::MAX` for the start).
    pub pred: Vec<u32>,
}

pub const NONE: u32 = u32::MAX;

/// A heap entry: stronger first, then fewer hops, then the smaller index (id).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry {
    strength: f64,
    hops: u32,
    node: u32,
}

impl Eq for Entry {}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap is a max-heap: "greater" is popped first.
        self.strength
            .total_cmp(&other.strength)
            .then_with(|| other.hops.cmp(&self.hops))
            .then_with(|| other.node.cmp(&self.node))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl EngineGraph {
    /// Indexes a map. The map is expected to be valid (`OrgMap::validate`); links to
    /// unknown units and self-links are skipped rather than trusted.
    pub fn new(map: &OrgMap) -> EngineGraph {
        let mut order: Vec<usize> = (0..map.units.len()).collect();
        order.sort_by(|&a, &b| map.units[a].id.cmp(&map.units[b].id));
        let ids: Vec<String> = order.iter().map(|&i| map.units[i].id.clone()).collect();
        let kinds = order.iter().map(|&i| map.units[i].kind).collect();
        let weights = order.iter().map(|&i| map.units[i].weight).collect();
        let index: HashMap<String, u32> = ids.iter().enumerate().map(|(i, id)| (id.clone(), i as u32)).collect();

        let mut best: HashMap<(u32, u32), (f64, f64)> = HashMap::with_capacity(map.links.len());
        for link in &map.links {
            let (Some(&p), Some(&c)) = (index.get(&link.provider), index.get(&link.customer)) else { continue };
            if p == c || !(link.strength > 0.0 && link.strength <= 1.0) {
                continue;
            }
            let lag = if link.lag.is_finite() && link.lag >= 0.0 { link.lag } else { 0.0 };
            best.entry((p, c))
                .and_modify(|e| {
                    if link.strength > e.0 || (link.strength == e.0 && lag < e.1) {
                        *e = (link.strength, lag);
                    }
                })
                .or_insert((link.strength, lag));
        }
        let n = ids.len();
        let edges: Vec<(u32, u32, f64, f64)> = best.iter().map(|(&(p, c), &(w, l))| (p, c, w, l)).collect();
        let reversed = edges.iter().map(|&(p, c, w, l)| (c, p, w, l)).collect();
        EngineGraph { ids, kinds, weights, index, out: Csr::build(n, edges), inc: Csr::build(n, reversed) }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Number of distinct provider → customer pairs.
    pub fn link_count(&self) -> usize {
        self.out.to.len()
    }

    pub fn index_of(&self, id: &str) -> Option<u32> {
        self.index.get(id).copied()
    }

    pub fn id(&self, v: u32) -> &str {
        &self.ids[v as usize]
    }

    pub fn kind(&self, v: u32) -> UnitKind {
        self.kinds[v as usize]
    }

    pub fn weight(&self, v: u32) -> f64 {
        self.weights[v as usize]
    }

    /// The units a unit serves (`Forward`) or is served by (`Reverse`), with strengths.
    pub fn neighbours(&self, v: u32, direction: Direction) -> impl Iterator<Item = (u32, f64)> + '_ {
        let csr = self.csr(direction);
        csr.range(v).map(move |i| (csr.to[i], csr.strength[i]))
    }

    /// The units a unit serves (`Forward`) or is served by (`Reverse`), in id order.
    pub fn targets(&self, v: u32, direction: Direction) -> &[u32] {
        let csr = self.csr(direction);
        &csr.to[csr.range(v)]
    }

    fn csr(&self, direction: Direction) -> &Csr {
        match direction {
            Direction::Forward => &self.out,
            Direction::Reverse => &self.inc,
        }
    }

    /// The strongest chain from `source` to every unit whose chain keeps a strength of
    /// at least `epsilon`, starting at `start` (the severity). Reverse passes follow
    /// links against their direction: the strength at `u` is then that of the
    /// strongest chain `u → source`.
    pub fn strongest_chains(&self, source: u32, start: f64, epsilon: f64, direction: Direction) -> Reach {
        let csr = self.csr(direction);
        let n = self.len();
        let mut reach = Reach {
            order: Vec::new(),
            strength: vec![0.0; n],
            hops: vec![u32::MAX; n],
            arrival: vec![0.0; n],
            pred: vec![NONE; n],
        };
        if start < epsilon || start <= 0.0 {
            return reach;
        }
        let mut settled = vec![false; n];
        let mut heap = BinaryHeap::new();
        reach.strength[source as usize] = start;
        reach.hops[source as usize] = 0;
        heap.push(Entry { strength: start, hops: 0, node: source });
        while let Some(Entry { strength, hops, node }) = heap.pop() {
            let u = node as usize;
            if settled[u] || strength != reach.strength[u] || hops != reach.hops[u] {
                continue; // a stale entry, superseded by a better chain
            }
            settled[u] = true;
            reach.order.push(node);
            for i in csr.range(node) {
                let v = csr.to[i] as usize;
                if settled[v] {
                    continue;
                }
                let candidate = strength * csr.strength[i];
                if candidate < epsilon {
                    continue; // absorbed: a longer chain can only be weaker
                }
                let better = candidate > reach.strength[v]
                    || (candidate == reach.strength[v]
                        && (hops + 1 < reach.hops[v] || (hops + 1 == reach.hops[v] && node < reach.pred[v])));
                if better {
                    reach.strength[v] = candidate;
                    reach.hops[v] = hops + 1;
                    reach.pred[v] = node;
                    reach.arrival[v] = reach.arrival[u] + csr.lag[i];
                    heap.push(Entry { strength: candidate, hops: hops + 1, node: v as u32 });
                }
            }
        }
        reach
    }

    /// The chain from the pass's start to `v`, as unit indices.
    pub fn chain(&self, reach: &Reach, v: u32) -> Vec<u32> {
        let mut chain = vec![v];
        let mut at = v;
        while reach.pred[at as usize] != NONE {
            at = reach.pred[at as usize];
            chain.push(at);
        }
        chain.reverse();
        chain
    }

    /// Propagates one or several simultaneous incidents (DESIGN.md, "Ripple semantics").
    pub fn impact(&self, incidents: &[Incident], epsilon: f64) -> Result<ImpactResult, EngineError> {
        if incidents.is_empty() {
            return Err(EngineError::NoIncident);
        }
        if !(0.0..=1.0).contains(&epsilon) {
            return Err(EngineError::BadEpsilon { epsilon });
        }
        let mut sources = Vec::with_capacity(incidents.len());
        for incident in incidents {
            let v = self.index_of(&incident.unit).ok_or_else(|| EngineError::UnknownUnit { unit: incident.unit.clone() })?;
            if !(incident.severity > 0.0 && incident.severity <= 1.0) {
                return Err(EngineError::BadSeverity { unit: incident.unit.clone(), severity: incident.severity });
            }
            sources.push((v, incident.severity));
        }
        // A fixed order of combination, so that the floating-point noisy-or does not
        // depend on the order the incidents were given in.
        sources.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));

        struct Best {
            /// Noisy-or so far, kept as `c + x·(1 − c)` so one contribution stays exact.
            combined: f64,
            impact: f64,
            hops: u32,
            arrival: f64,
            chain: Vec<u32>,
        }
        // Per unit hit: its slot in `combined` (a vector beats a hash map here).
        let mut slot = vec![NONE; self.len()];
        let mut combined: Vec<(u32, Best)> = Vec::new();
        for &(source, severity) in &sources {
            let reach = self.strongest_chains(source, severity, epsilon, Direction::Forward);
            for &v in &reach.order {
                let (impact, hops) = (reach.strength[v as usize], reach.hops[v as usize]);
                if slot[v as usize] == NONE {
                    slot[v as usize] = combined.len() as u32;
                    combined.push((v, Best { combined: 0.0, impact: -1.0, hops: 0, arrival: 0.0, chain: Vec::new() }));
                }
                let entry = &mut combined[slot[v as usize] as usize].1;
                entry.combined += impact * (1.0 - entry.combined);
                // The explaining chain: the strongest contribution, then fewer hops; on a
                // full tie the earlier source (smaller id) keeps it.
                if impact > entry.impact || (impact == entry.impact && hops < entry.hops) {
                    entry.impact = impact;
                    entry.hops = hops;
                    entry.arrival = reach.arrival[v as usize];
                    entry.chain = self.chain(&reach, v);
                }
            }
        }

        let mut hits: Vec<Hit> = combined
            .into_iter()
            .map(|(v, best)| Hit {
                unit: self.id(v).to_owned(),
                impact: best.combined.min(1.0),
                hops: best.hops,
                arrival: best.arrival,
                source: self.id(best.chain[0]).to_owned(),
                chain: best.chain.iter().map(|&u| self.id(u).to_owned()).collect(),
            })
            .collect();
        hits.sort_by(|a, b| b.impact.total_cmp(&a.impact).then_with(|| a.unit.cmp(&b.unit)));

        let mut external: Vec<ExternalHit> = hits
            .iter()
            .filter_map(|h| {
                let v = self.index_of(&h.unit)?;
                (self.kind(v) == UnitKind::External).then(|| ExternalHit { unit: h.unit.clone(), impact: h.impact, weight: self.weight(v) })
            })
            .collect();
        // Summed in id order, the same order the criticality pass uses.
        external.sort_by(|a, b| a.unit.cmp(&b.unit));
        let external_impact = external.iter().fold(0.0, |sum, e| sum + e.impact * e.weight);
        external.sort_by(|a, b| b.impact.total_cmp(&a.impact).then_with(|| a.unit.cmp(&b.unit)));

        let mut by_hops: Vec<&Hit> = hits.iter().collect();
        by_hops.sort_by(|a, b| a.hops.cmp(&b.hops).then(a.arrival.total_cmp(&b.arrival)).then_with(|| a.unit.cmp(&b.unit)));
        let mut waves: Vec<Wave> = Vec::new();
        for hit in by_hops {
            match waves.last_mut() {
                Some(wave) if wave.hops == hit.hops => wave.units.push(hit.unit.clone()),
                _ => waves.push(Wave { hops: hit.hops, units: vec![hit.unit.clone()] }),
            }
        }

        Ok(ImpactResult { incidents: incidents.to_vec(), epsilon, hits, external, external_impact, waves })
    }
}

/// Indexes the map and propagates in one go; for many incidents on one map, build an
/// [`EngineGraph`] once and call [`EngineGraph::impact`].
pub fn impact(map: &OrgMap, incidents: &[Incident], epsilon: f64) -> Result<ImpactResult, EngineError> {
    EngineGraph::new(map).impact(incidents, epsilon)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_incident_parses_from_the_command_line_form() {
        assert_eq!("finance".parse::<Incident>().unwrap(), Incident::new("finance", 1.0, IncidentKind::Late));
        assert_eq!("it:0.5:quality".parse::<Incident>().unwrap(), Incident::new("it", 0.5, IncidentKind::Quality));
        assert_eq!(
            "it:lots".parse::<Incident>().unwrap_err().to_string(),
            "incident 'it:lots': severity 'lots' is not a number"
        );
        assert!("it:1:slow".parse::<Incident>().is_err());
        assert!(":1".parse::<Incident>().is_err());
    }

    #[test]
    fn the_heap_pops_stronger_then_shorter_then_smaller_id() {
        let mut heap = BinaryHeap::new();
        heap.push(Entry { strength: 0.5, hops: 1, node: 3 });
        heap.push(Entry { strength: 0.5, hops: 1, node: 2 });
        heap.push(Entry { strength: 0.5, hops: 0, node: 9 });
        heap.push(Entry { strength: 0.9, hops: 4, node: 7 });
        let order: Vec<u32> = std::iter::from_fn(|| heap.pop().map(|e| e.node)).collect();
        assert_eq!(order, vec![7, 9, 2, 3]);
    }
}
