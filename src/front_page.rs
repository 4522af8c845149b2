//! The front page editors arrange (see [`crate::domain::front_page`]): the arrangement readers
//! see is one site record ([`RecordKind::FrontPage`]), written over the revision the editor
//! read, so two editors putting a front page live at once meet a conflict instead of one
//! silently undoing the other. A write moves the public version (every server's page cache
//! follows), is audited, and travels in backups with the other site records.
//!
//! How the arranged front page is paged: page 1 shows the chosen stories readers can see (the
//! lead, then the top slots in order), then the newest other published stories, `per_page`
//! stories in all (only the chosen when they fill it). Every later page holds `per_page` of the
//! other published stories, newest first, from where page 1 stopped: page `n` starts at
//! `r + (n - 2) × per_page` in "every published story but the chosen", where `r` is how many
//! of them page 1 showed. No story shows twice and none is skipped. Finding that start reads
//! the published listing from the same offset (the chosen stories can only push it later) for
//! `per_page` plus the number chosen, and counts the chosen stories placed before it from their
//! places in the listing: the same few listing reads on page 2 as on page 5,000. A chosen story
//! readers can no longer see (unpublished, withdrawn) is left out, and the pages close up.

use crate::accounts::Actor;
use crate::domain::{
    Arrangement, AuditAction, AuditEvent, Banner, LiveFrontPage, PageNumber, Paging, Status,
    StoryId, StorySummary,
};
use crate::storage::{
    self, Expect, Listing, ListingPage, RecordKind, Store, StoreError, codec, public_place,
};
use thiserror::Error;
use time::OffsetDateTime;

/// The key of the one front page record.
const RECORD_KEY: &str = "front";

/// The arrangement readers see, at its revision (what a change must be written over).
#[derive(Debug, Clone)]
pub struct Live {
    pub page: LiveFrontPage,
    pub revision: u64,
}

#[derive(Debug, Error)]
pub enum FrontPageError {
    /// Someone put another arrangement live since the editor read `revision`.
    #[error("the front page was changed by someone else meanwhile")]
    Conflict { current: Option<Box<Live>> },
    /// A chosen story readers cannot see: it would not show.
    #[error("{0} is not published; only published stories can go on the front page")]
    NotPublic(String),
    /// A chosen story that does not exist (a forged or stale form).
    #[error("a chosen story no longer exists")]
    NoSuchStory,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The arrangement readers see, if one was ever put live.
pub fn live(store: &dyn Store) -> Result<Option<Live>, StoreError> {
    let Some(record) = store.site_record(RecordKind::FrontPage, RECORD_KEY)? else {
        return Ok(None);
    };
    Ok(Some(Live {
        page: codec::decode_front_page(&record.bytes)?,
        revision: record.revision,
    }))
}

/// Puts `arrangement` live over `read` (the revision the editor arranged from; `None` when
/// there was no arrangement yet), with an audit event. Every chosen story must be public.
pub fn put_live(
    store: &dyn Store,
    arrangement: Arrangement,
    read: Option<u64>,
    actor: &Actor,
) -> Result<u64, FrontPageError> {
    let mut headlines = Vec::new();
    for id in arrangement.chosen() {
        let story = store.story(id)?.ok_or(FrontPageError::NoSuchStory)?;
        if !story.is_public() {
            return Err(FrontPageError::NotPublic(format!(
                "\u{201c}{}\u{201d}",
                story.content.headline
            )));
        }
        headlines.push(story.content.headline.to_string());
    }
    let detail = describe(&arrangement, &headlines);
    let live = LiveFrontPage {
        arrangement,
        by: actor.name.clone(),
        at: actor.at,
    };
    let bytes = codec::encode_front_page(&live).map_err(StoreError::from)?;
    let expect = read.map_or(Expect::Absent, Expect::Revision);
    let written = storage::transaction(store, |tx| {
        let revision = tx.put_site_record(
            RecordKind::FrontPage,
            RECORD_KEY,
            bytes.clone(),
            expect,
            true,
        )?;
        tx.record_audit(&AuditEvent {
            at: actor.at,
            actor: actor.id,
            actor_name: actor.name.clone(),
            action: AuditAction::FrontPage,
            detail: detail.clone(),
        })?;
        Ok::<_, StoreError>(revision)
    });
    match written {
        Ok(revision) => Ok(revision),
        Err(StoreError::RecordConflict { .. }) => Err(FrontPageError::Conflict {
            current: self::live(store)?.map(Box::new),
        }),
        Err(e) => Err(e.into()),
    }
}

/// The audit log's words for an arrangement: its headlines in order and its banner.
fn describe(arrangement: &Arrangement, headlines: &[String]) -> String {
    let mut parts = Vec::new();
    let mut names = headlines.iter();
    if arrangement.lead().is_some()
        && let Some(lead) = names.next()
    {
        parts.push(format!("lead \u{201c}{lead}\u{201d}"));
    }
    let slots: Vec<String> = names.map(|h| format!("\u{201c}{h}\u{201d}")).collect();
    if !slots.is_empty() {
        parts.push(format!("top stories {}", slots.join(", ")));
    }
    if let Some(banner) = arrangement.banner() {
        parts.push(format!(
            "banner \u{201c}{}\u{201d} until {}",
            banner.text,
            utc_minute(banner.expires_at)
        ));
    }
    if parts.is_empty() {
        "newest stories only".into()
    } else {
        parts.join("; ")
    }
}

/// `2017-07-15 07:11 UTC`.
fn utc_minute(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute] UTC"
        ))
        .unwrap_or_default()
}

