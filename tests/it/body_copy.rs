//! A story body that takes real copy: library photos placed between paragraphs, tables, bare
//! addresses, cards for posts on other sites; raw HTML and pictures from elsewhere refused on
//! the desk line by line, converted when they arrive by import, never shown as text.

use crate::helpers::{Browser, TestApp, input_value, location, select, text_of};
use newsroom::domain::{Photo, Role, Story, StoryId};
use newsroom::photos::PhotoDetails;
use reqwest::StatusCode;
use reqwest::multipart::Form;
use scraper::Html;

const PASSWORD: &str = "correct horse battery";

async fn editor(app: &TestApp) -> Browser {
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    app.login("zhang.dan", PASSWORD).await
}

/// A photo in the library, as an upload leaves it: 1200×800, with its caption and credit.
pub(crate) fn library_photo(app: &TestApp) -> Photo {
    let image = image::RgbImage::from_fn(1200, 800, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut bytes, image::ImageFormat::Jpeg)
        .expect("encode");
    let details = PhotoDetails {
        uploaded_by: None,
        uploaded_at: app.clock.now(),
        caption: "Delegates arrive in Geneva".into(),
        credit: "Xinhua/Xu Jinquan".into(),
        alt: "Three delegates walk past flags".into(),
    };
    newsroom::photos::store_upload(&*app.store, bytes.into_inner(), details)
        .expect("store")
        .expect("a usable photo")
}

/// Sends the new-story form with `body`, as the browser does, pressing `action`.
async fn send_body(browser: &Browser, body: &str, action: &str) -> reqwest::Response {
    let (_, page) = browser.get_html("/desk/stories/new").await;
    let csrf = input_value(&page, "csrf").expect("csrf");
    let form = Form::new()
        .text("csrf", csrf)
        .text("action", action.to_owned())
        .text("headline", "Talks resume in Geneva")
        .text("bylines", "Xu Jinquan")
        .text("section", "world")
        .text("body", body.to_owned());
    browser
        .client
        .post(format!("{}/desk/stories", browser.address))
        .multipart(form)
        .send()
        .await
        .expect("request")
}

async fn page_of(response: reqwest::Response) -> Html {
    Html::parse_document(&response.text().await.expect("body"))
}

fn saved_id(response: &reqwest::Response) -> StoryId {
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the save succeeds"
    );
    location(response)
        .expect("a redirect")
        .trim_start_matches("/desk/stories/")
        .split('?')
        .next()
        .expect("an id")
        .parse()
        .expect("a story id")
}

fn article_path(story: &Story) -> String {
    let at = story.published_at.expect("published");
    format!(
        "/{:04}/{:02}/{:02}/{}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        story.content.slug
    )
}

fn body_error(page: &Html) -> String {
    text_of(page, "#body ~ .field-error").expect("an error at the body")
}

fn typed_body(page: &Html) -> String {
    select(page, "textarea#body")
        .first()
        .map(|t| t.text().collect())
        .expect("the body's box")
}

#[actix_web::test]
async fn raw_html_is_refused_on_save_naming_its_line_and_the_text_is_kept() {
    let app = TestApp::spawn().await;
    let browser = editor(&app).await;
    let body = "The talks resumed.\n\nBoth sides spoke.\n\n<iframe src=\"https://www.youtube.com/embed/abc\"></iframe>\n\nMore.";

    let response = send_body(&browser, body, "save").await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = page_of(response).await;
    assert_eq!(
        body_error(&page),
        "line 5: raw HTML (<iframe>) is not accepted: paste the address of the video on a line of its own to embed it"
    );
    assert_eq!(typed_body(&page), body);
    let (_, desk) = browser.get_html("/desk").await;
    assert!(
        !desk.html().contains("Talks resume in Geneva"),
        "nothing is saved"
    );
}

#[actix_web::test]
async fn an_image_from_elsewhere_and_a_photo_not_in_the_library_are_refused_by_line() {
    let app = TestApp::spawn().await;
    let browser = editor(&app).await;
    let missing = newsroom::domain::PhotoId::new();
    let body = format!(
        "First.\n\n![Chart](https://example.org/chart.png)\n\nThen.\n\n![Envoy](photo:{missing})"
    );

    let response = send_body(&browser, &body, "preview").await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = page_of(response).await;
    let error = body_error(&page);
    assert!(
        error.starts_with(
            "line 3: an image from another site (https://example.org/chart.png) is not accepted"
        ),
        "{error}"
    );
    assert!(
        error.contains(&format!(
            "line 7: there is no photo {missing} in the library"
        )),
        "{error}"
    );
    assert_eq!(typed_body(&page), body);
}

