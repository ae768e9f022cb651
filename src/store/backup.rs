//! Nothing lost: rotating backups taken with SQLite's online backup API, damaged
//! files moved aside, and a backup restored into place.
//!
//! Backups of `ripple.db` live in `ripple.db.backups/ripple-<stamp>.db`; the stamp
//! sorts by time, so the newest backup is the last name.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::backup::Backup;
use rusqlite::Connection;

use super::{check_pragma, Store, StoreError, SCHEMA_VERSION};

/// How many backups are kept; older ones are deleted as new ones are taken.
pub const BACKUPS_KEPT: usize = 5;

/// The folder holding the backups of the database at `db`.
pub fn backups_dir(db: &Path) -> PathBuf {
    sibling(db, ".backups")
}

/// The backups of `db`, oldest first.
pub fn list_backups(db: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(backups_dir(db)) else { return Vec::new() };
    let mut backups: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("ripple-") && n.ends_with(".db")))
        .collect();
    backups.sort();
    backups
}

pub fn latest_backup(db: &Path) -> Option<PathBuf> {
    list_backups(db).pop()
}

/// Copies `backup` out of the rotation (as `kept-<name>` beside it), so the backup a
/// recovery offers is still there after the automatic backups that follow it.
pub fn keep_backup(backup: &Path) -> Result<PathBuf, StoreError> {
    let name = backup.file_name().unwrap_or_default().to_string_lossy();
    let kept = backup.with_file_name(format!("kept-{name}"));
    if !kept.exists() {
        std::fs::copy(backup, &kept).map_err(|e| io_error("keep the backup", backup, e))?;
    }
    Ok(kept)
}

/// A UTC time for file names, to the millisecond: `20261122-204728-123`.
pub fn stamp(time: SystemTime) -> String {
    let ms = time.duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as i64;
    let (days, ms_of_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (y, m, d) = civil_from_days(days);
    let s = ms_of_day / 1000;
    format!("{y:04}{m:02}{d:02}-{:02}{:02}{:02}-{:03}", s / 3600, s / 60 % 60, s % 60, ms_of_day % 1000)
}

/// Howard Hinnant's days-to-civil: the proleptic Gregorian date of a day count.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Io(format!("cannot {what} {}: {e}", path.display()))
}

impl Store {
    /// Takes a backup now and keeps the newest [`BACKUPS_KEPT`]; returns the newest
    /// backup. When nothing changed since the last backup, no new one is written, so
    /// an idle app does not push older, different backups out.
    pub fn backup_now(&self) -> Result<PathBuf, StoreError> {
        let dir = backups_dir(&self.path);
        std::fs::create_dir_all(&dir).map_err(|e| io_error("create", &dir, e))?;
        let partial = dir.join("backup.partial");
        let _ = std::fs::remove_file(&partial);
        {
            let mut dst = Connection::open(&partial)?;
            Backup::new(&self.conn, &mut dst)?.run_to_completion(256, Duration::ZERO, None)?;
            // A backup is one self-contained file, whatever the journal mode of its source.
            dst.pragma_update(None, "journal_mode", "DELETE")?;
        }
        let latest = latest_backup(&self.path);
        if let Some(latest) = &latest {
            if std::fs::read(latest).ok() == std::fs::read(&partial).ok() {
                let _ = std::fs::remove_file(&partial);
                return Ok(latest.clone());
            }
        }
        let mut target = dir.join(format!("ripple-{}.db", stamp(SystemTime::now())));
        // Two backups in the same millisecond: wait for the next one, names must sort.
        while target.exists() || latest.as_ref().is_some_and(|l| *l >= target) {
            std::thread::sleep(Duration::from_millis(1));
            target = dir.join(format!("ripple-{}.db", stamp(SystemTime::now())));
        }
        // The rename makes a backup appear whole or not at all.
        std::fs::rename(&partial, &target).map_err(|e| io_error("write", &target, e))?;
        let backups = list_backups(&self.path);
        for old in &backups[..backups.len().saturating_sub(BACKUPS_KEPT)] {
            std::fs::remove_file(old).map_err(|e| io_error("delete the old backup", old, e))?;
        }
        Ok(target)
    }
}

impl StoreError {
    /// Whether the file itself is damaged (as opposed to locked, missing or newer).
    pub fn is_damage(&self) -> bool {
        use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
        match self {
            StoreError::Damaged { .. } => true,
            StoreError::Open { source, .. } | StoreError::Sql(source) => {
                matches!(source.sqlite_error_code(), Some(DatabaseCorrupt | NotADatabase))
            }
            _ => false,
        }
    }
}

/// Moves a damaged database, with its `-wal` and `-shm`, to `<name>.damaged-<stamp>`
/// (the companions keep their suffixes so the copy still opens as it was).
pub fn move_aside(db: &Path) -> Result<PathBuf, StoreError> {
    let aside = sibling(db, &format!(".damaged-{}", stamp(SystemTime::now())));
    std::fs::rename(db, &aside).map_err(|e| io_error("move aside", db, e))?;
    for companion in ["-wal", "-shm"] {
        let from = sibling(db, companion);
        if from.exists() {
            let to = sibling(&aside, companion);
            std::fs::rename(&from, &to).map_err(|e| io_error("move aside", &from, e))?;
        }
    }
    Ok(aside)
}

/// Copies `backup` into the database at `db` and opens it. The backup is checked
/// first; the current database, when it is sound, is itself backed up beforehand so
/// that a restore can be taken back.
pub fn restore_backup(db: &Path, backup: &Path) -> Result<Store, StoreError> {
    if !backup.is_file() {
        return Err(StoreError::Io(format!("no backup at {}", backup.display())));
    }
    let src = Connection::open_with_flags(backup, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|source| StoreError::Open { path: backup.to_owned(), source })?;
    let found: u32 = src.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|source| {
        if matches!(source.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)) {
            StoreError::Damaged { path: backup.to_owned(), reason: source.to_string() }
        } else {
            StoreError::Open { path: backup.to_owned(), source }
        }
    })?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema { path: backup.to_owned(), found, supported: SCHEMA_VERSION });
    }
    check_pragma(&src, "quick_check", backup)?;
    if let Ok(current) = Store::open(db) {
        if current.quick_check().is_ok() {
            current.backup_now()?;
        }
    }
    let mut dst = Connection::open(db).map_err(|source| StoreError::Open { path: db.to_owned(), source })?;
    Backup::new(&src, &mut dst)?.run_to_completion(256, Duration::ZERO, None)?;
    drop(dst);
    Store::open(db)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_utc_calendar_times_that_sort_by_time() {
        assert_eq!(stamp(UNIX_EPOCH), "19700101-000000-000");
        // 2024-02-29T23:59:59.999Z, a leap day.
        assert_eq!(stamp(UNIX_EPOCH + Duration::from_millis(1_709_251_199_999)), "20240229-235959-999");
        assert_eq!(stamp(UNIX_EPOCH + Duration::from_millis(1_709_251_200_000)), "20240301-000000-000");
    }
}
