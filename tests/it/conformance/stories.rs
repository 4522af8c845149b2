//! Saving stories: revisions and slugs.

use super::draft;
use crate::helpers::TestSite;
use newsroom::domain::{Headline, Slug};
use newsroom::storage::StoreError;

pub fn a_stale_revision_is_a_conflict_and_changes_nothing(site: &TestSite) {
    let store = site.open();
    let first = store
        .save_story(&draft("Talks begin", "world", 0), None)
        .unwrap();
    let mut second = first.clone();
    second.content.headline = Headline::parse("Talks go on").unwrap();
    let second = store.save_story(&second, Some(first.revision)).unwrap();
    let mut stale = first.clone();
    stale.content.headline = Headline::parse("Talks end").unwrap();

    let refused = store.save_story(&stale, Some(first.revision));

    match refused {
        Err(StoreError::Conflict { current }) => assert_eq!(*current, second),
        other => panic!("a stale save gave {other:?}"),
    }
    assert_eq!(store.story(first.id).unwrap(), Some(second.clone()));
    let revisions: Vec<u64> = store
        .story_revisions(first.id)
        .unwrap()
        .iter()
        .map(|s| s.revision)
        .collect();
    assert_eq!(revisions, [second.revision, first.revision]);
}

pub fn a_second_story_with_a_taken_slug_is_refused_and_the_first_is_untouched(site: &TestSite) {
    let store = site.open();
    let first = store
        .save_story(&draft("Storm hits the coast", "world", 0), None)
        .unwrap();
    let mut twin = draft("Storm hits the coast", "business", 1);
    twin.content.body = newsroom::domain::Body::parse("Another story altogether.").unwrap();

    let refused = store.save_story(&twin, None);

    assert!(
        matches!(refused, Err(StoreError::SlugTaken(_))),
        "{refused:?}"
    );
    assert_eq!(
        store.story_by_slug(&first.content.slug).unwrap(),
        Some(first.clone())
    );
    assert_eq!(store.story(twin.id).unwrap(), None);
}

pub fn changing_a_slug_frees_the_old_one(site: &TestSite) {
    let store = site.open();
    let first = store
        .save_story(&draft("Bridge reopens", "world", 0), None)
        .unwrap();
    let old = first.content.slug.clone();
    let mut renamed = first.clone();
    renamed.content.slug = Slug::parse("bridge-reopens-after-repairs").unwrap();
    let renamed = store.save_story(&renamed, Some(first.revision)).unwrap();

    let newcomer = store
        .save_story(&draft("Bridge reopens", "world", 1), None)
        .unwrap();

    assert_eq!(newcomer.content.slug, old);
    assert_eq!(
        store.story_by_slug(&old).unwrap().map(|s| s.id),
        Some(newcomer.id)
    );
    assert_eq!(
        store
            .story_by_slug(&renamed.content.slug)
            .unwrap()
            .map(|s| s.id),
        Some(first.id)
    );
}
