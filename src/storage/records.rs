//! Site records: the small things a site keeps beside its stories, photos and accounts (the
//! front page's arrangement, sections, tags, author profiles, incoming copy, redirects, who has
//! a story open). Each is bytes in the codec's encoding under a kind and a key, with a revision
//! that grows by one with every write, so that two editors changing one record at once meet a
//! conflict instead of overwriting each other. Both engines keep them the same way (sled in one
//! tree, PostgreSQL in one table), backups carry them (presence excepted), and a write readers
//! can see moves the public version, so every server's cached pages follow it.
//!
//! Reads are on [`RecordStore`]; writes happen in a [`Transaction`](super::Transaction), so a
//! record changes together with the stories and audit events it goes with.

use super::StoreError;

/// What a site record is. The key's meaning belongs to each kind (see the modules that keep
/// them); records of one kind list in key order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordKind {
    /// The front page's arrangement: its lead, top slots and breaking-news banner.
    FrontPage,
    /// A section of the site, by its key.
    Section,
    /// A tag, by its key.
    Tag,
    /// An author's profile.
    Author,
    /// A piece of agency copy waiting on the desk.
    Incoming,
    /// An old address that answers with a permanent redirect to the new one.
    Redirect,
    /// Who has a story open on the desk right now: not backed up, it is over in minutes.
    Presence,
}

impl RecordKind {
    pub const ALL: [RecordKind; 7] = [
        RecordKind::FrontPage,
        RecordKind::Section,
        RecordKind::Tag,
        RecordKind::Author,
        RecordKind::Incoming,
        RecordKind::Redirect,
        RecordKind::Presence,
    ];

    /// The kind's stable name, in storage and in backups.
    pub fn name(self) -> &'static str {
        match self {
            RecordKind::FrontPage => "front-page",
            RecordKind::Section => "section",
            RecordKind::Tag => "tag",
            RecordKind::Author => "author",
            RecordKind::Incoming => "incoming",
            RecordKind::Redirect => "redirect",
            RecordKind::Presence => "presence",
        }
    }

    pub fn of_name(name: &str) -> Option<RecordKind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether backups carry records of this kind.
    pub fn backed_up(self) -> bool {
        self != RecordKind::Presence
    }
}

/// A stored site record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRecord {
    pub key: String,
    /// 1 for a record written once; grows by one with every write.
    pub revision: u64,
    /// The codec's encoding of the record's value.
    pub bytes: Vec<u8>,
}

/// What a write expects to find, so two writers of one record cannot both win.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// No record under the key: the write creates it.
    Absent,
    /// The record at this revision: the writer read it and changes what it read.
    Revision(u64),
    /// Whatever is there, if anything: for records whose last writer rightly wins (presence).
    Any,
}

impl Expect {
    /// Whether a record at `current` (`None`: absent) is what was expected.
    pub fn holds(self, current: Option<u64>) -> bool {
        match self {
            Expect::Absent => current.is_none(),
            Expect::Revision(r) => current == Some(r),
            Expect::Any => true,
        }
    }
}

/// The longest key a record may have, in bytes.
pub const MAX_KEY: usize = 200;

/// Checks a key: non-empty, at most [`MAX_KEY`] bytes, without control characters (sled keys
/// join kind and key with a NUL byte).
pub fn check_key(key: &str) -> Result<(), StoreError> {
    if key.is_empty() || key.len() > MAX_KEY || key.chars().any(char::is_control) {
        return Err(StoreError::Invalid(
            "a site record's key must be 1 to 200 bytes without control characters",
        ));
    }
    Ok(())
}

/// Reads of site records; writes are in a [`Transaction`](super::Transaction).
pub trait RecordStore {
    fn site_record(&self, kind: RecordKind, key: &str) -> Result<Option<SiteRecord>, StoreError>;

    /// Up to `limit` records of `kind` whose keys start with `prefix`, in key order (bytewise),
    /// from the first key after `after` when given.
    fn site_records(
        &self,
        kind: RecordKind,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<SiteRecord>, StoreError>;
}
