//! The drop folder (`serve --ingest-dir DIR`): agency copy dropped into DIR is put in the desk's
//! incoming list within a couple of seconds, then moved to `DIR/done/`, or to `DIR/failed/`
//! with `NAME.reason.txt` beside it saying why (the line and the problem).
//!
//! Which files: regular files directly in DIR whose names do not start with a dot and that
//! have not changed for a second. A writer should write `.NAME` and rename it to `NAME` once
//! complete (a rename is atomic), so no half-written file is ever read.
//!
//! Several servers may watch one DIR: a server first claims a file by renaming it into its own
//! `DIR/claimed-HOST-PID/`; the rename succeeds for exactly one of them, and only that one reads
//! the file. A file whose copy could not be stored (the database unreachable) stays claimed and
//! is tried again on the next look; files left in the folder of a server that died can be moved
//! back into DIR to be taken. A name already used in `done/` or `failed/` gets `.2`, `.3`, ...

use crate::clock::Clock;
use crate::domain::{Language, Section, SiteZone};
use crate::editorial::{self, Actor};
use crate::import::copy::{self, MAX_FILE_BYTES};
use crate::storage::{SharedStore, Store};
use anyhow::Context;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How often the folder is looked at.
const TICK: Duration = Duration::from_secs(1);
/// A file changed more recently than this may still be being written.
const SETTLED: Duration = Duration::from_secs(1);
/// Files handled in one look; the rest wait for the next.
const BATCH: usize = 100;

/// A watched drop folder and the folders beside it.
#[derive(Debug, Clone)]
pub struct DropFolder {
    dir: PathBuf,
    claimed: PathBuf,
    done: PathBuf,
    failed: PathBuf,
    base_url: String,
    /// The site's language: a ninjs document in it is a story in the site's language.
    language: Language,
}

/// What became of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    Done(String),
    Failed { name: String, reason: String },
}

impl DropFolder {
    /// Checks `dir` and makes the folders beside it, so a folder that cannot be used stops the
    /// server at start rather than failing quietly later.
    pub fn open(dir: &Path, base_url: &str, language: &Language) -> anyhow::Result<Self> {
        let dir = std::path::absolute(dir)
            .with_context(|| format!("cannot resolve the drop folder {}", dir.display()))?;
        anyhow::ensure!(
            dir.is_dir(),
            "the drop folder {} is not a directory",
            dir.display()
        );
        let folder = Self {
            claimed: dir.join(format!("claimed-{}-{}", host_name(), std::process::id())),
            done: dir.join("done"),
            failed: dir.join("failed"),
            dir,
            base_url: base_url.trim_end_matches('/').to_owned(),
            language: language.clone(),
        };
        for sub in [&folder.claimed, &folder.done, &folder.failed] {
            std::fs::create_dir_all(sub)
                .with_context(|| format!("cannot create {}", sub.display()))?;
        }
        Ok(folder)
    }

    /// One look: takes in the files this server claimed earlier and could not store, then
    /// claims and takes in every complete file in the folder.
    pub fn look(&self, store: &dyn Store, clock: &Clock) -> anyhow::Result<Vec<Handled>> {
        let mut handled = Vec::new();
        for name in names_in(&self.claimed, None)? {
            if let Some(done) = self.take_claimed(store, clock, &name)? {
                handled.push(done);
            }
        }
        for name in names_in(&self.dir, Some(SystemTime::now()))? {
            if handled.len() >= BATCH {
                break;
            }
            // Another server may have claimed it first: then it is not ours to read.
            match std::fs::rename(self.dir.join(&name), self.claimed.join(&name)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    tracing::warn!(file = %name, error = %e, "cannot claim a dropped file");
                    continue;
                }
            }
            if let Some(done) = self.take_claimed(store, clock, &name)? {
                handled.push(done);
            }
        }
        Ok(handled)
    }

    /// Takes in the claimed file `name` and moves it on; `None` leaves it claimed, to try again.
    fn take_claimed(
        &self,
        store: &dyn Store,
        clock: &Clock,
        name: &str,
    ) -> anyhow::Result<Option<Handled>> {
        let path = self.claimed.join(name);
        let bytes = match read_capped(&path) {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::warn!(file = %name, error = %e, "cannot read a dropped file");
                return Ok(None);
            }
        };
        let now = clock.now();
        let reading = copy::Reading {
            section: Section::parse("world")?,
            base_url: &self.base_url,
            page_words: None,
            now,
            site_language: &self.language,
            language: None,
            // Dropped wire copy carries no zone of its own: its time stamps are read as UTC.
            wire_zone: &SiteZone::utc(),
        };
        let copies = match copy::read(name, &bytes, reading) {
            Ok(copies) => copies,
            Err(e) => {
                let reason = e.to_string();
                self.fail(name, &reason)?;
                return Ok(Some(Handled::Failed {
                    name: name.to_owned(),
                    reason,
                }));
            }
        };
        for mut piece in copies {
            let now = clock.now();
            piece.arrived_at = now;
            piece.updated_at = now;
            if let Err(e) = editorial::incoming::take_in(store, &Actor::DropFolder, piece, now) {
                tracing::warn!(file = %name, error = %crate::telemetry::chain(&e),
                               "cannot store dropped copy; trying again");
                return Ok(None);
            }
        }
        move_free(&path, &self.done, name)?;
        tracing::info!(file = %name, "took in dropped copy");
        Ok(Some(Handled::Done(name.to_owned())))
    }

    fn fail(&self, name: &str, reason: &str) -> anyhow::Result<()> {
        let moved = move_free(&self.claimed.join(name), &self.failed, name)?;
        let mut reason_file = moved.into_os_string();
        reason_file.push(".reason.txt");
        std::fs::write(&reason_file, format!("{reason}\n"))
            .with_context(|| format!("cannot write {}", Path::new(&reason_file).display()))?;
        tracing::info!(file = %name, %reason, "refused dropped copy");
        Ok(())
    }
}

