//! Photos: uploads checked by decoding, upright renditions without metadata, served with
//! immutable caching once published, a library to reuse them, and the words that go with them.

use crate::helpers::{Browser, TestApp, input_value, location, select, text_of};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use newsroom::domain::{PageNumber, PhotoId, Role};
use newsroom::domain::{Photo, Rendition};
use newsroom::storage::PhotoBlob;
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use scraper::Html;
use std::io::Cursor;

const PASSWORD: &str = "correct horse battery";

// --- Arrange: images made here, and a multipart form as a browser sends it -------------------

/// An image whose left half is red and right half blue, so a rotation shows in its pixels.
fn two_tone(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            Rgb([220, 20, 20])
        } else {
            Rgb([20, 20, 220])
        }
    }))
}

fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).expect("encode test image");
    out.into_inner()
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encode(&two_tone(width, height), ImageFormat::Jpeg)
}

/// A TIFF-in-APP1 block saying "rotate 90° clockwise to display" with a GPS position.
fn exif_app1(orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"MM\0\x2A");
    tiff.extend_from_slice(&8u32.to_be_bytes());
    // IFD0 at 8: two entries, then the next-IFD offset (none).
    let gps_ifd: u32 = 8 + 2 + 2 * 12 + 4;
    tiff.extend_from_slice(&2u16.to_be_bytes());
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes());
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0x8825u16.to_be_bytes()); // GPS IFD pointer
    tiff.extend_from_slice(&4u16.to_be_bytes()); // LONG
    tiff.extend_from_slice(&1u32.to_be_bytes());
    tiff.extend_from_slice(&gps_ifd.to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());
    // GPS IFD: latitude reference "N" and latitude 46° 12' 30", rationals after the IFD.
    let rationals: u32 = gps_ifd + 2 + 2 * 12 + 4;
    tiff.extend_from_slice(&2u16.to_be_bytes());
    tiff.extend_from_slice(&0x0001u16.to_be_bytes()); // GPSLatitudeRef
    tiff.extend_from_slice(&2u16.to_be_bytes()); // ASCII
    tiff.extend_from_slice(&2u32.to_be_bytes());
    tiff.extend_from_slice(b"N\0\0\0");
    tiff.extend_from_slice(&0x0002u16.to_be_bytes()); // GPSLatitude
    tiff.extend_from_slice(&5u16.to_be_bytes()); // RATIONAL
    tiff.extend_from_slice(&3u32.to_be_bytes());
    tiff.extend_from_slice(&rationals.to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());
    for (num, den) in [(46u32, 1u32), (12, 1), (30, 1)] {
        tiff.extend_from_slice(&num.to_be_bytes());
        tiff.extend_from_slice(&den.to_be_bytes());
    }
    let mut segment = vec![0xFF, 0xE1];
    let length = u16::try_from(2 + 6 + tiff.len()).expect("small segment");
    segment.extend_from_slice(&length.to_be_bytes());
    segment.extend_from_slice(b"Exif\0\0");
    segment.extend_from_slice(&tiff);
    segment
}

/// A landscape JPEG (40×20, red left, blue right) whose EXIF says to turn it upright by
/// rotating it 90° clockwise, and which carries the GPS position of where it was taken.
fn rotated_jpeg_with_gps() -> Vec<u8> {
    let plain = jpeg(40, 20);
    let mut bytes = plain[..2].to_vec(); // SOI
    bytes.extend_from_slice(&exif_app1(6));
    bytes.extend_from_slice(&plain[2..]);
    bytes
}

/// The marker bytes of the segments before the image data of a JPEG.
fn jpeg_segment_markers(bytes: &[u8]) -> Vec<u8> {
    assert_eq!(&bytes[..2], &[0xFF, 0xD8], "a JPEG starts with SOI");
    let mut markers = Vec::new();
    let mut at = 2;
    while at + 4 <= bytes.len() && bytes[at] == 0xFF {
        let marker = bytes[at + 1];
        markers.push(marker);
        if marker == 0xDA {
            break; // start of scan: compressed data follows
        }
        let length = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        at += 2 + length;
    }
    markers
}

