//! Crops of a lead photo at 16:9, 4:3 and 1:1 around a focal point the desk sets: served like
//! renditions, offered to machines in JSON-LD and Open Graph, and cut again when the point moves.

use crate::feeds::{BASE, spawn};
use crate::helpers::{StoryBuilder, TestApp, location, select};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use newsroom::domain::{Caption, Credit, FocalPoint, LeadPhoto, Photo, PhotoId, Rendition, Role};
use newsroom::photos::{self, PhotoDetails};
use reqwest::StatusCode;
use reqwest::header::CACHE_CONTROL;
use scraper::Html;
use serde_json::Value;
use std::io::Cursor;
use time::macros::datetime;

const PASSWORD: &str = "correct horse battery";
const ARTICLE: &str = "/2017/07/15/talks-resume";

/// A PNG whose left half is red and right half blue.
fn red_left_blue_right(width: u32, height: u32) -> Vec<u8> {
    let image = DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            Rgb([220, 20, 20])
        } else {
            Rgb([20, 20, 220])
        }
    }));
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, ImageFormat::Png).expect("encode");
    out.into_inner()
}

/// Uploads the two-tone picture as `uploader` would, through the same service as the form.
fn uploaded(app: &TestApp, uploader: Option<newsroom::domain::UserId>) -> Photo {
    let details = PhotoDetails {
        uploaded_by: uploader,
        uploaded_at: datetime!(2017-07-15 07:00 UTC),
        caption: "Delegates arrive".into(),
        credit: "Staff".into(),
        alt: "Delegates walk past flags".into(),
    };
    photos::store_upload(&*app.store, red_left_blue_right(2000, 1000), details)
        .expect("store")
        .expect("a good photo")
}

fn publish_with(app: &TestApp, photo: PhotoId) {
    StoryBuilder::new("Talks resume")
        .published_at(datetime!(2017-07-15 07:11:57 UTC))
        .with(move |story| {
            story.content.photo = Some(LeadPhoto {
                image: Some(photo),
                caption: Caption::parse("Delegates arrive").unwrap(),
                credit: Some(Credit::parse("Staff").unwrap()),
                alt: None,
            });
        })
        .save(app);
}

async fn article(app: &TestApp) -> Html {
    let response = app.get(ARTICLE).await;
    assert_eq!(response.status(), StatusCode::OK);
    Html::parse_document(&response.text().await.expect("body"))
}

fn json_ld_images(html: &Html) -> Vec<Value> {
    let script = select(html, "script[type='application/ld+json']");
    let text: String = script[0].text().collect();
    let ld: Value = serde_json::from_str(&text).expect("JSON-LD");
    ld["image"].as_array().expect("an image list").clone()
}

fn meta(html: &Html, key: &str) -> Option<String> {
    select(html, &format!("meta[property='{key}'], meta[name='{key}']"))
        .first()
        .and_then(|e| e.value().attr("content"))
        .map(str::to_owned)
}

async fn fetched(app: &TestApp, url: &str) -> RgbImage {
    let path = url.strip_prefix(BASE).unwrap_or(url);
    let response = app.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert_eq!(
        response.headers()[CACHE_CONTROL],
        "max-age=31536000, immutable"
    );
    image::load_from_memory(&response.bytes().await.expect("body"))
        .expect("a JPEG")
        .to_rgb8()
}

fn all_red(image: &RgbImage) -> bool {
    image.pixels().all(|p| p.0[0] > 150 && p.0[2] < 100)
}

#[actix_web::test]
async fn json_ld_lists_the_three_crops_and_open_graph_the_16_9_one() {
    let app = spawn().await;
    let photo = uploaded(&app, None);
    publish_with(&app, photo.id);

    let html = article(&app).await;

    let urls: Vec<String> = json_ld_images(&html)
        .iter()
        .map(|i| i["url"].as_str().expect("a url").to_owned())
        .collect();
    let crop = |aspect: &str| format!("{BASE}/media/{}/{aspect}-50-50.jpg", photo.id);
    assert_eq!(urls, vec![crop("16x9"), crop("4x3"), crop("1x1")]);
    let sizes: Vec<(u64, u64)> = json_ld_images(&html)
        .iter()
        .map(|i| (i["width"].as_u64().unwrap(), i["height"].as_u64().unwrap()))
        .collect();
    assert_eq!(sizes, vec![(1200, 675), (1200, 900), (1000, 1000)]);
    assert_eq!(meta(&html, "og:image"), Some(crop("16x9")));
    assert_eq!(meta(&html, "og:image:width").as_deref(), Some("1200"));
    assert_eq!(meta(&html, "og:image:height").as_deref(), Some("675"));
    assert_eq!(meta(&html, "twitter:image"), Some(crop("16x9")));
}

