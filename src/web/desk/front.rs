//! The desk's page for the front page (editors and admins): choose a lead and top stories from
//! the latest published or by searching, set a breaking-news banner, preview the front page as
//! it would be, and put it live. One form does it all, its button saying which; everything
//! typed comes back with every answer, so a search, an error or a conflict loses nothing.

use crate::accounts::Actor;
use crate::domain::front_page::MAX_SLOTS;
use crate::domain::{
    Arrangement, Banner, BannerLink, BannerText, PageNumber, SiteZone, StoryId, StorySummary,
};
use crate::front_page::{self, FrontPageError, Live};
use crate::storage::search::{Audience, SearchOrder, SearchPosition, StorySearch};
use crate::storage::{Listing, StatusFilter, StoreError};
use crate::views::Timestamp;
use crate::views::desk::DeskContext;
use crate::views::front_page::{
    Candidate, ConflictNote, FrontDeskPage, FrontPageView, LiveRow, LiveSummary, PreviewBar,
    SlotField,
};
use crate::web::auth::SignedIn;
use crate::web::{AppError, State};
use actix_web::http::header::{self, CacheControl, CacheDirective};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;
use time::OffsetDateTime;
use time::macros::format_description;

/// How many of the latest published stories the lists offer.
const LATEST: usize = 30;
/// How many search hits join them.
const FOUND: usize = 20;

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(show).service(submit);
}

#[derive(Deserialize)]
struct ShowQuery {
    done: Option<String>,
}

#[get("/desk/front")]
async fn show(
    state: State,
    signed_in: SignedIn,
    query: web::Query<ShowQuery>,
) -> Result<HttpResponse, AppError> {
    signed_in.require_editor()?;
    let live = state.blocking(front_page::live).await?;
    let form = live
        .as_ref()
        .map(|live| FrontForm::of(live, &state.site.zone))
        .unwrap_or_default();
    let mut page = desk_page(&state, &signed_in, form, live, None).await?;
    page.saved = query.done.is_some();
    html(&page)
}

/// The form as sent. Every field defaults to empty, so that a forged or truncated form reaches
/// the CSRF check and is refused there.
#[derive(Deserialize, Default, Clone)]
pub struct FrontForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    revision: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    lead: String,
    #[serde(default)]
    slot1: String,
    #[serde(default)]
    slot2: String,
    #[serde(default)]
    slot3: String,
    #[serde(default)]
    slot4: String,
    #[serde(default)]
    slot5: String,
    #[serde(default)]
    slot6: String,
    #[serde(default)]
    banner_text: String,
    #[serde(default)]
    banner_link: String,
    #[serde(default)]
    banner_expires: String,
}

impl FrontForm {
    /// The form filled with what is live.
    fn of(live: &Live, zone: &SiteZone) -> Self {
        let a = &live.page.arrangement;
        let mut form = FrontForm {
            revision: live.revision.to_string(),
            lead: a.lead().map(|id| id.to_string()).unwrap_or_default(),
            ..FrontForm::default()
        };
        for (n, id) in a.slots().iter().enumerate() {
            *form.slot_mut(n) = id.to_string();
        }
        if let Some(b) = a.banner() {
            form.banner_text = b.text.to_string();
            form.banner_link = b.link.as_ref().map(ToString::to_string).unwrap_or_default();
            form.banner_expires = zone.input_value(b.expires_at);
        }
        form
    }

    fn slots(&self) -> [&String; MAX_SLOTS] {
        [
            &self.slot1,
            &self.slot2,
            &self.slot3,
            &self.slot4,
            &self.slot5,
            &self.slot6,
        ]
    }

    fn slot_mut(&mut self, n: usize) -> &mut String {
        match n {
            0 => &mut self.slot1,
            1 => &mut self.slot2,
            2 => &mut self.slot3,
            3 => &mut self.slot4,
            4 => &mut self.slot5,
            _ => &mut self.slot6,
        }
    }

    /// The revision the editor arranged from: `None` when nothing was live.
    fn read_revision(&self) -> Result<Option<u64>, String> {
        match self.revision.trim() {
            "" => Ok(None),
            raw => raw
                .parse()
                .map(Some)
                .map_err(|_| "The form is damaged: reload the page.".to_owned()),
        }
    }

