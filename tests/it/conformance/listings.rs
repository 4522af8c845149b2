//! Listings: order, totals, pages past the end, cursors, the corrections listing.

use super::{at, draft, published};
use crate::helpers::TestSite;
use newsroom::domain::{NoteKind, NoteText, PageNumber, PublicNote, Section, Status, StoryId};
use newsroom::storage::{Cursor, Listing, StatusFilter, StoreError};
use std::collections::HashSet;

fn page(n: u32) -> PageNumber {
    PageNumber::new(n).unwrap()
}

fn section(key: &str) -> Section {
    Section::parse(key).unwrap()
}

/// The headlines of page `n` of `listing`, and the listing's total.
fn headlines(
    store: &dyn newsroom::storage::Store,
    listing: Listing,
    n: u32,
    per_page: usize,
) -> (Vec<String>, u64) {
    let page = store.listing(listing, page(n), per_page).unwrap();
    let headlines = page.items.iter().map(|s| s.headline.to_string()).collect();
    (headlines, page.total_items)
}

pub fn the_front_and_a_section_list_published_stories_newest_first_with_exact_totals(
    site: &TestSite,
) {
    let store = site.open();
    for story in [
        published("World one", "world", 0),
        published("Business one", "business", 1),
        published("World two", "world", 2),
        draft("World draft", "world", 3),
        published("World three", "world", 4),
    ] {
        store.save_story(&story, None).unwrap();
    }

    assert_eq!(
        headlines(&*store, Listing::Published, 1, 3),
        (
            vec![
                "World three".into(),
                "World two".into(),
                "Business one".into()
            ],
            4
        )
    );
    assert_eq!(
        headlines(&*store, Listing::Published, 2, 3),
        (vec!["World one".into()], 4)
    );
    assert_eq!(
        headlines(&*store, Listing::Section(section("world")), 1, 10),
        (
            vec!["World three".into(), "World two".into(), "World one".into()],
            3
        )
    );
    let paging = store
        .listing(Listing::Published, page(2), 3)
        .unwrap()
        .paging;
    assert_eq!((paging.current, paging.total), (2, 2));
}

pub fn the_desk_lists_every_story_last_saved_first_and_filters_by_status_and_section(
    site: &TestSite,
) {
    let store = site.open();
    for story in [
        draft("Draft world", "world", 0),
        published("Live business", "business", 1),
        draft("Draft business", "business", 2),
        published("Live world", "world", 3),
    ] {
        store.save_story(&story, None).unwrap();
    }
    let desk = |status, section| Listing::Desk { status, section };

    assert_eq!(
        headlines(&*store, desk(None, None), 1, 10),
        (
            vec![
                "Live world".into(),
                "Draft business".into(),
                "Live business".into(),
                "Draft world".into()
            ],
            4
        )
    );
    assert_eq!(
        headlines(&*store, desk(Some(StatusFilter::Draft), None), 1, 10),
        (vec!["Draft business".into(), "Draft world".into()], 2)
    );
    assert_eq!(
        headlines(&*store, desk(None, Some(section("business"))), 1, 10),
        (vec!["Draft business".into(), "Live business".into()], 2)
    );
    assert_eq!(
        headlines(
            &*store,
            desk(Some(StatusFilter::Published), Some(section("world"))),
            1,
            10
        ),
        (vec!["Live world".into()], 1)
    );
    assert_eq!(
        headlines(&*store, desk(Some(StatusFilter::Withdrawn), None), 1, 10),
        (vec![], 0)
    );
}

