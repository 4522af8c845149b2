//! Incoming copy as an editor works it in headless Chromium: an upload of wire files, one of
//! them refused with its reason, the good one taken, edited and published, and a reader who
//! finds it; then copy spiked and restored.

use crate::chromium::{Chromium, journey};
use crate::helpers::{TestApp, fixture, runs_once};
use newsroom::domain::Role;

const PASSWORD: &str = "correct horse battery staple";
const WIRE_HEADLINE: &str = "Latest peace talks on Syria end without major breakthrough";
const EDITED: &str = "Syria talks end without a breakthrough";

#[actix_web::test]
async fn an_editor_takes_uploaded_wire_copy_publishes_it_and_restores_spiked_copy() {
    if !runs_once("an_editor_takes_uploaded_wire_copy_publishes_it_and_restores_spiked_copy") {
        return;
    }
    let app = TestApp::spawn().await;
    app.create_user("zhang.dan", Role::Editor, PASSWORD);
    let files = tempfile::tempdir().expect("temp dir");
    let good = files.path().join("syria.txt");
    std::fs::copy(fixture("wire-story-syria-talks.txt"), &good).expect("copy the fixture");
    let bad = files.path().join("broken.txt");
    std::fs::write(&bad, "A headline alone\n\nNo source line here\n").expect("write");
    let browser = Chromium::start("editor_takes_incoming_copy").await;

    journey(&[&browser], async {
        browser.login(&app.address, "zhang.dan", PASSWORD).await;
        browser.open(&app.url("/desk")).await;
        browser.click_link(".desk-nav", "Incoming").await;
        browser
            .find("#copy-files")
            .await
            .send_keys(format!("{}\n{}", good.display(), bad.display()))
            .await
            .expect("choose two files");
        browser.click(".upload-copy button[type=submit]").await;

        let refused = browser.text(".upload-results .refused").await;
        assert!(
            refused.starts_with("broken.txt: refused: line "),
            "{refused}"
        );
        assert!(
            browser
                .text(".upload-results .taken")
                .await
                .contains("syria.txt")
        );
        assert_eq!(browser.text(".copy-list .copy h2").await, WIRE_HEADLINE);

        browser
            .click(".copy-list form[action='/desk/incoming/take'] button")
            .await;
        assert!(browser.path().await.starts_with("/desk/stories/"));
        assert_eq!(browser.value("#headline").await, WIRE_HEADLINE);
        assert_eq!(browser.value("#source").await, "Xinhua");
        assert!(
            browser
                .value("#caption")
                .await
                .contains("Staffan de Mistura")
        );
        browser.type_into("#headline", EDITED).await;
        browser.click("button[value='publish']").await;
        assert_eq!(browser.text("p.notice").await, "Published.");

        browser.open(&app.url("/")).await;
        browser.click_link(".story-list", EDITED).await;
        assert_eq!(browser.text("h1").await, EDITED);
        assert!(browser.text(".meta-line").await.contains("Source: Xinhua"));

        // Spiked copy is kept, out of the list, and comes back from the Spiked view.
        browser.open(&app.url("/desk/incoming")).await;
        browser
            .find("#copy-files")
            .await
            .send_keys(good.display().to_string())
            .await
            .expect("choose the file again");
        browser.click(".upload-copy button[type=submit]").await;
        assert!(
            browser
                .text(".upload-results .taken")
                .await
                .contains("already here"),
            "the same version again changes nothing"
        );
        let newer = files.path().join("newer.txt");
        let text = std::fs::read_to_string(&good)
            .expect("read")
            .replace("Latest peace talks on Syria", "Geneva talks on Syria");
        std::fs::write(&newer, text).expect("write");
        browser
            .find("#copy-files")
            .await
            .send_keys(newer.display().to_string())
            .await
            .expect("choose a file");
        browser.click(".upload-copy button[type=submit]").await;
        browser
            .click(".copy-list form[action='/desk/incoming/spike'] button")
            .await;
        assert!(browser.text("p.notice").await.starts_with("Spiked."));
        assert!(browser.find_all(".copy-list .copy").await.is_empty());
        browser.click_link(".desk-tabs", "Spiked").await;
        assert!(
            browser
                .text(".copy-list .copy h2")
                .await
                .starts_with("Geneva talks")
        );
        browser
            .click(".copy-list form[action='/desk/incoming/restore'] button")
            .await;
        browser.click_link(".desk-tabs", "Waiting").await;
        assert!(
            browser
                .text(".copy-list .copy h2")
                .await
                .starts_with("Geneva talks")
        );
    })
    .await;
}
