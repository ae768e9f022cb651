//! The roll-up: several archives of one organisation (cohorts, or before and after
//! a training) merged into one report that compares them unit by unit.

use super::report::{one_decimal, signed, Bars, Block, Report, Table};
use super::{scorecard_of, Archive, ExportError};
use crate::scorecard::{compare, Scorecard};

fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_owned(), |x| format!("{:.0}%", x * 100.0))
}

/// The comparison report of `archives`, in the order given (the first is the baseline).
/// Archives that share no unit with the first are refused: they are not the same organisation.
pub fn rollup(archives: &[Archive]) -> Result<Report, ExportError> {
    let Some(first) = archives.first() else {
        return Err(ExportError::Input("a roll-up needs at least one archive".into()));
    };
    let cards: Vec<Scorecard> = archives.iter().map(scorecard_of).collect();
    for (a, card) in archives.iter().zip(&cards).skip(1) {
        if !card.units.iter().any(|u| cards[0].units.iter().any(|f| f.unit == u.unit)) {
            return Err(ExportError::Input(format!(
                "“{}” shares no unit with “{}”: a roll-up compares workshops of one organisation",
                a.name, first.name
            )));
        }
    }
    // Every unit any cohort has, in the order first met.
    let mut units: Vec<(String, String)> = Vec::new();
    for card in &cards {
        for u in &card.units {
            if !units.iter().any(|(id, _)| *id == u.unit) {
                units.push((u.unit.clone(), u.name.clone()));
            }
        }
    }
    let cohorts: Vec<String> = archives.iter().map(|a| a.name.clone()).collect();
    let per_cohort = |title: &str, value: &dyn Fn(&crate::scorecard::UnitScorecard) -> String| {
        let mut columns = vec!["Unit".to_owned()];
        columns.extend(cohorts.iter().cloned());
        let rows = units
            .iter()
            .map(|(id, name)| {
                let mut row = vec![name.clone()];
                row.extend(cards.iter().map(|c| c.units.iter().find(|u| u.unit == *id).map_or_else(|| "–".to_owned(), value)));
                row
            })
            .collect();
        let mut numeric = vec![false];
        numeric.extend(cohorts.iter().map(|_| true));
        vec![Block::Heading(2, title.to_owned()), Block::Table(Table { columns, numeric, rows })]
    };

    let mut blocks = vec![
        Block::Paragraph(format!("{} workshops of one organisation compared unit by unit, in the order given.", archives.len())),
        Block::Heading(1, "Cohorts".into()),
        Block::Table(Table {
            columns: ["Cohort", "Participants", "Answers", "Ripple rounds", "Units"].map(String::from).to_vec(),
            numeric: vec![false, true, true, true, true],
            rows: archives
                .iter()
                .zip(&cards)
                .map(|(a, c)| {
                    vec![a.name.clone(), a.participants.len().to_string(), a.answers.len().to_string(), a.game.len().to_string(), c.units.len().to_string()]
                })
                .collect(),
        }),
        Block::Heading(1, "Scorecard per cohort".into()),
    ];
    blocks.extend(per_cohort("Self-rating as provider", &|u| one_decimal(u.self_rating)));
    blocks.extend(per_cohort("Rating received from internal customers", &|u| one_decimal(u.received_rating)));
    blocks.extend(per_cohort("Gap (self − received)", &|u| signed(u.gap)));
    blocks.extend(per_cohort("Two-way communication coverage", &|u| percent(u.two_way_coverage)));
    blocks.extend(per_cohort("Needs captured", &|u| (u.needs.total() + u.cycle_needs.total()).to_string()));
    blocks.extend(per_cohort("Participants", &|u| u.participants.to_string()));
    blocks.push(Block::Bars(Bars {
        title: "Rating received, per cohort".into(),
        series: cohorts.clone(),
        max: 10.0,
        percent: false,
        rows: units
            .iter()
            .map(|(id, name)| (name.clone(), cards.iter().map(|c| c.units.iter().find(|u| u.unit == *id).and_then(|u| u.received_rating)).collect()))
            .collect(),
    }));
    if archives.len() > 1 {
        let last = archives.len() - 1;
        blocks.push(Block::Heading(1, format!("Movement from “{}” to “{}”", cohorts[0], cohorts[last])));
        blocks.push(Block::Table(Table {
            columns: ["Unit", "Self", "Received", "Gap", "Two-way (points)", "Needs"].map(String::from).to_vec(),
            numeric: vec![false, true, true, true, true, true],
            rows: compare(&cards[0], &cards[last])
                .into_iter()
                .map(|m| {
                    vec![
                        m.name,
                        signed(m.self_rating),
                        signed(m.received_rating),
                        signed(m.gap),
                        signed(m.two_way_coverage.map(|x| x * 100.0)),
                        m.needs.map_or_else(|| "–".to_owned(), |n| format!("{n:+}")),
                    ]
                })
                .collect(),
        }));
    }
    Ok(Report { title: format!("Roll-up: {}", first.map.name.clone()).trim_end_matches(": ").to_owned(), blocks })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::archive::{ArchivedAnswer, ArchivedParticipant};
    use crate::participants::Answer;

    fn cohort(name: &str, map: crate::org::OrgMap, rating: u8) -> Archive {
        Archive {
            participants: vec![ArchivedParticipant { id: 1, name: None, unit: "sales".into(), manager: false, joined_at: 0 }],
            answers: vec![ArchivedAnswer { participant: 1, submitted_at: 0, answer: Answer::ReceivedRating { unit: "finance".into(), rating, comment: String::new() } }],
            ..Archive::new(name, map)
        }
    }

    fn table_after<'a>(report: &'a Report, heading: &str) -> &'a Table {
        let at = report.blocks.iter().position(|b| matches!(b, Block::Heading(_, h) if h.starts_with(heading))).expect(heading);
        match &report.blocks[at + 1] {
            Block::Table(t) => t,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn each_cohort_gets_a_column_and_the_movement_runs_from_first_to_last() {
        let demo = crate::workshop::demo_map();
        let mut smaller = demo.clone();
        smaller.links.retain(|l| l.provider != "legal" && l.customer != "legal");
        smaller.units.retain(|u| u.id != "legal");
        let report = rollup(&[cohort("A", demo.clone(), 4), cohort("B", smaller, 7), cohort("C", demo, 9)]).unwrap();
        let received = table_after(&report, "Rating received");
        assert_eq!(received.columns, ["Unit", "A", "B", "C"]);
        let finance = received.rows.iter().find(|r| r[0] == "Finance").unwrap();
        assert_eq!(finance[1..], ["4.0", "7.0", "9.0"]);
        let legal = received.rows.iter().find(|r| r[0] == "Legal").unwrap();
        assert_eq!(legal[2], "–", "B has no Legal");
        let moved = table_after(&report, "Movement from “A” to “C”");
        assert_eq!(moved.rows.iter().find(|r| r[0] == "Finance").unwrap()[2], "+5.0");
    }

    #[test]
    fn archives_of_another_organisation_or_none_at_all_are_refused() {
        let elsewhere = crate::org::OrgMap::new(
            "elsewhere",
            vec![crate::org::Unit { id: "ward".into(), name: "Ward".into(), kind: crate::org::UnitKind::Frontline, weight: 1.0 }],
            vec![],
        );
        let e = rollup(&[cohort("A", crate::workshop::demo_map(), 4), cohort("Z", elsewhere, 4)]).unwrap_err().to_string();
        assert!(e.contains("“Z” shares no unit with “A”"), "{e}");
        assert!(rollup(&[]).is_err());
    }
}
