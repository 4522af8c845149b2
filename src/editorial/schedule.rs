//! Scheduled publication: a scheduled story goes public when its time comes, as the scheduler
//! (not the editor who scheduled it) and with an entry in the audit log.

use super::{Actor, EditorialError};
use crate::domain::{AuditAction, SiteZone, Status};
use crate::storage::{Store, StoreError};
use time::OffsetDateTime;

/// How many due stories one call publishes at most; the next call takes the rest.
const BATCH: usize = 100;

/// Publishes every scheduled story due at `now`, as [`publish_due_in`] does, on a site whose
/// time zone is UTC.
pub fn publish_due(
    store: &dyn Store,
    now: OffsetDateTime,
) -> Result<Vec<OffsetDateTime>, EditorialError> {
    publish_due_in(store, now, &SiteZone::utc())
}

/// Publishes every scheduled story due at `now`, at its scheduled time; the audit log names
/// times on `zone`'s clocks. Returns the times the stories it published were due.
pub fn publish_due_in(
    store: &dyn Store,
    now: OffsetDateTime,
    zone: &SiteZone,
) -> Result<Vec<OffsetDateTime>, EditorialError> {
    let actor = Actor::Scheduler;
    let mut published = Vec::new();
    for id in store.due_scheduled(now, BATCH)? {
        let Some(mut story) = store.story(id)? else {
            continue;
        };
        let Status::Scheduled(at) = story.status else {
            continue;
        };
        if at > now {
            continue;
        }
        let revision = story.revision;
        // Never before the embargo: a story scheduled earlier (possible only for a record
        // written before embargoes were checked) waits for the embargo's end.
        if let Some(until) = story.content.embargo.filter(|until| *until > now) {
            story.status = Status::Scheduled(until);
            let event = actor.event(
                AuditAction::Schedule,
                format!(
                    "{} (moved from {} to the embargo's end, {})",
                    story.content.headline,
                    super::embargo::shown(at, zone),
                    super::embargo::shown(until, zone)
                ),
                now,
            );
            match super::save_audited(store, &story, Some(revision), &event) {
                Ok(_) | Err(StoreError::Conflict { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        story.published_at = Some(at);
        story.publish(now, None);
        story.updated_at = now;
        // This revision is the schedule's doing, not the last person who saved the story.
        story.last_edited_by = actor.id();
        let event = actor.event(
            AuditAction::Publish,
            format!(
                "{} (scheduled for {})",
                story.content.headline,
                super::embargo::shown(at, zone)
            ),
            now,
        );
        match super::save_audited(store, &story, Some(revision), &event) {
            Ok(_) => published.push(at),
            // Edited meanwhile: the next call sees the new revision and decides again.
            Err(StoreError::Conflict { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(published)
}