/// A valid, tiny PNG whose header claims 100000×100000 pixels (40 GB once decoded).
fn png_bomb() -> Vec<u8> {
    let mut bytes = encode(&two_tone(2, 2), ImageFormat::Png);
    bytes[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    bytes[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crc32fast::hash(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

/// A `multipart/form-data` body built field by field.
struct Form {
    boundary: String,
    body: Vec<u8>,
}

impl Form {
    fn new() -> Self {
        Self {
            boundary: "----newsroom-test-boundary-7d3f".into(),
            body: Vec::new(),
        }
    }

    fn text(mut self, name: &str, value: &str) -> Self {
        self.body.extend_from_slice(
            format!(
                "--{}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n",
                self.boundary
            )
            .as_bytes(),
        );
        self
    }

    fn file(mut self, name: &str, filename: &str, content_type: &str, bytes: &[u8]) -> Self {
        self.body.extend_from_slice(
            format!(
                "--{}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n",
                self.boundary
            )
            .as_bytes(),
        );
        self.body.extend_from_slice(bytes);
        self.body.extend_from_slice(b"\r\n");
        self
    }

    async fn post(mut self, browser: &Browser, path: &str) -> reqwest::Response {
        self.body
            .extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        browser
            .client
            .post(format!("{}{path}", browser.address))
            .header(
                CONTENT_TYPE,
                format!("multipart/form-data; boundary={}", self.boundary),
            )
            .body(self.body)
            .send()
            .await
            .expect("request")
    }
}

/// An editor at the desk, and the CSRF token of their session.
pub(crate) async fn editor(app: &TestApp) -> (Browser, String) {
    app.create_user("edna", Role::Editor, PASSWORD);
    let browser = app.login("edna", PASSWORD).await;
    let csrf = browser.csrf("/desk/stories/new").await;
    (browser, csrf)
}

/// A valid story form; tests add the photo fields and the button pressed.
fn story_form(csrf: &str, headline: &str) -> Form {
    Form::new()
        .text("csrf", csrf)
        .text("headline", headline)
        .text("bylines", "Ann Lee")
        .text("section", "world")
        .text("body", "Talks resumed in Geneva.")
}

/// The story's id from the redirect after a save.
fn saved_story(response: &reqwest::Response) -> String {
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the save succeeds"
    );
    let to = location(response).expect("a redirect");
    to.trim_start_matches("/desk/stories/")
        .split('?')
        .next()
        .expect("an id")
        .to_owned()
}

/// Saves a draft with `bytes` as its photo; returns the story id and the stored photo's id.
async fn upload(browser: &Browser, csrf: &str, headline: &str, bytes: &[u8]) -> (String, PhotoId) {
    let response = story_form(csrf, headline)
        .text("caption", "Delegates arrive in Geneva")
        .text("credit", "Xinhua/Xu Jinquan")
        .text("alt", "Three delegates walk past flags")
        .file("photo", "photo.jpg", "image/jpeg", bytes)
        .text("action", "save")
        .post(browser, "/desk/stories")
        .await;
    let story = saved_story(&response);
    let (_, form) = browser.get_html(&format!("/desk/stories/{story}")).await;
    let photo = input_value(&form, "photo_id")
        .expect("a photo id on the form")
        .parse()
        .expect("a photo id");
    (story, photo)
}

fn decode(bytes: &[u8]) -> DynamicImage {
    image::load_from_memory(bytes).expect("a decodable image")
}

async fn refused_upload(bytes: &[u8], filename: &str) -> (StatusCode, Html) {
    let app = TestApp::spawn().await;
    let (browser, csrf) = editor(&app).await;
    let response = story_form(&csrf, "Kept headline")
        .file("photo", filename, "image/jpeg", bytes)
        .text("action", "save")
        .post(&browser, "/desk/stories")
        .await;
    let status = response.status();
    let page = Html::parse_document(&response.text().await.expect("body"));
    assert!(
        app.store
            .photos(PageNumber::FIRST, 10)
            .expect("library")
            .items
            .is_empty(),
        "nothing is stored"
    );
    (status, page)
}

fn photo_error(page: &Html) -> String {
    text_of(page, "#photo ~ .field-error").expect("an error at the photo field")
}

// --- Accepting and refusing uploads ------------------------------------------------------------

#[actix_web::test]
async fn jpeg_png_webp_and_gif_uploads_become_jpeg_renditions() {
    let app = TestApp::spawn().await;
    let (browser, csrf) = editor(&app).await;
    let image = two_tone(600, 300);
    for format in [
        ImageFormat::Jpeg,
        ImageFormat::Png,
        ImageFormat::WebP,
        ImageFormat::Gif,
    ] {
        let bytes = encode(&image, format);
        let (_, photo) = upload(&browser, &csrf, &format!("{format:?} story"), &bytes).await;

        let record = app.store.photo(photo).expect("read").expect("stored");
        let widths: Vec<_> = record.renditions.iter().map(|r| r.width).collect();
        assert_eq!(widths, vec![480, 600], "{format:?}: never upscaled");
        let response = browser.get(&format!("/desk/photos/{photo}/480.jpg")).await;
        assert_eq!(response.status(), StatusCode::OK, "{format:?}");
        assert_eq!(response.headers()[CONTENT_TYPE], "image/jpeg");
        let rendition = decode(&response.bytes().await.expect("body"));
        assert_eq!(
            (rendition.width(), rendition.height()),
            (480, 240),
            "{format:?}"
        );
        let original = browser.get(&format!("/desk/photos/{photo}/original")).await;
        assert_eq!(
            original.bytes().await.expect("body").as_ref(),
            bytes.as_slice(),
            "{format:?}: the original is kept byte for byte"
        );
    }
}

#[actix_web::test]
async fn a_rotated_jpeg_is_turned_upright_and_loses_its_exif_and_gps_position() {
    let app = TestApp::spawn().await;
    let (browser, csrf) = editor(&app).await;
    let bytes = rotated_jpeg_with_gps();
    assert_eq!(
        image::load_from_memory(&bytes).expect("valid").width(),
        40,
        "stored landscape"
    );

    let (_, photo) = upload(&browser, &csrf, "Rotated", &bytes).await;

    let record = app.store.photo(photo).expect("read").expect("stored");
    assert_eq!((record.width, record.height), (20, 40), "upright: portrait");
    for rendition in &record.renditions {
        let jpeg = app
            .store
            .photo_blob(photo, PhotoBlob::Rendition(rendition.width))
            .expect("read")
            .expect("rendition");
        let markers = jpeg_segment_markers(&jpeg);
        assert!(
            !markers.contains(&0xE1),
            "no APP1 (EXIF) segment: {markers:x?}"
        );
        assert!(
            !jpeg.windows(4).any(|w| w == b"Exif"),
            "no EXIF bytes anywhere"
        );
        assert!(
            !jpeg
                .windows(4)
                .any(|w| w == b"MM\0\x2A" || w == b"II\x2A\0"),
            "no TIFF (EXIF/GPS) block anywhere"
        );
        let image = decode(&jpeg).to_rgb8();
        assert_eq!(image.dimensions(), (20, 40));
        // Turned clockwise, the red left half is now on top and the blue half below.
        let top = image.get_pixel(10, 5);
        let bottom = image.get_pixel(10, 35);
        assert!(top[0] > 150 && top[2] < 100, "top is red: {top:?}");
        assert!(
            bottom[2] > 150 && bottom[0] < 100,
            "bottom is blue: {bottom:?}"
        );
    }
    // The archive keeps the original untouched, EXIF and all.
    let original = app
        .store
        .photo_blob(photo, PhotoBlob::Original)
        .expect("read")
        .expect("original");
    assert_eq!(original, bytes);
}

#[actix_web::test]
async fn a_truncated_file_is_refused_on_the_form() {
    let bytes = jpeg(300, 200);
    let (status, page) = refused_upload(&bytes[..bytes.len() / 2], "photo.jpg").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        photo_error(&page).contains("truncated or damaged"),
        "{}",
        photo_error(&page)
    );
    assert_eq!(
        input_value(&page, "headline").as_deref(),
        Some("Kept headline")
    );
}

#[actix_web::test]
async fn a_text_file_named_jpg_is_refused_as_not_an_image() {
    let (status, page) = refused_upload(b"Meeting notes, not a photo.\n", "notes.jpg").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(photo_error(&page).contains("not a JPEG, PNG, WebP or GIF"));
    assert_eq!(
        input_value(&page, "headline").as_deref(),
        Some("Kept headline")
    );
}

#[actix_web::test]
async fn a_decompression_bomb_is_refused_from_its_header() {
    let (status, page) = refused_upload(&png_bomb(), "bomb.png").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = photo_error(&page);
    assert!(error.contains("100000×100000 pixels"), "{error}");
    assert!(error.contains("megapixels are accepted"), "{error}");
}

#[actix_web::test]
async fn an_oversized_upload_gets_a_clear_error_on_the_form_not_a_dropped_connection() {
    let app = TestApp::spawn_with(|s| s.max_photo_bytes = 64 * 1024).await;
    let (browser, csrf) = editor(&app).await;
    let big = vec![0xAB; 300 * 1024];

    let response = story_form(&csrf, "Kept headline")
        .file("photo", "big.jpg", "image/jpeg", &big)
        .text("caption", "Typed after the photo")
        .text("action", "save")
        .post(&browser, "/desk/stories")
        .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&response.text().await.expect("a whole response"));
    let error = photo_error(&page);
    assert!(error.contains("larger than the 64 KiB limit"), "{error}");
    assert_eq!(
        input_value(&page, "headline").as_deref(),
        Some("Kept headline")
    );
    assert_eq!(
        text_of(&page, "#caption").as_deref(),
        Some("Typed after the photo"),
        "fields after the photo arrive too"
    );
}

#[actix_web::test]
async fn the_same_photo_uploaded_twice_is_stored_once() {
    let app = TestApp::spawn().await;
    let (browser, csrf) = editor(&app).await;
    let bytes = jpeg(500, 300);

    let (_, first) = upload(&browser, &csrf, "First story", &bytes).await;
    let (_, second) = upload(&browser, &csrf, "Second story", &bytes).await;

    assert_eq!(first, second, "the second upload finds the first");
    let library = app.store.photos(PageNumber::FIRST, 10).expect("library");
    assert_eq!(library.total_items, 1);
}

// --- Caption, credit and alt text --------------------------------------------------------------

#[actix_web::test]
async fn publishing_a_photo_without_credit_or_alt_text_is_refused_naming_what_is_missing() {
    let app = TestApp::spawn().await;
    let (browser, csrf) = editor(&app).await;

    let response = story_form(&csrf, "Uncredited")
        .text("caption", "Delegates arrive")
        .file(
            "photo",
            "photo.png",
            "image/png",
            &encode(&two_tone(50, 40), ImageFormat::Png),
        )
        .text("action", "publish")
        .post(&browser, "/desk/stories")
        .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&response.text().await.expect("body"));
    let summary = text_of(&page, "[role=alert]").expect("a summary");
    assert!(
        summary.contains("cannot be published: its photo has no credit and no alt text"),
        "{summary}"
    );
    assert!(text_of(&page, "#credit ~ .field-error").is_some_and(|e| e.contains("credit")));
    assert!(text_of(&page, "#alt ~ .field-error").is_some_and(|e| e.contains("Alt text")));
    assert_eq!(
        input_value(&page, "headline").as_deref(),
        Some("Uncredited")
    );
    assert_eq!(
        text_of(&page, "#caption").as_deref(),
        Some("Delegates arrive")
    );
    let photo = input_value(&page, "photo_id").expect("photo kept");
    assert!(
        photo.parse::<PhotoId>().is_ok(),
        "the upload is kept: {photo:?}"
    );

    // With both given, the same form publishes.
    let response = story_form(&csrf, "Uncredited")
        .text("photo_id", &photo)
        .text("caption", "Delegates arrive")
        .text("credit", "Reuters")
        .text("alt", "Delegates walking")
        .text("action", "publish")
        .post(&browser, "/desk/stories")
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn scheduling_a_photo_without_a_credit_is_refused() {
    let app = TestApp::spawn().await;
    let (browser, csrf) = editor(&app).await;
    let response = story_form(&csrf, "Later")
        .text("caption", "Delegates arrive")
        .text("alt", "Delegates walking")
        .file("photo", "photo.jpg", "image/jpeg", &jpeg(50, 40))
        .text("schedule_at", "2099-01-01T09:00")
        .text("action", "schedule")
        .post(&browser, "/desk/stories")
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&response.text().await.expect("body"));
    let summary = text_of(&page, "[role=alert]").expect("a summary");
    assert!(summary.contains("cannot be scheduled"), "{summary}");
    assert!(
        summary.contains("credit") && !summary.contains("alt text"),
        "{summary}"
    );
}

