//! Maps travel: every format reads back what it wrote, and malformed files are
//! rejected with the file and the line.

use std::fs;

use ripple::generate::generate;
use ripple::mapio::{self, csv, json, Format};
use ripple::org::{OrgMap, ServiceLink, Unit, UnitKind};

/// A map whose texts hold what CSV and XML must escape.
fn awkward() -> OrgMap {
    OrgMap::new(
        "Acme <R&D> \"east\"",
        vec![
            Unit { id: "fin".into(), name: "Finance, Treasury & \"Payroll\"".into(), kind: UnitKind::Support, weight: 1.0 },
            Unit { id: "desk".into(), name: "Service desk <24/7>".into(), kind: UnitKind::Frontline, weight: 1.0 },
            Unit { id: "hh".into(), name: "Households — Zürich".into(), kind: UnitKind::External, weight: 2.5 },
        ],
        vec![
            ServiceLink {
                provider: "fin".into(),
                customer: "desk".into(),
                service: "payroll, on time".into(),
                strength: 0.35,
                lag: 24.5,
                quality: "line one\nline two".into(),
                time: "by the 25th".into(),
                delivery: "it's 'by email'".into(),
            },
            ServiceLink {
                provider: "desk".into(),
                customer: "hh".into(),
                service: "answers".into(),
                strength: 1.0,
                lag: 0.0,
                quality: String::new(),
                time: String::new(),
                delivery: String::new(),
            },
        ],
    )
}

fn same_content(a: &OrgMap, b: &OrgMap) {
    assert_eq!(a.units, b.units);
    assert_eq!(a.links, b.links);
}

#[test]
fn every_format_reads_back_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    for map in [awkward(), generate(150, 4)] {
        for (format, name) in [(Format::Json, "m.json"), (Format::Csv, "m-csv"), (Format::Graphml, "m.graphml"), (Format::Kumu, "m-kumu")] {
            let out = dir.path().join(name);
            mapio::save(&map, format, &out).unwrap();
            let back = mapio::load(&out).unwrap_or_else(|e| panic!("{format:?}: {e}"));
            same_content(&map, &back);
            if matches!(format, Format::Json | Format::Graphml) {
                assert_eq!(back.name, map.name, "{format:?} keeps the map's name");
            }
        }
    }
}

#[test]
fn csv_files_have_the_columns_of_the_design() {
    let dir = tempfile::tempdir().unwrap();
    mapio::save(&awkward(), Format::Csv, dir.path()).unwrap();
    let units = fs::read_to_string(dir.path().join("units.csv")).unwrap();
    let links = fs::read_to_string(dir.path().join("links.csv")).unwrap();
    assert_eq!(units.lines().next(), Some("id,name,kind,weight"));
    assert_eq!(links.lines().next(), Some("provider,customer,service,strength,lag,quality,time,delivery"));
    assert!(units.contains("fin,\"Finance, Treasury & \"\"Payroll\"\"\",support,1"));
}

#[test]
fn csv_columns_are_found_by_name_and_optional_ones_default() {
    let units = "Kind,ID,Name\nsupport,fin,Finance\nexternal,hh,Households\n";
    let links = "customer,provider,strength\nhh,fin,0.5\n";
    let map = csv::from_strs(units, "units.csv", links, "links.csv").unwrap();
    assert_eq!(map.units[1].weight, 1.0);
    assert_eq!((map.links[0].provider.as_str(), map.links[0].lag, map.links[0].service.as_str()), ("fin", 0.0, ""));
}

fn csv_error(units: &str, links: &str) -> String {
    csv::from_strs(units, "units.csv", links, "links.csv").unwrap_err().to_string()
}

const UNITS: &str = "id,name,kind,weight\nfin,Finance,support,\ndesk,Desk,frontline,1\nhh,Households,external,2\n";
const LINK_HEADER: &str = "provider,customer,service,strength,lag,quality,time,delivery\n";

