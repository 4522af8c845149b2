//! The sled backend's side of the backup stream ([`backup`]): the records it writes from its
//! trees, and how it takes them back in through its own write paths, so that slugs, listing
//! indexes, username and photo-hash lookups are rebuilt rather than copied.

use super::*;
use crate::storage::backup::Record;
use crate::storage::records::RecordStore;

impl SledStore {
    /// Writes every record but login sessions into `writer`. The caller holds the write gate
    /// exclusively, so the copy is of one moment.
    pub(super) fn write_backup(
        &self,
        mut writer: backup::Writer,
    ) -> Result<backup::Summary, StoreError> {
        for item in self.stories.iter() {
            writer.record(&Record::Story(decode_story(&item?.1)?))?;
        }
        for item in self.revisions.iter() {
            writer.record(&Record::Revision(decode_story(&item?.1)?))?;
        }
        for item in self.users.iter() {
            writer.record(&Record::User(decode_user(&item?.1)?))?;
        }
        for item in self.audit.iter() {
            writer.record(&Record::Audit(decode_audit(&item?.1)?))?;
        }
        for item in self.photos.iter() {
            let photo = decode_photo(&item?.1)?;
            let blob = |blob| -> Result<Option<Vec<u8>>, StoreError> {
                Ok(self
                    .photo_blobs
                    .get(blob_key(&photo, blob))?
                    .map(|v| v.to_vec()))
            };
            let original = blob(PhotoBlob::Original)?;
            let renditions = photo
                .renditions
                .iter()
                .map(|r| blob(PhotoBlob::Rendition(r.width)))
                .collect::<Result<_, _>>()?;
            let crops = photo
                .crops
                .iter()
                .map(|c| blob(PhotoBlob::Crop(c.aspect, photo.focal)))
                .collect::<Result<_, _>>()?;
            writer.record(&Record::Photo {
                photo,
                original,
                renditions,
                crops,
            })?;
        }
        for item in self.meta.scan_prefix(SECRET_PREFIX) {
            let (key, value) = item?;
            let name = std::str::from_utf8(&key[SECRET_PREFIX.len()..])
                .map_err(|_| StoreError::Inconsistent("a secret's name is not text".into()))?;
            writer.record(&Record::Secret {
                name: name.to_owned(),
                value: value.to_vec(),
            })?;
        }
        if let Some(digest) = self.meta.get(SETUP_TOKEN)? {
            let digest = <[u8; 32]>::try_from(digest.as_ref()).map_err(|_| {
                StoreError::Inconsistent("a setup token of the wrong length".into())
            })?;
            writer.record(&Record::SetupToken(digest))?;
        }
        for item in self.autosaves.iter() {
            let (key, value) = item?;
            let (user, story) = autosave_owner(&key)?;
            writer.record(&Record::Autosave {
                user,
                story,
                copy: decode_autosave(&value)?,
            })?;
        }
        for kind in RecordKind::ALL.into_iter().filter(|k| k.backed_up()) {
            let mut after: Option<String> = None;
            loop {
                let batch = self.site_records(kind, "", after.as_deref(), 256)?;
                let Some(last) = batch.last() else { break };
                after = Some(last.key.clone());
                for record in batch {
                    writer.record(&Record::SiteRecord { kind, record })?;
                }
            }
        }
        writer.record(&Record::PublicVersion(self.public_version()?))?;
        writer.finish()
    }
}

/// Takes the records of a backup into a fresh database, one by one, then settles what needs
/// all of them (the public version).
pub(super) struct Restorer<'a> {
    store: &'a SledStore,
    /// The backup, named in refusals.
    path: &'a Path,
    public: Option<PublicVersion>,
}

impl<'a> Restorer<'a> {
    pub(super) fn new(store: &'a SledStore, path: &'a Path) -> Self {
        Restorer {
            store,
            path,
            public: None,
        }
    }

    fn damaged(&self, why: String) -> StoreError {
        StoreError::DamagedBackup {
            path: self.path.to_owned(),
            why,
        }
    }

    pub(super) fn record(&mut self, record: Record) -> Result<(), StoreError> {
        let store = self.store;
        match record {
            Record::Story(story) => {
                // The story's own revision is kept; its slug, listings and photo use follow.
                let (_, outcome) =
                    store
                        .write_story(&story, Revision::Keep)
                        .map_err(|e| match e {
                            StoreError::SlugTaken(slug) => {
                                self.damaged(format!("two stories with the slug {slug:?}"))
                            }
                            other => other,
                        })?;
                if outcome != ImportOutcome::Created {
                    return Err(self.damaged(format!("the story {} twice", story.id)));
                }
            }
            Record::Revision(story) => {
                if story.revision > MAX_REVISION {
                    return Err(StoreError::RevisionLimit(story.revision));
                }
                store.revisions.insert(
                    revision_key(story.id, story.revision),
                    encode_story(&story)?,
                )?;
            }
            Record::User(user) => store.insert_user(&user).map_err(|e| match e {
                StoreError::UsernameTaken(name) => {
                    self.damaged(format!("two accounts named {name:?}"))
                }
                other => other,
            })?,
            Record::Audit(event) => {
                store
                    .audit
                    .insert(audit_key(&event), encode_audit(&event)?)?;
            }
            Record::Photo {
                photo,
                original,
                renditions,
                crops,
            } => {
                let (photo, bytes) = backup::photo_with_stored_crops(photo, crops);
                let renditions: Vec<Option<&[u8]>> =
                    renditions.iter().map(Option::as_deref).collect();
                if store
                    .insert_photo(&photo, original.as_deref(), &renditions, &bytes)?
                    .is_some()
                {
                    return Err(self.damaged(format!("two photos with the bytes of {}", photo.id)));
                }
            }
            Record::Secret { name, value } => {
                store
                    .meta
                    .insert([SECRET_PREFIX, name.as_bytes()].concat(), value)?;
            }
            Record::SetupToken(digest) => {
                store.meta.insert(SETUP_TOKEN, &digest)?;
            }
            Record::Autosave { user, story, copy } => {
                store
                    .autosaves
                    .insert(autosave_key(user, story), encode_autosave(&copy)?)?;
            }
            Record::PublicVersion(version) => self.public = Some(version),
            Record::SiteRecord { kind, record } => store.put_restored_record(kind, &record)?,
        }
        Ok(())
    }

    /// Sets the public version past both the backup's and the one the restored stories made,
    /// so it never goes back: caches holding pages of the old data revalidate. Then flushes.
    pub(super) fn finish(self) -> Result<(), StoreError> {
        let store = self.store;
        let staged = store.public_version()?;
        let backed_up = self.public.unwrap_or(staged);
        let changed_at = staged.changed_at.max(backed_up.changed_at);
        if let Some(at) = changed_at {
            let generation = staged.generation.max(backed_up.generation) + 1;
            store
                .meta
                .insert(PUBLIC_VERSION, &encode_public_version(generation, at))?;
        }
        store.db.flush()?;
        Ok(())
    }
}

/// The account and story of an autosave's key (zeros for a story not saved yet).
fn autosave_owner(key: &[u8]) -> Result<(UserId, Option<StoryId>), StoreError> {
    let bad = || StoreError::Inconsistent(format!("an autosave key of {} bytes", key.len()));
    let key: [u8; 32] = key.try_into().map_err(|_| bad())?;
    let (user, story) = key.split_at(16);
    let user = UserId::from_bytes(user.try_into().map_err(|_| bad())?);
    let story: [u8; 16] = story.try_into().map_err(|_| bad())?;
    Ok((user, (story != [0; 16]).then(|| StoryId::from_bytes(story))))
}
