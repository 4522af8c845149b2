//! Sections admins manage: added, renamed, reordered and hidden on the desk, through real
//! `newsroom serve` processes (the list a server shows is its process's own), on each engine.

use crate::helpers::{
    Browser, ServerProcess, StoryBuilder, TestSite, input_value, newsroom, run_with_input, select,
    text_of,
};
use newsroom::domain::{AuditAction, Status};
use reqwest::StatusCode;
use scraper::Html;
use time::macros::datetime;

const PASSWORD: &str = "correct horse battery";

/// A site holding one published Business story and an admin, served by one process.
async fn site_with_a_business_story() -> (TestSite, ServerProcess) {
    let site = TestSite::new();
    {
        let store = site.open();
        let mut story = StoryBuilder::new("Markets rally after talks")
            .section("business")
            .published_at(datetime!(2026-03-01 08:00 UTC))
            .into_story();
        story.status = Status::Published;
        story.content.slug = newsroom::domain::Slug::parse("markets-rally").unwrap();
        store.save_story(&story, None).unwrap();
    }
    let mut add = newsroom(&site);
    add.args(["user", "add", "boss", "--role", "admin"]);
    let added = run_with_input(add, &format!("{PASSWORD}\n"));
    assert!(added.status.success(), "{}", added.stderr);
    let server = ServerProcess::start(&site, site.path().join("server.log")).await;
    (site, server)
}

async fn admin_on(server: &ServerProcess) -> Browser {
    let browser = Browser::new(&server.address);
    let response = browser.try_login("boss", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "login");
    browser
}

/// The form of `/desk/sections` as loaded, with `change` applied to its fields.
async fn sections_form(browser: &Browser, change: &[(&str, &str)]) -> Vec<(String, String)> {
    let (status, page) = browser.get_html("/desk/sections").await;
    assert_eq!(status, StatusCode::OK);
    let mut fields: Vec<(String, String)> = select(&page, "form.sections-form input")
        .into_iter()
        .filter_map(|input| {
            let name = input.attr("name")?.to_owned();
            let kind = input.attr("type").unwrap_or("text");
            if kind == "checkbox" && input.attr("checked").is_none() {
                return None;
            }
            Some((name, input.attr("value").unwrap_or("").to_owned()))
        })
        .collect();
    for (name, value) in change {
        fields.retain(|(n, _)| n != name);
        if !value.is_empty() || !name.starts_with("hidden:") {
            fields.push(((*name).to_owned(), (*value).to_owned()));
        }
    }
    fields
}

async fn post(browser: &Browser, fields: &[(String, String)]) -> reqwest::Response {
    browser
        .client
        .post(format!("{}/desk/sections", browser.address))
        .form(fields)
        .send()
        .await
        .expect("request")
}

async fn page(server: &ServerProcess, path: &str) -> (StatusCode, Html) {
    let response = server.get(path).await;
    let status = response.status();
    (
        status,
        Html::parse_document(&response.text().await.unwrap()),
    )
}

fn navigation(html: &Html) -> Vec<String> {
    select(html, "ul.sections a")
        .into_iter()
        .map(|a| a.text().collect::<String>().trim().to_owned())
        .collect()
}

#[actix_web::test]
async fn an_admin_adds_renames_reorders_and_hides_sections_and_stories_keep_theirs() {
    let (site, server) = site_with_a_business_story().await;
    let admin = admin_on(&server).await;

    // Renamed: the address stays, the name changes everywhere it shows.
    let renamed = post(
        &admin,
        &sections_form(&admin, &[("name:business", "Economy")]).await,
    )
    .await;
    assert_eq!(renamed.status(), StatusCode::SEE_OTHER);
    let (status, section) = page(&server, "/section/business").await;
    assert_eq!(status, StatusCode::OK);
    assert!(navigation(&section).contains(&"Economy".to_owned()));
    assert!(!navigation(&section).contains(&"Business".to_owned()));
    let (status, article) = page(&server, "/2026/03/01/markets-rally").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text_of(&article, ".kicker a").as_deref(), Some("Economy"));

    // Added, with a key made from its name, and moved to the top.
    let added = post(
        &admin,
        &sections_form(&admin, &[("new_name", "Middle East"), ("new_key", "")]).await,
    )
    .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let moved = post(
        &admin,
        &sections_form(&admin, &[("position:middle-east", "1")]).await,
    )
    .await;
    assert_eq!(moved.status(), StatusCode::SEE_OTHER);
    let (_, front) = page(&server, "/").await;
    assert_eq!(
        navigation(&front).first().map(String::as_str),
        Some("Middle East")
    );
    assert_eq!(
        page(&server, "/section/middle-east").await.0,
        StatusCode::OK
    );
    let (_, form) = admin.get_html("/desk/stories/new").await;
    assert!(!select(&form, "select[name='section'] option[value='middle-east']").is_empty());

    // Hidden: off the navigation, its page and feeds gone, its story still readable.
    let hidden = post(
        &admin,
        &sections_form(&admin, &[("hidden:business", "1")]).await,
    )
    .await;
    assert_eq!(hidden.status(), StatusCode::SEE_OTHER);
    let (_, front) = page(&server, "/").await;
    assert!(!navigation(&front).contains(&"Economy".to_owned()));
    assert_eq!(
        page(&server, "/section/business").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        page(&server, "/section/business/rss.xml").await.0,
        StatusCode::NOT_FOUND
    );
    let (status, article) = page(&server, "/2026/03/01/markets-rally").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text_of(&article, ".kicker a").as_deref(), Some("Economy"));
    let (_, form) = admin.get_html("/desk/stories/new").await;
    assert!(select(&form, "select[name='section'] option[value='business']").is_empty());

    // Every change is in the audit log; the list is stored, so a restarted server shows it.
    drop(server);
    let store = site.open();
    let changes = store
        .audit_log(None, 100)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == AuditAction::SectionsChanged)
        .count();
    assert_eq!(changes, 4);
    drop(store);
    let server = ServerProcess::start(&site, site.path().join("again.log")).await;
    let (_, front) = page(&server, "/").await;
    assert_eq!(
        navigation(&front).first().map(String::as_str),
        Some("Middle East")
    );
    assert!(!navigation(&front).contains(&"Economy".to_owned()));
}

