//! What a button of the story form asks for, as an [`Edit`]: the typed fields parsed, the step
//! the button names, and the times checked against the time of the request. Every field that
//! is wrong is named at once, so the form can say so beside each.

use super::{Edit, Step};
use crate::domain::story_form::{self as fields, Action, FieldErrors, StoryInput};
use crate::domain::{SiteZone, Story};
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
        zone: &SiteZone,
    ) -> Result<Edit, FieldErrors> {
        // A dateline is dated the day of publication, or today for a story not out yet: the
        // newsroom's day, on its clocks.
        let dateline_date = zone
            .local(current.and_then(|s| s.published_at).unwrap_or(now))
            .date();
        let content = fields::apply(input, dateline_date, zone)
            .map_err(|e| errors.extend(e))
            .ok();
        let step = step(action, input, now, zone)
            .map_err(|e| errors.extend(e))
            .ok();
        // Its form was checked with the rest: here, that it does not lie ahead.
        if content.is_some()
            && let Err(e) = fields::filed_at_time(input, now, zone)
        {
            errors.extend(e);
        }
        let note = fields::note(input).map_err(|e| errors.extend(e)).ok();
        match (content, step, note) {
            (Some(edit), Some(step), Some(note)) if errors.is_empty() => Ok(Edit {
                story: current.map(|s| s.id),
                expected_revision: input.base_revision(),
                content: edit.content,
                filed_at: edit.filed_at,
                step,
                note,
                zone: zone.clone(),
            }),
            _ => Err(errors),
        }
    }
}

/// What the button asks for, with the publication time typed for Schedule.
fn step(
    action: Action,
    input: &StoryInput,
    now: OffsetDateTime,
    zone: &SiteZone,
) -> Result<Step, FieldErrors> {
    Ok(match action {
        Action::Save | Action::Preview => Step::Save,
        Action::Submit => Step::Submit,
        Action::Publish => Step::Publish,
        Action::Schedule => Step::Schedule(fields::schedule_time(input, now, zone)?),
        Action::ScheduleAtEmbargo => Step::Schedule(fields::embargo_time(input, now, zone)?),
        Action::Unpublish => Step::Unpublish,
        Action::UpdateLive => Step::UpdateLive,
        Action::DiscardChanges => Step::DiscardChanges,
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::NOW;
    use super::*;

    fn typed(headline: &str) -> StoryInput {
        StoryInput {
            headline: headline.into(),
            bylines: "Ann Lee".into(),
            section: "world".into(),
            body: "First words.".into(),
            ..StoryInput::default()
        }
    }

    fn fields_of(errors: &FieldErrors) -> Vec<&str> {
        errors.iter().map(|(field, _)| *field).collect()
    }

    #[test]
    fn a_new_story_saved_is_an_edit_of_no_stored_story() {
        let edit = Edit::from_form(
            None,
            &typed("Talks end"),
            Action::Save,
            Vec::new(),
            NOW,
            &SiteZone::utc(),
        )
        .expect("a valid form");
        assert_eq!(edit.story, None);
        assert_eq!(edit.step, Step::Save);
        assert_eq!(edit.content.headline.to_string(), "Talks end");
    }

    #[test]
    fn schedule_asks_for_a_time_ahead_and_every_wrong_field_is_named_at_once() {
        let mut input = typed("");
        input.schedule_at = "2020-01-01T09:00".into();

        let errors = Edit::from_form(
            None,
            &input,
            Action::Schedule,
            Vec::new(),
            NOW,
            &SiteZone::utc(),
        )
        .expect_err("refused");

        let fields = fields_of(&errors);
        assert!(fields.contains(&"headline"), "{errors:?}");
        assert!(fields.contains(&"schedule_at"), "{errors:?}");
    }

    #[test]
    fn what_reading_the_form_found_wrong_refuses_an_otherwise_valid_form() {
        let found = vec![("body", "The body is too long".to_owned())];

        let errors = Edit::from_form(
            None,
            &typed("Talks end"),
            Action::Save,
            found.clone(),
            NOW,
            &SiteZone::utc(),
        )
        .expect_err("refused");

        assert_eq!(errors, found);
    }
}
