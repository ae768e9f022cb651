//! The report: what a workshop found, for people who do not open Ripple. Built once
//! as a list of blocks (headings, text, tables, bar charts, the map), then rendered
//! as one self-contained HTML file here and as PDF in `pdf.rs`, so both say the same.
//!
//! The HTML loads nothing: inline CSS, inline SVG, no scripts, no URLs; a CSP meta
//! tag forbids loading anything anyway. All text is escaped.

use std::fmt::Write;

use super::tables::{category, customer, two_way};
use super::Archive;
use crate::game::{debrief, score};
use crate::layout;
use crate::org::{OrgMap, UnitKind};
use crate::participants::Answer;
use crate::scorecard::Scorecard;

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Level 1 (a section) or 2 (a subsection).
    Heading(u8, String),
    Paragraph(String),
    List(Vec<String>),
    Table(Table),
    Bars(Bars),
    /// The organisation map, drawn with `layout::layered`.
    Map(OrgMap),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<String>,
    /// Right-aligned (numbers).
    pub numeric: Vec<bool>,
    pub rows: Vec<Vec<String>>,
}

/// A horizontal bar chart: one row per label, one bar per series.
#[derive(Debug, Clone, PartialEq)]
pub struct Bars {
    pub title: String,
    pub series: Vec<String>,
    /// The value a full-width bar stands for.
    pub max: f64,
    /// Values shown as percentages of `max`.
    pub percent: bool,
    pub rows: Vec<(String, Vec<Option<f64>>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub title: String,
    pub blocks: Vec<Block>,
}

/// One decimal, or a dash for no value.
pub fn one_decimal(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_owned(), |x| format!("{x:.1}"))
}

/// With its sign; a value that rounds to zero shows as 0.0 (not −0.0).
pub fn signed(x: Option<f64>) -> String {
    match x.map(|x| (x * 10.0).round() / 10.0) {
        None => "–".to_owned(),
        Some(0.0) => "0.0".to_owned(),
        Some(x) => format!("{x:+.1}"),
    }
}

fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_owned(), |x| format!("{:.0}%", x * 100.0))
}

fn table(columns: &[&str], numeric: &[bool], rows: Vec<Vec<String>>) -> Block {
    Block::Table(Table { columns: columns.iter().map(|c| (*c).to_owned()).collect(), numeric: numeric.to_vec(), rows })
}

/// The scorecard as a table and three charts.
pub fn scorecard_blocks(card: &Scorecard) -> Vec<Block> {
    let rows = card
        .units
        .iter()
        .map(|u| {
            vec![
                u.name.clone(),
                u.kind.as_str().to_owned(),
                u.participants.to_string(),
                one_decimal(u.self_rating),
                one_decimal(u.received_rating),
                signed(u.gap),
                percent(u.two_way_coverage),
                format!("{} / {} / {}", u.needs.quality + u.cycle_needs.quality, u.needs.time + u.cycle_needs.time, u.needs.delivery + u.cycle_needs.delivery),
                format!("{:.2}", u.criticality),
            ]
        })
        .collect();
    let max_crit = card.units.iter().map(|u| u.criticality).fold(0.0, f64::max);
    vec![
        Block::Heading(1, "Scorecard".into()),
        Block::Paragraph(
            "Self: the unit's members rate their own service to their internal customers (1–10). Received: the rating \
             internal customers give the service they receive from the unit. Gap: self minus received. Two-way: share of \
             customer relations with regular two-way communication. Needs: captured per category (quality / time / \
             delivery). Criticality: how much external customers feel it when the unit fails."
                .into(),
        ),
        table(
            &["Unit", "Kind", "People", "Self", "Received", "Gap", "Two-way", "Needs Q/T/D", "Criticality"],
            &[false, false, true, true, true, true, true, true, true],
            rows,
        ),
        Block::Bars(Bars {
            title: "Ratings: self against received".into(),
            series: vec!["self".into(), "received".into()],
            max: 10.0,
            percent: false,
            rows: card.units.iter().map(|u| (u.name.clone(), vec![u.self_rating, u.received_rating])).collect(),
        }),
        Block::Bars(Bars {
            title: "Two-way communication coverage".into(),
            series: vec!["two-way".into()],
            max: 1.0,
            percent: true,
            rows: card.units.iter().map(|u| (u.name.clone(), vec![u.two_way_coverage])).collect(),
        }),
        Block::Bars(Bars {
            title: "Criticality to external customers".into(),
            series: vec!["criticality".into()],
            max: if max_crit > 0.0 { max_crit } else { 1.0 },
            percent: false,
            rows: card.units.iter().map(|u| (u.name.clone(), vec![Some(u.criticality)])).collect(),
        }),
    ]
}

