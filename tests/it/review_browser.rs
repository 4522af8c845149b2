//! The review desk in headless Chromium: an embargoed story an editor schedules for its
//! embargo from the refusal to publish it; a story sent back with a note its writer then reads;
//! and the desk's review pages on a phone.

use crate::chromium::{Chromium, journey};
use crate::desk_phone::{PHONE_WIDTH, as_phone, script};
use crate::helpers::{StoryBuilder, TestApp, runs_once};
use newsroom::domain::{NoteText, ReviewNote, Role, Slug, Status, Story};
use newsroom::urls;
use time::{Duration, OffsetDateTime};

const PASSWORD: &str = "correct horse battery staple";

/// Sets a `datetime-local` field to `at` (UTC, to the minute): typing into one depends on the
/// browser's locale, its value does not.
async fn set_time(browser: &Chromium, selector: &str, at: OffsetDateTime) {
    let value = newsroom::web::desk::story_form::format_local(at);
    browser.find(selector).await;
    script(
        browser,
        &format!("document.querySelector(\"{selector}\").value = \"{value}\"; return null"),
    )
    .await;
}

fn story_by_slug(app: &TestApp, slug: &str) -> Story {
    let slug = Slug::parse(slug).expect("slug");
    app.store
        .story_by_slug(&slug)
        .expect("read")
        .expect("the story")
}

/// A time on the minute, as a `datetime-local` field holds it.
fn on_the_minute(at: OffsetDateTime) -> OffsetDateTime {
    at.replace_second(0)
        .and_then(|t| t.replace_nanosecond(0))
        .expect("a time")
}

#[actix_web::test]
async fn an_editor_schedules_an_embargoed_story_for_its_embargo_from_the_refusal_to_publish_it() {
    if !runs_once(
        "an_editor_schedules_an_embargoed_story_for_its_embargo_from_the_refusal_to_publish_it",
    ) {
        return;
    }
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let until = on_the_minute(app.clock.now() + Duration::hours(2));
    let browser = Chromium::start("editor_schedules_for_the_embargo").await;

    journey(&[&browser], async {
        browser.login(&app.address, "zhang.dan", PASSWORD).await;
        browser.open(&app.url("/desk/stories/new")).await;
        browser.type_into("#headline", "Exam results are out").await;
        browser.type_into("#bylines", "Li Wei").await;
        browser.choose("#section", "world").await;
        browser
            .type_into("#body", "More pupils passed than last year.")
            .await;
        set_time(&browser, "#embargo", until).await;

        browser.click("button[value='publish']").await;
        let alert = browser.text("div.error[role='alert']").await;
        assert!(alert.contains("embargoed until"), "{alert}");
        assert_eq!(
            browser.value("#embargo").await,
            newsroom::web::desk::story_form::format_local(until),
            "the embargo is kept as typed"
        );

        browser.click("button[value='schedule-embargo']").await;
        assert_eq!(browser.text("p.notice").await, "Scheduled.");
        let story = story_by_slug(&app, "exam-results-are-out");
        assert_eq!(story.status, Status::Scheduled(until));

        browser.click_link("nav", "Stories").await;
        let row = browser.text("tbody tr").await;
        assert!(row.contains("Scheduled"), "{row}");
        let shown = browser
            .find("tbody tr td[data-label='Status'] time")
            .await
            .attr("datetime")
            .await
            .expect("an attribute");
        assert_eq!(
            shown.as_deref().map(|iso| &iso[..16]),
            Some(&newsroom::web::desk::story_form::format_local(until)[..]),
            "the desk shows it goes out at the embargo time"
        );

        // Readers find nothing until the clock passes the embargo.
        let article = app.url(&urls::article(until, &story.content.slug, 1));
        assert_eq!(
            app.client
                .get(&article)
                .send()
                .await
                .expect("request")
                .status(),
            reqwest::StatusCode::NOT_FOUND
        );
        // To a minute before the embargo, however long the steps above took.
        app.clock
            .advance(until - Duration::minutes(1) - app.clock.now());
        newsroom::scheduler::publish_due(&*app.store, app.clock.now()).expect("due");
        browser.open(&article).await;
        assert_eq!(browser.text("h1").await, "Page not found");

        app.clock.advance(Duration::minutes(2));
        newsroom::scheduler::publish_due(&*app.store, app.clock.now()).expect("due");
        browser.open(&article).await;
        assert_eq!(browser.text("h1").await, "Exam results are out");
    })
    .await;
}