pub fn a_page_past_the_end_is_not_found_but_the_first_page_of_an_empty_listing_is(site: &TestSite) {
    let store = site.open();

    let empty = store.listing(Listing::Published, page(1), 10).unwrap();
    assert!(empty.items.is_empty());
    assert_eq!(empty.total_items, 0);
    assert!(matches!(
        store.listing(Listing::Published, page(2), 10),
        Err(StoreError::NotFound)
    ));
    assert!(store.notes(page(1), 10).unwrap().items.is_empty());
    assert!(matches!(
        store.notes(page(2), 10),
        Err(StoreError::NotFound)
    ));

    for n in 0..4 {
        store
            .save_story(&published(&format!("Story {n}"), "world", n), None)
            .unwrap();
    }
    assert_eq!(
        store
            .listing(Listing::Published, page(2), 2)
            .unwrap()
            .items
            .len(),
        2
    );
    assert!(matches!(
        store.listing(Listing::Published, page(3), 2),
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.listing(Listing::Section(section("business")), page(2), 2),
        Err(StoreError::NotFound)
    ));
}

pub fn cursor_pages_neither_repeat_nor_skip_while_stories_are_published(site: &TestSite) {
    let store = site.open();
    let mut expected: Vec<StoryId> = Vec::new();
    for n in 0..40 {
        let story = store
            .save_story(&published(&format!("Earlier {n}"), "world", n), None)
            .unwrap();
        expected.push(story.id);
    }
    expected.reverse();

    let publisher = {
        let store = store.clone();
        std::thread::spawn(move || {
            for n in 0..40 {
                // Newer than every story listed when the paging began.
                let story = published(&format!("Later {n}"), "world", 1_000 + n);
                store.save_story(&story, None).unwrap();
            }
        })
    };
    let mut seen: Vec<StoryId> = Vec::new();
    let mut after: Option<Cursor> = None;
    loop {
        let batch = store.listing_after(Listing::Published, after, 3).unwrap();
        let Some(last) = batch.last() else { break };
        after = Cursor::after(last);
        assert!(after.is_some(), "a published story gives a cursor");
        seen.extend(batch.iter().map(|s| s.id));
        assert!(seen.len() <= 80, "the cursor pages never end");
    }
    publisher.join().unwrap();

    // The first page may already show some of the later stories; from the first earlier one
    // on, every earlier story comes once, in order.
    let unique: HashSet<StoryId> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "a story came twice");
    let earlier: Vec<StoryId> = seen
        .iter()
        .copied()
        .filter(|id| expected.contains(id))
        .collect();
    assert_eq!(earlier, expected);
    let start = seen.iter().position(|id| expected.contains(id)).unwrap();
    assert_eq!(
        &seen[start..],
        &expected[..],
        "a later story came after an earlier one"
    );
}

pub fn the_corrections_listing_shows_notes_newest_first(site: &TestSite) {
    let store = site.open();
    let note = |text: &str, minutes| PublicNote {
        kind: NoteKind::Correction,
        text: NoteText::parse(text).unwrap(),
        at: at(minutes),
    };
    let mut first = published("Budget passes", "world", 0);
    first.notes = vec![note("First fix", 10), note("Third fix", 30)];
    let mut second = published("Mayor resigns", "world", 1);
    second.notes = vec![note("Second fix", 20)];
    let mut hidden = draft("Not out yet", "world", 2);
    hidden.notes = vec![note("Unseen fix", 40)];
    hidden.status = Status::Draft;
    for story in [&first, &second, &hidden] {
        store.save_story(story, None).unwrap();
    }

    let notes = store.notes(page(1), 2).unwrap();
    let listed: Vec<(String, String)> = notes
        .items
        .iter()
        .map(|n| (n.note.text.to_string(), n.story.headline.to_string()))
        .collect();
    assert_eq!(
        listed,
        [
            ("Third fix".to_owned(), "Budget passes".to_owned()),
            ("Second fix".to_owned(), "Mayor resigns".to_owned()),
        ]
    );
    assert_eq!(notes.total_items, 3);
    let last = store.notes(page(2), 2).unwrap();
    assert_eq!(
        last.items
            .iter()
            .map(|n| n.note.text.to_string())
            .collect::<Vec<_>>(),
        ["First fix"]
    );
}
