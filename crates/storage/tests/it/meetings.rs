//! Club meetings: the cap and the waitlist under many RSVPs at once, who
//! moves up when someone drops out or leaves, a meeting in the past, and
//! what the club page reads about meetings.

use quire_domain::meeting::{RsvpAnswer, RsvpState};
use quire_domain::{ClubId, MeetingId, UserId};
use quire_storage::clubs::meetings::{self, AttendanceEntry, MeetingFields};
use quire_storage::clubs::{members, page};
use quire_storage::{Db, StorageError};
use quire_testkit::{BookBuilder, club_book, member};
use time::{Duration, OffsetDateTime};

fn fields(starts_at: OffsetDateTime, capacity: Option<i64>) -> MeetingFields {
    MeetingFields {
        selection: None,
        starts_at,
        zone: "Europe/London".into(),
        duration_minutes: 90,
        place: "The back room".into(),
        video_url: String::new(),
        host: None,
        agenda: String::new(),
        capacity,
        questions: Vec::new(),
        shares_pack: false,
        shares_story: false,
    }
}

fn tomorrow() -> OffsetDateTime {
    quire_storage::now() + Duration::days(1)
}

/// A public club with its owner and `n` more members.
async fn club_with(db: &Db, name: &str, n: usize) -> (ClubId, UserId, Vec<UserId>) {
    let owner = member(db, "owner").await;
    let b = BookBuilder::new(name).build(db).await;
    let club = club_book(db, owner, name, b.work, "current").await;
    let mut people = Vec::new();
    for i in 0..n {
        let u = member(db, &format!("m{i}")).await;
        members::join(db, club, u).await.unwrap();
        people.push(u);
    }
    (club, owner, people)
}

async fn states(db: &Db, meeting: MeetingId) -> (Vec<UserId>, Vec<UserId>) {
    let all = meetings::rsvps(db, meeting).await.unwrap();
    let going = all
        .iter()
        .filter(|r| r.state == RsvpState::Going)
        .map(|r| r.user_id)
        .collect();
    let waiting: Vec<_> = all
        .iter()
        .filter(|r| r.state == RsvpState::Waitlist)
        .collect();
    for (i, w) in waiting.iter().enumerate() {
        assert_eq!(
            w.position,
            Some(i as i64 + 1),
            "positions count from 1 in order"
        );
    }
    (going, waiting.iter().map(|r| r.user_id).collect())
}

