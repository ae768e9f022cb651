//! Hand-checked ripples, each drawn as the map it runs on.
//! Arrows point from provider to customer; numbers are strengths (lags in hours).

use ripple::engine::{impact, ImpactResult, Incident, IncidentKind, DEFAULT_EPSILON};
use ripple::org::{OrgMap, ServiceLink, Unit, UnitKind};

fn unit(id: &str, kind: UnitKind, weight: f64) -> Unit {
    Unit { id: id.into(), name: id.to_uppercase(), kind, weight }
}

fn support(id: &str) -> Unit {
    unit(id, UnitKind::Support, 1.0)
}

fn link(p: &str, c: &str, strength: f64, lag: f64) -> ServiceLink {
    ServiceLink {
        provider: p.into(),
        customer: c.into(),
        service: format!("{p} for {c}"),
        strength,
        lag,
        quality: String::new(),
        time: String::new(),
        delivery: String::new(),
    }
}

fn at(unit: &str, severity: f64) -> Incident {
    Incident::new(unit, severity, IncidentKind::Late)
}

/// (unit, impact, hops, arrival, chain) of every hit, by unit id.
fn hits(result: &ImpactResult) -> Vec<(String, f64, u32, f64, String)> {
    let mut rows: Vec<_> = result.hits.iter().map(|h| (h.unit.clone(), h.impact, h.hops, h.arrival, h.chain.join(">"))).collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows
}

fn row(unit: &str, impact: f64, hops: u32, arrival: f64, chain: &str) -> (String, f64, u32, f64, String) {
    (unit.into(), impact, hops, arrival, chain.into())
}

fn assert_rows(actual: Vec<(String, f64, u32, f64, String)>, expected: Vec<(String, f64, u32, f64, String)>) {
    assert_eq!(actual.len(), expected.len(), "{actual:?}");
    for (a, e) in actual.iter().zip(&expected) {
        assert_eq!((&a.0, a.2, &a.4), (&e.0, e.2, &e.4), "{actual:?}");
        assert!((a.1 - e.1).abs() < 1e-12, "impact of {}: {} vs {}", a.0, a.1, e.1);
        assert!((a.3 - e.3).abs() < 1e-12, "arrival of {}: {} vs {}", a.0, a.3, e.3);
    }
}

#[test]
fn late_payroll_ripples_from_finance_through_staff_to_customers() {
    //  finance ──0.8, 24h──▶ staff ──0.5, 2h──▶ customers (external, weight 2)
    let map = OrgMap::new(
        "payroll",
        vec![support("finance"), unit("staff", UnitKind::Frontline, 1.0), unit("customers", UnitKind::External, 2.0)],
        vec![link("finance", "staff", 0.8, 24.0), link("staff", "customers", 0.5, 2.0)],
    );
    let r = impact(&map, &[at("finance", 1.0)], DEFAULT_EPSILON).unwrap();
    assert_rows(
        hits(&r),
        vec![
            row("customers", 0.4, 2, 26.0, "finance>staff>customers"),
            row("finance", 1.0, 0, 0.0, "finance"),
            row("staff", 0.8, 1, 24.0, "finance>staff"),
        ],
    );
    assert_eq!(r.hits.iter().map(|h| h.unit.as_str()).collect::<Vec<_>>(), ["finance", "staff", "customers"], "strongest first");
    assert_eq!(r.external.len(), 1);
    assert_eq!((r.external[0].unit.as_str(), r.external[0].weight), ("customers", 2.0));
    assert!((r.external_impact - 0.8).abs() < 1e-12, "0.4 × weight 2");
    let waves: Vec<(u32, Vec<String>)> = r.waves.iter().map(|w| (w.hops, w.units.clone())).collect();
    assert_eq!(waves, vec![(0, vec!["finance".into()]), (1, vec!["staff".into()]), (2, vec!["customers".into()])]);
}

#[test]
fn a_loop_carries_the_ripple_round_once_and_stops() {
    //  a ──0.9──▶ b ──0.9──▶ c
    //  ▲                     │
    //  └─────────0.9─────────┘
    let map = OrgMap::new(
        "loop",
        vec![support("a"), support("b"), support("c")],
        vec![link("a", "b", 0.9, 1.0), link("b", "c", 0.9, 1.0), link("c", "a", 0.9, 1.0)],
    );
    let r = impact(&map, &[at("b", 0.5)], DEFAULT_EPSILON).unwrap();
    assert_rows(
        hits(&r),
        vec![row("a", 0.405, 2, 2.0, "b>c>a"), row("b", 0.5, 0, 0.0, "b"), row("c", 0.45, 1, 1.0, "b>c")],
    );
    assert_eq!(r.external_impact, 0.0);
}

#[test]
fn two_incidents_on_one_customer_combine_by_noisy_or() {
    //  it ──0.5──▶ sales ◀──0.4── hr
    let map = OrgMap::new(
        "two",
        vec![support("it"), support("hr"), unit("sales", UnitKind::Frontline, 1.0)],
        vec![link("it", "sales", 0.5, 4.0), link("hr", "sales", 0.4, 8.0)],
    );
    let r = impact(&map, &[at("it", 1.0), at("hr", 1.0)], DEFAULT_EPSILON).unwrap();
    // 1 − (1 − 0.5)(1 − 0.4) = 0.7; explained by the stronger contribution, it's.
    assert_rows(
        hits(&r),
        vec![row("hr", 1.0, 0, 0.0, "hr"), row("it", 1.0, 0, 0.0, "it"), row("sales", 0.7, 1, 4.0, "it>sales")],
    );
    assert_eq!(r.hits.iter().find(|h| h.unit == "sales").unwrap().source, "it");
    // The order the incidents are given in changes nothing.
    let swapped = impact(&map, &[at("hr", 1.0), at("it", 1.0)], DEFAULT_EPSILON).unwrap();
    assert_eq!(swapped.hits, r.hits);
}

