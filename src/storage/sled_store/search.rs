//! Search on this engine: a tantivy index in the data directory beside the database
//! (`search/`, which restore's renames of `db` never touch), kept by the store itself from the
//! change feed (see `search/index.rs`), read here.
//!
//! Every search first applies whatever the feed holds that the index has not seen, so a save
//! is found by the next search. Reader hits are checked against the store once more: a story
//! that is not public now is left out, whatever the index says.

use super::SledStore;
use crate::domain::{PageNumber, Paging, Photo, PhotoId, SearchTerms, StoryId, StorySummary};
use crate::storage::search::{
    Audience, MAX_COUNTED, SearchHit, SearchOrder, SearchPage, SearchPosition, SearchStore,
    StorySearch,
};
use crate::storage::{PhotoPage, StoreError};
use index::search_error;
pub(super) use index::{SearchIndex, Source};
use schema::{KIND_DESK, KIND_PHOTO, KIND_READER, nanos};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::Query;
use tantivy::schema::Value;
use tantivy::{DocAddress, Order, Searcher, TantivyDocument};

mod index;
mod query;
mod schema;
#[cfg(test)]
mod tests;

/// The directory of the index, inside the data directory.
pub(super) const SEARCH_DIR: &str = "search";

/// Relevance is ranked among the newest this many matches of a query: a word found in most
/// stories (a common word, a section name) would otherwise have every one of its tens of
/// thousands of matches scored for each page, and readers want the recent ones anyway.
pub(super) const RANKED_CANDIDATES: usize = 10_000;

/// Readers' hits are checked against the store and a few may drop out; the newest-after
/// position reads this many more than a page so that hits in the cursor's second still fill
/// it.
const AFTER_MARGIN: usize = 64;

impl SledStore {
    fn search_index(&self) -> Result<&SearchIndex, StoreError> {
        self.search.as_ref().ok_or(StoreError::SearchUnavailable)
    }
}

impl SearchStore for SledStore {
    fn search_stories(&self, search: &StorySearch) -> Result<SearchPage, StoreError> {
        let index = self.search_index()?;
        let searcher = index.searcher()?;
        let fields = index.fields();
        let readers = search.audience == Audience::Readers;
        let date = if readers {
            fields.published
        } else {
            fields.updated
        };
        let date_name = if readers { "published" } else { "updated" };

        let mut parts: Vec<Box<dyn Query>> = vec![query::term(
            fields.kind,
            if readers { KIND_READER } else { KIND_DESK },
        )];
        let mut words = None;
        if let Some(terms) = &search.terms {
            let text = query::text_fields(fields, !readers);
            let Some(q) = query::text_query(searcher.index(), &text, terms) else {
                return empty_page(search);
            };
            words = Some(q.box_clone());
            parts.push(q);
        } else if readers {
            // Readers always search words; nothing to find without them.
            return empty_page(search);
        }
        if let Some(section) = search.section {
            parts.push(query::term(fields.section, section.key()));
        }
        if !readers && let Some(status) = search.status {
            parts.push(query::term(fields.status, status.key()));
        }
        let mut until = search.until.map(nanos);
        let by_cursor = matches!(search.position, SearchPosition::After(_));
        if let SearchPosition::After(Some(cursor)) = search.position {
            // Everything published up to the end of the cursor's second; the rest of that
            // second is sorted out below, as listings order it (time in seconds, then id).
            let end = nanos(cursor.published_at()).saturating_add(1_000_000_000);
            until = Some(until.map_or(end, |u| u.min(end)));
        }
        if search.from.is_some() || until.is_some() {
            parts.push(query::between(date, search.from.map(nanos), until));
        }
        let query = query::all_of(parts);
        let count = searcher.search(&query, &Count).map_err(search_error)?;
        let (total_items, total_capped) = capped(count);
        let per_page = search.per_page.max(1);

        let (offset, limit, current) = match search.position {
            SearchPosition::Page(page) => (page.index() * per_page, per_page, page.get()),
            SearchPosition::After(_) => (0, per_page + AFTER_MARGIN, 1),
        };
        let total_pages = total_items.div_ceil(per_page as u64).max(1);
        if u64::from(current) > total_pages {
            return Err(StoreError::NotFound);
        }
        let newest = search.order == SearchOrder::Newest || words.is_none() || by_cursor;
        let addresses = if newest {
            newest_first(&searcher, &query, date_name, offset, limit)?
        } else {
            let query = ranked_among_newest(&searcher, query, date, date_name, count)?;
            let top = TopDocs::with_limit(limit)
                .and_offset(offset)
                .order_by_score();
            searcher
                .search(&query, &top)
                .map_err(search_error)?
                .into_iter()
                .map(|(_, address)| address)
                .collect()
        };

        let snippets = match &words {
            Some(words) => Some(
                query::Snippets::new(&searcher, words.as_ref(), fields).map_err(search_error)?,
            ),
            None => None,
        };
        let source = index.source();
        let mut found = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address).map_err(search_error)?;
            let Some(id) = story_id(&doc, fields.key) else {
                continue;
            };
            let Some(story) = source.story(id)? else {
                continue;
            };
            if readers && story.reader_view().is_none() {
                continue;
            }
            found.push((story.summary(), doc));
            if !by_cursor && found.len() == per_page {
                break;
            }
        }
        if let SearchPosition::After(cursor) = search.position {
            // In the listings' order (publication second, then id), so that a page ending
            // inside a second is followed by the rest of that second.
            let key = |s: &StorySummary| (s.published_at.map_or(0, |t| t.unix_timestamp()), s.id);
            found.sort_by_key(|(s, _)| std::cmp::Reverse(key(s)));
            if let Some(cursor) = cursor {
                let end = (cursor.published_at().unix_timestamp(), cursor.id());
                found.retain(|(s, _)| key(s) < end);
            }
            found.truncate(per_page);
        }
        let hits = found
            .into_iter()
            .map(|(story, doc)| SearchHit {
                story,
                snippet: snippets.as_ref().map(|s| s.of(&doc)).unwrap_or_default(),
            })
            .collect();
        Ok(SearchPage {
            hits,
            paging: Paging {
                current,
                total: u32::try_from(total_pages).unwrap_or(u32::MAX),
            },
            total_items,
            total_capped,
        })
    }

    fn search_photos(
        &self,
        terms: &SearchTerms,
        page: PageNumber,
        per_page: usize,
    ) -> Result<PhotoPage, StoreError> {
        let index = self.search_index()?;
        let searcher = index.searcher()?;
        let fields = index.fields();
        let per_page = per_page.max(1);
        let text = query::text_fields(fields, true);
        let Some(words) = query::text_query(searcher.index(), &text, terms) else {
            return photo_page(Vec::new(), page, per_page, 0);
        };
        let query = query::all_of(vec![query::term(fields.kind, KIND_PHOTO), words]);
        let count = searcher.search(&query, &Count).map_err(search_error)? as u64;
        // Before asking for the page: tantivy sets aside room for every hit up to the offset,
        // so a made-up page number would ask for gigabytes.
        if u64::from(page.get()) > count.div_ceil(per_page as u64).max(1) {
            return Err(StoreError::NotFound);
        }
        let top = TopDocs::with_limit(per_page)
            .and_offset(page.index() * per_page)
            .order_by_score();
        let mut items = Vec::with_capacity(per_page);
        for (_, address) in searcher.search(&query, &top).map_err(search_error)? {
            let doc: TantivyDocument = searcher.doc(address).map_err(search_error)?;
            let id = key_of(&doc, fields.key).and_then(|k| {
                k.strip_prefix("photo:")
                    .and_then(|i| i.parse::<PhotoId>().ok())
            });
            if let Some(photo) = id.map(|id| index.source().photo(id)).transpose()?.flatten() {
                items.push(photo);
            }
        }
        photo_page(items, page, per_page, count)
    }

    fn reindex(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<u64, StoreError> {
        self.search_index()?.reindex(progress)
    }
}

