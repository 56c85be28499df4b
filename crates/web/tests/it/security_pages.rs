//! What a hostile probe of part 1 found outside accounts: no security
//! headers, tags that swallowed a review, errors that named no field, and
//! connections never timed out. Each test here failed on that code.

use super::site::Site;
use quire_testkit::BookBuilder;
use serde_json::Value;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn assert_security_headers(r: &reqwest::Response, what: &str) {
    let h = r.headers();
    let get = |name: &str| {
        h.get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what} ({}) has no {name}", r.status()))
            .to_string()
    };
    assert_eq!(
        get("content-security-policy"),
        quire_web::CONTENT_SECURITY_POLICY,
        "{what}"
    );
    for part in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "form-action 'self'",
    ] {
        assert!(
            get("content-security-policy").contains(part),
            "{what}: {part}"
        );
    }
    assert_eq!(get("x-frame-options"), "DENY", "{what}");
    assert_eq!(
        get("referrer-policy"),
        "strict-origin-when-cross-origin",
        "{what}"
    );
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert!(get("permissions-policy").contains("camera=()"), "{what}");
    assert!(get("x-request-id").len() >= 32, "{what}: a request id");
}

/// Inline scripts, inline styles, event-handler attributes and
/// `javascript:` links: what the CSP would block, found in real markup
/// (tags only; escaped text a member typed is not markup).
fn csp_breakers(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for tag in html
        .split('<')
        .skip(1)
        .map(|t| t.split('>').next().unwrap_or_default())
    {
        let name = tag
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if name == "script" && !tag.contains(" src=") {
            found.push(format!("inline <{tag}>"));
        }
        for attr in tag.split_whitespace().skip(1) {
            let attr_name = attr
                .split('=')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            if attr_name == "style" || (attr_name.starts_with("on") && attr.contains('=')) {
                found.push(format!("<{name} {attr}>"));
            }
            if attr.to_ascii_lowercase().contains("javascript:") {
                found.push(format!("<{name} {attr}>"));
            }
        }
    }
    found
}

async fn json(r: reqwest::Response) -> (u16, Value) {
    (r.status().as_u16(), r.json().await.unwrap())
}

