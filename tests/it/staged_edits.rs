//! Staged edits of live stories over HTTP: saving a published story keeps the changes for the
//! desk while readers see the published version, until an editor updates the live story or
//! discards the changes. A writer may propose changes to her own published story.

use crate::helpers::{Browser, StoryBuilder, TestApp, header, select, text_of};
use crate::merging::{form_fields, set, submit};
use newsroom::domain::{AuditAction, Role, Story};
use reqwest::StatusCode;
use reqwest::header::ETAG;
use scraper::Html;
use time::macros::datetime;

const PASSWORD: &str = "correct horse battery";
const LIVE: &str = "The council met on Monday.\n\nIt voted on the budget.\n\nThe mayor spoke last.";

struct Desk {
    app: TestApp,
    story: Story,
}

/// A published story, written by the writer named, whose account is made, when one is.
async fn desk(writer: Option<&str>) -> Desk {
    let app = TestApp::spawn().await;
    let author = writer.map(|name| app.create_user(name, Role::Writer, PASSWORD).id);
    let story = StoryBuilder::new("Council passes the budget")
        .body(LIVE)
        .published_at(datetime!(2026-11-30 10:00 UTC))
        .with(|story| story.author = author)
        .save(&app);
    Desk { app, story }
}

impl Desk {
    fn form_path(&self) -> String {
        format!("/desk/stories/{}", self.story.id)
    }

    fn article_path(&self) -> String {
        newsroom::urls::article(
            self.story.published_at.expect("published"),
            &self.story.content.slug,
            1,
        )
    }

    /// The article as readers get it: its text and its ETag.
    async fn article(&self) -> (String, String) {
        let response = self.app.get(&self.article_path()).await;
        assert_eq!(response.status(), StatusCode::OK, "the article is public");
        let etag = header(response.headers(), ETAG).expect("an ETag");
        let page = Html::parse_document(&response.text().await.expect("body"));
        (text_of(&page, "article").expect("the article's text"), etag)
    }

    /// Opens the story form as `who`, replaces its body with `body` and presses `action`.
    async fn edit(&self, who: &Browser, body: Option<&str>, action: &str) -> reqwest::Response {
        let (status, page) = who.get_html(&self.form_path()).await;
        assert_eq!(status, StatusCode::OK, "the story form opens");
        let mut fields = form_fields(&page, "form.story-form");
        if let Some(body) = body {
            set(&mut fields, "body", body);
        }
        submit(who, &self.form_path(), &fields, action).await
    }

    fn stored(&self) -> Story {
        self.app
            .store
            .story(self.story.id)
            .expect("read")
            .expect("the story")
    }

    fn audited(&self) -> Vec<AuditAction> {
        let log = self.app.store.audit_log(None, 50).expect("audit log");
        log.into_iter().map(|event| event.action).collect()
    }
}

/// What machines read of one story: its ninjs version and version time, its sitemap date, and
/// its entry in each feed.
#[derive(Debug, PartialEq)]
struct Machines {
    version: String,
    versioncreated: String,
    lastmod: String,
    rss: String,
    atom: String,
    json: serde_json::Value,
}

impl Desk {
    async fn machines(&self) -> Machines {
        let api = self
            .app
            .get(&newsroom::urls::api_story(self.story.id))
            .await;
        assert_eq!(api.status(), StatusCode::OK, "the story is in the API");
        let doc: serde_json::Value = api.json().await.expect("a ninjs document");
        let field = |name: &str| doc[name].as_str().expect(name).to_owned();
        let guid = format!("urn:uuid:{}", uuid_of(&self.story));
        let sitemap = self.text("/sitemaps/1.xml").await;
        let loc = format!("{}</loc><lastmod>", self.article_path());
        let lastmod = sitemap
            .split("<url>")
            .find(|url| url.contains(&loc))
            .and_then(|url| url.split("<lastmod>").nth(1))
            .and_then(|rest| rest.split("</lastmod>").next())
            .expect("the story's sitemap date")
            .to_owned();
        let feed: serde_json::Value =
            serde_json::from_str(&self.text("/feed.json").await).expect("a JSON feed");
        let json = feed["items"]
            .as_array()
            .and_then(|items| items.iter().find(|item| item["id"] == guid.as_str()))
            .expect("the story's JSON feed item")
            .clone();
        Machines {
            version: field("version"),
            versioncreated: field("versioncreated"),
            lastmod,
            rss: block(&self.text("/rss.xml").await, "item", &guid),
            atom: block(&self.text("/atom.xml").await, "entry", &guid),
            json,
        }
    }

