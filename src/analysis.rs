//! Analysis of a whole map for the debrief: how critical each unit is, the cycles of
//! mutual dependency, the units every chain to a segment runs through, and which
//! units are most depended upon (DESIGN.md, "Ripple semantics").

use std::collections::VecDeque;

use petgraph::graph::{DiGraph, NodeIndex};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::engine::{Direction, EngineError, EngineGraph, NONE};
use crate::org::{OrgMap, UnitKind};

/// Above this many units betweenness is estimated from a sample of sources.
pub const EXACT_BETWEENNESS_UP_TO: usize = 5_000;
/// Sources sampled for the estimate on larger maps.
pub const BETWEENNESS_SAMPLES: usize = 256;

/// The scores of one unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UnitScore {
    pub unit: String,
    pub kind: UnitKind,
    /// External impact of this unit's own failure at severity 1:
    /// `Σ over segments c of weight(c) · impact on c`.
    pub criticality: f64,
    /// How many external segments that failure reaches (impact ≥ ε).
    pub segments_reached: u32,
    /// Weighted in-degree of the dependency graph: the sum of the strengths of the
    /// links this unit provides (how much others depend on it).
    pub depended_upon: f64,
    /// The sum of the strengths of the links this unit receives.
    pub depends_on: f64,
    /// Share of shortest (fewest-hop) chains between other units that pass through
    /// this unit, normalised to [0, 1].
    pub betweenness: f64,
}

/// A unit that stands on every chain to a segment from some other units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Gatekeeper {
    pub unit: String,
    /// How many units reach the segment only through this unit.
    pub dominated: u32,
}

/// Dominators for one external segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SegmentDominators {
    pub external: String,
    /// Units that reach the segment at all (any chain strength).
    pub reached_by: u32,
    /// The units every chain to the segment passes through, from at least one other
    /// unit; most dominated first, then id.
    pub gatekeepers: Vec<Gatekeeper>,
    /// The segment's own dominator chain, nearest the segment first: the first unit
    /// is on every chain to the segment from every other unit, the k-th on every
    /// chain from every unit except the k−1 before it. After the first, only units
    /// that stand on some other unit's chain are listed.
    pub all_chains_through: Vec<String>,
}

/// What `ripple analyze` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Analysis {
    pub epsilon: f64,
    /// Most critical first, then id.
    pub units: Vec<UnitScore>,
    /// Cycles of mutual dependency: strongly connected components of more than one
    /// unit, each sorted by id; largest first.
    pub cycles: Vec<Vec<String>>,
    /// One entry per external segment, by id.
    pub dominators: Vec<SegmentDominators>,
    /// False when betweenness was estimated from a sample of sources (large maps).
    pub betweenness_exact: bool,
}

/// Criticality of every unit: one reverse pass per external segment (not one per
/// unit), so the cost is linear in links × segments. Returns (criticality, segments
/// reached) per unit index.
pub fn criticality(graph: &EngineGraph, epsilon: f64) -> (Vec<f64>, Vec<u32>) {
    let n = graph.len();
    let mut score = vec![0.0; n];
    let mut reached = vec![0u32; n];
    // Segments in id order (index order), so sums are added in a fixed order.
    for c in (0..n as u32).filter(|&v| graph.kind(v) == UnitKind::External) {
        let reach = graph.strongest_chains(c, 1.0, epsilon, Direction::Reverse);
        let weight = graph.weight(c);
        for &u in &reach.order {
            score[u as usize] += reach.strength[u as usize] * weight;
            reached[u as usize] += 1;
        }
    }
    (score, reached)
}

