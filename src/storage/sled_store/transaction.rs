//! [`Transaction`] for sled: writes kept aside while the work reads, then applied at once.

use super::*;

/// A transaction's writes, kept aside while its work runs (which reads the committed data and
/// these), then applied in one sled transaction, whose checks (a story's revision and slug,
/// the setup token) run again there. Transactions run one at a time (`serial`).
pub(super) struct SledTransaction<'a> {
    pub(super) store: &'a SledStore,
    pub(super) users: BTreeMap<[u8; 16], User>,
    /// Accounts to add, whose usernames are claimed at commit.
    pub(super) new_users: Vec<User>,
    pub(super) ended_sessions: BTreeSet<sled::IVec>,
    pub(super) events: Vec<AuditEvent>,
    /// Story writes in the order they were made; a later one of the same story follows on
    /// from the earlier.
    pub(super) stories: Vec<StoryWrite>,
    /// The setup token this transaction consumes.
    pub(super) setup_token: Option<[u8; 32]>,
    /// Site settings to store: their keys in `meta` and values.
    pub(super) settings: Vec<(Vec<u8>, Vec<u8>)>,
    /// Site records to write or delete, in order.
    pub(super) records: Vec<super::records::RecordWrite>,
}

impl<'a> SledTransaction<'a> {
    pub(super) fn new(store: &'a SledStore) -> Self {
        SledTransaction {
            store,
            users: BTreeMap::new(),
            new_users: Vec::new(),
            ended_sessions: BTreeSet::new(),
            events: Vec::new(),
            stories: Vec::new(),
            setup_token: None,
            settings: Vec::new(),
            records: Vec::new(),
        }
    }

    fn is_empty(&self) -> bool {
        self.users.is_empty()
            && self.new_users.is_empty()
            && self.ended_sessions.is_empty()
            && self.events.is_empty()
            && self.stories.is_empty()
            && self.setup_token.is_none()
            && self.settings.is_empty()
            && self.records.is_empty()
    }