// --- Serving -----------------------------------------------------------------------------------

#[actix_web::test]
async fn renditions_reach_readers_once_published_with_immutable_caching() {
    let app = TestApp::spawn().await;
    let (browser, csrf) = editor(&app).await;
    let (story, photo) = upload(&browser, &csrf, "Talks resume", &jpeg(1200, 800)).await;
    let rendition = format!("/media/{photo}/960.jpg");
    app.assert_not_found(&rendition).await;

    let response = story_form(&csrf, "Talks resume")
        .text("revision", "1")
        .text("photo_id", &photo.to_string())
        .text("action", "publish")
        .post(&browser, &format!("/desk/stories/{story}"))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let response = app.get(&rendition).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers[CONTENT_TYPE], "image/jpeg");
    assert_eq!(headers[CACHE_CONTROL], "max-age=31536000, immutable");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let etag = headers[ETAG].clone();
    let image = decode(&response.bytes().await.expect("body"));
    assert_eq!((image.width(), image.height()), (960, 640));

    let revalidated = app
        .client
        .get(app.url(&rendition))
        .header(IF_NONE_MATCH, etag)
        .send()
        .await
        .expect("request");
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    let head = app
        .client
        .head(app.url(&rendition))
        .send()
        .await
        .expect("request");
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()[CONTENT_TYPE], "image/jpeg");

    // Readers never get the original, and no width that was not made.
    app.assert_not_found(&format!("/media/{photo}/original"))
        .await;
    app.assert_not_found(&format!("/media/{photo}/1600.jpg"))
        .await;
    let stranger = app.browser();
    assert_ne!(
        stranger
            .get(&format!("/desk/photos/{photo}/original"))
            .await
            .status(),
        StatusCode::OK
    );
}

