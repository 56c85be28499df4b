use super::*;
use time::macros::datetime;

fn zone(name: &str) -> Zone {
    Zone::parse(name).unwrap()
}

fn meeting(uid: &str, start: OffsetDateTime, zone_name: &str) -> Event {
    Event::new(
        uid,
        "Book club",
        start,
        zone(zone_name),
        End::After(Duration::hours(2)),
        datetime!(2026-09-01 12:00 UTC),
    )
}

fn calendar(events: Vec<Event>) -> Calendar {
    Calendar {
        events,
        ..Calendar::new("Northside Readers")
    }
}

fn write(cal: &Calendar) -> String {
    cal.to_ics(datetime!(2026-10-01 09:00 UTC)).unwrap()
}

/// The document unfolded into its logical lines.
fn logical_lines(ics: &str) -> Vec<String> {
    ics.replace("\r\n ", "")
        .trim_end_matches("\r\n")
        .split("\r\n")
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_calendar_has_the_header_lines_programs_look_for_and_crlf_everywhere() {
    let mut cal = calendar(vec![meeting(
        "m1@quire.test",
        datetime!(2026-10-20 18:00 UTC),
        "Europe/London",
    )]);
    cal.description = Some("Meetings, in order".into());
    cal.refresh = Some(Duration::hours(6));
    let ics = write(&cal);
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"));
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    assert_eq!(ics.matches('\n').count(), ics.matches("\r\n").count());
    let lines = logical_lines(&ics);
    for wanted in [
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "NAME:Northside Readers",
        "X-WR-CALNAME:Northside Readers",
        "DESCRIPTION:Meetings\\, in order",
        "X-WR-CALDESC:Meetings, in order",
        "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
        "X-PUBLISHED-TTL:PT6H",
        "DTSTAMP:20261001T090000Z",
        "DTSTART;TZID=Europe/London:20261020T190000",
        "DURATION:PT2H",
        "STATUS:CONFIRMED",
        "CREATED:20260901T120000Z",
        "TZID:Europe/London",
    ] {
        assert!(lines.iter().any(|l| l == wanted), "no {wanted} in\n{ics}");
    }
}

#[test]
fn event_fields_are_written_escaped_and_the_organiser_quoted() {
    let mut event = meeting("m1@quire.test", datetime!(2026-12-01 19:30 UTC), "UTC");
    event.summary = "Dune, part 1; \"the desert\"".into();
    event.description = Some("Bring snacks\nand a copy\\notes".into());
    event.location = Some("The Lamb, Lamb's Conduit St".into());
    event.url = Some("https://quire.test/clubs/north/meetings/1".into());
    event.status = Status::Cancelled;
    event.sequence = 3;
    event.end = End::At(datetime!(2026-12-01 21:00 UTC));
    event.organiser = Some(Organiser {
        name: "Ann \"Annie\" Lee, host".into(),
        address: "https://quire.test/readers/ann".into(),
    });
    let lines = logical_lines(&write(&calendar(vec![event])));
    for wanted in [
        "SUMMARY:Dune\\, part 1\\; \"the desert\"",
        "DESCRIPTION:Bring snacks\\nand a copy\\\\notes",
        "LOCATION:The Lamb\\, Lamb's Conduit St",
        "URL:https://quire.test/clubs/north/meetings/1",
        "STATUS:CANCELLED",
        "SEQUENCE:3",
        "DTSTART;TZID=UTC:20261201T193000",
        "DTEND;TZID=UTC:20261201T210000",
        "ORGANIZER;CN=\"Ann 'Annie' Lee, host\":https://quire.test/readers/ann",
    ] {
        assert!(
            lines.iter().any(|l| l == wanted),
            "no {wanted} in {lines:#?}"
        );
    }
}

#[test]
fn an_end_in_the_second_of_two_repeated_hours_is_written_in_utc() {
    // London, 25 October 2026: 01:00–02:00 BST then 01:00–02:00 GMT.
    // 00:15Z is 01:15 BST (the first 01:15); 01:15Z is 01:15 GMT (the second).
    let mut event = meeting(
        "fold@quire.test",
        datetime!(2026-10-25 00:15 UTC),
        "Europe/London",
    );
    event.end = End::At(datetime!(2026-10-25 01:15 UTC));
    let lines = logical_lines(&write(&calendar(vec![event])));
    assert!(
        lines
            .iter()
            .any(|l| l == "DTSTART;TZID=Europe/London:20261025T011500"),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l == "DTEND:20261025T011500Z"),
        "{lines:#?}"
    );
}

