//! Clubs: making one, who belongs, invitations, the list of books, and the
//! club page's fixed number of queries.

use quire_domain::{
    ClubId, ClubName, ClubRole, JoinPolicy, SelectionStatus, UserId, Visibility, WorkId,
};
use quire_storage::clubs::invitations::{self, Unusable};
use quire_storage::clubs::selections::{self, NewSelection};
use quire_storage::clubs::{self, NewClub, members, page};
use quire_storage::{Db, StorageError};
use quire_testkit::{BookBuilder, both_backends, member};
use time::Duration;

async fn club(db: &Db, owner: UserId, name: &str, visibility: Visibility) -> (ClubId, String) {
    let name = ClubName::parse(name).unwrap();
    clubs::create(
        db,
        owner,
        &NewClub {
            name: &name,
            description: "We read slowly.",
            visibility,
            join_policy: JoinPolicy::Open,
            time_zone: "Europe/London",
        },
    )
    .await
    .unwrap()
}

async fn book(db: &Db, title: &str) -> WorkId {
    BookBuilder::new(title).build(db).await.work
}

fn selection(work: WorkId, status: SelectionStatus) -> NewSelection {
    NewSelection {
        work,
        status,
        starts_on: None,
        ends_on: None,
        chapter_count: None,
    }
}