#[actix_web::test]
async fn crops_have_their_proportions_and_reach_readers_only_once_published() {
    let app = spawn().await;
    let photo = uploaded(&app, None);
    let square = format!("/media/{}/1x1-50-50.jpg", photo.id);
    app.assert_not_found(&square).await;

    publish_with(&app, photo.id);

    let html = article(&app).await;
    for image in json_ld_images(&html) {
        let url = image["url"].as_str().unwrap();
        let crop = fetched(&app, url).await;
        let (w, h) = (u64::from(crop.width()), u64::from(crop.height()));
        assert_eq!(
            (w, h),
            (
                image["width"].as_u64().unwrap(),
                image["height"].as_u64().unwrap()
            )
        );
        let ratio = match url.rsplit('/').next().unwrap().split('-').next().unwrap() {
            "16x9" => (16, 9),
            "4x3" => (4, 3),
            _ => (1, 1),
        };
        assert_eq!(w * ratio.1, h * ratio.0, "{url} is {w}×{h}");
    }
    app.assert_not_found(&format!("/media/{}/1x1-0-50.jpg", photo.id))
        .await;
}

#[actix_web::test]
async fn a_story_without_a_photo_offers_the_site_logo() {
    let app = spawn().await;
    StoryBuilder::new("Talks resume")
        .published_at(datetime!(2017-07-15 07:11:57 UTC))
        .save(&app);

    let html = article(&app).await;

    let images = json_ld_images(&html);
    assert_eq!(images.len(), 1);
    let logo = images[0]["url"].as_str().unwrap().to_owned();
    assert!(
        logo.starts_with(&format!("{BASE}/static/img/logo.png")),
        "{logo}"
    );
    assert_eq!(meta(&html, "og:image"), Some(logo));
}

#[actix_web::test]
async fn a_photo_stored_before_crops_still_serves_its_widest_rendition() {
    let app = spawn().await;
    let wide = {
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(RgbImage::from_pixel(64, 32, Rgb([200, 30, 30])))
            .write_to(&mut out, ImageFormat::Jpeg)
            .unwrap();
        out.into_inner()
    };
    let record = Photo {
        id: PhotoId::new(),
        content_type: "image/jpeg".into(),
        width: 64,
        height: 32,
        uploaded_by: None,
        uploaded_at: time::OffsetDateTime::UNIX_EPOCH,
        hash: Some(photos::content_hash(&wide)),
        renditions: vec![Rendition {
            width: 64,
            height: 32,
        }],
        caption: "Envoys meet".into(),
        credit: "Staff".into(),
        alt: "Envoys at a table".into(),
        focal: FocalPoint::CENTRE,
        crops: Vec::new(),
    };
    app.store
        .save_photo(&record, &wide, std::slice::from_ref(&wide), &[])
        .unwrap();
    publish_with(&app, record.id);

    let html = article(&app).await;

    let widest = format!("{BASE}/media/{}/64.jpg", record.id);
    let images = json_ld_images(&html);
    assert_eq!(images.len(), 1);
    assert_eq!(images[0]["url"].as_str(), Some(widest.as_str()));
    assert_eq!(meta(&html, "og:image"), Some(widest));
    // An address of a crop, as a page cached before would link it, gets the widest rendition,
    // kept only for a while: once the focal point is set, the same address serves the crop.
    let response = app
        .get(&format!("/media/{}/16x9-50-50.jpg", record.id))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CACHE_CONTROL], "max-age=3600");
    let stand_in = image::load_from_memory(&response.bytes().await.unwrap())
        .unwrap()
        .to_rgb8();
    assert_eq!((stand_in.width(), stand_in.height()), (64, 32));
}

// --- The focal-point form -----------------------------------------------------------------------

async fn signed_in(app: &TestApp, name: &str, role: Role) -> (crate::helpers::Browser, String) {
    app.create_user(name, role, PASSWORD);
    let browser = app.login(name, PASSWORD).await;
    let csrf = browser.csrf("/desk/stories/new").await;
    (browser, csrf)
}

async fn post_focal(
    browser: &crate::helpers::Browser,
    photo: PhotoId,
    csrf: &str,
    x: &str,
    y: &str,
) -> reqwest::Response {
    browser
        .post_form(
            &format!("/desk/photos/{photo}/focal-point"),
            &[("csrf", csrf), ("x", x), ("y", y), ("back", "/desk/photos")],
        )
        .await
}

