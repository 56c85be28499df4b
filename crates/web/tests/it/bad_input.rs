use super::site::Site;
use quire_testkit::BookBuilder;
use serde_json::Value;

async fn json(r: reqwest::Response) -> (u16, Value) {
    (r.status().as_u16(), r.json().await.unwrap())
}

quire_testkit::both_backends! {
    async fn a_malformed_isbn_says_what_is_wrong(db: Db) {
        let site = Site::start(db).await;
        let (status, html) = site.get_text("/search?q=978-1-9848-8167-7").await;
        assert_eq!(status, 422);
        assert!(html.contains("&#34;978-1-9848-8167-7&#34; is not a valid ISBN: its check digit should be 0. Check the number"), "{html}");
        assert!(html.contains("aria-invalid=\"true\""));
        let (status, v) = json(site.get("/api/v1/books?isbn=97807352").await).await;
        assert_eq!(status, 422);
        assert_eq!(v["error"]["code"], "invalid");
        assert_eq!(v["error"]["field"], "isbn");
        assert_eq!(v["error"]["message"], "an ISBN has 10 or 13 digits; \"97807352\" has 8");
    }

    async fn an_out_of_range_rating_is_refused_and_the_old_one_kept(db: Db) {
        let b = BookBuilder::new("Rated").build(&db).await;
        let site = Site::start(db).await;
        site.join("rater").await;
        let path = format!("/books/{}/rating", b.work);
        site.post(&path, &[("stars", "4")]).await;
        for bad in ["7", "0", "4.3", "lots"] {
            let r = site.post(&path, &[("stars", bad)]).await;
            assert_eq!(r.status(), 422, "{bad}");
            assert!(r.text().await.unwrap().contains(bad), "the message names {bad}");
        }
        let r = site.post_htmx(&path, &[("stars", "9")]).await;
        assert_eq!(r.status(), 422);
        assert_eq!(r.headers()["hx-retarget"], "#flash");
        assert!(r.text().await.unwrap().contains("A rating is from 0.5 to 5 stars in half stars; 9 is not."));
        let r = site
            .client
            .post(site.url(&format!("/api/v1/books/{}/rating", b.work)))
            .json(&serde_json::json!({"stars": 11}))
            .send()
            .await
            .unwrap();
        let (status, v) = json(r).await;
        assert_eq!(status, 422);
        assert_eq!(v["error"]["field"], "stars");
        let (_, html) = site.get_text(&format!("/books/{}", b.work)).await;
        assert!(html.contains("(you gave 4 stars)"), "the saved rating is unchanged");
    }

    async fn an_oversized_review_is_refused_and_the_saved_one_kept(db: Db) {
        let b = BookBuilder::new("Long").build(&db).await;
        let site = Site::start(db).await;
        site.join("verbose").await;
        let path = format!("/books/{}/review", b.work);
        site.post(&path, &[("body", "My first, short review.")]).await;
        let long = "word ".repeat(4001);
        let r = site.post(&path, &[("body", &long)]).await;
        assert_eq!(r.status(), 422);
        let text = r.text().await.unwrap();
        assert!(text.contains("Your review is 20005 characters long; the limit is 20000. Nothing was saved"), "{text}");
        // A body past the server's limit is refused before it is read.
        let huge = "x".repeat(300 * 1024);
        let r = site.post(&path, &[("body", &huge)]).await;
        assert_eq!(r.status(), 413);
        assert!(r.text().await.unwrap().contains("larger than Quire accepts"));
        let (_, html) = site.get_text(&format!("/books/{}", b.work)).await;
        assert!(html.contains("My first, short review."));
        assert!(html.contains("(1 review)"));
    }

    async fn an_unknown_book_is_a_clear_404(db: Db) {
        let site = Site::start(db).await;
        for path in ["/books/not-an-id", "/books/0190e7a0-0000-7000-8000-000000000000"] {
            let (status, html) = site.get_text(path).await;
            assert_eq!(status, 404);
            assert!(html.contains("There is no book with the id"), "{html}");
        }
        let (status, v) = json(site.get("/api/v1/books/0190e7a0-0000-7000-8000-000000000000").await).await;
        assert_eq!(status, 404);
        assert_eq!(v["error"]["code"], "not_found");
        let (status, _) = site.get_text("/no/such/page").await;
        assert_eq!(status, 404);
    }

    async fn duplicate_usernames_and_wrong_passwords_are_explained(db: Db) {
        let site = Site::start(db.clone()).await;
        site.join("Reader").await;
        site.post("/logout", &[]).await;
        let r = site
            .post("/register", &[("username", "reader"), ("password", "another long password"), ("password_again", "another long password")])
            .await;
        assert_eq!(r.status(), 409);
        let html = r.text().await.unwrap();
        assert!(html.contains("the username &#34;reader&#34; is taken; choose another"));
        assert!(html.contains("value=\"reader\""), "the form keeps what was typed");
        let r = site.post("/register", &[("username", "x y"), ("password", "short"), ("password_again", "short")]).await;
        assert_eq!(r.status(), 422);
        let r = site.post("/login", &[("username", "Reader"), ("password", "wrong password")]).await;
        assert_eq!(r.status(), 401);
        assert!(r.text().await.unwrap().contains("That username and password do not match."));
        assert_eq!(quire_storage::users::count(&db).await.unwrap(), 1);
    }

    async fn script_in_a_review_is_rendered_inert(db: Db) {
        let b = BookBuilder::new("Hostile").build(&db).await;
        let site = Site::start(db).await;
        site.join("mallory").await;
        let body = "<script>alert('x')</script>\n\n<img src=x onerror=alert(1)> [click](javascript:alert(2)) <b onmouseover=alert(3)>bold</b>";
        site.post(&format!("/books/{}/review", b.work), &[("headline", "<i>hi</i><script>alert(4)</script>"), ("body", body)]).await;
        let (_, html) = site.get_text(&format!("/books/{}", b.work)).await;
        let reviews = html.split("id=\"reviews\"").nth(1).unwrap().split("id=\"your-review\"").next().unwrap();
        // Raw HTML is shown as the text it is, never as tags.
        for bad in ["<script", "<img", "<b ", "href=\"javascript:"] {
            assert!(!reviews.contains(bad), "{bad} reached the page");
        }
        assert!(reviews.contains("&lt;img src=x onerror=alert(1)&gt;"), "the typed tag is shown as text: {reviews}");
        assert!(reviews.contains("&#60;i&#62;hi&#60;/i&#62;&#60;script&#62;alert(4)&#60;/script&#62;"), "the headline is shown as text: {reviews}");
        assert!(reviews.contains("bold"));
    }
}
