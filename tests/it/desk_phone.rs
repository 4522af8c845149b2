//! The desk on a phone, in headless Chromium at 390 CSS pixels wide: no page wider than the
//! screen, a focus ring a keyboard user can see, and actions that look like what they do.

use crate::chromium::{Chromium, journey};
use crate::helpers::{StoryBuilder, TestApp, runs_once};
use newsroom::domain::Role;
use serde_json::{Value, json};
use thirtyfour::prelude::*;
use time::macros::datetime;

const PASSWORD: &str = "correct horse battery staple";
pub(crate) const PHONE_WIDTH: u64 = 390;

/// Makes the browser's viewport as wide as a phone's: 390 CSS pixels.
pub(crate) async fn as_phone(browser: &Chromium) {
    let driver = browser.driver();
    driver
        .set_window_rect(0, 0, PHONE_WIDTH as u32, 844)
        .await
        .expect("resize the window");
    // The window's frame takes some of it; widen the window until the page gets 390.
    let inner = script(browser, "return window.innerWidth").await;
    let frame = PHONE_WIDTH.saturating_sub(inner.as_u64().expect("a width"));
    if frame > 0 {
        driver
            .set_window_rect(0, 0, (PHONE_WIDTH + frame) as u32, 844)
            .await
            .expect("resize the window");
    }
    let inner = script(browser, "return window.innerWidth").await;
    assert_eq!(
        inner,
        json!(PHONE_WIDTH),
        "the page is laid out {PHONE_WIDTH} px wide"
    );
}

pub(crate) async fn script(browser: &Chromium, js: &str) -> Value {
    browser
        .driver()
        .execute(js, vec![])
        .await
        .expect("run a script")
        .json()
        .clone()
}

#[actix_web::test]
async fn no_desk_page_is_wider_than_a_phone() {
    if !runs_once("no_desk_page_is_wider_than_a_phone") {
        return;
    }
    let app = TestApp::spawn().await;
    app.create_user("ada.admin", Role::Admin, PASSWORD);
    app.create_user("a.writer.with.a.long.name", Role::Writer, PASSWORD);
    let story = StoryBuilder::new(
        "Delegates from both sides arrive in Geneva for a seventh round of internationally brokered talks",
    )
    .published_at(datetime!(2026-11-30 10:00 UTC))
    .save(&app);
    // Agency copy waiting in the incoming list.
    let wire = std::fs::read(crate::helpers::fixture("wire-story-syria-talks.txt")).unwrap();
    let now = time::OffsetDateTime::now_utc();
    let english = newsroom::domain::Language::parse("en").unwrap();
    let utc = newsroom::domain::SiteZone::utc();
    let reading = newsroom::import::copy::Reading {
        section: newsroom::domain::Section::parse("world").unwrap(),
        base_url: &app.address,
        page_words: None,
        now,
        site_language: &english,
        language: None,
        wire_zone: &utc,
    };
    for copy in newsroom::import::copy::read("syria.txt", &wire, reading).unwrap() {
        newsroom::editorial::incoming::take_in(
            &*app.store,
            &newsroom::editorial::Actor::CommandLine,
            copy,
            now,
        )
        .unwrap();
    }
    let browser = Chromium::start("desk_on_a_phone").await;

    journey(&[&browser], async {
        browser.login(&app.address, "ada.admin", PASSWORD).await;
        as_phone(&browser).await;
        for path in [
            "/desk".to_owned(),
            "/desk/users".to_owned(),
            "/desk/audit".to_owned(),
            "/desk/photos".to_owned(),
            "/desk/stories/new".to_owned(),
            format!("/desk/stories/{}", story.id),
            format!("/desk/stories/{}/history", story.id),
            "/desk/incoming".to_owned(),
            "/desk/incoming/spiked".to_owned(),
        ] {
            browser.open(&app.url(&path)).await;
            let width = script(&browser, "return document.documentElement.scrollWidth").await;
            assert!(
                width.as_u64().is_some_and(|w| w <= PHONE_WIDTH),
                "{path} is {width} px wide on a {PHONE_WIDTH} px screen"
            );
        }
    })
    .await;
}

#[actix_web::test]
async fn focus_is_plain_to_see_and_unpublish_is_set_apart_from_publish() {
    if !runs_once("focus_is_plain_to_see_and_unpublish_is_set_apart_from_publish") {
        return;
    }
    let app = TestApp::spawn().await;
    app.create_user("edna", Role::Editor, PASSWORD);
    let story = StoryBuilder::new("Talks end")
        .published_at(datetime!(2026-11-30 10:00 UTC))
        .save(&app);
    let browser = Chromium::start("desk_focus_and_actions").await;

    journey(&[&browser], async {
        browser.login(&app.address, "edna", PASSWORD).await;
        browser
            .open(&app.url(&format!("/desk/stories/{}", story.id)))
            .await;

        let style = |selector: &str, property: &str| {
            format!("return getComputedStyle(document.querySelector(\"{selector}\")).{property}")
        };
        // The story is live, so the step the page is for is Update live story.
        let publish = script(
            &browser,
            &style("button[value=update-live]", "backgroundColor"),
        )
        .await;
        let unpublish = script(&browser, &style("button[value=unpublish]", "color")).await;
        let save_as_plain =
            script(&browser, &style("button[value=preview]", "backgroundColor")).await;
        assert_ne!(
            publish, save_as_plain,
            "Publish looks like any other button"
        );
        assert_eq!(
            unpublish,
            json!("rgb(163, 24, 27)"),
            "Unpublish is not in the warning red"
        );

        // The first Tab from the top of the page reaches the skip link.
        browser
            .driver()
            .action_chain()
            .send_keys(Key::Tab)
            .perform()
            .await
            .expect("press Tab");
        let ring = script(
            &browser,
            "const e = document.activeElement; const s = getComputedStyle(e); \
             return [e.matches(':focus-visible'), s.outlineStyle, s.outlineWidth]",
        )
        .await;
        assert_eq!(ring, json!([true, "solid", "3px"]), "the focus ring");
    })
    .await;
}
