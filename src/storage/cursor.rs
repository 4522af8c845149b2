//! Positions in a published listing for keyset paging, handed to API clients as opaque tokens.
//!
//! A cursor names the last story a client got by its publication time and id, which is the
//! listing's own order in any backend (sled reads its index from there; SQL would compare
//! `(published_at, id)`). The token is versioned, signed with the site's key (an HMAC) and
//! masked hex: clients see neither the index layout nor the values in it, and a token that was
//! cut, typed, edited by hand or made up is refused, not misread, as only the site can sign
//! one. The mask is not encryption and needs none: a cursor grants nothing, it only says where
//! to resume a public listing.

use crate::domain::SiteKey;
use crate::domain::{StoryId, StorySummary};
use sha2::{Digest, Sha256};
use thiserror::Error;
use time::OffsetDateTime;

/// Version 1 carried a plain checksum; only signed tokens are read now.
const V2: u8 = 2;
const CHECK: usize = 16;
const PURPOSE: &str = "api cursor";
const POSITION: usize = 8 + 16;
/// Version, signature, then seconds since 1970 (i64 BE) and the story id, masked.
const LEN: usize = 1 + CHECK + POSITION;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    published_at: OffsetDateTime,
    id: StoryId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("not a cursor this site handed out")]
pub struct InvalidCursor;

impl Cursor {
    /// The position just after `summary` in a published listing; `None` for a story that is
    /// not published.
    pub fn after(summary: &StorySummary) -> Option<Self> {
        summary.published_at.map(|at| Cursor {
            published_at: at.replace_nanosecond(0).unwrap_or(at),
            id: summary.id,
        })
    }

    pub(crate) fn published_at(self) -> OffsetDateTime {
        self.published_at
    }

    pub(crate) fn id(self) -> StoryId {
        self.id
    }

    /// The form clients carry in `cursor=`.
    pub fn token(self, key: &SiteKey) -> String {
        let mut position = [0u8; POSITION];
        position[..8].copy_from_slice(&self.published_at.unix_timestamp().to_be_bytes());
        position[8..].copy_from_slice(&self.id.to_bytes());
        let check = check_of(key, &position);
        mask(&mut position, &check);
        let mut bytes = Vec::with_capacity(LEN);
        bytes.push(V2);
        bytes.extend_from_slice(&check);
        bytes.extend_from_slice(&position);
        hex::encode(bytes)
    }

    /// Reads a token made by [`Cursor::token`].
    pub fn parse(token: &str, key: &SiteKey) -> Result<Self, InvalidCursor> {
        if token.len() != LEN * 2 {
            return Err(InvalidCursor);
        }
        let bytes = hex::decode(token).map_err(|_| InvalidCursor)?;
        let (version, rest) = bytes.split_at(1);
        let (check, masked) = rest.split_at(CHECK);
        let mut position: [u8; POSITION] = masked.try_into().map_err(|_| InvalidCursor)?;
        mask(&mut position, check);
        if version != [V2] || !key.verify(PURPOSE, &[version, &position], check) {
            return Err(InvalidCursor);
        }
        let (seconds, id) = position.split_at(8);
        let seconds = i64::from_be_bytes(seconds.try_into().map_err(|_| InvalidCursor)?);
        let id: [u8; 16] = id.try_into().map_err(|_| InvalidCursor)?;
        Ok(Cursor {
            published_at: OffsetDateTime::from_unix_timestamp(seconds)
                .map_err(|_| InvalidCursor)?,
            id: StoryId::from_bytes(id),
        })
    }
}

fn check_of(key: &SiteKey, position: &[u8]) -> [u8; CHECK] {
    let tag = key.sign(PURPOSE, &[&[V2], position]);
    let mut check = [0u8; CHECK];
    check.copy_from_slice(&tag[..CHECK]);
    check
}

/// Hides (and, applied again, reveals) the position, with a mask drawn from the check bytes.
fn mask(position: &mut [u8; POSITION], check: &[u8]) {
    let stream = Sha256::new()
        .chain_update(b"newsroom cursor mask\0")
        .chain_update(check)
        .finalize();
    for (byte, m) in position.iter_mut().zip(stream.iter()) {
        *byte ^= m;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::codec::tests::sample_story;
    use time::macros::datetime;

    fn key() -> SiteKey {
        SiteKey::new(b"the site's key")
    }

    fn cursor() -> Cursor {
        let mut summary = sample_story().summary();
        summary.published_at = Some(datetime!(2017-07-15 07:11:57.5 UTC));
        Cursor::after(&summary).unwrap()
    }

    #[test]
    fn a_token_reads_back_as_the_cursor_it_came_from() {
        let cursor = cursor();
        assert_eq!(Cursor::parse(&cursor.token(&key()), &key()), Ok(cursor));
    }

    #[test]
    fn an_unpublished_story_has_no_place_in_a_published_listing() {
        let mut summary = sample_story().summary();
        summary.published_at = None;
        assert_eq!(Cursor::after(&summary), None);
    }

    #[test]
    fn a_token_shows_neither_the_time_nor_the_id_in_plain_text() {
        let cursor = cursor();
        let token = cursor.token(&key());
        let seconds = hex::encode(cursor.published_at.unix_timestamp().to_be_bytes());
        assert!(!token.contains(&cursor.id.to_string()));
        assert!(!token.contains(&seconds[8..]));
    }

    #[test]
    fn a_cut_edited_or_made_up_token_is_refused() {
        let token = cursor().token(&key());
        let other_site = cursor().token(&SiteKey::new(b"another site's key"));
        let mut edited = token.clone().into_bytes();
        edited[20] = if edited[20] == b'0' { b'1' } else { b'0' };
        let edited = String::from_utf8(edited).unwrap();
        let made_up = "ab".repeat(LEN);
        for bad in [
            "",
            "1500000000-0190",
            &token[..token.len() - 2],
            &format!("{token}00"),
            &edited,
            &made_up,
            &token.replace(|c: char| c.is_ascii_digit(), "z"),
            &other_site,
        ] {
            assert_eq!(
                Cursor::parse(bad, &key()),
                Err(InvalidCursor),
                "{bad:?} accepted"
            );
        }
    }
}
