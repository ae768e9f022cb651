//! Reading and writing organisation maps (DESIGN.md, "Map files"): a JSON map, a
//! folder with `units.csv` and `links.csv`, GraphML, and Kumu's element and
//! connection sheets. Every error names the file and, where there is one, the line.

pub mod csv;
pub mod graphml;
pub mod json;
pub mod kumu;

use std::fs;
use std::path::{Path, PathBuf};

use crate::org::{MapError, OrgMap};

/// What went wrong reading or writing a map file.
#[derive(Debug, thiserror::Error)]
pub enum MapIoError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{file} line {line}: {message}")]
    Syntax { file: String, line: u64, message: String },
    #[error("{file}: {source}")]
    Invalid { file: String, source: MapError },
    #[error("{path}: not a map (expected a .json or .graphml file, or a folder with units.csv and links.csv, or with Kumu's elements.csv and connections.csv)")]
    UnknownFormat { path: String },
    #[error("{path}: {message}")]
    Output { path: String, message: String },
}

impl MapIoError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> MapIoError {
        MapIoError::Io { path: path.display().to_string(), source }
    }
}

/// The formats a map can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One `.json` file.
    Json,
    /// A folder with `units.csv` and `links.csv`.
    Csv,
    /// One `.graphml` file.
    Graphml,
    /// A folder with Kumu's `elements.csv` and `connections.csv`.
    Kumu,
}

impl Format {
    pub fn parse(text: &str) -> Option<Format> {
        match text.trim().to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            "graphml" => Some(Format::Graphml),
            "kumu" => Some(Format::Kumu),
            _ => None,
        }
    }
}

pub(crate) fn read_text(path: &Path) -> Result<String, MapIoError> {
    fs::read_to_string(path).map_err(|e| MapIoError::io(path, e))
}

/// Loads and validates a map from a JSON or GraphML file, or a folder of CSV sheets.
pub fn load(path: &Path) -> Result<OrgMap, MapIoError> {
    if path.is_dir() {
        if path.join(csv::UNITS_FILE).exists() || path.join(csv::LINKS_FILE).exists() {
            return csv::load_dir(path);
        }
        if path.join(kumu::ELEMENTS_FILE).exists() {
            return kumu::load_dir(path);
        }
        return Err(MapIoError::UnknownFormat { path: path.display().to_string() });
    }
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match extension.as_str() {
        "graphml" | "xml" => graphml::from_str(&read_text(path)?, &path.display().to_string()),
        "json" => json::from_str(&read_text(path)?, &path.display().to_string()),
        _ if !path.exists() => Err(MapIoError::io(path, std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"))),
        _ => {
            let text = read_text(path)?;
            if text.trim_start().starts_with('<') {
                graphml::from_str(&text, &path.display().to_string())
            } else {
                json::from_str(&text, &path.display().to_string())
            }
        }
    }
}

/// A map from files picked in a window (name and text, no folder): one JSON or
/// GraphML file, `units.csv` with `links.csv`, or Kumu's `elements.csv` with `connections.csv`.
pub fn from_files(files: &[(String, String)]) -> Result<OrgMap, MapIoError> {
    let find = |wanted: &str| files.iter().find(|(name, _)| name.eq_ignore_ascii_case(wanted));
    let names = || files.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ");
    match files {
        [(name, text)] if !name.to_ascii_lowercase().ends_with(".csv") => {
            if name.to_ascii_lowercase().ends_with(".graphml") || text.trim_start().starts_with('<') {
                graphml::from_str(text, name)
            } else {
                json::from_str(text, name)
            }
        }
        _ => match (find(csv::UNITS_FILE), find(csv::LINKS_FILE), find(kumu::ELEMENTS_FILE), find(kumu::CONNECTIONS_FILE)) {
            (Some(units), Some(links), _, _) => csv::from_strs(&units.1, &units.0, &links.1, &links.0),
            (_, _, Some(elements), Some(connections)) => kumu::from_strs(&elements.1, &elements.0, &connections.1, &connections.0),
            _ => Err(MapIoError::UnknownFormat {
                path: if files.is_empty() { "(no file)".into() } else { names() },
            }),
        },
    }
}

/// Writes `map` in `format` to `out` (a file for JSON and GraphML, a folder for the
/// CSV formats). Each file is written to a temporary file beside it and renamed into
/// place, so a failure never leaves a half-written file.
pub fn save(map: &OrgMap, format: Format, out: &Path) -> Result<(), MapIoError> {
    match format {
        Format::Json => write_atomic(out, json::to_string(map).as_bytes()),
        Format::Graphml => write_atomic(out, graphml::to_string(map).as_bytes()),
        Format::Csv => write_folder(out, &csv::to_files(map)?),
        Format::Kumu => write_folder(out, &kumu::to_files(map)?),
    }
}

fn write_folder(dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<(), MapIoError> {
    if dir.is_file() {
        return Err(MapIoError::Output { path: dir.display().to_string(), message: "is a file; this format writes a folder".into() });
    }
    fs::create_dir_all(dir).map_err(|e| MapIoError::io(dir, e))?;
    for (name, bytes) in files {
        write_atomic(&dir.join(name), bytes)?;
    }
    Ok(())
}

/// Writes through a temporary file in the same folder, then renames it into place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), MapIoError> {
    if path.is_dir() {
        return Err(MapIoError::Output { path: path.display().to_string(), message: "is a folder; this format writes a file".into() });
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = parent.join(format!(".{name}.{}.tmp", std::process::id()));
    fs::write(&temp, bytes).map_err(|e| MapIoError::io(path, e))?;
    fs::rename(&temp, path).map_err(|e| {
        let _ = fs::remove_file(&temp);
        MapIoError::io(path, e)
    })
}
