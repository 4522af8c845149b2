//! Finding stories and photos by their words: one interface ([`SearchStore`]), an engine's own
//! full-text search behind it (tantivy beside sled; PostgreSQL's `tsvector` columns), and the
//! engine-neutral rules both follow: which text of a story is searchable by whom
//! ([`reader_text`], [`desk_text`]) and what a hit carries ([`SearchHit`]).
//!
//! Readers search what readers can see, and nothing else: the public text of public stories.
//! The desk searches every story whatever its status, pending changes included.

use crate::domain::{
    PageNumber, Paging, Photo, PhotoId, SearchTerms, Section, Story, StoryId, StorySummary,
};
use crate::storage::{Cursor, PhotoPage, StatusFilter, StoreError};
use time::OffsetDateTime;

/// Whose search: what it may find and which text of a story it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The public site and the API: public stories, their public text ([`reader_text`]).
    Readers,
    /// The desk: every story, whatever its status, by [`desk_text`].
    Desk,
}

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchOrder {
    /// Most relevant first (an engine may rank only the newest candidates of a very common
    /// word, so that no query is slow); ties newest first.
    #[default]
    Relevance,
    /// Newest first: by publication for readers, by the last save on the desk.
    Newest,
}

impl SearchOrder {
    pub fn key(self) -> &'static str {
        match self {
            SearchOrder::Relevance => "relevance",
            SearchOrder::Newest => "newest",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [SearchOrder::Relevance, SearchOrder::Newest]
            .into_iter()
            .find(|o| o.key() == raw)
    }
}

/// Where in the results a search starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchPosition {
    /// Page `page` of `per_page` hits (the site's pages).
    Page(PageNumber),
    /// The hits strictly after this story in newest-first order (the API, whose pages do not
    /// shift when a story is published meanwhile). Only with [`SearchOrder::Newest`] and
    /// [`Audience::Readers`].
    After(Option<Cursor>),
}

/// A search of stories.
#[derive(Debug, Clone)]
pub struct StorySearch {
    /// The words to find; `None` lists every story the filters let through, newest first (the
    /// desk's "last month's stories" without a word to go on). Readers always search words.
    pub terms: Option<SearchTerms>,
    pub audience: Audience,
    pub order: SearchOrder,
    pub section: Option<Section>,
    /// The desk's status filter (or "for review"); ignored for readers, who only find
    /// published stories.
    pub status: Option<StatusFilter>,
    /// Only stories last saved (desk) or published (readers) at or after this instant.
    pub from: Option<OffsetDateTime>,
    /// Only stories last saved (desk) or published (readers) before this instant.
    pub until: Option<OffsetDateTime>,
    pub position: SearchPosition,
    pub per_page: usize,
}

/// Text with the found words marked: parts in order, each highlighted or not. Plain text,
/// never markup: templates escape every part and wrap highlighted ones in `<mark>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snippet(pub Vec<SnippetPart>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnippetPart {
    pub text: String,
    pub highlighted: bool,
}

impl Snippet {
    pub fn parts(&self) -> &[SnippetPart] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|p| p.text.trim().is_empty())
    }
}

/// One story found. For readers `story` is the story as readers see it.
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub story: StorySummary,
    /// Where in the story's text the words were found; may be empty (a hit on the id or slug).
    pub snippet: Snippet,
}

/// One page of hits. `total_items` counts every hit, except that an engine may stop counting
/// a very common word at [`MAX_COUNTED`] (then `total_capped` is true and the page count
/// follows the capped total).
#[derive(Debug, Clone)]
pub struct SearchPage {
    pub hits: Vec<SearchHit>,
    pub paging: Paging,
    pub total_items: u64,
    pub total_capped: bool,
}

/// How far a search counts its hits; beyond it a page says "more than 1,000".
pub const MAX_COUNTED: u64 = 1000;

/// Finding stories and photos by their words. A write is found by the next search (the desk
/// finds a draft the moment it is saved; readers stop finding an unpublished story at once).
pub trait SearchStore {
    /// Stories matching `search`. A page past the last gives [`StoreError::NotFound`], except
    /// page 1 of no hits.
    fn search_stories(&self, search: &StorySearch) -> Result<SearchPage, StoreError>;

    /// Page `page` of the photos whose caption, credit or alt text match `terms`, best first.
    fn search_photos(
        &self,
        terms: &SearchTerms,
        page: PageNumber,
        per_page: usize,
    ) -> Result<PhotoPage, StoreError>;