quire_testkit::both_backends! {
    async fn twenty_at_once_for_five_places_nobody_is_over_booked(db: Db) {
        let (club, owner, people) = club_with(&db, "Crowded", 20).await;
        let m = meetings::create(&db, club, owner, &fields(tomorrow(), Some(5))).await.unwrap();
        let mut tasks = Vec::new();
        for u in people.clone() {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                (u, meetings::rsvp(&db, club, m, u, RsvpAnswer::Yes).await.unwrap())
            }));
        }
        let mut answers = Vec::new();
        for t in tasks {
            answers.push(t.await.unwrap());
        }
        let going_told = answers.iter().filter(|(_, a)| a.state == RsvpState::Going).count();
        assert_eq!(going_told, 5, "exactly five were told they have a place");
        let mut positions: Vec<i64> = answers.iter().filter_map(|(_, a)| a.position).collect();
        positions.sort();
        assert_eq!(positions, (1..=15).collect::<Vec<_>>(), "each waiting answer got its own place in line");

        let (going, waiting) = states(&db, m).await;
        assert_eq!(going.len(), 5);
        assert_eq!(waiting.len(), 15);
        // The line is in the order the answers were taken: what each was
        // told when it answered is where it stands now.
        for (u, a) in &answers {
            if let Some(p) = a.position {
                assert_eq!(waiting[(p - 1) as usize], *u);
            }
        }
        let got = meetings::get(&db, club, m).await.unwrap().unwrap();
        assert_eq!((got.going, got.waiting), (5, 15));

        // Saying yes again keeps one's place.
        let again = meetings::rsvp(&db, club, m, waiting[3], RsvpAnswer::Yes).await.unwrap();
        assert_eq!(again.position, Some(4));

        // Someone going says no: the first waiting moves up, the rest step forward.
        let quitter = going[0];
        let out = meetings::rsvp(&db, club, m, quitter, RsvpAnswer::No).await.unwrap();
        assert_eq!((out.state, out.position), (RsvpState::Out, None));
        let (going2, waiting2) = states(&db, m).await;
        assert_eq!(going2.len(), 5);
        assert!(going2.contains(&waiting[0]), "the first waiting has the place");
        assert_eq!(waiting2, waiting[1..].to_vec());
        let mine = meetings::mine(&db, m, waiting[2]).await.unwrap().unwrap();
        assert_eq!(mine.position, Some(2), "the third in line is now second");

        // Maybe gives the place up too; saying yes again joins the end of the line.
        meetings::rsvp(&db, club, m, going2[1], RsvpAnswer::Maybe).await.unwrap();
        let back = meetings::rsvp(&db, club, m, going2[1], RsvpAnswer::Yes).await.unwrap();
        assert_eq!((back.state, back.position), (RsvpState::Waitlist, Some(14)));
        let (going3, waiting3) = states(&db, m).await;
        assert!(going3.contains(&waiting[1]));
        assert_eq!(waiting3.last(), Some(&going2[1]));

        // Someone going leaves the club: the next waiting moves up.
        let leaver = *going3.iter().find(|u| **u != owner).unwrap();
        members::leave(&db, club, leaver).await.unwrap();
        let (going4, waiting4) = states(&db, m).await;
        assert_eq!(going4.len(), 5);
        assert!(!going4.contains(&leaver));
        assert!(going4.contains(&waiting3[0]));
        assert_eq!(waiting4, waiting3[1..].to_vec());

        // A lower cap than the people going is refused; a higher one lets the line in.
        let mut f = fields(tomorrow(), Some(3));
        let err = meetings::update(&db, club, m, &f).await.unwrap_err();
        assert!(matches!(&err, StorageError::Conflict(msg) if msg.contains("5 people already have a place")), "{err}");
        f.capacity = Some(8);
        meetings::update(&db, club, m, &f).await.unwrap();
        let (going5, waiting5) = states(&db, m).await;
        assert_eq!(going5.len(), 8);
        assert_eq!(waiting5, waiting4[3..].to_vec());
    }

    async fn concurrent_changes_of_mind_never_over_book(db: Db) {
        let (club, owner, people) = club_with(&db, "Fickle", 12).await;
        let m = meetings::create(&db, club, owner, &fields(tomorrow(), Some(4))).await.unwrap();
        // Everyone answers yes, no, yes, maybe, yes at once with everyone else.
        let mut tasks = Vec::new();
        for (i, u) in people.iter().copied().enumerate() {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let order = [RsvpAnswer::Yes, RsvpAnswer::No, RsvpAnswer::Yes, RsvpAnswer::Maybe, RsvpAnswer::Yes];
                for a in order.iter().cycle().skip(i % 2).take(5) {
                    meetings::rsvp(&db, club, m, u, *a).await.unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let (going, waiting) = states(&db, m).await;
        assert!(going.len() <= 4, "over-booked: {}", going.len());
        assert!(going.len() == 4 || waiting.is_empty(), "a free place with people waiting");
        let said_yes = meetings::rsvps(&db, m).await.unwrap().iter().filter(|r| r.answer == RsvpAnswer::Yes).count();
        assert_eq!(going.len() + waiting.len(), said_yes);
    }

    async fn a_meeting_in_the_past_is_refused_and_nothing_is_saved(db: Db) {
        let (club, owner, _) = club_with(&db, "Late", 0).await;
        let err = meetings::create(&db, club, owner, &fields(quire_storage::now() - Duration::hours(1), None))
            .await
            .unwrap_err();
        assert!(matches!(&err, StorageError::Conflict(m) if m.contains("already passed")), "{err}");
        assert!(meetings::list(&db, club, false).await.unwrap().is_empty());
        assert!(meetings::list(&db, club, true).await.unwrap().is_empty());
    }

    async fn the_club_page_reads_the_next_meeting_and_who_came(db: Db) {
        let owner = member(&db, "owner").await;
        let b = BookBuilder::new("Archived").build(&db).await;
        let club = club_book(&db, owner, "Attenders", b.work, "current").await;
        let a = member(&db, "a").await;
        members::join(&db, club, a).await.unwrap();
        let p = page::load(&db, club, None).await.unwrap();
        assert!(p.meetings.next.is_none());
        let current = p.current.unwrap().selection.id;
        let mut f = fields(tomorrow() + Duration::days(2), None);
        f.selection = Some(current);
        let later = meetings::create(&db, club, owner, &f).await.unwrap();
        let soon = meetings::create(&db, club, owner, &fields(tomorrow(), None)).await.unwrap();
        meetings::rsvp(&db, club, soon, a, RsvpAnswer::Yes).await.unwrap();
        let p = page::load(&db, club, None).await.unwrap();
        let next = p.meetings.next.unwrap();
        assert_eq!((next.id, next.going), (soon, 1));
        meetings::cancel(&db, club, soon).await.unwrap();
        let p = page::load(&db, club, None).await.unwrap();
        assert_eq!(p.meetings.next.unwrap().id, later, "a cancelled meeting is not next");

        // Attendance waits until the meeting has started.
        let entries = [
            AttendanceEntry { user: owner, attended: true, finished_book: true },
            AttendanceEntry { user: a, attended: true, finished_book: false },
        ];
        let err = meetings::record_attendance(&db, club, later, &entries).await.unwrap_err();
        assert!(matches!(&err, StorageError::Conflict(m) if m.contains("not started")), "{err}");
        // An earlier meeting on the same book, written as if it had happened.
        let (past_id, _) = past_meeting(&db, club, owner, current).await;
        meetings::record_attendance(&db, club, past_id, &entries).await.unwrap();
        let p = page::load(&db, club, None).await.unwrap();
        assert_eq!(p.meetings.came.get(&current), Some(&2));
        let rec = meetings::attendance(&db, past_id).await.unwrap();
        assert_eq!(rec.iter().filter(|r| r.finished_book).count(), 1);
    }
}

/// A meeting that started an hour ago: made for tomorrow, then moved back
/// in the database as time would have.
async fn past_meeting(
    db: &Db,
    club: ClubId,
    owner: UserId,
    selection: quire_domain::SelectionId,
) -> (MeetingId, ()) {
    let mut f = fields(tomorrow(), None);
    f.selection = Some(selection);
    let id = meetings::create(db, club, owner, &f).await.unwrap();
    meetings::reschedule_unchecked(db, id, quire_storage::now() - Duration::hours(1))
        .await
        .unwrap();
    (id, ())
}
