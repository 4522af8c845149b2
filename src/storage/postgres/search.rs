//! Search on PostgreSQL: `tsvector` columns beside each story and photo, computed from
//! [`reader_text`], [`desk_text`] and [`photo_text`] here in Rust and written by the same
//! statement as the record (see [`story_write`](super::story_write) and the photo saves), so a
//! search sees every committed write and there is nothing to catch up after a crash.
//!
//! Words are read by the `newsroom` text search configuration (migration 0002): english, with
//! accents folded. Typed words go through `websearch_to_tsquery`, which takes quoted phrases,
//! `-word` and `or`, and never fails on what is typed (punctuation alone finds nothing).
//!
//! Costs: matches are found in the listing the search walks (the front or a section for
//! readers, the desk's listing for its filters), newest first, through the GIN index or the
//! listing's order, whichever the planner judges cheaper for the words given (each search is
//! planned for its own words). At most [`MAX_COUNTED`] + 1 ids are taken, of which the newest
//! [`RANKED`] are ranked by a second statement; a third reads the page's rows and cuts their
//! snippets. Three small statements rather than one large one: each is quick to plan, and the
//! last two are prepared once per connection.

use super::connection::{Db, Params, get};
use super::*;
use crate::domain::SearchTerms;
use crate::storage::search::{
    Audience, IndexedText, MAX_COUNTED, SearchHit, SearchOrder, SearchPage, SearchPosition,
    SearchStore, Snippet, SnippetPart, StorySearch, desk_text, photo_text, reader_text,
};
use ::postgres::types::ToSql;

/// How many of a word's newest matches are ranked by relevance. Ranking reads each
/// candidate's whole `tsvector`; a word found in most stories would otherwise cost a read of
/// most of the table per search. Older matches follow the ranked ones, newest first: a reader
/// after an old story of a common word narrows by more words, a section or dates.
pub(super) const RANKED: i64 = 200;

/// Marks a found word's start and end in `ts_headline`'s output: private-use characters, which
/// are taken out of every indexed text, so they cannot occur in it.
const START: char = '\u{E000}';
const STOP: char = '\u{E001}';

/// How `ts_headline` cuts a snippet: up to two fragments of about 20 words.
const HEADLINE_OPTIONS: &str = "StartSel=\u{E000}, StopSel=\u{E001}, MaxWords=24, MinWords=12, \
     MaxFragments=2, FragmentDelimiter=\" … \"";

/// The `tsvector` of texts $1 (headline, weight A), $2 (standfirst, B) and $3 (the rest, C);
/// NULL when they are.
macro_rules! weighted {
    ($a:literal, $b:literal, $c:literal) => {
        concat!(
            "setweight(to_tsvector('newsroom', ",
            $a,
            "::text), 'A') || setweight(to_tsvector('newsroom', ",
            $b,
            "::text), 'B') || setweight(to_tsvector('newsroom', ",
            $c,
            "::text), 'C')"
        )
    };
}
pub(super) use weighted;

/// The search columns' values for a story: parameters of the statement that writes it.
pub(super) struct StoryColumns {
    reader: Option<IndexedText>,
    /// The reader text ts_headline cuts snippets from.
    reader_text: Option<String>,
    desk: IndexedText,
}

impl StoryColumns {
    pub(super) fn of(story: &Story) -> Self {
        let reader = reader_text(story).map(clean);
        let reader_text = reader.as_ref().map(snippet_source);
        StoryColumns {
            reader: reader.map(as_words),
            reader_text,
            desk: as_words(clean(desk_text(story))),
        }
    }

    /// (reader headline, standfirst, body, snippet text, desk headline, standfirst, body,
    /// identifiers): in this order in the statements' parameters.
    pub(super) fn params(&self) -> [&(dyn ToSql + Sync); 8] {
        let r = self.reader.as_ref();
        [
            field(r.map(|t| &t.headline)),
            field(r.map(|t| &t.standfirst)),
            field(r.map(|t| &t.body)),
            &self.reader_text,
            &self.desk.headline,
            &self.desk.standfirst,
            &self.desk.body,
            &self.desk.identifiers,
        ]
    }
}

fn field(text: Option<&String>) -> &(dyn ToSql + Sync) {
    match text {
        Some(text) => text,
        None => &NO_TEXT,
    }
}

static NO_TEXT: Option<String> = None;