    pub(super) fn commit(self) -> Result<(), StoreError> {
        if self.is_empty() {
            return Ok(());
        }
        let users = self
            .users
            .iter()
            .map(|(id, user)| Ok((*id, encode_user(user)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let events = self
            .events
            .iter()
            .map(|event| Ok((audit_key(event), encode_audit(event)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let new_users = self
            .new_users
            .iter()
            .map(|user| Ok((user, encode_user(user)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let store = self.store;
        let now = store.clock.now();
        let trees = [
            &store.stories,
            &store.slugs,
            &store.indexes,
            &store.revisions,
            &store.photo_uses,
            &store.meta,
            &store.changes,
            &store.users,
            &store.usernames,
            &store.sessions,
            &store.audit,
            &store.records,
        ];
        finish(trees[..].transaction(|t| {
            let abort = ConflictableTransactionError::Abort;
            let story_trees = StoryTrees {
                stories: &t[0],
                slugs: &t[1],
                indexes: &t[2],
                revisions: &t[3],
                photo_uses: &t[4],
                meta: &t[5],
                changes: &t[6],
            };
            let (meta, users_tree, usernames, sessions, audit) =
                (&t[5], &t[7], &t[8], &t[9], &t[10]);
            if let Some(digest) = &self.setup_token {
                if meta.get(SETUP_TOKEN)?.as_deref() != Some(&digest[..]) {
                    return Err(abort(StoreError::NotFound));
                }
                meta.remove(SETUP_TOKEN)?;
            }
            for write in &self.stories {
                write.apply(&story_trees)?;
            }
            for (user, record) in &new_users {
                let name = user.username.as_str().as_bytes();
                if usernames.get(name)?.is_some() {
                    return Err(abort(StoreError::UsernameTaken(user.username.to_string())));
                }
                usernames.insert(name, &user.id.to_bytes())?;
                users_tree.insert(&user.id.to_bytes(), record.as_slice())?;
            }
            for (id, record) in &users {
                users_tree.insert(&id[..], record.as_slice())?;
            }
            for key in &self.ended_sessions {
                sessions.remove(key)?;
            }
            for (key, value) in &events {
                audit.insert(key.as_slice(), value.as_slice())?;
            }
            for (key, value) in &self.settings {
                meta.insert(key.as_slice(), value.as_slice())?;
            }
            let mut public = false;
            for write in &self.records {
                public |= write.apply(&t[11])?;
            }
            if public {
                record_change(meta, &t[6], ChangeSubject::Site, true, now)?;
            }
            Ok(())
        }))?;
        store.refresh_public_version()?;
        store.db.flush()?;
        Ok(())
    }
}

impl Transaction for SledTransaction<'_> {
    fn story(&mut self, id: StoryId) -> Result<Option<Story>, StoreError> {
        match self.stories.iter().rev().find(|w| w.stored.id == id) {
            Some(write) => Ok(Some(write.stored.clone())),
            None => self.store.get_story(id),
        }
    }

    fn save_story(
        &mut self,
        story: &Story,
        expected_revision: Option<u64>,
    ) -> Result<Story, StoreError> {
        let old = self.story(story.id)?;
        let mut write = StoryWrite::prepare(
            story,
            Revision::After(expected_revision),
            self.store.clock.now(),
        )?;
        // As the commit will stamp it: the revision check there makes sure `old` is the same.
        write.stored.record_public_change(old.as_ref(), write.now());
        let stored = write.stored.clone();
        self.stories.push(write);
        Ok(stored)
    }

    fn import_story_version(&mut self, story: &Story) -> Result<ImportOutcome, StoreError> {
        let outcome = match self.story(story.id)? {
            None => ImportOutcome::Created,
            Some(current) if current.revision >= story.revision => {
                return Ok(ImportOutcome::Unchanged);
            }
            Some(_) => ImportOutcome::Updated,
        };
        self.stories.push(StoryWrite::prepare(
            story,
            Revision::Keep,
            self.store.clock.now(),
        )?);
        Ok(outcome)
    }

    fn take_setup_token(&mut self, digest: &[u8; 32]) -> Result<bool, StoreError> {
        if self.setup_token.is_some() || !self.store.setup_token_matches(digest)? {
            return Ok(false);
        }
        self.setup_token = Some(*digest);
        Ok(true)
    }

    fn user(&mut self, id: UserId) -> Result<Option<User>, StoreError> {
        if let Some(user) = self.users.get(&id.to_bytes()) {
            return Ok(Some(user.clone()));
        }
        if let Some(user) = self.new_users.iter().find(|u| u.id == id) {
            return Ok(Some(user.clone()));
        }
        self.store.user(id)
    }

    fn users(&mut self) -> Result<Vec<User>, StoreError> {
        let mut all = self.store.users()?;
        for user in &mut all {
            if let Some(changed) = self.users.get(&user.id.to_bytes()) {
                *user = changed.clone();
            }
        }
        if !self.new_users.is_empty() {
            all.extend(self.new_users.iter().cloned());
            all.sort_by(|a, b| a.username.as_str().cmp(b.username.as_str()));
        }
        Ok(all)
    }

    fn create_user(&mut self, user: &User) -> Result<(), StoreError> {
        let taken = self.store.user_by_name(&user.username)?.is_some()
            || self.new_users.iter().any(|u| u.username == user.username);
        if taken {
            return Err(StoreError::UsernameTaken(user.username.to_string()));
        }
        self.new_users.push(user.clone());
        Ok(())
    }

    fn update_user(&mut self, user: &User) -> Result<(), StoreError> {
        if self.user(user.id)?.is_none() {
            return Err(StoreError::NotFound);
        }
        self.users.insert(user.id.to_bytes(), user.clone());
        Ok(())
    }

    fn delete_sessions_of(&mut self, user: UserId) -> Result<usize, StoreError> {
        let keys = self.store.session_keys_of(user)?;
        let count = keys.len();
        self.ended_sessions.extend(keys);
        Ok(count)
    }

    fn record_audit(&mut self, event: &AuditEvent) -> Result<(), StoreError> {
        self.events.push(event.clone());
        Ok(())
    }

    fn put_setting(&mut self, name: &str, value: &[u8]) -> Result<(), StoreError> {
        let key = [SECRET_PREFIX, SETTING_PREFIX.as_bytes(), name.as_bytes()].concat();
        self.settings.push((key, value.to_vec()));
        Ok(())
    }

    fn site_record(
        &mut self,
        kind: RecordKind,
        key: &str,
    ) -> Result<Option<SiteRecord>, StoreError> {
        self.record_now(kind, key)
    }

    fn put_site_record(
        &mut self,
        kind: RecordKind,
        key: &str,
        bytes: Vec<u8>,
        expect: Expect,
        public: bool,
    ) -> Result<u64, StoreError> {
        let written = self.write_record(kind, key, Some(bytes), expect, public)?;
        written.ok_or_else(|| StoreError::Inconsistent("a written record has no revision".into()))
    }

    fn delete_site_record(
        &mut self,
        kind: RecordKind,
        key: &str,
        expect: Expect,
        public: bool,
    ) -> Result<bool, StoreError> {
        if self.record_now(kind, key)?.is_none() {
            if !expect.holds(None) {
                return Err(StoreError::RecordConflict {
                    kind,
                    key: key.to_owned(),
                    current: None,
                });
            }
            return Ok(false);
        }
        self.write_record(kind, key, None, expect, public)?;
        Ok(true)
    }
}
