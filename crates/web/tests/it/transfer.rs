//! Taking data away: a member's account archive and a club's archive,
//! downloaded over HTTP and opened as a zip, checked for what a member
//! would look for (their review word for word, their ratings in stars, the
//! club's posts) and for what must never be in them (password hashes,
//! who cast which ballot), and refused to anyone who may not have them.

use super::site::Site;
use quire_domain::{Anchor, ClubName, JoinPolicy, Rating, SelectionStatus, UserId, Visibility};
use quire_storage::Db;
use quire_storage::clubs::{self, NewClub, discussion, members, selections};
use quire_storage::reviews::{self, ReviewInput};
use quire_storage::{ratings, shelves};
use quire_testkit::BookBuilder;
use serde_json::Value;
use std::io::Read;

async fn user_id(db: &Db, username: &str) -> UserId {
    quire_storage::users::by_username(db, username)
        .await
        .unwrap()
        .unwrap()
        .user_id()
}

/// The files of a zip, by name.
fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("the download is a zip");
    let mut out = std::collections::BTreeMap::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut buf = Vec::new();
        f.read_to_end(&mut buf).unwrap();
        out.insert(f.name().to_string(), buf);
    }
    out
}

/// Rows of one CSV file as maps from header to value.
fn csv_rows(bytes: &[u8]) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_reader(bytes);
    let head = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            head.iter()
                .map(str::to_string)
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

const REVIEW: &str = "A slow start, then *impossible* to put down.\n\nThe letters chapter is the heart of it, \"quoted\", with commas, and a line break.";

