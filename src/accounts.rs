//! Managing desk accounts: creating them, changing roles and passwords, disabling them. Used by
//! the `newsroom user` commands and the admin pages alike, so both follow the same rules and
//! leave the same trail in the audit log. Passwords arrive already hashed: the command line
//! hashes in place, the web hashes on the bounded pool.

use crate::auth::second_factor;
use crate::domain::{
    AuditAction, AuditEvent, Initials, PasswordHash, RecoveryDigest, Role, TotpSecret, TwoFactor,
    User, UserId, Username,
};
use crate::storage::{self, Store, StoreError, Transaction};
use thiserror::Error;
use time::OffsetDateTime;

/// Who made a change, and when, as the audit log records it.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<UserId>,
    pub name: String,
    /// The time of the change, from the caller's clock.
    pub at: OffsetDateTime,
}

impl Actor {
    /// Changes made with the `newsroom` command at `at`, by whoever can run it on the server.
    pub fn command_line(at: OffsetDateTime) -> Self {
        Self {
            id: None,
            name: "command line".into(),
            at,
        }
    }

    pub fn user(user: &User, at: OffsetDateTime) -> Self {
        Self {
            id: Some(user.id),
            name: user.username.to_string(),
            at,
        }
    }

    fn is(&self, user: &User) -> bool {
        self.id == Some(user.id)
    }
}

#[derive(Debug, Error)]
pub enum AccountError {
    #[error("there is no account named {0:?}")]
    UnknownUser(String),
    #[error("the username {0:?} is taken")]
    UsernameTaken(String),
    #[error("{0} is the only active admin; make another account an admin first")]
    LastAdmin(String),
    #[error("you cannot {0} your own account; ask another admin")]
    OwnAccount(&'static str),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AccountError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::UsernameTaken(name) => AccountError::UsernameTaken(name),
            other => AccountError::Store(other),
        }
    }
}

/// An account to create, its fields already parsed.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: Username,
    pub role: Role,
    /// `None` derives them from the username, as `zhang.dan` gives `ZD`.
    pub initials: Option<Initials>,
}

fn event(actor: &Actor, action: AuditAction, detail: String) -> AuditEvent {
    AuditEvent {
        at: actor.at,
        actor: actor.id,
        actor_name: actor.name.clone(),
        action,
        detail,
    }
}

pub fn find(store: &dyn Store, username: &Username) -> Result<User, AccountError> {
    store
        .user_by_name(username)?
        .ok_or_else(|| AccountError::UnknownUser(username.to_string()))
}

fn find_id(tx: &mut dyn Transaction, id: UserId) -> Result<User, AccountError> {
    tx.user(id)?
        .ok_or_else(|| AccountError::UnknownUser(id.to_string()))
}

/// Refuses to take away the last enabled admin: without one, no one could manage accounts from
/// the desk. Checked in the transaction that makes the change, so two admins demoting each
/// other at once cannot both pass it.
fn keep_an_admin(tx: &mut dyn Transaction, user: &User) -> Result<(), AccountError> {
    if user.role != Role::Admin || user.disabled {
        return Ok(());
    }
    let others = tx
        .users()?
        .iter()
        .any(|u| u.id != user.id && u.role == Role::Admin && !u.disabled);
    if others {
        Ok(())
    } else {
        Err(AccountError::LastAdmin(user.username.to_string()))
    }
}

pub fn create(
    store: &dyn Store,
    actor: &Actor,
    new: NewAccount,
    password_hash: PasswordHash,
) -> Result<User, AccountError> {
    let initials = new
        .initials
        .unwrap_or_else(|| User::initials_for(&new.username));
    let user = User {
        id: UserId::new(),
        username: new.username,
        initials,
        role: new.role,
        password_hash,
        disabled: false,
        created_at: actor.at,
        two_factor: None,
    };
    // The account and its audit entry are stored together or not at all.
    let created = storage::transaction(store, |tx| {
        tx.create_user(&user)?;
        tx.record_audit(&event(
            actor,
            AuditAction::UserCreated,
            format!(
                "{} ({}, initials {})",
                user.username, user.role, user.initials
            ),
        ))?;
        Ok::<_, AccountError>(user.clone())
    })?;
    // Once an account exists, no setup link may make another.
    crate::auth::token::retire_setup_token(store)?;
    Ok(created)
}

