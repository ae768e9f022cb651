//! The spreadsheet form of a map: a folder with `units.csv` (`id,name,kind,weight`)
//! and `links.csv` (`provider,customer,service,strength,lag,quality,time,delivery`).
//! Columns are found by name (any order, any case); unknown columns are ignored.

use std::collections::HashMap;
use std::path::Path;

use crate::mapio::{read_text, MapIoError};
use crate::org::{MapError, OrgMap, ServiceLink, Unit, UnitKind};

pub const UNITS_FILE: &str = "units.csv";
pub const LINKS_FILE: &str = "links.csv";
pub const UNIT_COLUMNS: [&str; 4] = ["id", "name", "kind", "weight"];
pub const LINK_COLUMNS: [&str; 8] = ["provider", "customer", "service", "strength", "lag", "quality", "time", "delivery"];

/// One CSV file read into rows, each with its line number.
pub(crate) struct Sheet {
    pub file: String,
    columns: HashMap<String, usize>,
    pub rows: Vec<(u64, Vec<String>)>,
}

impl Sheet {
    /// Reads `text`, requiring the `required` columns (matched case-insensitively).
    pub fn parse(text: &str, file: &str, required: &[&str]) -> Result<Sheet, MapIoError> {
        let syntax = |line: u64, message: String| MapIoError::Syntax { file: file.to_owned(), line, message };
        let mut reader = ::csv::ReaderBuilder::new().trim(::csv::Trim::All).flexible(true).from_reader(text.as_bytes());
        let headers = reader.headers().map_err(|e| syntax(1, e.to_string()))?.clone();
        let columns: HashMap<String, usize> = headers.iter().enumerate().map(|(i, h)| (h.trim().to_ascii_lowercase(), i)).collect();
        for column in required {
            if !columns.contains_key(*column) {
                return Err(syntax(1, format!("missing column '{column}' (the header is '{}')", headers.iter().collect::<Vec<_>>().join(","))));
            }
        }
        // Lines are counted from byte offsets, past any blank lines before the record:
        // the csv crate's own line count skips blank lines.
        let bytes = text.as_bytes();
        let newlines: Vec<usize> = bytes.iter().enumerate().filter(|&(_, &b)| b == b'\n').map(|(i, _)| i).collect();
        let line_at = |p: Option<&::csv::Position>| {
            p.map_or(0, |p| {
                let mut at = p.byte() as usize;
                while matches!(bytes.get(at), Some(b'\n' | b'\r')) {
                    at += 1;
                }
                newlines.partition_point(|&i| i < at) as u64 + 1
            })
        };
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| syntax(line_at(e.position()), e.to_string()))?;
            let line = line_at(record.position());
            if record.iter().all(|f| f.is_empty()) {
                continue; // a blank row, as spreadsheets leave at the end
            }
            rows.push((line, record.iter().map(str::to_owned).collect()));
        }
        Ok(Sheet { file: file.to_owned(), columns, rows })
    }

    /// The cell of `column` in `row` ("" when the column or the cell is missing).
    pub fn get<'a>(&self, row: &'a [String], column: &str) -> &'a str {
        self.columns.get(column).and_then(|&i| row.get(i)).map_or("", String::as_str)
    }

    pub fn error(&self, line: u64, message: impl Into<String>) -> MapIoError {
        MapIoError::Syntax { file: self.file.clone(), line, message: message.into() }
    }
}

/// Parses a number cell; `default` for an empty one.
pub(crate) fn number(sheet: &Sheet, line: u64, column: &str, text: &str, default: Option<f64>) -> Result<f64, MapIoError> {
    if text.is_empty() {
        if let Some(d) = default {
            return Ok(d);
        }
        return Err(sheet.error(line, format!("{column} is empty")));
    }
    text.parse::<f64>().map_err(|_| sheet.error(line, format!("{column} '{text}' is not a number")))
}

pub(crate) fn strength(sheet: &Sheet, line: u64, text: &str) -> Result<f64, MapIoError> {
    let s = number(sheet, line, "strength", text, None)?;
    if !(s > 0.0 && s <= 1.0) {
        return Err(sheet.error(line, format!("strength '{text}' must be in (0, 1]")));
    }
    Ok(s)
}

pub(crate) fn lag(sheet: &Sheet, line: u64, text: &str) -> Result<f64, MapIoError> {
    let l = number(sheet, line, "lag", text, Some(0.0))?;
    if !l.is_finite() || l < 0.0 {
        return Err(sheet.error(line, format!("lag '{text}' must be a number of hours ≥ 0")));
    }
    Ok(l)
}

pub(crate) fn kind(sheet: &Sheet, line: u64, text: &str) -> Result<UnitKind, MapIoError> {
    UnitKind::parse(text).ok_or_else(|| sheet.error(line, format!("kind '{text}' must be external, frontline or support")))
}

