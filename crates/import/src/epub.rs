//! The cover image of an EPUB, read with bounds.
//!
//! An EPUB is a zip archive: `META-INF/container.xml` names the package
//! document (the OPF), whose manifest marks the cover image with
//! `properties="cover-image"` (EPUB 3) or names it in
//! `<meta name="cover" content="ID">` (EPUB 2). Nothing is extracted to
//! disk; entries are read by name into memory, each under a size cap that
//! does not trust the sizes the archive declares, with a cap on the number
//! of entries and on the compression ratio (a zip bomb inflates a few
//! kilobytes into gigabytes), and a manifest path that would climb out of
//! the archive's root is refused.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;
use zip::ZipArchive;

use crate::error::{ImportError, display_name};

/// The largest EPUB file read.
pub const MAX_EPUB_BYTES: u64 = 64 * 1024 * 1024;
/// The most entries an EPUB may have.
pub const MAX_ENTRIES: usize = 10_000;
/// The largest XML document read from an EPUB (container or package).
pub const MAX_XML_BYTES: u64 = 4 * 1024 * 1024;
/// The largest cover image read (the covers crate takes at most 10 MB).
pub const MAX_IMAGE_BYTES: u64 = 10 * 1024 * 1024;
/// The most an entry may inflate relative to its compressed size.
pub const MAX_RATIO: u64 = 100;

fn bad(file: &str, message: impl Into<String>) -> ImportError {
    ImportError::NotEpub {
        file: file.to_string(),
        message: message.into(),
    }
}

/// The bytes of the EPUB's cover image, or `None` when it declares none.
pub fn cover_image(path: &Path) -> Result<Option<Vec<u8>>, ImportError> {
    let name = display_name(path);
    let file = File::open(path).map_err(|source| ImportError::Io {
        file: name.clone(),
        source,
    })?;
    let len = file
        .metadata()
        .map_err(|source| ImportError::Io {
            file: name.clone(),
            source,
        })?
        .len();
    if len > MAX_EPUB_BYTES {
        return Err(ImportError::TooLarge {
            file: name,
            limit_bytes: MAX_EPUB_BYTES,
        });
    }
    let mut zip =
        ZipArchive::new(file).map_err(|e| bad(&name, format!("not a zip archive ({e})")))?;
    if zip.len() > MAX_ENTRIES {
        return Err(bad(
            &name,
            format!(
                "it has {} entries; an EPUB may have at most {MAX_ENTRIES}",
                zip.len()
            ),
        ));
    }
    let container = read_entry(&mut zip, &name, "META-INF/container.xml", MAX_XML_BYTES)?
        .ok_or_else(|| bad(&name, "META-INF/container.xml is missing"))?;
    let opf_path = rootfile(&container)
        .ok_or_else(|| bad(&name, "container.xml names no package document"))?;
    let opf = read_entry(&mut zip, &name, &opf_path, MAX_XML_BYTES)?
        .ok_or_else(|| bad(&name, format!("the package document {opf_path} is missing")))?;
    let Some(href) = cover_href(&opf) else {
        return Ok(None);
    };
    let base = opf_path.rsplit_once('/').map(|(dir, _)| dir).unwrap_or("");
    let target = resolve(base, &href).ok_or_else(|| {
        bad(
            &name,
            format!("the cover path \"{href}\" leaves the archive"),
        )
    })?;
    read_entry(&mut zip, &name, &target, MAX_IMAGE_BYTES)
}

/// Read one entry by name, at most `cap` bytes, refusing a suspicious
/// compression ratio. `None` when there is no such entry.
fn read_entry(
    zip: &mut ZipArchive<File>,
    file: &str,
    entry: &str,
    cap: u64,
) -> Result<Option<Vec<u8>>, ImportError> {
    let mut e = match zip.by_name(entry) {
        Ok(e) => e,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(err) => return Err(bad(file, format!("{entry} cannot be read ({err})"))),
    };
    if e.size() > cap {
        return Err(bad(
            file,
            format!("{entry} is {} bytes; at most {cap} are read", e.size()),
        ));
    }
    if e.compressed_size() > 0 && e.size() / e.compressed_size().max(1) > MAX_RATIO {
        return Err(bad(
            file,
            format!("{entry} inflates more than {MAX_RATIO} times; it looks like a zip bomb"),
        ));
    }
    // The declared size may lie: never read past the cap whatever it says.
    let mut out = Vec::new();
    (&mut e)
        .take(cap + 1)
        .read_to_end(&mut out)
        .map_err(|err| bad(file, format!("{entry} cannot be inflated ({err})")))?;
    if out.len() as u64 > cap {
        return Err(bad(file, format!("{entry} is larger than {cap} bytes")));
    }
    Ok(Some(out))
}

/// The attribute `key` of an element, unescaped.
fn attr(e: &quick_xml::events::BytesStart, key: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == key)
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

/// Every start or empty element of a document, with its local name.
fn elements(xml: &[u8], mut each: impl FnMut(&[u8], &quick_xml::events::BytesStart)) {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => each(e.local_name().as_ref(), &e),
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
}

/// The package document's path from `container.xml`.
fn rootfile(container: &[u8]) -> Option<String> {
    let mut found = None;
    elements(container, |name, e| {
        if found.is_none() && name == b"rootfile" {
            found = attr(e, b"full-path");
        }
    });
    found
}

