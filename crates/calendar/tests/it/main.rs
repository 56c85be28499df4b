//! quire-calendar's integration tests: calendars written here, read back by
//! an independent parser (Python's `icalendar` package).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly on a failed step

mod parse_back;
mod python;
