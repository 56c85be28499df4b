//! The spoiler gate, as a property: generated clubs with members at
//! generated positions, threads, replies and questions at generated
//! anchors, all in one database per engine. Every marker planted in
//! anchored content must reach exactly the readers the domain's rule
//! (`quire_domain::position`) lets through, through every read that can
//! return it (thread list, thread page, recent discussion on the club
//! page, questions); and the SQL's position for each reader must equal the
//! domain's. Some works carry a text, whose sections are then the
//! chapters (`Chapters::Exact`) in Rust and in SQL alike.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use quire_domain::position::{self, Anchor, Chapters, Point};
use quire_domain::{
    ClubName, JoinPolicy, Progress, ReadingStatus, SelectionStatus, UserId, Visibility,
};
use quire_storage::clubs::discussion::{self as d, NewThread};
use quire_storage::clubs::{self, NewClub, members, page, selections};
use quire_storage::{Db, StorageError, shelves, texts};
use quire_testkit::{BookBuilder, both_backends, member};
use time::macros::date;

const PAGES: u32 = 352;

#[derive(Clone, Debug)]
enum Place {
    Nothing,
    At(Progress),
    Finished,
}

#[derive(Clone, Debug)]
struct Scenario {
    chapters: Option<u32>,
    /// The work carries a text of this many sections (of unequal
    /// lengths): they are the chapters, whatever the organiser's count.
    text: Option<u32>,
    places: Vec<Place>,
    /// Each thread: its anchor and its replies' anchors (None: no move).
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
    (
        prop::option::of(1u32..40),
        prop_oneof![3 => Just(None), 1 => (1u32..12).prop_map(Some)],
    )
        .prop_flat_map(|(count, text)| {
            // Anchors are made in the range the book's chapters allow.
            let chapters = text.or(count);
            let place = prop_oneof![
                Just(Place::Nothing),
                Just(Place::Finished),
                (0..=PAGES).prop_map(|p| Place::At(Progress::Page(p))),
                (0u8..=100).prop_map(|p| Place::At(Progress::Percent(p))),
                (1u32..45).prop_map(|c| Place::At(Progress::Chapter(c))),
            ];
            (
                Just(chapters),
                prop::collection::vec(place, 1..5),
                prop::collection::vec(
                    (
                        anchor(chapters),
                        prop::collection::vec(prop::option::of(anchor(chapters)), 0..3),
                    ),
                    1..5,
                ),
                prop::collection::vec(anchor(chapters), 0..3),
            )
                .prop_map(move |(_, places, threads, questions)| Scenario {
                    chapters: count,
                    text,
                    places,
                    threads,
                    questions,
                })
        })
}

fn tag() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..10].to_string()
}

/// What one reader may see: the domain's answer.
fn sees(anchor: Anchor, chapters: Option<&Chapters>, reader: Point) -> bool {
    position::unlocked(anchor.point(chapters), reader)
}

