//! Stories in and out of the newsroom: `export` and `import` as ninjs JSON Lines, and the
//! whole database through `backup` and `restore`, with and without a running server.

use crate::helpers::{
    Browser, Engine, ServerProcess, StoryBuilder, TestApp, TestSite, fixture, import_wire,
    newsroom, run, run_with_input,
};
use crate::ninjs::assert_valid_ninjs;
use newsroom::domain::{
    AltText, Caption, Credit, Dateline, LeadPhoto, Source, Standfirst, Status, Story,
};
use serde_json::Value;
use std::path::Path;
use time::{Duration, OffsetDateTime};

const PASSWORD: &str = "correct horse battery";

/// Saves `stories` straight into `site`'s database, as if written over time by the desk.
fn seed(site: &TestSite, stories: Vec<Story>) {
    let store = site.open();
    for story in stories {
        store.save_story(&story, None).expect("save story");
    }
}

fn stories_in(site: &TestSite) -> Vec<Story> {
    let store = site.open();
    let mut out = Vec::new();
    let page = store
        .listing(
            newsroom::storage::Listing::Desk {
                status: None,
                section: None,
            },
            newsroom::domain::PageNumber::FIRST,
            1000,
        )
        .expect("listing");
    for summary in page.items {
        out.push(store.story(summary.id).unwrap().unwrap());
    }
    out
}

fn a_newsroom_worth_of_stories() -> Vec<Story> {
    let now = OffsetDateTime::now_utc();
    vec![
        StoryBuilder::new("Talks end without a breakthrough")
            .section("politics")
            .body("First page.\n\n<!--nextpage-->\n\nSecond *page*.")
            .with(|s| {
                s.content.standfirst =
                    Some(Standfirst::parse("Envoys agree to meet again").unwrap());
                s.content.source = Some(Source::parse("Xinhua").unwrap());
                s.content.dateline =
                    Some(Dateline::parse("GENEVA, July 14 (Xinhua)", s.created_at.date()).unwrap());
                s.content.photo = Some(LeadPhoto {
                    image: None,
                    caption: Caption::parse("The envoy speaks").unwrap(),
                    credit: Some(Credit::parse("Xinhua/Xu Jinquan").unwrap()),
                    alt: Some(AltText::parse("A man at a lectern").unwrap()),
                });
            })
            .published_at(now - Duration::hours(3))
            .into_story(),
        StoryBuilder::new("Tom & Jerry <script>alert(1)</script> ]]>")
            .body("Text with `<b>markup</b>`, *stars* & ]]>.")
            .published_at(now - Duration::hours(2))
            .into_story(),
        StoryBuilder::new("Markets rally")
            .section("business")
            .with(|s| s.content.bylines = newsroom::domain::Bylines::parse("Ann; Bo").unwrap())
            .published_at(now - Duration::hours(1))
            .into_story(),
        StoryBuilder::new("Still a draft").into_story(),
        StoryBuilder::new("Taken down")
            .published_at(now - Duration::hours(4))
            .status(Status::Unpublished)
            .into_story(),
    ]
}

fn export(site: &TestSite, file: &Path) -> String {
    let finished = run({
        let mut c = newsroom(site);
        c.args(["export", "--format", "ninjs"]).arg(file);
        c
    });
    assert!(
        finished.status.success(),
        "export failed: {}",
        finished.stderr
    );
    std::fs::read_to_string(file).expect("exported file")
}

fn import(site: &TestSite, file: &Path) -> crate::helpers::Finished {
    let mut c = newsroom(site);
    c.args(["import", "--format", "ninjs"]).arg(file);
    run(c)
}

fn headline_of(line: &str) -> String {
    let doc: Value = serde_json::from_str(line).expect("a JSON line");
    doc["headlines"][0]["value"].as_str().unwrap().to_owned()
}

