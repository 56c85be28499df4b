//! A poll closes at its time through the queue, counts once, and makes
//! the winning book the club's next selection.

use quire_domain::{PollId, PollMethod, PollResults, SelectionStatus};
use quire_jobs::{ClosePoll, new_job, registry, run_due};
use quire_storage::clubs::page as club_page;
use quire_storage::clubs::polls::{self, NewOptions, NewPoll};
use quire_storage::{StorageError, now};
use quire_testkit::{BookBuilder, club_book, member};
use std::time::Duration;

quire_testkit::both_backends! {
    async fn the_close_job_closes_the_poll_at_its_time_and_selects_the_winner(db: Db) {
        let owner = member(&db, "Owner").await;
        let mut books = Vec::new();
        for title in ["Piranesi", "Middlemarch", "Stoner"] {
            books.push(BookBuilder::new(title).build(&db).await.work);
        }
        let mut club = None;
        for &w in &books {
            club = Some(club_book(&db, owner, "Tuesday Readers", w, "possible").await);
        }
        let club = club.unwrap();
        let id = PollId::new();
        let closes_at = now() + Duration::from_secs(3600);
        let job = new_job(&ClosePoll { poll: id.0 }).unwrap();
        polls::create(&db, club, owner, &NewPoll {
            id,
            method: PollMethod::RankedChoice,
            question: "What do we read in January?".into(),
            results: PollResults::Hidden,
            select_winner: true,
            closes_at,
            options: NewOptions::Books(books.clone()),
        }, &job).await.unwrap();
        // Stoner (2) is first for two, Piranesi (0) for one, whose second is Stoner.
        let voters = [vec![2, 1], vec![2], vec![0, 2]];
        for (i, choices) in voters.iter().enumerate() {
            let v = member(&db, &format!("Voter {i}")).await;
            quire_storage::clubs::members::join(&db, club, v).await.unwrap();
            polls::cast(&db, club, id, v, choices).await.unwrap();
        }

        // Nothing is due before the closing time.
        assert_eq!(run_due(&db, &registry(), now()).await.unwrap(), None);
        assert!(polls::get(&db, club, id).await.unwrap().unwrap().poll.closed_at.is_none());

        let ran = run_due(&db, &registry(), closes_at + Duration::from_secs(1)).await.unwrap();
        assert_eq!(ran.as_deref(), Some("close_poll"));
        let closed = polls::get(&db, club, id).await.unwrap().unwrap();
        assert_eq!(closed.poll.closed_at, Some(closes_at));
        assert_eq!(closed.poll.winner_position, Some(2));
        assert_eq!(closed.poll.ballots_counted, Some(3));

        // Stoner is on the club's list as upcoming, and no longer a nomination.
        let page = club_page::load(&db, club, None).await.unwrap();
        let next: Vec<_> = page.upcoming.iter().map(|r| (r.selection.work_id, r.selection.status)).collect();
        assert_eq!(next, vec![(books[2], SelectionStatus::Upcoming)]);
        assert!(page.nominations.iter().all(|n| n.work_id != books[2]));
        assert!(page.open_polls.is_empty());
        assert_eq!(closed.poll.selection_id, Some(page.upcoming[0].selection.id));

        // The job is gone, and the poll takes no more ballots.
        assert_eq!(run_due(&db, &registry(), closes_at + Duration::from_secs(5)).await.unwrap(), None);
        let late = member(&db, "Late").await;
        quire_storage::clubs::members::join(&db, club, late).await.unwrap();
        let err = polls::cast(&db, club, id, late, &[0]).await.unwrap_err();
        assert!(matches!(&err, StorageError::Conflict(m) if m.contains("closed")), "{err}");
    }

    async fn a_poll_closed_by_hand_is_left_alone_by_its_job(db: Db) {
        let owner = member(&db, "Owner").await;
        let a = BookBuilder::new("Beloved").build(&db).await.work;
        let b = BookBuilder::new("Emma").build(&db).await.work;
        let club = club_book(&db, owner, "Early Closers", a, "possible").await;
        let id = PollId::new();
        let closes_at = now() + Duration::from_secs(3600);
        polls::create(&db, club, owner, &NewPoll {
            id,
            method: PollMethod::Plurality,
            question: "Next?".into(),
            results: PollResults::Live,
            select_winner: true,
            closes_at,
            options: NewOptions::Books(vec![a, b]),
        }, &new_job(&ClosePoll { poll: id.0 }).unwrap()).await.unwrap();
        polls::cast(&db, club, id, owner, &[1]).await.unwrap();
        let first = polls::close(&db, id, polls::Closer::Organiser(club)).await.unwrap();
        assert!(matches!(first, polls::Closed::Now { winner: Some(1), selection: Some(_) }));
        assert_eq!(polls::close(&db, id, polls::Closer::Organiser(club)).await.unwrap(), polls::Closed::Already);
        // The job still runs at the time, and changes nothing.
        let ran = run_due(&db, &registry(), closes_at + Duration::from_secs(1)).await.unwrap();
        assert_eq!(ran.as_deref(), Some("close_poll"));
        let page = club_page::load(&db, club, None).await.unwrap();
        assert_eq!(page.upcoming.len(), 1, "the winner was added once");
    }
}
