//! Uploads built to hurt: each is refused with its reason, without
//! reading more than the bounds allow. The files are made here, in a
//! temporary folder; none is committed.

use std::io::Write;
use std::time::Duration;

use quire_text::{Limits, TextError, from_epub, from_epub_file, gutenberg};
use zip::write::SimpleFileOptions;

use crate::data;

const CONTAINER: &str = r#"<?xml version="1.0"?><container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>"#;

fn opf(manifest: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>T</dc:title></metadata><manifest>{manifest}</manifest><spine><itemref idref="c1"/></spine></package>"#
    )
}

const CHAPTER: &str = r#"<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><h2>Chapter 1</h2><p>It was a quiet morning, and nothing at all happened in it for hours.</p></body></html>"#;

/// A zip of the given entries, deflated, as bytes.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        w.start_file(*name, SimpleFileOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        w.write_all(data).unwrap_or_else(|e| panic!("{e}"));
    }
    w.finish().unwrap_or_else(|e| panic!("{e}")).into_inner()
}

/// A small EPUB whose one chapter is `chapter`.
fn epub_with(chapter: &[u8]) -> Vec<u8> {
    let opf = opf(r#"<item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/>"#);
    zip_of(&[
        ("mimetype", b"application/epub+zip"),
        ("META-INF/container.xml", CONTAINER.as_bytes()),
        ("OEBPS/content.opf", opf.as_bytes()),
        ("OEBPS/c1.xhtml", chapter),
    ])
}

fn refused(bytes: &[u8], limits: &Limits) -> TextError {
    match from_epub(bytes, "upload.epub", limits) {
        Ok(t) => panic!("accepted: {:?}", t.sections.len()),
        Err(e) => e,
    }
}

#[test]
fn a_well_formed_small_epub_is_read() {
    let t = from_epub(
        &epub_with(CHAPTER.as_bytes()),
        "ok.epub",
        &Limits::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.sections.len(), 1);
    assert_eq!(t.sections[0].label, "Chapter 1");
}

#[test]
fn a_zip_bomb_is_refused() {
    // 20 MB of zeros deflate to about 20 KB: a ratio near 1000.
    let zeros = vec![0u8; 20 * 1024 * 1024];
    let bytes = epub_with(&zeros);
    assert!(bytes.len() < 200 * 1024);
    let e = refused(&bytes, &Limits::default());
    assert!(matches!(e, TextError::ZipBomb { .. }), "{e}");
    assert!(e.to_string().contains("zip bomb"), "{e}");
    assert!(e.to_string().contains("OEBPS/c1.xhtml"), "{e}");
}

#[test]
fn an_entry_past_its_cap_is_refused_whatever_it_declares() {
    // Text that compresses poorly, so the ratio is not what refuses it.
    let mut noise = Vec::new();
    let mut x: u32 = 12345;
    while noise.len() < 300 * 1024 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        noise.push(b'a' + (x >> 24) as u8 % 26);
    }
    let limits = Limits {
        max_entry_bytes: 100 * 1024,
        ..Limits::default()
    };
    let e = refused(&epub_with(&noise), &limits);
    assert!(
        matches!(e, TextError::EntryTooLarge { limit: 102_400, .. }),
        "{e}"
    );
}