quire_testkit::both_backends! {
    async fn a_member_downloads_everything_they_made(db: Db) {
        let site = Site::start(db.clone()).await;
        site.join("ada").await;
        let ada = user_id(&db, "ada").await;
        let book = BookBuilder::new("The Tenant of Wildfell Hall").build(&db).await;
        let other = BookBuilder::new("Agnes Grey").build(&db).await;
        ratings::set(&db, ada, book.work, Rating::from_halves(9).unwrap()).await.unwrap();
        ratings::set(&db, ada, other.work, Rating::from_halves(4).unwrap()).await.unwrap();
        reviews::upsert(
            &db,
            ada,
            book.work,
            &ReviewInput {
                headline: Some("Worth the patience"),
                body: REVIEW,
                body_html: &quire_markup::render(REVIEW),
                spoiler: false,
                recommends: Some(true),
            },
        )
        .await
        .unwrap();
        let slug = shelves::create_shelf(&db, ada, "Brontës, all of them").await.unwrap();
        shelves::shelve(&db, ada, &slug, book.work).await.unwrap();
        // Someone else's rating must not come along.
        let bob = site.another("bob").await;
        ratings::set(&db, user_id(&db, "bob").await, other.work, Rating::from_halves(2).unwrap())
            .await
            .unwrap();

        // The page offers it; the download is a zip named for the member.
        let (status, html) = site.get_text("/account/data").await;
        assert_eq!(status, 200);
        assert!(html.contains("/account/export/archive.zip"), "{html}");
        let r = site.get("/account/export/archive.zip").await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/zip");
        assert!(r.headers()["content-disposition"].to_str().unwrap().contains("quire-ada.zip"));
        let bytes = r.bytes().await.unwrap();
        let files = unzip(&bytes);
        for name in ["README.txt", "account.json", "csv/ratings.csv", "csv/reviews.csv", "csv/shelves.csv"] {
            assert!(files.contains_key(name), "{name} missing from {:?}", files.keys());
        }
        let readme = String::from_utf8(files["README.txt"].clone()).unwrap();
        assert!(readme.contains("- ratings (2 rows)"), "{readme}");

        let doc: Value = serde_json::from_slice(&files["account.json"]).unwrap();
        assert_eq!(doc["archive_of"], "the account of @ada");
        let tables = &doc["tables"];
        assert_eq!(tables["profile"][0]["username"], "ada");
        let mut stars: Vec<(String, f64)> = tables["ratings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["book_title"].as_str().unwrap().to_string(), r["stars"].as_f64().unwrap()))
            .collect();
        stars.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            stars,
            vec![("Agnes Grey".to_string(), 2.0), ("The Tenant of Wildfell Hall".to_string(), 4.5)]
        );
        let review = &tables["reviews"][0];
        assert_eq!(review["body"], REVIEW);
        assert_eq!(review["headline"], "Worth the patience");
        assert_eq!(review["recommends_to_clubs"], true);
        // The same review, word for word, in the spreadsheet.
        let rows = csv_rows(&files["csv/reviews.csv"]);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["body"], REVIEW);
        assert_eq!(rows[0]["book_title"], "The Tenant of Wildfell Hall");
        let shelf = csv_rows(&files["csv/shelves.csv"]);
        assert_eq!(shelf[0]["shelf"], "Brontës, all of them");
        assert_eq!(shelf[0]["book_title"], "The Tenant of Wildfell Hall");

        // No secret of the account is in any file.
        let all: Vec<u8> = files.values().flatten().copied().collect();
        let text = String::from_utf8_lossy(&all);
        assert!(!text.contains("$argon2"), "a password hash is in the archive");
        assert!(!text.contains("bob"), "another member's data is in the archive");

        // Bob's archive holds his one rating, not Ada's.
        let files = unzip(&bob.get("/account/export/archive.zip").await.bytes().await.unwrap());
        let doc: Value = serde_json::from_slice(&files["account.json"]).unwrap();
        assert_eq!(doc["tables"]["ratings"].as_array().unwrap().len(), 1);
        assert_eq!(doc["tables"]["reviews"].as_array().unwrap().len(), 0);

        // A visitor is asked to sign in.
        let visitor = reqwest::Client::new();
        let r = visitor.get(site.url("/api/v1/me/archive.zip")).send().await.unwrap();
        assert_eq!(r.status(), 401);
    }

    async fn organisers_download_the_club_and_members_may_not(db: Db) {
        let site = Site::start(db.clone()).await;
        site.join("owner").await;
        let owner = user_id(&db, "owner").await;
        let member = site.another("mel").await;
        let mel = user_id(&db, "mel").await;
        let (club, slug) = clubs::create(
            &db,
            owner,
            &NewClub {
                name: &ClubName::parse("Wildfell Readers").unwrap(),
                description: "Nineteenth-century novels, slowly.",
                visibility: Visibility::Public,
                join_policy: JoinPolicy::Open,
                time_zone: "Europe/London",
            },
        )
        .await
        .unwrap();
        members::join(&db, club, mel).await.unwrap();
        let book = BookBuilder::new("Villette").build(&db).await;
        let selection = selections::add(
            &db,
            club,
            owner,
            &selections::NewSelection {
                work: book.work,
                status: SelectionStatus::Current,
                starts_on: None,
                ends_on: None,
                chapter_count: None,
            },
        )
        .await
        .unwrap();
        discussion::start_thread(
            &db,
            club,
            selection,
            mel,
            &discussion::NewThread {
                title: "Lucy's silence",
                body: "Why does she keep so much from the reader?",
                body_html: "<p>Why does she keep so much from the reader?</p>",
                anchor: Anchor::Chapter(12),
            },
        )
        .await
        .unwrap();

        // The settings page links it; a member is refused, an organiser served.
        let (_, html) = site.get_text(&format!("/clubs/{slug}/settings")).await;
        assert!(html.contains(&format!("/clubs/{slug}/archive.zip")), "{html}");
        let r = member.get(&format!("/api/v1/clubs/{slug}/archive.zip")).await;
        assert_eq!(r.status(), 403);
        let r = site.get(&format!("/clubs/{slug}/archive.zip")).await;
        assert_eq!(r.status(), 200);
        let files = unzip(&r.bytes().await.unwrap());
        let doc: Value = serde_json::from_slice(&files["club.json"]).unwrap();
        let t = &doc["tables"];
        assert_eq!(t["club"][0]["name"], "Wildfell Readers");
        let mut names: Vec<&str> =
            t["members"].as_array().unwrap().iter().map(|m| m["username"].as_str().unwrap()).collect();
        names.sort_unstable();
        assert_eq!(names, ["mel", "owner"]);
        assert_eq!(t["selections"][0]["book_title"], "Villette");
        assert_eq!(t["threads"][0]["title"], "Lucy's silence");
        assert_eq!(t["threads"][0]["anchor_unit"], "chapter");
        assert_eq!(t["threads"][0]["anchor_value"], 12);
        let posts = csv_rows(&files["csv/posts.csv"]);
        assert_eq!(posts.len(), 1);
        assert_eq!(posts[0]["body"], "Why does she keep so much from the reader?");
        assert_eq!(posts[0]["posted_by"], "mel");
        // Ballots are listed as counted, never with who cast them.
        let ballots = csv_rows(&files["csv/ballots.csv"]);
        assert!(ballots.is_empty());
        let head = String::from_utf8(files["csv/ballots.csv"].clone()).unwrap();
        assert_eq!(head.trim(), "poll_id,choices");
    }
}

const GOODREADS_2020: &str = "goodreads/goodreads_export_2020_31col_MIT.csv";

