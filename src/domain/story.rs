//! A story: every part of a piece of wire copy, and its place in the publishing workflow.

use super::{
    AuthorLinks, Body, Bylines, Dateline, Headline, Initials, Language, LeadPhoto, PublicNote,
    ReviewNote, Section, Slug, Source, Standfirst, Tags, WithdrawalReason,
};
use super::{StoryId, UserId};
use time::OffsetDateTime;

/// Where a story is in its life. Only `Published` stories are visible to readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Draft,
    /// Waiting for the scheduler to publish it at this time.
    Scheduled(OffsetDateTime),
    Published,
    Unpublished,
    /// Taken down at this time, for legal or editorial reasons: every public address of it
    /// answers "gone" until an administrator reinstates it (as unpublished).
    Withdrawn(OffsetDateTime),
}

impl Status {
    pub fn key(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Scheduled(_) => "scheduled",
            Status::Published => "published",
            Status::Unpublished => "unpublished",
            Status::Withdrawn(_) => "withdrawn",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::Scheduled(_) => "Scheduled",
            Status::Published => "Published",
            Status::Unpublished => "Unpublished",
            Status::Withdrawn(_) => "Withdrawn",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Story {
    pub id: StoryId,
    /// Starts at 1 and grows by one with every save; a save must name the revision it edited.
    pub revision: u64,
    /// What readers are shown of it while it is public: the words, address and photo a writer
    /// edits. Changes waiting to go live are in `pending`, not here.
    pub content: StoryContent,
    pub status: Status,
    /// Why the story was withdrawn, for the desk (readers are not told); set while `Withdrawn`.
    pub withdrawal_reason: Option<WithdrawalReason>,
    /// A writer asked an editor to review this draft (or the pending changes of a live story).
    pub submitted: bool,
    /// Changes to a published story waiting for an editor to put them live; readers see the
    /// story's own content until then.
    pub pending: Option<Box<PendingChanges>>,
    /// Corrections, clarifications and editor's notes readers are shown, oldest first.
    pub notes: Vec<PublicNote>,
    /// Why an editor last sent the story back to its writer; cleared when it is submitted again.
    pub sent_back: Option<ReviewNote>,
    /// The editor who took the story to work on it, if one did.
    pub assignee: Option<UserId>,
    pub created_at: OffsetDateTime,
    /// Last save of any kind.
    pub updated_at: OffsetDateTime,
    /// The publication time readers see; kept when a story is unpublished and republished.
    pub published_at: Option<OffsetDateTime>,
    pub first_published_at: Option<OffsetDateTime>,
    /// Last change of a published story's content, shown to readers as "Updated".
    pub revised_at: Option<OffsetDateTime>,
    /// Initials of the editor who published it, shown in the meta line.
    pub editor: Option<Initials>,
    pub author: Option<UserId>,
    pub last_edited_by: Option<UserId>,
    /// Counts the changes readers and machines have seen: it moves exactly when the reader's
    /// view does (see [`Story::record_public_change`]), never with a save only the desk sees,
    /// so the API's version of the story and the sitemap's date follow what they show.
    pub public_revision: u64,
    /// When readers last saw the story change; `None` until they first see it.
    pub public_changed_at: Option<OffsetDateTime>,
}

/// What a writer types: the parts of a story readers see, already parsed. A new story is
/// made from it, and an edit replaces a story's content with it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryContent {
    pub headline: Headline,
    pub standfirst: Option<Standfirst>,
    pub slug: Slug,
    pub section: Section,
    pub bylines: Bylines,
    pub source: Option<Source>,
    pub dateline: Option<Dateline>,
    pub body: Body,
    pub photo: Option<LeadPhoto>,
    /// Nothing of the story may be public before this time, whoever asks for it.
    pub embargo: Option<OffsetDateTime>,
    /// What the story is filed under, besides its section.
    pub tags: Tags,
    /// The language it is written in; `None`: the site's.
    pub language: Option<Language>,
    /// The bylines that name an author's profile, linked when the story was saved.
    pub byline_links: AuthorLinks,
}

/// What the story form hands in: the content, and the filing time typed with it. The filing
/// time (a wire story's own timestamp) is not content: it becomes the publication time of a
/// story never published, as part of the article's address, and nothing after that.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryEdit {
    pub content: StoryContent,
    pub filed_at: Option<OffsetDateTime>,
}

