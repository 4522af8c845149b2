//! The front page editors arrange: a lead, top stories and a breaking-news banner put live from
//! the desk, the rest of the page newest first without repeats, conflicts between editors, the
//! banner's expiry through the page cache, audit, backups, a second server; and related stories
//! under an article.

use crate::helpers::{
    Browser, Engine, ServerProcess, StoryBuilder, TestApp, TestSite, input_value, listed_headlines,
    newsroom, run, run_with_input, runs_once, select, text_of,
};
use newsroom::accounts::Actor;
use newsroom::domain::{Arrangement, AuditAction, Role, Status, Story};
use reqwest::StatusCode;
use scraper::Html;
use std::time::{Duration as StdDuration, Instant};
use time::{Duration, OffsetDateTime};

const PASSWORD: &str = "correct horse battery staple";

/// `count` published stories, "Story 1" the newest, an hour apart.
fn published(app: &TestApp, count: usize) -> Vec<Story> {
    let now = OffsetDateTime::now_utc();
    (1..=count)
        .map(|n| {
            StoryBuilder::new(&format!("Story {n}"))
                .published_at(now - Duration::hours(n as i64))
                .save(app)
        })
        .collect()
}

async fn editor(app: &TestApp, name: &str) -> Browser {
    app.create_user(name, Role::Editor, PASSWORD);
    app.login(name, PASSWORD).await
}

/// What an arrangement form sends besides its token, revision and action.
#[derive(Default, Clone)]
struct Choice {
    lead: Option<String>,
    slots: Vec<String>,
    banner: Option<(String, String)>,
}

impl Choice {
    fn lead(story: &Story) -> Self {
        Choice {
            lead: Some(story.id.to_string()),
            ..Choice::default()
        }
    }

    fn slots(mut self, stories: &[&Story]) -> Self {
        self.slots = stories.iter().map(|s| s.id.to_string()).collect();
        self
    }

    fn banner(mut self, text: &str, until: OffsetDateTime) -> Self {
        let until = until
            .format(time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]"
            ))
            .unwrap();
        self.banner = Some((text.to_owned(), until));
        self
    }
}

/// The desk page's token and revision, read as the browser would.
async fn desk_form(browser: &Browser) -> (String, String) {
    let (status, page) = browser.get_html("/desk/front").await;
    assert_eq!(status, StatusCode::OK, "the desk's front page");
    (
        input_value(&page, "csrf").expect("csrf"),
        input_value(&page, "revision").unwrap_or_default(),
    )
}

async fn send(
    browser: &Browser,
    csrf: &str,
    revision: &str,
    action: &str,
    choice: &Choice,
) -> reqwest::Response {
    let mut form: Vec<(String, String)> = vec![
        ("csrf".into(), csrf.into()),
        ("revision".into(), revision.into()),
        ("action".into(), action.into()),
        ("lead".into(), choice.lead.clone().unwrap_or_default()),
    ];
    for (n, id) in choice.slots.iter().enumerate() {
        form.push((format!("slot{}", n + 1), id.clone()));
    }
    if let Some((text, until)) = &choice.banner {
        form.push(("banner_text".into(), text.clone()));
        form.push(("banner_expires".into(), until.clone()));
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    browser.post_form("/desk/front", &pairs).await
}

/// Arranges the front page as `choice` from what the desk shows now, and checks it went live.
async fn put_live(browser: &Browser, choice: &Choice) {
    let (csrf, revision) = desk_form(browser).await;
    let response = send(browser, &csrf, &revision, "live", choice).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "put live: {}",
        response.text().await.unwrap_or_default()
    );
}

fn lead_headline(page: &Html) -> Option<String> {
    text_of(page, ".lead-story h2 a")
}

