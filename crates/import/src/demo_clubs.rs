//! The demo's clubs, in Quire's own words: a public club in the middle of
//! a book (members at different places, an archive, nominations), a
//! private club and a secret one, so that a newcomer sees clubs working on
//! the first start. Made once: a club that is already there is left as it
//! is, so loading the demo twice changes nothing.

use quire_domain::{
    ClubId, ClubName, ClubRole, JoinPolicy, Progress, Rating, SelectionStatus, UserId, Visibility,
    WorkId,
};
use quire_storage::clubs::selections::{self, NewSelection};
use quire_storage::clubs::{self, NewClub, members};
use quire_storage::{Db, StorageError, ratings, shelves, users};
use std::collections::HashMap;
use time::{Date, Duration, OffsetDateTime};

/// Gutenberg ebook numbers of the demo novels the clubs read.
const PRIDE: u32 = 1342;
const FRANKENSTEIN: u32 = 84;
const MOBY_DICK: u32 = 2701;
const DRACULA: u32 = 345;
const GATSBY: u32 = 64317;
const LITTLE_WOMEN: u32 = 514;
const ALICE: u32 = 11;
const JANE_EYRE: u32 = 1260;
const WUTHERING: u32 = 768;
const HOLMES: u32 = 1661;

struct DemoClub {
    key: &'static str,
    name: &'static str,
    description: &'static str,
    visibility: Visibility,
    join: JoinPolicy,
    time_zone: &'static str,
    /// Index into the people list of the owner, the organisers, the members.
    owner: usize,
    organisers: &'static [usize],
    members: &'static [usize],
    current: Option<(u32, u32)>,
    upcoming: &'static [u32],
    /// Finished books, most recent first.
    finished: &'static [u32],
    nominations: &'static [(u32, usize, &'static str)],
}

