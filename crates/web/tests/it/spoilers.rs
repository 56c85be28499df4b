//! The spoiler gate over HTTP, on every route that can show anchored
//! content: generated members at generated places in a club's book (each
//! saved through the selection page's form), threads, replies and
//! questions at generated anchors (posted through the forms), each with a
//! unique marker. Every member, and an anonymous visitor, then reads the
//! selection page, every thread page, the club page, and the JSON API's
//! thread list, threads, questions and club; a marker must appear exactly
//! when the domain's rule lets that reader see it. Also: a place past the
//! end of the book is refused in words and changes nothing, and a reply
//! cannot move a thread's anchor earlier.

use super::site::Site;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use quire_domain::position::{self, Anchor, Chapters, Point};
use quire_domain::{ClubName, JoinPolicy, Progress, SelectionStatus, Visibility};
use quire_storage::clubs::{self, NewClub, members, selections};
use quire_storage::{Db, users};
use quire_testkit::BookBuilder;
use reqwest::Client;

const PAGES: u32 = 352;

#[derive(Clone, Debug)]
struct Scenario {
    chapters: Option<u32>,
    places: Vec<Option<Progress>>,
    threads: Vec<(Anchor, Vec<Option<Anchor>>)>,
    questions: Vec<Anchor>,
}

fn anchor(chapters: Option<u32>) -> BoxedStrategy<Anchor> {
    let mut options = vec![
        Just(Anchor::Start).boxed(),
        Just(Anchor::Finished).boxed(),
        (0u8..=100).prop_map(Anchor::Percent).boxed(),
    ];
    if let Some(n) = chapters {
        options.push((1..=n).prop_map(Anchor::Chapter).boxed());
    }
    proptest::strategy::Union::new(options).boxed()
}

fn scenario() -> impl Strategy<Value = Scenario> {
    prop::option::of(2u32..30).prop_flat_map(|chapters| {
        let max_chapter = chapters.unwrap_or(1);
        let place = prop_oneof![
            Just(None),
            (0..=PAGES).prop_map(|p| Some(Progress::Page(p))),
            (0u8..=100).prop_map(|p| Some(Progress::Percent(p))),
            (1..=max_chapter).prop_map(move |c| Some(if chapters.is_some() {
                Progress::Chapter(c)
            } else {
                Progress::Percent(50)
            })),
        ];
        (
            Just(chapters),
            prop::collection::vec(place, 2..4),
            prop::collection::vec(
                (
                    anchor(chapters),
                    prop::collection::vec(prop::option::of(anchor(chapters)), 0..2),
                ),
                2..4,
            ),
            prop::collection::vec(anchor(chapters), 1..3),
        )
            .prop_map(|(chapters, places, threads, questions)| Scenario {
                chapters,
                places,
                threads,
                questions,
            })
    })
}

fn tag() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_string()
}

/// Another browser on the same server, with its own cookies.
fn browser(site: &Site) -> Site {
    Site {
        base: site.base.clone(),
        client: Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .unwrap(),
    }
}

fn anchor_form(a: Anchor) -> (&'static str, String) {
    match a {
        Anchor::Start => ("start", String::new()),
        Anchor::Finished => ("finished", String::new()),
        Anchor::Chapter(n) => ("chapter", n.to_string()),
        Anchor::Percent(p) => ("percent", p.to_string()),
    }
}

async fn everything_seen(site: &Site, slug: &str, sel: &str, threads: &[String]) -> String {
    let mut all = String::new();
    let mut paths = vec![
        format!("/clubs/{slug}"),
        format!("/clubs/{slug}/selections/{sel}"),
        format!("/api/v1/clubs/{slug}"),
        format!("/api/v1/clubs/{slug}/selections/{sel}/threads"),
        format!("/api/v1/clubs/{slug}/selections/{sel}/questions"),
    ];
    for t in threads {
        paths.push(format!("/clubs/{slug}/threads/{t}"));
        paths.push(format!("/api/v1/clubs/{slug}/threads/{t}"));
    }
    for p in paths {
        let (status, body) = site.get_text(&p).await;
        assert_eq!(status, 200, "{p}: {body}");
        all.push_str(&body);
    }
    all
}

