//! Profiles, shelf pages, ratings and reviews, reading stats and the year
//! in books, over HTTP on both engines, against hand-made fixtures whose
//! figures are worked out here; and a demo Goodreads reader whose stats
//! agree with the export file they came from.

use crate::site::Site;
use quire_domain::{EditionId, Format, Progress, Rating, ReadingStatus, UserId, WorkId};
use quire_storage::catalog::{self, NewCredit, NewEdition, NewWork};
use quire_storage::shelves::{self, ImportedReading};
use quire_storage::{Db, ratings, users};
use time::Date;
use time::macros::date;

/// A book with one paperback edition of `pages` pages and one subject.
async fn book(db: &Db, title: &str, pages: u32, subject: &str) -> (WorkId, EditionId) {
    let work = WorkId::new();
    let edition = EditionId::new();
    let mut w = NewWork::new(work, title);
    w.credits.push(NewCredit::author("Ada Writer"));
    w.subjects = vec![(subject.into(), 3)];
    let mut e = NewEdition::new(edition, title, Format::Paperback);
    e.pages = Some(pages);
    e.is_primary = true;
    w.editions.push(e);
    catalog::insert_new_works(db, &[w]).await.unwrap();
    (work, edition)
}

fn read_on(user: UserId, work: WorkId, day: Option<Date>) -> ImportedReading {
    ImportedReading {
        id: uuid::Uuid::now_v7(),
        user,
        work,
        status: ReadingStatus::Read,
        started_on: None,
        finished_on: day,
    }
}

async fn joined(site: &Site, db: &Db, name: &str) -> UserId {
    site.join(name).await;
    users::by_username(db, name)
        .await
        .unwrap()
        .unwrap()
        .user_id()
}

fn rating(s: &str) -> Rating {
    Rating::parse(s).unwrap()
}

/// The cells of the table row whose heading cell is `head`, in `html`
/// after `after` (the chart's id).
fn row(html: &str, after: &str, head: &str) -> Vec<String> {
    let from = html
        .find(&format!("id=\"{after}\""))
        .unwrap_or_else(|| panic!("no chart {after}"));
    let rest = &html[from..];
    let end = rest.find("</figure>").unwrap();
    let rest = &rest[..end];
    let marker = format!("<th scope=\"row\">{head}</th>");
    let at = rest
        .find(&marker)
        .unwrap_or_else(|| panic!("no row {head} in {after}"));
    let line = &rest[at + marker.len()..];
    let line = &line[..line.find("</tr>").unwrap()];
    line.split("<td>")
        .skip(1)
        .map(|c| c.trim_end_matches("</td>").to_string())
        .collect()
}