/// The SQL expressions of the three story columns, from parameters `$n..$n+7` as
/// [`StoryColumns::params`] orders them. Written as macros so statements stay literals.
macro_rules! story_columns_sql {
    ($r1:literal, $r2:literal, $r3:literal, $rt:literal, $d1:literal, $d2:literal, $d3:literal, $d4:literal) => {
        concat!(
            $crate::storage::postgres::search::weighted!($r1, $r2, $r3),
            ", ",
            $rt,
            "::text, ",
            $crate::storage::postgres::search::weighted!($d1, $d2, $d3),
            " || to_tsvector('newsroom', ",
            $d4,
            "::text)"
        )
    };
}
pub(super) use story_columns_sql;

/// The photo column's expression from parameters (caption, alt, credit, id).
macro_rules! photo_column_sql {
    ($a:literal, $b:literal, $c:literal, $d:literal) => {
        concat!(
            $crate::storage::postgres::search::weighted!($a, $b, $c),
            " || to_tsvector('newsroom', ",
            $d,
            "::text)"
        )
    };
}
pub(super) use photo_column_sql;

/// A photo's text, as parameters of [`photo_column_sql`].
pub(super) fn photo_params(photo: &Photo) -> [String; 4] {
    let text = as_words(clean(photo_text(photo)));
    [text.headline, text.standfirst, text.body, text.identifiers]
}

/// PostgreSQL's parser reads `Xinhua/Li An` as one file path, `xinhua/li`, which a search for
/// "xinhua" never matches; agency credits are written that way (`(Xinhua/POOL/Xu Jinquan)`).
/// Indexed text and typed words both read a slash as a space, as tantivy's tokenizer does.
/// Snippets are cut from the text as written. The identifiers keep their own form.
fn as_words(text: IndexedText) -> IndexedText {
    let words = |part: String| {
        if part.contains('/') {
            part.replace('/', " ")
        } else {
            part
        }
    };
    IndexedText {
        headline: words(text.headline),
        standfirst: words(text.standfirst),
        body: words(text.body),
        identifiers: text.identifiers,
    }
}

/// Typed words as the engine reads them (see [`as_words`]).
fn query_words(terms: &SearchTerms) -> String {
    terms.as_str().replace('/', " ")
}

/// Takes the snippet markers out of a text, so that every one in `ts_headline`'s output is
/// its own.
fn clean(text: IndexedText) -> IndexedText {
    let strip = |s: String| {
        if s.contains([START, STOP]) {
            s.replace([START, STOP], " ")
        } else {
            s
        }
    };
    IndexedText {
        headline: strip(text.headline),
        standfirst: strip(text.standfirst),
        body: strip(text.body),
        identifiers: strip(text.identifiers),
    }
}

/// What a snippet is cut from: the standfirst and the rest (the headline is shown anyway).
fn snippet_source(text: &IndexedText) -> String {
    if text.standfirst.is_empty() {
        text.body.clone()
    } else {
        format!("{}\n{}", text.standfirst, text.body)
    }
}

/// `ts_headline`'s output as parts.
fn snippet_of(marked: &str) -> Snippet {
    let mut parts = Vec::new();
    let mut highlighted = false;
    let mut rest = marked;
    while !rest.is_empty() {
        let marker = if highlighted { STOP } else { START };
        let (text, after) = match rest.find(marker) {
            Some(at) => (&rest[..at], &rest[at + marker.len_utf8()..]),
            None => (rest, ""),
        };
        // A stray marker of the other kind cannot occur; drop it if it did.
        let text: String = text.chars().filter(|c| *c != START && *c != STOP).collect();
        if !text.is_empty() {
            parts.push(SnippetPart { text, highlighted });
        }
        highlighted = !highlighted;
        rest = after;
    }
    Snippet(parts)
}

/// How many rows a batch of [`SearchStore::reindex`] and of the fill on open writes.
const BATCH: i64 = 500;

