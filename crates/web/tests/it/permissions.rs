//! The permission matrix: every catalog write route, as an HTML form post
//! and as JSON, tried by a visitor, a member, a librarian, an admin, the
//! book's verified author and its verified publisher. Only what is allowed
//! succeeds; a visitor gets 401, anyone else refused gets 403, and a
//! refused request changes nothing (the data is compared before and after).
//!
//! A route is one line of `ROUTES`. `every_write_route_is_in_the_matrix`
//! reads the router's own source and fails when a route that writes (POST,
//! PUT, PATCH, DELETE) is neither in `ROUTES` nor in `NOT_CATALOG` (a
//! reader's own data and accounts, with the reason), so a new route cannot
//! go untested.

use super::site::Site;
use quire_domain::{CoverSize, EditionId, Format, SiteRole, UserId, WorkId};
use quire_storage::catalog::{self, NewCredit, NewEdition, NewWork, edit, proposals};
use quire_storage::{Db, book_page, history, roles, users};
use reqwest::Client;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use uuid::Uuid;

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
/// The member who proposed the fixture's open edit.
const THE_PROPOSER: &[Who] = &[Member];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    Post,
    Put,
    Patch,
}
use Method::{Patch, Post, Put};

#[derive(Clone, Copy)]
enum Body {
    Form(&'static [(&'static str, &'static str)]),
    Json(fn() -> Value),
    /// A multipart form: these fields, then a real JPEG as `cover`.
    FormWithCover(&'static [(&'static str, &'static str)]),
    /// A real JPEG as the body (`Content-Type: image/jpeg`).
    Image,
}

/// What the fixture is made to be before the try.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Before {
    Nothing,
    /// The book is locked.
    Locked,
    /// The book's edition already has a stored cover.
    HasCover,
}

/// One write route: its address (`{book}`, `{other}`, `{edition}`,
/// `{spare}`, `{contributor}`, `{series}`, `{subject}`, `{change}`,
/// `{proposal}`, `{target}`, `{n}` and the versions are filled in from a fresh fixture), what is sent, and who
/// may.
struct Route {
    name: &'static str,
    method: Method,
    path: &'static str,
    body: Body,
    before: Before,
    allowed: &'static [Who],
}

const fn r(
    name: &'static str,
    method: Method,
    path: &'static str,
    body: Body,
    allowed: &'static [Who],
) -> Route {
    Route {
        name,
        method,
        path,
        body,
        before: Before::Nothing,
        allowed,
    }
}

const fn after(route: Route, before: Before) -> Route {
    Route { before, ..route }
}

#[rustfmt::skip]
const ROUTES: &[Route] = &[
    // Adding books and editions.
    r("add a book (form)", Post, "/books/new", Body::Form(&[("title", "A Matrix Book"), ("contributor_name", "Nobody Known"), ("contributor_role", "author"), ("decision", "create")]), EVERYONE_SIGNED_IN),
    r("add a book with a cover (form)", Post, "/books/new", Body::FormWithCover(&[("title", "A Covered Matrix Book"), ("contributor_name", "Nobody Known"), ("contributor_role", "author"), ("decision", "create")]), EVERYONE_SIGNED_IN),
    r("add a book (JSON)", Post, "/api/v1/books", Body::Json(|| json!({"title": "A Matrix Book", "contributors": [{"name": "Nobody Known"}], "create_new": true})), EVERYONE_SIGNED_IN),
    r("add an edition (form)", Post, "/books/{book}/editions/new", Body::Form(&[("format", "ebook")]), EVERYONE_SIGNED_IN),
    r("add an edition with a cover (form)", Post, "/books/{book}/editions/new", Body::FormWithCover(&[("format", "audiobook")]), EVERYONE_SIGNED_IN),
    r("add an edition (JSON)", Post, "/api/v1/books/{book}/editions", Body::Json(|| json!({"format": "audiobook"})), EVERYONE_SIGNED_IN),
    // Material, by its source.
    r("material as a member (form)", Post, "/books/{book}/material", Body::Form(&[("kind", "blurb"), ("body", "Loved it."), ("source", "member")]), EVERYONE_SIGNED_IN),
    r("material as a member (JSON)", Post, "/api/v1/books/{book}/material", Body::Json(|| json!({"kind": "blurb", "body": "Loved it.", "source": "member"})), EVERYONE_SIGNED_IN),
    r("material from the author (form)", Post, "/books/{book}/material", Body::Form(&[("kind", "author_note"), ("body", "Dear clubs."), ("source", "author")]), &[Author]),
    r("material from the author (JSON)", Post, "/api/v1/books/{book}/material", Body::Json(|| json!({"kind": "author_note", "body": "Dear clubs.", "source": "author"})), &[Author]),
    r("material from the publisher (form)", Post, "/books/{book}/material", Body::Form(&[("kind", "description"), ("body", "A novel."), ("source", "publisher")]), &[Publisher]),
    r("material from the publisher (JSON)", Post, "/api/v1/books/{book}/material", Body::Json(|| json!({"kind": "description", "body": "A novel.", "source": "publisher"})), &[Publisher]),
    r("material as Quire (form)", Post, "/books/{book}/material", Body::Form(&[("kind", "excerpt"), ("body", "Chapter one."), ("source", "quire")]), LIBRARIANS),
    r("material as Quire (JSON)", Post, "/api/v1/books/{book}/material", Body::Json(|| json!({"kind": "excerpt", "body": "Chapter one.", "source": "quire"})), LIBRARIANS),
    // Editing: a member's form post becomes a proposal, a librarian's an edit.
    r("edit a book (form)", Post, "/books/{book}/edit", Body::Form(&[("version", "{work_v}"), ("title", "Matrix Renamed"), ("subtitle", "Edited"), ("note", "Seen on the cover.")]), EVERYONE_SIGNED_IN),
    r("edit an edition (form)", Post, "/editions/{edition}/edit", Body::Form(&[("version", "{edition_v}"), ("title", "Matrix Edition Renamed"), ("format", "hardcover"), ("pages", "400"), ("note", "Counted.")]), EVERYONE_SIGNED_IN),
    r("edit a contributor (form)", Post, "/contributors/{contributor}/edit", Body::Form(&[("version", "{contributor_v}"), ("name", "Renamed Person {n}"), ("bio", "Writes."), ("note", "Their site.")]), EVERYONE_SIGNED_IN),
    r("edit a series (form)", Post, "/series/{series}/edit", Body::Form(&[("version", "{series_v}"), ("name", "Renamed Series {n}"), ("note", "Publisher's name.")]), EVERYONE_SIGNED_IN),
    r("edit a subject (form)", Post, "/subjects/{subject}/edit", Body::Form(&[("version", "{subject_v}"), ("name", "Renamed Subject {n}"), ("note", "Clearer.")]), EVERYONE_SIGNED_IN),
    r("edit a book (JSON)", Patch, "/api/v1/books/{book}", Body::Json(|| json!({"version": "{work_v}", "subtitle": "Patched"})), LIBRARIANS),
    r("edit an edition (JSON)", Patch, "/api/v1/editions/{edition}", Body::Json(|| json!({"version": "{edition_v}", "pages": 401})), LIBRARIANS),
    r("edit a contributor (JSON)", Patch, "/api/v1/contributors/{contributor}", Body::Json(|| json!({"version": "{contributor_v}", "name": "Patched Person {n}"})), LIBRARIANS),
    r("edit a series (JSON)", Patch, "/api/v1/series/{series}", Body::Json(|| json!({"version": "{series_v}", "name": "Patched Series {n}"})), LIBRARIANS),
    r("edit a subject (JSON)", Patch, "/api/v1/subjects/{subject}", Body::Json(|| json!({"version": "{subject_v}", "name": "Patched Subject {n}"})), LIBRARIANS),
    // History, locks, proposals.
    r("revert a change", Post, "/books/{book}/history/{change}/revert", Body::Form(&[]), LIBRARIANS),
    r("lock a book", Post, "/books/{book}/lock", Body::Form(&[]), LIBRARIANS),
    after(r("unlock a book", Post, "/books/{book}/unlock", Body::Form(&[]), LIBRARIANS), Before::Locked),
    r("accept a proposal", Post, "/catalog/proposals/{proposal}/accept", Body::Form(&[]), LIBRARIANS),
    r("decline a proposal", Post, "/catalog/proposals/{proposal}/decline", Body::Form(&[("reason", "Not on the title page.")]), LIBRARIANS),
    r("withdraw a proposal", Post, "/catalog/proposals/{proposal}/withdraw", Body::Form(&[]), THE_PROPOSER),
    r("accept a proposal (JSON)", Post, "/api/v1/catalog/proposals/{proposal}/accept", Body::Json(|| json!({})), LIBRARIANS),
    r("decline a proposal (JSON)", Post, "/api/v1/catalog/proposals/{proposal}/decline", Body::Json(|| json!({"reason": "Not on the title page."})), LIBRARIANS),
    r("withdraw a proposal (JSON)", Post, "/api/v1/catalog/proposals/{proposal}/withdraw", Body::Json(|| json!({})), THE_PROPOSER),
    // Merging and moving.
    r("merge a book (form)", Post, "/books/{book}/merge", Body::Form(&[("into", "{other}")]), LIBRARIANS),
    r("merge a book (JSON)", Post, "/api/v1/books/{book}/merge", Body::Json(|| json!({"into": "{other}"})), LIBRARIANS),
    r("move an edition (form)", Post, "/editions/{spare}/move", Body::Form(&[("work", "{other}")]), LIBRARIANS),
    r("move an edition (JSON)", Post, "/api/v1/editions/{spare}/move", Body::Json(|| json!({"work": "{other}"})), LIBRARIANS),
    // Covers: anyone signed in adds the first; only librarians replace one.
    r("add a cover (form)", Post, "/editions/{edition}/cover", Body::FormWithCover(&[]), EVERYONE_SIGNED_IN),
    r("add a cover (API)", Put, "/api/v1/editions/{edition}/cover", Body::Image, EVERYONE_SIGNED_IN),
    after(r("replace a cover (form)", Post, "/editions/{edition}/cover", Body::FormWithCover(&[]), LIBRARIANS), Before::HasCover),
    after(r("replace a cover (API)", Put, "/api/v1/editions/{edition}/cover", Body::Image, LIBRARIANS), Before::HasCover),
    // Roles and verified links.
    r("change a role (form)", Post, "/admin/people/{target}/role", Body::Form(&[("role", "librarian")]), ADMINS),
    r("change a role (JSON)", Post, "/api/v1/admin/people/{target}/role", Body::Json(|| json!({"role": "librarian"})), ADMINS),
    r("verify a publisher (form)", Post, "/admin/people/{target}/links", Body::Form(&[("kind", "publisher"), ("name", "Acme Press"), ("action", "grant")]), ADMINS),
    r("verify a contributor (JSON)", Post, "/api/v1/admin/people/{target}/links", Body::Json(|| json!({"contributor": "Ashley Audrain"})), ADMINS),
];

/// Write routes that are not the catalog's, each with why it is not in the
/// matrix (their own tests cover who may).
const NOT_CATALOG: &[(&str, &str, &str)] = &[
    ("POST", "/login", "signing in"),
    ("POST", "/register", "joining"),
    ("POST", "/logout", "signing out"),
    ("POST", "/account/password", "an account's own password"),
    ("POST", "/shelves", "a reader's own shelves"),
    ("POST", "/books/{}/rating", "a reader's own rating"),
    ("POST", "/api/v1/books/{}/rating", "a reader's own rating"),
    ("POST", "/books/{}/queue", "a reader's own queue"),
    ("POST", "/books/{}/reading", "a reader's own reading"),
    ("POST", "/books/{}/review", "a reader's own review"),
    ("POST", "/books/{}/review/delete", "a reader's own review"),
    (
        "POST",
        "/books/{}/questions",
        "a reader's discussion question",
    ),
    ("POST", "/books/{}/shelves", "a reader's own shelves"),
    ("POST", "/questions/{}/vote", "a reader's vote"),
    (
        "POST",
        "/books/{}/text",
        "a book's full text: librarians and the organisers of a club reading it (insights::hostile_texts_are_refused_with_their_reason_while_the_server_serves)",
    ),
    (
        "PUT",
        "/api/v1/books/{}/text",
        "a book's full text: librarians and the organisers of a club reading it (insights::hostile_texts_are_refused_with_their_reason_while_the_server_serves)",
    ),
];

/// A path with every `{name}` made `{}`, to compare the router's patterns
/// with the matrix's.
fn pattern(path: &str) -> String {
    let mut out = String::new();
    let mut in_brace = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_brace = true;
                out.push_str("{}");
            }
            '}' => in_brace = false,
            _ if in_brace => {}
            c => out.push(c),
        }
    }
    out
}