#[actix_web::test]
async fn a_published_body_shows_its_photo_table_links_and_card_and_no_tags() {
    let app = TestApp::spawn().await;
    let browser = editor(&app).await;
    let photo = library_photo(&app);
    let body = format!(
        "The talks resumed, says https://example.org/report and [our earlier story](/2017/07/14/talks).\n\n\
         ![The delegates](photo:{id})\n\n\
         | Delegation | Seats |\n|---|--:|\n| East | 12 |\n\n\
         https://www.youtube.com/watch?v=abc123\n\n\
         The end.",
        id = photo.id
    );

    let response = send_body(&browser, &body, "publish").await;
    let story = app
        .store
        .story(saved_id(&response))
        .expect("read")
        .expect("saved");
    let (status, page) = app.get_html(&article_path(&story)).await;

    assert_eq!(status, StatusCode::OK);
    let img = select(&page, ".story-body figure.inline-photo img");
    let img = img.first().expect("the photo as a figure").value();
    assert_eq!(img.attr("alt"), Some("The delegates"));
    assert_eq!(img.attr("loading"), Some("lazy"));
    assert_eq!(
        (img.attr("width"), img.attr("height")),
        (Some("1200"), Some("800"))
    );
    let srcset = img.attr("srcset").expect("srcset");
    assert!(
        srcset.contains(&format!("/media/{}/", photo.id)) && srcset.contains("w,"),
        "{srcset}"
    );
    assert!(img.attr("sizes").is_some());
    assert_eq!(
        text_of(&page, ".story-body figure.inline-photo figcaption").as_deref(),
        Some("Delegates arrive in Geneva (Xinhua/Xu Jinquan)")
    );
    let headers: Vec<_> = select(&page, ".story-body .table-scroll table thead th[scope=col]")
        .iter()
        .map(|th| th.text().collect::<String>())
        .collect();
    assert_eq!(headers, ["Delegation", "Seats"]);
    let bare = select(&page, ".story-body a[href='https://example.org/report']");
    assert_eq!(
        bare.first().and_then(|a| a.value().attr("rel")),
        Some("noopener noreferrer nofollow")
    );
    let ours = select(&page, ".story-body a[href='/2017/07/14/talks']");
    assert_eq!(
        ours.first().expect("our own link").value().attr("rel"),
        None
    );
    assert_eq!(
        text_of(&page, ".story-body .embed .embed-provider").as_deref(),
        Some("YouTube")
    );
    let out = select(&page, ".story-body .embed a");
    assert_eq!(
        out.first().and_then(|a| a.value().attr("href")),
        Some("https://www.youtube.com/watch?v=abc123")
    );
    assert!(select(&page, "iframe").is_empty());
    // Readers may load the photo the story places.
    let src = img.attr("src").expect("src");
    assert_eq!(app.get(src).await.status(), StatusCode::OK, "{src}");
}

#[actix_web::test]
async fn a_body_stored_with_raw_html_shows_readers_no_tags_as_text() {
    let app = TestApp::spawn().await;
    let story = crate::helpers::StoryBuilder::new("Old copy")
        .body("Before <b>bold</b> after.\n\n<iframe src=\"https://example.org/\"></iframe>\n\n<div>Boxed</div>\n\nEnd.")
        .published_at(time::macros::datetime!(2017-07-15 07:11:57 UTC))
        .save(&app);

    let (status, page) = app.get_html(&article_path(&story)).await;

    assert_eq!(status, StatusCode::OK);
    let text = text_of(&page, ".story-body").expect("the body");
    assert!(text.contains("Before bold after."), "{text}");
    assert!(!text.contains('<') && !text.contains("iframe"), "{text}");
    assert!(
        select(
            &page,
            ".story-body iframe, .story-body div:not(.table-scroll):not(.embed)"
        )
        .is_empty()
    );
}

