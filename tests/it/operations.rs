//! What operators and load balancers need: `/healthz`, `/readyz`, a stop that drains first,
//! and logs a shipper reads.

use crate::helpers::{ServerProcess, TestApp, TestSite, header};
use reqwest::StatusCode;
use std::time::{Duration, Instant};

#[actix_web::test]
async fn a_running_server_is_healthy_and_ready() {
    let app = TestApp::spawn().await;
    for (path, body) in [("/healthz", "ok"), ("/readyz", "ready")] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            header(response.headers(), reqwest::header::CACHE_CONTROL).as_deref(),
            Some("no-store"),
            "{path} is never cached"
        );
        assert_eq!(response.text().await.unwrap(), body);
    }
}

#[actix_web::test]
async fn a_stopping_server_says_it_is_not_ready_while_it_still_serves_then_stops() {
    let site = TestSite::new();
    let log = site.path().join("serve.log");
    let mut server = ServerProcess::start_with(&site, log, &["--drain-seconds", "5"]).await;
    assert_eq!(server.get("/readyz").await.status(), StatusCode::OK);

    server.terminate();

    // Polled rather than timed: the drain begins when the signal is handled.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let ready = server.get("/readyz").await.status();
        if ready == StatusCode::SERVICE_UNAVAILABLE {
            break;
        }
        assert_eq!(ready, StatusCode::OK);
        assert!(
            Instant::now() < deadline,
            "never drained:\n{}",
            server.log()
        );
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        server.get("/").await.status(),
        StatusCode::OK,
        "pages still served"
    );
    assert_eq!(server.get("/healthz").await.status(), StatusCode::OK);
    assert!(!server.has_exited(), "it drains before it stops");
    let stopped = server.wait_for_exit().await;
    assert!(stopped.success(), "{stopped}: {}", server.log());
}

#[actix_web::test]
async fn json_logs_are_one_object_a_line_with_the_request_in_it() {
    let site = TestSite::new();
    let log = site.path().join("serve.log");
    let mut server = ServerProcess::start_with(&site, log, &["--log-format", "json"]).await;
    assert_eq!(server.get("/section/world").await.status(), StatusCode::OK);
    server.stop().await;

    let lines: Vec<serde_json::Value> = server
        .log()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let request = lines
        .iter()
        .find(|l| l["span"]["http.target"] == "/section/world")
        .unwrap_or_else(|| panic!("no line for the request: {lines:?}"));
    assert_eq!(request["span"]["http.status_code"], 200);
    assert_eq!(request["span"]["http.client_ip"], "127.0.0.1");
    assert!(request["timestamp"].is_string() && request["level"] == "INFO");
}

#[actix_web::test]
async fn metrics_are_served_on_their_own_address_counting_requests_and_the_page_cache() {
    let site = TestSite::new();
    let metrics_port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let bind = format!("127.0.0.1:{metrics_port}");
    let log = site.path().join("serve.log");
    let mut server = ServerProcess::start_with(&site, log, &["--metrics-bind", &bind]).await;
    for _ in 0..3 {
        assert_eq!(server.get("/section/world").await.status(), StatusCode::OK);
    }
    assert_eq!(
        server.get("/no/such/page").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        server.get("/metrics").await.status(),
        StatusCode::NOT_FOUND,
        "not on the site's address"
    );

    let text = reqwest::get(format!("http://{bind}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    server.stop().await;

    let count = |needle: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(needle))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {needle} in:\n{text}"))
    };
    assert_eq!(
        count(r#"newsroom_http_requests_total{route="/section/{section}",status="200"}"#)
            + count(r#"newsroom_http_requests_total{route="(page cache)",status="200"}"#),
        3.0
    );
    // The section rendered once, and the two addresses that name no page.
    assert_eq!(count("newsroom_page_cache_misses_total"), 3.0);
    assert_eq!(count("newsroom_page_cache_hits_total"), 2.0);
    assert!(text.contains(r#"status="404""#), "{text}");
    assert!(
        text.contains("newsroom_http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(
        text.contains("newsroom_story_save_duration_seconds"),
        "{text}"
    );
    assert!(text.contains("newsroom_scheduler_lag_seconds"), "{text}");
    if site.engine() == crate::helpers::Engine::Postgres {
        assert!(count("newsroom_db_pool_connections") >= 1.0, "{text}");
    }
}
