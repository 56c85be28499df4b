use super::site::{Site, count, counted_config};
use quire_storage::book_page::{BOOK_PAGE_QUERIES, READER_VIEW_QUERIES};
use quire_testkit::BookBuilder;

quire_testkit::both_backends! {
    async fn a_book_with_40_reviews_shows_every_element_of_the_book_page(db: Db) {
        let b = BookBuilder::new("The Push")
            .subtitle("A Novel")
            .isbn("9781984881670")
            .with_reviews(40)
            .with_ratings(60)
            .with_readers(5, 7)
            .with_questions(11)
            .with_blurbs(2)
            .with_material()
            .build(&db)
            .await;
        let site = Site::start(db).await;
        let (status, html) = site.get_text(&format!("/books/{}", b.work)).await;
        assert_eq!(status, 200);
        for expected in [
            "<h1 itemprop=\"name\">The Push<span class=\"subtitle\">: A Novel</span></h1>",
            "itemprop=\"author\">Ashley Audrain</a>",
            "<dt>Published</dt><dd>4 January 2022</dd>",
            "Paperback · 352 pages",
            "<span itemprop=\"isbn\">9781984881670</span> · ISBN-10 1984881671",
            "No other editions available.",
            "<p class=\"jump-label\" aria-hidden=\"true\">Jump to</p>",
            "5 members reading this now",
            "0 clubs reading this now",
            "7 members have read this book",
            "Recommended to book clubs by 20 of 30 members",
            "Overall rating",
            "<span class=\"big\">2.75</span> out of 5 · 60 ratings",
            "Sign in to rate this book",
            "<a class=\"button primary\" href=\"/login?next=/books/",
            ">Want to read</a>",
            "Add to Possible Club Selections",
            "Add to Club Selections",
            "id=\"praise\"",
            "<figcaption>— Critic 1</figcaption>",
            "id=\"description\"",
            "id=\"editorial-review\"",
            "id=\"excerpt\"",
            "id=\"author-notes\"",
            "Notes from the author to book clubs",
            "From the author",
            "Question 11 about the book?",
            "Member reviews <span class=\"count\">(40 reviews)</span>",
            "<summary>This review reveals the plot. Show it</summary>",
            "<h3>Headline 39</h3>",
            "Psychological fiction",
        ] {
            assert!(html.contains(expected), "missing {expected:?}");
        }
        // The seed's defects: no raw timestamp, no heading without content.
        assert!(!html.contains("T00:0"));
        assert!(!html.contains("Currently Available"));
        // Every question shows its source; the ratings histogram adds up.
        let questions = html.split("id=\"questions\"").nth(1).unwrap().split("</section>").next().unwrap();
        assert_eq!(count(questions, "<p class=\"source\">From the publisher"), 11);
        assert_eq!(count(&html, "<li class=\"review\""), 10);
        let bars: Vec<i64> = html
            .split("<td><svg class=\"bar\"")
            .skip(1)
            .map(|s| s.split("</svg></td><td>").nth(1).unwrap().split('<').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(bars.len(), 5);
        assert_eq!(bars.iter().sum::<i64>(), 60);
        // Jump links point at sections that exist.
        let jump = html.split("<nav class=\"jump\"").nth(1).unwrap().split("</nav>").next().unwrap();
        for anchor in jump.split("href=\"#").skip(1).map(|s| s.split('"').next().unwrap()) {
            assert!(html.contains(&format!("id=\"{anchor}\"")), "jump target {anchor} missing");
        }

        // Reviews are paged: four pages of ten, newest first, every review once.
        let mut seen = std::collections::HashSet::new();
        for page in 1..=4 {
            let (_, html) = site.get_text(&format!("/books/{}?page={page}", b.work)).await;
            for id in html.split("<li class=\"review\" id=\"review-").skip(1) {
                seen.insert(id.split('"').next().unwrap().to_string());
            }
            assert!(html.contains(&format!("<span aria-current=\"page\">{page}</span>")));
        }
        assert_eq!(seen.len(), 40);
    }

    async fn a_demo_like_book_with_little_material_says_so_plainly(db: Db) {
        let b = BookBuilder::new("Sparse").with_other_editions(2).build(&db).await;
        let site = Site::start(db).await;
        let (_, html) = site.get_text(&format!("/books/{}", b.work)).await;
        assert!(html.contains("Not yet on Quire for this book: description, editorial review, excerpt, notes from the author."));
        assert!(!html.contains("id=\"praise\""));
        assert!(!html.contains("id=\"description\""));
        assert!(html.contains("No ratings yet."));
        assert!(html.contains("No member has reviewed this book yet."));
        assert!(html.contains("No discussion questions yet."));
        assert!(html.contains("2 other editions"));
        assert!(!html.contains("No other editions available."));
        assert!(html.contains("Member reviews <span class=\"count\">(0 reviews)</span>"));
    }

    async fn the_page_runs_a_fixed_number_of_queries(db: Db) {
        // Small still has a second page of reviews: a page past the last is an error.
        let small = BookBuilder::new("Small").with_reviews(11).with_ratings(1).build(&db).await;
        let big = BookBuilder::new("Big").with_reviews(40).with_ratings(60).with_questions(11).with_material().build(&db).await;
        let config = quire_web::Config { page_cache: false, ..counted_config() };
        let site = Site::start_with(db.clone(), config).await;
        let mut anonymous = Vec::new();
        for w in [small.work, big.work] {
            let before = db.queries_run();
            assert_eq!(site.get(&format!("/books/{w}")).await.status(), 200);
            anonymous.push(db.queries_run() - before);
        }
        assert_eq!(anonymous, vec![BOOK_PAGE_QUERIES; 2]);
        site.join("counter").await;
        let mut signed_in = Vec::new();
        for w in [small.work, big.work] {
            let before = db.queries_run();
            assert_eq!(site.get(&format!("/books/{w}?page=2")).await.status(), 200);
            signed_in.push(db.queries_run() - before);
        }
        // + the session with the reader's own state (one statement)
        assert_eq!(signed_in, vec![BOOK_PAGE_QUERIES + READER_VIEW_QUERIES; 2]);
    }

    async fn a_cached_page_costs_one_query_and_never_goes_stale(db: Db) {
        let b = BookBuilder::new("Cached").with_reviews(3).with_ratings(3).build(&db).await;
        let site = Site::start_with(db.clone(), counted_config()).await;
        let path = format!("/books/{}", b.work);
        site.get(&path).await;
        let before = db.queries_run();
        let (_, html) = site.get_text(&path).await;
        assert_eq!(db.queries_run() - before, 1);
        assert!(html.contains("3 ratings"));
        site.join("rater").await;
        let r = site.post(&format!("/books/{}/rating", b.work), &[("stars", "4.5")]).await;
        assert_eq!(r.status(), 200);
        let (_, html) = site.get_text(&path).await;
        assert!(html.contains("4 ratings"), "the cached page was not refreshed");
    }

    async fn rating_and_shelving_with_htmx_answer_with_the_changed_fragment(db: Db) {
        let b = BookBuilder::new("Fragment").build(&db).await;
        let site = Site::start(db).await;
        site.join("fragmenter").await;
        let r = site.post_htmx(&format!("/books/{}/rating", b.work), &[("stars", "3.5")]).await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("(you gave 3.5 stars)"));
        assert!(html.contains("1 rating"));
        let r = site.post_htmx(&format!("/books/{}/queue", b.work), &[("action", "add")]).await;
        let html = r.text().await.unwrap();
        assert!(html.starts_with("<section id=\"activity\""), "{html}");
        assert!(html.contains("#1 in your queue"));
        assert!(html.contains("<p class=\"flash\">Added to Want to read.</p>"));
        let r = site.post_htmx(&format!("/books/{}/reading", b.work), &[("action", "start")]).await;
        let html = r.text().await.unwrap();
        assert!(html.contains("✓</span> Reading<span"), "{html}");
        assert!(html.contains("1 member reading this now"));
        assert!(!html.contains("in your queue"), "starting a book takes it off the queue");
        let r = site
            .post_htmx(&format!("/books/{}/reading", b.work), &[("action", "progress"), ("unit", "page"), ("value", "176"), ("edition", &b.edition.to_string())])
            .await;
        let html = r.text().await.unwrap();
        assert!(html.contains("Reading · 50%"), "{html}");
        let (_, profile) = site.get_text("/people/fragmenter").await;
        assert!(profile.contains("1 currently reading"));
        assert!(profile.contains("Reading · p. 176 of 352 (50%)"));
        // The same forms work without JavaScript: a redirect back to the page.
        let r = site.post(&format!("/books/{}/reading", b.work), &[("action", "finish")]).await;
        assert_eq!(r.status(), 200);
        assert!(r.url().path().starts_with(&format!("/books/{}", b.work)));
        assert!(r.text().await.unwrap().contains("1 member has read this book"));
    }

    async fn reviews_questions_and_votes_round_trip(db: Db) {
        let b = BookBuilder::new("Discussed").build(&db).await;
        let site = Site::start(db).await;
        site.join("reviewer").await;
        let path = format!("/books/{}", b.work);
        let r = site.post(&format!("{path}/review"), &[("headline", "Dark and true"), ("body", "A *brave* book.\n\nSecond paragraph."), ("recommends", "yes")]).await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("<h3>Dark and true</h3>"));
        assert!(html.contains("<p>A <em>brave</em> book.</p>"));
        assert!(html.contains("Recommended to book clubs by 1 of 1 member"));
        assert!(html.contains("Save changes"), "the form offers to edit the review");
        site.post(&format!("{path}/review"), &[("body", "Changed my mind."), ("recommends", "no"), ("spoiler", "on")]).await;
        let (_, html) = site.get_text(&path).await;
        assert!(html.contains("(1 review)"));
        assert!(html.contains("Recommended to book clubs by 0 of 1 member"));
        assert!(html.contains("<details class=\"spoiler\">"));
        let r = site.post(&format!("{path}/questions"), &[("body", "Would you trust Blythe as a narrator?")]).await;
        let html = r.text().await.unwrap();
        assert!(html.contains("Would you trust Blythe as a narrator?"));
        assert!(html.contains("Added by reviewer"));
        let qid = html.split("/questions/").nth(1).unwrap().split('/').next().unwrap().to_string();
        let html = site.post(&format!("/questions/{qid}/vote"), &[("up", "true")]).await.text().await.unwrap();
        assert!(html.contains("1 vote"));
        assert!(html.contains("Take back my vote"));
        let html = site.post(&format!("{path}/review/delete"), &[]).await.text().await.unwrap();
        assert!(html.contains("(0 reviews)"));
    }

    async fn the_json_api_returns_the_same_book_and_looks_books_up(db: Db) {
        let b = BookBuilder::new("The Push").isbn("9781984881670").with_reviews(4).with_ratings(6).build(&db).await;
        let site = Site::start(db).await;
        let v: serde_json::Value = site.get(&format!("/api/v1/books/{}", b.work)).await.json().await.unwrap();
        assert_eq!(v["title"], "The Push");
        assert_eq!(v["stats"]["rating_count"], 6);
        assert_eq!(v["stats"]["review_count"], 4);
        assert_eq!(v["reviews"].as_array().unwrap().len(), 4);
        assert_eq!(v["editions"][0]["published_display"], "4 January 2022");
        assert_eq!(v["editions"][0]["isbn10"], "1984881671");
        for q in ["isbn=978-1-9848-8167-0", "isbn=1984881671", "title=push"] {
            let v: serde_json::Value = site.get(&format!("/api/v1/books?{q}")).await.json().await.unwrap();
            let r = &v["results"][0];
            assert_eq!(r["id"], b.work.to_string(), "{q}");
            assert_eq!(r["authors"][0], "Ashley Audrain");
            assert!(r["url"].as_str().unwrap().starts_with(&format!("/books/{}", b.work)));
        }
        // The HTML lookup goes straight to the book for a known ISBN.
        let r = site.get("/search?q=9781984881670").await;
        assert!(r.url().path().starts_with(&format!("/books/{}", b.work)));
    }
}
