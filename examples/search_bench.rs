//! Measures search on a database `seed` filled (every story says "talks"; each headline
//! carries its own round number, a word found once):
//!
//!     cargo run --release --example search_bench -- (DATA_DIR | postgres://...) [SEARCHES]
//!
//! Readers' searches, page 1 of 10 by relevance: a rare word (a round number, a different one
//! each time), a common word ("talks"), a common word newest first, and page 50 of the common
//! word; the desk's search of the rare word. SEARCHES (default 300) of each, after 20 to warm
//! up; p50 and p99. Prints one `name value` line per figure.

use anyhow::{Context, Result, bail};
use newsroom::domain::{PageNumber, SearchTerms};
use newsroom::settings::{DatabaseUrl, Storage};
use newsroom::storage;
use newsroom::storage::search::{Audience, SearchOrder, SearchPosition, StorySearch};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(database) = args.next() else {
        bail!("usage: search_bench (DATA_DIR | postgres://...) [SEARCHES]");
    };
    let searches: usize = match args.next() {
        Some(n) => n.parse().context("SEARCHES is a number")?,
        None => 300,
    };
    let storage = match DatabaseUrl::parse(&database) {
        Ok(url) => Storage::Postgres { url },
        Err(_) => Storage::sled(PathBuf::from(&database)),
    };
    let store = storage::open(&storage, newsroom::clock::Clock::system())
        .with_context(|| format!("opening {storage}"))?;
    let stories = store
        .listing(storage::Listing::Published, PageNumber::FIRST, 1)?
        .total_items
        .max(1);

    let search = |words: &str, audience, order, page: u32| -> Result<StorySearch> {
        Ok(StorySearch {
            terms: Some(SearchTerms::parse(words)?),
            audience,
            order,
            section: None,
            status: None,
            from: None,
            until: None,
            position: SearchPosition::Page(PageNumber::new(page).context("page")?),
            per_page: 10,
        })
    };
    let rare = |n: usize| format!("{}", (n * 7919) as u64 % stories);
    let cases: Vec<(&str, Case)> = vec![
        (
            "readers_rare",
            Box::new(|n| search(&rare(n), Audience::Readers, SearchOrder::Relevance, 1)),
        ),
        (
            "readers_common",
            Box::new(|_| search("talks", Audience::Readers, SearchOrder::Relevance, 1)),
        ),
        (
            "readers_common_newest",
            Box::new(|_| search("talks", Audience::Readers, SearchOrder::Newest, 1)),
        ),
        (
            "readers_common_page_50",
            Box::new(|_| search("talks", Audience::Readers, SearchOrder::Relevance, 50)),
        ),
        (
            "readers_phrase",
            Box::new(|_| {
                search(
                    "\"without a breakthrough\"",
                    Audience::Readers,
                    SearchOrder::Relevance,
                    1,
                )
            }),
        ),
        (
            "desk_rare",
            Box::new(|n| search(&rare(n), Audience::Desk, SearchOrder::Relevance, 1)),
        ),
    ];
    for (name, case) in &cases {
        let mut took = Vec::with_capacity(searches);
        for n in 0..searches + 20 {
            let query = case(n)?;
            let started = Instant::now();
            let page = store.search_stories(&query)?;
            if n >= 20 {
                took.push(started.elapsed());
            }
            if page.hits.is_empty() {
                bail!("{name}: no hits");
            }
        }
        took.sort();
        println!("search_{name}_p50_ms {:.2}", ms(took[took.len() / 2]));
        println!(
            "search_{name}_p99_ms {:.2}",
            ms(took[took.len() * 99 / 100])
        );
    }
    Ok(())
}

/// A search by its number in the run.
type Case<'a> = Box<dyn Fn(usize) -> Result<StorySearch> + 'a>;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