/// Looks at the folder every second until the server stops.
pub async fn run(folder: DropFolder, store: SharedStore, clock: Clock) {
    let mut interval = actix_web::rt::time::interval(TICK);
    loop {
        interval.tick().await;
        let (folder, store, clock) = (folder.clone(), store.clone(), clock.clone());
        match actix_web::web::block(move || folder.look(&*store, &clock)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!(error = %format!("{e:#}"), "drop folder failed"),
            Err(e) => tracing::error!(error = %e, "drop folder task failed"),
        }
    }
}

/// Names of the complete files directly in `dir`: regular files, not dotfiles, and (with
/// `now`) unchanged for [`SETTLED`]. Names that are not UTF-8 are left alone.
fn names_in(dir: &Path, now: Option<SystemTime>) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let Ok(entry) = entry else { continue };
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if !kind.is_file() {
            continue;
        }
        if let Some(now) = now {
            let settled = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|modified| now.duration_since(modified).ok())
                .is_some_and(|age| age >= SETTLED);
            if !settled {
                continue;
            }
        }
        names.push(name);
    }
    names.sort();
    Ok(names)
}

/// The file's bytes, at most one past the largest taken (so a larger one is refused as such).
fn read_capped(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Moves `from` into `dir` as `name`, or `name.2`, `name.3`, ... when taken; returns where.
fn move_free(from: &Path, dir: &Path, name: &str) -> anyhow::Result<PathBuf> {
    for n in 1..10_000u32 {
        let to = if n == 1 {
            dir.join(name)
        } else {
            dir.join(format!("{name}.{n}"))
        };
        let mut reason = to.clone().into_os_string();
        reason.push(".reason.txt");
        if to.exists() || Path::new(&reason).exists() {
            continue;
        }
        std::fs::rename(from, &to)
            .with_context(|| format!("cannot move {} to {}", from.display(), to.display()))?;
        return Ok(to);
    }
    anyhow::bail!("no free name for {name} in {}", dir.display())
}

/// This machine's name, as safe in a folder name.
fn host_name() -> String {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default();
    let clean: String = raw
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))
        .take(64)
        .collect();
    if clean.is_empty() {
        "host".into()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_settled_files_without_a_dot_are_seen() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".writing"), "x").unwrap();
        std::fs::write(dir.path().join("ready.txt"), "x").unwrap();
        std::fs::create_dir(dir.path().join("done")).unwrap();
        let later = SystemTime::now() + Duration::from_secs(5);
        assert_eq!(names_in(dir.path(), Some(later)).unwrap(), ["ready.txt"]);
        assert!(
            names_in(dir.path(), Some(SystemTime::now() - Duration::from_secs(5)))
                .unwrap()
                .is_empty(),
            "a file changed just now is left alone"
        );
    }

    #[test]
    fn a_name_in_use_gets_a_number() {
        let dir = tempfile::tempdir().unwrap();
        let to = dir.path().join("out");
        std::fs::create_dir(&to).unwrap();
        for _ in 0..2 {
            let from = dir.path().join("a.txt");
            std::fs::write(&from, "x").unwrap();
            move_free(&from, &to, "a.txt").unwrap();
        }
        assert!(to.join("a.txt").is_file() && to.join("a.txt.2").is_file());
    }
}