/// A chosen story as the desk shows it: its headline and whether readers see it.
#[derive(Debug, Clone)]
pub struct ChosenStory {
    pub id: StoryId,
    /// `None` when the story is gone.
    pub summary: Option<StorySummary>,
    pub public: bool,
}

impl ChosenStory {
    /// Why readers do not see it, in the desk's words.
    pub fn why_hidden(&self) -> Option<String> {
        if self.public {
            return None;
        }
        Some(match &self.summary {
            None => "no longer exists".into(),
            Some(s) => match s.status {
                Status::Published => "is not public".into(),
                other => format!("is {}", other.label().to_lowercase()),
            },
        })
    }
}

/// Every story `arrangement` names, in order, with whether readers can see it.
pub fn chosen_stories(
    store: &dyn Store,
    arrangement: &Arrangement,
) -> Result<Vec<ChosenStory>, StoreError> {
    arrangement
        .chosen()
        .map(|id| {
            let story = store.story(id)?;
            Ok(ChosenStory {
                id,
                public: story.as_ref().is_some_and(|s| s.is_public()),
                summary: story.map(|s| s.summary()),
            })
        })
        .collect()
}

/// One page of the front page.
#[derive(Debug, Clone)]
pub struct FrontPageContent {
    /// The lead, while readers can see it; page 1 only.
    pub lead: Option<StorySummary>,
    /// The top slots readers can see, in order; page 1 only.
    pub slots: Vec<StorySummary>,
    /// The newest other stories of this page, and the paging of the whole front page.
    pub rest: ListingPage,
    /// The banner, until it expires; page 1 only.
    pub banner: Option<Banner>,
}

impl FrontPageContent {
    /// Every story on the page, for their photos.
    pub fn story_ids(&self) -> Vec<StoryId> {
        self.lead
            .iter()
            .chain(&self.slots)
            .chain(&self.rest.items)
            .map(|s| s.id)
            .collect()
    }
}