/// The Engagement Cycles: each stage with its moment of truth and the needs behind
/// it, what the room proposed, and the findings (joined with the self-assessment).
pub fn engagement_cycle_section(a: &Archive) -> Vec<Block> {
    let mut blocks = vec![Block::Heading(1, "Engagement Cycle".into())];
    if a.cycles.is_empty() {
        blocks.push(Block::Paragraph("No Engagement Cycle was traced in this workshop.".into()));
        return blocks;
    }
    let unit_name = |id: &str| unit_name_in(&a.map, id);
    let two_way = crate::cycle::two_way_index(a.answers.iter().filter_map(|x| Some((a.participant(x.participant)?.unit.as_str(), &x.answer))));
    for c in &a.cycles {
        blocks.push(Block::Heading(2, format!("{} — for {}", c.name, unit_name(&c.customer))));
        let mut rows = Vec::new();
        for s in &c.stages {
            let moment = format!("{}: {}", unit_name(&s.moment.unit), s.moment.expectation);
            if s.needs.is_empty() {
                rows.push(vec![s.title.clone(), s.phase.label().into(), moment.clone(), "–".into(), String::new(), String::new()]);
            }
            for (i, n) in s.needs.iter().enumerate() {
                let (title, phase, moment) = if i == 0 { (s.title.clone(), s.phase.label().to_owned(), moment.clone()) } else { Default::default() };
                let from = n.provider.as_deref().map_or_else(|| "nobody yet".to_owned(), unit_name);
                rows.push(vec![title, phase, moment, format!("{from} → {}: {}", unit_name(&n.customer), n.what), category_label(n.category).into(), n.standard.clone()]);
            }
        }
        blocks.push(table(&["Stage", "Phase", "Moment of truth", "Need", "About", "Standard"], &[false; 6], rows));
        let proposed: Vec<&crate::cycle::NeedProposal> = a.proposals.iter().filter(|p| p.cycle == c.id).collect();
        if !proposed.is_empty() {
            let accepted = proposed.iter().filter(|p| p.status == crate::cycle::ProposalStatus::Accepted).count();
            blocks.push(Block::Paragraph(format!("The room proposed {} and accepted {accepted}. Most votes:", count(proposed.len(), "need"))));
            let mut top = proposed.clone();
            top.sort_by_key(|p| std::cmp::Reverse(p.voters.len()));
            blocks.push(Block::List(
                top.iter()
                    .take(5)
                    .map(|p| format!("{} ({}, {}) — {}", p.need.what, unit_name(&p.need.customer), count(p.voters.len(), "vote"), p.status.as_str()))
                    .collect(),
            ));
        }
        let f = crate::cycle::findings(c, &two_way);
        let stage_title = |id| c.stage(id).map_or_else(String::new, |s| s.title.clone());
        let mut found = vec![
            format!("{} nobody delivers{}", count(f.undelivered.len(), "need"), list_of(f.undelivered.iter().map(|r| format!("{} ({})", r.need.what, r.stage_title)))),
            format!("{} without regular two-way communication between provider and customer", count(f.without_two_way.len(), "need")),
            format!(
                "Needs per phase: {}",
                f.phases.iter().map(|p| format!("{} {}", p.phase.label(), p.needs)).collect::<Vec<_>>().join(", ")
            ),
        ];
        if let Some(busiest) = f.busiest_stage {
            found.insert(2, format!("The busiest stage: {}", stage_title(busiest)));
        }
        blocks.push(Block::List(found));
    }
    blocks
}