async fn run_scenario(db: &Db, site: &Site, n: usize, sc: &Scenario) {
    let book = BookBuilder::new(&format!("Gated book {n}")).build(db).await;
    let owner_name = format!("owner{n}_{}", &tag()[..6]);
    let owner = browser(site);
    owner.join(&owner_name).await;
    let owner_id = users::by_username(db, &owner_name)
        .await
        .unwrap()
        .unwrap()
        .user_id();
    let name = ClubName::parse(&format!("Gate {n} {}", tag())).unwrap();
    let (club, slug) = clubs::create(
        db,
        owner_id,
        &NewClub {
            name: &name,
            description: "",
            visibility: Visibility::Public,
            join_policy: JoinPolicy::Open,
            time_zone: "UTC",
        },
    )
    .await
    .unwrap();
    let selection = selections::add(
        db,
        club,
        owner_id,
        &selections::NewSelection {
            work: book.work,
            status: SelectionStatus::Current,
            starts_on: None,
            ends_on: None,
            chapter_count: sc.chapters.map(i64::from),
        },
    )
    .await
    .unwrap();
    let sel = selection.to_string();
    let chapters = sc.chapters.map(Chapters::Even);
    let ch = chapters.as_ref();
    let here = format!("/clubs/{slug}/selections/{sel}");
    let r = owner
        .post(
            &format!("{here}/position"),
            &[("unit", "finished"), ("value", "")],
        )
        .await;
    assert_eq!(r.status(), 200);

    // Members, each placed through the form.
    let mut readers: Vec<(Site, Point)> =
        vec![(browser(site), Point::START), (owner, Point::FINISHED)];
    for (i, place) in sc.places.iter().enumerate() {
        let uname = format!("r{n}x{i}_{}", &tag()[..6]);
        let b = browser(site);
        b.join(&uname).await;
        let id = users::by_username(db, &uname)
            .await
            .unwrap()
            .unwrap()
            .user_id();
        members::join(db, club, id).await.unwrap();
        let point = match place {
            None => Point::START,
            Some(p) => {
                let r = b
                    .post(
                        &format!("{here}/position"),
                        &[("unit", p.unit()), ("value", &p.value().to_string())],
                    )
                    .await;
                assert_eq!(r.status(), 200, "{p:?}: {}", r.text().await.unwrap());
                position::of_reading(false, Some(*p), Some(PAGES), ch)
            }
        };
        readers.push((b, point));
    }
    let owner = &readers[1].0;

    // Threads and replies through the forms, with markers.
    let mut threads = Vec::new();
    let mut markers: Vec<(String, Anchor)> = Vec::new();
    for (a, replies) in &sc.threads {
        let title = format!("TTL{}", tag());
        let first = format!("FST{}", tag());
        let (unit, value) = anchor_form(*a);
        let r = owner
            .post(
                &format!("{here}/threads"),
                &[
                    ("title", &title),
                    ("body", &first),
                    ("unit", unit),
                    ("value", &value),
                ],
            )
            .await;
        assert_eq!(r.status(), 200);
        let thread = r.url().path().rsplit('/').next().unwrap().to_string();
        let mut now = *a;
        let mut texts = vec![title, first];
        for to in replies {
            let body = format!("RPL{}", tag());
            let (unit, value) = to.map(anchor_form).unwrap_or(("keep", String::new()));
            let r = owner
                .post(
                    &format!("/clubs/{slug}/threads/{thread}/replies"),
                    &[("body", &body), ("unit", unit), ("value", &value)],
                )
                .await;
            if let Some(to) = to
                && to.point(ch) < now.point(ch)
            {
                assert_eq!(r.status(), 409);
                let text = r.text().await.unwrap();
                assert!(text.contains("never earlier"), "{text}");
                continue;
            }
            assert_eq!(r.status(), 200);
            if let Some(to) = to
                && to.point(ch) > now.point(ch)
            {
                now = *to;
            }
            texts.push(body);
        }
        markers.extend(texts.into_iter().map(|t| (t, now)));
        threads.push(thread);
    }
    for a in &sc.questions {
        let body = format!("QST{}", tag());
        let (unit, value) = anchor_form(*a);
        let r = owner
            .post(
                &format!("{here}/questions"),
                &[("body", &body), ("unit", unit), ("value", &value)],
            )
            .await;
        assert_eq!(r.status(), 200);
        markers.push((body, *a));
    }

    for (who, at) in &readers {
        let seen = everything_seen(who, &slug, &sel, &threads).await;
        for (marker, anchor) in &markers {
            let open = position::unlocked(anchor.point(ch), *at);
            assert_eq!(
                seen.contains(marker.as_str()),
                open,
                "marker of an item {anchor:?} to a reader at {at:?} (chapters {:?})",
                sc.chapters
            );
        }
    }
}

