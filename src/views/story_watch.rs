//! What the story form keeps an eye on for the one editing: who else has it open right now,
//! and, on a story readers have an address for, that a new slug moves that address.

use crate::domain::{Presence, SiteZone, Story};
use crate::urls;
use time::OffsetDateTime;

/// Who else has the form open, and the warning about the story's address.
#[derive(Default)]
pub struct StoryWatch {
    /// "ann.lee is editing, since 10:42 UTC." (empty: nobody else).
    pub presence: String,
    pub address: Option<AddressWarning>,
}

/// A published story's live slug: a form whose slug differs moves its address.
pub struct AddressWarning {
    pub live_slug: String,
    pub live_url: String,
    /// The form's slug differs from the live one (the script follows the field after that).
    pub differs: bool,
}

impl StoryWatch {
    /// For the form of `story` (`None`: a new one) whose slug field holds `form_slug`; who else
    /// has it open is the caller's to fill in ([`presence_line`]).
    pub fn new(story: Option<&Story>, form_slug: &str) -> Self {
        let address = story.filter(|s| s.is_public()).and_then(|s| {
            s.published_at.map(|at| AddressWarning {
                live_slug: s.content.slug.to_string(),
                live_url: urls::article(at, &s.content.slug, 1),
                differs: !form_slug.trim().is_empty()
                    && form_slug.trim() != s.content.slug.as_str(),
            })
        });
        StoryWatch {
            presence: String::new(),
            address,
        }
    }
}

/// "ann.lee is editing, since 10:42 UTC; bo.chen is editing, since 10:45 UTC." (empty for
/// nobody): what the form shows, and what the autosave answers for the script to show.
pub fn presence_line(others: &[Presence], zone: &SiteZone) -> String {
    if others.is_empty() {
        return String::new();
    }
    let each: Vec<String> = others
        .iter()
        .map(|p| {
            format!(
                "{} is editing, since {}",
                p.username,
                desk_time(p.since, zone)
            )
        })
        .collect();
    format!("{}.", each.join("; "))
}

/// A time of day on the desk's notes, on the newsroom's clocks: "10:42 BST".
pub fn desk_time(at: OffsetDateTime, zone: &SiteZone) -> String {
    let local = zone.local(at);
    format!(
        "{:02}:{:02} {}",
        local.hour(),
        local.minute(),
        zone.abbreviation(at)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{UserId, Username};
    use time::macros::datetime;

    #[test]
    fn the_others_are_named_with_the_time_they_opened_the_form() {
        let at = datetime!(2026-12-08 10:42:31 UTC);
        let ann = Presence {
            user: UserId::from_bytes([1; 16]),
            username: Username::parse("ann.lee").unwrap(),
            since: at,
            seen: at,
        };
        assert_eq!(
            presence_line(std::slice::from_ref(&ann), &SiteZone::utc()),
            "ann.lee is editing, since 10:42 UTC."
        );
        let london = SiteZone::parse("Europe/London").unwrap();
        assert_eq!(
            presence_line(&[ann], &london),
            "ann.lee is editing, since 10:42 GMT."
        );
        assert_eq!(presence_line(&[], &london), "");
    }
}
