//! Club polls in storage, on both engines: what a poll refuses, one
//! changeable ballot per member, nothing after the close, and the list.

use quire_domain::{
    ClubName, JoinPolicy, PollId, PollKind, PollMethod, PollResults, UserId, Visibility, WorkId,
};
use quire_storage::clubs::polls::{self, Closed, Closer, NewOptions, NewPoll};
use quire_storage::clubs::{self, NewClub, members};
use quire_storage::jobs::{self, NewJob};
use quire_storage::{Db, StorageError, now};
use quire_testkit::{BookBuilder, both_backends, member};
use time::Duration;

async fn setup(db: &Db) -> (quire_domain::ClubId, UserId, Vec<WorkId>) {
    let owner = member(db, "Owner").await;
    let (club, _) = clubs::create(
        db,
        owner,
        &NewClub {
            name: &ClubName::parse("Pollsters").unwrap(),
            description: "",
            visibility: Visibility::Public,
            join_policy: JoinPolicy::Open,
            time_zone: "UTC",
        },
    )
    .await
    .unwrap();
    let mut books = Vec::new();
    for t in ["Piranesi", "Middlemarch", "Stoner"] {
        books.push(BookBuilder::new(t).build(db).await.work);
    }
    (club, owner, books)
}

fn new_poll(method: PollMethod, options: NewOptions) -> NewPoll {
    NewPoll {
        id: PollId::new(),
        method,
        question: "Next?".into(),
        results: PollResults::Live,
        select_winner: false,
        closes_at: now() + Duration::days(1),
        options,
    }
}

fn job() -> NewJob {
    NewJob::new("close_poll", "{}")
}

fn conflict(e: StorageError) -> String {
    match e {
        StorageError::Conflict(m) => m,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

both_backends! {
    async fn a_poll_refuses_bad_options_and_saves_nothing(db: Db) {
        let (club, owner, books) = setup(&db).await;
        let one = new_poll(PollMethod::Plurality, NewOptions::Books(vec![books[0]]));
        assert_eq!(conflict(polls::create(&db, club, owner, &one, &job()).await.unwrap_err()),
            "A poll needs at least two choices; this one has 1.");
        let twice = new_poll(PollMethod::Plurality, NewOptions::Books(vec![books[0], books[1], books[0]]));
        assert!(conflict(polls::create(&db, club, owner, &twice, &job()).await.unwrap_err()).contains("Choice 3 is the same book"));
        let mut past = new_poll(PollMethod::Plurality, NewOptions::Books(books.clone()));
        past.closes_at = now() - Duration::minutes(1);
        assert!(conflict(polls::create(&db, club, owner, &past, &job()).await.unwrap_err()).contains("already passed"));
        let ranked_times = new_poll(PollMethod::RankedChoice, NewOptions::Times(vec![now() + Duration::days(3), now() + Duration::days(4)]));
        assert!(conflict(polls::create(&db, club, owner, &ranked_times, &job()).await.unwrap_err()).contains("approval"));
        let missing = new_poll(PollMethod::Plurality, NewOptions::Books(vec![books[0], WorkId::new()]));
        assert!(matches!(polls::create(&db, club, owner, &missing, &job()).await.unwrap_err(), StorageError::NotFound("book")));
        assert!(polls::list(&db, club).await.unwrap().is_empty());
        assert!(jobs::list(&db).await.unwrap().is_empty(), "no closing job was queued");
    }

    async fn one_ballot_per_member_changeable_until_the_close(db: Db) {
        let (club, owner, books) = setup(&db).await;
        let ann = member(&db, "Ann").await;
        members::join(&db, club, ann).await.unwrap();
        let p = new_poll(PollMethod::RankedChoice, NewOptions::Books(books.clone()));
        let id = polls::create(&db, club, owner, &p, &job()).await.unwrap();
        // The closing job waits for the closing time.
        let queued = jobs::list(&db).await.unwrap();
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0].run_at, p.closes_at);

        polls::cast(&db, club, id, ann, &[0]).await.unwrap();
        polls::cast(&db, club, id, ann, &[2, 1]).await.unwrap();
        let err = polls::cast(&db, club, id, ann, &[1, 1]).await.unwrap_err();
        assert_eq!(conflict(err), "The ballot ranks the same book twice: choice 2 is at place 1 and again at place 2.");
        let d = polls::get(&db, club, id).await.unwrap().unwrap();
        assert_eq!(d.ballots.len(), 1);
        assert_eq!(d.ballot_of(ann).unwrap().choices(), &[2, 1]);
        assert_eq!(d.poll.ballots, 1);

        assert_eq!(polls::close(&db, id, Closer::Organiser(club)).await.unwrap(), Closed::Now { winner: Some(2), selection: None });
        assert!(conflict(polls::cast(&db, club, id, ann, &[0]).await.unwrap_err()).contains("closed"));
        assert_eq!(polls::close(&db, id, Closer::Organiser(club)).await.unwrap(), Closed::Already);
        let d = polls::get(&db, club, id).await.unwrap().unwrap();
        assert_eq!(d.ballot_of(ann).unwrap().choices(), &[2, 1]);
        assert_eq!((d.poll.winner_position, d.poll.ballots_counted), (Some(2), Some(1)));
        // Another club cannot close it.
        let (other, _) = clubs::create(&db, owner, &NewClub {
            name: &ClubName::parse("Others").unwrap(), description: "", visibility: Visibility::Public,
            join_policy: JoinPolicy::Open, time_zone: "UTC",
        }).await.unwrap();
        assert!(matches!(polls::close(&db, id, Closer::Organiser(other)).await.unwrap_err(), StorageError::NotFound("poll")));
    }

    async fn a_date_poll_and_the_list_of_polls(db: Db) {
        let (club, owner, books) = setup(&db).await;
        let t1 = now() + Duration::days(5);
        let dates = new_poll(PollMethod::Approval, NewOptions::Times(vec![t1, t1 + Duration::hours(1)]));
        let date_id = polls::create(&db, club, owner, &dates, &job()).await.unwrap();
        let mut later = new_poll(PollMethod::Borda, NewOptions::Books(books.clone()));
        later.closes_at = now() + Duration::days(3);
        let book_id = polls::create(&db, club, owner, &later, &job()).await.unwrap();
        polls::cast(&db, club, date_id, owner, &[1, 0]).await.unwrap();
        polls::close(&db, date_id, Closer::Organiser(club)).await.unwrap();
        let list = polls::list(&db, club).await.unwrap();
        let order: Vec<PollId> = list.iter().map(|s| s.poll.id).collect();
        assert_eq!(order, [book_id, date_id], "open first");
        assert_eq!(list[1].poll.kind, PollKind::Date);
        assert_eq!(list[1].winner_starts_at, Some(t1));
        assert_eq!(list[0].options, 3);
        let open = polls::open(&db, club).await.unwrap();
        assert_eq!(open.len(), 1);
    }
}
