//! The insight page of a book with its text: analysed by the job, its
//! answers grounded (every quote the book's own sentence at the place its
//! link names), nothing past the reader's place on the page, in the JSON
//! or on a passage page, and every source link working.

use super::site::Site;
use super::texts::{data, pride, sentence, unescape};
use quire_storage::texts;
use quire_testkit::BookBuilder;
use quire_text::Place;
use serde_json::Value;

/// Every `href` of the page's main content.
fn links(html: &str) -> Vec<String> {
    let main = html.split("<main").nth(1).unwrap_or(html);
    main.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|h| h.replace("&amp;", "&"))
        .collect()
}

/// The place a passage link points at.
fn place_of(href: &str) -> Option<Place> {
    let rest = href.split("/passages/").nth(1)?;
    let (path, query) = rest.split_once('?')?;
    let mut parts = path.split('/');
    let section = parts.next()?.parse().ok()?;
    let paragraph = parts.next()?.parse().ok()?;
    let sentence = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("sentence="))?
        .split('#')
        .next()?
        .parse()
        .ok()?;
    Some(Place {
        section,
        paragraph,
        sentence,
    })
}

/// Each quote of the page (`<q>…</q>`) with the passage link after it.
fn quoted(html: &str) -> Vec<(String, Option<Place>)> {
    html.split("<q>")
        .skip(1)
        .map(|s| {
            let (q, after) = s.split_once("</q>").unwrap();
            let link = after
                .split("href=\"")
                .nth(1)
                .and_then(|h| h.split('"').next())
                .map(|h| h.replace("&amp;", "&"));
            (unescape(q), link.as_deref().and_then(place_of))
        })
        .collect()
}

quire_testkit::both_backends! {
    async fn a_books_insights_are_grounded_and_stop_at_the_readers_place(db: Db) {
        let b = BookBuilder::new("Pride and Prejudice").with_reviews(6).with_ratings(20).build(&db).await;
        let (text, source) = pride();
        texts::attach(&db, b.work, &text, &source, None).await.unwrap();
        let site = Site::start(db.clone()).await;
        let page = format!("/books/{}/insights", b.work);

        // Not analysed yet: the page says so with a bar, and queues the job.
        let (status, html) = site.get_text(&page).await;
        assert_eq!(status, 200);
        assert!(html.contains("Quire is reading this book"), "{html}");
        assert!(html.contains("<progress"));
        let ran = quire_jobs::run_due(&db, &quire_jobs::registry(), quire_storage::now()).await.unwrap();
        assert_eq!(ran.as_deref(), Some("analyse_text"));

        // A visitor has not started the book: no passage of the story is
        // quoted or linked, the ending is held back, the catalog still answers.
        let (_, html) = site.get_text(&page).await;
        assert!(html.contains("Questions and answers"), "{html}");
        assert!(html.contains("Who wrote Pride and Prejudice?"));
        assert!(html.contains("How does Pride and Prejudice end?"));
        assert!(html.contains("The answer is past your place in the book."));
        assert!(!links(&html).iter().any(|l| l.contains("/passages/")), "a visitor is shown a passage");
        assert!(html.contains("Show everything, spoilers included"));

        // A reader half-way through: quotes are the book's own sentences at
        // the places their links name, all before the reader's place.
        site.join("halfway").await;
        let r = site.post(&format!("/books/{}/reading", b.work), &[("action", "progress"), ("unit", "percent"), ("value", "50")]).await;
        assert!(r.status().is_success(), "{}", r.status());
        let (_, html) = site.get_text(&page).await;
        assert!(html.contains("You are 50% of the way through"), "{html}");
        let half = quire_domain::position::Point::new(5_000).unwrap();
        let quotes = quoted(&html);
        let from_book: Vec<_> = quotes.iter().filter_map(|(q, p)| p.map(|p| (q, p))).collect();
        assert!(from_book.len() >= 8, "only {} quotes of the book", from_book.len());
        for (q, p) in &from_book {
            assert_eq!(q.as_str(), sentence(&text, *p), "a quote that is not its passage's sentence");
            assert!(text.point_of(*p) < half, "{p:?} is past the reader's place: {q}");
        }
        assert!(html.contains("The answer is past your place in the book."), "the ending stays hidden");
        for l in links(&html) {
            if let Some(p) = place_of(&l) {
                assert!(text.point_of(p) < half, "a link past the reader's place: {l}");
            }
        }

        // Every source link works.
        let mut checked = 0;
        for l in links(&html).iter().filter(|l| l.starts_with('/')) {
            let (status, body) = site.get_text(l).await;
            assert_eq!(status, 200, "{l}");
            if let Some(anchor) = l.split('#').nth(1) {
                assert!(body.contains(&format!("id=\"{anchor}\"")), "{l} has no #{anchor}");
            }
            checked += 1;
        }
        assert!(checked > 20, "{checked}");

        // A passage past the place is withheld, until the guard is lifted.
        let late = format!("/books/{}/passages/55/3?sentence=0", b.work);
        let (status, body) = site.get_text(&late).await;
        assert_eq!(status, 200);
        assert!(body.contains("This passage is past your place in the book."));
        assert!(!body.contains(sentence(&text, Place { section: 55, paragraph: 3, sentence: 0 })));
        let (_, body) = site.get_text(&format!("{late}&reveal=all")).await;
        assert!(body.contains(sentence(&text, Place { section: 55, paragraph: 3, sentence: 0 })));

        // Lifted on purpose: the ending shows, from the last chapter.
        let (_, html) = site.get_text(&format!("{page}?reveal=all")).await;
        assert!(!html.contains("The answer is past your place in the book."));
        assert!(quoted(&html).iter().any(|(_, p)| p.is_some_and(|p| p.section == 60)));

        // The JSON says the same, under the same guard.
        let v: Value = site.client.get(site.url(&format!("/api/v1/books/{}/insights", b.work))).send().await.unwrap().json().await.unwrap();
        assert_eq!(v["guard"], "before_your_place");
        assert_eq!(v["reader_point"], 5000);
        let ending = v["faq"].as_array().unwrap().iter().find(|a| a["slug"] == "how-does-it-end").unwrap();
        assert_eq!(ending["hidden"], true);
        assert!(ending["lines"].as_array().unwrap().is_empty());
        assert!(v["chapters"].as_array().unwrap().len() < 61);
    }

    async fn a_book_without_text_says_how_to_get_insights(db: Db) {
        let b = BookBuilder::new("No Text Here").build(&db).await;
        let site = Site::start(db).await;
        let (status, html) = site.get_text(&format!("/books/{}/insights", b.work)).await;
        assert_eq!(status, 200);
        assert!(html.contains("Quire has no text of this book yet"));
        let r = site.client.get(site.url(&format!("/api/v1/books/{}/insights", b.work))).send().await.unwrap();
        assert_eq!(r.status(), 404);
    }
}

