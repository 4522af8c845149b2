//! The story form's buttons in headless Chromium on a phone: an Update live story sent from a
//! form older than a writer's save leads to a conflict page that fits the screen and shows the
//! photo; Unpublish asks first and is cancelled; Withdraw asks first and is confirmed.

use crate::chromium::{Chromium, journey};
use crate::desk_phone::{PHONE_WIDTH, as_phone, script};
use crate::helpers::{StoryBuilder, TestApp, runs_once};
use crate::merging::{form_fields, set, submit};
use crate::photos::stored_photo;
use newsroom::domain::{AltText, Caption, Credit, LeadPhoto, Role, Status};
use reqwest::StatusCode;
use time::macros::datetime;

const PASSWORD: &str = "correct horse battery staple";
const LIVE: &str = "The council met on Monday.\n\nIt voted on the budget.\n\nThe mayor spoke last.";

#[actix_web::test]
async fn an_editor_confirms_or_cancels_what_takes_a_story_away_and_settles_a_conflict_on_a_phone() {
    if !runs_once(
        "an_editor_confirms_or_cancels_what_takes_a_story_away_and_settles_a_conflict_on_a_phone",
    ) {
        return;
    }
    let app = TestApp::spawn().await;
    let writer_id = app.create_user("wen.li", Role::Writer, PASSWORD).id;
    app.create_user("edna", Role::Editor, PASSWORD);
    let photo = stored_photo(&app, 3, "Councillors vote", "Xinhua");
    let story = StoryBuilder::new("Council passes the budget")
        .body(LIVE)
        .published_at(datetime!(2026-11-30 10:00 UTC))
        .with(|story| {
            story.author = Some(writer_id);
            story.content.photo = Some(LeadPhoto {
                image: Some(photo),
                caption: Caption::parse("Councillors vote").expect("caption"),
                credit: Some(Credit::parse("Xinhua").expect("credit")),
                alt: Some(AltText::parse("Councillors raise their hands").expect("alt")),
            });
        })
        .save(&app);
    let form_path = format!("/desk/stories/{}", story.id);
    let stored_status = || {
        app.store
            .story(story.id)
            .expect("read")
            .expect("the story")
            .status
    };
    let writer = app.login("wen.li", PASSWORD).await;
    let browser = Chromium::start("desk_buttons").await;

    journey(&[&browser], async {
        browser.login(&app.address, "edna", PASSWORD).await;
        as_phone(&browser).await;
        browser.open(&app.url(&form_path)).await;

        // Meanwhile the writer saves a change to the second paragraph, not yet live.
        let (_, page) = writer.get_html(&form_path).await;
        let mut fields = form_fields(&page, "form.story-form");
        set(
            &mut fields,
            "body",
            &LIVE.replace("It voted on the budget.", "It voted on the budget at last."),
        );
        let staged = submit(&writer, &form_path, &fields, "save").await;
        assert_eq!(staged.status(), StatusCode::SEE_OTHER, "the writer's save");

        // The editor, on the form loaded before it, changes the same paragraph and updates.
        browser
            .type_into(
                "#body",
                &LIVE.replace("It voted on the budget.", "It voted for the budget."),
            )
            .await;
        browser.click("button[value='update-live']").await;
        assert_eq!(
            browser.text("h1").await,
            "Someone else saved this story",
            "the conflict page"
        );
        let width = script(&browser, "return document.documentElement.scrollWidth").await;
        assert!(
            width.as_u64().is_some_and(|w| w <= PHONE_WIDTH),
            "the conflict page is {width} px wide on a {PHONE_WIDTH} px screen"
        );
        let img = browser.find(".conflict-photo img").await;
        let src = img.attr("src").await.expect("src").unwrap_or_default();
        assert!(src.contains(&photo.to_string()), "{src}");
        assert_eq!(
            browser
                .text("form.conflict-form button[type='submit']")
                .await,
            "Save and update live story"
        );
        browser
            .click_link("form.conflict-form", "Leave without saving")
            .await;

        // Unpublish asks first; the editor cancels, and the story stays live.
        browser.click("button[value='unpublish']").await;
        assert!(browser.text("h1").await.starts_with("Unpublish"));
        let danger = script(
            &browser,
            "return getComputedStyle(document.querySelector('form.confirm-form button')).color",
        )
        .await;
        assert_eq!(
            danger,
            serde_json::json!("rgb(163, 24, 27)"),
            "set apart in red"
        );
        browser.click("a.cancel").await;
        assert!(browser.path().await.starts_with(&form_path));
        assert_eq!(stored_status(), Status::Published, "cancelled: still live");

        // Withdraw asks first; the editor confirms.
        browser.type_into("#withdraw_reason", "Legal advice").await;
        browser
            .click("form.withdraw-form button[type='submit']")
            .await;
        assert!(browser.text("h1").await.starts_with("Withdraw"));
        assert_eq!(
            stored_status(),
            Status::Published,
            "nothing done before confirming"
        );
        browser.click("form.confirm-form button.danger").await;
        assert!(
            browser.text("p.notice").await.starts_with("Withdrawn"),
            "confirmed"
        );
        assert!(matches!(stored_status(), Status::Withdrawn(_)));
    })
    .await;
}
