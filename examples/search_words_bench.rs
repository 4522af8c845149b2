//! Measures search on one engine, on a database it fills itself with stories of varied words:
//!
//!     cargo run --release --example search_words_bench -- (DATA_DIR | postgres://...) [COUNT]
//!
//! - seeding: COUNT (default 100,000) published stories through the storage layer, each with a
//!   body of ~200 words drawn from a vocabulary of 30,000 made-up words (a few common, most
//!   rare, as in news copy) and the word "talks" in every one; "quokka" is in one story of
//!   5,000;
//! - indexing: the first search after seeding to succeed (on sled, once the change feed is
//!   applied, in the background for a backlog this long) and a
//!   full `reindex`, as stories per second;
//! - reader queries, relevance order, page 1 of 20: a rare word ("quokka") and a common one
//!   ("talks"), each 300 times; p50 and p99; and the common word newest first;
//! - resident memory of the process after the runs.
//!
//! Prints one `name value` line per figure.

use anyhow::{Context, Result, bail};
use newsroom::domain::{Body, Bylines, Headline, PageNumber, SearchTerms, Section, Story};
use newsroom::settings::{DatabaseUrl, Storage};
use newsroom::storage::search::{Audience, SearchOrder, SearchPosition, StorySearch};
use newsroom::storage::{self, Store};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

const BATCH: usize = 2_000;
const QUERIES: usize = 300;
const VOCABULARY: u64 = 30_000;
const RARE_EVERY: usize = 5_000;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(database) = args.next() else {
        bail!("usage: search_words_bench (DATA_DIR | postgres://...) [COUNT]");
    };
    let count: usize = match args.next() {
        Some(n) => n.parse().context("COUNT is a number")?,
        None => 100_000,
    };
    let storage = match DatabaseUrl::parse(&database) {
        Ok(url) => Storage::Postgres { url },
        Err(_) => Storage::sled(PathBuf::from(&database)),
    };
    let store = storage::open(&storage, newsroom::clock::Clock::system())
        .with_context(|| format!("opening {storage}"))?;

    let started = Instant::now();
    seed(&*store, count)?;
    let seeded = started.elapsed();
    println!("seed_s {:.1}", seeded.as_secs_f64());
    println!("seed_per_s {:.0}", count as f64 / seeded.as_secs_f64());

    let started = Instant::now();
    // A backlog this long is applied in the background, searches saying so meanwhile.
    let first = loop {
        match store.search_stories(&search("talks", SearchOrder::Relevance)?) {
            Err(newsroom::storage::StoreError::SearchUnavailable) => {
                std::thread::sleep(Duration::from_millis(50));
            }
            other => break other?,
        }
    };
    let caught_up = started.elapsed();
    println!("first_search_s {:.1}", caught_up.as_secs_f64());
    println!("first_search_hits {}", first.total_items);

    let started = Instant::now();
    let indexed = store.reindex(&mut |done, total| {
        if done % 20_000 == 0 {
            eprintln!("indexed {done} of {total}");
        }
    })?;
    let took = started.elapsed();
    println!("reindex_s {:.1}", took.as_secs_f64());
    if indexed > 0 {
        println!("reindex_per_s {:.0}", indexed as f64 / took.as_secs_f64());
    }

    for (name, words, order) in [
        ("rare", "quokka", SearchOrder::Relevance),
        ("common", "talks", SearchOrder::Relevance),
        ("common_newest", "talks", SearchOrder::Newest),
        ("two_words", "talks quokka", SearchOrder::Relevance),
    ] {
        let query = search(words, order)?;
        let page = store.search_stories(&query)?;
        println!("{name}_hits {}", page.total_items);
        let mut took = Vec::with_capacity(QUERIES);
        for _ in 0..QUERIES {
            let started = Instant::now();
            let page = store.search_stories(&query)?;
            took.push(started.elapsed());
            if page.hits.is_empty() {
                bail!("{words} finds no stories");
            }
        }
        report(name, &mut took);
    }
    println!("rss_mib {:.0}", rss_kib()? as f64 / 1024.0);
    Ok(())
}

fn search(words: &str, order: SearchOrder) -> Result<StorySearch> {
    Ok(StorySearch {
        terms: Some(SearchTerms::parse(words)?),
        audience: Audience::Readers,
        order,
        section: None,
        status: None,
        from: None,
        until: None,
        position: SearchPosition::Page(PageNumber::FIRST),
        per_page: 20,
    })
}

fn seed(store: &dyn Store, count: usize) -> Result<()> {
    let sections: Vec<Section> = Section::all().collect();
    let bylines = Bylines::parse("Staff Reporter")?;
    let first = OffsetDateTime::now_utc() - time::Duration::minutes(count as i64 + 1);
    let mut random = 0x2545_f491_4f6c_dd1d_u64;
    let mut written = 0;
    while written < count {
        let batch: Vec<Story> = (written..count.min(written + BATCH))
            .map(|n| -> Result<Story> {
                let at = first + time::Duration::minutes(n as i64);
                let mut words: Vec<String> = (0..200).map(|_| word(next(&mut random))).collect();
                words.push("talks".into());
                if n % RARE_EVERY == 0 {
                    words.push("quokka".into());
                }
                let headline = format!(
                    "{} {} {} story {n}",
                    word(next(&mut random)),
                    word(next(&mut random)),
                    word(next(&mut random))
                );
                let mut story = Story::draft(
                    Headline::parse(&headline)?,
                    sections[n % sections.len()],
                    bylines.clone(),
                    Body::parse(&words.join(" "))?,
                    at,
                );
                story.publish(at, None);
                Ok(story)
            })
            .collect::<Result<_>>()?;
        written += store.import_stories(&batch)?;
        if written % 20_000 < BATCH {
            eprintln!("{written} stories");
        }
    }
    Ok(())
}

/// xorshift64: the same stories on every engine and every run.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// A made-up word; low numbers far more often than high ones, as words are in text.
fn word(random: u64) -> String {
    let uniform = (random % 1_000_000) as f64 / 1_000_000.0;
    let rank = (VOCABULARY as f64).powf(uniform) as u64;
    const SYLLABLES: [&str; 20] = [
        "ka", "lo", "mi", "ne", "ru", "sa", "te", "vo", "zi", "po", "da", "fe", "gu", "ha", "ji",
        "bo", "ce", "wy", "xu", "to",
    ];
    let mut n = rank;
    let mut out = String::new();
    loop {
        out.push_str(SYLLABLES[(n % 20) as usize]);
        n /= 20;
        if n == 0 {
            break;
        }
    }
    out.push('n');
    out
}

fn rss_kib() -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("VmRSS in /proc/self/status")
}

/// Prints p50 and p99 in milliseconds.
fn report(name: &str, took: &mut [Duration]) {
    took.sort();
    let at = |q: f64| took[((took.len() as f64 * q) as usize).min(took.len() - 1)];
    println!(
        "{name}_p50_ms {:.2}\n{name}_p99_ms {:.2}",
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3
    );
}
