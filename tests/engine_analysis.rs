//! Analysis of whole maps: criticality, cycles, dominators, centralities.

use ripple::analysis::{analyze, analyze_graph, betweenness};
use ripple::engine::EngineGraph;
use ripple::generate::generate;
use ripple::org::{OrgMap, ServiceLink, Unit, UnitKind};

fn unit(id: &str, kind: UnitKind) -> Unit {
    Unit { id: id.into(), name: id.into(), kind, weight: 1.0 }
}

fn link(p: &str, c: &str, strength: f64) -> ServiceLink {
    ServiceLink {
        provider: p.into(),
        customer: c.into(),
        service: "s".into(),
        strength,
        lag: 1.0,
        quality: String::new(),
        time: String::new(),
        delivery: String::new(),
    }
}

//  hr ──▶ finance ──▶ callcentre ──▶ households (external)
//  it ──▶ finance          ▲
//  it ──▶ sales ───────────┘
fn funnel() -> OrgMap {
    OrgMap::new(
        "funnel",
        vec![
            unit("hr", UnitKind::Support),
            unit("it", UnitKind::Support),
            unit("finance", UnitKind::Support),
            unit("sales", UnitKind::Support),
            unit("callcentre", UnitKind::Frontline),
            unit("households", UnitKind::External),
        ],
        vec![
            link("hr", "finance", 0.5),
            link("it", "finance", 1.0),
            link("it", "sales", 0.5),
            link("finance", "callcentre", 0.8),
            link("sales", "callcentre", 0.8),
            link("callcentre", "households", 1.0),
        ],
    )
}

#[test]
fn every_chain_to_households_runs_through_the_call_centre() {
    let a = analyze(&funnel(), 0.05).unwrap();
    assert_eq!(a.dominators.len(), 1);
    let d = &a.dominators[0];
    assert_eq!(d.external, "households");
    assert_eq!(d.reached_by, 5);
    assert_eq!(d.all_chains_through, ["callcentre"]);
    let gatekeepers: Vec<(&str, u32)> = d.gatekeepers.iter().map(|g| (g.unit.as_str(), g.dominated)).collect();
    assert_eq!(gatekeepers, [("callcentre", 4), ("finance", 1)], "hr reaches households only through finance");
}

#[test]
fn criticality_is_the_strongest_chain_to_each_weighted_segment() {
    let a = analyze(&funnel(), 0.05).unwrap();
    let crit = |id: &str| a.units.iter().find(|u| u.unit == id).unwrap().criticality;
    assert!((crit("callcentre") - 1.0).abs() < 1e-12);
    assert!((crit("finance") - 0.8).abs() < 1e-12);
    assert!((crit("it") - 0.8).abs() < 1e-12, "it → finance (1.0) beats it → sales (0.5)");
    assert!((crit("hr") - 0.4).abs() < 1e-12);
    assert_eq!(a.units[0].unit, "callcentre", "households' own failure is 1 too, but ties break by id");
    let it = a.units.iter().find(|u| u.unit == "it").unwrap();
    assert_eq!((it.depended_upon, it.depends_on), (1.5, 0.0));
}

#[test]
fn mutual_dependencies_are_reported_as_cycles() {
    //  a ⇄ b    c → d → e → c    f alone
    let m = OrgMap::new(
        "cycles",
        ["a", "b", "c", "d", "e", "f"].iter().map(|id| unit(id, UnitKind::Support)).collect(),
        vec![link("a", "b", 0.5), link("b", "a", 0.5), link("c", "d", 0.5), link("d", "e", 0.5), link("e", "c", 0.5), link("e", "f", 0.5)],
    );
    assert_eq!(analyze(&m, 0.05).unwrap().cycles, vec![vec!["c", "d", "e"], vec!["a", "b"]]);
}

#[test]
fn the_middle_of_a_chain_has_all_the_betweenness() {
    //  a → b → c : b is on the one chain between two other units, of (3−1)(3−2) pairs
    let m = OrgMap::new(
        "line",
        ["a", "b", "c"].iter().map(|id| unit(id, UnitKind::Support)).collect(),
        vec![link("a", "b", 0.5), link("b", "c", 0.5)],
    );
    let (scores, exact) = betweenness(&EngineGraph::new(&m));
    assert!(exact);
    assert_eq!(scores, vec![0.0, 0.5, 0.0]);
}

#[test]
fn a_loop_of_fifty_thousand_units_analyses_without_overflowing_the_stack() {
    let n = 50_000;
    let mut units: Vec<Unit> = (0..n).map(|i| unit(&format!("u{i:05}"), UnitKind::Support)).collect();
    units.push(unit("customers", UnitKind::External));
    let mut links: Vec<ServiceLink> = (0..n).map(|i| link(&format!("u{i:05}"), &format!("u{:05}", (i + 1) % n), 1.0)).collect();
    links.push(link("u00000", "customers", 1.0));
    let a = analyze_graph(&EngineGraph::new(&OrgMap::new("ring", units, links)), 0.05).unwrap();
    assert_eq!(a.cycles.len(), 1);
    assert_eq!(a.cycles[0].len(), n);
    assert_eq!(a.dominators[0].all_chains_through.len(), n - 1, "a single path: each unit but the farthest dominates all upstream");
    assert!(!a.betweenness_exact);
}

#[test]
fn analysis_of_a_generated_map_is_deterministic() {
    let m = generate(400, 11);
    let a = analyze(&m, 0.05).unwrap();
    assert_eq!(a, analyze(&m, 0.05).unwrap());
    assert_eq!(a.units.len(), 400);
    assert!(a.units[0].criticality > 0.0);
    assert!(a.units.windows(2).all(|w| w[0].criticality >= w[1].criticality));
}