quire_testkit::both_backends! {
    async fn each_status_speaks_the_readers_words(db: Db) {
        let site = Site::start(db.clone()).await;
        let me = joined(&site, &db, "wording").await;
        let (reading, ed) = book(&db, "Reading Now", 320, "Fiction").await;
        let (twice, _) = book(&db, "Read Twice", 200, "Fiction").await;
        let (once, _) = book(&db, "Read Once", 200, "Fiction").await;
        let (dnf, _) = book(&db, "Given Up", 500, "Fiction").await;
        let (queued, _) = book(&db, "Next Up", 150, "Fiction").await;
        shelves::set_progress(&db, me, reading, Some(ed), Progress::Page(50), date!(2024 - 06 - 01)).await.unwrap();
        shelves::import_readings(&db, &[
            read_on(me, twice, Some(date!(2023 - 03 - 01))),
            read_on(me, twice, Some(date!(2024 - 05 - 12))),
            read_on(me, once, Some(date!(2024 - 05 - 12))),
        ]).await.unwrap();
        shelves::finish(&db, me, dnf, ReadingStatus::DidNotFinish, date!(2015 - 05 - 31)).await.unwrap();
        shelves::queue_add(&db, me, queued).await.unwrap();

        let (status, html) = site.get_text("/people/wording").await;
        assert_eq!(status, 200);
        for count in ["1 currently reading", "1 want to read", "2 read", "1 did not finish"] {
            assert!(html.contains(count), "the profile counts {count}");
        }
        assert!(html.contains("Reading · p. 50 of 320 (16%)"), "{html}");
        assert!(html.contains("Read twice, last 12 May 2024"));
        assert!(html.contains("Read 12 May 2024"));
        assert!(html.contains("Did not finish · stopped 31 May 2015"));
        assert!(!html.contains("finished 31 May 2015"), "a book given up is never called finished");
        assert!(html.contains("Want to read"));
        assert!(html.contains("/people/wording/stats"), "the header links to the stats");
        assert!(html.contains("/people/wording/year/2024"), "and to the latest year in books");
        // Each shelf's own page says the same.
        let (_, shelf) = site.get_text("/people/wording/shelves/did-not-finish?view=list").await;
        assert!(shelf.contains("Did not finish · stopped 31 May 2015"));
        let (_, shelf) = site.get_text("/people/wording/shelves/read").await;
        assert_eq!(shelf.matches("class=\"card\"").count(), 2, "a re-read book shows once on its shelf");
        let (_, shelf) = site.get_text("/people/wording/shelves/currently-reading?view=list").await;
        assert!(shelf.contains("Reading · p. 50 of 320 (16%)"));
    }

    async fn a_shelf_pages_sorts_and_refuses_bad_input_by_name(db: Db) {
        let site = Site::start(db.clone()).await;
        let me = joined(&site, &db, "pager").await;
        let mut readings = Vec::new();
        let mut rated = Vec::new();
        // 30 books read on consecutive days; "Book 00" first, "Book 29" last.
        for i in 0..30u8 {
            let (w, _) = book(&db, &format!("Book {i:02}"), 100 + u32::from(i), "Fiction").await;
            readings.push(read_on(me, w, Some(date!(2024 - 01 - 01) + time::Duration::days(i64::from(i)))));
            if i == 7 {
                rated.push((me, w, rating("5")));
            } else if i == 3 {
                rated.push((me, w, rating("1.5")));
            }
        }
        shelves::import_readings(&db, &readings).await.unwrap();
        ratings::insert_many(&db, &rated).await.unwrap();

        let (status, first) = site.get_text("/people/pager/shelves/read").await;
        assert_eq!(status, 200);
        assert!(first.contains("Read <span class=\"count\">(30)</span>"), "the shelf names its total");
        assert_eq!(first.matches("class=\"card\"").count(), 24, "24 books a page");
        assert!(first.find("Book 29").unwrap() < first.find("Book 28").unwrap(), "newest first");
        assert!(!first.contains("Book 05"), "the oldest are on page 2");
        let (_, second) = site.get_text("/people/pager/shelves/read?page=2").await;
        assert_eq!(second.matches("class=\"card\"").count(), 6);
        assert!(second.contains("Book 00"));
        assert!(second.contains("aria-current=\"page\">2<"), "the pager marks page 2");

        let (_, by_title) = site.get_text("/people/pager/shelves/read?sort=title&view=list").await;
        assert!(by_title.find("Book 00").unwrap() < by_title.find("Book 01").unwrap());
        assert!(by_title.contains("class=\"shelf-list\""), "the list view");
        let (_, by_rating) = site.get_text("/people/pager/shelves/read?sort=rating&view=list").await;
        let five = by_rating.find("Book 07").unwrap();
        let low = by_rating.find("Book 03").unwrap();
        assert!(five < low, "five stars before one and a half");
        assert!(five < by_rating.find("Book 00").unwrap(), "rated books before unrated ones");
        assert!(by_rating.contains("aria-label=\"Rated 5 out of 5\""));
        assert!(by_rating.contains("aria-label=\"Rated 1.5 out of 5\""));

        for (query, field) in [
            ("page=3", "page"),
            ("page=0", "page"),
            ("page=two", "page"),
            ("page=99999999999", "page"),
            ("sort=loudest", "sort"),
            ("view=carousel", "view"),
        ] {
            let r = site
                .client
                .get(site.url(&format!("/people/pager/shelves/read?{query}")))
                .header("accept", "application/json")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 422, "{query}");
            let body: serde_json::Value = r.json().await.unwrap();
            assert_eq!(body["error"]["field"], field, "{query}: {body}");
        }
        let (status, html) = site.get_text("/people/pager/shelves/read?page=3").await;
        assert_eq!(status, 422);
        assert!(html.contains("Page 3 is past the last page of this shelf (2 pages)"), "{html}");
        assert_eq!(site.get("/people/pager/shelves/no-such-shelf").await.status(), 404);
        assert_eq!(site.get("/people/nobody-here/shelves/read").await.status(), 404);
    }

    async fn the_owner_reorders_their_queue_on_its_page(db: Db) {
        let site = Site::start(db.clone()).await;
        let me = joined(&site, &db, "queuer").await;
        let (a, _) = book(&db, "First Queued", 100, "Fiction").await;
        let (b, _) = book(&db, "Second Queued", 100, "Fiction").await;
        shelves::queue_add(&db, me, a).await.unwrap();
        shelves::queue_add(&db, me, b).await.unwrap();
        let (_, html) = site.get_text("/people/queuer/shelves/want-to-read?view=list").await;
        assert!(html.find("First Queued").unwrap() < html.find("Second Queued").unwrap());
        assert!(html.contains("Move Second Queued up"));
        // The page's own button: back on the queue's page, which says so.
        let moved = site
            .post(
                &format!("/books/{b}/queue"),
                &[("action", "up"), ("back", "queue")],
            )
            .await;
        assert_eq!(moved.url().path(), "/people/queuer/shelves/want-to-read");
        let html = moved.text().await.unwrap();
        assert!(html.contains("Your queue&#39;s order is saved.") || html.contains("Your queue's order is saved."), "{html}");
        assert!(html.find("Second Queued").unwrap() < html.find("First Queued").unwrap(), "moved up");
        // Another reader sees the queue but cannot reorder it.
        let other = Site::start(db.clone()).await;
        let (_, html) = other.get_text("/people/queuer/shelves/want-to-read?view=list").await;
        assert!(!html.contains("Move Second Queued up"));
    }

    async fn stats_count_what_the_shelves_hold(db: Db) {
        let site = Site::start(db.clone()).await;
        let me = joined(&site, &db, "counter").await;
        // 2023: 200 + 300 pages. 2024: 100 (twice: 2023 and 2024), 400, 600.
        let (short, _) = book(&db, "Short One", 100, "Poetry").await;
        let (b200, _) = book(&db, "Two Hundred", 200, "Poetry").await;
        let (b300, _) = book(&db, "Three Hundred", 300, "History").await;
        let (b400, _) = book(&db, "Four Hundred", 400, "Poetry").await;
        let (long, _) = book(&db, "The Long One", 600, "History").await;
        let (undated, _) = book(&db, "Undated", 250, "Poetry").await;
        shelves::import_readings(&db, &[
            read_on(me, b200, Some(date!(2023 - 02 - 10))),
            read_on(me, b300, Some(date!(2023 - 11 - 03))),
            read_on(me, short, Some(date!(2023 - 11 - 20))),
            read_on(me, short, Some(date!(2024 - 05 - 02))),
            read_on(me, b400, Some(date!(2024 - 05 - 20))),
            read_on(me, long, Some(date!(2024 - 12 - 31))),
            read_on(me, undated, None),
        ]).await.unwrap();
        ratings::insert_many(&db, &[
            (me, b400, rating("3.5")),
            (me, long, rating("4.5")),
            (me, short, rating("4.5")),
            (me, b200, rating("2")),
        ]).await.unwrap();

        let (status, html) = site.get_text("/people/counter/stats?year=2024").await;
        assert_eq!(status, 200);
        // 7 readings, 100·2 + 200 + 300 + 400 + 600 + 250 = 1,950 pages.
        assert!(html.contains("<dt>Books read</dt><dd>7</dd>"), "{html}");
        assert!(html.contains("<dt>Pages read</dt><dd>1,950</dd>"));
        assert!(html.contains("<dt>Average length</dt><dd>279 pages</dd>"), "1950 / 7");
        assert!(html.contains("One book read has no date"));
        assert_eq!(row(&html, "books-per-year", "2023"), ["3", "600"]);
        assert_eq!(row(&html, "books-per-year", "2024"), ["3", "1,100"]);
        assert_eq!(row(&html, "pages-per-year", "2024"), ["1,100"]);
        assert_eq!(row(&html, "books-per-month", "May"), ["2", "500"]);
        assert_eq!(row(&html, "books-per-month", "December"), ["1", "600"]);
        assert_eq!(row(&html, "books-per-month", "January"), ["0", "0"]);
        assert_eq!(row(&html, "ratings", "4½"), ["2"]);
        assert_eq!(row(&html, "ratings", "3½"), ["1"]);
        assert_eq!(row(&html, "ratings", "2"), ["1"]);
        assert_eq!(row(&html, "ratings", "5"), ["0"]);
        assert_eq!(row(&html, "subjects", "Poetry"), ["4"], "distinct books");
        assert_eq!(row(&html, "subjects", "History"), ["2"]);
        assert_eq!(row(&html, "formats", "Paperback"), ["7"]);
        assert_eq!(row(&html, "length", "Under 200"), ["2"]);
        assert_eq!(row(&html, "length", "500 or more"), ["1"]);
        assert_eq!(row(&html, "rereads", "Short One"), ["2"]);
        assert!(html.contains("role=\"img\" aria-label=\"Books read per year, 2023 to 2024: 6 in all"));
        assert!(!html.contains(" style="), "no inline styles");

        // Without a year, the latest year with books.
        let (_, latest) = site.get_text("/people/counter/stats").await;
        assert!(latest.contains("2024 by month"));
        let (_, y2023) = site.get_text("/people/counter/stats?year=2023").await;
        assert_eq!(row(&y2023, "books-per-month", "November"), ["2", "400"]);
        let r = site.client.get(site.url("/people/counter/stats?year=20x4")).header("accept", "application/json").send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(r.json::<serde_json::Value>().await.unwrap()["error"]["field"], "year");

        let (status, year) = site.get_text("/people/counter/year/2024").await;
        assert_eq!(status, 200);
        assert!(year.contains("<dt>Books</dt><dd>3 books</dd>"), "{year}");
        assert!(year.contains("<dt>Pages</dt><dd>1,100 pages</dd>"));
        let hl = |label: &str| {
            let at = year.find(&format!("<span class=\"hl-label\">{label}</span>")).unwrap();
            year[at..at + 400].to_string()
        };
        assert!(hl("Shortest").contains("Short One"));
        assert!(hl("Longest").contains("The Long One"));
        assert!(hl("Highest rated").contains("Rated 4.5 out of 5"));
        assert_eq!(year.matches("class=\"card\"").count(), 3);
        assert!(year.contains("/people/counter/year/2023"), "links to other years");
        let (status, empty) = site.get_text("/people/counter/year/1999").await;
        assert_eq!(status, 200);
        assert!(empty.contains("No books finished in 1999."));
        assert_eq!(site.get("/people/counter/year/last").await.status(), 404);
    }

    async fn ratings_and_reviews_are_listed_with_their_books(db: Db) {
        let site = Site::start(db.clone()).await;
        let me = joined(&site, &db, "critic").await;
        let (a, _) = book(&db, "Reviewed Book", 200, "Fiction").await;
        let (b, _) = book(&db, "Only Rated", 200, "Fiction").await;
        site.post(&format!("/books/{a}/review"), &[("headline", "Sharp and kind"), ("body", "A *fine* book."), ("recommends", "yes")]).await;
        ratings::insert_many(&db, &[(me, b, rating("4"))]).await.unwrap();
        let (status, html) = site.get_text("/people/critic/reviews").await;
        assert_eq!(status, 200);
        assert!(html.contains("Ratings and reviews <span class=\"count\">(2)</span>"));
        assert!(html.contains("Sharp and kind"));
        assert!(html.contains("<em>fine</em>"));
        assert!(html.contains(&format!("href=\"/books/{b}/")), "each links to its book");
        assert!(html.contains("aria-label=\"Rated 4 out of 5\""));
        let (_, profile) = site.get_text("/people/critic").await;
        assert!(profile.contains("1 review") && profile.contains("1 rating"));
        assert_eq!(site.get("/people/critic/reviews?page=2").await.status(), 422);
    }

    async fn a_demo_goodreads_reader_has_stats_that_agree_with_the_export(db: Db) {
        let data = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
        let mut src = quire_import::demo::DemoSources::in_folder(&data);
        src.books = data.join("goodbooks-10k/samples/books.csv");
        quire_import::demo::load_from(&db, &src).await.unwrap();
        let export = data.join("reading-exports/goodreads/goodreads_export_2020_31col_MIT.csv");
        // Books read per year, straight from the file: rows on the "read"
        // shelf, by the year of "Date Read" (YYYY/MM/DD).
        let mut per_year = std::collections::BTreeMap::<String, i64>::new();
        let mut rated: i64 = 0;
        let mut csv = csv::Reader::from_path(&export).unwrap();
        let headers = csv.headers().unwrap().clone();
        let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let (shelf, read_on, my_rating, count) = (col("Exclusive Shelf"), col("Date Read"), col("My Rating"), col("Read Count"));
        for rec in csv.records() {
            let rec = rec.unwrap();
            if rec[my_rating].trim() != "0" && !rec[my_rating].trim().is_empty() {
                rated += 1;
            }
            // The loader dates the last reading of a book on "read", or of
            // one being read again ("currently-reading" with a read count).
            let finished = &rec[shelf] == "read" || (&rec[shelf] == "currently-reading" && rec[count].trim() != "0");
            if finished && rec[read_on].len() >= 4 {
                *per_year.entry(rec[read_on][..4].to_string()).or_default() += 1;
            }
        }
        let (busiest, n) = per_year.iter().max_by_key(|(_, n)| **n).unwrap();
        assert!(*n > 5, "the export has a busy year");
        let site = Site::start(db.clone()).await;
        let (status, html) = site.get_text(&format!("/people/drrodriguez/stats?year={busiest}")).await;
        assert_eq!(status, 200);
        assert_eq!(row(&html, "books-per-year", busiest)[0], n.to_string(), "books read in {busiest}");
        let (_, year) = site.get_text(&format!("/people/drrodriguez/year/{busiest}")).await;
        assert!(year.contains(&format!("<dt>Books</dt><dd>{n} books</dd>")));
        let (_, profile) = site.get_text("/people/drrodriguez").await;
        // Two pairs of the export's rows are one book in Quire, so the
        // profile has at most as many ratings as the file.
        let counts = &profile[profile.find("profile-counts").unwrap()..][..1500];
        let shown: i64 = counts.split(" ratings</a>").next().unwrap().rsplit('>').next().unwrap().parse().unwrap();
        assert!(shown <= rated && shown >= rated - 5, "{shown} ratings shown, {rated} in the export");
        assert!(profile.len() < 200_000, "the profile is a preview, not every book: {} bytes", profile.len());
    }
}

