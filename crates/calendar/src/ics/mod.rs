//! iCalendar (RFC 5545) feeds of club meetings, for readers to import or
//! subscribe to.
//!
//! Each meeting's start and end are written as wall times in the meeting's
//! own zone (`DTSTART;TZID=Europe/London:20261020T190000`), so a calendar
//! program keeps "19:00 in London" even if the zone's rules change, and each
//! zone used gets a VTIMEZONE listing its changes over the span of the
//! meetings, so a program that does not know the zone still gets the
//! instants right.

mod text;
mod vtimezone;

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use jiff::civil;
use thiserror::Error;
use time::{Duration, OffsetDateTime, UtcOffset};

use crate::Zone;
use crate::local::{MAX_YEAR, MIN_YEAR, to_timestamp};

/// The most events one calendar may hold.
pub const MAX_EVENTS: usize = 500;
/// The most octets in one text field (summary, description, location,
/// organiser's name, calendar name) before escaping.
pub const MAX_TEXT_BYTES: usize = 16 * 1024;
/// The most octets in a UID or a URI.
pub const MAX_ID_BYTES: usize = 2048;

const PRODID: &str = "-//Quire//Club meetings//EN";

/// A calendar: a club's meetings, or one meeting for a download.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    /// Shown by calendar programs as the calendar's name (`NAME`,
    /// `X-WR-CALNAME`).
    pub name: String,
    /// A line about the calendar (`DESCRIPTION`, `X-WR-CALDESC`).
    pub description: Option<String>,
    /// How often a subscribed program should fetch the feed again
    /// (`REFRESH-INTERVAL`, `X-PUBLISHED-TTL`); a hint, whole seconds.
    pub refresh: Option<Duration>,
    /// At most [`MAX_EVENTS`].
    pub events: Vec<Event>,
}

/// One meeting.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Stays the same for the life of the meeting, across edits, and is
    /// unique in the world (`meeting-<uuid>@host`).
    pub uid: String,
    /// Goes up by one each time the time, place or status changes, so
    /// programs replace their copy.
    pub sequence: u32,
    /// When it starts.
    pub start: OffsetDateTime,
    /// The zone the organiser set it in; start and end are written as wall
    /// times there.
    pub zone: Zone,
    /// When it ends.
    pub end: End,
    /// Its title.
    pub summary: String,
    /// Free text, line breaks kept.
    pub description: Option<String>,
    /// Where: an address, or "Online".
    pub location: Option<String>,
    /// The meeting's page.
    pub url: Option<String>,
    /// Whether it is on.
    pub status: Status,
    /// When it was first saved.
    pub created: OffsetDateTime,
    /// When it was last changed.
    pub last_modified: OffsetDateTime,
    /// Who runs it.
    pub organiser: Option<Organiser>,
}

/// How a meeting's end is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// An instant after the start (`DTEND`).
    At(OffsetDateTime),
    /// A length (`DURATION`), exact: two hours are two hours even across a
    /// change of the clocks.
    After(Duration),
}

/// A meeting's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// It is on (`STATUS:CONFIRMED`).
    Confirmed,
    /// Called off; kept in the feed so programs strike it out rather than
    /// silently keeping the old copy (`STATUS:CANCELLED`).
    Cancelled,
}

/// Who runs a meeting (`ORGANIZER`). iCalendar names an organiser by an
/// address, so a name alone cannot be written: give their profile page or a
/// `mailto:` the host is happy to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organiser {
    /// Their display name (`CN=`).
    pub name: String,
    /// A URI with a scheme: `https://…/readers/ann` or `mailto:…`.
    pub address: String,
}

/// Why a calendar could not be written.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IcsError {
    /// More events than [`MAX_EVENTS`].
    #[error("a calendar holds at most {max} events; this one has {count}")]
    TooManyEvents {
        /// Events given.
        count: usize,
        /// [`MAX_EVENTS`].
        max: usize,
    },
    /// The calendar has no name.
    #[error("the calendar needs a name")]
    EmptyName,
    /// The calendar's name or description is too long.
    #[error("the calendar's {field} is longer than {max} bytes")]
    CalendarTextTooLong {
        /// `name` or `description`.
        field: &'static str,
        /// [`MAX_TEXT_BYTES`].
        max: usize,
    },
    /// The refresh hint is not at least one second.
    #[error("the refresh interval must be at least one second")]
    BadRefresh,
    /// Two events share a UID; programs would merge them.
    #[error("two events have the UID \"{uid}\"; each meeting needs its own")]
    DuplicateUid {
        /// The UID.
        uid: String,
    },
    /// One event is not fit to write.
    #[error("event \"{uid}\": {problem}")]
    Event {
        /// The event's UID (cut short if long).
        uid: String,
        /// What is wrong with it.
        problem: EventProblem,
    },
}