#[actix_web::test]
async fn a_writer_submits_an_editor_sends_the_story_back_and_the_writer_reads_why() {
    if !runs_once("a_writer_submits_an_editor_sends_the_story_back_and_the_writer_reads_why") {
        return;
    }
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    app.create_user("li.wei", Role::Writer, PASSWORD);
    let browser = Chromium::start("story_sent_back").await;
    let note = "The second paragraph needs a source.";

    journey(&[&browser], async {
        browser.login(&app.address, "li.wei", PASSWORD).await;
        browser.open(&app.url("/desk/stories/new")).await;
        browser.type_into("#headline", "Talks end in Geneva").await;
        browser.type_into("#bylines", "Li Wei").await;
        browser.choose("#section", "world").await;
        browser
            .type_into("#body", "The talks ended on Friday.")
            .await;
        browser.click("button[value='submit']").await;
        assert_eq!(browser.text("p.notice").await, "Submitted for review.");
        browser.click("form.logout button").await;

        browser.login(&app.address, "zhang.dan", PASSWORD).await;
        browser.click("a.for-review").await;
        assert_eq!(browser.text("a.for-review").await, "For review (1)");
        browser.click_link("tbody", "Talks end in Geneva").await;
        browser.type_into("#review_note", note).await;
        browser.click("form.send-back-form button").await;
        assert_eq!(
            browser.text("p.notice").await,
            "Sent back to its writer with your note."
        );
        browser.click("form.logout button").await;

        browser.login(&app.address, "li.wei", PASSWORD).await;
        let row = browser.text("tbody tr").await;
        assert!(row.contains("Sent back"), "{row}");
        browser.click_link("tbody", "Talks end in Geneva").await;
        let shown = browser.text(".review-note").await;
        assert!(shown.contains("Sent back by zhang.dan"), "{shown}");
        assert!(shown.contains(note), "{shown}");
    })
    .await;
}

#[actix_web::test]
async fn the_review_desk_fits_a_phone() {
    if !runs_once("the_review_desk_fits_a_phone") {
        return;
    }
    let app = TestApp::spawn().await;
    let editor = app.create_user("ada.admin", Role::Admin, PASSWORD);
    let holder = app.create_user("an.editor.with.a.long.name", Role::Editor, PASSWORD);
    let writer = app.create_user("a.writer.with.a.long.name", Role::Writer, PASSWORD);
    let long = "Delegates from both sides arrive in Geneva for a seventh round of internationally brokered talks";
    let taken = StoryBuilder::new(long)
        .with(|s| {
            s.submitted = true;
            s.author = Some(writer.id);
            s.assignee = Some(holder.id);
        })
        .save(&app);
    let sent_back = StoryBuilder::new("Markets rally after the central bank's announcement")
        .with(|s| {
            s.author = Some(writer.id);
            s.sent_back = Some(ReviewNote {
                text: NoteText::parse(&"Needs a second source for the figures. ".repeat(20))
                    .expect("a note"),
                by: Some(editor.id),
                at: app.clock.now(),
            });
        })
        .save(&app);
    StoryBuilder::new("Election results to be announced at dawn")
        .status(Status::Scheduled(app.clock.now() + Duration::days(2)))
        .save(&app);
    let browser = Chromium::start("review_desk_on_a_phone").await;

    journey(&[&browser], async {
        browser.login(&app.address, "ada.admin", PASSWORD).await;
        as_phone(&browser).await;
        for path in [
            "/desk".to_owned(),
            "/desk?status=review".to_owned(),
            format!("/desk/stories/{}", taken.id),
            format!("/desk/stories/{}", sent_back.id),
        ] {
            browser.open(&app.url(&path)).await;
            let width = script(&browser, "return document.documentElement.scrollWidth").await;
            assert!(
                width.as_u64().is_some_and(|w| w <= PHONE_WIDTH),
                "{path} is {width} px wide on a {PHONE_WIDTH} px screen"
            );
        }
        // Asked before taking the story from its editor: that page fits too.
        browser
            .open(&app.url(&format!("/desk/stories/{}", taken.id)))
            .await;
        browser.click("form.take-form button").await;
        assert!(
            browser
                .text("form.take-form")
                .await
                .contains("Take it from them?")
        );
        let width = script(&browser, "return document.documentElement.scrollWidth").await;
        assert!(
            width.as_u64().is_some_and(|w| w <= PHONE_WIDTH),
            "the question is {width} px wide on a {PHONE_WIDTH} px screen"
        );
    })
    .await;
}