/// Page `page` of the front page arranged as `arrangement` (none: newest first only), as
/// readers see it at `now`. A page past the last is [`StoreError::NotFound`].
pub fn compose(
    store: &dyn Store,
    arrangement: Option<&Arrangement>,
    page: PageNumber,
    per_page: usize,
    now: OffsetDateTime,
) -> Result<FrontPageContent, StoreError> {
    let first = page == PageNumber::FIRST;
    let banner = arrangement
        .filter(|_| first)
        .and_then(|a| a.banner_at(now))
        .cloned();
    let mut chosen = Vec::new();
    let mut lead = None;
    if let Some(arrangement) = arrangement {
        for id in arrangement.chosen() {
            let Some(story) = store.story(id)?.filter(|s| s.is_public()) else {
                continue;
            };
            if Some(id) == arrangement.lead() {
                lead = Some(story.summary());
            } else {
                chosen.push(story.summary());
            }
        }
    }
    if lead.is_none() && chosen.is_empty() {
        let rest = store.listing(Listing::Published, page, per_page)?;
        return Ok(FrontPageContent {
            lead: None,
            slots: Vec::new(),
            rest,
            banner,
        });
    }
    let all: Vec<StorySummary> = lead.iter().chain(&chosen).cloned().collect();
    let rest = rest_of(store, &all, page, per_page)?;
    Ok(FrontPageContent {
        lead: lead.filter(|_| first),
        slots: if first { chosen } else { Vec::new() },
        rest,
        banner,
    })
}

/// Page `page` of the published stories but `chosen` (which page 1 shows above them), paged
/// as the module describes.
fn rest_of(
    store: &dyn Store,
    chosen: &[StorySummary],
    page: PageNumber,
    per_page: usize,
) -> Result<ListingPage, StoreError> {
    let per_page = per_page.max(1);
    let k = chosen.len();
    let on_first = per_page.saturating_sub(k);
    let (offset, count) = match page.get() {
        1 => (0, on_first),
        n => (on_first + (n as usize - 2) * per_page, per_page),
    };
    let (window, total) = published_window(store, offset, count + k, per_page)?;
    let others = usize::try_from(total)
        .unwrap_or(usize::MAX)
        .saturating_sub(k);
    let pages = 1 + others.saturating_sub(on_first).div_ceil(per_page);
    if page.get() as usize > pages {
        return Err(StoreError::NotFound);
    }
    // The chosen stories placed before the window's first story pushed it later by as many:
    // that many of the others it starts with were shown on an earlier page.
    let shown_before = window.first().and_then(public_place).map_or(0, |start| {
        chosen
            .iter()
            .filter(|c| public_place(c).is_some_and(|p| p > start))
            .count()
    });
    let items = window
        .into_iter()
        .filter(|s| !chosen.iter().any(|c| c.id == s.id))
        .skip(shown_before)
        .take(count)
        .collect();
    Ok(ListingPage {
        items,
        paging: Paging {
            current: page.get(),
            total: u32::try_from(pages).unwrap_or(u32::MAX),
        },
        total_items: total,
    })
}

/// Up to `len` published stories from `offset` on, newest first, read as the listing's pages of
/// `per_page`, with how many stories are published in all.
fn published_window(
    store: &dyn Store,
    offset: usize,
    len: usize,
    per_page: usize,
) -> Result<(Vec<StorySummary>, u64), StoreError> {
    let first = offset / per_page;
    let last = (offset + len.max(1) - 1) / per_page;
    let mut items = Vec::new();
    let mut total = 0;
    for index in first..=last {
        let number = PageNumber::new(u32::try_from(index + 1).unwrap_or(u32::MAX))
            .unwrap_or(PageNumber::FIRST);
        match store.listing(Listing::Published, number, per_page) {
            Ok(listed) => {
                total = listed.total_items;
                let had = listed.items.len();
                items.extend(listed.items);
                if had < per_page {
                    break;
                }
            }
            // Past the end: the window ends with the listing.
            Err(StoreError::NotFound) if index > first => break,
            Err(StoreError::NotFound) => {
                // Even the first page is past the end: learn the total for the page count.
                total = store
                    .listing(Listing::Published, PageNumber::FIRST, 1)?
                    .total_items;
                return Ok((Vec::new(), total));
            }
            Err(e) => return Err(e),
        }
    }
    let skip = offset - first * per_page;
    Ok((items.into_iter().skip(skip).take(len).collect(), total))
}
