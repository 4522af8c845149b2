//! Backups in the stream format through the sled backend: what a restore brings back, as the
//! rest of the application sees it through the `Store` API, and what it refuses.

use super::*;
use crate::domain::{PasswordHash, Rendition, Role, Status};
use crate::storage::StatusFilter;
use crate::storage::codec::tests::sample_story;
use tempfile::TempDir;
use time::macros::datetime;

const CACHE: u64 = 1 << 20;

fn user_named(name: &str) -> User {
    User {
        id: UserId::new(),
        username: Username::parse(name).unwrap(),
        initials: crate::domain::Initials::parse("ZD").unwrap(),
        role: Role::Editor,
        password_hash: PasswordHash("$argon2id$v=19$m=19456,t=2,p=1$x$y".into()),
        disabled: false,
        created_at: datetime!(2020-01-01 00:00 UTC),
        two_factor: None,
    }
}

/// A site with a little of everything a backup holds.
struct Site {
    published: Story,
    draft_revisions: Vec<Story>,
    user: User,
    event: AuditEvent,
    photo: Photo,
    original: Vec<u8>,
    renditions: Vec<Vec<u8>>,
    cookie_key: Vec<u8>,
    autosave: Autosave,
    version: PublicVersion,
}

fn a_site(store: &SledStore) -> Site {
    let photo = Photo {
        id: PhotoId::new(),
        content_type: "image/png".into(),
        width: 1200,
        height: 800,
        uploaded_by: None,
        uploaded_at: datetime!(2024-05-01 10:00:00 UTC),
        hash: Some([9; 32]),
        renditions: vec![
            Rendition {
                width: 320,
                height: 213,
            },
            Rendition {
                width: 640,
                height: 427,
            },
        ],
        caption: "The envoy speaks.".into(),
        credit: "Xinhua".into(),
        alt: String::new(),
        focal: crate::domain::FocalPoint::CENTRE,
        crops: Vec::new(),
    };
    let original = b"the original upload".to_vec();
    let renditions = vec![b"narrow jpeg".to_vec(), b"wide jpeg".to_vec()];
    store
        .save_photo(&photo, &original, &renditions, &[])
        .unwrap();

    let mut published = sample_story();
    published.status = Status::Published;
    published.published_at = Some(published.updated_at);
    if let Some(lead) = published.content.photo.as_mut() {
        lead.image = Some(photo.id);
    }
    let published = store.save_story(&published, None).unwrap();

    let mut draft = sample_story();
    draft.id = StoryId::new();
    draft.content.slug = Slug::parse("a-second-story").unwrap();
    draft.status = Status::Draft;
    let first = store.save_story(&draft, None).unwrap();
    let second = store.save_story(&first, Some(1)).unwrap();

    let user = user_named("zhang.dan");
    store.create_user(&user).unwrap();
    let event = AuditEvent {
        at: datetime!(2024-05-02 08:00 UTC),
        actor: Some(user.id),
        actor_name: "zhang.dan".into(),
        action: crate::domain::AuditAction::Publish,
        detail: "Talks end".into(),
    };
    store.record_audit(&event).unwrap();
    let autosave = Autosave {
        saved_at: datetime!(2024-05-02 09:00 UTC),
        fields: vec![("headline".into(), "Half-written".into())],
    };
    store
        .put_autosave(user.id, Some(published.id), &autosave)
        .unwrap();
    store.set_setup_token(&[5; 32], true).unwrap();
    store
        .put_session(
            &[1; 32],
            &Session {
                state: Vec::new(),
                expires_at: datetime!(2100-01-01 00:00 UTC),
                user: Some(user.id),
                browser: String::new(),
                address: String::new(),
                last_seen: None,
            },
        )
        .unwrap();
    Site {
        cookie_key: store.secret("session-cookie-key", 64).unwrap(),
        version: store.public_version().unwrap(),
        published,
        draft_revisions: vec![second, first],
        user,
        event,
        photo,
        original,
        renditions,
        autosave,
    }
}

/// A site, its backup at `holder/backup`, and the directory that holds it.
fn backed_up_site() -> (Site, TempDir, PathBuf) {
    let data = tempfile::tempdir().unwrap();
    let store = SledStore::open(data.path(), CACHE).unwrap();
    let site = a_site(&store);
    let holder = tempfile::tempdir().unwrap();
    let path = holder.path().join("backup");
    store.backup(&path).unwrap();
    (site, holder, path)
}

fn restored(backup: &Path) -> (TempDir, SledStore) {
    let dir = tempfile::tempdir().unwrap();
    SledStore::restore(dir.path(), backup, CACHE, Replace::OnlyEmpty).unwrap();
    let store = SledStore::open(dir.path(), CACHE).unwrap();
    (dir, store)
}