/// Creates `admin`, the first account, with the setup link whose token has digest
/// `setup_digest`; `false` if the link is spent or an account exists already.
pub fn create_first_admin(
    store: &dyn Store,
    setup_digest: &[u8; 32],
    admin: &User,
) -> Result<bool, StoreError> {
    let event = AuditEvent {
        at: admin.created_at,
        actor: Some(admin.id),
        actor_name: admin.username.to_string(),
        action: AuditAction::UserCreated,
        detail: "first admin account, created with the setup link".into(),
    };
    // Only the request that consumes the token creates the account, and only while there is
    // none: an account made another way since the page was shown closes setup. The token, the
    // account and its audit entry go together or not at all, so a failure leaves the link
    // working rather than a site nobody can enter.
    storage::transaction(store, |tx| {
        if !tx.users()?.is_empty() || !tx.take_setup_token(setup_digest)? {
            return Ok(false);
        }
        tx.create_user(admin)?;
        tx.record_audit(&event)?;
        Ok(true)
    })
}

/// Forgets every browser the account signed in from (see `auth::device`): from now on they
/// are throttled like any other. Done before the change that calls for it, so a failure on the
/// way leaves the browsers forgotten rather than a change whose browsers are still known.
pub fn forget_devices(store: &dyn Store, id: UserId) -> Result<(), AccountError> {
    store.forget_devices(id)?;
    Ok(())
}

/// Sets a new password and ends the account's sessions, so whoever knew the old one is out;
/// its known browsers are forgotten too. Returns the account and how many sessions ended.
pub fn set_password(
    store: &dyn Store,
    actor: &Actor,
    id: UserId,
    password_hash: PasswordHash,
) -> Result<(User, usize), AccountError> {
    forget_devices(store, id)?;
    storage::transaction(store, |tx| {
        let mut user = find_id(tx, id)?;
        user.password_hash = password_hash.clone();
        tx.update_user(&user)?;
        let ended = tx.delete_sessions_of(user.id)?;
        tx.record_audit(&event(
            actor,
            AuditAction::PasswordChanged,
            format!("{}; {}", user.username, sessions_ended(ended)),
        ))?;
        Ok((user, ended))
    })
}

/// Ends every session of the account and forgets its known browsers (the owner's "sign out
/// everywhere", or an admin's): for someone who left a session open somewhere, or fears someone
/// else has one. In the audit log; returns how many sessions ended.
pub fn sign_out_everywhere(
    store: &dyn Store,
    actor: &Actor,
    id: UserId,
) -> Result<usize, AccountError> {
    forget_devices(store, id)?;
    storage::transaction(store, |tx| {
        let user = find_id(tx, id)?;
        let ended = tx.delete_sessions_of(user.id)?;
        tx.record_audit(&event(
            actor,
            AuditAction::SessionsEnded,
            format!(
                "{}; {}; known browsers forgotten",
                user.username,
                sessions_ended(ended)
            ),
        ))?;
        Ok(ended)
    })
}

pub fn set_role(
    store: &dyn Store,
    actor: &Actor,
    id: UserId,
    role: Role,
) -> Result<User, AccountError> {
    storage::transaction(store, |tx| {
        let mut user = find_id(tx, id)?;
        if user.role == role {
            return Ok(user);
        }
        if actor.is(&user) {
            return Err(AccountError::OwnAccount("change the role of"));
        }
        if role != Role::Admin {
            keep_an_admin(tx, &user)?;
        }
        let before = user.role;
        user.role = role;
        tx.update_user(&user)?;
        tx.record_audit(&event(
            actor,
            AuditAction::UserChanged,
            format!("{}: role {before} → {role}", user.username),
        ))?;
        Ok(user)
    })
}

/// Disables an account and ends its sessions at once. Returns the account and how many
/// sessions ended.
pub fn disable(
    store: &dyn Store,
    actor: &Actor,
    id: UserId,
) -> Result<(User, usize), AccountError> {
    storage::transaction(store, |tx| {
        let mut user = find_id(tx, id)?;
        if actor.is(&user) {
            return Err(AccountError::OwnAccount("disable"));
        }
        keep_an_admin(tx, &user)?;
        let was_disabled = user.disabled;
        user.disabled = true;
        tx.update_user(&user)?;
        // Even an account that was already disabled loses any session it still had.
        let ended = tx.delete_sessions_of(user.id)?;
        if !was_disabled || ended > 0 {
            tx.record_audit(&event(
                actor,
                AuditAction::UserDisabled,
                format!("{}; {}", user.username, sessions_ended(ended)),
            ))?;
        }
        Ok((user, ended))
    })
}

