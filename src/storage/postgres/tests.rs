//! What is particular to the PostgreSQL backend: migrations, retried transactions, the listing
//! counts, the change feed's numbering, calls from async code, and moving a site between
//! engines. Each test gets a database of its own on the cluster `NEWSROOM_TEST_DATABASE_URL`
//! names (scripts/test starts one and sets it), dropped when the test ends.

use super::*;
use crate::domain::{
    AuditAction, Bylines, Headline, Initials, NoteKind, NoteText, PasswordHash, PublicNote,
    Rendition, Role, Section,
};
use crate::storage::codec::tests::sample_story;
use crate::storage::{SledStore, StatusFilter};
use std::sync::atomic::{AtomicUsize, Ordering};
use time::Duration;
use time::macros::datetime;

/// A database of its own for one test, dropped (with whatever still connects to it) at the end.
pub(crate) struct TestDb {
    admin: String,
    name: String,
    pub(crate) url: DatabaseUrl,
}

impl TestDb {
    pub(crate) fn new() -> Self {
        let admin = std::env::var("NEWSROOM_TEST_DATABASE_URL").unwrap_or_else(|_| {
            panic!(
                "NEWSROOM_TEST_DATABASE_URL is not set: the PostgreSQL tests need a cluster; \
                 run them with scripts/test, which starts a throwaway one and sets it \
                 (or set it to postgres://USER@HOST:PORT/postgres of a cluster you may create \
                 databases on)"
            )
        });
        let name = format!("nr_unit_{}", Uuid::now_v7().simple());
        let mut client = ::postgres::Client::connect(&admin, ::postgres::NoTls).unwrap();
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let url = DatabaseUrl::parse(&with_database(&admin, &name, "pool_size=4")).unwrap();
        TestDb { admin, name, url }
    }

    pub(crate) fn open(&self) -> PgStore {
        PgStore::open(&self.url, Clock::system()).unwrap()
    }

