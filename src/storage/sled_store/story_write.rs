//! A story write inside a sled transaction: the record, its slug, listing entries, revision,
//! photo uses and its entry in the change feed, all or nothing. Shared by a lone save and by
//! [`Store::transaction`], which writes stories beside accounts and audit entries.

use super::*;
use crate::storage::codec::encode_photo_use;
use crate::storage::photo_uses;
use sled::transaction::TransactionalTree;

/// A story made ready to write: numbered outside the transaction. Its public revision is
/// stamped inside, against the story stored then (see [`Story::record_public_change`]).
pub(super) struct StoryWrite {
    pub(super) stored: Story,
    rule: Revision,
    /// The time of the write: the public change's, if it is one.
    now: OffsetDateTime,
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
    pub(super) fn prepare(
        story: &Story,
        rule: Revision,
        now: OffsetDateTime,
    ) -> Result<Self, StoreError> {
        let mut stored = story.clone();
        stored.revision = rule.number(story)?;
        Ok(Self { stored, rule, now })
    }

    pub(super) fn now(&self) -> OffsetDateTime {
        self.now
    }

    /// Checks the revision and the slug against what is stored, then writes. Returns the story
    /// as stored.
    pub(super) fn apply(&self, t: &StoryTrees<'_>) -> TxResult<(ImportOutcome, Story)> {
        let mut stored = self.stored.clone();
        let id = stored.id.to_bytes();
        let old = match t.stories.get(id)? {
            Some(bytes) => Some(decode_story(&bytes).map_err(abort)?),
            None => None,
        };
        // Against the story stored now, inside the transaction, as every engine does.
        let public = stored.record_public_change(old.as_ref(), self.now);
        let outcome = self
            .rule
            .judge(old.as_ref(), stored.revision)
            .map_err(abort)?;
        if outcome == ImportOutcome::Unchanged {
            return Ok((outcome, stored));
        }
        let slug = stored.content.slug.as_str().as_bytes();
        if let Some(owner) = t.slugs.get(slug)?
            && owner.as_ref() != id
        {
            return Err(abort(StoreError::SlugTaken(
                stored.content.slug.to_string(),
            )));
        }
        let record = encode_story(&stored).map_err(abort)?;

        update_indexes(t, old.as_ref(), &stored)?;
        if let Some(old) = &old
            && old.content.slug != stored.content.slug
        {
            t.slugs.remove(old.content.slug.as_str().as_bytes())?;
        }
        update_photo_uses(t.photo_uses, old.as_ref(), &stored)?;
        t.slugs.insert(slug, &id)?;
        t.stories.insert(&id, record.as_slice())?;
        t.revisions.insert(
            revision_key(stored.id, stored.revision).as_slice(),
            record.as_slice(),
        )?;
        // Readers' pages change when something they see of the story changes; changes staged on
        // a live story leave every cached page valid.
        let subject = ChangeSubject::Story(stored.id);
        record_change(t.meta, t.changes, subject, public, self.now)?;
        Ok((outcome, stored))
    }
}

/// Brings the story's photo uses from what `old` had to what `stored` has.
fn update_photo_uses(
    photo_uses: &TransactionalTree,
    old: Option<&Story>,
    stored: &Story,
) -> TxResult<()> {
    let before = old.map(photo_uses::uses_of).unwrap_or_default();
    let after = photo_uses::uses_of(stored);
    for photo in before.keys().filter(|p| !after.contains_key(p)) {
        photo_uses.remove(photo_use_key(*photo, stored.id))?;
    }
    for (photo, usage) in after.iter().filter(|(p, u)| before.get(p) != Some(u)) {
        photo_uses.insert(
            photo_use_key(*photo, stored.id),
            &encode_photo_use(*usage)[..],
        )?;
    }
    Ok(())
}

/// Moves the story's listing entries from where `old` had them to where `stored` has them.
fn update_indexes(t: &StoryTrees<'_>, old: Option<&Story>, stored: &Story) -> TxResult<()> {
    let id = stored.id.to_bytes();
    let summary = encode_summary(&stored.summary()).map_err(abort)?;
    let entries = entries_of(stored);
    let old_entries: HashMap<Vec<u8>, Entry> = old
        .map(entries_of)
        .unwrap_or_default()
        .into_iter()
        .map(|e| (e.key(), e))
        .collect();
    for entry in &entries {
        let value: &[u8] = if entry.prefix == prefix_scheduled() {
            &id
        } else {
            &summary
        };
        if old_entries.contains_key(&entry.key()) {
            counted_index::overwrite(t.indexes, entry, value)?;
        } else {
            counted_index::insert(t.indexes, entry, value)?;
        }
    }
    let new_keys: Vec<Vec<u8>> = entries.iter().map(Entry::key).collect();
    for (key, entry) in &old_entries {
        if !new_keys.contains(key) {
            counted_index::remove(t.indexes, entry)?;
        }
    }
    notes::update(t.indexes, old, stored)?;
    Ok(())
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
