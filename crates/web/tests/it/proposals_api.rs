//! Proposals over the JSON API, and a refused decision on the page shown
//! with its error beside the proposal instead of an error page.

use super::site::Site;
use quire_domain::SiteRole;
use quire_storage::{Db, roles, users};
use quire_testkit::BookBuilder;
use serde_json::{Value, json};

/// The `value` of the hidden `version` input of an edit form.
async fn version_of(site: &Site, path: &str) -> String {
    let (status, html) = site.get_text(path).await;
    assert_eq!(status, 200, "{path}");
    html.split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string()
}

/// A client of its own (its own cookies) on the running site.
fn client_of(site: &Site) -> Site {
    Site {
        base: site.base.clone(),
        client: reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .unwrap(),
    }
}

async fn librarian_and_member(db: &Db, site: &Site) -> (Site, Site) {
    let lib = client_of(site);
    lib.join("shelver").await;
    let id = users::by_username(db, "shelver")
        .await
        .unwrap()
        .unwrap()
        .user_id();
    roles::set_role(db, id, SiteRole::Librarian).await.unwrap();
    let mem = client_of(site);
    mem.join("reader").await;
    (lib, mem)
}

async fn propose(lib: &Site, mem: &Site, book: &str, subtitle: &str) {
    let v = version_of(lib, &format!("/books/{book}/edit")).await;
    let r = mem
        .post(
            &format!("/books/{book}/edit"),
            &[
                ("version", &v),
                ("title", "The Push"),
                ("subtitle", subtitle),
                ("note", "From the jacket."),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
}

async fn api(site: &Site, path: &str, body: Option<Value>) -> (u16, Value) {
    let r = match body {
        Some(b) => site
            .client
            .post(site.url(path))
            .json(&b)
            .send()
            .await
            .unwrap(),
        None => site.client.get(site.url(path)).send().await.unwrap(),
    };
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

quire_testkit::both_backends! {
    async fn proposals_are_listed_and_decided_over_the_json_api(db: Db) {
        let b = BookBuilder::new("The Push").build(&db).await;
        let site = Site::start(db.clone()).await;
        let (lib, mem) = librarian_and_member(&db, &site).await;
        let book = b.work.to_string();
        propose(&lib, &mem, &book, "A Novel").await;

        let (status, v) = api(&site, "/api/v1/catalog/proposals", None).await;
        assert_eq!((status, v["error"]["code"].as_str()), (401, Some("unauthenticated")));
        let (status, v) = api(&mem, "/api/v1/catalog/proposals", None).await;
        assert_eq!(status, 200);
        assert_eq!(v["open"].as_array().unwrap().len(), 0, "a member sees no one else's queue");
        assert_eq!(v["mine"][0]["status"], "open");
        let (status, v) = api(&lib, "/api/v1/catalog/proposals", None).await;
        assert_eq!(status, 200);
        let p = &v["open"][0];
        assert_eq!(p["work"], book.as_str());
        assert_eq!(p["note"], "From the jacket.");
        assert_eq!(p["changes"][0]["field"], "subtitle");
        let id = p["id"].as_str().unwrap().to_string();

        // A member may not decide; a decline needs a reason, named.
        let (status, v) = api(&mem, &format!("/api/v1/catalog/proposals/{id}/accept"), Some(json!({}))).await;
        assert_eq!((status, v["error"]["code"].as_str()), (403, Some("forbidden")));
        let (status, v) = api(&lib, &format!("/api/v1/catalog/proposals/{id}/decline"), Some(json!({"reason": " "}))).await;
        assert_eq!((status, v["error"]["code"].as_str(), v["error"]["field"].as_str()), (422, Some("invalid"), Some("reason")));
        let (status, v) = api(&lib, &format!("/api/v1/catalog/proposals/{id}/decline"), Some(json!({"reason": "Not on the title page."}))).await;
        assert_eq!((status, v["status"].as_str()), (200, Some("declined")));
        let (status, v) = api(&lib, &format!("/api/v1/catalog/proposals/{id}/accept"), Some(json!({}))).await;
        assert_eq!((status, v["error"]["code"].as_str()), (409, Some("conflict")), "already declined");
        let (_, v) = api(&mem, "/api/v1/catalog/proposals", None).await;
        assert_eq!((v["mine"][0]["status"].as_str(), v["mine"][0]["reason"].as_str()), (Some("declined"), Some("Not on the title page.")));

        // Accepted: applied, with its history entry.
        propose(&lib, &mem, &book, "A Novel in Three Parts").await;
        let (_, v) = api(&lib, "/api/v1/catalog/proposals", None).await;
        let id = v["open"][0]["id"].as_str().unwrap().to_string();
        let (status, v) = api(&lib, &format!("/api/v1/catalog/proposals/{id}/accept"), Some(json!({}))).await;
        assert_eq!((status, v["status"].as_str()), (200, Some("accepted")));
        let change = v["change"].as_str().unwrap().to_string();
        let (_, history) = api(&site, &format!("/api/v1/books/{book}/history"), None).await;
        assert_eq!(history["items"][0]["id"], change.as_str());
        let (_, page) = site.get_text(&format!("/books/{book}")).await;
        assert!(page.contains("A Novel in Three Parts"));

        // Withdrawing: only the proposer.
        propose(&lib, &mem, &book, "Withdrawn Subtitle").await;
        let (_, v) = api(&mem, "/api/v1/catalog/proposals", None).await;
        let id = v["mine"][0]["id"].as_str().unwrap().to_string();
        let (status, _) = api(&lib, &format!("/api/v1/catalog/proposals/{id}/withdraw"), Some(json!({}))).await;
        assert_eq!(status, 403);
        let (status, v) = api(&mem, &format!("/api/v1/catalog/proposals/{id}/withdraw"), Some(json!({}))).await;
        assert_eq!((status, v["status"].as_str()), (200, Some("withdrawn")));
    }

    async fn a_refused_decision_shows_the_list_with_the_error_beside_the_proposal(db: Db) {
        let b = BookBuilder::new("The Push").build(&db).await;
        let site = Site::start(db.clone()).await;
        let (lib, mem) = librarian_and_member(&db, &site).await;
        let book = b.work.to_string();
        propose(&lib, &mem, &book, "A Novel").await;
        let (_, v) = api(&lib, "/api/v1/catalog/proposals", None).await;
        let id = v["open"][0]["id"].as_str().unwrap().to_string();

        // Declined without a reason: the list, the error beside the field.
        let r = lib.post(&format!("/catalog/proposals/{id}/decline"), &[("reason", "")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("<h1>Proposed edits</h1>"), "the list, not an error page");
        let beside = html.split(&format!("id=\"reason-error-{id}\">")).nth(1).expect("an error beside the reason");
        assert!(beside.split("</p>").next().unwrap().contains("Say why the proposal is declined"));
        assert!(html.contains(&format!("aria-describedby=\"reason-error-{id}\"")));

        // The subtitle changed since it was proposed: accepting is refused
        // beside that proposal, naming the field.
        let v = version_of(&lib, &format!("/books/{book}/edit")).await;
        assert_eq!(lib.post(&format!("/books/{book}/edit"), &[("version", &v), ("title", "The Push"), ("subtitle", "Another")]).await.status(), 200);
        let r = lib.post(&format!("/catalog/proposals/{id}/accept"), &[]).await;
        assert_eq!(r.status(), 409);
        let html = r.text().await.unwrap();
        let beside = html.split(&format!("id=\"accept-error-{id}\">")).nth(1).expect("an error beside the proposal");
        assert!(beside.split("</p>").next().unwrap().contains("subtitle was changed since"), "{beside:.300}");
        let (_, v) = api(&lib, "/api/v1/catalog/proposals", None).await;
        assert_eq!(v["open"][0]["id"], id.as_str(), "still open");
    }
}
