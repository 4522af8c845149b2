//! The backup file: the site's data as a stream of records of the domain (stories, revisions,
//! accounts, ...), each in the codec's versioned encoding, with one checksum over the whole, so
//! a restore can tell a complete copy from a truncated or damaged one before touching anything.
//! Nothing in it belongs to one backend (no keys, indexes or counters): any [`Store`] can write
//! one and any can read it back, rebuilding its own indexes and lookups from the records.
//!
//! Layout of `DIR/newsroom-backup`, integers big-endian:
//! - header: `NEWSROOM-BACKUP` and a newline, a format version byte (2), the time of writing
//!   (ns since 1970, i64)
//! - records: tag 1 | kind (u8, see [`Kind`]) | part count (u16) | each part: length (u32) then
//!   its bytes. Most records are one part, the codec's encoding of one value; a photo's parts
//!   are its record, its original and one rendition each, in the order of its renditions (an
//!   empty part stands for bytes that were missing); an autosave's are the account id, the
//!   story id (empty for a story not saved yet) and the copy; a site record's are its kind's
//!   name, its key, its revision (u64) and its bytes (see [`super::records`]).
//! - trailer: tag 0 | record count (u64) | SHA-256 of every byte before the digest
//!
//! Format version 1, the sled backend's own tree dump (tree | key | value records), is still
//! read by [`read_tree_dump`] so that older backups restore.
//!
//! A backup is written to `newsroom-backup.partial`, synced, then linked to its final name, so
//! one that was interrupted never looks finished. The file holds password hashes and the
//! session cookie key: it is created afresh (`O_EXCL`, which also never follows a symbolic
//! link planted at that name) and readable by its owner only.
//!
//! [`Store`]: super::Store

use super::codec::{self, CodecError};
use super::records::{self, RecordKind, SiteRecord};
use super::{PublicVersion, StoreError};
use crate::domain::{AuditEvent, Autosave, Photo, Story, StoryId, User, UserId};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

pub const FILE_NAME: &str = "newsroom-backup";
const MAGIC: &[u8] = b"NEWSROOM-BACKUP\n";
/// The sled tree dump of earlier releases.
const TREE_DUMP: u8 = 1;
const RECORDS: u8 = 2;
const RECORD: u8 = 1;
const END: u8 = 0;
/// A record larger than this is damage, not data (a photo original is capped far below).
const MAX_FIELD: u32 = 256 << 20;
/// More parts than any record has (a photo has a few renditions) is damage.
const MAX_PARTS: u16 = 64;

/// What a backup holds: records of each kind (of each tree, for a tree dump), and when it was
/// written (unknown for a tree dump).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub trees: BTreeMap<String, u64>,
    pub written_at: Option<OffsetDateTime>,
}

impl Summary {
    pub fn records(&self) -> u64 {
        self.trees.values().sum()
    }

    /// Records of one kind ([`Kind::name`]) or tree (0 when it has none).
    pub fn of(&self, kind: &str) -> u64 {
        self.trees.get(kind).copied().unwrap_or(0)
    }

    fn count(&mut self, kind: &str) {
        *self.trees.entry(kind.to_owned()).or_default() += 1;
    }
}

/// The kinds of record a backup holds, with their tags in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A story as it is now.
    Story,
    /// One saved revision of a story (the current one included).
    Revision,
    User,
    Audit,
    /// A library photo with its original and rendition bytes.
    Photo,
    /// A named site secret.
    Secret,
    /// The digest of the one-time setup token, while it waits to be used.
    SetupToken,
    Autosave,
    PublicVersion,
    /// A site record (front page, sections, tags, authors, incoming copy, redirects).
    SiteRecord,
}

impl Kind {
    const ALL: [Kind; 10] = [
        Kind::Story,
        Kind::Revision,
        Kind::User,
        Kind::Audit,
        Kind::Photo,
        Kind::Secret,
        Kind::SetupToken,
        Kind::Autosave,
        Kind::PublicVersion,
        Kind::SiteRecord,
    ];

    fn tag(self) -> u8 {
        match self {
            Kind::Story => 1,
            Kind::Revision => 2,
            Kind::User => 3,
            Kind::Audit => 4,
            Kind::Photo => 5,
            Kind::Secret => 6,
            Kind::SetupToken => 7,
            Kind::Autosave => 8,
            Kind::PublicVersion => 9,
            Kind::SiteRecord => 10,
        }
    }

