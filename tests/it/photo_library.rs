//! The photo library as a desk of its own: several files uploaded at once, each accepted or
//! refused on its own; a photo's defaults edited on its page; the stories using a photo listed
//! there; and readers allowed a photo only while a published story shows it.

use crate::helpers::{Browser, StoryBuilder, TestApp, input_value, location, select, text_of};
use crate::photos::editor;
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use newsroom::domain::{
    AuditAction, Caption, LeadPhoto, PageNumber, Photo, PhotoId, Status, Story,
};
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use scraper::Html;
use std::io::Cursor;
use time::OffsetDateTime;

fn jpeg(width: u32, height: u32, shade: u8) -> Vec<u8> {
    let image = DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, _| {
        Rgb([shade, (x % 256) as u8, 200])
    }));
    let mut out = Cursor::new(Vec::new());
    image
        .write_to(&mut out, ImageFormat::Jpeg)
        .expect("encode test image");
    out.into_inner()
}

/// The library's upload form as a browser sends it: the token, then each file.
async fn upload(
    browser: &Browser,
    csrf: Option<&str>,
    files: &[(&str, &[u8])],
) -> reqwest::Response {
    let boundary = "----newsroom-library-boundary-41c2";
    let mut body = Vec::new();
    if let Some(csrf) = csrf {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"{name}\"\r\nContent-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    browser
        .client
        .post(format!("{}/desk/photos/upload", browser.address))
        .header(
            CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .expect("request")
}

fn library(app: &TestApp) -> Vec<Photo> {
    app.store
        .photos(PageNumber::FIRST, 50)
        .expect("library")
        .items
}

/// One photo uploaded through the library; returns it as stored.
async fn one_photo(app: &TestApp, browser: &Browser, csrf: &str, shade: u8) -> Photo {
    let response = upload(browser, Some(csrf), &[("one.jpg", &jpeg(64, 48, shade))]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = Html::parse_document(&response.text().await.expect("body"));
    let link = select(&page, ".upload-result.accepted a")
        .first()
        .and_then(|a| a.value().attr("href"))
        .expect("a link to the photo's page")
        .to_owned();
    let id: PhotoId = link
        .trim_start_matches("/desk/photos/")
        .parse()
        .expect("a photo id");
    app.store.photo(id).expect("read").expect("stored")
}

fn lead(photo: PhotoId) -> Option<LeadPhoto> {
    Some(LeadPhoto {
        image: Some(photo),
        caption: Caption::parse("Delegates arrive").expect("caption"),
        credit: None,
        alt: None,
    })
}

fn published(headline: &str, body: &str) -> StoryBuilder {
    StoryBuilder::new(headline)
        .body(body)
        .published_at(OffsetDateTime::now_utc() - time::Duration::minutes(5))
}

#[actix_web::test]
async fn several_files_are_uploaded_at_once_each_accepted_or_refused_with_its_reason() {
    let app = TestApp::spawn().await;
    let (browser, _) = editor(&app).await;
    let csrf = browser.csrf("/desk/photos").await;

    let response = upload(
        &browser,
        Some(&csrf),
        &[
            ("harbour.jpg", &jpeg(120, 80, 10)),
            ("notes.jpg", b"these are words, not a picture"),
        ],
    )
    .await;

    assert_eq!(response.status(), StatusCode::OK);
    let page = Html::parse_document(&response.text().await.expect("body"));
    let accepted = select(&page, ".upload-result.accepted");
    let refused = select(&page, ".upload-result.refused");
    assert_eq!((accepted.len(), refused.len()), (1, 1));
    assert!(
        accepted[0]
            .text()
            .collect::<String>()
            .contains("harbour.jpg")
    );
    let refusal = refused[0].text().collect::<String>();
    assert!(refusal.contains("notes.jpg"), "{refusal}");
    assert!(
        refusal.contains("not a JPEG, PNG, WebP or GIF image"),
        "{refusal}"
    );
    let stored = library(&app);
    assert_eq!(stored.len(), 1, "only the good file is stored");
    assert_eq!(
        stored[0].uploaded_by,
        Some(
            app.store
                .user_by_name(&newsroom::domain::Username::parse("edna").unwrap())
                .unwrap()
                .unwrap()
                .id
        )
    );
    assert_eq!(
        text_of(&page, "#upload-summary").as_deref(),
        Some("1 file in the library, 1 refused.")
    );
}

#[actix_web::test]
async fn an_upload_without_the_session_s_token_stores_nothing() {
    let app = TestApp::spawn().await;
    let (browser, _) = editor(&app).await;

    let missing = upload(&browser, None, &[("a.jpg", &jpeg(40, 30, 1))]).await;
    let forged = upload(&browser, Some("forged"), &[("a.jpg", &jpeg(40, 30, 1))]).await;

    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(library(&app).is_empty());
}

#[actix_web::test]
async fn a_photo_s_defaults_are_edited_on_its_page_kept_when_refused_and_given_to_stories() {
    let app = TestApp::spawn().await;
    let (browser, _) = editor(&app).await;
    let csrf = browser.csrf("/desk/photos").await;
    let photo = one_photo(&app, &browser, &csrf, 30).await;
    let page_url = format!("/desk/photos/{}", photo.id);
    let (status, page) = browser.get_html(&page_url).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = input_value(&page, "csrf").expect("a token on the form");
    let action = format!("/desk/photos/{}/defaults", photo.id);

    let long_credit = "C".repeat(201);
    let refused = browser
        .post_form(
            &action,
            &[
                ("csrf", &csrf),
                ("caption", "Boats in the harbour at dawn"),
                ("credit", &long_credit),
                ("alt", "Fishing boats moored"),
            ],
        )
        .await;

    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&refused.text().await.expect("body"));
    let error = text_of(&page, "#credit-error").expect("an error at the credit");
    assert!(error.contains("at most 200"), "{error}");
    assert_eq!(
        text_of(&page, "#caption").as_deref(),
        Some("Boats in the harbour at dawn"),
        "what was typed is kept"
    );
    assert_eq!(input_value(&page, "credit"), Some(long_credit.clone()));
    assert_eq!(
        input_value(&page, "alt").as_deref(),
        Some("Fishing boats moored")
    );
    assert_eq!(app.store.photo(photo.id).unwrap().unwrap().caption, "");

    let saved = browser
        .post_form(
            &action,
            &[
                ("csrf", &csrf),
                ("caption", "Boats in the harbour at dawn"),
                ("credit", "Staff photographer"),
                ("alt", "Fishing boats moored"),
            ],
        )
        .await;

    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&saved), Some(format!("{page_url}?saved=1")));
    let stored = app.store.photo(photo.id).unwrap().unwrap();
    assert_eq!(
        (
            stored.caption.as_str(),
            stored.credit.as_str(),
            stored.alt.as_str()
        ),
        (
            "Boats in the harbour at dawn",
            "Staff photographer",
            "Fishing boats moored"
        )
    );
    let log = app.store.audit_log(None, 10).unwrap();
    assert!(
        log.iter().any(|e| e.action == AuditAction::PhotoDefaults
            && e.actor_name == "edna"
            && e.detail.contains(&photo.id.to_string())),
        "audited"
    );
    // A story that picks the photo starts from its new defaults.
    let (_, form) = browser
        .get_html(&format!("/desk/stories/new?photo={}", photo.id))
        .await;
    assert_eq!(
        text_of(&form, "#caption").as_deref(),
        Some("Boats in the harbour at dawn")
    );
    assert_eq!(
        input_value(&form, "credit").as_deref(),
        Some("Staff photographer")
    );
    // A forged save changes nothing.
    let forged = browser
        .post_form(&action, &[("csrf", "forged"), ("caption", "Forged")])
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.store.photo(photo.id).unwrap().unwrap().caption,
        "Boats in the harbour at dawn"
    );
}

