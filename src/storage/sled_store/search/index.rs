//! The search index's life: opened from its directory, caught up with the change feed, and
//! rebuilt from the store when it is missing, damaged, of another schema or of another
//! database (a restore swaps the database under it, and the change numbers may start again).
//!
//! The index keeps the number of the last change it applied in tantivy's commit payload, so
//! documents and number are on disk together or not at all: after a crash it starts from the
//! last commit and applies again what followed (applying a change twice gives the same
//! documents). Beside the number it keeps what identifies the database's history: the time of
//! its first change and of the last one applied, which a restored database does not share
//! (its changes are numbered again from where its backup stood, at other times).
//!
//! Costs: a search first reads the feed after the applied number (one sled range read when
//! nothing is new); each new change is one record read and a delete and an add per document,
//! then one tantivy commit (an fsync) for all of them.

use super::schema::{self, Fields, SCHEMA_VERSION};
use crate::domain::{Photo, PhotoId, Story, StoryId};
use crate::storage::codec::{decode_change, decode_photo, decode_story};
use crate::storage::search::photo_key;
use crate::storage::sled_store::keys::CHANGE_SEQ;
use crate::storage::{Change, ChangeSubject, StoreError};
use serde::{Deserialize, Serialize};
use sled::Tree;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term};

/// The writer's memory before it writes a segment: modest, as the server shares the machine
/// with its database; a rebuild of 100,000 stories makes a handful of segments with it.
const WRITER_BUDGET: usize = 32_000_000;

/// Up to this many stories and photos, a missing index is rebuilt before the store opens
/// (under a few seconds); a bigger site opens at once and rebuilds in the background.
const REBUILD_IN_PLACE_MAX: usize = 5_000;

/// Up to this many changes not yet applied, a search (or the open) applies them itself, in
/// under a second at the ~4,000 stories a second measured; a bigger backlog (a bulk import)
/// is applied on a thread of its own while searches say search is being rebuilt, rather than
/// holding one request for half a minute.
const CATCH_UP_IN_PLACE_MAX: u64 = 2_000;

/// Changes read from the feed at a time while catching up.
const CATCH_UP_BATCH: usize = 1_000;

/// The records the index is made from, read straight from the store's trees (cheap clones of
/// sled handles), so a rebuild can run on its own thread.
#[derive(Clone)]
pub(in crate::storage::sled_store) struct Source {
    pub stories: Tree,
    pub photos: Tree,
    pub changes: Tree,
    pub meta: Tree,
}

impl Source {
    fn changes_after(&self, after: u64, limit: usize) -> Result<Vec<Change>, StoreError> {
        let start = after.saturating_add(1).to_be_bytes();
        self.changes
            .range(start..)
            .take(limit)
            .map(|item| Ok(decode_change(&item?.1)?))
            .collect()
    }

    fn change(&self, seq: u64) -> Result<Option<Change>, StoreError> {
        match self.changes.get(seq.to_be_bytes())? {
            Some(bytes) => Ok(Some(decode_change(&bytes)?)),
            None => Ok(None),
        }
    }

    fn last_seq(&self) -> Result<u64, StoreError> {
        Ok(self
            .meta
            .get(CHANGE_SEQ)?
            .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
            .map_or(0, u64::from_be_bytes))
    }

    pub fn story(&self, id: StoryId) -> Result<Option<Story>, StoreError> {
        match self.stories.get(id.to_bytes())? {
            Some(bytes) => Ok(Some(decode_story(&bytes)?)),
            None => Ok(None),
        }
    }

    pub fn photo(&self, id: PhotoId) -> Result<Option<Photo>, StoreError> {
        match self.photos.get(id.to_bytes())? {
            Some(bytes) => Ok(Some(decode_photo(&bytes)?)),
            None => Ok(None),
        }
    }

    /// When this database's history began: the time of its first change (ns since 1970; 0
    /// before any). A restored database has another, even where its change numbers match.
    fn origin(&self) -> Result<i64, StoreError> {
        Ok(self.change(1)?.map_or(0, |c| schema::nanos(c.at)))
    }
}

/// What a commit of the index records beside its documents.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Payload {
    schema: u32,
    /// [`Source::origin`] of the database indexed.
    origin: i64,
    /// The last change applied, and its time (ns since 1970; 0 for none).
    seq: u64,
    at: i64,
}

/// An open index with its one writer.
struct Live {
    writer: IndexWriter,
    reader: IndexReader,
    applied: u64,
    applied_at: i64,
}

