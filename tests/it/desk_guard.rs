//! Every desk route about a stored story answers only whoever may edit it: a writer is refused a
//! colleague's story on each of them and shown nothing of it, and an unknown or malformed id is
//! the 404 page.

use crate::helpers::{Browser, StoryBuilder, TestApp, assert_is_not_found_page};
use newsroom::domain::{Body, Role, Story, UserId};
use reqwest::StatusCode;
use reqwest::multipart::Form;

const PASSWORD: &str = "correct horse battery";
const HEADLINE: &str = "Talks resume in Geneva";

struct Newsroom {
    app: TestApp,
    editor: Browser,
    /// The story's writer.
    li: Browser,
    /// A colleague of hers.
    ann: Browser,
    ann_id: UserId,
    story: Story,
}

/// Li's draft, saved twice so that its history has a revision to restore.
async fn newsroom() -> Newsroom {
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let li = app.create_user("li.wei", Role::Writer, PASSWORD);
    let ann_id = app.create_user("ann.ho", Role::Writer, PASSWORD).id;
    let first = StoryBuilder::new(HEADLINE)
        .with(|s| s.author = Some(li.id))
        .save(&app);
    let mut second = first.clone();
    second.content.body = Body::parse("Both sides will meet again.").expect("body");
    let story = app
        .store
        .save_story(&second, Some(first.revision))
        .expect("second revision");
    Newsroom {
        editor: app.login("zhang.dan", PASSWORD).await,
        li: app.login("li.wei", PASSWORD).await,
        ann: app.login("ann.ho", PASSWORD).await,
        ann_id,
        app,
        story,
    }
}

/// Each route about story `id`, asked as `browser` with its session's token, as a person's
/// browser would send it.
async fn every_route(
    browser: &Browser,
    id: &str,
    revision: u64,
) -> Vec<(String, reqwest::Response)> {
    let csrf = browser.csrf("/desk").await;
    let revision = revision.to_string();
    let story = format!("/desk/stories/{id}");
    let mut answers = Vec::new();
    for path in [
        story.clone(),
        format!("{story}/preview"),
        format!("{story}/restore/1"),
    ] {
        answers.push((format!("GET {path}"), browser.get(&path).await));
    }
    let forms: [(&str, Vec<(&str, &str)>); 8] = [
        (
            "notes",
            vec![("kind", "correction"), ("text", "A fact put right.")],
        ),
        (
            "notes",
            vec![("kind", "not-a-kind"), ("text", "A fact put right.")],
        ),
        ("withdraw", vec![("reason", "Legal advice.")]),
        ("withdraw", vec![("reason", "")]),
        ("reinstate", vec![]),
        ("take", vec![]),
        ("send-back", vec![("note", "Needs a source.")]),
        ("restore/1", vec![("current", &revision)]),
    ];
    for (route, fields) in forms {
        let path = format!("{story}/{route}");
        let mut form = vec![("csrf", csrf.as_str()), ("revision", revision.as_str())];
        form.extend(fields);
        answers.push((
            format!("POST {path}"),
            browser.post_form(&path, &form).await,
        ));
    }
    let form = Form::new()
        .text("csrf", csrf.clone())
        .text("revision", revision.clone())
        .text("action", "save")
        .text("headline", "Changed by someone else")
        .text("section", "world")
        .text("bylines", "Ann Ho")
        .text("body", "Another text.");
    let saved = browser
        .client
        .post(format!("{}{story}", browser.address))
        .multipart(form)
        .send()
        .await
        .expect("request");
    answers.push((format!("POST {story} (the story form)"), saved));
    let autosaved = browser
        .post_form(
            "/desk/autosave",
            &[("csrf", &csrf), ("story", id), ("body", "Another text.")],
        )
        .await;
    answers.push(("POST /desk/autosave".to_owned(), autosaved));
    answers
}

#[actix_web::test]
async fn a_writer_is_refused_a_colleague_s_story_on_every_route_and_shown_nothing_of_it() {
    let room = newsroom().await;

    let answers = every_route(&room.ann, &room.story.id.to_string(), room.story.revision).await;

    for (route, response) in answers {
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{route}");
        let body = response.text().await.expect("body");
        assert!(!body.contains(HEADLINE), "{route} shows the story: {body}");
    }
    let stored = room.app.store.story(room.story.id).unwrap().unwrap();
    assert_eq!(stored, room.story, "nothing changed");
    let autosaved = room.app.store.autosave(room.ann_id, Some(room.story.id));
    assert!(autosaved.unwrap().is_none(), "no copy kept");
}

#[actix_web::test]
async fn the_form_refused_to_a_colleague_is_the_desk_s_page_saying_why() {
    let room = newsroom().await;

    let (status, page) = room
        .ann
        .get_html(&format!("/desk/stories/{}", room.story.id))
        .await;

    assert_eq!(status, StatusCode::FORBIDDEN);
    let reason = crate::helpers::text_of(&page, "[role=alert]").expect("the reason");
    assert!(reason.contains("only editors, and its writer"), "{reason}");
    assert!(!crate::helpers::select(&page, "nav .desk-nav").is_empty());
}

#[actix_web::test]
async fn the_story_s_writer_and_an_editor_pass_where_her_colleague_is_refused() {
    let room = newsroom().await;
    for browser in [&room.li, &room.editor] {
        for path in ["", "/preview", "/history", "/restore/1"] {
            let path = format!("/desk/stories/{}{path}", room.story.id);
            assert_eq!(browser.get(&path).await.status(), StatusCode::OK, "{path}");
        }
    }
}

#[actix_web::test]
async fn an_unknown_or_malformed_story_id_is_the_404_page_on_every_route() {
    let room = newsroom().await;
    for id in ["0193a1b2c3d4e5f60718293a4b5c6d7e", "not-an-id"] {
        for (route, response) in every_route(&room.editor, id, 1).await {
            assert_is_not_found_page(response, &format!("{route} for {id}")).await;
        }
    }
}