quire_testkit::both_backends! {
    async fn every_kind_of_response_carries_the_security_headers(db: Db) {
        let b = BookBuilder::new("Guarded").with_reviews(3).with_ratings(4).build(&db).await;
        let site = Site::start(db).await;
        site.join("guard").await;
        let book = format!("/books/{}", b.work);
        for path in [
            "/".to_string(),
            "/search?q=Guarded".into(),
            book.clone(),
            format!("{book}/clubs"),
            "/people/guard".into(),
            "/login".into(),
            "/register".into(),
            "/account/password".into(),
            "/assets/quire.css".into(),
            "/assets/htmx.min.js".into(),
            "/assets/nothing.js".into(),
            "/healthz".into(),
            format!("/api/v1/books/{}", b.work),
            "/api/v1/books?isbn=123".into(),
            "/no/such/page".into(),
            "/books/not-a-book".into(),
            format!("{book}?page=abc"),
        ] {
            let r = site.get(&path).await;
            assert_security_headers(&r, &path);
        }
        let r = site.client.get(site.url(&format!("{book}/reviews?page=1"))).header("hx-request", "true").send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_security_headers(&r, "the reviews partial");
        let r = site.post_htmx(&format!("{book}/rating"), &[("stars", "9")]).await;
        assert_eq!(r.status(), 422);
        assert_security_headers(&r, "an htmx error");
        let r = site.post(&format!("{book}/rating"), &[("stars", "4")]).await;
        assert_security_headers(&r, "a form post");
        // Refused before any handler ran: cross-site, and a wrong method.
        let r = site.client.post(site.url(&format!("{book}/rating"))).header("sec-fetch-site", "cross-site").form(&[("stars", "1")]).send().await.unwrap();
        assert_eq!(r.status(), 403);
        assert_security_headers(&r, "a cross-site post");
        let r = site.client.delete(site.url("/")).send().await.unwrap();
        assert_eq!(r.status(), 405);
        assert_security_headers(&r, "a wrong method");
        assert!(r.headers()["allow"].to_str().unwrap().contains("GET"), "the shaped error keeps Allow");
    }

    async fn no_page_needs_what_the_csp_forbids(db: Db) {
        let b = BookBuilder::new("Strict").with_reviews(12).with_ratings(9).with_questions(2).with_blurbs(1).with_material().build(&db).await;
        let site = Site::start(db).await;
        let book = format!("/books/{}", b.work);
        let mut pages = vec!["/".to_string(), "/search?q=Strict".into(), book.clone(), format!("{book}?page=2"), format!("{book}/clubs"), "/login".into(), "/register".into(), "/no/such/page".into(), format!("{book}?page=7")];
        site.join("strict").await;
        site.post(&format!("{book}/rating"), &[("stars", "4.5")]).await;
        site.post(&format!("{book}/queue"), &[("action", "add")]).await;
        site.post(&format!("{book}/reading"), &[("action", "start")]).await;
        site.post(&format!("{book}/review"), &[("body", "<b onclick=x() style=\"color:red\">typed</b> javascript:alert(1)")]).await;
        pages.extend([format!("{book}#signed-in"), "/people/strict".into(), "/account/password".into()]);
        for path in &pages {
            let (_, html) = site.get_text(path).await;
            assert!(html.contains("<html"), "{path} is a page");
            assert_eq!(csp_breakers(&html), Vec::<String>::new(), "{path}");
        }
        let (_, html) = site.get_text(&book).await;
        assert!(html.contains("<svg class=\"bar\""), "the histogram still draws its bars");
        assert!(html.contains("\"includeIndicatorStyles\":false"), "htmx adds no inline style");
        let css = site.get_text("/assets/quire.css").await.1;
        assert!(css.contains(".htmx-indicator"), "the indicator is styled by the stylesheet");
    }

    async fn every_request_has_an_id_and_a_callers_is_kept(db: Db) {
        let site = Site::start(db).await;
        let r = site.get("/healthz").await;
        let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
        assert!(uuid::Uuid::try_parse(&id).is_ok(), "{id} is a UUID");
        let other = site.get("/healthz").await.headers()["x-request-id"].to_str().unwrap().to_string();
        assert_ne!(id, other, "each request gets its own id");
        let r = site.client.get(site.url("/healthz")).header("x-request-id", "proxy-7f3a.42").send().await.unwrap();
        assert_eq!(r.headers()["x-request-id"], "proxy-7f3a.42", "an incoming id is kept");
        // One that could forge a log line, or flood it, is replaced.
        for bad in ["two words", &"x".repeat(200)] {
            let r = site.client.get(site.url("/healthz")).header("x-request-id", bad).send().await.unwrap();
            let got = r.headers()["x-request-id"].to_str().unwrap();
            assert!(uuid::Uuid::try_parse(got).is_ok(), "{bad:?} was replaced, got {got}");
        }
        // The error page shows the id, so a host can find the log line.
        let r = site.client.get(site.url("/no/such/page")).header("x-request-id", "find-me-123").send().await.unwrap();
        assert_eq!(r.status(), 404);
        let html = r.text().await.unwrap();
        assert!(html.contains("Request id: <code>find-me-123</code>"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }

    async fn a_disallowed_tag_shows_as_text_and_keeps_the_rest_of_the_review(db: Db) {
        let b = BookBuilder::new("Prose").build(&db).await;
        let site = Site::start(db).await;
        site.join("stylist").await;
        let path = format!("/books/{}/review", b.work);
        site.post(&path, &[("body", "The <style> of the prose is the point, and the ending too.\n\nMore at https://example.org/notes_on_style.")]).await;
        let (_, html) = site.get_text(&format!("/books/{}", b.work)).await;
        let reviews = html.split("id=\"reviews\"").nth(1).unwrap().split("id=\"your-review\"").next().unwrap();
        assert!(reviews.contains("The &lt;style&gt; of the prose is the point, and the ending too."), "{reviews}");
        assert!(
            reviews.contains("<a href=\"https://example.org/notes_on_style\" rel=\"nofollow ugc noopener\">https://example.org/notes_on_style</a>."),
            "a bare address is a link: {reviews}"
        );
    }

    async fn a_review_or_question_that_shows_nothing_is_refused(db: Db) {
        let b = BookBuilder::new("Blank").build(&db).await;
        let site = Site::start(db).await;
        site.join("blank").await;
        let review = format!("/books/{}/review", b.work);
        for body in ["   ", "** **", "\u{200B}\u{200B}\u{200B}", "---", "[](https://example.org)"] {
            let r = site.post(&review, &[("body", body)]).await;
            assert_eq!(r.status(), 422, "{body:?}");
            assert!(r.text().await.unwrap().contains("A review needs some words a reader can see"), "{body:?}");
            let r = site.client.post(site.url(&review)).header("sec-fetch-site", "same-origin").header("accept", "application/json").form(&[("body", body)]).send().await.unwrap();
            let (status, v) = json(r).await;
            assert_eq!(status, 422);
            assert_eq!(v["error"]["code"], "invalid");
            assert_eq!(v["error"]["field"], "body", "{body:?}");
        }
        let question = format!("/books/{}/questions", b.work);
        let r = site.post(&question, &[("body", &"\u{200B}\u{2060}".repeat(10))]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("A discussion question needs words a reader can see"));
        let (_, html) = site.get_text(&format!("/books/{}", b.work)).await;
        assert!(html.contains("No member has reviewed this book yet."), "nothing was published");
        assert!(html.contains("No discussion questions yet."));
    }

    async fn bad_page_numbers_name_the_page(db: Db) {
        let b = BookBuilder::new("Paged").with_reviews(12).build(&db).await;
        let site = Site::start(db).await;
        let book = format!("/books/{}", b.work);
        for (q, says) in [
            ("abc", "\"abc\" is not a page number: review pages are whole numbers from 1."),
            ("0", "Review pages are numbered from 1; there is no page 0."),
            ("-3", "\"-3\" is not a page number"),
            ("99999999999999999999999", "is far past the last page of reviews"),
        ] {
            let (status, html) = site.get_text(&format!("{book}?page={q}")).await;
            assert_eq!(status, 422, "page={q}");
            assert!(html.contains(&says.replace('"', "&#34;")), "page={q}: {html}");
            let r = site.client.get(site.url(&format!("{book}?page={q}"))).header("accept", "application/json").send().await.unwrap();
            let (status, v) = json(r).await;
            assert_eq!(status, 422);
            assert_eq!(v["error"]["code"], "invalid");
            assert_eq!(v["error"]["field"], "page");
            let r = site.client.get(site.url(&format!("{book}/reviews?page={q}"))).header("hx-request", "true").send().await.unwrap();
            assert_eq!(r.status(), 422, "the htmx partial checks too");
            assert_eq!(r.headers()["hx-retarget"], "#flash");
        }
        for q in ["3", "99999999999"] {
            let (status, html) = site.get_text(&format!("{book}?page={q}")).await;
            assert_eq!(status, 404);
            assert!(html.contains(&format!("Page {q} is past the last page of reviews (2 pages).")), "{html}");
            assert!(html.contains(&format!("<a href=\"{book}/paged?page=2#reviews\">Go to page 2, the last</a>")), "{html}");
            assert!(!html.contains("No member has reviewed this book yet"), "{html}");
            assert!(!html.contains("(12 reviews)"), "{html}");
        }
        let r = site.client.get(site.url(&format!("{book}?page=3"))).header("accept", "application/json").send().await.unwrap();
        let (status, v) = json(r).await;
        assert_eq!(status, 404);
        assert_eq!(v["error"]["code"], "not_found");
        assert_eq!(v["error"]["field"], "page");
        // The last page itself is fine, and so is no page number at all.
        assert_eq!(site.get(&format!("{book}?page=2")).await.status(), 200);
        assert_eq!(site.get(&format!("{book}?page=")).await.status(), 200);
    }

    async fn unreadable_bodies_and_queries_name_the_field(db: Db) {
        let b = BookBuilder::new("Typed").build(&db).await;
        let site = Site::start(db).await;
        site.join("typist").await;
        let api = site.url(&format!("/api/v1/books/{}/rating", b.work));
        for (body, field) in [("{}", Some("stars")), ("{\"stars\":\"x\"}", Some("stars")), ("\"four\"", None), ("{\"stars\": 4} and more", None)] {
            let r = site.client.post(&api).header("content-type", "application/json").body(body).send().await.unwrap();
            let (status, v) = json(r).await;
            assert_eq!(status, 422, "{body}");
            assert_eq!(v["error"]["code"], "invalid", "{body}: {v}");
            match field {
                Some(f) => assert_eq!(v["error"]["field"], f, "{body}: {v}"),
                None => assert!(v["error"].get("field").is_none(), "{body}: {v}"),
            }
            assert!(!v["error"]["message"].as_str().unwrap().is_empty());
        }
        // Cut short: whatever serde was reading, the code is the same.
        let r = site.client.post(&api).header("content-type", "application/json").body("{\"stars\":").send().await.unwrap();
        let (status, v) = json(r).await;
        assert_eq!((status, v["error"]["code"].as_str()), (422, Some("invalid")));
        let r = site.client.post(&api).header("content-type", "text/plain").body("{\"stars\":4}").send().await.unwrap();
        let (status, v) = json(r).await;
        assert_eq!((status, v["error"]["code"].as_str()), (422, Some("invalid")));
        assert!(v["error"]["message"].as_str().unwrap().contains("application/json"));
        // A form without its field: HTML names it, and so does JSON.
        let queue = format!("/books/{}/queue", b.work);
        let r = site.post(&queue, &[]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("The form has no &#34;action&#34;"));
        let r = site.client.post(site.url(&queue)).header("sec-fetch-site", "same-origin").header("accept", "application/json").form(&[("nothing", "")]).send().await.unwrap();
        let (status, v) = json(r).await;
        assert_eq!(status, 422);
        assert_eq!(v["error"]["code"], "invalid");
        assert_eq!(v["error"]["field"], "action");
        // A query given twice is named too.
        let r = site.get("/api/v1/books?isbn=1&isbn=2").await;
        let (status, v) = json(r).await;
        assert_eq!(status, 422);
        assert_eq!(v["error"]["field"], "isbn", "{v}");
        let r = site.get("/api/v1/books").await;
        let (_, v) = json(r).await;
        assert_eq!(v["error"]["code"], "invalid");
        // Every code the server sends is one the README lists.
        for r in [site.client.delete(site.url("/api/v1/books")).send().await.unwrap(), site.get("/api/v1/nothing").await] {
            let (_, v) = json(r).await;
            let code = v["error"]["code"].as_str().unwrap().to_string();
            assert!(quire_web::ERROR_CODES.contains(&code.as_str()), "{code}");
            assert_ne!(code, "bad_request");
        }
    }

    async fn slow_and_idle_connections_are_closed(db: Db) {
        let config = quire_web::Config {
            header_read_timeout: Duration::from_secs(1),
            idle_timeout: Duration::from_secs(1),
            request_timeout: Duration::from_secs(1),
            ..Default::default()
        };
        let site = Site::start_with(db, config).await;
        let addr = site.base.trim_start_matches("http://").to_string();
        // Half a request line, then nothing: the server hangs up.
        let mut slow = TcpStream::connect(&addr).await.unwrap();
        slow.write_all(b"GET /healthz HT").await.unwrap();
        assert!(closed_by_server(&mut slow).await, "a stalled request line was never cut off");
        // A kept-alive connection that goes quiet is closed.
        let mut idle = TcpStream::connect(&addr).await.unwrap();
        idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: quire\r\n\r\n").await.unwrap();
        let mut buf = vec![0u8; 4096];
        let n = idle.read(&mut buf).await.unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"), "the first request is answered");
        assert!(closed_by_server(&mut idle).await, "an idle keep-alive connection stayed open");
        // Normal requests still work, several on one connection.
        for _ in 0..3 {
            assert_eq!(site.get_text("/healthz").await, (200, "ok".to_string()));
        }
    }

    async fn a_request_that_takes_too_long_gets_408(db: Db) {
        let config = quire_web::Config {
            header_read_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(1),
            ..Default::default()
        };
        let site = Site::start_with(db, config).await;
        let addr = site.base.trim_start_matches("http://").to_string();
        // A form body promised but never finished keeps the handler waiting.
        let mut s = TcpStream::connect(&addr).await.unwrap();
        s.write_all(b"POST /login HTTP/1.1\r\nHost: quire\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nusername=").await.unwrap();
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut answer)).await;
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("The server took too long to answer"), "{answer}");
        assert!(answer.to_ascii_lowercase().contains("content-security-policy:"), "{answer}");
    }
}

/// Whether the server closes the connection (end of stream or a reset).
/// The bound is only so a failure ends the test; closing takes about a
/// second with the timeouts these tests set.
async fn closed_by_server(s: &mut TcpStream) -> bool {
    let mut buf = vec![0u8; 4096];
    let waited = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => continue,
            }
        }
    })
    .await;
    waited.is_ok()
}
