//! Listing pages by number without an OFFSET walk of the archive, as sled's `counted_index`
//! does: `listing_counts` keeps, per listing, its total (level 0) and how many entries fall in
//! each run of 2^20 seconds (level 1, about 12 days) and of 2^12 seconds (level 2, about 68
//! minutes), updated in the story's own transaction. Page N finds the coarse run holding its
//! first entry by a running sum over that listing's level-1 counts (a few hundred rows for a
//! decade), then the fine run inside it (at most 256 rows), then reads entries backwards along
//! the primary key from the end of that run, skipping fewer entries than the run holds. One
//! statement, whose cost does not grow with the page number; page 5,000 of 100,000 stories
//! costs what page 1 costs (see the `deep_pages` test).
//!
//! What it does not bound: entries that share one fine run (a bulk import stamped within the
//! same hour) are stepped over one by one, as sled steps over a 16-second bucket.

/// Seconds in a fine run (level 2) and in a coarse one (level 1), as powers of two. The page
/// statement below spells out 2^12 = 4096 and 2^(20-12) = 256.
const FINE_BITS: u32 = 12;
const COARSE_BITS: u32 = 20;

/// The (level, bucket) counters an entry at `ts` adds to.
pub(super) fn buckets(ts: u32) -> [(i16, i64); 3] {
    [
        (0, 0),
        (1, i64::from(ts >> COARSE_BITS)),
        (2, i64::from(ts >> FINE_BITS)),
    ]
}

/// Finds where a page starts: `start` is the fine run holding entry number `$2` (from the
/// newest, 0-based) of listing `$1`, and how many of the run's newer entries to skip. The
/// statement that follows reads `$3` rows from there.
macro_rules! start_of_page {
    () => {
        "WITH total AS (
             SELECT coalesce((SELECT count FROM listing_counts
                              WHERE listing = $1 AND level = 0 AND bucket = 0), 0) AS n),
         coarse AS (
             SELECT bucket, count, (sum(count) OVER (ORDER BY bucket DESC))::bigint AS upto
             FROM listing_counts WHERE listing = $1 AND level = 1 AND count > 0),
         c AS (
             SELECT bucket, upto - count AS before FROM coarse
             WHERE upto > $2 ORDER BY bucket DESC LIMIT 1),
         fine AS (
             SELECT f.bucket, f.count,
                    c.before + (sum(f.count) OVER (ORDER BY f.bucket DESC))::bigint AS upto
             FROM listing_counts f CROSS JOIN c
             WHERE f.listing = $1 AND f.level = 2 AND f.count > 0
               AND f.bucket >= c.bucket * 256 AND f.bucket < (c.bucket + 1) * 256),
         start AS (
             SELECT bucket, $2 - (upto - count) AS skip FROM fine
             WHERE upto > $2 ORDER BY bucket DESC LIMIT 1) "
    };
}

/// Reads a page of story listing `$1` from where [`start_of_page`] found it, with `$select`.
macro_rules! story_page {
    ($select:literal) => {
        concat!(
            start_of_page!(),
            $select,
            " FROM total, listing_entries e JOIN stories s ON s.id = e.story
              WHERE e.listing = $1 AND e.ts < (SELECT (bucket + 1) * 4096 FROM start)
              ORDER BY e.ts DESC, e.entry DESC
              OFFSET (SELECT skip FROM start) LIMIT $3"
        )
    };
}

/// A page of a story listing: (total, summary) rows.
pub(super) const STORY_PAGE: &str = story_page!("SELECT total.n, s.summary");

/// A page of the corrections listing: (total, story record, note's place) rows.
pub(super) const NOTE_PAGE: &str = story_page!("SELECT total.n, s.record, e.place");

/// The listing key of the whole photo library, newest first.
pub(super) const PHOTOS: &str = "photos";

/// A page of the photo library (`$1` is [`PHOTOS`]): (total, photo record) rows, read along
/// the photos' own (listed_ts, id) index.
pub(super) const PHOTO_PAGE: &str = concat!(
    start_of_page!(),
    "SELECT total.n, p.record FROM total, photos p
     WHERE p.listed_ts < (SELECT (bucket + 1) * 4096 FROM start)
     ORDER BY p.listed_ts DESC, p.id DESC
     OFFSET (SELECT skip FROM start) LIMIT $3"
);

/// The second a photo is listed at: that of its id's time (the first 48 bits of a UUIDv7 are
/// its milliseconds since 1970), so listing by (second, id) is listing by id.
pub(super) fn photo_ts(id: crate::domain::PhotoId) -> u32 {
    let bytes = id.to_bytes();
    let mut millis = [0u8; 8];
    millis[2..].copy_from_slice(&bytes[..6]);
    u32::try_from(u64::from_be_bytes(millis) / 1000).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statement_spells_the_same_run_lengths() {
        assert!(STORY_PAGE.contains(&format!("* {}", 1u32 << (COARSE_BITS - FINE_BITS))));
        assert!(STORY_PAGE.contains(&format!("* {} FROM start", 1u32 << FINE_BITS)));
    }

    #[test]
    fn an_entry_counts_in_the_total_and_in_its_two_runs() {
        let ts = 1_700_000_000u32;
        assert_eq!(
            buckets(ts),
            [
                (0, 0),
                (1, i64::from(ts / (1 << 20))),
                (2, i64::from(ts / 4096))
            ]
        );
    }
}