    /// A connection of the test's own, beside the store's.
    pub(crate) fn client(&self) -> ::postgres::Client {
        ::postgres::Client::connect(
            &with_database(&self.admin, &self.name, ""),
            ::postgres::NoTls,
        )
        .unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        let admin = self.admin.clone();
        // Dropped from async tests too, where the driver may not run.
        off_runtime(move || {
            if let Ok(mut client) = ::postgres::Client::connect(&admin, ::postgres::NoTls) {
                let _ =
                    client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        });
    }
}

/// `url` (postgres://…/DB?…) naming database `name` instead, with `extra` settings added.
pub(crate) fn with_database(url: &str, name: &str, extra: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let (scheme, rest) = base.split_once("://").unwrap();
    let host = rest.split_once('/').map_or(rest, |(host, _)| host);
    let query: Vec<&str> = [query, extra]
        .into_iter()
        .filter(|q| !q.is_empty())
        .collect();
    if query.is_empty() {
        format!("{scheme}://{host}/{name}")
    } else {
        format!("{scheme}://{host}/{name}?{}", query.join("&"))
    }
}

fn story_titled(headline: &str, slug: &str) -> Story {
    let mut story = Story::draft(
        Headline::parse(headline).unwrap(),
        Section::parse("world").unwrap(),
        Bylines::parse("Ann Lee").unwrap(),
        crate::domain::Body::parse("Words.").unwrap(),
        datetime!(2026-06-01 09:00 UTC),
    );
    story.content.slug = Slug::parse(slug).unwrap();
    story
}

/// A story published at `at`, with a slug of its own.
fn published_story(headline: &str, at: OffsetDateTime) -> Story {
    published_at(
        story_titled(headline, &format!("s-{}", Uuid::now_v7().simple())),
        at,
    )
}

fn published_at(mut story: Story, at: OffsetDateTime) -> Story {
    story.publish(at, None);
    story.updated_at = at;
    story
}

fn user_named(name: &str) -> User {
    User {
        id: UserId::new(),
        username: Username::parse(name).unwrap(),
        initials: Initials::parse("ZD").unwrap(),
        role: Role::Editor,
        password_hash: PasswordHash("$argon2id$v=19$m=19456,t=2,p=1$x$y".into()),
        disabled: false,
        created_at: datetime!(2020-01-01 00:00 UTC),
        two_factor: None,
    }
}

fn ids(items: &[StorySummary]) -> Vec<StoryId> {
    items.iter().map(|s| s.id).collect()
}

#[test]
fn an_empty_database_is_migrated_on_open_and_a_second_open_changes_nothing() {
    let db = TestDb::new();
    let latest = schema::latest();
    let migrated = PgStore::migrate(&db.url).unwrap();
    assert_eq!(
        migrated,
        Migrated {
            from: 0,
            to: latest
        }
    );
    drop(db.open());
    assert_eq!(
        PgStore::migrate(&db.url).unwrap(),
        Migrated {
            from: latest,
            to: latest
        }
    );
    let (applied, last): (i64, Option<i32>) = db
        .client()
        .query_one("SELECT count(*), max(version) FROM schema_migrations", &[])
        .map(|row| (row.get(0), row.get(1)))
        .unwrap();
    // Each migration once, the last being the latest.
    assert_eq!(applied, schema::count() as i64);
    assert_eq!(last, Some(latest));
}

#[test]
fn servers_starting_together_apply_each_migration_once() {
    let db = TestDb::new();
    let results: Vec<Result<Migrated, StoreError>> = std::thread::scope(|scope| {
        let runs: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| PgStore::migrate(&db.url)))
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let from_empty = results
        .iter()
        .filter(|r| matches!(r, Ok(Migrated { from: 0, .. })))
        .count();
    assert_eq!(from_empty, 1, "{results:?}");
    assert!(results.iter().all(Result::is_ok));
}

#[test]
fn a_schema_newer_than_this_release_is_refused() {
    let db = TestDb::new();
    drop(db.open());
    db.client()
        .execute(
            "INSERT INTO schema_migrations (version, readable_from) VALUES ($1, $1)",
            &[&(schema::latest() + 1)],
        )
        .unwrap();
    let refused = PgStore::open(&db.url, Clock::system()).err().unwrap();
    assert!(
        matches!(refused, StoreError::SchemaTooNew { found, known } if found == known + 1),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("newer release"));
}

#[test]
fn a_save_checks_the_revision_and_the_slug_and_keeps_every_revision() {
    let db = TestDb::new();
    let store = db.open();
    let first = store
        .save_story(&story_titled("Talks end", "talks-end"), None)
        .unwrap();
    assert_eq!(first.revision, 1);
    let second = store.save_story(&first, Some(1)).unwrap();
    assert_eq!(second.revision, 2);

    let stale = store.save_story(&first, Some(1)).err().unwrap();
    assert!(
        matches!(&stale, StoreError::Conflict { current } if current.revision == 2),
        "{stale:?}"
    );
    let taken = store
        .save_story(&story_titled("Other", "talks-end"), None)
        .err()
        .unwrap();
    assert!(matches!(taken, StoreError::SlugTaken(ref s) if s == "talks-end"));

    assert_eq!(store.story(first.id).unwrap().unwrap(), second);
    assert_eq!(
        store
            .story_by_slug(&Slug::parse("talks-end").unwrap())
            .unwrap()
            .unwrap()
            .id,
        first.id
    );
    let revisions: Vec<u64> = store
        .story_revisions(first.id)
        .unwrap()
        .iter()
        .map(|s| s.revision)
        .collect();
    assert_eq!(revisions, vec![2, 1]);
    assert_eq!(store.story_revision(first.id, 1).unwrap().unwrap(), first);
    assert!(matches!(
        store.save_story(&story_titled("Ghost", "ghost"), Some(3)),
        Err(StoreError::NotFound)
    ));
}

#[test]
fn a_serialization_failure_runs_the_work_again() {
    let db = TestDb::new();
    let store = db.open();
    let story = store
        .save_story(&story_titled("Talks end", "talks-end"), None)
        .unwrap();
    let attempts = AtomicUsize::new(0);
    crate::storage::transaction(&store, |tx| {
        let current = tx.story(story.id)?.ok_or(StoreError::NotFound)?;
        if attempts.fetch_add(1, Ordering::SeqCst) == 0 {
            // Another server saves the story after this transaction has read it.
            store.save_story(&current, Some(current.revision))?;
        }
        tx.save_story(&current, Some(current.revision))
    })
    .unwrap();
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    assert_eq!(store.story(story.id).unwrap().unwrap().revision, 3);
}

#[test]
fn an_error_from_the_work_abandons_every_write_it_made() {
    let db = TestDb::new();
    let store = db.open();
    let user = user_named("zhang.dan");
    let outcome: Result<(), StoreError> = crate::storage::transaction(&store, |tx| {
        tx.create_user(&user)?;
        tx.save_story(&story_titled("Talks end", "talks-end"), None)?;
        Err(StoreError::Invalid("changed my mind"))
    });
    assert!(matches!(outcome, Err(StoreError::Invalid(_))));
    assert!(store.users().unwrap().is_empty());
    assert!(store.changes_after(0, 10).unwrap().is_empty());
    let page = store
        .listing(
            Listing::Desk {
                status: None,
                section: None,
            },
            PageNumber::FIRST,
            10,
        )
        .unwrap();
    assert_eq!(page.total_items, 0);
}

#[test]
fn concurrent_saves_all_land_and_number_the_feed_without_gaps() {
    let db = TestDb::new();
    let store = db.open();
    std::thread::scope(|scope| {
        for writer in 0..4 {
            let store = &store;
            scope.spawn(move || {
                for n in 0..10 {
                    let slug = format!("story-{writer}-{n}");
                    let saved = store
                        .save_story(&story_titled("Talks", &slug), None)
                        .unwrap();
                    store.save_story(&saved, Some(saved.revision)).unwrap();
                }
            });
        }
    });
    let changes = store.changes_after(0, 1000).unwrap();
    let seqs: Vec<u64> = changes.iter().map(|c| c.seq).collect();
    assert_eq!(seqs, (1..=80).collect::<Vec<u64>>());
    let page = store
        .listing(
            Listing::Desk {
                status: None,
                section: None,
            },
            PageNumber::FIRST,
            100,
        )
        .unwrap();
    assert_eq!(page.total_items, 40);
    assert_counts_match_entries(&db);
}

/// Every count in `listing_counts` is the number of entries it counts.
fn assert_counts_match_entries(db: &TestDb) {
    let wrong = db
        .client()
        .query(
            "WITH actual AS (
                 SELECT listing, 0::smallint AS level, 0::bigint AS bucket, count(*) AS n
                 FROM listing_entries GROUP BY listing
                 UNION ALL
                 SELECT listing, 1::smallint, ts >> 20, count(*) FROM listing_entries
                 GROUP BY listing, ts >> 20
                 UNION ALL
                 SELECT listing, 2::smallint, ts >> 12, count(*) FROM listing_entries
                 GROUP BY listing, ts >> 12
                 UNION ALL
                 SELECT 'photos', 0::smallint, 0::bigint, count(*) FROM photos
                 UNION ALL
                 SELECT 'photos', 1::smallint, listed_ts >> 20, count(*) FROM photos
                 GROUP BY listed_ts >> 20
                 UNION ALL
                 SELECT 'photos', 2::smallint, listed_ts >> 12, count(*) FROM photos
                 GROUP BY listed_ts >> 12)
             SELECT coalesce(a.listing, c.listing), coalesce(a.level, c.level),
                    coalesce(a.bucket, c.bucket), a.n, c.count
             FROM actual a FULL JOIN listing_counts c
                  ON (a.listing, a.level, a.bucket) = (c.listing, c.level, c.bucket)
             WHERE coalesce(a.n, 0) <> coalesce(c.count, 0)",
            &[],
        )
        .unwrap();
    let wrong: Vec<String> = wrong
        .iter()
        .map(|r| {
            let (listing, level, bucket): (String, i16, i64) = (r.get(0), r.get(1), r.get(2));
            let (entries, counted): (Option<i64>, Option<i64>) = (r.get(3), r.get(4));
            format!("{listing} level {level} bucket {bucket}: {entries:?} vs {counted:?}")
        })
        .collect();
    assert!(wrong.is_empty(), "counts that disagree: {wrong:?}");
}

