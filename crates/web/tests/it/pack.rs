//! The insight pack downloaded from the server: a PDF that renders and an
//! EPUB that passes epubcheck for every shared novel, both stopping at the
//! reader's place unless they lift the guard, and a meeting that carries
//! the pack and the story so far, each member seeing them up to their own
//! place.

use super::site::Site;
use super::texts::{data, unescape};
use quire_testkit::BookBuilder;
use quire_testkit::documents::{epubcheck, first_page_inked, flat, pdf_text, scratch};
use serde_json::Value;
use std::io::Read;
use std::path::PathBuf;

fn gutenberg() -> PathBuf {
    data().join("gutenberg/txt")
}

/// Analyses the book's text now, as the job would.
async fn analyse(db: &quire_storage::Db, work: quire_domain::WorkId) {
    quire_jobs::analyse_text(db, work, |_| {}).await.unwrap();
}

async fn download(site: &Site, path: &str) -> (u16, String, Vec<u8>) {
    let r = site.get(path).await;
    let status = r.status().as_u16();
    let kind = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, kind, r.bytes().await.unwrap().to_vec())
}

/// The words of every XHTML document of an EPUB, tags dropped.
fn epub_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut all = String::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        if f.name().ends_with(".xhtml") {
            let mut s = String::new();
            f.read_to_string(&mut s).unwrap();
            let mut in_tag = false;
            for c in s.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => {
                        in_tag = false;
                        all.push(' ');
                    }
                    c if !in_tag => all.push(c),
                    _ => {}
                }
            }
        }
    }
    flat(&unescape(&all))
}

/// The summary sentences of each chapter, as the JSON gives them with
/// the guard lifted.
async fn chapter_quotes(site: &Site, work: &str) -> Vec<Vec<String>> {
    let v: Value = site
        .client
        .get(site.url(&format!("/api/v1/books/{work}/insights?reveal=all")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c["summary"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|l| l["quote"].as_str().map(flat))
                .collect()
        })
        .collect()
}