#[test]
fn a_backup_holds_records_of_the_domain_and_no_sessions() {
    let (_site, _holder, backup) = backed_up_site();

    let summary = backup::read(&backup, |_| Ok(())).unwrap();

    assert_eq!(backup::format_of(&backup).unwrap(), backup::Format::Records);
    assert_eq!(summary.of("stories"), 2);
    assert_eq!(summary.of("revisions"), 3);
    assert_eq!(summary.of("users"), 1);
    assert_eq!(summary.of("photos"), 1);
    assert_eq!(summary.of("sessions"), 0);
    assert_eq!(summary.of("indexes"), 0);
}

#[test]
fn a_restored_site_lists_and_finds_its_stories() {
    let (site, _holder, backup) = backed_up_site();

    let (_dir, store) = restored(&backup);

    assert_eq!(
        store.story(site.published.id).unwrap(),
        Some(site.published.clone())
    );
    assert_eq!(
        store.story_by_slug(&site.published.content.slug).unwrap(),
        Some(site.published.clone())
    );
    assert_eq!(
        store
            .story_by_slug(&site.draft_revisions[0].content.slug)
            .unwrap()
            .as_ref(),
        Some(&site.draft_revisions[0])
    );
    let front = store
        .listing(Listing::Published, PageNumber::FIRST, 10)
        .unwrap();
    assert_eq!(front.total_items, 1);
    assert_eq!(front.items[0].id, site.published.id);
    let section = Listing::Section(site.published.content.section);
    assert_eq!(
        store
            .listing(section, PageNumber::FIRST, 10)
            .unwrap()
            .total_items,
        1
    );
    let desk = |status| Listing::Desk {
        status,
        section: None,
    };
    assert_eq!(
        store
            .listing(desk(None), PageNumber::FIRST, 10)
            .unwrap()
            .total_items,
        2
    );
    let drafts = store
        .listing(desk(Some(StatusFilter::Draft)), PageNumber::FIRST, 10)
        .unwrap();
    assert_eq!(drafts.items[0].id, site.draft_revisions[0].id);
}

#[test]
fn a_restored_site_keeps_every_revision() {
    let (site, _holder, backup) = backed_up_site();

    let (_dir, store) = restored(&backup);

    let id = site.draft_revisions[0].id;
    assert_eq!(store.story_revisions(id).unwrap(), site.draft_revisions);
    assert_eq!(
        store.story_revision(id, 1).unwrap().as_ref(),
        site.draft_revisions.last()
    );
}

#[test]
fn a_restored_site_keeps_accounts_audit_log_autosaves_and_secrets() {
    let (site, _holder, backup) = backed_up_site();

    let (_dir, store) = restored(&backup);

    assert_eq!(
        store.user_by_name(&site.user.username).unwrap(),
        Some(site.user.clone())
    );
    assert_eq!(store.users().unwrap(), std::slice::from_ref(&site.user));
    assert_eq!(
        store.audit_log(None, 10).unwrap(),
        std::slice::from_ref(&site.event)
    );
    assert_eq!(
        store
            .autosave(site.user.id, Some(site.published.id))
            .unwrap(),
        Some(site.autosave.clone())
    );
    assert_eq!(
        store.secret("session-cookie-key", 64).unwrap(),
        site.cookie_key
    );
    assert!(store.setup_token_matches(&[5; 32]).unwrap());
    // Everyone signs in again.
    assert_eq!(store.session(&[1; 32], site.event.at).unwrap(), None);
}

#[test]
fn a_restored_site_keeps_its_photos_and_their_bytes() {
    let (site, _holder, backup) = backed_up_site();

    let (_dir, store) = restored(&backup);

    let id = site.photo.id;
    assert_eq!(store.photo(id).unwrap(), Some(site.photo.clone()));
    assert_eq!(
        store.photo_by_hash(&[9; 32]).unwrap(),
        Some(site.photo.clone())
    );
    assert_eq!(
        store.photo_blob(id, PhotoBlob::Original).unwrap(),
        Some(site.original.clone())
    );
    for (rendition, bytes) in site.photo.renditions.iter().zip(&site.renditions) {
        assert_eq!(
            store
                .photo_blob(id, PhotoBlob::Rendition(rendition.width))
                .unwrap(),
            Some(bytes.clone())
        );
    }
    assert!(store.photo_is_public(id).unwrap());
}

#[test]
fn a_restored_sites_public_version_moves_forward_so_caches_revalidate() {
    let (site, _holder, backup) = backed_up_site();

    let (_dir, store) = restored(&backup);

    let version = store.public_version().unwrap();
    assert!(version.generation > site.version.generation);
    assert!(version.changed_at >= site.version.changed_at);
}

/// A data directory whose database holds one account, standing for the old data.
fn old_data() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path(), CACHE).unwrap();
    store.create_user(&user_named("old.hand")).unwrap();
    dir
}