#[test]
fn pages_at_any_depth_match_the_listing_in_order_with_exact_totals() {
    let db = TestDb::new();
    let store = db.open();
    // Publication times spread over years and bunched within seconds, hours and days, so
    // pages start in every kind of bucket.
    let start = datetime!(2019-03-01 06:00 UTC);
    let mut stories = Vec::new();
    for n in 0..157i64 {
        let at = start + Duration::seconds(n * n * n * 37 % 90_000_000 + (n % 3));
        let story = published_at(
            story_titled(&format!("Story {n}"), &format!("story-{n}")),
            at,
        );
        stories.push(story);
    }
    assert_eq!(store.import_stories(&stories).unwrap(), stories.len());
    let mut expected: Vec<(u32, [u8; 16])> = stories
        .iter()
        .map(|s| (index_ts(s.published_at.unwrap()), s.id.to_bytes()))
        .collect();
    expected.sort();
    expected.reverse();
    let expected: Vec<StoryId> = expected
        .into_iter()
        .map(|(_, id)| StoryId::from_bytes(id))
        .collect();

    for per_page in [1, 7, 20, 157, 200] {
        let pages = expected.len().div_ceil(per_page);
        for page in 1..=pages {
            let got = store
                .listing(
                    Listing::Published,
                    PageNumber::new(page as u32).unwrap(),
                    per_page,
                )
                .unwrap();
            assert_eq!(got.total_items, 157);
            assert_eq!(got.paging.total as usize, pages);
            let want: Vec<StoryId> = expected
                .iter()
                .copied()
                .skip((page - 1) * per_page)
                .take(per_page)
                .collect();
            assert_eq!(ids(&got.items), want, "page {page} of {per_page}");
        }
        let past = PageNumber::new(pages as u32 + 1).unwrap();
        assert!(matches!(
            store.listing(Listing::Published, past, per_page),
            Err(StoreError::NotFound)
        ));
    }

    // Cursor pages walk the same order.
    let mut walked = Vec::new();
    let mut cursor = None;
    loop {
        let batch = store.listing_after(Listing::Published, cursor, 10).unwrap();
        let Some(last) = batch.last() else { break };
        cursor = Cursor::after(last);
        walked.extend(ids(&batch));
    }
    assert_eq!(walked, expected);
    assert_counts_match_entries(&db);
}

#[test]
fn an_empty_listing_has_a_first_page_and_nothing_after_it() {
    let db = TestDb::new();
    let store = db.open();
    let page = store
        .listing(Listing::Published, PageNumber::FIRST, 20)
        .unwrap();
    assert!(page.items.is_empty());
    assert_eq!((page.total_items, page.paging.total), (0, 1));
    assert!(matches!(
        store.listing(Listing::Published, PageNumber::new(2).unwrap(), 20),
        Err(StoreError::NotFound)
    ));
}

#[test]
fn stories_move_between_listings_and_counts_follow() {
    let db = TestDb::new();
    let store = db.open();
    let draft = store
        .save_story(&story_titled("Talks end", "talks-end"), None)
        .unwrap();
    let mut submitted = draft.clone();
    submitted.submitted = true;
    let submitted = store.save_story(&submitted, Some(draft.revision)).unwrap();
    let review = Listing::Desk {
        status: Some(StatusFilter::ForReview),
        section: None,
    };
    assert_eq!(
        ids(&store
            .listing(review.clone(), PageNumber::FIRST, 10)
            .unwrap()
            .items),
        vec![draft.id]
    );
    let live = published_at(submitted.clone(), datetime!(2026-06-02 10:00 UTC));
    let live = store.save_story(&live, Some(submitted.revision)).unwrap();
    assert_eq!(
        store
            .listing(review, PageNumber::FIRST, 10)
            .unwrap()
            .total_items,
        0
    );
    assert_eq!(
        ids(&store
            .listing(Listing::Published, PageNumber::FIRST, 10)
            .unwrap()
            .items),
        vec![draft.id]
    );
    let world = Listing::Section(Section::parse("world").unwrap());
    assert_eq!(
        store
            .listing(world, PageNumber::FIRST, 10)
            .unwrap()
            .total_items,
        1
    );

    let mut scheduled = live.clone();
    scheduled.status = Status::Scheduled(datetime!(2026-06-03 07:00 UTC));
    store.save_story(&scheduled, Some(live.revision)).unwrap();
    assert_eq!(
        store
            .listing(Listing::Published, PageNumber::FIRST, 10)
            .unwrap()
            .total_items,
        0
    );
    assert!(
        store
            .due_scheduled(datetime!(2026-06-03 06:59:59 UTC), 10)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .due_scheduled(datetime!(2026-06-03 07:00 UTC), 10)
            .unwrap(),
        vec![draft.id]
    );
    let desk = Listing::Desk {
        status: Some(StatusFilter::Scheduled),
        section: Some(Section::parse("world").unwrap()),
    };
    assert_eq!(
        store
            .listing(desk, PageNumber::FIRST, 10)
            .unwrap()
            .total_items,
        1
    );
    assert_counts_match_entries(&db);
}

#[test]
fn the_corrections_listing_holds_the_notes_readers_can_see_newest_first() {
    let db = TestDb::new();
    let store = db.open();
    let mut story = published_at(
        story_titled("Talks end", "talks-end"),
        datetime!(2026-06-01 10:00 UTC),
    );
    for (n, text) in ["First.", "Second.", "Third."].into_iter().enumerate() {
        story.notes.push(PublicNote {
            kind: NoteKind::Correction,
            text: NoteText::parse(text).unwrap(),
            at: datetime!(2026-06-01 11:00 UTC) + Duration::minutes(n as i64),
        });
    }
    let story = store.save_story(&story, None).unwrap();
    let first = store.notes(PageNumber::FIRST, 2).unwrap();
    assert_eq!((first.total_items, first.paging.total), (3, 2));
    let texts: Vec<&str> = first.items.iter().map(|n| n.note.text.as_str()).collect();
    assert_eq!(texts, vec!["Third.", "Second."]);
    assert_eq!(
        store
            .notes(PageNumber::new(2).unwrap(), 2)
            .unwrap()
            .items
            .len(),
        1
    );
    assert!(matches!(
        store.notes(PageNumber::new(3).unwrap(), 2),
        Err(StoreError::NotFound)
    ));

    let mut down = story.clone();
    down.status = Status::Unpublished;
    store.save_story(&down, Some(story.revision)).unwrap();
    assert_eq!(store.notes(PageNumber::FIRST, 2).unwrap().total_items, 0);
    assert_counts_match_entries(&db);
}

