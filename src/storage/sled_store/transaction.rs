//! [`Transaction`] for sled: writes kept aside while the work reads, then applied at once.

use super::*;

/// A transaction's writes, kept aside while its work runs (which reads the committed data and
/// these), then applied in one sled transaction. Transactions run one at a time (`serial`).
pub(super) struct SledTransaction<'a> {
    pub(super) store: &'a SledStore,
    pub(super) users: BTreeMap<[u8; 16], User>,
    pub(super) ended_sessions: BTreeSet<sled::IVec>,
    pub(super) events: Vec<AuditEvent>,
}

impl SledTransaction<'_> {
    pub(super) fn commit(self) -> Result<(), StoreError> {
        if self.users.is_empty() && self.ended_sessions.is_empty() && self.events.is_empty() {
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
        let store = self.store;
        let trees = (&store.users, &store.sessions, &store.audit);
        finish(trees.transaction(|(users_tree, sessions, audit)| {
            for (id, record) in &users {
                users_tree.insert(&id[..], record.as_slice())?;
            }
            for key in &self.ended_sessions {
                sessions.remove(key)?;
            }
            for (key, value) in &events {
                audit.insert(key.as_slice(), value.as_slice())?;
            }
            Ok(())
        }))?;
        store.db.flush()?;
        Ok(())
    }
}

impl Transaction for SledTransaction<'_> {
    fn user(&mut self, id: UserId) -> Result<Option<User>, StoreError> {
        match self.users.get(&id.to_bytes()) {
            Some(user) => Ok(Some(user.clone())),
            None => self.store.user(id),
        }
    }

    fn users(&mut self) -> Result<Vec<User>, StoreError> {
        let mut all = self.store.users()?;
        for user in &mut all {
            if let Some(changed) = self.users.get(&user.id.to_bytes()) {
                *user = changed.clone();
            }
        }
        Ok(all)
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
}
