//! Measures the storage engine itself, on a database `seed` filled:
//!
//!     cargo run --release --example store_bench -- (DATA_DIR | postgres://...) [SAVES]
//!
//! - a durable save: SAVES (default 300) new drafts saved one after another, each committed
//!   (flushed to disk, or committed by PostgreSQL) before the next; p50 and p99;
//! - listing pages: page 1 and the deepest page up to 5,000 of every published story, 20 a
//!   page, each read 200 times in turn; p50 and p99, and the ratio of the p50s;
//! - a point read (one story by id), 2,000 times, from a plain thread and from inside an async
//!   runtime (where the PostgreSQL engine hands the call to a thread of its own).
//!
//! Prints one `name value` line per figure.

use anyhow::{Context, Result, bail};
use newsroom::domain::{Body, Bylines, Headline, PageNumber, Section, Story};
use newsroom::settings::{DatabaseUrl, Storage};
use newsroom::storage::{self, Listing};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const READS: usize = 200;
const PER_PAGE: usize = 20;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(database) = args.next() else {
        bail!("usage: store_bench (DATA_DIR | postgres://...) [SAVES]");
    };
    let saves: usize = match args.next() {
        Some(n) => n.parse().context("SAVES is a number")?,
        None => 300,
    };
    let storage = match DatabaseUrl::parse(&database) {
        Ok(url) => Storage::Postgres { url },
        Err(_) => Storage::sled(PathBuf::from(&database)),
    };
    let store = storage::open(&storage, newsroom::clock::Clock::system())
        .with_context(|| format!("opening {storage}"))?;

    let mut took = Vec::with_capacity(saves);
    for n in 0..saves {
        let story = Story::draft(
            Headline::parse(&format!("A draft saved for the benchmark, number {n}"))?,
            Section::parse("world")?,
            Bylines::parse("Staff Reporter")?,
            Body::parse("A paragraph of news, saved and flushed before the next.")?,
            time::OffsetDateTime::now_utc(),
        );
        let started = Instant::now();
        store.save_story(&story, None)?;
        took.push(started.elapsed());
    }
    report("save", &mut took);

    let total = store
        .listing(Listing::Published, PageNumber::FIRST, PER_PAGE)?
        .paging
        .total;
    let deep = total.min(5_000);
    let first = PageNumber::FIRST;
    let last = PageNumber::new(deep).context("a page number")?;
    let (mut shallow, mut deeper) = (Vec::new(), Vec::new());
    for _ in 0..READS {
        for (page, into) in [(first, &mut shallow), (last, &mut deeper)] {
            let started = Instant::now();
            let listed = store.listing(Listing::Published, page, PER_PAGE)?;
            into.push(started.elapsed());
            assert_eq!(
                listed.items.len(),
                PER_PAGE.min(listed.total_items as usize)
            );
        }
    }
    println!("listing_pages {total}");
    let p1 = report("listing_page_1", &mut shallow);
    let pn = report(&format!("listing_page_{deep}"), &mut deeper);
    println!(
        "listing_ratio {:.2}",
        pn.as_secs_f64() / p1.as_secs_f64().max(f64::MIN_POSITIVE)
    );

    let id = store
        .listing(Listing::Published, first, 1)?
        .items
        .first()
        .context("a published story")?
        .id;
    let point_reads = |store: &dyn newsroom::storage::Store| -> Result<Vec<Duration>> {
        (0..2_000)
            .map(|_| {
                let started = Instant::now();
                store.story(id)?;
                Ok(started.elapsed())
            })
            .collect()
    };
    report("point_read", &mut point_reads(&*store)?);
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    let mut in_async = runtime.block_on(async { point_reads(&*store) })?;
    report("point_read_in_async", &mut in_async);
    Ok(())
}

/// Prints p50 and p99 in milliseconds; returns the p50.
fn report(name: &str, took: &mut [Duration]) -> Duration {
    took.sort();
    let at = |q: f64| took[((took.len() as f64 * q) as usize).min(took.len() - 1)];
    let (p50, p99) = (at(0.50), at(0.99));
    println!(
        "{name}_p50_ms {:.3}\n{name}_p99_ms {:.3}",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
    p50
}
