//! The workshop as flat tables with typed cells, written by both the CSV and the
//! XLSX exporters (one file or sheet per table). Participants appear by their archive
//! number; names only in the participants table.

use std::borrow::Cow;

use super::Archive;
use crate::game::score;
use crate::participants::{Answer, CustomerRef, NeedCategory, TwoWay};

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Bool(bool),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<f64> for Cell {
    fn from(x: f64) -> Cell {
        Cell::Number(x)
    }
}

impl From<u32> for Cell {
    fn from(x: u32) -> Cell {
        Cell::Number(f64::from(x))
    }
}

impl From<i64> for Cell {
    fn from(x: i64) -> Cell {
        Cell::Number(x as f64)
    }
}

impl From<bool> for Cell {
    fn from(x: bool) -> Cell {
        Cell::Bool(x)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(x: Option<T>) -> Cell {
        x.map_or(Cell::Empty, Into::into)
    }
}

pub struct Table {
    /// The file's or sheet's name.
    pub name: &'static str,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

/// Text a spreadsheet would read as a formula (or that could start one) gets a
/// leading `'`, so it is shown as the text it is.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

pub fn category(c: NeedCategory) -> &'static str {
    match c {
        NeedCategory::Quality => "quality",
        NeedCategory::Time => "time",
        NeedCategory::Delivery => "delivery",
    }
}

pub fn two_way(t: TwoWay) -> &'static str {
    match t {
        TwoWay::Yes => "yes",
        TwoWay::Sometimes => "sometimes",
        TwoWay::No => "no",
    }
}

/// A named customer: the unit's id, or the name a participant typed.
pub fn customer(c: &CustomerRef) -> (&str, &'static str) {
    match c {
        CustomerRef::Unit(id) => (id, "unit"),
        CustomerRef::Proposed(name) => (name, "proposed"),
    }
}

fn table(name: &'static str, columns: &[&'static str], rows: Vec<Vec<Cell>>) -> Table {
    Table { name, columns: columns.to_vec(), rows }
}