/// The manifest path of the cover image: the item with the `cover-image`
/// property, else the item a `<meta name="cover">` names.
fn cover_href(opf: &[u8]) -> Option<String> {
    let mut by_property = None;
    let mut cover_id = None;
    let mut items: Vec<(String, String, String)> = Vec::new();
    elements(opf, |name, e| match name {
        b"item" => {
            let (Some(id), Some(href)) = (attr(e, b"id"), attr(e, b"href")) else {
                return;
            };
            let media = attr(e, b"media-type").unwrap_or_default();
            let props = attr(e, b"properties").unwrap_or_default();
            if by_property.is_none() && props.split_whitespace().any(|p| p == "cover-image") {
                by_property = Some(href.clone());
            }
            items.push((id, href, media));
        }
        b"meta" if attr(e, b"name").as_deref() == Some("cover") => {
            cover_id = attr(e, b"content");
        }
        _ => {}
    });
    by_property.or_else(|| {
        let id = cover_id?;
        items
            .into_iter()
            .find(|(i, _, media)| *i == id && media.starts_with("image/"))
            .map(|(_, href, _)| href)
    })
}

/// `href` relative to the folder `base`, as an entry name; `None` when it
/// is absolute, a URL, or climbs above the archive's root.
fn resolve(base: &str, href: &str) -> Option<String> {
    let href = href.split(['#', '?']).next().unwrap_or("");
    let href = percent_decode(href);
    if href.is_empty() || href.starts_with('/') || href.contains(':') || href.contains('\\') {
        return None;
    }
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for p in href.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// `%20` and the like, as manifest paths may carry them.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn epub(entries: &[(&str, &[u8])]) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        let mut zip = zip::ZipWriter::new(f.reopen().unwrap());
        for (name, data) in entries {
            zip.start_file(*name, SimpleFileOptions::default()).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap();
        f
    }

    const CONTAINER: &[u8] = br#"<?xml version="1.0"?><container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>"#;

    #[test]
    fn the_cover_is_found_by_its_property_or_its_meta() {
        let opf3 = br#"<package xmlns="http://www.idpf.org/2007/opf"><manifest><item id="c" href="images/cover.jpg" media-type="image/jpeg" properties="cover-image"/></manifest></package>"#;
        let f = epub(&[
            ("META-INF/container.xml", CONTAINER),
            ("OEBPS/content.opf", opf3),
            ("OEBPS/images/cover.jpg", b"JPEG!"),
        ]);
        assert_eq!(cover_image(f.path()).unwrap().unwrap(), b"JPEG!");
        let opf2 = br#"<package><metadata><meta name="cover" content="img1"/></metadata><manifest><item id="img1" href="../art/front%20cover.png" media-type="image/png"/></manifest></package>"#;
        let f = epub(&[
            ("META-INF/container.xml", CONTAINER),
            ("OEBPS/content.opf", opf2),
            ("art/front cover.png", b"PNG!"),
        ]);
        assert_eq!(cover_image(f.path()).unwrap().unwrap(), b"PNG!");
    }

    #[test]
    fn no_cover_is_none_and_a_path_out_of_the_archive_is_refused() {
        let none = br#"<package><manifest><item id="t" href="text.xhtml" media-type="application/xhtml+xml"/></manifest></package>"#;
        let f = epub(&[
            ("META-INF/container.xml", CONTAINER),
            ("OEBPS/content.opf", none),
        ]);
        assert_eq!(cover_image(f.path()).unwrap(), None);
        let escape = br#"<package><manifest><item id="c" href="../../../etc/passwd" properties="cover-image" media-type="image/jpeg"/></manifest></package>"#;
        let f = epub(&[
            ("META-INF/container.xml", CONTAINER),
            ("OEBPS/content.opf", escape),
        ]);
        let err = cover_image(f.path()).unwrap_err();
        assert!(err.to_string().contains("leaves the archive"), "{err}");
    }

    #[test]
    fn an_entry_that_inflates_too_far_is_refused() {
        let opf = br#"<package><manifest><item id="c" href="c.jpg" properties="cover-image" media-type="image/jpeg"/></manifest></package>"#;
        let zeros = vec![0u8; 5 * 1024 * 1024];
        let f = epub(&[
            ("META-INF/container.xml", CONTAINER),
            ("OEBPS/content.opf", opf),
            ("OEBPS/c.jpg", &zeros),
        ]);
        let err = cover_image(f.path()).unwrap_err();
        assert!(err.to_string().contains("zip bomb"), "{err}");
    }

    #[test]
    fn a_file_that_is_not_a_zip_says_so() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(b"<html>not an epub</html>").unwrap();
        let err = cover_image(f.path()).unwrap_err();
        assert!(err.to_string().contains("not a zip archive"), "{err}");
    }

    #[test]
    fn the_gutenberg_epubs_have_covers() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/gutenberg/epub");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return; // the shared data is not on this machine
        };
        for e in entries.flatten() {
            let img = cover_image(&e.path()).unwrap().expect("a cover");
            assert!(
                img.starts_with(&[0xFF, 0xD8]) || img.starts_with(b"\x89PNG"),
                "{:?}",
                e.path()
            );
        }
    }
}
