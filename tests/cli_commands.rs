//! The `ripple` binary as a script uses it: output, exit codes, nothing written on bad input.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn ripple(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ripple")).args(args).output().expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write_csv_map(dir: &Path, links: &str) {
    fs::create_dir_all(dir).unwrap();
    fs::write(dir.join("units.csv"), "id,name,kind,weight\nfinance,Finance,support,\nstaff,Staff,frontline,\ncustomers,Customers,external,2\n").unwrap();
    fs::write(dir.join("links.csv"), format!("provider,customer,service,strength,lag,quality,time,delivery\n{links}")).unwrap();
}

#[test]
fn impact_prints_the_ripple_as_json() {
    let dir = tempfile::tempdir().unwrap();
    write_csv_map(dir.path(), "finance,staff,payroll,0.8,24,,,\nstaff,customers,service,0.5,2,,,\n");
    let o = ripple(&["impact", "--map", dir.path().to_str().unwrap(), "--incident", "finance:1:late", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["hits"][0]["unit"], "finance");
    assert_eq!(v["hits"][0]["hops"], 0);
    assert_eq!(v["hits"][2]["chain"], serde_json::json!(["finance", "staff", "customers"]));
    assert_eq!(v["hits"][2]["arrival"], 26.0);
    assert_eq!(v["external"][0]["unit"], "customers");
    assert!((v["external_impact"].as_f64().unwrap() - 0.8).abs() < 1e-12);
}

#[test]
fn several_incidents_and_an_epsilon_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    write_csv_map(dir.path(), "finance,staff,payroll,0.5,24,,,\nstaff,customers,service,0.5,2,,,\n");
    let map = dir.path().to_str().unwrap();
    let o = ripple(&["impact", "--map", map, "--incident", "finance", "--incident", "staff:0.5:quality", "--epsilon", "0.3", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let staff = v["hits"].as_array().unwrap().iter().find(|h| h["unit"] == "staff").unwrap();
    assert!((staff["impact"].as_f64().unwrap() - 0.75).abs() < 1e-12, "1 − 0.5 · 0.5");
    assert!(v["hits"].as_array().unwrap().iter().all(|h| h["unit"] != "customers"), "0.25 < ε 0.3");
}

#[test]
fn bad_input_exits_with_2_and_names_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    write_csv_map(dir.path(), "finance,staff,payroll,0.8,24,,,\nstaff,customers,service,1.4,2,,,\n");
    let map = dir.path().to_str().unwrap();
    let o = ripple(&["impact", "--map", map, "--incident", "finance", "--json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("links.csv line 3: strength '1.4' must be in (0, 1]"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());

    let good = tempfile::tempdir().unwrap();
    write_csv_map(good.path(), "finance,staff,payroll,0.8,24,,,\n");
    let good = good.path().to_str().unwrap();
    for (args, needle) in [
        (vec!["impact", "--map", good, "--incident", "nobody", "--json"], "unknown unit 'nobody'"),
        (vec!["impact", "--map", good, "--incident", "finance:2", "--json"], "severity 2 must be in (0, 1]"),
        (vec!["impact", "--map", good, "--incident", "finance:1:slow"], "kind 'slow'"),
        (vec!["impact", "--map", good], "--incident"),
        (vec!["impact", "--map", "/no/such/map.json", "--incident", "a"], "/no/such/map.json"),
        (vec!["generate", "--units", "2", "--out", "x.json"], "too small"),
        (vec!["convert", "--map", good, "--to", "pdf", "--out", "x"], "'pdf' is not one of json, csv, graphml, kumu"),
    ] {
        let o = ripple(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn convert_writes_nothing_when_the_map_is_bad() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad");
    write_csv_map(&bad, "finance,nobody,payroll,0.8,24,,,\n");
    let out = dir.path().join("out.json");
    let o = ripple(&["convert", "--map", bad.to_str().unwrap(), "--to", "json", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("links.csv line 2: link finance → nobody: unknown unit 'nobody'"), "{}", stderr(&o));
    assert!(!out.exists());
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left behind");
}

#[test]
fn generate_is_deterministic_and_converts_through_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    for out in [&a, &b] {
        let o = ripple(&["generate", "--units", "120", "--seed", "9", "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert_eq!(fs::read(&a).unwrap(), fs::read(&b).unwrap());
    let mut from = a.clone();
    for (to, name) in [("csv", "c"), ("graphml", "g.graphml"), ("kumu", "k"), ("json", "back.json")] {
        let out = dir.path().join(name);
        let o = ripple(&["convert", "--map", from.to_str().unwrap(), "--to", to, "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{to}: {}", stderr(&o));
        from = out;
    }
    let original: serde_json::Value = serde_json::from_slice(&fs::read(&a).unwrap()).unwrap();
    let back: serde_json::Value = serde_json::from_slice(&fs::read(&from).unwrap()).unwrap();
    assert_eq!(original["units"], back["units"]);
    assert_eq!(original["links"], back["links"]);
}

#[test]
fn analyze_prints_criticality_cycles_and_dominators() {
    let dir = tempfile::tempdir().unwrap();
    write_csv_map(dir.path(), "finance,staff,payroll,0.8,24,,,\nstaff,customers,service,0.5,2,,,\nstaff,finance,timesheets,0.3,2,,,\n");
    let o = ripple(&["analyze", "--map", dir.path().to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["units"][0]["unit"], "customers");
    assert_eq!(v["cycles"], serde_json::json!([["finance", "staff"]]));
    assert_eq!(v["dominators"][0]["all_chains_through"], serde_json::json!(["staff"]));
    let text = ripple(&["analyze", "--map", dir.path().to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("every chain to customers runs through: staff"));
}

#[test]
fn help_and_version_still_work() {
    let o = ripple(&["--version"]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("ripple "));
    let o = ripple(&["--help"]);
    assert!(o.status.success());
    let help = String::from_utf8_lossy(&o.stdout);
    for sub in ["impact", "analyze", "generate", "convert"] {
        assert!(help.contains(sub), "{help}");
    }
}
