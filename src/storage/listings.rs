//! Which listings a story belongs to, and where in each: one engine-neutral answer that every
//! engine indexes its own way (sled as counted-index entries, PostgreSQL as rows beside counts
//! per time bucket), so both list the same stories in the same order. Pure functions of the
//! story, no I/O: a story has at most a dozen memberships, one per note besides.
//!
//! A listing is ordered by `(ts, id)` descending (the scheduled listing is read ascending):
//! `ts` is the sort time in whole seconds ([`index_ts`]) and `id` sixteen bytes compared as
//! bytes, the story id for the story listings.

use super::{Listing, StatusFilter, index_ts};
use crate::domain::{Section, Slug, Status, Story, StoryId};

/// A story's place in one listing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Membership {
    /// The listing's key ([`key_of`] and the other `key_` functions).
    pub listing: String,
    /// Seconds since 1970, clamped to 32 bits.
    pub ts: u32,
    /// Breaks ties within a second, and keeps two memberships of one listing apart.
    pub id: [u8; 16],
}

pub(crate) fn key_front() -> String {
    "front".into()
}

pub(crate) fn key_section(section: Section) -> String {
    format!("section:{}", section.key())
}

pub(crate) fn key_desk(status: Option<StatusFilter>, section: Option<Section>) -> String {
    let status = status.map_or("*", StatusFilter::key);
    let section = section.map_or("*", Section::key);
    format!("desk:{status}:{section}")
}

/// Scheduled stories by the time they are due; read oldest first.
pub(crate) fn key_scheduled() -> String {
    "scheduled".into()
}

/// The corrections listing: one membership per public note of a public story.
pub(crate) fn key_notes() -> String {
    "notes".into()
}

/// Published stories filed under tag `key`: what `/tag/KEY` lists, and the stories "with the
/// same tags" an article can point to.
pub(crate) fn key_tag(key: &Slug) -> String {
    format!("tag:{key}")
}

/// Published stories linked to the author's profile `slug`.
pub(crate) fn key_author(slug: &Slug) -> String {
    format!("author:{slug}")
}

/// Every story carrying tag `key` in its content or its pending changes, whatever its status.
pub(crate) fn key_desk_tag(key: &Slug) -> String {
    format!("desk-tag:{key}")
}

pub(crate) fn key_of(listing: Listing) -> String {
    match listing {
        Listing::Published => key_front(),
        Listing::Section(section) => key_section(section),
        Listing::Desk { status, section } => key_desk(status, section),
        Listing::Tag(key) => key_tag(&key),
        Listing::Author(slug) => key_author(&slug),
        Listing::DeskTag(key) => key_desk_tag(&key),
    }
}

/// Where a published story stands in the public listings (every story, its section), which
/// list the greater place first. Opaque, so that no index timestamp leaves storage: code that
/// leaves some stories out of a listing page compares places to know which of them come
/// before a given story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ListingPlace(u32, [u8; 16]);

/// The place of `story` in the public listings; `None` for a story never published.
pub fn public_place(story: &crate::domain::StorySummary) -> Option<ListingPlace> {
    story
        .published_at
        .map(|at| ListingPlace(index_ts(at), story.id.to_bytes()))
}

/// Every story listing `story` is in: published (everywhere and in its section) at its
/// publication time; the desk (every combination of status and section filter) at its last
/// save; the scheduled listing at the time it is due; the review listings while submitted.
pub(crate) fn memberships_of(story: &Story) -> Vec<Membership> {
    let id = story.id.to_bytes();
    let mut out = Vec::with_capacity(10);
    if let (Status::Published, Some(at)) = (story.status, story.published_at) {
        let ts = index_ts(at);
        out.push(Membership {
            listing: key_front(),
            ts,
            id,
        });
        out.push(Membership {
            listing: key_section(story.content.section),
            ts,
            id,
        });
        // What readers see is the live content; a tag or a byline only pending is not public.
        for tag in &story.content.tags {
            out.push(Membership {
                listing: key_tag(tag.key()),
                ts,
                id,
            });
        }
        let mut authors: Vec<&Slug> = story
            .content
            .byline_links
            .iter()
            .map(|l| &l.author)
            .collect();
        authors.dedup();
        for slug in authors {
            let listing = key_author(slug);
            if !out.iter().any(|m| m.listing == listing) {
                out.push(Membership { listing, ts, id });
            }
        }
    }
    let ts = index_ts(story.updated_at);
    let status = Some(StatusFilter::of(story.status));
    let section = Some(story.content.section);
    for (st, sec) in [
        (None, None),
        (status, None),
        (None, section),
        (status, section),
    ] {
        out.push(Membership {
            listing: key_desk(st, sec),
            ts,
            id,
        });
    }
    if let Status::Scheduled(at) = story.status {
        out.push(Membership {
            listing: key_scheduled(),
            ts: index_ts(at),
            id,
        });
    }
    let mut desk_tags: Vec<String> = Vec::new();
    let pending = story.pending.iter().flat_map(|p| p.content.tags.iter());
    for tag in story.content.tags.iter().chain(pending) {
        let listing = key_desk_tag(tag.key());
        if !desk_tags.contains(&listing) {
            desk_tags.push(listing);
        }
    }
    out.extend(
        desk_tags
            .into_iter()
            .map(|listing| Membership { listing, ts, id }),
    );
    out.extend(review_memberships_of(story));
    out
}

