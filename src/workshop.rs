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