#[actix_web::test]
async fn an_imported_body_has_its_html_converted_and_its_images_made_links() {
    let app = TestApp::spawn().await;
    let doc: newsroom::ninjs::Document = serde_json::from_value(serde_json::json!({
        "uri": "https://wire.example/stories/1",
        "type": "text",
        "version": "1",
        "pubstatus": "usable",
        "firstcreated": "2017-07-14T20:00:00Z",
        "versioncreated": "2017-07-14T20:00:00Z",
        "headlines": [{"role": "main", "value": "Envoy speaks"}],
        "by": "Wire Reporter",
        "bodies": [{
            "role": "main",
            "contenttype": "text/markdown",
            "value": "Envoy <b>spoke</b>.\n\n![Map](https://wire.example/map.png)\n\n<iframe src=\"https://player.vimeo.com/video/42\"></iframe>\n\n<script>alert(1)</script>\n\nEnd."
        }]
    }))
    .expect("a ninjs document");
    let defaults = newsroom::ninjs::Defaults {
        section: newsroom::domain::Section::parse("world").expect("section"),
        now: app.clock.now(),
        base_url: "https://elsewhere.example",
        language: &newsroom::domain::Language::parse("en").expect("en"),
    };
    let read = newsroom::ninjs::story(&doc, defaults).unwrap_or_else(|e| panic!("{e}"));
    let body = read.content.body.as_str().to_owned();
    assert!(body.contains("Envoy spoke."), "{body}");
    assert!(
        body.contains("[Map](https://wire.example/map.png)") && !body.contains("!["),
        "{body}"
    );
    assert!(body.contains("\nhttps://vimeo.com/42\n"), "{body}");
    assert!(!body.contains('<') && !body.contains("alert"), "{body}");
    assert!(newsroom::domain::body::problems(&body).is_empty(), "{body}");
}

#[actix_web::test]
async fn the_form_counts_the_body_s_words_and_offers_formatting_help() {
    let app = TestApp::spawn().await;
    let browser = editor(&app).await;
    let words = "word ".repeat(460);

    let response = send_body(&browser, &format!("<b>x</b>\n\n{words}"), "save").await;

    let page = page_of(response).await;
    assert_eq!(
        text_of(&page, "#body-length").as_deref(),
        Some("461 words, about 3 minutes' reading")
    );
    assert!(text_of(&page, "details.md-help summary").is_some());
    let toolbar = select(
        &page,
        ".md-toolbar[role=toolbar][hidden] button[data-md=photo]",
    );
    assert_eq!(toolbar.len(), 1, "the toolbar waits for its script");
    let (status, picker) = browser.get_html("/desk/photo-picker").await;
    assert_eq!(status, StatusCode::OK);
    assert!(select(&picker, ".picker-grid").is_empty() || select(&picker, ".empty").is_empty());
}

#[actix_web::test]
async fn the_photo_picker_offers_each_photo_s_line_and_the_preview_shows_it() {
    let app = TestApp::spawn().await;
    let browser = editor(&app).await;
    let photo = library_photo(&app);

    let (_, picker) = browser.get_html("/desk/photo-picker").await;
    let line = select(&picker, "button.place-photo")
        .first()
        .and_then(|b| b.value().attr("data-line"))
        .expect("a photo to place")
        .to_owned();
    assert_eq!(
        line,
        format!("![Three delegates walk past flags](photo:{})", photo.id)
    );
    let response = send_body(&browser, &format!("Before.\n{line}\nAfter."), "preview").await;

    assert_eq!(response.status(), StatusCode::OK);
    let page = page_of(response).await;
    let img = select(&page, "figure.inline-photo img");
    let src = img
        .first()
        .and_then(|i| i.value().attr("src"))
        .expect("the figure");
    assert!(
        src.starts_with(&format!("/desk/photos/{}/", photo.id)),
        "{src}"
    );
}

/// Runs `script` in the page and gives back what it returns as a string.
async fn script_string(browser: &crate::chromium::Chromium, script: &str) -> String {
    browser
        .driver()
        .execute(script, Vec::new())
        .await
        .expect("run a script")
        .convert::<String>()
        .expect("a string")
}