#[test]
fn export_import_into_an_empty_site_and_export_again_gives_the_same_bytes() {
    let (first, second) = (TestSite::new(), TestSite::new());
    let dir = first.path();
    seed(&first, a_newsroom_worth_of_stories());

    let exported = export(&first, &dir.join("one.jsonl"));
    let imported = import(&second, &dir.join("one.jsonl"));
    let again = export(&second, &dir.join("two.jsonl"));

    assert!(imported.status.success(), "{}", imported.stderr);
    assert!(imported.stdout.contains("3 new"), "{}", imported.stdout);
    assert_eq!(again, exported);
    let headlines: Vec<String> = exported.lines().map(headline_of).collect();
    assert_eq!(
        headlines,
        [
            "Markets rally",
            "Tom & Jerry <script>alert(1)</script> ]]>",
            "Talks end without a breakthrough"
        ],
        "published stories only, newest first"
    );
    for line in exported.lines() {
        assert_valid_ninjs(&serde_json::from_str(line).unwrap());
    }
}

#[test]
fn export_without_a_file_writes_to_standard_output() {
    let site = TestSite::new();
    let dir = site.path();
    seed(&site, a_newsroom_worth_of_stories());
    let to_file = export(&site, &dir.join("out.jsonl"));

    let finished = run({
        let mut c = newsroom(&site);
        c.args(["export", "--format", "ninjs"]);
        c
    });

    assert!(finished.status.success(), "{}", finished.stderr);
    assert_eq!(finished.stdout, to_file);
}

#[test]
fn importing_twice_creates_nothing_new_and_only_a_newer_version_updates() {
    let (source, target) = (TestSite::new(), TestSite::new());
    let dir = source.path();
    seed(&source, a_newsroom_worth_of_stories()[2..3].to_vec());
    let line = export(&source, &dir.join("one.jsonl"));
    let file = dir.join("one.jsonl");

    assert!(import(&target, &file).status.success());
    let twice = import(&target, &file);
    assert!(
        twice.stdout.contains("0 new, 0 updated, 1 unchanged"),
        "{}",
        twice.stdout
    );
    assert_eq!(stories_in(&target).len(), 1);

    let mut doc: Value = serde_json::from_str(line.trim()).unwrap();
    doc["headlines"][0]["value"] = "Markets rally, then slip".into();
    let version: u64 = doc["version"].as_str().unwrap().parse().unwrap();
    doc["version"] = (version + 1).to_string().into();
    let newer = dir.join("newer.jsonl");
    std::fs::write(&newer, format!("{doc}\n")).unwrap();
    let updated = import(&target, &newer);
    assert!(updated.stdout.contains("1 updated"), "{}", updated.stdout);

    doc["headlines"][0]["value"] = "An older copy".into();
    doc["version"] = version.to_string().into();
    std::fs::write(&newer, format!("{doc}\n")).unwrap();
    let older = import(&target, &newer);
    assert!(older.stdout.contains("1 unchanged"), "{}", older.stdout);

    let stories = stories_in(&target);
    assert_eq!(stories.len(), 1);
    // A newer version of a published story never goes live by itself: it waits as the
    // story's pending changes for an editor.
    assert_eq!(stories[0].content.headline.as_str(), "Markets rally");
    assert_eq!(
        stories[0]
            .pending
            .as_ref()
            .unwrap()
            .content
            .headline
            .as_str(),
        "Markets rally, then slip"
    );
    assert_eq!(stories[0].revision, version + 1);
}

#[test]
fn a_bad_line_is_named_and_the_lines_around_it_are_imported() {
    let (source, target) = (TestSite::new(), TestSite::new());
    let dir = source.path();
    seed(&source, a_newsroom_worth_of_stories());
    let exported = export(&source, &dir.join("all.jsonl"));
    let lines: Vec<&str> = exported.lines().collect();
    // Same slugline as the first line under another URI: another story, whose slug is taken,
    // so it gets a numbered one and the import says so.
    let mut clash: Value = serde_json::from_str(lines[0]).unwrap();
    clash["uri"] = "https://elsewhere.example/items/1".into();
    let file = dir.join("mixed.jsonl");
    std::fs::write(
        &file,
        [
            lines[0].to_owned(),
            "{not json".to_owned(),
            r#"{"uri": "https://elsewhere.example/items/2", "bodies": [{"value": "x"}]}"#
                .to_owned(),
            clash.to_string(),
            lines[2].to_owned(),
        ]
        .join("\n"),
    )
    .unwrap();

    let finished = import(&target, &file);

    assert!(!finished.status.success());
    for (line, why) in [
        (2, "not a ninjs document"),
        (3, "headline"),
        (4, "is taken by another story; saved as"),
    ] {
        assert!(
            finished
                .stderr
                .lines()
                .any(|l| l.contains(&format!("line {line}:")) && l.contains(why)),
            "line {line} not reported as {why:?}:\n{}",
            finished.stderr
        );
    }
    assert!(
        finished
            .stderr
            .contains("3 new, 0 updated, 0 unchanged, 2 failed"),
        "{}",
        finished.stderr
    );
    let mut headlines: Vec<String> = stories_in(&target)
        .iter()
        .map(|s| s.content.headline.to_string())
        .collect();
    headlines.sort();
    let mut expected = vec![
        "Markets rally".to_owned(),
        "Talks end without a breakthrough".to_owned(),
        headline_of(lines[0]),
    ];
    expected.sort();
    assert_eq!(headlines, expected);
}

