//! The search index of the sled engine: what it finds, for whom, and how it survives restarts,
//! damage and restores.

use super::index::Opened;
use super::*;
use crate::domain::{
    Body, Bylines, FocalPoint, Headline, PhotoId, Rendition, Section, Standfirst, Status, Story,
};
use crate::storage::StatusFilter;
use crate::storage::sled_store::SledStore;
use crate::storage::{PhotoStore, StoryStore};
use std::path::Path;
use tempfile::TempDir;
use time::macros::datetime;

fn open(dir: &Path) -> SledStore {
    SledStore::open(dir, 1 << 20).unwrap()
}

fn story(headline: &str, body: &str) -> Story {
    let mut story = Story::draft(
        Headline::parse(headline).unwrap(),
        Section::parse("world").unwrap(),
        Bylines::parse("Ann Lee").unwrap(),
        Body::parse(body).unwrap(),
        datetime!(2026-03-01 09:00 UTC),
    );
    story.updated_at = datetime!(2026-03-01 09:00 UTC);
    story
}

fn published(headline: &str, body: &str) -> Story {
    let mut story = story(headline, body);
    story.publish(datetime!(2026-03-01 10:00 UTC), None);
    story
}

fn search(audience: Audience, words: &str) -> StorySearch {
    StorySearch {
        terms: Some(SearchTerms::parse(words).unwrap()),
        audience,
        order: SearchOrder::Relevance,
        section: None,
        status: None,
        from: None,
        until: None,
        position: SearchPosition::Page(PageNumber::FIRST),
        per_page: 10,
    }
}

fn headlines(store: &SledStore, search: &StorySearch) -> Vec<String> {
    store
        .search_stories(search)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.story.headline.to_string())
        .collect()
}

fn readers(store: &SledStore, words: &str) -> Vec<String> {
    headlines(store, &search(Audience::Readers, words))
}

fn desk(store: &SledStore, words: &str) -> Vec<String> {
    headlines(store, &search(Audience::Desk, words))
}

fn a_photo(caption: &str, credit: &str) -> crate::domain::Photo {
    crate::domain::Photo {
        id: PhotoId::new(),
        content_type: "image/png".into(),
        width: 1200,
        height: 800,
        uploaded_by: None,
        uploaded_at: datetime!(2024-05-01 10:00:00 UTC),
        hash: Some(rand::random()),
        renditions: vec![Rendition {
            width: 320,
            height: 213,
        }],
        caption: caption.into(),
        credit: credit.into(),
        alt: String::new(),
        focal: FocalPoint::CENTRE,
        crops: Vec::new(),
    }
}

#[test]
fn words_are_found_by_their_stems_and_without_their_accents() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path());
    store
        .save_story(
            &published("Envoys meet in Genève", "The talks went on."),
            None,
        )
        .unwrap();

    assert_eq!(readers(&store, "talk"), ["Envoys meet in Genève"]);
    assert_eq!(readers(&store, "Geneve TALKS"), ["Envoys meet in Genève"]);
    assert!(
        readers(&store, "talks Paris").is_empty(),
        "every word is required"
    );
}

#[test]
fn phrases_and_exclusions_are_read_as_typed() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path());
    store
        .save_story(
            &published("Peace talks resume", "Envoys met at dawn."),
            None,
        )
        .unwrap();
    store
        .save_story(
            &published("Talks on peace fail", "Dawn came; envoys left."),
            None,
        )
        .unwrap();

    assert_eq!(readers(&store, "\"peace talks\""), ["Peace talks resume"]);
    assert_eq!(readers(&store, "talks -resume"), ["Talks on peace fail"]);
}

#[test]
fn queries_the_parser_refuses_fall_back_to_plain_words() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path());
    store
        .save_story(&published("Peace talks resume", "Envoys met."), None)
        .unwrap();

    for typed in [
        "\"peace talks",
        "peace: talks",
        "[peace",
        "peace) (",
        "- peace",
    ] {
        assert_eq!(readers(&store, typed), ["Peace talks resume"], "{typed}");
    }
    for typed in ["!!!", "\"", ":", "-", "()"] {
        assert!(readers(&store, typed).is_empty(), "{typed}");
    }
}

#[test]
fn the_desk_finds_drafts_and_pending_changes_that_readers_never_see() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path());
    let draft = store
        .save_story(&story("Budget leak", "A secret memo."), None)
        .unwrap();
    let live = store
        .save_story(&published("Harbour reopens", "Ships return."), None)
        .unwrap();
    let mut staged = live.content.clone();
    staged.body = Body::parse("An embargoed paragraph.").unwrap();
    let mut edited = live.clone();
    edited.stage(staged, None, datetime!(2026-03-01 11:00 UTC));
    store.save_story(&edited, Some(live.revision)).unwrap();

    assert_eq!(desk(&store, "memo"), ["Budget leak"]);
    assert!(readers(&store, "memo").is_empty());
    assert_eq!(desk(&store, "embargoed"), ["Harbour reopens"]);
    assert!(readers(&store, "embargoed").is_empty());
    assert_eq!(readers(&store, "ships"), ["Harbour reopens"]);
    assert_eq!(desk(&store, &draft.id.to_string()), ["Budget leak"]);
    assert_eq!(desk(&store, draft.content.slug.as_str()), ["Budget leak"]);
}