    async fn text(&self, path: &str) -> String {
        let response = self.app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        response.text().await.expect("body")
    }
}

fn uuid_of(story: &Story) -> String {
    uuid::Uuid::from_bytes(story.id.to_bytes())
        .hyphenated()
        .to_string()
}

/// The `<tag>` element of a feed that holds `guid`.
fn block(xml: &str, tag: &str, guid: &str) -> String {
    xml.split(&format!("<{tag}>"))
        .skip(1)
        .filter_map(|rest| rest.split(&format!("</{tag}>")).next())
        .find(|element| element.contains(guid))
        .unwrap_or_else(|| panic!("no <{tag}> of {guid} in {xml}"))
        .to_owned()
}

#[actix_web::test]
async fn a_staged_save_moves_nothing_machines_read_and_update_live_story_moves_it_all() {
    let room = desk(None).await;
    room.app.create_user("edna", Role::Editor, PASSWORD);
    let edna = room.app.login("edna", PASSWORD).await;
    let before = room.machines().await;
    let (_, etag_before) = room.article().await;
    assert_eq!(before.version, "1");

    let saved = room.edit(&edna, Some(&edited()), "save").await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (_, etag_staged) = room.article().await;
    // Another story going live renders every public page afresh, so what follows is what the
    // staged story shows now, not a copy kept from before the save.
    StoryBuilder::new("An older story")
        .published_at(datetime!(2026-11-01 10:00 UTC))
        .save(&room.app);
    let staged = room.machines().await;

    assert_eq!(etag_staged, etag_before, "the article is as it was");
    assert_eq!(
        room.stored().revision,
        2,
        "the save is a revision of the desk's"
    );
    assert_eq!(staged, before, "machines read no change");

    let updated = room.edit(&edna, None, "update-live").await;
    assert_eq!(updated.status(), StatusCode::SEE_OTHER);
    let (_, etag_live) = room.article().await;
    let live = room.machines().await;

    assert_ne!(etag_live, etag_staged);
    assert_eq!(live.version, "2", "one change readers saw");
    assert_ne!(live.versioncreated, before.versioncreated);
    assert_ne!(live.lastmod, before.lastmod);
    assert!(live.rss.contains("It passed the budget."), "{}", live.rss);
    assert!(live.atom.contains("It passed the budget."), "{}", live.atom);
    assert_ne!(live.json["date_modified"], before.json["date_modified"]);
    assert_ne!(live.json["content_html"], before.json["content_html"]);
}

fn edited() -> String {
    LIVE.replace("voted on", "passed")
}

async fn page_of(response: reqwest::Response) -> (StatusCode, Html) {
    let status = response.status();
    let text = response.text().await.expect("body");
    (status, Html::parse_document(&text))
}

