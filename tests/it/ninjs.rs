//! The JSON API: published stories as IPTC ninjs 2.2, every document checked against the
//! official schema.

use crate::helpers::{StoryBuilder, TestApp, fixture};
use newsroom::domain::{
    AltText, Caption, Credit, Dateline, LeadPhoto, PhotoId, Standfirst, Status, Story,
};
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::HashSet;
use std::sync::LazyLock;
use time::{Duration, OffsetDateTime};

static SCHEMA: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let text = std::fs::read_to_string(fixture("ninjs/ninjs-schema_2.2.json")).expect("schema");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    // The schema refers to GeoJSON for `places`; Newsroom writes no places, and tests must not
    // fetch anything from the network, so that reference resolves to an empty schema.
    let registry = jsonschema::Registry::new()
        .add(
            "https://geojson.org/schema/GeoJSON.json",
            jsonschema::Resource::from_contents(serde_json::json!({})),
        )
        .expect("registry")
        .prepare()
        .expect("registry");
    jsonschema::options()
        .with_registry(&registry)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the ninjs schema compiles")
});

/// Fails the test with every schema violation of `doc`.
pub fn assert_valid_ninjs(doc: &Value) {
    let errors: Vec<String> = SCHEMA
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "not valid ninjs 2.2: {errors:#?}\n{doc:#}"
    );
}

async fn get_json(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let response = app.get(path).await;
    let status = response.status();
    let content_type = crate::helpers::header(response.headers(), reqwest::header::CONTENT_TYPE)
        .unwrap_or_default();
    assert!(
        content_type.starts_with("application/json"),
        "{path}: content type {content_type:?}"
    );
    (status, response.json().await.expect("a JSON body"))
}

fn a_full_story(headline: &str) -> StoryBuilder {
    StoryBuilder::new(headline)
        .section("business")
        .body("First *page* of it.\n\n<!--nextpage-->\n\nSecond page & more.")
        .with(|s| {
            s.content.standfirst = Some(Standfirst::parse("What happened, briefly").unwrap());
            s.content.dateline =
                Some(Dateline::parse("GENEVA, July 14 (Xinhua)", s.created_at.date()).unwrap());
            s.content.photo = Some(LeadPhoto {
                image: Some(PhotoId::new()),
                caption: Caption::parse("The envoy at the lectern").unwrap(),
                credit: Some(Credit::parse("Xinhua/Xu Jinquan").unwrap()),
                alt: Some(AltText::parse("A man speaking").unwrap()),
            });
        })
        .published_at(OffsetDateTime::now_utc() - Duration::hours(1))
}