/// Every (method, pattern) the router serves that writes, read from the
/// router's source: each `.route("path", …)` and the `post(`, `put(`,
/// `patch(` and `delete(` in it.
fn router_write_routes() -> BTreeSet<(String, String)> {
    let src = include_str!("../../src/lib.rs");
    let mut found = BTreeSet::new();
    let chunks: Vec<&str> = src.split(".route(").skip(1).collect();
    for chunk in chunks {
        let chunk = chunk.split(".fallback(").next().unwrap_or(chunk);
        let Some(path) = chunk.split('"').nth(1) else {
            continue;
        };
        for method in ["post", "put", "patch", "delete"] {
            let needle = format!("{method}(");
            let mut rest = chunk;
            while let Some(i) = rest.find(&needle) {
                let before = rest[..i].chars().next_back();
                if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    found.insert((method.to_uppercase(), pattern(path)));
                }
                rest = &rest[i + needle.len()..];
            }
        }
    }
    found
}

#[test]
fn every_write_route_is_in_the_matrix() {
    let served = router_write_routes();
    assert!(
        served.len() > 30,
        "the router's source was not read: {served:?}"
    );
    let method = |m: Method| match m {
        Post => "POST",
        Put => "PUT",
        Patch => "PATCH",
    };
    let in_matrix: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| (method(r.method).to_string(), pattern(r.path)))
        .collect();
    let exempt: BTreeSet<(String, String)> = NOT_CATALOG
        .iter()
        .map(|(m, p, _)| (m.to_string(), pattern(p)))
        .collect();
    let missing: Vec<_> = served
        .iter()
        .filter(|r| !in_matrix.contains(*r) && !exempt.contains(*r))
        .collect();
    assert!(
        missing.is_empty(),
        "write routes missing from the permission matrix (add them to ROUTES, or to NOT_CATALOG with a reason): {missing:?}"
    );
    let unknown: Vec<_> = in_matrix
        .union(&exempt)
        .filter(|r| !served.contains(*r))
        .collect();
    assert!(
        unknown.is_empty(),
        "the matrix names routes the router does not serve: {unknown:?}"
    );
}

