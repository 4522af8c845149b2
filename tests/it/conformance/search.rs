//! Search: what readers and the desk find, by which words, filters, orders and positions.
//! Engines rank and cut snippets their own way, so these checks say what is found and what is
//! not, never in which order by relevance, nor a snippet's words.

use super::photos::{photo, save};
use super::{at, draft, published};
use crate::helpers::TestSite;
use newsroom::domain::{Body, PageNumber, SearchTerms, Section, Standfirst, Status, Story};
use newsroom::storage::search::{Audience, SearchOrder, SearchPage, SearchPosition, StorySearch};
use newsroom::storage::{Cursor, StatusFilter, Store, StoreError};
use std::collections::{BTreeSet, HashSet};

fn terms(raw: &str) -> Option<SearchTerms> {
    Some(SearchTerms::parse(raw).unwrap())
}

fn query(audience: Audience, words: &str) -> StorySearch {
    StorySearch {
        terms: terms(words),
        audience,
        order: SearchOrder::Relevance,
        section: None,
        status: None,
        from: None,
        until: None,
        position: SearchPosition::Page(PageNumber::FIRST),
        per_page: 50,
    }
}

fn headlines(page: &SearchPage) -> BTreeSet<String> {
    page.hits
        .iter()
        .map(|h| h.story.headline.to_string())
        .collect()
}

/// The headlines `search` finds on its first page.
fn found(store: &dyn Store, search: &StorySearch) -> BTreeSet<String> {
    headlines(&store.search_stories(search).unwrap())
}

fn readers(store: &dyn Store, words: &str) -> BTreeSet<String> {
    found(store, &query(Audience::Readers, words))
}

fn desk(store: &dyn Store, words: &str) -> BTreeSet<String> {
    found(store, &query(Audience::Desk, words))
}

fn set(headlines: &[&str]) -> BTreeSet<String> {
    headlines.iter().map(|h| (*h).to_owned()).collect()
}

fn with_body(mut story: Story, body: &str) -> Story {
    story.content.body = Body::parse(body).unwrap();
    story
}

pub fn words_are_found_by_their_stem_and_without_their_accents(site: &TestSite) {
    let store = site.open();
    let story = with_body(
        published("Envoys gather in Genève", "world", 0),
        "The talks resumed on Friday.",
    );
    store.save_story(&story, None).unwrap();
    store
        .save_story(&published("Harvest is late", "business", 1), None)
        .unwrap();

    let hit = set(&["Envoys gather in Genève"]);
    assert_eq!(readers(&*store, "Geneve"), hit, "accents are folded");
    assert_eq!(readers(&*store, "genève"), hit);
    assert_eq!(
        readers(&*store, "talk"),
        hit,
        "a word finds its other forms"
    );
    assert_eq!(readers(&*store, "resuming"), hit);
    assert_eq!(readers(&*store, "envoy gathered"), hit);
    assert!(readers(&*store, "breakthrough").is_empty());
    let page = store
        .search_stories(&query(Audience::Readers, "talks"))
        .unwrap();
    assert_eq!(page.total_items, 1);
    assert!(!page.total_capped);
}

pub fn a_quoted_phrase_and_an_excluded_word_narrow_the_hits(site: &TestSite) {
    let store = site.open();
    for story in [
        with_body(
            published("Ceasefire holds", "world", 0),
            "Peace talks resumed in the capital.",
        ),
        with_body(
            published("Markets rally", "business", 1),
            "Talks on peace lifted the markets.",
        ),
    ] {
        store.save_story(&story, None).unwrap();
    }
    assert_eq!(
        readers(&*store, "peace talks"),
        set(&["Ceasefire holds", "Markets rally"])
    );
    assert_eq!(
        readers(&*store, "\"peace talks\""),
        set(&["Ceasefire holds"])
    );
    assert_eq!(
        readers(&*store, "talks -markets"),
        set(&["Ceasefire holds"])
    );
    assert_eq!(
        readers(&*store, "capital OR markets"),
        set(&["Ceasefire holds", "Markets rally"])
    );
}

pub fn readers_find_only_public_stories_and_their_public_text(site: &TestSite) {
    let store = site.open();
    let mut scheduled = draft("Zebra scheduled", "world", 1);
    scheduled.status = Status::Scheduled(at(600));
    let mut unpublished = published("Zebra unpublished", "world", 2);
    unpublished.status = Status::Unpublished;
    let mut withdrawn = published("Zebra withdrawn", "world", 3);
    withdrawn.status = Status::Withdrawn(at(4));
    let mut live = published("Zebra live", "world", 5);
    let mut staged = live.content.clone();
    staged.body = Body::parse("A paragraph about an okapi.").unwrap();
    staged.standfirst = Some(Standfirst::parse("Giraffe news").unwrap());
    live.stage(staged, None, at(6));
    for story in [
        draft("Zebra draft", "world", 0),
        scheduled,
        unpublished,
        withdrawn,
        live,
    ] {
        store.save_story(&story, None).unwrap();
    }

    assert_eq!(readers(&*store, "zebra"), set(&["Zebra live"]));
    assert!(
        readers(&*store, "okapi").is_empty(),
        "pending text is not public"
    );
    assert!(readers(&*store, "giraffe").is_empty());
    assert_eq!(
        desk(&*store, "zebra"),
        set(&[
            "Zebra draft",
            "Zebra scheduled",
            "Zebra unpublished",
            "Zebra withdrawn",
            "Zebra live"
        ])
    );
    assert_eq!(desk(&*store, "okapi"), set(&["Zebra live"]));
    assert_eq!(desk(&*store, "giraffe"), set(&["Zebra live"]));
}

