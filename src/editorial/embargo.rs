//! The embargo rule: nothing of a story is public before its embargo ends. A story under
//! embargo can neither be published nor scheduled before that time, whoever asks, so every
//! public surface (which shows published stories only) follows without knowing of embargoes.

use super::{EditorialError, Step};
use crate::domain::story_form::EMBARGO_OFFER;
use crate::domain::{SiteZone, Status, Story};
use time::OffsetDateTime;

/// Refuses a story whose status, after `step`, would show it before its embargo ends. A refused
/// Publish or Schedule carries [`EMBARGO_OFFER`], so the form can offer the embargo time instead.
pub(super) fn check(
    story: &Story,
    step: Step,
    now: OffsetDateTime,
    zone: &SiteZone,
) -> Result<(), EditorialError> {
    let Some(until) = story.content.embargo.filter(|until| *until > now) else {
        return Ok(());
    };
    let shown = shown(until, zone);
    let offer = |verb: &str| {
        EditorialError::Invalid(vec![
            (
                "embargo",
                format!("Embargoed until {shown}: the story cannot be {verb} before then."),
            ),
            (
                EMBARGO_OFFER,
                format!(
                    "The story is embargoed until {shown} and cannot be {verb} before then. \
                     Schedule it for the embargo time instead."
                ),
            ),
        ])
    };
    match (step, story.status) {
        (Step::Publish, _) => Err(offer("published")),
        (Step::Schedule(at), _) if at < until => Err(offer("scheduled")),
        (_, Status::Published) => Err(EditorialError::Invalid(vec![(
            "embargo",
            format!(
                "A published story cannot be embargoed until {shown}: unpublish it first, or \
                 clear the embargo."
            ),
        )])),
        (_, Status::Scheduled(at)) if at < until => Err(EditorialError::Invalid(vec![(
            "embargo",
            format!(
                "The story is scheduled for {}, before its embargo ends at {shown}: schedule it \
                 for the embargo time or later.",
                self::shown(at, zone)
            ),
        )])),
        _ => Ok(()),
    }
}

/// An imported story marked published but still under embargo is scheduled for the embargo's
/// end instead, so an import cannot publish it early.
pub(super) fn hold(story: &mut Story, now: OffsetDateTime) {
    if let (Status::Published, Some(until)) = (story.status, story.content.embargo)
        && until > now
    {
        story.status = Status::Scheduled(until);
        story.published_at = None;
        story.first_published_at = None;
    }
}

/// The audit log's words for an embargo changed from `before` to `after`, if it changed.
pub(super) fn change(
    before: Option<OffsetDateTime>,
    after: Option<OffsetDateTime>,
    zone: &SiteZone,
) -> Option<String> {
    match (before, after) {
        (before, after) if before == after => None,
        (_, Some(until)) => Some(format!("embargo until {}", shown(until, zone))),
        (Some(_), None) => Some("embargo lifted".into()),
        (None, None) => None,
    }
}

/// A time as the desk and the audit log show it, on the newsroom's clocks and naming them (the
/// log keeps the words, so they stay true if the site's zone changes):
/// `1 December 2026, 09:30 (Europe/London)`.
pub(super) fn shown(at: OffsetDateTime, zone: &SiteZone) -> String {
    zone.named(at)
}
