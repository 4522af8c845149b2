//! Many readers and a few editors at once against one server on loopback, for half a minute
//! (`NEWSROOM_LOAD_SECONDS` sets another length for a longer soak): nothing fails and no
//! acknowledged save goes missing. Latency is reported, not asserted (it depends on the
//! machine and on what else runs).

use crate::helpers::{StoryBuilder, TestApp, runs_once};
use crate::story_posts::StoryPost;
use newsroom::domain::Role;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

const READERS: usize = 64;
const EDITORS: usize = 4;
/// Long enough for tens of thousands of reads and hundreds of saves; the suite's other tests
/// share the machine's cores with it meanwhile.
const RUN_FOR: Duration = Duration::from_secs(30);
const PASSWORD: &str = "correct horse battery staple";

#[actix_web::test]
async fn sixty_four_readers_and_four_editors_at_once_get_no_errors_and_lose_no_save() {
    if !runs_once("sixty_four_readers_and_four_editors_at_once_get_no_errors_and_lose_no_save") {
        return;
    }
    let app = TestApp::spawn_with(|s| s.per_page = 10).await;
    let now = OffsetDateTime::now_utc();
    let mut article_paths = Vec::new();
    for n in 0..40 {
        let story = StoryBuilder::new(&format!("Story number {n} of the load test"))
            .body("First page.\n\n<!--nextpage-->\n\nSecond page.\n\n<!--nextpage-->\n\nThird.")
            .published_at(now - time::Duration::minutes(n))
            .save(&app);
        let published = story.published_at.expect("published");
        article_paths.push(newsroom::urls::article(published, &story.content.slug, 1));
    }
    let mut reader_paths = vec![
        "/".to_owned(),
        "/page/2".to_owned(),
        "/section/world".to_owned(),
    ];
    for path in article_paths.iter().take(10) {
        reader_paths.push(path.clone());
        reader_paths.push(format!("{path}/page/3"));
    }

    let mut editors = Vec::new();
    for n in 0..EDITORS {
        let name = format!("editor.{n}");
        app.create_user(&name, Role::Editor, PASSWORD);
        editors.push(app.login(&name, PASSWORD).await);
    }

    let started = Instant::now();
    let run_for = std::env::var("NEWSROOM_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(RUN_FOR, Duration::from_secs);
    let deadline = started + run_for;
    let mut readers = Vec::new();
    for n in 0..READERS {
        let browser = app.browser();
        let paths = reader_paths.clone();
        readers.push(actix_web::rt::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = Vec::new();
            let mut i = n;
            while Instant::now() < deadline {
                let path = &paths[i % paths.len()];
                i += 1;
                let sent = Instant::now();
                let response = browser.get(path).await;
                let status = response.status();
                let body = response.bytes().await;
                latencies.push(sent.elapsed());
                if status != 200 || body.is_err() {
                    errors.push(format!("GET {path}: {status}"));
                }
            }
            (latencies, errors)
        }));
    }
    let mut writers = Vec::new();
    for (n, editor) in editors.into_iter().enumerate() {
        writers.push(actix_web::rt::spawn(async move {
            let csrf = editor.csrf("/desk/stories/new").await;
            let headline = format!("Running story of editor {n}");
            let first = StoryPost {
                headline: &headline,
                body: "Version 0.",
                revision: None,
            };
            let id = match editor.save_story(&csrf, None, &first).await {
                Ok(saved) => saved.id,
                Err(e) => return (String::new(), Vec::new(), vec![format!("create: {e:?}")]),
            };
            let mut acknowledged = vec![(1_u64, "Version 0.".to_owned())];
            let mut latencies = Vec::new();
            let mut errors = Vec::new();
            let mut version = 1;
            while Instant::now() < deadline {
                let revision = acknowledged.last().map_or(1, |(r, _)| *r);
                let body = format!("Version {version}.");
                let post = StoryPost {
                    headline: &headline,
                    body: &body,
                    revision: Some(revision),
                };
                let sent = Instant::now();
                match editor.save_story(&csrf, Some(&id), &post).await {
                    Ok(_) => acknowledged.push((revision + 1, body)),
                    Err((status, _)) => errors.push(format!("save {id}: {status}")),
                }
                latencies.push(sent.elapsed());
                version += 1;
            }
            (
                id,
                acknowledged,
                errors
                    .into_iter()
                    .chain(latencies_note(&latencies))
                    .collect(),
            )
        }));
    }

    let mut read_latencies = Vec::new();
    let mut errors = Vec::new();
    for reader in readers {
        let (latencies, mut failed) = reader.await.expect("a reader task");
        read_latencies.extend(latencies);
        errors.append(&mut failed);
    }
    let mut saves = 0;
    for writer in writers {
        let (id, acknowledged, notes) = writer.await.expect("an editor task");
        let (failed, timings): (Vec<_>, Vec<_>) =
            notes.into_iter().partition(|n| !n.starts_with("saves: "));
        errors.extend(failed);
        for timing in timings {
            println!("editor {id}: {timing}");
        }
        if id.is_empty() {
            continue;
        }
        let story_id = id.parse().expect("story id");
        for (revision, body) in &acknowledged {
            let stored = app
                .store
                .story_revision(story_id, *revision)
                .expect("read a revision")
                .unwrap_or_else(|| panic!("revision {revision} of {id} is lost"));
            assert_eq!(
                stored.content.body.as_str(),
                body,
                "revision {revision} of {id}"
            );
        }
        saves += acknowledged.len();
    }
    let elapsed = started.elapsed();

    read_latencies.sort();
    let (p50, p99) = (
        percentile(&read_latencies, 50),
        percentile(&read_latencies, 99),
    );
    println!(
        "load: {} reads ({:.0}/s), p50 {p50:?}, p99 {p99:?}; {saves} acknowledged saves in {elapsed:?}",
        read_latencies.len(),
        read_latencies.len() as f64 / elapsed.as_secs_f64(),
    );
    assert!(
        errors.is_empty(),
        "{} errors, first: {:?}",
        errors.len(),
        &errors[..errors.len().min(10)]
    );
    assert!(
        !read_latencies.is_empty() && saves > EDITORS,
        "the load ran"
    );
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

/// Latency of an editor's saves, as a note for the report.
fn latencies_note(latencies: &[Duration]) -> Option<String> {
    let mut sorted = latencies.to_vec();
    sorted.sort();
    (!sorted.is_empty()).then(|| {
        format!(
            "saves: {} saves, p50 {:?}, p99 {:?}",
            sorted.len(),
            percentile(&sorted, 50),
            percentile(&sorted, 99)
        )
    })
}