#[actix_web::test]
async fn a_published_story_is_a_valid_ninjs_document_at_a_stable_url() {
    let app = TestApp::spawn().await;
    let story = a_full_story("Talks end without a breakthrough").save(&app);

    let (status, doc) = get_json(&app, &format!("/api/v1/stories/{}", story.id)).await;

    assert_eq!(status, StatusCode::OK);
    assert_valid_ninjs(&doc);
    assert_eq!(
        doc["uri"],
        format!("http://127.0.0.1:8080/api/v1/stories/{}", story.id)
    );
    assert_eq!(doc["type"], "text");
    assert_eq!(doc["version"], story.revision.to_string());
    assert_eq!(doc["pubstatus"], "usable");
    assert_eq!(doc["language"], "en");
    assert_eq!(
        doc["headlines"][0]["value"],
        "Talks end without a breakthrough"
    );
    assert_eq!(doc["descriptions"][0]["value"], "What happened, briefly");
    assert_eq!(doc["by"], "Test Writer");
    assert_eq!(doc["located"], "GENEVA, July 14 (Xinhua)");
    assert_eq!(doc["subjects"][0]["name"], "Business");
    assert!(
        doc["copyrightnotice"]
            .as_str()
            .unwrap()
            .contains("Newsroom")
    );
    let html = doc["bodies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["contenttype"] == "text/html")
        .expect("an HTML body");
    let html = html["value"].as_str().unwrap();
    assert!(html.contains("<em>page</em>"), "{html}");
    assert!(html.contains("Second page &amp; more."), "{html}");
    assert!(!html.contains("nextpage"), "{html}");
    let photo = &doc["associations"][0];
    assert_eq!(photo["type"], "picture");
    assert_eq!(
        photo["descriptions"][0]["value"],
        "The envoy at the lectern"
    );
    assert_eq!(photo["by"], "Xinhua/Xu Jinquan");
    let href = photo["renditions"][0]["href"].as_str().unwrap();
    let image = story.content.photo.as_ref().unwrap().image.unwrap();
    assert_eq!(
        href,
        format!("http://127.0.0.1:8080{}", newsroom::urls::photo(image))
    );
}

#[actix_web::test]
async fn hostile_text_comes_through_as_text() {
    let app = TestApp::spawn().await;
    let hostile = "Tom & Jerry <script>alert(1)</script> ]]> \"quoted\"";
    let story = StoryBuilder::new(hostile)
        .body("A body with <b onclick=x>markup</b> & ]]> in it.")
        .published_at(OffsetDateTime::now_utc())
        .save(&app);

    let (status, doc) = get_json(&app, &format!("/api/v1/stories/{}", story.id)).await;

    assert_eq!(status, StatusCode::OK);
    assert_valid_ninjs(&doc);
    assert_eq!(doc["headlines"][0]["value"], hostile);
    let html = doc["bodies"][0]["value"].as_str().unwrap();
    assert!(!html.contains("<b"), "{html}");
    assert!(
        !html.contains("onclick") && html.contains("markup"),
        "{html}"
    );
}

#[actix_web::test]
async fn stories_readers_cannot_see_are_json_404s() {
    let app = TestApp::spawn().await;
    let draft = StoryBuilder::new("A draft").save(&app);
    let scheduled = StoryBuilder::new("Later")
        .status(Status::Scheduled(
            OffsetDateTime::now_utc() + Duration::days(1),
        ))
        .save(&app);
    let unpublished = StoryBuilder::new("Withdrawn")
        .published_at(OffsetDateTime::now_utc())
        .status(Status::Unpublished)
        .save(&app);

    for path in [
        format!("/api/v1/stories/{}", draft.id),
        format!("/api/v1/stories/{}", scheduled.id),
        format!("/api/v1/stories/{}", unpublished.id),
        format!("/api/v1/stories/{}", newsroom::domain::StoryId::new()),
        "/api/v1/stories/not-an-id".to_owned(),
        "/api/v1/nothing-here".to_owned(),
        "/api/v2/stories".to_owned(),
    ] {
        let (status, body) = get_json(&app, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(body["error"].is_string(), "{path}: {body}");
    }
    let (_, list) = get_json(&app, "/api/v1/stories").await;
    assert_eq!(list["items"], serde_json::json!([]));
    assert_eq!(list["next"], Value::Null);
}

#[actix_web::test]
async fn malformed_list_parameters_are_json_400s() {
    let app = TestApp::spawn().await;
    for query in [
        "limit=0",
        "limit=101",
        "limit=ten",
        "limit=-1",
        "cursor=nonsense",
        "cursor=123-notanid",
        "cursor=%3Cscript%3E",
    ] {
        let path = format!("/api/v1/stories?{query}");
        let (status, body) = get_json(&app, &path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        let message = body["error"].as_str().expect("an error message");
        assert!(
            message.starts_with("limit") || message.starts_with("cursor"),
            "{path}: {message}"
        );
    }
}

#[actix_web::test]
async fn a_cursor_altered_or_made_up_without_the_site_s_key_is_a_json_400() {
    let app = TestApp::spawn().await;
    let now = OffsetDateTime::now_utc();
    let stories: Vec<_> = (0..3)
        .map(|n| {
            StoryBuilder::new(&format!("Story {n}"))
                .published_at(now - Duration::minutes(n))
                .save(&app)
        })
        .collect();
    let (_, first) = get_json(&app, "/api/v1/stories?limit=1").await;
    let next = first["next"].as_str().expect("a next page").to_owned();
    let token = next.rsplit("cursor=").next().expect("a cursor").to_owned();
    let (status, _) = get_json(&app, &format!("/api/v1/stories?limit=1&cursor={token}")).await;
    assert_eq!(status, StatusCode::OK, "the cursor handed out works");

    // One digit of the position changed; the same position signed with another key.
    let mut altered = token.clone().into_bytes();
    let last = altered.len() - 1;
    altered[last] = if altered[last] == b'0' { b'1' } else { b'0' };
    let altered = String::from_utf8(altered).unwrap();
    let made_up = newsroom::storage::Cursor::after(&stories[2].summary())
        .expect("published")
        .token(&newsroom::domain::SiteKey::new(b"a guess at the key"));
    for bad in [altered, made_up] {
        let (status, body) = get_json(&app, &format!("/api/v1/stories?limit=1&cursor={bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(
            body["error"].as_str().unwrap().starts_with("cursor"),
            "{body}"
        );
    }
}

/// Follows `next` links from `first` to the end, returning every story's headline in order.
async fn page_through(app: &TestApp, first: &str) -> Vec<String> {
    let mut headlines = Vec::new();
    let mut next = Some(first.to_owned());
    while let Some(url) = next {
        // Links are absolute on the configured base URL, not the test server's address.
        let path = url.replacen("http://127.0.0.1:8080", "", 1);
        let (status, page) = get_json(app, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        for item in page["items"].as_array().unwrap() {
            assert_valid_ninjs(item);
            headlines.push(item["headlines"][0]["value"].as_str().unwrap().to_owned());
        }
        next = page["next"].as_str().map(str::to_owned);
    }
    headlines
}

fn publish_stories(app: &TestApp, count: usize, hours_ago_start: i64) -> Vec<Story> {
    let now = OffsetDateTime::now_utc();
    (0..count)
        .map(|n| {
            StoryBuilder::new(&format!("Story {n}"))
                .published_at(now - Duration::hours(hours_ago_start + n as i64))
                .save(app)
        })
        .collect()
}

#[actix_web::test]
async fn the_list_pages_through_published_stories_newest_first() {
    let app = TestApp::spawn().await;
    publish_stories(&app, 5, 10);
    StoryBuilder::new("Not yet").save(&app);

    let headlines = page_through(&app, "/api/v1/stories?limit=2").await;

    assert_eq!(
        headlines,
        ["Story 0", "Story 1", "Story 2", "Story 3", "Story 4"]
    );
}

#[actix_web::test]
async fn stories_published_while_a_client_pages_neither_repeat_nor_push_older_ones_along() {
    let app = TestApp::spawn().await;
    publish_stories(&app, 6, 10);
    let (_, first) = get_json(&app, "/api/v1/stories?limit=2").await;
    let next = first["next"].as_str().expect("a next link").to_owned();
    // Three new stories arrive after the client got its first page.
    for n in 0..3 {
        StoryBuilder::new(&format!("Breaking {n}"))
            .published_at(OffsetDateTime::now_utc() - Duration::minutes(n))
            .save(&app);
    }

    let rest = page_through(&app, &next.replacen("http://127.0.0.1:8080", "", 1)).await;

    assert_eq!(rest, ["Story 2", "Story 3", "Story 4", "Story 5"]);
    let unique: HashSet<&String> = rest.iter().collect();
    assert_eq!(unique.len(), rest.len());
}

#[actix_web::test]
async fn stories_published_in_the_same_second_all_appear_once() {
    let app = TestApp::spawn().await;
    let at = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() - Duration::hours(2);
    for n in 0..7 {
        StoryBuilder::new(&format!("Same second {n}"))
            .published_at(at)
            .save(&app);
    }

    let headlines = page_through(&app, "/api/v1/stories?limit=3").await;

    assert_eq!(headlines.len(), 7);
    let unique: HashSet<&String> = headlines.iter().collect();
    assert_eq!(unique.len(), 7);
}

#[test]
fn the_schema_check_refuses_what_ninjs_does_not_allow() {
    for bad in [
        serde_json::json!({"type": "text"}),
        serde_json::json!({"uri": "http://x.example/1", "type": "story"}),
        serde_json::json!({"uri": "http://x.example/1", "headline": "no such property"}),
        serde_json::json!({"uri": "http://x.example/1", "versioncreated": "yesterday"}),
    ] {
        assert!(!SCHEMA.is_valid(&bad), "{bad} was accepted");
    }
    let example = std::fs::read_to_string(fixture("ninjs/005_complex_text_article.json")).unwrap();
    assert_valid_ninjs(&serde_json::from_str(&example).unwrap());
}

#[actix_web::test]
async fn api_answers_are_revalidated_and_change_when_a_story_does() {
    let app = TestApp::spawn().await;
    let mut story = StoryBuilder::new("First version")
        .published_at(OffsetDateTime::now_utc())
        .save(&app);
    let path = format!("/api/v1/stories/{}", story.id);
    let first = app.get(&path).await;
    let etag = first
        .headers()
        .get(reqwest::header::ETAG)
        .expect("an ETag")
        .to_str()
        .unwrap()
        .to_owned();

    let again = app
        .client
        .get(app.url(&path))
        .header(reqwest::header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    story.content.headline = newsroom::domain::Headline::parse("Second version").unwrap();
    app.store.save_story(&story, Some(story.revision)).unwrap();
    let changed = app
        .client
        .get(app.url(&path))
        .header(reqwest::header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    let doc: Value = changed.json().await.unwrap();
    assert_eq!(doc["headlines"][0]["value"], "Second version");
    assert_eq!(doc["version"], "2");
}