/// A fresh book for one try, with everything a route may touch.
struct Fixture {
    book: WorkId,
    other: WorkId,
    edition: EditionId,
    /// A second edition of the book, to move.
    spare: EditionId,
    n: usize,
    author: String,
    contributor: Uuid,
    series: Uuid,
    subject: Uuid,
    change: Uuid,
    proposal: Uuid,
    /// The version each edit form carries: (placeholder, value).
    versions: Vec<(&'static str, String)>,
}

/// Everything the routes can change, to compare before and after.
#[derive(Debug, PartialEq, Eq)]
struct Fingerprint {
    works: i64,
    book: Option<String>,
    other_editions: usize,
    changes: i64,
    related: Vec<String>,
    proposals: Vec<String>,
    cover: Option<String>,
    target_role: SiteRole,
    target_links: usize,
}

async fn fingerprint(db: &Db, fx: &Fixture, target: UserId) -> Fingerprint {
    let book = book_page::load(db, fx.book, 1, 10).await.unwrap().map(|p| {
        format!(
            "{} | {:?} | rev {} | locked {} | editions {:?} | materials {}",
            p.work.title,
            p.work.subtitle,
            p.work.revision,
            p.work.locked_at.is_some(),
            p.editions
                .iter()
                .map(|e| format!("{} {} {:?} {:?}", e.id, e.title, e.format, e.pages))
                .collect::<Vec<_>>(),
            p.materials.len()
        )
    });
    let other = book_page::load(db, fx.other, 1, 10).await.unwrap().unwrap();
    let mut props: Vec<String> = proposals::open(db, 1000)
        .await
        .unwrap()
        .iter()
        .map(|p| format!("{} {:?}", p.id, p.status))
        .collect();
    props.push(format!(
        "{:?}",
        proposals::get(db, fx.proposal)
            .await
            .unwrap()
            .map(|p| p.status)
    ));
    Fingerprint {
        works: catalog::count_works(db).await.unwrap(),
        book,
        other_editions: other.editions.len(),
        changes: history::for_work(db, fx.book, 1, 1).await.unwrap().total,
        related: edit::related(db, fx.book)
            .await
            .unwrap()
            .into_iter()
            .map(|(_, name)| name)
            .collect(),
        proposals: props,
        cover: catalog::cover_version(db, fx.edition, CoverSize::Original)
            .await
            .unwrap()
            .map(|(_, v)| v),
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

/// A real JPEG, made here.
fn jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(90, 135, |x, y| image::Rgb([x as u8, y as u8, 140]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// The `value` of the hidden `version` input of an edit form.
async fn version_of(site: &Site, path: &str) -> String {
    let (status, html) = site.get_text(path).await;
    assert_eq!(status, 200, "{path}");
    html.split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("no version on {path}"))
        .to_string()
}

fn uuid_in(html: &str, before: &str) -> Uuid {
    let at = html
        .find(before)
        .unwrap_or_else(|| panic!("no {before} in the page"));
    let rest = &html[at + before.len()..];
    Uuid::parse_str(&rest[..36]).unwrap()
}

/// A fresh book (with an author, a series and a subject of its own) and
/// another to merge into; one change in its history (a librarian's edit)
/// and one open proposal (the member's); the verified author linked to it.
async fn fixture(db: &Db, n: usize, librarian: &Site, member: &Site, author_id: UserId) -> Fixture {
    let book = WorkId::new();
    let edition = EditionId::new();
    let author = format!("Matrix Author {n}");
    let mut w = NewWork::new(book, format!("Matrix Book {n}"));
    w.credits.push(NewCredit::author(&author));
    w.series = Some((format!("Matrix Series {n}"), Some("1".into())));
    w.subjects = vec![(format!("Matrix Subject {n}"), 1)];
    let mut e = NewEdition::new(edition, format!("Matrix Book {n}"), Format::Paperback);
    e.publisher = Some("Penguin Books".into());
    e.is_primary = true;
    w.editions.push(e);
    let spare = EditionId::new();
    w.editions.push(NewEdition::new(
        spare,
        format!("Matrix Book {n}"),
        Format::Ebook,
    ));
    catalog::create_work(db, &w, None).await.unwrap();
    let other = WorkId::new();
    let mut o = NewWork::new(other, format!("Matrix Other {n}"));
    o.credits.push(NewCredit::author(&author));
    let mut oe = NewEdition::new(
        EditionId::new(),
        format!("Matrix Other {n}"),
        Format::Hardcover,
    );
    oe.is_primary = true;
    o.editions.push(oe);
    catalog::create_work(db, &o, None).await.unwrap();

    let (contributor, _) = roles::contributor_by_name(db, &author)
        .await
        .unwrap()
        .unwrap();
    roles::grant_contributor(db, author_id, contributor, None)
        .await
        .unwrap();
    let mut series = Uuid::nil();
    let mut subject = Uuid::nil();
    for (t, _) in edit::related(db, book).await.unwrap() {
        match t {
            edit::Target::Series(id) => series = id,
            edit::Target::Subject(id) => subject = id,
            _ => {}
        }
    }
    // A librarian's edit: the change to revert.
    let v = version_of(librarian, &format!("/books/{book}/edit")).await;
    let r = librarian
        .post(
            &format!("/books/{book}/edit"),
            &[
                ("version", &v),
                ("title", &format!("Matrix Book {n}")),
                ("subtitle", "Before"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let change = history::for_work(db, book, 1, 1).await.unwrap().changes[0].id;
    // The member's proposal.
    let work_v = version_of(librarian, &format!("/books/{book}/edit")).await;
    let r = member
        .post(
            &format!("/books/{book}/edit"),
            &[
                ("version", &work_v),
                ("title", &format!("Matrix Book {n}")),
                ("subtitle", "Proposed"),
                ("note", "From the jacket."),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let (_, mine) = member.get_text("/catalog/proposals").await;
    let proposal = uuid_in(&mine, "/catalog/proposals/");
    let versions = vec![
        ("work_v", work_v),
        (
            "edition_v",
            version_of(librarian, &format!("/editions/{edition}/edit")).await,
        ),
        (
            "contributor_v",
            version_of(librarian, &format!("/contributors/{}/edit", contributor.0)).await,
        ),
        (
            "series_v",
            version_of(librarian, &format!("/series/{series}/edit")).await,
        ),
        (
            "subject_v",
            version_of(librarian, &format!("/subjects/{subject}/edit")).await,
        ),
    ];
    Fixture {
        book,
        other,
        edition,
        spare,
        n,
        author,
        contributor: contributor.0,
        series,
        subject,
        change,
        proposal,
        versions,
    }
}

fn fill(s: &str, fx: &Fixture) -> String {
    let mut s = s.to_string();
    for (name, v) in &fx.versions {
        // A number in JSON, text in a form.
        s = s
            .replace(&format!("\"{{{name}}}\""), v)
            .replace(&format!("{{{name}}}"), v);
    }
    s.replace("{book}", &fx.book.to_string())
        .replace("{other}", &fx.other.to_string())
        .replace("{edition}", &fx.edition.to_string())
        .replace("{spare}", &fx.spare.to_string())
        .replace("{n}", &fx.n.to_string())
        .replace("{contributor}", &fx.contributor.to_string())
        .replace("{series}", &fx.series.to_string())
        .replace("{subject}", &fx.subject.to_string())
        .replace("{change}", &fx.change.to_string())
        .replace("{proposal}", &fx.proposal.to_string())
        .replace("{target}", "someone")
}

quire_testkit::both_backends! {
    async fn only_what_is_allowed_succeeds_and_refusals_change_nothing(db: Db) {
        let site = Site::start(db.clone()).await;
        let visitor = client_of(&site);
        let (member, _) = signed_in(&db, &site, "reader").await;
        let (librarian, lib_id) = signed_in(&db, &site, "shelver").await;
        roles::set_role(&db, lib_id, SiteRole::Librarian).await.unwrap();
        let (admin, admin_id) = signed_in(&db, &site, "chief").await;
        roles::set_role(&db, admin_id, SiteRole::Admin).await.unwrap();
        let (author, author_id) = signed_in(&db, &site, "writer").await;
        let (publisher, pub_id) = signed_in(&db, &site, "imprint").await;
        roles::grant_publisher(&db, pub_id, "PENGUIN BOOKS", None).await.unwrap();
        let (_, target) = signed_in(&db, &site, "someone").await;
        // The admin route that links a contributor names this one.
        quire_testkit::BookBuilder::new("The Push").build(&db).await;
        let subjects = [
            (Visitor, &visitor),
            (Member, &member),
            (Librarian, &librarian),
            (Admin, &admin),
            (Author, &author),
            (Publisher, &publisher),
        ];
        let cover = jpeg();

        let mut failures = Vec::new();
        let mut n = 0;
        for route in ROUTES {
            for (who, client) in &subjects {
                n += 1;
                let fx = fixture(&db, n, &librarian, &member, author_id).await;
                match route.before {
                    Before::Nothing => {}
                    Before::Locked => edit::set_lock(&db, fx.book, lib_id, true).await.unwrap(),
                    Before::HasCover => {
                        let r = librarian.client.put(librarian.url(&format!("/api/v1/editions/{}/cover", fx.edition)))
                            .header("content-type", "image/jpeg").body(cover.clone()).send().await.unwrap();
                        assert_eq!(r.status(), 201);
                    }
                }
                // Each try starts from the same target account.
                roles::set_role(&db, target, SiteRole::Member).await.unwrap();
                for l in roles::links_of(&db, target).await.unwrap() {
                    roles::revoke(&db, l.id).await.unwrap();
                }
                let before = fingerprint(&db, &fx, target).await;
                let url = client.url(&fill(route.path, &fx));
                let req = match route.method {
                    Post => client.client.post(url),
                    Put => client.client.put(url),
                    Patch => client.client.patch(url),
                }
                .header("sec-fetch-site", "same-origin");
                let res = match route.body {
                    Body::Form(f) => {
                        let f: Vec<(&str, String)> = f.iter().map(|(k, v)| (*k, fill(v, &fx))).collect();
                        req.form(&f).send().await.unwrap()
                    }
                    Body::Json(j) => {
                        let body: Value = serde_json::from_str(&fill(&j().to_string(), &fx)).unwrap();
                        req.json(&body).send().await.unwrap()
                    }
                    Body::FormWithCover(f) => {
                        let mut form = reqwest::multipart::Form::new();
                        for (k, v) in f {
                            form = form.text(k.to_string(), fill(v, &fx));
                        }
                        let part = reqwest::multipart::Part::bytes(cover.clone()).file_name("cover.jpg").mime_str("image/jpeg").unwrap();
                        req.multipart(form.part("cover", part)).send().await.unwrap()
                    }
                    Body::Image => req.header("content-type", "image/jpeg").body(cover.clone()).send().await.unwrap(),
                };
                let status = res.status().as_u16();
                let text = res.text().await.unwrap();
                let after = fingerprint(&db, &fx, target).await;
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
                        text.chars().take(300).collect::<String>()
                    ));
                }
                // A JSON refusal says why in the documented shape.
                if !allowed && route.path.starts_with("/api/") {
                    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                    let code = v["error"]["code"].as_str().unwrap_or("");
                    let want = if *who == Visitor { "unauthenticated" } else { "forbidden" };
                    if code != want {
                        failures.push(format!("{} by {who:?}: code {code:?}, wanted {want}", route.name));
                    }
                }
                // An HTML refusal is a page that says so, not a bare status.
                if !allowed && !route.path.starts_with("/api/") && !text.contains("<h1") {
                    failures.push(format!("{} by {who:?}: the refusal is not a page", route.name));
                }
                let _ = &fx.author;
            }
        }
        assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    }
}