#[test]
fn the_feed_marks_what_readers_see_and_the_public_version_follows_it() {
    let db = TestDb::new();
    let store = db.open();
    assert_eq!(store.public_version().unwrap().generation, 0);
    let draft = store
        .save_story(&story_titled("Talks end", "talks-end"), None)
        .unwrap();
    assert_eq!(store.public_version().unwrap().generation, 0);
    let live = published_at(draft.clone(), datetime!(2026-06-02 10:00 UTC));
    let live = store.save_story(&live, Some(draft.revision)).unwrap();
    let version = store.public_version().unwrap();
    assert_eq!(version.generation, 2);
    assert!(version.changed_at.is_some());

    let changes = store.changes_after(0, 10).unwrap();
    let seen: Vec<(u64, bool)> = changes.iter().map(|c| (c.seq, c.public)).collect();
    assert_eq!(seen, vec![(1, false), (2, true)]);
    assert_eq!(changes[1].subject, ChangeSubject::Story(live.id));
    assert_eq!(store.changes_after(1, 10).unwrap().len(), 1);

    // Another server's store sees the version when it refreshes.
    let other = db.open();
    assert_eq!(other.public_version().unwrap(), version);
    let mut edited = live.clone();
    edited.content.headline = Headline::parse("Talks end without a deal").unwrap();
    store.save_story(&edited, Some(live.revision)).unwrap();
    let newer = store.public_version().unwrap();
    assert_eq!(newer.generation, 3);
    assert!(newer.changed_at >= version.changed_at);
    assert_eq!(other.refresh_public_version().unwrap(), newer);

    // Following the changes, as a server does twice a second, takes in the next one.
    let mut again = edited.clone();
    again.content.headline = Headline::parse("Talks end, no deal").unwrap();
    store.save_story(&again, Some(live.revision + 1)).unwrap();
    let newest = store.public_version().unwrap();
    assert_eq!(
        other.public_version().unwrap(),
        newer,
        "not before it follows"
    );
    other.follow_changes().unwrap();
    assert_eq!(other.public_version().unwrap(), newest);
}

#[test]
fn a_new_look_of_the_pages_is_one_public_change_however_many_servers_adopt_it() {
    let db = TestDb::new();
    let (a, b) = (db.open(), db.open());
    std::thread::scope(|scope| {
        scope.spawn(|| a.adopt_page_look("build 2").unwrap());
        scope.spawn(|| b.adopt_page_look("build 2").unwrap());
    });
    a.adopt_page_look("build 2").unwrap();
    let changes = a.changes_after(0, 10).unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(
        (changes[0].subject, changes[0].public),
        (ChangeSubject::Site, true)
    );
    assert_eq!(a.refresh_public_version().unwrap().generation, 1);
    b.adopt_page_look("build 3").unwrap();
    assert_eq!(b.public_version().unwrap().generation, 2);
}

#[test]
fn a_newer_schema_that_says_this_release_can_read_it_is_used_as_it_is() {
    let db = TestDb::new();
    let store = db.open();
    // An expand migration of the next release: it keeps this release's schema readable.
    db.client()
        .execute(
            "INSERT INTO schema_migrations (version, readable_from) VALUES ($1, $2)",
            &[&(schema::latest() + 1), &schema::latest()],
        )
        .unwrap();

    store.check_ready().unwrap();
    let again = PgStore::open(&db.url, Clock::system()).unwrap();
    again.check_ready().unwrap();
    assert_eq!(
        PgStore::migrate(&db.url).unwrap().from,
        schema::latest() + 1,
        "nothing applied, nothing refused"
    );
}

#[test]
fn a_newer_schema_that_took_away_what_this_release_uses_is_refused_whatever_came_after() {
    let db = TestDb::new();
    let store = db.open();
    let known = schema::latest();
    // The next release's contract step, then an expand step after it.
    for (version, readable_from) in [(known + 1, known + 1), (known + 2, known)] {
        db.client()
            .execute(
                "INSERT INTO schema_migrations (version, readable_from) VALUES ($1, $2)",
                &[&version, &readable_from],
            )
            .unwrap();
    }
    assert!(matches!(
        store.check_ready(),
        Err(StoreError::SchemaTooNew { .. })
    ));
    assert!(PgStore::open(&db.url, Clock::system()).is_err());
}

#[test]
fn a_store_is_ready_while_its_database_answers_with_the_schema_it_knows() {
    let db = TestDb::new();
    let store = db.open();
    store.check_ready().unwrap();
    db.client()
        .execute(
            "INSERT INTO schema_migrations (version, readable_from) VALUES ($1, $1)",
            &[&(schema::latest() + 1)],
        )
        .unwrap();
    assert!(matches!(
        store.check_ready(),
        Err(StoreError::SchemaTooNew { .. })
    ));
}