#[actix_web::test]
async fn an_arranged_front_page_shows_lead_and_slots_first_and_every_other_story_once() {
    let app = TestApp::spawn_with(|s| s.per_page = 3).await;
    let stories = published(&app, 8);
    let editor = editor(&app, "zhang.dan").await;
    put_live(
        &editor,
        &Choice::lead(&stories[4]).slots(&[&stories[1], &stories[6]]),
    )
    .await;

    let (_, first) = app.get_html("/").await;
    assert_eq!(lead_headline(&first).as_deref(), Some("Story 5"));
    // Page 1 holds three stories in all (the lead and two slots fill it); the others follow,
    // newest first, three a page.
    assert_eq!(
        listed_headlines(&first),
        ["Story 2", "Story 7"],
        "the slots in order"
    );
    let (_, second) = app.get_html("/page/2").await;
    assert_eq!(listed_headlines(&second), ["Story 1", "Story 3", "Story 4"]);
    assert!(
        lead_headline(&second).is_none(),
        "the lead is on page 1 only"
    );
    let (_, third) = app.get_html("/page/3").await;
    assert_eq!(listed_headlines(&third), ["Story 6", "Story 8"]);
    app.assert_not_found("/page/4").await;

    // With one slot fewer, page 1 takes the newest other story, and page 2 goes on after it.
    put_live(&editor, &Choice::lead(&stories[4]).slots(&[&stories[1]])).await;
    let (_, first) = app.get_html("/").await;
    assert_eq!(listed_headlines(&first), ["Story 2", "Story 1"]);
    let (_, second) = app.get_html("/page/2").await;
    assert_eq!(listed_headlines(&second), ["Story 3", "Story 4", "Story 6"]);
    let (_, third) = app.get_html("/page/3").await;
    assert_eq!(listed_headlines(&third), ["Story 7", "Story 8"]);
    assert!(
        select(&first, ".pager a[href='/page/3']").len() == 1,
        "the pager counts three pages"
    );
}

#[actix_web::test]
async fn two_editors_arranging_at_once_meet_a_conflict_and_keep_their_choices() {
    let app = TestApp::spawn().await;
    let stories = published(&app, 3);
    let first = editor(&app, "zhang.dan").await;
    let second = editor(&app, "li.wei").await;
    let (first_csrf, first_revision) = desk_form(&first).await;
    let (second_csrf, second_revision) = desk_form(&second).await;

    let done = send(
        &first,
        &first_csrf,
        &first_revision,
        "live",
        &Choice::lead(&stories[0]),
    )
    .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let mine = Choice::lead(&stories[2]).slots(&[&stories[1]]);
    let clash = send(&second, &second_csrf, &second_revision, "live", &mine).await;
    assert_eq!(clash.status(), StatusCode::OK);
    let page = Html::parse_document(&clash.text().await.unwrap());
    let note = text_of(&page, "#conflict").expect("the conflict is shown");
    assert!(note.contains("zhang.dan put a front page live"), "{note}");
    assert!(
        text_of(&page, ".front-live").unwrap().contains("Story 1"),
        "what is live now is shown"
    );
    let chosen = |name: &str| {
        select(&page, &format!("select[name='{name}'] option[selected]"))
            .first()
            .and_then(|o| o.value().attr("value"))
            .map(str::to_owned)
    };
    assert_eq!(chosen("lead"), Some(stories[2].id.to_string()), "kept");
    assert_eq!(chosen("slot1"), Some(stories[1].id.to_string()), "kept");
    let (_, front) = app.get_html("/").await;
    assert_eq!(
        lead_headline(&front).as_deref(),
        Some("Story 1"),
        "not overwritten"
    );

    // Sent again over what is live now, the second editor's choice goes live.
    let revision = input_value(&page, "revision").unwrap();
    let again = send(&second, &second_csrf, &revision, "live", &mine).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    let (_, front) = app.get_html("/").await;
    assert_eq!(lead_headline(&front).as_deref(), Some("Story 3"));
}

