//! A story's history on the desk: every revision with what changed, and restoring an old one.

use crate::helpers::{Browser, StoryBuilder, TestApp, location, select, text_of};
use newsroom::domain::{AuditAction, Body, Headline, Role, Story, User};
use reqwest::StatusCode;
use scraper::{ElementRef, Html, Selector};
use time::OffsetDateTime;

const PASSWORD: &str = "correct horse battery";

struct Newsroom {
    app: TestApp,
    ann: User,
    ed: User,
}

/// A writer, ann, and an editor, edna.
async fn newsroom() -> Newsroom {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Writer, PASSWORD);
    let ed = app.create_user("edna", Role::Editor, PASSWORD);
    Newsroom { app, ann, ed }
}

/// A draft by `author` saved three times: as written, with a longer headline by `editor`, and
/// with a rewritten second paragraph by `editor`.
fn three_revisions(app: &TestApp, author: &User, editor: &User) -> Story {
    let first = StoryBuilder::new("Talks end")
        .body("First paragraph.\n\nSecond paragraph.")
        .with(|s| {
            s.author = Some(author.id);
            s.last_edited_by = Some(author.id);
        })
        .save(app);
    let mut second = first.clone();
    second.content.headline = Headline::parse("Talks end in Geneva").unwrap();
    second.last_edited_by = Some(editor.id);
    second.updated_at = OffsetDateTime::now_utc();
    let second = app.store.save_story(&second, Some(1)).unwrap();
    let mut third = second.clone();
    third.content.body =
        Body::parse("First paragraph.\n\nA rewritten second paragraph with <b>bold</b> claims.")
            .unwrap();
    third.updated_at = OffsetDateTime::now_utc();
    app.store.save_story(&third, Some(2)).unwrap()
}

fn history_path(story: &Story) -> String {
    format!("/desk/stories/{}/history", story.id)
}

fn within(element: &ElementRef, selector: &str) -> Vec<String> {
    let selector = Selector::parse(selector).unwrap();
    element
        .select(&selector)
        .map(|e| e.text().collect::<String>().trim().to_owned())
        .collect()
}

fn revision<'a>(page: &'a Html, number: u64) -> ElementRef<'a> {
    select(page, &format!("#revision-{number}"))
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no revision {number} on the page"))
}

async fn restore(
    browser: &Browser,
    story: &Story,
    revision: u64,
    csrf: &str,
    current: u64,
) -> reqwest::Response {
    browser
        .post_form(
            &format!("/desk/stories/{}/restore/{revision}", story.id),
            &[("csrf", csrf), ("current", &current.to_string())],
        )
        .await
}

#[actix_web::test]
async fn the_history_lists_every_revision_newest_first_with_what_changed() {
    let Newsroom { app, ann, ed } = newsroom().await;
    let story = three_revisions(&app, &ann, &ed);
    let editor = app.login("edna", PASSWORD).await;

    let response = editor.get(&history_path(&story)).await;

    assert_eq!(response.status(), StatusCode::OK);
    let raw = response.text().await.unwrap();
    let page = Html::parse_document(&raw);
    assert_eq!(
        select(&page, "li.revision h2")
            .iter()
            .map(|h| h.text().collect::<String>())
            .collect::<Vec<_>>(),
        ["Revision 3 (current)", "Revision 2", "Revision 1"]
    );
    let third = revision(&page, 3);
    assert_eq!(within(&third, ".by"), ["edna"]);
    assert_eq!(within(&third, "dt"), ["Body"]);
    assert_eq!(within(&third, "del"), ["− Second paragraph."]);
    assert_eq!(
        within(&third, "ins"),
        ["+ A rewritten second paragraph with <b>bold</b> claims."]
    );
    assert!(
        raw.contains("&#60;b&#62;bold&#60;/b&#62;") && !raw.contains("<b>bold</b>"),
        "the diff is escaped"
    );
    let second = revision(&page, 2);
    assert_eq!(within(&second, "dt"), ["Headline"]);
    assert_eq!(within(&second, "ins"), ["in Geneva"]);
    assert!(within(&second, "del").is_empty());
    let first = revision(&page, 1);
    assert_eq!(within(&first, ".by"), ["ann"]);
    assert_eq!(within(&first, ".changes-none"), ["First version."]);
    let restore_forms: Vec<&str> = select(&page, "form.restore")
        .iter()
        .filter_map(|f| f.value().attr("action"))
        .collect();
    assert_eq!(
        restore_forms,
        [
            format!("/desk/stories/{}/restore/2", story.id),
            format!("/desk/stories/{}/restore/1", story.id),
        ]
    );
}

