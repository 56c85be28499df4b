//! Wall-clock times in a zone, as organisers type them, turned into instants,
//! and instants back into the form's fields.
//!
//! The rules of a daylight-saving change are decided here once: a time the
//! clocks skip is refused with the hour the clocks jump, and a time that
//! happens twice is the first of the two.

use jiff::Timestamp;
use jiff::civil;
use jiff::tz::{AmbiguousOffset, Offset};
use thiserror::Error;
use time::OffsetDateTime;

use crate::Zone;

/// The first year a meeting may be in.
pub const MIN_YEAR: i32 = 1900;
/// The last year a meeting may be in.
pub const MAX_YEAR: i32 = 2200;

/// A local date and time that does not name one instant.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LocalTimeError {
    /// The date is not written as `YYYY-MM-DD`.
    #[error("\"{input}\" is not a date: write it as YYYY-MM-DD, for example 2026-12-01")]
    BadDate {
        /// The text given (cut short if long).
        input: String,
    },
    /// The date is well written but is not a day (30 February).
    #[error("{input} is not a day on the calendar: check the month and the day")]
    NoSuchDay {
        /// The text given.
        input: String,
    },
    /// The year is outside [`MIN_YEAR`]..=[`MAX_YEAR`].
    #[error("the year {year} is out of range: meetings can be from {MIN_YEAR} to {MAX_YEAR}")]
    YearOutOfRange {
        /// The year given.
        year: i32,
    },
    /// The time is not written as `HH:MM` (or `HH:MM:SS`) on a 24-hour clock.
    #[error(
        "\"{input}\" is not a time of day: write it as HH:MM on a 24-hour clock, for example 19:30"
    )]
    BadTime {
        /// The text given (cut short if long).
        input: String,
    },
    /// The clocks skip this time (spring forward).
    #[error(
        "{time} on {date} does not exist in {zone}: the clocks go forward from {gap_start} \
         to {gap_end}; choose a time before {gap_start} or from {gap_end} on"
    )]
    Skipped {
        /// The date asked for, `YYYY-MM-DD`.
        date: String,
        /// The time asked for, `HH:MM`.
        time: String,
        /// The zone's name.
        zone: String,
        /// The local time the clocks leave (the gap starts).
        gap_start: String,
        /// The local time the clocks jump to (the gap ends).
        gap_end: String,
    },
}

impl Zone {
    /// The instant a meeting starts, from the date and time an organiser
    /// typed (an HTML date input's `2026-12-01` and time input's `19:30`,
    /// seconds allowed) in this zone.
    ///
    /// A time the clocks skip (between 01:00 and 02:00 on the night British
    /// clocks go forward) is an error naming the gap. A time that happens
    /// twice (01:30 on the night they go back) is taken to be the **first**
    /// of the two, the one still on summer time, as RFC 5545 also reads an
    /// ambiguous local time.
    pub fn resolve_local(&self, date: &str, time: &str) -> Result<OffsetDateTime, LocalTimeError> {
        let date = parse_date(date)?;
        let time = parse_time(time)?;
        self.resolve_civil(date, time)
    }