#[actix_web::test]
async fn a_bad_list_is_refused_with_its_reason_and_the_input_kept() {
    let (_site, server) = site_with_a_business_story().await;
    let admin = admin_on(&server).await;

    let fields = sections_form(&admin, &[("name:world", ""), ("new_name", "Local news")]).await;
    let empty = post(&admin, &fields).await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = Html::parse_document(&empty.text().await.unwrap());
    assert!(text_of(&html, ".error-summary").unwrap().contains("world"));
    assert_eq!(
        input_value(&html, "new_name").as_deref(),
        Some("Local news")
    );

    // A section cannot be removed (stories may be filed under it), only hidden.
    let mut fields = sections_form(&admin, &[]).await;
    fields.retain(|(name, _)| !name.ends_with(":business"));
    let removed = post(&admin, &fields).await;
    assert_eq!(removed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = Html::parse_document(&removed.text().await.unwrap());
    assert!(
        text_of(&html, ".error-summary")
            .unwrap()
            .contains("only hidden")
    );

    // Two sections of one name, and every section hidden, are refused too.
    let twice = post(
        &admin,
        &sections_form(&admin, &[("name:sport", "World")]).await,
    )
    .await;
    assert_eq!(twice.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let keys = [
        "world",
        "politics",
        "business",
        "technology",
        "science",
        "health",
        "sport",
        "culture",
        "opinion",
    ];
    let all_hidden: Vec<(String, &str)> =
        keys.iter().map(|k| (format!("hidden:{k}"), "1")).collect();
    let all_hidden: Vec<(&str, &str)> = all_hidden.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    let none_shown = post(&admin, &sections_form(&admin, &all_hidden).await).await;
    assert_eq!(none_shown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Nothing of these was stored.
    let (_, front) = page(&server, "/").await;
    assert_eq!(navigation(&front).len(), 9);
}

#[actix_web::test]
async fn two_admins_saving_at_once_meet_a_conflict_and_the_second_keeps_their_choices() {
    let (_site, server) = site_with_a_business_story().await;
    let first = admin_on(&server).await;
    let second = admin_on(&server).await;
    let firsts = sections_form(&first, &[("name:sport", "Sports")]).await;
    let seconds = sections_form(&second, &[("name:culture", "Arts")]).await;

    assert_eq!(post(&first, &firsts).await.status(), StatusCode::SEE_OTHER);
    let late = post(&second, &seconds).await;
    assert_eq!(late.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = Html::parse_document(&late.text().await.unwrap());
    assert!(text_of(&html, ".conflict-note").unwrap().contains("Sports"));
    assert_eq!(input_value(&html, "name:culture").as_deref(), Some("Arts"));
    let (_, front) = page(&server, "/").await;
    assert!(navigation(&front).contains(&"Sports".to_owned()));
    assert!(!navigation(&front).contains(&"Arts".to_owned()));

    // Saved again from the page that showed the conflict: an informed choice, stored.
    let fields: Vec<(String, String)> = select(&html, "form.sections-form input")
        .into_iter()
        .filter(|i| i.attr("type") != Some("checkbox") || i.attr("checked").is_some())
        .filter_map(|i| {
            Some((
                i.attr("name")?.to_owned(),
                i.attr("value").unwrap_or("").to_owned(),
            ))
        })
        .collect();
    assert_eq!(post(&second, &fields).await.status(), StatusCode::SEE_OTHER);
    let (_, front) = page(&server, "/").await;
    assert!(navigation(&front).contains(&"Arts".to_owned()));
}

/// The sections page, as stored and as refused, and an Arabic story's article and listing,
/// written to `NEWSROOM_MARKUP_DIR` when set for `scripts/check-markup`.
#[actix_web::test]
async fn the_sections_page_renders_for_the_checkers() {
    let (site, server) = site_with_a_business_story().await;
    let admin = admin_on(&server).await;
    let (_, sections) = admin.get_html("/desk/sections").await;
    let refused = post(&admin, &sections_form(&admin, &[("name:world", "")]).await).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut pages = vec![
        ("desk-sections.html", sections.html()),
        ("desk-sections-refused.html", refused.text().await.unwrap()),
    ];
    drop(server);
    {
        let store = site.open();
        let mut story = StoryBuilder::new("محادثات السلام تستأنف في جنيف")
            .section("politics")
            .published_at(datetime!(2026-03-02 08:00 UTC))
            .into_story();
        story.status = Status::Published;
        story.content.slug = newsroom::domain::Slug::parse("talks-resume").unwrap();
        story.content.language = Some(newsroom::domain::Language::parse("ar").unwrap());
        store.save_story(&story, None).unwrap();
    }
    let server = ServerProcess::start(&site, site.path().join("again.log")).await;
    for (name, path) in [
        ("arabic-article.html", "/2026/03/02/talks-resume"),
        ("arabic-listing.html", "/section/politics"),
    ] {
        let response = server.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        pages.push((name, response.text().await.unwrap()));
    }
    if let Some(dir) = std::env::var_os("NEWSROOM_MARKUP_DIR") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, page) in &pages {
            std::fs::write(dir.join(name), page).unwrap();
        }
    }
}
