//! Results out of Ripple (DESIGN.md, "Results"): the JSON archive, CSV and XLSX
//! tables, the HTML and PDF report, the map as GraphML and Kumu sheets, and the
//! roll-up of several cohorts. Every format is made from the [`Archive`] (the whole
//! workshop read in one go), so they all say the same, and an anonymous export
//! leaves the names out of the archive before any format sees it.

pub mod archive;
pub mod bench;
pub mod csv;
pub mod pdf;
pub mod report;
pub mod rollup;
pub mod tables;
pub mod xlsx;

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::ApiError;
use crate::scorecard::{Scorecard, ScorecardExtras};
use crate::store::{Store, StoreError};
use crate::workshop::WorkshopId;
pub use archive::Archive;

/// Every format `ripple export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The versioned archive (`.json`) that `ripple import` opens again.
    Json,
    /// One CSV file per table, in a folder (or a `.zip`).
    Csv,
    /// One workbook, a sheet per table.
    Xlsx,
    /// One self-contained HTML file.
    Report,
    /// The report as PDF.
    Pdf,
    /// The map as GraphML.
    Graphml,
    /// The map as Kumu's elements and connections sheets, in a folder (or a `.zip`).
    Kumu,
}

impl Format {
    pub const ALL: [Format; 7] = [Format::Json, Format::Csv, Format::Xlsx, Format::Report, Format::Pdf, Format::Graphml, Format::Kumu];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Report => "report",
            Format::Pdf => "pdf",
            Format::Graphml => "graphml",
            Format::Kumu => "kumu",
        }
    }

    pub fn parse(text: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == text.trim().to_ascii_lowercase())
    }

    /// The usual name ending of what this format writes (a folder has none).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => ".json",
            Format::Xlsx => ".xlsx",
            Format::Report => ".html",
            Format::Pdf => ".pdf",
            Format::Graphml => ".graphml",
            Format::Csv | Format::Kumu => "",
        }
    }
}

/// Export options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// Leave every participant's name out of every format.
    pub anonymous: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The archive being read is malformed; the message names the field.
    #[error("{0}")]
    Archive(String),
    /// The output cannot be written there.
    #[error("{path}: {message}")]
    Output { path: String, message: String },
    /// Several archives that do not belong together.
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A writer library failed on data it should take.
    #[error("{0}")]
    Render(String),
}

impl From<ExportError> for ApiError {
    fn from(e: ExportError) -> ApiError {
        match e {
            ExportError::Archive(m) => ApiError::new("invalid_archive", m),
            ExportError::Input(m) => ApiError::new("invalid_input", m),
            e @ ExportError::Output { .. } => ApiError::new("output", e.to_string()),
            ExportError::Store(e) => e.into(),
            ExportError::Render(m) => ApiError::new("internal", m),
        }
    }
}

/// What a format produces: one file, or several that go in a folder or a zip.
pub enum Output {
    File(Vec<u8>),
    Files(Vec<(String, Vec<u8>)>),
}

/// The scorecard of an archived workshop, its Engagement Cycles' needs included
/// (each counted for the unit that must deliver it).
pub fn scorecard_of(archive: &Archive) -> Scorecard {
    let extras = ScorecardExtras {
        cycle_needs: archive
            .cycles
            .iter()
            .flat_map(|c| c.needs())
            .filter_map(|(_, n)| Some((n.provider.clone()?, n.category)))
            .collect(),
    };
    crate::scorecard::scorecard(
        &archive.map,
        archive.participants.iter().map(|p| (p.id, p.unit.as_str())),
        archive.answers.iter().map(|a| (a.participant, &a.answer)),
        &extras,
    )
}

/// Renders an archive in `format`.
pub fn render(archive: &Archive, format: Format) -> Result<Output, ExportError> {
    Ok(match format {
        Format::Json => {
            let mut archive = archive.clone();
            archive.scorecard = Some(scorecard_of(&archive));
            Output::File(archive.to_json().into_bytes())
        }
        Format::Csv => Output::Files(csv::files(&tables::tables(archive))?),
        Format::Xlsx => Output::File(xlsx::workbook(&tables::tables(archive))?),
        Format::Report => Output::File(report::html(&report::workshop_report(archive)).into_bytes()),
        Format::Pdf => Output::File(pdf::pdf(&report::workshop_report(archive))?),
        Format::Graphml => Output::File(crate::mapio::graphml::to_string(&archive.map).into_bytes()),
        Format::Kumu => Output::Files(
            crate::mapio::kumu::to_files(&archive.map)
                .map_err(|e| ExportError::Render(e.to_string()))?
                .into_iter()
                .map(|(name, bytes)| (name.to_owned(), bytes))
                .collect(),
        ),
    })
}