enum State {
    Live(Box<Live>),
    /// Being made from the store; searches answer that search is unavailable meanwhile.
    Rebuilding,
    /// Could not be made (the directory cannot be written, say); the reason is logged.
    Broken,
}

/// How an open went, for the log and for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::storage::sled_store) enum Opened {
    /// The stored index was kept and this many changes applied to it.
    CaughtUp(usize),
    /// Made again from the store, in place.
    Rebuilt,
    /// Being made again on its own thread.
    RebuildingInBackground,
    /// Applying a long backlog of changes on its own thread.
    CatchingUpInBackground,
    Failed,
}

pub(in crate::storage::sled_store) struct SearchIndex {
    dir: PathBuf,
    source: Source,
    fields: Fields,
    state: Arc<Mutex<State>>,
    opened: Opened,
}

impl SearchIndex {
    /// Opens the index in `dir`, catching up with the feed, or rebuilds it. Never fails: an
    /// index that cannot be made leaves searches answering that search is unavailable.
    pub fn open(dir: &Path, source: Source) -> Self {
        let (_, fields) = schema::schema();
        let mut index = Self {
            dir: dir.to_owned(),
            source,
            fields,
            state: Arc::new(Mutex::new(State::Rebuilding)),
            opened: Opened::Failed,
        };
        index.opened = index.start();
        index
    }

    #[cfg(test)]
    pub fn opened(&self) -> Opened {
        self.opened
    }