    fn of_tag(tag: u8) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.tag() == tag)
    }

    /// How [`Summary`] counts it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Story => "stories",
            Kind::Revision => "revisions",
            Kind::User => "users",
            Kind::Audit => "audit",
            Kind::Photo => "photos",
            Kind::Secret => "secrets",
            Kind::SetupToken => "setup token",
            Kind::Autosave => "autosaves",
            Kind::PublicVersion => "public version",
            Kind::SiteRecord => "site records",
        }
    }
}

/// One record of a backup, decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Story(Story),
    Revision(Story),
    User(User),
    Audit(AuditEvent),
    /// `renditions[i]` holds the bytes of `photo.renditions[i]` and `crops[i]` those of
    /// `photo.crops[i]`; `None` for bytes the backed-up database did not have. Backups written
    /// before crops were kept have none of a crop's bytes.
    Photo {
        photo: Photo,
        original: Option<Vec<u8>>,
        renditions: Vec<Option<Vec<u8>>>,
        crops: Vec<Option<Vec<u8>>>,
    },
    Secret {
        name: String,
        value: Vec<u8>,
    },
    SetupToken([u8; 32]),
    Autosave {
        user: UserId,
        story: Option<StoryId>,
        copy: Autosave,
    },
    PublicVersion(PublicVersion),
    SiteRecord {
        kind: RecordKind,
        record: SiteRecord,
    },
}

/// The digest of the setup token, as a secret's name in the codec's encoding.
const SETUP_TOKEN_NAME: &str = "setup-token";

impl Record {
    pub fn kind(&self) -> Kind {
        match self {
            Record::Story(_) => Kind::Story,
            Record::Revision(_) => Kind::Revision,
            Record::User(_) => Kind::User,
            Record::Audit(_) => Kind::Audit,
            Record::Photo { .. } => Kind::Photo,
            Record::Secret { .. } => Kind::Secret,
            Record::SetupToken(_) => Kind::SetupToken,
            Record::Autosave { .. } => Kind::Autosave,
            Record::PublicVersion(_) => Kind::PublicVersion,
            Record::SiteRecord { .. } => Kind::SiteRecord,
        }
    }

    fn encode(&self) -> Result<Vec<Vec<u8>>, CodecError> {
        let blob = |b: &Option<Vec<u8>>| b.clone().unwrap_or_default();
        Ok(match self {
            Record::Story(story) | Record::Revision(story) => vec![codec::encode_story(story)?],
            Record::User(user) => vec![codec::encode_user(user)?],
            Record::Audit(event) => vec![codec::encode_audit(event)?],
            Record::Photo {
                photo,
                original,
                renditions,
                crops,
            } => {
                let mut parts = vec![codec::encode_photo(photo)?, blob(original)];
                parts.extend(renditions.iter().map(blob));
                parts.extend(crops.iter().map(blob));
                parts
            }
            Record::Secret { name, value } => vec![codec::encode_secret(name, value)?],
            Record::SetupToken(digest) => vec![codec::encode_secret(SETUP_TOKEN_NAME, digest)?],
            Record::Autosave { user, story, copy } => vec![
                user.to_bytes().to_vec(),
                story.map(|s| s.to_bytes().to_vec()).unwrap_or_default(),
                codec::encode_autosave(copy)?,
            ],
            Record::PublicVersion(version) => vec![codec::encode_public_version(version)?],
            Record::SiteRecord { kind, record } => vec![
                kind.name().as_bytes().to_vec(),
                record.key.as_bytes().to_vec(),
                record.revision.to_be_bytes().to_vec(),
                record.bytes.clone(),
            ],
        })
    }