#[test]
fn accounts_sessions_autosaves_audit_and_secrets_round_trip() {
    let db = TestDb::new();
    let store = db.open();
    let user = user_named("zhang.dan");
    store.create_user(&user).unwrap();
    assert!(matches!(
        store.create_user(&user_named("zhang.dan")),
        Err(StoreError::UsernameTaken(_))
    ));
    let mut changed = user.clone();
    changed.disabled = true;
    store.update_user(&changed).unwrap();
    assert_eq!(store.user(user.id).unwrap().unwrap(), changed);
    assert!(matches!(
        store.update_user(&user_named("nobody")),
        Err(StoreError::NotFound)
    ));
    store.create_user(&user_named("ann.lee")).unwrap();
    let names: Vec<String> = store
        .users()
        .unwrap()
        .iter()
        .map(|u| u.username.to_string())
        .collect();
    assert_eq!(names, vec!["ann.lee", "zhang.dan"]);

    let now = datetime!(2026-06-01 12:00 UTC);
    let session = Session {
        state: vec![("k".into(), "v".into())],
        expires_at: now + Duration::hours(2),
        user: Some(user.id),
        browser: String::new(),
        address: String::new(),
        last_seen: None,
    };
    store.put_session(&[1; 32], &session).unwrap();
    assert_eq!(store.session(&[1; 32], now).unwrap().unwrap(), session);
    assert!(
        store
            .session(&[1; 32], now + Duration::hours(3))
            .unwrap()
            .is_none()
    );
    assert!(
        store.session(&[1; 32], now).unwrap().is_none(),
        "an expired session is deleted"
    );
    assert!(
        !store.renew_session(&[1; 32], &session).unwrap(),
        "an ended session stays ended"
    );
    store.put_session(&[2; 32], &session).unwrap();
    let mut renewed = session.clone();
    renewed.expires_at += Duration::hours(1);
    assert!(store.renew_session(&[2; 32], &renewed).unwrap());
    assert_eq!(store.session(&[2; 32], now).unwrap().unwrap(), renewed);
    assert_eq!(store.delete_sessions_of(user.id).unwrap(), 1);

    let copy = Autosave {
        saved_at: now,
        fields: vec![("headline".into(), "Half".into())],
    };
    store.put_autosave(user.id, None, &copy).unwrap();
    assert_eq!(store.autosave(user.id, None).unwrap().unwrap(), copy);
    assert!(
        store
            .autosave(user.id, Some(StoryId::new()))
            .unwrap()
            .is_none()
    );
    store.delete_autosave(user.id, None).unwrap();
    assert!(store.autosave(user.id, None).unwrap().is_none());

    let events: Vec<AuditEvent> = (0..3)
        .map(|n| AuditEvent {
            at: now + Duration::nanoseconds(n),
            actor: Some(user.id),
            actor_name: "zhang.dan".into(),
            action: AuditAction::Publish,
            detail: format!("event {n}"),
        })
        .collect();
    for event in &events {
        store.record_audit(event).unwrap();
    }
    let newest = store.audit_log(None, 2).unwrap();
    assert_eq!(newest, vec![events[2].clone(), events[1].clone()]);
    assert_eq!(
        store.audit_log(Some(events[1].at), 10).unwrap(),
        vec![events[0].clone()]
    );

    let key = store.secret("session-cookie-key", 64).unwrap();
    assert_eq!(key.len(), 64);
    assert_eq!(store.secret("session-cookie-key", 64).unwrap(), key);
    assert!(store.set_setup_token(&[7; 32], false).unwrap());
    assert!(!store.set_setup_token(&[8; 32], false).unwrap());
    assert!(store.setup_token_matches(&[7; 32]).unwrap());
    let taken = |store: &PgStore| {
        crate::storage::transaction(store, |tx| tx.take_setup_token(&[7; 32])).unwrap()
    };
    assert!(taken(&store));
    assert!(!taken(&store));
    assert!(!store.setup_token_matches(&[7; 32]).unwrap());
}

fn a_photo(hash: u8, caption: &str, credit: &str) -> Photo {
    Photo {
        id: PhotoId::new(),
        content_type: "image/png".into(),
        width: 1200,
        height: 800,
        uploaded_by: None,
        uploaded_at: datetime!(2024-05-01 10:00:00 UTC),
        hash: Some([hash; 32]),
        renditions: vec![Rendition {
            width: 320,
            height: 213,
        }],
        caption: caption.into(),
        credit: credit.into(),
        alt: String::new(),
        focal: FocalPoint::CENTRE,
        crops: Vec::new(),
    }
}

#[test]
fn photos_are_stored_once_searched_and_their_crops_move_the_public_version() {
    let db = TestDb::new();
    let store = db.open();
    let photo = a_photo(1, "The Envoy speaks in Genève", "Xinhua");
    let stored = store
        .save_photo(&photo, b"original", &[b"narrow".to_vec()], &[])
        .unwrap();
    assert_eq!(stored, photo);
    let again = store
        .save_photo(
            &a_photo(1, "Twice", ""),
            b"original",
            &[b"narrow".to_vec()],
            &[],
        )
        .unwrap();
    assert_eq!(again.id, photo.id, "the same bytes are stored once");
    store
        .save_photo(
            &a_photo(2, "A river", "Reuters"),
            b"other",
            &[b"n".to_vec()],
            &[],
        )
        .unwrap();

    assert_eq!(
        store
            .photo_blob(photo.id, PhotoBlob::Original)
            .unwrap()
            .unwrap(),
        b"original"
    );
    assert_eq!(
        store
            .photo_blob(photo.id, PhotoBlob::Rendition(320))
            .unwrap()
            .unwrap(),
        b"narrow"
    );
    assert!(
        store
            .photo_blob(photo.id, PhotoBlob::Rendition(640))
            .unwrap()
            .is_none()
    );
    assert_eq!(store.photo_by_hash(&[1; 32]).unwrap().unwrap().id, photo.id);

    let search = |words: &str| -> Vec<PhotoId> {
        store
            .search_photos(
                &crate::domain::SearchTerms::parse(words).unwrap(),
                PageNumber::FIRST,
                10,
            )
            .unwrap()
            .items
            .iter()
            .map(|p| p.id)
            .collect()
    };
    assert_eq!(search("GENEVE"), vec![photo.id]);
    assert_eq!(search(" xinhua "), vec![photo.id]);
    assert!(search("nowhere").is_empty());
    assert_eq!(store.photos(PageNumber::FIRST, 10).unwrap().items.len(), 2);
    assert!(matches!(
        store.photos(PageNumber::new(2).unwrap(), 10),
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .photos(PageNumber::new(2).unwrap(), 1)
            .unwrap()
            .total_items,
        2
    );

    // A published story shows the photo: a new crop is a public change.
    let mut story = published_at(
        story_titled("Talks", "talks"),
        datetime!(2026-06-01 10:00 UTC),
    );
    story.content.photo = sample_story().content.photo;
    if let Some(lead) = story.content.photo.as_mut() {
        lead.image = Some(photo.id);
    }
    store.save_story(&story, None).unwrap();
    assert!(store.photo_is_public(photo.id).unwrap());
    let before = store.public_version().unwrap();
    let focal = FocalPoint::parse(30, 40).unwrap();
    let crop = Crop {
        aspect: crate::domain::Aspect::Square,
        width: 800,
        height: 800,
    };
    let cropped = store
        .save_photo_crops(photo.id, focal, &[(crop, b"square".to_vec())])
        .unwrap();
    assert_eq!(cropped.focal, focal);
    assert!(store.public_version().unwrap().generation > before.generation);
    assert_eq!(
        store
            .photo_blob(
                photo.id,
                PhotoBlob::Crop(crate::domain::Aspect::Square, focal)
            )
            .unwrap()
            .unwrap(),
        b"square"
    );
    assert!(
        store
            .photo_blob(
                photo.id,
                PhotoBlob::Crop(crate::domain::Aspect::Square, FocalPoint::CENTRE)
            )
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        store.save_photo_crops(PhotoId::new(), focal, &[]),
        Err(StoreError::NotFound)
    ));
}

