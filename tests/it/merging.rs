//! Two editors saving the same story over HTTP: edits to different paragraphs and fields are
//! merged and saved, edits to the same one go to the conflict page, and whatever is chosen
//! there is saved with everything already merged, merging again if someone saved meanwhile.

use crate::helpers::{Browser, TestApp, input_value, location, select, text_of};
use newsroom::domain::{AuditAction, Role, StoryId};
use reqwest::StatusCode;
use reqwest::multipart::Form;
use scraper::Html;

const PASSWORD: &str = "correct horse battery";

const BODY: &str = "The council met on Monday.\n\n\
                    It voted on the budget.\n\n\
                    The mayor spoke last.";

struct Newsroom {
    app: TestApp,
    ann: Browser,
    ben: Browser,
    id: StoryId,
}

/// Two editors, ann.lee and ben.cho, and a story saved once (revision 1).
async fn newsroom() -> Newsroom {
    let app = TestApp::spawn().await;
    app.create_user("ann.lee", Role::Editor, PASSWORD);
    app.create_user("ben.cho", Role::Editor, PASSWORD);
    let ann = app.login("ann.lee", PASSWORD).await;
    let ben = app.login("ben.cho", PASSWORD).await;
    let (_, blank) = ann.get_html("/desk/stories/new").await;
    let mut fields = form_fields(&blank, "form.story-form");
    set(&mut fields, "headline", "Council passes the budget");
    set(&mut fields, "bylines", "Ann Lee");
    set(&mut fields, "body", BODY);
    let response = submit(&ann, "/desk/stories", &fields, "save").await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the story is created"
    );
    let id = location(&response)
        .and_then(|to| {
            to.trim_start_matches("/desk/stories/")
                .split('?')
                .next()
                .and_then(|id| id.parse().ok())
        })
        .expect("the new story's address");
    Newsroom { app, ann, ben, id }
}

impl Newsroom {
    fn path(&self) -> String {
        format!("/desk/stories/{}", self.id)
    }

    /// The story form as `editor` opens it now.
    async fn open(&self, editor: &Browser) -> Vec<(String, String)> {
        let (status, page) = editor.get_html(&self.path()).await;
        assert_eq!(status, StatusCode::OK);
        form_fields(&page, "form.story-form")
    }

    fn stored(&self) -> newsroom::domain::Story {
        self.app
            .store
            .story(self.id)
            .expect("read")
            .expect("the story")
    }
}

/// Every control of the form matched by `form`, in page order, as the browser sends it: a
/// radio button only when checked, a select's selected option.
pub(crate) fn form_fields(page: &Html, form: &str) -> Vec<(String, String)> {
    let controls = format!("{form} input, {form} textarea, {form} select");
    select(page, &controls)
        .into_iter()
        .filter_map(|control| {
            let element = control.value();
            let name = element.attr("name")?.to_owned();
            let value = match element.name() {
                "textarea" => control.text().collect(),
                "select" => control
                    .select(&scraper::Selector::parse("option[selected]").ok()?)
                    .next()
                    .and_then(|o| o.value().attr("value"))
                    .unwrap_or_default()
                    .to_owned(),
                _ => match element.attr("type") {
                    Some("radio" | "checkbox") if element.attr("checked").is_none() => return None,
                    Some("file") => return None,
                    _ => element.attr("value").unwrap_or_default().to_owned(),
                },
            };
            Some((name, value))
        })
        .collect()
}

pub(crate) fn set(fields: &mut [(String, String)], name: &str, value: &str) {
    let field = fields
        .iter_mut()
        .find(|(field, _)| field == name)
        .unwrap_or_else(|| panic!("no field {name}"));
    field.1 = value.to_owned();
}

fn value<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(field, _)| field == name)
        .map_or("", |(_, value)| value.as_str())
}

pub(crate) async fn submit(
    editor: &Browser,
    path: &str,
    fields: &[(String, String)],
    action: &str,
) -> reqwest::Response {
    let mut form = Form::new().text("action", action.to_owned());
    for (name, value) in fields {
        form = form.text(name.clone(), value.clone());
    }
    editor
        .client
        .post(format!("{}{path}", editor.address))
        .multipart(form)
        .send()
        .await
        .expect("request")
}