#[actix_web::test]
async fn the_article_reserves_the_photos_space_and_offers_every_rendition() {
    let app = TestApp::spawn().await;
    let (browser, csrf) = editor(&app).await;
    let response = story_form(&csrf, "Talks resume")
        .text("caption", "Delegates arrive")
        .text("credit", "Reuters")
        .text("alt", "Delegates walking past flags")
        .file("photo", "photo.jpg", "image/jpeg", &jpeg(2000, 1000))
        .text("action", "publish")
        .post(&browser, "/desk/stories")
        .await;
    let story = saved_story(&response);
    let stored = app
        .store
        .story(story.parse().expect("id"))
        .expect("read")
        .expect("story");
    let photo = stored.content.photo.and_then(|p| p.image).expect("a photo");
    let url = newsroom::urls::article(
        stored.published_at.expect("published"),
        &stored.content.slug,
        1,
    );

    let (status, page) = app.get_html(&url).await;

    assert_eq!(status, StatusCode::OK);
    let img = select(&page, "figure.lead-photo img");
    let img = img.first().expect("the lead photo").value();
    assert_eq!(
        img.attr("src"),
        Some(format!("/media/{photo}/1600.jpg").as_str())
    );
    assert_eq!(
        img.attr("srcset"),
        Some(
            format!(
                "/media/{photo}/480.jpg 480w, /media/{photo}/960.jpg 960w, /media/{photo}/1600.jpg 1600w"
            )
            .as_str()
        )
    );
    assert!(img.attr("sizes").is_some());
    assert_eq!(
        (img.attr("width"), img.attr("height")),
        (Some("1600"), Some("800"))
    );
    assert_eq!(img.attr("alt"), Some("Delegates walking past flags"));
    assert_eq!(
        img.attr("loading"),
        Some("eager"),
        "the lead photo is seen first"
    );
    for width in [480, 960, 1600] {
        let response = app.get(&format!("/media/{photo}/{width}.jpg")).await;
        assert_eq!(response.status(), StatusCode::OK, "{width}");
    }
}

