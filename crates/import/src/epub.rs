//! The cover image of an EPUB, read with bounds.
//!
//! An EPUB is a zip archive: `META-INF/container.xml` names the package
//! document (the OPF), whose manifest marks the cover image with
//! `properties="cover-image"` (EPUB 3) or names it in
//! `<meta name="cover" content="ID">` (EPUB 2). The archive is read by
//! `quire-text`'s bounded reader ([`quire_text::Archive`]): nothing is
//! extracted to disk, entries are read by name under caps that do not
//! trust the sizes the archive declares, the entry count and compression
//! ratio are bounded, and a path that would climb out of the archive is
//! refused.

use std::fs::File;
use std::path::Path;

use quire_text::epub::{package, rootfile};
use quire_text::{Archive, Limits};

use crate::error::{ImportError, display_name};

/// The largest EPUB file read.
pub const MAX_EPUB_BYTES: u64 = 64 * 1024 * 1024;
/// The largest cover image read (the covers crate takes at most 10 MB).
pub const MAX_IMAGE_BYTES: u64 = 10 * 1024 * 1024;

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
    let limits = Limits {
        max_file_bytes: MAX_EPUB_BYTES,
        ..Limits::default()
    };
    let mut archive = Archive::open(file, len, &name, &limits)?;
    let opf_path = rootfile(&mut archive, &limits)?;
    let pkg = package(&mut archive, &opf_path, &limits)?;
    let Some(cover) = pkg.cover() else {
        return Ok(None);
    };
    Ok(archive.read_capped(&cover.path, MAX_IMAGE_BYTES)?)
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
