//! Every command works while `newsroom serve` runs. sled admits one process to its directory,
//! so there the command runs in the server, through the control channel the server opens
//! beside the database; what it changes is visible on the running site at once.

use crate::helpers::{
    Browser, Finished, ServerProcess, TestSite, fixture, listed_headlines, newsroom, run,
    run_with_input, select,
};
use reqwest::StatusCode;
use scraper::Html;
use std::io::{BufRead, BufReader, Write};
use std::process::Command;

const PASSWORD: &str = "correct horse battery";
const WIRE: &str = "wire-story-syria-talks.txt";
const WIRE_HEADLINE: &str = "Latest peace talks on Syria end without major breakthrough";

async fn serve(site: &TestSite) -> ServerProcess {
    ServerProcess::start(site, site.path().join("serve.log")).await
}

fn newsroom_with(site: &TestSite, args: &[&str]) -> Command {
    let mut command = newsroom(site);
    command.args(args);
    command
}

/// Checks that a command ran to success through the running server, not refused by it.
fn worked(finished: &Finished) {
    assert!(
        finished.status.success(),
        "stdout: {}\nstderr: {}",
        finished.stdout,
        finished.stderr
    );
    assert!(
        !finished.stderr.contains("stop it first"),
        "{}",
        finished.stderr
    );
}

fn add_user(site: &TestSite, name: &str, role: &str, password: &str) -> Finished {
    run_with_input(
        newsroom_with(site, &["user", "add", name, "--role", role]),
        &format!("{password}\n"),
    )
}

async fn front_page(server: &ServerProcess) -> Html {
    let response = server.get("/").await;
    assert_eq!(response.status(), StatusCode::OK);
    Html::parse_document(&response.text().await.expect("body"))
}

/// The (who, action) of each row of the audit page, top to bottom.
async fn audit_rows(admin: &Browser) -> Vec<(String, String)> {
    let (status, page) = admin.get_html("/desk/audit").await;
    assert_eq!(status, StatusCode::OK);
    select(&page, "table.audit tbody tr")
        .iter()
        .map(|row| {
            let cell = |class: &str| {
                let selector = scraper::Selector::parse(&format!("td.{class}")).unwrap();
                row.select(&selector)
                    .next()
                    .map(|c| c.text().collect::<String>().trim().to_owned())
                    .unwrap_or_default()
            };
            (cell("actor"), cell("action"))
        })
        .collect()
}

/// The address and token in the control file of the server holding `site`'s data.
fn control_file(site: &TestSite) -> (String, String) {
    let file = site
        .data_dir()
        .expect("sled's data directory")
        .join("control");
    let contents = std::fs::read_to_string(file).expect("the control file");
    let mut lines = contents.lines();
    (
        lines.next().expect("address").to_owned(),
        lines.next().expect("token").to_owned(),
    )
}