/// Exports workshop `id` of `store` to `out`. Reads only: it can run while the
/// workshop is live. Nothing is left at `out` if it fails.
pub fn export(store: &Store, id: WorkshopId, format: Format, out: &Path, options: ExportOptions) -> Result<(), ExportError> {
    check_output(out, format)?;
    let mut archive = store.load_archive(id)?;
    if options.anonymous {
        archive = archive.anonymized();
    }
    write_output(out, render(&archive, format)?)
}

/// Reads an archive file (checked) for import or a roll-up.
pub fn read_archive(path: &Path) -> Result<Archive, ExportError> {
    let text = fs::read_to_string(path).map_err(|e| output_error(path, e))?;
    Archive::from_json(&text).map_err(|e| match e {
        ExportError::Archive(m) => ExportError::Archive(format!("{}: {m}", path.display())),
        e => e,
    })
}

/// Imports an archive file as a new workshop; checked whole before the database is touched.
pub fn import(store: &mut Store, path: &Path) -> Result<WorkshopId, ExportError> {
    let archive = read_archive(path)?;
    Ok(store.import_archive(&archive)?)
}

fn output_error(path: &Path, e: impl std::fmt::Display) -> ExportError {
    ExportError::Output { path: path.display().to_string(), message: e.to_string() }
}

/// Refuses an output path that cannot work before any work is done: its folder must
/// exist, and a file format cannot write over a folder.
pub fn check_output(out: &Path, format: Format) -> Result<(), ExportError> {
    let parent = parent_of(out);
    if !parent.is_dir() {
        return Err(output_error(out, "the folder it would go in does not exist"));
    }
    let many = matches!(format, Format::Csv | Format::Kumu) && !is_zip(out);
    if out.is_dir() && !many {
        return Err(output_error(out, "is a folder; this format writes a file"));
    }
    if out.is_file() && many {
        return Err(output_error(out, "is a file; this format writes a folder (or name a .zip)"));
    }
    Ok(())
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn is_zip(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

/// Writes one file through a temporary file in the same folder, renamed into place:
/// a failure never leaves a half-written file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = parent_of(path).join(format!(".{name}.{}.tmp", std::process::id()));
    fs::write(&temp, bytes).map_err(|e| {
        let _ = fs::remove_file(&temp);
        output_error(path, e)
    })?;
    fs::rename(&temp, path).map_err(|e| {
        let _ = fs::remove_file(&temp);
        output_error(path, e)
    })
}

/// Writes what a format produced: a file as it is; several files into a zip when
/// `out` ends in `.zip`, else into the folder `out` (all written to a temporary
/// folder first, then moved in).
pub fn write_output(out: &Path, output: Output) -> Result<(), ExportError> {
    match output {
        Output::File(bytes) => write_atomic(out, &bytes),
        Output::Files(files) if is_zip(out) => write_atomic(out, &zip(&files)?),
        Output::Files(files) => {
            let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let temp = parent_of(out).join(format!(".{name}.{}.tmp", std::process::id()));
            let result = (|| {
                fs::create_dir_all(&temp).map_err(|e| output_error(out, e))?;
                for (file, bytes) in &files {
                    fs::write(temp.join(file), bytes).map_err(|e| output_error(out, e))?;
                }
                if !out.exists() {
                    return fs::rename(&temp, out).map_err(|e| output_error(out, e));
                }
                for (file, _) in &files {
                    fs::rename(temp.join(file), out.join(file)).map_err(|e| output_error(out, e))?;
                }
                Ok(())
            })();
            let _ = fs::remove_dir_all(&temp);
            result
        }
    }
}

fn zip(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, ExportError> {
    use std::io::Write;
    let mut zip = ::zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = ::zip::write::SimpleFileOptions::default().compression_method(::zip::CompressionMethod::Deflated);
    let fail = |e: &dyn std::fmt::Display| ExportError::Render(format!("zip: {e}"));
    for (name, bytes) in files {
        zip.start_file(name.as_str(), options).map_err(|e| fail(&e))?;
        zip.write_all(bytes).map_err(|e| fail(&e))?;
    }
    Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
}
