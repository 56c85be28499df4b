//! Calendars that must read back, through Python's `icalendar`, as the
//! meetings they were made from: the same instants (by the zone's name and
//! by the document's own VTIMEZONE), the same text.

use quire_calendar::{Calendar, End, Event, MAX_EVENTS, Organiser, Status, Zone};
use serde_json::Value;
use time::macros::{datetime, format_description};
use time::{Duration, OffsetDateTime, UtcOffset};

use crate::python::read_back;

const STAMP: OffsetDateTime = datetime!(2026-10-01 09:00 UTC);

fn zone(name: &str) -> Zone {
    Zone::parse(name).unwrap()
}

fn utc(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC)
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
        ))
        .unwrap()
}

/// A two-hour meeting at `time` on `date`, wall clock in `zone_name`.
fn meeting(uid: &str, zone_name: &str, date: &str, time: &str) -> Event {
    let zone = zone(zone_name);
    let start = zone.resolve_local(date, time).unwrap();
    Event::new(
        uid,
        format!("Meeting {uid}"),
        start,
        zone,
        End::After(Duration::hours(2)),
        datetime!(2026-09-01 12:00 UTC),
    )
}

fn write(name: &str, events: Vec<Event>) -> String {
    Calendar {
        events,
        ..Calendar::new(name)
    }
    .to_ics(STAMP)
    .unwrap()
}

/// Asserts that all three of Python's readings of a start or end are `want`.
fn assert_read_as(reading: &Value, want: &str, what: &str) {
    for way in ["icalendar", "vtimezone", "offsets"] {
        assert_eq!(
            reading[way].as_str(),
            Some(want),
            "{what}, read by {way}: {reading}"
        );
    }
}

fn event<'a>(read: &'a Value, uid: &str) -> &'a Value {
    read["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["uid"] == uid)
        .unwrap_or_else(|| panic!("no event {uid} read back"))
}

#[test]
fn london_meetings_either_side_of_the_autumn_change_keep_their_hour() {
    // 19:00 in London: BST (UTC+1) on 20 October 2026, GMT on the 27th.
    let events = vec![
        meeting("before@quire.test", "Europe/London", "2026-10-20", "19:00"),
        meeting("after@quire.test", "Europe/London", "2026-10-27", "19:00"),
    ];
    assert_eq!(events[0].start, datetime!(2026-10-20 18:00 UTC));
    assert_eq!(events[1].start, datetime!(2026-10-27 19:00 UTC));
    let read = read_back(&write("London", events));
    assert_eq!(read["version"], "2.0");
    assert_eq!(read["method"], "PUBLISH");
    assert_eq!(read["calscale"], "GREGORIAN");
    assert_eq!(read["name"], "London");

    let before = event(&read, "before@quire.test");
    assert_eq!(before["start"]["tzid"], "Europe/London");
    assert_eq!(before["start"]["wall"], "20261020T190000");
    assert_read_as(&before["start"], "2026-10-20T18:00:00Z", "start before");
    assert_read_as(&before["end"], "2026-10-20T20:00:00Z", "end before");
    let after = event(&read, "after@quire.test");
    assert_eq!(after["start"]["wall"], "20261027T190000");
    assert_read_as(&after["start"], "2026-10-27T19:00:00Z", "start after");
    assert_read_as(&after["end"], "2026-10-27T21:00:00Z", "end after");

    // The VTIMEZONE's own entry for the change: 02:00 BST on 25 October,
    // from +01:00 to +00:00.
    let london = read["zones"]["Europe/London"].as_array().unwrap();
    let change = london
        .iter()
        .find(|e| e["start"] == "20261025T020000")
        .unwrap_or_else(|| panic!("no entry for 25 October 2026: {london:?}"));
    assert_eq!(change["kind"], "STANDARD");
    assert_eq!(change["from"], 3600.0);
    assert_eq!(change["to"], 0.0);
    assert_eq!(change["name"], "GMT");
}

#[test]
fn new_york_meetings_either_side_of_the_spring_change_keep_their_hour() {
    // 19:00 in New York: EST (UTC-5) on 10 March 2027, EDT (UTC-4) on the 17th.
    let events = vec![
        meeting("ny-1@quire.test", "America/New_York", "2027-03-10", "19:00"),
        meeting("ny-2@quire.test", "America/New_York", "2027-03-17", "19:00"),
    ];
    let read = read_back(&write("New York", events));
    assert_read_as(
        &event(&read, "ny-1@quire.test")["start"],
        "2027-03-11T00:00:00Z",
        "before",
    );
    assert_read_as(
        &event(&read, "ny-2@quire.test")["start"],
        "2027-03-17T23:00:00Z",
        "after",
    );
    let ny = read["zones"]["America/New_York"].as_array().unwrap();
    let change = ny
        .iter()
        .find(|e| e["start"] == "20270314T020000")
        .unwrap_or_else(|| panic!("no entry for 14 March 2027: {ny:?}"));
    assert_eq!(change["kind"], "DAYLIGHT");
    assert_eq!(change["from"], -18000.0);
    assert_eq!(change["to"], -14400.0);
    assert_eq!(change["name"], "EDT");
}

