//! A rolling restart of two servers on one PostgreSQL database behind nginx, under reader load:
//! no reader sees an error. Needs PostgreSQL and Debian's nginx (`scripts/test` installs it);
//! runs in the first pass only.

use crate::helpers::{Engine, ServerProcess, StoryBuilder, TestSite, runs_once};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long nginx leaves out a server it saw fail (`fail_timeout`), so a restarted server gets
/// requests again only this long after it stopped.
const FAIL_TIMEOUT: Duration = Duration::from_secs(2);

fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap().port()
}

/// nginx in front of `upstreams`, as docs/deploying.md sets it up, on a port of its own.
struct Nginx {
    child: Child,
    port: u16,
}

impl Nginx {
    fn start(dir: &Path, upstreams: &[u16]) -> Nginx {
        let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("nginx is installed (apt-get install nginx; scripts/test does)");
        let port = free_port();
        let servers: String = upstreams
            .iter()
            .map(|p| {
                let fail_timeout = FAIL_TIMEOUT.as_secs();
                format!("server 127.0.0.1:{p} max_fails=1 fail_timeout={fail_timeout}s;\n")
            })
            .collect();
        let dir = dir.display();
        let conf = format!(
            "daemon off;\nworker_processes 1;\npid {dir}/nginx.pid;\nerror_log {dir}/nginx-error.log;\n\
             events {{ worker_connections 1024; }}\n\
             http {{\n  access_log off;\n\
               client_body_temp_path {dir}; proxy_temp_path {dir}; fastcgi_temp_path {dir};\n\
               uwsgi_temp_path {dir}; scgi_temp_path {dir};\n\
               upstream newsroom {{\n{servers} keepalive 16;\n }}\n\
               server {{\n  listen 127.0.0.1:{port};\n  location / {{\n\
                 proxy_pass http://newsroom;\n proxy_http_version 1.1;\n\
                 proxy_set_header Connection \"\";\n proxy_set_header Host $host;\n\
                 proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n\
                 proxy_next_upstream error timeout http_502 http_503;\n }}\n }}\n}}\n"
        );
        let file = format!("{dir}/nginx.conf");
        std::fs::write(&file, conf).unwrap();
        let child = Command::new(nginx)
            .args(["-c", &file, "-p", &dir.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        Nginx { child, port }
    }
}

impl Drop for Nginx {
    /// SIGTERM, so that the master stops its workers too (SIGKILL would leave them running).
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        if Command::new("kill").args(["-TERM", &pid]).status().is_err() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

async fn serve_on(site: &TestSite, port: u16, name: &str) -> ServerProcess {
    let log = site.path().join(format!("{name}.log"));
    let bind = format!("127.0.0.1:{port}");
    ServerProcess::start_with(site, log, &["--bind", &bind, "--drain-seconds", "1"]).await
}

/// Stops `server` as systemd would, starts it again on its port, and waits as an operator does
/// before the next server: until it is ready and nginx, which saw it fail as it stopped, sends
/// it requests again. Stopping the next one sooner leaves nginx no server to send to.
async fn restart(site: &TestSite, server: &mut ServerProcess, port: u16, name: &str) {
    let stopped = server.stop().await;
    let stopped_at = Instant::now();
    assert!(stopped.success(), "{name} stopped with {stopped}");
    *server = serve_on(site, port, name).await;
    assert_eq!(server.get("/readyz").await.status(), 200);
    let back = stopped_at + FAIL_TIMEOUT + Duration::from_millis(200);
    actix_web::rt::time::sleep(back.saturating_duration_since(Instant::now())).await;
}

#[actix_web::test]
async fn a_rolling_restart_behind_nginx_under_reader_load_drops_no_request() {
    if !runs_once("rolling_restart") {
        return;
    }
    let site = TestSite::on(Engine::Postgres);
    let story = StoryBuilder::new("Talks resume in Geneva")
        .published_at(time::OffsetDateTime::now_utc() - time::Duration::hours(1))
        .into_story();
    site.open().save_story(&story, None).expect("save");
    let (port_a, port_b) = (free_port(), free_port());
    let mut a = serve_on(&site, port_a, "a").await;
    let mut b = serve_on(&site, port_b, "b").await;
    let nginx = Nginx::start(site.path(), &[port_a, port_b]);
    let front = format!("http://127.0.0.1:{}/", nginx.port);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !reqwest::get(&front)
        .await
        .is_ok_and(|r| r.status() == reqwest::StatusCode::OK)
    {
        assert!(Instant::now() < deadline, "nginx never answered");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }

    let reading = Arc::new(AtomicBool::new(true));
    let readers: Vec<_> = (0..8)
        .map(|_| {
            let (front, reading) = (front.clone(), reading.clone());
            actix_web::rt::spawn(async move {
                let client = reqwest::Client::new();
                let (mut served, mut failed) = (0u32, Vec::new());
                while reading.load(Ordering::Relaxed) {
                    match client.get(&front).send().await {
                        Ok(r) if r.status() == 200 => served += 1,
                        Ok(r) => failed.push(r.status().to_string()),
                        Err(e) => failed.push(e.to_string()),
                    }
                }
                (served, failed)
            })
        })
        .collect();

    restart(&site, &mut a, port_a, "a").await;
    restart(&site, &mut b, port_b, "b").await;
    reading.store(false, Ordering::Relaxed);

    let (mut served, mut failed) = (0, Vec::new());
    for reader in readers {
        let (s, f) = reader.await.unwrap();
        served += s;
        failed.extend(f);
    }
    assert!(served > 100, "readers were served: {served}");
    assert!(
        failed.is_empty(),
        "{} of {} failed: {failed:?}",
        failed.len(),
        served
    );
}
