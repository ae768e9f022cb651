//! Kumu's spreadsheet import: `elements.csv` (Label, Type, Description, Weight) and
//! `connections.csv` (From, To, Type, Strength, Lag, Quality, Time, Delivery).
//! The unit id is the element's Label, because Kumu joins connections to elements
//! by label and ids are unique; the unit's name goes to Description.

use std::path::Path;

use crate::mapio::csv::{fmt_number, kind, link_row, number, read_links, validate_at_lines, write_rows, Sheet};
use crate::mapio::{read_text, MapIoError};
use crate::org::{OrgMap, Unit};

pub const ELEMENTS_FILE: &str = "elements.csv";
pub const CONNECTIONS_FILE: &str = "connections.csv";
const ELEMENT_COLUMNS: [&str; 4] = ["Label", "Type", "Description", "Weight"];
const CONNECTION_COLUMNS: [&str; 8] = ["From", "To", "Type", "Strength", "Lag", "Quality", "Time", "Delivery"];

pub fn to_files(map: &OrgMap) -> Result<Vec<(&'static str, Vec<u8>)>, MapIoError> {
    let elements = write_rows(
        &ELEMENT_COLUMNS,
        map.units.iter().map(|u| vec![u.id.clone(), u.kind.as_str().to_owned(), u.name.clone(), fmt_number(u.weight)]),
    )?;
    let connections = write_rows(
        &CONNECTION_COLUMNS,
        map.links.iter().map(link_row),
    )?;
    Ok(vec![(ELEMENTS_FILE, elements), (CONNECTIONS_FILE, connections)])
}

pub fn from_strs(elements_text: &str, elements_file: &str, connections_text: &str, connections_file: &str) -> Result<OrgMap, MapIoError> {
    let elements = Sheet::parse(elements_text, elements_file, &["label", "type"])?;
    let connections = Sheet::parse(connections_text, connections_file, &["from", "to", "strength"])?;
    let mut units = Vec::new();
    let mut unit_lines = Vec::new();
    for (line, row) in &elements.rows {
        let id = elements.get(row, "label");
        let description = elements.get(row, "description");
        units.push(Unit {
            id: id.to_owned(),
            name: if description.is_empty() { id.to_owned() } else { description.to_owned() },
            kind: kind(&elements, *line, elements.get(row, "type"))?,
            weight: number(&elements, *line, "weight", elements.get(row, "weight"), Some(1.0))?,
        });
        unit_lines.push(*line);
    }
    let (links, link_lines) = read_links(&connections, ["from", "to", "type"])?;
    let map = OrgMap::new("", units, links);
    validate_at_lines(&map, &elements, &unit_lines, &connections, &link_lines)?;
    Ok(map)
}

pub fn load_dir(dir: &Path) -> Result<OrgMap, MapIoError> {
    let (e, c) = (dir.join(ELEMENTS_FILE), dir.join(CONNECTIONS_FILE));
    let mut map = from_strs(&read_text(&e)?, &e.display().to_string(), &read_text(&c)?, &c.display().to_string())?;
    map.name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(map)
}
