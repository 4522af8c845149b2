//! A story write inside a transaction: the row (record, summary and the columns looked up), its
//! revision, its listing memberships and their counts, its photo uses and its entry in the
//! change feed; the row's search columns are computed from the story and written with it. Shared by a lone save, [`Store::transaction`], imports and restores.
//!
//! Costs: one read of the stored story and of the slug's owner, then a statement per kind of
//! row written (memberships and counts in one statement each, whatever their number): about
//! eight round trips, all in the caller's transaction.
//!
//! [`Store::transaction`]: crate::storage::Store::transaction

use super::connection::{Db, get};
use super::search::{StoryColumns, story_columns_sql};
use super::*;
use crate::storage::listings::{self, Membership};
use crate::storage::photo_uses;
use std::collections::{BTreeMap, HashSet};

/// What a story write did.
pub(super) struct Written {
    pub(super) stored: Story,
    pub(super) outcome: ImportOutcome,
    /// The public version, when the write moved it.
    pub(super) public: Option<PublicVersion>,
}

pub(super) fn read_story<C: GenericClient>(
    db: &mut Db<'_, C>,
    id: StoryId,
) -> Result<Option<Story>, StoreError> {
    match db.query_opt(
        "SELECT record FROM stories WHERE id = $1",
        &[&uuid(id.to_bytes())],
    )? {
        Some(row) => Ok(Some(decode_story(get(&row, 0)?)?)),
        None => Ok(None),
    }
}

/// Writes `story` by `rule`, checking its revision and slug against what is stored first: a
/// refusal (a stale revision, a slug in use) writes nothing.
pub(super) fn write_story<C: GenericClient>(
    db: &mut Db<'_, C>,
    story: &Story,
    rule: Revision,
    now: OffsetDateTime,
) -> Result<Written, StoreError> {
    let mut stored = story.clone();
    stored.revision = rule.number(story)?;
    let id = uuid(stored.id.to_bytes());
    let row = db.query_one(
        "SELECT (SELECT record FROM stories WHERE id = $1),
                (SELECT id FROM stories WHERE slug = $2)",
        &[&id, &stored.content.slug.as_str()],
    )?;
    let old = match get::<Option<&[u8]>>(&row, 0)? {
        Some(bytes) => Some(decode_story(bytes)?),
        None => None,
    };
    let slug_owner: Option<Uuid> = get(&row, 1)?;
    // Against the story stored now, inside the transaction, as every engine does.
    let public = stored.record_public_change(old.as_ref(), now);
    let outcome = rule.judge(old.as_ref(), stored.revision)?;
    if outcome == ImportOutcome::Unchanged {
        return Ok(Written {
            stored,
            outcome,
            public: None,
        });
    }
    if slug_owner.is_some_and(|owner| owner != id) {
        return Err(StoreError::SlugTaken(stored.content.slug.to_string()));
    }

    let record = encode_story(&stored)?;
    let summary = encode_summary(&stored.summary())?;
    let scheduled_at = match stored.status {
        Status::Scheduled(at) => Some(at),
        _ => None,
    };
    let bylines: Vec<&str> = stored.content.bylines.iter().map(|b| b.as_str()).collect();
    let search = StoryColumns::of(&stored);
    let [r1, r2, r3, rt, d1, d2, d3, d4] = search.params();
    db.execute(
        concat!(
            "INSERT INTO stories (id, revision, slug, section, status, scheduled_at, headline,
                 bylines, submitted, sent_back, pending, assignee, author, published_at,
                 updated_at, public, record, summary, search_revision, reader_search, reader_text,
                 desk_search)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $2, ",
            story_columns_sql!("$19", "$20", "$21", "$22", "$23", "$24", "$25", "$26"),
            ")
             ON CONFLICT (id) DO UPDATE SET revision = EXCLUDED.revision, slug = EXCLUDED.slug,
                 section = EXCLUDED.section, status = EXCLUDED.status,
                 scheduled_at = EXCLUDED.scheduled_at, headline = EXCLUDED.headline,
                 bylines = EXCLUDED.bylines, submitted = EXCLUDED.submitted,
                 sent_back = EXCLUDED.sent_back, pending = EXCLUDED.pending,
                 assignee = EXCLUDED.assignee, author = EXCLUDED.author,
                 published_at = EXCLUDED.published_at, updated_at = EXCLUDED.updated_at,
                 public = EXCLUDED.public, record = EXCLUDED.record, summary = EXCLUDED.summary,
                 search_revision = EXCLUDED.search_revision,
                 reader_search = EXCLUDED.reader_search, reader_text = EXCLUDED.reader_text,
                 desk_search = EXCLUDED.desk_search"
        ),
        &[
            &id,
            &revision_sql(stored.revision)?,
            &stored.content.slug.as_str(),
            &stored.content.section.key(),
            &StatusFilter::of(stored.status).key(),
            &scheduled_at,
            &stored.content.headline.as_str(),
            &bylines,
            &stored.submitted,
            &stored.sent_back.is_some(),
            &stored.pending.is_some(),
            &stored.assignee.map(|u| uuid(u.to_bytes())),
            &stored.author.map(|u| uuid(u.to_bytes())),
            &stored.published_at,
            &stored.updated_at,
            &stored.is_public(),
            &record,
            &summary,
            r1,
            r2,
            r3,
            rt,
            d1,
            d2,
            d3,
            d4,
        ],
    )?;
    db.execute(
        "INSERT INTO story_revisions (story, revision, record) VALUES ($1, $2, $3)
         ON CONFLICT (story, revision) DO UPDATE SET record = EXCLUDED.record",
        &[&id, &revision_sql(stored.revision)?, &record],
    )?;
    update_listings(db, old.as_ref(), &stored)?;
    update_photo_uses(db, old.as_ref(), &stored)?;
    // Readers' pages change when something they see of the story changes; changes staged on
    // a live story leave every cached page valid.
    let public = record_change(db, ChangeSubject::Story(stored.id), public, now)?;
    Ok(Written {
        stored,
        outcome,
        public,
    })
}

