//! The insight page of a book with its text: analysed by the job, its
//! answers grounded (every quote the book's own sentence at the place its
//! link names), nothing past the reader's place on the page, in the JSON
//! or on a passage page, and every source link working.

use super::site::Site;
use quire_storage::texts::{self, SourceFormat, SourceInfo};
use quire_testkit::BookBuilder;
use quire_text::{Place, Text};
use serde_json::Value;

fn data() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

/// Pride and Prejudice as the shared Gutenberg file gives it.
fn pride() -> (Text, SourceInfo) {
    let path = data().join("gutenberg/txt/pg1342.txt");
    let bytes = std::fs::read(&path).unwrap();
    let text =
        quire_text::gutenberg::from_gutenberg_file(&path, &quire_text::Limits::default()).unwrap();
    (
        text,
        SourceInfo::of(SourceFormat::GutenbergTxt, "pg1342.txt", &bytes),
    )
}

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

fn sentence(text: &Text, p: Place) -> &str {
    text.sections[p.section as usize].paragraphs[p.paragraph as usize]
        .sentence(p.sentence as usize)
        .unwrap()
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

fn unescape(s: &str) -> String {
    s.replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
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