#[test]
fn each_zone_gets_one_vtimezone_covering_its_events() {
    let events = vec![
        meeting("a@q", datetime!(2026-10-20 18:00 UTC), "Europe/London"),
        meeting("b@q", datetime!(2027-03-15 23:00 UTC), "America/New_York"),
        meeting("c@q", datetime!(2026-10-27 19:00 UTC), "Europe/London"),
        meeting("d@q", datetime!(2026-12-01 14:00 UTC), "Asia/Kolkata"),
    ];
    let ics = write(&calendar(events));
    let lines = logical_lines(&ics);
    let tzids: Vec<&String> = lines.iter().filter(|l| l.starts_with("TZID:")).collect();
    assert_eq!(
        tzids,
        [
            "TZID:America/New_York",
            "TZID:Asia/Kolkata",
            "TZID:Europe/London"
        ]
    );
    // Every VTIMEZONE comes before the first VEVENT.
    let last_tz = lines.iter().rposition(|l| l == "END:VTIMEZONE").unwrap();
    let first_event = lines.iter().position(|l| l == "BEGIN:VEVENT").unwrap();
    assert!(last_tz < first_event);
    // Kolkata: one STANDARD entry, +0530.
    let kolkata = lines.iter().position(|l| l == "TZID:Asia/Kolkata").unwrap();
    assert_eq!(lines[kolkata + 1], "BEGIN:STANDARD");
    assert_eq!(lines[kolkata + 4], "TZOFFSETTO:+0530");
    assert_eq!(lines[kolkata + 7], "END:VTIMEZONE");
}

#[test]
fn the_same_meetings_give_the_same_bytes() {
    let events = vec![meeting(
        "a@q",
        datetime!(2026-10-20 18:00 UTC),
        "Europe/London",
    )];
    assert_eq!(write(&calendar(events.clone())), write(&calendar(events)));
}

#[test]
fn a_feed_holds_at_most_max_events() {
    let start = datetime!(2026-01-06 19:00 UTC);
    let events: Vec<Event> = (0..=MAX_EVENTS)
        .map(|i| {
            let days = i64::try_from(i).unwrap();
            meeting(&format!("m{i}@q"), start + Duration::days(days), "UTC")
        })
        .collect();
    let mut cal = calendar(events);
    assert_eq!(
        cal.to_ics(start).unwrap_err(),
        IcsError::TooManyEvents {
            count: MAX_EVENTS + 1,
            max: MAX_EVENTS
        }
    );
    cal.events.pop();
    let ics = cal.to_ics(start).unwrap();
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), MAX_EVENTS);
}

#[test]
fn bad_events_are_refused_naming_the_event_and_the_problem() {
    let good = meeting("m1@q", datetime!(2026-10-20 18:00 UTC), "UTC");
    let stamp = datetime!(2026-10-01 09:00 UTC);
    let problem = |change: &dyn Fn(&mut Event)| {
        let mut event = good.clone();
        change(&mut event);
        match calendar(vec![event]).to_ics(stamp).unwrap_err() {
            IcsError::Event { problem, .. } => problem,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(
        problem(&|e| e.uid = "two words".into()),
        EventProblem::BadUid
    );
    assert_eq!(problem(&|e| e.uid = String::new()), EventProblem::BadUid);
    assert_eq!(
        problem(&|e| e.summary = "  ".into()),
        EventProblem::EmptySummary
    );
    assert_eq!(
        problem(&|e| e.end = End::At(e.start)),
        EventProblem::EndNotAfterStart
    );
    assert_eq!(
        problem(&|e| e.end = End::After(Duration::minutes(-30))),
        EventProblem::EndNotAfterStart
    );
    assert_eq!(
        problem(&|e| e.url = Some("javascript alert(1)".into())),
        EventProblem::BadUri {
            field: "url",
            value: "javascript alert(1)".into()
        }
    );
    assert!(matches!(
        problem(&|e| e.url = Some("https://x.test/a\r\nEND:VEVENT".into())),
        EventProblem::BadUri { .. }
    ));
    assert_eq!(
        problem(&|e| e.description = Some("x".repeat(MAX_TEXT_BYTES + 1))),
        EventProblem::TooLong {
            field: "description",
            max: MAX_TEXT_BYTES
        }
    );
    assert_eq!(
        problem(&|e| e.start = datetime!(3000-01-01 00:00 UTC)),
        EventProblem::OutOfRange { field: "start" }
    );
    let err = calendar(vec![good.clone(), good.clone()])
        .to_ics(stamp)
        .unwrap_err();
    assert_eq!(err, IcsError::DuplicateUid { uid: "m1@q".into() });
    let mut bad = good.clone();
    bad.summary = String::new();
    let text = calendar(vec![bad]).to_ics(stamp).unwrap_err().to_string();
    assert!(
        text.contains("\"m1@q\"") && text.contains("summary"),
        "{text}"
    );
    assert_eq!(
        Calendar::new(" ").to_ics(stamp).unwrap_err(),
        IcsError::EmptyName
    );
}

#[test]
fn durations_are_exact_hours_minutes_and_seconds() {
    assert_eq!(duration(Duration::minutes(90)), "PT1H30M");
    assert_eq!(duration(Duration::hours(25)), "PT25H");
    assert_eq!(duration(Duration::seconds(45)), "PT45S");
    assert_eq!(duration(Duration::seconds(3601)), "PT1H1S");
}
