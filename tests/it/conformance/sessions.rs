//! Login sessions and autosaved story forms.

use super::accounts::user;
use super::at;
use crate::helpers::TestSite;
use newsroom::domain::{Autosave, Role, Session, StoryId};
use time::Duration;

fn session(user: Option<newsroom::domain::UserId>, expires_in: Duration) -> Session {
    Session {
        state: vec![
            ("csrf".into(), "token".into()),
            ("flash".into(), "Saved".into()),
        ],
        expires_at: at(0) + expires_in,
        user,
        browser: String::new(),
        address: String::new(),
        last_seen: None,
    }
}

pub fn a_session_is_kept_until_it_expires_or_is_deleted(site: &TestSite) {
    let store = site.open();
    let (short, long) = ([1; 32], [2; 32]);
    store
        .put_session(&short, &session(None, Duration::minutes(10)))
        .unwrap();
    store
        .put_session(&long, &session(None, Duration::hours(10)))
        .unwrap();

    assert_eq!(
        store.session(&short, at(0)).unwrap(),
        Some(session(None, Duration::minutes(10)))
    );
    assert_eq!(store.session(&short, at(11)).unwrap(), None, "expired");
    assert_eq!(
        store.session(&short, at(0)).unwrap(),
        None,
        "an expired session is deleted when found"
    );
    let mut renewed = session(None, Duration::hours(11));
    renewed.state.push(("more".into(), "state".into()));
    store.put_session(&long, &renewed).unwrap();
    assert_eq!(store.session(&long, at(0)).unwrap(), Some(renewed));
    store.delete_session(&long).unwrap();
    assert_eq!(store.session(&long, at(0)).unwrap(), None);
    store.delete_session(&long).unwrap();
}

pub fn ending_an_account_s_sessions_ends_only_its_own(site: &TestSite) {
    let store = site.open();
    let (ann, bob) = (user("ann", Role::Writer), user("bob", Role::Writer));
    store.create_user(&ann).unwrap();
    store.create_user(&bob).unwrap();
    let day = Duration::days(1);
    store
        .put_session(&[1; 32], &session(Some(ann.id), day))
        .unwrap();
    store
        .put_session(&[2; 32], &session(Some(ann.id), day))
        .unwrap();
    store
        .put_session(&[3; 32], &session(Some(bob.id), day))
        .unwrap();
    store.put_session(&[4; 32], &session(None, day)).unwrap();

    assert_eq!(store.delete_sessions_of(ann.id).unwrap(), 2);

    assert_eq!(store.session(&[1; 32], at(0)).unwrap(), None);
    assert_eq!(store.session(&[2; 32], at(0)).unwrap(), None);
    assert!(store.session(&[3; 32], at(0)).unwrap().is_some());
    assert!(store.session(&[4; 32], at(0)).unwrap().is_some());
    assert_eq!(store.delete_sessions_of(ann.id).unwrap(), 0);
}

pub fn an_autosave_is_kept_per_account_and_story_until_deleted(site: &TestSite) {
    let store = site.open();
    let (ann, bob) = (user("ann", Role::Writer), user("bob", Role::Writer));
    let story = StoryId::new();
    let copy = |headline: &str, minutes| Autosave {
        saved_at: at(minutes),
        fields: vec![
            ("headline".into(), headline.into()),
            ("body".into(), "Half a *paragraph\u{00e9}".into()),
        ],
    };
    store.put_autosave(ann.id, None, &copy("New", 0)).unwrap();
    store
        .put_autosave(ann.id, Some(story), &copy("Ann's edit", 1))
        .unwrap();
    store
        .put_autosave(bob.id, Some(story), &copy("Bob's edit", 2))
        .unwrap();
    store
        .put_autosave(ann.id, Some(story), &copy("Ann's later edit", 3))
        .unwrap();

    assert_eq!(store.autosave(ann.id, None).unwrap(), Some(copy("New", 0)));
    assert_eq!(
        store.autosave(ann.id, Some(story)).unwrap(),
        Some(copy("Ann's later edit", 3))
    );
    assert_eq!(
        store.autosave(bob.id, Some(story)).unwrap(),
        Some(copy("Bob's edit", 2))
    );
    assert_eq!(store.autosave(bob.id, None).unwrap(), None);
    store.delete_autosave(ann.id, Some(story)).unwrap();
    assert_eq!(store.autosave(ann.id, Some(story)).unwrap(), None);
    assert_eq!(store.autosave(ann.id, None).unwrap(), Some(copy("New", 0)));
    assert!(store.autosave(bob.id, Some(story)).unwrap().is_some());
}

pub fn an_accounts_live_sessions_are_listed_with_browser_address_and_last_seen(site: &TestSite) {
    let store = site.open();
    let (ann, bob) = (user("ann", Role::Writer), user("bob", Role::Writer));
    store.create_user(&ann).unwrap();
    store.create_user(&bob).unwrap();
    let mut seen = session(Some(ann.id), Duration::hours(1));
    seen.browser = "Firefox on Linux".into();
    seen.address = "203.0.113.9".into();
    seen.last_seen = Some(at(0));
    store.put_session(&[1; 32], &seen).unwrap();
    store
        .put_session(&[2; 32], &session(Some(ann.id), Duration::minutes(5)))
        .unwrap();
    store
        .put_session(&[3; 32], &session(Some(bob.id), Duration::hours(1)))
        .unwrap();

    let mut listed = store.sessions_of(ann.id, at(0)).unwrap();
    listed.sort_by_key(|(key, _)| *key);
    assert_eq!(
        listed,
        vec![
            ([1; 32], seen.clone()),
            ([2; 32], session(Some(ann.id), Duration::minutes(5)))
        ]
    );
    assert_eq!(
        store.sessions_of(ann.id, at(10)).unwrap(),
        vec![([1; 32], seen)],
        "an expired one is not listed"
    );
}

pub fn a_setting_is_stored_in_a_transaction_and_read_back(site: &TestSite) {
    let store = site.open();
    assert_eq!(store.setting("require-two-factor").unwrap(), None);
    newsroom::storage::transaction(&*store, |tx| tx.put_setting("require-two-factor", &[1]))
        .unwrap();
    assert_eq!(store.setting("require-two-factor").unwrap(), Some(vec![1]));
    newsroom::storage::transaction(&*store, |tx| tx.put_setting("require-two-factor", &[0]))
        .unwrap();
    assert_eq!(store.setting("require-two-factor").unwrap(), Some(vec![0]));
}