    fn start(&self) -> Opened {
        match self.open_stored() {
            Ok(live) if self.backlog(&live) > CATCH_UP_IN_PLACE_MAX => {
                self.catch_up_in_background(Box::new(live));
                return Opened::CatchingUpInBackground;
            }
            Ok(mut live) => {
                let from = live.applied;
                match catch_up(&mut live, &self.source, &self.fields) {
                    Ok(applied) => {
                        tracing::info!(
                            from,
                            to = live.applied,
                            applied,
                            "search index opened and caught up with the change feed"
                        );
                        *self.lock() = State::Live(Box::new(live));
                        return Opened::CaughtUp(applied);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "search index: catching up failed; rebuilding")
                    }
                }
            }
            Err(why) => tracing::info!(reason = %why, "search index: rebuilding from the store"),
        }
        let size = self.source.stories.len() + self.source.photos.len();
        if size <= REBUILD_IN_PLACE_MAX {
            match rebuild(&self.dir, &self.source, &self.fields, &mut |_, _| {}) {
                Ok(live) => {
                    *self.lock() = State::Live(Box::new(live));
                    Opened::Rebuilt
                }
                Err(e) => {
                    tracing::error!(error = %e, "search index: rebuild failed");
                    *self.lock() = State::Broken;
                    Opened::Failed
                }
            }
        } else {
            self.rebuild_in_background();
            Opened::RebuildingInBackground
        }
    }

    fn rebuild_in_background(&self) {
        *self.lock() = State::Rebuilding;
        let (dir, source, fields) = (self.dir.clone(), self.source.clone(), self.fields);
        let state = Arc::clone(&self.state);
        let spawned = std::thread::Builder::new()
            .name("search-rebuild".into())
            .spawn(move || {
                let mut last_logged = 0;
                let built = rebuild(&dir, &source, &fields, &mut |done, total| {
                    if done >= last_logged + 10_000 {
                        last_logged = done;
                        tracing::info!(done, total, "search index: rebuilding");
                    }
                });
                let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
                *state = match built {
                    Ok(live) => State::Live(Box::new(live)),
                    Err(e) => {
                        tracing::error!(error = %e, "search index: rebuild failed");
                        State::Broken
                    }
                };
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "search index: cannot start the rebuild");
            *self.lock() = State::Broken;
        }
    }

    /// How many changes the feed holds that `live` has not applied (none when it cannot tell).
    fn backlog(&self, live: &Live) -> u64 {
        self.source
            .last_seq()
            .map_or(0, |last| last.saturating_sub(live.applied))
    }

    /// Applies the backlog on a thread of its own; searches say search is being rebuilt
    /// meanwhile. An index that fails to take it is made again from the store.
    fn catch_up_in_background(&self, mut live: Box<Live>) {
        *self.lock() = State::Rebuilding;
        let (dir, source, fields) = (self.dir.clone(), self.source.clone(), self.fields);
        let state = Arc::clone(&self.state);
        let spawned = std::thread::Builder::new()
            .name("search-catch-up".into())
            .spawn(move || {
                let from = live.applied;
                let done = match catch_up(&mut live, &source, &fields) {
                    Ok(applied) => {
                        tracing::info!(from, to = live.applied, applied, "search index caught up");
                        State::Live(live)
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "search index: catching up failed; rebuilding");
                        drop(live);
                        match rebuild(&dir, &source, &fields, &mut |_, _| {}) {
                            Ok(live) => State::Live(Box::new(live)),
                            Err(e) => {
                                tracing::error!(error = %e, "search index: rebuild failed");
                                State::Broken
                            }
                        }
                    }
                };
                *state.lock().unwrap_or_else(PoisonError::into_inner) = done;
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "search index: cannot start catching up");
            *self.lock() = State::Broken;
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The stored index, if it is whole, of this schema and of this database.
    fn open_stored(&self) -> Result<Live, String> {
        if !self.dir.join("meta.json").exists() {
            return Err("no index yet".into());
        }
        // A damaged index may make tantivy panic rather than fail: either way it is rebuilt.
        let opened = catch_unwind(AssertUnwindSafe(|| self.try_open_stored()));
        opened.unwrap_or_else(|_| Err("the index could not be read".into()))
    }

    fn try_open_stored(&self) -> Result<Live, String> {
        let index = Index::open_in_dir(&self.dir).map_err(|e| e.to_string())?;
        schema::register_analyzers(&index);
        let metas = index.load_metas().map_err(|e| e.to_string())?;
        let payload: Payload = metas
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .ok_or("the index says nothing of what it holds")?;
        if payload.schema != SCHEMA_VERSION {
            return Err(format!("the index is of schema {}", payload.schema));
        }
        let last = self.source.last_seq().map_err(|e| e.to_string())?;
        if payload.seq > last {
            return Err("the index is ahead of the database".into());
        }
        if payload.seq > 0 {
            if self.source.origin().map_err(|e| e.to_string())? != payload.origin {
                return Err("the index is another database's".into());
            }
            let change = self.source.change(payload.seq).map_err(|e| e.to_string())?;
            if let Some(change) = change
                && schema::nanos(change.at) != payload.at
            {
                return Err("the index followed another history of the database".into());
            }
        }
        if index.schema() != schema::schema().0 {
            return Err("the index has other fields".into());
        }
        let (writer, reader) = writer_and_reader(&index).map_err(|e| e.to_string())?;
        // Read every segment once, so a damaged one shows now rather than in a search.
        reader.searcher().segment_readers();
        Ok(Live {
            writer,
            reader,
            applied: payload.seq,
            applied_at: payload.at,
        })
    }

    /// A searcher over everything the store holds now: the feed is applied first.
    pub fn searcher(&self) -> Result<Searcher, StoreError> {
        let mut state = self.lock();
        let State::Live(live) = &mut *state else {
            return Err(StoreError::SearchUnavailable);
        };
        if self.backlog(live) > CATCH_UP_IN_PLACE_MAX {
            if let State::Live(live) = std::mem::replace(&mut *state, State::Rebuilding) {
                drop(state);
                self.catch_up_in_background(live);
            }
            return Err(StoreError::SearchUnavailable);
        }
        if let Err(e) = catch_up(live, &self.source, &self.fields) {
            if matches!(e, StoreError::Search(_)) {
                // The index itself failed (a damaged file, a full disk): made again from the
                // store, while searches say so.
                tracing::error!(error = %e, "search index failed; rebuilding it");
                drop(state);
                self.rebuild_in_background();
                return Err(StoreError::SearchUnavailable);
            }
            return Err(e);
        }
        Ok(live.reader.searcher())
    }

    /// Makes the index again from the store, reporting (done, total); searches answer that
    /// search is unavailable meanwhile.
    pub fn reindex(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<u64, StoreError> {
        {
            let mut state = self.lock();
            if matches!(*state, State::Rebuilding) {
                return Err(StoreError::SearchUnavailable);
            }
            // The old writer goes first: it holds the directory's writer lock.
            *state = State::Rebuilding;
        }
        let mut count = 0;
        let built = rebuild(&self.dir, &self.source, &self.fields, &mut |done, total| {
            count = done;
            progress(done, total);
        });
        let mut state = self.lock();
        match built {
            Ok(live) => {
                *state = State::Live(Box::new(live));
                Ok(count)
            }
            Err(e) => {
                *state = State::Broken;
                Err(e)
            }
        }
    }

    pub(super) fn fields(&self) -> &Fields {
        &self.fields
    }

    pub(super) fn source(&self) -> &Source {
        &self.source
    }
}

fn writer_and_reader(index: &Index) -> tantivy::Result<(IndexWriter, IndexReader)> {
    let writer = index.writer_with_num_threads(1, WRITER_BUDGET)?;
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    Ok((writer, reader))
}

/// Applies the feed after `live.applied`, then commits documents and number together.
fn catch_up(live: &mut Live, source: &Source, fields: &Fields) -> Result<usize, StoreError> {
    let mut applied = 0;
    loop {
        let changes = source.changes_after(live.applied, CATCH_UP_BATCH)?;
        let Some(last) = changes.last() else {
            break;
        };
        for change in &changes {
            apply(&live.writer, source, fields, change.subject)?;
        }
        live.applied = last.seq;
        live.applied_at = schema::nanos(last.at);
        applied += changes.len();
    }
    if applied > 0 {
        commit(live, source)?;
    }
    Ok(applied)
}

fn commit(live: &mut Live, source: &Source) -> Result<(), StoreError> {
    let payload = serde_json::to_string(&Payload {
        schema: SCHEMA_VERSION,
        origin: source.origin()?,
        seq: live.applied,
        at: live.applied_at,
    })
    .map_err(|e| StoreError::Search(Box::new(e)))?;
    let mut prepared = live.writer.prepare_commit().map_err(search_error)?;
    prepared.set_payload(&payload);
    prepared.commit().map_err(search_error)?;
    live.reader.reload().map_err(search_error)?;
    Ok(())
}

/// Puts the documents of what `subject` names as the store holds it now.
fn apply(
    writer: &IndexWriter,
    source: &Source,
    fields: &Fields,
    subject: ChangeSubject,
) -> Result<(), StoreError> {
    match subject {
        ChangeSubject::Story(id) => {
            writer.delete_term(Term::from_field_text(fields.key, &id.to_string()));
            if let Some(story) = source.story(id)? {
                add(writer, schema::story_documents(fields, &story))?;
            }
        }
        ChangeSubject::Photo(id) => {
            writer.delete_term(Term::from_field_text(fields.key, &photo_key(id)));
            if let Some(photo) = source.photo(id)? {
                add(writer, vec![schema::photo_document(fields, &photo)])?;
            }
        }
        ChangeSubject::Site => {}
    }
    Ok(())
}

fn add(writer: &IndexWriter, docs: Vec<TantivyDocument>) -> Result<(), StoreError> {
    for doc in docs {
        writer.add_document(doc).map_err(search_error)?;
    }
    Ok(())
}

/// Makes a new index in `dir` from every story and photo, replacing whatever was there.
fn rebuild(
    dir: &Path,
    source: &Source,
    fields: &Fields,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Live, StoreError> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(StoreError::io("remove", dir))?;
    }
    std::fs::create_dir_all(dir).map_err(StoreError::io("create", dir))?;
    let index = Index::create_in_dir(dir, schema::schema().0).map_err(search_error)?;
    schema::register_analyzers(&index);
    let (writer, reader) = writer_and_reader(&index).map_err(search_error)?;
    // Every change up to here is in the records read below; later ones are applied after.
    let start = source.last_seq()?;
    let start_at = source.change(start)?.map_or(0, |c| schema::nanos(c.at));
    let total = (source.stories.len() + source.photos.len()) as u64;
    let mut done = 0u64;
    progress(done, total);
    for item in source.stories.iter() {
        let (_, bytes) = item?;
        match decode_story(&bytes) {
            Ok(story) => add(&writer, schema::story_documents(fields, &story))?,
            Err(e) => {
                tracing::warn!(error = %e, "search index: a story that cannot be read is left out")
            }
        }
        done += 1;
        if done.is_multiple_of(1_000) {
            progress(done, total);
        }
    }
    for item in source.photos.iter() {
        let (_, bytes) = item?;
        match decode_photo(&bytes) {
            Ok(photo) => add(&writer, vec![schema::photo_document(fields, &photo)])?,
            Err(e) => {
                tracing::warn!(error = %e, "search index: a photo that cannot be read is left out")
            }
        }
        done += 1;
        if done.is_multiple_of(1_000) {
            progress(done, total);
        }
    }
    progress(done, total);
    let mut live = Live {
        writer,
        reader,
        applied: start,
        applied_at: start_at,
    };
    commit(&mut live, source)?;
    catch_up(&mut live, source, fields)?;
    tracing::info!(
        records = done,
        at_change = live.applied,
        "search index rebuilt from the store"
    );
    Ok(live)
}

pub(super) fn search_error(e: tantivy::TantivyError) -> StoreError {
    StoreError::Search(Box::new(e))
}
