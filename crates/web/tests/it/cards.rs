//! Flashcards on the web: a reader half-way through Pride and Prejudice
//! sees, reviews, exports and gets as JSON only cards from before their
//! place (each one the book's own sentence at the place it names); "good"
//! sends a due card days away and off the due list, "again" keeps it due
//! within minutes; the same review sent twice, or twice at once, counts
//! once; moving back hides the cards past the new place; visitors may not
//! review.

use super::site::Site;
use super::texts::{place, pride, sentence, unescape};
use quire_domain::position::Point;
use quire_storage::cards::{self as store, CardRating, ReviewState};
use quire_storage::texts;
use quire_testkit::BookBuilder;
use quire_text::Text;
use serde_json::{Value, json};
use std::collections::HashSet;
use time::{Duration, OffsetDateTime};

/// The value of `attr="…"` after `after` in `html`.
fn attr(html: &str, after: &str, attr: &str) -> String {
    let rest = html
        .split(after)
        .nth(1)
        .unwrap_or_else(|| panic!("no {after} in {html}"));
    let v = rest.split(&format!("{attr}=\"")).nth(1).unwrap();
    unescape(v.split('"').next().unwrap())
}

fn time(v: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(
        v.as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap()
}

/// Every card of a JSON deck is the book's own sentence at its place, and
/// before `limit` on the position scale; returns the ids.
fn check_deck(text: &Text, v: &Value, limit: Point) -> Vec<String> {
    let cards = v["cards"].as_array().unwrap();
    for c in cards {
        let p = place(&c["place"]);
        assert!(
            text.point_of(p) < limit,
            "card {} at {p:?} is past the reader's place",
            c["id"]
        );
        assert_eq!(
            c["point"].as_u64().unwrap(),
            u64::from(text.point_of(p).value())
        );
        let s = sentence(text, p);
        let (prompt, answer) = (c["prompt"].as_str().unwrap(), c["answer"].as_str().unwrap());
        match c["kind"].as_str().unwrap() {
            "cloze" => assert_eq!(prompt.replacen(quire_insight::BLANK, answer, 1), s),
            "character" => assert!(answer.starts_with(s), "{answer} is not {s}"),
            _ => assert_eq!(prompt, s),
        }
    }
    cards
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

/// The Anki file: its headers, then rows of four tab-separated columns;
/// returns the GUIDs.
fn parse_anki(body: &str) -> Vec<String> {
    let headers: Vec<&str> = body.lines().take_while(|l| l.starts_with('#')).collect();
    for h in [
        "#separator:tab",
        "#html:false",
        "#columns:Front\tBack\tTags\tGUID",
        "#guid column:4",
    ] {
        assert!(headers.contains(&h), "no {h:?} in {headers:?}");
    }
    body.lines()
        .skip(headers.len())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 4, "{l}");
            assert!(!cols[0].is_empty() && !cols[1].is_empty(), "{l}");
            cols[3].to_string()
        })
        .collect()
}

async fn set_place(site: &Site, work: quire_domain::WorkId, percent: &str) {
    let r = site
        .post(
            &format!("/books/{work}/reading"),
            &[
                ("action", "progress"),
                ("unit", "percent"),
                ("value", percent),
            ],
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());
}

async fn deck(site: &Site, work: quire_domain::WorkId) -> Value {
    let r = site.get(&format!("/api/v1/books/{work}/cards")).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

fn card<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["cards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no card {id}"))
}

async fn review_api(
    site: &Site,
    work: quire_domain::WorkId,
    id: &str,
    body: Value,
) -> reqwest::Response {
    site.client
        .post(site.url(&format!("/api/v1/books/{work}/cards/{id}/review")))
        .header("sec-fetch-site", "same-origin")
        .json(&body)
        .send()
        .await
        .unwrap()
}

