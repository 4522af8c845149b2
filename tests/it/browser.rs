//! The desk and the site as people use them: headless Chromium, driven over WebDriver, against
//! the real server.

use crate::chromium::{Chromium, journey};
use crate::helpers::{StoryBuilder, TestApp, fixture, runs_once};
use newsroom::domain::{PageNumber, Role, Status, StoryId};
use newsroom::storage::Listing;
use time::{Duration, OffsetDateTime};

const PASSWORD: &str = "correct horse battery staple";

/// The wire story of `tests/fixtures`, split into the desk form's fields as an editor reads
/// them off the copy.
struct WireCopy {
    headline: String,
    source: String,
    caption: String,
    credit: String,
    dateline: String,
    /// The paragraphs after the dateline's, the first one's text included.
    paragraphs: Vec<String>,
}

impl WireCopy {
    fn syria_talks() -> WireCopy {
        let text = std::fs::read_to_string(fixture("wire-story-syria-talks.txt")).expect("fixture");
        let blocks: Vec<String> = text
            .split("\n\n")
            .map(|b| b.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|b| !b.is_empty())
            .collect();
        let (caption, credit) = blocks[2]
            .strip_suffix(')')
            .and_then(|c| c.rsplit_once(" ("))
            .expect("a caption ending in its credit");
        let (dateline, lead) = blocks[3].split_once(" -- ").expect("a dateline");
        let mut paragraphs = vec![lead.to_owned()];
        paragraphs.extend(blocks[4..].iter().cloned());
        WireCopy {
            headline: blocks[0].clone(),
            source: "Xinhua".into(),
            caption: caption.to_owned(),
            credit: credit.to_owned(),
            dateline: dateline.to_owned(),
            paragraphs,
        }
    }

    /// The body as three pages: page breaks after the 4th and the 8th paragraph.
    fn body_in_three_pages(&self) -> String {
        let page = |range: std::ops::Range<usize>| self.paragraphs[range].join("\n\n");
        let n = self.paragraphs.len();
        format!(
            "{}\n\n<!--nextpage-->\n\n{}\n\n<!--nextpage-->\n\n{}",
            page(0..4),
            page(4..8),
            page(8..n)
        )
    }
}