quire_testkit::both_backends! {
    async fn the_pack_stops_at_the_readers_place_in_both_formats(db: Db) {
        let b = BookBuilder::new("Pride and Prejudice").with_reviews(4).build(&db).await;
        quire_import::text_file::attach(&db, b.work, &gutenberg().join("pg1342.txt"), None).await.unwrap();
        analyse(&db, b.work).await;
        let site = Site::start(db.clone()).await;
        let work = b.work.to_string();
        let all = chapter_quotes(&site, &work).await;
        assert_eq!(all.len(), 61, "Pride and Prejudice has 61 chapters");

        site.join("quarter").await;
        let r = site.post(&format!("/books/{work}/reading"), &[("action", "progress"), ("unit", "percent"), ("value", "25")]).await;
        assert!(r.status().is_success());
        let v: Value = site.client.get(site.url(&format!("/api/v1/books/{work}/insights"))).send().await.unwrap().json().await.unwrap();
        let shown = v["sections_shown"].as_u64().unwrap() as usize;
        assert!((10..20).contains(&shown), "a quarter of the way is chapter {shown}");

        let dir = scratch(&format!("web-pack-{work}"));
        let (status, kind, pdf) = download(&site, &format!("/books/{work}/insights/pack.pdf")).await;
        assert_eq!((status, kind.as_str()), (200, "application/pdf"));
        let path = dir.join("pack.pdf");
        std::fs::write(&path, &pdf).unwrap();
        assert!(first_page_inked(&path, &dir), "the PDF's first page is blank");
        let text = pdf_text(&path);
        assert!(text.contains("Pride and Prejudice"));
        assert!(text.contains("You are 25% of the way through"), "{}", &text[..text.len().min(2000)]);

        let (status, kind, epub) = download(&site, &format!("/books/{work}/insights/pack.epub")).await;
        assert_eq!((status, kind.as_str()), (200, "application/epub+zip"));
        let epath = dir.join("pack.epub");
        std::fs::write(&epath, &epub).unwrap();
        let (ok, report) = epubcheck(&epath);
        assert!(ok, "{report}");
        let etext = epub_text(&epub);

        // What is before the place is there; nothing from the chapters after
        // the reader's own is, in either. (The reader's chapter may show
        // what comes before their place in it.)
        let early = all[..shown].iter().flatten().filter(|q| q.len() > 40).count();
        let in_pdf = all[..shown].iter().flatten().filter(|q| q.len() > 40 && text.contains(q.as_str())).count();
        assert!(in_pdf * 2 >= early, "only {in_pdf} of {early} summary sentences before the place are in the PDF");
        for (i, quotes) in all.iter().enumerate().skip(shown + 1) {
            for q in quotes.iter().filter(|q| q.len() > 40) {
                assert!(!text.contains(q.as_str()), "chapter {} is past the place but in the PDF: {q}", i + 1);
                assert!(!etext.contains(q.as_str()), "chapter {} is past the place but in the EPUB: {q}", i + 1);
            }
        }
        assert!(etext.contains("The answer is past your place in the book"));

        // Lifted on purpose: the last chapter's summary is in.
        let (_, _, lifted) = download(&site, &format!("/books/{work}/insights/pack.epub?reveal=all")).await;
        let ltext = epub_text(&lifted);
        let last = all.last().unwrap();
        assert!(last.iter().any(|q| ltext.contains(q.as_str())), "the lifted pack lacks the last chapter");

        // A paper size it does not know is refused, naming the field.
        let r = site.get(&format!("/books/{work}/insights/pack.pdf?paper=legal")).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("paper=a4"));
        // A book without text has no pack, and says why.
        let none = BookBuilder::new("No Text").build(&db).await;
        let r = site.get(&format!("/books/{}/insights/pack.epub", none.work)).await;
        assert_eq!(r.status(), 404);
        assert!(r.text().await.unwrap().contains("has no text in Quire yet, so it has no insight pack"));
    }

    async fn a_meeting_carries_the_pack_and_the_story_so_far_up_to_each_members_place(db: Db) {
        let b = BookBuilder::new("Pride and Prejudice").build(&db).await;
        quire_import::text_file::attach(&db, b.work, &gutenberg().join("pg1342.txt"), None).await.unwrap();
        analyse(&db, b.work).await;
        let site = Site::start(db.clone()).await;
        let work = b.work.to_string();
        let all = chapter_quotes(&site, &work).await;

        // An organiser starts a club, picks the book and plans a meeting
        // that carries both.
        site.join("organiser").await;
        let r = site.post("/clubs", &[
            ("name", "Netherfield Readers"), ("description", ""), ("visibility", "public"),
            ("join_policy", "open"), ("time_zone", "UTC"),
        ]).await;
        assert_eq!(r.status(), 200);
        let club = r.url().path().to_string();
        let r = site.post(&format!("{club}/selections"), &[("book", &work), ("status", "current")]).await;
        assert_eq!(r.status(), 200);
        let (_, form) = site.get_text(&format!("{club}/meetings/new")).await;
        assert!(form.contains("Attach the insight pack"), "{form}");
        let books = form.split("<select id=\"selection\"").nth(1).unwrap().split("</select>").next().unwrap();
        let selection = books.split("\" selected>").next().unwrap().rsplit("value=\"").next().unwrap().to_string();
        let date = (time::OffsetDateTime::now_utc() + time::Duration::days(10)).date().to_string();
        let r = site.post(&format!("{club}/meetings"), &[
            ("date", &date), ("time", "19:00"), ("zone", "UTC"), ("duration", "90"),
            ("selection", &selection), ("shares_pack", "on"), ("shares_story", "on"),
        ]).await;
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
        let meeting = r.url().path().to_string();
        assert!(meeting.contains("/meetings/"), "{meeting}");

        // At the start, the organiser sees the pack's links and no story yet.
        let (_, html) = site.get_text(&meeting).await;
        assert!(html.contains("Prepare for the meeting"), "{html}");
        assert!(html.contains(&format!("/books/{work}/insights/pack.pdf")));
        assert!(html.contains("Nothing yet: the story so far begins"));

        // Half-way: the story so far quotes chapters before the place only.
        let r = site.post(&format!("/books/{work}/reading"), &[("action", "progress"), ("unit", "percent"), ("value", "50")]).await;
        assert!(r.status().is_success());
        let (_, html) = site.get_text(&meeting).await;
        assert!(html.contains("You are 50% of the way through"), "{html}");
        let story: Vec<String> = html
            .split("<ol class=\"story-so-far\">").nth(1).unwrap()
            .split("</ol>").next().unwrap()
            .split("<q>").skip(1)
            .map(|s| flat(&unescape(s.split("</q>").next().unwrap())))
            .collect();
        assert!(story.len() >= 3, "{story:?}");
        let v: Value = site.client.get(site.url(&format!("/api/v1/books/{work}/insights"))).send().await.unwrap().json().await.unwrap();
        let shown = v["sections_shown"].as_u64().unwrap() as usize;
        for (i, quotes) in all.iter().enumerate().skip(shown) {
            for q in quotes {
                assert!(!story.contains(q), "chapter {} is past the place but in the story: {q}", i + 1);
            }
        }

        // The JSON of the meeting says what is attached.
        let id = meeting.rsplit('/').next().unwrap();
        let m: Value = site.client.get(site.url(&format!("/api/v1{club}/meetings/{id}"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(m["shares_pack"], true);
        assert_eq!(m["shares_story"], true);
        assert_eq!(m["insights"], format!("/api/v1/books/{work}/insights"));

        // Sharing needs a book: refused with the field named.
        let r = site.post(&format!("{club}/meetings"), &[
            ("date", &date), ("time", "19:00"), ("zone", "UTC"), ("duration", "90"),
            ("selection", ""), ("shares_story", "on"),
        ]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("choose the book first"));
    }
}

/// Every shared novel: the insight page, a PDF whose first page renders
/// and an EPUB that epubcheck passes. One engine: this checks rendering,
/// which the storage engine does not touch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shared_novel_has_an_insight_page_a_pdf_and_an_epub() {
    let t = quire_testkit::db::sqlite().await;
    let db = t.db.clone();
    let site = Site::start(db.clone()).await;
    let mut files: Vec<PathBuf> = std::fs::read_dir(gutenberg())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 10);
    let dir = scratch("web-pack-all");
    for file in &files {
        let name = file.file_stem().unwrap().to_string_lossy().to_string();
        let b = BookBuilder::new(&name).build(&db).await;
        let attached = quire_import::text_file::attach(&db, b.work, file, None)
            .await
            .unwrap();
        analyse(&db, b.work).await;
        let title = attached.text.title.clone().unwrap_or(name.clone());
        let (status, html) = site
            .get_text(&format!("/books/{}/insights?reveal=all", b.work))
            .await;
        assert_eq!(status, 200, "{name}");
        assert!(html.contains("Questions and answers"), "{name}: {html}");
        // Every line of every answer names its source, and the link works.
        let faq = html
            .split("<section id=\"faq\"")
            .nth(1)
            .unwrap()
            .split("id=\"ask\"")
            .next()
            .unwrap();
        let lines: Vec<&str> = faq.split("<li>").skip(1).collect();
        assert!(
            lines.len() >= 10,
            "{name}: only {} answer lines",
            lines.len()
        );
        let mut hrefs = std::collections::BTreeSet::new();
        for l in &lines {
            let href = l
                .split("class=\"source\" href=\"")
                .nth(1)
                .unwrap_or_else(|| panic!("{name}: a line without a source: {l}"));
            hrefs.insert(href.split('"').next().unwrap().replace("&amp;", "&"));
        }
        for h in &hrefs {
            // A passage past the start needs the guard lifted, as the page was.
            let (path, _) = h.split_once('#').unwrap_or((h.as_str(), ""));
            let url = if path.contains("/passages/") {
                format!("{path}&reveal=all")
            } else {
                path.to_string()
            };
            let (status, body) = site.get_text(&url).await;
            assert_eq!(status, 200, "{name}: {h}");
            if let Some(anchor) = h.split('#').nth(1) {
                assert!(
                    body.contains(&format!("id=\"{anchor}\"")),
                    "{name}: {h} has no #{anchor}"
                );
            }
        }

        let (status, _, pdf) = download(
            &site,
            &format!("/books/{}/insights/pack.pdf?reveal=all", b.work),
        )
        .await;
        assert_eq!(status, 200, "{name}");
        let path = dir.join(format!("{name}.pdf"));
        std::fs::write(&path, &pdf).unwrap();
        assert!(
            first_page_inked(&path, &dir),
            "{name}: the first page is blank"
        );
        let (status, _, epub) = download(
            &site,
            &format!("/books/{}/insights/pack.epub?reveal=all", b.work),
        )
        .await;
        assert_eq!(status, 200, "{name}");
        let epath = dir.join(format!("{name}.epub"));
        std::fs::write(&epath, &epub).unwrap();
        let (ok, report) = epubcheck(&epath);
        assert!(ok, "{name} ({title}): {report}");
    }
}