pub fn enable(store: &dyn Store, actor: &Actor, id: UserId) -> Result<User, AccountError> {
    storage::transaction(store, |tx| {
        let mut user = find_id(tx, id)?;
        if !user.disabled {
            return Ok(user);
        }
        user.disabled = false;
        tx.update_user(&user)?;
        tx.record_audit(&event(
            actor,
            AuditAction::UserChanged,
            format!("{}: enabled", user.username),
        ))?;
        Ok(user)
    })
}

/// Stores the same password hashed again with today's parameters, as a login finds it was
/// hashed with older ones. Only the hash changes, read and written in one transaction, so a
/// change made while the password was being checked (a disable, a code just spent) stays.
pub fn upgrade_password_hash(
    store: &dyn Store,
    id: UserId,
    password_hash: PasswordHash,
) -> Result<(), StoreError> {
    storage::transaction(store, |tx| {
        if let Some(mut user) = tx.user(id)? {
            user.password_hash = password_hash.clone();
            tx.update_user(&user)?;
        }
        Ok(())
    })
}

/// Puts a second factor in place once its owner has typed a code from it, so that a secret
/// that never reached their app cannot lock them out. Returns false, changing nothing, for a
/// wrong code.
pub fn enrol_two_factor(
    store: &dyn Store,
    actor: &Actor,
    id: UserId,
    secret: &TotpSecret,
    code: &str,
    recovery: Vec<RecoveryDigest>,
) -> Result<bool, AccountError> {
    let Some(step) = second_factor::matching_step(secret, code, unix_seconds(actor.at)) else {
        return Ok(false);
    };
    storage::transaction(store, |tx| {
        let mut user = find_id(tx, id)?;
        // Two confirmations at once (two tabs): the first stands, with the recovery codes it
        // showed; the second must not replace them unseen.
        if user.two_factor.is_some() {
            return Ok(false);
        }
        user.two_factor = Some(TwoFactor {
            secret: secret.clone(),
            // The code just typed is spent.
            last_step: step,
            recovery: recovery.clone(),
            enrolled_at: actor.at,
        });
        tx.update_user(&user)?;
        tx.record_audit(&event(
            actor,
            AuditAction::TwoFactorEnrolled,
            user.username.to_string(),
        ))?;
        Ok(true)
    })
}

/// How a second factor typed at sign-in was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor {
    /// A code from the app, for a time step not used before.
    Code,
    /// A recovery code, now used up; this many are left.
    RecoveryCode {
        left: usize,
    },
    Refused,
}

/// Checks a code (or a recovery code) typed after the password, and spends it: the step it
/// belongs to, or the recovery code. Read and spent in one transaction (serializable on
/// PostgreSQL, one at a time on sled), so the same code sent twice at once passes once.
pub fn check_second_factor(
    store: &dyn Store,
    id: UserId,
    typed: &str,
    now: OffsetDateTime,
) -> Result<SecondFactor, AccountError> {
    storage::transaction(store, |tx| {
        let mut user = find_id(tx, id)?;
        let Some(two_factor) = user.two_factor.as_mut() else {
            return Ok(SecondFactor::Refused);
        };
        let outcome =
            match second_factor::matching_step(&two_factor.secret, typed, unix_seconds(now)) {
                Some(step) if step > two_factor.last_step => {
                    two_factor.last_step = step;
                    SecondFactor::Code
                }
                Some(_) => SecondFactor::Refused,
                None => {
                    let digest = second_factor::recovery_digest(typed);
                    match two_factor.recovery.iter().position(|d| *d == digest) {
                        Some(at) => {
                            two_factor.recovery.remove(at);
                            SecondFactor::RecoveryCode {
                                left: two_factor.recovery.len(),
                            }
                        }
                        None => SecondFactor::Refused,
                    }
                }
            };
        if outcome != SecondFactor::Refused {
            tx.update_user(&user)?;
        }
        Ok(outcome)
    })
}

/// Takes away an account's second factor and ends its sessions: for an admin helping someone
/// who lost their phone, or the owner starting again. Returns the account and how many sessions
/// ended.
pub fn reset_two_factor(
    store: &dyn Store,
    actor: &Actor,
    id: UserId,
) -> Result<(User, usize), AccountError> {
    storage::transaction(store, |tx| {
        let mut user = find_id(tx, id)?;
        user.two_factor = None;
        tx.update_user(&user)?;
        let ended = tx.delete_sessions_of(user.id)?;
        tx.record_audit(&event(
            actor,
            AuditAction::TwoFactorReset,
            format!("{}; {}", user.username, sessions_ended(ended)),
        ))?;
        Ok((user, ended))
    })
}

