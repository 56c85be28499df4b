//! An instant shown to a reader in their own zone: a long and a short line
//! of plain English, and the machine form for `<time datetime>`.

use jiff::Zoned;
use time::OffsetDateTime;

use crate::Zone;
use crate::local::to_timestamp;

impl Zone {
    /// `Tuesday 1 December 2026, 19:30 GMT`: the day, date, 24-hour time and
    /// the zone's abbreviation at that instant (`BST` in summer). Where the
    /// database has no letters for a zone, the offset is shown instead:
    /// `UTC+4`, `UTC+5:30`, `UTC-3`.
    pub fn show_long(&self, at: OffsetDateTime) -> String {
        match self.zoned(at) {
            Some(z) => format!(
                "{}, {} {}",
                z.strftime("%A %-d %B %Y"),
                z.strftime("%H:%M"),
                abbreviation(&z)
            ),
            None => utc_fallback(at),
        }
    }

    /// `Tue 1 Dec, 19:30`: for lists, where the year and zone are said once
    /// elsewhere on the page.
    pub fn show_short(&self, at: OffsetDateTime) -> String {
        match self.zoned(at) {
            Some(z) => z.strftime("%a %-d %b, %H:%M").to_string(),
            None => utc_fallback(at),
        }
    }

    /// `2026-12-01T19:30:00+00:00`: the wall time here with its offset, for
    /// a `<time datetime="…">` attribute (a valid global date and time).
    pub fn show_iso(&self, at: OffsetDateTime) -> String {
        match self.zoned(at) {
            Some(z) => z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            None => utc_fallback(at),
        }
    }

    fn zoned(&self, at: OffsetDateTime) -> Option<Zoned> {
        // Whole seconds: a meeting's time has no fractions to show.
        let ts = to_timestamp(at.replace_nanosecond(0).ok()?)?;
        Some(ts.to_zoned(self.tz().clone()))
    }
}

/// The zone's letters at that instant, or its offset when the database has
/// only digits (`+04`) for it.
fn abbreviation(z: &Zoned) -> String {
    let letters = z
        .time_zone()
        .to_offset_info(z.timestamp())
        .abbreviation()
        .to_owned();
    if !letters.is_empty() && letters.bytes().all(|b| b.is_ascii_alphabetic()) {
        return letters;
    }
    let seconds = z.offset().seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    let (hours, minutes) = (minutes / 60, minutes % 60);
    if minutes == 0 {
        format!("UTC{sign}{hours}")
    } else {
        format!("UTC{sign}{hours}:{minutes:02}")
    }
}

/// Past jiff's range (about ±9999 years) only; no meeting gets here.
fn utc_fallback(at: OffsetDateTime) -> String {
    let utc = at.to_offset(time::UtcOffset::UTC);
    format!("{} {:02}:{:02} UTC", utc.date(), utc.hour(), utc.minute())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn zone(name: &str) -> Zone {
        Zone::parse(name).unwrap()
    }

    #[test]
    fn one_instant_reads_in_each_viewers_zone() {
        let at = datetime!(2026-12-01 19:30 UTC);
        assert_eq!(
            zone("Europe/London").show_long(at),
            "Tuesday 1 December 2026, 19:30 GMT"
        );
        assert_eq!(
            zone("America/New_York").show_long(at),
            "Tuesday 1 December 2026, 14:30 EST"
        );
        assert_eq!(
            zone("Australia/Sydney").show_long(at),
            "Wednesday 2 December 2026, 06:30 AEDT"
        );
        assert_eq!(
            zone("Asia/Kolkata").show_long(at),
            "Wednesday 2 December 2026, 01:00 IST"
        );
        assert_eq!(zone("Europe/London").show_short(at), "Tue 1 Dec, 19:30");
        assert_eq!(zone("Asia/Tokyo").show_short(at), "Wed 2 Dec, 04:30");
        assert_eq!(
            zone("America/New_York").show_iso(at),
            "2026-12-01T14:30:00-05:00"
        );
        assert_eq!(zone("UTC").show_iso(at), "2026-12-01T19:30:00+00:00");
    }

    #[test]
    fn summer_time_shows_its_own_letters() {
        let at = datetime!(2026-07-01 18:00 UTC);
        assert_eq!(
            zone("Europe/London").show_long(at),
            "Wednesday 1 July 2026, 19:00 BST"
        );
        assert_eq!(
            zone("Europe/London").show_iso(at),
            "2026-07-01T19:00:00+01:00"
        );
    }

    #[test]
    fn a_zone_without_letters_shows_its_offset() {
        let at = datetime!(2026-12-01 19:30 UTC);
        assert_eq!(
            zone("Asia/Dubai").show_long(at),
            "Tuesday 1 December 2026, 23:30 UTC+4"
        );
        assert_eq!(
            zone("America/Sao_Paulo").show_long(at),
            "Tuesday 1 December 2026, 16:30 UTC-3"
        );
        assert_eq!(
            zone("Asia/Kathmandu").show_long(at),
            "Wednesday 2 December 2026, 01:15 UTC+5:45"
        );
    }
}
