//! The dateline that leads a story's first paragraph: `GENEVA, July 14 (Xinhua) --`.

use super::{DomainError, Source};
use std::fmt;
use time::{Date, Month};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dateline {
    place: Place,
    date: Date,
    agency: Option<Source>,
}

/// Where the story was filed, shown in capitals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place(String);

impl Place {
    /// Characters XML forbids are dropped first (see `text.rs`).
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let cleaned = super::text::without_xml_forbidden(raw);
        let value = cleaned.trim();
        if value.is_empty() {
            return Err(DomainError::Empty { field: "Dateline" });
        }
        if value.chars().count() > 60 || value.chars().any(|c| c.is_control() || c == ',') {
            return Err(DomainError::invalid(
                "Dateline",
                "the place is one name of at most 60 characters, without commas",
            ));
        }
        Ok(Self(value.to_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Dateline {
    pub fn new(place: Place, date: Date, agency: Option<Source>) -> Self {
        Self {
            place,
            date,
            agency,
        }
    }

    /// Parses `GENEVA, July 14 (Xinhua)` as typed on the story form, with an optional trailing `--`.
    /// The year is not written in a dateline; it is the year of `reference` (the publication date,
    /// or today), or the year before when that would put the dateline in the future.
    pub fn parse(raw: &str, reference: Date) -> Result<Self, DomainError> {
        let invalid = || {
            DomainError::invalid(
                "Dateline",
                "write it as PLACE, Month Day (Agency), e.g. GENEVA, July 14 (Xinhua)",
            )
        };
        let text = raw.trim().trim_end_matches("--").trim_end();
        let (place, rest) = text.split_once(',').ok_or_else(invalid)?;
        let rest = rest.trim();
        let (date_part, agency) = match rest.split_once('(') {
            Some((date_part, agency)) => {
                let agency = agency.strip_suffix(')').ok_or_else(invalid)?;
                (date_part.trim(), Some(Source::parse(agency)?))
            }
            None => (rest, None),
        };
        let (month, day) = date_part.split_once(' ').ok_or_else(invalid)?;
        let month = parse_month(month).ok_or_else(invalid)?;
        let day: u8 = day
            .trim()
            .trim_end_matches('.')
            .parse()
            .map_err(|_| invalid())?;
        let date = date_in_year_before(reference, month, day).ok_or_else(invalid)?;
        Ok(Self::new(Place::parse(place)?, date, agency))
    }

    pub fn place(&self) -> &Place {
        &self.place
    }

    pub fn date(&self) -> Date {
        self.date
    }

    pub fn agency(&self) -> Option<&Source> {
        self.agency.as_ref()
    }

    /// The dateline as typed on the form, without the trailing dashes.
    pub fn to_form_value(&self) -> String {
        let mut out = format!(
            "{}, {} {}",
            self.place.0,
            self.date.month(),
            self.date.day()
        );
        if let Some(agency) = &self.agency {
            out.push_str(&format!(" ({agency})"));
        }
        out
    }
}

impl fmt::Display for Dateline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} --", self.to_form_value())
    }
}

fn parse_month(raw: &str) -> Option<Month> {
    let lower = raw.trim().trim_end_matches('.').to_lowercase();
    if lower.len() < 3 {
        return None;
    }
    let mut month = Month::January;
    for _ in 0..12 {
        if month.to_string().to_lowercase().starts_with(&lower) {
            return Some(month);
        }
        month = month.next();
    }
    None
}

/// The date with `month` and `day` on or before `reference`, within the year before it.
fn date_in_year_before(reference: Date, month: Month, day: u8) -> Option<Date> {
    let this_year = Date::from_calendar_date(reference.year(), month, day);
    match this_year {
        Ok(date) if date <= reference => Some(date),
        _ => Date::from_calendar_date(reference.year() - 1, month, day).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_wire_dateline_parses_with_its_year_from_the_reference() {
        let dateline =
            Dateline::parse("GENEVA, July 14 (Xinhua) --", date!(2017 - 07 - 15)).unwrap();
        assert_eq!(dateline.date(), date!(2017 - 07 - 14));
        assert_eq!(dateline.to_string(), "GENEVA, July 14 (Xinhua) --");
    }

    #[test]
    fn a_dateline_late_in_december_read_in_january_is_last_year() {
        let dateline = Dateline::parse("Paris, Dec. 31", date!(2018 - 01 - 01)).unwrap();
        assert_eq!(dateline.date(), date!(2017 - 12 - 31));
        assert_eq!(dateline.to_string(), "PARIS, December 31 --");
    }

    #[test]
    fn malformed_datelines_are_refused() {
        for bad in [
            "GENEVA",
            "GENEVA, Julember 14",
            "GENEVA, July 44",
            "GENEVA, July 14 (Xinhua",
            ", July 14",
        ] {
            assert!(
                Dateline::parse(bad, date!(2017 - 07 - 15)).is_err(),
                "{bad:?} was accepted"
            );
        }
    }
}
