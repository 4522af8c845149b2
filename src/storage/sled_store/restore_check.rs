//! What a restore checks of every record of a tree dump (the backup format of earlier
//! releases, still restored) before it writes anything: each record decodes as its tree's kind,
//! its key agrees with it, and counters are within what the backup itself holds. A backup whose
//! checksum was recomputed over damaged records is refused here, with the old data untouched.
//! Backups in the stream of records are checked as [`backup::read`] decodes them.
//!
//! [`backup::read`]: crate::storage::backup::read

use super::{
    AUDIT_KEY_LEN, PHOTO_USES_BUILT, PUBLIC_VERSION, REVIEW_INDEX_BUILT, SESSIONS, SETUP_TOKEN,
    decode_public_version, prefix_scheduled,
};
use crate::storage::codec::{
    self, CodecError, decode_audit, decode_autosave, decode_photo, decode_story, decode_summary,
    decode_user,
};
use crate::storage::{MAX_REVISION, StoreError};
use std::path::Path;

/// No site makes this many public changes (one a microsecond for eight years); a larger
/// generation is damage, and trusting it would bring the counter near wrapping.
const MAX_GENERATION: u64 = 1 << 48;
/// A stored secret longer than this is not one Newsroom wrote.
const MAX_SECRET: usize = 1024;
const COUNTER_LEVELS: u8 = 8;

/// Tallies kept across the records, for the checks that need all of them.
#[derive(Default)]
pub(super) struct RestoreCheck {
    stories: u64,
    largest_counter: u64,
}

/// Why one record is refused.
enum Refusal {
    Undecodable(CodecError),
    Wrong(String),
}

impl From<CodecError> for Refusal {
    fn from(e: CodecError) -> Self {
        Refusal::Undecodable(e)
    }
}

fn wrong(why: impl Into<String>) -> Refusal {
    Refusal::Wrong(why.into())
}

impl RestoreCheck {
    /// Checks one record of the backup at `path`.
    pub(super) fn record(
        &mut self,
        path: &Path,
        tree: &str,
        key: &[u8],
        value: &[u8],
    ) -> Result<(), StoreError> {
        self.check(tree, key, value)
            .map_err(|refusal| match refusal {
                Refusal::Undecodable(source) => StoreError::UnreadableBackupRecord {
                    path: path.to_owned(),
                    tree: tree.to_owned(),
                    source,
                },
                Refusal::Wrong(why) => StoreError::DamagedBackup {
                    path: path.to_owned(),
                    why: format!("a record of {tree:?}: {why}"),
                },
            })
    }

    /// The checks that need every record: run once the whole backup has been read.
    pub(super) fn finish(self, path: &Path) -> Result<(), StoreError> {
        if self.largest_counter > self.stories {
            return Err(StoreError::DamagedBackup {
                path: path.to_owned(),
                why: format!(
                    "an index counts {} stories but the backup holds {}",
                    self.largest_counter, self.stories
                ),
            });
        }
        Ok(())
    }

    fn check(&mut self, tree: &str, key: &[u8], value: &[u8]) -> Result<(), Refusal> {
        match tree {
            "stories" => {
                let story = decode_story(value)?;
                same_id(key, &story.id.to_bytes())?;
                within_revisions(story.revision)?;
                self.stories += 1;
            }
            "revisions" => {
                let story = decode_story(value)?;
                let (id, revision) = split_key::<16, 8>(key)?;
                same_id(&id, &story.id.to_bytes())?;
                if u64::from_be_bytes(revision) != story.revision {
                    return Err(wrong("its key names another revision"));
                }
                within_revisions(story.revision)?;
            }
            "slugs" | "usernames" => {
                std::str::from_utf8(key).map_err(|_| wrong("its key is not text"))?;
                id(value)?;
            }
            "users" => {
                let user = decode_user(value)?;
                same_id(key, &user.id.to_bytes())?;
            }
            "indexes" => self.index(key, value)?,
            "photo_uses" => {
                split_key::<16, 16>(key)?;
                // Empty in the releases before photo uses said how; rebuilt on open anyway.
                if !value.is_empty() {
                    codec::decode_photo_use(value)?;
                }
            }
            "photos" => {
                let photo = decode_photo(value)?;
                same_id(key, &photo.id.to_bytes())?;
            }
            // The bytes of images: anything is a valid blob.
            "photo_blobs" => {}
            "photo_hashes" => {
                split_key::<32, 0>(key)?;
                id(value)?;
            }
            "audit" => {
                if key.len() != AUDIT_KEY_LEN {
                    return Err(wrong("a key of the wrong length"));
                }
                decode_audit(value)?;
            }
            "autosaves" => {
                split_key::<16, 16>(key)?;
                decode_autosave(value)?;
            }
            "meta" => meta(key, value)?,
            // Backups leave sessions out; a stray one is ignored by the restore, not refused.
            SESSIONS => {}
            _ => return Err(wrong("no backup holds such a tree")),
        }
        Ok(())
    }

