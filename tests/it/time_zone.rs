//! The newsroom's time zone through the real server: readers read dates on its clocks, the desk
//! types and reads them there, a time the clocks skip or show twice is never guessed at, dates
//! outside a sane range are refused, and wire copy is read on its agency's clocks.

use crate::helpers::{
    Browser, StoryBuilder, TestApp, TestSite, fixture, input_value, newsroom, run, select, text_of,
};
use newsroom::domain::{Role, SiteZone, Slug, Story};
use reqwest::StatusCode;
use reqwest::multipart::Form;
use scraper::Html;
use time::macros::datetime;

const PASSWORD: &str = "correct horse battery";

fn london() -> SiteZone {
    SiteZone::parse("Europe/London").expect("a zone")
}

/// A server whose newsroom works on London's clocks, with an editor signed in.
async fn london_desk() -> (TestApp, Browser) {
    let app = TestApp::spawn_with(|settings| settings.time_zone = london()).await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let editor = app.login("zhang.dan", PASSWORD).await;
    (app, editor)
}

/// Sends the story form of `form_path` with `fields`, pressing `action`, as a browser does.
async fn send(
    browser: &Browser,
    form_path: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let (status, page) = browser.get_html(form_path).await;
    assert_eq!(status, StatusCode::OK, "{form_path}");
    let to = select(&page, "form.story-form")
        .first()
        .and_then(|f| f.value().attr("action"))
        .expect("the story form")
        .to_owned();
    let mut form = Form::new()
        .text("csrf", input_value(&page, "csrf").expect("csrf"))
        .text(
            "revision",
            input_value(&page, "revision").unwrap_or_default(),
        )
        .text("action", action.to_owned());
    for (name, value) in [
        ("headline", "Talks end"),
        ("bylines", "Xu Jinquan"),
        ("section", "world"),
        ("body", "The talks ended."),
    ]
    .into_iter()
    .chain(fields.iter().copied())
    {
        form = form.text(name.to_owned(), value.to_owned());
    }
    browser
        .client
        .post(format!("{}{to}", browser.address))
        .multipart(form)
        .send()
        .await
        .expect("request")
}

async fn page_of(response: reqwest::Response) -> Html {
    Html::parse_document(&response.text().await.expect("body"))
}

fn story(app: &TestApp) -> Story {
    let slug = Slug::parse("talks-end").expect("slug");
    app.store
        .story_by_slug(&slug)
        .expect("read")
        .expect("the story is stored")
}

fn saved_path(response: &reqwest::Response) -> String {
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the save was refused"
    );
    crate::helpers::location(response)
        .expect("a redirect")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned()
}

// --- The setting ------------------------------------------------------------------------------

#[test]
fn a_time_zone_that_is_not_an_iana_name_stops_the_server_at_start() {
    let site = TestSite::new();
    let mut command = newsroom(&site);
    command.args([
        "serve",
        "--bind",
        "127.0.0.1:0",
        "--time-zone",
        "Mars/Olympus",
    ]);
    let finished = run(command);
    assert!(!finished.status.success(), "the server started");
    assert!(
        finished.stderr.contains("Mars/Olympus") && finished.stderr.contains("IANA"),
        "{}",
        finished.stderr
    );
}

#[test]
fn the_time_zone_is_part_of_how_pages_look() {
    let site = TestSite::new();
    let mut settings = newsroom::settings::Settings::new(site.storage());
    let utc = newsroom::web::public::page_look(&settings);
    settings.time_zone = london();
    assert_ne!(newsroom::web::public::page_look(&settings), utc);
}

// --- Readers ----------------------------------------------------------------------------------

#[actix_web::test]
async fn readers_read_dates_in_words_on_the_site_s_clocks_and_machines_read_them_exactly() {
    let app = TestApp::spawn_with(|settings| settings.time_zone = london()).await;
    StoryBuilder::new("Talks end")
        .published_at(datetime!(2017-07-15 07:11:57 UTC))
        .save(&app);

    let (status, article) = app.get_html("/2017/07/15/talks-end").await;
    assert_eq!(status, StatusCode::OK);
    let meta = text_of(&article, ".meta-line").unwrap_or_default();
    assert!(meta.contains("15 July 2017, 08:11"), "{meta}");
    assert!(!meta.contains("07:11:57"), "{meta}");
    let times = select(&article, ".meta-line time");
    assert_eq!(
        times[0].value().attr("datetime"),
        Some("2017-07-15T07:11:57.000Z")
    );

    let (_, front) = app.get_html("/").await;
    let listed = select(&front, "main time");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].text().collect::<String>(), "15 July 2017, 08:11");
    assert_eq!(
        listed[0].value().attr("datetime"),
        Some("2017-07-15T07:11:57.000Z")
    );
}