    /// Rebuilds the search index from the stored stories and photos, calling `progress` with
    /// (done, total) as it goes; returns how many records it indexed. An engine keeps its
    /// index current by itself: this is for a damaged index, or a change in how text is read.
    fn reindex(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<u64, StoreError>;
}

/// The searchable text of a story or photo, field by field; an engine weighs the headline
/// above the standfirst above the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexedText {
    pub headline: String,
    pub standfirst: String,
    /// Body, bylines, dateline, source, caption and credit of the lead photo.
    pub body: String,
    /// What a desk search matches exactly and never highlights: the slug and the id.
    pub identifiers: String,
}

/// What readers may find a story by: its public text, or nothing while it is not public. Pending
/// changes are never in it.
pub fn reader_text(story: &Story) -> Option<IndexedText> {
    story.reader_view()?;
    Some(text_of(&story.content, story.id, false))
}

/// What the desk finds a story by: its text and, when changes wait, theirs too, with its slug
/// and id.
pub fn desk_text(story: &Story) -> IndexedText {
    let mut text = text_of(&story.content, story.id, true);
    if let Some(pending) = &story.pending {
        let staged = text_of(&pending.content, story.id, true);
        for (into, from) in [
            (&mut text.headline, staged.headline),
            (&mut text.standfirst, staged.standfirst),
            (&mut text.body, staged.body),
            (&mut text.identifiers, staged.identifiers),
        ] {
            if !from.is_empty() && !into.contains(from.as_str()) {
                into.push('\n');
                into.push_str(&from);
            }
        }
    }
    text
}

/// What a photo is found by in the library: its caption, credit and alt text.
pub fn photo_text(photo: &Photo) -> IndexedText {
    IndexedText {
        headline: photo.caption.clone(),
        standfirst: photo.alt.clone(),
        body: photo.credit.clone(),
        identifiers: photo.id.to_string(),
    }
}

fn text_of(
    content: &crate::domain::StoryContent,
    id: StoryId,
    with_identifiers: bool,
) -> IndexedText {
    let mut body = String::new();
    let mut add = |part: &str| {
        if !part.trim().is_empty() {
            if !body.is_empty() {
                body.push('\n');
            }
            body.push_str(part);
        }
    };
    for byline in content.bylines.iter() {
        add(byline.as_str());
    }
    // A story is found by its tags, as readers see them written.
    for tag in &content.tags {
        add(tag.name());
    }
    if let Some(dateline) = &content.dateline {
        add(&dateline.to_string());
    }
    if let Some(source) = &content.source {
        add(source.as_str());
    }
    add(&content.body.plain_text());
    if let Some(photo) = &content.photo {
        add(photo.caption.as_str());
        if let Some(credit) = &photo.credit {
            add(credit.as_str());
        }
    }
    IndexedText {
        headline: content.headline.as_str().to_owned(),
        standfirst: content
            .standfirst
            .as_ref()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        body,
        identifiers: if with_identifiers {
            format!("{} {}", content.slug.as_str(), id)
        } else {
            String::new()
        },
    }
}

/// The id of a photo hit, for engines that index photos beside stories.
pub fn photo_key(id: PhotoId) -> String {
    format!("photo:{id}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Body, Status};

    fn story(body: &str) -> Story {
        let mut story = crate::storage::codec::tests::sample_story();
        story.content.body = Body::parse(body).unwrap();
        story
    }

    #[test]
    fn readers_find_nothing_of_a_story_that_is_not_public() {
        let mut story = story("Envoys met.");
        story.status = Status::Draft;
        assert_eq!(reader_text(&story), None);
        assert!(desk_text(&story).body.contains("Envoys met."));
    }

    #[test]
    fn pending_text_is_the_desks_alone() {
        let mut story = story("Envoys met.");
        story.status = Status::Published;
        story.published_at = Some(story.created_at);
        let mut staged = story.content.clone();
        staged.body = Body::parse("A secret paragraph.").unwrap();
        story.stage(staged, None, story.created_at);
        let readers = reader_text(&story).unwrap();
        assert!(!readers.body.contains("secret"));
        assert!(desk_text(&story).body.contains("secret"));
        assert!(
            desk_text(&story)
                .identifiers
                .contains(&story.id.to_string())
        );
        assert!(readers.identifiers.is_empty());
    }
}