    fn decode(kind: Kind, mut parts: Vec<Vec<u8>>) -> Result<Record, Refusal> {
        let one = |parts: &[Vec<u8>]| match parts {
            [only] => Ok(only.clone()),
            _ => Err(Refusal::Wrong("the wrong number of parts")),
        };
        Ok(match kind {
            Kind::Story => Record::Story(codec::decode_story(&one(&parts)?)?),
            Kind::Revision => Record::Revision(codec::decode_story(&one(&parts)?)?),
            Kind::User => Record::User(codec::decode_user(&one(&parts)?)?),
            Kind::Audit => Record::Audit(codec::decode_audit(&one(&parts)?)?),
            Kind::Photo => {
                if parts.len() < 2 {
                    return Err(Refusal::Wrong("a photo without its original"));
                }
                let photo = codec::decode_photo(&parts[0])?;
                let renditions_end = 2 + photo.renditions.len();
                // A backup written before crops were kept carries none of their bytes.
                if parts.len() != renditions_end
                    && parts.len() != renditions_end + photo.crops.len()
                {
                    return Err(Refusal::Wrong(
                        "a photo's renditions and crops do not match its record",
                    ));
                }
                let blob = |b: Vec<u8>| Some(b).filter(|b| !b.is_empty());
                let mut crops: Vec<_> = parts
                    .split_off(renditions_end)
                    .into_iter()
                    .map(blob)
                    .collect();
                crops.resize(photo.crops.len(), None);
                let renditions = parts.split_off(2).into_iter().map(blob).collect();
                let original = blob(parts.swap_remove(1));
                Record::Photo {
                    photo,
                    original,
                    renditions,
                    crops,
                }
            }
            Kind::Secret | Kind::SetupToken => {
                let (name, value) = codec::decode_secret(&one(&parts)?)?;
                match (kind, name == SETUP_TOKEN_NAME) {
                    (Kind::SetupToken, true) => Record::SetupToken(
                        value
                            .try_into()
                            .map_err(|_| Refusal::Wrong("a setup token of the wrong length"))?,
                    ),
                    (Kind::Secret, false) => Record::Secret { name, value },
                    _ => return Err(Refusal::Wrong("a secret under the setup token's name")),
                }
            }
            Kind::Autosave => {
                let [user, story, copy] = <[Vec<u8>; 3]>::try_from(parts)
                    .map_err(|_| Refusal::Wrong("the wrong number of parts"))?;
                let id = |b: Vec<u8>| {
                    <[u8; 16]>::try_from(b).map_err(|_| Refusal::Wrong("an id of the wrong length"))
                };
                Record::Autosave {
                    user: UserId::from_bytes(id(user)?),
                    story: if story.is_empty() {
                        None
                    } else {
                        Some(StoryId::from_bytes(id(story)?))
                    },
                    copy: codec::decode_autosave(&copy)?,
                }
            }
            Kind::PublicVersion => {
                Record::PublicVersion(codec::decode_public_version(&one(&parts)?)?)
            }
            Kind::SiteRecord => {
                let [kind, key, revision, bytes] = <[Vec<u8>; 4]>::try_from(parts)
                    .map_err(|_| Refusal::Wrong("the wrong number of parts"))?;
                let kind = std::str::from_utf8(&kind)
                    .ok()
                    .and_then(RecordKind::of_name)
                    .filter(|kind| kind.backed_up())
                    .ok_or(Refusal::Wrong("a site record of an unknown kind"))?;
                let key = String::from_utf8(key)
                    .ok()
                    .filter(|key| records::check_key(key).is_ok())
                    .ok_or(Refusal::Wrong("a site record with a bad key"))?;
                let revision = <[u8; 8]>::try_from(revision)
                    .map(u64::from_be_bytes)
                    .ok()
                    .filter(|r| *r >= 1)
                    .ok_or(Refusal::Wrong("a site record with a bad revision"))?;
                Record::SiteRecord {
                    kind,
                    record: SiteRecord {
                        key,
                        revision,
                        bytes,
                    },
                }
            }
        })
    }
}