quire_testkit::both_backends! {
    async fn nothing_past_a_members_place_is_shown_on_any_route(db: Db) {
        let site = Site::start(db.clone()).await;
        let mut runner = TestRunner::new_with_rng(
            Config::default(),
            TestRng::deterministic_rng(RngAlgorithm::ChaCha),
        );
        // Readers exactly at, just before and just past each anchor, so
        // an off-by-one in the gate shows; then generated scenarios.
        let boundary = Scenario {
            chapters: Some(12),
            places: vec![
                Some(Progress::Chapter(5)),
                Some(Progress::Chapter(6)),
                Some(Progress::Page(147)),
                Some(Progress::Page(148)),
                Some(Progress::Percent(41)),
            ],
            threads: vec![(Anchor::Chapter(5), vec![]), (Anchor::Percent(42), vec![])],
            questions: vec![Anchor::Chapter(6), Anchor::Percent(42)],
        };
        run_scenario(&db, &site, 0, &boundary).await;
        let strategy = scenario();
        for n in 1..4 {
            let sc = strategy.new_tree(&mut runner).unwrap().current();
            run_scenario(&db, &site, n, &sc).await;
        }
    }

    async fn a_place_past_the_end_is_refused_and_a_reply_never_moves_a_thread_earlier(db: Db) {
        let site = Site::start(db.clone()).await;
        let book = BookBuilder::new("Edge book").build(&db).await;
        site.join("edge_owner").await;
        let owner = users::by_username(&db, "edge_owner").await.unwrap().unwrap().user_id();
        let club = quire_testkit::club_book(&db, owner, "Edge club", book.work, "current").await;
        let sel = quire_storage::clubs::page::load(&db, club, None).await.unwrap().current.unwrap().selection;
        selections::reschedule(&db, club, sel.id, None, None, Some(20)).await.unwrap();
        let here = format!("/clubs/edge-club/selections/{}", sel.id);
        let r = site.post(&format!("{here}/position"), &[("unit", "page"), ("value", "120")]).await;
        assert_eq!(r.status(), 200);
        for (unit, value, words) in [
            ("page", "420", "Page 420 is past the end of this edition (352 pages)."),
            ("chapter", "21", "Chapter 21 is past the end of this book (20 chapters)."),
            ("percent", "140", "Percent is from 0 to 100; 140 is not."),
        ] {
            let r = site.post(&format!("{here}/position"), &[("unit", unit), ("value", value)]).await;
            assert_eq!(r.status(), 422, "{unit} {value}");
            let text = r.text().await.unwrap();
            assert!(text.contains(words), "{text}");
        }
        let api = site
            .client
            .put(site.url(&format!("/api/v1/clubs/edge-club/selections/{}/position", sel.id)))
            .header("sec-fetch-site", "same-origin")
            .json(&serde_json::json!({"unit": "page", "value": "400"}))
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), 422);
        assert!(api.text().await.unwrap().contains("past the end of this edition (352 pages)"));
        // Nothing saved was lost: still at page 120.
        let (_, page) = site.get_text(&here).await;
        assert!(page.contains("value=\"120\""), "{page}");
        // Far enough to read and answer threads up to chapter 18.
        let r = site.post(&format!("{here}/position"), &[("unit", "chapter"), ("value", "19")]).await;
        assert_eq!(r.status(), 200);

        let r = site
            .post(&format!("{here}/threads"), &[("title", "Midpoint"), ("body", "Talk"), ("unit", "chapter"), ("value", "10")])
            .await;
        let thread = r.url().path().rsplit('/').next().unwrap().to_string();
        let r = site
            .post(&format!("/clubs/edge-club/threads/{thread}/replies"), &[("body", "Back"), ("unit", "chapter"), ("value", "3")])
            .await;
        assert_eq!(r.status(), 409);
        assert!(r.text().await.unwrap().contains("a reply can move it later, never earlier"));
        let r = site
            .post(&format!("/clubs/edge-club/threads/{thread}/replies"), &[("body", "Later"), ("unit", "chapter"), ("value", "15")])
            .await;
        assert_eq!(r.status(), 200);
        let (_, json) = site.get_text(&format!("/api/v1/clubs/edge-club/threads/{thread}")).await;
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["anchor"]["value"], 15);
        assert_eq!(v["items"].as_array().unwrap().len(), 2);
        assert!(v["next_cursor"].is_null());
    }
}