/// A revision as PostgreSQL's `bigint`; [`MAX_REVISION`] keeps every real one in range.
pub(super) fn revision_sql(revision: u64) -> Result<i64, StoreError> {
    i64::try_from(revision).map_err(|_| StoreError::RevisionLimit(revision))
}

/// A membership row: listing, ts, entry, story, place in the story's notes.
type Row = (Membership, StoryId, Option<u32>);

fn rows_of(story: &Story) -> Vec<Row> {
    let mut rows: Vec<Row> = listings::memberships_of(story)
        .into_iter()
        .map(|m| (m, story.id, None))
        .collect();
    rows.extend(
        listings::note_memberships_of(story)
            .into_iter()
            .map(|n| (n.membership, n.story, Some(n.place))),
    );
    rows
}

/// Brings the story's listing memberships, and the counts over them, from what `old` had to
/// what `new` has. A membership whose listing and position are unchanged is left alone (the
/// page reads the summary from the story's row), so most saves of a draft touch only the desk
/// listings' rows, and counts only when the save crosses into another bucket.
fn update_listings<C: GenericClient>(
    db: &mut Db<'_, C>,
    old: Option<&Story>,
    new: &Story,
) -> Result<(), StoreError> {
    let before = old.map(rows_of).unwrap_or_default();
    let after = rows_of(new);
    let kept: HashSet<&Membership> = before
        .iter()
        .map(|(m, ..)| m)
        .filter(|m| after.iter().any(|(n, ..)| n == *m))
        .collect();
    let gone: Vec<&Row> = before.iter().filter(|(m, ..)| !kept.contains(m)).collect();
    let added: Vec<&Row> = after.iter().filter(|(m, ..)| !kept.contains(m)).collect();
    let mut deltas: BTreeMap<(&str, i16, i64), i64> = BTreeMap::new();
    for ((m, ..), delta) in gone
        .iter()
        .map(|row| (*row, -1))
        .chain(added.iter().map(|row| (*row, 1)))
    {
        for (level, bucket) in counts::buckets(m.ts) {
            *deltas
                .entry((m.listing.as_str(), level, bucket))
                .or_default() += delta;
        }
    }
    if !gone.is_empty() {
        let (listing, ts, entry) = columns(&gone);
        db.execute(
            "DELETE FROM listing_entries
             WHERE (listing, ts, entry) IN
                   (SELECT * FROM unnest($1::text[], $2::bigint[], $3::uuid[]))",
            &[&listing, &ts, &entry],
        )?;
    }
    if !added.is_empty() {
        let (listing, ts, entry) = columns(&added);
        let story: Vec<Uuid> = added.iter().map(|(_, s, _)| uuid(s.to_bytes())).collect();
        let place: Vec<Option<i32>> = added
            .iter()
            .map(|(.., p)| p.map(|p| i32::try_from(p).unwrap_or(i32::MAX)))
            .collect();
        db.execute(
            "INSERT INTO listing_entries (listing, ts, entry, story, place)
             SELECT * FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::uuid[], $5::int[])",
            &[&listing, &ts, &entry, &story, &place],
        )?;
    }
    add_to_counts(db, deltas)
}

/// Adds `deltas` (by listing, level and bucket) to the listing counts, in one statement.
pub(super) fn add_to_counts<C: GenericClient>(
    db: &mut Db<'_, C>,
    mut deltas: BTreeMap<(&str, i16, i64), i64>,
) -> Result<(), StoreError> {
    deltas.retain(|_, delta| *delta != 0);
    if deltas.is_empty() {
        return Ok(());
    }
    let listing: Vec<&str> = deltas.keys().map(|(l, ..)| *l).collect();
    let level: Vec<i16> = deltas.keys().map(|(_, level, _)| *level).collect();
    let bucket: Vec<i64> = deltas.keys().map(|(.., bucket)| *bucket).collect();
    let delta: Vec<i64> = deltas.values().copied().collect();
    db.execute(
        "INSERT INTO listing_counts AS c (listing, level, bucket, count)
         SELECT * FROM unnest($1::text[], $2::smallint[], $3::bigint[], $4::bigint[])
         ON CONFLICT (listing, level, bucket) DO UPDATE SET count = c.count + EXCLUDED.count",
        &[&listing, &level, &bucket, &delta],
    )?;
    Ok(())
}

