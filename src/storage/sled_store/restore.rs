//! Restore and the data directory's lock: a new database written beside the old one and
//! swapped in by renames, so a restore stopped at any point leaves the old data or the new.

use super::*;
use crate::clock::Clock;

impl SledStore {
    /// Replaces the database in `dir` with the backup in `backup_dir` (sessions are not kept:
    /// everyone signs in again), all or nothing. The backup is checked, then written into a new
    /// database beside the old one, which is swapped in by renaming directories only once the
    /// new one is complete and on disk. A restore stopped at any point leaves either the old
    /// data or the new, never a mixture; [`SledStore::open`] finishes or clears what it left.
    /// Refused while another process (a running server) holds the directory.
    pub fn restore(
        dir: &Path,
        backup_dir: &Path,
        cache_bytes: u64,
        replace: Replace,
    ) -> Result<backup::Summary, StoreError> {
        std::fs::create_dir_all(dir).map_err(StoreError::io("create", dir))?;
        let _lock = lock_dir(dir)?;
        finish_restore(dir)?;
        let live = dir.join(DB);
        if replace == Replace::OnlyEmpty
            && live.exists()
            && holds_data(&open_db(&live, cache_bytes)?)?
        {
            return Err(StoreError::NotEmpty(dir.to_owned()));
        }
        // Every record is checked before anything is written: a damaged backup changes nothing.
        let backup_file = backup::file_in(backup_dir);
        let format = backup::format_of(backup_dir)?;
        match format {
            backup::Format::Records => {
                backup::read(backup_dir, |record| backup::check_record(&record))?;
            }
            backup::Format::TreeDump => {
                let mut check = RestoreCheck::default();
                backup::read_tree_dump(backup_dir, |tree, key, value| {
                    check.record(&backup_file, tree, key, value)
                })?;
                check.finish(&backup_file)?;
            }
        }

        let staging = dir.join(DB_RESTORING);
        let written = match format {
            backup::Format::Records => write_records(&staging, backup_dir, cache_bytes),
            backup::Format::TreeDump => write_tree_dump(&staging, backup_dir, cache_bytes),
        };
        let summary = match written {
            Ok(summary) => summary,
            Err(e) => {
                // What the records contradict (two stories with one slug) shows only as they
                // are written: the old data is still in place, and the half-written copy goes.
                remove_dir(&staging)?;
                return Err(e);
            }
        };

        // Every file and directory of the new database on disk before anything points to it.
        sync_all(&staging)
            .and_then(|()| sync_dir(dir))
            .map_err(StoreError::io("write to disk", &staging))?;
        // Moving the old database aside (or marking that there was none) commits the restore.
        let replaced = dir.join(DB_REPLACED);
        let moved = if live.exists() {
            std::fs::rename(&live, &replaced)
        } else {
            std::fs::create_dir(&replaced)
        };
        moved.map_err(StoreError::io("move aside", &live))?;
        finish_restore(dir)?;
        Ok(summary)
    }
}

/// Writes a backup of records into a new database at `staging` through the store's own
/// write paths, which rebuild every index and lookup.
fn write_records(
    staging: &Path,
    backup_dir: &Path,
    cache_bytes: u64,
) -> Result<backup::Summary, StoreError> {
    let store = SledStore::on(open_db(staging, cache_bytes)?, None, Clock::system())?;
    let backup_file = backup::file_in(backup_dir);
    let mut restorer = Restorer::new(&store, &backup_file);
    let summary = backup::read(backup_dir, |record| restorer.record(record))?;
    restorer.finish()?;
    Ok(summary)
}

/// Copies a tree dump of earlier releases into a new database at `staging`, tree for tree.
fn write_tree_dump(
    staging: &Path,
    backup_dir: &Path,
    cache_bytes: u64,
) -> Result<backup::Summary, StoreError> {
    let db = open_db(staging, cache_bytes)?;
    let mut trees: HashMap<String, Tree> = HashMap::new();
    let summary = backup::read_tree_dump(backup_dir, |name, key, value| {
        if name == SESSIONS {
            return Ok(());
        }
        let tree = match trees.get(name) {
            Some(tree) => tree,
            None => {
                let tree = db.open_tree(name)?;
                trees.entry(name.to_owned()).or_insert(tree)
            }
        };
        tree.insert(key, value)?;
        Ok(())
    })?;
    db.flush()?;
    Ok(summary)
}