#[actix_web::test]
async fn the_banner_shows_until_it_expires_and_no_cached_page_or_validator_outlives_it() {
    let app = TestApp::spawn().await;
    let stories = published(&app, 2);
    let editor = editor(&app, "zhang.dan").await;
    let until = app.clock.now() + Duration::minutes(30);
    put_live(
        &editor,
        &Choice::lead(&stories[1]).banner("Polls have closed", until),
    )
    .await;

    let shown = app.get("/").await;
    let cache_control = shown.headers()["cache-control"]
        .to_str()
        .unwrap()
        .to_owned();
    let etag = shown.headers()["etag"].to_str().unwrap().to_owned();
    assert!(shown.headers().get("last-modified").is_none());
    let body = shown.text().await.unwrap();
    assert!(body.contains("Polls have closed"), "the banner shows");
    assert!(
        !cache_control.contains("stale-while-revalidate"),
        "{cache_control}"
    );
    let max_age: u64 = cache_control
        .strip_prefix("max-age=")
        .and_then(|n| n.parse().ok())
        .expect("a max-age");
    assert!(max_age <= 60, "{cache_control}");
    let again = app
        .client
        .get(app.url("/"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "the same page");

    app.clock.advance(Duration::minutes(31));
    let after = app
        .client
        .get(app.url("/"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::OK, "the held copy is stale");
    let body = after.text().await.unwrap();
    assert!(!body.contains("Polls have closed"), "the banner is gone");
    assert!(body.contains("Story 2"), "the lead stays");
    let desk = editor.get("/desk/front").await.text().await.unwrap();
    assert!(desk.contains("expired"), "the desk says it expired");
}

#[actix_web::test]
async fn publishing_a_story_keeps_the_arranged_lead() {
    let app = TestApp::spawn().await;
    let stories = published(&app, 3);
    let editor = editor(&app, "zhang.dan").await;
    put_live(&editor, &Choice::lead(&stories[2])).await;
    let (_, before) = app.get_html("/").await;
    assert_eq!(lead_headline(&before).as_deref(), Some("Story 3"));

    StoryBuilder::new("Fresh news")
        .published_at(OffsetDateTime::now_utc())
        .save(&app);

    let (_, after) = app.get_html("/").await;
    assert_eq!(lead_headline(&after).as_deref(), Some("Story 3"));
    assert_eq!(
        listed_headlines(&after).first().map(String::as_str),
        Some("Fresh news"),
        "the new story heads the rest"
    );
}

#[actix_web::test]
async fn a_chosen_story_that_stops_being_public_drops_out_and_the_desk_says_so() {
    let app = TestApp::spawn_with(|s| s.per_page = 3).await;
    let stories = published(&app, 5);
    let editor = editor(&app, "zhang.dan").await;
    put_live(
        &editor,
        &Choice::lead(&stories[0]).slots(&[&stories[3], &stories[4]]),
    )
    .await;

    let mut hidden = app.store.story(stories[3].id).unwrap().unwrap();
    hidden.status = Status::Unpublished;
    app.store
        .save_story(&hidden, Some(hidden.revision))
        .unwrap();
    let mut gone = app.store.story(stories[0].id).unwrap().unwrap();
    gone.status = Status::Withdrawn(OffsetDateTime::now_utc());
    app.store.save_story(&gone, Some(gone.revision)).unwrap();

    // Three stories are public: the one slot left, then the other two; one page holds them.
    let (status, page) = app.get_html("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(lead_headline(&page).is_none(), "the withdrawn lead is gone");
    assert_eq!(listed_headlines(&page), ["Story 5", "Story 2", "Story 3"]);
    app.assert_not_found("/page/2").await;

    let desk = editor.get("/desk/front").await.text().await.unwrap();
    let page = Html::parse_document(&desk);
    let dropped: Vec<String> = select(&page, ".front-live .dropped")
        .iter()
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(dropped.len(), 2, "{dropped:?}");
    assert!(dropped[0].contains("withdrawn"), "{dropped:?}");
    assert!(dropped[1].contains("unpublished"), "{dropped:?}");
}

#[actix_web::test]
async fn a_story_readers_cannot_see_is_refused_with_the_form_kept() {
    let app = TestApp::spawn().await;
    let draft = StoryBuilder::new("Not yet").save(&app);
    let editor = editor(&app, "zhang.dan").await;
    let (csrf, revision) = desk_form(&editor).await;
    let refused = send(&editor, &csrf, &revision, "live", &Choice::lead(&draft)).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&refused.text().await.unwrap());
    assert!(text_of(&page, "#refused").unwrap().contains("Not yet"));
    let past = Choice::default().banner("Old news", app.clock.now() - Duration::hours(1));
    let refused = send(&editor, &csrf, &revision, "live", &past).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&refused.text().await.unwrap());
    assert!(text_of(&page, "#refused").unwrap().contains("has passed"));
    assert_eq!(
        input_value(&page, "banner_text").as_deref(),
        Some("Old news")
    );
    assert!(
        app.store
            .audit_log(None, 50)
            .unwrap()
            .iter()
            .all(|e| e.action != AuditAction::FrontPage)
    );
}

#[actix_web::test]
async fn the_preview_shows_the_draft_without_putting_it_live() {
    let app = TestApp::spawn().await;
    let stories = published(&app, 3);
    let editor = editor(&app, "zhang.dan").await;
    let (csrf, revision) = desk_form(&editor).await;
    let choice =
        Choice::lead(&stories[2]).banner("Storm warning", app.clock.now() + Duration::hours(2));
    let preview = send(&editor, &csrf, &revision, "preview", &choice).await;
    assert_eq!(preview.status(), StatusCode::OK);
    assert_eq!(preview.headers()["x-robots-tag"], "noindex");
    let page = Html::parse_document(&preview.text().await.unwrap());
    assert_eq!(lead_headline(&page).as_deref(), Some("Story 3"));
    assert!(
        text_of(&page, ".breaking")
            .unwrap()
            .contains("Storm warning")
    );
    assert_eq!(
        select(&page, "meta[name='robots'][content='noindex']").len(),
        1
    );
    assert_eq!(
        select(&page, ".preview-banner button[value='live']").len(),
        1
    );

    let (_, front) = app.get_html("/").await;
    assert!(lead_headline(&front).is_none(), "nothing is live yet");
    assert!(select(&front, ".breaking").is_empty());
}

#[actix_web::test]
async fn putting_a_front_page_live_is_audited() {
    let app = TestApp::spawn().await;
    let stories = published(&app, 2);
    let editor = editor(&app, "zhang.dan").await;
    put_live(&editor, &Choice::lead(&stories[1]).slots(&[&stories[0]])).await;

    let events = app.store.audit_log(None, 50).unwrap();
    let event = events
        .iter()
        .find(|e| e.action == AuditAction::FrontPage)
        .expect("an audit event");
    assert_eq!(event.actor_name, "zhang.dan");
    assert!(
        event.detail.contains("lead \u{201c}Story 2\u{201d}"),
        "{}",
        event.detail
    );
    assert!(event.detail.contains("Story 1"), "{}", event.detail);
}

#[actix_web::test]
async fn writers_cannot_arrange_the_front_page() {
    let app = TestApp::spawn().await;
    app.create_user("ann.writer", Role::Writer, PASSWORD);
    let writer = app.login("ann.writer", PASSWORD).await;
    assert_eq!(
        writer.get("/desk/front").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn a_restored_backup_keeps_the_arrangement() {
    let site = TestSite::new();
    let lead_id;
    {
        let store = site.open();
        let now = OffsetDateTime::now_utc();
        let mut lead = StoryBuilder::new("Kept on top")
            .published_at(now - Duration::hours(5))
            .into_story();
        lead = store.save_story(&lead, None).unwrap();
        lead_id = lead.id;
        let newer = StoryBuilder::new("Newer story")
            .published_at(now - Duration::hours(1))
            .into_story();
        store.save_story(&newer, None).unwrap();
        let arrangement = Arrangement::new(Some(lead.id), Vec::new(), None).unwrap();
        newsroom::front_page::put_live(&*store, arrangement, None, &Actor::command_line(now))
            .unwrap();
    }
    let backup = site.path().join("backup");
    let mut command = newsroom(&site);
    command.arg("backup").arg(&backup);
    let made = run(command);
    assert!(made.status.success(), "{}", made.stderr);

    let fresh = TestSite::new();
    let mut command = newsroom(&fresh);
    command.arg("restore").arg(&backup);
    let restored = run_with_input(command, "");
    assert!(restored.status.success(), "{}", restored.stderr);
    let app = TestApp::spawn_in(fresh, |_| {}).await;
    let (_, front) = app.get_html("/").await;
    assert_eq!(lead_headline(&front).as_deref(), Some("Kept on top"));
    assert_eq!(listed_headlines(&front), ["Newer story"]);
    let live = newsroom::front_page::live(&*app.store).unwrap().unwrap();
    assert_eq!(live.page.arrangement.lead(), Some(lead_id));
}

/// Polls `path` on `server` until its body holds `needle`; a generous limit, not a timing.
async fn eventually_shows(server: &ServerProcess, path: &str, needle: &str) {
    let deadline = Instant::now() + StdDuration::from_secs(15);
    loop {
        let body = server.get(path).await.text().await.unwrap_or_default();
        if body.contains(needle) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{path} on {} never showed {needle:?}",
            server.address
        );
        actix_web::rt::time::sleep(StdDuration::from_millis(100)).await;
    }
}

#[actix_web::test]
async fn a_front_page_put_live_on_one_server_shows_on_the_other() {
    if !runs_once("front_page_multi_server") {
        return;
    }
    let site = TestSite::on(Engine::Postgres);
    let mut add = newsroom(&site);
    add.args(["user", "add", "zhang.dan", "--role", "editor"]);
    let added = run_with_input(add, &format!("{PASSWORD}\n"));
    assert!(added.status.success(), "{}", added.stderr);
    let lead = {
        let store = site.open();
        let now = OffsetDateTime::now_utc();
        let lead = StoryBuilder::new("The lead from server A")
            .published_at(now - Duration::hours(3))
            .into_story();
        let lead = store.save_story(&lead, None).unwrap();
        let newer = StoryBuilder::new("A newer story")
            .published_at(now - Duration::hours(1))
            .into_story();
        store.save_story(&newer, None).unwrap();
        lead
    };
    let public = ["--base-url", "http://newsroom.test"];
    let a = ServerProcess::start_with(&site, site.path().join("a.log"), &public).await;
    let b = ServerProcess::start_with(&site, site.path().join("b.log"), &public).await;
    // B has its front page cached before the arrangement exists.
    let before = b.get("/").await.text().await.unwrap();
    assert!(!before.contains("lead-story"));

    let editor = Browser::new(&a.address);
    let response = editor.try_login("zhang.dan", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "login");
    put_live(&editor, &Choice::lead(&lead)).await;

    eventually_shows(&b, "/", "<article class=\"lead-story\">").await;
    let page = Html::parse_document(&b.get("/").await.text().await.unwrap());
    assert_eq!(
        lead_headline(&page).as_deref(),
        Some("The lead from server A")
    );
}

// --- Related stories ---------------------------------------------------------------------------

fn related(page: &Html) -> Vec<String> {
    select(page, ".related li a")
        .iter()
        .map(|a| a.text().collect())
        .collect()
}

#[actix_web::test]
async fn related_stories_are_the_sections_newest_never_the_story_itself_nor_a_hidden_one() {
    let app = TestApp::spawn().await;
    let now = OffsetDateTime::now_utc();
    let at = |hours: i64| now - Duration::hours(hours);
    StoryBuilder::new("Other section news")
        .section("business")
        .published_at(at(1))
        .save(&app);
    StoryBuilder::new("World newest")
        .published_at(at(2))
        .save(&app);
    StoryBuilder::new("World draft").save(&app);
    StoryBuilder::new("World embargoed")
        .with(|s| {
            s.content.embargo = Some(now + Duration::days(1));
            s.status = Status::Scheduled(now + Duration::days(1));
        })
        .save(&app);
    let mut unpublished = StoryBuilder::new("World unpublished")
        .published_at(at(3))
        .save(&app);
    unpublished.status = Status::Unpublished;
    app.store
        .save_story(&unpublished, Some(unpublished.revision))
        .unwrap();
    let this = StoryBuilder::new("World this one")
        .published_at(at(4))
        .save(&app);
    for (n, hours) in [(1, 5), (2, 6), (3, 7), (4, 8)] {
        StoryBuilder::new(&format!("World older {n}"))
            .published_at(at(hours))
            .save(&app);
    }

    let url = newsroom::urls::article(this.published_at.unwrap(), &this.content.slug, 1);
    let (status, page) = app.get_html(&url).await;
    assert_eq!(status, StatusCode::OK, "{url}");
    assert_eq!(
        related(&page),
        [
            "World newest",
            "World older 1",
            "World older 2",
            "World older 3"
        ]
    );

    // A story published since comes first: what a server keeps of the section follows it.
    StoryBuilder::new("World just in")
        .published_at(OffsetDateTime::now_utc())
        .save(&app);
    let (_, page) = app.get_html(&url).await;
    assert_eq!(
        related(&page),
        [
            "World just in",
            "World newest",
            "World older 1",
            "World older 2"
        ]
    );

    // A story alone in its section has none, and no empty box.
    let lonely = StoryBuilder::new("Lonely science")
        .section("science")
        .published_at(at(1))
        .save(&app);
    let url = newsroom::urls::article(lonely.published_at.unwrap(), &lonely.content.slug, 1);
    let (status, page) = app.get_html(&url).await;
    assert_eq!(status, StatusCode::OK, "{url}");
    assert!(select(&page, ".related").is_empty());
}

// --- In a browser --------------------------------------------------------------------------

#[actix_web::test]
async fn an_editor_previews_a_lead_with_a_breaking_banner_and_puts_it_live_for_readers() {
    use crate::chromium::{Chromium, journey};
    use crate::desk_phone::script;
    if !runs_once("an_editor_previews_a_lead_with_a_breaking_banner_and_puts_it_live") {
        return;
    }
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let stories = published(&app, 4);
    let until = (app.clock.now() + Duration::hours(3))
        .format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]"
        ))
        .unwrap();
    let editor = Chromium::start("front_editor").await;
    let reader = Chromium::start("front_reader").await;

    journey(&[&editor, &reader], async {
        editor.login(&app.address, "zhang.dan", PASSWORD).await;
        editor.open(&app.url("/desk/front")).await;
        editor.type_into("#q", "Story 3").await;
        editor.click("button[value='search']").await;
        editor.choose("#lead", &stories[2].id.to_string()).await;
        editor.choose("#slot1", &stories[3].id.to_string()).await;
        editor
            .type_into("#banner_text", "Polls have closed across the country")
            .await;
        // A datetime-local field takes keys by locale; its value is what the form sends.
        script(
            &editor,
            &format!("document.querySelector('#banner_expires').value = '{until}'; return 1"),
        )
        .await;
        editor.click("button[value='preview']").await;
        assert!(
            editor.text(".preview-banner").await.starts_with("Preview."),
            "a preview"
        );
        assert_eq!(editor.text(".lead-story h2").await, "Story 3");
        assert!(
            editor
                .text(".breaking")
                .await
                .contains("Polls have closed across the country")
        );

        reader.open(&app.url("/")).await;
        assert!(
            reader.find_all(".lead-story").await.is_empty(),
            "not live while previewed"
        );

        editor.click(".preview-banner button[value='live']").await;
        assert_eq!(editor.path().await, "/desk/front?done=1");
        assert_eq!(editor.text("p.notice").await, "The front page is live.");

        // Another address for the same page: the browser keeps the one it saw for a minute.
        reader.open(&app.url("/?again")).await;
        assert!(
            reader
                .text(".breaking")
                .await
                .contains("Polls have closed across the country"),
            "the banner on top"
        );
        assert_eq!(reader.text(".lead-story h2").await, "Story 3");
        let first = reader.text(".story-list li:first-child h2").await;
        assert_eq!(first, "Story 4", "the top story next");
    })
    .await;
}

