//! Where each unit sits when the map is drawn: columns that read left to right,
//! from support units through frontline units to external customers.
//!
//! Support units are placed by how many hops they are from the front line, so a
//! service that feeds another support unit sits further left. Within a column,
//! units are ordered by the average position of their neighbours (a few
//! barycentre sweeps) to keep arrows short and crossings few; ties break by id so
//! the layout is stable between runs. A tier too tall for legible boxes is spread
//! over several columns side by side.

use std::collections::{BTreeMap, HashMap, VecDeque};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::org::{OrgMap, UnitKind};

/// The drawing area the coordinates refer to; the UI scales it to the window.
pub const CANVAS_WIDTH: f64 = 1600.0;
pub const CANVAS_HEIGHT: f64 = 900.0;
/// The most units one column holds: at 1280×720 a box of this many rows keeps a label
/// of about 12 px (the UI sizes boxes from the closest rows of a column).
pub const MAX_ROWS: usize = 16;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct NodePosition {
    pub id: String,
    /// Column index, 0 = leftmost.
    pub column: u32,
    /// Centre of the node on the canvas.
    pub x: f64,
    pub y: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct MapLayout {
    pub width: f64,
    pub height: f64,
    pub columns: u32,
    /// In the order of the map's units.
    pub nodes: Vec<NodePosition>,
}

/// A point on the layout's canvas.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// Units the trainer placed by hand, by id.
pub type Positions = BTreeMap<String, Point>;

/// The layout with the units the trainer placed where they were dropped (inside the
/// canvas), each counted in the column nearest to it so the drawing sizes boxes with
/// its new neighbours in mind; every other unit where [`layered`] puts it.
pub fn arranged(map: &OrgMap, positions: &Positions) -> MapLayout {
    let mut layout = layered(map);
    if positions.is_empty() {
        return layout;
    }
    let mut columns: Vec<(u32, f64)> = layout.nodes.iter().map(|n| (n.column, n.x)).collect();
    columns.sort_by_key(|c| c.0);
    columns.dedup_by_key(|c| c.0);
    for node in &mut layout.nodes {
        let Some(p) = positions.get(&node.id) else { continue };
        node.x = p.x.clamp(0.0, CANVAS_WIDTH);
        node.y = p.y.clamp(0.0, CANVAS_HEIGHT);
        let nearest = columns.iter().min_by(|a, b| (a.1 - node.x).abs().total_cmp(&(b.1 - node.x).abs()));
        if let Some(&(column, _)) = nearest {
            node.column = column;
        }
    }
    layout
}

/// Lays out a valid map.
pub fn layered(map: &OrgMap) -> MapLayout {
    let index: HashMap<&str, usize> = map.units.iter().enumerate().map(|(i, u)| (u.id.as_str(), i)).collect();
    let n = map.units.len();
    let mut customers = vec![Vec::new(); n];
    let mut neighbours = vec![Vec::new(); n];
    for link in &map.links {
        let (Some(&p), Some(&c)) = (index.get(link.provider.as_str()), index.get(link.customer.as_str())) else {
            continue;
        };
        customers[p].push(c);
        neighbours[p].push(c);
        neighbours[c].push(p);
    }

    // Hops from each unit forward to the nearest frontline or external unit.
    let hops_to_front = hops_to_front_line(map, &customers);
    let deepest = hops_to_front.iter().flatten().copied().max().unwrap_or(0).max(1);
    // Columns: support tiers (deepest first), then frontline, then external.
    let frontline_column = deepest;
    let column_of = |i: usize| -> usize {
        match map.units[i].kind {
            UnitKind::External => frontline_column + 1,
            UnitKind::Frontline => frontline_column,
            // A support unit that reaches no one sits with the furthest tier.
            UnitKind::Support => frontline_column - hops_to_front[i].unwrap_or(deepest).clamp(1, deepest),
        }
    };
    let column_count = frontline_column + 2;
    let mut columns: Vec<Vec<usize>> = vec![Vec::new(); column_count];
    let mut ids: Vec<usize> = (0..n).collect();
    ids.sort_by(|&a, &b| map.units[a].id.cmp(&map.units[b].id));
    for i in ids {
        columns[column_of(i)].push(i);
    }
    // Drop empty support tiers so the drawing has no gaps.
    columns.retain(|c| !c.is_empty());

    let mut rank = vec![0.0f64; n];
    let assign_ranks = |columns: &Vec<Vec<usize>>, rank: &mut Vec<f64>| {
        for column in columns {
            let len = column.len().max(1) as f64;
            for (k, &i) in column.iter().enumerate() {
                rank[i] = (k as f64 + 0.5) / len;
            }
        }
    };
    assign_ranks(&columns, &mut rank);
    for _sweep in 0..8 {
        for column in columns.iter_mut() {
            let key: Vec<(f64, usize)> = column
                .iter()
                .map(|&i| {
                    let around = &neighbours[i];
                    let centre = if around.is_empty() {
                        rank[i]
                    } else {
                        around.iter().map(|&j| rank[j]).sum::<f64>() / around.len() as f64
                    };
                    (centre, i)
                })
                .collect();
            let mut sorted = key;
            sorted.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| map.units[a.1].id.cmp(&map.units[b.1].id)));
            *column = sorted.into_iter().map(|(_, i)| i).collect();
        }
        assign_ranks(&columns, &mut rank);
    }

    // A tier taller than MAX_ROWS is dealt in turn over several side-by-side columns:
    // each keeps its place in the tier's order (y), and neighbours alternate columns, so
    // within a column the rows are far enough apart for legible boxes.
    let slots: Vec<usize> = columns.iter().map(|c| c.len().div_ceil(MAX_ROWS)).collect();
    let total: usize = slots.iter().sum();
    let margin_x = 110.0;
    let margin_y = 60.0;
    let step_x = if total > 1 { (CANVAS_WIDTH - 2.0 * margin_x) / (total - 1) as f64 } else { 0.0 };
    let mut nodes: Vec<Option<NodePosition>> = vec![None; n];
    let mut first = 0;
    for (column, &k) in columns.iter().zip(&slots) {
        let step_y = (CANVAS_HEIGHT - 2.0 * margin_y) / column.len() as f64;
        for (j, &i) in column.iter().enumerate() {
            let c = first + j % k;
            nodes[i] = Some(NodePosition {
                id: map.units[i].id.clone(),
                column: c as u32,
                x: margin_x + step_x * c as f64,
                y: margin_y + step_y * (j as f64 + 0.5),
            });
        }
        first += k;
    }
    MapLayout {
        width: CANVAS_WIDTH,
        height: CANVAS_HEIGHT,
        columns: total as u32,
        nodes: nodes.into_iter().map(|p| p.expect("every unit is in a column")).collect(),
    }
}

