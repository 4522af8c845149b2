//! The newsroom's time zone: stored times stay UTC, and this is the one place that turns them
//! into the local times people read and type, and back. A local time typed in the hour a
//! clock skips (spring) is refused; one in the hour it repeats (autumn) is not guessed at: the
//! caller is told both offsets, so the person who typed it chooses.

use super::DomainError;
use jiff::civil;
use jiff::tz::{AmbiguousOffset, Offset, TimeZone};
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// The earliest year a typed time may name: older dates are typing mistakes (`0026` for
/// `2026`), and offsets before standard time are local mean times nobody means.
pub const EARLIEST_YEAR: i32 = 1900;
/// The latest: four digits, as every machine format the site writes expects.
pub const LATEST_YEAR: i32 = 9999;

/// An IANA time zone (`Europe/London`), with the name it was given by.
#[derive(Debug, Clone)]
pub struct SiteZone {
    name: String,
    zone: TimeZone,
}

impl PartialEq for SiteZone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for SiteZone {}

impl Default for SiteZone {
    fn default() -> Self {
        Self::utc()
    }
}

impl std::fmt::Display for SiteZone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

impl std::str::FromStr for SiteZone {
    type Err = DomainError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::parse(raw)
    }
}

/// Day, month in words, year and minutes: `15 July 2017, 07:11`.
const READABLE: &[BorrowedFormatItem<'static>] =
    format_description!("[day padding:none] [month repr:long] [year], [hour]:[minute]");
const INPUT: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]");
const INPUT_SECONDS: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
const CLOCK: &[BorrowedFormatItem<'static>] = format_description!("[hour]:[minute]");

/// Why a local time names no single moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalTimeError {
    /// The clocks skipped it (they went forward from `from` to `to`).
    Skipped {
        zone: String,
        from: String,
        to: String,
    },
    /// The clocks showed it twice: which one is meant, in the order they came.
    Twice {
        zone: String,
        choices: [OffsetChoice; 2],
    },
}

/// One of the two moments a repeated local time names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetChoice {
    /// What the form sends back for it: the local time and the offset,
    /// `2026-10-25T01:30:00+01:00`, so a choice made for one time is never taken for another.
    pub value: String,
    /// What a person reads: `01:30 BST (+01:00)`.
    pub label: String,
}

impl std::fmt::Display for LocalTimeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LocalTimeError::Skipped { zone, from, to } => write!(
                f,
                "that time does not exist in {zone}: the clocks go forward from {from} to {to} \
                 that night; choose a time outside that hour"
            ),
            LocalTimeError::Twice { zone, choices } => write!(
                f,
                "that time happens twice in {zone} as the clocks go back: choose {} or {}",
                choices[0].label, choices[1].label
            ),
        }
    }
}

impl SiteZone {
    pub fn utc() -> Self {
        Self {
            name: "UTC".into(),
            zone: TimeZone::UTC,
        }
    }

