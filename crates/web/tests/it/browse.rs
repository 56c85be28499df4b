//! Browsing over HTTP: author, series and subject pages reached from a
//! book page's links; sorting, paging and their errors; the home page's
//! sections; one link per card; every join and sign-in error at once.

use super::site::{Site, count};
use quire_domain::{
    ContributorRole, EditionId, Format, Progress, PubDate, Rating, ReadingStatus, UserId, WorkId,
};
use quire_storage::catalog::{self, NewCredit, NewEdition, NewWork};
use quire_storage::reviews::ReviewInput;
use quire_storage::{Db, ratings, reviews, shelves, users};
use time::macros::date;

/// A book as these tests need it: credits, a series place, subjects, a
/// year.
struct Book<'a> {
    title: &'a str,
    credits: &'a [(&'a str, ContributorRole)],
    series: Option<(&'a str, Option<&'a str>)>,
    subjects: &'a [&'a str],
    year: Option<i32>,
    pages: u32,
}

impl<'a> Book<'a> {
    fn new(title: &'a str) -> Self {
        Self {
            title,
            credits: &[],
            series: None,
            subjects: &[],
            year: None,
            pages: 300,
        }
    }

    async fn add(&self, db: &Db) -> (WorkId, EditionId) {
        let id = WorkId::new();
        let edition = EditionId::new();
        let mut w = NewWork::new(id, self.title);
        w.credits = self
            .credits
            .iter()
            .map(|(name, role)| NewCredit {
                name: (*name).into(),
                role: *role,
            })
            .collect();
        w.series = self
            .series
            .map(|(s, n)| (s.to_string(), n.map(str::to_string)));
        w.subjects = self.subjects.iter().map(|s| (s.to_string(), 1)).collect();
        w.first_published = self.year.map(PubDate::year);
        let mut e = NewEdition::new(edition, self.title, Format::Paperback);
        e.pages = Some(self.pages);
        e.is_primary = true;
        w.editions.push(e);
        catalog::insert_new_works(db, &[w]).await.unwrap();
        (id, edition)
    }
}

/// `n` new readers rate `work` with these half-star counts, in turn.
async fn rate(db: &Db, work: WorkId, halves: &[i64]) {
    let mut rows = Vec::new();
    for h in halves {
        let u = quire_testkit::member(db, "rater").await;
        rows.push((u, work, Rating::from_halves(*h).unwrap()));
    }
    ratings::insert_many(db, &rows).await.unwrap();
}

/// Every `href` in `html` that starts with `prefix`, in order.
fn hrefs(html: &str, prefix: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|h| h.starts_with(prefix))
        .map(|h| h.replace("&amp;", "&"))
        .collect()
}

/// The `href` of the link whose text is `text`.
fn link_to(html: &str, text: &str) -> String {
    let end = html
        .find(&format!(">{text}</a>"))
        .unwrap_or_else(|| panic!("no link reads {text:?}"));
    let start = html[..end].rfind("href=\"").unwrap() + 6;
    html[start..end].split('"').next().unwrap().to_string()
}

/// Titles of the cards on a page, in order.
fn card_titles(html: &str) -> Vec<String> {
    html.split("<span class=\"card-title\">")
        .skip(1)
        .filter_map(|s| s.split("</span>").next())
        .map(str::to_string)
        .collect()
}

async fn user_id(db: &Db, name: &str) -> UserId {
    users::by_username(db, name)
        .await
        .unwrap()
        .unwrap()
        .user_id()
}

