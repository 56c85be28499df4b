//! Adding a book or an edition with its cover, through the page's
//! multipart form over real HTTP: the cover goes through the same checks
//! as any upload, a refused cover is reported beside its field with every
//! typed value kept, and a cover chosen before the form is shown again
//! (another field wrong, or "is it one of these?") is kept with it.

use super::site::Site;
use quire_domain::WorkId;
use quire_storage::{Db, book_page, catalog};
use quire_testkit::BookBuilder;
use reqwest::multipart::{Form, Part};

/// A real JPEG of `w` × `h` pixels, made here.
fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 200) as u8 + 30, (y % 200) as u8, 90])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// The add-a-book form as a browser sends it: the text fields, then the
/// cover file (when given) last.
fn form(fields: &[(&str, &str)], cover: Option<(&str, &str, Vec<u8>)>) -> Form {
    let mut f = Form::new();
    for (k, v) in fields {
        f = f.text(k.to_string(), v.to_string());
    }
    match cover {
        Some((name, mime, bytes)) => f.part(
            "cover",
            Part::bytes(bytes)
                .file_name(name.to_string())
                .mime_str(mime)
                .unwrap(),
        ),
        // A file field left empty still sends an empty part.
        None => f.part(
            "cover",
            Part::bytes(Vec::new())
                .file_name("")
                .mime_str("application/octet-stream")
                .unwrap(),
        ),
    }
}

/// Post a multipart form; the status, the final address and the page.
async fn send(site: &Site, path: &str, form: Form) -> (u16, String, String) {
    let r = site
        .client
        .post(site.url(path))
        .header("sec-fetch-site", "same-origin")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let url = r.url().path().to_string();
    (status, url, r.text().await.unwrap())
}

/// The text of the error shown beside `field`.
fn beside(html: &str, field: &str) -> String {
    html.split(&format!("id=\"{field}-error\">"))
        .nth(1)
        .unwrap_or_else(|| panic!("no error beside {field}"))
        .split("</p>")
        .next()
        .unwrap()
        .to_string()
}