quire_testkit::both_backends! {
    // A reader with 10,000 books: every profile page stays quick. Prints
    // the times (a measurement, not an assertion of speed); the pages must
    // still be right.
    async fn a_reader_with_ten_thousand_books(db: Db) {
        let site = Site::start(db.clone()).await;
        let me = joined(&site, &db, "bookworm").await;
        let mut works = Vec::new();
        let mut readings = Vec::new();
        let mut rated = Vec::new();
        let started = std::time::Instant::now();
        for chunk in 0..20u32 {
            let mut batch = Vec::new();
            for i in 0..500u32 {
                let n = chunk * 500 + i;
                let work = WorkId::new();
                let mut w = NewWork::new(work, format!("Volume {n:05}"));
                w.credits.push(NewCredit::author(format!("Writer {}", n % 700)));
                w.subjects = vec![(format!("Subject {}", n % 37), 1)];
                let mut e = NewEdition::new(EditionId::new(), format!("Volume {n:05}"), if n % 3 == 0 { Format::Ebook } else { Format::Paperback });
                e.pages = Some(80 + (n * 7) % 700);
                e.is_primary = true;
                w.editions.push(e);
                batch.push(w);
                let day = date!(2000 - 01 - 01) + time::Duration::days(i64::from(n));
                readings.push(read_on(me, work, Some(day)));
                if n % 2 == 0 {
                    rated.push((me, work, Rating::from_halves(1 + i64::from(n % 10)).unwrap()));
                }
                works.push(work);
            }
            catalog::insert_new_works(&db, &batch).await.unwrap();
        }
        shelves::import_readings(&db, &readings).await.unwrap();
        ratings::insert_many(&db, &rated).await.unwrap();
        println!("10,000 books loaded in {:.1} s", started.elapsed().as_secs_f64());
        for path in [
            "/people/bookworm",
            "/people/bookworm/shelves/read",
            "/people/bookworm/shelves/read?sort=rating&page=300",
            "/people/bookworm/shelves/read?sort=title&view=list&page=417",
            "/people/bookworm/stats",
            "/people/bookworm/stats?year=2010",
            "/people/bookworm/year/2010",
            "/people/bookworm/reviews?page=200",
        ] {
            let t = std::time::Instant::now();
            let (status, html) = site.get_text(path).await;
            let first = t.elapsed();
            let t = std::time::Instant::now();
            site.get_text(path).await;
            println!("{path}: {} ms, again {} ms ({} KB)", first.as_millis(), t.elapsed().as_millis(), html.len() / 1024);
            assert_eq!(status, 200, "{path}");
        }
        let (_, html) = site.get_text("/people/bookworm").await;
        assert!(html.contains("10000 read"), "the count");
        let (_, stats) = site.get_text("/people/bookworm/stats").await;
        assert!(stats.contains("<dt>Books read</dt><dd>10,000</dd>"));
    }
}
