//! Where each record lives in the sled trees: key layouts, index prefixes and the small values
//! kept beside the records (the public version). Byte order of every key is its sort order.

use super::*;
use crate::domain::Aspect;
use crate::storage::listings::{self, Membership};

pub(super) const BLOB_ORIGINAL: u8 = 0;
pub(super) const BLOB_DISPLAY: u8 = 1;
pub(super) const BLOB_RENDITION: u8 = b'w';
pub(super) const BLOB_CROP: u8 = b'c';

/// Where a photo's bytes are: under its hash, or under its id for a photo stored before
/// renditions existed (which has one display copy standing for every width).
pub(super) fn blob_key(record: &Photo, blob: PhotoBlob) -> Vec<u8> {
    match (record.hash, blob) {
        (Some(hash), PhotoBlob::Original) => [&hash[..], &[BLOB_ORIGINAL]].concat(),
        (Some(hash), PhotoBlob::Rendition(width)) => {
            [&hash[..], &[BLOB_RENDITION], &width.to_be_bytes()[..]].concat()
        }
        (None, PhotoBlob::Original) => [&record.id.to_bytes()[..], &[BLOB_ORIGINAL]].concat(),
        (None, PhotoBlob::Rendition(_)) => [&record.id.to_bytes()[..], &[BLOB_DISPLAY]].concat(),
        // Named by the focal point too: a crop never changes under its key, as under its URL.
        (hash, PhotoBlob::Crop(aspect, focal)) => {
            let aspect = match aspect {
                Aspect::Wide => 0,
                Aspect::Standard => 1,
                Aspect::Square => 2,
            };
            let owner = hash.map_or_else(|| record.id.to_bytes().to_vec(), |h| h.to_vec());
            [&owner[..], &[BLOB_CROP, aspect, focal.x(), focal.y()]].concat()
        }
    }
}
pub(super) const SETUP_TOKEN: &[u8] = b"setup-token";
/// Site secrets are kept in `meta` under this prefix and their name.
pub(super) const SECRET_PREFIX: &[u8] = b"secret:";
/// Login sessions are left out of backups: a restored site starts with everyone signed out.
pub(super) const SESSIONS: &str = "sessions";

pub(super) const PUBLIC_VERSION: &[u8] = b"public-version";

/// Set in `meta` once every submitted story has its entries in the review listings, which
/// databases made before those listings existed lack (see `review_index`).
pub(super) const REVIEW_INDEX_BUILT: &[u8] = b"index-built:review";

/// Set in `meta` once `photo_uses` holds every story's use of every photo, each with how it is
/// used; databases made before held only public lead photos, with no value (see
/// `photo_uses_index`).
pub(super) const PHOTO_USES_BUILT: &[u8] = b"index-built:photo-uses";

/// How pages look now (see [`ChangeFeed::adopt_page_look`]).
pub(super) const PAGE_LOOK: &[u8] = b"page-look";

/// The last number given to a change in the feed (`changes`: seq (u64 BE) -> change).
pub(super) const CHANGE_SEQ: &[u8] = b"change-seq";

/// The public version `generation`, changed at `at`.
pub(super) fn encode_public_version(generation: u64, at: OffsetDateTime) -> [u8; 16] {
    let nanos = i64::try_from(at.unix_timestamp_nanos()).unwrap_or(i64::MAX);
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&generation.to_be_bytes());
    out[8..].copy_from_slice(&nanos.to_be_bytes());
    out
}

/// A missing or malformed record is generation 0: nothing public has changed yet.
pub(super) fn decode_public_version(bytes: Option<&[u8]>) -> PublicVersion {
    let Some(bytes) = bytes.and_then(|b| <[u8; 16]>::try_from(b).ok()) else {
        return PublicVersion {
            generation: 0,
            changed_at: None,
        };
    };
    let (generation, nanos) = bytes.split_at(8);
    let generation = u64::from_be_bytes(generation.try_into().unwrap_or_default());
    let nanos = i64::from_be_bytes(nanos.try_into().unwrap_or_default());
    PublicVersion {
        generation,
        changed_at: OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos)).ok(),
    }
}

/// Nanoseconds since 1970 as an audit key; before 1970 counts as 1970.
pub(super) fn audit_ts(at: OffsetDateTime) -> u64 {
    u64::try_from(at.unix_timestamp_nanos()).unwrap_or(0)
}

pub(super) const AUDIT_KEY_LEN: usize = 12;

/// Where an event goes in the audit tree: its time, then random bytes so that two events of
/// the same nanosecond both stay.
pub(super) fn audit_key(event: &AuditEvent) -> Vec<u8> {
    let mut key = audit_ts(event.at).to_be_bytes().to_vec();
    key.extend_from_slice(&rand::random::<[u8; 4]>());
    key
}

pub(super) fn revision_key(id: StoryId, revision: u64) -> Vec<u8> {
    let mut key = id.to_bytes().to_vec();
    key.extend_from_slice(&revision.to_be_bytes());
    key
}

pub(super) fn photo_use_key(photo: PhotoId, story: StoryId) -> Vec<u8> {
    let mut key = photo.to_bytes().to_vec();
    key.extend_from_slice(&story.to_bytes());
    key
}

pub(super) fn id_bytes(v: &[u8]) -> Result<[u8; 16], StoreError> {
    v.try_into()
        .map_err(|_| StoreError::Inconsistent(format!("an id of {} bytes", v.len())))
}

/// The prefix of a listing's counted-index keys: its key and a 0 byte, so no prefix is a
/// prefix of another.
pub(super) fn prefix(listing: &str) -> Vec<u8> {
    let mut prefix = listing.as_bytes().to_vec();
    prefix.push(0);
    prefix
}

pub(super) fn prefix_scheduled() -> Vec<u8> {
    prefix(&listings::key_scheduled())
}

pub(super) fn prefix_of(listing: Listing) -> Vec<u8> {
    prefix(&listings::key_of(listing))
}

/// A listing membership as a counted-index entry.
pub(super) fn entry(membership: &Membership) -> Entry {
    Entry {
        prefix: prefix(&membership.listing),
        ts: membership.ts,
        id: membership.id,
    }
}

/// The entries a story has in the listing indexes (see [`listings::memberships_of`]). Values
/// are filled in by the caller.
pub(super) fn entries_of(story: &Story) -> Vec<Entry> {
    listings::memberships_of(story).iter().map(entry).collect()
}

/// The entries of a story waiting for review (see [`listings::review_memberships_of`]).
pub(super) fn review_entries_of(story: &Story) -> Vec<Entry> {
    listings::review_memberships_of(story)
        .iter()
        .map(entry)
        .collect()
}
