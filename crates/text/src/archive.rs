//! Zip archives (EPUBs) read with bounds, for untrusted uploads.
//!
//! Nothing is extracted to disk: entries are read by name into memory.
//! The archive may list at most [`Limits::max_entries`] entries and no
//! entry name may climb out of the archive (`../`, an absolute path); an
//! entry is inflated through a `take(cap + 1)`, so whatever size the
//! archive declares, no more than the cap is ever held; the inflated bytes
//! are compared with the compressed size as they come (a zip bomb turns a
//! few kilobytes into gigabytes), and the whole archive has a total. Also
//! used by `quire-import` for an EPUB's cover image: there is one copy.

use std::io::{Read, Seek};

use zip::ZipArchive;
use zip::result::ZipError;

use crate::{Limits, TextError};

/// A zip archive opened with bounds.
pub struct Archive<R: Read + Seek> {
    zip: ZipArchive<R>,
    file: String,
    limits: Limits,
    inflated: u64,
}

impl<R: Read + Seek> std::fmt::Debug for Archive<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Archive")
            .field("file", &self.file)
            .field("entries", &self.zip.len())
            .finish()
    }
}

/// How much is read at a time while inflating, between bound checks.
const CHUNK: usize = 64 * 1024;

impl<R: Read + Seek> Archive<R> {
    /// Opens an archive of `size` bytes named `file` (for messages).
    pub fn open(reader: R, size: u64, file: &str, limits: &Limits) -> Result<Self, TextError> {
        if size > limits.max_file_bytes {
            return Err(TextError::TooLarge {
                file: file.to_string(),
                size,
                limit: limits.max_file_bytes,
            });
        }
        let zip = ZipArchive::new(reader).map_err(|e| TextError::NotEpub {
            file: file.to_string(),
            reason: match e {
                ZipError::Io(_) | ZipError::InvalidArchive(_) => {
                    format!("not a zip archive, or a truncated one ({e})")
                }
                other => format!("not a zip archive ({other})"),
            },
        })?;
        if zip.len() > limits.max_entries {
            return Err(TextError::TooManyEntries {
                file: file.to_string(),
                count: zip.len(),
                limit: limits.max_entries,
            });
        }
        for name in zip.file_names() {
            if !is_safe_entry_name(name) {
                return Err(TextError::PathEscapes {
                    file: file.to_string(),
                    place: "the archive's list of entries".to_string(),
                    path: name.to_string(),
                });
            }
        }
        Ok(Archive {
            zip,
            file: file.to_string(),
            limits: limits.clone(),
            inflated: 0,
        })
    }

    /// The file name given at opening.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// An entry's bytes, at most [`Limits::max_entry_bytes`]; `None` when
    /// there is no such entry.
    pub fn read(&mut self, entry: &str) -> Result<Option<Vec<u8>>, TextError> {
        let cap = self.limits.max_entry_bytes;
        self.read_capped(entry, cap)
    }

    /// An entry's bytes, at most `cap` (and never more than the archive's
    /// remaining total); `None` when there is no such entry.
    pub fn read_capped(&mut self, entry: &str, cap: u64) -> Result<Option<Vec<u8>>, TextError> {
        let file = self.file.clone();
        let err = |reason: String| TextError::Entry {
            file: file.clone(),
            entry: entry.to_string(),
            reason,
        };
        let mut e = match self.zip.by_name(entry) {
            Ok(e) => e,
            Err(ZipError::FileNotFound) => return Ok(None),
            Err(other) => return Err(err(format!("it cannot be read ({other})"))),
        };
        let compressed = e.compressed_size().max(1);
        let left = self.limits.max_total_inflated.saturating_sub(self.inflated);
        let mut out = Vec::new();
        let mut buf = vec![0u8; CHUNK];
        // The declared size may lie: count what really comes out.
        let mut limited = (&mut e).take(cap.min(left) + 1);
        loop {
            let n = limited.read(&mut buf).map_err(|io| {
                err(format!(
                    "it cannot be inflated; the archive may be damaged ({io})"
                ))
            })?;
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
            let got = out.len() as u64;
            if got > self.limits.ratio_floor_bytes && got / compressed > self.limits.max_ratio {
                return Err(TextError::ZipBomb {
                    file: self.file.clone(),
                    entry: entry.to_string(),
                    limit: self.limits.max_ratio,
                });
            }
            if got > cap {
                return Err(TextError::EntryTooLarge {
                    file: self.file.clone(),
                    entry: entry.to_string(),
                    limit: cap,
                });
            }
            if got > left {
                return Err(TextError::ArchiveTooLarge {
                    file: self.file.clone(),
                    limit: self.limits.max_total_inflated,
                });
            }
        }
        self.inflated += out.len() as u64;
        Ok(Some(out))
    }
}

/// Whether an entry name stays inside the archive: relative, no `..`
/// part, no drive letter or backslash.
fn is_safe_entry_name(name: &str) -> bool {
    !(name.starts_with('/')
        || name.contains('\\')
        || name.contains(':')
        || name.split('/').any(|p| p == ".."))
}

/// `href` relative to the folder `base`, as an entry name; `None` when it
/// is absolute, a URL, or climbs above the archive's root. The fragment
/// and query are dropped.
pub fn resolve(base: &str, href: &str) -> Option<String> {
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

/// The folder of an entry name ("OEBPS" for "OEBPS/content.opf").
pub fn folder(entry: &str) -> &str {
    entry.rsplit_once('/').map_or("", |(dir, _)| dir)
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
    use super::*;

    #[test]
    fn paths_resolve_inside_the_archive_only() {
        assert_eq!(
            resolve("OEBPS", "text/ch1.xhtml#x").as_deref(),
            Some("OEBPS/text/ch1.xhtml")
        );
        assert_eq!(
            resolve("OEBPS", "../art/a%20b.png").as_deref(),
            Some("art/a b.png")
        );
        assert_eq!(resolve("OEBPS", "../../etc/passwd"), None);
        assert_eq!(resolve("", "/etc/passwd"), None);
        assert_eq!(resolve("", "http://example.org/x"), None);
        assert!(!is_safe_entry_name("../evil.xhtml"));
        assert!(!is_safe_entry_name("OEBPS/../../evil"));
        assert!(is_safe_entry_name("OEBPS/ch..1.xhtml"));
    }
}
