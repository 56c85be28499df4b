//! The catalog, one module per aggregate: works (with their credits, series,
//! subjects and identifiers), editions, covers, book-club material, and the
//! lookups that lists of books and search use.

mod covers;
mod create;
pub mod edit;
mod editions;
mod keys;
mod lookup;
mod matching;
mod material;
mod merge;
pub mod proposals;
mod works;

pub use covers::{
    CoverSaved, CoverState, NewCoverImage, StoredCover, cover, cover_state, cover_version,
    set_cover, set_cover_queueing, set_thumbnails,
};
pub use create::{add_edition_by, change_summaries, create_work, find_contributors};
pub use editions::{NewEdition, add_edition};
pub use keys::backfill_keys;
#[allow(unused_imports)] // for the catalog editors, which change titles and authors
pub(crate) use keys::refresh_keys;
pub(crate) use lookup::{SUMMARY_COLUMNS, SummaryRow, summaries};
pub use lookup::{
    WorkSummary, backfill_folds, find_by_identifier, find_by_isbn, search, summaries_of,
};
pub use matching::candidates;
pub use material::{NewMaterial, add_material, add_material_with_id, post_material};
pub use merge::*;
use works::insert_credit;
pub use works::{
    Imported, NewCredit, NewWork, PagePart, Revisions, count_works, find_matches, import_works,
    insert_new_works, insert_works, revision,
};
pub(crate) use works::{bump_part, bump_revision, place_work};

use crate::db::{Db, Tx, missing_book, now};
use crate::{Result, StorageError};
use quire_domain::text::{fold, slugify, sort_name, sort_title};
use quire_domain::{
    ContributorId, ContributorRole, EditionId, Format, Isbn13, MaterialKind, PubDate, Source,
    UserId, WorkId,
};
use uuid::Uuid;

pub(crate) fn key(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// `$start, $start+1, …` for an IN list of `n` values.
pub(crate) fn placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn parse_date(s: Option<String>) -> Option<PubDate> {
    s.and_then(|s| PubDate::parse(&s).ok())
}