/// The value of the hidden field that holds a chosen cover for the form.
fn cover_token(html: &str) -> String {
    html.split("name=\"cover_token\" value=\"")
        .nth(1)
        .expect("the form holds the chosen cover")
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

fn work_of(url: &str) -> WorkId {
    let id = url.trim_start_matches("/books/").split('/').next().unwrap();
    WorkId::parse(id).unwrap_or_else(|| panic!("not a book address: {url}"))
}

/// Every edition of `work` and whether it has a stored cover.
async fn covers_of(db: &Db, work: WorkId) -> Vec<(String, bool)> {
    let page = book_page::load(db, work, 1, 10).await.unwrap().unwrap();
    page.editions
        .iter()
        .map(|e| (e.id.to_string(), e.has_cover))
        .collect()
}

const BOOK: &[(&str, &str)] = &[
    ("title", "The Lantern Keepers"),
    ("subtitle", "A Novel"),
    ("contributor_name", "Mira Oduya"),
    ("contributor_role", "author"),
    ("format", "hardcover"),
    ("pages", "312"),
    ("publisher", "Harbour Lights"),
    ("published", "March 2024"),
];

quire_testkit::both_backends! {
    async fn a_member_adds_a_book_with_its_cover_and_the_cover_is_served(db: Db) {
        let site = Site::start(db.clone()).await;
        site.join("ann").await;
        let (status, html) = site.get_text("/books/new").await;
        assert_eq!(status, 200);
        assert!(html.contains("enctype=\"multipart/form-data\""), "the form can carry a file");
        assert!(html.contains("<input id=\"cover\" name=\"cover\" type=\"file\""), "the form has a cover field");

        let (status, url, html) = send(&site, "/books/new", form(BOOK, Some(("lantern.jpg", "image/jpeg", jpeg(600, 900))))).await;
        assert_eq!(status, 200, "{html}");
        let work = work_of(&url);
        assert!(html.contains("The Lantern Keepers"));
        let editions = covers_of(&db, work).await;
        assert_eq!(editions.len(), 1);
        assert!(editions[0].1, "the first edition has the uploaded cover");
        let edition = &editions[0].0;

        // Served as a JPEG that decodes, the size it was sent.
        let r = site.get(&format!("/covers/{edition}")).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "image/jpeg");
        let img = image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
        assert_eq!((img.width(), img.height()), (600, 900));
        assert_eq!(quire_storage::jobs::list(&db).await.unwrap().len(), 1, "its thumbnails are queued");

        // An edition added with its own cover.
        let (status, url, html) = send(&site, &format!("/books/{work}/editions/new"), form(&[("format", "ebook"), ("isbn", "9780306406157")], Some(("ebook.png", "image/png", {
            let mut out = std::io::Cursor::new(Vec::new());
            image::RgbImage::from_pixel(400, 640, image::Rgb([20, 60, 110])).write_to(&mut out, image::ImageFormat::Png).unwrap();
            out.into_inner()
        })))).await;
        assert_eq!(status, 200, "{html}");
        assert_eq!(work_of(&url), work);
        let editions = covers_of(&db, work).await;
        assert_eq!(editions.len(), 2);
        assert!(editions.iter().all(|(_, has)| *has), "both editions have their covers: {editions:?}");

        // Without a file, a book is added as before, with no stored cover.
        let (status, url, _) = send(&site, "/books/new", form(&[("title", "Uncovered"), ("contributor_name", "Mira Oduya"), ("contributor_role", "author")], None)).await;
        assert_eq!(status, 200);
        assert!(!covers_of(&db, work_of(&url)).await[0].1);
    }

    async fn a_refused_cover_is_named_beside_its_field_and_nothing_typed_is_lost(db: Db) {
        let site = Site::start(db.clone()).await;
        site.join("ann").await;
        let hostile: Vec<(&str, &str, Vec<u8>, &str)> = vec![
            ("page.jpg", "image/jpeg", b"<!doctype html><script>alert(1)</script>".to_vec(), "upload a JPEG, PNG or WebP"),
            ("cut.jpg", "image/jpeg", jpeg(300, 450)[..600].to_vec(), "damaged or cut short"),
            ("huge.jpg", "image/jpeg", vec![0xFF; 11 * 1024 * 1024], "covers can be at most 10 MB"),
            // Past the route's body limit: cut off, yet the fields before it stay.
            ("vast.jpg", "image/jpeg", vec![0xFF; 13 * 1024 * 1024], "covers can be at most 10 MB"),
        ];
        for (name, mime, bytes, reason) in hostile {
            let (status, _, html) = send(&site, "/books/new", form(BOOK, Some((name, mime, bytes)))).await;
            assert_eq!(status, 422, "{name}: {html:.300}");
            let msg = beside(&html, "cover");
            assert!(msg.to_lowercase().contains(&reason.to_lowercase()), "{name}: the reason beside the field was {msg:?}");
            assert!(html.contains("aria-describedby=\"cover-error\""), "{name}: the field points at its error");
            for kept in ["value=\"The Lantern Keepers\"", "value=\"A Novel\"", "value=\"Mira Oduya\"", "value=\"312\"", "value=\"Harbour Lights\"", "value=\"March 2024\"", "value=\"hardcover\" selected"] {
                assert!(html.contains(kept), "{name}: lost {kept}");
            }
            assert!(!html.contains("name=\"cover_token\""), "{name}: no cover is held");
        }
        assert_eq!(catalog::count_works(&db).await.unwrap(), 0, "nothing was saved");

        // A plain form (no file) keeps the site's 256 KB limit.
        let long = "x".repeat(300 * 1024);
        let r = site.post("/books/new", &[("title", long.as_str())]).await;
        assert_eq!(r.status(), 413);
    }

    async fn a_chosen_cover_is_kept_when_the_form_comes_back(db: Db) {
        BookBuilder::new("The Lantern Keepers").author("Mira Oduya").build(&db).await;
        let site = Site::start(db.clone()).await;
        site.join("ann").await;

        // A wrong field: the cover is checked, held, and named on the form.
        let mut wrong = BOOK.to_vec();
        wrong.push(("pages", "lots"));
        let wrong: Vec<(&str, &str)> = wrong.into_iter().filter(|(k, v)| *k != "pages" || *v == "lots").collect();
        let (status, _, html) = send(&site, "/books/new", form(&wrong, Some(("lantern.jpg", "image/jpeg", jpeg(500, 750))))).await;
        assert_eq!(status, 422);
        assert!(beside(&html, "pages").contains("whole number"));
        assert!(html.contains("lantern.jpg (500 × 750 pixels) is kept with this form"), "{html}");
        let token = cover_token(&html);

        // Fixed, with no file chosen again: the likely existing book is shown,
        // and the cover is still held.
        let mut fixed = BOOK.to_vec();
        fixed.push(("cover_token", &token));
        let (status, _, html) = send(&site, "/books/new", form(&fixed, None)).await;
        assert_eq!(status, 200);
        assert!(html.contains("Is it one of these?"));
        assert!(html.contains("is kept with this form"));
        assert_eq!(cover_token(&html), token);

        // "None of these": the new book is made with the held cover.
        fixed.push(("decision", "create"));
        let (status, url, _) = send(&site, "/books/new", form(&fixed, None)).await;
        assert_eq!(status, 200);
        let work = work_of(&url);
        assert!(covers_of(&db, work).await[0].1, "the held cover is on the new book");
        assert_eq!(catalog::count_works(&db).await.unwrap(), 2);

        // The token is spent, and another account's token is never honoured.
        let again = send(&site, "/books/new", form(&fixed, None)).await;
        assert_eq!(again.0, 422);
        assert!(beside(&again.2, "cover").contains("choose the file again"));
    }

    async fn a_refused_upload_on_the_book_page_shows_the_page_with_the_reason_beside_the_field(db: Db) {
        let b = BookBuilder::new("Hostile Ground").build(&db).await;
        let site = Site::start(db.clone()).await;
        site.join("ann").await;
        let path = format!("/editions/{}/cover", b.edition);
        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec();
        let (status, _, html) = send(&site, &path, Form::new().part("cover", Part::bytes(svg).file_name("c.svg").mime_str("image/svg+xml").unwrap())).await;
        assert_eq!(status, 422);
        assert!(html.contains("<h1") && html.contains("Hostile Ground"), "the book page, not an error page");
        assert!(html.contains("<details class=\"cover-upload\" id=\"cover\" open>"), "the cover form is open");
        assert!(html.contains("aria-describedby=\"cover-file-error\""));
        assert!(beside(&html, "cover-file").contains("This file is an SVG drawing"));
        let (status, _, html) = send(&site, &path, Form::new().part("cover", Part::bytes(vec![0xFF; 11 * 1024 * 1024]).file_name("big.jpg").mime_str("image/jpeg").unwrap())).await;
        assert_eq!(status, 413);
        assert!(beside(&html, "cover-file").contains("covers can be at most 10 MB"));
        assert!(!covers_of(&db, b.work).await[0].1, "nothing stored");
    }
}
