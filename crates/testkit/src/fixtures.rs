//! Fixture builders: a book with as many reviews, ratings, readers and
//! questions as a test needs, written through the storage API.

use quire_domain::{EditionId, Format, MaterialKind, PubDate, Rating, Source, UserId, WorkId};
use quire_storage::catalog::{self, NewCredit, NewEdition, NewMaterial, NewWork};
use quire_storage::reviews::ReviewInput;
use quire_storage::users::NewUser;
use quire_storage::{Db, questions, ratings, reviews, shelves, users};
use time::macros::date;

pub struct BookBuilder {
    title: String,
    subtitle: Option<String>,
    author: String,
    isbn: Option<String>,
    pages: u32,
    reviews: usize,
    ratings: usize,
    readers_now: usize,
    have_read: usize,
    questions: usize,
    blurbs: usize,
    material: bool,
    extra_editions: usize,
    identifiers: Vec<(String, String)>,
}

/// What was built, for the test to check against.
pub struct Built {
    pub work: WorkId,
    pub edition: EditionId,
    pub users: Vec<UserId>,
}

impl BookBuilder {
    pub fn new(title: &str) -> Self {
        Self {
            title: title.to_string(),
            subtitle: None,
            author: "Ashley Audrain".into(),
            isbn: None,
            pages: 352,
            reviews: 0,
            ratings: 0,
            readers_now: 0,
            have_read: 0,
            questions: 0,
            blurbs: 0,
            material: false,
            extra_editions: 0,
            identifiers: Vec::new(),
        }
    }

    /// An outside identifier of the work: ("goodreads", "186074").
    pub fn identifier(mut self, scheme: &str, value: &str) -> Self {
        self.identifiers.push((scheme.into(), value.into()));
        self
    }

    pub fn subtitle(mut self, s: &str) -> Self {
        self.subtitle = Some(s.into());
        self
    }

    pub fn author(mut self, a: &str) -> Self {
        self.author = a.into();
        self
    }

    pub fn isbn(mut self, isbn: &str) -> Self {
        self.isbn = Some(isbn.into());
        self
    }

    /// `n` members review the book; the first `n` of the raters.
    pub fn with_reviews(mut self, n: usize) -> Self {
        self.reviews = n;
        self
    }

    /// `n` members rate it (at least as many as review it).
    pub fn with_ratings(mut self, n: usize) -> Self {
        self.ratings = n;
        self
    }

    pub fn with_readers(mut self, reading_now: usize, have_read: usize) -> Self {
        self.readers_now = reading_now;
        self.have_read = have_read;
        self
    }

    pub fn with_questions(mut self, n: usize) -> Self {
        self.questions = n;
        self
    }

    pub fn with_blurbs(mut self, n: usize) -> Self {
        self.blurbs = n;
        self
    }

    /// Description, editorial review, excerpt and a note from the author.
    pub fn with_material(mut self) -> Self {
        self.material = true;
        self
    }

    pub fn with_other_editions(mut self, n: usize) -> Self {
        self.extra_editions = n;
        self
    }

    pub async fn build(self, db: &Db) -> Built {
        let work = WorkId::new();
        let edition = EditionId::new();
        let mut w = NewWork::new(work, &self.title);
        w.subtitle = self.subtitle.clone();
        w.first_published = Some(PubDate::day(date!(2022 - 01 - 04)));
        w.credits.push(NewCredit::author(&self.author));
        w.identifiers = self.identifiers.clone();
        w.subjects = vec![
            ("Psychological fiction".into(), 10),
            ("Book club".into(), 5),
        ];
        let mut e = NewEdition::new(edition, &self.title, Format::Paperback);
        e.pages = Some(self.pages);
        e.publisher = Some("Penguin Books".into());
        e.published = Some(PubDate::day(date!(2022 - 01 - 04)));
        e.isbn13 = self
            .isbn
            .as_deref()
            .map(|i| quire_domain::Isbn13::parse(i).expect("fixture ISBN"));
        e.is_primary = true;
        w.editions.push(e);
        for i in 0..self.extra_editions {
            let mut e = NewEdition::new(EditionId::new(), &self.title, Format::Hardcover);
            e.pages = Some(self.pages + 8);
            e.published = Some(PubDate::year(2021 - i as i32));
            w.editions.push(e);
        }
        // Exactly the work described, even when the catalog has the same
        // book: merge tests need two works of one book.
        catalog::insert_new_works(db, &[w])
            .await
            .expect("insert work");

        if self.material {
            for (kind, body, source) in [
                (
                    MaterialKind::Description,
                    "A tense drama about a family.",
                    Source::Publisher,
                ),
                (
                    MaterialKind::EditorialReview,
                    "A gripping debut.",
                    Source::Publisher,
                ),
                (
                    MaterialKind::Excerpt,
                    "The first lines of the book.",
                    Source::Publisher,
                ),
                (
                    MaterialKind::AuthorNote,
                    "Dear book clubs, thank you.",
                    Source::Author,
                ),
            ] {
                catalog::add_material(
                    db,
                    &NewMaterial {
                        work_id: work,
                        kind,
                        body: body.into(),
                        attribution: None,
                        source,
                        created_by: None,
                    },
                )
                .await
                .expect("add material");
            }
        }
        for i in 0..self.blurbs {
            catalog::add_material(
                db,
                &NewMaterial {
                    work_id: work,
                    kind: MaterialKind::Blurb,
                    body: format!("Praise number {}.", i + 1),
                    attribution: Some(format!("Critic {}", i + 1)),
                    source: Source::Publisher,
                    created_by: None,
                },
            )
            .await
            .expect("add blurb");
        }
        for i in 0..self.questions {
            questions::add(
                db,
                None,
                work,
                &format!("Question {} about the book?", i + 1),
                Source::Publisher,
                None,
            )
            .await
            .expect("add question");
        }

        let people = self
            .ratings
            .max(self.reviews)
            .max(self.readers_now + self.have_read);
        let tag = &uuid::Uuid::new_v4().simple().to_string()[..8];
        let mut ids = Vec::with_capacity(people);
        for i in 0..people {
            let id = UserId::new();
            let name = format!("reader{i}_{tag}");
            users::create(
                db,
                &NewUser {
                    id,
                    username: &name,
                    display_name: &format!("Reader {i}"),
                    password_hash: None,
                    role: quire_domain::SiteRole::Member,
                    is_demo: true,
                },
            )
            .await
            .expect("create user");
            ids.push(id);
        }
        let rows: Vec<_> = ids
            .iter()
            .take(self.ratings)
            .enumerate()
            .map(|(i, u)| {
                (
                    *u,
                    work,
                    Rating::from_halves((i % 10) as i64 + 1).expect("rating"),
                )
            })
            .collect();
        ratings::insert_many(db, &rows).await.expect("ratings");
        for (i, u) in ids.iter().take(self.reviews).enumerate() {
            let body = format!("Review {i}: a thoughtful look at motherhood.");
            reviews::upsert(
                db,
                *u,
                work,
                &ReviewInput {
                    headline: Some(&format!("Headline {i}")),
                    body: &body,
                    body_html: &format!("<p>{body}</p>"),
                    spoiler: i % 7 == 3,
                    recommends: if i % 4 == 0 { None } else { Some(i % 4 != 1) },
                },
            )
            .await
            .expect("review");
        }
        for u in ids.iter().take(self.readers_now) {
            shelves::start_reading(db, *u, work, Some(edition), date!(2026 - 11 - 01))
                .await
                .expect("reading");
        }
        for u in ids.iter().skip(self.readers_now).take(self.have_read) {
            shelves::finish(
                db,
                *u,
                work,
                quire_domain::ReadingStatus::Read,
                date!(2026 - 10 - 01),
            )
            .await
            .expect("read");
        }
        Built {
            work,
            edition,
            users: ids,
        }
    }
}

