//! A story write inside a sled transaction: the record, its slug, listing entries, revision,
//! photo use and its entry in the change feed, all or nothing. Shared by a lone save and by
//! [`Store::transaction`], which writes stories beside accounts and audit entries.

use super::*;
use sled::transaction::TransactionalTree;

/// A story made ready to write: numbered and encoded outside the transaction, which sled may
/// run more than once.
pub(super) struct StoryWrite {
    pub(super) stored: Story,
    rule: Revision,
    record: Vec<u8>,
    summary: Vec<u8>,
    entries: Vec<Entry>,
}

/// The trees a story write touches, as seen inside a transaction.
pub(super) struct StoryTrees<'a> {
    pub(super) stories: &'a TransactionalTree,
    pub(super) slugs: &'a TransactionalTree,
    pub(super) indexes: &'a TransactionalTree,
    pub(super) revisions: &'a TransactionalTree,
    pub(super) photo_uses: &'a TransactionalTree,
    pub(super) meta: &'a TransactionalTree,
    pub(super) changes: &'a TransactionalTree,
}

type TxResult<T> = Result<T, ConflictableTransactionError<StoreError>>;

fn abort(e: impl Into<StoreError>) -> ConflictableTransactionError<StoreError> {
    ConflictableTransactionError::Abort(e.into())
}

impl StoryWrite {
    pub(super) fn prepare(story: &Story, rule: Revision) -> Result<Self, StoreError> {
        let mut stored = story.clone();
        stored.revision = match rule {
            Revision::After(expected) => next_revision(expected)?,
            Revision::Keep if story.revision > MAX_REVISION => {
                return Err(StoreError::RevisionLimit(story.revision));
            }
            Revision::Keep => story.revision.max(1),
        };
        Ok(Self {
            record: encode_story(&stored)?,
            summary: encode_summary(&stored.summary())?,
            entries: entries_of(&stored),
            stored,
            rule,
        })
    }

    /// Checks the revision and the slug against what is stored, then writes.
    pub(super) fn apply(&self, t: &StoryTrees<'_>, now: OffsetDateTime) -> TxResult<ImportOutcome> {
        let stored = &self.stored;
        let id = stored.id.to_bytes();
        let slug = stored.slug.as_str().as_bytes();
        let old = match t.stories.get(id)? {
            Some(bytes) => Some(decode_story(&bytes).map_err(abort)?),
            None => None,
        };
        let mut outcome = ImportOutcome::Created;
        match (self.rule, &old) {
            (Revision::Keep, Some(current)) if current.revision >= stored.revision => {
                return Ok(ImportOutcome::Unchanged);
            }
            (Revision::Keep, Some(_)) => outcome = ImportOutcome::Updated,
            (Revision::Keep, None) | (Revision::After(None), None) => {}
            (Revision::After(Some(_)), None) => return Err(abort(StoreError::NotFound)),
            (Revision::After(expected), Some(current)) if expected != Some(current.revision) => {
                return Err(abort(StoreError::Conflict {
                    current: Box::new(current.clone()),
                }));
            }
            (Revision::After(_), Some(_)) => {}
        }
        if let Some(owner) = t.slugs.get(slug)?
            && owner.as_ref() != id
        {
            return Err(abort(StoreError::SlugTaken(stored.slug.to_string())));
        }

        self.update_indexes(t, old.as_ref())?;
        if let Some(old) = &old
            && old.slug != stored.slug
        {
            t.slugs.remove(old.slug.as_str().as_bytes())?;
        }
        if let Some(photo) = old.as_ref().and_then(public_photo) {
            t.photo_uses.remove(photo_use_key(photo, stored.id))?;
        }
        if let Some(photo) = public_photo(stored) {
            t.photo_uses.insert(photo_use_key(photo, stored.id), &[])?;
        }
        t.slugs.insert(slug, &id)?;
        t.stories.insert(&id, self.record.as_slice())?;
        t.revisions.insert(
            revision_key(stored.id, stored.revision).as_slice(),
            self.record.as_slice(),
        )?;
        // Readers' pages change when something they see of the story changes; changes staged on
        // a live story leave every cached page valid.
        let public = match &old {
            Some(old) => old.differs_for_readers(stored),
            None => stored.is_public(),
        };
        record_change(
            t.meta,
            t.changes,
            ChangeSubject::Story(stored.id),
            public,
            now,
        )?;
        Ok(outcome)
    }

    fn update_indexes(&self, t: &StoryTrees<'_>, old: Option<&Story>) -> TxResult<()> {
        let id = self.stored.id.to_bytes();
        let old_entries: HashMap<Vec<u8>, Entry> = old
            .map(entries_of)
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.key(), e))
            .collect();
        for entry in &self.entries {
            let value: &[u8] = if entry.prefix == prefix_scheduled() {
                &id
            } else {
                &self.summary
            };
            if old_entries.contains_key(&entry.key()) {
                counted_index::overwrite(t.indexes, entry, value)?;
            } else {
                counted_index::insert(t.indexes, entry, value)?;
            }
        }
        let new_keys: Vec<Vec<u8>> = self.entries.iter().map(Entry::key).collect();
        for (key, entry) in &old_entries {
            if !new_keys.contains(key) {
                counted_index::remove(t.indexes, entry)?;
            }
        }
        notes::update(t.indexes, old, &self.stored)?;
        Ok(())
    }
}

/// Appends a change to the feed, numbered after every earlier one; a change readers can see
/// becomes the public version too, in the same transaction.
pub(super) fn record_change(
    meta: &TransactionalTree,
    changes: &TransactionalTree,
    subject: ChangeSubject,
    public: bool,
    now: OffsetDateTime,
) -> TxResult<()> {
    let current = decode_public_version(meta.get(PUBLIC_VERSION)?.as_deref());
    let last = meta
        .get(CHANGE_SEQ)?
        .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
        .map_or(0, u64::from_be_bytes);
    // A database made before the feed has public versions numbered already: the feed
    // continues after them, so the generation keeps growing.
    let seq = last.max(current.generation) + 1;
    meta.insert(CHANGE_SEQ, &seq.to_be_bytes())?;
    let at = current.changed_at.map_or(now, |before| before.max(now));
    let change = Change {
        seq,
        at: now,
        subject,
        public,
    };
    changes.insert(&seq.to_be_bytes(), encode_change(&change).map_err(abort)?)?;
    if public {
        meta.insert(PUBLIC_VERSION, &encode_public_version(seq, at))?;
    }
    Ok(())
}