quire_testkit::both_backends! {
    async fn an_author_page_lists_their_books_with_ratings_and_their_other_roles(db: Db) {
        use ContributorRole::*;
        let (novel, _) = Book {
            credits: &[("Ada Writer", Author), ("Tomás Tradutor", Translator)],
            ..Book::new("The Long Night")
        }
        .add(&db)
        .await;
        let (own, _) = Book {
            credits: &[("Tomás Tradutor", Author)],
            ..Book::new("Tomás's Own Novel")
        }
        .add(&db)
        .await;
        let (second, _) = Book {
            credits: &[("Tomás Tradutor", Author)],
            ..Book::new("A Second Novel")
        }
        .add(&db)
        .await;
        Book {
            credits: &[("Nell Reader", Author), ("Tomás Tradutor", Narrator)],
            ..Book::new("Heard Aloud")
        }
        .add(&db)
        .await;
        rate(&db, own, &[8, 8, 10]).await; // 4.3 from 3 ratings
        rate(&db, second, &[6]).await;
        rate(&db, novel, &[10]).await;
        let site = Site::start(db).await;

        // The book page links each contributor to their page.
        let (_, book) = site.get_text(&format!("/books/{novel}")).await;
        let tomas = link_to(&book, "Tomás Tradutor");
        assert!(tomas.starts_with("/authors/") && tomas.ends_with("/tomas-tradutor"), "{tomas}");
        let ada = link_to(&book, "Ada Writer");
        assert!(ada.starts_with("/authors/") && ada.ends_with("/ada-writer"), "{ada}");

        let (status, html) = site.get_text(&tomas).await;
        assert_eq!(status, 200);
        assert!(html.contains("<h1>Tomás Tradutor</h1>"));
        // Their own books first, most-rated first, each with its rating.
        let books_at = html.find("id=\"books-h\"").expect("a section of their books");
        let translated_at = html.find("id=\"translated-h\"").expect("a section of translations");
        let narrated_at = html.find("id=\"narrated-h\"").expect("a section of narrations");
        assert!(books_at < translated_at && translated_at < narrated_at);
        assert_eq!(
            card_titles(&html),
            ["Tomás&#39;s Own Novel", "A Second Novel", "The Long Night", "Heard Aloud"]
        );
        assert!(html.contains("Rated 4.3 out of 5"), "the average");
        assert!(html.contains("4.3 · 3 ratings"), "the average and count");
        assert!(html.contains("Author of 2 books"));
        assert!(html.contains("Translator of 1 book"));
        assert!(html.contains("Narrator of 1 book"));

        // One role alone; an unknown role is named.
        let (status, html) = site.get_text(&format!("{tomas}?role=translator")).await;
        assert_eq!(status, 200);
        assert_eq!(card_titles(&html), ["The Long Night"]);
        let r = site
            .client
            .get(site.url(&format!("{tomas}?role=wizard&page=0")))
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let body: serde_json::Value = r.json().await.unwrap();
        let fields: Vec<&str> = body["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["page", "role"], "{body}");

        // The id alone works; a wrong id is a clear 404.
        let id_only = tomas.rsplit_once('/').unwrap().0;
        assert_eq!(site.get_text(id_only).await.0, 200);
        let (status, html) = site.get_text("/authors/not-an-id").await;
        assert_eq!(status, 404);
        assert!(html.contains("There is no author"));
        let (status, _) = site.get_text(&format!("/authors/{}", uuid::Uuid::now_v7())).await;
        assert_eq!(status, 404);
    }

    async fn a_series_page_keeps_series_order_and_shows_the_readers_progress(db: Db) {
        let saga = |n: Option<&'static str>| Some(("The Saga", n));
        let mut works = std::collections::HashMap::new();
        for (title, place) in [
            ("Book Two", Some("2")),
            ("Book Ten", Some("10")),
            ("The Novella", Some("1.5")),
            ("Book One", Some("1")),
            ("Stories from the Saga", None),
        ] {
            let (w, e) = Book {
                credits: &[("Sam Saga", ContributorRole::Author)],
                series: saga(place),
                ..Book::new(title)
            }
            .add(&db)
            .await;
            works.insert(title, (w, e));
        }
        let site = Site::start(db.clone()).await;
        let (book_one, _) = works["Book One"];
        let (_, book) = site.get_text(&format!("/books/{book_one}")).await;
        let series = link_to(&book, "The Saga, book 1");
        assert!(series.starts_with("/series/") && series.ends_with("/the-saga"), "{series}");

        // Signed out: the order, and an invitation to sign in.
        let (status, html) = site.get_text(&series).await;
        assert_eq!(status, 200);
        assert_eq!(
            card_titles(&html),
            ["Book One", "The Novella", "Book Two", "Book Ten", "Stories from the Saga"]
        );
        assert!(html.contains("Book 1.5"));
        assert!(html.contains("Sign in</a> to see how far through the series you are"));
        assert!(!html.contains("You have read"));

        // Signed in: read one and two (dated), reading the novella at
        // page 150 of 300, the last queued.
        site.join("sagareader").await;
        let me = user_id(&db, "sagareader").await;
        shelves::finish(&db, me, works["Book One"].0, ReadingStatus::Read, date!(2024 - 05 - 20)).await.unwrap();
        shelves::finish(&db, me, works["Book Two"].0, ReadingStatus::Read, date!(2025 - 01 - 02)).await.unwrap();
        let (novella, novella_edition) = works["The Novella"];
        shelves::set_progress(&db, me, novella, Some(novella_edition), Progress::Page(150), date!(2025 - 02 - 01)).await.unwrap();
        shelves::queue_add(&db, me, works["Book Ten"].0).await.unwrap();
        let (_, html) = site.get_text(&series).await;
        assert!(html.contains("You have read 2 of 5"), "the reader's progress");
        assert!(html.contains("max=\"5\" value=\"2\""));
        for words in ["Read in May 2024", "Read in January 2025", "Reading · 50%", "Want to read", "Not on your shelves"] {
            assert!(html.contains(words), "{words}");
        }
        // Each status sits with its book.
        let one = html.find("Book One</span>").unwrap();
        assert!(html[one..].find("Read in May 2024").unwrap() < html[one..].find("The Novella").unwrap());

        // Paging is checked; sorting does not apply to a series.
        let (status, html) = site.get_text(&format!("{series}?page=2")).await;
        assert_eq!(status, 422);
        assert!(html.contains("past the last page"));
        let (status, html) = site.get_text(&format!("{series}?per=2&page=3")).await;
        assert_eq!(status, 200);
        assert_eq!(card_titles(&html), ["Stories from the Saga"]);
    }

    async fn a_subject_page_sorts_and_pages_its_books_and_names_bad_fields(db: Db) {
        // 30 books on "Sea stories"; ratings and years differ.
        let mut ids = Vec::new();
        for i in 0..30 {
            let title = format!("Sea Book {i:02}");
            let (w, _) = Book {
                credits: &[("Cap Tain", ContributorRole::Author)],
                subjects: &["Sea stories", "Adventure"],
                year: Some(1950 + i),
                ..Book::new(&title)
            }
            .add(&db)
            .await;
            ids.push(w);
        }
        // Book 07 is the most rated (5 ratings, 3 stars); book 03 the best
        // rated (4 ratings of 5 stars); book 11 has one 5-star rating.
        rate(&db, ids[7], &[6, 6, 6, 6, 6]).await;
        rate(&db, ids[3], &[10, 10, 10, 10]).await;
        rate(&db, ids[11], &[10]).await;
        let site = Site::start(db).await;
        let (_, book) = site.get_text(&format!("/books/{}", ids[0])).await;
        let subject = link_to(&book, "Sea stories");
        assert!(subject.starts_with("/subjects/") && subject.ends_with("/sea-stories"), "{subject}");

        // Most read first by default, 24 a page.
        let (status, html) = site.get_text(&subject).await;
        assert_eq!(status, 200);
        assert!(html.contains("<h1>Sea stories</h1>"));
        assert!(html.contains("30 books"));
        let titles = card_titles(&html);
        assert_eq!(titles.len(), 24);
        assert_eq!(&titles[..3], ["Sea Book 07", "Sea Book 03", "Sea Book 11"]);
        let next: Vec<String> = hrefs(&html, &subject).into_iter().filter(|h| h.contains("page=2")).collect();
        assert!(!next.is_empty(), "a link to page 2");
        let (_, html) = site.get_text(&next[0]).await;
        assert_eq!(card_titles(&html).len(), 6);

        // Best rated: the damped mean puts four 5s above one 5 and five 3s.
        let (_, html) = site.get_text(&format!("{subject}?sort=rating")).await;
        assert_eq!(&card_titles(&html)[..3], ["Sea Book 03", "Sea Book 11", "Sea Book 07"]);
        assert!(html.contains("aria-current=\"true\">Highest rated<"));
        // Newest first.
        let (_, html) = site.get_text(&format!("{subject}?sort=date&per=5")).await;
        assert_eq!(
            card_titles(&html),
            ["Sea Book 29", "Sea Book 28", "Sea Book 27", "Sea Book 26", "Sea Book 25"]
        );
        let (_, html) = site.get_text(&format!("{subject}?sort=date&per=5&page=6")).await;
        assert_eq!(card_titles(&html).last().map(String::as_str), Some("Sea Book 00"));

        // Each bad field is named, all at once.
        for (query, field, words) in [
            ("page=0", "page", "there is no page 0"),
            ("page=two", "page", "not a page number"),
            ("page=99999999999", "page", "far past the last page"),
            ("page=3", "page", "past the last page (2)"),
            ("sort=stars", "sort", "use popular, rating or date"),
            ("per=500", "per", "from 1 to 60 books"),
        ] {
            let r = site
                .client
                .get(site.url(&format!("{subject}?{query}")))
                .header("accept", "application/json")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 422, "{query}");
            let body: serde_json::Value = r.json().await.unwrap();
            assert_eq!(body["error"]["field"], field, "{query}: {body}");
            assert!(body["error"]["message"].as_str().unwrap().contains(words), "{query}: {body}");
        }
        let (status, html) = site.get_text(&format!("{subject}?sort=x&page=-1&per=0")).await;
        assert_eq!(status, 422);
        for words in ["not a page number", "not a way to sort", "from 1 to 60 books"] {
            assert!(html.contains(words), "{words}");
        }
    }

    async fn the_home_page_says_what_quire_is_with_one_search_box_and_recent_reviews(db: Db) {
        let (calm, _) = Book {
            credits: &[("Wren Quiet", ContributorRole::Author)],
            ..Book::new("A Calm Book")
        }
        .add(&db)
        .await;
        let (twisty, _) = Book::new("A Twisty Book").add(&db).await;
        let fan = quire_testkit::member(&db, "Fan Reader").await;
        ratings::set(&db, fan, calm, Rating::from_halves(9).unwrap()).await.unwrap();
        for (work, headline, body, spoiler) in [
            (calm, "Gentle and wise", "A **quiet** book about [small things](https://example.org).", false),
            (twisty, "The twist", "The butler did it, in chapter nine.", true),
        ] {
            reviews::upsert(
                &db,
                fan,
                work,
                &ReviewInput {
                    headline: Some(headline),
                    body,
                    body_html: &quire_markup::render(body),
                    spoiler,
                    recommends: None,
                },
            )
            .await
            .unwrap();
        }
        let site = Site::start(db).await;
        let (status, html) = site.get_text("/").await;
        assert_eq!(status, 200);
        assert!(html.contains("A home for book clubs and their readers."));
        assert_eq!(count(&html, "type=\"search\""), 1, "one search box");
        assert_eq!(count(&html, "role=\"search\""), 1);
        assert!(html.contains("href=\"/register\">Join Quire"));
        // What used to be "coming soon" is here, and the home page leads to it.
        assert!(!html.contains("coming soon"));
        assert!(html.contains("<a href=\"/account/data\"><strong>Import your reading history</strong></a>"));
        assert!(html.contains("<a href=\"/clubs/new\"><strong>Start a book club</strong></a>"));
        assert!(html.contains("id=\"now-h\"") && html.contains("id=\"best-h\""));
        // Recent reviews: the one without spoilers, as plain words, its
        // card a link to its book.
        assert!(html.contains("id=\"reviews-h\">Recent reviews"));
        assert!(html.contains("Gentle and wise"));
        assert!(html.contains("A quiet book about small things."));
        assert!(html.contains("Rated 4.5 out of 5"));
        assert!(!html.contains("The butler did it") && !html.contains("The twist"), "spoilers stay out");
        let link = link_to(&html, "A Calm Book");
        assert!(link.starts_with(&format!("/books/{calm}")) && link.ends_with("#reviews"), "{link}");
        // The search page has one box too (its own); other pages keep the
        // header's.
        let (_, other) = site.get_text("/search?q=calm").await;
        assert_eq!(count(&other, "type=\"search\""), 1);
        let (_, other) = site.get_text(&link).await;
        assert_eq!(count(&other, "type=\"search\""), 1);
        assert!(other.contains("id=\"site-q\""));
    }

    async fn each_card_is_one_link_with_the_title_before_the_author(db: Db) {
        for t in ["Card One", "Card Two", "Card Three"] {
            Book {
                credits: &[("Cara Author", ContributorRole::Author)],
                ..Book::new(t)
            }
            .add(&db)
            .await;
        }
        let site = Site::start(db).await;
        let (_, html) = site.get_text("/search?q=card").await;
        let cards: Vec<&str> = html
            .split("<li class=\"card\">")
            .skip(1)
            .map(|c| c.split("</li>").next().unwrap())
            .collect();
        assert_eq!(cards.len(), 3);
        for c in cards {
            assert_eq!(count(c, "<a "), 1, "one link per card: {c}");
            let title = c.find("card-title").unwrap();
            let author = c.find("class=\"byline\">Cara Author").unwrap();
            assert!(title < author, "the title comes first: {c}");
            // The link's name is the title alone: the cover is hidden.
            assert!(c.contains("aria-hidden=\"true\""));
        }
    }

    async fn join_and_sign_in_show_every_error_at_once_beside_its_field(db: Db) {
        let site = Site::start(db).await;
        site.join("takenname").await;
        site.post("/logout", &[]).await;
        let r = site
            .post(
                "/register",
                &[
                    ("username", "a!"),
                    ("display_name", "Bad\u{0}Name"),
                    ("password", "short"),
                    ("password_again", "different"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("4 fields need a change"));
        for id in ["username-error", "display_name-error", "password-error", "password_again-error"] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
        }
        // A taken name is said together with the other problems.
        let r = site
            .post(
                "/register",
                &[("username", "TakenName"), ("password", "short"), ("password_again", "short")],
            )
            .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("2 fields need a change"), "{html}");
        assert!(html.contains("is taken"));
        assert!(html.contains("at least 10 characters"));
        // Missing fields are each named beside their field.
        let r = site.post("/register", &[]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("id=\"username-error\"") && html.contains("id=\"password-error\""));

        // Sign-in: both empty fields at once, before any attempt counts.
        let r = site.post("/login", &[("username", ""), ("password", "")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("id=\"username-error\">Type your username."));
        assert!(html.contains("id=\"password-error\">Type your password."));
        assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"username-error\""));
        let long = "x".repeat(31);
        let r = site.post("/login", &[("username", &long), ("password", "")]).await;
        let html = r.text().await.unwrap();
        assert!(!html.contains(&long), "an oversize name is not shown back");
        assert!(html.contains("at most 30 characters") && html.contains("Type your password."));
        // A wrong password is still one message for the form.
        let r = site.post("/login", &[("username", "takenname"), ("password", "not the password")]).await;
        assert_eq!(r.status(), 401);
        assert!(r.text().await.unwrap().contains("do not match"));
    }
}
