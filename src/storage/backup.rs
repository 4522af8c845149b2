//! The backup file: every record of every backed-up tree, in one checksummed stream, so a
//! restore can tell a complete copy from a truncated or damaged one before touching anything.
//!
//! Layout of `DIR/newsroom-backup`:
//! - header: `NEWSROOM-BACKUP` and a newline, then a format version byte (1)
//! - records: tag 1 | tree name length u16 BE | name | key length u32 BE | key
//!   | value length u32 BE | value
//! - trailer: tag 0 | record count u64 BE | SHA-256 of every byte before the digest
//!
//! It is written to `newsroom-backup.partial`, synced, then linked to its final name, so a
//! backup that was interrupted never looks finished. The file holds password hashes and the
//! session cookie key: it is created afresh (`O_EXCL`, which also never follows a symbolic link
//! planted at that name) and readable by its owner only.

use super::StoreError;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "newsroom-backup";
const MAGIC: &[u8] = b"NEWSROOM-BACKUP\n";
const VERSION: u8 = 1;
const RECORD: u8 = 1;
const END: u8 = 0;
/// A record larger than this is damage, not data (a photo original is capped far below).
const MAX_FIELD: u32 = 256 << 20;

/// What a backup holds: records per tree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub trees: BTreeMap<String, u64>,
}

impl Summary {
    pub fn records(&self) -> u64 {
        self.trees.values().sum()
    }

    /// Records in one tree (0 when it has none).
    pub fn of(&self, tree: &str) -> u64 {
        self.trees.get(tree).copied().unwrap_or(0)
    }
}

fn damaged(path: &Path, why: &str) -> StoreError {
    StoreError::DamagedBackup {
        path: path.to_owned(),
        why: why.to_owned(),
    }
}

/// Where the backup in `dir` lives.
pub fn file_in(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

pub struct Writer {
    out: BufWriter<File>,
    hasher: Sha256,
    summary: Summary,
    partial: PathBuf,
    done: PathBuf,
}

impl Writer {
    /// Starts a backup in `dir` (created if needed); refuses to replace an existing one.
    pub fn create(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(StoreError::io("create", dir))?;
        let done = file_in(dir);
        if done.exists() {
            return Err(StoreError::BackupExists(dir.to_owned()));
        }
        let partial = dir.join(format!("{FILE_NAME}.partial"));
        let file = create_private(&partial)?;
        let mut writer = Writer {
            out: BufWriter::with_capacity(1 << 20, file),
            hasher: Sha256::new(),
            summary: Summary::default(),
            partial,
            done,
        };
        writer.put(MAGIC)?;
        writer.put(&[VERSION])?;
        Ok(writer)
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), StoreError> {
        self.hasher.update(bytes);
        self.out
            .write_all(bytes)
            .map_err(StoreError::io("write", &self.partial))
    }

    pub fn record(&mut self, tree: &str, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        let too_big = || StoreError::Invalid("a record is too large for a backup");
        let name_len = u16::try_from(tree.len()).map_err(|_| too_big())?;
        let key_len = u32::try_from(key.len()).map_err(|_| too_big())?;
        let value_len = u32::try_from(value.len()).map_err(|_| too_big())?;
        self.put(&[RECORD])?;
        self.put(&name_len.to_be_bytes())?;
        self.put(tree.as_bytes())?;
        self.put(&key_len.to_be_bytes())?;
        self.put(key)?;
        self.put(&value_len.to_be_bytes())?;
        self.put(value)?;
        *self.summary.trees.entry(tree.to_owned()).or_default() += 1;
        Ok(())
    }

    /// Writes the trailer, syncs and gives the file its final name.
    pub fn finish(mut self) -> Result<Summary, StoreError> {
        self.put(&[END])?;
        self.put(&self.summary.records().to_be_bytes())?;
        let digest = self.hasher.clone().finalize();
        self.out
            .write_all(&digest)
            .map_err(StoreError::io("write", &self.partial))?;
        let file = self
            .out
            .into_inner()
            .map_err(|e| StoreError::io("write", &self.partial)(e.into_error()))?;
        file.sync_all()
            .map_err(StoreError::io("sync", &self.partial))?;
        // A link, unlike a rename, never replaces a backup that appeared meanwhile.
        std::fs::hard_link(&self.partial, &self.done)
            .map_err(StoreError::io("name", &self.done))?;
        std::fs::remove_file(&self.partial).map_err(StoreError::io("remove", &self.partial))?;
        Ok(self.summary)
    }
}

/// A new file only its owner can read, refused when anything (a file, a symbolic link) is at
/// `path` already.
fn create_private(path: &Path) -> Result<File, StoreError> {
    let mut options = File::options();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            StoreError::PartialBackupExists(path.to_owned())
        } else {
            StoreError::io("create", path)(e)
        }
    })
}

