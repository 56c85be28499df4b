//! Librarians merge books and move editions from the web and the API; the
//! merged book's page and API address answer 301 to the survivor, whose
//! page counts agree with the rows that moved.

use super::site::Site;
use quire_domain::SiteRole;
use quire_storage::{catalog, users};
use quire_testkit::BookBuilder;
use reqwest::redirect::Policy;

async fn librarian(site: &Site, db: &quire_storage::Db, name: &str) {
    site.join(name).await;
    let u = users::by_username(db, name).await.unwrap().unwrap();
    users::set_role(db, u.user_id(), SiteRole::Librarian)
        .await
        .unwrap();
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

quire_testkit::both_backends! {
    async fn a_librarian_merges_two_pages_and_the_old_addresses_answer_301(db: Db) {
        let into = BookBuilder::new("American Gods").author("Neil Gaiman")
            .with_ratings(5).with_reviews(3).with_readers(1, 2).with_questions(1)
            .build(&db).await;
        let from = BookBuilder::new("American Gods: The Tenth Anniversary Edition").author("Neil Gaiman")
            .with_ratings(4).with_reviews(2).with_readers(0, 1).with_material().with_other_editions(1)
            .build(&db).await;
        let a = catalog::attached(&db, into.work).await.unwrap().unwrap();
        let b = catalog::attached(&db, from.work).await.unwrap().unwrap();
        let site = Site::start(db.clone()).await;

        // Visitors and members may not merge; nothing changes.
        let anon = no_redirects();
        let r = anon.post(site.url(&format!("/books/{}/merge", from.work)))
            .header("sec-fetch-site", "same-origin").form(&[("into", into.work.to_string())]).send().await.unwrap();
        assert_eq!(r.status(), 401);
        site.join("plainmember").await;
        let r = site.post(&format!("/books/{}/merge", from.work), &[("into", &into.work.to_string())]).await;
        assert_eq!(r.status(), 403);
        assert!(catalog::attached(&db, from.work).await.unwrap().is_some());
        let (_, html) = site.get_text(&format!("/books/{}", from.work)).await;
        assert!(!html.contains("Merge into another book"));

        let lib = Site::start(db.clone()).await;
        librarian(&lib, &db, "thelibrarian").await;
        let (status, html) = lib.get_text(&format!("/books/{}", from.work)).await;
        assert_eq!(status, 200);
        assert!(html.contains("Merge into another book…"));
        assert!(html.contains("Move this edition…"));
        // The form suggests the page with the same title and author.
        let (_, html) = lib.get_text(&format!("/books/{}/merge", from.work)).await;
        assert!(html.contains(&format!("?into={}", into.work)), "{html}");
        // A bad reference is named with its field.
        let (status, html) = lib.get_text(&format!("/books/{}/merge?into=nonsense", from.work)).await;
        assert_eq!(status, 200);
        assert!(html.contains("id=\"into-error\"") && html.contains("is not a book&#39;s id or address"), "{html}");
        // The confirmation shows both side by side with what will move.
        let (_, html) = lib.get_text(&format!("/books/{}/merge?into=/books/{}/american-gods", from.work, into.work)).await;
        assert!(html.contains("The book that stays") && html.contains("will be merged away"));
        assert!(html.contains(&format!("<dt>ratings</dt><dd>{}</dd>", b.ratings)));
        assert!(html.contains(&format!("<dt>ratings</dt><dd>{}</dd>", a.ratings)));

        let r = lib.post(&format!("/books/{}/merge", from.work), &[("into", &into.work.to_string())]).await;
        assert_eq!(r.status(), 200);
        assert!(r.url().path().starts_with(&format!("/books/{}", into.work)));
        let html = r.text().await.unwrap();
        let reviews = a.reviews + b.reviews;
        assert!(html.contains(&format!("Member reviews <span class=\"count\">({reviews} reviews)</span>")), "{html}");
        assert!(html.contains("2 other editions"));

        // Old addresses: pages, slugs with a query, and the API all answer 301.
        let r = anon.get(site.url(&format!("/books/{}", from.work))).send().await.unwrap();
        assert_eq!(r.status(), 301);
        assert_eq!(r.headers()["location"], format!("/books/{}", into.work));
        let r = anon.get(site.url(&format!("/books/{}/american-gods-tenth?page=2", from.work))).send().await.unwrap();
        assert_eq!(r.status(), 301);
        assert_eq!(r.headers()["location"], format!("/books/{}?page=2", into.work));
        let r = anon.get(site.url(&format!("/api/v1/books/{}", from.work))).send().await.unwrap();
        assert_eq!(r.status(), 301);
        assert_eq!(r.headers()["location"], format!("/api/v1/books/{}", into.work));
        // Followed, the API answers for the survivor with counts that agree.
        let v: serde_json::Value = site.get(&format!("/api/v1/books/{}", from.work)).await.json().await.unwrap();
        assert_eq!(v["id"], into.work.to_string());
        let after = catalog::attached(&db, into.work).await.unwrap().unwrap();
        assert_eq!(v["stats"]["rating_count"], after.ratings);
        assert_eq!(v["stats"]["review_count"], after.reviews);
        assert_eq!(after.ratings, a.ratings + b.ratings);
        assert_eq!(v["editions"].as_array().unwrap().len() as i64, a.editions + b.editions);
        // An id that never existed is still a plain 404.
        let r = anon.get(site.url(&format!("/books/{}", quire_domain::WorkId::new()))).send().await.unwrap();
        assert_eq!(r.status(), 404);

        // The duplicates page lists pairs; after the merge there are none.
        let (status, html) = lib.get_text("/catalog/duplicates").await;
        assert_eq!(status, 200);
        assert!(html.contains("0 pairs") && html.contains("No possible duplicates"), "{html}");
        let (status, _) = site.get_text("/catalog/duplicates").await;
        assert_eq!(status, 403);
    }

    async fn the_json_api_merges_and_moves_editions(db: Db) {
        let keep = BookBuilder::new("Ancillary Justice").author("Ann Leckie").with_other_editions(1).build(&db).await;
        let dup = BookBuilder::new("Ancillary Justice").author("Ann Leckie").with_ratings(2).build(&db).await;
        let sword = BookBuilder::new("Ancillary Sword").author("Ann Leckie").build(&db).await;
        let site = Site::start(db.clone()).await;
        librarian(&site, &db, "jsonlibrarian").await;
        let (status, html) = site.get_text("/catalog/duplicates").await;
        assert_eq!(status, 200);
        assert!(html.contains("1 pair") && html.contains(&format!("/books/{}/merge?into={}", dup.work, keep.work)), "{html}");
        let (status, _) = site.get_text("/catalog/duplicates?page=9").await;
        assert_eq!(status, 422);

        let r = site.client.post(site.url(&format!("/api/v1/books/{}/merge", dup.work)))
            .json(&serde_json::json!({"into": "not a book"})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["error"]["field"], "into");
        let r = site.client.post(site.url(&format!("/api/v1/books/{}/merge", dup.work)))
            .json(&serde_json::json!({"into": keep.work.to_string()})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["into"], keep.work.to_string());
        assert_eq!(catalog::attached(&db, keep.work).await.unwrap().unwrap().ratings, 2);

        // A mis-filed edition moves; the page of its new book lists it.
        let r = site.client.post(site.url(&format!("/api/v1/editions/{}/move", keep.edition)))
            .json(&serde_json::json!({"work": sword.work.to_string()})).send().await.unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(catalog::attached(&db, sword.work).await.unwrap().unwrap().editions, 2);
        let (status, html) = site.get_text(&format!("/editions/{}/move?work={}", sword.edition, keep.work)).await;
        assert_eq!(status, 200);
        assert!(html.contains("Will be under"));
        let r = site.post(&format!("/editions/{}/move", sword.edition), &[("work", &keep.work.to_string())]).await;
        assert_eq!(r.status(), 200);
        assert_eq!(catalog::attached(&db, sword.work).await.unwrap().unwrap().editions, 1);
    }
}