#[test]
fn an_unpublished_story_leaves_readers_results_at_once() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path());
    let live = store
        .save_story(&published("Harbour reopens", "Ships return."), None)
        .unwrap();
    assert_eq!(readers(&store, "harbour"), ["Harbour reopens"]);
    let mut down = live.clone();
    down.status = Status::Unpublished;
    store.save_story(&down, Some(live.revision)).unwrap();

    assert!(readers(&store, "harbour").is_empty());
    assert_eq!(desk(&store, "harbour"), ["Harbour reopens"]);
}

#[test]
fn the_desk_filters_by_status_review_and_section_and_lists_without_words() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path());
    let mut submitted = story("Budget draft", "Numbers.");
    submitted.submitted = true;
    store.save_story(&submitted, None).unwrap();
    store
        .save_story(&published("Budget passes", "Numbers."), None)
        .unwrap();
    let mut sport = published("Budget of the club", "Numbers.");
    sport.content.section = Section::parse("sport").unwrap();
    store.save_story(&sport, None).unwrap();

    let mut query = search(Audience::Desk, "budget");
    query.status = Some(StatusFilter::ForReview);
    assert_eq!(headlines(&store, &query), ["Budget draft"]);
    query.status = Some(StatusFilter::Published);
    query.section = Some(Section::parse("sport").unwrap());
    assert_eq!(headlines(&store, &query), ["Budget of the club"]);
    query.terms = None;
    query.section = None;
    assert_eq!(headlines(&store, &query).len(), 2);
}

#[test]
fn the_headline_weighs_more_than_the_body_and_snippets_mark_the_words() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path());
    store
        .save_story(
            &published("Markets calm", "A word on the harbour at last."),
            None,
        )
        .unwrap();
    store
        .save_story(&published("Harbour reopens", "Ships return."), None)
        .unwrap();

    let page = store
        .search_stories(&search(Audience::Readers, "harbour"))
        .unwrap();

    let found: Vec<_> = page
        .hits
        .iter()
        .map(|h| h.story.headline.to_string())
        .collect();
    assert_eq!(found, ["Harbour reopens", "Markets calm"]);
    assert_eq!(page.total_items, 2);
    let snippet = &page.hits[1].snippet;
    let marked: Vec<_> = snippet
        .parts()
        .iter()
        .filter(|p| p.highlighted)
        .map(|p| p.text.as_str())
        .collect();
    assert_eq!(marked, ["harbour"]);
    let headline_only = &page.hits[0].snippet;
    assert!(
        headline_only
            .parts()
            .iter()
            .any(|p| p.highlighted && p.text == "Harbour")
    );
}

#[test]
fn pages_past_the_last_are_not_found_but_an_empty_first_page_is() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path());
    for n in 0..3 {
        store
            .save_story(&published(&format!("Harbour story {n}"), "Ships."), None)
            .unwrap();
    }
    let mut query = search(Audience::Readers, "harbour");
    query.per_page = 2;
    query.position = SearchPosition::Page("2".parse().unwrap());
    let page = store.search_stories(&query).unwrap();
    assert_eq!((page.hits.len(), page.paging.total), (1, 2));
    query.position = SearchPosition::Page("3".parse().unwrap());
    assert!(matches!(
        store.search_stories(&query),
        Err(StoreError::NotFound)
    ));
    assert!(readers(&store, "nothing").is_empty());
}

#[test]
fn photos_are_found_when_saved() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path());
    let photo = store
        .save_photo(
            &a_photo("The envoy speaks in Genève", "Xinhua"),
            b"x",
            &[b"y".to_vec()],
            &[],
        )
        .unwrap();
    let terms = SearchTerms::parse("geneve xinhua").unwrap();

    let page = store.search_photos(&terms, PageNumber::FIRST, 10).unwrap();

    assert_eq!(
        page.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        [photo.id]
    );
    assert!(
        readers(&store, "geneve").is_empty(),
        "photos are not stories"
    );
}

#[test]
fn a_reopened_index_catches_up_instead_of_rebuilding() {
    let dir = TempDir::new().unwrap();
    {
        let store = open(dir.path());
        store
            .save_story(&published("Harbour reopens", "Ships."), None)
            .unwrap();
        assert_eq!(readers(&store, "harbour").len(), 1);
        // Saved but never searched: the index has not seen it.
        store
            .save_story(&published("Bridge closes", "Cars."), None)
            .unwrap();
    }
    let store = open(dir.path());
    let opened = store.search.as_ref().unwrap().opened();
    assert_eq!(opened, Opened::CaughtUp(1));
    assert_eq!(readers(&store, "bridge"), ["Bridge closes"]);
}