#[actix_web::test]
async fn a_photo_s_page_lists_a_draft_using_it_as_lead_and_a_story_using_it_inline() {
    let app = TestApp::spawn().await;
    let (browser, _) = editor(&app).await;
    let csrf = browser.csrf("/desk/photos").await;
    let photo = one_photo(&app, &browser, &csrf, 60).await;
    let draft = StoryBuilder::new("Draft with a lead photo")
        .with(|s: &mut Story| s.content.photo = lead(photo.id))
        .save(&app);
    let inline = published(
        "Published with the photo in its body",
        &format!(
            "Talks resumed.\n\n![Delegates](photo:{})\n\nMore words.",
            photo.id
        ),
    )
    .save(&app);
    StoryBuilder::new("A story without it").save(&app);

    let (status, page) = browser
        .get_html(&format!("/desk/photos/{}", photo.id))
        .await;

    assert_eq!(status, StatusCode::OK);
    let rows: Vec<(String, String, String, String)> = select(&page, "tr.photo-use")
        .iter()
        .map(|row| {
            let cell = |n: usize| {
                row.select(&scraper::Selector::parse("td").unwrap())
                    .nth(n)
                    .map(|td| td.text().collect::<String>().trim().to_owned())
                    .unwrap_or_default()
            };
            let link = row
                .select(&scraper::Selector::parse("a").unwrap())
                .next()
                .and_then(|a| a.value().attr("href"))
                .unwrap_or_default()
                .to_owned();
            (cell(0), link, cell(2), cell(3))
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "Published with the photo in its body".to_owned(),
                format!("/desk/stories/{}", inline.id),
                "In the body".to_owned(),
                "See it".to_owned()
            ),
            (
                "Draft with a lead photo".to_owned(),
                format!("/desk/stories/{}", draft.id),
                "Lead photo".to_owned(),
                "Do not see it".to_owned()
            ),
        ]
    );
    let (_, unused) = browser
        .get_html(&format!(
            "/desk/photos/{}",
            one_photo(&app, &browser, &csrf, 90).await.id
        ))
        .await;
    assert!(text_of(&unused, "#no-uses").is_some());
}

