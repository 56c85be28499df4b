//! Covers. Quire never loads an image from another site: a stored cover
//! (re-encoded on the server by `quire-covers`) is served from the
//! database, and a book without one gets a cover drawn here.
//!
//! `serve.rs` answers `/covers/{edition}`, `upload.rs` takes uploads from
//! the book page's form and the API, `generated.rs` draws covers.

mod generated;
mod pending;
mod serve;
pub(crate) mod upload;

pub use generated::generated_svg;
pub use pending::Held;
pub use serve::stored_cover;
pub use upload::{CoverWork, MAX_UPLOAD_BODY, api_upload, form_upload};
// For the add-a-book form, which takes a cover with the book.
pub(crate) use upload::{cut_short, prepare, read_form_prefix, refused, store};

/// Where a stored cover is served, in a size pages show.
pub fn url(edition: quire_domain::EditionId, size: quire_domain::CoverSize) -> String {
    format!("/covers/{edition}?size={}", size.as_str())
}