/// Breadth-first search backwards from every frontline and external unit.
fn hops_to_front_line(map: &OrgMap, customers: &[Vec<usize>]) -> Vec<Option<usize>> {
    let n = map.units.len();
    let mut providers = vec![Vec::new(); n];
    for (p, cs) in customers.iter().enumerate() {
        for &c in cs {
            providers[c].push(p);
        }
    }
    let mut hops = vec![None; n];
    let mut queue = VecDeque::new();
    for (i, unit) in map.units.iter().enumerate() {
        if unit.kind != UnitKind::Support {
            hops[i] = Some(0);
            queue.push_back(i);
        }
    }
    while let Some(c) = queue.pop_front() {
        let next = hops[c].unwrap_or(0) + 1;
        for &p in &providers[c] {
            if hops[p].is_none() {
                hops[p] = Some(next);
                queue.push_back(p);
            }
        }
    }
    hops
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::{ServiceLink, Unit};

    fn unit(id: &str, kind: UnitKind) -> Unit {
        Unit { id: id.into(), name: id.into(), kind, weight: 1.0 }
    }

    fn link(p: &str, c: &str) -> ServiceLink {
        ServiceLink {
            provider: p.into(),
            customer: c.into(),
            service: "s".into(),
            strength: 0.5,
            lag: 1.0,
            quality: String::new(),
            time: String::new(),
            delivery: String::new(),
        }
    }

    //   hr ──▶ finance ──▶ sales ──▶ households
    //    └──────────────────▶ sales
    //   it (serves no one yet)
    fn sample() -> OrgMap {
        OrgMap::new(
            "t",
            vec![
                unit("households", UnitKind::External),
                unit("sales", UnitKind::Frontline),
                unit("finance", UnitKind::Support),
                unit("hr", UnitKind::Support),
                unit("it", UnitKind::Support),
            ],
            vec![link("hr", "finance"), link("finance", "sales"), link("sales", "households"), link("it", "hr")],
        )
    }

    fn column(layout: &MapLayout, id: &str) -> u32 {
        layout.nodes.iter().find(|n| n.id == id).unwrap().column
    }

    #[test]
    fn the_flow_reads_left_to_right_towards_external_customers() {
        let layout = layered(&sample());
        assert_eq!(layout.columns, 5);
        assert_eq!(column(&layout, "households"), 4);
        assert_eq!(column(&layout, "sales"), 3);
        assert_eq!(column(&layout, "finance"), 2);
        assert_eq!(column(&layout, "hr"), 1);
        assert_eq!(column(&layout, "it"), 0);
        let xs: Vec<f64> = ["it", "hr", "finance", "sales", "households"]
            .iter()
            .map(|id| layout.nodes.iter().find(|n| n.id == *id).unwrap().x)
            .collect();
        assert!(xs.windows(2).all(|w| w[0] < w[1]), "{xs:?}");
    }

    #[test]
    fn every_node_lies_inside_the_canvas_and_none_overlap() {
        let layout = layered(&sample());
        for n in &layout.nodes {
            assert!(n.x > 0.0 && n.x < CANVAS_WIDTH && n.y > 0.0 && n.y < CANVAS_HEIGHT, "{n:?}");
        }
        for a in &layout.nodes {
            for b in &layout.nodes {
                if a.id != b.id {
                    assert!((a.x - b.x).abs() > 1.0 || (a.y - b.y).abs() > 1.0, "{a:?} overlaps {b:?}");
                }
            }
        }
    }

    /// Boxes as the UI sizes them (ui/src/lib/geometry.ts, `fitLayout`): two thirds of the
    /// column pitch wide, 0.68 of a column's closest rows high.
    fn overlapping_boxes(layout: &MapLayout) -> Vec<(String, String)> {
        let mut xs: Vec<f64> = layout.nodes.iter().map(|n| n.x).collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        let pitch = xs.windows(2).map(|w| w[1] - w[0]).fold(CANVAS_WIDTH, f64::min);
        let mut gap = CANVAS_HEIGHT;
        for a in &layout.nodes {
            for b in &layout.nodes {
                if a.id != b.id && a.column == b.column {
                    gap = gap.min((a.y - b.y).abs());
                }
            }
        }
        let (w, h) = (0.67 * pitch, 0.68 * gap);
        let mut out = Vec::new();
        for (i, a) in layout.nodes.iter().enumerate() {
            for b in &layout.nodes[i + 1..] {
                if (a.x - b.x).abs() < w && (a.y - b.y).abs() < h {
                    out.push((a.id.clone(), b.id.clone()));
                }
            }
        }
        out
    }

    #[test]
    fn a_tall_tier_of_a_100_unit_map_spreads_over_columns_and_no_boxes_overlap() {
        for seed in 1..=5 {
            let map = crate::generate::generate(100, seed);
            let layout = layered(&map);
            let mut per_column = HashMap::new();
            for n in &layout.nodes {
                *per_column.entry(n.column).or_insert(0) += 1;
            }
            assert!(per_column.values().all(|&c| c <= MAX_ROWS), "seed {seed}: {per_column:?}");
            assert!(per_column.len() > 4, "seed {seed}: some tier was split");
            assert_eq!(overlapping_boxes(&layout), vec![], "seed {seed}");
            // Rows of a column stay at least a full row of the tallest column apart.
            let row = (CANVAS_HEIGHT - 120.0) / MAX_ROWS as f64;
            for a in &layout.nodes {
                for b in &layout.nodes {
                    if a.id != b.id && a.column == b.column {
                        assert!((a.y - b.y).abs() >= row - 1e-9, "seed {seed}: {a:?} {b:?}");
                    }
                }
            }
            // Still left to right: every support column before every frontline one, before the customers.
            let rank = |k: UnitKind| match k {
                UnitKind::Support => 0,
                UnitKind::Frontline => 1,
                UnitKind::External => 2,
            };
            for (ua, na) in map.units.iter().zip(&layout.nodes) {
                for (ub, nb) in map.units.iter().zip(&layout.nodes) {
                    if rank(ua.kind) < rank(ub.kind) {
                        assert!(na.x < nb.x, "seed {seed}: {} left of {}", ua.id, ub.id);
                    }
                }
            }
        }
    }

    #[test]
    fn a_small_map_keeps_one_column_per_tier() {
        let layout = layered(&crate::workshop::demo_map());
        assert_eq!(layout.columns, 4);
        assert_eq!(overlapping_boxes(&layout), vec![]);
    }

    #[test]
    fn renaming_units_and_editing_services_moves_nothing_and_a_new_support_unit_leaves_the_front_line_columns_in_place() {
        let map = crate::generate::generate(100, 3);
        let before = layered(&map);
        let mut edited = map.clone();
        edited.units[10].name = "A much longer name than before".into();
        edited.links[5].strength = 0.1;
        edited.links[7].service = "Something else".into();
        assert_eq!(layered(&edited), before);

        // A unit with no links yet joins the furthest support tier; the frontline and the
        // customers stay in their columns (a unit may swap with its neighbour between the
        // columns of a split tier, as the order within the tier shifts).
        let mut grown = map.clone();
        grown.units.push(unit("newcomer", UnitKind::Support));
        let after = layered(&grown);
        let leftmost = after.nodes.iter().map(|n| n.x).fold(f64::INFINITY, f64::min);
        let pitch = (CANVAS_WIDTH - 220.0) / (after.columns - 1) as f64;
        assert!(after.nodes.last().unwrap().x < leftmost + 2.0 * pitch, "{:?}", after.nodes.last());
        for kind in [UnitKind::Frontline, UnitKind::External] {
            let columns = |l: &MapLayout| {
                let mut xs: Vec<i64> = map.units.iter().zip(&l.nodes).filter(|(u, _)| u.kind == kind).map(|(_, n)| n.x as i64).collect();
                xs.sort();
                xs.dedup();
                xs
            };
            assert_eq!(columns(&before), columns(&after), "{kind:?}");
        }
    }

    #[test]
    fn a_unit_placed_by_hand_sits_where_it_was_dropped_in_the_nearest_column_and_no_one_else_moves() {
        let map = sample();
        let auto = layered(&map);
        let sales = auto.nodes.iter().find(|n| n.id == "sales").unwrap().clone();
        let positions = Positions::from([
            ("it".to_owned(), Point { x: sales.x - 20.0, y: 800.0 }),
            ("gone".to_owned(), Point { x: 1.0, y: 1.0 }),
            ("hr".to_owned(), Point { x: -50.0, y: 5000.0 }),
        ]);
        let layout = arranged(&map, &positions);
        let it = layout.nodes.iter().find(|n| n.id == "it").unwrap();
        assert_eq!((it.x, it.y, it.column), (sales.x - 20.0, 800.0, sales.column));
        let hr = layout.nodes.iter().find(|n| n.id == "hr").unwrap();
        assert_eq!((hr.x, hr.y), (0.0, CANVAS_HEIGHT), "kept on the canvas");
        for (a, b) in auto.nodes.iter().zip(&layout.nodes) {
            if a.id != "it" && a.id != "hr" {
                assert_eq!(a, b);
            }
        }
        assert_eq!(arranged(&map, &Positions::new()), auto);
    }

    #[test]
    fn the_layout_does_not_depend_on_the_order_of_units_or_links() {
        let a = sample();
        let mut b = sample();
        b.units.reverse();
        b.links.reverse();
        let pos = |l: &MapLayout| {
            let mut v: Vec<(String, u32, i64)> = l.nodes.iter().map(|n| (n.id.clone(), n.column, n.y as i64)).collect();
            v.sort();
            v
        };
        assert_eq!(pos(&layered(&a)), pos(&layered(&b)));
    }
}