const CLUBS: &[DemoClub] = &[
    DemoClub {
        key: "lamplight",
        name: "The Lamplight Readers",
        description: "A public club that reads one classic a month and meets on the first Tuesday evening.\nEveryone reads at their own pace: each discussion stays hidden until you reach the page it talks about, so nobody spoils the ending for anybody.",
        visibility: Visibility::Public,
        join: JoinPolicy::Open,
        time_zone: "Europe/London",
        owner: 0,
        organisers: &[1],
        members: &[2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
        current: Some((PRIDE, 61)),
        upcoming: &[FRANKENSTEIN],
        finished: &[GATSBY, DRACULA, MOBY_DICK],
        nominations: &[
            (
                LITTLE_WOMEN,
                2,
                "Four sisters, one winter, and the best argument for reading a book twice: once young and once not.",
            ),
            (
                ALICE,
                3,
                "Short enough for a busy month, and stranger than anyone remembers. Bring your favourite riddle.",
            ),
            (
                JANE_EYRE,
                1,
                "After all that drawing-room wit, a governess with a temper and a house with a secret.",
            ),
            (
                HOLMES,
                4,
                "Twelve short cases: we could each pick one and still talk about them all.",
            ),
        ],
    },
    DemoClub {
        key: "slow-circle",
        name: "Slow Readers' Circle",
        description: "A private circle for people who like to take a long book slowly: a few chapters a week, and a question for each meeting.",
        visibility: Visibility::Private,
        join: JoinPolicy::Request,
        time_zone: "America/New_York",
        owner: 2,
        organisers: &[],
        members: &[12, 13, 14],
        current: Some((MOBY_DICK, 135)),
        upcoming: &[WUTHERING],
        finished: &[],
        nominations: &[],
    },
    DemoClub {
        key: "night-owls",
        name: "The Night Owls",
        description: "A secret club for gothic novels read after dark. Members join by invitation.",
        visibility: Visibility::Secret,
        join: JoinPolicy::Invite,
        time_zone: "Europe/London",
        owner: 1,
        organisers: &[],
        members: &[15, 16],
        current: Some((DRACULA, 27)),
        upcoming: &[],
        finished: &[FRANKENSTEIN],
        nominations: &[],
    },
];

/// Where members of the public club are in its current book, as they
/// would record it: a chapter, a percent, or finished.
const PLACES: &[Option<Progress>] = &[
    Some(Progress::Chapter(12)),
    Some(Progress::Percent(40)),
    Some(Progress::Chapter(3)),
    Some(Progress::Chapter(30)),
    None,
    Some(Progress::Percent(85)),
    Some(Progress::Chapter(7)),
    Some(Progress::Chapter(61)),
    Some(Progress::Percent(15)),
    Some(Progress::Chapter(22)),
    Some(Progress::Chapter(45)),
    Some(Progress::Percent(60)),
];

/// The people who are the two Goodreads exports: their shelves and ratings
/// stay exactly the export's (tests compare them), so the clubs give them
/// no rating and no place in a book.
const EXPORT_READERS: [usize; 2] = [1, 2];

/// The ratings members give the books they finished together, in half
/// stars, taken in turn.
const VERDICTS: &[i64] = &[8, 9, 7, 10, 6, 8, 9, 7, 8, 5];

/// Make the demo clubs that are missing; returns how many were made.
/// `novels` maps a Gutenberg ebook number to its work; `people` are demo
/// readers (those that do not exist are left out).
pub async fn load(
    db: &Db,
    novels: &HashMap<u32, WorkId>,
    people: &[UserId],
) -> Result<usize, StorageError> {
    let mut present = Vec::with_capacity(people.len());
    for p in people {
        present.push(users::by_id(db, *p).await?.map(|_| *p));
    }
    let person = |i: usize| present.get(i).copied().flatten();
    let today = OffsetDateTime::now_utc().date();
    let mut made = 0;
    for c in CLUBS {
        let id = ClubId::derived("demo", c.key);
        let Some(owner) = person(c.owner) else {
            continue;
        };
        if clubs::by_id(db, id).await?.is_some() {
            continue;
        }
        let name = ClubName::parse(c.name).map_err(|e| StorageError::Corrupt(e.to_string()))?;
        clubs::create_with_id(
            db,
            id,
            owner,
            &NewClub {
                name: &name,
                description: c.description,
                visibility: c.visibility,
                join_policy: c.join,
                time_zone: c.time_zone,
            },
        )
        .await?;
        made += 1;
        for &i in c.organisers.iter().chain(c.members) {
            if let Some(u) = person(i) {
                members::join(db, id, u).await?;
            }
        }
        for &i in c.organisers {
            if let Some(u) = person(i) {
                members::set_role(db, id, u, ClubRole::Organiser).await?;
            }
        }
        // The archive, oldest first, a month a book, ending before now.
        for (k, ebook) in c.finished.iter().enumerate().rev() {
            let Some(&work) = novels.get(ebook) else {
                continue;
            };
            let start = month_start(today, -(k as i64) - 1);
            selections::add(
                db,
                id,
                owner,
                &NewSelection {
                    work,
                    status: SelectionStatus::Finished,
                    starts_on: Some(start),
                    ends_on: Some(start + Duration::days(27)),
                    chapter_count: None,
                },
            )
            .await?;
            // What the members made of it.
            for (k, &i) in c.organisers.iter().chain(c.members).enumerate() {
                let halves = VERDICTS[(k + *ebook as usize) % VERDICTS.len()];
                if EXPORT_READERS.contains(&i) {
                    continue;
                }
                if let (Some(u), Ok(r)) = (person(i), Rating::from_halves(halves)) {
                    ratings::set(db, u, work, r).await?;
                }
            }
        }
        if let Some((ebook, chapters)) = c.current
            && let Some(&work) = novels.get(&ebook)
        {
            let current = selections::add(
                db,
                id,
                owner,
                &NewSelection {
                    work,
                    status: SelectionStatus::Current,
                    starts_on: Some(today - Duration::days(10)),
                    ends_on: Some(today + Duration::days(20)),
                    chapter_count: Some(i64::from(chapters)),
                },
            )
            .await?;
            discussion(db, id, current, chapters, today, owner, &|i| person(i)).await?;
            if c.key == "lamplight" {
                let people: Vec<UserId> = c
                    .organisers
                    .iter()
                    .chain(c.members)
                    .filter_map(|&i| person(i))
                    .collect();
                meeting_and_poll(db, id, current, owner, &people, c.nominations, novels).await?;
            }
            // Members at different places in it.
            for (k, &i) in c.organisers.iter().chain(c.members).enumerate() {
                let (Some(u), Some(Some(place))) = (person(i), PLACES.get(k)) else {
                    continue;
                };
                if EXPORT_READERS.contains(&i) {
                    continue;
                }
                let place = match *place {
                    Progress::Chapter(ch) => Progress::Chapter(ch.min(chapters)),
                    p => p,
                };
                shelves::set_progress(db, u, work, None, place, today).await?;
            }
        }
        for (k, ebook) in c.upcoming.iter().enumerate() {
            let Some(&work) = novels.get(ebook) else {
                continue;
            };
            let start = today + Duration::days(21 + 30 * k as i64);
            selections::add(
                db,
                id,
                owner,
                &NewSelection {
                    work,
                    status: SelectionStatus::Upcoming,
                    starts_on: Some(start),
                    ends_on: Some(start + Duration::days(27)),
                    chapter_count: None,
                },
            )
            .await?;
        }
        for (ebook, by, pitch) in c.nominations {
            if let (Some(&work), Some(u)) = (novels.get(ebook), person(*by)) {
                selections::nominate(db, id, work, u, pitch).await?;
            }
        }
    }
    Ok(made)
}

/// The current book's reading schedule (a quarter of the chapters every
/// week), threads at several places in the book, and two questions: so a
/// reader sees the spoiler gate at work. Our own words.
async fn discussion(
    db: &Db,
    club: ClubId,
    selection: quire_domain::SelectionId,
    chapters: u32,
    today: Date,
    owner: UserId,
    person: &dyn Fn(usize) -> Option<UserId>,
) -> Result<(), StorageError> {
    use quire_domain::position::Anchor;
    use quire_storage::clubs::discussion as d;
    let start = today - Duration::days(10);
    for week in 1..=4u32 {
        let anchor = if week == 4 {
            Anchor::Finished
        } else {
            Anchor::Chapter(chapters * week / 4)
        };
        d::add_milestone(
            db,
            selection,
            anchor,
            start + Duration::days(7 * i64::from(week)),
            "",
        )
        .await?;
    }
    let someone = |i: usize| person(i).unwrap_or(owner);
    let threads: [(&str, &str, Anchor, usize); 4] = [
        (
            "Hello, and how are you reading it?",
            "Paper, ebook or audio? Say which edition you have, so we can find each other's pages.",
            Anchor::Start,
            0,
        ),
        (
            "First impressions of the opening chapters",
            "The first lines set the tone for everything after. Did the narrator's voice win you over at once?",
            Anchor::Chapter(chapters.min(6)),
            2,
        ),
        (
            "The turn at the middle",
            "Halfway through, everything we thought about the two of them changes. Who saw it coming?",
            Anchor::Percent(50),
            3,
        ),
        (
            "The ending",
            "Was the ending earned? Tell us whether you would change the last chapter.",
            Anchor::Finished,
            1,
        ),
    ];
    for (title, body, anchor, by) in threads {
        d::start_thread(
            db,
            club,
            selection,
            someone(by),
            &d::NewThread {
                title,
                body,
                body_html: &quire_markup::render(body),
                anchor,
            },
        )
        .await?;
    }
    for (question, anchor, by) in [
        (
            "Which character would you most like to meet for tea?",
            Anchor::Start,
            4,
        ),
        (
            "Whose first impression turned out to be the most wrong?",
            Anchor::Percent(50),
            5,
        ),
    ] {
        d::ask(db, club, selection, someone(by), question, anchor).await?;
    }
    Ok(())
}

/// The first day of the month `months` away from `today`'s (negative is
/// earlier).
fn month_start(today: Date, months: i64) -> Date {
    let index = i64::from(today.year()) * 12 + i64::from(today.month() as u8) - 1 + months;
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
    Date::from_calendar_date(
        year as i32,
        time::Month::try_from(month as u8).unwrap_or(time::Month::January),
        1,
    )
    .unwrap_or(today)
}

/// The public club's next meeting, with more "yes" answers than places so
/// two wait, and its open ranked-choice poll over the nominations, with a
/// ballot from most members.
async fn meeting_and_poll(
    db: &Db,
    club: ClubId,
    current: quire_domain::SelectionId,
    owner: UserId,
    people: &[UserId],
    nominations: &[(u32, usize, &str)],
    novels: &HashMap<u32, WorkId>,
) -> Result<(), StorageError> {
    use quire_domain::meeting::RsvpAnswer;
    use quire_domain::poll::{PollMethod, PollResults};
    use quire_storage::clubs::meetings::{self, MeetingFields};
    use quire_storage::clubs::polls::{self, NewOptions, NewPoll};
    let now = OffsetDateTime::now_utc();
    let day = (now + Duration::days(9)).date();
    let starts_at = day
        .with_hms(19, 0, 0)
        .map_or(now + Duration::days(9), |t| t.assume_utc());
    let meeting = meetings::create(
        db,
        club,
        owner,
        &MeetingFields {
            selection: Some(current),
            starts_at,
            zone: "Europe/London".into(),
            duration_minutes: 90,
            place: "The reading room upstairs at the corner library".into(),
            video_url: String::new(),
            host: people.first().copied(),
            agenda: "We talk about the first half of the book, up to the ball at Netherfield. Bring the passage you would read aloud.".into(),
            capacity: Some(8),
            questions: Vec::new(),
            // Pride and Prejudice carries its text in the demo: members see
            // the pack and the story so far up to their own place.
            shares_pack: true,
            shares_story: true,
        },
    )
    .await?;
    // The owner and nine members say yes (eight places: two wait), one
    // says maybe.
    for (k, u) in std::iter::once(&owner).chain(people).enumerate().take(11) {
        let answer = if k == 10 {
            RsvpAnswer::Maybe
        } else {
            RsvpAnswer::Yes
        };
        meetings::rsvp(db, club, meeting, *u, answer).await?;
    }

    let works: Vec<WorkId> = nominations
        .iter()
        .filter_map(|(ebook, _, _)| novels.get(ebook).copied())
        .collect();
    if works.len() < 2 {
        return Ok(());
    }
    let id = quire_domain::PollId::new();
    let job = quire_jobs::new_job(&quire_jobs::ClosePoll { poll: id.0 })
        .map_err(|e| StorageError::Corrupt(e.to_string()))?;
    polls::create(
        db,
        club,
        owner,
        &NewPoll {
            id,
            method: PollMethod::RankedChoice,
            question: "What do we read after Frankenstein?".into(),
            results: PollResults::Live,
            select_winner: true,
            closes_at: now + Duration::days(6),
            options: NewOptions::Books(works.clone()),
        },
        &job,
    )
    .await?;
    // Rankings that take a few rounds to settle.
    let orders: [&[usize]; 4] = [&[0, 2, 1], &[1, 0], &[2, 1, 3], &[3, 0, 2]];
    for (k, u) in people.iter().enumerate().take(9) {
        let order: Vec<usize> = orders[k % orders.len()]
            .iter()
            .copied()
            .filter(|&i| i < works.len())
            .collect();
        polls::cast(db, club, id, *u, &order).await?;
    }
    Ok(())
}
