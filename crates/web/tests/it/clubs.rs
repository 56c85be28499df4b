//! Clubs over HTTP: starting one (form and API, every wrong field at once),
//! the directory, joining by each policy, what a private and a secret club
//! show to outsiders, and the book page's club buttons.

use super::site::{Site, count};
use quire_storage::users;
use quire_testkit::BookBuilder;
use reqwest::Client;

/// Another visitor with cookies of their own on the same server.
fn visitor(site: &Site) -> Site {
    Site {
        base: site.base.clone(),
        client: Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .unwrap(),
    }
}

async fn start_club(site: &Site, name: &str, visibility: &str, join: &str) -> String {
    let r = site
        .post(
            "/clubs",
            &[
                ("name", name),
                ("description", &format!("{name} reads slowly.")),
                ("visibility", visibility),
                ("join_policy", join),
                ("time_zone", "Europe/London"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let url = r.url().path().to_string();
    let html = r.text().await.unwrap();
    assert!(html.contains("Your club is ready"), "{html}");
    url
}

quire_testkit::both_backends! {
    async fn an_organiser_starts_a_club_and_every_wrong_field_is_named(db: Db) {
        let site = Site::start(db).await;
        site.join("organiser").await;
        let (status, form) = site.get_text("/clubs/new").await;
        assert_eq!(status, 200);
        assert!(form.contains("Europe/London") && form.contains("Who can see it"));

        let r = site
            .post(
                "/clubs",
                &[("name", "x"), ("visibility", "hidden"), ("join_policy", "open"), ("time_zone", "Mars/Olympus")],
            )
            .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("3 fields need a change"), "{html}");
        assert!(html.contains("The name is too short; write at least 2 characters"), "{html}");
        assert!(html.contains("public, private or secret"));
        assert!(html.contains("Mars/Olympus"));

        let url = start_club(&site, "Tuesday Readers", "public", "open").await;
        assert_eq!(url, "/clubs/tuesday-readers");
        let (_, page) = site.get_text(&url).await;
        assert!(page.contains("<h1>Tuesday Readers</h1>"));
        assert!(page.contains("You are the owner"));
        assert!(page.contains("The club is between books"));

        // The API: every wrong field at once, then a club.
        let r = site
            .client
            .post(site.url("/api/v1/clubs"))
            .json(&serde_json::json!({"name": "", "join_policy": "sometimes"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid", "{body}");
        let r = site
            .client
            .post(site.url("/api/v1/clubs"))
            .json(&serde_json::json!({"name": "Night Owls", "visibility": "secret", "join_policy": "open"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["slug"], "night-owls");
        assert_eq!(body["role"], "owner");
        // A secret club is joined by invitation, whatever was asked.
        assert_eq!(body["join_policy"], "invite");
    }

    async fn outsiders_see_what_each_visibility_allows(db: Db) {
        let site = Site::start(db).await;
        site.join("owner").await;
        let public = start_club(&site, "Open Book", "public", "open").await;
        let private = start_club(&site, "Quiet Room", "private", "request").await;
        let secret = start_club(&site, "Hidden Shelf", "secret", "invite").await;

        let anon = visitor(&site);
        let (s, html) = anon.get_text(&public).await;
        assert_eq!(s, 200);
        assert!(html.contains("Reading now") && html.contains("Members"));
        assert!(html.contains("Sign in to join"));
        let (s, html) = anon.get_text(&private).await;
        assert_eq!(s, 200);
        assert!(html.contains("Members only"));
        assert!(!html.contains("Reading now"));
        let (s, html) = anon.get_text(&secret).await;
        let (s404, missing) = anon.get_text("/clubs/no-such-club").await;
        assert_eq!((s, s404), (404, 404));
        assert!(!html.contains("Hidden Shelf"));
        // Indistinguishable from a club that does not exist.
        assert_eq!(
            html.replace(&secret, "X").lines().filter(|l| !l.contains("request")).count(),
            missing.replace("/clubs/no-such-club", "X").lines().filter(|l| !l.contains("request")).count()
        );

        // The directory lists the public and private clubs only, for anyone.
        let (_, dir) = anon.get_text("/clubs").await;
        assert!(dir.contains("Open Book") && dir.contains("Quiet Room"));
        assert!(!dir.contains("Hidden Shelf"));
        let (_, found) = anon.get_text("/clubs?q=hidden").await;
        assert!(!found.contains("Hidden Shelf"));
        let api: serde_json::Value = anon.get("/api/v1/clubs?q=shelf").await.json().await.unwrap();
        assert_eq!(api["total"], 0);
        let api: serde_json::Value = anon.get(&format!("/api/v1{private}")).await.json().await.unwrap();
        assert_eq!(api["name"], "Quiet Room");
        assert!(api["contents"].is_null());
        assert_eq!(anon.get(&format!("/api/v1{secret}")).await.status(), 404);
        // The owner's directory has "Your clubs", the secret one included.
        let (_, mine) = site.get_text("/clubs").await;
        assert!(mine.contains("Your clubs") && mine.contains("Hidden Shelf"));

        // Joining: open at once; asking waits; invitation-only refuses.
        let reader = visitor(&site);
        reader.join("reader").await;
        let r = reader.post(&format!("{public}/join"), &[]).await;
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("Welcome to the club"));
        assert_eq!(reader.post(&format!("{private}/join"), &[]).await.status(), 403);
        let r = reader.post(&format!("{private}/request"), &[("message", "I love quiet books")]).await;
        assert!(r.text().await.unwrap().contains("Your request is sent"));
        let (_, html) = reader.get_text(&private).await;
        assert!(html.contains("You have asked to join"));
        assert_eq!(reader.post(&format!("{secret}/join"), &[]).await.status(), 404);
        let r = reader.post(&format!("{public}/leave"), &[]).await;
        assert!(r.text().await.unwrap().contains("You have left the club"));
        // The owner cannot leave their own club.
        assert_eq!(site.post(&format!("{public}/leave"), &[]).await.status(), 409);
    }

    async fn the_book_page_buttons_add_to_a_club_and_nominate(db: Db) {
        let b = BookBuilder::new("The Push").build(&db).await;
        let other = BookBuilder::new("Circe").build(&db).await;
        let site = Site::start(db.clone()).await;
        site.join("organiser").await;
        let club = start_club(&site, "Tuesday Readers", "public", "open").await;
        let member = visitor(&site);
        member.join("member").await;
        member.post(&format!("{club}/join"), &[]).await;

        // The book page's links lead to the forms.
        let (_, book) = site.get_text(&format!("/books/{}", b.work)).await;
        assert!(book.contains(&format!("/books/{}/clubs?list=selections", b.work)));
        let (s, forms) = site.get_text(&format!("/books/{}/clubs?list=selections", b.work)).await;
        assert_eq!(s, 200);
        assert!(forms.contains("Add to Tuesday Readers"), "{forms}");
        let (_, member_forms) = member.get_text(&format!("/books/{}/clubs?list=possible", b.work)).await;
        assert!(member_forms.contains("Only a club's organisers add books"));
        assert!(member_forms.contains("Nominate for Tuesday Readers"));

        let work = b.work.to_string();
        let r = site
            .post(
                &format!("{club}/selections"),
                &[("book", &work), ("status", "current"), ("starts_on", "2026-12-01"), ("ends_on", "2026-12-31"), ("chapter_count", "40")],
            )
            .await;
        let html = r.text().await.unwrap();
        assert!(html.contains("The book is on the club"), "{html}");
        assert!(html.contains("The Push") && html.contains("1 December 2026 – 31 December 2026"));
        // A member may not add to the list; an end before the start is named.
        let r = member.post(&format!("{club}/selections"), &[("book", &work), ("status", "upcoming")]).await;
        assert_eq!(r.status(), 403);
        let r = site
            .post(&format!("{club}/selections"), &[("book", &other.work.to_string()), ("starts_on", "2026-12-10"), ("ends_on", "2026-12-01")])
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("ends before it starts"));

        // A member nominates with a pitch; twice is refused by name.
        let circe = other.work.to_string();
        let r = member.post(&format!("{club}/nominations"), &[("book", &circe), ("pitch", "Gods, witches, and a good ending.")]).await;
        let html = r.text().await.unwrap();
        assert!(html.contains("Your nomination is added"));
        assert!(html.contains("Gods, witches, and a good ending."));
        let r = site.post(&format!("{club}/nominations"), &[("book", &circe)]).await;
        assert_eq!(r.status(), 409);
        let too_long = "a".repeat(601);
        let r = member.post(&format!("{club}/nominations"), &[("book", &work), ("pitch", &too_long)]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("601 characters"));

        // The book page counts the club and names it on its clubs page.
        let (_, book) = member.get_text(&format!("/books/{}", b.work)).await;
        assert!(book.contains("1 club reading this now"), "{}", &book[book.find("counts").unwrap_or(0)..][..400.min(book.len())]);
        let (_, clubs) = member.get_text(&format!("/books/{}/clubs", b.work)).await;
        assert!(clubs.contains("Tuesday Readers"));

        // The API shows the club's list.
        let api: serde_json::Value = member.get(&format!("/api/v1{club}")).await.json().await.unwrap();
        assert_eq!(api["contents"]["current"]["title"], "The Push");
        assert_eq!(api["contents"]["current"]["chapter_count"], 40);
        assert_eq!(api["contents"]["nominations"][0]["pitch"], "Gods, witches, and a good ending.");
        assert_eq!(count(&api.to_string(), "\"role\""), 3);

        // Finishing it makes it "read together" and counts on the book page.
        let id = api["contents"]["current"]["id"].as_str().unwrap().to_string();
        let r = site.post(&format!("{club}/selections/{id}"), &[("status", "finished")]).await;
        let html = r.text().await.unwrap();
        assert!(html.contains("Read together") && html.contains("Finished"));
        let (_, book) = member.get_text(&format!("/books/{}", b.work)).await;
        assert!(book.contains("1 club has read this"));
        let _ = users::by_username(&db, "member").await.unwrap().unwrap();
    }
}
