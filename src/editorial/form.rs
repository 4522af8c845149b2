//! What a button of the story form asks for, as an [`Edit`]: the typed fields parsed, the step
//! the button names, and the times checked against the time of the request. Every field that
//! is wrong is named at once, so the form can say so beside each.

use super::{Edit, Step};
use crate::domain::Story;
use crate::domain::story_form::{self as fields, Action, FieldErrors, StoryInput};
use time::OffsetDateTime;

impl Edit {
    /// The edit that `action` asks for with the form's `input`, of story `current` (`None`: a
    /// new one), or every field that is wrong, after the `errors` already found in reading the
    /// form.
    pub fn from_form(
        current: Option<&Story>,
        input: &StoryInput,
        action: Action,
        mut errors: FieldErrors,
        now: OffsetDateTime,
    ) -> Result<Edit, FieldErrors> {
        // A dateline is dated the day of publication, or today for a story not out yet.
        let dateline_date = current.and_then(|s| s.published_at).unwrap_or(now).date();
        let content = fields::apply(input, dateline_date)
            .map_err(|e| errors.extend(e))
            .ok();
        let step = step(action, input, now).map_err(|e| errors.extend(e)).ok();
        // Its form was checked with the rest: here, that it does not lie ahead.
        if content.is_some()
            && let Err(e) = fields::filed_at_time(input, now)
        {
            errors.extend(e);
        }
        let note = fields::note(input).map_err(|e| errors.extend(e)).ok();
        match (content, step, note) {
            (Some(content), Some(step), Some(note)) if errors.is_empty() => Ok(Edit {
                story: current.map(|s| s.id),
                expected_revision: input.base_revision(),
                content,
                step,
                note,
            }),
            _ => Err(errors),
        }
    }
}

/// What the button asks for, with the publication time typed for Schedule.
fn step(action: Action, input: &StoryInput, now: OffsetDateTime) -> Result<Step, FieldErrors> {
    Ok(match action {
        Action::Save | Action::Preview => Step::Save,
        Action::Submit => Step::Submit,
        Action::Publish => Step::Publish,
        Action::Schedule => Step::Schedule(fields::schedule_time(input, now)?),
        Action::ScheduleAtEmbargo => Step::Schedule(fields::embargo_time(input, now)?),
        Action::Unpublish => Step::Unpublish,
        Action::UpdateLive => Step::UpdateLive,
        Action::DiscardChanges => Step::DiscardChanges,
    })
}
