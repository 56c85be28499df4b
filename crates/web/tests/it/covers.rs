//! Covers over real HTTP: who may upload, what is served, and hostile files
//! refused with a reason while the server keeps serving.

use super::site::Site;
use quire_domain::SiteRole;
use quire_testkit::BookBuilder;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

/// A real JPEG of `w` × `h` pixels, made here.
fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 250) as u8, (y % 250) as u8, 120])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// A JPEG carrying an EXIF segment with a GPS position in it.
fn jpeg_with_gps(w: u32, h: u32) -> Vec<u8> {
    let plain = jpeg(w, h);
    let mut exif = b"Exif\0\0GPSLatitude 51.5007N GPSLongitude 0.1246W".to_vec();
    exif.resize(64, 0);
    let mut out = plain[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((exif.len() + 2) as u16).to_be_bytes());
    out.extend(exif);
    out.extend(&plain[2..]);
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut body = kind.to_vec();
    body.extend(data);
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend(&body);
    out.extend(crc32(&body).to_be_bytes());
    out
}

/// A PNG that declares 50,000 × 50,000 pixels (10 GB of RGBA when
/// decoded), with a small compressed stream of zeros and a proper end.
fn png_bomb() -> Vec<u8> {
    let mut ihdr = 50_000u32.to_be_bytes().to_vec();
    ihdr.extend(50_000u32.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    // zlib: a stored block would be large; a fixed-Huffman run of zeros is
    // a few bytes. Any data will do: it must never be inflated.
    let idat = [
        0x78, 0x9C, 0x63, 0x60, 0x18, 0x05, 0xA3, 0x60, 0x14, 0x0C, 0x00, 0x00,
    ];
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    out.extend(chunk(b"IDAT", &idat));
    out.extend(chunk(b"IEND", &[]));
    out
}

/// The resident memory of this process (the server runs in it), in MB.
fn rss_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb / 1024
}

async fn upload_form(
    site: &Site,
    edition: &str,
    name: &str,
    mime: &str,
    bytes: Vec<u8>,
) -> (u16, String) {
    let part = Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str(mime)
        .unwrap();
    let r = site
        .client
        .post(site.url(&format!("/editions/{edition}/cover")))
        .header("sec-fetch-site", "same-origin")
        .multipart(Form::new().part("cover", part))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

async fn upload_api(
    site: &Site,
    edition: &str,
    mime: &str,
    bytes: Vec<u8>,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let r = site
        .client
        .put(site.url(&format!("/api/v1/editions/{edition}/cover")))
        .header("content-type", mime)
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, r.json().await.unwrap_or(Value::Null), headers)
}

async fn make_role(db: &quire_storage::Db, username: &str, role: SiteRole) {
    let u = quire_storage::users::by_username(db, username)
        .await
        .unwrap()
        .unwrap();
    quire_storage::users::set_role(db, u.user_id(), role)
        .await
        .unwrap();
}