    /// An index entry (its value a summary, or a story id in the schedule) or a counter.
    fn index(&mut self, key: &[u8], value: &[u8]) -> Result<(), Refusal> {
        let end = key
            .iter()
            .position(|b| *b == 0)
            .ok_or_else(|| wrong("an index key without its prefix"))?;
        let (prefix, rest) = key.split_at(end + 1);
        match rest.split_first() {
            Some((0, entry)) if entry.len() == 20 => {
                if prefix == prefix_scheduled() {
                    id(value)?;
                } else if prefix == super::notes::prefix_notes() {
                    super::notes::decode_value(value)
                        .map_err(|_| wrong("a corrections entry of the wrong length"))?;
                } else {
                    decode_summary(value)?;
                }
            }
            Some((level, bucket)) if (1..=COUNTER_LEVELS).contains(level) && bucket.len() == 4 => {
                let count = codec::decode_count(value)?;
                self.largest_counter = self.largest_counter.max(count);
            }
            _ => return Err(wrong("an index key of no known kind")),
        }
        Ok(())
    }
}

fn meta(key: &[u8], value: &[u8]) -> Result<(), Refusal> {
    if key == PUBLIC_VERSION {
        if value.len() != 16 {
            return Err(wrong("a public version of the wrong length"));
        }
        if decode_public_version(Some(value)).generation > MAX_GENERATION {
            return Err(wrong("an absurd public version"));
        }
    } else if key == SETUP_TOKEN {
        if value.len() != 32 {
            return Err(wrong("a setup token of the wrong length"));
        }
    } else if key == REVIEW_INDEX_BUILT || key == PHOTO_USES_BUILT {
        // A marker: nothing to check.
    } else if key.starts_with(b"secret:") {
        if value.is_empty() || value.len() > MAX_SECRET {
            return Err(wrong("a secret of an impossible length"));
        }
    } else {
        return Err(wrong("an unknown setting"));
    }
    Ok(())
}

fn id(bytes: &[u8]) -> Result<[u8; 16], Refusal> {
    bytes
        .try_into()
        .map_err(|_| wrong("an id of the wrong length"))
}

fn same_id(key: &[u8], id: &[u8; 16]) -> Result<(), Refusal> {
    if key != id {
        return Err(wrong("its key names another record"));
    }
    Ok(())
}

fn within_revisions(revision: u64) -> Result<(), Refusal> {
    if revision > MAX_REVISION {
        return Err(wrong(format!("revision {revision} is beyond the last")));
    }
    Ok(())
}

/// A key of exactly `A` then `B` bytes.
fn split_key<const A: usize, const B: usize>(key: &[u8]) -> Result<([u8; A], [u8; B]), Refusal> {
    if key.len() != A + B {
        return Err(wrong("a key of the wrong length"));
    }
    let (a, b) = key.split_at(A);
    Ok((
        a.try_into()
            .map_err(|_| wrong("a key of the wrong length"))?,
        b.try_into()
            .map_err(|_| wrong("a key of the wrong length"))?,
    ))
}
