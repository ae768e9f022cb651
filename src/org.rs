//! The organisation map: units, external customer segments, and the service
//! links `provider → customer` between them (DESIGN.md, "What a workshop contains").

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The version of the JSON map format this build writes and reads.
pub const MAP_FORMAT_VERSION: u32 = 1;

/// What a unit is in the flow towards external customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum UnitKind {
    /// An external customer segment (households, patients, …).
    External,
    /// A unit that serves external customers directly.
    Frontline,
    /// A unit that serves colleagues (internal customers).
    Support,
}

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::External => "external",
            UnitKind::Frontline => "frontline",
            UnitKind::Support => "support",
        }
    }

    pub fn parse(text: &str) -> Option<UnitKind> {
        match text.trim().to_ascii_lowercase().as_str() {
            "external" => Some(UnitKind::External),
            "frontline" => Some(UnitKind::Frontline),
            "support" => Some(UnitKind::Support),
            _ => None,
        }
    }
}

fn default_weight() -> f64 {
    1.0
}

/// A team, department or role — or an external customer segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Unit {
    /// A short slug, unique in the map (`finance`, `field-engineers`).
    pub id: String,
    pub name: String,
    pub kind: UnitKind,
    /// Relative value of an external segment (default 1); ignored for internal units.
    #[serde(default = "default_weight")]
    pub weight: f64,
}

/// A service one unit delivers to another: "Finance → all staff: payroll on time".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ServiceLink {
    pub provider: String,
    pub customer: String,
    /// What is delivered.
    pub service: String,
    /// Dependency strength in (0, 1]: 1 means the customer is blocked without it.
    pub strength: f64,
    /// Hours until a failure of this service is felt by the customer.
    pub lag: f64,
    /// The customer's expectation of quality (optional text).
    #[serde(default)]
    pub quality: String,
    /// The customer's expectation of time (optional text).
    #[serde(default)]
    pub time: String,
    /// The customer's expectation of the delivery method (optional text).
    #[serde(default)]
    pub delivery: String,
}

/// A whole organisation map, as stored in a workshop and in a JSON map file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OrgMap {
    pub version: u32,
    #[serde(default)]
    pub name: String,
    pub units: Vec<Unit>,
    pub links: Vec<ServiceLink>,
}

/// What is wrong with a map; every variant names the offending unit or link.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MapError {
    #[error("unit #{index}: the id is empty")]
    EmptyId { index: usize },
    #[error("unit '{id}': the id may hold only letters, digits, '-', '_' and '.'")]
    BadId { id: String },
    #[error("unit '{id}' appears twice")]
    DuplicateUnit { id: String },
    #[error("unit '{id}': the name is empty")]
    EmptyName { id: String },
    #[error("unit '{id}': weight {weight} must be a finite number ≥ 0")]
    BadWeight { id: String, weight: f64 },
    #[error("link {link}: unknown unit '{unit}'")]
    UnknownUnit { link: String, unit: String },
    #[error("link {link}: a unit cannot serve itself")]
    SelfLink { link: String },
    #[error("link {link}: strength {strength} must be in (0, 1]")]
    BadStrength { link: String, strength: f64 },
    #[error("link {link}: lag {lag} must be a finite number of hours ≥ 0")]
    BadLag { link: String, lag: f64 },
    #[error("link {link} appears twice")]
    DuplicateLink { link: String },
    #[error("map version {found} is newer than this Ripple understands (up to {supported}); update Ripple")]
    NewerVersion { found: u32, supported: u32 },
}

impl ServiceLink {
    /// How a link is named in messages: `finance → sales`.
    pub fn label(&self) -> String {
        format!("{} → {}", self.provider, self.customer)
    }
}

impl OrgMap {
    pub fn new(name: impl Into<String>, units: Vec<Unit>, links: Vec<ServiceLink>) -> OrgMap {
        OrgMap { version: MAP_FORMAT_VERSION, name: name.into(), units, links }
    }

