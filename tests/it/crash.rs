//! Acknowledged saves survive the server being killed outright (SIGKILL, as on a power cut or
//! the OOM killer), again and again on the same site directory.

use crate::helpers::{Browser, ServerProcess, TestSite, newsroom, run_with_input};
use crate::story_posts::StoryPost;
use std::collections::BTreeMap;

const PASSWORD: &str = "correct horse battery staple";
const ROUNDS: usize = 20;

#[actix_web::test]
async fn every_acknowledged_save_survives_repeated_kills() {
    let site = TestSite::new();
    let mut add = newsroom(&site);
    add.args(["user", "add", "night.editor", "--role", "editor"]);
    let added = run_with_input(add, &format!("{PASSWORD}\n"));
    assert!(added.status.success(), "user add: {}", added.stderr);

    // Story id -> the (headline, body) of its last acknowledged save.
    let mut acknowledged: BTreeMap<String, (String, String)> = BTreeMap::new();
    for round in 0..ROUNDS {
        let server =
            ServerProcess::start(&site, site.path().join(format!("round-{round}.log"))).await;
        let editor = Browser::new(&server.address);
        editor.try_login("night.editor", PASSWORD).await;
        let csrf = editor.csrf("/desk/stories/new").await;

        // What the previous rounds were told was saved is all there, word for word.
        for (id, (headline, body)) in &acknowledged {
            let (status, page) = editor.get_html(&format!("/desk/stories/{id}")).await;
            assert_eq!(status, 200, "round {round}: story {id} is gone");
            assert_eq!(
                crate::helpers::input_value(&page, "headline").as_deref(),
                Some(headline.as_str()),
                "round {round}: story {id}"
            );
            assert_eq!(
                crate::helpers::text_of(&page, "#body").as_deref(),
                Some(body.as_str()),
                "round {round}: story {id} lost its last saved body"
            );
        }

        // Edit the first story, then write two new ones; the kill follows the last answer.
        if let Some((id, (headline, _))) = acknowledged.iter().next() {
            let (id, headline) = (id.clone(), headline.clone());
            let body = format!("Edited in round {round}.");
            let revision = editor.revision_on_desk(&id).await;
            let post = StoryPost {
                headline: &headline,
                body: &body,
                revision: Some(revision),
            };
            editor
                .save_story(&csrf, Some(&id), &post)
                .await
                .unwrap_or_else(|e| panic!("round {round}: the edit was refused: {e:?}"));
            acknowledged.insert(id, (headline, body));
        }
        for n in 0..2 {
            let headline = format!("Written in round {round}, story {n}");
            let body = format!("Body of round {round}, story {n}.");
            let post = StoryPost {
                headline: &headline,
                body: &body,
                revision: None,
            };
            let saved = editor
                .save_story(&csrf, None, &post)
                .await
                .unwrap_or_else(|e| panic!("round {round}: the save was refused: {e:?}"));
            acknowledged.insert(saved.id, (headline, body));
        }
        // Dropping the server sends SIGKILL: no graceful stop, no final flush.
        drop(server);
    }

    // And the database opens outside the server too, with every save in it.
    let store = site
        .try_open(newsroom::clock::Clock::system())
        .expect("the database opens after the kills");
    assert_eq!(acknowledged.len(), 2 * ROUNDS);
    for (id, (headline, body)) in &acknowledged {
        let story = store
            .story(id.parse().expect("story id"))
            .expect("read")
            .unwrap_or_else(|| panic!("story {id} is gone"));
        assert_eq!(story.content.headline.to_string(), *headline);
        assert_eq!(story.content.body.as_str(), body);
    }
}
