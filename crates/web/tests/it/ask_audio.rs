//! Ask anything, catch me up, and listening, for readers part of the way
//! through Pride and Prejudice: what they find, see and hear stops at
//! their place unless they lift the guard, and the audio is a real WAV
//! file served from the cache the second time.

use super::site::Site;
use super::texts::{place, pride};
use quire_domain::position::Point;
use quire_storage::texts;
use quire_testkit::BookBuilder;
use quire_text::{Place, Text};
use serde_json::Value;

/// Pride and Prejudice attached and analysed, and a reader signed in with
/// their place set by `unit` and `value` (as the book page's form sets it).
pub(super) async fn reader_of_pride(
    db: &quire_storage::Db,
    unit: &str,
    value: &str,
) -> (Site, String, Text) {
    let b = BookBuilder::new("Pride and Prejudice")
        .with_reviews(4)
        .build(db)
        .await;
    let (text, source) = pride();
    texts::attach(db, b.work, &text, &source, None)
        .await
        .unwrap();
    let site = Site::start(db.clone()).await;
    // The first visit queues the analysis; the job runs it.
    let (status, _) = site.get_text(&format!("/books/{}/insights", b.work)).await;
    assert_eq!(status, 200);
    let ran = quire_jobs::run_due(db, &quire_jobs::registry(), quire_storage::now())
        .await
        .unwrap();
    assert_eq!(ran.as_deref(), Some("analyse_text"));
    site.join("reader").await;
    let r = site
        .post(
            &format!("/books/{}/reading", b.work),
            &[("action", "progress"), ("unit", unit), ("value", value)],
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    (site, b.work.to_string(), text)
}

pub(super) async fn json(site: &Site, path: &str) -> (u16, Value) {
    let (status, body) = site.get_text(path).await;
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}")),
    )
}