    pub fn unit(&self, id: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.id == id)
    }

    /// Checks every rule of the map format; the first problem found is returned.
    pub fn validate(&self) -> Result<(), MapError> {
        if self.version > MAP_FORMAT_VERSION {
            return Err(MapError::NewerVersion { found: self.version, supported: MAP_FORMAT_VERSION });
        }
        let mut ids = HashSet::with_capacity(self.units.len());
        for (index, unit) in self.units.iter().enumerate() {
            if unit.id.trim().is_empty() {
                return Err(MapError::EmptyId { index: index + 1 });
            }
            if !is_valid_id(&unit.id) {
                return Err(MapError::BadId { id: unit.id.clone() });
            }
            if !ids.insert(unit.id.as_str()) {
                return Err(MapError::DuplicateUnit { id: unit.id.clone() });
            }
            if unit.name.trim().is_empty() {
                return Err(MapError::EmptyName { id: unit.id.clone() });
            }
            if !unit.weight.is_finite() || unit.weight < 0.0 {
                return Err(MapError::BadWeight { id: unit.id.clone(), weight: unit.weight });
            }
        }
        let mut pairs = HashSet::with_capacity(self.links.len());
        for link in &self.links {
            for end in [&link.provider, &link.customer] {
                if !ids.contains(end.as_str()) {
                    return Err(MapError::UnknownUnit { link: link.label(), unit: end.clone() });
                }
            }
            if link.provider == link.customer {
                return Err(MapError::SelfLink { link: link.label() });
            }
            if !(link.strength > 0.0 && link.strength <= 1.0) {
                return Err(MapError::BadStrength { link: link.label(), strength: link.strength });
            }
            if !link.lag.is_finite() || link.lag < 0.0 {
                return Err(MapError::BadLag { link: link.label(), lag: link.lag });
            }
            if !pairs.insert((link.provider.as_str(), link.customer.as_str(), link.service.as_str())) {
                return Err(MapError::DuplicateLink { link: format!("{} ({})", link.label(), link.service) });
            }
        }
        Ok(())
    }
}

/// Ids are short slugs so that they survive CSV, URLs and the command line.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: &str, kind: UnitKind) -> Unit {
        Unit { id: id.into(), name: id.to_uppercase(), kind, weight: 1.0 }
    }

    fn link(p: &str, c: &str, strength: f64, lag: f64) -> ServiceLink {
        ServiceLink {
            provider: p.into(),
            customer: c.into(),
            service: "payroll".into(),
            strength,
            lag,
            quality: String::new(),
            time: String::new(),
            delivery: String::new(),
        }
    }

    fn map(links: Vec<ServiceLink>) -> OrgMap {
        OrgMap::new(
            "t",
            vec![unit("finance", UnitKind::Support), unit("sales", UnitKind::Frontline), unit("households", UnitKind::External)],
            links,
        )
    }

    #[test]
    fn a_well_formed_map_is_valid() {
        assert_eq!(map(vec![link("finance", "sales", 0.8, 24.0), link("sales", "households", 1.0, 0.0)]).validate(), Ok(()));
    }

    #[test]
    fn each_rule_names_the_offending_unit_or_link() {
        let cases = [
            (map(vec![link("finance", "hr", 0.5, 1.0)]), "link finance → hr: unknown unit 'hr'"),
            (map(vec![link("sales", "sales", 0.5, 1.0)]), "link sales → sales: a unit cannot serve itself"),
            (map(vec![link("finance", "sales", 0.0, 1.0)]), "link finance → sales: strength 0 must be in (0, 1]"),
            (map(vec![link("finance", "sales", 1.5, 1.0)]), "link finance → sales: strength 1.5 must be in (0, 1]"),
            (map(vec![link("finance", "sales", f64::NAN, 1.0)]), "link finance → sales: strength NaN must be in (0, 1]"),
            (map(vec![link("finance", "sales", 0.5, -2.0)]), "link finance → sales: lag -2 must be a finite number of hours ≥ 0"),
        ];
        for (m, expected) in cases {
            assert_eq!(m.validate().unwrap_err().to_string(), expected);
        }
    }

    #[test]
    fn duplicate_and_empty_units_are_named() {
        let mut m = map(vec![]);
        m.units.push(unit("sales", UnitKind::Support));
        assert_eq!(m.validate().unwrap_err().to_string(), "unit 'sales' appears twice");
        let mut m = map(vec![]);
        m.units[0].name = "  ".into();
        assert_eq!(m.validate().unwrap_err().to_string(), "unit 'finance': the name is empty");
        let mut m = map(vec![]);
        m.units[1].id = String::new();
        assert_eq!(m.validate().unwrap_err().to_string(), "unit #2: the id is empty");
    }

    #[test]
    fn a_newer_map_version_is_refused() {
        let mut m = map(vec![]);
        m.version = MAP_FORMAT_VERSION + 1;
        assert!(matches!(m.validate(), Err(MapError::NewerVersion { .. })));
    }

    #[test]
    fn unit_kinds_serialise_in_lowercase_and_weight_defaults_to_one() {
        let u: Unit = serde_json::from_str(r#"{"id":"h","name":"Households","kind":"external"}"#).unwrap();
        assert_eq!(u.kind, UnitKind::External);
        assert_eq!(u.weight, 1.0);
        assert_eq!(UnitKind::parse(" Frontline "), Some(UnitKind::Frontline));
    }
}
