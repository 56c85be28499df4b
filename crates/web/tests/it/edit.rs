use super::site::Site;
use quire_domain::SiteRole;
use quire_storage::{Db, users};
use quire_testkit::BookBuilder;
use reqwest::Client;

/// Another browser on the same server, with its own cookies.
fn second(site: &Site) -> Site {
    Site {
        base: site.base.clone(),
        client: Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .unwrap(),
    }
}

async fn join_as(site: &Site, db: &Db, name: &str, role: SiteRole) {
    site.join(name).await;
    let u = users::by_username(db, name).await.unwrap().unwrap();
    users::set_role(db, u.user_id(), role).await.unwrap();
}

/// The `value` of the first hidden `version` input of a form page.
fn version(html: &str) -> String {
    html.split("name=\"version\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

quire_testkit::both_backends! {
    async fn a_librarian_edits_a_book_sees_it_in_the_history_and_reverts_it(db: Db) {
        let b = BookBuilder::new("The Pish").build(&db).await;
        let site = Site::start(db.clone()).await;
        join_as(&site, &db, "libby", SiteRole::Librarian).await;
        let (status, form) = site.get_text(&format!("/books/{}/edit", b.work)).await;
        assert_eq!(status, 200);
        assert!(form.contains("Save changes"));
        assert!(form.contains("value=\"Ashley Audrain\""));
        let v = version(&form);

        let r = site.post(&format!("/books/{}/edit", b.work), &[("version", &v), ("title", "The Push"), ("subtitle", "A Novel")]).await;
        assert_eq!(r.status(), 200);
        let (_, book) = site.get_text(&format!("/books/{}", b.work)).await;
        assert!(book.contains("The Push<span class=\"subtitle\">: A Novel</span>"), "book page not updated");
        assert!(book.contains(&format!("href=\"/books/{}/history\"", b.work)));

        let (_, history) = site.get_text(&format!("/books/{}/history", b.work)).await;
        assert!(history.contains("Edited the title, subtitle"));
        assert!(history.contains("removed: </span>The Pish</del>"));
        assert!(history.contains("added: </span>The Push</ins>"));
        assert!(history.contains("by libby"));
        let api: serde_json::Value = site.get(&format!("/api/v1/books/{}/history", b.work)).await.json().await.unwrap();
        assert_eq!(api["total"], 1);
        assert_eq!(api["items"][0]["fields"][0]["before"], "The Pish");
        assert_eq!(api["items"][0]["fields"][0]["after"], "The Push");
        let change = api["items"][0]["id"].as_str().unwrap().to_string();

        // A form drawn before that edit is stale: 409, and the typed value stays.
        let r = site.post(&format!("/books/{}/edit", b.work), &[("version", &v), ("title", "The Push: typed")]).await;
        assert_eq!(r.status(), 409);
        let html = r.text().await.unwrap();
        assert!(html.contains("Changed while you were editing"));
        assert!(html.contains("value=\"The Push: typed\""));

        let r = site.post(&format!("/books/{}/history/{change}/revert", b.work), &[]).await;
        assert_eq!(r.status(), 200);
        let (_, book) = site.get_text(&format!("/books/{}", b.work)).await;
        assert!(book.contains("<h1 itemprop=\"name\">The Pish</h1>"));
        let api: serde_json::Value = site.get(&format!("/api/v1/books/{}/history", b.work)).await.json().await.unwrap();
        assert_eq!(api["items"][0]["kind"], "revert");
        assert_eq!(api["items"][0]["reverts"], change.as_str());

        // JSON: a bad ISBN names its field; a good edit answers the new version.
        let editions = quire_storage::catalog::edit::editions_of(&db, b.work).await.unwrap();
        let r = site.client.patch(site.url(&format!("/api/v1/editions/{}", editions[0].0)))
            .header("sec-fetch-site", "same-origin")
            .json(&serde_json::json!({"version": 0, "isbn": "123"})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["field"], "isbn13");
        let r = site.client.patch(site.url(&format!("/api/v1/books/{}", b.work)))
            .header("sec-fetch-site", "same-origin")
            .json(&serde_json::json!({"version": 2, "subtitle": "A Novel", "first_published": "2021"})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["changed"], serde_json::json!(["subtitle", "first_published"]));
        assert_eq!(body["version"], 3);
    }

    async fn a_member_cannot_edit_directly_but_proposes_and_a_librarian_accepts(db: Db) {
        let b = BookBuilder::new("The Push").build(&db).await;
        let site = Site::start(db.clone()).await;
        join_as(&site, &db, "member", SiteRole::Member).await;
        let lib = second(&site);
        join_as(&lib, &db, "libby", SiteRole::Librarian).await;

        let r = site.client.patch(site.url(&format!("/api/v1/books/{}", b.work)))
            .header("sec-fetch-site", "same-origin")
            .json(&serde_json::json!({"version": 0, "title": "Vandal"})).send().await.unwrap();
        assert_eq!(r.status(), 403);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "forbidden");
        assert_eq!(site.post(&format!("/books/{}/lock", b.work), &[]).await.status(), 403);

        let (status, form) = site.get_text(&format!("/books/{}/edit", b.work)).await;
        assert_eq!(status, 200);
        assert!(form.contains("Propose this edit"));
        let r = site.post(&format!("/books/{}/edit", b.work), &[("version", "0"), ("title", "The Push"), ("subtitle", "A Novel"), ("note", "On the cover")]).await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("Your proposal is sent"));
        assert!(html.contains("Waiting for a librarian"));
        let (_, book) = site.get_text(&format!("/books/{}", b.work)).await;
        assert!(!book.contains("A Novel"), "a proposal changed the book before it was accepted");

        let (_, queue) = lib.get_text("/catalog/proposals").await;
        assert!(queue.contains("On the cover"));
        let id = queue.split("/catalog/proposals/").nth(1).unwrap().split('/').next().unwrap().to_string();
        assert_eq!(site.post(&format!("/catalog/proposals/{id}/accept"), &[]).await.status(), 403);
        let r = lib.post(&format!("/catalog/proposals/{id}/accept"), &[]).await;
        assert_eq!(r.status(), 200);
        let (_, book) = site.get_text(&format!("/books/{}", b.work)).await;
        assert!(book.contains("<span class=\"subtitle\">: A Novel</span>"));
        let (_, history) = site.get_text(&format!("/books/{}/history", b.work)).await;
        assert!(history.contains("by member (proposed; accepted by libby)"));
        let (_, mine) = site.get_text("/catalog/proposals").await;
        assert!(mine.contains("Accepted"));
    }

    async fn a_locked_book_refuses_edits_and_proposals_saying_who_locked_it(db: Db) {
        let b = BookBuilder::new("The Push").build(&db).await;
        let site = Site::start(db.clone()).await;
        join_as(&site, &db, "libby", SiteRole::Librarian).await;
        let member = second(&site);
        join_as(&member, &db, "member", SiteRole::Member).await;
        let admin = second(&site);
        join_as(&admin, &db, "boss", SiteRole::Admin).await;

        assert_eq!(site.post(&format!("/books/{}/lock", b.work), &[]).await.status(), 200);
        let (_, book) = member.get_text(&format!("/books/{}", b.work)).await;
        assert!(book.contains("Locked against edits by libby since"));
        let (_, history) = member.get_text(&format!("/books/{}/history", b.work)).await;
        assert!(history.contains("Locked the book against edits"));

        let r = site.post(&format!("/books/{}/edit", b.work), &[("version", "0"), ("title", "Other")]).await;
        assert_eq!(r.status(), 409);
        assert!(r.text().await.unwrap().contains("locked against edits by libby"));
        let r = member.post(&format!("/books/{}/edit", b.work), &[("version", "0"), ("title", "Other")]).await;
        assert_eq!(r.status(), 409);
        let (_, book) = member.get_text(&format!("/books/{}", b.work)).await;
        assert!(book.contains("<h1 itemprop=\"name\">The Push</h1>"));

        let r = admin.post(&format!("/books/{}/edit", b.work), &[("version", "0"), ("title", "The Push (admin)")]).await;
        assert_eq!(r.status(), 200);
        assert_eq!(site.post(&format!("/books/{}/unlock", b.work), &[]).await.status(), 200);
        let (_, book) = member.get_text(&format!("/books/{}", b.work)).await;
        assert!(!book.contains("Locked against edits"));
    }
}
