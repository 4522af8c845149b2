//! Incoming copy on the desk: uploaded, dropped in the server's folder or brought by the
//! command line; waiting unseen by readers until an editor takes it (a draft) or spikes it;
//! newer versions replacing waiting copy or waiting as a story's pending changes; and a
//! withdrawal that holds against every import.

use crate::helpers::{
    Browser, Engine, ServerProcess, TestApp, TestSite, fixture, input_value, listed_headlines,
    location, newsroom, run, run_with_input, runs_once, select, text_of,
};
use crate::merging::{form_fields, set, submit};
use newsroom::domain::{AuditAction, CopyState, Role, Status, StoryId};
use newsroom::editorial::incoming::{self, Shelf};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use scraper::Html;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct horse battery";
const WIRE: &str = "wire-story-syria-talks.txt";
const WIRE_HEADLINE: &str = "Latest peace talks on Syria end without major breakthrough";
const NINJS: &str = "ninjs/004_simple_text_article.json";
const NINJS_HEADLINE: &str = "Captain of wrecked cruise ship on trial in Italy";
const NINJS_URI: &str = "http://ninjs.example.com/newsitems/20130709simp123";
/// Wire copy missing its source line: refused, naming the line.
const BAD_WIRE: &str = "A headline alone\n\nNo source line here\n";

fn wire_bytes() -> Vec<u8> {
    std::fs::read(fixture(WIRE)).unwrap()
}

/// The ninjs fixture at `version`, under `headline`, as one line.
fn ninjs_doc(version: u32, headline: &str) -> String {
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture(NINJS)).unwrap()).unwrap();
    doc["version"] = version.to_string().into();
    doc["headlines"][0]["value"] = headline.into();
    doc.to_string()
}

async fn desk() -> (TestApp, Browser) {
    desk_with(|_| {}).await
}

async fn desk_with(
    configure: impl FnOnce(&mut newsroom::settings::Settings),
) -> (TestApp, Browser) {
    let app = TestApp::spawn_with(configure).await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let editor = app.login("zhang.dan", PASSWORD).await;
    (app, editor)
}

/// Sends the desk's upload form with `files` (name, bytes).
async fn upload(editor: &Browser, files: &[(&str, Vec<u8>)]) -> (StatusCode, Html) {
    let csrf = editor.csrf("/desk/incoming").await;
    let mut form = Form::new().text("csrf", csrf);
    for (name, bytes) in files {
        form = form.part(
            "files",
            Part::bytes(bytes.clone()).file_name((*name).to_owned()),
        );
    }
    let response = editor
        .client
        .post(format!("{}/desk/incoming/upload", editor.address))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = response.status();
    (
        status,
        Html::parse_document(&response.text().await.unwrap()),
    )
}

fn texts(page: &Html, selector: &str) -> Vec<String> {
    select(page, selector)
        .iter()
        .map(|e| e.text().collect::<String>().trim().to_owned())
        .collect()
}

/// The headlines of a list page of copy, top to bottom.
async fn listed_copy(editor: &Browser, path: &str) -> Vec<String> {
    let (status, page) = editor.get_html(path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    texts(&page, ".copy-list .copy h2")
}

/// Presses the list's `action` button (take, spike, restore) of the first copy on `path`.
async fn press(editor: &Browser, path: &str, action: &str) -> reqwest::Response {
    let (_, page) = editor.get_html(path).await;
    let key = select(
        &page,
        &format!("form[action='/desk/incoming/{action}'] input[name=key]"),
    )
    .first()
    .and_then(|input| input.value().attr("value"))
    .map(str::to_owned)
    .unwrap_or_else(|| panic!("no {action} button on {path}"));
    let csrf = input_value(&page, "csrf").unwrap();
    editor
        .post_form(
            &format!("/desk/incoming/{action}"),
            &[("csrf", &csrf), ("key", &key)],
        )
        .await
}

/// Everything readers and machines can fetch that lists or finds stories.
async fn public_text(get: impl AsyncFn(&str) -> reqwest::Response) -> String {
    let mut public = String::new();
    for path in [
        "/",
        "/world",
        "/rss.xml",
        "/atom.xml",
        "/feed.json",
        "/api/v1/stories",
        "/sitemap.xml",
    ] {
        public.push_str(&get(path).await.text().await.unwrap());
    }
    // A search page shows the words searched for: only its results count.
    for path in ["/search?q=Syria", "/search?q=Captain"] {
        let page = Html::parse_document(&get(path).await.text().await.unwrap());
        public.push_str(&crate::search::result_headlines(&page).join("\n"));
    }
    public
}

fn audited(app: &TestApp) -> Vec<(AuditAction, String, String)> {
    app.store
        .audit_log(None, 100)
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.actor_name, e.detail))
        .collect()
}

