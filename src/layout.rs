//! Where each unit sits when the map is drawn: columns that read left to right,
//! from support units through frontline units to external customers.
//!
//! Support units are placed by how many hops they are from the front line, so a
//! service that feeds another support unit sits further left. Within a column,
//! units are ordered by the average position of their neighbours (a few
//! barycentre sweeps) to keep arrows short and crossings few; ties break by id so
//! the layout is stable between runs.

use std::collections::{HashMap, VecDeque};

use serde::Serialize;
use ts_rs::TS;

use crate::org::{OrgMap, UnitKind};

/// The drawing area the coordinates refer to; the UI scales it to the window.
pub const CANVAS_WIDTH: f64 = 1600.0;
pub const CANVAS_HEIGHT: f64 = 900.0;

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

    let margin_x = 110.0;
    let margin_y = 60.0;
    let step_x = if columns.len() > 1 { (CANVAS_WIDTH - 2.0 * margin_x) / (columns.len() - 1) as f64 } else { 0.0 };
    let mut nodes: Vec<Option<NodePosition>> = vec![None; n];
    for (c, column) in columns.iter().enumerate() {
        let step_y = (CANVAS_HEIGHT - 2.0 * margin_y) / column.len() as f64;
        for (k, &i) in column.iter().enumerate() {
            nodes[i] = Some(NodePosition {
                id: map.units[i].id.clone(),
                column: c as u32,
                x: margin_x + step_x * c as f64,
                y: margin_y + step_y * (k as f64 + 0.5),
            });
        }
    }
    MapLayout {
        width: CANVAS_WIDTH,
        height: CANVAS_HEIGHT,
        columns: columns.len() as u32,
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