#[actix_web::test]
async fn an_editors_save_of_a_live_story_waits_until_she_updates_the_live_story() {
    let room = desk(None).await;
    room.app.create_user("edna", Role::Editor, PASSWORD);
    let edna = room.app.login("edna", PASSWORD).await;
    let (before, etag_before) = room.article().await;

    let saved = room.edit(&edna, Some(&edited()), "save").await;

    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (after, etag_after) = room.article().await;
    assert_eq!(after, before, "readers see the published version");
    assert!(after.contains("It voted on the budget."), "{after}");
    assert_eq!(etag_after, etag_before, "readers' caches stay valid");
    assert_eq!(room.stored().revision, 2, "the save is a revision");

    let (_, form) = edna
        .get_html(&format!("{}?saved=staged", room.form_path()))
        .await;
    let status = text_of(&form, ".badge").expect("a status");
    assert_eq!(status, "Published · changes pending");
    let note = text_of(&form, ".pending-note").expect("a note on the pending changes");
    assert!(note.contains("saved by edna"), "{note}");
    assert!(
        text_of(&form, "textarea[name=body]").is_some_and(|body| body.contains("It passed")),
        "the form shows the pending changes"
    );
    assert!(text_of(&form, ".notice").is_some_and(|n| n.contains("not live yet")));
    let preview_url = select(&form, ".pending-note a")
        .iter()
        .filter_map(|a| a.value().attr("href"))
        .find(|href| href.ends_with("/preview"))
        .expect("a link to the preview")
        .to_owned();
    let (status, preview) = edna.get_html(&preview_url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text_of(&preview, "article").is_some_and(|t| t.contains("It passed the budget.")));

    let (_, list) = edna.get_html("/desk").await;
    assert_eq!(
        text_of(&list, "td[data-label=Status] .badge").as_deref(),
        Some("Published · changes pending")
    );

    let updated = room.edit(&edna, None, "update-live").await;

    assert_eq!(updated.status(), StatusCode::SEE_OTHER);
    let (live, etag_live) = room.article().await;
    assert!(live.contains("It passed the budget."), "{live}");
    assert_ne!(etag_live, etag_before);
    assert_eq!(room.stored().pending, None);
    assert_eq!(
        room.audited()[..2],
        [AuditAction::UpdateLive, AuditAction::StageChanges]
    );
}

#[actix_web::test]
async fn discarding_pending_changes_keeps_the_live_story_and_the_form_shows_it_again() {
    let room = desk(None).await;
    room.app.create_user("edna", Role::Editor, PASSWORD);
    let edna = room.app.login("edna", PASSWORD).await;
    let (_, form) = edna.get_html(&room.form_path()).await;
    assert!(
        select(&form, "button[value=discard-changes]").is_empty(),
        "nothing to discard yet"
    );
    room.edit(&edna, Some(&edited()), "save").await;
    let (_, form) = edna.get_html(&room.form_path()).await;
    let discard = text_of(&form, "button[value=discard-changes]").expect("a Discard button");
    assert!(discard.starts_with("Discard pending changes"), "{discard}");

    // Asked first, on a page of its own; confirmed there.
    let asked = room.edit(&edna, None, "discard-changes").await;
    assert_eq!(asked.status(), StatusCode::OK, "a question, not a redirect");
    let question = Html::parse_document(&asked.text().await.expect("body"));
    let said = text_of(&question, "main").unwrap_or_default();
    assert!(
        said.contains("Readers keep seeing the live story"),
        "{said}"
    );
    assert!(
        room.stored().pending.is_some(),
        "nothing dropped before confirming"
    );
    let mut confirmation = form_fields(&question, "form.confirm-form");
    confirmation.retain(|(name, _)| name != "action");
    let discarded = submit(&edna, &room.form_path(), &confirmation, "discard-changes").await;

    assert_eq!(discarded.status(), StatusCode::SEE_OTHER);
    let (_, form) = edna.get_html(&room.form_path()).await;
    assert!(text_of(&form, "textarea[name=body]").is_some_and(|b| b.contains("It voted on")));
    assert!(select(&form, ".pending-note").is_empty());
    let (live, _) = room.article().await;
    assert!(live.contains("It voted on the budget."), "{live}");
    assert_eq!(room.audited()[0], AuditAction::DiscardChanges);
}

