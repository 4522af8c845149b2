//! Photos, their bytes and their crops.

use super::at;
use crate::helpers::TestSite;
use newsroom::domain::{Aspect, Crop, FocalPoint, Photo, PhotoId, Rendition};
use newsroom::storage::{PhotoBlob, StoreError};

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