#[test]
fn a_ripple_weaker_than_epsilon_is_absorbed() {
    //  a ──0.3──▶ b ──0.3──▶ c        c gets 0.09 from a full failure of a
    let map = OrgMap::new("weak", vec![support("a"), support("b"), support("c")], vec![link("a", "b", 0.3, 0.0), link("b", "c", 0.3, 0.0)]);
    let ids = |r: &ImpactResult| hits(r).into_iter().map(|h| h.0).collect::<Vec<_>>();
    assert_eq!(ids(&impact(&map, &[at("a", 1.0)], 0.05).unwrap()), ["a", "b", "c"]);
    assert_eq!(ids(&impact(&map, &[at("a", 1.0)], 0.1).unwrap()), ["a", "b"]);
    // Half the severity: c would get 0.045 < 0.05.
    assert_eq!(ids(&impact(&map, &[at("a", 0.5)], 0.05).unwrap()), ["a", "b"]);
}

#[test]
fn a_unit_with_two_providers_is_explained_by_the_stronger_chain() {
    //        ┌──1.0──▶ finance ──0.6, 48h──▶ sales
    //  hq ───┤                                ▲
    //        └──0.5──▶ it ──────0.9, 2h───────┘
    let map = OrgMap::new(
        "two providers",
        vec![support("hq"), support("finance"), support("it"), unit("sales", UnitKind::Frontline, 1.0)],
        vec![link("hq", "finance", 1.0, 0.0), link("hq", "it", 0.5, 0.0), link("finance", "sales", 0.6, 48.0), link("it", "sales", 0.9, 2.0)],
    );
    let r = impact(&map, &[at("hq", 1.0)], DEFAULT_EPSILON).unwrap();
    let sales = r.hits.iter().find(|h| h.unit == "sales").unwrap();
    assert!((sales.impact - 0.6).abs() < 1e-12, "0.6 beats 0.5 × 0.9 = 0.45, not combined");
    assert_eq!(sales.chain, ["hq", "finance", "sales"]);
    assert_eq!(sales.arrival, 48.0, "the arrival is the lag of the explaining chain, not the earliest");
}

#[test]
fn equal_chains_break_ties_by_fewer_hops_then_by_unit_id() {
    //  s ──0.5──▶ b ──1.0──▶ t
    //  s ──0.5──▶ a ──1.0──▶ t        both give t 0.5; a < b
    //  s ──0.5──▶ u ──1.0──▶ v ◀──0.5── s   the direct link has fewer hops
    let units = ["s", "a", "b", "t", "u", "v"].map(support).to_vec();
    let links = vec![
        link("s", "b", 0.5, 1.0),
        link("b", "t", 1.0, 1.0),
        link("s", "a", 0.5, 2.0),
        link("a", "t", 1.0, 2.0),
        link("s", "u", 0.5, 0.0),
        link("u", "v", 1.0, 0.0),
        link("s", "v", 0.5, 7.0),
    ];
    let r = impact(&OrgMap::new("ties", units.clone(), links.clone()), &[at("s", 1.0)], DEFAULT_EPSILON).unwrap();
    let chain = |r: &ImpactResult, id: &str| r.hits.iter().find(|h| h.unit == id).unwrap().chain.join(">");
    assert_eq!(chain(&r, "t"), "s>a>t");
    assert_eq!(chain(&r, "v"), "s>v");
    // The same map listed in another order gives the same answer.
    let mut units2 = units;
    units2.reverse();
    let mut links2 = links;
    links2.reverse();
    let r2 = impact(&OrgMap::new("ties", units2, links2), &[at("s", 1.0)], DEFAULT_EPSILON).unwrap();
    assert_eq!(r2, r);
}

#[test]
fn bad_incidents_are_refused_with_the_reason() {
    let map = OrgMap::new("m", vec![support("a")], vec![]);
    let err = |incidents: &[Incident], eps: f64| impact(&map, incidents, eps).unwrap_err().to_string();
    assert_eq!(err(&[at("zz", 1.0)], 0.05), "incident at unknown unit 'zz'");
    assert_eq!(err(&[at("a", 1.5)], 0.05), "incident at 'a': severity 1.5 must be in (0, 1]");
    assert_eq!(err(&[at("a", 0.0)], 0.05), "incident at 'a': severity 0 must be in (0, 1]");
    assert_eq!(err(&[at("a", 1.0)], -1.0), "epsilon -1 must be in [0, 1]");
    assert_eq!(err(&[], 0.05), "no incident given");
}

#[test]
fn the_result_serialises_with_the_field_names_of_the_design() {
    let map = OrgMap::new("m", vec![support("a"), unit("c", UnitKind::External, 1.0)], vec![link("a", "c", 1.0, 3.0)]);
    let json = serde_json::to_value(impact(&map, &[at("a", 1.0)], DEFAULT_EPSILON).unwrap()).unwrap();
    let hit = &json["hits"][1];
    for field in ["unit", "impact", "hops", "arrival", "chain"] {
        assert!(hit.get(field).is_some(), "hits[].{field} missing in {json}");
    }
    assert_eq!(json["external"][0]["unit"], "c");
    assert_eq!(json["external"][0]["impact"], 1.0);
    assert_eq!(json["external_impact"], 1.0);
    assert_eq!(hit["chain"], serde_json::json!(["a", "c"]));
}