#[actix_web::test]
async fn a_writer_proposes_changes_to_her_own_live_story_and_is_told_why_she_cannot_put_them_live()
{
    let room = desk(Some("wendy")).await;
    let browser = room.app.login("wendy", PASSWORD).await;
    let (_, form) = browser.get_html(&room.form_path()).await;
    assert!(select(&form, "button[value=update-live]").is_empty());
    assert!(select(&form, "button[value=unpublish]").is_empty());
    assert!(!select(&form, "button[value=submit]").is_empty());

    let submitted = room.edit(&browser, Some(&edited()), "submit").await;

    assert_eq!(submitted.status(), StatusCode::SEE_OTHER);
    let stored = room.stored();
    assert!(stored.submitted, "submitted for review");
    assert!(stored.pending.is_some());
    let refused = room.edit(&browser, None, "update-live").await;
    let (status, page) = page_of(refused).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        !select(&page, "nav .desk-nav").is_empty(),
        "a desk page, with its menu"
    );
    let reason = text_of(&page, "[role=alert]").expect("the reason");
    assert!(reason.contains("submit them for review"), "{reason}");
    let (live, _) = room.article().await;
    assert!(live.contains("It voted on the budget."), "{live}");
}

#[actix_web::test]
async fn a_writer_who_may_not_edit_a_story_is_told_why_on_a_desk_page() {
    let room = desk(None).await;
    room.app.create_user("walt", Role::Writer, PASSWORD);
    let walt = room.app.login("walt", PASSWORD).await;

    let (status, page) = walt.get_html(&room.form_path()).await;

    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        !select(&page, "nav .desk-nav").is_empty(),
        "a desk page, with its menu"
    );
    let reason = text_of(&page, "[role=alert]").expect("the reason");
    assert!(reason.contains("Ask an editor"), "{reason}");
}

#[actix_web::test]
async fn two_editors_staging_different_paragraphs_merge_and_nothing_goes_live_until_updated() {
    let room = desk(None).await;
    room.app.create_user("ann.lee", Role::Editor, PASSWORD);
    room.app.create_user("ben.cho", Role::Editor, PASSWORD);
    let ann = room.app.login("ann.lee", PASSWORD).await;
    let ben = room.app.login("ben.cho", PASSWORD).await;
    let (_, anns_page) = ann.get_html(&room.form_path()).await;
    let (_, bens_page) = ben.get_html(&room.form_path()).await;
    let mut anns = form_fields(&anns_page, "form.story-form");
    let mut bens = form_fields(&bens_page, "form.story-form");

    set(
        &mut anns,
        "body",
        &LIVE.replace("on Monday", "on Monday night"),
    );
    let saved = submit(&ann, &room.form_path(), &anns, "save").await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    set(
        &mut bens,
        "body",
        &LIVE.replace("spoke last", "spoke first"),
    );
    let merged = submit(&ben, &room.form_path(), &bens, "save").await;

    let (status, page) = page_of(merged).await;
    assert_eq!(status, StatusCode::OK, "merged, not a conflict");
    assert!(text_of(&page, ".notice").is_some_and(|n| n.contains("Merged with ann.lee")));
    let both =
        "The council met on Monday night.\n\nIt voted on the budget.\n\nThe mayor spoke first.";
    let pending = room.stored().pending.expect("pending changes");
    assert_eq!(pending.content.body.as_str(), both);
    let (live, _) = room.article().await;
    assert!(live.contains("The council met on Monday."), "{live}");
    assert!(live.contains("The mayor spoke last."), "{live}");

    room.edit(&ann, None, "update-live").await;

    let (live, _) = room.article().await;
    assert!(
        live.contains("Monday night") && live.contains("spoke first"),
        "{live}"
    );
}

