//! The desk's list of stories in headless Chromium, at a laptop's 1,280 CSS pixels and a
//! phone's 390: no word in it is broken across lines (no "Sectio/n", no "cat.ki/m"), and no
//! cell's text runs out of its cell. Measured in the page, word by word.

use crate::chromium::{Chromium, journey};
use crate::desk_phone::{as_phone, script};
use crate::helpers::{StoryBuilder, TestApp, runs_once};
use newsroom::domain::{Role, SiteZone, Status};
use serde_json::Value;
use time::Duration;
use time::macros::datetime;

const PASSWORD: &str = "correct horse battery staple";

/// Every word of the list's cells that the page lays out on more than one line, and every cell
/// whose text is wider than the cell; empty when none is. A word's pieces on different lines
/// are rectangles at different heights of one `Range` over the word.
const BROKEN_WORDS: &str = r#"
const found = [];
for (const cell of document.querySelectorAll("table.grid th, table.grid td")) {
  const box = cell.getBoundingClientRect();
  // The column headings of the phone's cards are hidden in a box one pixel wide.
  if (box.width <= 2 || box.height <= 2) continue;
  if (cell.scrollWidth > cell.clientWidth + 1) {
    found.push("runs out of its cell: " + cell.textContent.trim());
  }
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const words = /\S+/g;
    for (let m = words.exec(node.data); m; m = words.exec(node.data)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const lines = new Set(Array.from(range.getClientRects())
        .filter(r => r.width > 0)
        .map(r => Math.round(r.top)));
      if (lines.size > 1) found.push("broken: " + m[0]);
    }
  }
}
return found;
"#;

async fn broken_words(browser: &Chromium) -> Vec<String> {
    match script(browser, BROKEN_WORDS).await {
        Value::Array(found) => found
            .into_iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect(),
        other => panic!("the check answered {other}"),
    }
}

#[actix_web::test]
async fn no_word_of_the_desk_list_is_broken_at_1280_or_390_pixels() {
    if !runs_once("no_word_of_the_desk_list_is_broken_at_1280_or_390_pixels") {
        return;
    }
    let app = TestApp::spawn_with(|settings| {
        settings.time_zone = SiteZone::parse("Europe/London").expect("a zone");
    })
    .await;
    app.create_user("cat.kim", Role::Editor, PASSWORD);
    app.create_user("a.writer.with.a.long.name", Role::Writer, PASSWORD);
    let now = app.clock.now();
    StoryBuilder::new("Latest peace talks on Syria end without major breakthrough")
        .published_at(datetime!(2017-07-15 07:11:57 UTC))
        .section("business")
        .save(&app);
    StoryBuilder::new("Election results due at dawn")
        .status(Status::Scheduled(now + Duration::days(3)))
        .with(|s| s.content.embargo = Some(now + Duration::days(3)))
        .save(&app);
    StoryBuilder::new("Ministers meet")
        .with(|s| s.content.embargo = Some(now + Duration::days(1)))
        .section("technology")
        .save(&app);
    let browser = Chromium::start("desk_list_widths").await;

    journey(&[&browser], async {
        browser.login(&app.address, "cat.kim", PASSWORD).await;
        for width in ["1280", "390"] {
            if width == "390" {
                as_phone(&browser).await;
            }
            browser.open(&app.url("/desk")).await;
            let inner = script(&browser, "return window.innerWidth").await;
            assert_eq!(
                inner.to_string(),
                width,
                "the page is laid out {width} px wide"
            );
            let rows = browser.find_all("table.grid tbody tr").await;
            assert_eq!(rows.len(), 3, "the list holds the stories");
            let broken = broken_words(&browser).await;
            assert!(
                broken.is_empty(),
                "at {width} px the desk list breaks words: {broken:?}"
            );
        }
    })
    .await;
}
