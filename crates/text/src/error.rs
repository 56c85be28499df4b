//! Why a file could not be read as a book's text. Every refusal names the
//! file, where in it the problem is (an archive entry, a line, a byte
//! offset) and, where something can be done, what to do.

/// Why a file could not become a [`crate::Text`].
#[derive(Debug, thiserror::Error)]
pub enum TextError {
    #[error("{file}: cannot read the file: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },

    #[error("{file} is {size} bytes; at most {limit} are accepted. Upload a smaller file")]
    TooLarge { file: String, size: u64, limit: u64 },

    #[error(
        "{file} is not UTF-8 text (line {line}, byte {byte} of the file); save it as UTF-8 and upload it again"
    )]
    NotUtf8 { file: String, line: u64, byte: u64 },

    #[error("{file} is not text: it holds binary data ({what} at byte {byte})")]
    Binary {
        file: String,
        what: &'static str,
        byte: u64,
    },

    #[error("{file} is not an EPUB: {reason}")]
    NotEpub { file: String, reason: String },

    #[error("{file} has {count} archive entries; an EPUB may have at most {limit}")]
    TooManyEntries {
        file: String,
        count: usize,
        limit: usize,
    },

    #[error("{file}, entry {entry}: {reason}")]
    Entry {
        file: String,
        entry: String,
        reason: String,
    },

    #[error(
        "{file}, entry {entry}: it inflates to more than {limit}× its compressed size; a zip bomb is refused"
    )]
    ZipBomb {
        file: String,
        entry: String,
        limit: u64,
    },

    #[error("{file}, entry {entry}: it inflates past {limit} bytes, the most read from one entry")]
    EntryTooLarge {
        file: String,
        entry: String,
        limit: u64,
    },

    #[error("{file}: the entries inflate past {limit} bytes in all, the most read from one EPUB")]
    ArchiveTooLarge { file: String, limit: u64 },

    #[error("{file}, {place}: the path \"{path}\" leaves the archive and is refused")]
    PathEscapes {
        file: String,
        place: String,
        path: String,
    },

    #[error(
        "{file}, entry {entry}: a DOCTYPE declares entities (\"<!ENTITY\"), which can expand without bound; such files are refused"
    )]
    XmlEntities { file: String, entry: String },

    #[error("{file}, entry {entry}: elements nest deeper than {limit} levels")]
    XmlTooDeep {
        file: String,
        entry: String,
        limit: usize,
    },

    #[error("{file}, entry {entry}, byte {at}: not well-formed XML: {reason}")]
    Xml {
        file: String,
        entry: String,
        at: u64,
        reason: String,
    },

    #[error("{file}: its text is longer than {limit} bytes, the most kept for one book")]
    TextTooLong { file: String, limit: u64 },

    #[error("{file}: reading took longer than {limit_ms} ms ({stage}); the file is refused")]
    TooSlow {
        file: String,
        stage: &'static str,
        limit_ms: u128,
    },
}
