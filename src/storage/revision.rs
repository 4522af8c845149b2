//! How a story write is numbered and judged against the story stored when it commits: one
//! rule for every engine, so that "a stale revision is a conflict and changes nothing" means
//! the same on each.

use super::{ImportOutcome, MAX_REVISION, StoreError};
use crate::domain::Story;

/// How a write numbers the revision it stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Revision {
    /// The next after the one the editor loaded (`None` for a new story).
    After(Option<u64>),
    /// The story's own, for copies from elsewhere; only a newer one replaces what is stored.
    Keep,
}

impl Revision {
    /// The revision `story` is stored at; never one past [`MAX_REVISION`], so history slots
    /// are never reused.
    pub(crate) fn number(self, story: &Story) -> Result<u64, StoreError> {
        match self {
            Revision::After(None) => Ok(1),
            Revision::After(Some(current)) if current >= MAX_REVISION => {
                Err(StoreError::RevisionLimit(current))
            }
            Revision::After(Some(current)) => Ok(current + 1),
            Revision::Keep if story.revision > MAX_REVISION => {
                Err(StoreError::RevisionLimit(story.revision))
            }
            Revision::Keep => Ok(story.revision.max(1)),
        }
    }

    /// What storing a story at `revision` does, given `old`, the story stored now: the editor's
    /// revision must be the stored one ([`StoreError::Conflict`] otherwise, and
    /// [`StoreError::NotFound`] for a story that is gone); a copy from elsewhere replaces only
    /// an older one (`Unchanged` otherwise, and nothing is written).
    pub(crate) fn judge(
        self,
        old: Option<&Story>,
        revision: u64,
    ) -> Result<ImportOutcome, StoreError> {
        match (self, old) {
            (_, None) if self == Revision::After(None) || self == Revision::Keep => {
                Ok(ImportOutcome::Created)
            }
            (_, None) => Err(StoreError::NotFound),
            (Revision::Keep, Some(current)) if current.revision >= revision => {
                Ok(ImportOutcome::Unchanged)
            }
            (Revision::Keep, Some(_)) => Ok(ImportOutcome::Updated),
            (Revision::After(expected), Some(current)) if expected != Some(current.revision) => {
                Err(StoreError::Conflict {
                    current: Box::new(current.clone()),
                })
            }
            (Revision::After(_), Some(_)) => Ok(ImportOutcome::Updated),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Body, Bylines, Headline, Section};

    fn at(revision: u64) -> Story {
        let mut story = Story::draft(
            Headline::parse("Talks end").unwrap(),
            Section::parse("world").unwrap(),
            Bylines::parse("Ann Lee").unwrap(),
            Body::parse("Words.").unwrap(),
            time::OffsetDateTime::UNIX_EPOCH,
        );
        story.revision = revision;
        story
    }

    #[test]
    fn an_edit_builds_on_the_stored_revision_or_is_a_conflict() {
        let stored = at(3);
        let after = Revision::After(Some(3));
        assert_eq!(after.number(&stored).unwrap(), 4);
        assert_eq!(
            after.judge(Some(&stored), 4).unwrap(),
            ImportOutcome::Updated
        );
        assert!(matches!(
            Revision::After(Some(2)).judge(Some(&stored), 3),
            Err(StoreError::Conflict { current }) if current.revision == 3
        ));
        assert!(matches!(
            Revision::After(Some(3)).judge(None, 4),
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            Revision::After(Some(MAX_REVISION)).number(&stored),
            Err(StoreError::RevisionLimit(_))
        ));
    }

    #[test]
    fn a_copy_from_elsewhere_replaces_only_an_older_story() {
        let stored = at(5);
        assert_eq!(
            Revision::Keep.judge(Some(&stored), 5).unwrap(),
            ImportOutcome::Unchanged
        );
        assert_eq!(
            Revision::Keep.judge(Some(&stored), 6).unwrap(),
            ImportOutcome::Updated
        );
        assert_eq!(
            Revision::Keep.judge(None, 1).unwrap(),
            ImportOutcome::Created
        );
        assert_eq!(Revision::Keep.number(&at(0)).unwrap(), 1);
    }
}
