//! Addresses that never break. Once readers have had an address for a story, a new slug does
//! not take it from them: the old slug is kept as a redirect to the story (see
//! [`storage::redirects`]), and stays reserved for it. Where a redirect leads follows the
//! story: while it is unpublished its old addresses are gone as its address is (404), once
//! withdrawn they are gone for good (410), and published again they lead to it again.
//!
//! Every story write of the editorial service goes through [`save_story`] or
//! [`import_story_version`], so the desk, the scheduler and imports all keep the rule.

use crate::domain::{Slug, Story};
use crate::storage::prelude::*;
use crate::storage::{ImportOutcome, StoreError, Transaction, redirects};

/// How many numbered slugs (`-2`, `-3`, ...) are tried before giving up.
pub(super) const SLUG_TRIES: usize = 1000;

/// Whether readers have ever been given an address for the story: it was published once. A
/// draft's publication time is only its filing time (see [`Story::set_filed_at`]).
fn had_address(story: &Story) -> bool {
    story.first_published_at.is_some()
        || (story.status != crate::domain::Status::Draft && story.published_at.is_some())
}

/// Saves `story` over `expected` as [`Transaction::save_story`] does, keeping its addresses:
/// a slug another story had is refused ([`StoreError::SlugTaken`]), the story's own old slug is
/// taken back, and the slug it leaves, once it had readers, redirects to it from now on.
pub(super) fn save_story(
    tx: &mut dyn Transaction,
    story: &Story,
    expected: Option<u64>,
) -> Result<Story, StoreError> {
    let before = tx.story(story.id)?;
    claim(tx, before.as_ref(), story)?;
    let saved = tx.save_story(story, expected)?;
    retire(tx, before.as_ref(), &saved)?;
    Ok(saved)
}

/// [`Transaction::import_story_version`], keeping the story's addresses as [`save_story`] does.
pub(super) fn import_story_version(
    tx: &mut dyn Transaction,
    story: &Story,
) -> Result<ImportOutcome, StoreError> {
    let before = tx.story(story.id)?;
    let newer = before.as_ref().is_none_or(|b| story.revision > b.revision);
    if newer {
        claim(tx, before.as_ref(), story)?;
    }
    let outcome = tx.import_story_version(story)?;
    if outcome == ImportOutcome::Updated {
        retire(tx, before.as_ref(), story)?;
    }
    Ok(outcome)
}

fn claim(
    tx: &mut dyn Transaction,
    before: Option<&Story>,
    story: &Story,
) -> Result<(), StoreError> {
    if before.is_some_and(|b| b.content.slug == story.content.slug) {
        return Ok(());
    }
    redirects::claim_story_slug(tx, story.id, &story.content.slug)
}

fn retire(
    tx: &mut dyn Transaction,
    before: Option<&Story>,
    after: &Story,
) -> Result<(), StoreError> {
    match before {
        Some(before) if had_address(before) && before.content.slug != after.content.slug => {
            redirects::retire_story_slug(tx, &before.content.slug, after.id, after.updated_at)
        }
        _ => Ok(()),
    }
}

/// Whether no story has `slug` and no story had it.
fn is_free(store: &dyn Store, slug: &Slug) -> Result<bool, StoreError> {
    Ok(store.story_by_slug(slug)?.is_none() && redirects::story_redirect(store, slug)?.is_none())
}

/// `slug` if it is free, otherwise the first free one of `slug-2`, `slug-3`, ...
pub(super) fn free_slug(store: &dyn Store, slug: &Slug) -> Result<Slug, StoreError> {
    for n in 1..SLUG_TRIES {
        let candidate = if n == 1 {
            slug.clone()
        } else {
            numbered(slug, n)?
        };
        if is_free(store, &candidate)? {
            return Ok(candidate);
        }
    }
    Err(StoreError::SlugTaken(slug.to_string()))
}

/// `base-n`, with the base shortened so the result stays a valid slug.
pub(super) fn numbered(base: &Slug, n: usize) -> Result<Slug, StoreError> {
    let cut = base.as_str().chars().take(90).collect::<String>();
    let cut = cut.trim_end_matches('-');
    Slug::parse(&format!("{cut}-{n}")).map_err(|_| StoreError::SlugTaken(base.to_string()))
}
