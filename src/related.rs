//! Related stories at the foot of an article: up to [`MAX_RELATED`] other stories readers can
//! see, from the listings the story shares with them, the closest first, each listing newest
//! first.
//!
//! Cost: one read of the first page of each listing asked (a handful of summaries from an
//! index the listing pages use too), never a full story and never a search; an article page
//! rendered without the page cache pays one such read today.
//!
//! Where tags join: a story's tags are closer kin than its section, so their listings come
//! first in [`closest_listings`]. When stories carry tags (`StoryContent::tags`, with a public
//! listing per tag), that function lists `Listing::Tag(tag)` for each of the story's tags
//! before `Listing::Section(..)`, and [`related_stories`] takes from them in that order,
//! skipping stories it already has; it stops reading as soon as it has enough.

use crate::domain::{PageNumber, Story, StorySummary};
use crate::storage::{Listing, Store, StoreError};

/// How many related stories an article shows.
pub const MAX_RELATED: usize = 4;

/// Up to [`MAX_RELATED`] stories related to `story`: never `story` itself, only stories readers
/// can see, same tags first, then same section, newest first within each.
pub fn related_stories(store: &dyn Store, story: &Story) -> Result<Vec<StorySummary>, StoreError> {
    let mut found: Vec<StorySummary> = Vec::with_capacity(MAX_RELATED);
    for listing in closest_listings(story) {
        // One more than needed, in case the story itself is among them.
        let wanted = MAX_RELATED - found.len() + 1;
        let page = match store.listing(listing, PageNumber::FIRST, wanted) {
            Ok(page) => page,
            Err(StoreError::NotFound) => continue,
            Err(e) => return Err(e),
        };
        for candidate in page.items {
            if found.len() == MAX_RELATED {
                break;
            }
            let public = candidate.status == crate::domain::Status::Published
                && candidate.published_at.is_some();
            if public && candidate.id != story.id && found.iter().all(|f| f.id != candidate.id) {
                found.push(candidate);
            }
        }
        if found.len() == MAX_RELATED {
            break;
        }
    }
    Ok(found)
}

/// The public listings `story` shares with its kin, closest first. Tag listings go before the
/// section's here (see the module's documentation).
fn closest_listings(story: &Story) -> Vec<Listing> {
    vec![Listing::Section(story.content.section)]
}