/// Validates the assembled map and reports a problem at the line it comes from.
pub(crate) fn validate_at_lines(
    map: &OrgMap,
    units: &Sheet,
    unit_lines: &[u64],
    links: &Sheet,
    link_lines: &[u64],
) -> Result<(), MapIoError> {
    let Err(problem) = map.validate() else { return Ok(()) };
    let unit_line = |id: &str| map.units.iter().zip(unit_lines).rev().find(|(u, _)| u.id == id).map(|(_, &l)| l);
    let link_line = |label: &str, last: bool| {
        let mut found = map.links.iter().zip(link_lines).filter(|(l, _)| l.label() == label || format!("{} ({})", l.label(), l.service) == label);
        if last { found.next_back() } else { found.next() }.map(|(_, &l)| l)
    };
    let at = match &problem {
        MapError::EmptyId { index } => Some((units, unit_lines.get(index - 1).copied())),
        MapError::BadId { id } | MapError::DuplicateUnit { id } | MapError::EmptyName { id } | MapError::BadWeight { id, .. } => Some((units, unit_line(id))),
        MapError::UnknownUnit { link, .. } | MapError::SelfLink { link } | MapError::BadStrength { link, .. } | MapError::BadLag { link, .. } => Some((links, link_line(link, false))),
        MapError::DuplicateLink { link } => Some((links, link_line(link, true))),
        MapError::NewerVersion { .. } => None,
    };
    Err(match at {
        Some((sheet, Some(line))) => sheet.error(line, problem.to_string()),
        Some((sheet, None)) => MapIoError::Invalid { file: sheet.file.clone(), source: problem },
        None => MapIoError::Invalid { file: units.file.clone(), source: problem },
    })
}

/// Parses the two sheets; the names are used in errors.
pub fn from_strs(units_text: &str, units_file: &str, links_text: &str, links_file: &str) -> Result<OrgMap, MapIoError> {
    let units = Sheet::parse(units_text, units_file, &["id", "name", "kind"])?;
    let links = Sheet::parse(links_text, links_file, &["provider", "customer", "strength"])?;
    let mut all_units = Vec::with_capacity(units.rows.len());
    let mut unit_lines = Vec::with_capacity(units.rows.len());
    for (line, row) in &units.rows {
        let weight = number(&units, *line, "weight", units.get(row, "weight"), Some(1.0))?;
        all_units.push(Unit {
            id: units.get(row, "id").to_owned(),
            name: units.get(row, "name").to_owned(),
            kind: kind(&units, *line, units.get(row, "kind"))?,
            weight,
        });
        unit_lines.push(*line);
    }
    let (all_links, link_lines) = read_links(&links, ["provider", "customer", "service"])?;
    let map = OrgMap::new("", all_units, all_links);
    validate_at_lines(&map, &units, &unit_lines, &links, &link_lines)?;
    Ok(map)
}

/// Loads a folder holding `units.csv` and `links.csv` (the map is named after the folder).
pub fn load_dir(dir: &Path) -> Result<OrgMap, MapIoError> {
    let (units_path, links_path) = (dir.join(UNITS_FILE), dir.join(LINKS_FILE));
    let mut map = from_strs(
        &read_text(&units_path)?,
        &units_path.display().to_string(),
        &read_text(&links_path)?,
        &links_path.display().to_string(),
    )?;
    map.name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(map)
}

pub(crate) fn write_rows(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<Vec<u8>, MapIoError> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let fail = |e: ::csv::Error| MapIoError::Output { path: "csv".into(), message: e.to_string() };
    writer.write_record(header).map_err(fail)?;
    for row in rows {
        writer.write_record(&row).map_err(fail)?;
    }
    writer.into_inner().map_err(|e| MapIoError::Output { path: "csv".into(), message: e.to_string() })
}

/// Shortest text that parses back to the same number (`1`, `0.25`).
pub(crate) fn fmt_number(x: f64) -> String {
    format!("{x}")
}

/// The two files of the folder, ready to write.
pub fn to_files(map: &OrgMap) -> Result<Vec<(&'static str, Vec<u8>)>, MapIoError> {
    let units = write_rows(
        &UNIT_COLUMNS,
        map.units.iter().map(|u| vec![u.id.clone(), u.name.clone(), u.kind.as_str().to_owned(), fmt_number(u.weight)]),
    )?;
    let links = write_rows(
        &LINK_COLUMNS,
        map.links.iter().map(link_row),
    )?;
    Ok(vec![(UNITS_FILE, units), (LINKS_FILE, links)])
}

/// Reads the link rows of a sheet whose first three columns go by the names in `ends`
/// (provider, customer, service); the other columns are named as in `links.csv`.
pub(crate) fn read_links(sheet: &Sheet, ends: [&str; 3]) -> Result<(Vec<ServiceLink>, Vec<u64>), MapIoError> {
    let [provider, customer, service] = ends;
    let mut links = Vec::with_capacity(sheet.rows.len());
    let mut lines = Vec::with_capacity(sheet.rows.len());
    for (line, row) in &sheet.rows {
        links.push(ServiceLink {
            provider: sheet.get(row, provider).to_owned(),
            customer: sheet.get(row, customer).to_owned(),
            service: sheet.get(row, service).to_owned(),
            strength: strength(sheet, *line, sheet.get(row, "strength"))?,
            lag: lag(sheet, *line, sheet.get(row, "lag"))?,
            quality: sheet.get(row, "quality").to_owned(),
            time: sheet.get(row, "time").to_owned(),
            delivery: sheet.get(row, "delivery").to_owned(),
        });
        lines.push(*line);
    }
    Ok((links, lines))
}

/// A link as a row of `links.csv` (and of Kumu's connections, which have the same columns).
pub(crate) fn link_row(l: &ServiceLink) -> Vec<String> {
    vec![
        l.provider.clone(),
        l.customer.clone(),
        l.service.clone(),
        fmt_number(l.strength),
        fmt_number(l.lag),
        l.quality.clone(),
        l.time.clone(),
        l.delivery.clone(),
    ]
}