/// The memberships of a story waiting for review, on the whole desk and in its section; none
/// for any other. They come and go with `submitted`, as the status ones do with the status.
pub(crate) fn review_memberships_of(story: &Story) -> Vec<Membership> {
    if !story.submitted {
        return Vec::new();
    }
    let (id, ts) = (story.id.to_bytes(), index_ts(story.updated_at));
    [None, Some(story.content.section)]
        .into_iter()
        .map(|section| Membership {
            listing: key_desk(Some(StatusFilter::ForReview), section),
            ts,
            id,
        })
        .collect()
}

/// A note's place in the corrections listing, and which note it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NoteMembership {
    pub membership: Membership,
    pub story: StoryId,
    /// The note's place among the story's notes.
    pub place: u32,
}

/// The memberships a story has in the corrections listing: one per note while readers can see
/// the story, none otherwise (a draft, scheduled, unpublished or withdrawn story).
///
/// Each sits at the second the note was added. Its 16 id bytes keep memberships unique and in
/// time order within that second: the note's nanoseconds (4 bytes), the random end of the
/// story id (8 bytes) and the note's place (4 bytes).
pub(crate) fn note_memberships_of(story: &Story) -> Vec<NoteMembership> {
    if !story.is_public() {
        return Vec::new();
    }
    let id = story.id.to_bytes();
    story
        .notes
        .iter()
        .enumerate()
        .map(|(place, note)| {
            let place = u32::try_from(place).unwrap_or(u32::MAX);
            let mut entry_id = [0u8; 16];
            entry_id[..4].copy_from_slice(&note.at.nanosecond().to_be_bytes());
            entry_id[4..12].copy_from_slice(&id[8..]);
            entry_id[12..].copy_from_slice(&place.to_be_bytes());
            NoteMembership {
                membership: Membership {
                    listing: key_notes(),
                    ts: index_ts(note.at),
                    id: entry_id,
                },
                story: story.id,
                place,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::codec::tests::sample_story;
    use time::macros::datetime;

    #[test]
    fn a_published_story_is_on_the_front_in_its_section_and_on_the_desk() {
        let mut story = sample_story();
        story.status = Status::Published;
        story.published_at = Some(datetime!(2026-06-01 10:00 UTC));
        story.submitted = false;
        let listings: Vec<String> = memberships_of(&story)
            .into_iter()
            .map(|m| m.listing)
            .collect();
        let section = story.content.section.key();
        assert_eq!(
            listings,
            vec![
                "front".to_owned(),
                format!("section:{section}"),
                "desk:*:*".into(),
                "desk:published:*".into(),
                format!("desk:*:{section}"),
                format!("desk:published:{section}"),
            ]
        );
    }

    #[test]
    fn a_scheduled_story_is_listed_at_its_time_and_a_submitted_one_for_review() {
        let mut story = sample_story();
        let due = datetime!(2026-07-01 08:00 UTC);
        story.status = Status::Scheduled(due);
        story.submitted = true;
        let memberships = memberships_of(&story);
        let scheduled = memberships
            .iter()
            .find(|m| m.listing == key_scheduled())
            .unwrap();
        assert_eq!(scheduled.ts, index_ts(due));
        assert_eq!(
            memberships
                .iter()
                .filter(|m| m.listing.starts_with("desk:review:"))
                .count(),
            2
        );
    }
}