fn export_file(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/reading-exports")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Upload `bytes` through the form; the status and the page it ends on.
async fn upload(site: &Site, name: &str, bytes: Vec<u8>, format: &str) -> (u16, String, String) {
    let form = reqwest::multipart::Form::new()
        .text("format", format.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    let r = site
        .client
        .post(site.url("/account/import"))
        .header("sec-fetch-site", "same-origin")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let path = r.url().path().to_string();
    (status, path, r.text().await.unwrap())
}

async fn run_jobs(db: &Db) -> usize {
    let registry = quire_jobs::registry().register::<quire_import::upload_job::ImportUpload>();
    let mut n = 0;
    while quire_jobs::run_due(db, &registry, quire_storage::now())
        .await
        .unwrap()
        .is_some()
    {
        n += 1;
    }
    n
}

/// The lines (as an editor numbers them) of an export's rows with a rating.
fn rated_lines(bytes: &[u8]) -> std::collections::HashSet<u64> {
    let mut r = csv::Reader::from_reader(bytes);
    let col = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "My Rating")
        .unwrap();
    let mut out = std::collections::HashSet::new();
    let mut rec = csv::StringRecord::new();
    loop {
        let line = r.position().line();
        if !r.read_record(&mut rec).unwrap() {
            break;
        }
        if rec.get(col).is_some_and(|v| v != "0") {
            out.insert(line);
        }
    }
    out
}

async fn ratings_of(db: &Db, user: UserId) -> i64 {
    quire_storage::profile::counts(db, user)
        .await
        .unwrap()
        .ratings
}

quire_testkit::both_backends! {
    async fn a_goodreads_export_is_previewed_then_imported_and_reported(db: Db) {
        let site = Site::start(db.clone()).await;
        site.join("reader").await;
        let me = user_id(&db, "reader").await;
        // Right after joining, the member's own page offers the import.
        let (_, html) = site.get_text("/people/reader").await;
        assert!(html.contains("Import my reading history"), "{html}");

        // A file of another kind, said to be a Goodreads export, is refused
        // on the spot and nothing is kept.
        let header = export_file("storygraph/storygraph_export_header.csv");
        let (status, _, html) = upload(&site, "storygraph.csv", header, "goodreads").await;
        assert_eq!(status, 422, "{html}");
        assert!(html.contains("looks like a StoryGraph export"), "{html}");
        let (status, _, html) = upload(&site, "notes.csv", b"just,some\nwords,here\n".to_vec(), "auto").await;
        assert_eq!(status, 422);
        assert!(html.contains("not a CSV library export"), "{html}");

        // The real export: a preview, and nothing saved yet.
        let (status, path, html) = upload(&site, "goodreads_library_export.csv", export_file(GOODREADS_2020), "auto").await;
        assert_eq!(status, 200, "{html}");
        assert!(path.starts_with("/account/import/"), "{path}");
        assert!(html.contains("Nothing is saved yet"), "{html}");
        assert!(html.contains("326 rows"), "{html}");
        assert!(html.contains("Goodreads export"), "{html}");
        assert_eq!(ratings_of(&db, me).await, 0, "the preview saved nothing");

        // Confirmed: the job runs, the page reports, the report lists every row.
        let r = site.post(&format!("{path}/confirm"), &[("keep", "good")]).await;
        assert_eq!(r.status(), 200);
        assert_eq!(run_jobs(&db).await, 1);
        let (_, html) = site.get_text(&path).await;
        assert!(html.contains("Done. 326 rows:"), "{html}");
        let report = site.get(&format!("{path}/report.csv")).await;
        assert_eq!(report.status(), 200);
        let rows = csv_rows(&report.bytes().await.unwrap());
        assert_eq!(rows.len(), 326, "one report row per data row");
        assert!(rows.iter().all(|r| !r["work"].is_empty() || r["outcome"] == "skipped"));
        // One rating per book: the export's 253 rated rows, less the rows
        // that are the same book as another (one reader rates a work once).
        let rated_lines = rated_lines(&export_file(GOODREADS_2020));
        assert_eq!(rated_lines.len(), 253);
        let rated_works: std::collections::HashSet<&str> = rows
            .iter()
            .filter(|r| rated_lines.contains(&r["line"].parse::<u64>().unwrap()))
            .map(|r| r["work"].as_str())
            .collect();
        assert!(rated_works.len() >= 250, "{}", rated_works.len());
        assert_eq!(ratings_of(&db, me).await, rated_works.len() as i64);

        // The same file again: every row recognised, nothing doubled.
        let (_, path2, html) = upload(&site, "again.csv", export_file(GOODREADS_2020), "goodreads").await;
        assert!(html.contains("326 imported before (0 changed)"), "{html}");
        site.post(&format!("{path2}/confirm"), &[("keep", "good")]).await;
        run_jobs(&db).await;
        let (_, html) = site.get_text(&path2).await;
        assert!(html.contains("326 unchanged"), "{html}");
        assert_eq!(ratings_of(&db, me).await, rated_works.len() as i64);

        // With books on the shelves, the offer has done its work.
        let (_, html) = site.get_text("/people/reader").await;
        assert!(!html.contains("Import my reading history"));
        assert!(html.contains("Your data: import and export"));

        // Someone else cannot see the import.
        let other = site.another("nosy").await;
        let r = other.get(&path).await;
        assert_eq!(r.status(), 404);

        // The data page lists both uploads; the Goodreads export carries
        // the ratings back out.
        let (_, html) = site.get_text("/account/data").await;
        assert!(html.contains("goodreads_library_export.csv") && html.contains("again.csv"), "{html}");
        let out = site.get("/account/export/goodreads.csv").await;
        assert_eq!(out.status(), 200);
        let rows = csv_rows(&out.bytes().await.unwrap());
        let rated = rows.iter().filter(|r| r["My Rating"] != "0").count();
        assert_eq!(rated, rated_works.len());
    }
}

const STORYGRAPH_HEADER: &str = "Title,Authors,Contributors,ISBN/UID,Format,Read Status,Date Added,Last Date Read,Dates Read,Read Count,Moods,Pace,Character- or Plot-Driven?,Strong Character Development?,Loveable Characters?,Diverse Characters?,Flawed Characters?,Star Rating,Review,Content Warnings,Content Warning Description,Tags,Owned?";

quire_testkit::both_backends! {
    async fn a_script_imports_a_storygraph_export_over_the_api(db: Db) {
        let site = Site::start(db.clone()).await;
        site.join("scripted").await;
        let me = user_id(&db, "scripted").await;
        let reader_only = site.token(&["read"]).await;
        let writer = site.token(&["read", "shelves:write"]).await;
        let fixture = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../import/tests/fixtures/storygraph_12.csv"
        ))
        .unwrap();
        let api = reqwest::Client::new();
        let post = |t: &str, body: Vec<u8>, format: &str| {
            api.post(site.url(&format!("/api/v1/me/imports?format={format}")))
                .header("authorization", format!("Bearer {t}"))
                .header("x-file-name", "storygraph.csv")
                .body(body)
                .send()
        };

        // A token without the write scope is refused, and nothing is kept.
        let r = post(&reader_only, fixture.clone(), "storygraph").await.unwrap();
        assert_eq!(r.status(), 403);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], "insufficient_scope", "{v}");
        // The wrong format is named.
        let r = post(&writer, fixture.clone(), "goodreads").await.unwrap();
        assert_eq!(r.status(), 422);
        let v: Value = r.json().await.unwrap();
        assert!(v["error"]["message"].as_str().unwrap().contains("looks like a StoryGraph export"), "{v}");

        // The preview of every row, then the import.
        let r = post(&writer, fixture, "").await.unwrap();
        assert_eq!(r.status(), 201);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["state"], "previewed");
        assert_eq!(v["format"], "storygraph");
        let preview = v["preview"].as_array().unwrap();
        assert_eq!(preview.len(), 12, "{v}");
        assert!(preview.iter().all(|r| r["plan"] == "new"), "{v}");
        assert_eq!(ratings_of(&db, me).await, 0);
        let id = v["id"].as_str().unwrap().to_string();
        let r = api
            .post(site.url(&format!("/api/v1/me/imports/{id}/confirm")))
            .header("authorization", format!("Bearer {writer}"))
            .json(&serde_json::json!({ "keep": "good" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202);
        assert_eq!(run_jobs(&db).await, 1);
        let v: Value = api
            .get(site.url(&format!("/api/v1/me/imports/{id}")))
            .header("authorization", format!("Bearer {reader_only}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["state"], "done", "{v}");
        let report = v["report"].as_array().unwrap();
        assert_eq!(report.len(), 12);
        assert!(report.iter().all(|r| r["outcome"] == "created" && r["book"].as_str().unwrap().starts_with("/books/")), "{v}");
        // Seven rows carry a rating (3.75 and 3.25 kept to the half star).
        assert_eq!(ratings_of(&db, me).await, 7);

        // The library comes back out in StoryGraph's own columns.
        let r = api
            .get(site.url("/api/v1/me/library.csv?format=storygraph"))
            .header("authorization", format!("Bearer {reader_only}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let text = r.text().await.unwrap();
        assert_eq!(text.lines().next().unwrap(), STORYGRAPH_HEADER);
        let rows = csv_rows(text.as_bytes());
        assert_eq!(rows.len(), 12);
        let hobbit = rows.iter().find(|r| r["Title"] == "The Hobbit").unwrap();
        assert_eq!(hobbit["Moods"], "adventurous, lighthearted");
        assert_eq!(hobbit["Dates Read"], "2023/01/20-2023/02/10");
    }
}