async fn page_of(response: reqwest::Response) -> Html {
    Html::parse_document(&response.text().await.expect("body"))
}

/// Ann and Ben open the story; Ann changes `ann_field` and saves; Ben, on the form he opened
/// before, changes `ben_field` and saves: Ben's response.
async fn both_edit(
    room: &Newsroom,
    ann_edit: (&str, &str),
    ben_edit: (&str, &str),
) -> reqwest::Response {
    let mut anns = room.open(&room.ann).await;
    let mut bens = room.open(&room.ben).await;
    set(&mut anns, ann_edit.0, ann_edit.1);
    let saved = submit(&room.ann, &room.path(), &anns, "save").await;
    assert_eq!(
        saved.status(),
        StatusCode::SEE_OTHER,
        "Ann's save builds on revision 1"
    );
    set(&mut bens, ben_edit.0, ben_edit.1);
    submit(&room.ben, &room.path(), &bens, "save").await
}

fn paragraphs(replace: &[(usize, &str)]) -> String {
    let mut paragraphs: Vec<String> = BODY.split("\n\n").map(str::to_owned).collect();
    for (index, text) in replace {
        paragraphs[*index] = (*text).to_owned();
    }
    paragraphs.join("\n\n")
}

#[actix_web::test]
async fn two_editors_editing_different_paragraphs_both_land() {
    let room = newsroom().await;
    let response = both_edit(
        &room,
        (
            "body",
            &paragraphs(&[(0, "The council met on Monday night.")]),
        ),
        ("body", &paragraphs(&[(2, "The mayor spoke first.")])),
    )
    .await;

    assert_eq!(response.status(), StatusCode::OK, "merged, not a conflict");
    let page = page_of(response).await;
    assert_eq!(
        text_of(&page, "p.notice").as_deref(),
        Some("Saved. Merged with ann.lee's changes to paragraph 1.")
    );
    let merged = "The council met on Monday night.\n\n\
                  It voted on the budget.\n\n\
                  The mayor spoke first.";
    assert_eq!(room.stored().content.body.as_str(), merged);
    assert_eq!(room.stored().revision, 3, "saved on top of Ann's revision");
    let shown = form_fields(&page, "form.story-form");
    assert_eq!(value(&shown, "body"), merged, "the form shows both edits");
    assert_eq!(value(&shown, "revision"), "3");
}

#[actix_web::test]
async fn a_headline_and_a_caption_changed_by_two_editors_merge() {
    let room = newsroom().await;
    let response = both_edit(
        &room,
        ("headline", "Council passes the budget at last"),
        ("caption", "Councillors vote."),
    )
    .await;

    assert_eq!(response.status(), StatusCode::OK);
    let page = page_of(response).await;
    assert_eq!(
        text_of(&page, "p.notice").as_deref(),
        Some("Saved. Merged with ann.lee's changes to the headline.")
    );
    let stored = room.stored();
    assert_eq!(
        stored.content.headline.as_str(),
        "Council passes the budget at last"
    );
    assert_eq!(
        stored
            .content
            .photo
            .as_ref()
            .map(|p| p.caption.to_string())
            .as_deref(),
        Some("Councillors vote.")
    );
}