#[test]
fn the_photo_library_pages_newest_first_at_any_depth() {
    let db = TestDb::new();
    let store = db.open();
    // Ids made at times spread over years and bunched within seconds, as UUIDv7s are.
    let mut photos = Vec::new();
    for n in 0..41u64 {
        let millis = 1_600_000_000_000 + n * n * n * 7_919_000 % 90_000_000_000 + n % 3;
        let mut id = PhotoId::new().to_bytes();
        id[..6].copy_from_slice(&millis.to_be_bytes()[2..]);
        let mut photo = a_photo(n as u8, &format!("Photo {n}"), "");
        photo.id = PhotoId::from_bytes(id);
        store
            .save_photo(&photo, b"original", &[b"narrow".to_vec()], &[])
            .unwrap();
        photos.push(photo.id);
    }
    photos.sort();
    photos.reverse();
    for per_page in [1, 6, 41, 50] {
        let pages = photos.len().div_ceil(per_page);
        for page in 1..=pages {
            let got = store
                .photos(PageNumber::new(page as u32).unwrap(), per_page)
                .unwrap();
            assert_eq!(got.total_items, 41);
            assert_eq!(got.paging.total as usize, pages);
            let got: Vec<PhotoId> = got.items.iter().map(|p| p.id).collect();
            let want: Vec<PhotoId> = photos
                .iter()
                .copied()
                .skip((page - 1) * per_page)
                .take(per_page)
                .collect();
            assert_eq!(got, want, "page {page} of {per_page}");
        }
        assert!(matches!(
            store.photos(PageNumber::new(pages as u32 + 1).unwrap(), per_page),
            Err(StoreError::NotFound)
        ));
    }
    assert_counts_match_entries(&db);
}

#[test]
fn calls_from_async_code_and_a_store_dropped_there_do_not_panic() {
    let db = TestDb::new();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = db.open();
        let story = store
            .save_story(&story_titled("Talks end", "talks-end"), None)
            .unwrap();
        assert_eq!(store.story(story.id).unwrap().unwrap(), story);
        drop(store);
    });
}

/// A site with a little of everything a backup holds, written through `store`.
fn a_site(store: &dyn Store) -> Vec<Story> {
    let photo = a_photo(9, "The envoy speaks.", "Xinhua");
    store
        .save_photo(&photo, b"original", &[b"narrow".to_vec()], &[])
        .unwrap();
    let mut live = published_at(
        story_titled("Talks end", "talks-end"),
        datetime!(2024-05-01 10:00 UTC),
    );
    live.notes.push(PublicNote {
        kind: NoteKind::Correction,
        text: NoteText::parse("Fixed a name.").unwrap(),
        at: datetime!(2024-05-01 12:00 UTC),
    });
    let live = store.save_story(&live, None).unwrap();
    let draft = store
        .save_story(&story_titled("Second", "second"), None)
        .unwrap();
    let draft = store.save_story(&draft, Some(1)).unwrap();
    let user = user_named("zhang.dan");
    store.create_user(&user).unwrap();
    store
        .record_audit(&AuditEvent {
            at: datetime!(2024-05-02 08:00 UTC),
            actor: Some(user.id),
            actor_name: "zhang.dan".into(),
            action: AuditAction::Publish,
            detail: "Talks end".into(),
        })
        .unwrap();
    store
        .put_autosave(
            user.id,
            Some(live.id),
            &Autosave {
                saved_at: datetime!(2024-05-02 09:00 UTC),
                fields: vec![("headline".into(), "Half".into())],
            },
        )
        .unwrap();
    store.set_setup_token(&[5; 32], true).unwrap();
    store.secret("session-cookie-key", 64).unwrap();
    vec![live, draft]
}

/// What a site holds as the application sees it, to compare two stores.
fn contents(store: &dyn Store) -> String {
    let mut out = String::new();
    let desk = Listing::Desk {
        status: None,
        section: None,
    };
    for listing in [Listing::Published, desk.clone()] {
        let page = store
            .listing(listing.clone(), PageNumber::FIRST, 50)
            .unwrap();
        out += &format!("{listing:?}: {} {:?}\n", page.total_items, page.items);
        for item in &page.items {
            let revisions = store.story_revisions(item.id).unwrap();
            out += &format!("{:?}\n", revisions);
        }
    }
    let notes = store.notes(PageNumber::FIRST, 10).unwrap();
    out += &format!("notes {:?}\n", notes.items);
    let users = store.users().unwrap();
    out += &format!("{users:?}\n");
    for user in &users {
        let autosaves: Vec<_> = store
            .listing(desk.clone(), PageNumber::FIRST, 50)
            .unwrap()
            .items
            .iter()
            .map(|s| store.autosave(user.id, Some(s.id)).unwrap())
            .collect();
        out += &format!("{autosaves:?}\n");
    }
    out += &format!("{:?}\n", store.audit_log(None, 50).unwrap());
    out += &format!("{:?}\n", store.photos(PageNumber::FIRST, 50).unwrap().items);
    for photo in store.photos(PageNumber::FIRST, 50).unwrap().items {
        out += &format!(
            "{:?}\n",
            store.photo_blob(photo.id, PhotoBlob::Original).unwrap()
        );
    }
    out += &format!("{:?}\n", store.secret("session-cookie-key", 64).unwrap());
    out += &format!("{:?}\n", store.setup_token_matches(&[5; 32]).unwrap());
    out
}

