//! The book page's own box over HTTP, as a browser without JavaScript and
//! as htmx use it: the five-star rating (set, change, clear), each place a
//! book can have on a reader's shelves and how the primary control words
//! it, removing it from every shelf, and the reader's own review shown once.

use super::site::{Site, count};
use quire_testkit::BookBuilder;

/// The primary control's words: the summary of the shelf menu, or the
/// "Want to read" button when the book is on no shelf.
fn shelf_state(html: &str) -> String {
    let control = html
        .split("id=\"shelf-control\"")
        .nth(1)
        .expect("a shelf control");
    if let Some(summary) = control.split("<summary class=\"shelf-state\"").nth(1) {
        let inner = summary
            .split_once('>')
            .unwrap()
            .1
            .split("</summary>")
            .next()
            .unwrap();
        // The visible words: the tick and the hidden hint left out.
        let shown = inner
            .split("<span class=\"visually-hidden\">")
            .next()
            .unwrap();
        return shown
            .replace("<span aria-hidden=\"true\">✓</span>", "")
            .trim()
            .to_string();
    }
    assert!(
        control.contains("<button type=\"submit\" class=\"primary\">Want to read</button>"),
        "{control}"
    );
    "(on no shelf)".into()
}

async fn user_id(db: &quire_storage::Db, username: &str) -> quire_domain::UserId {
    quire_storage::users::by_username(db, username)
        .await
        .unwrap()
        .unwrap()
        .user_id()
}

fn flash(html: &str) -> String {
    html.split("<div id=\"flash\" aria-live=\"polite\">")
        .nth(1)
        .unwrap()
        .split("</div>")
        .next()
        .unwrap()
        .to_string()
}