#[actix_web::test]
async fn the_same_paragraph_edited_twice_shows_only_that_paragraph_highlighted() {
    let room = newsroom().await;
    let response = both_edit(
        &room,
        ("body", &paragraphs(&[(1, "It voted for the budget.")])),
        (
            "body",
            &paragraphs(&[(1, "It voted against the `<budget>`.")]),
        ),
    )
    .await;

    assert_eq!(response.status(), StatusCode::CONFLICT);
    let page = page_of(response).await;
    assert_eq!(select(&page, "fieldset.conflict").len(), 1, "one conflict");
    let legend = text_of(&page, "fieldset.conflict legend").expect("a legend");
    assert!(legend.starts_with("Body, paragraph 2"), "{legend}");
    assert_eq!(
        text_of(&page, ".conflict-theirs ins").as_deref(),
        Some("for")
    );
    assert_eq!(
        text_of(&page, ".conflict-theirs del").as_deref(),
        Some("on")
    );
    let mine_added: Vec<String> = select(&page, ".conflict-mine ins")
        .iter()
        .map(|e| e.text().collect())
        .collect();
    assert!(
        mine_added.iter().any(|t| t.contains("<budget>")),
        "typed markup is shown as text: {mine_added:?}"
    );
    assert!(
        select(&page, ".conflict-mine budget").is_empty(),
        "and never as an element"
    );
    let fields = form_fields(&page, "form.conflict-form");
    let settled: Vec<&str> = fields
        .iter()
        .filter(|(name, _)| name == "part:body")
        .map(|(_, text)| text.as_str())
        .collect();
    assert_eq!(
        settled,
        ["The council met on Monday.", "The mayor spoke last."],
        "the other paragraphs are carried, merged, in view"
    );
    for name in [
        "headline", "bylines", "dateline", "source", "section", "caption", "alt",
    ] {
        let visible = select(&page, &format!("form.conflict-form [name='{name}']"));
        let control = visible
            .first()
            .unwrap_or_else(|| panic!("{name} is on the page"));
        assert_ne!(
            control.value().attr("type"),
            Some("hidden"),
            "{name} is visible"
        );
    }
    assert_eq!(room.stored().revision, 2, "nothing saved yet");
}

/// Ann changes paragraphs 1 and 2; Ben, from revision 1, paragraph 2 differently and the
/// standfirst: Ben's conflict page, whose one conflict is paragraph 2.
async fn conflict_over_paragraph_two(room: &Newsroom) -> Vec<(String, String)> {
    let mut anns = room.open(&room.ann).await;
    let mut bens = room.open(&room.ben).await;
    set(
        &mut anns,
        "body",
        &paragraphs(&[
            (0, "The council met on Monday night."),
            (1, "It voted for the budget."),
        ]),
    );
    let saved = submit(&room.ann, &room.path(), &anns, "save").await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    set(
        &mut bens,
        "body",
        &paragraphs(&[(1, "It voted against the budget.")]),
    );
    set(&mut bens, "standfirst", "A late vote.");
    let response = submit(&room.ben, &room.path(), &bens, "save").await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let page = page_of(response).await;
    assert_eq!(input_value(&page, "revision").as_deref(), Some("2"));
    form_fields(&page, "form.conflict-form")
}

fn choose(fields: &mut Vec<(String, String)>, choice: &str) {
    fields.push(("conflict:body:0:choice".into(), choice.into()));
}

#[actix_web::test]
async fn choosing_mine_on_the_conflict_page_keeps_the_other_editor_s_merged_edits() {
    let room = newsroom().await;
    let mut fields = conflict_over_paragraph_two(&room).await;
    choose(&mut fields, "mine");
    let response = submit(&room.ben, &room.path(), &fields, "save").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "saved");
    let stored = room.stored();
    assert_eq!(
        stored.content.body.as_str(),
        "The council met on Monday night.\n\n\
         It voted against the budget.\n\n\
         The mayor spoke last."
    );
    assert_eq!(
        stored
            .content
            .standfirst
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("A late vote.")
    );
    assert_eq!(stored.revision, 3);
}

#[actix_web::test]
async fn choosing_theirs_on_the_conflict_page_keeps_their_paragraph_and_my_other_edits() {
    let room = newsroom().await;
    let mut fields = conflict_over_paragraph_two(&room).await;
    choose(&mut fields, "theirs");
    let response = submit(&room.ben, &room.path(), &fields, "save").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let stored = room.stored();
    assert_eq!(
        stored.content.body.as_str(),
        "The council met on Monday night.\n\n\
         It voted for the budget.\n\n\
         The mayor spoke last."
    );
    assert_eq!(
        stored
            .content
            .standfirst
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("A late vote.")
    );
}

