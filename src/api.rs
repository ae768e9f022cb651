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

/// Opens the installation's database, creating the demo workshop on first start.
pub fn open_app_store(path: &std::path::Path) -> Result<Store, ApiError> {
    let mut store = Store::open(path)?;
    store.seed_demo_once()?;
    Ok(store)
}