/// The database's directory inside the data directory, and the two a restore uses beside it.
pub(super) const DB: &str = "db";
pub(super) const DB_RESTORING: &str = "db.restoring";
pub(super) const DB_REPLACED: &str = "db.replaced";

/// What a restore may replace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// Only an empty (or missing) database.
    OnlyEmpty,
    /// Whatever the data directory holds.
    Anything,
}

/// Opens the sled database at `path`. sled lets go of its file lock from a background thread a
/// moment after the last handle of a database is dropped, so opening one that this process has
/// just closed (as a restore does with the copy it wrote) can find the lock still held: that is
/// retried for up to a second. Other processes are kept out by the data directory's own lock,
/// taken before this.
pub(super) fn open_db(path: &Path, cache_bytes: u64) -> Result<Db, StoreError> {
    const PAUSE: std::time::Duration = std::time::Duration::from_millis(10);
    let config = sled::Config::new().path(path).cache_capacity(cache_bytes);
    let mut tries = 0;
    loop {
        match config.open() {
            Err(sled::Error::Io(e)) if tries < 100 && lock_still_held(&e) => {
                tries += 1;
                std::thread::sleep(PAUSE);
            }
            opened => return Ok(opened?),
        }
    }
}

/// sled's refusal of a file lock, which it reports as an error of kind `Other` naming it.
fn lock_still_held(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::WouldBlock || e.to_string().contains("could not acquire lock")
}

/// Whether the database holds anything at all (accounts, stories, photos, audit events). The
/// marker of an index built on open is not data: every database opened has it; nor are failed
/// logins and device keys, which backups leave out.
pub(super) fn holds_data(db: &Db) -> Result<bool, StoreError> {
    let transient = [
        super::login_throttle::LOGIN_FAILURES.as_bytes(),
        super::login_throttle::DEVICE_KEYS.as_bytes(),
    ];
    for name in db.tree_names() {
        if transient.contains(&name.as_ref()) {
            continue;
        }
        let tree = db.open_tree(&name)?;
        for key in tree.iter().keys() {
            let key = key?;
            if key.as_ref() != REVIEW_INDEX_BUILT && key.as_ref() != PHOTO_USES_BUILT {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Brings a data directory back to one database after a restore that stopped part-way (see
/// [`SledStore::restore`]). `db.replaced` exists only once the new database is complete:
/// - with `db.restoring` and no `db`, the new database goes in place, then the old one goes;
/// - with `db` and no `db.restoring`, the new one is in place and the old one goes;
/// - with all three, `db` was made by something else since (an older version of Newsroom
///   started on the directory): nothing is removed, and the directory is refused until
///   someone decides which database to keep.
///
/// Without `db.replaced`, a `db.restoring` is unfinished and goes.
pub(super) fn finish_restore(dir: &Path) -> Result<(), StoreError> {
    let live = dir.join(DB);
    let staging = dir.join(DB_RESTORING);
    let replaced = dir.join(DB_REPLACED);
    if replaced.exists() {
        match (live.exists(), staging.exists()) {
            (true, true) => {
                return Err(StoreError::InterruptedRestore(dir.to_owned()));
            }
            (false, _) => std::fs::rename(&staging, &live)
                .and_then(|()| sync_dir(dir))
                .map_err(StoreError::io(
                    "put in place the restored database",
                    &staging,
                ))?,
            (true, false) => {}
        }
        remove_dir(&replaced)?;
    }
    remove_dir(&staging)
}

pub(super) fn remove_dir(path: &Path) -> Result<(), StoreError> {
    match std::fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StoreError::io("remove", path)(e)),
    }
}

/// Makes renames inside `dir` durable.
pub(super) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Flushes every file under `dir`, and every directory's entries, to disk.
pub(super) fn sync_all(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            sync_all(&entry.path())?;
        } else {
            File::open(entry.path())?.sync_all()?;
        }
    }
    sync_dir(dir)
}

pub(super) fn lock_dir(dir: &Path) -> Result<File, StoreError> {
    let path = dir.join("newsroom.lock");
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(StoreError::io("open", &path))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(StoreError::Locked(PathBuf::from(dir))),
        Err(TryLockError::Error(e)) => Err(StoreError::io("lock", &path)(e)),
    }
}
