//! quire-text's integration tests: the ten shared novels in both formats,
//! sentences, positions, and the malicious uploads.

mod books;
mod malicious;
mod positions;
mod sentences;

use std::path::PathBuf;

/// The shared Project Gutenberg files: `QUIRE_DATA` or the checkout's
/// `../shared/data`.
pub fn data() -> PathBuf {
    std::env::var_os("QUIRE_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
        .join("gutenberg")
}
