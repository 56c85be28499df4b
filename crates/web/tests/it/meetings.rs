//! Club meetings over HTTP: scheduling in a zone (a time the clocks skip
//! and a time in the past are refused with the form kept), calendar files
//! and secret feeds read back by Python's `icalendar` with the right
//! instants on both sides of a change of the clocks, resetting a feed
//! (the old link stops at once), a secret club's meetings reaching nobody
//! else, and many members answering at once over the JSON API.

use super::site::Site;
use quire_testkit::BookBuilder;
use serde_json::{Value, json};
use std::io::Write;
use std::process::{Command, Stdio};

const CHECK_ICS: &str = include_str!("../../../calendar/tests/it/check_ics.py");

/// What Python's `icalendar` read from `ics` (it must be installed:
/// `pip install icalendar`; without it the test fails).
fn read_back(ics: &str) -> Value {
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(CHECK_ICS)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(ics.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "Python's icalendar could not read the calendar:\n{}\n{ics}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["errors"], json!([]), "{ics}");
    assert_eq!(v["long_lines"], json!([]));
    assert_eq!(v["bare_lf"], 0);
    v
}

/// Another browser on the same server.
fn browser(site: &Site) -> Site {
    Site {
        base: site.base.clone(),
        client: reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .unwrap(),
    }
}

/// The owner's club (`visibility`, in Europe/London) reading a book with
/// three discussion questions. Returns the slug.
async fn club(site: &Site, db: &quire_storage::Db, name: &str, visibility: &str) -> String {
    let b = BookBuilder::new(&format!("{name} book"))
        .with_questions(3)
        .build(db)
        .await;
    let r = site
        .post(
            "/clubs",
            &[
                ("name", name),
                ("description", ""),
                ("visibility", visibility),
                ("join_policy", "open"),
                ("time_zone", "Europe/London"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let slug = r.url().path().trim_start_matches("/clubs/").to_string();
    let r = site
        .post(
            &format!("/clubs/{slug}/selections"),
            &[("book", &b.work.to_string()), ("status", "current")],
        )
        .await;
    assert_eq!(r.status(), 200);
    slug
}

async fn schedule(
    site: &Site,
    slug: &str,
    date: &str,
    time: &str,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = vec![
        ("date", date),
        ("time", time),
        ("zone", "Europe/London"),
        ("duration", "90"),
        ("place", "The Lamb, Lamb's Conduit Street"),
    ];
    form.extend_from_slice(extra);
    site.post(&format!("/clubs/{slug}/meetings"), &form).await
}

/// The meeting id a page's address ends with.
fn meeting_of(r: &reqwest::Response) -> String {
    r.url().path().rsplit('/').next().unwrap().to_string()
}

fn between<'a>(hay: &'a str, start: &str, end: &str) -> &'a str {
    hay.split(start).nth(1).unwrap().split(end).next().unwrap()
}

/// Make a feed link for `club` ("" for all clubs) and return its path.
async fn make_feed(site: &Site, club: &str) -> String {
    let r = site.post("/calendar/feeds", &[("club", club)]).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let url = between(&html, "id=\"feed-url\" readonly value=\"", "\"");
    assert!(url.contains("/calendar/") && url.ends_with(".ics"), "{url}");
    url.split_once("/calendar/")
        .map(|(_, t)| format!("/calendar/{t}"))
        .unwrap()
}

quire_testkit::both_backends! {
    async fn calendars_read_back_with_the_right_times_across_a_change_of_the_clocks(db: Db) {
        let site = Site::start(db.clone()).await;
        site.join("organiser").await;
        let slug = club(&site, &db, "Lamb Readers", "public").await;

        // The form offers the club's zone and the current book's questions.
        let (_, form) = site.get_text(&format!("/clubs/{slug}/meetings/new")).await;
        assert!(form.contains("<option selected>Europe/London</option>"));
        let questions: Vec<&str> = form.split("name=\"question\" value=\"").skip(1).map(|s| s.split('"').next().unwrap()).collect();
        assert_eq!(questions.len(), 3);
        let books = between(&form, "<select id=\"selection\"", "</select>");
        let current = books.split("\" selected>").next().unwrap().rsplit("value=\"").next().unwrap();
        assert!(!current.is_empty() && !current.contains('<'), "the current book is chosen: {books}");

        // A time the clocks skip: the calendar crate's words, and the form comes back as typed.
        let r = schedule(&site, &slug, "2027-03-28", "01:30", &[("agenda", "Keep this text")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("01:30 on 2027-03-28 does not exist in Europe/London"), "{html}");
        assert!(html.contains("Keep this text") && html.contains("value=\"01:30\""));
        // A time in the past: refused, nothing saved.
        let r = schedule(&site, &slug, "2020-01-07", "19:00", &[]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("That time has already passed"));
        let (_, list) = site.get_text(&format!("/clubs/{slug}/meetings")).await;
        assert!(list.contains("No meeting is planned."));

        // Before the clocks change (GMT, UTC+0) and after (BST, UTC+1).
        let r = schedule(&site, &slug, "2027-03-20", "19:00", &[("selection", current), ("question", questions[1]), ("question", questions[0]), ("capacity", "12")]).await;
        let status = r.status();
        let winter = meeting_of(&r);
        let html = r.text().await.unwrap();
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("The meeting is scheduled."));
        assert!(html.contains("Saturday 20 March 2027, 19:00 GMT"), "{html}");
        let r = schedule(&site, &slug, "2027-04-03", "19:00", &[]).await;
        let summer = meeting_of(&r);

        // One meeting's file.
        let r = site.get(&format!("/clubs/{slug}/meetings/{winter}.ics")).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "text/calendar; charset=utf-8");
        assert!(r.headers()["cache-control"].to_str().unwrap().contains("private"));
        let etag = r.headers()["etag"].clone();
        let one = read_back(&r.text().await.unwrap());
        let ev = &one["events"][0];
        for how in ["icalendar", "vtimezone", "offsets"] {
            assert_eq!(ev["start"][how], "2027-03-20T19:00:00Z", "{how}");
            assert_eq!(ev["end"][how], "2027-03-20T20:30:00Z", "{how}");
        }
        assert_eq!(ev["start"]["tzid"], "Europe/London");
        assert_eq!(ev["location"], "The Lamb, Lamb's Conduit Street");
        assert!(ev["summary"].as_str().unwrap().starts_with("Lamb Readers: "));
        assert!(ev["description"].as_str().unwrap().contains("Questions:\n1. "), "the agenda's questions, in order");
        let again = site.client.get(site.url(&format!("/clubs/{slug}/meetings/{winter}.ics"))).header("if-none-match", etag).send().await.unwrap();
        assert_eq!(again.status(), 304);

        // The club feed and the all-clubs feed, at secret links.
        let club_feed = make_feed(&site, &slug).await;
        let all_feed = make_feed(&site, "").await;
        for path in [&club_feed, &all_feed] {
            let r = site.get(path).await;
            assert_eq!(r.status(), 200);
            assert_eq!(r.headers()["content-type"], "text/calendar; charset=utf-8");
            let feed = read_back(&r.text().await.unwrap());
            let events = feed["events"].as_array().unwrap();
            assert_eq!(events.len(), 2);
            let start = |id: &str| events.iter().find(|e| e["uid"].as_str().unwrap().contains(id)).unwrap()["start"].clone();
            for how in ["icalendar", "vtimezone", "offsets"] {
                assert_eq!(start(&winter)[how], "2027-03-20T19:00:00Z");
                assert_eq!(start(&summer)[how], "2027-04-03T18:00:00Z", "19:00 BST is 18:00 UTC");
            }
            let zone = &feed["zones"]["Europe/London"];
            assert!(zone.as_array().unwrap().iter().any(|e| e["start"] == "20270328T010000"), "the VTIMEZONE holds the change: {zone}");
        }

        // A cancelled meeting stays in the feed, marked so, with a higher sequence.
        let r = site.post(&format!("/clubs/{slug}/meetings/{summer}/cancel"), &[]).await;
        assert!(r.text().await.unwrap().contains("This meeting is cancelled."));
        let feed = read_back(&site.get(&club_feed).await.text().await.unwrap());
        let cancelled = feed["events"].as_array().unwrap().iter().find(|e| e["uid"].as_str().unwrap().contains(&summer)).unwrap().clone();
        assert_eq!(cancelled["status"], "CANCELLED");
        assert_eq!(cancelled["sequence"], 1);

        // Reset: the old link is gone at once, the new one works.
        let fresh = make_feed(&site, &slug).await;
        assert_ne!(fresh, club_feed);
        let (status, body) = site.get_text(&club_feed).await;
        assert_eq!(status, 404);
        assert!(body.contains("not in use"));
        assert_eq!(site.get(&fresh).await.status(), 200);
        assert_eq!(site.get(&all_feed).await.status(), 200, "the other feed is untouched");
        // Turning it off ends it too.
        site.post("/calendar/feeds/stop", &[("club", &slug)]).await;
        assert_eq!(site.get(&fresh).await.status(), 404);
        assert_eq!(site.get("/calendar/not-a-token.ics").await.status(), 404);
    }

    async fn the_reader_sees_times_in_their_own_zone(db: Db) {
        let site = Site::start(db.clone()).await;
        site.join("zoner").await;
        let slug = club(&site, &db, "Zoners", "public").await;
        let r = schedule(&site, &slug, "2027-04-03", "19:00", &[]).await;
        let m = meeting_of(&r);
        let page = format!("/clubs/{slug}/meetings/{m}");
        let r = site.post("/account/time-zone", &[("time_zone", "America/New_York"), ("next", &page)]).await;
        let html = r.text().await.unwrap();
        assert!(html.contains("Times now show in your chosen zone."));
        assert!(html.contains("Saturday 3 April 2027, 14:00 EDT"), "{html}");
        assert!(html.contains("In the meeting's zone (Europe/London): Saturday 3 April 2027, 19:00 BST"));
        let (_, club_page) = site.get_text(&format!("/clubs/{slug}")).await;
        assert!(club_page.contains("Next meeting") && club_page.contains("14:00 EDT"));
        let r = site.post("/account/time-zone", &[("time_zone", "Mars/Olympus"), ("next", &page)]).await;
        assert_eq!(r.status(), 422);
    }

    async fn a_secret_clubs_meetings_reach_nobody_else(db: Db) {
        let site = Site::start(db.clone()).await;
        site.join("keeper").await;
        let slug = club(&site, &db, "Hidden Readers", "secret").await;
        let r = schedule(&site, &slug, "2027-05-01", "18:00", &[("video_url", "https://video.example/secret-room")]).await;
        let m = meeting_of(&r);
        let own_feed = make_feed(&site, "").await;
        let stranger = browser(&site);
        stranger.join("stranger").await;
        for path in [
            format!("/clubs/{slug}/meetings"),
            format!("/clubs/{slug}/meetings/{m}"),
            format!("/clubs/{slug}/meetings/{m}.ics"),
            format!("/api/v1/clubs/{slug}/meetings"),
            format!("/api/v1/clubs/{slug}/meetings/{m}"),
        ] {
            let (status, body) = stranger.get_text(&path).await;
            assert_eq!(status, 404, "{path}");
            assert!(!body.contains("Hidden Readers") && !body.contains("secret-room"), "{path}");
        }
        let r = stranger.post("/calendar/feeds", &[("club", &slug)]).await;
        assert_eq!(r.status(), 404);
        let theirs = make_feed(&stranger, "").await;
        let body = stranger.get(&theirs).await.text().await.unwrap();
        assert!(!body.contains("Hidden Readers") && !body.contains(&m));
        let mine = site.get(&own_feed).await.text().await.unwrap();
        assert!(mine.contains("Hidden Readers"), "the member's own feed has it");
    }

    async fn many_members_answering_at_once_never_over_book(db: Db) {
        let site = Site::start(db.clone()).await;
        site.join("host").await;
        let slug = club(&site, &db, "Full House", "public").await;
        let r = schedule(&site, &slug, "2027-06-01", "19:00", &[("capacity", "3")]).await;
        let m = meeting_of(&r);
        let mut people = Vec::new();
        for i in 0..10 {
            let b = browser(&site);
            b.join(&format!("guest{i}")).await;
            assert_eq!(b.post(&format!("/clubs/{slug}/join"), &[]).await.status(), 200);
            people.push(b);
        }
        let rsvp = format!("/api/v1/clubs/{slug}/meetings/{m}/rsvp");
        let answers = futures_join(people.iter().map(|b| {
            b.client.put(b.url(&rsvp)).header("sec-fetch-site", "same-origin").json(&json!({"answer": "yes"})).send()
        })).await;
        let mut going = 0;
        let mut positions = Vec::new();
        for r in answers {
            let r = r.unwrap();
            assert_eq!(r.status(), 200);
            let v: Value = r.json().await.unwrap();
            match v["state"].as_str().unwrap() {
                "going" => going += 1,
                "waitlist" => positions.push(v["waitlist_position"].as_i64().unwrap()),
                other => panic!("{other}"),
            }
        }
        assert_eq!(going, 3);
        positions.sort();
        assert_eq!(positions, (1..=7).collect::<Vec<_>>());
        let v: Value = site.get(&format!("/api/v1/clubs/{slug}/meetings/{m}")).await.json().await.unwrap();
        assert_eq!((v["going"].as_i64(), v["waiting"].as_i64()), (Some(3), Some(7)));
        let first_waiting = v["waitlist"][0]["username"].as_str().unwrap().to_string();
        let leaver = v["going_list"][0]["username"].as_str().unwrap().to_string();
        let leaver_site = &people[leaver.trim_start_matches("guest").parse::<usize>().unwrap()];
        let r = leaver_site.post(&format!("/clubs/{slug}/meetings/{m}/rsvp"), &[("answer", "no")]).await;
        assert!(r.text().await.unwrap().contains("You said you are not coming."));
        let v: Value = site.get(&format!("/api/v1/clubs/{slug}/meetings/{m}")).await.json().await.unwrap();
        assert!(v["going_list"].as_array().unwrap().iter().any(|p| p["username"] == first_waiting.as_str()), "the first waiting moved up");
        assert_eq!(v["waiting"], 6);
        // The page tells the new first in line where they stand.
        let second = v["waitlist"][0]["username"].as_str().unwrap();
        let b = &people[second.trim_start_matches("guest").parse::<usize>().unwrap()];
        let (_, html) = b.get_text(&format!("/clubs/{slug}/meetings/{m}")).await;
        assert!(html.contains("you are #1 on the waitlist"), "{html}");
        // Past meetings are refused over the API too, naming the field.
        let r = site.client.post(site.url(&format!("/api/v1/clubs/{slug}/meetings"))).header("sec-fetch-site", "same-origin")
            .json(&json!({"date": "2001-01-01", "time": "10:00"})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let body = r.text().await.unwrap();
        assert!(body.contains("already passed") && body.contains("\"date\""), "{body}");
    }
}

/// Wait for every request at once.
async fn futures_join<F, T>(fs: impl Iterator<Item = F>) -> Vec<T>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = fs.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

quire_testkit::both_backends! {
    async fn who_may_see_answer_and_organise(db: Db) {
        let site = Site::start(db.clone()).await;
        site.join("boss").await;
        let private = club(&site, &db, "Closed Door", "private").await;
        let public = club(&site, &db, "Open Door", "public").await;
        let r = schedule(&site, &private, "2027-05-01", "18:00", &[("video_url", "https://video.example/closed-room")]).await;
        let pm = meeting_of(&r);
        let r = schedule(&site, &public, "2027-05-02", "18:00", &[("video_url", "https://video.example/open-room")]).await;
        let m = meeting_of(&r);
        let anon = browser(&site);
        let outsider = browser(&site);
        outsider.join("outsider").await;
        let member = browser(&site);
        member.join("joiner").await;
        member.post(&format!("/clubs/{public}/join"), &[]).await;

        // A private club's meetings: not to visitors or outsiders.
        for who in [&anon, &outsider] {
            for path in [
                format!("/clubs/{private}/meetings"),
                format!("/clubs/{private}/meetings/{pm}"),
                format!("/clubs/{private}/meetings/{pm}.ics"),
                format!("/api/v1/clubs/{private}/meetings/{pm}"),
            ] {
                let (status, body) = who.get_text(&path).await;
                assert!(status == 403 || status == 401 || status == 303 || status == 200 && body.contains("Sign in"), "{path}: {status}");
                assert!(!body.contains("closed-room") && !body.contains("18:00"), "{path}");
            }
        }
        // A public club's meeting: anyone reads it, the video link is for members.
        let (status, body) = anon.get_text(&format!("/clubs/{public}/meetings/{m}")).await;
        assert_eq!(status, 200);
        assert!(body.contains("Sign in to answer") && !body.contains("open-room"));
        let (_, body) = member.get_text(&format!("/clubs/{public}/meetings/{m}")).await;
        assert!(body.contains("open-room") && body.contains("Are you coming?"));
        let ics = anon.get(&format!("/clubs/{public}/meetings/{m}.ics")).await.text().await.unwrap();
        assert!(!ics.contains("open-room"));
        // Only members answer; only organisers schedule, change, cancel and record.
        let r = outsider.post(&format!("/clubs/{public}/meetings/{m}/rsvp"), &[("answer", "yes")]).await;
        assert_eq!(r.status(), 403);
        assert!(r.text().await.unwrap().contains("Only members of this club"));
        for (path, form) in [
            (format!("/clubs/{public}/meetings"), vec![("date", "2027-07-01"), ("time", "10:00")]),
            (format!("/clubs/{public}/meetings/{m}/cancel"), vec![]),
            (format!("/clubs/{public}/meetings/{m}"), vec![("date", "2027-07-01"), ("time", "10:00")]),
        ] {
            let r = member.post(&path, &form).await;
            assert_eq!(r.status(), 403, "{path}");
        }
        assert_eq!(member.get(&format!("/clubs/{public}/meetings/new")).await.status(), 403);
        let (_, body) = site.get_text(&format!("/clubs/{public}/meetings/{m}")).await;
        assert!(!body.contains("This meeting is cancelled."), "nothing was cancelled");
    }
}