quire_testkit::both_backends! {
    async fn hostile_covers_are_refused_with_a_reason_and_the_server_keeps_serving(db: Db) {
        let b = BookBuilder::new("Hostile Ground").build(&db).await;
        let site = Site::start(db.clone()).await;
        site.join("uploader").await;
        let edition = b.edition.to_string();
        // Warm up: one good upload and back out of it would store a cover, so
        // warm the decoder on a page request only.
        assert_eq!(site.get_text(&format!("/books/{}", b.work)).await.0, 200);
        let before = rss_mb();

        let full = jpeg(600, 900);
        let truncated = full[..full.len() / 2].to_vec();
        let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.cookie)</script></svg>"#.to_vec();
        let html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>".to_vec();
        let mut huge = jpeg(100, 150);
        huge.resize(30 * 1024 * 1024, 0);
        let cases: [(&str, &str, Vec<u8>, u16, &str); 5] = [
            ("bomb.png", "image/png", png_bomb(), 422, "The image is 50000 × 50000 pixels; covers can be at most 6000 pixels on a side"),
            ("cut.jpg", "image/jpeg", truncated, 422, "The JPEG file is damaged or cut short"),
            ("cover.svg", "image/svg+xml", svg, 422, "This file is an SVG drawing; upload a JPEG, PNG or WebP photo of the cover."),
            ("cover.jpg", "image/jpeg", html, 422, "This file is a web page (HTML); upload a JPEG, PNG or WebP photo of the cover."),
            ("huge.jpg", "image/jpeg", huge, 413, "The file is 30 MB and covers can be at most 10 MB."),
        ];
        for (name, mime, bytes, status, message) in cases {
            let (got, page) = upload_form(&site, &edition, name, mime, bytes.clone()).await;
            assert_eq!(got, status, "{name}: {page}");
            assert!(page.contains(message), "{name}: the page says why: {page}");
            let (got, v, _) = upload_api(&site, &edition, mime, bytes).await;
            assert_eq!(got, status, "{name}: {v}");
            assert_eq!(v["error"]["field"], "cover", "{name}");
            assert_eq!(v["error"]["code"], if status == 413 { "too_large" } else { "invalid" }, "{name}");
            assert!(v["error"]["message"].as_str().unwrap().contains(message), "{name}: {v}");
        }
        let after = rss_mb();
        println!("VmRSS before the hostile covers: {before} MB; after: {after} MB");
        assert!(after < before + 150, "memory grew from {before} MB to {after} MB");

        // Nothing was stored, and the server still answers.
        assert_eq!(site.get(&format!("/covers/{edition}")).await.status(), 404);
        let state = quire_storage::catalog::cover_state(&db, b.edition).await.unwrap().unwrap();
        assert!(!state.has_cover);
        assert!(quire_storage::jobs::list(&db).await.unwrap().is_empty(), "no job was queued");
        let (status, page) = site.get_text(&format!("/books/{}", b.work)).await;
        assert_eq!(status, 200);
        assert!(page.contains("Hostile Ground") && !page.contains("/covers/"));
        assert_eq!(site.get_text("/").await.0, 200);
    }

    async fn a_member_adds_a_cover_and_only_a_librarian_replaces_it(db: Db) {
        let b = BookBuilder::new("Covered Well").build(&db).await;
        let site = Site::start(db.clone()).await;
        let edition = b.edition.to_string();
        let book = format!("/books/{}", b.work);

        // A visitor may not upload, and sees no form.
        let (status, v, _) = upload_api(&site, &edition, "image/jpeg", jpeg(60, 90)).await;
        assert_eq!((status, v["error"]["code"].as_str()), (401, Some("unauthenticated")));
        assert!(!site.get_text(&book).await.1.contains("Add a cover"));

        site.join("member").await;
        let page = site.get_text(&book).await.1;
        assert!(page.contains("<summary>Add a cover</summary>"), "{page}");
        assert!(page.contains("name=\"cover\""));
        let (status, page) = upload_form(&site, &edition, "photo.jpg", "image/jpeg", jpeg_with_gps(900, 1350)).await;
        assert_eq!(status, 200, "{page}");
        assert!(!page.contains("Add a cover") && !page.contains("Replace cover"), "a member cannot replace it");
        // The upload answered before the thumbnails exist: the page keeps the
        // generated cover, and a card-size request gets the original, not to
        // be cached.
        assert!(!page.contains(&format!("/covers/{edition}?size=page")), "no thumbnail yet");
        assert!(page.contains("<svg class=\"cover"));
        let r = site.get(&format!("/covers/{edition}?size=card")).await;
        assert_eq!((r.status().as_u16(), r.headers()["cache-control"].to_str().unwrap()), (200, "no-cache"));
        assert_eq!(quire_storage::jobs::list(&db).await.unwrap().len(), 1, "one thumbnail job queued");

        // A worker makes them; then the page shows the stored cover.
        // The job kinds alone, without the periodic purge.
        let worker = quire_jobs::Runner::new(db.clone(), quire_jobs::registry()).workers(1).poll_interval(std::time::Duration::from_millis(20)).start();
        for _ in 0..3000 {
            if quire_storage::catalog::cover_version(&db, b.edition, quire_domain::CoverSize::Card).await.unwrap().unwrap().0 == quire_domain::CoverSize::Card {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        worker.shutdown().await;
        assert!(quire_storage::jobs::list(&db).await.unwrap().is_empty(), "the job is done and gone");
        let page = site.get_text(&book).await.1;
        assert!(page.contains(&format!("/covers/{edition}?size=page")), "the book page shows the stored cover");

        // Served re-encoded, with its metadata gone, in each size.
        let r = site.get(&format!("/covers/{edition}")).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "image/jpeg");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        let etag = r.headers()["etag"].to_str().unwrap().to_string();
        let original = r.bytes().await.unwrap();
        assert!(!String::from_utf8_lossy(&original).contains("GPS"), "EXIF is dropped");
        let img = image::load_from_memory(&original).unwrap();
        assert_eq!((img.width(), img.height()), (900, 1350));
        for (size, width) in [("page", 480), ("card", 240)] {
            let r = site.get(&format!("/covers/{edition}?size={size}")).await;
            assert_eq!(r.status(), 200);
            let img = image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
            assert_eq!((img.width(), img.height()), (width, width * 3 / 2), "{size}");
        }
        let r = site.client.get(site.url(&format!("/covers/{edition}"))).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(r.status(), 304);
        assert_eq!(site.get(&format!("/covers/{edition}?size=huge")).await.status(), 422);
        assert!(site.get_text("/search?q=covered").await.1.contains(&format!("/covers/{edition}?size=card")));

        // A second upload by a member is refused, and the cover kept.
        let (status, v, _) = upload_api(&site, &edition, "image/jpeg", jpeg(60, 90)).await;
        assert_eq!((status, v["error"]["code"].as_str()), (403, Some("forbidden")), "{v}");
        assert!(v["error"]["message"].as_str().unwrap().contains("only librarians replace a cover"));
        let (status, page) = upload_form(&site, &edition, "other.jpg", "image/jpeg", jpeg(60, 90)).await;
        assert_eq!(status, 403, "{page}");

        // A librarian sees "Replace cover" and replaces it.
        make_role(&db, "member", SiteRole::Librarian).await;
        assert!(site.get_text(&book).await.1.contains("<summary>Replace cover</summary>"));
        let (status, v, _) = upload_api(&site, &edition, "image/png", {
            let mut out = std::io::Cursor::new(Vec::new());
            image::RgbaImage::from_pixel(300, 400, image::Rgba([10, 20, 200, 255])).write_to(&mut out, image::ImageFormat::Png).unwrap();
            out.into_inner()
        }).await;
        assert_eq!(status, 200, "{v}");
        assert_eq!((v["replaced"].as_bool(), v["width"].as_u64(), v["height"].as_u64()), (Some(true), Some(300), Some(400)));
        assert_eq!(v["card"], format!("/covers/{edition}?size=card"));
        let r = site.client.get(site.url(&format!("/covers/{edition}"))).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(r.status(), 200, "a replaced cover is not served as the old one");
        assert_ne!(r.headers()["etag"].to_str().unwrap(), etag);
    }

    async fn cover_work_beyond_its_cap_is_refused_with_retry_after(db: Db) {
        let b = BookBuilder::new("Busy Day").build(&db).await;
        let config = quire_web::Config { cover_workers: 0, ..Default::default() };
        let site = Site::start_with(db, config).await;
        site.join("patient").await;
        let (status, v, headers) = upload_api(&site, &b.edition.to_string(), "image/jpeg", jpeg(60, 90)).await;
        assert_eq!(status, 503, "{v}");
        assert_eq!(v["error"]["code"], "busy");
        assert_eq!(headers["retry-after"], "5");
        assert!(v["error"]["message"].as_str().unwrap().contains("nothing was saved"));
    }
}
