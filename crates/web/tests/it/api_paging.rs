//! Cursor paging of the API's growing lists over HTTP: the club directory,
//! a club's members, a selection's threads, a thread's posts and a book's
//! history. Each list is walked a few items at a time while things are
//! added (and changed) between pages: every item comes once, in the
//! list's order, and pages are full until the last. The filters stay in
//! the query before its limit: a hidden post or thread never reaches a
//! member and never makes a page short, and a thread past a member's place
//! in the book shows no title and no post on any page, whatever cursor is
//! sent. Bounds and forged cursors are 422 naming the field; who may read
//! a list is decided before its cursor is read.

use super::site::Site;
use quire_domain::position::Anchor;
use quire_domain::{ClubName, ClubRole, JoinPolicy, SelectionStatus, SiteRole, UserId, Visibility};
use quire_storage::Db;
use quire_storage::catalog::edit::{self, EditRequest, Expect, Target};
use quire_storage::clubs::discussion::{self as d, Moderation, NewReply, NewThread};
use quire_storage::clubs::{self, NewClub, members, selections};
use quire_storage::history::ChangeKind;
use quire_storage::users::{self, NewUser};
use quire_testkit::BookBuilder;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// A member made in storage (no session): their id.
async fn account(db: &Db, username: &str) -> UserId {
    users::create(
        db,
        &NewUser {
            id: UserId::new(),
            username,
            display_name: username,
            password_hash: None,
            role: SiteRole::Member,
            is_demo: false,
        },
    )
    .await
    .unwrap()
    .user_id()
}

/// A browser signed in as a new account, and the account's id.
async fn browser(site: &Site, db: &Db, username: &str) -> (Site, UserId) {
    let b = site.another(username).await;
    let id = users::by_username(db, username)
        .await
        .unwrap()
        .unwrap()
        .user_id();
    (b, id)
}

/// A browser with no session.
fn visitor(site: &Site) -> Site {
    Site {
        base: site.base.clone(),
        client: reqwest::Client::new(),
    }
}

async fn club(
    db: &Db,
    owner: UserId,
    name: &str,
    visibility: Visibility,
) -> (quire_domain::ClubId, String) {
    let name = ClubName::parse(name).unwrap();
    clubs::create(
        db,
        owner,
        &NewClub {
            name: &name,
            description: "",
            visibility,
            join_policy: JoinPolicy::Open,
            time_zone: "UTC",
        },
    )
    .await
    .unwrap()
}

/// One page of `path`, `limit` at a time, after `cursor`.
async fn page(site: &Site, path: &str, limit: u32, cursor: Option<&str>) -> Value {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut url = format!("{path}{sep}limit={limit}");
    if let Some(c) = cursor {
        url.push_str("&cursor=");
        url.push_str(c);
    }
    let r = site.get(&url).await;
    let status = r.status().as_u16();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, 200, "{url}: {v}");
    v
}

/// The whole list as one page (every list here holds fewer than 100).
async fn all(site: &Site, path: &str, key: &str) -> Vec<String> {
    let v = page(site, path, 100, None).await;
    assert!(v["next_cursor"].is_null(), "{path} has more than 100 items");
    keys(&v, key)
}

fn keys(v: &Value, key: &str) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i[key].as_str().unwrap().to_owned())
        .collect()
}

/// A page is full unless it is the last, and never over the limit.
fn full_unless_last(v: &Value, limit: usize) {
    let n = v["items"].as_array().unwrap().len();
    if v["next_cursor"].is_null() {
        assert!(n <= limit, "{v}");
    } else {
        assert_eq!(n, limit, "a page before the last is short: {v}");
    }
}

fn unique(seen: &[String]) {
    let set: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(set.len(), seen.len(), "an item came twice: {seen:?}");
}