pub fn a_story_that_stops_being_public_is_no_longer_found_by_readers(site: &TestSite) {
    let store = site.open();
    let saved = store
        .save_story(&published("Quokka sighted", "world", 0), None)
        .unwrap();
    assert_eq!(readers(&*store, "quokka"), set(&["Quokka sighted"]));
    let mut unpublished = saved.clone();
    unpublished.status = Status::Unpublished;
    store
        .save_story(&unpublished, Some(saved.revision))
        .unwrap();
    assert!(readers(&*store, "quokka").is_empty());
    assert_eq!(desk(&*store, "quokka"), set(&["Quokka sighted"]));
}

pub fn the_desk_finds_a_story_by_its_slug_and_its_id(site: &TestSite) {
    let store = site.open();
    let story = store
        .save_story(&draft("Budget vote delayed", "politics", 0), None)
        .unwrap();
    store
        .save_story(&draft("Another story", "politics", 1), None)
        .unwrap();
    let hit = set(&["Budget vote delayed"]);
    assert_eq!(desk(&*store, story.content.slug.as_str()), hit);
    assert_eq!(desk(&*store, &story.id.to_string()), hit);
}

pub fn the_desk_filters_by_section_status_review_and_last_save(site: &TestSite) {
    let store = site.open();
    let mut submitted = draft("Otter submitted", "world", 2);
    submitted.submitted = true;
    for story in [
        draft("Otter draft", "world", 0),
        published("Otter live", "business", 1),
        submitted,
        draft("Otter late", "business", 30),
    ] {
        store.save_story(&story, None).unwrap();
    }
    let search = |change: &dyn Fn(&mut StorySearch)| {
        let mut search = query(Audience::Desk, "otter");
        change(&mut search);
        found(&*store, &search)
    };
    assert_eq!(
        search(&|s| s.section = Some(Section::parse("business").unwrap())),
        set(&["Otter live", "Otter late"])
    );
    assert_eq!(
        search(&|s| s.status = Some(StatusFilter::Published)),
        set(&["Otter live"])
    );
    assert_eq!(
        search(&|s| s.status = Some(StatusFilter::Draft)),
        set(&["Otter draft", "Otter submitted", "Otter late"])
    );
    assert_eq!(
        search(&|s| s.status = Some(StatusFilter::ForReview)),
        set(&["Otter submitted"])
    );
    assert_eq!(
        search(&|s| {
            s.status = Some(StatusFilter::Draft);
            s.section = Some(Section::parse("business").unwrap());
        }),
        set(&["Otter late"])
    );
    assert_eq!(
        search(&|s| {
            s.from = Some(at(1));
            s.until = Some(at(30));
        }),
        set(&["Otter live", "Otter submitted"]),
        "from is inclusive, until is not"
    );
    // Without words: the filters alone, newest first.
    let page = store
        .search_stories(&StorySearch {
            terms: None,
            order: SearchOrder::Newest,
            section: Some(Section::parse("world").unwrap()),
            ..query(Audience::Desk, "unused")
        })
        .unwrap();
    let order: Vec<String> = page
        .hits
        .iter()
        .map(|h| h.story.headline.to_string())
        .collect();
    assert_eq!(order, ["Otter submitted", "Otter draft"]);
}

pub fn readers_filter_by_publication_date_and_see_the_newest_first(site: &TestSite) {
    let store = site.open();
    for (n, minutes) in [(1, 0), (2, 10), (3, 20), (4, 30)] {
        store
            .save_story(&published(&format!("Heron {n}"), "world", minutes), None)
            .unwrap();
    }
    let mut search = query(Audience::Readers, "heron");
    search.order = SearchOrder::Newest;
    let order: Vec<String> = store
        .search_stories(&search)
        .unwrap()
        .hits
        .iter()
        .map(|h| h.story.headline.to_string())
        .collect();
    assert_eq!(order, ["Heron 4", "Heron 3", "Heron 2", "Heron 1"]);
    search.from = Some(at(10));
    search.until = Some(at(30));
    assert_eq!(found(&*store, &search), set(&["Heron 2", "Heron 3"]));
    search.section = Some(Section::parse("business").unwrap());
    assert!(found(&*store, &search).is_empty());
}