#[actix_web::test]
async fn restoring_an_old_revision_saves_its_text_as_a_new_revision() {
    let Newsroom { app, ann, ed } = newsroom().await;
    let story = three_revisions(&app, &ann, &ed);
    let editor = app.login("edna", PASSWORD).await;
    let csrf = editor.csrf(&history_path(&story)).await;

    let response = restore(&editor, &story, 1, &csrf, 3).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&response),
        Some(format!("/desk/stories/{}", story.id))
    );
    let now = app.store.story(story.id).unwrap().unwrap();
    assert_eq!(now.revision, 4);
    assert_eq!(now.content.headline.as_str(), "Talks end");
    assert_eq!(
        now.content.body.as_str(),
        "First paragraph.\n\nSecond paragraph."
    );
    assert_eq!(now.status, story.status);
    assert_eq!(now.author, Some(ann.id));
    assert_eq!(now.last_edited_by, Some(ed.id));
    assert_eq!(app.store.story_revisions(story.id).unwrap().len(), 4);
    let restored = app
        .store
        .audit_log(None, 10)
        .unwrap()
        .into_iter()
        .find(|e| e.action == AuditAction::Restore)
        .expect("the restore is in the audit log");
    assert_eq!(restored.actor_name, "edna");
    assert_eq!(
        restored.detail,
        "Talks end: revision 1 restored as revision 4"
    );
    let (_, page) = editor.get_html(&history_path(&story)).await;
    let fourth = revision(&page, 4);
    assert_eq!(within(&fourth, "dt"), ["Headline", "Body"]);
    assert_eq!(
        within(&fourth, "del"),
        [
            "in Geneva",
            "− A rewritten second paragraph with <b>bold</b> claims."
        ]
    );
}

#[actix_web::test]
async fn a_restore_made_from_an_outdated_history_is_refused_with_a_clear_message() {
    let Newsroom { app, ann, ed } = newsroom().await;
    let story = three_revisions(&app, &ann, &ed);
    let editor = app.login("edna", PASSWORD).await;
    let csrf = editor.csrf(&history_path(&story)).await;

    let response = restore(&editor, &story, 1, &csrf, 2).await;

    assert_eq!(response.status(), StatusCode::CONFLICT);
    let page = Html::parse_document(&response.text().await.unwrap());
    let message = text_of(&page, ".error[role=alert]").unwrap_or_default();
    assert!(
        message.contains("Nothing was restored") && message.contains("now at revision 3"),
        "{message}"
    );
    assert_eq!(app.store.story(story.id).unwrap().unwrap().revision, 3);
}

#[actix_web::test]
async fn a_restore_without_the_csrf_token_is_refused() {
    let Newsroom { app, ann, ed } = newsroom().await;
    let story = three_revisions(&app, &ann, &ed);
    let editor = app.login("edna", PASSWORD).await;

    let response = editor
        .post_form(
            &format!("/desk/stories/{}/restore/1", story.id),
            &[("current", "3")],
        )
        .await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.store.story(story.id).unwrap().unwrap().revision, 3);
}

#[actix_web::test]
async fn a_writer_sees_the_history_of_their_own_story_and_not_of_others() {
    let Newsroom { app, ann, ed } = newsroom().await;
    let own = three_revisions(&app, &ann, &ed);
    let someone_elses = StoryBuilder::new("Not hers")
        .with(|s| s.author = Some(ed.id))
        .save(&app);
    let writer = app.login("ann", PASSWORD).await;

    assert_eq!(
        writer.get(&history_path(&own)).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        writer.get(&history_path(&someone_elses)).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn a_writer_cannot_restore_their_story_once_it_is_published() {
    let Newsroom { app, ann, ed } = newsroom().await;
    let story = three_revisions(&app, &ann, &ed);
    let mut published = story.clone();
    published.publish(OffsetDateTime::now_utc(), Some(ed.initials.clone()));
    let published = app.store.save_story(&published, Some(3)).unwrap();
    let writer = app.login("ann", PASSWORD).await;
    let (status, page) = writer.get_html(&history_path(&story)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(select(&page, "form.restore").is_empty());
    let csrf = writer.csrf(&history_path(&story)).await;

    let response = restore(&writer, &story, 1, &csrf, published.revision).await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.store.story(story.id).unwrap().unwrap().revision,
        published.revision
    );
}

#[actix_web::test]
async fn the_history_of_a_story_that_does_not_exist_is_a_404() {
    let Newsroom { app, .. } = newsroom().await;
    let editor = app.login("edna", PASSWORD).await;
    for path in [
        "/desk/stories/0193a1b2c3d4e5f60718293a4b5c6d7e/history",
        "/desk/stories/not-an-id/history",
    ] {
        assert_eq!(
            editor.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}
