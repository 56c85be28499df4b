//! The documented API: personal access tokens and their scopes, the error
//! shape, cursor paging, the OpenAPI document (a snapshot, and a check
//! that every `/api/v1` route the router serves is in it) and the API page.

use super::site::Site;
use quire_domain::{SiteRole, UserId};
use quire_storage::now;
use quire_storage::reviews::{self, ReviewInput};
use quire_storage::tokens::{self, NewToken};
use quire_storage::users::{self, NewUser};
use quire_testkit::BookBuilder;
use reqwest::Client;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// Make a token on the token page as the signed-in member; its secret.
async fn make_token(site: &Site, name: &str, scopes: &[&str]) -> String {
    let mut form: Vec<(&str, &str)> = vec![("name", name), ("expires", "30")];
    form.extend(scopes.iter().map(|s| ("scope", *s)));
    let r = site.post("/account/tokens", &form).await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    let secret = html
        .split("quire_pat_")
        .nth(1)
        .map(|rest| format!("quire_pat_{}", &rest[..64]))
        .unwrap();
    assert!(html.contains("cannot show it again"));
    secret
}

/// A client with no cookies, as a script would be; `token` empty sends
/// none (a visitor).
async fn call(
    method: &str,
    site: &Site,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let c = Client::new();
    let mut req = c.request(method.parse().unwrap(), site.url(path));
    if !token.is_empty() {
        req = req.header("authorization", format!("Bearer {token}"));
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn club_count(site: &Site) -> u64 {
    let (status, v) = call("GET", site, "/api/v1/clubs", "", None).await;
    assert_eq!(status, 200, "{v}");
    v["total"].as_u64().unwrap()
}

quire_testkit::both_backends! {
    async fn a_token_acts_as_its_member_within_its_scopes(db: Db) {
        let book = BookBuilder::new("The Dispossessed").build(&db).await;
        let site = Site::start(db.clone()).await;
        site.join("maya").await;
        let secret = make_token(&site, "rating script", &["read", "reviews:write"]).await;
        let rating = format!("/api/v1/books/{}/rating", book.work);

        // A write inside the scopes, from a client with no cookie and, on
        // purpose, a browser's cross-site headers: the token is enough.
        let c = Client::new();
        let r = c
            .post(site.url(&rating))
            .header("authorization", format!("Bearer {secret}"))
            .header("origin", "https://elsewhere.example")
            .header("sec-fetch-site", "cross-site")
            .json(&json!({"stars": 4.5}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let (status, b) = call("GET", &site, &format!("/api/v1/books/{}", book.work), &secret, None).await;
        assert_eq!(status, 200);
        assert_eq!(b["stats"]["rating_count"], 1);
        // The same cross-site post with only the session cookie is still refused.
        let r = site
            .client
            .post(site.url(&rating))
            .header("origin", "https://elsewhere.example")
            .header("sec-fetch-site", "cross-site")
            .json(&json!({"stars": 1}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);

        // A write outside the scopes: 403 naming the scope, and nothing made.
        let before = club_count(&site).await;
        let (status, v) = call("POST", &site, "/api/v1/clubs", &secret, Some(json!({"name": "Token Club"}))).await;
        assert_eq!(status, 403, "{v}");
        assert_eq!(v["error"]["code"], "insufficient_scope");
        assert_eq!(v["error"]["scope"], "clubs:write");
        assert!(v["error"]["message"].as_str().unwrap().contains("clubs:write"));
        assert_eq!(club_count(&site).await, before);
        // The document is public; a token sent with it is ignored.
        let (status, doc) = call("GET", &site, "/api/openapi.json", &secret, None).await;
        assert_eq!((status, doc["openapi"].as_str()), (200, Some("3.1.0")));
        // Reaching a page's form route with a token is not part of the API.
        let (status, _) = call("POST", &site, "/api/v1/books/x/nothing", &secret, None).await;
        assert_eq!(status, 404);

        // The token page lists it with its scopes and use; revoking ends it.
        let (_, page) = site.get_text("/account/tokens").await;
        assert!(page.contains("rating script"));
        assert!(page.contains("read, reviews:write"));
        assert!(page.contains("last used"), "{page}");
        assert!(!page.contains(&secret), "the secret is shown once only");
        let revoke = page
            .split("action=\"/account/tokens/")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .to_string();
        let r = site.post(&format!("/account/tokens/{revoke}"), &[]).await;
        assert_eq!(r.status(), 200);
        let r = Client::new()
            .get(site.url(&format!("/api/v1/books/{}", book.work)))
            .header("authorization", format!("Bearer {secret}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        assert!(r.headers()["www-authenticate"].to_str().unwrap().starts_with("Bearer"));
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], "unauthenticated");
        assert!(v["error"]["message"].as_str().unwrap().contains("revoked"));

        // A member's token does what the member may, no more: a librarian
        // route answers 403 `forbidden` to a member's `catalog:write` token.
        let catalog = make_token(&site, "catalog", &["read", "catalog:write"]).await;
        let (status, v) = call("GET", &site, "/api/v1/catalog/proposals", &catalog, None).await;
        assert!(status == 200 || status == 403, "{status} {v}");
        let (status, v) = call("POST", &site, &format!("/api/v1/books/{}/merge", book.work), &catalog, Some(json!({"into": book.work}))).await;
        assert_eq!((status, v["error"]["code"].as_str()), (403, Some("forbidden")), "{v}");
        // And the admin scope is for admins only.
        let r = site.post("/account/tokens", &[("name", "admin"), ("scope", "admin"), ("expires", "7")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("only admins"));
    }

    async fn expired_and_wrong_tokens_are_refused_and_bounded(db: Db) {
        let site = Site::start(db.clone()).await;
        let maya = users::create(&db, &NewUser {
            id: UserId::new(), username: "maya", display_name: "Maya",
            password_hash: None, role: SiteRole::Member, is_demo: false,
        }).await.unwrap().user_id();
        let expired = format!("quire_pat_{}", "ab".repeat(32));
        tokens::create(&db, &NewToken {
            id: uuid::Uuid::now_v7(), user: maya, name: "old", token_hash: &hash(&expired),
            scopes: "read", expires_at: Some(now() - time::Duration::hours(1)),
        }).await.unwrap();
        let live = format!("quire_pat_{}", "cd".repeat(32));
        tokens::create(&db, &NewToken {
            id: uuid::Uuid::now_v7(), user: maya, name: "live", token_hash: &hash(&live),
            scopes: "read", expires_at: Some(now() + time::Duration::hours(1)),
        }).await.unwrap();
        let (status, v) = call("GET", &site, "/api/v1/clubs", &expired, None).await;
        assert_eq!((status, v["error"]["code"].as_str()), (401, Some("unauthenticated")));
        let (status, _) = call("GET", &site, "/api/v1/clubs", &live, None).await;
        assert_eq!(status, 200);
        // Not a bearer token at all.
        let r = Client::new().get(site.url("/api/v1/clubs")).header("authorization", "Basic bWF5YTpwdw==").send().await.unwrap();
        assert_eq!(r.status(), 401);
        // Wrong tokens from one address are bounded: after the allowance,
        // even a good token from that address waits.
        for _ in 0..18 {
            let (status, _) = call("GET", &site, "/api/v1/clubs", "quire_pat_guess", None).await;
            assert_eq!(status, 401);
        }
        let r = Client::new().get(site.url("/api/v1/clubs")).header("authorization", format!("Bearer {live}")).send().await.unwrap();
        assert_eq!(r.status(), 429);
        assert!(r.headers().contains_key("retry-after"));
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], "rate_limited");
        // Pages without a token are not affected.
        let (status, _) = site.get_text("/api/v1/clubs").await;
        assert_eq!(status, 200);
    }

    async fn paging_walks_every_review_once_while_reviews_are_written(db: Db) {
        let book = BookBuilder::new("Always Coming Home").with_reviews(23).build(&db).await;
        let site = Site::start(db.clone()).await;
        let original: BTreeSet<String> = {
            let (_, v) = call("GET", &site, &format!("/api/v1/books/{}/reviews?limit=100", book.work), "", None).await;
            v["items"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
        };
        assert_eq!(original.len(), 23);
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/books/{}/reviews?limit=5&cursor={c}", book.work),
                None => format!("/api/v1/books/{}/reviews?limit=5", book.work),
            };
            let (status, v) = call("GET", &site, &path, "", None).await;
            assert_eq!(status, 200, "{v}");
            let items = v["items"].as_array().unwrap();
            assert!(items.len() <= 5);
            seen.extend(items.iter().map(|r| r["id"].as_str().unwrap().to_owned()));
            pages += 1;
            // Between pages, someone reviews the book now and an import
            // brings a review dated last year.
            for (k, back) in [(0, time::Duration::ZERO), (1, time::Duration::days(365))] {
                let u = users::create(&db, &NewUser {
                    id: UserId::new(), username: &format!("late{pages}_{k}"), display_name: "Late",
                    password_hash: None, role: SiteRole::Member, is_demo: false,
                }).await.unwrap().user_id();
                reviews::upsert_at(&db, uuid::Uuid::now_v7(), u, book.work, &ReviewInput {
                    headline: None, body: "Late to it.", body_html: "<p>Late to it.</p>", spoiler: false, recommends: None,
                }, now() - back).await.unwrap();
            }
            match v["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
            assert!(pages < 50, "the walk does not end");
        }
        let unique: BTreeSet<String> = seen.iter().cloned().collect();
        assert_eq!(unique.len(), seen.len(), "a review came twice");
        assert!(original.is_subset(&unique), "a review was skipped");

        // A cursor Quire did not give out, and a limit out of bounds.
        for (query, field) in [("cursor=zz", "cursor"), ("cursor=7b7d", "cursor"), ("limit=0", "limit"), ("limit=1000", "limit")] {
            let (status, v) = call("GET", &site, &format!("/api/v1/books/{}/reviews?{query}", book.work), "", None).await;
            assert_eq!(status, 422, "{query}");
            assert_eq!(v["error"]["code"], "invalid");
            assert_eq!(v["error"]["field"], field);
        }
        let (status, v) = call("GET", &site, &format!("/api/v1/books/{}/reviews", uuid::Uuid::now_v7()), "", None).await;
        assert_eq!((status, v["error"]["code"].as_str()), (404, Some("not_found")));
        assert!(v["error"]["message"].is_string());
    }

    async fn the_api_page_and_document_describe_every_route(db: Db) {
        let site = Site::start(db).await;
        let (status, served) = site.get_text("/api/openapi.json").await;
        assert_eq!(status, 200);
        let doc: Value = serde_json::from_str(&served).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        valid_openapi(&served);
        snapshot(&served);

        // Every /api/v1 route of the router's source is documented, and
        // nothing documented is missing from the router.
        let served_routes = router_api_routes();
        assert!(served_routes.len() > 80, "the router's source was not read: {served_routes:?}");
        let mut documented = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for m in ["get", "post", "put", "patch", "delete"] {
                if let Some(op) = item.get(m) {
                    documented.insert((m.to_uppercase(), path.clone()));
                    let scope = op["security"][0]["bearer"][0].as_str().unwrap();
                    assert!(!scope.is_empty(), "{m} {path} names no scope");
                }
            }
        }
        let missing: Vec<_> = served_routes.difference(&documented).collect();
        assert!(missing.is_empty(), "routes missing from the API table (crates/web/src/api/catalogue.rs): {missing:?}");
        let extra: Vec<_> = documented.difference(&served_routes).collect();
        assert!(extra.is_empty(), "the API table names routes the router does not serve: {extra:?}");
        for (_, security) in doc["components"]["securitySchemes"].as_object().unwrap() {
            assert!(security["type"].is_string());
        }

        // The page draws the same document.
        let (status, page) = site.get_text("/api").await;
        assert_eq!(status, 200);
        for needle in ["Getting started", "curl -H \"Authorization: Bearer", "Selections", "insufficient_scope", "/api/v1/clubs/{slug}/polls/{poll}/ballot", "clubs:write"] {
            assert!(page.contains(needle), "the API page lacks {needle}");
        }
        // Served from the binary: every script and stylesheet is Quire's own.
        for attr in ["src=\"", "href=\""] {
            for (i, _) in page.match_indices(attr) {
                let url = &page[i + attr.len()..];
                assert!(!url.starts_with("http") && !url.starts_with("//"), "the API page loads {}", &url[..40.min(url.len())]);
            }
        }
    }
}

/// Check the document against the OpenAPI 3.1 schema with an independent
/// validator (Python's openapi-spec-validator; `.ci/run` installs it).
fn valid_openapi(served: &str) {
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .args(["-c", "import json, sys\nfrom openapi_spec_validator import validate\nvalidate(json.load(sys.stdin))"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(served.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "/api/openapi.json is not valid OpenAPI 3.1 (or `pip install openapi-spec-validator` is needed):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Compare the served document with the committed one; with
/// `QUIRE_UPDATE_SNAPSHOTS=1` write it instead.
fn snapshot(served: &str) {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/openapi.json");
    if std::env::var("QUIRE_UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
        std::fs::write(file, served).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(file).unwrap_or_default();
    if committed != served {
        let first = committed
            .lines()
            .zip(served.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(committed.lines().count().min(served.lines().count()));
        panic!(
            "/api/openapi.json differs from tests/snapshots/openapi.json from line {}:\n  committed: {:?}\n  served:    {:?}\nIf the change is meant, run `QUIRE_UPDATE_SNAPSHOTS=1 cargo test -p quire-web --test it api_tokens` and commit the file.",
            first + 1,
            committed.lines().nth(first).unwrap_or(""),
            served.lines().nth(first).unwrap_or(""),
        );
    }
}

/// Every (method, pattern) under `/api/v1` in the web crate's source: each
/// `.route("…", …)` call and the `get(`, `post(`, `put(`, `patch(` and
/// `delete(` inside its parentheses.
fn router_api_routes() -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if p.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let src = std::fs::read_to_string(&p).unwrap();
        for (i, _) in src.match_indices(".route(") {
            let rest = &src[i + ".route(".len()..];
            // The call's own text, up to its closing parenthesis.
            let mut depth = 1;
            let mut end = rest.len();
            for (j, c) in rest.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = j;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let call = &rest[..end];
            let Some(path) = call.split('"').nth(1) else {
                continue;
            };
            if !path.starts_with("/api/v1") {
                continue;
            }
            for m in ["get", "post", "put", "patch", "delete"] {
                let needle = format!("{m}(");
                for (k, _) in call.match_indices(&needle) {
                    let before = call[..k].chars().next_back();
                    if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        found.insert((m.to_uppercase(), path.to_owned()));
                    }
                }
            }
        }
    }
    found
}