#[actix_web::test]
async fn an_editor_formats_with_the_toolbar_places_a_library_photo_and_readers_see_it() {
    use crate::chromium::{Chromium, journey};
    if !crate::helpers::runs_once(
        "an_editor_formats_with_the_toolbar_places_a_library_photo_and_readers_see_it",
    ) {
        return;
    }
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let photo = library_photo(&app);
    let browser = Chromium::start("editor_formats_body_with_toolbar").await;

    journey(&[&browser], async {
        browser.login(&app.address, "zhang.dan", PASSWORD).await;
        browser.open(&app.url("/desk/stories/new")).await;
        browser
            .type_into("#headline", "Talks resume in Geneva")
            .await;
        browser.type_into("#bylines", "Xu Jinquan").await;
        browser.choose("#section", "world").await;
        browser.type_into("#body", "The talks resumed today.").await;

        // The word is selected, then made bold with the toolbar.
        script_string(
            &browser,
            "const b = document.getElementById('body'); b.focus(); \
             b.setSelectionRange(10, 17); return b.value.slice(10, 17);",
        )
        .await;
        browser
            .click_in_place(".md-toolbar button[data-md='bold']")
            .await;
        assert_eq!(browser.value("#body").await, "The talks **resumed** today.");

        // At the end of the text, the photo button places a photo chosen from the library.
        script_string(
            &browser,
            "const b = document.getElementById('body'); b.focus(); \
             b.setSelectionRange(b.value.length, b.value.length); return '';",
        )
        .await;
        browser
            .click_in_place(".md-toolbar button[data-md='photo']")
            .await;
        browser
            .click_in_place("dialog[open] button.place-photo")
            .await;
        let line = format!("![Three delegates walk past flags](photo:{})", photo.id);
        assert_eq!(
            browser.value("#body").await,
            format!("The talks **resumed** today.\n\n{line}\n\n")
        );
        browser
            .find("#body")
            .await
            .send_keys("| Delegation | Seats |\n|---|---|\n| East | 12 |")
            .await
            .expect("type a table");

        browser.click("button[value='publish']").await;
        assert_eq!(browser.text("p.notice").await, "Published.");
        browser.click_link("main", "View on the site").await;

        assert_eq!(browser.text(".story-body strong").await, "resumed");
        let caption = browser
            .text(".story-body figure.inline-photo figcaption")
            .await;
        assert_eq!(caption, "Delegates arrive in Geneva (Xinhua/Xu Jinquan)");
        let loaded = script_string(
            &browser,
            "const img = document.querySelector('figure.inline-photo img'); \
             return String(img !== null && img.complete && img.naturalWidth > 0);",
        )
        .await;
        assert_eq!(loaded, "true", "the photo shows on the article");
        assert_eq!(
            browser
                .text(".story-body .table-scroll th[scope='col']")
                .await,
            "Delegation"
        );
        assert_eq!(browser.text(".story-body td").await, "East");
    })
    .await;
}

/// The pages this module adds to or changes, written to `NEWSROOM_MARKUP_DIR` when set for
/// scripts/check-markup: an article with a figure, a table and a card, the story form refused
/// with its toolbar and help, its preview, and the photo picker.
#[actix_web::test]
async fn the_body_s_pages_render_for_the_checkers() {
    let app = TestApp::spawn().await;
    let browser = editor(&app).await;
    let photo = library_photo(&app);
    let body = format!(
        "Words and https://example.org/x.\n\n![The delegates](photo:{})\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nhttps://x.com/a/status/1",
        photo.id
    );
    let mut pages = Vec::new();
    let preview = send_body(&browser, &body, "preview").await;
    assert_eq!(preview.status(), StatusCode::OK);
    pages.push(("body-preview.html", preview.text().await.unwrap()));
    let refused = send_body(&browser, "<b>x</b>", "save").await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    pages.push(("body-refused-form.html", refused.text().await.unwrap()));
    let picker = browser.get("/desk/photo-picker").await;
    assert_eq!(picker.status(), StatusCode::OK);
    pages.push(("body-photo-picker.html", picker.text().await.unwrap()));
    let published = send_body(&browser, &body, "publish").await;
    let story = app
        .store
        .story(saved_id(&published))
        .expect("read")
        .expect("saved");
    let article = app.get(&article_path(&story)).await;
    assert_eq!(article.status(), StatusCode::OK);
    pages.push(("body-article.html", article.text().await.unwrap()));

    if let Some(dir) = std::env::var_os("NEWSROOM_MARKUP_DIR") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, page) in &pages {
            std::fs::write(dir.join(name), page).unwrap();
        }
    }
}