/// A small JPEG, made for the test, on disk for the browser to upload.
fn jpeg_photo(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let image = image::RgbImage::from_fn(320, 200, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let path = dir.path().join("geneva.jpg");
    image.save(&path).expect("write a JPEG");
    path
}

#[actix_web::test]
async fn an_editor_writes_previews_and_publishes_a_wire_story_with_a_photo() {
    if !runs_once("an_editor_writes_previews_and_publishes_a_wire_story_with_a_photo") {
        return;
    }
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let files = tempfile::tempdir().expect("temp dir");
    let photo = jpeg_photo(&files);
    let copy = WireCopy::syria_talks();
    let browser = Chromium::start("editor_publishes_wire_story").await;

    journey(&[&browser], async {
        browser.login(&app.address, "zhang.dan", PASSWORD).await;
        browser.open(&app.url("/desk/stories/new")).await;
        browser.type_into("#headline", &copy.headline).await;
        browser.type_into("#bylines", "Xinhua").await;
        browser.type_into("#dateline", &copy.dateline).await;
        browser.type_into("#source", &copy.source).await;
        browser.choose("#section", "world").await;
        browser
            .type_into("#body", &copy.body_in_three_pages())
            .await;
        browser
            .find("#photo")
            .await
            .send_keys(photo.display().to_string())
            .await
            .expect("attach the photo");
        browser.type_into("#caption", &copy.caption).await;
        browser.type_into("#credit", &copy.credit).await;
        browser
            .type_into("#alt", "Staffan de Mistura at a press conference")
            .await;

        // Preview opens in a window of its own and leaves the form as it was.
        let desk_window = browser.driver().window().await.expect("window");
        let windows = browser.driver().windows().await.expect("windows");
        browser.click_in_place("button[value='preview']").await;
        browser.switch_to_new_window(&windows).await;
        assert!(
            browser.text(".preview-banner").await.contains("Preview"),
            "the preview says it is one"
        );
        assert_eq!(browser.text("h1").await, copy.headline);
        assert!(browser.text("figcaption").await.contains(&copy.credit));
        assert_eq!(
            app.store
                .listing(Listing::Published, PageNumber::FIRST, 10)
                .expect("the front page listing")
                .total_items,
            0,
            "a preview publishes nothing"
        );
        browser
            .driver()
            .close_window()
            .await
            .expect("close preview");
        browser
            .driver()
            .switch_to_window(desk_window)
            .await
            .expect("back to the desk");

        // The preview kept nothing: the photo has to be attached again to publish it.
        browser
            .find("#photo")
            .await
            .send_keys(photo.display().to_string())
            .await
            .expect("attach the photo");
        browser.click("button[value='publish']").await;
        assert_eq!(browser.text("p.notice").await, "Published.");

        browser.click_link("main", "View on the site").await;
        assert_eq!(browser.text("h1").await, copy.headline);
        assert!(browser.text(".meta-line").await.contains("Source: Xinhua"));
        assert_eq!(browser.text(".page-of").await, "Page 1 of 3");
        let figcaption = browser.text("figcaption").await;
        assert!(figcaption.contains(&copy.caption), "{figcaption}");
        assert!(
            figcaption.contains("(Xinhua/POOL/Xu Jinquan)"),
            "{figcaption}"
        );
        let photo_loaded = browser
            .driver()
            .execute(
                "const img = document.querySelector('figure.lead-photo img'); \
                 return img !== null && img.complete && img.naturalWidth > 0;",
                Vec::new(),
            )
            .await
            .expect("run a script")
            .convert::<bool>()
            .expect("a boolean");
        assert!(photo_loaded, "the photo shows on the article");
        let body = browser.text(".story-body").await;
        assert!(body.starts_with("GENEVA, July 14 (Xinhua) --"), "{body}");
        assert!(body.contains("next round will convene in early September"));
        assert!(!body.contains("Macron"), "page 1 ends at the first break");
    })
    .await;
}

#[actix_web::test]
async fn a_reader_pages_through_the_front_page_and_a_three_page_story() {
    if !runs_once("a_reader_pages_through_the_front_page_and_a_three_page_story") {
        return;
    }
    let app = TestApp::spawn_with(|s| s.per_page = 5).await;
    let now = OffsetDateTime::now_utc();
    // The oldest story, so the reader finds it on the last listing page.
    StoryBuilder::new("Talks on Syria end without a breakthrough")
        .body("The first page.\n\n<!--nextpage-->\n\nThe second page.\n\n<!--nextpage-->\n\nThe third page.")
        .published_at(now - Duration::hours(20))
        .save(&app);
    for n in 1..=11 {
        StoryBuilder::new(&format!("Market report number {n}"))
            .published_at(now - Duration::hours(20 - n))
            .save(&app);
    }
    let browser = Chromium::start("reader_pages_through").await;

    journey(&[&browser], async {
        browser.open(&app.url("/")).await;
        let first = browser.text(".story-list h2 a").await;
        assert_eq!(first, "Market report number 11", "newest first");

        browser.click(".pager a[rel='next']").await;
        assert_eq!(browser.path().await, "/page/2");
        assert_eq!(browser.text(".pager a[aria-current='page']").await, "2");
        browser.click_link(".pager", "3").await;
        assert_eq!(browser.path().await, "/page/3");
        assert!(
            browser.find_all(".pager a[rel='next']").await.is_empty(),
            "page 3 is the last"
        );
        let headlines = browser.find_all(".story-list h2 a").await;
        assert_eq!(headlines.len(), 2, "12 stories, 5 a page");

        browser
            .click_link(".story-list", "Talks on Syria end without a breakthrough")
            .await;
        assert_eq!(browser.text(".page-of").await, "Page 1 of 3");
        assert_eq!(browser.text(".story-body").await, "The first page.");

        browser.click(".pager a[rel='next']").await;
        assert!(browser.path().await.ends_with("/page/2"));
        assert_eq!(browser.text(".page-of").await, "Page 2 of 3");
        assert_eq!(browser.text(".story-body").await, "The second page.");

        browser.click_link(".pager", "3").await;
        assert_eq!(browser.text(".page-of").await, "Page 3 of 3");
        assert_eq!(browser.text(".story-body").await, "The third page.");

        browser.click(".pager a[rel='prev']").await;
        assert_eq!(browser.text(".story-body").await, "The second page.");
    })
    .await;
}

#[actix_web::test]
async fn the_second_of_two_editors_to_save_gets_the_conflict_page_with_both_texts() {
    if !runs_once("the_second_of_two_editors_to_save_gets_the_conflict_page_with_both_texts") {
        return;
    }
    let app = TestApp::spawn().await;
    app.create_user("first.editor", Role::Editor, PASSWORD);
    app.create_user("second.editor", Role::Editor, PASSWORD);
    let story = StoryBuilder::new("Council votes on the budget")
        .body("The council met.")
        .save(&app);
    let edit_url = app.url(&format!("/desk/stories/{}", story.id));
    let first = Chromium::start("conflict_first_editor").await;
    let second = Chromium::start("conflict_second_editor").await;

    journey(&[&first, &second], async {
        first.login(&app.address, "first.editor", PASSWORD).await;
        second.login(&app.address, "second.editor", PASSWORD).await;
        first.open(&edit_url).await;
        second.open(&edit_url).await;

        first
            .type_into("#body", "The council met and passed the budget.")
            .await;
        first.click("button[value='save']").await;
        assert_eq!(first.text("p.notice").await, "Saved.");

        second
            .type_into("#body", "The council met late into the night.")
            .await;
        second.click("button[value='save']").await;
        assert_eq!(second.text("h1").await, "Someone else saved this story");
        // Each side's words are marked against the text both started from.
        assert!(
            second
                .text(".conflict-mine ins")
                .await
                .contains("late into the night."),
            "my words are marked as added"
        );
        assert!(
            second
                .text(".conflict-theirs ins")
                .await
                .contains("passed the budget."),
            "theirs too"
        );

        // Keeping my version saves it on top of the first editor's.
        second
            .click_in_place("input[name='conflict:body:0:choice'][value='mine']")
            .await;
        second.click("button[value='save']").await;
        assert_eq!(second.text("p.notice").await, "Saved.");
        let saved = app.store.story(story.id).expect("read").expect("story");
        assert_eq!(
            saved.content.body.as_str(),
            "The council met late into the night."
        );
    })
    .await;
}

#[actix_web::test]
async fn a_writer_whose_session_ends_mid_edit_logs_in_again_and_keeps_the_text() {
    if !runs_once("a_writer_whose_session_ends_mid_edit_logs_in_again_and_keeps_the_text") {
        return;
    }
    let app = TestApp::spawn().await;
    let writer = app.create_user("li.wei", Role::Writer, PASSWORD);
    let browser = Chromium::start("writer_session_ends").await;

    journey(&[&browser], async {
        browser.login(&app.address, "li.wei", PASSWORD).await;
        browser.open(&app.url("/desk/stories/new")).await;
        browser
            .type_into("#headline", "Floods close the coast road")
            .await;
        browser.type_into("#bylines", "Li Wei").await;
        browser.type_into("#body", "Water covered the road.").await;
        browser.click("button[value='save']").await;
        assert_eq!(browser.text("p.notice").await, "Saved.");
        let id: StoryId = browser
            .path()
            .await
            .trim_start_matches("/desk/stories/")
            .split('?')
            .next()
            .and_then(|id| id.parse().ok())
            .expect("the story's edit page");

        let typed = "Water covered the road.\n\nThe police closed it at noon.";
        browser.type_into("#body", typed).await;
        // The session ends on the server (as when it times out or an admin ends it).
        app.store
            .delete_sessions_of(writer.id)
            .expect("end the sessions");
        browser.click("button[value='save']").await;
        assert!(
            browser
                .text("#login-error")
                .await
                .contains("Your session has ended"),
            "the writer is asked to log in again"
        );

        browser.fill_login("li.wei", PASSWORD).await;
        assert!(browser.text("p.notice").await.starts_with("Welcome back"));
        assert_eq!(browser.value("#body").await, typed);
        assert_eq!(
            browser.value("#headline").await,
            "Floods close the coast road"
        );

        browser.click("button[value='save']").await;
        assert_eq!(browser.text("p.notice").await, "Saved.");
        let saved = app.store.story(id).expect("read").expect("story");
        assert_eq!(saved.content.body.as_str(), typed);
        assert_eq!(saved.status, Status::Draft);
    })
    .await;
}

#[actix_web::test]
async fn two_editors_editing_different_paragraphs_in_two_windows_both_keep_their_edits() {
    if !runs_once("two_editors_editing_different_paragraphs_in_two_windows_both_keep_their_edits") {
        return;
    }
    let app = TestApp::spawn().await;
    app.create_user("first.editor", Role::Editor, PASSWORD);
    app.create_user("second.editor", Role::Editor, PASSWORD);
    let story = StoryBuilder::new("Council votes on the budget")
        .body("The council met.\n\nThe vote was close.")
        .save(&app);
    let edit_url = app.url(&format!("/desk/stories/{}", story.id));
    let first = Chromium::start("merge_first_editor").await;
    let second = Chromium::start("merge_second_editor").await;

    journey(&[&first, &second], async {
        first.login(&app.address, "first.editor", PASSWORD).await;
        second.login(&app.address, "second.editor", PASSWORD).await;
        first.open(&edit_url).await;
        second.open(&edit_url).await;

        first
            .type_into("#body", "The council met on Monday.\n\nThe vote was close.")
            .await;
        first.click("button[value='save']").await;
        assert_eq!(first.text("p.notice").await, "Saved.");

        second
            .type_into("#body", "The council met.\n\nThe vote was close: 5 to 4.")
            .await;
        second.click("button[value='save']").await;
        assert_eq!(
            second.text("p.notice").await,
            "Saved. Merged with first.editor's changes to paragraph 1."
        );
        let both = "The council met on Monday.\n\nThe vote was close: 5 to 4.";
        assert_eq!(second.value("#body").await, both);
        let saved = app.store.story(story.id).expect("read").expect("story");
        assert_eq!(saved.content.body.as_str(), both);
    })
    .await;
}

#[actix_web::test]
async fn an_editor_saves_changes_to_a_live_story_and_readers_see_them_once_she_updates_it() {
    if !runs_once(
        "an_editor_saves_changes_to_a_live_story_and_readers_see_them_once_she_updates_it",
    ) {
        return;
    }
    let app = TestApp::spawn().await;
    app.create_user("edna.live", Role::Editor, PASSWORD);
    let published = OffsetDateTime::now_utc() - Duration::hours(1);
    let story = StoryBuilder::new("Council votes on the budget")
        .body("The council met.\n\nThe vote was close.")
        .published_at(published)
        .save(&app);
    let edit_url = app.url(&format!("/desk/stories/{}", story.id));
    let article = app.url(&newsroom::urls::article(published, &story.content.slug, 1));
    let editor = Chromium::start("staged_edit_update_live").await;

    journey(&[&editor], async {
        editor.login(&app.address, "edna.live", PASSWORD).await;
        editor.open(&edit_url).await;
        editor
            .type_into("#body", "The council met on Monday.\n\nThe vote was close.")
            .await;
        editor.click("button[value='save']").await;
        assert!(
            editor.text("p.notice").await.contains("not live yet"),
            "the desk says the changes are not live"
        );

        // Each visit its own address, so no copy kept by the browser stands in for the page.
        editor.open(&format!("{article}?visit=1")).await;
        let before = editor.text("article").await;
        assert!(before.contains("The council met."), "{before}");
        assert!(!before.contains("Monday"), "{before}");

        editor.open(&edit_url).await;
        editor.click("button[value='update-live']").await;
        assert_eq!(
            editor.text("p.notice").await,
            "Live story updated: readers now see these changes."
        );

        editor.open(&format!("{article}?visit=2")).await;
        let after = editor.text("article").await;
        assert!(after.contains("The council met on Monday."), "{after}");
    })
    .await;
}

#[actix_web::test]
async fn a_writer_sets_up_a_second_factor_and_logs_in_with_a_code_and_with_a_recovery_code() {
    if !runs_once("a_writer_sets_up_a_second_factor") {
        return;
    }
    use newsroom::auth::second_factor::{code_at, parse_secret};
    let app = TestApp::spawn().await;
    app.create_user("ann.lee", Role::Writer, PASSWORD);
    let browser = Chromium::start("writer_sets_up_a_second_factor").await;
    let now = || app.clock.now().unix_timestamp() as u64;

    journey(&[&browser], async {
        browser.login(&app.address, "ann.lee", PASSWORD).await;
        browser.click_link(".desk-nav", "Account").await;
        browser
            .click_link("#two-factor-status", "Set up a second factor")
            .await;
        // The QR code is an image from this site that the browser drew (the page's
        // Content-Security-Policy let it load).
        let drawn = browser
            .driver()
            .execute(
                "const img = document.getElementById('two-factor-qr'); \
                 return img.complete && img.naturalWidth > 0;",
                Vec::new(),
            )
            .await
            .expect("run a script")
            .json()
            .as_bool();
        assert_eq!(drawn, Some(true), "the QR code is shown");
        let shown = browser.text("#two-factor-secret").await;
        let secret = parse_secret(&shown.replace(' ', "")).expect("the key in text");
        browser.type_into("#code", &code_at(&secret, now())).await;
        browser
            .click("form[action='/desk/account/two-factor'] button")
            .await;
        let codes: Vec<String> = {
            let mut codes = Vec::new();
            for item in browser.find_all("#recovery-codes code").await {
                codes.push(item.text().await.expect("a code"));
            }
            codes
        };
        assert_eq!(codes.len(), 10);

        // Out, and in again with a code from the next window.
        browser.click("form.logout button").await;
        app.clock.advance(Duration::seconds(31));
        browser.open(&app.url("/login")).await;
        browser.fill_login("ann.lee", PASSWORD).await;
        assert_eq!(browser.path().await, "/desk/login/code");
        browser.type_into("#code", &code_at(&secret, now())).await;
        browser.click("form button[type='submit']").await;
        assert_eq!(browser.path().await, "/desk");

        // Out, and in with a recovery code, which works once.
        browser.click("form.logout button").await;
        for attempt in 0..2 {
            browser.open(&app.url("/login")).await;
            browser.fill_login("ann.lee", PASSWORD).await;
            browser.type_into("#code", &codes[0]).await;
            browser.click("form button[type='submit']").await;
            if attempt == 0 {
                assert_eq!(browser.path().await, "/desk");
                browser.click("form.logout button").await;
            } else {
                assert_eq!(browser.path().await, "/desk/login/code");
                assert!(browser.text("#code-error").await.contains("not right"));
            }
        }
    })
    .await;
}