/// The setting that makes admins and editors set up a second factor before anything else.
const REQUIRE_TWO_FACTOR: &str = "require-two-factor";

pub fn two_factor_required(store: &dyn Store) -> Result<bool, StoreError> {
    Ok(store.setting(REQUIRE_TWO_FACTOR)?.as_deref() == Some(&[1]))
}

pub fn set_two_factor_required(
    store: &dyn Store,
    actor: &Actor,
    required: bool,
) -> Result<(), AccountError> {
    storage::transaction(store, |tx| {
        tx.put_setting(REQUIRE_TWO_FACTOR, &[u8::from(required)])?;
        tx.record_audit(&event(
            actor,
            AuditAction::SettingChanged,
            format!(
                "a second factor {} for admins and editors",
                if required {
                    "required"
                } else {
                    "no longer required"
                }
            ),
        ))?;
        Ok(())
    })
}

/// Whether `user` must set up a second factor before doing anything else.
pub fn must_enrol(store: &dyn Store, user: &User) -> Result<bool, StoreError> {
    Ok(user.is_staff() && user.two_factor.is_none() && two_factor_required(store)?)
}

fn unix_seconds(at: OffsetDateTime) -> u64 {
    u64::try_from(at.unix_timestamp()).unwrap_or(0)
}

pub fn sessions_ended(n: usize) -> String {
    match n {
        0 => "no sessions to end".into(),
        1 => "1 session ended".into(),
        n => format!("{n} sessions ended"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::SharedStore;
    use std::sync::{Arc, Barrier};
    use std::thread;

    fn store() -> (tempfile::TempDir, SharedStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = storage::open(
            &crate::settings::Storage::sled(dir.path()),
            crate::clock::Clock::system(),
        )
        .unwrap();
        (dir, store)
    }

    fn add(store: &dyn Store, name: &str, role: Role) -> User {
        let new = NewAccount {
            username: Username::parse(name).unwrap(),
            role,
            initials: None,
        };
        create(
            store,
            &Actor::command_line(OffsetDateTime::now_utc()),
            new,
            PasswordHash("$argon2id$test".into()),
        )
        .unwrap()
    }

    #[test]
    fn initials_come_from_the_username_when_not_given() {
        let (_dir, store) = store();
        assert_eq!(
            add(&*store, "zhang.dan", Role::Writer).initials.as_str(),
            "ZD"
        );
    }

    #[test]
    fn a_taken_username_is_refused() {
        let (_dir, store) = store();
        add(&*store, "ann", Role::Writer);
        let again = NewAccount {
            username: Username::parse("ann").unwrap(),
            role: Role::Editor,
            initials: None,
        };
        let result = create(
            &*store,
            &Actor::command_line(OffsetDateTime::now_utc()),
            again,
            PasswordHash("x".into()),
        );
        assert!(matches!(result, Err(AccountError::UsernameTaken(name)) if name == "ann"));
    }

    #[test]
    fn the_last_admin_can_be_neither_disabled_nor_demoted() {
        let (_dir, store) = store();
        let boss = add(&*store, "boss", Role::Admin);
        let cli = Actor::command_line(OffsetDateTime::now_utc());
        assert!(matches!(
            disable(&*store, &cli, boss.id),
            Err(AccountError::LastAdmin(_))
        ));
        assert!(matches!(
            set_role(&*store, &cli, boss.id, Role::Editor),
            Err(AccountError::LastAdmin(_))
        ));
        add(&*store, "deputy", Role::Admin);
        assert!(disable(&*store, &cli, boss.id).unwrap().0.disabled);
    }

    #[test]
    fn nobody_disables_or_demotes_themselves() {
        let (_dir, store) = store();
        let boss = add(&*store, "boss", Role::Admin);
        add(&*store, "deputy", Role::Admin);
        let me = Actor::user(&boss, OffsetDateTime::now_utc());
        assert!(matches!(
            disable(&*store, &me, boss.id),
            Err(AccountError::OwnAccount(_))
        ));
        assert!(matches!(
            set_role(&*store, &me, boss.id, Role::Writer),
            Err(AccountError::OwnAccount(_))
        ));
    }

    #[test]
    fn every_change_is_in_the_audit_log() {
        let (_dir, store) = store();
        let ann = add(&*store, "ann", Role::Writer);
        // Each change made at its own time, as the command line does.
        let cli = || Actor::command_line(OffsetDateTime::now_utc());
        set_role(&*store, &cli(), ann.id, Role::Editor).unwrap();
        set_password(&*store, &cli(), ann.id, PasswordHash("new".into())).unwrap();
        disable(&*store, &cli(), ann.id).unwrap();
        enable(&*store, &cli(), ann.id).unwrap();
        let actions: Vec<AuditAction> = store
            .audit_log(None, 10)
            .unwrap()
            .into_iter()
            .rev()
            .map(|e| {
                assert_eq!(e.actor_name, "command line");
                e.action
            })
            .collect();
        assert_eq!(
            actions,
            [
                AuditAction::UserCreated,
                AuditAction::UserChanged,
                AuditAction::PasswordChanged,
                AuditAction::UserDisabled,
                AuditAction::UserChanged,
            ]
        );
    }

    #[test]
    fn a_password_change_and_signing_out_everywhere_forget_the_known_browsers() {
        let (_dir, store) = store();
        let ann = add(&*store, "ann", Role::Writer);
        let cli = || Actor::command_line(OffsetDateTime::now_utc());
        let first = store.device_key(ann.id).unwrap();
        assert_eq!(store.device_key(ann.id).unwrap(), first);
        set_password(&*store, &cli(), ann.id, PasswordHash("new".into())).unwrap();
        let second = store.device_key(ann.id).unwrap();
        assert_ne!(second, first);
        assert_eq!(sign_out_everywhere(&*store, &cli(), ann.id).unwrap(), 0);
        assert_ne!(store.device_key(ann.id).unwrap(), second);
        let last = store.audit_log(None, 1).unwrap().remove(0);
        assert_eq!(last.action, AuditAction::SessionsEnded);
        assert!(
            last.detail.contains("known browsers forgotten"),
            "{}",
            last.detail
        );
    }

    #[test]
    fn two_admins_demoting_each_other_at_once_leave_one_admin() {
        for _ in 0..20 {
            let (_dir, store) = store();
            let ann = add(&*store, "ann", Role::Admin);
            let bob = add(&*store, "bob", Role::Admin);
            let start = Arc::new(Barrier::new(2));
            let demote = |actor: User, target: User| {
                let (store, start) = (store.clone(), start.clone());
                thread::spawn(move || {
                    start.wait();
                    set_role(
                        &*store,
                        &Actor::user(&actor, OffsetDateTime::now_utc()),
                        target.id,
                        Role::Editor,
                    )
                })
            };
            let by_ann = demote(ann.clone(), bob.clone());
            let by_bob = demote(bob, ann);
            let results = [by_ann.join().unwrap(), by_bob.join().unwrap()];

            let admins = store
                .users()
                .unwrap()
                .into_iter()
                .filter(|u| u.role == Role::Admin)
                .count();
            assert_eq!(admins, 1);
            assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
            assert!(
                results
                    .iter()
                    .any(|r| matches!(r, Err(AccountError::LastAdmin(_))))
            );
        }
    }

    #[test]
    fn a_refused_change_writes_nothing_not_even_to_the_audit_log() {
        let (_dir, store) = store();
        let boss = add(&*store, "boss", Role::Admin);
        let logged = store.audit_log(None, 10).unwrap().len();

        let refused = disable(
            &*store,
            &Actor::command_line(OffsetDateTime::now_utc()),
            boss.id,
        );

        assert!(matches!(refused, Err(AccountError::LastAdmin(_))));
        assert!(!store.user(boss.id).unwrap().unwrap().disabled);
        assert_eq!(store.audit_log(None, 10).unwrap().len(), logged);
    }

    #[test]
    fn a_refused_account_leaves_no_trace_in_the_audit_log() {
        let (_dir, store) = store();
        add(&*store, "ann", Role::Writer);
        let logged = store.audit_log(None, 10).unwrap().len();
        let again = NewAccount {
            username: Username::parse("ann").unwrap(),
            role: Role::Admin,
            initials: None,
        };

        let refused = create(
            &*store,
            &Actor::command_line(OffsetDateTime::now_utc()),
            again,
            PasswordHash("x".into()),
        );

        assert!(matches!(refused, Err(AccountError::UsernameTaken(_))));
        assert_eq!(store.users().unwrap().len(), 1);
        assert_eq!(store.audit_log(None, 10).unwrap().len(), logged);
    }
}