/// Everything readers and machines can see of a public story, wherever the site shows it: its
/// pages, listings, feeds, sitemaps and API. Two states of a story with equal views look the
/// same from outside, so the page cache and the story's public revision follow the view
/// alone: a part of a story readers see belongs here, and is then compared everywhere.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReaderView<'a> {
    pub id: StoryId,
    pub content: &'a StoryContent,
    /// The publication time readers see; part of the article's address.
    pub published_at: OffsetDateTime,
    pub first_published_at: Option<OffsetDateTime>,
    /// Shown as "Updated" when the words changed after publication.
    pub revised_at: Option<OffsetDateTime>,
    /// The API gives it as the document's first creation.
    pub created_at: OffsetDateTime,
    /// Initials of the publishing editor, in the meta line.
    pub editor: Option<&'a Initials>,
    /// Corrections, clarifications and editor's notes, oldest first.
    pub notes: &'a [PublicNote],
}

impl ReaderView<'_> {
    /// When readers last saw the story change: its publication, or the last revision after it.
    pub fn modified_at(&self) -> OffsetDateTime {
        self.revised_at
            .map_or(self.published_at, |r| r.max(self.published_at))
    }
}

/// Edits to a published story that readers do not see yet: saved on the desk, waiting for an
/// editor to put them live or discard them.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingChanges {
    pub content: StoryContent,
    /// Who saved them last.
    pub by: Option<UserId>,
    /// When they were saved last.
    pub at: OffsetDateTime,
}

impl Story {
    /// A new draft holding `content`, written by `author`, created now.
    pub fn new_draft(content: StoryContent, author: Option<UserId>, now: OffsetDateTime) -> Self {
        let mut story = Story::draft(
            content.headline.clone(),
            content.section,
            content.bylines.clone(),
            content.body.clone(),
            now,
        );
        story.author = author;
        story.content = content;
        story
    }

    /// What the desk edits: the pending changes of a live story, or its own content.
    pub fn editable_content(&self) -> &StoryContent {
        match &self.pending {
            Some(pending) => &pending.content,
            None => &self.content,
        }
    }

    /// The filing time the form shows: the publication time of a story never published.
    pub fn filed_at(&self) -> Option<OffsetDateTime> {
        self.published_at
            .filter(|_| self.first_published_at.is_none())
    }

    /// Takes `filed_at` as the publication time, if the story was never published: once it
    /// was, its time is part of the article's address and stays.
    pub fn set_filed_at(&mut self, filed_at: Option<OffsetDateTime>) {
        if self.first_published_at.is_none() {
            self.published_at = filed_at;
        }
    }

    /// The story as the desk edits it: its pending changes, if any, in place of its own
    /// content. What the story form, the merge, the preview and the history show.
    pub fn as_edited(&self) -> Story {
        let mut edited = self.clone();
        if let Some(pending) = edited.pending.take() {
            edited.content = pending.content;
        }
        edited
    }

    /// Stages `content` as changes readers do not see yet, saved by `by` at `at`. Content no
    /// different from the story's own leaves nothing pending.
    pub fn stage(&mut self, content: StoryContent, by: Option<UserId>, at: OffsetDateTime) {
        self.pending =
            (content != self.content).then(|| Box::new(PendingChanges { content, by, at }));
    }

