//! Fills a database with published stories for benchmarks, through the storage layer:
//!
//!     cargo run --release --example seed -- (DATA_DIR | postgres://...) COUNT [PATHS_FILE]
//!
//! Each story has a standfirst, a dateline and a body of three pages, published one minute
//! apart, newest last; sections take turns. Prints the path of one article to measure, and
//! writes every article's path to PATHS_FILE, one a line, when it is given.

use anyhow::{Context, Result, bail};
use newsroom::domain::{Body, Bylines, Dateline, Headline, Section, Source, Standfirst, Story};
use newsroom::settings::{DatabaseUrl, Storage};
use newsroom::storage;
use newsroom::urls;
use std::io::Write;
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
    let (Some(database), Some(count)) = (args.next(), args.next()) else {
        bail!("usage: seed (DATA_DIR | postgres://...) COUNT [PATHS_FILE]");
    };
    let count: usize = count.parse().context("COUNT is a number")?;
    let storage = match DatabaseUrl::parse(&database) {
        Ok(url) => Storage::Postgres { url },
        Err(_) => Storage::sled(PathBuf::from(&database)),
    };
    let store = storage::open(&storage, newsroom::clock::Clock::system())
        .with_context(|| format!("opening {storage}"))?;
    let mut paths = match args.next() {
        Some(file) => Some(std::io::BufWriter::new(
            std::fs::File::create(&file).with_context(|| format!("creating {file}"))?,
        )),
        None => None,
    };

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
        if let Some(paths) = &mut paths {
            for story in &batch {
                let at = story.published_at.context("published")?;
                writeln!(paths, "{}", urls::article(at, &story.content.slug, 1))?;
            }
        }
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
    if let Some(mut paths) = paths {
        paths.flush()?;
    }
    eprintln!("{written} stories written in {:.1?}", started.elapsed());
    println!("{}", sample.context("no story written")?);
    Ok(())
}