/// An account named exactly `username` (also its display name), holding
/// `role` on the site, with a password hash no password matches.
pub async fn account(db: &Db, username: &str, role: quire_domain::SiteRole) -> UserId {
    let id = UserId::new();
    users::create(
        db,
        &NewUser {
            id,
            username,
            display_name: username,
            password_hash: Some("x"),
            role,
            is_demo: false,
        },
    )
    .await
    .expect("create account");
    id
}

/// A member made for a test, by name (unique per call).
pub async fn member(db: &Db, name: &str) -> UserId {
    let id = UserId::new();
    let tag = &uuid::Uuid::new_v4().simple().to_string()[..8];
    users::create(
        db,
        &NewUser {
            id,
            username: &format!("{name}_{tag}"),
            display_name: name,
            password_hash: None,
            role: quire_domain::SiteRole::Member,
            is_demo: false,
        },
    )
    .await
    .expect("create member");
    id
}

/// Give a built book one of every kind of thing members attach to a book
/// beyond what [`BookBuilder`] adds: a stored cover on its edition, a custom
/// shelf entry and a queue entry from `reader`, the reader's vote on each
/// of its questions, and a place on `club`'s list.
pub async fn attach_more(db: &Db, b: &Built, reader: UserId, club: &str) {
    catalog::set_cover(
        db,
        b.edition,
        catalog::NewCoverImage {
            size: quire_domain::CoverSize::Original,
            content_type: "image/jpeg",
            data: b"stored bytes",
            width: 1,
            height: 1,
        },
        &[],
        false,
    )
    .await
    .expect("cover");
    let slug = shelves::create_shelf(db, reader, "Favourites")
        .await
        .expect("shelf");
    shelves::shelve(db, reader, &slug, b.work)
        .await
        .expect("shelve");
    shelves::queue_add(db, reader, b.work).await.expect("queue");
    let page = quire_storage::book_page::load(db, b.work, 1, 10)
        .await
        .expect("page")
        .expect("the book");
    for q in &page.questions {
        questions::vote(db, q.id, reader, true).await.expect("vote");
    }
    club_book(db, reader, club, b.work, "upcoming").await;
}

/// Put `work` on the list of the public club named `name` (made, owned by
/// `owner`, when missing): as a selection with `status` ("upcoming",
/// "current", "finished"), or as `owner`'s nomination for "possible".
/// Returns the club's id.
pub async fn club_book(
    db: &Db,
    owner: UserId,
    name: &str,
    work: quire_domain::WorkId,
    status: &str,
) -> quire_domain::ClubId {
    use quire_storage::clubs::{self, NewClub, selections};
    let club_name = quire_domain::ClubName::parse(name).expect("club name");
    let (club, _) = clubs::create_with_id(
        db,
        quire_domain::ClubId::derived("fixture", name),
        owner,
        &NewClub {
            name: &club_name,
            description: "",
            visibility: quire_domain::Visibility::Public,
            join_policy: quire_domain::JoinPolicy::Open,
            time_zone: "UTC",
        },
    )
    .await
    .expect("club");
    if status == "possible" {
        selections::nominate(db, club, work, owner, "")
            .await
            .expect("nomination");
    } else {
        let status = quire_domain::SelectionStatus::parse(status).expect("a selection status");
        selections::add(
            db,
            club,
            owner,
            &selections::NewSelection {
                work,
                status,
                starts_on: None,
                ends_on: None,
                chapter_count: None,
            },
        )
        .await
        .expect("selection");
    }
    club
}
