//! Publishes scheduled stories when their time comes.

use crate::domain::Status;
use crate::storage::{SharedStore, StoreError};
use std::time::Duration;
use time::OffsetDateTime;

const TICK: Duration = Duration::from_secs(1);

pub async fn run(store: SharedStore) {
    let mut interval = actix_web::rt::time::interval(TICK);
    loop {
        interval.tick().await;
        let store = store.clone();
        match actix_web::web::block(move || publish_due(&*store, OffsetDateTime::now_utc())).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!(published = n, "published scheduled stories"),
            Ok(Err(e)) => tracing::error!(error = %e, "scheduler failed"),
            Err(e) => tracing::error!(error = %e, "scheduler task failed"),
        }
    }
}

/// Publishes every scheduled story due at `now`, at its scheduled time. Returns how many.
pub fn publish_due(
    store: &dyn crate::storage::Store,
    now: OffsetDateTime,
) -> Result<usize, StoreError> {
    let mut published = 0;
    for id in store.due_scheduled(now, 100)? {
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
        story.published_at = Some(at);
        story.publish(now, None);
        story.updated_at = now;
        // This revision is the schedule's doing, not the last person who saved the story.
        story.last_edited_by = None;
        match store.save_story(&story, Some(revision)) {
            Ok(_) => published += 1,
            // Edited meanwhile: the next tick sees the new revision and decides again.
            Err(StoreError::Conflict { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(published)
}