// --- The desk ---------------------------------------------------------------------------------

#[actix_web::test]
async fn the_desk_types_and_shows_times_on_the_site_s_clocks_naming_them() {
    let (app, editor) = london_desk().await;

    let response = send(
        &editor,
        "/desk/stories/new",
        "save",
        &[("embargo", "2030-07-01T14:00")],
    )
    .await;
    let path = saved_path(&response);

    assert_eq!(
        story(&app).content.embargo,
        Some(datetime!(2030-07-01 13:00 UTC)),
        "14:00 in London in summer is 13:00 UTC"
    );
    let (_, form) = editor.get_html(&path).await;
    assert_eq!(
        input_value(&form, "embargo").as_deref(),
        Some("2030-07-01T14:00")
    );
    let label = text_of(&form, "label[for='embargo']").unwrap_or_default();
    assert!(label.contains("Europe/London"), "{label}");

    // The message refusing to publish it and the field agree, the zone named.
    let response = send(
        &editor,
        &path,
        "publish",
        &[("embargo", "2030-07-01T14:00")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = page_of(response).await;
    let error = text_of(&page, "#embargo-error").unwrap_or_default();
    assert!(
        error.contains("Embargoed until 1 July 2030, 14:00 (Europe/London)"),
        "{error}"
    );
    assert_eq!(
        input_value(&page, "embargo").as_deref(),
        Some("2030-07-01T14:00")
    );

    // The list says the story is embargoed, and until when.
    let (_, list) = editor.get_html("/desk").await;
    let status = text_of(&list, "tbody tr td[data-label='Status']").unwrap_or_default();
    assert!(
        status.contains("Embargoed until 1 July 2030, 14:00"),
        "{status}"
    );
    let page_text = text_of(&list, "main").unwrap_or_default();
    assert!(
        page_text.contains("Europe/London"),
        "the list names its zone"
    );
}

#[actix_web::test]
async fn a_time_the_clocks_skip_is_refused_on_the_field_with_the_form_kept() {
    let (app, editor) = london_desk().await;

    // On 31 March 2030 London's clocks go from 01:00 straight to 02:00.
    let response = send(
        &editor,
        "/desk/stories/new",
        "save",
        &[("embargo", "2030-03-31T01:30")],
    )
    .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = page_of(response).await;
    let error = text_of(&page, "#embargo-error").unwrap_or_default();
    assert!(
        error.contains("does not exist in Europe/London") && error.contains("from 01:00 to 02:00"),
        "{error}"
    );
    assert_eq!(
        input_value(&page, "embargo").as_deref(),
        Some("2030-03-31T01:30")
    );
    assert_eq!(input_value(&page, "headline").as_deref(), Some("Talks end"));
    let slug = Slug::parse("talks-end").expect("slug");
    assert!(app.store.story_by_slug(&slug).expect("read").is_none());
}

#[actix_web::test]
async fn a_time_the_clocks_show_twice_is_asked_about_and_the_moment_chosen_is_kept() {
    let (app, editor) = london_desk().await;

    // On 27 October 2030 London's clocks show 01:00 to 02:00 twice: BST, then GMT.
    let response = send(
        &editor,
        "/desk/stories/new",
        "save",
        &[("embargo", "2030-10-27T01:30")],
    )
    .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = page_of(response).await;
    let error = text_of(&page, "#embargo-error").unwrap_or_default();
    assert!(error.contains("happens twice"), "{error}");
    assert_eq!(
        input_value(&page, "embargo").as_deref(),
        Some("2030-10-27T01:30")
    );
    let choices = select(&page, "input[type='radio'][name='embargo_offset']");
    assert_eq!(choices.len(), 2, "one choice per moment");
    assert!(choices.iter().all(|c| c.value().attr("required").is_some()));
    assert!(choices.iter().all(|c| c.value().attr("checked").is_none()));
    let question = text_of(&page, ".offset-question").unwrap_or_default();
    assert!(
        question.contains("01:30 BST (+01:00)") && question.contains("01:30 GMT (+00:00)"),
        "{question}"
    );
    let slug = Slug::parse("talks-end").expect("slug");
    assert!(app.store.story_by_slug(&slug).expect("read").is_none());

    // The second moment chosen: 01:30 GMT, which is 01:30 UTC.
    let gmt = choices[1]
        .value()
        .attr("value")
        .expect("a value")
        .to_owned();
    let response = send(
        &editor,
        "/desk/stories/new",
        "save",
        &[("embargo", "2030-10-27T01:30"), ("embargo_offset", &gmt)],
    )
    .await;
    let path = saved_path(&response);
    assert_eq!(
        story(&app).content.embargo,
        Some(datetime!(2030-10-27 01:30 UTC))
    );

    // Shown again, the form says which moment it is.
    let (_, form) = editor.get_html(&path).await;
    let checked = select(&form, "input[type='radio'][name='embargo_offset'][checked]");
    assert_eq!(checked.len(), 1);
    assert_eq!(checked[0].value().attr("value"), Some(gmt.as_str()));
}

// --- Dates out of range -----------------------------------------------------------------------

#[actix_web::test]
async fn dates_outside_the_years_1900_to_9999_are_refused_on_their_fields() {
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let editor = app.login("zhang.dan", PASSWORD).await;

    for (field, typed) in [
        ("embargo", "0000-07-15T07:11"),
        ("embargo", "-0001-07-15T07:11"),
        ("embargo", "1899-12-31T23:59"),
        ("filed_at", "0026-07-15 07:11:57"),
        ("schedule_at", "0000-01-01T00:00"),
    ] {
        let action = if field == "schedule_at" {
            "schedule"
        } else {
            "save"
        };
        let response = send(&editor, "/desk/stories/new", action, &[(field, typed)]).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field} {typed}"
        );
        let page = page_of(response).await;
        let error = text_of(&page, &format!("#{field}-error")).unwrap_or_default();
        assert!(
            error.contains("from the year 1900 to 9999"),
            "{field} {typed}: {error}"
        );
        assert_eq!(input_value(&page, field).as_deref(), Some(typed));
    }
    let slug = Slug::parse("talks-end").expect("slug");
    assert!(app.store.story_by_slug(&slug).expect("read").is_none());

    let (status, list) = editor.get_html("/desk?from=0000-01-01").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let error = text_of(&list, "#from-error").unwrap_or_default();
    assert!(error.contains("1900"), "{error}");
}