fn old_data_is_untouched(dir: &Path) {
    let store = SledStore::open(dir, CACHE).unwrap();
    let names: Vec<String> = store
        .users()
        .unwrap()
        .into_iter()
        .map(|u| u.username.to_string())
        .collect();
    assert_eq!(names, ["old.hand"]);
    assert!(store.story_revisions(StoryId::new()).unwrap().is_empty());
    assert!(!dir.join(DB_RESTORING).exists());
}

#[test]
fn a_cut_or_altered_backup_is_refused_and_the_old_data_stays() {
    let (_site, _holder, backup) = backed_up_site();
    let file = backup::file_in(&backup);
    let good = std::fs::read(&file).unwrap();
    let data = old_data();
    let mut flipped = good.clone();
    flipped[good.len() / 2] ^= 0x40;

    for damaged in [
        good[..good.len() / 2].to_vec(),
        good[..good.len() - 1].to_vec(),
        flipped,
    ] {
        std::fs::write(&file, &damaged).unwrap();
        let refused = SledStore::restore(data.path(), &backup, CACHE, Replace::Anything);
        assert!(
            matches!(
                refused,
                Err(StoreError::DamagedBackup { .. } | StoreError::UnreadableBackupRecord { .. })
            ),
            "{refused:?}"
        );
        old_data_is_untouched(data.path());
    }
}

#[test]
fn records_that_contradict_each_other_are_refused_and_the_old_data_stays() {
    let data = old_data();
    let holder = tempfile::tempdir().unwrap();
    let backup = holder.path().join("backup");
    let mut writer = backup::Writer::create(&backup, datetime!(2026-12-01 00:00 UTC)).unwrap();
    let story = sample_story();
    let mut twin = sample_story();
    twin.id = StoryId::new();
    writer.record(&backup::Record::Story(story)).unwrap();
    writer.record(&backup::Record::Story(twin)).unwrap();
    writer.finish().unwrap();

    let refused = SledStore::restore(data.path(), &backup, CACHE, Replace::Anything);

    assert!(
        matches!(refused, Err(StoreError::DamagedBackup { ref why, .. }) if why.contains("slug")),
        "{refused:?}"
    );
    old_data_is_untouched(data.path());
}

#[test]
fn a_tree_dump_of_earlier_releases_still_restores() {
    let data = tempfile::tempdir().unwrap();
    let store = SledStore::open(data.path(), CACHE).unwrap();
    let site = a_site(&store);
    let holder = tempfile::tempdir().unwrap();
    let backup = holder.path().join("backup");
    // What `backup` wrote before the stream of records: every tree but sessions, as stored.
    let mut writer = backup::TreeDumpWriter::create(&backup).unwrap();
    for name in store.db.tree_names() {
        let name_text = String::from_utf8_lossy(&name).into_owned();
        // Releases that wrote tree dumps kept neither sessions in them nor a change feed.
        if name_text == SESSIONS || name_text == "changes" {
            continue;
        }
        for item in store.db.open_tree(&name).unwrap().iter() {
            let (key, value) = item.unwrap();
            if name_text == "meta" && key.as_ref() == CHANGE_SEQ {
                continue;
            }
            writer.record(&name_text, &key, &value).unwrap();
        }
    }
    writer.finish().unwrap();
    drop(store);

    let (_dir, restored) = restored(&backup);

    assert_eq!(
        backup::format_of(&backup).unwrap(),
        backup::Format::TreeDump
    );
    assert_eq!(
        restored
            .story_by_slug(&site.published.content.slug)
            .unwrap(),
        Some(site.published.clone())
    );
    let front = restored
        .listing(Listing::Published, PageNumber::FIRST, 10)
        .unwrap();
    assert_eq!(front.total_items, 1);
    assert_eq!(
        restored.user_by_name(&site.user.username).unwrap(),
        Some(site.user)
    );
    assert_eq!(restored.public_version().unwrap(), site.version);
}

#[test]
fn a_restored_photo_keeps_its_crops_and_their_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let source = SledStore::open(&dir.path().join("data"), CACHE).unwrap();
    let site = a_site(&source);
    let crop = Crop {
        aspect: crate::domain::Aspect::Square,
        width: 800,
        height: 800,
    };
    let focal = FocalPoint::parse(10, 20).unwrap();
    source
        .save_photo_crops(site.photo.id, focal, &[(crop, b"square jpeg".to_vec())])
        .unwrap();
    let backup = dir.path().join("backup");
    source.backup(&backup).unwrap();

    let (_restored_dir, store) = restored(&backup);

    let photo = store.photo(site.photo.id).unwrap().unwrap();
    assert_eq!(photo.focal, focal);
    assert_eq!(photo.crops, vec![crop]);
    assert_eq!(
        store
            .photo_blob(
                site.photo.id,
                PhotoBlob::Crop(crate::domain::Aspect::Square, focal)
            )
            .unwrap()
            .as_deref(),
        Some(&b"square jpeg"[..])
    );
}