/// Writes the story columns of the stories in `rows` (id, revision, record), each unless it
/// has been written since it was read.
fn update_stories<C: GenericClient>(
    db: &mut Db<'_, C>,
    rows: &[::postgres::Row],
    only_missing: bool,
) -> Result<(), StoreError> {
    for row in rows {
        let id: Uuid = get(row, 0)?;
        let revision: i64 = get(row, 1)?;
        let story = decode_story(get(row, 2)?)?;
        let columns = StoryColumns::of(&story);
        let [a, b, c, d, e, f, g, h] = columns.params();
        let params: Params = &[a, b, c, d, e, f, g, h, &id, &revision, &only_missing];
        db.execute(
            concat!(
                "UPDATE stories SET (reader_search, reader_text, desk_search, search_revision) = (",
                story_columns_sql!("$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8"),
                ", revision) WHERE id = $9 AND revision = $10
                 AND (NOT $11 OR search_revision IS DISTINCT FROM revision)"
            ),
            params,
        )?;
    }
    Ok(())
}

fn update_photos<C: GenericClient>(
    db: &mut Db<'_, C>,
    rows: &[::postgres::Row],
) -> Result<(), StoreError> {
    for row in rows {
        let id: Uuid = get(row, 0)?;
        let record: &[u8] = get(row, 1)?;
        let photo = decode_photo(record)?;
        let [a, b, c, d] = photo_params(&photo);
        // Unless the photo was saved again since it was read.
        db.execute(
            concat!(
                "UPDATE photos SET search = ",
                photo_column_sql!("$1", "$2", "$3", "$4"),
                " WHERE id = $5 AND record = $6"
            ),
            &[&a, &b, &c, &d, &id, &record],
        )?;
    }
    Ok(())
}

impl PgStore {
    /// Fills the search columns of rows whose columns are missing or stale: stories and
    /// photos stored before search existed, or written since by a release that does not know
    /// the columns. Called on open and as a server follows the change feed; a look at an
    /// empty partial index when there are none.
    pub(super) fn fill_missing_search(&self) -> Result<u64, StoreError> {
        let mut filled = 0;
        loop {
            let stale = self.read(|db| {
                Ok(db
                    .query_opt(
                        "SELECT 1 FROM stories WHERE search_revision IS DISTINCT FROM revision
                         LIMIT 1",
                        &[],
                    )?
                    .is_some())
            })?;
            if !stale {
                break;
            }
            filled += self.write(|tx| {
                let rows = tx.db.query(
                    "SELECT id, revision, record FROM stories
                     WHERE search_revision IS DISTINCT FROM revision ORDER BY id LIMIT $1",
                    &[&BATCH],
                )?;
                update_stories(&mut tx.db, &rows, true)?;
                Ok(rows.len() as u64)
            })?;
        }
        loop {
            let missing = self.read(|db| {
                Ok(db
                    .query_opt("SELECT 1 FROM photos WHERE search IS NULL LIMIT 1", &[])?
                    .is_some())
            })?;
            if !missing {
                break;
            }
            filled += self.write(|tx| {
                let rows = tx.db.query(
                    "SELECT id, record FROM photos WHERE search IS NULL ORDER BY id LIMIT $1",
                    &[&BATCH],
                )?;
                update_photos(&mut tx.db, &rows)?;
                Ok(rows.len() as u64)
            })?;
        }
        if filled > 0 {
            tracing::info!(
                rows = filled,
                "filled the search columns of rows written without them"
            );
        }
        Ok(filled)
    }
}

/// A search's SQL and parameters, built for its filters.
struct Query {
    sql: String,
    params: Vec<Box<dyn ToSql + Sync + Send>>,
}

impl Query {
    /// Adds a parameter; returns its placeholder.
    fn param(&mut self, value: impl ToSql + Sync + Send + 'static) -> String {
        self.params.push(Box::new(value));
        format!("${}", self.params.len())
    }
}

