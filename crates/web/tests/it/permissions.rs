//! The permission matrix: every catalog write route, as an HTML form post
//! and as JSON, tried by a visitor, a member, a librarian, an admin, the
//! book's verified author and its verified publisher. Only what is allowed
//! succeeds; a visitor gets 401, anyone else refused gets 403, and a
//! refused request changes nothing (the data is compared before and after).
//!
//! A route is one line of `ROUTES`: add the edit, merge and cover routes
//! there as they arrive.

use super::site::Site;
use quire_domain::{SiteRole, UserId, WorkId};
use quire_storage::{Db, book_page, catalog, roles, users};
use quire_testkit::BookBuilder;
use reqwest::Client;
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Visitor,
    Member,
    Librarian,
    Admin,
    Author,
    Publisher,
}
use Who::*;

const EVERYONE_SIGNED_IN: &[Who] = &[Member, Librarian, Admin, Author, Publisher];
const LIBRARIANS: &[Who] = &[Librarian, Admin];
const ADMINS: &[Who] = &[Admin];

#[derive(Clone, Copy)]
enum Body {
    Form(&'static [(&'static str, &'static str)]),
    Json(fn() -> Value),
}

/// One write route: its address (`{book}` and `{target}` are filled in),
/// what is sent, and who may.
struct Route {
    name: &'static str,
    path: &'static str,
    body: Body,
    allowed: &'static [Who],
}

#[rustfmt::skip]
const ROUTES: &[Route] = &[
    Route { name: "add a book (form)", path: "/books/new", body: Body::Form(&[("title", "A Matrix Book"), ("contributor_name", "Nobody Known"), ("contributor_role", "author"), ("decision", "create")]), allowed: EVERYONE_SIGNED_IN },
    Route { name: "add a book (JSON)", path: "/api/v1/books", body: Body::Json(|| json!({"title": "A Matrix Book", "contributors": [{"name": "Nobody Known"}], "create_new": true})), allowed: EVERYONE_SIGNED_IN },
    Route { name: "add an edition (form)", path: "/books/{book}/editions/new", body: Body::Form(&[("format", "ebook")]), allowed: EVERYONE_SIGNED_IN },
    Route { name: "add an edition (JSON)", path: "/api/v1/books/{book}/editions", body: Body::Json(|| json!({"format": "audiobook"})), allowed: EVERYONE_SIGNED_IN },
    Route { name: "material as a member (form)", path: "/books/{book}/material", body: Body::Form(&[("kind", "blurb"), ("body", "Loved it."), ("source", "member")]), allowed: EVERYONE_SIGNED_IN },
    Route { name: "material as a member (JSON)", path: "/api/v1/books/{book}/material", body: Body::Json(|| json!({"kind": "blurb", "body": "Loved it.", "source": "member"})), allowed: EVERYONE_SIGNED_IN },
    Route { name: "material from the author (form)", path: "/books/{book}/material", body: Body::Form(&[("kind", "author_note"), ("body", "Dear clubs."), ("source", "author")]), allowed: &[Author] },
    Route { name: "material from the author (JSON)", path: "/api/v1/books/{book}/material", body: Body::Json(|| json!({"kind": "author_note", "body": "Dear clubs.", "source": "author"})), allowed: &[Author] },
    Route { name: "material from the publisher (form)", path: "/books/{book}/material", body: Body::Form(&[("kind", "description"), ("body", "A novel."), ("source", "publisher")]), allowed: &[Publisher] },
    Route { name: "material from the publisher (JSON)", path: "/api/v1/books/{book}/material", body: Body::Json(|| json!({"kind": "description", "body": "A novel.", "source": "publisher"})), allowed: &[Publisher] },
    Route { name: "material as Quire (form)", path: "/books/{book}/material", body: Body::Form(&[("kind", "excerpt"), ("body", "Chapter one."), ("source", "quire")]), allowed: LIBRARIANS },
    Route { name: "material as Quire (JSON)", path: "/api/v1/books/{book}/material", body: Body::Json(|| json!({"kind": "excerpt", "body": "Chapter one.", "source": "quire"})), allowed: LIBRARIANS },
    Route { name: "change a role (form)", path: "/admin/people/{target}/role", body: Body::Form(&[("role", "librarian")]), allowed: ADMINS },
    Route { name: "change a role (JSON)", path: "/api/v1/admin/people/{target}/role", body: Body::Json(|| json!({"role": "librarian"})), allowed: ADMINS },
    Route { name: "verify a publisher (form)", path: "/admin/people/{target}/links", body: Body::Form(&[("kind", "publisher"), ("name", "Acme Press"), ("action", "grant")]), allowed: ADMINS },
    Route { name: "verify a contributor (JSON)", path: "/api/v1/admin/people/{target}/links", body: Body::Json(|| json!({"contributor": "Ashley Audrain"})), allowed: ADMINS },
];

/// Everything the routes above can change, to compare before and after.
#[derive(Debug, PartialEq, Eq)]
struct Fingerprint {
    works: i64,
    editions: usize,
    materials: usize,
    target_role: SiteRole,
    target_links: usize,
}

async fn fingerprint(db: &Db, book: WorkId, target: UserId) -> Fingerprint {
    let page = book_page::load(db, book, 1, 10).await.unwrap().unwrap();
    Fingerprint {
        works: catalog::count_works(db).await.unwrap(),
        editions: page.editions.len(),
        materials: page.materials.len(),
        target_role: users::by_id(db, target).await.unwrap().unwrap().role,
        target_links: roles::links_of(db, target).await.unwrap().len(),
    }
}

/// A client of its own (its own cookies) on the running site.
fn client_of(site: &Site) -> Site {
    Site {
        base: site.base.clone(),
        client: Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .unwrap(),
    }
}

async fn signed_in(db: &Db, site: &Site, name: &str) -> (Site, UserId) {
    let s = client_of(site);
    s.join(name).await;
    let id = users::by_username(db, name)
        .await
        .unwrap()
        .unwrap()
        .user_id();
    (s, id)
}

quire_testkit::both_backends! {
    async fn only_what_is_allowed_succeeds_and_refusals_change_nothing(db: Db) {
        let b = BookBuilder::new("The Push").build(&db).await;
        let site = Site::start(db.clone()).await;
        let visitor = client_of(&site);
        let (member, _) = signed_in(&db, &site, "reader").await;
        let (librarian, lib_id) = signed_in(&db, &site, "shelver").await;
        roles::set_role(&db, lib_id, SiteRole::Librarian).await.unwrap();
        let (admin, admin_id) = signed_in(&db, &site, "chief").await;
        roles::set_role(&db, admin_id, SiteRole::Admin).await.unwrap();
        let (author, author_id) = signed_in(&db, &site, "writer").await;
        let (audrain, _) = roles::contributor_by_name(&db, "Ashley Audrain").await.unwrap().unwrap();
        roles::grant_contributor(&db, author_id, audrain, None).await.unwrap();
        let (publisher, pub_id) = signed_in(&db, &site, "imprint").await;
        roles::grant_publisher(&db, pub_id, "PENGUIN BOOKS", None).await.unwrap();
        let (_, target) = signed_in(&db, &site, "someone").await;
        let subjects = [
            (Visitor, &visitor),
            (Member, &member),
            (Librarian, &librarian),
            (Admin, &admin),
            (Author, &author),
            (Publisher, &publisher),
        ];

        let mut failures = Vec::new();
        for route in ROUTES {
            let path = route.path.replace("{book}", &b.work.to_string()).replace("{target}", "someone");
            for (who, client) in &subjects {
                // Each try starts from the same target account.
                roles::set_role(&db, target, SiteRole::Member).await.unwrap();
                for l in roles::links_of(&db, target).await.unwrap() {
                    roles::revoke(&db, l.id).await.unwrap();
                }
                let before = fingerprint(&db, b.work, target).await;
                let req = client.client.post(client.url(&path)).header("sec-fetch-site", "same-origin");
                let res = match route.body {
                    Body::Form(f) => req.form(f).send().await.unwrap(),
                    Body::Json(j) => req.json(&j()).send().await.unwrap(),
                };
                let status = res.status().as_u16();
                let text = res.text().await.unwrap();
                let after = fingerprint(&db, b.work, target).await;
                let allowed = route.allowed.contains(who);
                let expected_refusal = if *who == Visitor { 401 } else { 403 };
                let ok = if allowed {
                    (200..300).contains(&status) && after != before
                } else {
                    status == expected_refusal && after == before
                };
                if !ok {
                    failures.push(format!(
                        "{} by {who:?}: got {status}, {} (allowed: {allowed}) {}",
                        route.name,
                        if after == before { "nothing changed" } else { "data changed" },
                        text.chars().take(200).collect::<String>()
                    ));
                }
                // A JSON refusal says why in the documented shape.
                if !allowed && matches!(route.body, Body::Json(_)) {
                    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                    let code = v["error"]["code"].as_str().unwrap_or("");
                    let want = if *who == Visitor { "sign_in_required" } else { "forbidden" };
                    if code != want {
                        failures.push(format!("{} by {who:?}: code {code:?}, wanted {want}", route.name));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    }
}