#[test]
fn every_zone_used_has_its_vtimezone_and_every_instant_reads_right() {
    let cases = [
        (
            "Europe/London",
            "2026-12-01",
            "19:30",
            datetime!(2026-12-01 19:30 UTC),
        ),
        (
            "Asia/Kolkata",
            "2026-12-01",
            "19:30",
            datetime!(2026-12-01 14:00 UTC),
        ),
        (
            "Asia/Kathmandu",
            "2026-12-01",
            "19:30",
            datetime!(2026-12-01 13:45 UTC),
        ),
        (
            "Australia/Sydney",
            "2026-12-01",
            "19:30",
            datetime!(2026-12-01 08:30 UTC),
        ),
        (
            "Australia/Sydney",
            "2027-06-01",
            "19:30",
            datetime!(2027-06-01 09:30 UTC),
        ),
        (
            "Pacific/Chatham",
            "2026-12-01",
            "19:30",
            datetime!(2026-12-01 05:45 UTC),
        ),
        (
            "America/Sao_Paulo",
            "2026-12-01",
            "19:30",
            datetime!(2026-12-01 22:30 UTC),
        ),
        (
            "UTC",
            "2026-12-01",
            "19:30",
            datetime!(2026-12-01 19:30 UTC),
        ),
    ];
    let events: Vec<Event> = cases
        .iter()
        .enumerate()
        .map(|(i, (name, date, time, want))| {
            let e = meeting(&format!("z{i}@quire.test"), name, date, time);
            assert_eq!(e.start, *want, "{name} {date} {time}");
            e
        })
        .collect();
    let read = read_back(&write("Everywhere", events));
    let mut zones: Vec<&str> = read["zones"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    zones.sort_unstable();
    let mut used: Vec<&str> = cases.iter().map(|c| c.0).collect();
    used.sort_unstable();
    used.dedup();
    assert_eq!(zones, used);
    for (i, (name, _, time, want)) in cases.iter().enumerate() {
        let e = event(&read, &format!("z{i}@quire.test"));
        assert_eq!(e["start"]["tzid"], *name);
        assert!(
            e["start"]["wall"]
                .as_str()
                .unwrap()
                .ends_with(&format!("T{}00", time.replace(':', ""))),
            "{e}"
        );
        assert_read_as(&e["start"], &utc(*want), name);
        assert_read_as(&e["end"], &utc(*want + Duration::hours(2)), name);
    }
    // Zones that have not changed for decades: one STANDARD entry.
    for name in ["UTC", "Asia/Kolkata"] {
        let entries = read["zones"][name].as_array().unwrap();
        assert_eq!(entries.len(), 1, "{name}: {entries:?}");
        assert_eq!(entries[0]["kind"], "STANDARD");
    }
    assert_eq!(read["zones"]["Asia/Kolkata"][0]["to"], 19800.0);
}

#[test]
fn text_with_commas_semicolons_line_breaks_and_accents_comes_back_verbatim() {
    let summary = "Dune, part 1; \"the desert\" — Herbert\\Villeneuve";
    let description = "Bring: snacks, tea; a copy.\nChapters 1–12\n\nLieu : café « Le Procope », 読書会 📚 \
                       — and a long line so that the text has to be folded more than once, \
                       with multi-byte characters near the fold: ééééééééééééééééééééééé";
    let location = "The Lamb, 94 Lamb's Conduit St; London WC1N 3LZ";
    let mut e = meeting("text@quire.test", "Europe/London", "2026-12-01", "19:30");
    e.summary = summary.into();
    e.description = Some(description.into());
    e.location = Some(location.into());
    e.url = Some("https://quire.test/clubs/north/meetings/7?from=feed&x=1,2".into());
    e.status = Status::Cancelled;
    e.sequence = 4;
    e.last_modified = datetime!(2026-09-30 08:15:30 UTC);
    e.end = End::At(datetime!(2026-12-01 21:45 UTC));
    e.organiser = Some(Organiser {
        name: "Zoë Ó Briain; host".into(),
        address: "https://quire.test/readers/zoe".into(),
    });
    let mut cal = Calendar::new("Northside, Readers; Ünïcode");
    cal.description = Some("All our meetings,\nin order".into());
    cal.refresh = Some(Duration::hours(1));
    cal.events.push(e);
    let read = read_back(&cal.to_ics(STAMP).unwrap());

    assert_eq!(read["name"], "Northside, Readers; Ünïcode");
    assert_eq!(read["x_wr_calname"], "Northside, Readers; Ünïcode");
    assert_eq!(read["description"], "All our meetings,\nin order");
    assert_eq!(read["x_wr_caldesc"], "All our meetings, in order");
    let e = event(&read, "text@quire.test");
    assert_eq!(e["summary"], summary);
    assert_eq!(e["description"], description);
    assert_eq!(e["location"], location);
    assert_eq!(
        e["url"],
        "https://quire.test/clubs/north/meetings/7?from=feed&x=1,2"
    );
    assert_eq!(e["status"], "CANCELLED");
    assert_eq!(e["sequence"], 4);
    assert_eq!(e["dtstamp"], "2026-10-01T09:00:00Z");
    assert_eq!(e["created"], "2026-09-01T12:00:00Z");
    assert_eq!(e["last_modified"], "2026-09-30T08:15:30Z");
    assert_eq!(e["organizer"]["cn"], "Zoë Ó Briain; host");
    assert_eq!(e["organizer"]["address"], "https://quire.test/readers/zoe");
    assert_read_as(&e["start"], "2026-12-01T19:30:00Z", "start");
    assert_read_as(&e["end"], "2026-12-01T21:45:00Z", "end");
}

#[test]
fn windows_line_breaks_come_back_as_line_breaks() {
    let mut e = meeting("crlf@quire.test", "UTC", "2026-12-01", "19:30");
    e.description = Some("one\r\ntwo\rthree\nfour".into());
    let read = read_back(&write("Breaks", vec![e]));
    assert_eq!(
        event(&read, "crlf@quire.test")["description"],
        "one\ntwo\nthree\nfour"
    );
}

#[test]
fn an_end_in_the_second_of_two_repeated_hours_reads_right() {
    // London, 25 October 2026: 01:15 happens at 00:15Z (BST) and at 01:15Z (GMT).
    let london = zone("Europe/London");
    let start = london.resolve_local("2026-10-25", "00:30").unwrap();
    let mut e = Event::new(
        "fold@quire.test",
        "Late reading",
        start,
        london,
        End::At(datetime!(2026-10-25 01:15 UTC)),
        STAMP,
    );
    e.sequence = 1;
    let read = read_back(&write("Fold", vec![e]));
    let e = event(&read, "fold@quire.test");
    assert_read_as(&e["start"], "2026-10-24T23:30:00Z", "start");
    assert_read_as(&e["end"], "2026-10-25T01:15:00Z", "end");
}

#[test]
fn a_full_feed_of_weekly_meetings_over_years_reads_right() {
    // MAX_EVENTS Tuesday meetings at 19:00 London time from January 2026:
    // nearly ten years of clock changes.
    let london = zone("Europe/London");
    let first = time::macros::date!(2026 - 01 - 06);
    let events: Vec<Event> = (0..MAX_EVENTS)
        .map(|i| {
            let weeks = i64::try_from(i).unwrap();
            let date = first + Duration::weeks(weeks);
            let start = london.resolve(date, time::macros::time!(19:00)).unwrap();
            Event::new(
                format!("week-{i}@quire.test"),
                format!("Week {i}"),
                start,
                london.clone(),
                End::After(Duration::minutes(90)),
                STAMP,
            )
        })
        .collect();
    let expected: Vec<(String, OffsetDateTime)> =
        events.iter().map(|e| (e.uid.clone(), e.start)).collect();
    let read = read_back(&write("Weekly", events));
    assert_eq!(read["events"].as_array().unwrap().len(), MAX_EVENTS);
    let mut summer = 0;
    for (uid, start) in &expected {
        let e = event(&read, uid);
        assert!(
            e["start"]["wall"].as_str().unwrap().ends_with("T190000"),
            "{e}"
        );
        assert_read_as(&e["start"], &utc(*start), uid);
        assert_read_as(&e["end"], &utc(*start + Duration::minutes(90)), uid);
        if start.hour() == 18 {
            summer += 1;
        }
    }
    // Both offsets really occur, about seven months in twelve on BST.
    assert!((250..350).contains(&summer), "{summer} summer meetings");
}