async fn run_scenario(db: &Db, n: usize, sc: &Scenario) {
    let book = BookBuilder::new(&format!("Spoiler book {n}"))
        .build(db)
        .await;
    let owner = member(db, "organiser").await;
    let name = ClubName::parse(&format!("Gate club {n} {}", tag())).unwrap();
    let (club, _) = clubs::create(
        db,
        owner,
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
        owner,
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
    let chapters = match sc.text {
        Some(n) => {
            let t = quire_testkit::texts::text(n as usize, 3);
            let source = texts::SourceInfo::of(
                texts::SourceFormat::GutenbergTxt,
                "t.txt",
                format!("{n}").as_bytes(),
            );
            texts::attach(db, book.work, &t, &source, None)
                .await
                .unwrap();
            let exact = texts::chapter_starts(db, book.work).await.unwrap();
            assert!(matches!(&exact, Some(Chapters::Exact(s)) if s.len() == n as usize));
            exact
        }
        None => sc.chapters.map(Chapters::Even),
    };
    let ch = chapters.as_ref();
    // The selection as Rust reads it places chapters the same way.
    let read_back = selections::get(db, club, selection).await.unwrap().unwrap();
    assert_eq!(d::chapters_of(&read_back), chapters);
    // The organiser has finished, so every reply of theirs is allowed.
    shelves::finish(
        db,
        owner,
        book.work,
        ReadingStatus::Read,
        date!(2026 - 11 - 01),
    )
    .await
    .unwrap();

    let mut readers: Vec<(Option<UserId>, Point)> =
        vec![(None, Point::START), (Some(owner), Point::FINISHED)];
    for (i, place) in sc.places.iter().enumerate() {
        let u = member(db, &format!("reader{i}")).await;
        members::join(db, club, u).await.unwrap();
        let expected = match place {
            Place::Nothing => Point::START,
            Place::Finished => {
                shelves::finish(db, u, book.work, ReadingStatus::Read, date!(2026 - 11 - 02))
                    .await
                    .unwrap();
                Point::FINISHED
            }
            Place::At(p) => {
                shelves::set_progress(
                    db,
                    u,
                    book.work,
                    Some(book.edition),
                    *p,
                    date!(2026 - 11 - 02),
                )
                .await
                .unwrap();
                position::of_reading(false, Some(*p), Some(PAGES), ch)
            }
        };
        // The SQL twin places the reader where the domain does.
        assert_eq!(
            d::point_in_sql(db, selection, u).await.unwrap(),
            expected,
            "{place:?} {:?} {:?}",
            sc.chapters,
            sc.text
        );
        readers.push((Some(u), expected));
    }

    // Threads and replies, each with its markers and the anchor it ends at.
    let mut threads = Vec::new();
    for (a, replies) in &sc.threads {
        let title = format!("TITLE{}", tag());
        let first = format!("FIRST{}", tag());
        let t = d::start_thread(
            db,
            club,
            selection,
            owner,
            &NewThread {
                title: &title,
                body: &first,
                body_html: &first,
                anchor: *a,
            },
        )
        .await
        .unwrap();
        let mut now = *a;
        let mut markers = vec![title.clone(), first];
        for r in replies {
            let body = format!("REPLY{}", tag());
            let res = d::reply(
                db,
                club,
                t,
                owner,
                &d::NewReply {
                    body: &body,
                    body_html: &body,
                    anchor: *r,
                },
                false,
            )
            .await;
            match r {
                Some(to) if to.point(ch) < now.point(ch) => {
                    // Never earlier: refused in words, and nothing saved.
                    match res {
                        Err(StorageError::Conflict(m)) => {
                            assert!(m.contains("never earlier"), "{m}")
                        }
                        other => panic!("an earlier anchor was taken: {other:?}"),
                    }
                }
                _ => {
                    res.unwrap();
                    markers.push(body);
                    if let Some(to) = r
                        && to.point(ch) > now.point(ch)
                    {
                        now = *to;
                    }
                }
            }
        }
        threads.push((t, title, now, markers));
    }
    let mut questions = Vec::new();
    for a in &sc.questions {
        let body = format!("QUESTION{}", tag());
        let q = d::ask(db, club, selection, owner, &body, *a).await.unwrap();
        questions.push((q, body, *a));
    }

    for (who, at) in &readers {
        let list = d::threads(db, club, selection, *who, false).await.unwrap();
        assert_eq!(
            list.len(),
            threads.len(),
            "every thread is listed, open or not"
        );
        for (t, title, anchor, markers) in &threads {
            let open = sees(*anchor, ch, *at);
            let row = list.iter().find(|r| r.id == *t).unwrap();
            assert_eq!(row.anchor, *anchor);
            assert_eq!(
                row.open, open,
                "reader at {at:?}, anchor {anchor:?}, chapters {:?}, text {:?}",
                sc.chapters, sc.text
            );
            assert_eq!(row.title.as_deref() == Some(title.as_str()), open);
            let (_, posts) = d::thread(db, club, *t, *who, false).await.unwrap().unwrap();
            let text: String = posts
                .iter()
                .map(|p| format!("{} {}", p.body, p.body_html))
                .collect();
            for m in &markers[1..] {
                assert_eq!(
                    text.contains(m),
                    open,
                    "marker {m} to a reader at {at:?}, anchor {anchor:?}"
                );
            }
        }
        let club_page = page::load(db, club, *who).await.unwrap();
        for r in &club_page.recent {
            let (_, title, anchor, _) = threads.iter().find(|t| t.0 == r.id).unwrap();
            let open = sees(*anchor, ch, *at);
            assert_eq!(r.open, open);
            assert_eq!(r.title.as_deref() == Some(title.as_str()), open);
        }
        let qs = d::questions(db, club, selection, *who).await.unwrap();
        for (q, body, anchor) in &questions {
            let row = qs.iter().find(|r| r.id == *q).unwrap();
            let open = sees(*anchor, ch, *at);
            assert_eq!(row.body.as_deref() == Some(body.as_str()), open);
        }
    }
}

both_backends! {
    async fn nothing_past_a_readers_position_reaches_them(db: Db) {
        let mut runner = TestRunner::new_with_rng(
            Config::default(),
            proptest::test_runner::TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
        );
        let strategy = scenario();
        for n in 0..32 {
            let sc = strategy.new_tree(&mut runner).unwrap().current();
            run_scenario(&db, n, &sc).await;
        }
    }

    async fn a_position_past_the_end_is_refused_and_sharing_can_be_turned_off(db: Db) {
        assert_eq!(
            position::at_page(420, Some(352)).unwrap_err().to_string(),
            "page 420 is past the end of this edition (352 pages)"
        );
        let book = BookBuilder::new("Shared").build(&db).await;
        let owner = member(&db, "owner").await;
        let quiet = member(&db, "quiet").await;
        let club = quire_testkit::club_book(&db, owner, "Sharing club", book.work, "current").await;
        members::join(&db, club, quiet).await.unwrap();
        let sel = page::load(&db, club, None).await.unwrap().current.unwrap().selection.id;
        d::set_sharing(&db, club, quiet, false).await.unwrap();
        let seen_by_owner = d::group_progress(&db, club, sel, Some(owner)).await.unwrap();
        assert!(seen_by_owner.iter().all(|m| m.user_id != quiet));
        let seen_by_self = d::group_progress(&db, club, sel, Some(quiet)).await.unwrap();
        assert!(seen_by_self.iter().any(|m| m.user_id == quiet && !m.shares));
    }
}

both_backends! {
    async fn the_club_page_runs_the_same_queries_whatever_the_discussion(db: Db) {
        let book = BookBuilder::new("Counted").build(&db).await;
        let owner = member(&db, "owner").await;
        let club = quire_testkit::club_book(&db, owner, "Counted club", book.work, "current").await;
        let sel = page::load(&db, club, None).await.unwrap().current.unwrap().selection.id;
        let count = |db: Db| async move {
            let before = db.queries_run();
            let p = page::load(&db, club, Some(owner)).await.unwrap();
            (db.queries_run() - before, p.recent.len())
        };
        let post = |i: usize| format!("Thread {i}");
        d::start_thread(&db, club, sel, owner, &NewThread { title: &post(0), body: "x", body_html: "x", anchor: Anchor::Start })
            .await
            .unwrap();
        let (one, shown) = count(db.clone()).await;
        assert_eq!(shown, 1);
        for i in 1..30 {
            d::start_thread(&db, club, sel, owner, &NewThread { title: &post(i), body: "x", body_html: "x", anchor: Anchor::Finished })
                .await
                .unwrap();
        }
        let (many, shown) = count(db.clone()).await;
        assert_eq!(shown as i64, d::RECENT_SHOWN);
        assert_eq!(one, many, "the club page's queries grew with its threads");
    }
}
