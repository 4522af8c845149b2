//! `newsroom reindex`: the search index made again from the stored records, with a progress
//! line on standard error.

use super::{Output, Site};
use std::time::{Duration, Instant};

/// How often the progress line is repeated.
const PROGRESS_EVERY: Duration = Duration::from_secs(2);

pub(super) fn reindex(site: &Site<'_>, output: &mut dyn Output) -> anyhow::Result<()> {
    let mut last = Instant::now();
    let mut failed = None;
    let indexed = site.store.reindex(&mut |done, total| {
        if failed.is_none() && (last.elapsed() >= PROGRESS_EVERY || done == 0) {
            last = Instant::now();
            failed = output.note(&progress(done, total)).err();
        }
    })?;
    output.note(&format!(
        "{}: search index rebuilt, {} records indexed",
        site.storage,
        thousands(indexed)
    ))?;
    Ok(())
}

fn progress(done: u64, total: u64) -> String {
    format!(
        "indexed {} of {} stories",
        thousands(done),
        thousands(total)
    )
}

/// 40000 as "40,000".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reads_with_thousands_separated() {
        assert_eq!(
            progress(40_000, 100_000),
            "indexed 40,000 of 100,000 stories"
        );
        assert_eq!(progress(0, 999), "indexed 0 of 999 stories");
    }
}