fn category_label(c: crate::participants::NeedCategory) -> &'static str {
    match c {
        crate::participants::NeedCategory::Quality => "quality",
        crate::participants::NeedCategory::Time => "time",
        crate::participants::NeedCategory::Delivery => "delivery method",
    }
}

/// ": a, b, c" (or nothing for none).
fn list_of(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    if items.is_empty() { String::new() } else { format!(": {}", items.join("; ")) }
}

/// The report of one workshop.
pub fn workshop_report(a: &Archive) -> Report {
    let who = |p: u32| a.participant(p).and_then(|p| p.name.clone()).unwrap_or_else(|| format!("#{p}"));
    let unit_name = |id: &str| a.map.unit(id).map_or_else(|| id.to_owned(), |u| u.name.clone());
    let unit_of = |p: u32| a.participant(p).map_or_else(String::new, |p| unit_name(&p.unit));
    let mut blocks = vec![Block::Paragraph(format!(
        "Organisation map “{}”: {}, {}. {}, {}, {}.",
        a.map.name,
        count(a.map.units.len(), "unit"),
        count(a.map.links.len(), "service link"),
        count(a.participants.len(), "participant"),
        count(a.answers.len(), "answer"),
        count(a.game.len(), "Ripple Effect round")
    ))];
    blocks.extend(scorecard_blocks(&super::scorecard_of(a)));
    blocks.push(Block::Heading(1, "The organisation map".into()));
    blocks.push(Block::Paragraph("Support units on the left, frontline units next to the external customers on the right; arrows run from provider to customer.".into()));
    blocks.push(Block::Map(a.map.clone()));

    blocks.push(Block::Heading(1, "Ripple Effect rounds".into()));
    if a.game.is_empty() {
        blocks.push(Block::Paragraph("No round was played.".into()));
    }
    for g in &a.game {
        let incidents: Vec<String> =
            g.incidents.iter().map(|i| format!("{} ({}, severity {})", unit_name_in(&g.map, &i.unit), i.kind.as_str(), i.severity)).collect();
        blocks.push(Block::Heading(2, format!("Round {}: {}", g.id, incidents.join(", "))));
        let points: Vec<u32> = g.predictions.iter().map(|p| score(p.participant, &p.prediction, &g.result, &g.map).points).collect();
        let average = (!points.is_empty()).then(|| f64::from(points.iter().sum::<u32>()) / points.len() as f64);
        blocks.push(Block::Paragraph(format!(
            "{} felt it; {}, external impact {:.2}. {}, room average {} points (of 120).",
            count(g.result.hits.len(), "unit"),
            count(g.result.external.len(), "external segment"),
            g.result.external_impact,
            count(g.predictions.len(), "prediction"),
            one_decimal(average)
        )));
        match debrief(&g.result, &g.map) {
            Ok(d) => {
                if d.chains.is_empty() {
                    blocks.push(Block::Paragraph("The ripple did not reach an external customer.".into()));
                } else {
                    blocks.push(Block::List(d.chains.into_iter().map(|c| c.sentence).collect()));
                }
                for gk in d.gatekeepers {
                    blocks.push(Block::Paragraph(format!("Every chain to {} runs through {}.", gk.segment, gk.through.join(", "))));
                }
            }
            Err(e) => blocks.push(Block::Paragraph(format!("The chains cannot be told: {}", e.message))),
        }
    }

    blocks.extend(engagement_cycle_section(a));

    blocks.push(Block::Heading(1, "Answers".into()));
    blocks.push(Block::Heading(2, "Participants".into()));
    blocks.push(table(
        &["Participant", "Unit", "Manager"],
        &[false, false, false],
        a.participants.iter().map(|p| vec![who(p.id), unit_name(&p.unit), if p.manager { "yes" } else { "" }.into()]).collect(),
    ));
    let (mut customers, mut needs, mut received, mut managers, mut thanks) = (vec![], vec![], vec![], vec![], vec![]);
    for ans in &a.answers {
        let p = ans.participant;
        match &ans.answer {
            Answer::Customers { customers: list } => {
                for c in list {
                    let (id, kind) = customer(&c.customer);
                    let name = if kind == "unit" { unit_name(id) } else { format!("{id} (proposed)") };
                    customers.push(vec![who(p), unit_of(p), name.clone(), two_way(c.two_way).into(), c.rating.to_string()]);
                    for n in &c.needs {
                        needs.push(vec![unit_of(p), name.clone(), category(n.category).into(), n.text.clone()]);
                    }
                }
            }
            Answer::ReceivedRating { unit, rating, comment } => {
                received.push(vec![who(p), unit_of(p), unit_name(unit), rating.to_string(), comment.clone()])
            }
            Answer::Manager { morale, team } => managers.push(vec![who(p), unit_of(p), morale.clone(), team.clone()]),
            Answer::Thanks { unit, message } => thanks.push(vec![who(p), unit_name(unit), message.clone()]),
        }
    }
    for (title, block) in [
        ("Internal customers, two-way communication and ratings", table(&["Participant", "Unit", "Customer", "Two-way", "Rating"], &[false, false, false, false, true], customers)),
        ("What customers need", table(&["Provider", "Customer", "Category", "Need"], &[false, false, false, false], needs)),
        ("Ratings of the service received", table(&["Participant", "Unit", "From", "Rating", "Comment"], &[false, false, false, true, false], received)),
        ("Managers: morale and what the team must do", table(&["Participant", "Unit", "Morale and turnover", "What the team must do"], &[false; 4], managers)),
        ("Thanks", table(&["From", "To", "Message"], &[false; 3], thanks)),
    ] {
        blocks.push(Block::Heading(2, title.into()));
        blocks.push(block);
    }
    Report { title: a.name.clone(), blocks }
}

