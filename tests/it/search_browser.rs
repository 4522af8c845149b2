//! Search in headless Chromium: an editor publishes a story; a reader on a phone finds it from
//! the masthead's box and opens it from its highlighted result; the editor unpublishes it and
//! the reader's same search finds it no more.

use crate::chromium::{Chromium, journey};
use crate::desk_phone::{PHONE_WIDTH, as_phone, script};
use crate::helpers::{TestApp, runs_once};
use newsroom::domain::Role;

const PASSWORD: &str = "correct horse battery staple";
const HEADLINE: &str = "Cormorants return to the estuary";

#[actix_web::test]
async fn a_reader_finds_a_published_story_from_the_masthead_and_not_once_it_is_unpublished() {
    if !runs_once(
        "a_reader_finds_a_published_story_from_the_masthead_and_not_once_it_is_unpublished",
    ) {
        return;
    }
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let editor = Chromium::start("search_editor").await;
    let reader = Chromium::start("search_reader").await;

    journey(&[&editor, &reader], async {
        editor.login(&app.address, "zhang.dan", PASSWORD).await;
        editor.open(&app.url("/desk/stories/new")).await;
        editor.type_into("#headline", HEADLINE).await;
        editor.type_into("#bylines", "Li Wei").await;
        editor.choose("#section", "world").await;
        editor
            .type_into(
                "#body",
                "A colony of cormorants nests on the old pier again.",
            )
            .await;
        editor.click("button[value='publish']").await;
        assert_eq!(editor.text("p.notice").await, "Published.");
        let story_form = editor.path().await;

        as_phone(&reader).await;
        reader.open(&app.url("/")).await;
        reader
            .type_into("header form[role=search] input[name=q]", "cormorant")
            .await;
        reader
            .click("header form[role=search] button[type=submit]")
            .await;
        let results = reader.path().await;
        assert!(results.starts_with("/search?q=cormorant"), "{results}");
        assert_eq!(
            reader.value("header input[name=q]").await,
            "cormorant",
            "the box keeps the words"
        );
        let marked = reader.text(".search-results mark").await.to_lowercase();
        assert!(marked.starts_with("cormorant"), "{marked}");
        let width = script(&reader, "return document.documentElement.scrollWidth").await;
        assert!(
            width.as_u64().is_some_and(|w| w <= PHONE_WIDTH),
            "the results page is {width} px wide on a {PHONE_WIDTH} px phone"
        );

        reader.click_link(".search-results h2", HEADLINE).await;
        assert_eq!(reader.text("h1").await, HEADLINE);

        editor.open(&app.url(&story_form)).await;
        editor.click("button[value='unpublish']").await;
        // Asked first, on a page of its own.
        editor.click("form.confirm-form button.danger").await;
        assert!(
            editor.text("p.notice").await.starts_with("Unpublished"),
            "the story is unpublished"
        );

        reader.open(&app.url(&results)).await;
        let count = reader.text(".search-count").await;
        assert!(count.starts_with("No stories found"), "{count}");
        assert!(reader.find_all(".search-results").await.is_empty());
    })
    .await;
}