    /// The arrangement the form holds, at `now`, its time typed on `zone`'s clocks, or every
    /// reason it is refused.
    fn arrangement(
        &self,
        now: OffsetDateTime,
        zone: &SiteZone,
    ) -> Result<Arrangement, Vec<String>> {
        let mut errors = Vec::new();
        let mut story = |raw: &str, what: &str| -> Option<StoryId> {
            let raw = raw.trim();
            if raw.is_empty() {
                return None;
            }
            raw.parse().map_or_else(
                |_| {
                    errors.push(format!("{what}: not a story; choose one from the list."));
                    None
                },
                Some,
            )
        };
        let lead = story(&self.lead, "Lead");
        let slots: Vec<StoryId> = self
            .slots()
            .iter()
            .enumerate()
            .filter_map(|(n, raw)| story(raw, &format!("Top story {}", n + 1)))
            .collect();
        let banner = self.banner(now, zone).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        if !errors.is_empty() {
            return Err(errors);
        }
        Arrangement::new(lead, slots, banner).map_err(|e| vec![format!("{e}.")])
    }

    fn banner(&self, now: OffsetDateTime, zone: &SiteZone) -> Result<Option<Banner>, String> {
        let (text, link, expires) = (
            self.banner_text.trim(),
            self.banner_link.trim(),
            self.banner_expires.trim(),
        );
        if text.is_empty() && link.is_empty() && expires.is_empty() {
            return Ok(None);
        }
        if text.is_empty() {
            return Err("Banner: write its text, or clear the link and time to have none.".into());
        }
        let text = BannerText::parse(text).map_err(|e| format!("{e}."))?;
        let link = match link {
            "" => None,
            raw => Some(BannerLink::parse(raw).map_err(|e| format!("{e}."))?),
        };
        if expires.is_empty() {
            return Err("Banner: say until when it is shown (Shown until).".into());
        }
        let local = parse_local(expires).ok_or_else(|| {
            format!("Shown until: {expires:?} is not a date and time like 2026-12-01T09:30.")
        })?;
        // A banner's end needs no choice of the two moments an autumn hour names: the form
        // asks for another time then, as for a time the spring change skips.
        let expires_at = zone
            .resolve(local, "")
            .map_err(|e| format!("Shown until: {e}."))?;
        if expires_at <= now {
            return Err("Shown until: that time has passed; choose a later one.".into());
        }
        Ok(Some(Banner {
            text,
            link,
            expires_at,
        }))
    }

    /// The arrangement's fields, to be sent again from the preview.
    fn carried(&self) -> Vec<(String, String)> {
        let mut fields = vec![
            ("revision".to_owned(), self.revision.clone()),
            ("q".to_owned(), self.q.clone()),
            ("lead".to_owned(), self.lead.clone()),
        ];
        for (n, value) in self.slots().iter().enumerate() {
            fields.push((format!("slot{}", n + 1), (*value).clone()));
        }
        fields.push(("banner_text".into(), self.banner_text.clone()));
        fields.push(("banner_link".into(), self.banner_link.clone()));
        fields.push(("banner_expires".into(), self.banner_expires.clone()));
        fields
    }
}

/// A `datetime-local` value (seconds optional), on the newsroom's clocks.
fn parse_local(raw: &str) -> Option<time::PrimitiveDateTime> {
    let formats = [
        format_description!("[year]-[month]-[day]T[hour]:[minute]"),
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        format_description!("[year]-[month]-[day] [hour]:[minute]"),
    ];
    formats
        .iter()
        .find_map(|f| time::PrimitiveDateTime::parse(raw, f).ok())
        .filter(|at| crate::domain::site_zone::year_in_range(at.year()))
}

#[post("/desk/front")]
async fn submit(
    req: HttpRequest,
    state: State,
    signed_in: SignedIn,
    form: web::Form<FrontForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    signed_in.check_csrf(&req, &form.csrf)?;
    signed_in.require_editor()?;
    let now = state.settings.clock.now();
    match form.action.as_str() {
        "preview" => preview(&state, &signed_in, form, now).await,
        "live" => put_live(&state, &signed_in, form, now).await,
        "search" | "edit" => {
            let live = state.blocking(front_page::live).await?;
            html(&desk_page(&state, &signed_in, form, live, None).await?)
        }
        _ => Err(AppError::BadRequest("unknown action".into())),
    }
}

