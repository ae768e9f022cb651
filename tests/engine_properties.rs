//! Properties of propagation on small random maps, checked against brute force.

use proptest::prelude::*;
use ripple::analysis::criticality;
use ripple::engine::{EngineGraph, ImpactResult, Incident, IncidentKind};
use ripple::org::{OrgMap, ServiceLink, Unit, UnitKind};

const EPSILON: f64 = 0.0123;

fn arb_map() -> impl Strategy<Value = OrgMap> {
    (2usize..7).prop_flat_map(|n| {
        let kinds = prop::collection::vec(prop_oneof![Just(UnitKind::External), Just(UnitKind::Frontline), Just(UnitKind::Support)], n);
        let weights = prop::collection::vec(0.5f64..3.0, n);
        let links = prop::collection::vec((0..n, 0..n, 0.02f64..=1.0, 0.0f64..50.0), 0..(n * n));
        (kinds, weights, links).prop_map(move |(kinds, weights, links)| {
            let units = (0..n).map(|i| Unit { id: format!("u{i}"), name: format!("U{i}"), kind: kinds[i], weight: weights[i] }).collect();
            let mut seen = std::collections::HashSet::new();
            let links = links
                .into_iter()
                .filter(|&(p, c, _, _)| p != c && seen.insert((p, c)))
                .map(|(p, c, strength, lag)| ServiceLink {
                    provider: format!("u{p}"),
                    customer: format!("u{c}"),
                    service: "s".into(),
                    strength,
                    lag,
                    quality: String::new(),
                    time: String::new(),
                    delivery: String::new(),
                })
                .collect();
            OrgMap::new("random", units, links)
        })
    })
}

/// The strongest simple path from `from` to every unit, by trying them all.
fn brute_force(map: &OrgMap, from: &str, severity: f64) -> std::collections::HashMap<String, f64> {
    fn walk(map: &OrgMap, at: &str, strength: f64, path: &mut Vec<String>, best: &mut std::collections::HashMap<String, f64>) {
        let entry = best.entry(at.to_owned()).or_insert(0.0);
        if strength > *entry {
            *entry = strength;
        }
        for l in map.links.iter().filter(|l| l.provider == at) {
            if !path.contains(&l.customer) {
                path.push(l.customer.clone());
                walk(map, &l.customer, strength * l.strength, path, best);
                path.pop();
            }
        }
    }
    let mut best = std::collections::HashMap::new();
    walk(map, from, severity, &mut vec![from.to_owned()], &mut best);
    best
}

fn run(map: &OrgMap, unit: &str, severity: f64) -> ImpactResult {
    EngineGraph::new(map).impact(&[Incident::new(unit, severity, IncidentKind::Late)], EPSILON).unwrap()
}

fn impact_on(r: &ImpactResult, unit: &str) -> f64 {
    r.hits.iter().find(|h| h.unit == unit).map_or(0.0, |h| h.impact)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn impact_equals_the_brute_force_maximum_over_all_simple_paths(map in arb_map(), source in 0usize..7, severity in 0.05f64..=1.0) {
        let from = format!("u{}", source % map.units.len());
        let result = run(&map, &from, severity);
        let best = brute_force(&map, &from, severity);
        for unit in &map.units {
            let expected = best.get(&unit.id).copied().filter(|&s| s >= EPSILON).unwrap_or(0.0);
            let got = impact_on(&result, &unit.id);
            prop_assert!((got - expected).abs() <= 1e-12, "{}: engine {} vs brute force {}", unit.id, got, expected);
        }
        // Each hit's chain is a real path whose product, hops and lags match the hit.
        for hit in &result.hits {
            prop_assert_eq!(hit.chain.first(), Some(&from));
            prop_assert_eq!(hit.chain.last(), Some(&hit.unit));
            prop_assert_eq!(hit.hops as usize, hit.chain.len() - 1);
            let (mut product, mut lag) = (severity, 0.0);
            for pair in hit.chain.windows(2) {
                let l = map.links.iter().find(|l| l.provider == pair[0] && l.customer == pair[1]).expect("the chain follows links");
                product *= l.strength;
                lag += l.lag;
            }
            prop_assert!((product - hit.impact).abs() <= 1e-12);
            prop_assert!((lag - hit.arrival).abs() <= 1e-9);
        }
    }

    #[test]
    fn impact_never_exceeds_the_severity(map in arb_map(), source in 0usize..7, severity in 0.01f64..=1.0) {
        let from = format!("u{}", source % map.units.len());
        for hit in run(&map, &from, severity).hits {
            prop_assert!(hit.impact <= severity && hit.impact >= EPSILON);
        }
    }

    #[test]
    fn impact_is_monotone_in_severity_and_in_each_link_strength(
        map in arb_map(), source in 0usize..7, low in 0.05f64..=1.0, high in 0.05f64..=1.0, link in 0usize..64, raise in 0.0f64..=1.0,
    ) {
        let from = format!("u{}", source % map.units.len());
        let (low, high) = (low.min(high), low.max(high));
        let (weak, strong) = (run(&map, &from, low), run(&map, &from, high));
        for unit in &map.units {
            prop_assert!(impact_on(&weak, &unit.id) <= impact_on(&strong, &unit.id));
        }
        if !map.links.is_empty() {
            let mut stronger = map.clone();
            let l = &mut stronger.links[link % map.links.len()];
            l.strength += (1.0 - l.strength) * raise;
            let after = run(&stronger, &from, high);
            for unit in &map.units {
                prop_assert!(impact_on(&strong, &unit.id) <= impact_on(&after, &unit.id));
            }
        }
    }

    #[test]
    fn results_are_identical_across_runs_and_input_orderings(map in arb_map(), source in 0usize..7, rotate in 0usize..50, second in 0usize..7) {
        let incidents = vec![
            Incident::new(format!("u{}", source % map.units.len()), 0.9, IncidentKind::Quality),
            Incident::new(format!("u{}", second % map.units.len()), 0.6, IncidentKind::Late),
        ];
        let first = EngineGraph::new(&map).impact(&incidents, EPSILON).unwrap();
        prop_assert_eq!(&EngineGraph::new(&map).impact(&incidents, EPSILON).unwrap(), &first);
        let mut shuffled = map.clone();
        shuffled.units.reverse();
        let k = rotate % shuffled.links.len().max(1);
        shuffled.links.rotate_left(k);
        shuffled.links.reverse();
        let mut reordered = incidents.clone();
        reordered.reverse();
        let again = EngineGraph::new(&shuffled).impact(&reordered, EPSILON).unwrap();
        prop_assert_eq!(again.hits, first.hits);
        prop_assert_eq!(again.external, first.external);
        prop_assert_eq!(again.external_impact, first.external_impact);
        prop_assert_eq!(again.waves, first.waves);
    }

    #[test]
    fn criticality_equals_the_external_impact_of_each_units_own_failure(map in arb_map()) {
        let graph = EngineGraph::new(&map);
        let (scores, _) = criticality(&graph, EPSILON);
        for v in 0..graph.len() as u32 {
            let r = graph.impact(&[Incident::new(graph.id(v), 1.0, IncidentKind::Late)], EPSILON).unwrap();
            prop_assert!((scores[v as usize] - r.external_impact).abs() <= 1e-9, "{}: {} vs {}", graph.id(v), scores[v as usize], r.external_impact);
        }
    }
}