/// The statement that finds the ids of the matches of `search`, newest first, at most `limit`
/// of them: the listing the search walks, read backwards, with the stories it holds that
/// match. Built for the filters given, and planned for the words given (see
/// [`Db::query_once`]): a rare word is found through the GIN index, a common one by walking
/// the listing until enough match.
fn matched(search: &StorySearch, limit: i64) -> Query {
    let mut query = Query {
        sql: String::new(),
        params: Vec::new(),
    };
    let q = &mut query;
    let (column, time) = match search.audience {
        Audience::Readers => ("reader_search", "published_at"),
        Audience::Desk => ("desk_search", "updated_at"),
    };
    let listing = match search.audience {
        Audience::Readers => search
            .section
            .map_or_else(listings::key_front, listings::key_section),
        Audience::Desk => listings::key_desk(search.status, search.section),
    };
    let listing = q.param(listing);
    let mut conditions = vec![format!("e.listing = {listing}")];
    if let Some(terms) = &search.terms {
        let terms = q.param(query_words(terms));
        conditions.push(format!(
            "s.{column} @@ websearch_to_tsquery('newsroom', {terms})"
        ));
    }
    if let Some(from) = search.from {
        let ts = q.param(i64::from(index_ts(from)));
        let at = q.param(from);
        conditions.push(format!("e.ts >= {ts} AND s.{time} >= {at}"));
    }
    if let Some(until) = search.until {
        let ts = q.param(i64::from(index_ts(until)));
        let at = q.param(until);
        conditions.push(format!("e.ts <= {ts} AND s.{time} < {at}"));
    }
    if let SearchPosition::After(Some(cursor)) = search.position {
        let ts = q.param(i64::from(index_ts(cursor.published_at())));
        let id = q.param(uuid(cursor.id().to_bytes()));
        conditions.push(format!("(e.ts, e.entry) < ({ts}, {id})"));
    }
    let limit = q.param(limit);
    q.sql = format!(
        "SELECT e.story FROM listing_entries e JOIN stories s ON s.id = e.story
         WHERE {}
         ORDER BY e.ts DESC, e.entry DESC LIMIT {limit}",
        conditions.join(" AND ")
    );
    query
}

impl SearchStore for PgStore {
    fn search_stories(&self, search: &StorySearch) -> Result<SearchPage, StoreError> {
        let per_page = search.per_page.max(1);
        let page = match search.position {
            SearchPosition::Page(page) => page,
            // The API's pages: no count beyond the batch.
            SearchPosition::After(_) => {
                let ids = self.read(|db| ids_of(db, matched(search, big(per_page))))?;
                let hits = self.hits(search, &ids)?;
                return Ok(SearchPage {
                    total_items: hits.len() as u64,
                    hits,
                    paging: Paging {
                        current: 1,
                        total: 1,
                    },
                    total_capped: false,
                });
            }
        };
        let cap = i64::try_from(MAX_COUNTED).unwrap_or(i64::MAX);
        let mut ids = self.read(|db| ids_of(db, matched(search, cap.saturating_add(1))))?;
        let counted = ids.len() as u64;
        ids.truncate(usize::try_from(MAX_COUNTED).unwrap_or(usize::MAX));
        let total_items = counted.min(MAX_COUNTED);
        let paging = paging(page, per_page, total_items)?;
        if let (Some(terms), SearchOrder::Relevance) = (&search.terms, search.order) {
            let ranked = ids.len().min(usize::try_from(RANKED).unwrap_or(usize::MAX));
            let newest = &mut ids[..ranked];
            let ranks = self.ranks(search.audience, terms, newest)?;
            // Most relevant first, ties newest first (the order they came in); the older
            // matches keep their newest-first order after them.
            let mut order: Vec<usize> = (0..newest.len()).collect();
            order.sort_by(|a, b| ranks[*b].total_cmp(&ranks[*a]).then(a.cmp(b)));
            let sorted: Vec<Uuid> = order.iter().map(|i| newest[*i]).collect();
            newest.copy_from_slice(&sorted);
        }
        let start = page.index().saturating_mul(per_page).min(ids.len());
        let end = start.saturating_add(per_page).min(ids.len());
        let hits = self.hits(search, &ids[start..end])?;
        Ok(SearchPage {
            hits,
            paging,
            total_items,
            total_capped: counted > MAX_COUNTED,
        })
    }