fn conflict(e: StorageError) -> String {
    match e {
        StorageError::Conflict(m) => m,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

both_backends! {
    async fn a_club_has_its_owner_and_a_free_slug(db: Db) {
        let owner = member(&db, "Owner").await;
        let (id, slug) = club(&db, owner, "Tuesday Readers", Visibility::Public).await;
        assert_eq!(slug, "tuesday-readers");
        let (_, again) = club(&db, owner, "Tuesday  Readers!", Visibility::Private).await;
        assert_eq!(again, "tuesday-readers-2");

        let (c, standing) = clubs::by_slug(&db, &slug, Some(owner)).await.unwrap().unwrap();
        assert_eq!(c.id, id);
        assert_eq!(c.members, 1);
        assert_eq!(c.time_zone, "Europe/London");
        assert_eq!(standing.role, Some(ClubRole::Owner));
        let outsider = member(&db, "Outsider").await;
        let (_, s) = clubs::by_slug(&db, &slug, Some(outsider)).await.unwrap().unwrap();
        assert_eq!(s, clubs::Standing::default());
        assert!(clubs::by_slug(&db, "no-such-club", None).await.unwrap().is_none());
    }

    async fn the_directory_never_lists_a_secret_club(db: Db) {
        let owner = member(&db, "Owner").await;
        club(&db, owner, "Ånd Readers", Visibility::Public).await;
        club(&db, owner, "And Private Readers", Visibility::Private).await;
        club(&db, owner, "And Secret Readers", Visibility::Secret).await;
        let (found, total) = clubs::directory(&db, "and", None, 1).await.unwrap();
        let names: Vec<&str> = found.iter().map(|c| c.club.name.as_str()).collect();
        assert_eq!(total, 2, "{names:?}");
        assert!(!names.iter().any(|n| n.contains("Secret")));
        // Folded: "and" finds "Ånd"; a LIKE wildcard is taken literally.
        assert!(names.contains(&"Ånd Readers"));
        assert_eq!(clubs::directory(&db, "%", None, 1).await.unwrap().1, 0);
        // The owner's own list has all three, the secret one included.
        assert_eq!(clubs::of_member(&db, owner).await.unwrap().len(), 3);
    }

    async fn one_owner_always_and_a_ban_keeps_someone_out(db: Db) {
        let owner = member(&db, "Owner").await;
        let ann = member(&db, "Ann").await;
        let ben = member(&db, "Ben").await;
        let (id, slug) = club(&db, owner, "Readers", Visibility::Public).await;
        members::join(&db, id, ann).await.unwrap();
        members::join(&db, id, ben).await.unwrap();
        members::join(&db, id, ben).await.unwrap(); // twice is once

        let m = conflict(members::leave(&db, id, owner).await.unwrap_err());
        assert!(m.contains("owner first"), "{m}");
        members::set_role(&db, id, ann, ClubRole::Organiser).await.unwrap();
        members::transfer(&db, id, owner, ben).await.unwrap();
        let list = members::list(&db, id).await.unwrap();
        let role = |u: UserId| list.iter().find(|m| m.user_id == u).unwrap().role;
        assert_eq!(role(ben), ClubRole::Owner);
        assert_eq!(role(owner), ClubRole::Organiser);
        assert_eq!(role(ann), ClubRole::Organiser);
        assert_eq!(list.iter().filter(|m| m.role == ClubRole::Owner).count(), 1);
        // The old owner can no longer hand it on.
        assert!(members::transfer(&db, id, owner, ann).await.is_err());

        members::remove(&db, id, ann, true, ben).await.unwrap();
        let (_, s) = clubs::by_slug(&db, &slug, Some(ann)).await.unwrap().unwrap();
        assert!(s.banned && s.role.is_none());
        let m = conflict(members::join(&db, id, ann).await.unwrap_err());
        assert!(m.contains("removed you"), "{m}");
        let m = conflict(members::remove(&db, id, ben, false, owner).await.unwrap_err());
        assert!(m.contains("owner cannot be removed"), "{m}");
        members::unban(&db, id, ann).await.unwrap();
        members::join(&db, id, ann).await.unwrap();
    }

    async fn requests_are_answered_once(db: Db) {
        let owner = member(&db, "Owner").await;
        let ann = member(&db, "Ann").await;
        let (id, _) = club(&db, owner, "Readers", Visibility::Private).await;
        members::request(&db, id, ann, "Hello").await.unwrap();
        members::request(&db, id, ann, "Hello again").await.unwrap();
        let waiting = members::requests(&db, id).await.unwrap();
        assert_eq!(waiting.len(), 1);
        assert_eq!(waiting[0].message, "Hello again");
        members::answer_request(&db, id, ann, true).await.unwrap();
        assert!(matches!(
            members::answer_request(&db, id, ann, true).await,
            Err(StorageError::NotFound(_))
        ));
        assert_eq!(members::list(&db, id).await.unwrap().len(), 2);
    }

    async fn an_invitation_lets_in_as_many_as_it_allows_even_at_once(db: Db) {
        let owner = member(&db, "Owner").await;
        let (id, _) = club(&db, owner, "Secret Readers", Visibility::Secret).await;
        let later = quire_storage::now() + Duration::days(7);
        invitations::create(&db, id, owner, "hash-three", later, Some(3)).await.unwrap();
        let mut people = Vec::new();
        for i in 0..10 {
            people.push(member(&db, &format!("Guest{i}")).await);
        }
        let results = futures_util::future::join_all(people.iter().map(|u| {
            let db = db.clone();
            let u = *u;
            async move { invitations::accept(&db, "hash-three", u).await }
        }))
        .await;
        let admitted = results
            .iter()
            .filter(|r| matches!(r, Ok(Ok(_))))
            .count();
        let refused = results
            .iter()
            .filter(|r| matches!(r, Ok(Err(Unusable::UsedUp))))
            .count();
        // A busy SQLite may refuse a few writers outright; none may get in
        // past the limit.
        assert_eq!(admitted, 3, "{results:?}");
        assert!(refused >= 1);
        assert_eq!(members::list(&db, id).await.unwrap().len(), 4);
        let list = invitations::list(&db, id).await.unwrap();
        assert_eq!(list[0].uses, 3);
        assert_eq!(
            invitations::peek(&db, "hash-three").await.unwrap(),
            Err(Unusable::UsedUp)
        );

        // Expired, revoked and unknown links say so and change nothing.
        let past = quire_storage::now() - Duration::minutes(1);
        invitations::create(&db, id, owner, "hash-old", past, None).await.unwrap();
        let late = member(&db, "Late").await;
        assert_eq!(
            invitations::accept(&db, "hash-old", late).await.unwrap(),
            Err(Unusable::Expired)
        );
        let inv = invitations::create(&db, id, owner, "hash-revoked", later, None).await.unwrap();
        invitations::revoke(&db, id, inv).await.unwrap();
        assert_eq!(
            invitations::accept(&db, "hash-revoked", late).await.unwrap(),
            Err(Unusable::Revoked)
        );
        assert_eq!(
            invitations::accept(&db, "nope", late).await.unwrap(),
            Err(Unusable::Unknown)
        );
        assert_eq!(members::list(&db, id).await.unwrap().len(), 4);
    }

    async fn one_current_book_and_nominations_without_repeats(db: Db) {
        let owner = member(&db, "Owner").await;
        let ann = member(&db, "Ann").await;
        let (id, _) = club(&db, owner, "Readers", Visibility::Public).await;
        let push = book(&db, "The Push").await;
        let circe = book(&db, "Circe").await;
        let dune = book(&db, "Dune").await;
        selections::add(&db, id, owner, &selection(push, SelectionStatus::Current)).await.unwrap();
        let m = conflict(
            selections::add(&db, id, owner, &selection(circe, SelectionStatus::Current))
                .await
                .unwrap_err(),
        );
        assert!(m.contains("The Push"), "{m}");
        let next = selections::add(&db, id, owner, &selection(circe, SelectionStatus::Upcoming))
            .await
            .unwrap();
        assert!(selections::set_status(&db, id, next, SelectionStatus::Current).await.is_err());

        // A nomination of a listed book is refused; a nominated book that
        // becomes a selection stops being a nomination.
        let m = conflict(selections::nominate(&db, id, circe, ann, "").await.unwrap_err());
        assert!(m.contains("already on the club's list"), "{m}");
        selections::nominate(&db, id, dune, ann, "Sand.").await.unwrap();
        let m = conflict(selections::nominate(&db, id, dune, owner, "").await.unwrap_err());
        assert!(m.contains("already nominated"), "{m}");
        assert_eq!(selections::nominations(&db, id).await.unwrap().len(), 1);
        selections::add(&db, id, owner, &selection(dune, SelectionStatus::Upcoming)).await.unwrap();
        assert!(selections::nominations(&db, id).await.unwrap().is_empty());

        // The book page counts the club while it reads the book, and as
        // having read it once finished.
        let page = quire_storage::book_page::load(&db, push, 1, 10).await.unwrap().unwrap();
        assert_eq!(page.stats.clubs_reading_now, 1);
        assert_eq!(page.stats.clubs_have_read, 0);
        let current = page::load(&db, id, None).await.unwrap().current.unwrap().selection.id;
        selections::set_status(&db, id, current, SelectionStatus::Finished).await.unwrap();
        let page = quire_storage::book_page::load(&db, push, 1, 10).await.unwrap().unwrap();
        assert_eq!((page.stats.clubs_reading_now, page.stats.clubs_have_read), (0, 1));
        selections::set_status(&db, id, next, SelectionStatus::Current).await.unwrap();

        // Dates that end before they start are refused.
        let mut bad = selection(push, SelectionStatus::Upcoming);
        bad.starts_on = Some(time::macros::date!(2026 - 12 - 10));
        bad.ends_on = Some(time::macros::date!(2026 - 12 - 01));
        assert!(conflict(selections::add(&db, id, owner, &bad).await.unwrap_err()).contains("before it starts"));
    }

    async fn the_club_page_runs_the_same_queries_for_any_size(db: Db) {
        let owner = member(&db, "Owner").await;
        let (small, _) = club(&db, owner, "Small", Visibility::Public).await;
        let (big, _) = club(&db, owner, "Big", Visibility::Public).await;
        let a = book(&db, "A").await;
        selections::add(&db, small, owner, &selection(a, SelectionStatus::Current)).await.unwrap();
        for i in 0..25 {
            let u = member(&db, &format!("M{i}")).await;
            members::join(&db, big, u).await.unwrap();
            let w = book(&db, &format!("Book {i}")).await;
            let status = match i {
                0 => SelectionStatus::Current,
                1..=5 => SelectionStatus::Upcoming,
                _ => SelectionStatus::Finished,
            };
            if i < 15 {
                selections::add(&db, big, owner, &selection(w, status)).await.unwrap();
            } else {
                selections::nominate(&db, big, w, u, "Read it").await.unwrap();
            }
        }
        // Open polls: three open, one closed (not shown).
        for i in 0..4 {
            let id = quire_domain::PollId::new();
            let books = vec![book(&db, &format!("Poll {i} a")).await, book(&db, &format!("Poll {i} b")).await];
            quire_storage::clubs::polls::create(&db, big, owner, &quire_storage::clubs::polls::NewPoll {
                id,
                method: quire_domain::PollMethod::Plurality,
                question: format!("Poll {i}"),
                results: quire_domain::PollResults::Live,
                select_winner: false,
                closes_at: quire_storage::now() + Duration::days(2),
                options: quire_storage::clubs::polls::NewOptions::Books(books),
            }, &quire_storage::jobs::NewJob::new("close_poll", "{}")).await.unwrap();
            if i == 3 {
                quire_storage::clubs::polls::close(&db, id, quire_storage::clubs::polls::Closer::Organiser(big)).await.unwrap();
            }
        }
        let before = db.queries_run();
        let p = page::load(&db, small, None).await.unwrap();
        let small_queries = db.queries_run() - before;
        assert!(p.current.is_some());
        let before = db.queries_run();
        let p = page::load(&db, big, None).await.unwrap();
        assert_eq!(db.queries_run() - before, small_queries);
        assert_eq!(p.upcoming.len(), 5);
        assert_eq!(p.archive.len() as i64, page::ARCHIVE_SHOWN.min(9));
        assert_eq!(p.archive_total, 9);
        assert_eq!(p.nominations.len(), 10);
        assert_eq!(p.members.len(), 26);
        assert_eq!(p.works.len(), 25);
        let polls: Vec<&str> = p.open_polls.iter().map(|s| s.poll.question.as_str()).collect();
        assert_eq!(polls, ["Poll 0", "Poll 1", "Poll 2"]);
    }
}