    /// What readers and machines see of the story: `None` while it is not public (a draft,
    /// scheduled, unpublished or withdrawn story shows readers nothing of itself).
    pub fn reader_view(&self) -> Option<ReaderView<'_>> {
        let published_at = self
            .published_at
            .filter(|_| self.status == Status::Published)?;
        Some(ReaderView {
            id: self.id,
            content: &self.content,
            published_at,
            first_published_at: self.first_published_at,
            revised_at: self.revised_at,
            created_at: self.created_at,
            editor: self.editor.as_ref(),
            notes: &self.notes,
        })
    }

    /// Stamps the public revision of this story, about to be stored in place of `old` (`None`:
    /// it is new) at `now`, and says whether readers see a change. Every storage engine calls
    /// it as it writes a story, inside the write, so that the public revision and the page
    /// cache follow one rule. A story carrying a newer public revision than `old` (a copy
    /// from elsewhere: an import, a restored backup) keeps its own.
    pub fn record_public_change(&mut self, old: Option<&Story>, now: OffsetDateTime) -> bool {
        let seen = match old {
            Some(old) => old.differs_for_readers(self),
            None => self.is_public(),
        };
        let (revision, changed_at) = old.map_or((0, None), |old| {
            (old.public_revision, old.public_changed_at)
        });
        if self.public_revision > revision {
            return seen;
        }
        if seen {
            self.public_revision = revision + 1;
            self.public_changed_at = Some(now);
        } else {
            self.public_revision = revision;
            self.public_changed_at = changed_at;
        }
        seen
    }

    /// Whether readers could tell the two apart anywhere the site shows a story. Pending
    /// changes, the revision and who saved it last are the desk's alone, so a staged save
    /// leaves the public site as it was.
    pub fn differs_for_readers(&self, other: &Story) -> bool {
        self.reader_view() != other.reader_view()
    }

    /// The status as the desk names it: "Published · changes pending" when changes wait.
    pub fn status_label(&self) -> &'static str {
        status_label(self.status, self.pending.is_some())
    }

    /// Whether readers would see a difference between `self` and `edited` (the slug and section
    /// move a story, but do not change what it says).
    pub fn reads_differently_from(&self, edited: &Story) -> bool {
        let (mine, theirs) = (&self.content, &edited.content);
        mine.headline != theirs.headline
            || mine.standfirst != theirs.standfirst
            || mine.body != theirs.body
            || mine.bylines != theirs.bylines
            || mine.dateline != theirs.dateline
            || mine.source != theirs.source
            || mine.photo != theirs.photo
    }

    /// A new draft, created now.
    pub fn draft(
        headline: Headline,
        section: Section,
        bylines: Bylines,
        body: Body,
        now: OffsetDateTime,
    ) -> Self {
        Story {
            id: StoryId::new(),
            revision: 0,
            content: StoryContent {
                slug: Slug::from_headline(headline.as_str()),
                headline,
                standfirst: None,
                section,
                bylines,
                source: None,
                dateline: None,
                body,
                photo: None,
                embargo: None,
                tags: Tags::default(),
                language: None,
                byline_links: AuthorLinks::default(),
            },
            status: Status::Draft,
            withdrawal_reason: None,
            submitted: false,
            pending: None,
            notes: Vec::new(),
            sent_back: None,
            assignee: None,
            created_at: now,
            updated_at: now,
            published_at: None,
            first_published_at: None,
            revised_at: None,
            editor: None,
            author: None,
            last_edited_by: None,
            public_revision: 0,
            public_changed_at: None,
        }
    }

    /// The library photo readers see with the story: its lead photo's, while it is public.
    pub fn public_photo(&self) -> Option<super::PhotoId> {
        self.content
            .photo
            .as_ref()
            .and_then(|p| p.image)
            .filter(|_| self.is_public())
    }

    pub fn is_public(&self) -> bool {
        self.reader_view().is_some()
    }

    /// Whether the story's embargo still holds at `now`.
    pub fn is_embargoed(&self, now: OffsetDateTime) -> bool {
        self.content.embargo.is_some_and(|until| until > now)
    }

    pub fn is_withdrawn(&self) -> bool {
        matches!(self.status, Status::Withdrawn(_))
    }

    /// Publishes now, or at the time already set (wire copy keeps its own time), and stamps the
    /// publishing editor's initials.
    pub fn publish(&mut self, now: OffsetDateTime, editor: Option<Initials>) {
        let at = self.published_at.unwrap_or(now);
        self.published_at = Some(at);
        self.first_published_at.get_or_insert(at);
        self.status = Status::Published;
        self.submitted = false;
        if editor.is_some() {
            self.editor = editor;
        }
    }

    pub fn summary(&self) -> StorySummary {
        StorySummary {
            id: self.id,
            headline: self.content.headline.clone(),
            standfirst: self.content.standfirst.clone(),
            slug: self.content.slug.clone(),
            section: self.content.section,
            bylines: self.content.bylines.clone(),
            language: self.content.language.clone(),
            byline_links: self.content.byline_links.clone(),
            status: self.status,
            submitted: self.submitted,
            pending: self.pending.is_some(),
            sent_back: self.sent_back.is_some(),
            assignee: self.assignee,
            published_at: self.published_at,
            updated_at: self.updated_at,
            public_changed_at: self.public_changed_at,
            author: self.author,
            last_edited_by: self.last_edited_by,
        }
    }
}