#[test]
fn malformed_csv_is_rejected_with_the_file_and_line() {
    let links = format!("{LINK_HEADER}fin,desk,payroll,0.5,24,,,\ndesk,hh,answers,1.4,0,,,\n");
    assert_eq!(csv_error(UNITS, &links), "links.csv line 3: strength '1.4' must be in (0, 1]");
    let links = format!("{LINK_HEADER}fin,desk,payroll,0.5,24,,,\n\nfin,hh,x,0.5,-1,,,\n");
    assert_eq!(csv_error(UNITS, &links), "links.csv line 4: lag '-1' must be a number of hours ≥ 0");
    let links = format!("{LINK_HEADER}fin,desk,payroll,half,24,,,\n");
    assert_eq!(csv_error(UNITS, &links), "links.csv line 2: strength 'half' is not a number");
    let links = format!("{LINK_HEADER}fin,desk,payroll,0.5,24,,,\nfin,hr,payroll,0.5,24,,,\n");
    assert_eq!(csv_error(UNITS, &links), "links.csv line 3: link fin → hr: unknown unit 'hr'");
    let links = format!("{LINK_HEADER}desk,desk,x,0.5,0,,,\n");
    assert_eq!(csv_error(UNITS, &links), "links.csv line 2: link desk → desk: a unit cannot serve itself");
    let links = format!("{LINK_HEADER}fin,desk,x,0.5,0,,,\nfin,hh,y,0.5,0,,,\nfin,desk,x,0.7,0,,,\n");
    assert_eq!(csv_error(UNITS, &links), "links.csv line 4: link fin → desk (x) appears twice");
    let units = format!("{UNITS}desk,Other desk,support,1\n");
    assert_eq!(csv_error(&units, LINK_HEADER), "units.csv line 5: unit 'desk' appears twice");
    let units = "id,name,kind\nfin,Finance,boss\n";
    assert_eq!(csv_error(units, LINK_HEADER), "units.csv line 2: kind 'boss' must be external, frontline or support");
    let units = "id,name,kind\nfin,,support\n";
    assert_eq!(csv_error(units, LINK_HEADER), "units.csv line 2: unit 'fin': the name is empty");
    let units = "id,name\nfin,Finance\n";
    assert_eq!(csv_error(units, LINK_HEADER), "units.csv line 1: missing column 'kind' (the header is 'id,name')");
}

#[test]
fn malformed_json_is_rejected_with_the_line() {
    let text = "{\n  \"version\": 1,\n  \"units\": [\n    {\"id\": \"a\", \"name\": \"A\", \"kind\": \"boss\"}\n  ],\n  \"links\": []\n}\n";
    let e = json::from_str(text, "map.json").unwrap_err().to_string();
    assert!(e.starts_with("map.json line 4: unknown variant `boss`"), "{e}");
    let e = json::from_str("{\"version\":1,\"units\":[],\"links\":[{\"provider\":\"a\",\"customer\":\"b\",\"service\":\"s\",\"strength\":1,\"lag\":0}]}", "map.json")
        .unwrap_err()
        .to_string();
    assert_eq!(e, "map.json: link a → b: unknown unit 'a'");
}

#[test]
fn malformed_graphml_names_the_line() {
    let text = "<?xml version=\"1.0\"?>\n<graphml>\n<graph id=\"g\">\n<node id=\"a\"><data key=\"kind\">boss</data></node>\n</graph></graphml>\n";
    let e = mapio::graphml::from_str(text, "m.graphml").unwrap_err().to_string();
    assert_eq!(e, "m.graphml line 4: node 'a': kind 'boss' must be external, frontline or support");
}

#[test]
fn a_path_that_is_no_map_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let e = mapio::load(dir.path()).unwrap_err().to_string();
    assert!(e.contains("not a map"), "{e}");
    let e = mapio::load(&dir.path().join("missing.json")).unwrap_err().to_string();
    assert!(e.contains("missing.json"), "{e}");
}

#[test]
fn files_picked_in_a_window_are_read_by_their_names_and_a_wrong_pick_is_named() {
    let demo = ripple::workshop::demo_map();
    let files = |pairs: &[(&str, Vec<u8>)]| -> Vec<(String, String)> {
        pairs.iter().map(|(n, b)| ((*n).to_owned(), String::from_utf8(b.clone()).unwrap())).collect()
    };
    let json = vec![("northwind.json".to_owned(), ripple::mapio::json::to_string(&demo))];
    assert_eq!(ripple::mapio::from_files(&json).unwrap(), demo);
    let csv = ripple::mapio::csv::to_files(&demo).unwrap();
    let picked = files(&csv.iter().rev().map(|(n, b)| (n.to_uppercase().leak() as &str, b.clone())).collect::<Vec<_>>());
    let read = ripple::mapio::from_files(&picked).unwrap();
    assert_eq!((read.units, read.links), (demo.units.clone(), demo.links.clone()), "any order, any case (CSV keeps no map name)");
    let kumu = files(&ripple::mapio::kumu::to_files(&demo).unwrap());
    assert_eq!(ripple::mapio::from_files(&kumu).unwrap().units.len(), demo.units.len());
    let graphml = vec![("map.graphml".to_owned(), ripple::mapio::graphml::to_string(&demo))];
    assert_eq!(ripple::mapio::from_files(&graphml).unwrap(), demo);
    let only_units = files(&csv[..1]);
    let error = ripple::mapio::from_files(&only_units).unwrap_err().to_string();
    assert!(error.contains("units.csv") && error.contains("not a map"), "{error}");
    let bad = vec![("units.csv".to_owned(), "id,name\nfinance,Finance\n".to_owned()), ("links.csv".to_owned(), "provider\n".to_owned())];
    let error = ripple::mapio::from_files(&bad).unwrap_err().to_string();
    assert!(error.starts_with("units.csv") || error.starts_with("links.csv"), "names the file: {error}");
}
