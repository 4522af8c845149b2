//! Withdrawing a published story (for legal or editorial reasons) and, for administrators only,
//! bringing it back. A withdrawn story is not published, so it leaves every listing, feed and
//! sitemap by the storage layer's own rule; its pages answer "gone".

use super::{Actor, EditorialError, story};
use crate::domain::{
    AuditAction, PageNumber, PhotoId, Role, Status, Story, StoryId, WithdrawalReason,
};
use crate::storage::{Listing, StatusFilter, Store, StoreError};
use time::OffsetDateTime;

/// Withdraws published story `id` now, for `reason` (kept for the desk and the audit log).
pub fn withdraw(
    store: &dyn Store,
    actor: &Actor,
    id: StoryId,
    reason: WithdrawalReason,
    now: OffsetDateTime,
) -> Result<Story, EditorialError> {
    if !actor.may_publish() {
        return Err(EditorialError::NotAllowed(
            "only editors may withdraw a story",
        ));
    }
    let current = story(store, id)?;
    if !current.is_public() {
        return Err(EditorialError::NotAllowed(
            "only a published story can be withdrawn",
        ));
    }
    let mut withdrawn = current.clone();
    withdrawn.status = Status::Withdrawn(now);
    withdrawn.withdrawal_reason = Some(reason.clone());
    withdrawn.updated_at = now;
    withdrawn.last_edited_by = actor.id();
    let event = actor.event(
        AuditAction::Withdraw,
        format!("{}; reason: {reason}", current.content.headline),
        now,
    );
    Ok(super::save_audited(
        store,
        &withdrawn,
        Some(current.revision),
        &event,
    )?)
}

/// Brings withdrawn story `id` back as unpublished: an administrator's decision (or the
/// server's operator on the command line), since a withdrawal is usually a legal one.
pub fn reinstate(
    store: &dyn Store,
    actor: &Actor,
    id: StoryId,
    now: OffsetDateTime,
) -> Result<Story, EditorialError> {
    let allowed = match actor {
        Actor::User(user) => user.role == Role::Admin,
        Actor::CommandLine => true,
        Actor::Scheduler | Actor::DropFolder => false,
    };
    if !allowed {
        return Err(EditorialError::NotAllowed(
            "only an administrator may reinstate a withdrawn story",
        ));
    }
    let current = story(store, id)?;
    if !current.is_withdrawn() {
        return Err(EditorialError::NotAllowed(
            "only a withdrawn story can be reinstated",
        ));
    }
    let mut reinstated = current.clone();
    reinstated.status = Status::Unpublished;
    reinstated.withdrawal_reason = None;
    reinstated.updated_at = now;
    reinstated.last_edited_by = actor.id();
    let event = actor.event(
        AuditAction::Reinstate,
        format!("{} (as unpublished)", current.content.headline),
        now,
    );
    Ok(super::save_audited(
        store,
        &reinstated,
        Some(current.revision),
        &event,
    )?)
}

/// Every withdrawn story, most recently changed first: what an export marks canceled.
/// Withdrawals are rare, so they are read whole, a page of the desk's index at a time.
pub fn withdrawn(store: &dyn Store) -> Result<Vec<Story>, StoreError> {
    let listing = Listing::Desk {
        status: Some(StatusFilter::Withdrawn),
        section: None,
    };
    let mut stories = Vec::new();
    let mut page = Some(PageNumber::FIRST);
    while let Some(number) = page {
        let found = match store.listing(listing.clone(), number, 100) {
            Ok(found) => found,
            // An empty listing has a first page; past it, there is none.
            Err(StoreError::NotFound) => break,
            Err(e) => return Err(e),
        };
        for summary in &found.items {
            if let Some(story) = store.story(summary.id)?.filter(Story::is_withdrawn) {
                stories.push(story);
            }
        }
        page = found.paging.next().and_then(PageNumber::new);
    }
    Ok(stories)
}

/// Whether photo `id`, which no public story shows (the caller checked), is the photo of a
/// withdrawn story: its address then answers "gone" rather than "not found". Reads every
/// withdrawn story, which is few, and only for a photo readers may not see anyway.
pub fn shows_withdrawn_photo(store: &dyn Store, id: PhotoId) -> Result<bool, StoreError> {
    Ok(withdrawn(store)?
        .iter()
        .any(|story| story.content.photo.as_ref().and_then(|p| p.image) == Some(id)))
}