#[actix_web::test]
async fn user_add_while_serving_makes_an_account_that_logs_in_at_once() {
    let site = TestSite::sled();
    let server = serve(&site).await;

    let added = add_user(&site, "boss", "admin", PASSWORD);

    worked(&added);
    assert_eq!(added.stdout, "created admin account boss (initials B)\n");
    let boss = Browser::new(&server.address);
    assert_eq!(
        boss.try_login("boss", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let rows = audit_rows(&boss).await;
    assert!(
        rows.iter()
            .any(|(who, action)| who == "command line" && action.contains("created")),
        "{rows:?}"
    );
    // The password was hashed by the command; neither it nor its hash reaches the server's log.
    let log = server.log();
    assert!(log.contains("user_add"), "{log}");
    assert!(!log.contains(PASSWORD), "{log}");
    assert!(!log.contains("$argon2id$"), "{log}");
}

#[actix_web::test]
async fn user_passwd_while_serving_ends_the_sessions_and_the_new_password_works_at_once() {
    let site = TestSite::sled();
    let server = serve(&site).await;
    worked(&add_user(&site, "boss", "admin", PASSWORD));
    let signed_in = Browser::new(&server.address);
    assert_eq!(
        signed_in.try_login("boss", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );

    let changed = run_with_input(
        newsroom_with(&site, &["user", "passwd", "boss"]),
        "a brand new passphrase\n",
    );

    worked(&changed);
    assert_eq!(
        changed.stdout,
        "changed the password of boss; 1 session ended\n"
    );
    assert_eq!(
        signed_in.get("/desk").await.status(),
        StatusCode::SEE_OTHER,
        "the session ended"
    );
    let again = Browser::new(&server.address);
    assert_eq!(
        again.try_login("boss", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        again
            .try_login("boss", "a brand new passphrase")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let log = server.log();
    assert!(!log.contains("a brand new passphrase"), "{log}");
}

#[actix_web::test]
async fn user_list_disable_and_enable_while_serving_take_effect_at_once() {
    let site = TestSite::sled();
    let server = serve(&site).await;
    worked(&add_user(&site, "boss", "admin", PASSWORD));
    worked(&add_user(&site, "ann", "writer", PASSWORD));
    let ann = Browser::new(&server.address);
    assert_eq!(
        ann.try_login("ann", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );

    let disabled = run(newsroom_with(&site, &["user", "disable", "ann"]));
    let listed = run(newsroom_with(&site, &["user", "list"]));

    worked(&disabled);
    assert_eq!(disabled.stdout, "disabled ann; 1 session ended\n");
    assert_eq!(ann.get("/desk").await.status(), StatusCode::SEE_OTHER);
    assert_ne!(
        Browser::new(&server.address)
            .try_login("ann", PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    worked(&listed);
    assert_eq!(
        listed.stdout,
        "USERNAME  ROLE    INITIALS  STATUS\n\
         ann       writer  A         disabled\n\
         boss      admin   B         active\n"
    );

    let enabled = run(newsroom_with(&site, &["user", "enable", "ann"]));

    worked(&enabled);
    assert_eq!(enabled.stdout, "enabled ann\n");
    assert_eq!(
        Browser::new(&server.address)
            .try_login("ann", PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let boss = Browser::new(&server.address);
    boss.try_login("boss", PASSWORD).await;
    let by_command_line = audit_rows(&boss)
        .await
        .into_iter()
        .filter(|(who, _)| who == "command line")
        .count();
    assert_eq!(by_command_line, 4, "two accounts, a disable, an enable");
}

#[actix_web::test]
async fn export_while_serving_gives_the_same_bytes_as_with_the_server_stopped() {
    let site = TestSite::sled();
    worked(&run(newsroom_with(
        &site,
        &["import-wire", fixture(WIRE).to_str().unwrap()],
    )));
    let mut server = serve(&site).await;
    let to_file = site.path().join("serving.jsonl");

    let to_stdout = run(newsroom_with(&site, &["export"]));
    let into_file = run(newsroom_with(&site, &["export", to_file.to_str().unwrap()]));

    worked(&to_stdout);
    worked(&into_file);
    assert_eq!(
        to_stdout.stderr,
        "exported 1 published or withdrawn stories\n"
    );
    assert!(
        to_stdout.stdout.contains(WIRE_HEADLINE),
        "{}",
        to_stdout.stdout
    );
    assert_eq!(to_stdout.stdout.lines().count(), 1);
    assert_eq!(std::fs::read_to_string(&to_file).unwrap(), to_stdout.stdout);
    server.stop().await;
    let stopped = run(newsroom_with(&site, &["export"]));
    worked(&stopped);
    assert_eq!(stopped.stdout, to_stdout.stdout);
}

#[actix_web::test]
async fn import_while_serving_puts_the_story_on_the_running_front_page_and_reports_a_bad_line() {
    let site = TestSite::sled();
    let server = serve(&site).await;
    let text = std::fs::read_to_string(fixture("ninjs/004_simple_text_article.json")).unwrap();
    let document = serde_json::from_str::<serde_json::Value>(&text)
        .unwrap()
        .to_string();
    let file = site.path().join("in.jsonl");
    std::fs::write(&file, format!("{document}\nnot json\n")).unwrap();

    let imported = run(newsroom_with(
        &site,
        &[
            "import",
            file.to_str().unwrap(),
            "--base-url",
            &server.address,
        ],
    ));

    assert!(!imported.status.success());
    assert!(
        imported
            .stderr
            .contains(&format!("{}: line 2: not a ninjs document", file.display())),
        "{}",
        imported.stderr
    );
    assert!(
        imported
            .stderr
            .contains("import incomplete: 1 new, 0 updated, 0 unchanged, 1 failed"),
        "{}",
        imported.stderr
    );
    assert!(!imported.stderr.contains("stop it first"));
    assert_eq!(
        listed_headlines(&front_page(&server).await),
        ["Captain of wrecked cruise ship on trial in Italy"]
    );
}

#[actix_web::test]
async fn import_wire_while_serving_publishes_the_good_files_and_reports_the_bad_one() {
    let site = TestSite::sled();
    let server = serve(&site).await;
    let bad = site.path().join("bad.txt");
    std::fs::write(&bad, "Just a headline\n").unwrap();

    let imported = run(newsroom_with(
        &site,
        &[
            "import-wire",
            fixture(WIRE).to_str().unwrap(),
            bad.to_str().unwrap(),
        ],
    ));

    assert!(!imported.status.success());
    assert!(
        imported.stderr.contains(&format!("{}: ", bad.display())),
        "{}",
        imported.stderr
    );
    assert!(
        imported
            .stderr
            .contains("1 of 2 files could not be imported"),
        "{}",
        imported.stderr
    );
    assert!(imported.stdout.contains("published"), "{}", imported.stdout);
    assert_eq!(
        listed_headlines(&front_page(&server).await),
        [WIRE_HEADLINE]
    );
}

#[actix_web::test]
async fn backup_while_serving_names_the_directory_it_wrote() {
    let site = TestSite::sled();
    let _server = serve(&site).await;
    worked(&add_user(&site, "boss", "admin", PASSWORD));
    let dir = site.path().join("backup");

    let backed_up = run(newsroom_with(&site, &["backup", dir.to_str().unwrap()]));

    worked(&backed_up);
    assert!(
        backed_up.stdout.starts_with("backed up ")
            && backed_up
                .stdout
                .ends_with(&format!(" to {}\n", dir.display())),
        "{}",
        backed_up.stdout
    );
    assert!(newsroom::storage::backup::file_in(&dir).is_file());
}

#[actix_web::test]
async fn setup_link_while_serving_makes_a_link_the_running_server_accepts() {
    let site = TestSite::sled();
    let server = serve(&site).await;

    let made = run(newsroom_with(
        &site,
        &["setup-link", "--base-url", &server.address],
    ));

    worked(&made);
    let link = made
        .stdout
        .lines()
        .nth(1)
        .expect("the link's line")
        .trim()
        .to_owned();
    let path = link
        .strip_prefix(&server.address)
        .expect("a link to the running site");
    assert!(path.starts_with("/setup/"), "{link}");
    assert_eq!(server.get(path).await.status(), StatusCode::OK);
    let token = path.trim_start_matches("/setup/");
    assert!(!server.log().contains(token), "{}", server.log());

    worked(&add_user(&site, "boss", "admin", PASSWORD));
    let refused = run(newsroom_with(&site, &["setup-link"]));
    assert!(!refused.status.success());
    assert!(
        refused.stderr.contains("already has accounts"),
        "{}",
        refused.stderr
    );
}

#[actix_web::test]
async fn a_request_with_the_wrong_token_is_refused_and_changes_nothing() {
    let site = TestSite::sled();
    let server = serve(&site).await;
    let (address, token) = control_file(&site);
    let file = site.data_dir().unwrap().join("control");
    std::fs::write(&file, format!("{address}\n{}\n", "0".repeat(token.len()))).unwrap();

    let refused = add_user(&site, "mallory", "admin", PASSWORD);

    assert!(!refused.status.success());
    assert!(
        refused.stderr.contains("refused the request: wrong token"),
        "{}",
        refused.stderr
    );
    std::fs::write(&file, format!("{address}\n{token}\n")).unwrap();
    let listed = run(newsroom_with(&site, &["user", "list"]));
    worked(&listed);
    assert!(!listed.stdout.contains("mallory"), "{}", listed.stdout);
    assert!(server.log().contains("control request refused"));
}

#[actix_web::test]
async fn an_unknown_request_kind_is_refused_by_name() {
    let site = TestSite::sled();
    let _server = serve(&site).await;
    let (address, token) = control_file(&site);

    let reply = exchange(
        &address,
        &serde_json::json!({"v": 1, "token": token, "request": {"kind": "drop_everything"}})
            .to_string(),
    );

    let reply: serde_json::Value = serde_json::from_str(&reply).expect("a JSON reply");
    let refusal = reply["refused"].as_str().expect("a refusal");
    assert!(
        refusal.starts_with("unknown request kind \"drop_everything\"; this server knows user_add"),
        "{refusal}"
    );
}

/// Sends one request line on the control port at `address`; returns the first reply line.
fn exchange(address: &str, line: &str) -> String {
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    stream.write_all(format!("{line}\n").as_bytes()).unwrap();
    let mut reply = String::new();
    BufReader::new(&stream).read_line(&mut reply).unwrap();
    reply
}
