//! VTIMEZONE components: a zone's rules written out as the list of its
//! changes over the span a calendar needs, so a program that does not know
//! the zone by name (or knows an older version of it) still reads every
//! meeting at the right instant.
//!
//! Each change is one STANDARD or DAYLIGHT entry with an explicit DTSTART
//! and no RRULE: longer than a rule, but exact for zones whose rules changed
//! within the span, and nothing for a reader to get wrong.

use jiff::tz::Offset;
use jiff::{SignedDuration, Timestamp, civil};

use super::Lines;
use crate::Zone;

/// How far before the first and after the last event in a zone the changes
/// are written, so an event's neighbourhood and a reader's "a year ahead"
/// view are covered.
const MARGIN: SignedDuration = SignedDuration::from_hours(366 * 24);

/// One observance: from its start (a wall time in the offset before it) the
/// zone is at `to`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Observance {
    pub daylight: bool,
    pub start: civil::DateTime,
    pub from: Offset,
    pub to: Offset,
    pub name: String,
}

/// The observances that cover every instant from `first` to `last` (each
/// widened by [`MARGIN`]): the one already in force at the start, then every
/// change up to the end. A zone that never changes gets one STANDARD entry.
pub(crate) fn observances(zone: &Zone, first: Timestamp, last: Timestamp) -> Vec<Observance> {
    let tz = zone.tz();
    let from = first.checked_sub(MARGIN).unwrap_or(first);
    let until = last.checked_add(MARGIN).unwrap_or(last);
    let one_second = SignedDuration::from_secs(1);
    // `preceding` is strictly before its argument; a second later also finds
    // a change at exactly `from`.
    let in_force = tz
        .preceding(from.checked_add(one_second).unwrap_or(from))
        .next();
    let mut out = Vec::new();
    let start = match &in_force {
        Some(change) => change.timestamp(),
        None => {
            // No change before the span: the zone's offset stood from its
            // beginning. Say it from the first day of that year.
            let info = tz.to_offset_info(from);
            let offset = info.offset();
            let year = offset.to_datetime(from).year();
            out.push(Observance {
                daylight: info.dst().is_dst(),
                start: civil::date(year, 1, 1).at(0, 0, 0, 0),
                from: offset,
                to: offset,
                name: info.abbreviation().to_owned(),
            });
            from
        }
    };
    let changes = in_force
        .into_iter()
        .chain(tz.following(start))
        .take_while(|change| change.timestamp() <= until);
    for change in changes {
        let at = change.timestamp();
        let before = tz.to_offset(at.checked_sub(one_second).unwrap_or(at));
        out.push(Observance {
            daylight: change.dst().is_dst(),
            start: before.to_datetime(at),
            from: before,
            to: change.offset(),
            name: change.abbreviation().to_owned(),
        });
    }
    out
}

/// Writes the VTIMEZONE for `zone` covering `first` to `last`.
pub(crate) fn write(lines: &mut Lines, zone: &Zone, first: Timestamp, last: Timestamp) {
    lines.push("BEGIN:VTIMEZONE");
    lines.push(&format!("TZID:{}", zone.name()));
    for o in observances(zone, first, last) {
        let kind = if o.daylight { "DAYLIGHT" } else { "STANDARD" };
        lines.push(&format!("BEGIN:{kind}"));
        lines.push(&format!("DTSTART:{}", super::local_stamp(o.start)));
        lines.push(&format!("TZOFFSETFROM:{}", utc_offset(o.from)));
        lines.push(&format!("TZOFFSETTO:{}", utc_offset(o.to)));
        if !o.name.is_empty() {
            lines.push(&format!("TZNAME:{}", super::text::escape_text(&o.name)));
        }
        lines.push(&format!("END:{kind}"));
    }
    lines.push("END:VTIMEZONE");
}

/// A UTC-OFFSET value (RFC 5545 §3.3.14): `+0100`, `-0500`, `+0530`, with
/// seconds only when there are some (old local mean times). Zero is `+0000`,
/// since `-0000` is not allowed.
fn utc_offset(offset: Offset) -> String {
    let seconds = offset.seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if s == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::tz::offset;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn london_around_one_autumn_lists_the_changes_of_three_years() {
        let zone = Zone::parse("Europe/London").unwrap();
        let list = observances(
            &zone,
            ts("2026-10-20T18:00:00Z"),
            ts("2026-10-27T19:00:00Z"),
        );
        // The span is 2025-10-19 to 2027-10-28: BST is in force at its start
        // (since 30 March 2025), and the change of 31 October 2027 is past
        // its end.
        let starts: Vec<String> = list.iter().map(|o| o.start.to_string()).collect();
        assert_eq!(
            starts,
            [
                "2025-03-30T01:00:00",
                "2025-10-26T02:00:00",
                "2026-03-29T01:00:00",
                "2026-10-25T02:00:00",
                "2027-03-28T01:00:00",
            ]
        );
        let first = &list[0];
        assert!(first.daylight);
        assert_eq!((first.from, first.to), (offset(0), offset(1)));
        assert_eq!(first.name, "BST");
        let autumn = &list[3];
        assert!(!autumn.daylight);
        assert_eq!((autumn.from, autumn.to), (offset(1), offset(0)));
        assert_eq!(autumn.name, "GMT");
    }

    #[test]
    fn a_zone_that_never_changes_gets_one_standard_entry() {
        for name in ["UTC", "Asia/Kolkata"] {
            let zone = Zone::parse(name).unwrap();
            let list = observances(
                &zone,
                ts("2026-10-20T18:00:00Z"),
                ts("2027-03-20T18:00:00Z"),
            );
            assert_eq!(list.len(), 1, "{name}: {list:?}");
            assert!(!list[0].daylight);
        }
        let utc = observances(
            &Zone::utc(),
            ts("2026-10-20T18:00:00Z"),
            ts("2026-10-20T18:00:00Z"),
        );
        assert_eq!((utc[0].from, utc[0].to), (offset(0), offset(0)));
        assert_eq!(utc[0].start.to_string(), "2025-01-01T00:00:00");
        // India's last change was in 1945; it is the one in force.
        let kolkata = observances(
            &Zone::parse("Asia/Kolkata").unwrap(),
            ts("2026-10-20T18:00:00Z"),
            ts("2026-10-20T18:00:00Z"),
        );
        assert_eq!(kolkata[0].to, Offset::from_seconds(19_800).unwrap());
        assert_eq!(kolkata[0].name, "IST");
    }

    #[test]
    fn offsets_are_written_as_rfc_5545_wants() {
        assert_eq!(utc_offset(offset(0)), "+0000");
        assert_eq!(utc_offset(offset(-5)), "-0500");
        assert_eq!(utc_offset(Offset::from_seconds(19_800).unwrap()), "+0530");
        assert_eq!(utc_offset(Offset::from_seconds(-2_670).unwrap()), "-004430");
    }
}