#[test]
fn a_damaged_index_is_rebuilt_on_open() {
    let dir = TempDir::new().unwrap();
    {
        let store = open(dir.path());
        store
            .save_story(&published("Harbour reopens", "Ships."), None)
            .unwrap();
        readers(&store, "harbour");
    }
    let index = dir.path().join(SEARCH_DIR);
    for entry in std::fs::read_dir(&index).unwrap() {
        std::fs::write(entry.unwrap().path(), b"garbage").unwrap();
    }
    let store = open(dir.path());
    assert_eq!(store.search.as_ref().unwrap().opened(), Opened::Rebuilt);
    assert_eq!(readers(&store, "harbour"), ["Harbour reopens"]);
}

#[test]
fn another_databases_index_is_rebuilt() {
    let dir = TempDir::new().unwrap();
    let other = TempDir::new().unwrap();
    {
        let store = open(other.path());
        store
            .save_story(&published("Bridge closes", "Cars."), None)
            .unwrap();
        readers(&store, "bridge");
    }
    {
        let store = open(dir.path());
        store
            .save_story(&published("Harbour reopens", "Ships."), None)
            .unwrap();
    }
    // As if a restore had put another database under this index.
    std::fs::remove_dir_all(dir.path().join(SEARCH_DIR)).unwrap();
    copy_dir(&other.path().join(SEARCH_DIR), &dir.path().join(SEARCH_DIR));

    let store = open(dir.path());
    assert_eq!(store.search.as_ref().unwrap().opened(), Opened::Rebuilt);
    assert!(readers(&store, "bridge").is_empty());
    assert_eq!(readers(&store, "harbour"), ["Harbour reopens"]);
}

#[test]
fn reindex_makes_the_index_again_and_counts() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path());
    store
        .save_story(&published("Harbour reopens", "Ships."), None)
        .unwrap();
    store
        .save_story(&story("Budget leak", "Memo."), None)
        .unwrap();
    let mut seen = Vec::new();

    let indexed = store
        .reindex(&mut |done, total| seen.push((done, total)))
        .unwrap();

    assert_eq!(indexed, 2);
    assert_eq!(seen.last(), Some(&(2, 2)));
    assert_eq!(readers(&store, "harbour"), ["Harbour reopens"]);
    assert_eq!(desk(&store, "memo"), ["Budget leak"]);
}

#[test]
fn the_newest_come_first_and_after_a_cursor_the_rest_follow() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path());
    for (n, hour) in [(1, 10), (2, 11), (3, 12)] {
        let mut s = story(&format!("Harbour story {n}"), "Ships.");
        s.publish(
            datetime!(2026-03-01 00:00 UTC) + time::Duration::hours(hour),
            None,
        );
        store.save_story(&s, None).unwrap();
    }
    let mut query = search(Audience::Readers, "harbour");
    query.order = SearchOrder::Newest;
    query.per_page = 2;
    query.position = SearchPosition::After(None);
    let first = store.search_stories(&query).unwrap();
    let found: Vec<_> = first
        .hits
        .iter()
        .map(|h| h.story.headline.to_string())
        .collect();
    assert_eq!(found, ["Harbour story 3", "Harbour story 2"]);
    let cursor = crate::storage::Cursor::after(&first.hits[1].story).unwrap();
    query.position = SearchPosition::After(Some(cursor));
    assert_eq!(headlines(&store, &query), ["Harbour story 1"]);
}

#[test]
fn standfirsts_are_searched() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path());
    let mut s = published("Harbour reopens", "Ships.");
    s.content.standfirst = Some(Standfirst::parse("Dockers celebrate").unwrap());
    store.save_story(&s, None).unwrap();
    assert_eq!(readers(&store, "docker"), ["Harbour reopens"]);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn a_long_backlog_is_applied_in_the_background_while_searches_say_so() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path());
    readers(&store, "harbour");
    let stories: Vec<Story> = (0..2_100)
        .map(|n| published(&format!("Harbour story {n}"), "Ships."))
        .collect();
    store.import_stories(&stories).unwrap();

    assert!(matches!(
        store.search_stories(&search(Audience::Readers, "harbour")),
        Err(StoreError::SearchUnavailable)
    ));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let page = loop {
        match store.search_stories(&search(Audience::Readers, "harbour")) {
            Err(StoreError::SearchUnavailable) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => break other.unwrap(),
        }
    };
    assert_eq!(page.total_items, MAX_COUNTED);
    assert!(page.total_capped);
}
