//! A workshop: its organisation map and (in later steps) its agenda, participants
//! and everything they answer or play.

use serde::Serialize;
use ts_rs::TS;

use crate::layout::MapLayout;
use crate::org::OrgMap;

pub type WorkshopId = i64;

pub const DEMO_WORKSHOP_NAME: &str = "Demo: Northwind Home Services";

/// The demo organisation shipped in `assets/`, embedded in the binary.
const DEMO_MAP_JSON: &str = include_str!("../assets/demo-workshop.json");

/// The demo organisation map. It is checked by a test, so parsing cannot fail at run time.
pub fn demo_map() -> OrgMap {
    serde_json::from_str(DEMO_MAP_JSON).expect("the embedded demo map is valid JSON")
}

/// The organisations a trainer can start from besides the demo, shipped in
/// `assets/templates/` and embedded in the binary: (id, JSON map).
const TEMPLATES: &[(&str, &str)] = &[
    ("hospital", include_str!("../assets/templates/hospital.json")),
    ("training-company", include_str!("../assets/templates/training-company.json")),
];

/// A map a new workshop can start from.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TemplateInfo {
    /// What `--from` and the new-workshop picker take: `demo` or a template's id.
    pub id: String,
    pub name: String,
    pub units: u32,
    pub links: u32,
}

/// The shipped map called `id` (`demo` or a template's id); the embedded files are
/// checked by a test, so parsing cannot fail at run time.
pub fn shipped_map(id: &str) -> Option<OrgMap> {
    if id == "demo" {
        return Some(demo_map());
    }
    TEMPLATES.iter().find(|(t, _)| *t == id).map(|(_, json)| serde_json::from_str(json).expect("an embedded template is valid JSON"))
}

/// The demo and every shipped template, in the order the picker shows them.
pub fn shipped_templates() -> Vec<TemplateInfo> {
    std::iter::once("demo")
        .chain(TEMPLATES.iter().map(|(id, _)| *id))
        .map(|id| {
            let map = shipped_map(id).expect("a shipped id");
            let name = if id == "demo" { DEMO_WORKSHOP_NAME.to_owned() } else { map.name.clone() };
            TemplateInfo { id: id.to_owned(), name, units: map.units.len() as u32, links: map.links.len() as u32 }
        })
        .collect()
}

/// Longest workshop name, in characters: it has to fit a list and a window title.
pub const MAX_NAME_CHARS: usize = 120;

/// A workshop's name, trimmed, or why it cannot be one.
pub fn validate_name(name: &str) -> Result<&str, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("the workshop's name is empty".to_owned());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("the workshop's name is longer than {MAX_NAME_CHARS} characters"));
    }
    Ok(name)
}

/// The name a duplicate gets: "Cohort A (copy)", kept within the length limit.
pub fn copy_name(name: &str) -> String {
    const SUFFIX: &str = " (copy)";
    let keep = MAX_NAME_CHARS - SUFFIX.chars().count();
    let base: String = name.trim().chars().take(keep).collect();
    format!("{}{SUFFIX}", base.trim_end())
}

/// A line in the list of workshops.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct WorkshopSummary {
    #[ts(type = "number")]
    pub id: WorkshopId,
    pub name: String,
    pub updated_at: String,
    pub units: u32,
    pub links: u32,
}

/// What the presenter window needs to show a workshop's map.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct WorkshopView {
    #[ts(type = "number")]
    pub id: WorkshopId,
    pub name: String,
    pub map: OrgMap,
    pub layout: MapLayout,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::UnitKind;

    #[test]
    fn names_are_trimmed_and_an_empty_or_overlong_name_is_refused() {
        assert_eq!(validate_name("  Cohort A "), Ok("Cohort A"));
        assert_eq!(validate_name(" \t").unwrap_err(), "the workshop's name is empty");
        assert!(validate_name(&"x".repeat(MAX_NAME_CHARS + 1)).is_err());
    }

    #[test]
    fn a_copy_is_named_after_its_original_within_the_length_limit() {
        assert_eq!(copy_name("Cohort A"), "Cohort A (copy)");
        let long = copy_name(&"x".repeat(MAX_NAME_CHARS));
        assert_eq!(validate_name(&long), Ok(long.as_str()));
        assert!(long.ends_with(" (copy)"));
    }

    #[test]
    fn every_shipped_template_is_a_valid_map_with_external_customers() {
        let templates = shipped_templates();
        assert_eq!(templates[0].id, "demo");
        assert!(templates.len() >= 3);
        for t in &templates {
            let map = shipped_map(&t.id).unwrap();
            map.validate().unwrap_or_else(|e| panic!("template {}: {e}", t.id));
            assert!(map.units.iter().any(|u| u.kind == UnitKind::External), "{} has no external customers", t.id);
            assert!(!t.name.trim().is_empty());
        }
        assert!(shipped_map("no-such-template").is_none());
    }

    #[test]
    fn the_demo_map_is_valid_and_has_the_classic_units_and_segments() {
        let map = demo_map();
        map.validate().unwrap();
        assert!((15..=25).contains(&map.units.len()), "{} units", map.units.len());
        for id in ["finance", "hr", "it", "marketing", "customer-service", "field-engineers", "accounts", "training", "sales", "warehouse", "management"] {
            assert!(map.unit(id).is_some(), "the demo lacks {id}");
        }
        let external = map.units.iter().filter(|u| u.kind == UnitKind::External).count();
        assert!(external >= 3);
        // Every internal unit serves someone, so every unit takes part in a ripple.
        for unit in map.units.iter().filter(|u| u.kind != UnitKind::External) {
            assert!(map.links.iter().any(|l| l.provider == unit.id), "{} serves no one", unit.id);
        }
    }
}