/// Immediate dominators on the reversed graph rooted at `root` (Cooper, Harvey &
/// Kennedy, "A Simple, Fast Dominance Algorithm"), iterative throughout. `idom[u]`
/// is the next unit towards `root` that every chain `u → root` passes through
/// (`root` itself when none other does); `NONE` for units that do not reach `root`.
/// Also returns the reverse postorder of the units reached.
pub fn dominators_towards(graph: &EngineGraph, root: u32) -> (Vec<u32>, Vec<u32>) {
    let n = graph.len();
    // Iterative DFS postorder along reversed links (customer → provider).
    let mut post = vec![NONE; n];
    let mut order: Vec<u32> = Vec::new();
    let mut seen = vec![false; n];
    // Each frame: a unit and how many of its providers have been looked at.
    let mut stack: Vec<(u32, usize)> = vec![(root, 0)];
    seen[root as usize] = true;
    while let Some((v, next)) = stack.last_mut() {
        let providers = graph.targets(*v, Direction::Reverse);
        if let Some(&u) = providers.get(*next) {
            *next += 1;
            if !seen[u as usize] {
                seen[u as usize] = true;
                stack.push((u, 0));
            }
        } else {
            post[*v as usize] = order.len() as u32;
            order.push(*v);
            stack.pop();
        }
    }
    order.reverse(); // reverse postorder, root first

    let mut idom = vec![NONE; n];
    idom[root as usize] = root;
    let intersect = |idom: &Vec<u32>, mut a: u32, mut b: u32| {
        while a != b {
            while post[a as usize] < post[b as usize] {
                a = idom[a as usize];
            }
            while post[b as usize] < post[a as usize] {
                b = idom[b as usize];
            }
        }
        a
    };
    let mut changed = true;
    while changed {
        changed = false;
        for &u in order.iter().skip(1) {
            // In the reversed graph the predecessors of u are the units it serves.
            let mut new_idom = NONE;
            for (p, _) in graph.neighbours(u, Direction::Forward) {
                if idom[p as usize] == NONE {
                    continue;
                }
                new_idom = if new_idom == NONE { p } else { intersect(&idom, p, new_idom) };
            }
            if new_idom != idom[u as usize] {
                idom[u as usize] = new_idom;
                changed = true;
            }
        }
    }
    (idom, order)
}

fn segment_dominators(graph: &EngineGraph, root: u32) -> SegmentDominators {
    let (idom, order) = dominators_towards(graph, root);
    // Subtree sizes of the dominator tree, children before parents (reverse of RPO).
    let n = graph.len();
    let mut size = vec![0u32; n];
    for &u in order.iter().rev() {
        if u == root {
            continue;
        }
        let parent = idom[u as usize];
        size[u as usize] += 1;
        size[parent as usize] += size[u as usize];
    }
    let mut gatekeepers: Vec<Gatekeeper> = order
        .iter()
        .filter(|&&u| u != root && size[u as usize] > 1)
        .map(|&u| Gatekeeper { unit: graph.id(u).to_owned(), dominated: size[u as usize] - 1 })
        .collect();
    gatekeepers.sort_by(|a, b| b.dominated.cmp(&a.dominated).then_with(|| a.unit.cmp(&b.unit)));
    // Walk down the dominator tree from the segment while a unit has a single child:
    // each unit on that walk is on every chain from every unit farther upstream.
    let reached_by = order.len() as u32 - 1;
    let mut children = vec![0u32; n];
    let mut only_child = vec![NONE; n];
    for &u in &order {
        if u != root {
            children[idom[u as usize] as usize] += 1;
            only_child[idom[u as usize] as usize] = u;
        }
    }
    let mut all_chains_through = Vec::new();
    let mut at = root;
    while children[at as usize] == 1 {
        at = only_child[at as usize];
        // A unit that dominates nobody else is on no other unit's chain; only a
        // segment's sole provider is listed regardless.
        if at != only_child[root as usize] && size[at as usize] < 2 {
            break;
        }
        all_chains_through.push(graph.id(at).to_owned());
    }
    SegmentDominators { external: graph.id(root).to_owned(), reached_by, gatekeepers, all_chains_through }
}

