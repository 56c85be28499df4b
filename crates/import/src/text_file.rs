//! A book's full text from a file on disk, attached to a work: what
//! `quire import text` and the demo do. The kind of file is told by its
//! bytes (an EPUB is a zip archive), the extension only breaking the tie
//! for a file that claims to be an EPUB but is not one, so its reader can
//! say why. Reading is bounded by `quire_text::Limits`; storing by
//! `quire_storage::texts`' bounds, all in one transaction.

use crate::ImportError;
use crate::error::display_name;
use quire_domain::{UserId, WorkId};
use quire_storage::Db;
use quire_storage::texts::{self, SourceFormat, SourceInfo, TextVersion};
use quire_text::{Limits, Text, TextError};
use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

/// What attaching a file did, with the time each half took.
#[derive(Debug)]
pub struct Attached {
    pub version: TextVersion,
    pub source: SourceInfo,
    pub text: Text,
    pub read: Duration,
    pub saved: Duration,
}

/// Read `path` as a book's text: its parsed [`Text`] and its
/// [`SourceInfo`]. Refused, naming the file, when it is over the limits,
/// not an EPUB nor UTF-8 text, or has no body.
pub fn read(path: &Path, limits: &Limits) -> Result<(Text, SourceInfo), ImportError> {
    let name = display_name(path);
    let file = std::fs::File::open(path).map_err(|e| ImportError::io(&name, e))?;
    let size = file
        .metadata()
        .map_err(|e| ImportError::io(&name, e))?
        .len();
    if size > limits.max_file_bytes {
        return Err(TextError::TooLarge {
            file: name,
            size,
            limit: limits.max_file_bytes,
        }
        .into());
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ImportError::io(&name, e))?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(TextError::TooLarge {
            file: name,
            size: bytes.len() as u64,
            limit: limits.max_file_bytes,
        }
        .into());
    }
    let (text, kind) = quire_text::from_file_bytes(&bytes, &name, limits)?;
    let format = match kind {
        quire_text::FileKind::Epub => SourceFormat::Epub,
        quire_text::FileKind::GutenbergText => SourceFormat::GutenbergTxt,
    };
    let source = SourceInfo::of(format, &name, &bytes);
    Ok((text, source))
}

/// Read `path` (on a blocking thread) and make it the text of `work`.
/// On any error nothing is saved.
pub async fn attach(
    db: &Db,
    work: WorkId,
    path: &Path,
    by: Option<UserId>,
) -> Result<Attached, ImportError> {
    let started = Instant::now();
    let owned = path.to_path_buf();
    let (text, source) = tokio::task::spawn_blocking(move || read(&owned, &Limits::default()))
        .await
        .map_err(|e| {
            ImportError::io(
                &display_name(path),
                std::io::Error::other(format!("the reader stopped: {e}")),
            )
        })??;
    let read_took = started.elapsed();
    let saving = Instant::now();
    let version = texts::attach(db, work, &text, &source, by)
        .await
        .map_err(|source| ImportError::Attach {
            file: display_name(path),
            source,
        })?;
    Ok(Attached {
        version,
        source,
        text,
        read: read_took,
        saved: saving.elapsed(),
    })
}