#[actix_web::test]
async fn the_library_offers_the_focal_point_form_with_its_script_and_token() {
    let app = spawn().await;
    uploaded(&app, None);
    let (browser, csrf) = signed_in(&app, "edna", Role::Editor).await;

    let (status, page) = browser.get_html("/desk/photos").await;

    assert_eq!(status, StatusCode::OK);
    let form = select(&page, "form.focal-point");
    assert_eq!(form.len(), 1);
    let field = |name: &str| {
        select(&page, &format!("form.focal-point input[name='{name}']"))
            .first()
            .and_then(|i| i.value().attr("value"))
            .map(str::to_owned)
    };
    assert_eq!(field("csrf"), Some(csrf));
    assert_eq!(
        (field("x"), field("y")),
        (Some("50".into()), Some("50".into()))
    );
    assert_eq!(select(&page, "img[data-focal-form]").len(), 1);
    assert!(
        select(&page, "script[src^='/static/js/focal-point.js']").len() == 1,
        "the click-to-set script is loaded from a file, as the CSP requires"
    );
}

#[actix_web::test]
async fn saving_a_focal_point_at_the_left_edge_recuts_the_crops_and_pages_link_them() {
    let app = spawn().await;
    let photo = uploaded(&app, None);
    publish_with(&app, photo.id);
    let before = app.store.public_version().unwrap();
    let (browser, csrf) = signed_in(&app, "edna", Role::Editor).await;

    let response = post_focal(&browser, photo.id, &csrf, "0", "50").await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response).as_deref(), Some("/desk/photos"));
    let stored = app.store.photo(photo.id).unwrap().unwrap();
    assert_eq!(stored.focal, FocalPoint::parse(0, 50).unwrap());
    assert_ne!(
        app.store.public_version().unwrap(),
        before,
        "cached pages revalidate"
    );
    let html = article(&app).await;
    let square = json_ld_images(&html)[2]["url"].as_str().unwrap().to_owned();
    assert_eq!(square, format!("{BASE}/media/{}/1x1-0-50.jpg", photo.id));
    assert!(all_red(&fetched(&app, &square).await), "the left half only");
    app.assert_not_found(&format!("/media/{}/1x1-50-50.jpg", photo.id))
        .await;
}

#[actix_web::test]
async fn a_forged_focal_point_form_is_refused() {
    let app = spawn().await;
    let photo = uploaded(&app, None);
    let (browser, _) = signed_in(&app, "edna", Role::Editor).await;

    let response = post_focal(&browser, photo.id, "forged", "0", "0").await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let stored = app.store.photo(photo.id).unwrap().unwrap();
    assert_eq!(stored.focal, FocalPoint::CENTRE);
}

#[actix_web::test]
async fn only_editors_and_the_uploader_may_move_a_photos_focal_point() {
    let app = spawn().await;
    let uploader = app.create_user("wren", Role::Writer, PASSWORD);
    let theirs = uploaded(&app, Some(uploader.id));
    let (other, other_csrf) = signed_in(&app, "walt", Role::Writer).await;

    let refused = post_focal(&other, theirs.id, &other_csrf, "10", "10").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let (_, page) = other.get_html("/desk/photos").await;
    assert!(
        select(&page, "form.focal-point").is_empty(),
        "no form offered"
    );

    let owner = app.login("wren", PASSWORD).await;
    let csrf = owner.csrf("/desk/stories/new").await;
    let allowed = post_focal(&owner, theirs.id, &csrf, "10", "10").await;
    assert_eq!(allowed.status(), StatusCode::SEE_OTHER);
    let stored = app.store.photo(theirs.id).unwrap().unwrap();
    assert_eq!(stored.focal, FocalPoint::parse(10, 10).unwrap());
}

#[actix_web::test]
async fn a_focal_point_outside_the_picture_is_refused() {
    let app = spawn().await;
    let photo = uploaded(&app, None);
    let (browser, csrf) = signed_in(&app, "edna", Role::Editor).await;

    let response = post_focal(&browser, photo.id, &csrf, "101", "50").await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        app.store.photo(photo.id).unwrap().unwrap().focal,
        FocalPoint::CENTRE
    );
}

#[actix_web::test]
async fn listings_show_the_4_3_crop_as_the_teasers_thumbnail() {
    let app = spawn().await;
    let photo = uploaded(&app, None);
    publish_with(&app, photo.id);
    StoryBuilder::new("No picture today")
        .published_at(datetime!(2017-07-15 08:00 UTC))
        .save(&app);

    let response = app.get("/").await;
    let html = Html::parse_document(&response.text().await.expect("body"));

    let thumbs = select(&html, ".teaser img.teaser-photo");
    assert_eq!(thumbs.len(), 1, "only the story with a photo has one");
    let thumb = thumbs[0].value();
    assert_eq!(
        thumb.attr("src"),
        Some(format!("/media/{}/4x3-50-50.jpg", photo.id).as_str())
    );
    assert_eq!(
        (thumb.attr("width"), thumb.attr("height")),
        (Some("1200"), Some("900"))
    );
}
