//! Restoring an older revision of a story: its words come back, its place in the workflow
//! stays as it is now.

use super::{Story, UserId};
use time::OffsetDateTime;

impl Story {
    /// The story with the content of `old` (an earlier revision of it) and everything else of
    /// `self`: status, publication times and publishing editor are kept, and so is the slug once
    /// the story has been published, since readers' links point at it. Saving the result makes
    /// a new revision (the editorial service decides whether readers are told of it).
    pub fn restored_from(&self, old: &Story, by: Option<UserId>, now: OffsetDateTime) -> Story {
        let mut restored = self.clone();
        let mut content = old.content.clone();
        if self.first_published_at.is_some() {
            content.slug = self.content.slug.clone();
        }
        // An embargo belongs to the workflow: restoring words neither lifts nor sets one.
        content.embargo = self.content.embargo;
        restored.content = content;
        restored.set_filed_at(old.filed_at());
        restored.updated_at = now;
        restored.last_edited_by = by;
        restored
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::{Body, Bylines, Headline, Section, Slug, Status, Story, UserId};
    use time::macros::datetime;

    fn draft() -> Story {
        Story::draft(
            Headline::parse("Talks end").unwrap(),
            Section::parse("world").unwrap(),
            Bylines::parse("Ann Lee").unwrap(),
            Body::parse("Old words.").unwrap(),
            datetime!(2024-01-01 10:00 UTC),
        )
    }

    #[test]
    fn the_words_come_back_and_the_workflow_stays() {
        let old = draft();
        let mut current = old.clone();
        current.revision = 3;
        current.content.headline = Headline::parse("Talks resume").unwrap();
        current.content.slug = Slug::parse("talks-resume").unwrap();
        current.content.body = Body::parse("New words.").unwrap();
        current.publish(datetime!(2024-01-02 10:00 UTC), None);
        let editor = UserId::new();
        let now = datetime!(2024-01-03 10:00 UTC);

        let restored = current.restored_from(&old, Some(editor), now);

        assert_eq!(restored.content.headline, old.content.headline);
        assert_eq!(restored.content.body, old.content.body);
        assert_eq!(restored.status, Status::Published);
        assert_eq!(restored.published_at, current.published_at);
        assert_eq!(
            restored.content.slug.as_str(),
            "talks-resume",
            "a published address stays"
        );
        assert_eq!(restored.revision, 3, "the store numbers the new revision");
        assert_eq!(restored.updated_at, now);
        assert_eq!(restored.last_edited_by, Some(editor));
    }

    #[test]
    fn a_draft_gets_its_old_slug_back() {
        let old = draft();
        let mut current = old.clone();
        current.content.slug = Slug::parse("talks-resume").unwrap();
        let restored =
            current.restored_from(&old, Some(UserId::new()), datetime!(2024-01-03 10:00 UTC));
        assert_eq!(restored.content.slug, old.content.slug);
    }
}
