//! The one error type of the crate.

use std::path::PathBuf;

/// What went wrong in the search index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The index files could not be read or written; the message of the
    /// underlying tantivy error says which.
    #[error("search index error: {0}; if the index is damaged, rebuild it with `quire reindex`")]
    Index(#[from] tantivy::TantivyError),
    /// Opening an index that is not there.
    #[error("no search index in {0}: create it, or rebuild it with `quire reindex`")]
    Missing(PathBuf),
    /// The index on disk was written with another schema (an older Quire).
    #[error("the search index in {0} has another layout: rebuild it with `quire reindex`")]
    Incompatible(PathBuf),
    /// Another writer (another process, or a `Writer` still alive) holds the
    /// index's write lock.
    #[error("the search index is being written by someone else; try again when that is done")]
    Busy,
    /// A document was refused before it reached the index.
    #[error("document {id:?} not indexed: {reason}")]
    BadDocument { id: String, reason: &'static str },
    /// A file of outside data (goodbooks CSV) could not be read.
    #[error("{path}: {message}")]
    Data { path: PathBuf, message: String },
    /// Reading or creating the index directory failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Results of this crate.
pub type Result<T, E = SearchError> = std::result::Result<T, E>;

impl SearchError {
    pub(crate) fn from_tantivy(err: tantivy::TantivyError) -> Self {
        match err {
            tantivy::TantivyError::LockFailure(..) => SearchError::Busy,
            other => SearchError::Index(other),
        }
    }
}