#[actix_web::test]
async fn the_history_marks_the_revision_readers_see() {
    let room = desk(None).await;
    room.app.create_user("edna", Role::Editor, PASSWORD);
    let edna = room.app.login("edna", PASSWORD).await;
    room.edit(&edna, Some(&edited()), "save").await;
    let history = format!("{}/history", room.form_path());

    let (_, page) = edna.get_html(&history).await;

    let live: Vec<String> = select(&page, ".revision")
        .into_iter()
        .filter(|r| {
            r.select(&scraper::Selector::parse(".live").unwrap())
                .next()
                .is_some()
        })
        .filter_map(|r| r.value().attr("id").map(str::to_owned))
        .collect();
    assert_eq!(
        live,
        ["revision-1"],
        "the published revision, not the pending one"
    );
    let pending = text_of(&page, "#revision-2 .meta").expect("revision 2");
    assert!(pending.contains("changes pending, not live"), "{pending}");

    room.edit(&edna, None, "update-live").await;
    let (_, page) = edna.get_html(&history).await;
    assert!(text_of(&page, "#revision-3 h2").is_some_and(|h| h.contains("Live")));
    assert!(text_of(&page, "#revision-1 h2").is_some_and(|h| !h.contains("Live")));
}

#[actix_web::test]
async fn a_writer_restoring_an_old_revision_of_her_live_story_is_told_to_use_the_form() {
    let room = desk(Some("wendy")).await;
    let browser = room.app.login("wendy", PASSWORD).await;
    room.edit(&browser, Some(&edited()), "save").await;
    let history = format!("{}/history", room.form_path());
    let (status, page) = browser.get_html(&history).await;
    assert_eq!(status, StatusCode::OK, "her story's history");
    assert!(
        select(&page, "form.restore").is_empty(),
        "no restore offered"
    );
    let csrf = browser.csrf(&history).await;

    let response = browser
        .post_form(
            &format!("/desk/stories/{}/restore/1", room.story.id),
            &[("csrf", &csrf), ("current", "2")],
        )
        .await;

    let (status, page) = page_of(response).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        !select(&page, "nav .desk-nav").is_empty(),
        "a desk page, with its menu"
    );
    let reason = text_of(&page, "[role=alert]").expect("the reason");
    assert!(reason.contains("save them as changes"), "{reason}");
    assert_eq!(room.stored().revision, 2, "nothing was restored");
}

#[actix_web::test]
async fn a_form_shown_again_after_a_refused_correction_keeps_the_pending_changes() {
    let room = desk(None).await;
    room.app.create_user("edna", Role::Editor, PASSWORD);
    let edna = room.app.login("edna", PASSWORD).await;
    let staged = room.edit(&edna, Some(&edited()), "save").await;
    assert_eq!(staged.status(), StatusCode::SEE_OTHER);
    let csrf = edna.csrf(&room.form_path()).await;
    let revision = room.stored().revision.to_string();

    let refused = edna
        .post_form(
            &format!("{}/notes", room.form_path()),
            &[
                ("csrf", &csrf),
                ("revision", &revision),
                ("kind", "correction"),
                ("text", " "),
            ],
        )
        .await;

    let (status, form) = page_of(refused).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text_of(&form, "textarea[name=body]").is_some_and(|body| body.contains("It passed")),
        "the form shows the pending changes, not the live text"
    );
    let note = text_of(&form, ".pending-note").expect("a note on the pending changes");
    assert!(note.contains("saved by edna"), "{note}");
}

#[actix_web::test]
async fn a_refused_save_of_a_live_story_still_names_who_saved_its_pending_changes() {
    let room = desk(None).await;
    room.app.create_user("edna", Role::Editor, PASSWORD);
    let edna = room.app.login("edna", PASSWORD).await;
    let staged = room.edit(&edna, Some(&edited()), "save").await;
    assert_eq!(staged.status(), StatusCode::SEE_OTHER);
    let (_, page) = edna.get_html(&room.form_path()).await;
    let mut fields = form_fields(&page, "form.story-form");
    set(&mut fields, "headline", "");

    let refused = submit(&edna, &room.form_path(), &fields, "save").await;

    let (status, form) = page_of(refused).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let note = text_of(&form, ".pending-note").expect("a note on the pending changes");
    assert!(note.contains("saved by edna"), "{note}");
}