fn story_id_in(location: &str) -> StoryId {
    location
        .trim_start_matches("/desk/stories/")
        .split(['?', '/'])
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[actix_web::test]
async fn uploaded_copy_waits_unseen_until_an_editor_takes_it_as_a_draft_and_publishes_it() {
    let (app, editor) = desk().await;

    let (status, page) = upload(
        &editor,
        &[
            ("syria.txt", wire_bytes()),
            ("bad.txt", BAD_WIRE.as_bytes().to_vec()),
        ],
    )
    .await;

    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused = texts(&page, ".upload-results .refused");
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(
        refused[0].starts_with("bad.txt: refused: line "),
        "{refused:?}"
    );
    let taken = texts(&page, ".upload-results .taken");
    assert_eq!(taken.len(), 1, "{taken:?}");
    assert!(taken[0].contains("in the incoming list"), "{taken:?}");
    assert_eq!(texts(&page, ".copy-list .copy h2"), [WIRE_HEADLINE]);
    let meta = text_of(&page, ".copy-list .copy .meta-line").unwrap();
    assert!(
        meta.contains("Xinhua") && meta.contains("15 July 2017"),
        "{meta}"
    );
    let words = text_of(&page, ".copy-list .first-words").unwrap();
    assert!(words.split_whitespace().count() >= 20, "{words}");
    let public = public_text(async |path| app.get(path).await).await;
    assert!(
        !public.contains("Syria end without"),
        "waiting copy is public"
    );

    let taken = press(&editor, "/desk/incoming", "take").await;
    assert_eq!(taken.status(), StatusCode::SEE_OTHER);
    let id = story_id_in(&location(&taken).unwrap());
    let draft = app.store.story(id).unwrap().expect("the draft");
    assert_eq!(draft.status, Status::Draft);
    assert_eq!(draft.content.headline.as_str(), WIRE_HEADLINE);
    assert_eq!(draft.content.source.as_ref().unwrap().as_str(), "Xinhua");
    assert!(draft.content.dateline.is_some());
    assert!(
        draft.content.photo.is_some(),
        "the photo's caption and credit"
    );
    assert!(listed_copy(&editor, "/desk/incoming").await.is_empty());
    let public = public_text(async |path| app.get(path).await).await;
    assert!(!public.contains("Syria end without"), "a draft is public");

    let path = format!("/desk/stories/{id}");
    let (_, form) = editor.get_html(&path).await;
    let mut fields = form_fields(&form, "form.story-form");
    set(
        &mut fields,
        "headline",
        "Syria talks end without a breakthrough",
    );
    let published = submit(&editor, &path, &fields, "publish").await;
    assert_eq!(published.status(), StatusCode::SEE_OTHER);
    let (_, front) = app.get_html("/").await;
    assert_eq!(
        listed_headlines(&front),
        ["Syria talks end without a breakthrough"]
    );

    let actions: Vec<AuditAction> = audited(&app).into_iter().map(|(a, _, _)| a).collect();
    assert!(actions.contains(&AuditAction::CopyIn), "{actions:?}");
    assert!(actions.contains(&AuditAction::CopyTaken), "{actions:?}");
}

#[actix_web::test]
async fn spiked_copy_leaves_the_list_and_is_restored_from_the_spiked_view() {
    let (app, editor) = desk().await;
    let (status, _) = upload(&editor, &[("syria.txt", wire_bytes())]).await;
    assert_eq!(status, StatusCode::OK);

    let spiked = press(&editor, "/desk/incoming", "spike").await;
    assert_eq!(spiked.status(), StatusCode::SEE_OTHER);
    assert!(listed_copy(&editor, "/desk/incoming").await.is_empty());
    assert_eq!(
        listed_copy(&editor, "/desk/incoming/spiked").await,
        [WIRE_HEADLINE]
    );
    let public = public_text(async |path| app.get(path).await).await;
    assert!(
        !public.contains("Syria end without"),
        "spiked copy is public"
    );

    let restored = press(&editor, "/desk/incoming/spiked", "restore").await;
    assert_eq!(restored.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        listed_copy(&editor, "/desk/incoming").await,
        [WIRE_HEADLINE]
    );
    assert!(
        listed_copy(&editor, "/desk/incoming/spiked")
            .await
            .is_empty()
    );
    let actions: Vec<AuditAction> = audited(&app).into_iter().map(|(a, _, _)| a).collect();
    assert!(actions.contains(&AuditAction::CopySpiked), "{actions:?}");
    assert!(actions.contains(&AuditAction::CopyRestored), "{actions:?}");
}

#[actix_web::test]
async fn the_list_is_newest_first_a_page_at_a_time() {
    let (_app, editor) = desk().await;
    let files: Vec<(String, Vec<u8>)> = (1..=32)
        .map(|n| {
            let mut doc: Value =
                serde_json::from_str(&ninjs_doc(1, &format!("Story {n}"))).unwrap();
            doc["uri"] = format!("http://agency.example/items/{n}").into();
            (format!("{n}.json"), doc.to_string().into_bytes())
        })
        .collect();
    // Two uploads, at most twenty files each.
    for chunk in files.chunks(16) {
        let refs: Vec<(&str, Vec<u8>)> =
            chunk.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
        let (status, _) = upload(&editor, &refs).await;
        assert_eq!(status, StatusCode::OK);
    }

    let (_, first) = editor.get_html("/desk/incoming").await;
    let headlines = texts(&first, ".copy-list .copy h2");
    assert_eq!(headlines.len(), 30);
    assert_eq!(headlines[0], "Story 32", "the newest first");
    let older = select(&first, ".pager a[rel=next]")[0]
        .value()
        .attr("href")
        .unwrap()
        .to_owned();
    assert_eq!(listed_copy(&editor, &older).await, ["Story 2", "Story 1"]);
    assert_eq!(
        editor.get("/desk/incoming?after=nonsense").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn a_newer_version_replaces_waiting_copy_and_waits_as_pending_changes_of_a_published_story() {
    let (app, editor) = desk().await;
    upload(
        &editor,
        &[("v1.json", ninjs_doc(1, "Trial opens").into_bytes())],
    )
    .await;
    let (_, page) = upload(
        &editor,
        &[(
            "v2.json",
            ninjs_doc(2, "Trial opens in Grosseto").into_bytes(),
        )],
    )
    .await;
    assert!(
        texts(&page, ".upload-results .taken")[0].contains("replacing the copy waiting"),
        "{:?}",
        texts(&page, ".upload-results .taken")
    );
    let (_, page) = upload(
        &editor,
        &[("v1.json", ninjs_doc(1, "Trial opens").into_bytes())],
    )
    .await;
    assert!(texts(&page, ".upload-results .taken")[0].contains("nothing changed"));
    assert_eq!(
        listed_copy(&editor, "/desk/incoming").await,
        ["Trial opens in Grosseto"]
    );

    let taken = press(&editor, "/desk/incoming", "take").await;
    let id = story_id_in(&location(&taken).unwrap());
    let path = format!("/desk/stories/{id}");
    let (_, form) = editor.get_html(&path).await;
    let fields = form_fields(&form, "form.story-form");
    assert_eq!(
        submit(&editor, &path, &fields, "publish").await.status(),
        StatusCode::SEE_OTHER
    );

    let (_, page) = upload(
        &editor,
        &[("v3.json", ninjs_doc(3, "Trial adjourned").into_bytes())],
    )
    .await;
    assert!(
        texts(&page, ".upload-results .taken")[0].contains("pending changes"),
        "{:?}",
        texts(&page, ".upload-results .taken")
    );
    let story = app.store.story(id).unwrap().unwrap();
    assert_eq!(story.status, Status::Published);
    assert_eq!(story.content.headline.as_str(), "Trial opens in Grosseto");
    assert_eq!(
        story.pending.as_ref().unwrap().content.headline.as_str(),
        "Trial adjourned"
    );
    let (_, front) = app.get_html("/").await;
    assert_eq!(listed_headlines(&front), ["Trial opens in Grosseto"]);
    assert!(listed_copy(&editor, "/desk/incoming").await.is_empty());
}

#[actix_web::test]
async fn an_upload_over_the_limits_is_refused_with_its_reason() {
    let (_app, editor) = desk().await;
    let big = vec![b'a'; (4 << 20) + 10];
    let (status, page) = upload(&editor, &[("big.txt", big), ("syria.txt", wire_bytes())]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused = texts(&page, ".upload-results .refused");
    assert!(
        refused[0].contains("big.txt") && refused[0].contains("KiB"),
        "{refused:?}"
    );
    assert_eq!(texts(&page, ".copy-list .copy h2"), [WIRE_HEADLINE]);

    let (status, page) = upload(&editor, &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text_of(&page, "#upload-error").is_some());

    let forged = Form::new()
        .text("csrf", "forged")
        .part("files", Part::bytes(wire_bytes()).file_name("syria.txt"));
    let response = editor
        .client
        .post(format!("{}/desk/incoming/upload", editor.address))
        .multipart(forged)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

// --- The drop folder ---------------------------------------------------------------------------

/// Writes `name` into `dir` as a writer should: `.name` first, then renamed.
fn drop_file(dir: &Path, name: &str, bytes: &[u8]) {
    let hidden = dir.join(format!(".{name}"));
    std::fs::write(&hidden, bytes).unwrap();
    std::fs::rename(&hidden, dir.join(name)).unwrap();
}

/// Waits (up to 30 s) until every path exists.
async fn wait_for(paths: &[PathBuf]) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !paths.iter().all(|p| p.exists()) {
        assert!(Instant::now() < deadline, "not all of {paths:?} appeared");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

#[actix_web::test]
async fn the_drop_folder_takes_good_files_in_and_fails_bad_ones_with_the_reason() {
    let drop = tempfile::tempdir().unwrap();
    let dir = drop.path().to_owned();
    let (app, editor) = desk_with(|s| s.ingest_dir = Some(dir.clone())).await;
    std::fs::write(dir.join(".still-writing.txt"), wire_bytes()).unwrap();

    drop_file(&dir, "syria.txt", &wire_bytes());
    drop_file(&dir, "bad.txt", BAD_WIRE.as_bytes());
    drop_file(
        &dir,
        "captain.json",
        ninjs_doc(1, NINJS_HEADLINE).as_bytes(),
    );

    wait_for(&[
        dir.join("done/syria.txt"),
        dir.join("done/captain.json"),
        dir.join("failed/bad.txt.reason.txt"),
    ])
    .await;
    assert!(dir.join("failed/bad.txt").is_file());
    let reason = std::fs::read_to_string(dir.join("failed/bad.txt.reason.txt")).unwrap();
    assert!(reason.starts_with("line "), "{reason}");
    assert!(
        dir.join(".still-writing.txt").is_file(),
        "a dotfile is left alone"
    );
    let mut listed = listed_copy(&editor, "/desk/incoming").await;
    listed.sort();
    assert_eq!(listed, [NINJS_HEADLINE, WIRE_HEADLINE]);
    assert!(
        audited(&app)
            .iter()
            .any(|(a, who, _)| *a == AuditAction::CopyIn && who == "drop folder")
    );
    let public = public_text(async |path| app.get(path).await).await;
    assert!(!public.contains("Syria end without") && !public.contains("Captain of"));
}

#[actix_web::test]
async fn two_servers_sharing_a_drop_folder_take_each_file_once() {
    if !runs_once("two_servers_sharing_a_drop_folder_take_each_file_once") {
        return;
    }
    let site = TestSite::on(Engine::Postgres);
    let dir = site.path().join("drop");
    std::fs::create_dir(&dir).unwrap();
    let args = ["--ingest-dir", dir.to_str().unwrap()];
    let a = ServerProcess::start_with(&site, site.path().join("a.log"), &args).await;
    let b = ServerProcess::start_with(&site, site.path().join("b.log"), &args).await;
    const FILES: usize = 24;

    let mut expected = Vec::new();
    for n in 0..FILES {
        let mut doc: Value = serde_json::from_str(&ninjs_doc(1, &format!("Story {n}"))).unwrap();
        doc["uri"] = format!("http://agency.example/items/{n}").into();
        drop_file(&dir, &format!("{n:02}.json"), doc.to_string().as_bytes());
        expected.push(dir.join(format!("done/{n:02}.json")));
    }
    wait_for(&expected).await;

    let done = std::fs::read_dir(dir.join("done")).unwrap().count();
    assert_eq!(done, FILES, "each file moved once, none twice");
    assert_eq!(std::fs::read_dir(dir.join("failed")).unwrap().count(), 0);
    let took = |log: String| log.matches("took in dropped copy").count();
    assert_eq!(
        took(a.log()) + took(b.log()),
        FILES,
        "each file taken by one server"
    );
    let store = site.open();
    let waiting = incoming::list(&*store, Shelf::Waiting, None, 100).unwrap();
    assert_eq!(waiting.len(), FILES);
    let copy_in = store
        .audit_log(None, 200)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == AuditAction::CopyIn)
        .count();
    assert_eq!(copy_in, FILES);
}

// --- The command line --------------------------------------------------------------------------

fn add_editor(site: &TestSite) {
    let mut add = newsroom(site);
    add.args(["user", "add", "zhang.dan", "--role", "editor"]);
    let added = run_with_input(add, &format!("{PASSWORD}\n"));
    assert!(added.status.success(), "{}", added.stderr);
}

#[actix_web::test]
async fn import_wire_and_import_with_incoming_put_the_copy_in_the_list_while_serving() {
    let site = TestSite::new();
    add_editor(&site);
    let server = ServerProcess::start(&site, site.path().join("serve.log")).await;
    let ninjs = site.path().join("in.jsonl");
    std::fs::write(&ninjs, format!("{}\n", ninjs_doc(1, NINJS_HEADLINE))).unwrap();

    let wire = run({
        let mut c = newsroom(&site);
        c.args(["import-wire", "--incoming"]).arg(fixture(WIRE));
        c
    });
    let doc = run({
        let mut c = newsroom(&site);
        c.args(["import", "--incoming"]).arg(&ninjs);
        c
    });

    assert!(wire.status.success(), "{}", wire.stderr);
    assert!(
        wire.stdout.contains("in the incoming list"),
        "{}",
        wire.stdout
    );
    assert!(doc.status.success(), "{}", doc.stderr);
    assert!(doc.stdout.contains("incoming: 1 new"), "{}", doc.stdout);
    let editor = Browser::new(&server.address);
    assert_eq!(
        editor.try_login("zhang.dan", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        listed_copy(&editor, "/desk/incoming").await,
        [NINJS_HEADLINE, WIRE_HEADLINE]
    );
    let public = public_text(async |path| server.get(path).await).await;
    assert!(!public.contains("Syria end without") && !public.contains("Captain of"));
}

#[actix_web::test]
async fn a_withdrawn_story_stays_gone_when_a_newer_ninjs_version_is_imported_while_serving() {
    let site = TestSite::new();
    add_editor(&site);
    let server = ServerProcess::start(&site, site.path().join("serve.log")).await;
    let import = |version: u32, headline: &str| {
        let file = site.path().join(format!("v{version}.jsonl"));
        std::fs::write(&file, format!("{}\n", ninjs_doc(version, headline))).unwrap();
        let mut c = newsroom(&site);
        c.arg("import").arg(&file);
        run(c)
    };
    let first = import(1, NINJS_HEADLINE);
    assert!(first.status.success(), "{}", first.stderr);
    let id = newsroom::ninjs::story_id(NINJS_URI, "http://127.0.0.1:8080");
    let front = Html::parse_document(&server.get("/").await.text().await.unwrap());
    let article = select(&front, ".story-list h2 a")[0]
        .value()
        .attr("href")
        .unwrap()
        .to_owned();
    assert_eq!(server.get(&article).await.status(), StatusCode::OK);
    let editor = Browser::new(&server.address);
    editor.try_login("zhang.dan", PASSWORD).await;
    let csrf = editor.csrf(&format!("/desk/stories/{id}")).await;
    let withdrawn = editor
        .post_form(
            &format!("/desk/stories/{id}/withdraw"),
            &[
                ("csrf", &csrf),
                ("reason", "Legal advice"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(withdrawn.status(), StatusCode::SEE_OTHER);
    assert_eq!(server.get(&article).await.status(), StatusCode::GONE);

    // Newer than the story's own revision (the import made 1, the withdrawal 2): before
    // withdrawals held, this version replaced the story and put it back on every page.
    let newer = import(3, "Captain's trial opens, then adjourns");

    assert!(newer.status.success(), "{}", newer.stderr);
    assert!(newer.stdout.contains("1 updated"), "{}", newer.stdout);
    assert_eq!(server.get(&article).await.status(), StatusCode::GONE);
    let public = public_text(async |path| server.get(path).await).await;
    assert!(
        !public.contains("Captain") && !public.contains(&id.to_string()),
        "a withdrawn story is listed again"
    );
    // The version waits on the desk, for an administrator who reinstates the story.
    let (_, desk) = editor.get_html(&format!("/desk/stories/{id}")).await;
    assert!(desk.html().contains("Withdrawn"));
    assert!(desk.html().contains("then adjourns"));
}

#[actix_web::test]
async fn a_newer_wire_version_of_a_published_story_waits_as_its_pending_changes() {
    let site = TestSite::new();
    let first = run({
        let mut c = newsroom(&site);
        c.arg("import-wire").arg(fixture(WIRE));
        c
    });
    assert!(first.status.success(), "{}", first.stderr);
    let newer = site.path().join("newer.txt");
    let text = std::fs::read_to_string(fixture(WIRE))
        .unwrap()
        .replace("2017-07-15 07:11:57", "2017-07-15 09:00:00")
        .replace(
            "GENEVA, July 14 (Xinhua) --",
            "GENEVA, July 14 (Xinhua) -- UPDATED:",
        );
    std::fs::write(&newer, text).unwrap();

    let second = run({
        let mut c = newsroom(&site);
        c.args(["import-wire", "--incoming"]).arg(&newer);
        c
    });

    assert!(second.status.success(), "{}", second.stderr);
    assert!(
        second.stdout.contains("pending changes"),
        "{}",
        second.stdout
    );
    let store = site.open();
    let stories = store
        .listing_after(newsroom::storage::Listing::Published, None, 10)
        .unwrap();
    assert_eq!(stories.len(), 1);
    let story = store.story(stories[0].id).unwrap().unwrap();
    assert!(!story.content.body.as_str().contains("UPDATED"));
    assert!(
        story
            .pending
            .as_ref()
            .unwrap()
            .content
            .body
            .as_str()
            .contains("UPDATED")
    );
    let kept = incoming::list(&*store, Shelf::Waiting, None, 10).unwrap();
    assert!(kept.is_empty(), "nothing waits: the story has the version");
}

// --- Backups ------------------------------------------------------------------------------------

#[actix_web::test]
async fn waiting_and_spiked_copy_are_in_a_backup() {
    let (app, editor) = desk().await;
    upload(
        &editor,
        &[
            ("syria.txt", wire_bytes()),
            ("captain.json", ninjs_doc(1, NINJS_HEADLINE).into_bytes()),
        ],
    )
    .await;
    press(&editor, "/desk/incoming", "spike").await;
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("backup");
    app.store.backup(&backup).unwrap();

    let restored = TestSite::on(Engine::chosen());
    let done = run({
        let mut c = newsroom(&restored);
        c.arg("restore").arg(&backup);
        c
    });
    assert!(done.status.success(), "{}", done.stderr);
    let store = restored.open();
    let waiting = incoming::list(&*store, Shelf::Waiting, None, 10).unwrap();
    let spiked = incoming::list(&*store, Shelf::Spiked, None, 10).unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(spiked.len(), 1);
    assert!(matches!(spiked[0].copy.state, CopyState::Spiked { .. }));
    let headlines = [
        waiting[0].copy.story.content.headline.to_string(),
        spiked[0].copy.story.content.headline.to_string(),
    ];
    assert!(headlines.contains(&WIRE_HEADLINE.to_owned()));
    assert!(headlines.contains(&NINJS_HEADLINE.to_owned()));
}

#[actix_web::test]
async fn the_incoming_pages_render_for_the_checkers() {
    if !runs_once("the_incoming_pages_render_for_the_checkers") {
        return;
    }
    let (_app, editor) = desk().await;
    let empty = editor.get("/desk/incoming").await.text().await.unwrap();
    let upload_form = |files: Form| {
        editor
            .client
            .post(format!("{}/desk/incoming/upload", editor.address))
            .multipart(files)
    };
    let csrf = editor.csrf("/desk/incoming").await;
    let results = upload_form(
        Form::new()
            .text("csrf", csrf.clone())
            .part("files", Part::bytes(wire_bytes()).file_name("syria.txt"))
            .part(
                "files",
                Part::bytes(BAD_WIRE.as_bytes().to_vec()).file_name("bad <1>.txt"),
            ),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(results.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let results = results.text().await.unwrap();
    let nothing = upload_form(Form::new().text("csrf", csrf))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    press(&editor, "/desk/incoming", "spike").await;
    let spiked = editor
        .get("/desk/incoming/spiked?done=restored")
        .await
        .text()
        .await
        .unwrap();
    assert!(!results.contains("<1>"), "file names are escaped");

    if let Some(dir) = std::env::var_os("NEWSROOM_MARKUP_DIR") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, body) in [
            ("incoming-empty.html", &empty),
            ("incoming-results.html", &results),
            ("incoming-nothing-chosen.html", &nothing),
            ("incoming-spiked.html", &spiked),
        ] {
            std::fs::write(dir.join(name), body).unwrap();
        }
    }
}
