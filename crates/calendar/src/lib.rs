//! Times of club meetings: time zones, wall-clock times and iCalendar feeds.
//!
//! Pure: no IO, no clock, no database. Instants cross the API as
//! [`time::OffsetDateTime`] (the type the rest of Quire stores), zones as
//! [`Zone`]; the time-zone database is compiled in (jiff's bundled copy of
//! the IANA database), so a host needs no zoneinfo installed and every
//! server reads a meeting the same way.
//!
//! # Zones
//! - [`Zone::parse`]`(&str) -> Result<Zone, ZoneError>`: an IANA name
//!   ("Europe/London", any ASCII case); the error names what was not
//!   recognised and gives an example. Also `FromStr`, `Display`,
//!   [`Zone::name`], [`Zone::utc`].
//! - [`zone_names`]`() -> &'static [String]`: every name in the database,
//!   sorted, for a form's select.
//!
//! # Wall-clock times
//! - [`Zone::resolve_local`]`(&self, date: &str, time: &str) ->
//!   Result<OffsetDateTime, LocalTimeError>`: what an organiser typed
//!   ("2026-12-01", "19:30") to an instant. A time the clocks skip is an
//!   error naming the gap; a time that happens twice is the **earlier** of
//!   the two. Years [`MIN_YEAR`]..=[`MAX_YEAR`].
//!   [`Zone::resolve`] takes a parsed `time::Date` and `time::Time`.
//! - [`Zone::form_values`]`(&self, OffsetDateTime) -> (String, String)`:
//!   the date and time fields to show when editing.
//!
//! # Showing an instant to a reader, in the reader's zone
//! - [`Zone::show_long`]: "Tuesday 1 December 2026, 19:30 GMT" (the
//!   zone's letters, or "UTC+4" where it has none).
//! - [`Zone::show_short`]: "Tue 1 Dec, 19:30".
//! - [`Zone::show_iso`]: "2026-12-01T19:30:00+00:00", for `<time datetime>`.
//!
//! # iCalendar
//! A [`Calendar`] (name, description, refresh hint) of at most
//! [`MAX_EVENTS`] [`Event`]s; [`Calendar::to_ics`]`(&self, stamp) ->
//! Result<String, IcsError>` writes RFC 5545 text: CRLF, lines folded at 75
//! octets between characters, TEXT escaped, `METHOD:PUBLISH`, each start and
//! end as a wall time with `TZID`, and a VTIMEZONE per zone listing its
//! changes from a year before the first event to a year after the last.

mod ics;
mod local;
mod show;
mod zone;

pub use ics::{
    Calendar, End, Event, EventProblem, IcsError, MAX_EVENTS, MAX_ID_BYTES, MAX_TEXT_BYTES,
    Organiser, Status,
};
pub use local::{LocalTimeError, MAX_YEAR, MIN_YEAR};
pub use zone::{Zone, ZoneError, zone_names};
