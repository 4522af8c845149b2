//! The rendered-page cache as readers meet it: a page answered from the cache is the page the
//! server rendered, with the same headers, and a query string on a reader's page is not a page
//! of its own.

use crate::helpers::{StoryBuilder, TestApp, header};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, CONTENT_SECURITY_POLICY, ETAG};
use time::macros::datetime;

const ARTICLE: &str = "/2017/07/15/talks-end";

/// Every header but `Date`, which follows the clock, sorted by name.
fn headers_of(response: &reqwest::Response) -> Vec<(String, String)> {
    let mut headers: Vec<_> = response
        .headers()
        .iter()
        .filter(|(name, _)| *name != reqwest::header::DATE)
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_owned(), value)
        })
        .collect();
    headers.sort();
    headers
}

async fn request(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    accept: Option<&str>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path));
    if let Some(accept) = accept {
        request = request.header(ACCEPT_ENCODING, accept);
    }
    request.send().await.expect("request")
}

#[actix_web::test]
async fn a_page_answered_from_the_cache_carries_the_headers_it_was_rendered_with() {
    let app = TestApp::spawn().await;
    let codings = [
        None,
        Some("identity"),
        Some("gzip"),
        Some("br"),
        Some("gzip, deflate, br"),
        Some("deflate"),
    ];
    StoryBuilder::new("Talks end")
        .published_at(datetime!(2017-07-15 07:11:57 UTC))
        .save(&app);
    let mut round = 0;
    for path in ["/", ARTICLE, "/rss.xml"] {
        for method in [reqwest::Method::GET, reqwest::Method::HEAD] {
            for accept in codings {
                // A publish makes every page new: the first request renders it, the second
                // finds it in the cache.
                round += 1;
                StoryBuilder::new(&format!("Update {round}"))
                    .published_at(datetime!(2017-07-14 07:00:00 UTC))
                    .save(&app);
                // Last-Modified is sent once the second of the change is over: past it, both
                // answers carry it, however slowly they come.
                app.clock.advance(time::Duration::seconds(1));
                let rendered = request(&app, method.clone(), path, accept).await;
                let cached = request(&app, method.clone(), path, accept).await;
                let what = format!("{method} {path} with Accept-Encoding {accept:?}");
                assert_eq!(rendered.status(), StatusCode::OK, "{what}");
                assert_eq!(cached.status(), StatusCode::OK, "{what}");
                assert_eq!(headers_of(&rendered), headers_of(&cached), "{what}");
                assert!(
                    header(cached.headers(), CONTENT_SECURITY_POLICY).is_some(),
                    "{what}"
                );
                let rendered = rendered.bytes().await.expect("body");
                let cached = cached.bytes().await.expect("body");
                assert_eq!(rendered, cached, "{what}");
            }
        }
    }
}

#[actix_web::test]
async fn a_query_on_a_readers_page_gets_the_page_without_it() {
    let app = TestApp::spawn().await;
    StoryBuilder::new("Talks end")
        .published_at(datetime!(2017-07-15 07:11:57 UTC))
        .save(&app);
    for path in ["/", ARTICLE] {
        let plain = app.get(path).await;
        let tag = header(plain.headers(), ETAG).expect("an ETag");
        let plain = plain.bytes().await.expect("body");
        for query in ["?x=1", "?2", "?utm_source=newsletter&utm_medium=email"] {
            let with_query = app.get(&format!("{path}{query}")).await;
            assert_eq!(with_query.status(), StatusCode::OK, "{path}{query}");
            assert_eq!(
                header(with_query.headers(), ETAG).as_deref(),
                Some(tag.as_str()),
                "{path}{query}"
            );
            assert_eq!(
                with_query.bytes().await.expect("body"),
                plain,
                "{path}{query}"
            );
        }
    }
}
