//! A book's full text, as Quire keeps it: the body split into sections
//! (chapters, letters, prefaces, epilogues, stories), each into
//! paragraphs, each into sentences, with the boilerplate of the file
//! (a Project Gutenberg header and licence) kept apart.
//!
//! Every sentence has a stable place: its section, paragraph and sentence
//! index, and its character offset in the body ([`Text::offset`]), from
//! which its point on the one position scale of clubs follows
//! ([`Text::point_of`]). The analysis (`quire-insight`) and storage build
//! on these types only; how a file became a [`Text`] is this crate's
//! business.

use serde::{Deserialize, Serialize};
use std::ops::Range;

/// What kind of section a heading opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    Preface,
    Introduction,
    Prologue,
    Letter,
    Chapter,
    /// A story of a collection (The Adventures of Sherlock Holmes).
    Story,
    Epilogue,
    /// Matter after the story that is not an epilogue (notes, appendix).
    Afterword,
}

/// One section of the body, in reading order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub kind: SectionKind,
    /// The heading as a reader would name it: "Chapter 1", "Letter 4",
    /// "Epilogue", "A Scandal in Bohemia".
    pub label: String,
    /// The section's own title when it has one: "Loomings.", "Playing
    /// Pilgrims".
    pub title: Option<String>,
    /// The part, volume or book it belongs to, when the book has them:
    /// "Part First", "Volume II".
    pub part: Option<String>,
    pub paragraphs: Vec<Paragraph>,
}

/// A paragraph: its text with whitespace collapsed, and its sentences as
/// byte ranges of that text, in order, covering every word.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paragraph {
    pub text: String,
    pub sentences: Vec<Range<u32>>,
}

impl Paragraph {
    pub fn sentence(&self, i: usize) -> Option<&str> {
        let r = self.sentences.get(i)?;
        self.text.get(r.start as usize..r.end as usize)
    }
}

/// Where a sentence sits: section, paragraph within it, sentence within
/// that. Stable for a given text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Place {
    pub section: u32,
    pub paragraph: u32,
    pub sentence: u32,
}

/// A whole book's text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    /// The title the file gives, if any (not trusted over the catalog's).
    pub title: Option<String>,
    pub authors: Vec<String>,
    /// An ISO 639 code when the file says.
    pub language: Option<String>,
    /// Licence and distributor text found in the file, kept apart from the
    /// body and never analysed.
    pub licence: Option<String>,
    pub sections: Vec<Section>,
}