#[test]
fn a_site_moves_from_sled_to_postgresql_and_back_unchanged() {
    let sled_dir = tempfile::tempdir().unwrap();
    let sled = SledStore::open(sled_dir.path(), 1 << 20).unwrap();
    a_site(&sled);
    let original = contents(&sled);
    let holder = tempfile::tempdir().unwrap();
    sled.backup(&holder.path().join("from-sled")).unwrap();
    let sled_version = sled.public_version().unwrap();

    let db = TestDb::new();
    let pg = db.open();
    let summary = pg.restore_backup(&holder.path().join("from-sled")).unwrap();
    assert_eq!(summary.of("stories"), 2);
    assert_eq!(contents(&pg), original);
    assert!(pg.public_version().unwrap().generation > sled_version.generation);
    assert_counts_match_entries(&db);

    assert!(matches!(
        pg.restore_backup(&holder.path().join("from-sled")),
        Err(StoreError::NotEmpty(_))
    ));

    pg.backup(&holder.path().join("from-pg")).unwrap();
    let back_dir = tempfile::tempdir().unwrap();
    let back = SledStore::open(back_dir.path(), 1 << 20).unwrap();
    back.restore_backup(&holder.path().join("from-pg")).unwrap();
    assert_eq!(contents(&back), original);
}

#[test]
fn both_engines_list_the_same_stories_in_the_same_order() {
    let sled_dir = tempfile::tempdir().unwrap();
    let sled = SledStore::open(sled_dir.path(), 1 << 20).unwrap();
    let db = TestDb::new();
    let pg = db.open();
    let sections = ["world", "business", "sport"];
    let mut stories = Vec::new();
    for n in 0..60i64 {
        let mut story = story_titled(&format!("Story {n}"), &format!("story-{n}"));
        story.content.section = Section::parse(sections[n as usize % 3]).unwrap();
        // Several stories share each second, so ties are broken by id in both.
        story.updated_at = datetime!(2026-01-01 00:00 UTC) + Duration::seconds(n / 4);
        if n % 2 == 0 {
            story = published_at(
                story,
                datetime!(2025-01-01 00:00 UTC) + Duration::seconds(n / 5),
            );
        }
        story.submitted = n % 5 == 0 && n % 2 == 1;
        stories.push(story);
    }
    sled.import_stories(&stories).unwrap();
    pg.import_stories(&stories).unwrap();
    let mut listings = vec![Listing::Published];
    for section in sections {
        let section = Section::parse(section).unwrap();
        listings.push(Listing::Section(section));
        for status in [
            None,
            Some(StatusFilter::Published),
            Some(StatusFilter::Draft),
            Some(StatusFilter::ForReview),
        ] {
            listings.push(Listing::Desk {
                status,
                section: Some(section),
            });
            listings.push(Listing::Desk {
                status,
                section: None,
            });
        }
    }
    for listing in listings {
        for page in 1..=3 {
            let page = PageNumber::new(page).unwrap();
            let a = sled
                .listing(listing.clone(), page, 7)
                .map(|p| (p.total_items, ids(&p.items)));
            let b = pg
                .listing(listing.clone(), page, 7)
                .map(|p| (p.total_items, ids(&p.items)));
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "{listing:?} {page:?}");
        }
    }
}

/// A search of `words` by `audience`, first page.
fn search_for(audience: search_api::Audience, words: &str) -> search_api::StorySearch {
    search_api::StorySearch {
        terms: Some(crate::domain::SearchTerms::parse(words).unwrap()),
        audience,
        order: search_api::SearchOrder::Relevance,
        section: None,
        status: None,
        from: None,
        until: None,
        position: search_api::SearchPosition::Page(PageNumber::FIRST),
        per_page: 10,
    }
}

use crate::storage::SearchStore;
use crate::storage::search as search_api;

fn found(store: &PgStore, audience: search_api::Audience, words: &str) -> usize {
    store
        .search_stories(&search_for(audience, words))
        .unwrap()
        .hits
        .len()
}

#[test]
fn a_database_holding_stories_from_before_search_finds_them_once_migrated() {
    let db = TestDb::new();
    let store = db.open();
    let mut story = published_story("Envoys gather in Genève", datetime!(2026-03-01 08:00 UTC));
    story.content.body = crate::domain::Body::parse("The talks resumed.").unwrap();
    store.save_story(&story, None).unwrap();
    drop(store);
    // The database as schema 1 left it: no search columns, configuration or extension, nor
    // what later migrations added.
    db.client()
        .batch_execute(
            "ALTER TABLE stories DROP COLUMN reader_search, DROP COLUMN desk_search,
                 DROP COLUMN reader_text, DROP COLUMN search_revision;
             ALTER TABLE photos DROP COLUMN search;
             DROP TEXT SEARCH CONFIGURATION newsroom;
             DROP EXTENSION unaccent;
             DROP TABLE login_throttle, device_keys, site_records, story_photos;
             ALTER TABLE stories DROP COLUMN photos_revision;
             DELETE FROM schema_migrations WHERE version >= 2;",
        )
        .unwrap();

    let store = db.open();
    let missing: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM stories
             WHERE desk_search IS NULL OR reader_search IS NULL OR search_revision <> revision",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(missing, 0, "filled on open");
    assert_eq!(
        found(&store, search_api::Audience::Readers, "geneve talk"),
        1
    );
    assert_eq!(found(&store, search_api::Audience::Desk, "geneve talk"), 1);
}

