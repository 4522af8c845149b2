//! Incoming copy: agency stories wait in the desk's incoming list, out of readers' sight, until
//! an editor takes one (it becomes a draft story) or spikes it (kept, out of the list, and
//! restorable). Copy arrives from the desk's upload, the server's drop folder and
//! `newsroom import-wire --incoming` / `import --incoming`, all through [`take_in`].
//!
//! Versions: copy is known by its identity (see [`crate::domain::incoming`]). A newer version
//! of copy still waiting (or spiked) replaces it where it is; a newer version of copy that is a
//! story already (taken, or published by a plain import) never changes what readers see nor
//! the story's status: its words wait as the story's pending changes (see [`staged_version`]).
//! An older or the same version changes nothing.
//!
//! Storage: site records of kind `incoming`. A piece of copy is kept under
//! `STATE/INVERTED/DIGEST`: STATE is `waiting`, `spiked` or `taken`, so each state lists on its
//! own; INVERTED is `u64::MAX` less the first arrival's nanoseconds since 1970, as 20 digits, so
//! key order is newest first; DIGEST names the identity ([`CopyIdentity::digest`]). The record
//! `identity/DIGEST` holds the key the identity's copy is kept under now. Spiking, restoring
//! and taking move the record to its new state's key in one transaction with the pointer and
//! the audit entry.

use super::{Actor, EditorialError, import};
use crate::domain::{AuditAction, CopyIdentity, CopyState, IncomingCopy, Story, StoryId};
use crate::storage::codec::{
    decode_incoming, decode_incoming_ref, encode_incoming, encode_incoming_ref,
};
use crate::storage::prelude::*;
use crate::storage::{self, Expect, RecordKind, StoreError, Transaction};
use time::OffsetDateTime;

const KIND: RecordKind = RecordKind::Incoming;

/// What became of a piece of copy taken in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TakenIn {
    /// New copy, now waiting in the list.
    New,
    /// A newer version of copy waiting (or spiked): it replaced that copy where it is.
    Updated,
    /// A newer version of a story already stored: staged as its pending changes.
    Staged(StoryId),
    /// The same or an older version of copy already here: nothing changed.
    Unchanged,
}

impl TakenIn {
    /// How the desk and the command line say it.
    pub fn said(&self) -> &'static str {
        match self {
            TakenIn::New => "in the incoming list",
            TakenIn::Updated => "a newer version, replacing the copy waiting",
            TakenIn::Staged(_) => "a newer version of a story already taken: its pending changes",
            TakenIn::Unchanged => "already here; nothing changed",
        }
    }
}

/// A piece of copy as listed, with the key that names it in a take, spike or restore.
#[derive(Debug, Clone)]
pub struct Listed {
    pub key: String,
    pub copy: IncomingCopy,
}

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shelf {
    Waiting,
    Spiked,
}

impl Shelf {
    fn prefix(self) -> &'static str {
        match self {
            Shelf::Waiting => "waiting/",
            Shelf::Spiked => "spiked/",
        }
    }
}