/// What is wrong with one event.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EventProblem {
    /// The UID is empty, too long, or has spaces or control characters.
    #[error("the UID must be 1 to {MAX_ID_BYTES} bytes without spaces or control characters")]
    BadUid,
    /// The summary is empty.
    #[error("the summary (title) is empty")]
    EmptySummary,
    /// A text field is over [`MAX_TEXT_BYTES`].
    #[error("the {field} is longer than {max} bytes")]
    TooLong {
        /// The field's name.
        field: &'static str,
        /// [`MAX_TEXT_BYTES`].
        max: usize,
    },
    /// The URL or organiser address is not a URI with a scheme.
    #[error("the {field} \"{value}\" is not a URI with a scheme (https:… or mailto:…)")]
    BadUri {
        /// `url` or `organiser address`.
        field: &'static str,
        /// The value (cut short if long).
        value: String,
    },
    /// The end is not after the start (in whole seconds).
    #[error("it ends at or before it starts")]
    EndNotAfterStart,
    /// An instant is outside the years meetings may be in.
    #[error("its {field} is outside the years {MIN_YEAR} to {MAX_YEAR}")]
    OutOfRange {
        /// The field's name.
        field: &'static str,
    },
}

impl Calendar {
    /// An empty calendar with this name.
    pub fn new(name: impl Into<String>) -> Calendar {
        Calendar {
            name: name.into(),
            description: None,
            refresh: None,
            events: Vec::new(),
        }
    }

    /// The calendar as an iCalendar document (`text/calendar`), CRLF line
    /// endings, lines folded at 75 octets.
    ///
    /// `stamp` is written as every event's `DTSTAMP`. RFC 5545 means the
    /// moment the document was made; passing the latest `last_modified`
    /// of the events instead gives the same bytes for the same meetings,
    /// which lets a feed be cached and answered with ETags.
    ///
    /// Instants are written to the second; fractions are dropped.
    pub fn to_ics(&self, stamp: OffsetDateTime) -> Result<String, IcsError> {
        self.check()?;
        let mut lines = Lines::default();
        lines.push("BEGIN:VCALENDAR");
        lines.push("VERSION:2.0");
        lines.push(&format!("PRODID:{PRODID}"));
        lines.push("CALSCALE:GREGORIAN");
        lines.push("METHOD:PUBLISH");
        // NAME and DESCRIPTION (RFC 7986) are TEXT. The older X-WR-
        // properties that many programs still read are untyped, and their
        // readers mostly take the value as it stands, so they are written
        // unescaped, on one line.
        lines.push(&format!("NAME:{}", text::escape_text(&self.name)));
        lines.push(&format!("X-WR-CALNAME:{}", text::one_line(&self.name)));
        if let Some(description) = non_empty(&self.description) {
            lines.push(&format!("DESCRIPTION:{}", text::escape_text(description)));
            lines.push(&format!("X-WR-CALDESC:{}", text::one_line(description)));
        }
        if let Some(refresh) = self.refresh {
            let refresh = duration(refresh);
            lines.push(&format!("REFRESH-INTERVAL;VALUE=DURATION:{refresh}"));
            lines.push(&format!("X-PUBLISHED-TTL:{refresh}"));
        }

        // Each zone's span: from its earliest start to its latest end.
        let mut spans: BTreeMap<&Zone, (jiff::Timestamp, jiff::Timestamp)> = BTreeMap::new();
        for event in &self.events {
            let (start, end) = event.instants();
            let (Some(start), Some(end)) = (to_timestamp(start), to_timestamp(end)) else {
                // `check` has kept every instant in range.
                continue;
            };
            spans
                .entry(&event.zone)
                .and_modify(|(first, last)| {
                    *first = (*first).min(start);
                    *last = (*last).max(end);
                })
                .or_insert((start, end));
        }
        for (zone, (first, last)) in spans {
            vtimezone::write(&mut lines, zone, first, last);
        }

        let stamp = utc_stamp(stamp);
        for event in &self.events {
            event.write(&mut lines, &stamp);
        }
        lines.push("END:VCALENDAR");
        Ok(lines.out)
    }