#[actix_web::test]
async fn a_reader_loads_a_published_story_s_inline_photo_but_not_one_only_a_draft_uses() {
    let app = TestApp::spawn().await;
    let (browser, _) = editor(&app).await;
    let csrf = browser.csrf("/desk/photos").await;
    let shown = one_photo(&app, &browser, &csrf, 120).await;
    let drafted = one_photo(&app, &browser, &csrf, 150).await;
    published(
        "Inline photo, published",
        &format!("Words.\n\n![Delegates](photo:{})", shown.id),
    )
    .save(&app);
    let story = StoryBuilder::new("Inline photo, draft")
        .body(&format!("Words.\n\n![Delegates](photo:{})", drafted.id))
        .with(|s: &mut Story| s.content.photo = lead(drafted.id))
        .save(&app);
    let width = |p: &Photo| p.renditions[0].width;

    let reader = app
        .get(&format!("/media/{}/{}.jpg", shown.id, width(&shown)))
        .await;
    let hidden = app
        .get(&format!("/media/{}/{}.jpg", drafted.id, width(&drafted)))
        .await;

    assert_eq!(reader.status(), StatusCode::OK);
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    // Once published, the draft's photo reaches readers too.
    let mut live = story.clone();
    live.publish(OffsetDateTime::now_utc(), None);
    live.status = Status::Published;
    app.store.save_story(&live, Some(story.revision)).unwrap();
    let now_shown = app
        .get(&format!("/media/{}/{}.jpg", drafted.id, width(&drafted)))
        .await;
    assert_eq!(now_shown.status(), StatusCode::OK);
}