/// Why one record is refused.
enum Refusal {
    Undecodable(CodecError),
    Wrong(&'static str),
}

impl From<CodecError> for Refusal {
    fn from(e: CodecError) -> Self {
        Refusal::Undecodable(e)
    }
}

fn damaged(path: &Path, why: &str) -> StoreError {
    StoreError::DamagedBackup {
        path: path.to_owned(),
        why: why.to_owned(),
    }
}

/// Where the backup in `dir` lives.
/// A backed-up photo as a restore stores it, with the bytes of the crops it keeps: a crop
/// whose bytes the backup lacks (one written before crops were kept) is dropped, and the photo
/// stands in with its widest rendition for it until its focal point is saved again, which cuts
/// the crops anew.
pub fn photo_with_stored_crops(
    mut photo: Photo,
    crops: Vec<Option<Vec<u8>>>,
) -> (Photo, Vec<Vec<u8>>) {
    let (kept, bytes): (Vec<_>, Vec<_>) = photo
        .crops
        .iter()
        .cloned()
        .zip(crops)
        .filter_map(|(crop, bytes)| Some((crop, bytes?)))
        .unzip();
    photo.crops = kept;
    (photo, bytes)
}

pub fn file_in(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

/// Writes a backup, record by record; [`Writer::finish`] makes it complete.
pub struct Writer {
    file: FileWriter,
    summary: Summary,
}

impl Writer {
    /// Starts a backup in `dir` (created if needed), stamped `written_at`; refuses to replace
    /// an existing one.
    pub fn create(dir: &Path, written_at: OffsetDateTime) -> Result<Self, StoreError> {
        let mut file = FileWriter::create(dir, RECORDS)?;
        let nanos = i64::try_from(written_at.unix_timestamp_nanos()).unwrap_or(i64::MAX);
        file.put(&nanos.to_be_bytes())?;
        Ok(Writer {
            file,
            summary: Summary {
                trees: BTreeMap::new(),
                written_at: Some(written_at),
            },
        })
    }

    pub fn record(&mut self, record: &Record) -> Result<(), StoreError> {
        let parts = record.encode()?;
        self.parts(record.kind(), &parts)
    }

    fn parts(&mut self, kind: Kind, parts: &[Vec<u8>]) -> Result<(), StoreError> {
        // Every length is checked before a byte of the record is written.
        let too_big = || StoreError::Invalid("a record is too large for a backup");
        let count = u16::try_from(parts.len())
            .ok()
            .filter(|n| *n <= MAX_PARTS)
            .ok_or_else(too_big)?;
        let lengths = parts
            .iter()
            .map(|part| {
                u32::try_from(part.len())
                    .ok()
                    .filter(|n| *n <= MAX_FIELD)
                    .ok_or_else(too_big)
            })
            .collect::<Result<Vec<u32>, _>>()?;
        self.file.put(&[RECORD, kind.tag()])?;
        self.file.put(&count.to_be_bytes())?;
        for (part, len) in parts.iter().zip(lengths) {
            self.file.put(&len.to_be_bytes())?;
            self.file.put(part)?;
        }
        self.summary.count(kind.name());
        Ok(())
    }

    /// Writes the trailer, syncs and gives the file its final name.
    pub fn finish(mut self) -> Result<Summary, StoreError> {
        self.file.finish(self.summary.records())?;
        Ok(self.summary)
    }
}

/// The checksummed file under its temporary name, shared by both formats' writers.
struct FileWriter {
    out: BufWriter<File>,
    hasher: Sha256,
    partial: PathBuf,
    done: PathBuf,
}

impl FileWriter {
    fn create(dir: &Path, version: u8) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(StoreError::io("create", dir))?;
        let done = file_in(dir);
        if done.exists() {
            return Err(StoreError::BackupExists(dir.to_owned()));
        }
        let partial = dir.join(format!("{FILE_NAME}.partial"));
        let file = create_private(&partial)?;
        let mut writer = FileWriter {
            out: BufWriter::with_capacity(1 << 20, file),
            hasher: Sha256::new(),
            partial,
            done,
        };
        writer.put(MAGIC)?;
        writer.put(&[version])?;
        Ok(writer)
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), StoreError> {
        self.hasher.update(bytes);
        self.out
            .write_all(bytes)
            .map_err(StoreError::io("write", &self.partial))
    }

    fn finish(&mut self, records: u64) -> Result<(), StoreError> {
        self.put(&[END])?;
        self.put(&records.to_be_bytes())?;
        let digest = self.hasher.clone().finalize();
        self.out
            .write_all(&digest)
            .map_err(StoreError::io("write", &self.partial))?;
        self.out
            .flush()
            .map_err(StoreError::io("write", &self.partial))?;
        self.out
            .get_ref()
            .sync_all()
            .map_err(StoreError::io("sync", &self.partial))?;
        // A link, unlike a rename, never replaces a backup that appeared meanwhile.
        std::fs::hard_link(&self.partial, &self.done)
            .map_err(StoreError::io("name", &self.done))?;
        std::fs::remove_file(&self.partial).map_err(StoreError::io("remove", &self.partial))?;
        Ok(())
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

/// Which format the backup in `dir` is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The sled backend's tree dump of earlier releases: read with [`read_tree_dump`].
    TreeDump,
    /// Records of the domain: read with [`read`].
    Records,
}

/// The format of the backup in `dir`, from its header alone.
pub fn format_of(dir: &Path) -> Result<Format, StoreError> {
    let (_, _, format) = open(dir)?;
    Ok(format)
}

/// Opens the backup in `dir` and reads its header (not the time of a [`Format::Records`] one).
fn open(dir: &Path) -> Result<(PathBuf, HashingReader<BufReader<File>>, Format), StoreError> {
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
    let format = match input.byte().map_err(|_| damaged(&path, "no header"))? {
        TREE_DUMP => Format::TreeDump,
        RECORDS => Format::Records,
        _ => return Err(damaged(&path, "unknown format version")),
    };
    Ok((path, input, format))
}

/// Reads the backup in `dir`, decoding each record and handing it to `each`, then checks the
/// trailer. Every record is decoded (and re-validated as a domain value) whatever `each` does,
/// so running it once with a no-op checks a backup in full before anything is restored. A
/// record of a kind this release does not know is refused, not skipped: a restore that
/// silently dropped data would look complete.
pub fn read(
    dir: &Path,
    mut each: impl FnMut(Record) -> Result<(), StoreError>,
) -> Result<Summary, StoreError> {
    let (path, mut input, format) = open(dir)?;
    if format != Format::Records {
        return Err(damaged(&path, "a tree dump, not a stream of records"));
    }
    let truncated = |_| damaged(&path, "it ends early");
    let nanos = i64::from_be_bytes(input.array().map_err(truncated)?);
    let written_at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos))
        .map_err(|_| damaged(&path, "no header"))?;
    let mut summary = Summary {
        trees: BTreeMap::new(),
        written_at: Some(written_at),
    };
    loop {
        match input.byte().map_err(truncated)? {
            RECORD => {
                let kind = Kind::of_tag(input.byte().map_err(truncated)?)
                    .ok_or_else(|| damaged(&path, "a record of an unknown kind"))?;
                let count = u16::from_be_bytes(input.array().map_err(truncated)?);
                if count > MAX_PARTS {
                    return Err(damaged(&path, "a record is too large"));
                }
                let mut parts = Vec::with_capacity(usize::from(count));
                for _ in 0..count {
                    let len = u32::from_be_bytes(input.array().map_err(truncated)?);
                    let part = input
                        .field(len)
                        .map_err(truncated)?
                        .ok_or_else(|| damaged(&path, "a record is too large"))?;
                    parts.push(part);
                }
                let record = Record::decode(kind, parts).map_err(|refusal| match refusal {
                    Refusal::Undecodable(source) => StoreError::UnreadableBackupRecord {
                        path: path.clone(),
                        tree: kind.name().to_owned(),
                        source,
                    },
                    Refusal::Wrong(why) => StoreError::DamagedBackup {
                        path: path.clone(),
                        why: format!("a record of {}: {why}", kind.name()),
                    },
                })?;
                each(record)?;
                summary.count(kind.name());
            }
            END => break,
            _ => return Err(damaged(&path, "an unknown record tag")),
        }
    }
    input.trailer(&path, summary.records())?;
    Ok(summary)
}