/// Brandes' betweenness on fewest-hop chains, from every source or from an evenly
/// spaced sample of them (scaled up) on large maps. Normalised by (n−1)(n−2).
pub fn betweenness(graph: &EngineGraph) -> (Vec<f64>, bool) {
    let n = graph.len();
    let mut score = vec![0.0; n];
    if n < 3 {
        return (score, true);
    }
    let exact = n <= EXACT_BETWEENNESS_UP_TO;
    let sources: Vec<u32> = if exact {
        (0..n as u32).collect()
    } else {
        (0..BETWEENNESS_SAMPLES).map(|k| (k * n / BETWEENNESS_SAMPLES) as u32).collect()
    };
    let mut sigma = vec![0.0f64; n];
    let mut dist = vec![u32::MAX; n];
    let mut delta = vec![0.0f64; n];
    let mut stack: Vec<u32> = Vec::with_capacity(n);
    let mut queue = VecDeque::new();
    for &s in &sources {
        for &v in &stack {
            sigma[v as usize] = 0.0;
            dist[v as usize] = u32::MAX;
            delta[v as usize] = 0.0;
        }
        stack.clear();
        sigma[s as usize] = 1.0;
        dist[s as usize] = 0;
        queue.push_back(s);
        while let Some(v) = queue.pop_front() {
            stack.push(v);
            for (w, _) in graph.neighbours(v, Direction::Forward) {
                if dist[w as usize] == u32::MAX {
                    dist[w as usize] = dist[v as usize] + 1;
                    queue.push_back(w);
                }
                if dist[w as usize] == dist[v as usize] + 1 {
                    sigma[w as usize] += sigma[v as usize];
                }
            }
        }
        for &w in stack.iter().rev() {
            // Predecessors of w are the providers one hop nearer the source.
            for (v, _) in graph.neighbours(w, Direction::Reverse) {
                if dist[v as usize] != u32::MAX && dist[v as usize] + 1 == dist[w as usize] {
                    delta[v as usize] += sigma[v as usize] / sigma[w as usize] * (1.0 + delta[w as usize]);
                }
            }
            if w != s {
                score[w as usize] += delta[w as usize];
            }
        }
    }
    let scale = (n as f64 / sources.len() as f64) / ((n - 1) as f64 * (n - 2) as f64);
    for s in &mut score {
        *s *= scale;
    }
    (score, exact)
}

/// Strongly connected components of more than one unit, via petgraph's Kosaraju
/// (iterative; petgraph 0.8's Tarjan recurses and could overflow on long loops).
pub fn cycles(graph: &EngineGraph) -> Vec<Vec<String>> {
    let n = graph.len();
    let mut g: DiGraph<(), ()> = DiGraph::with_capacity(n, graph.link_count());
    for _ in 0..n {
        g.add_node(());
    }
    for v in 0..n as u32 {
        for (w, _) in graph.neighbours(v, Direction::Forward) {
            g.add_edge(NodeIndex::new(v as usize), NodeIndex::new(w as usize), ());
        }
    }
    let mut cycles: Vec<Vec<String>> = petgraph::algo::kosaraju_scc(&g)
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| {
            let mut ids: Vec<u32> = c.iter().map(|i| i.index() as u32).collect();
            ids.sort_unstable(); // index order is id order
            ids.iter().map(|&v| graph.id(v).to_owned()).collect()
        })
        .collect();
    cycles.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    cycles
}

/// Everything `ripple analyze` reports, for a map indexed once.
pub fn analyze_graph(graph: &EngineGraph, epsilon: f64) -> Result<Analysis, EngineError> {
    if !(0.0..=1.0).contains(&epsilon) {
        return Err(EngineError::BadEpsilon { epsilon });
    }
    let n = graph.len();
    let (crit, reached) = criticality(graph, epsilon);
    let (between, betweenness_exact) = betweenness(graph);
    let mut units: Vec<UnitScore> = (0..n as u32)
        .map(|v| UnitScore {
            unit: graph.id(v).to_owned(),
            kind: graph.kind(v),
            criticality: crit[v as usize],
            segments_reached: reached[v as usize],
            depended_upon: graph.neighbours(v, Direction::Forward).fold(0.0, |sum, (_, w)| sum + w),
            depends_on: graph.neighbours(v, Direction::Reverse).fold(0.0, |sum, (_, w)| sum + w),
            betweenness: between[v as usize],
        })
        .collect();
    units.sort_by(|a, b| b.criticality.total_cmp(&a.criticality).then_with(|| a.unit.cmp(&b.unit)));
    let dominators = (0..n as u32)
        .filter(|&v| graph.kind(v) == UnitKind::External)
        .map(|c| segment_dominators(graph, c))
        .collect();
    Ok(Analysis { epsilon, units, cycles: cycles(graph), dominators, betweenness_exact })
}

/// Indexes the map and analyses it.
pub fn analyze(map: &OrgMap, epsilon: f64) -> Result<Analysis, EngineError> {
    analyze_graph(&EngineGraph::new(map), epsilon)
}
