//! Every public URL the site links to, built in one place.

use crate::domain::{Section, Slug};
use time::OffsetDateTime;

pub fn front(page: u32) -> String {
    if page <= 1 {
        "/".into()
    } else {
        format!("/page/{page}")
    }
}

pub fn section(section: Section, page: u32) -> String {
    if page <= 1 {
        format!("/section/{}", section.key())
    } else {
        format!("/section/{}/page/{page}", section.key())
    }
}

/// `/2017/07/15/latest-peace-talks`: the publication date (UTC) and the slug.
pub fn article(published_at: OffsetDateTime, slug: &Slug, page: u32) -> String {
    let date = published_at.date();
    let base = format!(
        "/{:04}/{:02}/{:02}/{}",
        date.year(),
        u8::from(date.month()),
        date.day(),
        slug
    );
    if page <= 1 {
        base
    } else {
        format!("{base}/page/{page}")
    }
}
