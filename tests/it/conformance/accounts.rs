//! Accounts changed in transactions.

use crate::helpers::TestSite;
use newsroom::domain::{PasswordHash, Role, User, UserId, Username};
use newsroom::storage::{self, StoreError};
use std::sync::{Arc, Barrier};
use time::OffsetDateTime;

pub fn user(name: &str, role: Role) -> User {
    let username = Username::parse(name).unwrap();
    User {
        id: UserId::new(),
        initials: User::initials_for(&username),
        username,
        role,
        // Never checked here: the store keeps whatever hash it is given.
        password_hash: PasswordHash("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
        disabled: false,
        created_at: OffsetDateTime::now_utc().replace_nanosecond(0).unwrap(),
        two_factor: None,
    }
}

/// What a demotion refused by the last-admin rule gives back.
#[derive(Debug)]
enum Demotion {
    LastAdmin,
    Store(#[expect(dead_code, reason = "shown when a check fails")] StoreError),
}

impl From<StoreError> for Demotion {
    fn from(e: StoreError) -> Self {
        Demotion::Store(e)
    }
}

/// Demotes `target` to editor unless no other enabled admin would be left: the rule is checked
/// inside the transaction that makes the change, as the desk checks it.
fn demote(store: &dyn storage::Store, target: UserId) -> Result<(), Demotion> {
    storage::transaction(store, |tx| {
        let users = tx.users()?;
        let others = users
            .iter()
            .any(|u| u.id != target && u.role == Role::Admin && !u.disabled);
        if !others {
            return Err(Demotion::LastAdmin);
        }
        let mut user = tx.user(target)?.ok_or(StoreError::NotFound)?;
        user.role = Role::Editor;
        tx.update_user(&user)?;
        Ok(())
    })
}

pub fn of_two_admins_demoting_each_other_at_once_exactly_one_succeeds(site: &TestSite) {
    let store = site.open();
    // Rounds, so that the two transactions overlap in at least some of them.
    for round in 0..10 {
        let ann = user(&format!("ann{round}"), Role::Admin);
        let bob = user(&format!("bob{round}"), Role::Admin);
        store.create_user(&ann).unwrap();
        store.create_user(&bob).unwrap();
        let start = Arc::new(Barrier::new(2));
        let racer = |target: UserId| {
            let (store, start) = (store.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                demote(&*store, target)
            })
        };
        let (by_ann, by_bob) = (racer(bob.id), racer(ann.id));
        let results = [by_ann.join().unwrap(), by_bob.join().unwrap()];

        let succeeded = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(succeeded, 1, "round {round}: {results:?}");
        assert!(
            results
                .iter()
                .any(|r| matches!(r, Err(Demotion::LastAdmin))),
            "round {round}: {results:?}"
        );
        let admins = [ann.id, bob.id]
            .iter()
            .filter(|id| store.user(**id).unwrap().unwrap().role == Role::Admin)
            .count();
        assert_eq!(admins, 1, "round {round}");
        // Out of the way of the next round's rule.
        for id in [ann.id, bob.id] {
            let mut user = store.user(id).unwrap().unwrap();
            user.disabled = true;
            store.update_user(&user).unwrap();
        }
    }
}