// --- Photos, and pages for the markup checker ----------------------------------------------

/// A plain 2000×1000 picture stored as an upload would be.
fn photo(app: &TestApp) -> newsroom::domain::Photo {
    use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
    let image = DynamicImage::ImageRgb8(RgbImage::from_fn(2000, 1000, |x, _| {
        Rgb([(x % 256) as u8, 90, 160])
    }));
    let mut png = std::io::Cursor::new(Vec::new());
    image.write_to(&mut png, ImageFormat::Png).unwrap();
    let details = newsroom::photos::PhotoDetails {
        uploaded_by: None,
        uploaded_at: OffsetDateTime::now_utc(),
        caption: "Delegates arrive".into(),
        credit: "Staff".into(),
        alt: "Delegates walk past flags".into(),
    };
    newsroom::photos::store_upload(&*app.store, png.into_inner(), details)
        .unwrap()
        .unwrap()
}

/// `count` published stories with a photo each, "Pictured 1" the newest.
fn pictured(app: &TestApp, count: usize) -> Vec<Story> {
    let now = OffsetDateTime::now_utc();
    (1..=count)
        .map(|n| {
            let image = photo(app).id;
            StoryBuilder::new(&format!("Pictured {n}"))
                .published_at(now - Duration::hours(n as i64))
                .with(move |story| {
                    story.content.photo = Some(newsroom::domain::LeadPhoto {
                        image: Some(image),
                        caption: newsroom::domain::Caption::parse("Delegates arrive").unwrap(),
                        credit: None,
                        alt: Some(newsroom::domain::AltText::parse("Delegates").unwrap()),
                    });
                })
                .save(app)
        })
        .collect()
}

