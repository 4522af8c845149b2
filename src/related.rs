//! Related stories at the foot of an article: up to [`MAX_RELATED`] other stories readers can
//! see, from the listings the story shares with them, the closest first, each listing newest
//! first.
//!
//! Cost: the first few entries of each listing asked (summaries, from the index the listing
//! pages read), never a full story and never a search; and a server keeps them for a public
//! generation ([`RelatedMemo`]), so an article rendered without the page cache reads them only
//! when one of its listings changed since another article of it was rendered.
//!
//! A story's tags are closer kin than its section, so their listings come first in
//! [`closest_listings`]: `Listing::Tag` for each of the story's public tags, in their order, then
//! `Listing::Section`. [`related_stories`] takes from them in that order, skipping stories it
//! already has, and stops reading as soon as it has enough.

use crate::domain::{Story, StorySummary};
use crate::storage::{Listing, Store, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// How many related stories an article shows.
pub const MAX_RELATED: usize = 4;

/// How many listings [`RelatedMemo`] keeps the head of before starting afresh.
const MEMO_LISTINGS: usize = 1024;

/// Up to [`MAX_RELATED`] stories related to `story`: never `story` itself, only stories readers
/// can see, same tags first, then same section, newest first within each.
pub fn related_stories(store: &dyn Store, story: &Story) -> Result<Vec<StorySummary>, StoreError> {
    related_from(story, |listing| Ok(Arc::new(head_of(store, listing)?)))
}

/// The stories related to `story`, taking each listing's head from `head`.
fn related_from(
    story: &Story,
    mut head: impl FnMut(Listing) -> Result<Arc<Vec<StorySummary>>, StoreError>,
) -> Result<Vec<StorySummary>, StoreError> {
    let mut found: Vec<StorySummary> = Vec::with_capacity(MAX_RELATED);
    for listing in closest_listings(story) {
        for candidate in head(listing)?.iter() {
            if found.len() == MAX_RELATED {
                break;
            }
            let public = candidate.status == crate::domain::Status::Published
                && candidate.published_at.is_some();
            if public && candidate.id != story.id && found.iter().all(|f| f.id != candidate.id) {
                found.push(candidate.clone());
            }
        }
        if found.len() == MAX_RELATED {
            break;
        }
    }
    Ok(found)
}

/// The newest stories of a public listing, one more than an article shows (the story itself
/// may be among them), read from the cursor's start: no counting, no full story.
fn head_of(store: &dyn Store, listing: Listing) -> Result<Vec<StorySummary>, StoreError> {
    store.listing_after(listing, None, MAX_RELATED + 1)
}

/// The heads of the listings related stories come from, kept for one public generation: they
/// change only with a change readers see, which moves the generation, so every article of a
/// section rendered between two publishes reads its section's head once, from memory. One per
/// server, beside its page cache.
#[derive(Default)]
pub struct RelatedMemo {
    /// The generation the heads were read in, and the heads.
    heads: Mutex<(u64, Heads)>,
}

/// The first stories of each listing read, newest first.
type Heads = HashMap<Listing, Arc<Vec<StorySummary>>>;

impl RelatedMemo {
    /// [`related_stories`] when every head it needs is kept for the current generation: no
    /// read of the database at all, so an async worker may ask (the public version is held in
    /// memory). `None` sends the caller to [`RelatedMemo::related`] on the blocking pool.
    pub fn kept(&self, store: &dyn Store, story: &Story) -> Option<Vec<StorySummary>> {
        let generation = store.public_version().ok()?.generation;
        let heads = self.heads.lock().unwrap_or_else(PoisonError::into_inner);
        if heads.0 != generation {
            return None;
        }
        related_from(story, |listing| {
            heads.1.get(&listing).cloned().ok_or(StoreError::NotFound)
        })
        .ok()
    }

    /// [`related_stories`], answered from the heads kept for the current generation.
    pub fn related(
        &self,
        store: &dyn Store,
        story: &Story,
    ) -> Result<Vec<StorySummary>, StoreError> {
        // Read before the listings: a head read after a publish and kept under the older
        // generation is only dropped early, never served after the next change.
        let generation = store.public_version()?.generation;
        related_from(story, |listing| {
            {
                let heads = self.heads.lock().unwrap_or_else(PoisonError::into_inner);
                if heads.0 == generation
                    && let Some(head) = heads.1.get(&listing)
                {
                    return Ok(head.clone());
                }
            }
            let head = Arc::new(head_of(store, listing.clone())?);
            let mut heads = self.heads.lock().unwrap_or_else(PoisonError::into_inner);
            if generation > heads.0 || heads.1.len() >= MEMO_LISTINGS {
                heads.1.clear();
                heads.0 = heads.0.max(generation);
            }
            if heads.0 == generation {
                heads.1.insert(listing, head.clone());
            }
            Ok(head)
        })
    }
}
/// The public listings `story` shares with its kin, closest first: its tags', then its
/// section's (of what readers see of it).
fn closest_listings(story: &Story) -> Vec<Listing> {
    let content = story
        .reader_view()
        .map_or(&story.content, |view| view.content);
    content
        .tags
        .iter()
        .map(|tag| Listing::Tag(tag.key().clone()))
        .chain([Listing::Section(content.section)])
        .collect()
}
