//! Quire's search: one box for books, authors, members and public clubs.
//!
//! A pure library over a [tantivy] index: no database, no web. Callers
//! fill plain documents ([`BookDoc`], [`PersonDoc`], [`ClubDoc`]) from
//! whatever holds the truth and keep the index current with a [`Writer`]
//! (add, replace, delete, commit), or replace it whole with
//! [`SearchIndex::rebuild`] (what `quire reindex` will call). The index is
//! never the source of truth: it can always be thrown away and rebuilt.
//!
//! **One index, a `kind` field.** Books, people and clubs share one index
//! and one ranking, so a single query returns one ordered list across kinds
//! (an author above the author's books, a club among them) and one
//! document count for BM25. A book's title, a person's name and a club's
//! name all go to the same `title` field; fields a kind lacks stay empty.
//! A [`Query`] can be narrowed to some [`Kind`]s.
//!
//! **Privacy.** The index has no idea who may see what. Give it only what
//! anyone who can search may find: public clubs, members who chose to be
//! findable, and no club discussions unless the caller filters them by the
//! spoiler and privacy rules first.
//!
//! **Matching.** Text is folded (case, Latin accents, punctuation:
//! "Brontë" finds "Bronte"), titles, series, subjects and descriptions are
//! stemmed with the English Snowball stemmer. Each query word may match
//! exactly (scored by BM25, weighted by field: first author 4.5, title 3,
//! other credited names 2, series 1.5, description 1, subject 0.5), with a typo (Levenshtein distance 1
//! for words of 4–7 letters, 2 for 8 or more, none below 4; swapping two
//! neighbouring letters counts as one) at a constant score below an exact
//! match, or, for the last word when the query does not end in a space, as
//! the start of a longer word. Every word must match; when no document
//! matches them all, all but one of the uncommon words must, and common
//! words ("the", "of") only add to the score ([`Results::relaxed`]). A
//! common word is matched in any of a book's names and scored as a title
//! word. The words in order in the title add a phrase bonus. A query that
//! is an ISBN-10 or ISBN-13 (hyphens allowed) finds that book first.
//!
//! **Ranking.** Relevance times `1 + 0.1·ln(1 + ratings)`: popularity
//! orders comparable matches, relevance decides between unlike ones.
//!
//! **Limits.** Queries are cut at [`MAX_QUERY_CHARS`] characters and
//! [`MAX_QUERY_WORDS`] words, pages at [`MAX_LIMIT`] hits and offsets at
//! [`MAX_OFFSET`]; suggestions at [`MAX_SUGGESTIONS`]. A query of only
//! punctuation finds nothing. Documents are stored most popular first, and
//! a query matching more than [`MATCH_CAP`] documents of a segment ranks
//! only those most popular ones; its total and facet counts are then
//! estimated ([`Results::estimated`]). A word in more than one document in
//! fifty is taken as typed (no typo or prefix matching), and a typo or a
//! prefix stands for at most 20 or 30 of the most frequent words it could be.

pub mod bench;
mod collect;
mod docs;
mod error;
mod facets;
pub mod generate;
pub mod goodbooks;
mod index;
pub mod isbn;
mod query;
mod schema;
mod suggest;

pub use collect::MATCH_CAP;
pub use docs::{BookDoc, ClubDoc, Doc, Kind, PersonDoc, PersonKind};
pub use error::{Result, SearchError};
pub use facets::{DecadeCount, FacetCount, Facets, MAX_SUBJECTS};
pub use index::{MAX_SUGGESTIONS, RebuildOptions, RebuildStats, SearchIndex, Suggestion, Writer};
pub use query::{
    Filter, Hit, MAX_LIMIT, MAX_OFFSET, MAX_QUERY_CHARS, MAX_QUERY_WORDS, POPULARITY, Query,
    Results, Why, typo_distance,
};