    fn check(&self) -> Result<(), IcsError> {
        if self.events.len() > MAX_EVENTS {
            return Err(IcsError::TooManyEvents {
                count: self.events.len(),
                max: MAX_EVENTS,
            });
        }
        if self.name.trim().is_empty() {
            return Err(IcsError::EmptyName);
        }
        for (field, value) in [
            ("name", Some(&self.name)),
            ("description", self.description.as_ref()),
        ] {
            if value.is_some_and(|v| v.len() > MAX_TEXT_BYTES) {
                return Err(IcsError::CalendarTextTooLong {
                    field,
                    max: MAX_TEXT_BYTES,
                });
            }
        }
        if self.refresh.is_some_and(|r| r.whole_seconds() < 1) {
            return Err(IcsError::BadRefresh);
        }
        let mut uids = HashSet::new();
        for event in &self.events {
            event.check().map_err(|problem| IcsError::Event {
                uid: cut(&event.uid, 80),
                problem,
            })?;
            if !uids.insert(event.uid.as_str()) {
                return Err(IcsError::DuplicateUid {
                    uid: cut(&event.uid, 80),
                });
            }
        }
        Ok(())
    }
}

impl Event {
    /// A confirmed meeting with nothing optional set: sequence 0, last
    /// modified when created.
    pub fn new(
        uid: impl Into<String>,
        summary: impl Into<String>,
        start: OffsetDateTime,
        zone: Zone,
        end: End,
        created: OffsetDateTime,
    ) -> Event {
        Event {
            uid: uid.into(),
            sequence: 0,
            start,
            zone,
            end,
            summary: summary.into(),
            description: None,
            location: None,
            url: None,
            status: Status::Confirmed,
            created,
            last_modified: created,
            organiser: None,
        }
    }

    /// Start and end to the whole second.
    fn instants(&self) -> (OffsetDateTime, OffsetDateTime) {
        let start = whole_second(self.start);
        let end = match self.end {
            End::At(end) => whole_second(end),
            End::After(length) => start
                .checked_add(Duration::seconds(length.whole_seconds()))
                .unwrap_or(start),
        };
        (start, end)
    }

