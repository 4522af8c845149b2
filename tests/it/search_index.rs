//! The sled engine's search index through the real binary: it survives a kill, repairs itself
//! from damage at start, and `newsroom reindex` makes it again, with the server stopped or
//! running.

use crate::helpers::{Finished, ServerProcess, TestSite, fixture, import_wire, newsroom, run};
use newsroom::domain::{PageNumber, SearchTerms};
use newsroom::storage::SharedStore;
use newsroom::storage::search::{Audience, SearchOrder, SearchPosition, StorySearch};

const WIRE: &str = "wire-story-syria-talks.txt";
const WIRE_HEADLINE: &str = "Latest peace talks on Syria end without major breakthrough";

fn worked(finished: &Finished) {
    assert!(
        finished.status.success(),
        "stdout: {}\nstderr: {}",
        finished.stdout,
        finished.stderr
    );
}

/// The headlines readers find for `words`.
fn found(store: &SharedStore, words: &str) -> Vec<String> {
    let search = StorySearch {
        terms: Some(SearchTerms::parse(words).unwrap()),
        audience: Audience::Readers,
        order: SearchOrder::Relevance,
        section: None,
        status: None,
        from: None,
        until: None,
        position: SearchPosition::Page(PageNumber::FIRST),
        per_page: 10,
    };
    store
        .search_stories(&search)
        .expect("search")
        .hits
        .into_iter()
        .map(|h| h.story.headline.to_string())
        .collect()
}

fn searched_after_restart(site: &TestSite, words: &str) -> Vec<String> {
    let store = site.open();
    found(&store, words)
}

#[actix_web::test]
async fn a_story_saved_before_a_kill_is_found_after_the_restart_which_catches_up() {
    let site = TestSite::sled();
    let first = ServerProcess::start(&site, site.path().join("first.log")).await;
    worked(&import_wire(&site, &[&fixture(WIRE)]));
    // SIGKILL right after the acknowledged save: nothing is flushed or closed.
    drop(first);

    let second = ServerProcess::start(&site, site.path().join("second.log")).await;
    let log = second.log();
    drop(second);

    assert!(
        log.contains("search index opened and caught up") && !log.contains("applied=0"),
        "the restart caught up with the save (and the first start's new page look):\n{log}"
    );
    assert!(!log.contains("rebuilt from the store"), "{log}");
    assert_eq!(searched_after_restart(&site, "talk Syria"), [WIRE_HEADLINE]);
}

#[actix_web::test]
async fn a_server_starts_over_garbage_in_the_index_and_search_works() {
    let site = TestSite::sled();
    worked(&import_wire(&site, &[&fixture(WIRE)]));
    let index = site.data_dir().unwrap().join("search");
    for entry in std::fs::read_dir(&index).expect("an index beside the database") {
        std::fs::write(entry.unwrap().path(), b"not an index").unwrap();
    }
    std::fs::write(index.join("meta.json"), b"{ broken").unwrap();

    let server = ServerProcess::start(&site, site.path().join("serve.log")).await;
    let log = server.log();
    drop(server);

    assert!(log.contains("rebuilt from the store"), "{log}");
    assert_eq!(
        searched_after_restart(&site, "breakthrough"),
        [WIRE_HEADLINE]
    );
}

#[test]
fn reindex_with_the_server_stopped_reports_its_progress() {
    let site = TestSite::sled();
    worked(&import_wire(&site, &[&fixture(WIRE)]));
    let mut command = newsroom(&site);
    command.arg("reindex");

    let finished = run(command);

    worked(&finished);
    assert!(
        finished.stderr.contains("indexed 0 of"),
        "{}",
        finished.stderr
    );
    assert!(
        finished.stderr.contains("search index rebuilt"),
        "{}",
        finished.stderr
    );
    assert_eq!(searched_after_restart(&site, "Syria"), [WIRE_HEADLINE]);
}

#[actix_web::test]
async fn reindex_while_serving_runs_in_the_server() {
    let site = TestSite::sled();
    worked(&import_wire(&site, &[&fixture(WIRE)]));
    let server = ServerProcess::start(&site, site.path().join("serve.log")).await;
    let mut command = newsroom(&site);
    command.arg("reindex");

    let finished = run(command);

    worked(&finished);
    assert!(
        finished.stderr.contains("indexed 0 of 1 stories"),
        "{}",
        finished.stderr
    );
    assert!(
        finished.stderr.contains("1 records indexed"),
        "{}",
        finished.stderr
    );
    assert!(server.log().contains("kind=\"reindex\"") || server.log().contains("reindex"));
    drop(server);
    assert_eq!(searched_after_restart(&site, "Syria"), [WIRE_HEADLINE]);
}