/// The checks a record needs before any engine takes it, beyond decoding, which [`read`] has
/// done: a story or revision numbered past what a story can reach is refused.
pub fn check_record(record: &Record) -> Result<(), StoreError> {
    match record {
        Record::Story(story) | Record::Revision(story) if story.revision > super::MAX_REVISION => {
            Err(StoreError::RevisionLimit(story.revision))
        }
        _ => Ok(()),
    }
}

/// Reads a backup in the tree-dump format of earlier releases, handing each record (tree,
/// key, value) to `each`, then checks the trailer.
pub fn read_tree_dump(
    dir: &Path,
    mut each: impl FnMut(&str, &[u8], &[u8]) -> Result<(), StoreError>,
) -> Result<Summary, StoreError> {
    let (path, mut input, format) = open(dir)?;
    if format != Format::TreeDump {
        return Err(damaged(&path, "a stream of records, not a tree dump"));
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
                summary.count(&name);
            }
            END => break,
            _ => return Err(damaged(&path, "an unknown record tag")),
        }
    }
    input.trailer(&path, summary.records())?;
    Ok(summary)
}

/// The tree-dump writer of earlier releases, kept to make fixtures of old backups.
#[cfg(test)]
pub(crate) struct TreeDumpWriter {
    file: FileWriter,
    records: u64,
}