/// Every table of a workshop, in the order the files and sheets come.
pub fn tables(a: &Archive) -> Vec<Table> {
    let unit_of = |p: u32| a.participant(p).map_or("", |p| p.unit.as_str()).to_owned();
    let mut customers = Vec::new();
    let mut needs = Vec::new();
    let mut received = Vec::new();
    let mut managers = Vec::new();
    let mut thanks = Vec::new();
    for ans in &a.answers {
        let (p, unit) = (ans.participant, unit_of(ans.participant));
        match &ans.answer {
            Answer::Customers { customers: list } => {
                for c in list {
                    let (who, kind) = customer(&c.customer);
                    customers.push(vec![p.into(), unit.clone().into(), who.into(), kind.into(), two_way(c.two_way).into(), u32::from(c.rating).into()]);
                    for n in &c.needs {
                        needs.push(vec![p.into(), unit.clone().into(), who.into(), category(n.category).into(), n.text.clone().into()]);
                    }
                }
            }
            Answer::ReceivedRating { unit: from, rating, comment } => {
                received.push(vec![p.into(), unit.into(), from.clone().into(), u32::from(*rating).into(), comment.clone().into()])
            }
            Answer::Manager { morale, team } => managers.push(vec![p.into(), unit.into(), morale.clone().into(), team.clone().into()]),
            Answer::Thanks { unit: to, message } => thanks.push(vec![p.into(), unit.into(), to.clone().into(), message.clone().into()]),
        }
    }
    let mut rounds = Vec::new();
    let mut predictions = Vec::new();
    for g in &a.game {
        let incidents: Vec<String> = g.incidents.iter().map(|i| format!("{}:{}:{}", i.unit, i.severity, i.kind.as_str())).collect();
        rounds.push(vec![
            g.id.into(),
            g.phase.as_str().into(),
            g.started_at.into(),
            incidents.join(" ").into(),
            (g.result.hits.len() as u32).into(),
            (g.result.external.len() as u32).into(),
            g.result.external_impact.into(),
            (g.predictions.len() as u32).into(),
        ]);
        for p in &g.predictions {
            let s = score(p.participant, &p.prediction, &g.result, &g.map);
            predictions.push(vec![
                g.id.into(),
                p.participant.into(),
                unit_of(p.participant).into(),
                p.prediction.units.join(" ").into(),
                p.prediction.customers.into(),
                s.hits.into(),
                s.misses.into(),
                s.false_alarms.into(),
                s.customers_right.into(),
                s.points.into(),
            ]);
        }
    }
    let card = super::scorecard_of(a);
    vec![
        table(
            "scorecard",
            &[
                "unit", "name", "kind", "participants", "self_rating", "self_count", "received_rating", "received_count", "gap",
                "customer_links", "two_way_yes", "two_way_coverage", "needs_quality", "needs_time", "needs_delivery",
                "cycle_needs_quality", "cycle_needs_time", "cycle_needs_delivery", "criticality", "segments_reached",
            ],
            card.units
                .iter()
                .map(|u| {
                    vec![
                        u.unit.clone().into(),
                        u.name.clone().into(),
                        u.kind.as_str().into(),
                        u.participants.into(),
                        u.self_rating.into(),
                        u.self_count.into(),
                        u.received_rating.into(),
                        u.received_count.into(),
                        u.gap.into(),
                        u.customer_links.into(),
                        u.two_way_yes.into(),
                        u.two_way_coverage.into(),
                        u.needs.quality.into(),
                        u.needs.time.into(),
                        u.needs.delivery.into(),
                        u.cycle_needs.quality.into(),
                        u.cycle_needs.time.into(),
                        u.cycle_needs.delivery.into(),
                        u.criticality.into(),
                        u.segments_reached.into(),
                    ]
                })
                .collect(),
        ),
        table(
            "units",
            &["id", "name", "kind", "weight"],
            a.map.units.iter().map(|u| vec![u.id.clone().into(), u.name.clone().into(), u.kind.as_str().into(), u.weight.into()]).collect(),
        ),
        table(
            "links",
            &["provider", "customer", "service", "strength", "lag", "quality", "time", "delivery"],
            a.map
                .links
                .iter()
                .map(|l| {
                    vec![
                        l.provider.clone().into(),
                        l.customer.clone().into(),
                        l.service.clone().into(),
                        l.strength.into(),
                        l.lag.into(),
                        l.quality.clone().into(),
                        l.time.clone().into(),
                        l.delivery.clone().into(),
                    ]
                })
                .collect(),
        ),
        table(
            "participants",
            &["participant", "name", "unit", "manager", "joined_at"],
            a.participants
                .iter()
                .map(|p| vec![p.id.into(), p.name.clone().into(), p.unit.clone().into(), p.manager.into(), p.joined_at.into()])
                .collect(),
        ),
        table("customers", &["participant", "unit", "customer", "customer_kind", "two_way", "rating"], customers),
        table("needs", &["participant", "unit", "customer", "category", "need"], needs),
        table("received_ratings", &["participant", "unit", "provider", "rating", "comment"], received),
        table("manager_answers", &["participant", "unit", "morale", "team"], managers),
        table("thanks", &["participant", "unit", "to", "message"], thanks),
        table(
            "game_rounds",
            &["round", "phase", "started_at", "incidents", "units_hit", "segments_hit", "external_impact", "predictions"],
            rounds,
        ),
        table(
            "predictions",
            &["round", "participant", "unit", "predicted_units", "predicted_customers", "hits", "misses", "false_alarms", "customers_right", "points"],
            predictions,
        ),
        table(
            "agenda",
            &["activity", "kind", "title", "planned_minutes", "started_at", "finished_at"],
            a.agenda
                .activities
                .iter()
                .map(|x| vec![x.id.into(), x.kind.as_str().into(), x.title.clone().into(), x.planned_minutes.into(), x.started_at.into(), x.finished_at.into()])
                .collect(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_could_start_a_formula_gets_a_leading_apostrophe() {
        for bad in ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "\rx"] {
            assert_eq!(neutralise(bad), format!("'{bad}"));
        }
        for fine in ["Payroll = on time", "1+1", "", "'quoted"] {
            assert_eq!(neutralise(fine), fine);
        }
    }
}
