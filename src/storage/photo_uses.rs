//! Which stories use which library photos, and how: as the lead photo or placed in the body,
//! in the story's content or in its pending changes, whatever its status. Both engines keep
//! one row per photo and story, written in the same transaction as the story, and let readers
//! load a photo only while some use of it is public.

use crate::domain::{PhotoId, Story, StoryContent, StorySummary};
use std::collections::BTreeMap;

/// How one story uses one photo.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PhotoUse {
    /// As the lead photo (of its content or of its pending changes).
    pub lead: bool,
    /// Placed in the body (of its content or of its pending changes).
    pub inline: bool,
    /// Readers see it: the story is public and its public content shows the photo.
    pub public: bool,
}

/// A story that uses a photo, for the desk.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryUsingPhoto {
    pub story: StorySummary,
    pub usage: PhotoUse,
}

/// Every photo `story` uses, with how.
pub(crate) fn uses_of(story: &Story) -> BTreeMap<PhotoId, PhotoUse> {
    let mut uses: BTreeMap<PhotoId, PhotoUse> = BTreeMap::new();
    let public = story.is_public();
    let mut add = |content: &StoryContent, shown: bool| {
        if let Some(id) = content.photo.as_ref().and_then(|p| p.image) {
            let entry = uses.entry(id).or_default();
            entry.lead = true;
            entry.public |= shown;
        }
        for id in content.body.inline_photos() {
            let entry = uses.entry(id).or_default();
            entry.inline = true;
            entry.public |= shown;
        }
    };
    add(&story.content, public);
    if let Some(pending) = &story.pending {
        add(&pending.content, false);
    }
    uses
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Body, Bylines, Caption, Headline, LeadPhoto, PendingChanges, Section};
    use time::OffsetDateTime;

    fn story(body: &str) -> Story {
        Story::draft(
            Headline::parse("Photos").unwrap(),
            Section::parse("world").unwrap(),
            Bylines::parse("A Writer").unwrap(),
            Body::parse(body).unwrap(),
            OffsetDateTime::UNIX_EPOCH,
        )
    }

    fn lead(id: PhotoId) -> Option<LeadPhoto> {
        Some(LeadPhoto {
            image: Some(id),
            caption: Caption::parse("A caption").unwrap(),
            credit: None,
            alt: None,
        })
    }

    #[test]
    fn a_draft_uses_its_photos_without_showing_them() {
        let (a, b) = (PhotoId::new(), PhotoId::new());
        let mut s = story(&format!("Text.\n\n![alt](photo:{b})\n"));
        s.content.photo = lead(a);
        let uses = uses_of(&s);
        assert_eq!(
            uses.get(&a),
            Some(&PhotoUse {
                lead: true,
                inline: false,
                public: false
            })
        );
        assert_eq!(
            uses.get(&b),
            Some(&PhotoUse {
                lead: false,
                inline: true,
                public: false
            })
        );
    }

    #[test]
    fn a_published_story_shows_its_content_s_photos_but_not_its_pending_ones() {
        let (a, b) = (PhotoId::new(), PhotoId::new());
        let mut s = story(&format!("![alt](photo:{a})"));
        s.publish(OffsetDateTime::UNIX_EPOCH, None);
        let mut pending = s.content.clone();
        pending.photo = lead(b);
        s.pending = Some(Box::new(PendingChanges {
            content: pending,
            by: None,
            at: OffsetDateTime::UNIX_EPOCH,
        }));
        let uses = uses_of(&s);
        assert!(uses[&a].public && uses[&a].inline && !uses[&a].lead);
        assert!(!uses[&b].public && uses[&b].lead);
    }
}