#[test]
fn paths_out_of_the_archive_are_refused() {
    // In the package document's manifest.
    let escaping =
        opf(r#"<item id="c1" href="../../../etc/passwd" media-type="application/xhtml+xml"/>"#);
    let bytes = zip_of(&[
        ("META-INF/container.xml", CONTAINER.as_bytes()),
        ("OEBPS/content.opf", escaping.as_bytes()),
    ]);
    let e = refused(&bytes, &Limits::default());
    assert!(matches!(e, TextError::PathEscapes { .. }), "{e}");
    assert!(e.to_string().contains("../../../etc/passwd"), "{e}");
    assert!(e.to_string().contains("leaves the archive"), "{e}");
    // In the archive's own entry names.
    let opf = opf(r#"<item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/>"#);
    let bytes = zip_of(&[
        ("META-INF/container.xml", CONTAINER.as_bytes()),
        ("OEBPS/content.opf", opf.as_bytes()),
        ("OEBPS/c1.xhtml", CHAPTER.as_bytes()),
        ("../../evil.sh", b"rm -rf /"),
    ]);
    let e = refused(&bytes, &Limits::default());
    assert!(matches!(e, TextError::PathEscapes { .. }), "{e}");
    assert!(e.to_string().contains("../../evil.sh"), "{e}");
}

#[test]
fn entity_declarations_are_refused() {
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE html [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><html xmlns="http://www.w3.org/1999/xhtml"><body><p>&lol3;</p></body></html>"#;
    let e = refused(&epub_with(laughs.as_bytes()), &Limits::default());
    assert!(matches!(e, TextError::XmlEntities { .. }), "{e}");
    assert!(e.to_string().contains("OEBPS/c1.xhtml"), "{e}");
    assert!(e.to_string().contains("ENTITY"), "{e}");
}

#[test]
fn deep_nesting_is_refused() {
    let deep = format!(
        r#"<html xmlns="http://www.w3.org/1999/xhtml"><body>{}x{}</body></html>"#,
        "<div>".repeat(5000),
        "</div>".repeat(5000)
    );
    let e = refused(&epub_with(deep.as_bytes()), &Limits::default());
    assert!(matches!(e, TextError::XmlTooDeep { limit: 256, .. }), "{e}");
}

#[test]
fn a_truncated_archive_is_refused() {
    let path = data().join("epub").join("pg84-images-3.epub");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
    let e = refused(&bytes[..bytes.len() / 2], &Limits::default());
    assert!(matches!(e, TextError::NotEpub { .. }), "{e}");
    assert!(e.to_string().contains("truncated"), "{e}");
}

#[test]
fn binary_junk_is_refused_in_both_readers() {
    let mut junk = Vec::new();
    let mut x: u32 = 7;
    for _ in 0..100_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        junk.push((x >> 16) as u8);
    }
    let e = refused(&junk, &Limits::default());
    assert!(matches!(e, TextError::NotEpub { .. }), "{e}");
    let e = gutenberg::from_gutenberg_bytes(&junk, "junk.txt", &Limits::default())
        .err()
        .unwrap_or_else(|| panic!("junk accepted as text"));
    assert!(matches!(e, TextError::Binary { .. }), "{e}");
}

#[test]
fn text_that_is_not_utf8_is_refused_with_its_line() {
    let latin1 = b"Title: Caf\n\nLine two\nLe caf\xe9 est ferm\xe9.\n";
    let e = gutenberg::from_gutenberg_bytes(latin1, "cafe.txt", &Limits::default())
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert!(matches!(e, TextError::NotUtf8 { line: 4, .. }), "{e}");
    assert!(e.to_string().contains("save it as UTF-8"), "{e}");
}

#[test]
fn a_200_mb_file_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for name in ["big.epub", "big.txt"] {
        let path = dir.path().join(name);
        let f = std::fs::File::create(&path).unwrap_or_else(|e| panic!("{e}"));
        // Sparse: no disk or memory is spent on it.
        f.set_len(200 * 1024 * 1024)
            .unwrap_or_else(|e| panic!("{e}"));
        let e = if name.ends_with(".epub") {
            from_epub_file(&path, &Limits::default()).err()
        } else {
            gutenberg::from_gutenberg_file(&path, &Limits::default()).err()
        }
        .unwrap_or_else(|| panic!("{name} accepted"));
        assert!(
            matches!(
                e,
                TextError::TooLarge {
                    size: 209_715_200,
                    limit: 67_108_864,
                    ..
                }
            ),
            "{e}"
        );
    }
}

#[test]
fn too_many_entries_are_refused() {
    let names: Vec<String> = (0..30).map(|i| format!("OEBPS/f{i}.css")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"p{}"[..])).collect();
    let limits = Limits {
        max_entries: 20,
        ..Limits::default()
    };
    let e = refused(&zip_of(&entries), &limits);
    assert!(
        matches!(
            e,
            TextError::TooManyEntries {
                count: 30,
                limit: 20,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn the_time_budget_is_checked_while_parsing() {
    let limits = Limits {
        time_budget: Duration::ZERO,
        ..Limits::default()
    };
    let e = refused(&epub_with(CHAPTER.as_bytes()), &limits);
    assert!(matches!(e, TextError::TooSlow { .. }), "{e}");
    let text = std::fs::read(data().join("txt").join("pg11.txt")).unwrap_or_else(|e| panic!("{e}"));
    let e = gutenberg::from_gutenberg_bytes(&text, "pg11.txt", &limits)
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert!(matches!(e, TextError::TooSlow { .. }), "{e}");
}

#[test]
fn a_missing_container_says_so() {
    let e = refused(
        &zip_of(&[("mimetype", b"application/epub+zip")]),
        &Limits::default(),
    );
    assert!(
        e.to_string().contains("META-INF/container.xml is missing"),
        "{e}"
    );
}