// --- The library -------------------------------------------------------------------------------

/// Stores a tiny photo straight in the database, as an upload would.
pub(crate) fn stored_photo(app: &TestApp, n: u32, caption: &str, credit: &str) -> PhotoId {
    stored_photo_with_alt(app, n, caption, credit, &format!("Photo {n}"))
}

/// [`stored_photo`] with the alt text given.
pub(crate) fn stored_photo_with_alt(
    app: &TestApp,
    n: u32,
    caption: &str,
    credit: &str,
    alt: &str,
) -> PhotoId {
    let id = PhotoId::new();
    let record = Photo {
        id,
        content_type: "image/jpeg".into(),
        width: 10,
        height: 10,
        uploaded_by: None,
        uploaded_at: time::OffsetDateTime::UNIX_EPOCH,
        hash: Some(newsroom::photos::content_hash(&n.to_be_bytes())),
        renditions: vec![Rendition {
            width: 10,
            height: 10,
        }],
        caption: caption.into(),
        credit: credit.into(),
        alt: alt.to_owned(),
        focal: newsroom::domain::FocalPoint::CENTRE,
        crops: Vec::new(),
    };
    app.store
        .save_photo(&record, &n.to_be_bytes(), &[jpeg(10, 10)], &[])
        .expect("save photo");
    id
}