    fn search_photos(
        &self,
        terms: &SearchTerms,
        page: PageNumber,
        per_page: usize,
    ) -> Result<PhotoPage, StoreError> {
        let per_page = per_page.max(1);
        let offset = big(page.index()).saturating_mul(big(per_page));
        let limit = big(per_page);
        let terms = query_words(terms);
        // A library is thousands of photos: its matches are counted and ranked in full.
        let rows = self.read(|db| {
            db.query(
                "SELECT t.total, p.record
                 FROM (SELECT count(*) AS total FROM photos
                       WHERE search @@ websearch_to_tsquery('newsroom', $1)) t
                 LEFT JOIN LATERAL (
                     SELECT record, ts_rank_cd(search, websearch_to_tsquery('newsroom', $1)) AS rank,
                            id
                     FROM photos WHERE search @@ websearch_to_tsquery('newsroom', $1)
                     ORDER BY rank DESC, id DESC OFFSET $2 LIMIT $3
                 ) p ON true
                 ORDER BY p.rank DESC, p.id DESC",
                &[&terms, &offset, &limit],
            )
        })?;
        let total: i64 = match rows.first() {
            Some(row) => get(row, 0)?,
            None => 0,
        };
        let total_items = u64::try_from(total).unwrap_or(0);
        let paging = paging(page, per_page, total_items)?;
        let mut items = Vec::with_capacity(rows.len());
        for row in &rows {
            if let Some(record) = get::<Option<&[u8]>>(row, 1)? {
                items.push(decode_photo(record)?);
            }
        }
        Ok(PhotoPage {
            items,
            paging,
            total_items,
        })
    }

    fn reindex(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<u64, StoreError> {
        let total = self.read(|db| {
            let row = db.query_one(
                "SELECT (SELECT count(*) FROM stories) + (SELECT count(*) FROM photos)",
                &[],
            )?;
            get::<i64>(&row, 0)
        })?;
        let total = u64::try_from(total).unwrap_or(0);
        let mut done = 0u64;
        progress(done, total);
        let stories = "SELECT id, revision, record FROM stories WHERE id > $1 ORDER BY id LIMIT $2";
        self.in_batches(stories, &mut done, total, progress, |db, rows| {
            update_stories(db, rows, false)
        })?;
        let photos = "SELECT id, record FROM photos WHERE id > $1 ORDER BY id LIMIT $2";
        self.in_batches(photos, &mut done, total, progress, |db, rows| {
            update_photos(db, rows)
        })?;
        Ok(done)
    }
}

/// The story ids a [`matched`] statement finds, in its order.
fn ids_of(db: &mut Db<'_, ::postgres::Client>, q: Query) -> Result<Vec<Uuid>, StoreError> {
    let params: Vec<&(dyn ToSql + Sync)> = q.params.iter().map(|p| &**p as _).collect();
    db.query_once(&q.sql, &params)?
        .iter()
        .map(|row| get(row, 0))
        .collect()
}

impl PgStore {
    /// The relevance of each of `ids` to `terms`, in their order.
    fn ranks(
        &self,
        audience: Audience,
        terms: &SearchTerms,
        ids: &[Uuid],
    ) -> Result<Vec<f32>, StoreError> {
        let terms = query_words(terms);
        let rows = self.read(|db| match audience {
            Audience::Readers => db.query(
                "SELECT u.n, ts_rank_cd(s.reader_search, websearch_to_tsquery('newsroom', $1))
                 FROM unnest($2::uuid[]) WITH ORDINALITY AS u(id, n)
                 JOIN stories s ON s.id = u.id",
                &[&terms, &ids],
            ),
            Audience::Desk => db.query(
                "SELECT u.n, ts_rank_cd(s.desk_search, websearch_to_tsquery('newsroom', $1))
                 FROM unnest($2::uuid[]) WITH ORDINALITY AS u(id, n)
                 JOIN stories s ON s.id = u.id",
                &[&terms, &ids],
            ),
        })?;
        let mut ranks = vec![0.0; ids.len()];
        for row in &rows {
            let n: i64 = get(row, 0)?;
            let rank: Option<f32> = get(row, 1)?;
            if let Some(slot) = usize::try_from(n - 1).ok().and_then(|i| ranks.get_mut(i)) {
                *slot = rank.unwrap_or(0.0);
            }
        }
        Ok(ranks)
    }