/// An EPUB-shaped zip of `entries` (name, bytes), deflated.
fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        z.start_file(*name, opts).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
    out.into_inner()
}

const CONTAINER: &str = r#"<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>"#;

/// Hostile files, each with words its refusal must say.
fn hostile() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let bomb = zip_of(&[
        ("mimetype", b"application/epub+zip".to_vec()),
        ("META-INF/container.xml", CONTAINER.as_bytes().to_vec()),
        ("OEBPS/content.opf", vec![b' '; 40 * 1024 * 1024]),
    ]);
    let traversal = zip_of(&[
        ("mimetype", b"application/epub+zip".to_vec()),
        (
            "META-INF/container.xml",
            CONTAINER
                .replace("OEBPS/content.opf", "../../etc/passwd")
                .into_bytes(),
        ),
    ]);
    let entities = zip_of(&[
        ("mimetype", b"application/epub+zip".to_vec()),
        ("META-INF/container.xml", br#"<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><container>&lol2;</container>"#.to_vec()),
    ]);
    let mut truncated = std::fs::read(data().join("gutenberg/epub/pg84-images-3.epub")).unwrap();
    truncated.truncate(truncated.len() / 2);
    let junk: Vec<u8> = (0..300_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    vec![
        ("bomb.epub", bomb, "zip bomb"),
        ("traversal.epub", traversal, "archive"),
        ("entities.epub", entities, "entit"),
        ("truncated.epub", truncated, "epub"),
        ("junk.txt", junk, "binary data"),
    ]
}

quire_testkit::both_backends! {
    async fn hostile_texts_are_refused_with_their_reason_while_the_server_serves(db: Db) {
        let b = BookBuilder::new("Frankenstein").build(&db).await;
        let site = Site::start(db.clone()).await;
        site.join("libby").await;
        let u = quire_storage::users::by_username(&db, "libby").await.unwrap().unwrap();
        quire_storage::users::set_role(&db, u.user_id(), quire_domain::SiteRole::Librarian).await.unwrap();
        let api = site.url(&format!("/api/v1/books/{}/text", b.work));
        for (name, bytes, says) in hostile() {
            let r = site.client.put(&api).header("sec-fetch-site", "same-origin").header("x-file-name", name).body(bytes).send().await.unwrap();
            let status = r.status().as_u16();
            let body = r.text().await.unwrap();
            assert!(status == 422 || status == 413, "{name}: {status} {body}");
            assert!(body.to_lowercase().contains(says), "{name}: the reason does not say {says:?}: {body}");
            assert!(texts::info(&db, b.work).await.unwrap().is_none(), "{name}: something was saved");
            let (status, _) = site.get_text("/").await;
            assert_eq!(status, 200, "the server stopped serving after {name}");
        }
        // A 200 MB file is refused before it is read.
        let big = vec![b'a'; 200 * 1024 * 1024];
        match site.client.put(&api).header("sec-fetch-site", "same-origin").body(big).send().await {
            Ok(r) => assert_eq!(r.status(), 413),
            // The server answered 413 and closed the connection before the
            // client had written it all: it did not read the file.
            Err(e) => assert!(e.is_request(), "{e}"),
        }
        assert!(texts::info(&db, b.work).await.unwrap().is_none());
        assert_eq!(site.get_text("/").await.0, 200);
        // The real file is taken, and its analysis queued.
        let bytes = std::fs::read(data().join("gutenberg/epub/pg84-images-3.epub")).unwrap();
        let r = site.client.put(&api).header("sec-fetch-site", "same-origin").header("x-file-name", "pg84.epub").body(bytes).send().await.unwrap();
        assert_eq!(r.status(), 201);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["sections"], 28, "4 letters and 24 chapters");
        let ran = quire_jobs::run_due(&db, &quire_jobs::registry(), quire_storage::now()).await.unwrap();
        assert_eq!(ran.as_deref(), Some("analyse_text"));

        // A member who organises no club reading it may not attach one.
        let member = Site { base: site.base.clone(), client: reqwest::Client::builder().cookie_store(true).build().unwrap() };
        member.join("plain").await;
        let r = member.client.put(&api).header("sec-fetch-site", "same-origin").body(b"Some text".to_vec()).send().await.unwrap();
        assert_eq!(r.status(), 403);
    }
}