// --- Wire copy --------------------------------------------------------------------------------

#[actix_web::test]
async fn wire_copy_is_read_on_its_agency_s_clocks() {
    let site = TestSite::new();
    let mut command = newsroom(&site);
    command
        .args(["import-wire", "--time-zone", "Asia/Shanghai"])
        .arg(fixture("wire-story-syria-talks.txt"));
    let import = run(command);
    assert!(import.status.success(), "import failed: {}", import.stderr);
    let app = TestApp::spawn_in(site, |settings| {
        settings.time_zone = SiteZone::parse("Asia/Shanghai").expect("a zone");
    })
    .await;

    // Xinhua's 2017-07-15 07:11:57 is Beijing time: 23:11:57 UTC the day before.
    let slug =
        Slug::parse("latest-peace-talks-on-syria-end-without-major-breakthrough").expect("slug");
    let story = app
        .store
        .story_by_slug(&slug)
        .expect("read")
        .expect("imported");
    assert_eq!(story.published_at, Some(datetime!(2017-07-14 23:11:57 UTC)));
    let (status, article) = app
        .get_html("/2017/07/14/latest-peace-talks-on-syria-end-without-major-breakthrough")
        .await;
    assert_eq!(status, StatusCode::OK);
    let meta = text_of(&article, ".meta-line").unwrap_or_default();
    assert!(meta.contains("15 July 2017, 07:11"), "{meta}");
}

#[test]
fn a_wire_zone_that_is_not_an_iana_name_is_refused_before_anything_is_imported() {
    let site = TestSite::new();
    let mut command = newsroom(&site);
    command
        .args(["import-wire", "--time-zone", "Beijing"])
        .arg(fixture("wire-story-syria-talks.txt"));
    let import = run(command);
    assert!(!import.status.success());
    assert!(import.stderr.contains("Beijing"), "{}", import.stderr);
}

// --- Markup -----------------------------------------------------------------------------------

/// The pages this zone adds to, as the HTML checker gets them (scripts/check-markup): the story
/// form asking which of a repeated hour's moments is meant, and the list of stories with an
/// embargoed one.
#[actix_web::test]
async fn the_time_zone_pages_render_for_the_checkers() {
    let (_app, editor) = london_desk().await;
    let asked = send(
        &editor,
        "/desk/stories/new",
        "save",
        &[("embargo", "2030-10-27T01:30")],
    )
    .await;
    assert_eq!(asked.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let asked = asked.text().await.expect("body");
    assert!(asked.contains("offset-question"));
    send(
        &editor,
        "/desk/stories/new",
        "save",
        &[("embargo", "2030-07-01T14:00")],
    )
    .await;
    let list = editor.get("/desk").await.text().await.expect("body");
    assert!(list.contains("Embargoed until"));
    if let Some(dir) = std::env::var_os("NEWSROOM_MARKUP_DIR") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("markup dir");
        std::fs::write(dir.join("story-form-repeated-hour.html"), asked).expect("write");
        std::fs::write(dir.join("desk-list-embargoed.html"), list).expect("write");
    }
}