    /// [`Zone::resolve_local`] for a date and time already parsed; a
    /// fraction of a second is dropped.
    pub fn resolve(
        &self,
        date: time::Date,
        time: time::Time,
    ) -> Result<OffsetDateTime, LocalTimeError> {
        let year = date.year();
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(LocalTimeError::YearOutOfRange { year });
        }
        let day = civil::Date::new(
            i16::try_from(year).map_err(|_| LocalTimeError::YearOutOfRange { year })?,
            // Months and days from `time` are always in range.
            i8::try_from(u8::from(date.month())).unwrap_or(1),
            i8::try_from(date.day()).unwrap_or(1),
        )
        .map_err(|_| LocalTimeError::NoSuchDay {
            input: date.to_string(),
        })?;
        let at = civil::Time::new(
            i8::try_from(time.hour()).unwrap_or(0),
            i8::try_from(time.minute()).unwrap_or(0),
            i8::try_from(time.second()).unwrap_or(0),
            0,
        )
        .map_err(|_| LocalTimeError::BadTime {
            input: time.to_string(),
        })?;
        self.resolve_civil(day, at)
    }

    fn resolve_civil(
        &self,
        date: civil::Date,
        time: civil::Time,
    ) -> Result<OffsetDateTime, LocalTimeError> {
        let year = i32::from(date.year());
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(LocalTimeError::YearOutOfRange { year });
        }
        let wall = date.to_datetime(time);
        let ambiguous = self.tz().to_ambiguous_timestamp(wall);
        let instant = match ambiguous.offset() {
            AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(wall),
            AmbiguousOffset::Fold { before, .. } => before.to_timestamp(wall),
            AmbiguousOffset::Gap { before, after } => {
                return Err(self.skipped(wall, before, after));
            }
        };
        // Within MIN_YEAR..=MAX_YEAR neither conversion can fail.
        instant
            .ok()
            .and_then(from_timestamp)
            .ok_or(LocalTimeError::YearOutOfRange { year })
    }

    /// The error for a wall time in a gap, saying where the gap starts and
    /// ends on the clock.
    fn skipped(&self, wall: civil::DateTime, before: Offset, after: Offset) -> LocalTimeError {
        // Read with the later offset, the wall time is an instant before the
        // transition; the next transition from there is the one that skips it.
        let transition = after
            .to_timestamp(wall)
            .ok()
            .and_then(|probe| self.tz().following(probe).next())
            .map(|t| t.timestamp());
        let (gap_start, gap_end) = match transition {
            Some(at) => (
                clock_near(before.to_datetime(at), wall.date()),
                clock_near(after.to_datetime(at), wall.date()),
            ),
            None => ("?".to_owned(), "?".to_owned()),
        };
        LocalTimeError::Skipped {
            date: wall.date().to_string(),
            time: format!("{:02}:{:02}", wall.hour(), wall.minute()),
            zone: self.name().to_owned(),
            gap_start,
            gap_end,
        }
    }

    /// The date and time fields a form shows for `at` in this zone:
    /// (`"2026-12-01"`, `"19:30"`), the inverse of [`Zone::resolve_local`]
    /// (seconds are dropped).
    pub fn form_values(&self, at: OffsetDateTime) -> (String, String) {
        match to_timestamp(at) {
            Some(ts) => {
                let wall = ts.to_zoned(self.tz().clone()).datetime();
                (
                    wall.date().to_string(),
                    format!("{:02}:{:02}", wall.hour(), wall.minute()),
                )
            }
            None => {
                let utc = at.to_offset(time::UtcOffset::UTC);
                (
                    utc.date().to_string(),
                    format!("{:02}:{:02}", utc.hour(), utc.minute()),
                )
            }
        }
    }
}

/// "01:00", or "2011-12-31 00:00" when the clock is on another day than
/// the one asked about.
fn clock_near(clock: civil::DateTime, day: civil::Date) -> String {
    if clock.date() == day {
        format!("{:02}:{:02}", clock.hour(), clock.minute())
    } else {
        format!("{} {:02}:{:02}", clock.date(), clock.hour(), clock.minute())
    }
}

fn cut(s: &str) -> String {
    let mut end = s.len().min(40);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

/// `YYYY-MM-DD`, exactly as an HTML date input sends it.
fn parse_date(input: &str) -> Result<civil::Date, LocalTimeError> {
    let text = input.trim();
    let bad = || LocalTimeError::BadDate { input: cut(text) };
    let mut parts = text.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let year: i16 = digits(y).ok_or_else(bad)?;
    let month: i8 = digits(m).ok_or_else(bad)?;
    let day: i8 = digits(d).ok_or_else(bad)?;
    if !(MIN_YEAR..=MAX_YEAR).contains(&i32::from(year)) {
        return Err(LocalTimeError::YearOutOfRange {
            year: i32::from(year),
        });
    }
    civil::Date::new(year, month, day).map_err(|_| LocalTimeError::NoSuchDay {
        input: text.to_owned(),
    })
}

/// `HH:MM` or `HH:MM:SS` on a 24-hour clock.
fn parse_time(input: &str) -> Result<civil::Time, LocalTimeError> {
    let text = input.trim();
    let bad = || LocalTimeError::BadTime { input: cut(text) };
    let parts: Vec<&str> = text.splitn(4, ':').collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.len() != 2) {
        return Err(bad());
    }
    let hour: i8 = digits(parts[0]).ok_or_else(bad)?;
    let minute: i8 = digits(parts[1]).ok_or_else(bad)?;
    let second: i8 = match parts.get(2) {
        Some(s) => digits(s).ok_or_else(bad)?,
        None => 0,
    };
    civil::Time::new(hour, minute, second, 0).map_err(|_| bad())
}

/// ASCII digits only: `str::parse` would also take a sign.
fn digits<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// The instant as jiff sees it; `None` only past jiff's range (about
/// ±9999 years), which no meeting reaches.
pub(crate) fn to_timestamp(at: OffsetDateTime) -> Option<Timestamp> {
    Timestamp::from_nanosecond(at.unix_timestamp_nanos()).ok()
}

