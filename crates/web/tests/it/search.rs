//! Search from the site header: case and accents folded in any script, and
//! control characters never match everything.

use super::site::Site;
use quire_testkit::BookBuilder;

quire_testkit::both_backends! {
    async fn search_finds_books_whatever_their_case_accents_or_script(db: Db) {
        BookBuilder::new("My Ántonia").build(&db).await;
        BookBuilder::new("Война и мир").build(&db).await;
        BookBuilder::new("Something else").build(&db).await;
        let site = Site::start(db).await;
        for q in ["My%20%C3%81ntonia", "my%20antonia", "MY%20%C3%81NTONIA"] {
            let (status, html) = site.get_text(&format!("/search?q={q}")).await;
            assert_eq!(status, 200);
            assert!(html.contains("My Ántonia</"), "{q}");
            assert!(!html.contains("Something else"), "{q}");
        }
        let (_, html) = site.get_text("/search?q=%D0%92%D0%BE%D0%B9%D0%BD%D0%B0").await;
        assert!(html.contains("Война и мир"));
        let (status, html) = site.get_text("/search?q=%00").await;
        assert_eq!(status, 200);
        assert!(!html.contains("My Ántonia") && !html.contains("Something else"), "a NUL matches nothing");
    }
}

/// Waits for the server's first build of the search index.
async fn index_ready(site: &Site) {
    for _ in 0..200 {
        let v: serde_json::Value = site
            .client
            .get(site.url("/api/v1/search?q=x"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if v["index"] == "ready" {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the search index was not built within 10 s");
}

async fn api(site: &Site, q: &str) -> serde_json::Value {
    site.client
        .get(site.url("/api/v1/search"))
        .query(&[("q", q)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn titles(v: &serde_json::Value, kind: &str) -> Vec<String> {
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["kind"] == kind)
        .map(|h| h["title"].as_str().unwrap().to_string())
        .collect()
}

quire_testkit::both_backends! {
    async fn the_index_forgives_typos_ranks_an_authors_own_books_first_and_keeps_up(db: Db) {
        BookBuilder::new("Pride and Prejudice").author("Jane Austen").isbn("9780141439518").with_ratings(12).build(&db).await;
        BookBuilder::new("Emma").author("Jane Austen").with_ratings(8).build(&db).await;
        BookBuilder::new("Sense and Sensibility").author("Jane Austen").with_ratings(6).build(&db).await;
        // More popular than any of hers, and "Austen" is in its title.
        BookBuilder::new("Austenland").author("Shannon Hale").with_ratings(20).build(&db).await;
        BookBuilder::new("Prejudice and Pride in Boston").author("Someone Else").build(&db).await;
        let site = Site::start(db.clone()).await;
        index_ready(&site).await;

        // A typo finds the book, first.
        let (status, html) = site.get_text("/search?q=pride%20and%20prejudce").await;
        assert_eq!(status, 200);
        let first = html.split("<ul class=\"cards\">").nth(1).unwrap();
        assert!(first.trim_start().contains("Pride and Prejudice"), "{html}");
        let first_card = first.split("</li>").next().unwrap();
        assert!(first_card.contains("Pride and Prejudice"), "the first card is {first_card}");
        assert!(html.contains("matched with a letter or two changed"), "the page says a typo was forgiven");

        // The author's own books before a book with her name in its title.
        let v = api(&site, "austen").await;
        let books = titles(&v, "book");
        let hale = books.iter().position(|t| t == "Austenland").expect("Austenland is found");
        for t in ["Pride and Prejudice", "Emma", "Sense and Sensibility"] {
            let at = books.iter().position(|b| b == t).unwrap_or_else(|| panic!("{t} is not found: {books:?}"));
            assert!(at < hale, "{t} ranks after Austenland: {books:?}");
        }
        assert_eq!(titles(&v, "author").first().map(String::as_str), Some("Jane Austen"), "{v}");

        // Completion as you type, and an ISBN straight to its book.
        let s: serde_json::Value = site.client.get(site.url("/api/v1/search/suggest")).query(&[("q", "pride and prej")]).send().await.unwrap().json().await.unwrap();
        assert_eq!(s[0]["text"], "Pride and Prejudice", "{s}");
        let (_, options) = site.get_text("/search/suggest?q=sense%20and%20sen").await;
        assert!(options.contains("<option value=\"Sense and Sensibility\">"), "{options}");
        let r = site.get("/search?q=978-0-14-143951-8").await;
        assert!(r.url().path().starts_with("/books/"), "{}", r.url());

        // A book added after the start is found within a few seconds.
        BookBuilder::new("Northanger Abbey").author("Jane Austen").build(&db).await;
        let mut found = false;
        for _ in 0..100 {
            if titles(&api(&site, "northanger").await, "book").contains(&"Northanger Abbey".to_string()) {
                found = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(found, "a new book never reached the index");

        // A facet narrows the results and says how many each value has.
        let v = api(&site, "jane austen").await;
        let decades = v["facets"]["decade"].as_array().unwrap();
        assert!(!decades.is_empty(), "{v}");
        let kind_filter = site.client.get(site.url("/api/v1/search")).query(&[("q", "austen"), ("kind", "club")]).send().await.unwrap();
        assert_eq!(kind_filter.status(), 200);
        let bad = site.client.get(site.url("/api/v1/search")).query(&[("q", "austen"), ("kind", "everything")]).send().await.unwrap();
        assert_eq!(bad.status(), 422);
    }
}

quire_testkit::both_backends! {
    async fn the_index_follows_new_books_and_merges(db: Db) {
        let a = BookBuilder::new("The Left Hand of Darkness").author("Ursula K. Le Guin").build(&db).await;
        let search = quire_web::search::Search::open(None);
        let built = quire_web::search::rebuild(&db, &search).await.unwrap();
        assert_eq!((built.books, built.authors), (1, 1));
        let find = |q: &str| {
            let r = search.index().search(&quire_search::Query::new(q)).unwrap();
            r.hits.iter().filter(|h| h.kind == quire_search::Kind::Book).map(|h| h.id.clone()).collect::<Vec<_>>()
        };
        assert_eq!(find("left hand darknes"), vec![a.work.to_string()]);

        // A new book, and the first merged into it.
        let b = BookBuilder::new("The Dispossessed").author("Ursula K. Le Guin").build(&db).await;
        assert!(find("dispossessed").is_empty());
        // (The first may come again: changes are kept to the second, and it
        // was made in the second the rebuild started.)
        let n = quire_web::search::sync_works(&db, &search).await.unwrap();
        assert!((1..=2).contains(&n), "{n}");
        assert_eq!(find("dispossessed"), vec![b.work.to_string()]);
        let librarian = quire_testkit::member(&db, "libby").await;
        quire_storage::catalog::merge_works(&db, a.work, b.work, librarian).await.unwrap();
        quire_web::search::sync_works(&db, &search).await.unwrap();
        assert!(find("left hand darkness").is_empty(), "a merged-away work stays in the index");
        // Nothing new: nothing is written.
        assert_eq!(quire_web::search::sync_works(&db, &search).await.unwrap(), 0);
    }
}

/// The `meta.json` of an index with one text field: a layout no version of
/// Quire has, standing for an older one.
const OTHER_LAYOUT: &str = r#"{"index_settings":{"docstore_compression":"lz4","docstore_blocksize":16384},"segments":[],"schema":[{"name":"title","type":"text","options":{"indexing":{"record":"basic","fieldnorms":true,"tokenizer":"default"},"stored":true,"fast":false}}],"opstamp":0}"#;

quire_testkit::both_backends! {
    async fn an_index_of_an_older_layout_is_replaced_on_disk(db: Db) {
        let book = BookBuilder::new("The Left Hand of Darkness").author("Ursula K. Le Guin").build(&db).await;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("meta.json"), OTHER_LAYOUT).unwrap();
        assert!(matches!(
            quire_search::SearchIndex::open(dir.path()),
            Err(quire_search::SearchError::Incompatible(_))
        ));

        let search = quire_web::search::Search::open(Some(dir.path()));
        quire_web::search::rebuild(&db, &search).await.unwrap();
        let hits = search.index().search(&quire_search::Query::new("left hand darknes")).unwrap().hits;
        assert_eq!(hits.first().map(|h| h.id.clone()), Some(book.work.to_string()));
        // The rebuilt index is the one on disk, not one kept in memory.
        let reopened = quire_search::SearchIndex::open(dir.path()).unwrap();
        assert!(reopened.num_docs() >= 1, "{}", reopened.num_docs());
    }
}

async fn account(db: &quire_storage::Db, username: &str) -> quire_domain::UserId {
    quire_storage::users::by_username(db, username)
        .await
        .unwrap()
        .unwrap()
        .user_id()
}

quire_testkit::both_backends! {
    async fn members_are_found_by_name(db: Db) {
        quire_storage::users::create(
            &db,
            &quire_storage::users::NewUser {
                id: quire_domain::UserId::new(),
                username: "mina",
                display_name: "Wilhelmina Harker",
                password_hash: None,
                role: quire_domain::SiteRole::Member,
                is_demo: false,
            },
        )
        .await
        .unwrap();
        let site = Site::start(db.clone()).await;
        index_ready(&site).await;
        let v = api(&site, "wilhelmina").await;
        let found = titles(&v, "member");
        assert_eq!(found.len(), 1, "{v}");
        assert_eq!(found[0], "Wilhelmina Harker (@mina)");
        let (_, html) = site.get_text("/search?q=harker").await;
        assert!(html.contains("href=\"/people/mina\""), "{html}");
    }

    async fn discussions_are_searched_within_each_members_clubs_and_place(db: Db) {
        use quire_domain::{Anchor, ClubName, JoinPolicy, SelectionStatus, Visibility};
        use quire_storage::clubs::{self, NewClub, discussion, members, selections};

        let owner = Site::start(db.clone()).await;
        owner.join("keeper").await;
        let early = owner.another("early").await;
        let outsider = owner.another("outsider").await;
        let keeper = account(&db, "keeper").await;
        let (club, slug) = clubs::create(
            &db,
            keeper,
            &NewClub {
                name: &ClubName::parse("Lamplighters").unwrap(),
                description: "",
                visibility: Visibility::Public,
                join_policy: JoinPolicy::Open,
                time_zone: "UTC",
            },
        )
        .await
        .unwrap();
        members::join(&db, club, account(&db, "early").await).await.unwrap();
        let book = BookBuilder::new("To the Lighthouse").build(&db).await;
        let sel = selections::add(
            &db,
            club,
            keeper,
            &selections::NewSelection {
                work: book.work,
                status: SelectionStatus::Current,
                starts_on: None,
                ends_on: None,
                chapter_count: Some(20),
            },
        )
        .await
        .unwrap();
        for (title, body, anchor) in [
            ("Opening thoughts", "The lighthouse is there from the first page.", Anchor::Start),
            ("Ten years pass", "So the lighthouse trip finally happens, and James is grown.", Anchor::Chapter(12)),
        ] {
            discussion::start_thread(
                &db,
                club,
                sel,
                keeper,
                &discussion::NewThread { title, body, body_html: body, anchor },
            )
            .await
            .unwrap();
        }
        let here = format!("/clubs/{slug}/selections/{sel}/position");
        let r = owner.post(&here, &[("unit", "finished"), ("value", "")]).await;
        assert_eq!(r.status(), 200);
        let r = early.post(&here, &[("unit", "chapter"), ("value", "2")]).await;
        assert_eq!(r.status(), 200);

        // The organiser has finished: both threads, with the words around the match.
        let (_, html) = owner.get_text("/search?q=LIGHTHOUSE%20trip").await;
        assert!(html.contains("In your clubs"), "{html}");
        assert!(html.contains("Ten years pass"), "{html}");
        assert!(html.contains("So the lighthouse trip finally happens"), "{html}");
        // A member at chapter 2 finds only what is open to her: not even the
        // later thread's title comes back.
        let (_, html) = early.get_text("/search?q=lighthouse").await;
        assert!(html.contains("Opening thoughts"), "{html}");
        assert!(!html.contains("Ten years pass"), "{html}");
        assert!(!html.contains("James is grown"), "{html}");
        // Someone outside the club finds none of its discussion.
        let (_, html) = outsider.get_text("/search?q=lighthouse").await;
        assert!(!html.contains("Opening thoughts") && !html.contains("In your clubs"), "{html}");
    }
}
