//! Fills a database with published stories for benchmarks, through the storage layer:
//!
//!     cargo run --release --example seed -- DATA_DIR COUNT
//!
//! Each story has a standfirst, a dateline and a body of three pages, published one minute
//! apart, newest last; sections take turns. Prints the path of one article to measure.

use anyhow::{Context, Result, bail};
use newsroom::domain::{Body, Bylines, Dateline, Headline, Section, Source, Standfirst, Story};
use newsroom::storage;
use newsroom::urls;
use std::path::PathBuf;
use std::time::Instant;
use time::{Duration, OffsetDateTime};

/// Stories written per flush: large enough that flushing is not the cost, small enough to
/// keep memory flat at a million stories.
const BATCH: usize = 2_000;

const PARAGRAPH: &str = "The UN Special Envoy said on Friday night that the latest round of \
    talks concluded with incremental progress but without a breakthrough, and that the next \
    round would convene in early September.";

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(count)) = (args.next(), args.next()) else {
        bail!("usage: seed DATA_DIR COUNT");
    };
    let dir = PathBuf::from(dir);
    let count: usize = count.parse().context("COUNT is a number")?;
    let store = storage::open(
        &newsroom::settings::Storage::sled(&dir),
        newsroom::clock::Clock::system(),
    )
    .with_context(|| format!("opening the database at {}", dir.display()))?;

    let page = [PARAGRAPH; 4].join("\n\n");
    let body = Body::parse(&format!(
        "{page}\n\n<!--nextpage-->\n\n{page}\n\n<!--nextpage-->\n\n{page}"
    ))?;
    let sections: Vec<Section> = Section::all().collect();
    let source = Source::parse("Xinhua")?;
    let bylines = Bylines::parse("Staff Reporter")?;
    let standfirst = Standfirst::parse("Talks end with incremental progress, no breakthrough.")?;
    let first = OffsetDateTime::now_utc() - Duration::minutes(count as i64 + 1);

    let started = Instant::now();
    let mut written = 0;
    let mut sample = None;
    while written < count {
        let batch: Vec<Story> = (written..count.min(written + BATCH))
            .map(|n| -> Result<Story> {
                let at = first + Duration::minutes(n as i64);
                let headline =
                    Headline::parse(&format!("Peace talks round {n} end without a breakthrough"))?;
                let mut story = Story::draft(
                    headline,
                    sections[n % sections.len()],
                    bylines.clone(),
                    body.clone(),
                    at,
                );
                story.content.standfirst = Some(standfirst.clone());
                story.content.source = Some(source.clone());
                story.content.dateline =
                    Some(Dateline::parse("GENEVA, July 14 (Xinhua)", at.date())?);
                story.published_at = Some(at);
                story.publish(at, None);
                Ok(story)
            })
            .collect::<Result<_>>()?;
        written += store.import_stories(&batch)?;
        if sample.is_none() {
            // A story from the middle of the first batch: an ordinary, uncached article.
            let story = &batch[batch.len() / 2];
            sample = Some(urls::article(
                story.published_at.context("published")?,
                &story.content.slug,
                1,
            ));
        }
        if written % 100_000 < BATCH {
            eprintln!("{written} stories ({:.0?})", started.elapsed());
        }
    }
    eprintln!("{written} stories written in {:.1?}", started.elapsed());
    println!("{}", sample.context("no story written")?);
    Ok(())
}