async fn preview(
    state: &State,
    signed_in: &SignedIn,
    form: FrontForm,
    now: OffsetDateTime,
) -> Result<HttpResponse, AppError> {
    let arrangement = match form.arrangement(now, &state.site.zone) {
        Ok(arrangement) => arrangement,
        Err(errors) => return refused(state, signed_in, form, errors).await,
    };
    let per_page = state.settings.per_page;
    let (content, photos) = state
        .blocking(move |store| {
            let content =
                front_page::compose(store, Some(&arrangement), PageNumber::FIRST, per_page, now)?;
            let photos = crate::photos::lead_photos(store, &content.story_ids())?;
            Ok::<_, StoreError>((content, photos))
        })
        .await?;
    let bar = PreviewBar {
        csrf: signed_in.csrf.clone(),
        fields: form.carried(),
    };
    let page = FrontPageView::new(
        &state.site,
        content.lead.as_ref(),
        &content.slots,
        &content.rest,
        content.banner.as_ref(),
        &photos,
    )
    .previewing(bar);
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(CacheControl(vec![CacheDirective::NoStore]))
        .insert_header((
            header::HeaderName::from_static("x-robots-tag"),
            header::HeaderValue::from_static("noindex"),
        ))
        .body(page.render()?))
}

async fn put_live(
    state: &State,
    signed_in: &SignedIn,
    form: FrontForm,
    now: OffsetDateTime,
) -> Result<HttpResponse, AppError> {
    let read = match form.read_revision() {
        Ok(read) => read,
        Err(e) => return refused(state, signed_in, form, vec![e]).await,
    };
    let arrangement = match form.arrangement(now, &state.site.zone) {
        Ok(arrangement) => arrangement,
        Err(errors) => return refused(state, signed_in, form, errors).await,
    };
    let actor = Actor {
        id: Some(signed_in.user.id),
        name: signed_in.user.username.to_string(),
        at: now,
    };
    let outcome = state
        .blocking(move |store| {
            Ok::<_, StoreError>(front_page::put_live(store, arrangement, read, &actor))
        })
        .await?;
    match outcome {
        Ok(_) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, "/desk/front?done=1"))
            .finish()),
        Err(FrontPageError::Conflict { current }) => {
            let current = current.map(|c| *c);
            let mut form = form;
            form.revision = current
                .as_ref()
                .map(|c| c.revision.to_string())
                .unwrap_or_default();
            let note = current.as_ref().map(|c| ConflictNote {
                by: c.page.by.clone(),
                at: Timestamp::new(c.page.at, &state.site.zone),
            });
            html(&desk_page(state, signed_in, form, current, note).await?)
        }
        Err(e @ (FrontPageError::NotPublic(_) | FrontPageError::NoSuchStory)) => {
            let message = format!("{}.", capitalised(&e.to_string()));
            refused(state, signed_in, form, vec![message]).await
        }
        Err(FrontPageError::Store(e)) => Err(e.into()),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The desk page again with `errors`, the form as sent.
async fn refused(
    state: &State,
    signed_in: &SignedIn,
    form: FrontForm,
    errors: Vec<String>,
) -> Result<HttpResponse, AppError> {
    let live = state.blocking(front_page::live).await?;
    let mut page = desk_page(state, signed_in, form, live, None).await?;
    page.errors = errors;
    let html = page.render()?;
    Ok(HttpResponse::UnprocessableEntity()
        .content_type("text/html; charset=utf-8")
        .body(html))
}