    fn check(&self) -> Result<(), EventProblem> {
        if self.uid.is_empty()
            || self.uid.len() > MAX_ID_BYTES
            || self
                .uid
                .chars()
                .any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(EventProblem::BadUid);
        }
        if self.summary.trim().is_empty() {
            return Err(EventProblem::EmptySummary);
        }
        let organiser_name = self.organiser.as_ref().map(|o| &o.name);
        for (field, value) in [
            ("summary", Some(&self.summary)),
            ("description", self.description.as_ref()),
            ("location", self.location.as_ref()),
            ("organiser's name", organiser_name),
        ] {
            if value.is_some_and(|v| v.len() > MAX_TEXT_BYTES) {
                return Err(EventProblem::TooLong {
                    field,
                    max: MAX_TEXT_BYTES,
                });
            }
        }
        if let Some(url) = non_empty(&self.url) {
            check_uri("url", url)?;
        }
        if let Some(organiser) = &self.organiser {
            check_uri("organiser address", &organiser.address)?;
        }
        let (start, end) = self.instants();
        if let End::After(length) = self.end {
            // A length past the years allowed would saturate above.
            if length.whole_days() > i64::from(MAX_YEAR - MIN_YEAR) * 366 {
                return Err(EventProblem::OutOfRange { field: "end" });
            }
        }
        for (field, at) in [
            ("start", start),
            ("end", end),
            ("created time", self.created),
            ("last-modified time", self.last_modified),
        ] {
            if !(MIN_YEAR..=MAX_YEAR).contains(&at.to_offset(UtcOffset::UTC).year()) {
                return Err(EventProblem::OutOfRange { field });
            }
        }
        if end <= start {
            return Err(EventProblem::EndNotAfterStart);
        }
        Ok(())
    }

    fn write(&self, lines: &mut Lines, stamp: &str) {
        let (start, end) = self.instants();
        lines.push("BEGIN:VEVENT");
        lines.push(&format!("UID:{}", text::escape_text(&self.uid)));
        lines.push(&format!("SEQUENCE:{}", self.sequence));
        lines.push(&format!("DTSTAMP:{stamp}"));
        lines.push(&format!("DTSTART{}", self.zoned_value(start)));
        match self.end {
            End::At(_) => lines.push(&format!("DTEND{}", self.zoned_value(end))),
            End::After(_) => lines.push(&format!("DURATION:{}", duration(end - start))),
        }
        lines.push(&format!("SUMMARY:{}", text::escape_text(&self.summary)));
        if let Some(description) = non_empty(&self.description) {
            lines.push(&format!("DESCRIPTION:{}", text::escape_text(description)));
        }
        if let Some(location) = non_empty(&self.location) {
            lines.push(&format!("LOCATION:{}", text::escape_text(location)));
        }
        if let Some(url) = non_empty(&self.url) {
            lines.push(&format!("URL:{url}"));
        }
        lines.push(match self.status {
            Status::Confirmed => "STATUS:CONFIRMED",
            Status::Cancelled => "STATUS:CANCELLED",
        });
        lines.push(&format!("CREATED:{}", utc_stamp(self.created)));
        lines.push(&format!("LAST-MODIFIED:{}", utc_stamp(self.last_modified)));
        if let Some(organiser) = &self.organiser {
            lines.push(&format!(
                "ORGANIZER;CN={}:{}",
                text::quote_param(&organiser.name),
                organiser.address
            ));
        }
        lines.push("END:VEVENT");
    }

    /// `;TZID=Europe/London:20261020T190000`: the wall time in the event's
    /// zone. When that wall time happens twice and `at` is the second, a
    /// reader would take the first (RFC 5545 §3.3.5), so the instant is
    /// written in UTC instead (`:20261025T013000Z`).
    fn zoned_value(&self, at: OffsetDateTime) -> String {
        let tz = self.zone.tz();
        let Some(ts) = to_timestamp(at) else {
            return format!(":{}", utc_stamp(at));
        };
        let wall = ts.to_zoned(tz.clone()).datetime();
        let reads_back = tz
            .to_ambiguous_timestamp(wall)
            .earlier()
            .is_ok_and(|first| first == ts);
        if reads_back {
            format!(";TZID={}:{}", self.zone.name(), local_stamp(wall))
        } else {
            format!(":{}", utc_stamp(at))
        }
    }
}

/// The document being written, one folded content line at a time.
#[derive(Default)]
pub(crate) struct Lines {
    out: String,
}

impl Lines {
    pub(crate) fn push(&mut self, line: &str) {
        text::push_folded(&mut self.out, line);
    }
}

/// A DATE-TIME in UTC: `20261020T180000Z`.
fn utc_stamp(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// A local DATE-TIME (no zone of its own): `20261020T190000`.
pub(crate) fn local_stamp(wall: civil::DateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}",
        wall.year(),
        wall.month(),
        wall.day(),
        wall.hour(),
        wall.minute(),
        wall.second()
    )
}

/// A DURATION in hours, minutes and seconds (`PT1H30M`), never days: a day
/// in iCalendar is a calendar day, which can be 23 or 25 hours.
fn duration(length: Duration) -> String {
    let total = length.whole_seconds().max(0);
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    let mut out = String::from("PT");
    if h > 0 {
        let _ = write!(out, "{h}H");
    }
    if m > 0 {
        let _ = write!(out, "{m}M");
    }
    if s > 0 || total == 0 {
        let _ = write!(out, "{s}S");
    }
    out
}

fn whole_second(at: OffsetDateTime) -> OffsetDateTime {
    at.replace_nanosecond(0).unwrap_or(at)
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.trim().is_empty())
}

/// A URI as iCalendar carries it: a scheme, then no spaces, quotes or
/// control characters (which would break the line or the parameter).
fn check_uri(field: &'static str, value: &str) -> Result<(), EventProblem> {
    let bad = || EventProblem::BadUri {
        field,
        value: cut(value, 80),
    };
    let Some((scheme, rest)) = value.split_once(':') else {
        return Err(bad());
    };
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !scheme_ok
        || rest.is_empty()
        || value.len() > MAX_ID_BYTES
        || value
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '"')
    {
        return Err(bad());
    }
    Ok(())
}

fn cut(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

#[cfg(test)]
mod tests;
