//! The unit scorecard (DESIGN.md, "Results"): per unit, the rating it gives itself as
//! a provider against the rating its internal customers give it, two-way
//! communication coverage, the needs captured per category, its criticality to
//! external customers, and how all that moved between two workshops of the same
//! organisation. Pure functions over a workshop's map and answers.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::engine::{EngineGraph, DEFAULT_EPSILON};
use crate::org::{OrgMap, UnitKind};
use crate::participants::{Answer, NeedCategory, TwoWay};

/// Needs counted per category.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NeedCounts {
    pub quality: u32,
    pub time: u32,
    pub delivery: u32,
}

impl NeedCounts {
    pub fn add(&mut self, category: NeedCategory) {
        match category {
            NeedCategory::Quality => self.quality += 1,
            NeedCategory::Time => self.time += 1,
            NeedCategory::Delivery => self.delivery += 1,
        }
    }

    pub fn total(&self) -> u32 {
        self.quality + self.time + self.delivery
    }
}

/// One unit's line of the scorecard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UnitScorecard {
    pub unit: String,
    pub name: String,
    pub kind: UnitKind,
    /// Participants who joined as members of this unit.
    pub participants: u32,
    /// The members' average rating of their own service to their customers (question 4), 1–10.
    pub self_rating: Option<f64>,
    pub self_count: u32,
    /// The average rating internal customers gave the service they receive from this unit, 1–10.
    pub received_rating: Option<f64>,
    pub received_count: u32,
    /// `self_rating − received_rating`: above 0, the unit thinks better of its service
    /// than its customers do.
    pub gap: Option<f64>,
    /// Customer relations the members named, and how many of them have regular
    /// two-way communication ("yes").
    pub customer_links: u32,
    pub two_way_yes: u32,
    /// `two_way_yes / customer_links`, in [0, 1].
    pub two_way_coverage: Option<f64>,
    /// Needs the members captured for their customers in the self-assessment.
    pub needs: NeedCounts,
    /// Needs captured for this unit in the Engagement Cycle walkthrough (as provider).
    /// Zero until that activity stores needs: see [`ScorecardExtras::cycle_needs`].
    pub cycle_needs: NeedCounts,
    /// External impact of this unit's own failure at severity 1 (see `analysis`).
    pub criticality: f64,
    /// External segments that failure reaches.
    pub segments_reached: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Scorecard {
    /// The map's internal units (not the external segments), in map order.
    pub units: Vec<UnitScorecard>,
}

/// What the scorecard counts besides the self-assessment. The extension point for
/// activities that capture needs later (the Engagement Cycle): fill it and pass it in.
#[derive(Debug, Clone, Default)]
pub struct ScorecardExtras {
    /// (providing unit, category) of each need accepted in the Engagement Cycle.
    pub cycle_needs: Vec<(String, NeedCategory)>,
}

#[derive(Default)]
struct Sums {
    participants: u32,
    own: (u32, u32),
    got: (u32, u32),
    links: u32,
    yes: u32,
    needs: NeedCounts,
    cycle: NeedCounts,
}

fn mean((sum, n): (u32, u32)) -> Option<f64> {
    (n > 0).then(|| f64::from(sum) / f64::from(n))
}