fn photo_page(
    items: Vec<Photo>,
    page: PageNumber,
    per_page: usize,
    total_items: u64,
) -> Result<PhotoPage, StoreError> {
    let total_pages = total_items.div_ceil(per_page as u64).max(1);
    if u64::from(page.get()) > total_pages {
        return Err(StoreError::NotFound);
    }
    Ok(PhotoPage {
        items,
        paging: Paging {
            current: page.get(),
            total: u32::try_from(total_pages).unwrap_or(u32::MAX),
        },
        total_items,
    })
}

fn empty_page(search: &StorySearch) -> Result<SearchPage, StoreError> {
    if let SearchPosition::Page(page) = search.position
        && page.get() > 1
    {
        return Err(StoreError::NotFound);
    }
    Ok(SearchPage {
        hits: Vec::new(),
        paging: Paging {
            current: 1,
            total: 1,
        },
        total_items: 0,
        total_capped: false,
    })
}

/// The count as pages show it: at most [`MAX_COUNTED`].
fn capped(count: usize) -> (u64, bool) {
    let count = count as u64;
    (count.min(MAX_COUNTED), count > MAX_COUNTED)
}

fn newest_first(
    searcher: &Searcher,
    query: &dyn Query,
    date: &str,
    offset: usize,
    limit: usize,
) -> Result<Vec<DocAddress>, StoreError> {
    let top = TopDocs::with_limit(limit)
        .and_offset(offset)
        .order_by_fast_field::<i64>(date, Order::Desc);
    Ok(searcher
        .search(query, &top)
        .map_err(search_error)?
        .into_iter()
        .map(|(_, address)| address)
        .collect())
}

/// `query` narrowed to its newest [`RANKED_CANDIDATES`] matches when it has more.
fn ranked_among_newest(
    searcher: &Searcher,
    query: Box<dyn Query>,
    date: tantivy::schema::Field,
    date_name: &str,
    count: usize,
) -> Result<Box<dyn Query>, StoreError> {
    if count <= RANKED_CANDIDATES {
        return Ok(query);
    }
    let top = TopDocs::with_limit(1)
        .and_offset(RANKED_CANDIDATES - 1)
        .order_by_fast_field::<i64>(date_name, Order::Desc);
    let oldest = searcher
        .search(query.as_ref(), &top)
        .map_err(search_error)?;
    let Some((Some(oldest), _)) = oldest.first() else {
        return Ok(query);
    };
    Ok(query::all_of(vec![
        query,
        query::between(date, Some(*oldest), None),
    ]))
}

fn key_of(doc: &TantivyDocument, key: tantivy::schema::Field) -> Option<&str> {
    doc.get_first(key).and_then(|v| v.as_str())
}

fn story_id(doc: &TantivyDocument, key: tantivy::schema::Field) -> Option<StoryId> {
    key_of(doc, key).and_then(|k| k.parse().ok())
}