#[test]
fn stories_a_release_without_search_wrote_are_found_once_a_server_follows_the_feed() {
    let db = TestDb::new();
    let store = db.open();
    let saved = store
        .save_story(
            &published_story("Otters return", datetime!(2026-03-01 08:00 UTC)),
            None,
        )
        .unwrap();
    // What an older server's writes leave: a new story without the columns, and a story
    // changed since its columns were computed.
    let mut other = published_story("Beavers build", datetime!(2026-03-01 09:00 UTC));
    other.id = StoryId::new();
    store.save_story(&other, None).unwrap();
    let mut changed = saved.clone();
    changed.content.headline = Headline::parse("Herons return").unwrap();
    let changed = store.save_story(&changed, Some(saved.revision)).unwrap();
    let mut client = db.client();
    client
        .batch_execute(&format!(
            "UPDATE stories SET reader_search = NULL, desk_search = NULL, reader_text = NULL,
                 search_revision = NULL WHERE id = '{}';
             UPDATE stories SET reader_search = to_tsvector('newsroom', 'otters'),
                 search_revision = revision - 1 WHERE id = '{}'",
            other.id, changed.id
        ))
        .unwrap();
    assert_eq!(found(&store, search_api::Audience::Readers, "beaver"), 0);
    assert_eq!(found(&store, search_api::Audience::Readers, "heron"), 0);

    store.follow_changes().unwrap();
    assert_eq!(found(&store, search_api::Audience::Readers, "beaver"), 1);
    assert_eq!(found(&store, search_api::Audience::Readers, "heron"), 1);
    assert_eq!(found(&store, search_api::Audience::Readers, "otter"), 0);
}

#[test]
fn reindex_recomputes_every_row_and_reports_its_progress() {
    let db = TestDb::new();
    let store = db.open();
    let first = datetime!(2026-01-01 00:00 UTC);
    let stories: Vec<Story> = (0..1200)
        .map(|n| published_story(&format!("Round {n} of talks"), first + Duration::minutes(n)))
        .collect();
    store.import_stories(&stories).unwrap();
    db.client()
        .batch_execute("UPDATE stories SET reader_search = to_tsvector('newsroom', 'damaged')")
        .unwrap();
    assert_eq!(found(&store, search_api::Audience::Readers, "talks"), 0);
    let mut calls = Vec::new();
    let indexed = store
        .reindex(&mut |done, total| calls.push((done, total)))
        .unwrap();
    assert_eq!(indexed, 1200);
    assert!(calls.len() >= 3, "{calls:?}");
    assert_eq!(calls.last(), Some(&(1200, 1200)));
    assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0));
    assert_eq!(found(&store, search_api::Audience::Readers, "talks"), 10);
    assert_eq!(found(&store, search_api::Audience::Readers, "damaged"), 0);
}

#[test]
fn the_unaccent_extension_is_created_by_a_database_owner_who_is_not_a_superuser() {
    let admin = std::env::var("NEWSROOM_TEST_DATABASE_URL").unwrap();
    let role = format!("nr_owner_{}", Uuid::now_v7().simple());
    let name = format!("nr_unit_{}", Uuid::now_v7().simple());
    let mut client = ::postgres::Client::connect(&admin, ::postgres::NoTls).unwrap();
    client
        .batch_execute(&format!(
            "CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"
        ))
        .unwrap();
    client
        .batch_execute(&format!("CREATE DATABASE {name} OWNER {role}"))
        .unwrap();
    let url = with_database(&admin, &name, "pool_size=2");
    // The same address, logging in as the owner.
    let url = url.replacen("://newsroom@", &format!("://{role}@"), 1);
    let opened = DatabaseUrl::parse(&url)
        .map_err(|e| e.to_string())
        .and_then(|url| PgStore::open(&url, Clock::system()).map_err(|e| e.to_string()));
    let result = opened.map(|store| {
        store
            .save_story(
                &published_story("Genève talks", datetime!(2026-03-01 08:00 UTC)),
                None,
            )
            .unwrap();
        found(&store, search_api::Audience::Readers, "geneve")
    });
    let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    let _ = client.batch_execute(&format!("DROP ROLE IF EXISTS {role}"));
    assert_eq!(result, Ok(1));
}

#[test]
fn a_search_does_not_read_every_story() {
    let db = TestDb::new();
    let store = db.open();
    let first = datetime!(2026-01-01 00:00 UTC);
    let stories: Vec<Story> = (0..3000)
        .map(|n| {
            let mut story =
                published_story(&format!("Round {n} of talks"), first + Duration::minutes(n));
            if n == 1234 {
                story.content.body = crate::domain::Body::parse("A rare okapi was seen.").unwrap();
            }
            story
        })
        .collect();
    store.import_stories(&stories).unwrap();
    db.client()
        .batch_execute("ANALYZE stories; ANALYZE listing_entries")
        .unwrap();
    for words in ["okapi", "talks"] {
        let mut search = search_for(search_api::Audience::Readers, words);
        search.per_page = 10;
        let page = store.search_stories(&search).unwrap();
        assert!(!page.hits.is_empty(), "{words}");
        let plan = store.explain_search(&search).unwrap();
        let read = rows_read(&plan);
        assert!(read < 1500, "{words}: {read} rows read\n{plan}");
    }
}

/// The most rows any node of an EXPLAIN ANALYZE plan of the stories table read.
fn rows_read(plan: &str) -> u64 {
    plan.lines()
        .filter(|l| l.contains("on stories"))
        .filter_map(|l| {
            let actual = l.split("actual time=").nth(1)?;
            let rows = actual.split("rows=").nth(1)?;
            let rows: u64 = rows.split_whitespace().next()?.parse().ok()?;
            let loops: u64 = actual
                .split("loops=")
                .nth(1)?
                .trim_end_matches(')')
                .parse()
                .ok()?;
            Some(rows * loops)
        })
        .max()
        .unwrap_or(0)
}