#[actix_web::test]
async fn the_lead_shows_its_wide_crop_large_and_thumbnails_offer_small_renditions() {
    let app = TestApp::spawn().await;
    let stories = pictured(&app, 5);
    let editor = editor(&app, "zhang.dan").await;
    let until = app.clock.now() + Duration::hours(1);
    put_live(
        &editor,
        &Choice::lead(&stories[3]).banner("Storm warning", until),
    )
    .await;

    let (_, page) = app.get_html("/").await;
    let lead = select(&page, ".lead-story img");
    assert_eq!(lead.len(), 1);
    let lead = lead[0].value();
    let image = app.store.story(stories[3].id).unwrap().unwrap();
    let photo_id = image.content.photo.unwrap().image.unwrap();
    assert_eq!(
        lead.attr("src"),
        Some(format!("/media/{photo_id}/16x9-50-50.jpg").as_str())
    );
    assert_eq!(
        (lead.attr("width"), lead.attr("height")),
        (Some("1200"), Some("675"))
    );
    assert_eq!(lead.attr("fetchpriority"), Some("high"));
    assert_eq!(
        lead.attr("loading"),
        None,
        "the largest picture loads at once"
    );
    let srcset = lead.attr("srcset").unwrap();
    assert!(srcset.contains("/480.jpg 480w") && srcset.ends_with("16x9-50-50.jpg 1200w"));

    let thumbs = select(&page, ".teaser img.teaser-photo");
    assert_eq!(thumbs.len(), 4);
    let loading: Vec<&str> = thumbs
        .iter()
        .map(|t| t.value().attr("loading").unwrap())
        .collect();
    assert_eq!(loading, ["eager", "lazy", "lazy", "lazy"]);
    for thumb in &thumbs {
        let t = thumb.value();
        assert_eq!(
            (t.attr("width"), t.attr("height")),
            (Some("1200"), Some("900"))
        );
        assert_eq!(t.attr("sizes"), Some("8rem"));
        let srcset = t.attr("srcset").unwrap();
        assert!(srcset.contains("/480.jpg 480w, "), "{srcset}");
        assert!(srcset.ends_with("/4x3-50-50.jpg 1200w"), "{srcset}");
        assert!(t.attr("class").unwrap().contains("focus-50-50"));
    }
    // Every address in a srcset answers readers.
    for url in srcset.split(", ").map(|c| c.split(' ').next().unwrap()) {
        assert_eq!(app.get(url).await.status(), StatusCode::OK, "{url}");
    }

    // A section's first two teasers load at once.
    let (_, section) = app.get_html("/section/world").await;
    let loading: Vec<&str> = select(&section, ".teaser img")
        .iter()
        .map(|t| t.value().attr("loading").unwrap())
        .collect();
    assert_eq!(loading, ["eager", "eager", "lazy", "lazy", "lazy"]);

    if let Some(dir) = std::env::var_os("NEWSROOM_MARKUP_DIR") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (csrf, revision) = desk_form(&editor).await;
        let choice = Choice::lead(&stories[0])
            .slots(&[&stories[1]])
            .banner("Storm warning", until);
        let article = newsroom::urls::article(
            stories[2].published_at.unwrap(),
            &stories[2].content.slug,
            1,
        );
        let pages = [
            (
                "front-arranged.html",
                app.get("/").await.text().await.unwrap(),
            ),
            (
                "desk-front.html",
                editor.get("/desk/front").await.text().await.unwrap(),
            ),
            (
                "desk-front-preview.html",
                send(&editor, &csrf, &revision, "preview", &choice)
                    .await
                    .text()
                    .await
                    .unwrap(),
            ),
            (
                "desk-front-refused.html",
                send(&editor, &csrf, "x", "live", &choice)
                    .await
                    .text()
                    .await
                    .unwrap(),
            ),
            (
                "article-related.html",
                app.get(&article).await.text().await.unwrap(),
            ),
        ];
        for (name, body) in &pages {
            assert!(body.contains("<main"), "{name}");
            std::fs::write(dir.join(name), body).unwrap();
        }
    }
}
