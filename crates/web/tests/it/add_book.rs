//! Adding books and editions from the web and the API, and posting
//! material with its source and verified mark.

use super::site::Site;
use quire_storage::{catalog, roles, users};
use quire_testkit::BookBuilder;
use serde_json::{Value, json};

quire_testkit::both_backends! {
    async fn a_rejected_form_shows_every_error_beside_its_field_and_keeps_the_values(db: Db) {
        let site = Site::start(db.clone()).await;
        let (status, _) = site.get_text("/books/new").await;
        assert_eq!(status, 401, "visitors are asked to sign in");
        site.join("ann").await;
        let (status, html) = site.get_text("/books/new").await;
        assert_eq!(status, 200);
        assert!(html.contains("<h1>Add a book</h1>"));
        let r = site.post("/books/new", &[
            ("title", ""),
            ("subtitle", "Kept subtitle"),
            ("contributor_name", "Ann Author"),
            ("contributor_role", "author"),
            ("isbn", "978-1-98488-167-1"),
            ("pages", "many"),
            ("published", "31 February 2022"),
            ("publisher", "Kept Press"),
        ]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("4 things need fixing"), "{html}");
        for (field, message) in [
            ("title", "Give the book&#39;s title."),
            ("isbn", "its check digit should be 0"),
            ("pages", "Pages is a whole number"),
            ("published", "is not a date"),
        ] {
            let beside = html.split(&format!("id=\"{field}-error\">")).nth(1)
                .unwrap_or_else(|| panic!("no error beside {field}"));
            assert!(beside.split("</p>").next().unwrap().contains(message), "{field}: {beside:.200}");
        }
        for kept in ["value=\"Kept subtitle\"", "value=\"Ann Author\"", "value=\"978-1-98488-167-1\"", "value=\"Kept Press\"", "value=\"31 February 2022\""] {
            assert!(html.contains(kept), "lost {kept}");
        }
        assert_eq!(catalog::count_works(&db).await.unwrap(), 0);
    }

    async fn a_member_is_shown_the_likely_book_and_joins_it_instead_of_a_duplicate(db: Db) {
        let b = BookBuilder::new("The Push").isbn("9781984881670").build(&db).await;
        let site = Site::start(db.clone()).await;
        site.join("ann").await;
        let form = [
            ("title", "the push"),
            ("contributor_name", "ASHLEY AUDRAIN"),
            ("contributor_role", "author"),
            ("format", "audiobook"),
            ("isbn", "9780735239555"),
            ("published", "March 2022"),
        ];
        let r = site.post("/books/new", &form).await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("Is it one of these?"));
        assert!(html.contains(&format!("value=\"{}\"", b.work)), "the existing book is offered");
        assert!(html.contains("This is one of these — add my edition to it"));
        assert!(html.contains("None of these: create a new book"));
        assert_eq!(catalog::count_works(&db).await.unwrap(), 1, "nothing made yet");

        let work = b.work.to_string();
        let mut join = form.to_vec();
        join.push(("decision", &work));
        let r = site.post("/books/new", &join).await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("Audiobook"), "the new edition is on the book's page");
        assert!(html.contains("March 2022"));
        assert_eq!(catalog::count_works(&db).await.unwrap(), 1);
        let changes = catalog::change_summaries(&db, b.work).await.unwrap();
        assert_eq!(changes[0].1, "Added an edition: Audiobook, ISBN 9780735239555");

        // An edition's contributors are its own: a narrator added here is
        // credited on that edition.
        let r = site.post(&format!("/books/{}/editions/new", b.work), &[("format", "audiobook"), ("contributor_name", "Nina Narrator"), ("contributor_role", "narrator")]).await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("Narrator: <a href=\"/authors/") && html.contains("/nina-narrator\">Nina Narrator</a>"));

        // The same ISBN again is a conflict that names the book.
        let r = site.post(&format!("/books/{}/editions/new", b.work), &[("format", "ebook"), ("isbn", "073523955X")]).await;
        assert_eq!(r.status(), 409);
        let html = r.text().await.unwrap();
        let beside = html.split("id=\"isbn-error\">").nth(1).unwrap();
        assert!(beside.contains("already in Quire") && beside.contains("The Push"), "{beside:.300}");

        // "None of these" makes a new book, kept in the history.
        let mut create = form.to_vec();
        create[4] = ("isbn", "");
        create.push(("decision", "create"));
        create.push(("series", "Family Sagas"));
        create.push(("series_number", "2"));
        let r = site.post("/books/new", &create).await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("Family Sagas, book 2"), "the new book's page");
        assert_eq!(catalog::count_works(&db).await.unwrap(), 2);
    }

    async fn the_api_adds_books_asks_about_duplicates_and_names_isbn_conflicts(db: Db) {
        let b = BookBuilder::new("The Push").isbn("9781984881670").build(&db).await;
        let site = Site::start(db.clone()).await;
        site.join("ann").await;
        let post = |body: Value| site.client.post(site.url("/api/v1/books")).json(&body).send();
        let r = post(json!({"title": "", "pages": 3, "isbn": "12", "contributors": []})).await.unwrap();
        assert_eq!(r.status(), 422);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], "invalid");
        let fields: Vec<&str> = v["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["title", "contributors", "isbn"]);

        let book = json!({"title": "The Push", "contributors": [{"name": "Ashley Audrain"}], "format": "ebook", "published": "4 March 2022"});
        let r = post(book.clone()).await.unwrap();
        assert_eq!(r.status(), 409);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], "possible_duplicates");
        assert_eq!(v["error"]["related"][0]["id"], b.work.to_string());

        let mut join = book.clone();
        join["join_work"] = json!(b.work.to_string());
        let r = post(join).await.unwrap();
        assert_eq!(r.status(), 201);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["work_id"], b.work.to_string());
        assert_eq!(v["new_work"], false);

        let mut create = book.clone();
        create["create_new"] = json!(true);
        create["isbn"] = json!("978-1-98488-167-0");
        let r = post(create).await.unwrap();
        assert_eq!(r.status(), 409);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], "conflict");
        assert!(v["error"]["message"].as_str().unwrap().contains("\"The Push\""));
        assert_eq!(catalog::count_works(&db).await.unwrap(), 1);
        let page: Value = site.client.get(site.url(&format!("/api/v1/books/{}", b.work))).send().await.unwrap().json().await.unwrap();
        assert_eq!(page["editions"].as_array().unwrap().len(), 2);
    }

    async fn material_shows_its_source_and_a_verified_mark(db: Db) {
        let b = BookBuilder::new("The Push").build(&db).await;
        let site = Site::start(db.clone()).await;
        site.join("audrain").await;
        let id = users::by_username(&db, "audrain").await.unwrap().unwrap().user_id();
        let (c, _) = roles::contributor_by_name(&db, "Ashley Audrain").await.unwrap().unwrap();
        roles::grant_contributor(&db, id, c, None).await.unwrap();
        let r = site.post(&format!("/books/{}/material", b.work), &[("kind", "author_note"), ("body", "Dear **clubs**, thank you.")]).await;
        assert_eq!(r.status(), 200);
        let member = Site { base: site.base.clone(), client: reqwest::Client::builder().cookie_store(true).build().unwrap() };
        member.join("bea").await;
        let r = member.post(&format!("/books/{}/material", b.work), &[("kind", "blurb"), ("body", "A book my club loved."), ("attribution", "Our club")]).await;
        assert_eq!(r.status(), 200);
        let (_, html) = Site { base: site.base.clone(), client: reqwest::Client::new() }.get_text(&format!("/books/{}", b.work)).await;
        assert!(html.contains("Dear <strong>clubs</strong>, thank you."));
        assert!(html.contains("From the author ✓ verified"), "the author's note is marked");
        assert!(html.contains("From a member, bea"), "a member's blurb names them");
        assert!(!html.contains("From a member, bea ✓"), "and has no mark");
        let api: Value = site.client.get(site.url(&format!("/api/v1/books/{}", b.work))).send().await.unwrap().json().await.unwrap();
        let note = api["material"].as_array().unwrap().iter().find(|m| m["kind"] == "author_note").unwrap();
        assert_eq!((note["source"].as_str(), note["verified"].as_bool()), (Some("author"), Some(true)));
        // Contributors are offered by name for the form's list.
        let r = site.client.get(site.url("/contributors/search?q=audr")).send().await.unwrap();
        assert!(r.text().await.unwrap().contains("<option value=\"Ashley Audrain\">"));
    }
}