/// A cursor as Quire writes them (JSON in hex), of anything.
fn forged(key: &Value) -> String {
    serde_json::to_vec(key)
        .unwrap()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `path` with each bad `limit`, `cursor` and `page` is 422 naming it;
/// `good` is a cursor Quire gave out for it.
async fn refuses_bad_paging(site: &Site, path: &str, good: &str) {
    let sep = if path.contains('?') { '&' } else { '?' };
    let cases = [
        ("limit=0".to_string(), "limit"),
        ("limit=101".to_string(), "limit"),
        ("limit=ten".to_string(), "limit"),
        ("cursor=zz".to_string(), "cursor"),
        ("cursor=7b7d".to_string(), "cursor"),
        // A cursor cut short, and one with a character changed to no hex.
        (format!("cursor={}", &good[..good.len() - 2]), "cursor"),
        (format!("cursor=g{}", &good[1..]), "cursor"),
        // Well-formed JSON of the wrong shape, and a time out of range.
        (
            format!("cursor={}", forged(&json!(["2026-01-01", "x"]))),
            "cursor",
        ),
        (
            format!("cursor={}", forged(&json!([i64::MAX, uuid::Uuid::nil()]))),
            "cursor",
        ),
        ("page=2".to_string(), "page"),
    ];
    for (query, field) in cases {
        let r = site.get(&format!("{path}{sep}{query}")).await;
        let status = r.status().as_u16();
        let v: Value = r.json().await.unwrap();
        assert_eq!(
            (
                status,
                v["error"]["code"].as_str(),
                v["error"]["field"].as_str()
            ),
            (422, Some("invalid"), Some(field)),
            "{path} {query}: {v}"
        );
        assert!(v["error"]["message"].as_str().unwrap().len() > 20);
    }
}

/// A club reading a 20-chapter book: its owner (finished the book, so
/// they post anywhere) signed in, a member at the start of the book
/// signed in, and the selection.
struct ReadingClub {
    club: quire_domain::ClubId,
    slug: String,
    selection: quire_domain::SelectionId,
    owner: Site,
    owner_id: UserId,
    member: Site,
}

async fn reading_club(db: &Db, site: &Site, visibility: Visibility) -> ReadingClub {
    let book = BookBuilder::new("The Left Hand of Darkness")
        .build(db)
        .await;
    let (owner, owner_id) = browser(site, db, "genly").await;
    let (club, slug) = club(db, owner_id, "Gethen Readers", visibility).await;
    let selection = selections::add(
        db,
        club,
        owner_id,
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
    let r = owner
        .post(
            &format!("/clubs/{slug}/selections/{selection}/position"),
            &[("unit", "finished"), ("value", "")],
        )
        .await;
    assert_eq!(r.status(), 200);
    let (member, member_id) = browser(site, db, "estraven").await;
    members::join(db, club, member_id).await.unwrap();
    ReadingClub {
        club,
        slug,
        selection,
        owner,
        owner_id,
        member,
    }
}

impl ReadingClub {
    async fn thread(&self, db: &Db, title: &str, anchor: Anchor) -> quire_domain::ThreadId {
        let body = format!("{title} opens");
        d::start_thread(
            db,
            self.club,
            self.selection,
            self.owner_id,
            &NewThread {
                title,
                body: &body,
                body_html: &body,
                anchor,
            },
        )
        .await
        .unwrap()
    }

    async fn reply(&self, db: &Db, thread: quire_domain::ThreadId, body: &str) -> String {
        d::reply(
            db,
            self.club,
            thread,
            self.owner_id,
            &NewReply {
                body,
                body_html: body,
                anchor: None,
            },
            true,
        )
        .await
        .unwrap()
        .to_string()
    }
}

quire_testkit::both_backends! {
    async fn clubs_api_directory_walk_sends_each_club_once_newest_first(db: Db) {
        let site = Site::start(db.clone()).await;
        let owner = account(&db, "founder").await;
        let mut secret = Vec::new();
        for i in 0..14 {
            let (visibility, name) = match i % 7 {
                5 => (Visibility::Private, format!("Heron Circle {i}")),
                6 => (Visibility::Secret, format!("Heron Hidden {i}")),
                _ => (Visibility::Public, format!("Circle {i}")),
            };
            let (_, slug) = club(&db, owner, &name, visibility).await;
            if visibility == Visibility::Secret {
                secret.push(slug);
            }
        }
        let anon = visitor(&site);
        let first = page(&anon, "/api/v1/clubs", 100, None).await;
        assert_eq!(first["total"], 12);
        let full = keys(&first, "slug");
        assert_eq!(full.len(), 12);
        assert!(secret.iter().all(|s| !full.contains(s)), "a secret club is listed");
        let started: Vec<String> = first["items"].as_array().unwrap().iter().map(|c| c["created_at"].as_str().unwrap().to_owned()).collect();
        assert!(started.windows(2).all(|w| w[0] >= w[1]), "not newest first: {started:?}");

        // Walk five at a time; between pages a club is started and a club
        // gains members (the web page's order by members would move).
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let v = page(&anon, "/api/v1/clubs", 5, cursor.as_deref()).await;
            full_unless_last(&v, 5);
            seen.extend(keys(&v, "slug"));
            pages += 1;
            club(&db, owner, &format!("Late Circle {pages}"), Visibility::Public).await;
            let (last, _) = clubs::by_slug(&db, full.last().unwrap(), None).await.unwrap().unwrap();
            for k in 0..3 {
                let u = account(&db, &format!("joiner{pages}_{k}")).await;
                members::join(&db, last.id, u).await.unwrap();
            }
            match v["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
            assert!(pages < 10, "the walk does not end");
        }
        assert_eq!(pages, 3);
        unique(&seen);
        assert_eq!(seen, full, "the walk is not the list as it stood");

        // A search pages the same way, secret clubs still left out.
        let v = page(&anon, "/api/v1/clubs?q=heron", 1, None).await;
        assert_eq!(v["total"], 2);
        let mut found = keys(&v, "slug");
        let v = page(&anon, "/api/v1/clubs?q=heron", 1, v["next_cursor"].as_str()).await;
        found.extend(keys(&v, "slug"));
        assert!(v["next_cursor"].is_null());
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|s| s.contains("heron-circle")), "{found:?}");

        let c = page(&anon, "/api/v1/clubs", 1, None).await["next_cursor"].as_str().unwrap().to_owned();
        refuses_bad_paging(&anon, "/api/v1/clubs", &c).await;
        let r = anon.get(&format!("/api/v1/clubs?q={}", "x".repeat(201))).await;
        assert_eq!(r.status(), 422);
    }

    async fn clubs_api_members_walk_sends_each_member_once_while_members_join(db: Db) {
        let site = Site::start(db.clone()).await;
        let (owner, owner_id) = browser(&site, &db, "ursula").await;
        let (id, slug) = club(&db, owner_id, "Earthsea Society", Visibility::Private).await;
        let mut joined = Vec::new();
        for i in 0..10 {
            let u = account(&db, &format!("mage{i:02}")).await;
            members::join(&db, id, u).await.unwrap();
            joined.push(u);
        }
        let path = format!("/api/v1/clubs/{slug}/members");
        let full = all(&owner, &path, "username").await;
        assert_eq!(full.len(), 11);
        assert_eq!(full[0], "ursula", "the longest-standing member comes first");

        // Three at a time; between pages someone joins and an early member
        // becomes an organiser (the web page lists organisers first).
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let v = page(&owner, &path, 3, cursor.as_deref()).await;
            full_unless_last(&v, 3);
            seen.extend(keys(&v, "username"));
            pages += 1;
            let u = account(&db, &format!("late{pages}")).await;
            members::join(&db, id, u).await.unwrap();
            members::set_role(&db, id, joined[pages - 1], ClubRole::Organiser).await.unwrap();
            match v["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
            assert!(pages < 20, "the walk does not end");
        }
        unique(&seen);
        // Oldest first: the members there at the start, in their order,
        // then those who joined during the walk, as the list now stands.
        assert_eq!(&seen[..11], &full[..], "the walk is not the list as it stood");
        assert!(seen[11..].iter().all(|u| u.starts_with("late")), "{seen:?}");
        let now = all(&owner, &path, "username").await;
        assert_eq!(&now[..seen.len()], &seen[..]);
        let v = page(&owner, &path, 100, None).await;
        let roles: Vec<&str> = v["items"].as_array().unwrap().iter().map(|m| m["role"].as_str().unwrap()).collect();
        assert_eq!(roles[0], "owner");

        let c = page(&owner, &path, 2, None).await["next_cursor"].as_str().unwrap().to_owned();
        refuses_bad_paging(&owner, &path, &c).await;

        // Who may read it is decided first, cursor or not: a signed-in
        // outsider is refused, a visitor asked to sign in, and a secret
        // club does not exist for either, even with a cursor it would
        // refuse.
        let (outsider, _) = browser(&site, &db, "stranger").await;
        for query in ["", "?limit=2", &format!("?cursor={c}"), "?cursor=zz", "?page=2"] {
            let r = outsider.get(&format!("{path}{query}")).await;
            assert_eq!(r.status(), 403, "{query}");
            assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "forbidden");
            assert_eq!(visitor(&site).get(&format!("{path}{query}")).await.status(), 401, "{query}");
        }
        let (_, hidden) = club(&db, owner_id, "Roke Hidden", Visibility::Secret).await;
        for query in ["", &format!("?cursor={c}"), "?cursor=zz"] {
            let r = outsider.get(&format!("/api/v1/clubs/{hidden}/members{query}")).await;
            assert_eq!(r.status(), 404, "{query}");
        }
    }

    async fn thread_posts_walk_oldest_first_with_hidden_posts_left_out_before_the_limit(db: Db) {
        let site = Site::start(db.clone()).await;
        let rc = reading_club(&db, &site, Visibility::Private).await;
        let thread = rc.thread(&db, "Kemmer and the ice", Anchor::Start).await;
        let mut posts = Vec::new();
        for i in 0..12 {
            posts.push(rc.reply(&db, thread, &format!("Reply {i:02}")).await);
        }
        for i in [2, 5, 6] {
            d::moderate_post(&db, rc.club, quire_domain::PostId(posts[i].parse().unwrap()), Moderation::Hide).await.unwrap();
        }
        let path = format!("/api/v1/clubs/{}/threads/{thread}", rc.slug);
        let member_full = all(&rc.member, &path, "id").await;
        assert_eq!(member_full.len(), 13 - 3, "the first post and nine visible replies");
        assert!([2, 5, 6].iter().all(|i| !member_full.contains(&posts[*i])));
        assert_eq!(all(&rc.owner, &path, "id").await.len(), 13, "organisers see hidden posts");

        // The member walks three at a time while the owner replies.
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let v = page(&rc.member, &path, 3, cursor.as_deref()).await;
            // The thread itself comes with every page.
            assert_eq!(v["id"], thread.to_string());
            assert_eq!(v["title"], "Kemmer and the ice");
            assert_eq!(v["open"], true);
            full_unless_last(&v, 3);
            let times: Vec<&str> = v["items"].as_array().unwrap().iter().map(|p| p["created_at"].as_str().unwrap()).collect();
            assert!(times.windows(2).all(|w| w[0] <= w[1]), "not oldest first");
            assert!(v["items"].as_array().unwrap().iter().all(|p| p["hidden"] == false));
            seen.extend(keys(&v, "id"));
            pages += 1;
            rc.reply(&db, thread, &format!("Written during the walk {pages}")).await;
            match v["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
            assert!(pages < 20, "the walk does not end");
        }
        unique(&seen);
        assert_eq!(&seen[..member_full.len()], &member_full[..], "the walk is not the thread as it stood");
        assert_eq!(seen, all(&rc.member, &path, "id").await[..seen.len()].to_vec());
        assert!(seen.len() > member_full.len(), "replies written during the walk come at its end");

        let c = page(&rc.member, &path, 2, None).await["next_cursor"].as_str().unwrap().to_owned();
        refuses_bad_paging(&rc.member, &path, &c).await;

        // A thread past the member's place: its title and posts reach
        // them on no page, not even with a cursor from the owner's walk.
        let gated = rc.thread(&db, "SECRET-TITLE at the end", Anchor::Chapter(15)).await;
        for i in 0..5 {
            rc.reply(&db, gated, &format!("SECRET-REPLY {i}")).await;
        }
        let gpath = format!("/api/v1/clubs/{}/threads/{gated}", rc.slug);
        let owners = page(&rc.owner, &gpath, 2, None).await;
        assert_eq!(owners["items"].as_array().unwrap().len(), 2);
        let their_cursor = owners["next_cursor"].as_str().unwrap().to_owned();
        for cursor in [None, Some(their_cursor.as_str())] {
            let v = page(&rc.member, &gpath, 2, cursor).await;
            assert_eq!((v["open"].as_bool(), v["title"].is_null()), (Some(false), true), "{v}");
            assert_eq!(v["items"].as_array().unwrap().len(), 0, "{v}");
            assert!(v["next_cursor"].is_null());
            assert!(!v.to_string().contains("SECRET"), "{v}");
        }

        // An outsider of the private club: refused before the cursor is read.
        let (outsider, _) = browser(&site, &db, "argaven").await;
        for query in ["", &format!("?cursor={c}"), "?cursor=zz"] {
            assert_eq!(outsider.get(&format!("{path}{query}")).await.status(), 403, "{query}");
        }
    }

    async fn selection_threads_walk_newest_first_and_never_show_a_gated_title(db: Db) {
        let site = Site::start(db.clone()).await;
        let rc = reading_club(&db, &site, Visibility::Public).await;
        let mut open = Vec::new();
        let mut gated = Vec::new();
        for i in 0..9 {
            if i % 3 == 0 {
                gated.push(rc.thread(&db, &format!("GATED-{i} the ending"), Anchor::Chapter(12)).await.to_string());
            } else {
                open.push(rc.thread(&db, &format!("Open {i}"), Anchor::Start).await.to_string());
            }
        }
        let hidden = rc.thread(&db, "HIDDEN-thread", Anchor::Start).await;
        d::moderate_thread(&db, rc.club, hidden, Moderation::Hide).await.unwrap();
        let path = format!("/api/v1/clubs/{}/selections/{}/threads", rc.slug, rc.selection);
        let full = all(&rc.member, &path, "id").await;
        assert_eq!(full.len(), 9, "gated threads are listed (closed); the hidden one is not");
        assert!(!full.contains(&hidden.to_string()));
        assert_eq!(all(&rc.owner, &path, "id").await.len(), 10, "organisers see the hidden thread");

        // Two at a time while new threads (gated and open) are started.
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let v = page(&rc.member, &path, 2, cursor.as_deref()).await;
            full_unless_last(&v, 2);
            let body = v.to_string();
            assert!(!body.contains("GATED") && !body.contains("HIDDEN"), "{body}");
            for t in v["items"].as_array().unwrap() {
                let id = t["id"].as_str().unwrap().to_owned();
                if gated.contains(&id) {
                    assert_eq!((t["open"].as_bool(), t["title"].is_null()), (Some(false), true), "{t}");
                } else {
                    assert_eq!(t["open"], true);
                }
            }
            let started: Vec<&str> = v["items"].as_array().unwrap().iter().map(|t| t["created_at"].as_str().unwrap()).collect();
            assert!(started.windows(2).all(|w| w[0] >= w[1]), "not newest first");
            seen.extend(keys(&v, "id"));
            pages += 1;
            rc.thread(&db, &format!("GATED-late-{pages}"), Anchor::Finished).await;
            let newer = rc.thread(&db, &format!("Late {pages}"), Anchor::Start).await;
            // A reply moves a thread up the web page's list, not this one.
            rc.reply(&db, newer, "Bump").await;
            match v["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
            assert!(pages < 20, "the walk does not end");
        }
        unique(&seen);
        assert_eq!(seen, full, "the walk is not the list as it stood");

        let c = page(&rc.member, &path, 2, None).await["next_cursor"].as_str().unwrap().to_owned();
        refuses_bad_paging(&rc.member, &path, &c).await;
    }

    async fn book_history_walk_newest_first_each_change_once_while_the_book_is_edited(db: Db) {
        let b = BookBuilder::new("The Dispossessed").build(&db).await;
        let site = Site::start(db.clone()).await;
        let lib = account(&db, "keeper").await;
        let target = Target::Work(b.work);
        let edit_to = |subtitle: String| {
            let db = db.clone();
            async move {
                let version = edit::current(&db, target).await.unwrap().unwrap().version;
                edit::apply_edit(&db, &EditRequest {
                    target,
                    values: [("subtitle".to_string(), json!(subtitle))].into_iter().collect(),
                    expect: Expect::Version(version),
                    user: lib,
                    override_lock: false,
                    kind: ChangeKind::Edit,
                    reverts: None,
                })
                .await
                .unwrap()
            }
        };
        for i in 0..11 {
            edit_to(format!("Edition {i}")).await;
        }
        let path = format!("/api/v1/books/{}/history", b.work);
        let first = page(&site, &path, 100, None).await;
        assert_eq!((first["total"].as_i64(), first["work"].as_str()), (Some(11), Some(b.work.to_string().as_str())));
        let full = keys(&first, "id");
        assert_eq!(full.len(), 11);
        assert_eq!(first["items"][0]["fields"][0]["after"], "Edition 10", "newest first");

        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let v = page(&site, &path, 4, cursor.as_deref()).await;
            full_unless_last(&v, 4);
            seen.extend(keys(&v, "id"));
            pages += 1;
            edit_to(format!("During the walk {pages}")).await;
            match v["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
            assert!(pages < 20, "the walk does not end");
        }
        assert_eq!(pages, 3);
        unique(&seen);
        assert_eq!(seen, full, "the walk is not the history as it stood");
        assert_eq!(page(&site, &path, 1, None).await["total"], 14);

        let c = page(&site, &path, 2, None).await["next_cursor"].as_str().unwrap().to_owned();
        refuses_bad_paging(&site, &path, &c).await;
        let r = site.get(&format!("/api/v1/books/{}/history", uuid::Uuid::now_v7())).await;
        assert_eq!(r.status(), 404);
    }
}