pub fn cursor_pages_of_a_search_neither_repeat_nor_skip(site: &TestSite) {
    let store = site.open();
    // Two stories in the same second, to page through a tie.
    for (n, minutes) in [(1, 0), (2, 1), (3, 1), (4, 2), (5, 3), (6, 4), (7, 5)] {
        store
            .save_story(&published(&format!("Lynx {n}"), "world", minutes), None)
            .unwrap();
    }
    store
        .save_story(&published("Other news", "world", 6), None)
        .unwrap();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .search_stories(&StorySearch {
                order: SearchOrder::Newest,
                position: SearchPosition::After(after),
                per_page: 3,
                ..query(Audience::Readers, "lynx")
            })
            .unwrap();
        let Some(last) = page.hits.last() else {
            break;
        };
        assert!(page.hits.len() <= 3);
        after = Some(Cursor::after(&last.story).unwrap());
        seen.extend(page.hits.iter().map(|h| h.story.headline.to_string()));
        assert!(seen.len() <= 7, "pages repeat: {seen:?}");
    }
    assert_eq!(seen.len(), 7, "{seen:?}");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 7, "{seen:?}");
    assert_eq!(seen.first().map(String::as_str), Some("Lynx 7"));
}

pub fn pages_of_hits_end_at_the_last_and_no_hits_is_an_empty_first_page(site: &TestSite) {
    let store = site.open();
    for n in 0..5 {
        store
            .save_story(&published(&format!("Walrus {n}"), "world", n), None)
            .unwrap();
    }
    let page = |words: &str, n: u32| {
        store.search_stories(&StorySearch {
            position: SearchPosition::Page(PageNumber::new(n).unwrap()),
            per_page: 2,
            ..query(Audience::Readers, words)
        })
    };
    let mut seen = BTreeSet::new();
    for n in 1..=3 {
        let hits = page("walrus", n).unwrap();
        assert_eq!(hits.total_items, 5);
        assert_eq!(hits.paging.total, 3);
        seen.extend(headlines(&hits));
    }
    assert_eq!(seen.len(), 5);
    assert!(matches!(page("walrus", 4), Err(StoreError::NotFound)));

    let none = page("narwhal", 1).unwrap();
    assert!(none.hits.is_empty());
    assert_eq!(none.total_items, 0);
    assert_eq!(none.paging.current, 1);
    assert!(matches!(page("narwhal", 2), Err(StoreError::NotFound)));

    for punctuation in ["!!!", "\"", "-", "&|()<>:*", "-\"\"", "..."] {
        let hits = page(punctuation, 1).unwrap_or_else(|e| panic!("{punctuation}: {e}"));
        assert!(hits.hits.is_empty(), "{punctuation}");
    }
}

pub fn the_desk_and_readers_get_snippets_of_the_text_found(site: &TestSite) {
    let store = site.open();
    let story = with_body(
        published("Council meets", "world", 0),
        "The council approved the new budget for libraries.",
    );
    store.save_story(&story, None).unwrap();
    for audience in [Audience::Readers, Audience::Desk] {
        let page = store.search_stories(&query(audience, "libraries")).unwrap();
        let snippet = &page.hits[0].snippet;
        assert!(
            snippet.parts().iter().any(|p| p.highlighted),
            "{audience:?}: {snippet:?}"
        );
        assert!(snippet.parts().iter().all(|p| !p.text.contains('\u{E000}')));
    }
}

pub fn photos_are_found_by_caption_credit_and_alt_text(site: &TestSite) {
    let store = site.open();
    let mut first = photo(1);
    first.caption = "Envoys meet in Genève".into();
    first.credit = "Northwind Agency".into();
    first.alt = "Two diplomats shake hands".into();
    let mut second = photo(2);
    second.caption = "Harvest in the valley".into();
    second.credit = "Staff photographer".into();
    second.alt = "Tractors in a field".into();
    let first = save(&*store, &first);
    save(&*store, &second);

    let ids = |words: &str| -> Vec<_> {
        store
            .search_photos(&SearchTerms::parse(words).unwrap(), PageNumber::FIRST, 10)
            .unwrap()
            .items
            .iter()
            .map(|p| p.id)
            .collect()
    };
    assert_eq!(ids("geneve"), [first.id], "caption");
    assert_eq!(ids("northwind"), [first.id], "credit");
    assert_eq!(ids("diplomat"), [first.id], "alt text");
    assert_eq!(ids("tractor valley").len(), 1);
    assert!(ids("breakthrough").is_empty());
    assert!(matches!(
        store.search_photos(
            &SearchTerms::parse("geneve").unwrap(),
            PageNumber::new(2).unwrap(),
            10
        ),
        Err(StoreError::NotFound)
    ));
}

/// Agencies write credits and sources with slashes (`Xinhua/POOL/Xu Jinquan`): each word
/// between them is found, as it is typed with or without them.
pub fn words_joined_by_slashes_are_found_one_by_one(site: &TestSite) {
    let store = site.open();
    let story = with_body(
        published("Syria talks end in Geneva", "world", 0),
        "Delegates leave the hall. (Xinhua/POOL/Xu Jinquan)",
    );
    store.save_story(&story, None).unwrap();

    let hit = set(&["Syria talks end in Geneva"]);
    assert_eq!(readers(&*store, "Xinhua"), hit);
    assert_eq!(readers(&*store, "jinquan"), hit);
    assert_eq!(readers(&*store, "Xinhua/POOL"), hit);
    assert_eq!(desk(&*store, "pool"), hit);
}