/// "1 answer", "2 answers".
fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn unit_name_in(map: &OrgMap, id: &str) -> String {
    map.unit(id).map_or_else(|| id.to_owned(), |u| u.name.clone())
}

/// Text as HTML text or attribute value.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body { font: 14px/1.45 system-ui, sans-serif; color: #1d2430; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.9rem; margin: 0 0 .5rem; } h2 { font-size: 1.35rem; margin: 2.2rem 0 .6rem; border-bottom: 2px solid #d8dee8; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; font-size: 13px; }
th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #e3e7ee; vertical-align: top; }
th { background: #f1f4f8; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td { white-space: pre-wrap; overflow-wrap: anywhere; }
svg { display: block; max-width: 100%; height: auto; margin: .5rem 0 1rem; }
figure { margin: 0; } figcaption { font-weight: 600; margin-top: 1rem; }
.legend span { display: inline-block; margin-right: 1rem; } .legend i { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; vertical-align: -1px; }
@media print { body { margin: 0; max-width: none; font-size: 11px; } h2 { break-before: page; } h2:first-of-type { break-before: auto; }
  tr, figure, svg { break-inside: avoid; } thead { display: table-header-group; } }
";

/// Series colours: self, received (also the palette of single-series charts).
pub const SERIES_COLOURS: [&str; 4] = ["#3b6fd8", "#e0823d", "#3a9d6a", "#8a5cc2"];
/// Unit colours by kind: support, frontline, external.
pub fn kind_colour(kind: UnitKind) -> &'static str {
    match kind {
        UnitKind::Support => "#6b8fd6",
        UnitKind::Frontline => "#e5a04b",
        UnitKind::External => "#4caf7d",
    }
}