/// A status as the desk names it, with `pending` changes waiting or not.
fn status_label(status: Status, pending: bool) -> &'static str {
    match (status, pending) {
        (Status::Published, true) => "Published · changes pending",
        (Status::Unpublished, true) => "Unpublished · changes pending",
        (Status::Withdrawn(_), true) => "Withdrawn · changes pending",
        (status, _) => status.label(),
    }
}

impl StorySummary {
    /// The status as the desk's list names it: "Published · changes pending" when changes wait.
    pub fn status_label(&self) -> &'static str {
        status_label(self.status, self.pending)
    }
}

/// What a listing shows of a story; kept beside each index entry so a listing page is one scan.
#[derive(Debug, Clone, PartialEq)]
pub struct StorySummary {
    pub id: StoryId,
    pub headline: Headline,
    pub standfirst: Option<Standfirst>,
    pub slug: Slug,
    pub section: Section,
    pub bylines: Bylines,
    /// The story's language; `None`: the site's.
    pub language: Option<Language>,
    /// Its bylines' links to authors' profiles.
    pub byline_links: AuthorLinks,
    pub status: Status,
    pub submitted: bool,
    /// A published story with changes waiting to go live.
    pub pending: bool,
    /// Sent back to its writer with a note.
    pub sent_back: bool,
    pub assignee: Option<UserId>,
    pub published_at: Option<OffsetDateTime>,
    pub updated_at: OffsetDateTime,
    /// When readers last saw the story change (see [`Story::public_changed_at`]).
    pub public_changed_at: Option<OffsetDateTime>,
    pub author: Option<UserId>,
    pub last_edited_by: Option<UserId>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);

    /// One change made to a story, named for the failure message.
    type Change = Box<dyn Fn(&mut Story)>;

    fn live() -> Story {
        let mut story = Story::draft(
            Headline::parse("Talks end").unwrap(),
            Section::parse("world").unwrap(),
            Bylines::parse("Ann Lee").unwrap(),
            Body::parse("Live words.").unwrap(),
            NOW,
        );
        story.publish(NOW, None);
        story
    }

    fn with_body(story: &Story, body: &str) -> StoryContent {
        let mut content = story.content.clone();
        content.body = Body::parse(body).unwrap();
        content
    }

    #[test]
    fn staged_words_are_what_the_desk_edits_and_not_what_readers_see() {
        let live = live();
        let mut staged = live.clone();
        staged.stage(with_body(&live, "New words."), None, NOW);

        assert_eq!(staged.content.body.as_str(), "Live words.");
        assert_eq!(staged.editable_content().body.as_str(), "New words.");
        assert_eq!(staged.as_edited().content.body.as_str(), "New words.");
        assert_eq!(staged.as_edited().pending, None);
        assert_eq!(staged.status_label(), "Published · changes pending");
        assert_eq!(
            staged.summary().status_label(),
            "Published · changes pending"
        );
        assert!(!live.differs_for_readers(&staged), "readers see no change");
    }

    #[test]
    fn staging_the_live_words_again_leaves_nothing_pending() {
        let live = live();
        let mut staged = live.clone();
        staged.stage(with_body(&live, "New words."), None, NOW);
        staged.stage(live.content.clone(), None, NOW);
        assert_eq!(staged.pending, None);
        assert_eq!(staged.status_label(), "Published");
    }

    #[test]
    fn every_part_of_a_story_readers_see_tells_two_states_apart() {
        use crate::domain::{Caption, NoteKind, NoteText};
        let later = NOW + time::Duration::hours(1);
        let changes: Vec<(&str, Change)> = vec![
            (
                "headline",
                Box::new(|s| s.content.headline = Headline::parse("Talks resume").unwrap()),
            ),
            (
                "standfirst",
                Box::new(|s| s.content.standfirst = Some(Standfirst::parse("No deal.").unwrap())),
            ),
            (
                "slug",
                Box::new(|s| s.content.slug = Slug::parse("talks-over").unwrap()),
            ),
            (
                "section",
                Box::new(|s| s.content.section = Section::parse("business").unwrap()),
            ),
            (
                "bylines",
                Box::new(|s| s.content.bylines = Bylines::parse("Bo Chen").unwrap()),
            ),
            (
                "source",
                Box::new(|s| s.content.source = Some(Source::parse("Xinhua").unwrap())),
            ),
            (
                "dateline",
                Box::new(|s| {
                    s.content.dateline =
                        Some(Dateline::parse("GENEVA, June 1", NOW.date()).unwrap())
                }),
            ),
            (
                "body",
                Box::new(|s| s.content.body = Body::parse("New words.").unwrap()),
            ),
            (
                "photo",
                Box::new(|s| {
                    s.content.photo = Some(LeadPhoto {
                        image: None,
                        caption: Caption::parse("The envoy.").unwrap(),
                        credit: None,
                        alt: None,
                    })
                }),
            ),
            (
                "embargo",
                Box::new(move |s| s.content.embargo = Some(later)),
            ),
            ("unpublished", Box::new(|s| s.status = Status::Unpublished)),
            (
                "withdrawn",
                Box::new(move |s| s.status = Status::Withdrawn(later)),
            ),
            (
                "published_at",
                Box::new(move |s| s.published_at = Some(later)),
            ),
            (
                "first_published_at",
                Box::new(move |s| s.first_published_at = Some(later)),
            ),
            ("revised_at", Box::new(move |s| s.revised_at = Some(later))),
            ("created_at", Box::new(move |s| s.created_at = later)),
            (
                "editor",
                Box::new(|s| s.editor = Some(Initials::parse("ZD").unwrap())),
            ),
            (
                "notes",
                Box::new(move |s| {
                    s.notes.push(PublicNote {
                        kind: NoteKind::Correction,
                        text: NoteText::parse("An earlier version misspelt a name.").unwrap(),
                        at: later,
                    })
                }),
            ),
        ];
        let live = live();
        for (part, change) in changes {
            let mut changed = live.clone();
            change(&mut changed);
            assert!(live.differs_for_readers(&changed), "{part}");
            assert!(
                changed.differs_for_readers(&live),
                "{part}, the other way round"
            );
        }
    }

    #[test]
    fn what_only_the_desk_sees_leaves_readers_with_the_same_story() {
        let later = NOW + time::Duration::hours(1);
        let note = ReviewNote {
            text: crate::domain::NoteText::parse("Check the quote.").unwrap(),
            by: None,
            at: later,
        };
        let changes: Vec<(&str, Change)> = vec![
            ("revision", Box::new(|s| s.revision += 1)),
            (
                "pending",
                Box::new(|s| s.stage(with_body(s, "Staged words."), None, NOW)),
            ),
            ("submitted", Box::new(|s| s.submitted = true)),
            (
                "sent_back",
                Box::new(move |s| s.sent_back = Some(note.clone())),
            ),
            ("assignee", Box::new(|s| s.assignee = Some(UserId::new()))),
            ("updated_at", Box::new(move |s| s.updated_at = later)),
            ("author", Box::new(|s| s.author = Some(UserId::new()))),
            (
                "last_edited_by",
                Box::new(|s| s.last_edited_by = Some(UserId::new())),
            ),
            (
                "withdrawal_reason",
                Box::new(|s| {
                    s.withdrawal_reason = Some(WithdrawalReason::parse("Court order").unwrap())
                }),
            ),
        ];
        let live = live();
        for (part, change) in changes {
            let mut changed = live.clone();
            change(&mut changed);
            assert_ne!(changed, live, "{part} changed nothing");
            assert!(!live.differs_for_readers(&changed), "{part}");
        }
    }

    #[test]
    fn the_public_revision_moves_with_what_readers_see_and_only_then() {
        let later = NOW + time::Duration::hours(1);
        let mut draft = live();
        draft.status = Status::Draft;
        draft.published_at = None;
        draft.first_published_at = None;
        assert!(!draft.record_public_change(None, NOW), "a new draft");
        assert_eq!((draft.public_revision, draft.public_changed_at), (0, None));

        let mut published = draft.clone();
        published.publish(NOW, None);
        assert!(published.record_public_change(Some(&draft), NOW));
        assert_eq!(
            (published.public_revision, published.public_changed_at),
            (1, Some(NOW))
        );

        let mut staged = published.clone();
        staged.revision += 1;
        staged.updated_at = later;
        staged.stage(with_body(&published, "Staged words."), None, later);
        assert!(!staged.record_public_change(Some(&published), later));
        assert_eq!(
            (staged.public_revision, staged.public_changed_at),
            (1, Some(NOW))
        );

        let mut updated = staged.clone();
        updated.content = with_body(&staged, "Staged words.");
        updated.pending = None;
        assert!(updated.record_public_change(Some(&staged), later));
        assert_eq!(
            (updated.public_revision, updated.public_changed_at),
            (2, Some(later))
        );
    }

    #[test]
    fn a_copy_from_elsewhere_keeps_its_newer_public_revision() {
        let stored = {
            let mut story = live();
            story.record_public_change(None, NOW);
            story
        };
        let mut copy = stored.clone();
        copy.content = with_body(&stored, "Their words.");
        copy.public_revision = 5;
        copy.public_changed_at = Some(NOW - time::Duration::hours(1));
        assert!(copy.record_public_change(Some(&stored), NOW));
        assert_eq!(copy.public_revision, 5);
        assert_eq!(copy.public_changed_at, Some(NOW - time::Duration::hours(1)));

        let mut new = copy.clone();
        new.id = StoryId::new();
        assert!(
            new.record_public_change(None, NOW),
            "a public story is new to readers"
        );
        assert_eq!(new.public_revision, 5);
    }

    #[test]
    fn stories_readers_cannot_see_look_alike_whatever_they_hold() {
        let mut draft = live();
        draft.status = Status::Draft;
        draft.published_at = None;
        draft.first_published_at = None;
        let mut reworded = draft.clone();
        reworded.content = with_body(&draft, "New words.");
        assert_eq!(draft.reader_view(), None);
        assert!(!draft.differs_for_readers(&reworded));
        let mut unpublished = live();
        unpublished.status = Status::Unpublished;
        assert!(!unpublished.is_public());
        assert!(!draft.differs_for_readers(&unpublished));
    }
}