quire_testkit::both_backends! {
    async fn rating_without_javascript_saves_changes_and_clears(db: Db) {
        let b = BookBuilder::new("Starry").build(&db).await;
        let site = Site::start(db).await;
        site.join("rater").await;
        let (_, html) = site.get_text(&format!("/books/{}", b.work)).await;
        // Eleven radio buttons: no rating, then 0.5 to 5 stars by halves.
        assert_eq!(count(&html, "type=\"radio\" name=\"stars\""), 11);
        assert!(html.contains("id=\"rate-clear\" checked"), "no rating is chosen yet");
        assert!(html.contains("<span class=\"visually-hidden\">3.5 stars</span>"), "each value is named for screen readers");
        assert!(html.contains("<noscript><button type=\"submit\" class=\"small save-rating\">Save rating</button></noscript>"));

        // A plain form post: back to the page, which says so once.
        let r = site.post(&format!("/books/{}/rating", b.work), &[("stars", "3.5")]).await;
        assert_eq!(r.status(), 200);
        assert!(r.url().query().unwrap_or_default().contains("done=rated"), "{}", r.url());
        let html = r.text().await.unwrap();
        assert!(flash(&html).contains("Your rating is saved."), "{}", flash(&html));
        assert!(html.contains("id=\"rate-7\" checked"), "3.5 stars is chosen");
        assert!(!html.contains("id=\"rate-clear\" checked"));
        assert!(html.contains("(you gave 3.5 stars)"));
        assert!(html.contains("aria-label=\"Rated 3.5 out of 5\""), "the page's rating figure counts it");
        // The page without the code says nothing.
        let (_, again) = site.get_text(&format!("/books/{}", b.work)).await;
        assert_eq!(flash(&again), "");

        site.post(&format!("/books/{}/rating", b.work), &[("stars", "5")]).await;
        let (_, html) = site.get_text(&format!("/books/{}", b.work)).await;
        assert!(html.contains("id=\"rate-10\" checked") && html.contains("1 rating"), "a change replaces the rating");

        let r = site.post(&format!("/books/{}/rating", b.work), &[("stars", "clear")]).await;
        let html = r.text().await.unwrap();
        assert!(flash(&html).contains("Your rating is cleared."));
        assert!(html.contains("id=\"rate-clear\" checked"));
        assert!(html.contains("(not rated yet)") && html.contains("No ratings yet"));

        // A made-up code shows nothing; a bad value names the field.
        let (_, html) = site.get_text(&format!("/books/{}?done=%3Cscript%3E", b.work)).await;
        assert_eq!(flash(&html), "");
        let r = site.post(&format!("/books/{}/rating", b.work), &[("stars", "7")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("7 is not"));
    }

    async fn rating_with_htmx_leaves_the_stars_in_place_and_confirms(db: Db) {
        let b = BookBuilder::new("In place").build(&db).await;
        let site = Site::start(db).await;
        site.join("placer").await;
        let r = site.post_htmx(&format!("/books/{}/rating", b.work), &[("stars", "4.5")]).await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        // No new radio buttons (the one the reader is on keeps its focus):
        // the parts a rating changes, out of band, and a confirmation.
        assert!(!html.contains("type=\"radio\""), "{html}");
        assert!(html.contains("<div id=\"flash\" hx-swap-oob=\"innerHTML\"><p class=\"flash\">Saved: you gave this book 4.5 stars.</p></div>"), "{html}");
        assert!(html.contains("<span id=\"my-rating\" class=\"my-rating\" hx-swap-oob=\"true\">(you gave 4.5 stars)</span>"), "{html}");
        assert!(html.contains("<section id=\"ratings\" class=\"ratings\" aria-labelledby=\"ratings-h\" hx-swap-oob=\"true\">"));
        assert!(html.contains("<span class=\"big\">4.50</span> out of 5 · 1 rating"));
        // Rating a book on no shelf puts it on "read": the control says so.
        assert!(html.contains("<div id=\"shelf-control\" class=\"shelf-control\" hx-swap-oob=\"true\">"));
        assert_eq!(shelf_state(&html), "Read");
    }

    async fn each_place_on_the_shelves_is_worded_as_a_reader_says_it(db: Db) {
        let b = BookBuilder::new("Placed").build(&db).await;
        let site = Site::start(db.clone()).await;
        site.join("placer").await;
        let page = format!("/books/{}", b.work);
        let (_, html) = site.get_text(&page).await;
        assert_eq!(shelf_state(&html), "(on no shelf)");
        assert!(!html.contains("Remove from my shelves"), "nothing to remove yet");
        assert!(html.contains("<a class=\"quiet\" href=\"/books/"), "the club links are quiet");

        // Each form without JavaScript: a redirect back, with a confirmation.
        let r = site.post(&format!("/books/{}/queue", b.work), &[("action", "add")]).await;
        let html = r.text().await.unwrap();
        assert_eq!(shelf_state(&html), "Want to read");
        assert!(flash(&html).contains("Added to Want to read."));
        assert!(html.contains("#1 in your queue"));

        let edition = b.edition.to_string();
        let r = site.post(&format!("/books/{}/reading", b.work), &[("action", "progress"), ("unit", "page"), ("value", "50"), ("edition", &edition)]).await;
        let html = r.text().await.unwrap();
        assert_eq!(shelf_state(&html), "Reading · 14%", "page 50 of 352");
        assert!(!html.contains("in your queue"), "starting takes it off the queue");
        assert!(html.contains("1 member reading this now"));

        let r = site.post(&format!("/books/{}/reading", b.work), &[("action", "finish"), ("started_on", "2024-05-01"), ("finished_on", "2024-05-31")]).await;
        let html = r.text().await.unwrap();
        assert_eq!(shelf_state(&html), "Read in May 2024");
        assert!(flash(&html).contains("Marked as read."));
        let profile = site.get_text("/people/placer").await.1;
        assert!(profile.contains("31 May 2024"), "the dates are kept");

        let r = site.post(&format!("/books/{}/reading", b.work), &[("action", "start"), ("edition", &edition)]).await;
        assert_eq!(shelf_state(&r.text().await.unwrap()), "Reading");
        let r = site.post(&format!("/books/{}/reading", b.work), &[("action", "dnf")]).await;
        let html = r.text().await.unwrap();
        assert_eq!(shelf_state(&html), "Did not finish", "not finishing is not reading it");
        assert!(flash(&html).contains("Marked as did not finish."));

        // A custom shelf, made from the menu; then everything removed.
        let other = BookBuilder::new("Shelved only").build(&db).await;
        let r = site.post(&format!("/books/{}/shelves", other.work), &[("new_shelf", "Summer 2026")]).await;
        let html = r.text().await.unwrap();
        assert_eq!(shelf_state(&html), "On: Summer 2026");
        assert!(html.contains("name=\"remove\" value=\"summer-2026\" aria-pressed=\"true\""), "the shelf shows as chosen");
        let r = site.post(&format!("/books/{}/shelves", other.work), &[("remove", "summer-2026")]).await;
        assert_eq!(shelf_state(&r.text().await.unwrap()), "(on no shelf)");
        let r = site.post(&format!("/books/{}/shelves", other.work), &[("add", "summer-2026")]).await;
        assert_eq!(shelf_state(&r.text().await.unwrap()), "On: Summer 2026");

        site.post(&format!("/books/{}/rating", b.work), &[("stars", "2")]).await;
        let r = site.post(&format!("/books/{}/shelves", b.work), &[("action", "clear")]).await;
        let html = r.text().await.unwrap();
        assert_eq!(shelf_state(&html), "(on no shelf)");
        assert!(flash(&html).contains("Removed from your shelves. Your rating and review are kept."));
        assert!(html.contains("id=\"rate-4\" checked"), "the rating stays");
        assert!(html.contains("0 members have read this book") && html.contains("0 members reading this now"));
        let s = quire_storage::shelves::shelves(&db, user_id(&db, "placer").await).await.unwrap();
        assert!(s.read.is_empty() && s.reading.is_empty() && s.did_not_finish.is_empty() && s.queue.is_empty());
        assert_eq!(s.custom.len(), 1, "the other book stays on its shelf");
    }

    async fn rating_first_then_reading_is_one_reading_not_a_reread(db: Db) {
        let b = BookBuilder::new("Rated first").build(&db).await;
        let site = Site::start(db.clone()).await;
        site.join("eager").await;
        site.post(&format!("/books/{}/rating", b.work), &[("stars", "3.5")]).await;
        let r = site.post(&format!("/books/{}/reading", b.work), &[("action", "progress"), ("unit", "page"), ("value", "50"), ("edition", &b.edition.to_string())]).await;
        assert_eq!(shelf_state(&r.text().await.unwrap()), "Reading · 14%");
        let s = quire_storage::shelves::shelves(&db, user_id(&db, "eager").await).await.unwrap();
        assert_eq!((s.reading.len(), s.read.len()), (1, 0), "the dateless read that rating left became this reading");
    }

    async fn bad_dates_are_refused_naming_the_field(db: Db) {
        let b = BookBuilder::new("Dated").build(&db).await;
        let site = Site::start(db).await;
        site.join("dater").await;
        let path = format!("/books/{}/reading", b.work);
        for (form, field) in [
            (vec![("action", "finish"), ("finished_on", "2999-01-01")], "finished_on"),
            (vec![("action", "finish"), ("finished_on", "yesterday")], "finished_on"),
            (vec![("action", "finish"), ("finished_on", "2024-02-30")], "finished_on"),
            (vec![("action", "finish"), ("started_on", "2024-06-02"), ("finished_on", "2024-06-01")], "started_on"),
        ] {
            let r = site.client.post(site.url(&path)).header("sec-fetch-site", "same-origin").header("accept", "application/json").form(&form).send().await.unwrap();
            assert_eq!(r.status(), 422, "{form:?}");
            let v: serde_json::Value = r.json().await.unwrap();
            assert_eq!(v["error"]["field"], field, "{form:?}: {v}");
        }
        let (_, html) = site.get_text(&format!("/books/{}", b.work)).await;
        assert_eq!(shelf_state(&html), "(on no shelf)", "nothing was saved");
    }

    async fn the_readers_own_review_is_shown_once_with_edit_behind_a_disclosure(db: Db) {
        let b = BookBuilder::new("Reviewed").with_reviews(12).build(&db).await;
        let site = Site::start(db).await;
        site.join("critic").await;
        let (_, html) = site.get_text(&format!("/books/{}", b.work)).await;
        assert!(html.contains("<details class=\"write-review\">"), "a reader without a review gets a closed form");
        let r = site.post(&format!("/books/{}/review", b.work), &[("headline", "Worth it"), ("body", "A *singular* book about grief."), ("recommends", "yes")]).await;
        let html = r.text().await.unwrap();
        assert!(flash(&html).contains("Your review is saved."));
        assert_eq!(count(&html, "<em>singular</em>"), 1, "the review is shown once");
        assert_eq!(count(&html, "<h3>Worth it</h3>"), 1);
        // Its form is behind "Edit", closed, in the review's own place.
        let mine = html.split("<h3>Worth it</h3>").nth(1).unwrap().split("</li>").next().unwrap();
        assert!(mine.contains("<details class=\"edit-review\" id=\"your-review-edit\">\n  <summary>Edit your review</summary>"), "{mine}");
        assert!(mine.contains("Save changes") && mine.contains("Delete my review"));
        assert_eq!(count(&html, "<textarea id=\"body\""), 1, "one review form on the page");
        assert!(html.contains("is among the member reviews below"));
        // Another reader sees the review but not its "Edit".
        let other = Site { base: site.base.clone(), client: reqwest::Client::builder().cookie_store(true).build().unwrap() };
        other.join("neighbour").await;
        let (_, theirs) = other.get_text(&format!("/books/{}", b.work)).await;
        assert_eq!(count(&theirs, "<em>singular</em>"), 1);
        assert!(!theirs.contains("Edit your review"));
        // On a review page without it, it is shown (once) above the list.
        let (_, html) = site.get_text(&format!("/books/{}?page=2", b.work)).await;
        assert_eq!(count(&html, "<em>singular</em>"), 1);
        assert!(html.contains("You wrote this on") && html.contains("Edit your review"));
        let r = site.post(&format!("/books/{}/review/delete", b.work), &[]).await;
        let html = r.text().await.unwrap();
        assert!(flash(&html).contains("Your review is deleted."));
        assert_eq!(count(&html, "<em>singular</em>"), 0);
    }
}