fn columns(rows: &[&Row]) -> (Vec<String>, Vec<i64>, Vec<Uuid>) {
    (
        rows.iter().map(|(m, ..)| m.listing.clone()).collect(),
        rows.iter().map(|(m, ..)| i64::from(m.ts)).collect(),
        rows.iter().map(|(m, ..)| uuid(m.id)).collect(),
    )
}

/// Writes the story's photo uses as `story_photos` rows (marking them as of the story's
/// revision) and the photos readers may load through it as `photo_uses` rows, in one statement.
/// `old` is the story as stored before, whose photos may have to leave `photo_uses`; `None`
/// when that is not known (a rebuild), as then `photo_uses` holds no more than the story's
/// lead photo, which the story still names.
pub(super) fn update_photo_uses<C: GenericClient>(
    db: &mut Db<'_, C>,
    old: Option<&Story>,
    new: &Story,
) -> Result<(), StoreError> {
    let uses = photo_uses::uses_of(new);
    let mut candidates: Vec<Uuid> = old
        .map(photo_uses::uses_of)
        .unwrap_or_default()
        .keys()
        .chain(uses.keys())
        .map(|p| uuid(p.to_bytes()))
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    let photos: Vec<Uuid> = uses.keys().map(|p| uuid(p.to_bytes())).collect();
    let lead: Vec<bool> = uses.values().map(|u| u.lead).collect();
    let inline: Vec<bool> = uses.values().map(|u| u.inline).collect();
    let public: Vec<bool> = uses.values().map(|u| u.public).collect();
    let shown: Vec<Uuid> = uses
        .iter()
        .filter(|(_, u)| u.public)
        .map(|(p, _)| uuid(p.to_bytes()))
        .collect();
    // Each part touches rows no other part does, as statements of one command must.
    db.execute(
        "WITH gone AS (
             DELETE FROM story_photos WHERE story = $1 AND photo <> ALL($2::uuid[])),
         marked AS (
             UPDATE stories SET photos_revision = revision WHERE id = $1),
         hidden AS (
             DELETE FROM photo_uses
             WHERE story = $1 AND photo = ANY($6::uuid[]) AND photo <> ALL($7::uuid[])),
         shown AS (
             INSERT INTO photo_uses (photo, story) SELECT unnest($7::uuid[]), $1
             ON CONFLICT DO NOTHING)
         INSERT INTO story_photos (photo, story, lead, inline, public)
         SELECT p, $1, l, i, s FROM unnest($2::uuid[], $3::bool[], $4::bool[], $5::bool[])
             AS u(p, l, i, s)
         ON CONFLICT (photo, story) DO UPDATE SET lead = EXCLUDED.lead,
             inline = EXCLUDED.inline, public = EXCLUDED.public",
        &[
            &uuid(new.id.to_bytes()),
            &photos,
            &lead,
            &inline,
            &public,
            &candidates,
            &shown,
        ],
    )?;
    Ok(())
}

/// Appends a change to the feed, numbered after every earlier one by the counter in
/// `feed_state`; a change readers can see becomes the public version too, in the same
/// statement. The counter row is locked until the transaction ends, so numbers follow commit
/// order and a follower never skips one. Returns the public version when it moved.
pub(super) fn record_change<C: GenericClient>(
    db: &mut Db<'_, C>,
    subject: ChangeSubject,
    public: bool,
    now: OffsetDateTime,
) -> Result<Option<PublicVersion>, StoreError> {
    let (kind, id) = match subject {
        ChangeSubject::Story(id) => ("story", Some(uuid(id.to_bytes()))),
        ChangeSubject::Photo(id) => ("photo", Some(uuid(id.to_bytes()))),
        ChangeSubject::Site => ("site", None),
    };
    // A restored database may have a public version numbered past the last change: the feed
    // continues after it, so the generation keeps growing.
    let row = db.query_one(
        "WITH f AS (
             UPDATE feed_state SET
                 last_seq = greatest(last_seq, public_generation) + 1,
                 public_generation = CASE WHEN $3 THEN greatest(last_seq, public_generation) + 1
                                          ELSE public_generation END,
                 public_changed_at_ns = CASE WHEN $3 THEN greatest(public_changed_at_ns, $4)
                                             ELSE public_changed_at_ns END
             RETURNING last_seq, public_generation, public_changed_at_ns)
         INSERT INTO changes (seq, at_ns, subject_kind, subject, public)
         SELECT last_seq, $4, $1, $2, $3 FROM f
         RETURNING (SELECT public_generation FROM f), (SELECT public_changed_at_ns FROM f)",
        &[&kind, &id, &public, &nanos(now)],
    )?;
    if !public {
        return Ok(None);
    }
    Ok(Some(public_version_of(get(&row, 0)?, get(&row, 1)?)))
}