/// Writes the library's pages (upload results, a photo's page with uses, with errors and read
/// only) to `NEWSROOM_MARKUP_DIR` when set, for scripts/check-markup.
#[actix_web::test]
async fn the_library_s_pages_render_for_the_checkers() {
    let app = TestApp::spawn().await;
    let (browser, _) = editor(&app).await;
    let csrf = browser.csrf("/desk/photos").await;
    let mut pages = Vec::new();
    let uploaded = upload(
        &browser,
        Some(&csrf),
        &[
            ("good <one>.jpg", &jpeg(64, 48, 200)),
            ("bad.jpg", b"not an image"),
        ],
    )
    .await;
    assert_eq!(uploaded.status(), StatusCode::OK);
    pages.push(("library-upload.html", uploaded.text().await.unwrap()));
    let photo = one_photo(&app, &browser, &csrf, 220).await;
    StoryBuilder::new("Draft <with> a lead photo")
        .with(|s: &mut Story| s.content.photo = lead(photo.id))
        .save(&app);
    published(
        "Published & inline",
        &format!("Words.\n\n![Delegates](photo:{})", photo.id),
    )
    .save(&app);
    let page_url = format!("/desk/photos/{}", photo.id);
    for (name, path) in [
        ("library.html", "/desk/photos".to_owned()),
        ("library-photo.html", page_url.clone()),
        ("library-photo-saved.html", format!("{page_url}?saved=1")),
    ] {
        let response = browser.get(&path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        pages.push((name, response.text().await.unwrap()));
    }
    let refused = browser
        .post_form(
            &format!("/desk/photos/{}/defaults", photo.id),
            &[
                ("csrf", &csrf),
                ("caption", "Kept"),
                ("alt", &"A".repeat(301)),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    pages.push(("library-photo-errors.html", refused.text().await.unwrap()));
    app.create_user(
        "wren",
        newsroom::domain::Role::Writer,
        "correct horse battery",
    );
    let writer = app.login("wren", "correct horse battery").await;
    let read_only = writer.get(&page_url).await;
    assert_eq!(read_only.status(), StatusCode::OK);
    let body = read_only.text().await.unwrap();
    assert!(
        !body.contains("defaults-form"),
        "a writer may not change another's photo"
    );
    pages.push(("library-photo-read-only.html", body));

    if let Some(dir) = std::env::var_os("NEWSROOM_MARKUP_DIR") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, body) in &pages {
            std::fs::write(dir.join(name), body).unwrap();
        }
    }
}

/// In Chromium at a phone's width: the library takes two files from one field, says what
/// became of each, and neither the library nor a photo's page is wider than the screen.
#[actix_web::test]
async fn on_a_phone_the_library_takes_several_files_and_no_page_is_wider_than_the_screen() {
    use crate::chromium::{Chromium, journey};
    use crate::desk_phone::{PHONE_WIDTH, as_phone, script};
    if !crate::helpers::runs_once(
        "on_a_phone_the_library_takes_several_files_and_no_page_is_wider_than_the_screen",
    ) {
        return;
    }
    let app = TestApp::spawn().await;
    app.create_user(
        "edna",
        newsroom::domain::Role::Editor,
        "correct horse battery",
    );
    let files = tempfile::tempdir().unwrap();
    let good = files
        .path()
        .join("a-harbour-photo-with-a-rather-long-file-name.jpg");
    let bad = files.path().join("notes.jpg");
    std::fs::write(&good, jpeg(900, 600, 40)).unwrap();
    std::fs::write(&bad, b"not a picture").unwrap();
    let browser = Chromium::start("library_on_a_phone").await;

    journey(&[&browser], async {
        browser
            .login(&app.address, "edna", "correct horse battery")
            .await;
        as_phone(&browser).await;
        browser.open(&app.url("/desk/photos")).await;
        let fits = |what: &'static str| {
            let browser = &browser;
            async move {
                let width = script(browser, "return document.documentElement.scrollWidth").await;
                assert!(
                    width.as_u64().is_some_and(|w| w <= PHONE_WIDTH),
                    "{what} is {width} px wide on a {PHONE_WIDTH} px screen"
                );
            }
        };
        fits("the library").await;
        browser
            .find("#photos")
            .await
            .send_keys(format!("{}\n{}", good.display(), bad.display()))
            .await
            .expect("choose two files");
        browser.click(".upload-form button[type=submit]").await;

        assert_eq!(browser.find_all(".upload-result.accepted").await.len(), 1);
        assert_eq!(browser.find_all(".upload-result.refused").await.len(), 1);
        fits("the upload's results").await;
        browser
            .click_link(".upload-result.accepted", "Caption, credit and alt text")
            .await;
        assert!(browser.path().await.starts_with("/desk/photos/"));
        fits("a photo's page").await;
        browser
            .find("#caption")
            .await
            .send_keys("Boats at dawn")
            .await
            .unwrap();
        browser.click("#defaults-form button[type=submit]").await;
        assert!(
            browser
                .text(".notice")
                .await
                .contains("defaults were saved")
        );
        if let Some(dir) = std::env::var_os("NEWSROOM_SCREENSHOT_DIR") {
            let shot = std::path::PathBuf::from(dir).join("library-photo-phone.png");
            browser.driver().screenshot(&shot).await.unwrap();
        }
    })
    .await;
    assert_eq!(library(&app).len(), 1);
}