    /// An IANA name such as `Europe/London` (or `UTC`), from the database built into the binary.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(DomainError::Empty { field: "time zone" });
        }
        let zone = TimeZone::get(name).map_err(|_| {
            DomainError::invalid(
                "time zone",
                format!("{name:?} is not an IANA time zone name such as Europe/London or UTC"),
            )
        })?;
        // The database's own spelling, so `europe/london` is shown as `Europe/London`.
        let name = zone.iana_name().unwrap_or(name).to_owned();
        Ok(Self { name, zone })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    fn offset_at(&self, at: OffsetDateTime) -> UtcOffset {
        let seconds = jiff::Timestamp::from_second(at.unix_timestamp())
            .map(|ts| self.zone.to_offset(ts).seconds())
            .unwrap_or(0);
        UtcOffset::from_whole_seconds(seconds).unwrap_or(UtcOffset::UTC)
    }

    /// `at` on the zone's clocks.
    pub fn local(&self, at: OffsetDateTime) -> OffsetDateTime {
        at.to_offset(self.offset_at(at))
    }

    /// The zone's short name at `at` (`BST`, `GMT`, `CST`), or its offset where it has none.
    pub fn abbreviation(&self, at: OffsetDateTime) -> String {
        jiff::Timestamp::from_second(at.unix_timestamp())
            .map(|ts| self.zone.to_offset_info(ts).abbreviation().to_owned())
            .unwrap_or_else(|_| "UTC".into())
    }

    /// As readers read it: `15 July 2017, 07:11`.
    pub fn readable(&self, at: OffsetDateTime) -> String {
        self.local(at).format(READABLE).unwrap_or_default()
    }

    /// As the desk reads it, the zone named: `15 July 2017, 14:00 (Europe/London)`.
    pub fn named(&self, at: OffsetDateTime) -> String {
        format!("{} ({})", self.readable(at), self.name)
    }

    /// The first moment of `day` on the zone's clocks (past a change at midnight, the first
    /// that exists).
    pub fn start_of_day(&self, day: time::Date) -> OffsetDateTime {
        let midnight = day.midnight().assume_utc();
        let start = i16::try_from(day.year())
            .ok()
            .and_then(|year| civil::Date::new(year, day.month() as i8, day.day() as i8).ok())
            .and_then(|date| date.to_zoned_datetime(self.zone.clone()).ok())
            .and_then(|zoned| {
                OffsetDateTime::from_unix_timestamp(zoned.timestamp().as_second()).ok()
            });
        start.unwrap_or(midnight)
    }

    /// A `datetime-local` value: `2017-07-15T07:11`.
    pub fn input_value(&self, at: OffsetDateTime) -> String {
        self.local(at).format(INPUT).unwrap_or_default()
    }

    /// A `datetime-local` value to the second.
    pub fn input_value_seconds(&self, at: OffsetDateTime) -> String {
        self.local(at).format(INPUT_SECONDS).unwrap_or_default()
    }

    /// The [`OffsetChoice::value`] naming `at` when the zone's clocks showed its local time
    /// twice; empty for any other time.
    pub fn choice_of(&self, at: OffsetDateTime) -> String {
        let local = self.local(at);
        let local = PrimitiveDateTime::new(local.date(), local.time());
        match self.resolve(local, "") {
            Err(LocalTimeError::Twice { choices, .. }) => choices
                .into_iter()
                .find(|c| self.resolve(local, &c.value).ok() == Some(at))
                .map(|c| c.value)
                .unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// The moment the zone's clocks show `local`. `chosen` is the [`OffsetChoice::value`]
    /// picked for a time the clocks show twice; it is used only for such a time, and only if
    /// it is one of that very time's two choices.
    pub fn resolve(
        &self,
        local: PrimitiveDateTime,
        chosen: &str,
    ) -> Result<OffsetDateTime, LocalTimeError> {
        let utc = local.assume_utc();
        let civil = civil::DateTime::new(
            i16::try_from(local.year()).unwrap_or(i16::MAX),
            local.month() as i8,
            local.day() as i8,
            local.hour() as i8,
            local.minute() as i8,
            local.second() as i8,
            0,
        );
        let Ok(civil) = civil else {
            // Outside what the zone database covers: callers refuse such years first.
            return Ok(utc);
        };
        let at = |offset: Offset| {
            UtcOffset::from_whole_seconds(offset.seconds())
                .map(|offset| local.assume_offset(offset))
                .unwrap_or(utc)
        };
        match self.zone.to_ambiguous_timestamp(civil).offset() {
            AmbiguousOffset::Unambiguous { offset } => Ok(at(offset)),
            AmbiguousOffset::Gap { before, after } => {
                let clock = |offset: Offset| {
                    // The moment of the change, on the clocks before and after it.
                    let moment = at(before).to_offset(time::UtcOffset::UTC);
                    let shown = UtcOffset::from_whole_seconds(offset.seconds())
                        .map(|o| moment.to_offset(o))
                        .unwrap_or(moment);
                    let start = shown.replace_minute(0).unwrap_or(shown);
                    start.format(CLOCK).unwrap_or_default()
                };
                Err(LocalTimeError::Skipped {
                    zone: self.name.clone(),
                    from: clock(before),
                    to: clock(after),
                })
            }
            AmbiguousOffset::Fold { before, after } => {
                let choices = [before, after].map(|offset| {
                    let moment = at(offset);
                    OffsetChoice {
                        value: format!(
                            "{}{}",
                            local.format(INPUT_SECONDS).unwrap_or_default(),
                            offset_text(moment.offset())
                        ),
                        label: format!(
                            "{} {} ({})",
                            moment.format(CLOCK).unwrap_or_default(),
                            self.abbreviation(moment),
                            offset_text(moment.offset())
                        ),
                    }
                });
                match choices.iter().find(|c| c.value == chosen.trim()) {
                    Some(choice) if choice.value == choices[0].value => Ok(at(before)),
                    Some(_) => Ok(at(after)),
                    None => Err(LocalTimeError::Twice {
                        zone: self.name.clone(),
                        choices,
                    }),
                }
            }
        }
    }
}

/// `+01:00`, `-05:00`, `+00:00`.
fn offset_text(offset: UtcOffset) -> String {
    let (h, m, _) = offset.as_hms();
    let sign = if offset.is_negative() { '-' } else { '+' };
    format!("{sign}{:02}:{:02}", h.unsigned_abs(), m.unsigned_abs())
}

/// Whether `year` is one a person may type for a date the site keeps.
pub fn year_in_range(year: i32) -> bool {
    (EARLIEST_YEAR..=LATEST_YEAR).contains(&year)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn london() -> SiteZone {
        SiteZone::parse("Europe/London").unwrap()
    }

    #[test]
    fn a_zone_is_read_by_its_iana_name_and_a_wrong_one_is_refused() {
        assert_eq!(
            SiteZone::parse("Asia/Shanghai").unwrap().name(),
            "Asia/Shanghai"
        );
        assert_eq!(SiteZone::parse("UTC").unwrap().name(), "UTC");
        let err = SiteZone::parse("Mars/Olympus").unwrap_err().to_string();
        assert!(err.contains("Mars/Olympus"), "{err}");
    }

    #[test]
    fn stored_utc_reads_in_the_zone() {
        let at = datetime!(2017-07-15 07:11:57 UTC);
        let shanghai = SiteZone::parse("Asia/Shanghai").unwrap();
        assert_eq!(shanghai.readable(at), "15 July 2017, 15:11");
        assert_eq!(SiteZone::utc().readable(at), "15 July 2017, 07:11");
        assert_eq!(london().named(at), "15 July 2017, 08:11 (Europe/London)");
        assert_eq!(london().input_value(at), "2017-07-15T08:11");
        assert_eq!(london().input_value_seconds(at), "2017-07-15T08:11:57");
        assert_eq!(london().abbreviation(at), "BST");
    }

    #[test]
    fn a_local_time_is_the_moment_its_clocks_show() {
        let at = london().resolve(datetime!(2026-07-01 14:00), "").unwrap();
        assert_eq!(at, datetime!(2026-07-01 13:00 UTC));
    }

    #[test]
    fn a_skipped_time_is_refused() {
        let err = london()
            .resolve(datetime!(2026-03-29 01:30), "")
            .unwrap_err();
        assert_eq!(
            err,
            LocalTimeError::Skipped {
                zone: "Europe/London".into(),
                from: "01:00".into(),
                to: "02:00".into()
            }
        );
    }

    #[test]
    fn a_repeated_time_asks_which_and_takes_the_offset_chosen() {
        let err = london()
            .resolve(datetime!(2026-10-25 01:30), "")
            .unwrap_err();
        let LocalTimeError::Twice { choices, .. } = err else {
            panic!("not asked: {err:?}");
        };
        assert_eq!(choices[0].label, "01:30 BST (+01:00)");
        assert_eq!(choices[1].label, "01:30 GMT (+00:00)");
        assert_eq!(choices[0].value, "2026-10-25T01:30:00+01:00");
        let first = london()
            .resolve(datetime!(2026-10-25 01:30), &choices[0].value)
            .unwrap();
        let second = london()
            .resolve(datetime!(2026-10-25 01:30), &choices[1].value)
            .unwrap();
        assert_eq!(first, datetime!(2026-10-25 00:30 UTC));
        assert_eq!(second, datetime!(2026-10-25 01:30 UTC));
        assert_eq!(london().choice_of(second), choices[1].value);
        assert_eq!(london().choice_of(datetime!(2026-07-01 12:00 UTC)), "");
        // A choice made for another time asks again.
        assert!(
            london()
                .resolve(datetime!(2026-10-25 01:45), &choices[0].value)
                .is_err()
        );
    }
}