/// The report as one self-contained HTML page.
pub fn html(report: &Report) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        escape(&report.title),
        escape(&report.title)
    );
    for block in &report.blocks {
        match block {
            Block::Heading(level, text) => {
                let _ = writeln!(out, "<h{0}>{1}</h{0}>", level + 1, escape(text));
            }
            Block::Paragraph(text) => {
                let _ = writeln!(out, "<p>{}</p>", escape(text));
            }
            Block::List(items) => {
                out.push_str("<ul>\n");
                for item in items {
                    let _ = writeln!(out, "<li>{}</li>", escape(item));
                }
                out.push_str("</ul>\n");
            }
            Block::Table(t) => html_table(&mut out, t),
            Block::Bars(b) => html_bars(&mut out, b),
            Block::Map(map) => html_map(&mut out, map),
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn html_table(out: &mut String, t: &Table) {
    if t.rows.is_empty() {
        out.push_str("<p>None.</p>\n");
        return;
    }
    let class = |i: usize| if t.numeric.get(i).copied().unwrap_or(false) { " class=\"n\"" } else { "" };
    out.push_str("<table>\n<thead><tr>");
    for (i, c) in t.columns.iter().enumerate() {
        let _ = write!(out, "<th{}>{}</th>", class(i), escape(c));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let _ = write!(out, "<td{}>{}</td>", class(i), escape(cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Geometry shared by the HTML and PDF charts.
pub mod bars {
    pub const LABEL_WIDTH: f64 = 220.0;
    pub const BAR_WIDTH: f64 = 380.0;
    pub const VALUE_WIDTH: f64 = 60.0;
    pub const BAR_HEIGHT: f64 = 12.0;
    pub const ROW_GAP: f64 = 8.0;

    pub fn row_height(series: usize) -> f64 {
        series.max(1) as f64 * BAR_HEIGHT + ROW_GAP
    }

    pub fn value_text(value: Option<f64>, percent: bool) -> String {
        match value {
            None => "–".to_owned(),
            Some(v) if percent => format!("{:.0}%", v * 100.0),
            Some(v) => format!("{v:.1}"),
        }
    }

    /// The label cut to fit its column.
    pub fn label(text: &str) -> String {
        if text.chars().count() > 34 {
            text.chars().take(33).collect::<String>() + "…"
        } else {
            text.to_owned()
        }
    }
}

fn html_bars(out: &mut String, b: &Bars) {
    let row = bars::row_height(b.series.len());
    let width = bars::LABEL_WIDTH + bars::BAR_WIDTH + bars::VALUE_WIDTH;
    let height = row * b.rows.len() as f64 + 4.0;
    let _ = write!(out, "<figure>\n<figcaption>{}</figcaption>\n", escape(&b.title));
    if b.series.len() > 1 {
        out.push_str("<div class=\"legend\">");
        for (i, s) in b.series.iter().enumerate() {
            let _ = write!(out, "<span><i style=\"background:{}\"></i>{}</span>", SERIES_COLOURS[i % 4], escape(s));
        }
        out.push_str("</div>\n");
    }
    let _ = writeln!(out, "<svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{}\" font-size=\"11\">", escape(&b.title));
    for (r, (label, values)) in b.rows.iter().enumerate() {
        let top = r as f64 * row + 2.0;
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#1d2430\">{}</text>",
            bars::LABEL_WIDTH - 6.0,
            top + row / 2.0,
            escape(&bars::label(label))
        );
        for (s, value) in values.iter().enumerate() {
            let y = top + s as f64 * bars::BAR_HEIGHT;
            let w = value.map_or(0.0, |v| (v / b.max).clamp(0.0, 1.0) * bars::BAR_WIDTH);
            let _ = writeln!(
                out,
                "<rect x=\"{}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{}\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#4a5566\">{}</text>",
                bars::LABEL_WIDTH,
                bars::BAR_HEIGHT - 2.0,
                SERIES_COLOURS[s % 4],
                bars::LABEL_WIDTH + w + 4.0,
                y + bars::BAR_HEIGHT - 3.0,
                bars::value_text(*value, b.percent)
            );
        }
    }
    out.push_str("</svg>\n</figure>\n");
}

fn html_map(out: &mut String, map: &OrgMap) {
    let layout = layout::layered(map);
    let at: std::collections::HashMap<&str, (f64, f64)> = layout.nodes.iter().map(|n| (n.id.as_str(), (n.x, n.y))).collect();
    let _ = writeln!(
        out,
        "<svg viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" role=\"img\" aria-label=\"The organisation map\" font-size=\"13\">\n\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#8a94a6\"/></marker></defs>",
        layout.width, layout.height
    );
    for l in &map.links {
        let (Some(&(x1, y1)), Some(&(x2, y2))) = (at.get(l.provider.as_str()), at.get(l.customer.as_str())) else { continue };
        // Stop the arrow at the customer's circle.
        let (dx, dy) = (x2 - x1, y2 - y1);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let (ex, ey) = (x2 - dx / len * MAP_RADIUS, y2 - dy / len * MAP_RADIUS);
        let _ = writeln!(
            out,
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{ex:.1}\" y2=\"{ey:.1}\" stroke=\"#8a94a6\" stroke-width=\"{:.1}\" marker-end=\"url(#arrow)\"><title>{}</title></line>",
            0.5 + 2.0 * l.strength,
            escape(&format!("{} → {}: {}", l.provider, l.customer, l.service))
        );
    }
    for (u, n) in map.units.iter().zip(&layout.nodes) {
        let _ = writeln!(
            out,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{MAP_RADIUS}\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#1d2430\">{}</text>",
            n.x,
            n.y,
            kind_colour(u.kind),
            n.x,
            n.y + MAP_RADIUS + 15.0,
            escape(&bars::label(&u.name))
        );
    }
    out.push_str("</svg>\n");
}

/// The radius of a unit's circle on the map's canvas.
pub const MAP_RADIUS: f64 = 14.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_text_is_escaped() {
        assert_eq!((signed(Some(-0.04)), signed(Some(0.26)), signed(None)), ("0.0".to_owned(), "+0.3".to_owned(), "–".to_owned()));
        assert_eq!(escape("<script>alert('x') & \"y\"</script>"), "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
    }

    #[test]
    fn the_engagement_cycle_section_tells_each_stage_and_its_findings_or_says_there_was_none() {
        let mut a = crate::export::archive::Archive::new("Cohort", crate::workshop::demo_map());
        let empty = engagement_cycle_section(&a);
        assert!(matches!(&empty[1], Block::Paragraph(p) if p.starts_with("No Engagement Cycle")));
        let template = crate::cycle::templates().into_iter().find(|t| t.id == "repair-call").unwrap();
        let (map, mut cycle) = crate::cycle::instantiate(&template, &a.map);
        cycle.id = 1;
        (a.map, a.cycles) = (map, vec![cycle]);
        let filled = engagement_cycle_section(&a);
        assert_eq!(filled[1], Block::Heading(2, "A repair call — for Households".into()));
        let Block::Table(t) = &filled[2] else { panic!("{:?}", filled[2]) };
        assert_eq!(t.rows[0][..4], ["Reporting the fault", "pre-service", "Customer Service: Answered within a minute by someone who can book a visit", "IT → Customer Service: A working phone system and the customer's record on screen"]);
        assert_eq!(t.rows[1][0], "", "a stage's title only on its first need");
        let Block::List(found) = &filled[3] else { panic!("{:?}", filled[3]) };
        assert!(found[0].starts_with("1 need nobody delivers: Word when an engineer runs late (The repair)"), "{found:?}");
        assert!(found.iter().any(|f| f == "The busiest stage: The repair"));
    }

    #[test]
    fn a_report_page_loads_nothing_from_anywhere() {
        let mut map = crate::workshop::demo_map();
        map.units[0].name = "<img src=x onerror=alert(1)>".into();
        let page = html(&Report { title: "T".into(), blocks: vec![Block::Map(map)] });
        assert!(!page.contains("<img"), "escaped");
        assert!(!page.contains("http://") && !page.contains("https://") && !page.contains("<script"));
        assert!(page.contains("<circle"));
    }
}