quire_testkit::both_backends! {
    async fn cards_stop_at_the_readers_place_and_reviews_schedule_them(db: Db) {
        let b = BookBuilder::new("Pride and Prejudice").build(&db).await;
        let (text, source) = pride();
        texts::attach(&db, b.work, &text, &source, None).await.unwrap();
        let site = Site::start(db.clone()).await;
        let w = b.work;

        // Before the analysis: the deck says it is on its way (and queues it).
        let (status, html) = site.get_text(&format!("/books/{w}/cards")).await;
        assert_eq!(status, 503, "{html}");
        assert!(html.contains("Quire is still reading this book"), "{html}");
        let ran = quire_jobs::run_due(&db, &quire_jobs::registry(), quire_storage::now()).await.unwrap();
        assert_eq!(ran.as_deref(), Some("analyse_text"));

        // A visitor: no reviewing (401 on every review route); the export
        // works, with nothing past the start (so no card at all).
        assert_eq!(site.get(&format!("/books/{w}/cards/review")).await.status(), 401);
        let r = site.post(&format!("/books/{w}/cards/review"), &[("card", "0011223344556677"), ("rating", "good")]).await;
        assert_eq!(r.status(), 401);
        assert_eq!(review_api(&site, w, "0011223344556677", json!({"rating": "good"})).await.status(), 401);
        let r = site.get(&format!("/books/{w}/cards.txt")).await;
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
        assert!(parse_anki(&r.text().await.unwrap()).is_empty(), "a visitor's export holds cards past the start");
        let (status, html) = site.get_text(&format!("/books/{w}/cards")).await;
        assert_eq!(status, 200);
        assert!(html.contains("to review cards and keep your progress"), "{html}");

        // A reader half-way: every card everywhere is before 50%.
        site.join("cardreader").await;
        set_place(&site, w, "50").await;
        let half = Point::new(5_000).unwrap();
        let v = deck(&site, w).await;
        assert_eq!(v["reader_point"], 5000);
        let ids = check_deck(&text, &v, half);
        assert!(ids.len() >= 30, "only {} cards", ids.len());
        assert_eq!(v["counts"]["total"].as_u64().unwrap() as usize, ids.len());
        assert_eq!(v["counts"]["new"], v["counts"]["total"]);
        assert_eq!(v["counts"]["due"], 0);
        assert!(v["cards"].as_array().unwrap().iter().all(|c| c["state"].is_null()));
        // The book's later half has cards too: the guard is what holds them back.
        let analysis = quire_insight::analyse(&text, &quire_insight::Options::default());
        let whole = quire_insight::cards(&text, &analysis, None);
        assert!(whole.iter().filter(|c| text.point_of(c.place) >= half).count() >= 20);

        let r = site.get(&format!("/books/{w}/cards.txt")).await;
        assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
        let exported = parse_anki(&r.text().await.unwrap());
        assert_eq!(exported, ids, "the export is the deck, in the book's order");

        let (_, html) = site.get_text(&format!("/books/{w}/cards")).await;
        assert!(html.contains(&format!("<dd id=\"count-total\">{}</dd>", ids.len())), "{html}");
        assert!(html.contains("Start reviewing"));

        // The review screen shows the first new card, in the book's order,
        // with its answer hidden until asked for.
        let (status, html) = site.get_text(&format!("/books/{w}/cards/review")).await;
        assert_eq!(status, 200);
        let first = attr(&html, "class=\"flashcard\"", "data-card");
        assert_eq!(first, ids[0]);
        assert_eq!(v["next"], ids[0].as_str());
        let prompt = html.split("<p class=\"card-prompt\">").nth(1).unwrap().split("</p>").next().unwrap();
        assert_eq!(unescape(prompt), card(&v, &first)["prompt"].as_str().unwrap());
        assert!(html.contains("<div id=\"answer\" class=\"card-answer\" hidden>"));
        assert!(html.contains("<kbd>1</kbd> Again") && html.contains("<kbd>4</kbd> Easy"));
        assert!(html.contains("/assets/flashcards.js"));
        let show = attr(&html, "id=\"show-answer\"", "href");
        let (_, shown) = site.get_text(&show).await;
        assert!(shown.contains("<div id=\"answer\" class=\"card-answer\">"), "{shown}");
        let seen = attr(&shown, "name=\"seen\"", "value");
        assert_eq!(seen, "new");
        assert_eq!(site.get("/assets/flashcards.js").await.status(), 200);

        // "Good" on a new card: reviewed, due days from now, not due now.
        let before = OffsetDateTime::now_utc();
        let r = site.post(&format!("/books/{w}/cards/review"), &[("card", &first), ("rating", "good"), ("seen", &seen)]).await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("Rated good: that card comes back in"), "{html}");
        assert_ne!(attr(&html, "class=\"flashcard\"", "data-card"), first, "the next card follows");
        // The same form sent again (a double click, a reload) counts once.
        site.post(&format!("/books/{w}/cards/review"), &[("card", &first), ("rating", "good"), ("seen", &seen)]).await;
        let v = deck(&site, w).await;
        let s = &card(&v, &first)["state"];
        assert_eq!(s["reviews"], 1, "{s}");
        assert_eq!(s["due_now"], false);
        assert!(time(&s["due"]) >= before + Duration::days(1) - Duration::seconds(2), "{s}");
        assert_eq!(v["counts"]["learned"], 1);

        // A card made due (as if days had passed) heads the due list; "good"
        // sends it days away and off the list.
        let reader = quire_storage::users::by_username(&db, "cardreader").await.unwrap().unwrap().user_id();
        let due_id = ids[ids.len() - 1].clone();
        let past = quire_storage::now() - Duration::days(3);
        let old = ReviewState {
            stability: 2.3, difficulty: 5.0, due: past + Duration::days(2), last_review: past,
            first_review: past, reps: 1, lapses: 0, last_rating: CardRating::Good,
        };
        store::record(&db, reader, w, &due_id, None, &old).await.unwrap();
        let v = deck(&site, w).await;
        assert_eq!(v["counts"]["due"], 1);
        assert_eq!(v["next"], due_id.as_str(), "a due card comes before new ones");
        let (_, html) = site.get_text(&format!("/books/{w}/cards/review")).await;
        assert_eq!(attr(&html, "class=\"flashcard\"", "data-card"), due_id);
        let seen = attr(&html, "name=\"seen\"", "value");
        assert_eq!(seen, format!("1-{}", past.unix_timestamp()));
        site.post(&format!("/books/{w}/cards/review"), &[("card", &due_id), ("rating", "good"), ("seen", &seen)]).await;
        let v = deck(&site, w).await;
        let s = &card(&v, &due_id)["state"];
        assert_eq!(s["reviews"], 2);
        assert!(time(&s["due"]) > OffsetDateTime::now_utc() + Duration::days(1), "{s}");
        assert_eq!(v["counts"]["due"], 0, "it left the due list");

        // "Again" (through the API): due again within minutes.
        let again_id = ids[2].clone();
        let r = review_api(&site, w, &again_id, json!({"rating": "again", "seen": "new"})).await;
        assert_eq!(r.status(), 200);
        let j: Value = r.json().await.unwrap();
        assert_eq!(j["counted"], true);
        let due = time(&j["state"]["due"]);
        let now = OffsetDateTime::now_utc();
        assert!(due > now && due <= now + Duration::minutes(11), "{j}");
        assert_eq!(j["state"]["lapses"], 1);

        // Two identical reviews at once count once.
        let twice_id = ids[3].clone();
        let (a, b2) = tokio::join!(
            review_api(&site, w, &twice_id, json!({"rating": "easy", "seen": "new"})),
            review_api(&site, w, &twice_id, json!({"rating": "easy", "seen": "new"})),
        );
        let (a, b2): (Value, Value) = (a.json().await.unwrap(), b2.json().await.unwrap());
        assert_eq!([a["counted"].as_bool().unwrap(), b2["counted"].as_bool().unwrap()].iter().filter(|c| **c).count(), 1, "{a} {b2}");
        assert_eq!(card(&deck(&site, w).await, &twice_id)["state"]["reviews"], 1);

        // Three cards were started today (the first, the "again" and the
        // "easy" one): 17 new ones are left; once they are started too,
        // nothing is left to review until a card falls due.
        let v = deck(&site, w).await;
        assert_eq!(v["counts"]["new_today"], 17, "{}", v["counts"]);
        let soon = quire_storage::now();
        for id in &ids[10..27] {
            let s = ReviewState {
                stability: 3.0, difficulty: 5.0, due: soon + Duration::days(5), last_review: soon,
                first_review: soon, reps: 1, lapses: 0, last_rating: CardRating::Good,
            };
            store::record(&db, reader, w, id, None, &s).await.unwrap();
        }
        let v = deck(&site, w).await;
        assert_eq!(v["counts"]["new_today"], 0);
        assert!(v["counts"]["new"].as_u64().unwrap() > 0);
        assert!(v["next"].is_null(), "{}", v["next"]);
        let (_, html) = site.get_text(&format!("/books/{w}/cards/review")).await;
        assert!(html.contains("All done for now"), "{html}");
        assert!(html.contains("You have started 20 new cards of this book today"));

        // Bad input is refused with the field named.
        let r = review_api(&site, w, &twice_id, json!({"rating": "brilliant"})).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("again, hard, good or easy"));

        // Moving back to 10%: the cards past it (reviewed ones too) leave
        // the deck, the screen, the export and the JSON.
        set_place(&site, w, "10").await;
        let tenth = Point::new(1_000).unwrap();
        let v = deck(&site, w).await;
        let now_ids = check_deck(&text, &v, tenth);
        assert!(!now_ids.is_empty() && now_ids.len() < ids.len());
        let gone: HashSet<&String> = ids.iter().filter(|i| !now_ids.contains(i)).collect();
        assert!(gone.contains(&due_id), "the reviewed card {due_id}, past 10%, stays in the deck");
        let r = site.get(&format!("/books/{w}/cards.txt")).await;
        assert_eq!(parse_anki(&r.text().await.unwrap()), now_ids);
        let r = review_api(&site, w, &due_id, json!({"rating": "good"})).await;
        assert_eq!(r.status(), 404, "a card past the place cannot be reviewed");
        let (status, _) = site.get_text(&format!("/books/{w}/cards/review?card={due_id}")).await;
        assert_eq!(status, 404);
        for _ in 0..3 {
            let (_, html) = site.get_text(&format!("/books/{w}/cards/review")).await;
            if let Some(rest) = html.split("class=\"flashcard\"").nth(1) {
                let id = rest.split("data-card=\"").nth(1).unwrap().split('"').next().unwrap();
                assert!(now_ids.iter().any(|i| i == id), "the screen shows {id}, past the place");
            }
        }
    }
}