pub(crate) fn captions(page: &Html) -> Vec<String> {
    select(page, ".photo-tile .caption")
        .iter()
        .map(|e| e.text().collect::<String>())
        .collect()
}

#[actix_web::test]
async fn the_library_pages_through_photos_newest_first() {
    let app = TestApp::spawn().await;
    let (browser, _) = editor(&app).await;
    for n in 1..=30 {
        stored_photo(&app, n, &format!("Caption {n}"), "Staff");
    }

    let (status, first) = browser.get_html("/desk/photos").await;
    assert_eq!(status, StatusCode::OK);
    let on_first = captions(&first);
    assert_eq!(on_first.len(), 24);
    assert_eq!(on_first[0], "Caption 30");
    let next = crate::helpers::pager_rel(&first, "next").expect("a next page");
    let (_, second) = browser.get_html(&next).await;
    assert_eq!(
        captions(&second),
        (1..=6)
            .rev()
            .map(|n| format!("Caption {n}"))
            .collect::<Vec<_>>()
    );
    let (status, _) = browser.get_html("/desk/photos?page=3").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn the_library_finds_photos_by_caption_or_credit() {
    let app = TestApp::spawn().await;
    let (browser, _) = editor(&app).await;
    stored_photo(&app, 1, "Flooded streets in Wuhan", "Xinhua");
    stored_photo(&app, 2, "Delegates in Geneva", "Reuters/Denis Balibouse");
    stored_photo(&app, 3, "Harvest in Henan", "XINHUA/Li An");

    let (_, by_credit) = browser.get_html("/desk/photos?q=xinhua").await;
    // Best match first: which of two equal matches comes first is the engine's to say.
    let mut by_credit = captions(&by_credit);
    by_credit.sort();
    assert_eq!(
        by_credit,
        vec!["Flooded streets in Wuhan", "Harvest in Henan"]
    );
    let (_, by_caption) = browser.get_html("/desk/photos?q=geneva").await;
    assert_eq!(captions(&by_caption), vec!["Delegates in Geneva"]);
    let (_, none) = browser.get_html("/desk/photos?q=paris").await;
    assert!(captions(&none).is_empty());
}

#[actix_web::test]
async fn the_library_is_for_the_desk_only() {
    let app = TestApp::spawn().await;
    let response = app.get("/desk/photos").await;
    assert_ne!(response.status(), StatusCode::OK);
}

#[actix_web::test]
async fn a_photo_from_the_library_is_used_in_a_story_with_its_words_as_defaults() {
    let app = TestApp::spawn().await;
    let (browser, csrf) = editor(&app).await;
    let (_, photo) = upload(
        &browser,
        &csrf,
        "Where the photo came from",
        &jpeg(300, 200),
    )
    .await;
    let draft = saved_story(
        &story_form(&csrf, "Second use")
            .text("action", "save")
            .post(&browser, "/desk/stories")
            .await,
    );

    // From the story form to the library (its button keeps the form), and back with the
    // photo chosen.
    let (_, form) = browser.get_html(&format!("/desk/stories/{draft}")).await;
    assert_eq!(select(&form, "button.choose-photo").len(), 1);
    let revision = input_value(&form, "revision").expect("revision");
    let to_library = story_form(&csrf, "Second use")
        .text("revision", revision.as_str())
        .text("action", "choose-photo")
        .post(&browser, &format!("/desk/stories/{draft}"))
        .await;
    assert_eq!(to_library.status(), StatusCode::SEE_OTHER);
    let library = location(&to_library).expect("a redirect to the library");
    let (_, library) = browser.get_html(&library).await;
    let use_it = select(&library, "a.use-photo")[0]
        .value()
        .attr("href")
        .expect("use in story")
        .to_owned();
    assert_eq!(use_it, format!("/desk/stories/{draft}?photo={photo}"));
    let (_, form) = browser.get_html(&use_it).await;
    assert_eq!(input_value(&form, "photo_id"), Some(photo.to_string()));
    assert_eq!(
        input_value(&form, "credit").as_deref(),
        Some("Xinhua/Xu Jinquan")
    );
    assert_eq!(
        input_value(&form, "alt").as_deref(),
        Some("Three delegates walk past flags")
    );
    assert_eq!(
        text_of(&form, "#caption").as_deref(),
        Some("Delegates arrive in Geneva")
    );

    // The story overrides the caption for itself; the photo keeps its own.
    let revision = input_value(&form, "revision").expect("revision");
    let response = story_form(&csrf, "Second use")
        .text("revision", &revision)
        .text("photo_id", &photo.to_string())
        .text("caption", "The delegates, a day later")
        .text("action", "publish")
        .post(&browser, &format!("/desk/stories/{draft}"))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let story = app
        .store
        .story(draft.parse().expect("id"))
        .expect("read")
        .expect("story");
    let lead = story.content.photo.expect("a lead photo");
    assert_eq!(lead.image, Some(photo));
    assert_eq!(lead.caption.to_string(), "The delegates, a day later");
    assert_eq!(
        lead.credit.map(|c| c.to_string()).as_deref(),
        Some("Xinhua/Xu Jinquan")
    );
    let record = app.store.photo(photo).expect("read").expect("photo");
    assert_eq!(record.caption, "Delegates arrive in Geneva");
    assert_eq!(
        app.store
            .photos(PageNumber::FIRST, 10)
            .expect("library")
            .total_items,
        1,
        "reused, not uploaded again"
    );
}