/// The scorecard of a workshop: `members` gives each participant's unit (by any id
/// the answers use), `answers` every current answer.
pub fn scorecard<'a, P: Eq + std::hash::Hash + Copy + 'a>(
    map: &OrgMap,
    members: impl IntoIterator<Item = (P, &'a str)>,
    answers: impl IntoIterator<Item = (P, &'a Answer)>,
    extras: &ScorecardExtras,
) -> Scorecard {
    let mut sums: HashMap<&str, Sums> = HashMap::new();
    let mut unit_of: HashMap<P, &str> = HashMap::new();
    for (p, unit) in members {
        unit_of.insert(p, unit);
        sums.entry(unit).or_default().participants += 1;
    }
    for (p, answer) in answers {
        match answer {
            Answer::Customers { customers } => {
                let Some(unit) = unit_of.get(&p) else { continue };
                let s = sums.entry(unit).or_default();
                for c in customers {
                    s.own.0 += u32::from(c.rating);
                    s.own.1 += 1;
                    s.links += 1;
                    s.yes += u32::from(c.two_way == TwoWay::Yes);
                    for need in &c.needs {
                        s.needs.add(need.category);
                    }
                }
            }
            Answer::ReceivedRating { unit, rating, .. } => {
                let s = sums.entry(unit.as_str()).or_default();
                s.got.0 += u32::from(*rating);
                s.got.1 += 1;
            }
            Answer::Manager { .. } | Answer::Thanks { .. } => {}
        }
    }
    for (unit, category) in &extras.cycle_needs {
        sums.entry(unit.as_str()).or_default().cycle.add(*category);
    }
    let graph = EngineGraph::new(map);
    let (criticality, reached) = crate::analysis::criticality(&graph, DEFAULT_EPSILON);
    let empty = Sums::default();
    let units = map
        .units
        .iter()
        .filter(|u| u.kind != UnitKind::External)
        .map(|u| {
            let s = sums.get(u.id.as_str()).unwrap_or(&empty);
            let v = graph.index_of(&u.id).map(|v| v as usize);
            let (self_rating, received_rating) = (mean(s.own), mean(s.got));
            UnitScorecard {
                unit: u.id.clone(),
                name: u.name.clone(),
                kind: u.kind,
                participants: s.participants,
                self_rating,
                self_count: s.own.1,
                received_rating,
                received_count: s.got.1,
                gap: self_rating.zip(received_rating).map(|(a, b)| a - b),
                customer_links: s.links,
                two_way_yes: s.yes,
                two_way_coverage: (s.links > 0).then(|| f64::from(s.yes) / f64::from(s.links)),
                needs: s.needs,
                cycle_needs: s.cycle,
                criticality: v.map_or(0.0, |v| criticality[v]),
                segments_reached: v.map_or(0, |v| reached[v]),
            }
        })
        .collect();
    Scorecard { units }
}

/// How one unit's score moved from one workshop to a later one. A field is `None`
/// when either side has no value (the unit is missing there, or nobody answered).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UnitMovement {
    pub unit: String,
    /// The name in the later workshop (or the earlier one if the unit is gone).
    pub name: String,
    pub in_before: bool,
    pub in_after: bool,
    pub self_rating: Option<f64>,
    pub received_rating: Option<f64>,
    /// A gap closing shows as a negative delta.
    pub gap: Option<f64>,
    pub two_way_coverage: Option<f64>,
    #[ts(type = "number | null")]
    pub needs: Option<i64>,
    pub criticality: Option<f64>,
}

fn delta(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    a.zip(b).map(|(a, b)| b - a)
}

/// Per-unit deltas `after − before`, units matched by id: the later workshop's units
/// in its order, then the units only the earlier one had.
pub fn compare(before: &Scorecard, after: &Scorecard) -> Vec<UnitMovement> {
    let find = |card: &'_ Scorecard, id: &str| card.units.iter().find(|u| u.unit == id).cloned();
    let ids = after.units.iter().map(|u| &u.unit).chain(before.units.iter().map(|u| &u.unit).filter(|id| find(after, id).is_none()));
    ids.map(|id| {
        let (b, a) = (find(before, id), find(after, id));
        let pick = |f: fn(&UnitScorecard) -> Option<f64>| delta(b.as_ref().and_then(f), a.as_ref().and_then(f));
        UnitMovement {
            unit: id.clone(),
            name: a.as_ref().or(b.as_ref()).map_or_else(|| id.clone(), |u| u.name.clone()),
            in_before: b.is_some(),
            in_after: a.is_some(),
            self_rating: pick(|u| u.self_rating),
            received_rating: pick(|u| u.received_rating),
            gap: pick(|u| u.gap),
            two_way_coverage: pick(|u| u.two_way_coverage),
            needs: b.as_ref().zip(a.as_ref()).map(|(b, a)| i64::from(a.needs.total()) - i64::from(b.needs.total())),
            criticality: pick(|u| Some(u.criticality)),
        }
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::{ServiceLink, Unit};
    use crate::participants::{CustomerAnswer, CustomerRef, Need};

    fn map() -> OrgMap {
        let unit = |id: &str, kind| Unit { id: id.into(), name: id.to_uppercase(), kind, weight: 1.0 };
        let link = |p: &str, c: &str, w| ServiceLink {
            provider: p.into(),
            customer: c.into(),
            service: "s".into(),
            strength: w,
            lag: 1.0,
            quality: String::new(),
            time: String::new(),
            delivery: String::new(),
        };
        OrgMap::new(
            "m",
            vec![unit("fin", UnitKind::Support), unit("desk", UnitKind::Frontline), unit("people", UnitKind::External)],
            vec![link("fin", "desk", 0.5), link("desk", "people", 0.8)],
        )
    }

    fn rated(customer: &str, rating: u8, two_way: TwoWay, needs: &[NeedCategory]) -> CustomerAnswer {
        CustomerAnswer {
            customer: CustomerRef::Unit(customer.into()),
            needs: needs.iter().map(|c| Need { text: "x".into(), category: *c }).collect(),
            two_way,
            rating,
        }
    }

    fn card() -> Scorecard {
        let answers = [
            (1, Answer::Customers { customers: vec![rated("desk", 8, TwoWay::Yes, &[NeedCategory::Time, NeedCategory::Time])] }),
            (2, Answer::Customers { customers: vec![rated("desk", 6, TwoWay::No, &[NeedCategory::Quality])] }),
            (3, Answer::ReceivedRating { unit: "fin".into(), rating: 4, comment: String::new() }),
            (3, Answer::Customers { customers: vec![rated("people", 9, TwoWay::Sometimes, &[])] }),
        ];
        let members = [(1, "fin"), (2, "fin"), (3, "desk")];
        let extras = ScorecardExtras { cycle_needs: vec![("fin".into(), NeedCategory::Delivery)] };
        scorecard(&map(), members, answers.iter().map(|(p, a)| (*p, a)), &extras)
    }

    #[test]
    fn self_and_received_ratings_their_gap_coverage_and_needs_are_counted_per_unit() {
        let c = card();
        assert_eq!(c.units.iter().map(|u| u.unit.as_str()).collect::<Vec<_>>(), ["fin", "desk"], "no external segment");
        let fin = &c.units[0];
        assert_eq!((fin.participants, fin.self_rating, fin.self_count), (2, Some(7.0), 2));
        assert_eq!((fin.received_rating, fin.received_count, fin.gap), (Some(4.0), 1, Some(3.0)));
        assert_eq!((fin.customer_links, fin.two_way_yes, fin.two_way_coverage), (2, 1, Some(0.5)));
        assert_eq!(fin.needs, NeedCounts { quality: 1, time: 2, delivery: 0 });
        assert_eq!(fin.cycle_needs, NeedCounts { quality: 0, time: 0, delivery: 1 });
        assert!((fin.criticality - 0.4).abs() < 1e-12, "0.5 · 0.8 to the one segment");
        let desk = &c.units[1];
        assert_eq!((desk.self_rating, desk.received_rating, desk.gap, desk.two_way_coverage), (Some(9.0), None, None, Some(0.0)));
    }

    #[test]
    fn movement_is_after_minus_before_matched_by_unit_id() {
        let before = card();
        let mut after = card();
        after.units[0].received_rating = Some(6.5);
        after.units[0].gap = Some(0.5);
        after.units.remove(1);
        let moved = compare(&before, &after);
        assert_eq!(moved.len(), 2);
        assert_eq!((moved[0].unit.as_str(), moved[0].received_rating, moved[0].gap, moved[0].self_rating), ("fin", Some(2.5), Some(-2.5), Some(0.0)));
        assert_eq!((moved[1].unit.as_str(), moved[1].in_before, moved[1].in_after, moved[1].self_rating), ("desk", true, false, None));
    }
}
