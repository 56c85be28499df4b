//! A member's own books over the JSON API with a personal access token:
//! the review, the reading, the queue and their own shelves, with the same
//! checks and messages as the book page's reader box, and nothing changed
//! by a token without the scope.

use super::site::Site;
use quire_testkit::BookBuilder;
use reqwest::Client;
use serde_json::{Value, json};

async fn call(
    site: &Site,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = Client::new()
        .request(method.parse().unwrap(), site.url(path))
        .header("authorization", format!("Bearer {token}"));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

quire_testkit::both_backends! {
    async fn a_script_keeps_a_members_shelves_reading_and_review(db: Db) {
        let book = BookBuilder::new("The Remains of the Day").build(&db).await;
        let site = Site::start(db.clone()).await;
        site.join("stevens").await;
        let all = site.token(&["read", "reviews:write", "shelves:write"]).await;
        let read_only = site.token(&["read"]).await;
        let b = format!("/api/v1/books/{}", book.work);

        // The review, word for word; a token without the scope changes nothing.
        let body = "Restraint as a *tragedy*.\n\nThe last pier scene stays.";
        let (s, v) = call(&site, "PUT", &format!("{b}/review"), &all,
            Some(json!({"headline": "Quietly devastating", "body": body, "recommends": true}))).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["review"]["body"], body);
        assert_eq!(v["review"]["recommends"], true);
        let (s, v) = call(&site, "PUT", &format!("{b}/review"), &read_only,
            Some(json!({"body": "Overwritten?"}))).await;
        assert_eq!(s, 403);
        assert_eq!(v["error"]["code"], "insufficient_scope");
        // A review that would show nothing is refused, naming the field; the
        // saved one stays.
        let (s, v) = call(&site, "PUT", &format!("{b}/review"), &all, Some(json!({"body": "   "}))).await;
        assert_eq!(s, 422);
        assert_eq!(v["error"]["field"], "body");
        let (_, html) = site.get_text(&format!("/books/{}", book.work)).await;
        assert!(html.contains("Quietly devastating"), "the saved review is on the page");

        // Reading: a place by page, then finished with dates in the wrong order.
        let (s, v) = call(&site, "PUT", &format!("{b}/reading"), &all,
            Some(json!({"action": "progress", "unit": "percent", "value": "40"}))).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["done"], "progress");
        let (s, v) = call(&site, "PUT", &format!("{b}/reading"), &all,
            Some(json!({"action": "finish", "started_on": "2026-03-10", "finished_on": "2026-03-01"}))).await;
        assert_eq!(s, 422);
        assert_eq!(v["error"]["field"], "started_on");
        let (_, v) = call(&site, "GET", "/api/v1/me/shelves", &read_only, None).await;
        let reading = v["shelves"].as_array().unwrap().iter()
            .find(|s| s["slug"] == "currently-reading").unwrap();
        assert_eq!(reading["books"], 1, "{v}");

        // A shelf of one's own, and the book on it.
        let (s, v) = call(&site, "POST", "/api/v1/me/shelves", &all, Some(json!({"name": "Booker winners"}))).await;
        assert_eq!(s, 201, "{v}");
        let slug = v["slug"].as_str().unwrap().to_string();
        let (s, _) = call(&site, "PUT", &format!("{b}/shelves/{slug}"), &all, None).await;
        assert_eq!(s, 200);
        let (s, v) = call(&site, "PUT", &format!("{b}/shelves/no-such-shelf"), &all, None).await;
        assert_eq!(s, 404);
        assert!(v["error"]["message"].as_str().unwrap().contains("no-such-shelf"));
        let (_, v) = call(&site, "GET", "/api/v1/me/shelves", &read_only, None).await;
        let own = v["shelves"].as_array().unwrap().iter().find(|s| s["slug"] == slug.as_str()).unwrap();
        assert_eq!(own["name"], "Booker winners");
        assert_eq!(own["books"], 1);
        assert_eq!(v["reviews"], 1);

        // The queue, and the review deleted.
        let (s, _) = call(&site, "PUT", &format!("{b}/queue"), &all, None).await;
        assert_eq!(s, 200);
        let (_, v) = call(&site, "GET", "/api/v1/me/shelves", &read_only, None).await;
        let queue = v["shelves"].as_array().unwrap().iter().find(|s| s["slug"] == "want-to-read").unwrap();
        assert_eq!(queue["books"], 1);
        let (s, v) = call(&site, "DELETE", &format!("{b}/review"), &all, None).await;
        assert_eq!((s, v["deleted"].clone()), (200, json!(true)));
        let (_, v) = call(&site, "GET", "/api/v1/me/shelves", &read_only, None).await;
        assert_eq!(v["reviews"], 0);
    }
}
