//! Photos, their bytes and their crops.

use super::{at, draft, published};
use crate::helpers::TestSite;
use newsroom::domain::{
    AltText, Aspect, Body, Caption, Crop, FocalPoint, LeadPhoto, PageNumber, PendingChanges, Photo,
    PhotoDefaults, PhotoId, Rendition, SearchTerms, Status,
};
use newsroom::storage::{PhotoBlob, PhotoUse, Store, StoreError};

pub fn photo(hash: u8) -> Photo {
    Photo {
        id: PhotoId::new(),
        content_type: "image/jpeg".into(),
        width: 1600,
        height: 900,
        uploaded_by: None,
        uploaded_at: at(0),
        hash: Some([hash; 32]),
        renditions: vec![
            Rendition {
                width: 320,
                height: 180,
            },
            Rendition {
                width: 1024,
                height: 576,
            },
        ],
        focal: FocalPoint::CENTRE,
        crops: vec![
            Crop {
                aspect: Aspect::Wide,
                width: 1600,
                height: 900,
            },
            Crop {
                aspect: Aspect::Square,
                width: 900,
                height: 900,
            },
        ],
        caption: "Envoys meet".into(),
        credit: "Agency".into(),
        alt: "Two people shake hands".into(),
    }
}

/// Stores `photo` with bytes that say what they are.
pub fn save(store: &dyn newsroom::storage::Store, photo: &Photo) -> Photo {
    store
        .save_photo(
            photo,
            b"original bytes",
            &[b"rendition 320".to_vec(), b"rendition 1024".to_vec()],
            &[b"wide crop".to_vec(), b"square crop".to_vec()],
        )
        .unwrap()
}

fn blob(store: &dyn newsroom::storage::Store, id: PhotoId, which: PhotoBlob) -> Option<Vec<u8>> {
    store.photo_blob(id, which).unwrap()
}

pub fn a_photo_s_original_renditions_and_crops_are_stored_with_it(site: &TestSite) {
    let store = site.open();
    let photo = photo(1);

    let stored = save(&*store, &photo);

    assert_eq!(stored, photo);
    assert_eq!(store.photo(photo.id).unwrap(), Some(photo.clone()));
    assert_eq!(store.photo_by_hash(&[1; 32]).unwrap(), Some(photo.clone()));
    let centre = FocalPoint::CENTRE;
    for (which, bytes) in [
        (PhotoBlob::Original, &b"original bytes"[..]),
        (PhotoBlob::Rendition(320), b"rendition 320"),
        (PhotoBlob::Rendition(1024), b"rendition 1024"),
        (PhotoBlob::Crop(Aspect::Wide, centre), b"wide crop"),
        (PhotoBlob::Crop(Aspect::Square, centre), b"square crop"),
    ] {
        assert_eq!(
            blob(&*store, photo.id, which).as_deref(),
            Some(bytes),
            "{which:?}"
        );
    }
    assert_eq!(blob(&*store, photo.id, PhotoBlob::Rendition(640)), None);
    assert_eq!(blob(&*store, PhotoId::new(), PhotoBlob::Original), None);
}

pub fn new_crops_replace_the_old_ones_and_their_bytes(site: &TestSite) {
    let store = site.open();
    let photo = save(&*store, &photo(2));
    let focal = FocalPoint::parse(20, 70).unwrap();
    let standard = Crop {
        aspect: Aspect::Standard,
        width: 1200,
        height: 900,
    };

    let cropped = store
        .save_photo_crops(photo.id, focal, &[(standard, b"standard crop".to_vec())])
        .unwrap();

    assert_eq!(cropped.focal, focal);
    assert_eq!(cropped.crops, [standard]);
    assert_eq!(store.photo(photo.id).unwrap(), Some(cropped));
    assert_eq!(
        blob(&*store, photo.id, PhotoBlob::Crop(Aspect::Standard, focal)).as_deref(),
        Some(&b"standard crop"[..])
    );
    for aspect in [Aspect::Wide, Aspect::Square] {
        assert_eq!(
            blob(
                &*store,
                photo.id,
                PhotoBlob::Crop(aspect, FocalPoint::CENTRE)
            ),
            None,
            "the old {aspect:?} crop's bytes are gone"
        );
    }
    assert_eq!(
        blob(&*store, photo.id, PhotoBlob::Original).as_deref(),
        Some(&b"original bytes"[..])
    );
    assert!(matches!(
        store.save_photo_crops(PhotoId::new(), focal, &[]),
        Err(StoreError::NotFound)
    ));
}

pub fn a_photo_whose_bytes_are_stored_already_is_not_stored_again(site: &TestSite) {
    let store = site.open();
    let first = save(&*store, &photo(3));
    let mut again = photo(3);
    again.caption = "The same upload, sent twice".into();

    let stored = save(&*store, &again);

    assert_eq!(stored, first);
    assert_eq!(store.photo(again.id).unwrap(), None);
    assert_eq!(
        store
            .photos(newsroom::domain::PageNumber::FIRST, 10)
            .unwrap()
            .total_items,
        1
    );
}

/// A lead photo of `photo`, with a caption of its own.
fn lead(photo: PhotoId) -> Option<LeadPhoto> {
    Some(LeadPhoto {
        image: Some(photo),
        caption: Caption::parse("Envoys meet").unwrap(),
        credit: None,
        alt: None,
    })
}