pub(crate) fn from_timestamp(ts: Timestamp) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(ts.as_nanosecond()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn zone(name: &str) -> Zone {
        Zone::parse(name).unwrap()
    }

    #[test]
    fn a_plain_evening_is_the_instant_the_zone_gives_it() {
        let london = zone("Europe/London");
        assert_eq!(
            london.resolve_local("2026-12-01", "19:30").unwrap(),
            datetime!(2026-12-01 19:30 UTC)
        );
        assert_eq!(
            london.resolve_local("2026-07-01", "19:30:15").unwrap(),
            datetime!(2026-07-01 18:30:15 UTC)
        );
        assert_eq!(
            zone("Asia/Kolkata")
                .resolve_local("2026-12-01", "19:30")
                .unwrap(),
            datetime!(2026-12-01 14:00 UTC)
        );
        assert_eq!(
            zone("America/New_York")
                .resolve(
                    time::macros::date!(2027 - 03 - 15),
                    time::macros::time!(19:00)
                )
                .unwrap(),
            datetime!(2027-03-15 23:00 UTC)
        );
    }

    #[test]
    fn a_time_the_clocks_skip_is_refused_naming_the_gap() {
        // British clocks go from 01:00 GMT to 02:00 BST on 29 March 2026.
        let err = zone("Europe/London")
            .resolve_local("2026-03-29", "01:30")
            .unwrap_err();
        assert_eq!(
            err,
            LocalTimeError::Skipped {
                date: "2026-03-29".into(),
                time: "01:30".into(),
                zone: "Europe/London".into(),
                gap_start: "01:00".into(),
                gap_end: "02:00".into(),
            }
        );
        let text = err.to_string();
        assert!(text.contains("01:30 on 2026-03-29"), "{text}");
        assert!(text.contains("Europe/London"), "{text}");
        // New York: 02:00 EST to 03:00 EDT on 14 March 2027.
        assert!(matches!(
            zone("America/New_York").resolve_local("2027-03-14", "02:59"),
            Err(LocalTimeError::Skipped { .. })
        ));
        // The edges of the gap are fine.
        assert_eq!(
            zone("Europe/London")
                .resolve_local("2026-03-29", "02:00")
                .unwrap(),
            datetime!(2026-03-29 01:00 UTC)
        );
        assert_eq!(
            zone("Europe/London")
                .resolve_local("2026-03-29", "00:59")
                .unwrap(),
            datetime!(2026-03-29 00:59 UTC)
        );
    }

    #[test]
    fn a_day_skipped_whole_names_the_days_of_the_gap() {
        // Samoa moved across the date line: 30 December 2011 never happened.
        let err = zone("Pacific/Apia")
            .resolve_local("2011-12-30", "12:00")
            .unwrap_err();
        match err {
            LocalTimeError::Skipped {
                gap_start, gap_end, ..
            } => {
                assert_eq!(gap_start, "00:00");
                assert_eq!(gap_end, "2011-12-31 00:00");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_time_that_happens_twice_is_the_first_of_the_two() {
        // 01:30 on 25 October 2026 in London happens at 00:30Z (BST) and 01:30Z (GMT).
        assert_eq!(
            zone("Europe/London")
                .resolve_local("2026-10-25", "01:30")
                .unwrap(),
            datetime!(2026-10-25 00:30 UTC)
        );
        // 01:30 on 7 November 2027 in New York: 05:30Z (EDT) before 06:30Z (EST).
        assert_eq!(
            zone("America/New_York")
                .resolve_local("2027-11-07", "01:30")
                .unwrap(),
            datetime!(2027-11-07 05:30 UTC)
        );
    }

    #[test]
    fn badly_written_dates_and_times_say_how_to_write_them() {
        let london = zone("Europe/London");
        for bad in [
            "1/12/2026",
            "2026-12-1",
            "26-12-01",
            "2026-12-01x",
            "",
            "+026-12-01",
        ] {
            let err = london.resolve_local(bad, "19:30").unwrap_err();
            assert!(
                matches!(err, LocalTimeError::BadDate { .. }),
                "{bad}: {err:?}"
            );
            assert!(err.to_string().contains("YYYY-MM-DD"));
        }
        assert_eq!(
            london.resolve_local("2026-02-30", "19:30").unwrap_err(),
            LocalTimeError::NoSuchDay {
                input: "2026-02-30".into()
            }
        );
        assert_eq!(
            london.resolve_local("1066-10-14", "09:00").unwrap_err(),
            LocalTimeError::YearOutOfRange { year: 1066 }
        );
        for bad in [
            "7.30pm",
            "24:00",
            "19:60",
            "19",
            "19:30:00:00",
            "+1:30",
            "7:30",
        ] {
            let err = london.resolve_local("2026-12-01", bad).unwrap_err();
            assert!(
                matches!(err, LocalTimeError::BadTime { .. }),
                "{bad}: {err:?}"
            );
            assert!(err.to_string().contains("HH:MM"));
        }
    }

    #[test]
    fn form_values_are_the_wall_clock_in_the_zone() {
        let at = datetime!(2026-10-20 18:00 UTC);
        assert_eq!(
            zone("Europe/London").form_values(at),
            ("2026-10-20".to_owned(), "19:00".to_owned())
        );
        assert_eq!(
            zone("Australia/Sydney").form_values(at),
            ("2026-10-21".to_owned(), "05:00".to_owned())
        );
        let london = zone("Europe/London");
        let (d, t) = london.form_values(at);
        assert_eq!(london.resolve_local(&d, &t).unwrap(), at);
    }
}