/// Whether `key` can name a piece of copy (as a list's key or a page's cursor): a state, 20
/// digits and 32 hexadecimal digits.
pub fn is_copy_key(key: &str) -> bool {
    let mut parts = key.split('/');
    let (Some(state), Some(time), Some(digest), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    matches!(state, "waiting" | "spiked" | "taken")
        && time.len() == 20
        && time.bytes().all(|b| b.is_ascii_digit())
        && digest.len() == 32
        && digest
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn key_of(state: CopyState, arrived_at: OffsetDateTime, identity: &CopyIdentity) -> String {
    let nanos = u64::try_from(arrived_at.unix_timestamp_nanos()).unwrap_or(0);
    format!(
        "{}/{:020}/{}",
        state.key(),
        u64::MAX - nanos,
        identity.digest()
    )
}

fn pointer_key(identity: &CopyIdentity) -> String {
    format!("identity/{}", identity.digest())
}

/// Up to `limit` pieces of copy on `shelf`, newest first, after the one keyed `after`.
pub fn list(
    store: &dyn Store,
    shelf: Shelf,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<Listed>, StoreError> {
    store
        .site_records(KIND, shelf.prefix(), after, limit)?
        .into_iter()
        .map(|record| {
            Ok(Listed {
                copy: decode_incoming(&record.bytes)?,
                key: record.key,
            })
        })
        .collect()
}

/// The copy kept for `identity` now, with its key and record revision.
fn kept(
    tx: &mut dyn Transaction,
    identity: &CopyIdentity,
) -> Result<Option<(String, u64, IncomingCopy)>, StoreError> {
    let Some(pointer) = tx.site_record(KIND, &pointer_key(identity))? else {
        return Ok(None);
    };
    let key = decode_incoming_ref(&pointer.bytes)?;
    match tx.site_record(KIND, &key)? {
        Some(record) => Ok(Some((
            key,
            record.revision,
            decode_incoming(&record.bytes)?,
        ))),
        None => Ok(None),
    }
}

/// Writes `copy` under the key its state gives, replacing the record at `old` (key and
/// revision) if there is one, and points its identity at it.
fn place(
    tx: &mut dyn Transaction,
    copy: &IncomingCopy,
    old: Option<(&str, u64)>,
) -> Result<String, StoreError> {
    let key = key_of(copy.state, copy.arrived_at, &copy.identity);
    let bytes = encode_incoming(copy)?;
    match old {
        Some((old_key, revision)) if old_key == key => {
            tx.put_site_record(KIND, &key, bytes, Expect::Revision(revision), false)?;
        }
        Some((old_key, revision)) => {
            tx.delete_site_record(KIND, old_key, Expect::Revision(revision), false)?;
            tx.put_site_record(KIND, &key, bytes, Expect::Absent, false)?;
        }
        None => {
            tx.put_site_record(KIND, &key, bytes, Expect::Absent, false)?;
        }
    }
    tx.put_site_record(
        KIND,
        &pointer_key(&copy.identity),
        encode_incoming_ref(&key)?,
        Expect::Any,
        false,
    )?;
    Ok(key)
}

/// A newer version of stored story `stored`, as it is stored: the story keeps its status and
/// what readers see; the version's words wait as its pending changes. So a withdrawn story
/// stays withdrawn and a live one keeps its live text, whichever path the version came by.
pub(super) fn staged_version(stored: &Story, arriving: &Story, now: OffsetDateTime) -> Story {
    let mut staged = stored.clone();
    let mut content = arriving.content.clone();
    // The story keeps its address; the version may not move it.
    content.slug = stored.editable_content().slug.clone();
    staged.stage(content, None, now);
    staged
}

/// Takes one piece of copy in (see the module doc for versions). `actor` brought it: a user
/// uploading, the drop folder or the command line.
pub fn take_in(
    store: &dyn Store,
    actor: &Actor,
    copy: IncomingCopy,
    now: OffsetDateTime,
) -> Result<TakenIn, EditorialError> {
    Ok(storage::transaction(store, |tx| {
        take_in_tx(tx, actor, copy.clone(), now)
    })?)
}

fn take_in_tx(
    tx: &mut dyn Transaction,
    actor: &Actor,
    mut copy: IncomingCopy,
    now: OffsetDateTime,
) -> Result<TakenIn, StoreError> {
    let kept = kept(tx, &copy.identity)?;
    let stored = tx.story(copy.story.id)?;
    // The version held: the copy's, or for a story that came by a plain import, its own.
    let known = match (&kept, &stored) {
        (Some((_, _, held)), _) => Some(held.version),
        (None, Some(story)) => Some(match copy.format {
            crate::domain::CopyFormat::Ninjs => story.revision,
            crate::domain::CopyFormat::Wire => story
                .published_at
                .and_then(|t| u64::try_from(t.unix_timestamp()).ok())
                .unwrap_or(0),
        }),
        (None, None) => None,
    };
    if known.is_some_and(|known| known >= copy.version) {
        return Ok(TakenIn::Unchanged);
    }
    let headline = copy.story.content.headline.to_string();
    let (outcome, detail) = match (kept, stored) {
        (kept, Some(stored)) => {
            let staged = staged_version(&stored, &copy.story, now);
            let saved = super::addresses::save_story(tx, &staged, Some(stored.revision))?;
            super::filing::register_tags(tx, &saved)?;
            let old = kept
                .as_ref()
                .map(|(key, rev, held)| (key.as_str(), *rev, held));
            copy.arrived_at = old.map_or(now, |(_, _, held)| held.arrived_at);
            copy.state = match old.map(|(_, _, held)| held.state) {
                Some(taken @ CopyState::Taken { .. }) => taken,
                _ => CopyState::Taken {
                    at: now,
                    by: None,
                    story: stored.id,
                },
            };
            copy.updated_at = now;
            place(tx, &copy, old.map(|(key, rev, _)| (key, rev)))?;
            (
                TakenIn::Staged(stored.id),
                format!(
                    "{headline} ({}): version {}, staged as the story's pending changes",
                    copy.file_name, copy.version
                ),
            )
        }
        (Some((key, revision, held)), None) => {
            copy.arrived_at = held.arrived_at;
            copy.state = held.state;
            copy.updated_at = now;
            place(tx, &copy, Some((&key, revision)))?;
            (
                TakenIn::Updated,
                format!(
                    "{headline} ({}): version {} replaced the copy {}",
                    copy.file_name,
                    copy.version,
                    held.state.key()
                ),
            )
        }
        (None, None) => {
            place(tx, &copy, None)?;
            (TakenIn::New, format!("{headline} ({})", copy.file_name))
        }
    };
    tx.record_audit(&actor.event(AuditAction::CopyIn, detail, now))?;
    Ok(outcome)
}

/// Reads the copy under `key`, which must be on `shelf`.
fn on_shelf(
    tx: &mut dyn Transaction,
    key: &str,
    shelf: Shelf,
) -> Result<(u64, IncomingCopy), EditorialError> {
    if !key.starts_with(shelf.prefix()) || !is_copy_key(key) {
        return Err(EditorialError::NotFound);
    }
    let record = tx.site_record(KIND, key)?.ok_or(EditorialError::NotFound)?;
    Ok((
        record.revision,
        decode_incoming(&record.bytes).map_err(StoreError::from)?,
    ))
}

/// Takes the waiting copy under `key`: it becomes a draft story with the copy's words, written
/// by `actor`, and leaves the list. Returns the draft.
pub fn take(
    store: &dyn Store,
    actor: &Actor,
    key: &str,
    now: OffsetDateTime,
) -> Result<Story, EditorialError> {
    // A free address is looked for first; a story taking it meanwhile is a refusal.
    let slug = {
        let record = store
            .site_record(KIND, key)?
            .ok_or(EditorialError::NotFound)?;
        let copy = decode_incoming(&record.bytes).map_err(StoreError::from)?;
        import::free_slug(store, &copy.story)?
    };
    // The agency's byline linked to its profile, as an import links it.
    let mut content = {
        let record = store
            .site_record(KIND, key)?
            .ok_or(EditorialError::NotFound)?;
        decode_incoming(&record.bytes)
            .map_err(StoreError::from)?
            .story
            .content
    };
    super::filing::link_authors(store, &mut content)?;
    storage::transaction(store, |tx| {
        let (revision, mut copy) = on_shelf(tx, key, Shelf::Waiting)?;
        let mut story = copy.story.clone();
        story.content.byline_links = content.byline_links.clone();
        story.content.slug = slug.clone();
        story.author = actor.id();
        story.last_edited_by = actor.id();
        story.created_at = now;
        story.updated_at = now;
        // Through the rules every story write follows: the slug claimed (a story that took it
        // meanwhile makes this a refusal), the tags registered.
        let saved = super::addresses::save_story(tx, &story, None)?;
        super::filing::register_tags(tx, &saved)?;
        copy.state = CopyState::Taken {
            at: now,
            by: actor.id(),
            story: saved.id,
        };
        place(tx, &copy, Some((key, revision)))?;
        let detail = format!("{} ({})", saved.content.headline, copy.file_name);
        tx.record_audit(&actor.event(AuditAction::CopyTaken, detail, now))?;
        Ok(saved)
    })
}

/// Spikes the waiting copy under `key`: kept, out of the list, restorable.
pub fn spike(
    store: &dyn Store,
    actor: &Actor,
    key: &str,
    now: OffsetDateTime,
) -> Result<(), EditorialError> {
    shelve(store, actor, key, now, Shelf::Waiting)
}

/// Puts the spiked copy under `key` back in the list.
pub fn restore(
    store: &dyn Store,
    actor: &Actor,
    key: &str,
    now: OffsetDateTime,
) -> Result<(), EditorialError> {
    shelve(store, actor, key, now, Shelf::Spiked)
}

/// Moves copy from shelf `from` to the other one.
fn shelve(
    store: &dyn Store,
    actor: &Actor,
    key: &str,
    now: OffsetDateTime,
    from: Shelf,
) -> Result<(), EditorialError> {
    storage::transaction(store, |tx| {
        let (revision, mut copy) = on_shelf(tx, key, from)?;
        let action = match from {
            Shelf::Waiting => {
                copy.state = CopyState::Spiked {
                    at: now,
                    by: actor.id(),
                };
                AuditAction::CopySpiked
            }
            Shelf::Spiked => {
                copy.state = CopyState::Waiting;
                AuditAction::CopyRestored
            }
        };
        place(tx, &copy, Some((key, revision)))?;
        let detail = format!("{} ({})", copy.story.content.headline, copy.file_name);
        tx.record_audit(&actor.event(action, detail, now))?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_key_is_a_state_twenty_digits_and_a_digest() {
        let identity = CopyIdentity::wire("Xinhua", "Talks end");
        let key = key_of(CopyState::Waiting, OffsetDateTime::UNIX_EPOCH, &identity);
        assert!(is_copy_key(&key), "{key}");
        assert!(key.starts_with("waiting/18446744073709551615/"));
        let later = key_of(
            CopyState::Waiting,
            OffsetDateTime::UNIX_EPOCH + time::Duration::seconds(1),
            &identity,
        );
        assert!(later < key, "newer copy sorts first");
        for bad in [
            "",
            "waiting",
            "identity/0123",
            "waiting/1/0123456789abcdef0123456789abcdef",
            "other/18446744073709551615/0123456789abcdef0123456789abcdef",
            "waiting/18446744073709551615/0123456789abcdef0123456789abcdeF",
        ] {
            assert!(!is_copy_key(bad), "{bad}");
        }
    }
}