    /// The hits of `ids`, in their order, with snippets: readers' cut from the public text
    /// kept beside the story, the desk's from its text as the desk sees it, pending changes
    /// included. A story gone since it was found is left out.
    fn hits(&self, search: &StorySearch, ids: &[Uuid]) -> Result<Vec<SearchHit>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let terms = search.terms.as_ref().map(query_words);
        let audience = search.audience;
        self.read(|db| {
            let rows = match audience {
                Audience::Readers => db.query(
                    "SELECT s.summary, CASE WHEN $2::text IS NOT NULL THEN
                         ts_headline('newsroom', coalesce(s.reader_text, ''),
                                     websearch_to_tsquery('newsroom', $2), $3) END,
                         NULL::bytea
                     FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, n)
                     JOIN stories s ON s.id = u.id
                     WHERE s.public ORDER BY u.n",
                    &[&ids, &terms, &HEADLINE_OPTIONS],
                )?,
                Audience::Desk => db.query(
                    "SELECT s.summary, NULL::text, s.record
                     FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, n)
                     JOIN stories s ON s.id = u.id ORDER BY u.n",
                    &[&ids],
                )?,
            };
            let mut hits = Vec::with_capacity(rows.len());
            let mut desk_texts = Vec::new();
            for row in &rows {
                if let Some(record) = get::<Option<&[u8]>>(row, 2)? {
                    desk_texts.push(snippet_source(&clean(desk_text(&decode_story(record)?))));
                }
                hits.push(SearchHit {
                    story: decode_summary(get(row, 0)?)?,
                    snippet: get::<Option<&str>>(row, 1)?
                        .map(snippet_of)
                        .unwrap_or_default(),
                });
            }
            if let Some(terms) = terms
                && !desk_texts.is_empty()
            {
                let rows = db.query(
                    "SELECT ts_headline('newsroom', u.text, websearch_to_tsquery('newsroom', $1), $2)
                     FROM unnest($3::text[]) WITH ORDINALITY AS u(text, n) ORDER BY u.n",
                    &[&terms, &HEADLINE_OPTIONS, &desk_texts],
                )?;
                for (hit, row) in hits.iter_mut().zip(&rows) {
                    hit.snippet = snippet_of(get(row, 0)?);
                }
            }
            Ok(hits)
        })
    }
}

#[cfg(test)]
impl PgStore {
    /// EXPLAIN ANALYZE of the statement that finds the matches of a page of `search`, for
    /// tests of its plan.
    pub(super) fn explain_search(&self, search: &StorySearch) -> Result<String, StoreError> {
        let cap = i64::try_from(MAX_COUNTED).unwrap_or(i64::MAX);
        let q = matched(search, cap.saturating_add(1));
        let sql = format!("EXPLAIN (ANALYZE, BUFFERS) {}", q.sql);
        let rows = self.read(move |db| {
            let params: Vec<&(dyn ToSql + Sync)> = q.params.iter().map(|p| &**p as _).collect();
            db.query_once(&sql, &params)
        })?;
        rows.iter()
            .map(|row| get::<String>(row, 0))
            .collect::<Result<Vec<_>, _>>()
            .map(|lines| lines.join("\n"))
    }
}

impl PgStore {
    /// Runs `update` on the rows `select` gives (ordered by id, `$1` the last id done, `$2` the
    /// batch size), one transaction a batch, counting them into `done` and telling `progress`.
    fn in_batches(
        &self,
        select: &'static str,
        done: &mut u64,
        total: u64,
        progress: &mut dyn FnMut(u64, u64),
        update: impl Fn(
            &mut Db<'_, ::postgres::Transaction<'_>>,
            &[::postgres::Row],
        ) -> Result<(), StoreError>
        + Sync,
    ) -> Result<(), StoreError> {
        let mut last = Uuid::nil();
        loop {
            let (count, next) = self.write(|tx| {
                let rows = tx.db.query(select, &[&last, &BATCH])?;
                update(&mut tx.db, &rows)?;
                let next = match rows.last() {
                    Some(row) => Some(get::<Uuid>(row, 0)?),
                    None => None,
                };
                Ok((rows.len() as u64, next))
            })?;
            *done += count;
            progress(*done, total.max(*done));
            match next {
                Some(next) => last = next,
                None => return Ok(()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_text_becomes_parts() {
        let snippet = snippet_of("Envoys in \u{E000}Genève\u{E001} held \u{E000}talks\u{E001}.");
        let parts: Vec<(&str, bool)> = snippet
            .parts()
            .iter()
            .map(|p| (p.text.as_str(), p.highlighted))
            .collect();
        assert_eq!(
            parts,
            [
                ("Envoys in ", false),
                ("Genève", true),
                (" held ", false),
                ("talks", true),
                (".", false)
            ]
        );
    }

    #[test]
    fn markers_in_a_text_are_taken_out_before_it_is_indexed() {
        let text = clean(IndexedText {
            body: "a\u{E000}b\u{E001}c".into(),
            ..IndexedText::default()
        });
        assert_eq!(text.body, "a b c");
    }
}
