//! One handler per operation, written once: the Tauri commands and (later) the
//! participants' HTTP routes call these, and only translate arguments and errors.

use crate::error::ApiError;
use crate::layout;
use crate::store::{Store, StoreError};
use crate::workshop::{WorkshopId, WorkshopSummary, WorkshopView};

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        let code = match &e {
            StoreError::WorkshopNotFound(_) => "not_found",
            StoreError::InvalidMap(_) => "invalid_map",
            StoreError::NewerSchema { .. } => "newer_database",
            StoreError::Open { .. } | StoreError::InvalidStoredMap(_) | StoreError::Sql(_) => "storage",
        };
        ApiError::new(code, e.to_string())
    }
}

pub fn list_workshops(store: &Store) -> Result<Vec<WorkshopSummary>, ApiError> {
    Ok(store.list_workshops()?)
}

/// A workshop's map with its layout, ready to draw.
pub fn open_workshop(store: &Store, id: WorkshopId) -> Result<WorkshopView, ApiError> {
    let name = store.workshop_name(id)?;
    let map = store.load_map(id)?;
    let layout = layout::layered(&map);
    Ok(WorkshopView { id, name, map, layout })
}

/// Opens a database as it is (the command line).
pub fn open_store(path: &std::path::Path) -> Result<Store, ApiError> {
    Ok(Store::open(path)?)
}

/// Opens the installation's database, creating the demo workshop on first start (the app).
pub fn open_app_store(path: &std::path::Path) -> Result<Store, ApiError> {
    let mut store = Store::open(path)?;
    store.seed_demo_once()?;
    Ok(store)
}

/// What a new workshop starts from: a map and the name it suggests.
pub struct Template {
    pub map: crate::org::OrgMap,
    pub name: String,
}

/// Loads `"demo"` or a template map (a JSON file, or a folder with units.csv and links.csv).
pub fn load_template(from: &str) -> Result<Template, ApiError> {
    if from == "demo" {
        return Ok(Template { map: crate::workshop::demo_map(), name: crate::workshop::DEMO_WORKSHOP_NAME.to_owned() });
    }
    let map = crate::mapio::load(std::path::Path::new(from)).map_err(|e| ApiError::new("invalid_map", e.to_string()))?;
    let name = if map.name.trim().is_empty() { from.to_owned() } else { map.name.clone() };
    Ok(Template { map, name })
}

/// Creates a workshop from a template, named `name` or else as the template suggests.
pub fn create_workshop(store: &mut Store, template: &Template, name: Option<&str>) -> Result<WorkshopId, ApiError> {
    let name = name.map(str::trim).unwrap_or(&template.name);
    if name.is_empty() {
        return Err(ApiError::new("invalid_name", "the workshop's name is empty"));
    }
    Ok(store.create_workshop(name, &template.map)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The front end's tests draw the real demo view: this writes it where they read it,
    /// and `scripts/test.sh` fails if the committed copy differs (like the bindings).
    #[test]
    fn the_ui_fixture_is_the_demo_workshop_as_the_presenter_receives_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = open_app_store(&dir.path().join("r.db")).unwrap();
        let id = store.list_workshops().unwrap()[0].id;
        let view = open_workshop(&store, id).unwrap();
        assert_eq!(view.map, crate::workshop::demo_map());
        assert_eq!(view.layout.nodes.len(), view.map.units.len());
        let json = serde_json::to_string_pretty(&view).unwrap() + "\n";
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/tests/fixtures/demo-view.json");
        if std::fs::read_to_string(&path).ok().as_deref() != Some(json.as_str()) {
            std::fs::write(&path, json).unwrap();
        }
    }
}