/// Reads the backup in `dir`, handing each record to `each`, then checks the trailer. Run it
/// once with a no-op to verify a backup before restoring anything from it.
pub fn read(
    dir: &Path,
    mut each: impl FnMut(&str, &[u8], &[u8]) -> Result<(), StoreError>,
) -> Result<Summary, StoreError> {
    let path = file_in(dir);
    let file = File::open(&path).map_err(StoreError::io("open", &path))?;
    let mut input = HashingReader {
        inner: BufReader::with_capacity(1 << 20, file),
        hasher: Sha256::new(),
    };
    let mut magic = [0u8; MAGIC.len()];
    input
        .exact(&mut magic)
        .map_err(|_| damaged(&path, "no header"))?;
    if magic != MAGIC {
        return Err(damaged(&path, "no header"));
    }
    let version = input.byte().map_err(|_| damaged(&path, "no header"))?;
    if version != VERSION {
        return Err(damaged(&path, "unknown format version"));
    }
    let mut summary = Summary::default();
    let truncated = |_| damaged(&path, "it ends early");
    loop {
        match input.byte().map_err(truncated)? {
            RECORD => {
                let name_len = u16::from_be_bytes(input.array().map_err(truncated)?);
                let name = input
                    .field(u32::from(name_len))
                    .map_err(truncated)?
                    .ok_or_else(|| damaged(&path, "a record is too large"))?;
                let name = String::from_utf8(name)
                    .map_err(|_| damaged(&path, "a tree name is not text"))?;
                let key_len = u32::from_be_bytes(input.array().map_err(truncated)?);
                let key = input
                    .field(key_len)
                    .map_err(truncated)?
                    .ok_or_else(|| damaged(&path, "a record is too large"))?;
                let value_len = u32::from_be_bytes(input.array().map_err(truncated)?);
                let value = input
                    .field(value_len)
                    .map_err(truncated)?
                    .ok_or_else(|| damaged(&path, "a record is too large"))?;
                each(&name, &key, &value)?;
                *summary.trees.entry(name).or_default() += 1;
            }
            END => break,
            _ => return Err(damaged(&path, "an unknown record tag")),
        }
    }
    let count = u64::from_be_bytes(input.array().map_err(truncated)?);
    let expected = input.hasher.clone().finalize();
    let mut digest = [0u8; 32];
    input
        .inner
        .read_exact(&mut digest)
        .map_err(|_| damaged(&path, "it ends early"))?;
    if count != summary.records() || digest[..] != expected[..] {
        return Err(damaged(&path, "its checksum does not match"));
    }
    Ok(summary)
}

struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> HashingReader<R> {
    fn exact(&mut self, buf: &mut [u8]) -> std::io::Result<()> {
        self.inner.read_exact(buf)?;
        self.hasher.update(&*buf);
        Ok(())
    }

    fn byte(&mut self) -> std::io::Result<u8> {
        let mut b = [0u8; 1];
        self.exact(&mut b)?;
        Ok(b[0])
    }

    fn array<const N: usize>(&mut self) -> std::io::Result<[u8; N]> {
        let mut b = [0u8; N];
        self.exact(&mut b)?;
        Ok(b)
    }

    /// A length-prefixed field; `None` when the length is beyond any real record.
    fn field(&mut self, len: u32) -> std::io::Result<Option<Vec<u8>>> {
        if len > MAX_FIELD {
            return Ok(None);
        }
        let mut buf = vec![0u8; len as usize];
        self.exact(&mut buf)?;
        Ok(Some(buf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backup_reads_back_record_for_record() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = Writer::create(dir.path()).unwrap();
        w.record("stories", b"k1", b"v1").unwrap();
        w.record("users", b"k2", &[0u8; 1000]).unwrap();
        let written = w.finish().unwrap();
        let mut seen = Vec::new();
        let read_back = read(dir.path(), |t, k, v| {
            seen.push((t.to_owned(), k.to_vec(), v.len()));
            Ok(())
        })
        .unwrap();
        assert_eq!(written, read_back);
        assert_eq!(
            seen,
            vec![
                ("stories".into(), b"k1".to_vec(), 2),
                ("users".into(), b"k2".to_vec(), 1000)
            ]
        );
    }

    #[test]
    fn a_damaged_or_truncated_backup_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = Writer::create(dir.path()).unwrap();
        w.record("stories", b"key", b"value").unwrap();
        w.finish().unwrap();
        let path = file_in(dir.path());
        let good = std::fs::read(&path).unwrap();

        let mut flipped = good.clone();
        let at = flipped.len() - 40;
        flipped[at] ^= 1;
        std::fs::write(&path, &flipped).unwrap();
        assert!(read(dir.path(), |_, _, _| Ok(())).is_err());

        std::fs::write(&path, &good[..good.len() - 5]).unwrap();
        assert!(read(dir.path(), |_, _, _| Ok(())).is_err());
    }

    #[test]
    fn a_backup_never_replaces_another() {
        let dir = tempfile::tempdir().unwrap();
        Writer::create(dir.path()).unwrap().finish().unwrap();
        assert!(Writer::create(dir.path()).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_backup_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        Writer::create(dir.path()).unwrap().finish().unwrap();
        let mode = std::fs::metadata(file_in(dir.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_planted_at_the_partial_name_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        let partial = dir.path().join(format!("{FILE_NAME}.partial"));
        std::os::unix::fs::symlink(&victim, &partial).unwrap();

        let refused = Writer::create(dir.path());

        assert!(matches!(refused, Err(StoreError::PartialBackupExists(_))));
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    }
}