#[cfg(test)]
impl TreeDumpWriter {
    pub(crate) fn create(dir: &Path) -> Result<Self, StoreError> {
        Ok(TreeDumpWriter {
            file: FileWriter::create(dir, TREE_DUMP)?,
            records: 0,
        })
    }

    pub(crate) fn record(
        &mut self,
        tree: &str,
        key: &[u8],
        value: &[u8],
    ) -> Result<(), StoreError> {
        let name_len = u16::try_from(tree.len()).map_err(|_| StoreError::Invalid("long name"))?;
        let key_len = u32::try_from(key.len()).map_err(|_| StoreError::Invalid("long key"))?;
        let value_len =
            u32::try_from(value.len()).map_err(|_| StoreError::Invalid("long value"))?;
        self.file.put(&[RECORD])?;
        self.file.put(&name_len.to_be_bytes())?;
        self.file.put(tree.as_bytes())?;
        self.file.put(&key_len.to_be_bytes())?;
        self.file.put(key)?;
        self.file.put(&value_len.to_be_bytes())?;
        self.file.put(value)?;
        self.records += 1;
        Ok(())
    }

    pub(crate) fn finish(mut self) -> Result<(), StoreError> {
        self.file.finish(self.records)
    }
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

    /// The record count and the checksum, and nothing after them.
    fn trailer(&mut self, path: &Path, records: u64) -> Result<(), StoreError> {
        let count = u64::from_be_bytes(self.array().map_err(|_| damaged(path, "it ends early"))?);
        let expected = self.hasher.clone().finalize();
        let mut digest = [0u8; 32];
        self.inner
            .read_exact(&mut digest)
            .map_err(|_| damaged(path, "it ends early"))?;
        if count != records || digest[..] != expected[..] {
            return Err(damaged(path, "its checksum does not match"));
        }
        let mut extra = [0u8; 1];
        if self
            .inner
            .read(&mut extra)
            .map_err(StoreError::io("read", path))?
            != 0
        {
            return Err(damaged(path, "something follows its checksum"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::codec::tests::sample_story;
    use time::macros::datetime;

    const WRITTEN: OffsetDateTime = datetime!(2026-12-01 23:00 UTC);

    fn secret(name: &str) -> Record {
        Record::Secret {
            name: name.into(),
            value: vec![7; 64],
        }
    }

    fn backup_of(records: &[Record]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let mut w = Writer::create(dir.path(), WRITTEN).unwrap();
        for record in records {
            w.record(record).unwrap();
        }
        w.finish().unwrap();
        dir
    }

    fn read_all(dir: &Path) -> Result<Vec<Record>, StoreError> {
        let mut seen = Vec::new();
        read(dir, |r| {
            seen.push(r);
            Ok(())
        })?;
        Ok(seen)
    }

    #[test]
    fn a_backup_reads_back_record_for_record() {
        let records = vec![
            Record::Story(sample_story()),
            secret("session-cookie-key"),
            Record::SetupToken([3; 32]),
            Record::PublicVersion(PublicVersion {
                generation: 4,
                changed_at: Some(WRITTEN),
            }),
        ];
        let dir = backup_of(&records);

        let summary = read(dir.path(), |_| Ok(())).unwrap();

        assert_eq!(read_all(dir.path()).unwrap(), records);
        assert_eq!(summary.of("stories"), 1);
        assert_eq!(summary.records(), 4);
        assert_eq!(summary.written_at, Some(WRITTEN));
        assert_eq!(format_of(dir.path()).unwrap(), Format::Records);
    }

    fn photo_with_a_crop() -> Photo {
        Photo {
            id: crate::domain::PhotoId::from_bytes([1; 16]),
            content_type: "image/png".into(),
            width: 40,
            height: 30,
            uploaded_by: None,
            uploaded_at: datetime!(2026-11-30 10:00 UTC),
            hash: Some([9; 32]),
            renditions: vec![
                crate::domain::Rendition {
                    width: 20,
                    height: 15,
                },
                crate::domain::Rendition {
                    width: 40,
                    height: 30,
                },
            ],
            caption: "A caption".into(),
            credit: String::new(),
            alt: String::new(),
            focal: crate::domain::FocalPoint::CENTRE,
            crops: vec![crate::domain::Crop {
                aspect: crate::domain::Aspect::Square,
                width: 30,
                height: 30,
            }],
        }
    }

    #[test]
    fn a_photo_keeps_its_bytes_and_a_missing_rendition_stays_missing() {
        let record = Record::Photo {
            photo: photo_with_a_crop(),
            original: Some(b"png bytes".to_vec()),
            renditions: vec![Some(b"small".to_vec()), None],
            crops: vec![Some(b"square".to_vec())],
        };
        let dir = backup_of(std::slice::from_ref(&record));

        assert_eq!(read_all(dir.path()).unwrap(), [record]);
    }

    #[test]
    fn a_photo_from_a_backup_without_crops_reads_with_their_bytes_missing() {
        let written = Record::Photo {
            photo: photo_with_a_crop(),
            original: Some(b"png bytes".to_vec()),
            renditions: vec![Some(b"small".to_vec()), Some(b"large".to_vec())],
            crops: Vec::new(),
        };
        let dir = backup_of(std::slice::from_ref(&written));

        let Record::Photo { crops, .. } = &read_all(dir.path()).unwrap()[0] else {
            panic!("a photo");
        };
        assert_eq!(crops, &[None]);
    }

    #[test]
    fn a_damaged_or_truncated_backup_is_refused() {
        let dir = backup_of(&[Record::Story(sample_story())]);
        let path = file_in(dir.path());
        let good = std::fs::read(&path).unwrap();

        let mut flipped = good.clone();
        let at = flipped.len() - 60;
        flipped[at] ^= 1;
        std::fs::write(&path, &flipped).unwrap();
        assert!(read(dir.path(), |_| Ok(())).is_err());

        for cut in [5, 41, good.len() / 2] {
            std::fs::write(&path, &good[..good.len() - cut]).unwrap();
            assert!(matches!(
                read(dir.path(), |_| Ok(())),
                Err(StoreError::DamagedBackup { .. })
            ));
        }

        std::fs::write(&path, [&good[..], b"more"].concat()).unwrap();
        assert!(read(dir.path(), |_| Ok(())).is_err());
    }

    /// A backup holding one record of kind tag `tag`, with a correct checksum.
    fn backup_with_kind(tag: u8) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let mut file = FileWriter::create(dir.path(), RECORDS).unwrap();
        file.put(&0i64.to_be_bytes()).unwrap();
        file.put(&[RECORD, tag, 0, 1, 0, 0, 0, 1, 1]).unwrap();
        file.finish(1).unwrap();
        dir
    }

    #[test]
    fn a_record_of_an_unknown_kind_is_refused_even_with_a_good_checksum() {
        let dir = backup_with_kind(200);

        let refused = read(dir.path(), |_| Ok(()));

        assert!(
            matches!(refused, Err(StoreError::DamagedBackup { ref why, .. }) if why.contains("unknown kind"))
        );
    }

    #[test]
    fn a_record_that_does_not_decode_as_its_kind_is_refused() {
        let dir = backup_with_kind(Kind::Story.tag());

        let refused = read(dir.path(), |_| Ok(()));

        assert!(matches!(
            refused,
            Err(StoreError::UnreadableBackupRecord { ref tree, .. }) if tree == "stories"
        ));
    }

    #[test]
    fn a_tree_dump_of_earlier_releases_still_reads() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = TreeDumpWriter::create(dir.path()).unwrap();
        w.record("stories", b"k1", b"v1").unwrap();
        w.record("users", b"k2", &[0u8; 1000]).unwrap();
        w.finish().unwrap();
        let mut seen = Vec::new();

        let summary = read_tree_dump(dir.path(), |t, k, v| {
            seen.push((t.to_owned(), k.to_vec(), v.len()));
            Ok(())
        })
        .unwrap();

        assert_eq!(format_of(dir.path()).unwrap(), Format::TreeDump);
        assert_eq!(summary.records(), 2);
        assert_eq!(
            seen,
            vec![
                ("stories".into(), b"k1".to_vec(), 2),
                ("users".into(), b"k2".to_vec(), 1000)
            ]
        );
        assert!(read(dir.path(), |_| Ok(())).is_err());
    }

    #[test]
    fn a_backup_never_replaces_another() {
        let dir = tempfile::tempdir().unwrap();
        Writer::create(dir.path(), WRITTEN)
            .unwrap()
            .finish()
            .unwrap();
        assert!(Writer::create(dir.path(), WRITTEN).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_backup_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = backup_of(&[]);
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

        let refused = Writer::create(dir.path(), WRITTEN);

        assert!(matches!(refused, Err(StoreError::PartialBackupExists(_))));
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    }
}