#[actix_web::test]
async fn an_edited_text_on_the_conflict_page_is_saved_in_place_of_both() {
    let room = newsroom().await;
    let mut fields = conflict_over_paragraph_two(&room).await;
    choose(&mut fields, "edited");
    set(
        &mut fields,
        "conflict:body:0:edited",
        "It voted, after a long night.",
    );
    let response = submit(&room.ben, &room.path(), &fields, "save").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        room.stored().content.body.as_str(),
        "The council met on Monday night.\n\n\
         It voted, after a long night.\n\n\
         The mayor spoke last."
    );
}

#[actix_web::test]
async fn a_conflict_page_sent_after_a_third_save_merges_again() {
    let room = newsroom().await;
    let mut fields = conflict_over_paragraph_two(&room).await;
    // Ann saves again (revision 3) while Ben reads the conflict page shown for revision 2.
    let mut anns = room.open(&room.ann).await;
    let third = value(&anns, "body").replace("The mayor spoke last.", "The mayor left early.");
    set(&mut anns, "body", &third);
    set(&mut anns, "headline", "Budget passes after a long night");
    let saved = submit(&room.ann, &room.path(), &anns, "save").await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);

    choose(&mut fields, "mine");
    let response = submit(&room.ben, &room.path(), &fields, "save").await;
    assert_eq!(response.status(), StatusCode::OK, "merged again");
    let page = page_of(response).await;
    let notice = text_of(&page, "p.notice").expect("a notice");
    assert!(notice.contains("ann.lee"), "{notice}");
    let stored = room.stored();
    assert_eq!(
        stored.content.body.as_str(),
        "The council met on Monday night.\n\n\
         It voted against the budget.\n\n\
         The mayor left early."
    );
    assert_eq!(
        stored.content.headline.as_str(),
        "Budget passes after a long night"
    );
    assert_eq!(
        stored
            .content
            .standfirst
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("A late vote.")
    );
    assert_eq!(stored.revision, 4);
}

#[actix_web::test]
async fn a_merged_save_is_recorded_in_the_audit_log_with_whose_changes_it_took() {
    let room = newsroom().await;
    let response = both_edit(
        &room,
        (
            "body",
            &paragraphs(&[(0, "The council met on Monday night.")]),
        ),
        ("body", &paragraphs(&[(2, "The mayor spoke first.")])),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);

    let events = room.app.store.audit_log(None, 10).expect("the audit log");
    let merge = events
        .iter()
        .find(|e| e.action == AuditAction::Merge)
        .expect("a merge entry");
    assert_eq!(merge.actor_name, "ben.cho");
    assert_eq!(
        merge.detail,
        "Council passes the budget; merged with ann.lee's changes to paragraph 1"
    );
}

#[actix_web::test]
async fn a_headline_changed_by_both_conflicts_alone_and_the_body_edits_merge_around_it() {
    let room = newsroom().await;
    let mut anns = room.open(&room.ann).await;
    let mut bens = room.open(&room.ben).await;
    set(&mut anns, "headline", "Budget passes");
    set(
        &mut anns,
        "body",
        &paragraphs(&[(0, "The council met on Monday night.")]),
    );
    let saved = submit(&room.ann, &room.path(), &anns, "save").await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    set(&mut bens, "headline", "Budget approved");
    set(
        &mut bens,
        "body",
        &paragraphs(&[(2, "The mayor spoke first.")]),
    );
    let response = submit(&room.ben, &room.path(), &bens, "save").await;

    assert_eq!(response.status(), StatusCode::CONFLICT);
    let page = page_of(response).await;
    assert_eq!(select(&page, "fieldset.conflict").len(), 1);
    assert_eq!(
        text_of(&page, "fieldset.conflict legend").as_deref(),
        Some("Headline: changed by both of you")
    );
    let mut fields = form_fields(&page, "form.conflict-form");
    assert_eq!(
        value(&fields, "body"),
        "The council met on Monday night.\n\nIt voted on the budget.\n\nThe mayor spoke first.",
        "the body is merged and shown whole"
    );
    fields.push(("conflict:headline:0:choice".into(), "theirs".into()));
    let response = submit(&room.ben, &room.path(), &fields, "save").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let stored = room.stored();
    assert_eq!(stored.content.headline.as_str(), "Budget passes");
    assert_eq!(stored.content.body.as_str(), value(&fields, "body"));
}
