//! An editor tags a story from the suggestions and credits it to her profile; a reader follows
//! its tag and its byline to the pages listing it.

use crate::chromium::{Chromium, journey};
use crate::helpers::{TestApp, runs_once};
use newsroom::accounts::Actor;
use newsroom::domain::{AuthorProfile, Bio, Byline, Role, Slug, Tags};
use time::OffsetDateTime;

const PASSWORD: &str = "correct horse battery staple";

#[actix_web::test]
async fn an_editor_tags_and_credits_a_story_and_a_reader_follows_both_links() {
    if !runs_once("an_editor_tags_and_credits_a_story_and_a_reader_follows_both_links") {
        return;
    }
    let app = TestApp::spawn().await;
    let edna = app.create_user("edna.tags", Role::Editor, PASSWORD);
    let now = OffsetDateTime::now_utc();
    newsroom::authors::save(
        &*app.store,
        &Actor::command_line(now),
        &AuthorProfile {
            slug: Slug::parse("edna-tagg").unwrap(),
            name: Byline::parse("Edna Tagg").unwrap(),
            bio: Some(Bio::parse("Edna writes about the city.").unwrap()),
            photo: None,
            links: Vec::new(),
            account: Some(edna.id),
            organization: false,
        },
        None,
    )
    .expect("a profile");
    // A tag in use already, which the form suggests.
    let mut content = crate::helpers::StoryBuilder::new("Earlier budget story")
        .into_story()
        .content;
    content.tags = Tags::parse("City budget").unwrap();
    newsroom::editorial::save(
        &*app.store,
        &newsroom::editorial::Actor::CommandLine,
        newsroom::editorial::Edit {
            story: None,
            expected_revision: None,
            content,
            filed_at: None,
            step: newsroom::editorial::Step::Publish,
            note: None,
            zone: newsroom::domain::SiteZone::utc(),
        },
        now,
    )
    .expect("an earlier story");

    let browser = Chromium::start("editor_tags_and_credits").await;
    journey(&[&browser], async {
        browser.login(&app.address, "edna.tags", PASSWORD).await;
        browser.open(&app.url("/desk/stories/new")).await;
        assert_eq!(
            browser.value("#bylines").await,
            "Edna Tagg",
            "her own profile is the byline of her new story"
        );
        let suggested = browser
            .find("#tag-suggestions option")
            .await
            .attr("value")
            .await
            .expect("an option's value")
            .expect("a suggestion");
        assert_eq!(suggested, "City budget");
        browser
            .type_into("#headline", "Council passes the budget")
            .await;
        browser.type_into("#tags", &suggested).await;
        browser.type_into("#body", "The council voted.").await;
        browser.click("button[value='publish']").await;
        assert_eq!(browser.text("p.notice").await, "Published.");

        browser.click_link("main", "View on the site").await;
        let article = browser.path().await;
        browser.click_link(".story-tags", "City budget").await;
        assert_eq!(browser.path().await, "/tag/city-budget");
        let listed = browser.text(".story-list").await;
        assert!(listed.contains("Council passes the budget"), "{listed}");
        assert!(listed.contains("Earlier budget story"), "{listed}");

        browser.open(&app.url(&article)).await;
        browser.click_link(".byline", "Edna Tagg").await;
        assert_eq!(browser.path().await, "/author/edna-tagg");
        assert!(
            browser
                .text(".about")
                .await
                .contains("Edna writes about the city.")
        );
        let listed = browser.text(".story-list").await;
        assert!(listed.contains("Council passes the budget"), "{listed}");
        assert!(!listed.contains("Earlier budget story"), "{listed}");
    })
    .await;
}