#[actix_web::test]
async fn iptc_example_documents_import_as_published_stories() {
    let site = TestSite::new();
    let dir = site.path();
    let lines: Vec<String> = [
        "004_simple_text_article.json",
        "005_complex_text_article.json",
    ]
    .iter()
    .map(|name| {
        let text = std::fs::read_to_string(fixture(&format!("ninjs/{name}"))).unwrap();
        serde_json::from_str::<Value>(&text).unwrap().to_string()
    })
    .collect();
    let file = dir.join("iptc.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();

    let finished = import(&site, &file);
    assert!(finished.status.success(), "{}", finished.stderr);
    assert!(finished.stdout.contains("2 new"), "{}", finished.stdout);

    let app = TestApp::spawn_in(site, |_| {}).await;
    let list: Value = app.get("/api/v1/stories").await.json().await.unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for item in items {
        assert_valid_ninjs(item);
        assert_eq!(
            item["headlines"][0]["value"],
            "Captain of wrecked cruise ship on trial in Italy"
        );
        assert_eq!(item["by"], "Paulo Santalucia and Frances d'Emilio");
        assert_eq!(item["versioncreated"], "2013-07-09T10:37:00Z");
    }
    let body = items[0]["bodies"][0]["value"].as_str().unwrap();
    assert!(body.starts_with("<p>GROSSETO, Italy (AP)"), "{body}");
    assert!(body.contains("</p>\n<p>The sole defendant"), "{body}");
}

fn add_admin(site: &TestSite) {
    let mut c = newsroom(site);
    c.args(["user", "add", "alice", "--role", "admin"]);
    let finished = run_with_input(c, &format!("{PASSWORD}\n"));
    assert!(finished.status.success(), "{}", finished.stderr);
}

fn command(site: &TestSite, args: &[&str], dir: &Path) -> crate::helpers::Finished {
    let mut c = newsroom(site);
    c.args(args).arg(dir);
    run(c)
}

#[actix_web::test]
async fn a_backup_taken_while_serving_restores_the_same_site_and_accounts() {
    let site = TestSite::new();
    let dir = site.path();
    let backup_dir = dir.join("backup");
    add_admin(&site);
    seed(&site, a_newsroom_worth_of_stories());
    assert!(
        import_wire(&site, &[&fixture("wire-story-syria-talks.txt")])
            .status
            .success()
    );
    let mut server = ServerProcess::start(&site, dir.join("server.log")).await;
    let before: Value = server.get("/api/v1/stories").await.json().await.unwrap();

    // Logins write sessions and audit events while the backup runs.
    let address = server.address.clone();
    let writer = actix_web::rt::spawn(async move {
        for _ in 0..5 {
            let browser = Browser::new(&address);
            browser.try_login("alice", PASSWORD).await;
            browser.try_login("alice", "wrong password here").await;
        }
    });
    let backup = {
        let mut backup = newsroom(&site);
        backup.arg("backup").arg(&backup_dir);
        actix_web::rt::task::spawn_blocking(move || run(backup))
            .await
            .unwrap()
    };
    writer.await.unwrap();
    assert!(backup.status.success(), "backup failed: {}", backup.stderr);

    // sled allows one process at a time in its directory; a database server has no such rule.
    if site.engine() == Engine::Sled {
        let refused = command(&site, &["restore"], &backup_dir);
        assert!(!refused.status.success());
        assert!(
            refused.stderr.contains("in use by a running server"),
            "{}",
            refused.stderr
        );
    }
    server.stop().await;

    let fresh = TestSite::new();
    let restored = command(&fresh, &["restore"], &backup_dir);
    assert!(
        restored.status.success(),
        "restore failed: {}",
        restored.stderr
    );
    let again = command(&fresh, &["restore"], &backup_dir);
    assert!(!again.status.success());
    assert!(again.stderr.contains("--force"), "{}", again.stderr);
    let forced = command(&fresh, &["restore", "--force"], &backup_dir);
    // sled replaces its data directory whole; a PostgreSQL database is emptied by whoever
    // owns it, never by the restore, which refuses and says so.
    match fresh.engine() {
        Engine::Sled => assert!(forced.status.success(), "{}", forced.stderr),
        Engine::Postgres => {
            assert!(!forced.status.success());
            assert!(
                forced.stderr.contains("an empty PostgreSQL database"),
                "{}",
                forced.stderr
            );
        }
    }

    // The same public address as the server that was backed up, so the documents compare.
    let served_at = server.address.clone();
    let app = TestApp::spawn_in(fresh, move |s| s.base_url = served_at).await;
    let after: Value = app.get("/api/v1/stories").await.json().await.unwrap();
    assert_eq!(after, before);
    assert_eq!(after["items"].as_array().unwrap().len(), 4);
    let browser = app.login("alice", PASSWORD).await;
    assert_eq!(browser.get("/desk").await.status(), reqwest::StatusCode::OK);
}

#[test]
fn a_backup_without_a_server_and_a_refused_restore_from_nothing() {
    let site = TestSite::new();
    let dir = site.path();
    seed(&site, a_newsroom_worth_of_stories());

    let backup = command(&site, &["backup"], &dir.join("b"));
    assert!(backup.status.success(), "{}", backup.stderr);
    let twice = command(&site, &["backup"], &dir.join("b"));
    assert!(!twice.status.success());
    assert!(
        twice.stderr.contains("already holds a backup"),
        "{}",
        twice.stderr
    );
    let new = TestSite::new();
    let nothing = command(&new, &["restore"], &dir.join("empty"));
    assert!(!nothing.status.success());
    assert!(
        nothing.stderr.contains("holds no newsroom backup"),
        "{}",
        nothing.stderr
    );

    let restored = command(&new, &["restore"], &dir.join("b"));
    assert!(restored.status.success(), "{}", restored.stderr);
    assert_eq!(stories_in(&new).len(), 5);
}

/// A published story's document as exported from another site, with its `uri` replaced.
/// Incoming HTML read as a browser reads it: every named entity, script content that is not
/// copy, and a `>` inside an attribute that does not end the tag.
#[actix_web::test]
async fn incoming_html_is_read_as_a_browser_reads_it() {
    let site = TestSite::new();
    let text = std::fs::read_to_string(fixture("ninjs/004_simple_text_article.json")).unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    doc["headlines"][0] = serde_json::json!({
        "role": "main",
        "contenttype": "text/html",
        "value": "Captain&rsquo;s trial opens &mdash; at last",
    });
    doc["bodies"] = serde_json::json!([{
        "role": "richtext",
        "contenttype": "text/html",
        "value": "<p>The captain&rsquo;s lawyers &mdash; three of them &mdash; spoke.</p>\
                  <script>document.write('<p>injected copy</p>')</script>\
                  <p><a href=\"/x\" title=\"a > b\">The court</a> sat at nine.</p>",
    }]);
    let file = site.path().join("html.jsonl");
    std::fs::write(&file, format!("{doc}\n")).unwrap();

    let finished = import(&site, &file);
    assert!(finished.status.success(), "{}", finished.stderr);

    let story = stories_in(&site).remove(0);
    assert_eq!(
        story.content.headline.as_str(),
        "Captain\u{2019}s trial opens \u{2014} at last"
    );
    let body = story.content.body.as_str();
    assert!(
        body.contains("The captain\u{2019}s lawyers \u{2014} three of them \u{2014} spoke."),
        "{body}"
    );
    assert!(
        !body.contains("injected") && !body.contains("document.write"),
        "{body}"
    );
    assert!(body.contains("The court sat at nine."), "{body}");
    assert!(!body.contains("b\"") && !body.contains("rsquo"), "{body}");
}

fn document_claiming(uri: &str, dir: &Path) -> std::path::PathBuf {
    let source = TestSite::new();
    seed(&source, a_newsroom_worth_of_stories()[2..3].to_vec());
    let line = export(&source, &dir.join("theirs.jsonl"));
    let mut doc: Value = serde_json::from_str(line.trim()).unwrap();
    doc["uri"] = uri.into();
    doc["version"] = "99".into();
    doc["headlines"][0]["value"] = "Hijacked".into();
    let file = dir.join("claiming.jsonl");
    std::fs::write(&file, format!("{doc}\n")).unwrap();
    file
}

#[test]
fn a_document_from_another_site_never_overwrites_one_of_our_stories() {
    let ours = TestSite::new();
    let dir = ours.path();
    let draft = StoryBuilder::new("A private draft").into_story();
    seed(&ours, vec![draft.clone()]);
    let before = stories_in(&ours).remove(0);
    let file = document_claiming(
        &format!("https://elsewhere.example/api/v1/stories/{}", draft.id),
        dir,
    );

    let finished = import(&ours, &file);

    assert!(finished.stdout.contains("1 new"), "{}", finished.stdout);
    let stories = stories_in(&ours);
    let kept = stories
        .iter()
        .find(|s| s.id == draft.id)
        .expect("draft kept");
    assert_eq!(kept, &before, "the draft was changed");
    assert_eq!(kept.status, Status::Draft);
    let theirs = stories
        .iter()
        .find(|s| s.id != draft.id)
        .expect("new story");
    assert_eq!(theirs.content.headline.as_str(), "Hijacked");
}

#[test]
fn a_document_with_this_sites_own_uri_updates_that_story() {
    let ours = TestSite::new();
    let dir = ours.path();
    let story = StoryBuilder::new("Our story").into_story();
    seed(&ours, vec![story.clone()]);
    let file = document_claiming(
        &format!("https://news.example/api/v1/stories/{}", story.id),
        dir,
    );

    let finished = run({
        let mut c = newsroom(&ours);
        c.args(["import", "--base-url", "https://news.example/"])
            .arg(&file);
        c
    });

    assert!(finished.stdout.contains("1 updated"), "{}", finished.stdout);
    let stories = stories_in(&ours);
    assert_eq!(stories.len(), 1);
    assert_eq!(stories[0].id, story.id);
    // As its pending changes: an import never changes a stored story's status or live text.
    assert_eq!(stories[0].status, story.status);
    assert_eq!(
        stories[0]
            .pending
            .as_ref()
            .unwrap()
            .content
            .headline
            .as_str(),
        "Hijacked"
    );
}

#[test]
fn a_backup_moves_a_site_from_sled_to_postgresql_and_back() {
    if !crate::helpers::runs_once("a_backup_moves_a_site_between_engines") {
        return;
    }
    let sled = TestSite::on(Engine::Sled);
    seed(&sled, a_newsroom_worth_of_stories());
    let before = export(&sled, &sled.path().join("before.jsonl"));
    let backup = |site: &TestSite, dir: &Path| {
        let mut c = newsroom(site);
        c.arg("backup").arg(dir);
        let done = run(c);
        assert!(done.status.success(), "backup: {}", done.stderr);
    };
    let restore = |site: &TestSite, dir: &Path| {
        let mut c = newsroom(site);
        c.arg("restore").arg(dir);
        let done = run(c);
        assert!(done.status.success(), "restore: {}", done.stderr);
    };

    let postgres = TestSite::on(Engine::Postgres);
    backup(&sled, &sled.path().join("to-postgres"));
    restore(&postgres, &sled.path().join("to-postgres"));
    let moved = export(&postgres, &sled.path().join("moved.jsonl"));
    let back = TestSite::on(Engine::Sled);
    backup(&postgres, &sled.path().join("to-sled"));
    restore(&back, &sled.path().join("to-sled"));
    let returned = export(&back, &sled.path().join("returned.jsonl"));

    assert_eq!(before.lines().count(), 3);
    assert_eq!(moved, before, "the same stories on PostgreSQL");
    assert_eq!(returned, before, "and on sled again");
}