/// The desk page for `form`, with `live` described and the stories to choose from: the latest
/// published, what the form's search finds, and whatever the form or the live arrangement holds.
async fn desk_page(
    state: &State,
    signed_in: &SignedIn,
    form: FrontForm,
    live: Option<Live>,
    conflict: Option<ConflictNote>,
) -> Result<FrontDeskPage, AppError> {
    let (search_terms, search_error) = match crate::web::search::terms(&form.q) {
        Ok(terms) => (terms, None),
        Err(e) => (None, Some(e)),
    };
    let searched = search_terms.is_some();
    let mut wanted: Vec<StoryId> = [&form.lead]
        .into_iter()
        .chain(form.slots())
        .filter_map(|raw| raw.trim().parse().ok())
        .collect();
    let arrangement = live.as_ref().map(|l| l.page.arrangement.clone());
    if let Some(a) = &arrangement {
        wanted.extend(a.chosen());
    }
    let (latest, found, chosen, extra) = state
        .blocking(move |store| {
            let latest = store
                .listing(Listing::Published, PageNumber::FIRST, LATEST)?
                .items;
            let found = match search_terms {
                Some(terms) => Some(
                    store
                        .search_stories(&StorySearch {
                            terms: Some(terms),
                            audience: Audience::Desk,
                            order: SearchOrder::Relevance,
                            section: None,
                            status: Some(StatusFilter::Published),
                            from: None,
                            until: None,
                            position: SearchPosition::Page(PageNumber::FIRST),
                            per_page: FOUND,
                        })?
                        .hits
                        .into_iter()
                        .map(|h| h.story)
                        .collect::<Vec<_>>(),
                ),
                None => None,
            };
            let chosen = match &arrangement {
                Some(a) => front_page::chosen_stories(store, a)?,
                None => Vec::new(),
            };
            let mut extra = Vec::new();
            for id in wanted {
                if let Some(story) = store.story(id)? {
                    extra.push(story.summary());
                }
            }
            Ok::<_, StoreError>((latest, found, chosen, extra))
        })
        .await?;
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut offer = |s: &StorySummary| {
        let id = s.id.to_string();
        if candidates.iter().all(|c| c.id != id) {
            candidates.push(candidate(s, &state.site.zone));
        }
    };
    extra.iter().for_each(&mut offer);
    found.iter().flatten().for_each(&mut offer);
    latest.iter().for_each(&mut offer);
    let live_summary = live.as_ref().map(|l| {
        let a = &l.page.arrangement;
        let rows = chosen
            .iter()
            .enumerate()
            .map(|(n, c)| LiveRow {
                place: match (n, a.lead().is_some()) {
                    (0, true) => "Lead".to_owned(),
                    (n, true) => format!("Top story {n}"),
                    (n, false) => format!("Top story {}", n + 1),
                },
                headline: c
                    .summary
                    .as_ref()
                    .map_or_else(|| c.id.to_string(), |s| s.headline.to_string()),
                hidden: c.why_hidden(),
            })
            .collect();
        LiveSummary {
            rows,
            by: l.page.by.clone(),
            at: Timestamp::new(l.page.at, &state.site.zone),
            banner: a.banner().map(|b| {
                format!(
                    "\u{201c}{}\u{201d} until {}",
                    b.text,
                    Timestamp::new(b.expires_at, &state.site.zone).display
                )
            }),
            banner_expired: a
                .banner()
                .is_some_and(|b| !b.is_shown_at(state.settings.clock.now())),
        }
    });
    let mut fields = vec![SlotField {
        name: "lead".into(),
        label: "Lead story".into(),
        value: form.lead.trim().to_owned(),
    }];
    for (n, value) in form.slots().iter().enumerate() {
        fields.push(SlotField {
            name: format!("slot{}", n + 1),
            label: format!("Top story {}", n + 1),
            value: value.trim().to_owned(),
        });
    }
    let found = found.map(|f| f.iter().map(|s| candidate(s, &state.site.zone)).collect());
    Ok(FrontDeskPage {
        ctx: DeskContext::new(signed_in, "Front page"),
        revision: form.revision.clone(),
        live: live_summary,
        conflict,
        saved: false,
        errors: search_error.into_iter().collect(),
        fields,
        candidates,
        banner_text: form.banner_text,
        banner_link: form.banner_link,
        banner_expires: form.banner_expires,
        q: form.q,
        found: if searched { found } else { None },
    })
}

fn candidate(s: &StorySummary, zone: &crate::domain::SiteZone) -> Candidate {
    let when = s
        .published_at
        .map(|at| Timestamp::new(at, zone).display)
        .unwrap_or_else(|| s.status.label().to_owned());
    Candidate {
        id: s.id.to_string(),
        label: format!("{} ({when})", s.headline),
    }
}

fn html(page: &FrontDeskPage) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_banner_needs_text_and_a_time_still_to_come() {
        let now = datetime!(2026-06-01 08:00 UTC);
        let mut form = FrontForm {
            banner_text: "Polls close".into(),
            ..FrontForm::default()
        };
        let utc = SiteZone::utc();
        assert!(form.banner(now, &utc).is_err(), "no expiry");
        form.banner_expires = "2026-06-01T07:00".into();
        assert!(form.banner(now, &utc).is_err(), "in the past");
        form.banner_expires = "2026-06-01T22:00".into();
        let banner = form.banner(now, &utc).unwrap().unwrap();
        assert_eq!(banner.expires_at, datetime!(2026-06-01 22:00 UTC));
        // On the newsroom's clocks: 22:00 in London in June is 21:00 UTC.
        let london = SiteZone::parse("Europe/London").unwrap();
        let banner = form.banner(now, &london).unwrap().unwrap();
        assert_eq!(banner.expires_at, datetime!(2026-06-01 21:00 UTC));
        form.banner_expires = "2027-03-28T01:30".into();
        let skipped = form.banner(now, &london).unwrap_err();
        assert!(skipped.contains("does not exist"), "{skipped}");
        form.banner_text = String::new();
        assert!(form.banner(now, &utc).is_err(), "a time without words");
        form.banner_expires = String::new();
        assert!(form.banner(now, &utc).unwrap().is_none());
    }
}