/// How photo `id` is used, by the headline of each story using it, newest story first.
fn uses(store: &dyn Store, id: PhotoId) -> Vec<(String, PhotoUse)> {
    store
        .stories_using_photo(id)
        .unwrap()
        .into_iter()
        .map(|u| (u.story.headline.to_string(), u.usage))
        .collect()
}

const LEAD: PhotoUse = PhotoUse {
    lead: true,
    inline: false,
    public: false,
};
const INLINE: PhotoUse = PhotoUse {
    lead: false,
    inline: true,
    public: false,
};
const SHOWN_INLINE: PhotoUse = PhotoUse {
    public: true,
    ..INLINE
};

pub fn every_story_using_a_photo_is_listed_and_only_a_public_use_lets_readers_see_it(
    site: &TestSite,
) {
    let store = site.open();
    let (a, b) = (save(&*store, &photo(1)).id, save(&*store, &photo(2)).id);
    let mut first = draft("A draft", "world", 0);
    first.content.photo = lead(a);
    let first = store.save_story(&first, None).unwrap();
    let mut second = published("Talks begin", "world", 1);
    second.content.body = Body::parse(&format!("Words.\n\n![Envoys](photo:{b})\n")).unwrap();
    let second = store.save_story(&second, None).unwrap();

    assert_eq!(uses(&*store, a), vec![("A draft".to_owned(), LEAD)]);
    assert_eq!(
        uses(&*store, b),
        vec![("Talks begin".to_owned(), SHOWN_INLINE)]
    );
    assert!(!store.photo_is_public(a).unwrap());
    assert!(store.photo_is_public(b).unwrap());

    // Pending changes of a live story use a photo without showing it.
    let mut staged = second.clone();
    let mut pending = second.content.clone();
    pending.photo = lead(a);
    staged.pending = Some(Box::new(PendingChanges {
        content: pending,
        by: None,
        at: at(2),
    }));
    let staged = store.save_story(&staged, Some(second.revision)).unwrap();
    assert_eq!(
        uses(&*store, a),
        vec![
            ("Talks begin".to_owned(), LEAD),
            ("A draft".to_owned(), LEAD)
        ]
    );
    assert!(!store.photo_is_public(a).unwrap());

    // Unpublished, the story still uses its photos, but readers no longer see them.
    let mut unpublished = staged.clone();
    unpublished.status = Status::Unpublished;
    let unpublished = store
        .save_story(&unpublished, Some(staged.revision))
        .unwrap();
    assert_eq!(uses(&*store, b), vec![("Talks begin".to_owned(), INLINE)]);
    assert!(!store.photo_is_public(b).unwrap());

    // A photo no version of the story names any more is no longer used by it.
    let mut cleared = unpublished.clone();
    cleared.pending = None;
    cleared.content.body = Body::parse("Words only.").unwrap();
    store
        .save_story(&cleared, Some(unpublished.revision))
        .unwrap();
    assert_eq!(uses(&*store, b), vec![]);
    assert_eq!(uses(&*store, a), vec![("A draft".to_owned(), LEAD)]);
    let _ = first;
}

pub fn a_restored_backup_keeps_every_use_of_a_photo(site: &TestSite) {
    let store = site.open();
    let (a, b) = (save(&*store, &photo(1)).id, save(&*store, &photo(2)).id);
    let mut first = draft("A draft", "world", 0);
    first.content.photo = lead(a);
    store.save_story(&first, None).unwrap();
    let mut second = published("Talks begin", "world", 1);
    second.content.body = Body::parse(&format!("![Envoys](photo:{b})")).unwrap();
    store.save_story(&second, None).unwrap();
    let backup_dir = site.path().join("backup");
    store.backup(&backup_dir).unwrap();

    let target = TestSite::on(site.engine());
    let copy = target.open();
    copy.restore_backup(&backup_dir).unwrap();

    assert_eq!(uses(&*copy, a), vec![("A draft".to_owned(), LEAD)]);
    assert_eq!(
        uses(&*copy, b),
        vec![("Talks begin".to_owned(), SHOWN_INLINE)]
    );
    assert!(!copy.photo_is_public(a).unwrap());
    assert!(copy.photo_is_public(b).unwrap());
}

pub fn a_photo_s_defaults_are_replaced_and_found_by_search(site: &TestSite) {
    let store = site.open();
    let stored = save(&*store, &photo(1));

    let saved = store
        .save_photo_defaults(
            stored.id,
            &PhotoDefaults {
                caption: Some(Caption::parse("Harbour at dawn").unwrap()),
                credit: None,
                alt: Some(AltText::parse("Boats moored in a calm harbour").unwrap()),
            },
        )
        .unwrap();

    assert_eq!(saved.caption, "Harbour at dawn");
    assert_eq!(saved.credit, "");
    assert_eq!(store.photo(stored.id).unwrap(), Some(saved.clone()));
    let found = |words: &str| -> Vec<PhotoId> {
        store
            .search_photos(&SearchTerms::parse(words).unwrap(), PageNumber::FIRST, 10)
            .unwrap()
            .items
            .iter()
            .map(|p| p.id)
            .collect()
    };
    assert_eq!(found("harbour"), [stored.id]);
    assert_eq!(found("envoys"), Vec::<PhotoId>::new());
    assert!(matches!(
        store.save_photo_defaults(PhotoId::new(), &PhotoDefaults::default()),
        Err(StoreError::NotFound)
    ));
}
