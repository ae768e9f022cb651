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