pub(super) fn q(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Every passage link of a page, as the place it names.
fn passage_places(html: &str) -> Vec<Place> {
    html.split("/passages/")
        .skip(1)
        .filter_map(|rest| {
            let (path, query) = rest.split_once('?')?;
            let mut parts = path.split('/');
            let section = parts.next()?.parse().ok()?;
            let paragraph = parts.next()?.parse().ok()?;
            let sentence = query
                .split("sentence=")
                .nth(1)?
                .split(['&', '#', '"'])
                .next()?
                .parse()
                .ok()?;
            Some(Place {
                section,
                paragraph,
                sentence,
            })
        })
        .collect()
}

fn marks(html: &str) -> Vec<String> {
    html.split("<mark>")
        .skip(1)
        .filter_map(|s| s.split_once("</mark>").map(|(m, _)| m.to_lowercase()))
        .collect()
}

quire_testkit::both_backends! {
    async fn asking_finds_passages_only_before_the_readers_place(db: Db) {
        let (site, work, text) = reader_of_pride(&db, "percent", "50").await;
        let half = Point::new(5_000).unwrap();

        // The insight page has the question box, the catch-up form and the
        // voice picker with all five voices.
        let (_, page) = site.get_text(&format!("/books/{work}/insights")).await;
        assert!(page.contains(&format!("action=\"/books/{work}/insights/ask\"")), "no question box");
        assert!(page.contains("name=\"chapter\""), "no catch-up form");
        assert_eq!(crate::site::count(&page, "name=\"voice\""), 5, "the picker lists every voice");

        // The JSON: hits, all wholly before the reader's place, and what
        // was searched for.
        let (status, a) = json(&site, &format!("/api/v1/books/{work}/ask?q={}&k=10", q("Who is Mr. Collins?"))).await;
        assert_eq!(status, 200, "{a}");
        assert_eq!(a["guard"], "before_your_place");
        let hits = a["hits"].as_array().unwrap();
        assert!(!hits.is_empty(), "nothing found for Mr. Collins: {a}");
        for h in hits {
            let last = place(&h["last"]);
            assert!(text.point_of(last) < half, "a hit past the reader's place: {last:?}");
            assert!(h["text"].as_str().unwrap().contains("Collins"), "{h}");
        }
        assert!(a["searched_for"].as_array().unwrap().iter().any(|t| t["words"].as_str().unwrap().contains("collins")), "{a}");

        // The page: matched words in <mark>, every passage link before the place.
        let (status, html) = site.get_text(&format!("/books/{work}/insights/ask?q={}", q("Who is Mr. Collins?"))).await;
        assert_eq!(status, 200);
        let m = marks(&html);
        assert!(!m.is_empty() && m.iter().all(|w| w.contains("collins")), "not only Collins is marked: {m:?}");
        let places = passage_places(&html);
        assert!(!places.is_empty());
        for p in &places {
            assert!(text.point_of(*p) < half, "a passage link past the place: {p:?}");
        }
        assert!(html.contains("Searched for"), "what was searched for is not said");
        // htmx gets the results alone.
        let r = site.client.get(site.url(&format!("/books/{work}/insights/ask?q={}", q("Mr. Collins")))).header("hx-request", "true").send().await.unwrap();
        let frag = r.text().await.unwrap();
        assert!(!frag.contains("<html") && frag.contains("<mark>"), "{frag}");

        // Lydia's elopement is past half-way: hidden, then found once the
        // reader lifts the guard.
        let ask = format!("/api/v1/books/{work}/ask?q={}&k=20", q("When does Lydia elope with Wickham?"));
        let (_, guarded) = json(&site, &ask).await;
        for h in guarded["hits"].as_array().unwrap() {
            assert!(text.point_of(place(&h["last"])) < half);
        }
        let (_, all) = json(&site, &format!("{ask}&reveal=all")).await;
        assert_eq!(all["guard"], "lifted");
        assert!(
            all["hits"].as_array().unwrap().iter().any(|h| text.point_of(place(&h["first"])) >= half),
            "reveal=all finds nothing later in the book: {all}"
        );

        // Nothing asked, or nothing to search for: said plainly.
        let (status, html) = site.get_text(&format!("/books/{work}/insights/ask?q=")).await;
        assert_eq!(status, 200);
        assert!(html.contains("Nothing was asked"), "{html}");
        let (_, a) = json(&site, &format!("/api/v1/books/{work}/ask?q={}", q("who is it?"))).await;
        assert!(a["hits"].as_array().unwrap().is_empty());
        assert!(a["message"].as_str().unwrap().contains("nothing to search for"), "{a}");
        let (_, a) = json(&site, &format!("/api/v1/books/{work}/ask?q={}", q("quantum spaceship"))).await;
        assert!(a["hits"].as_array().unwrap().is_empty());
        assert!(a["message"].is_string(), "{a}");

        // A 1,000-character question is refused, naming the field.
        let long = "a".repeat(1_000);
        let (status, body) = site.get_text(&format!("/api/v1/books/{work}/ask?q={long}")).await;
        assert_eq!(status, 422, "{body}");
        assert!(body.contains("(q)") && body.contains("300"), "{body}");
        let (status, body) = site.get_text(&format!("/books/{work}/insights/ask?q={long}")).await;
        assert_eq!(status, 422);
        assert!(body.contains("(q)"), "{body}");
        let (status, body) = site.get_text(&format!("/api/v1/books/{work}/ask?q=Collins&k=0")).await;
        assert_eq!(status, 422);
        assert!(body.contains("(k)"), "{body}");
    }

    async fn catching_up_stops_at_the_readers_place(db: Db) {
        let (site, work, text) = reader_of_pride(&db, "chapter", "10").await;
        let (_, insights) = json(&site, &format!("/api/v1/books/{work}/insights")).await;
        let shown = insights["sections_shown"].as_u64().unwrap() as u32;
        assert!((8..=10).contains(&shown), "a reader in chapter 10 has read {shown} sections");
        let at = Point::new(insights["reader_point"].as_u64().unwrap() as u32).unwrap();

        // Chapter 40 asked for, the reader in chapter 10: clamped to the place.
        let (status, c) = json(&site, &format!("/api/v1/books/{work}/recap?chapter=40")).await;
        assert_eq!(status, 200, "{c}");
        assert_eq!(c["clamped"], true);
        let lines = c["lines"].as_array().unwrap();
        assert!(!lines.is_empty(), "{c}");
        for l in lines {
            let p = place(&l["place"]);
            assert!(text.point_of(p) < at, "a recap line from {p:?}, past the reader's place");
            assert_eq!(l["quote"].as_str().unwrap(), quire_insight::sentence_at(&text, p).unwrap());
        }
        let (_, html) = site.get_text(&format!("/books/{work}/insights/catch-up?chapter=40")).await;
        assert!(html.contains("this recap stops at your place"), "{html}");
        for p in passage_places(&html) {
            assert!(text.point_of(p) < at, "{p:?}");
        }

        // An earlier chapter is not clamped and stops at its own end.
        let (_, c) = json(&site, &format!("/api/v1/books/{work}/recap?chapter=5")).await;
        assert_eq!(c["clamped"], false);
        for l in c["lines"].as_array().unwrap() {
            assert!(place(&l["place"]).section < 5);
        }

        // Lifting the guard reaches chapter 40.
        let (_, c) = json(&site, &format!("/api/v1/books/{work}/recap?chapter=40&reveal=all")).await;
        assert_eq!(c["clamped"], false);
        assert!(c["lines"].as_array().unwrap().iter().any(|l| place(&l["place"]).section > shown), "{c}");

        // No chapter, or one the book does not have: refused naming the field.
        let (status, body) = site.get_text(&format!("/api/v1/books/{work}/recap?chapter=999")).await;
        assert_eq!(status, 422);
        assert!(body.contains("(chapter)"), "{body}");
    }
}
