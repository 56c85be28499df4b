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
//!
//! Two readers make a [`Text`]: [`from_gutenberg`] (and its bounded
//! [`from_gutenberg_bytes`] and [`gutenberg::from_gutenberg_file`]) for
//! Project Gutenberg plain text, and [`from_epub`] / [`from_epub_file`] for
//! EPUB 2 and 3. Both find sections by the same heading rules (`detect`
//! and `heading`, described there), so the two formats of one book give
//! the same labels. Uploads are untrusted: every bounded reader works
//! under [`Limits`] and refuses with a [`TextError`] saying what and where.
//! Matter before the story (prefaces, "Etymology") is
//! [`Text::front_matter`], what follows "THE END" is [`Text::back_matter`]:
//! neither counts in positions.

use serde::{Deserialize, Serialize};
use std::ops::Range;

use quire_domain::position::Point;

mod archive;
mod blocks;
mod detect;
pub mod epub;
mod error;
pub mod gutenberg;
mod heading;
mod limits;
pub mod sentences;
mod xhtml;

pub use archive::Archive;
pub use epub::{from_epub, from_epub_file};
pub use error::TextError;
pub use gutenberg::{from_gutenberg, from_gutenberg_bytes};
pub use heading::normalise;
pub use limits::Limits;

/// The two kinds of file a book's text comes in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Epub,
    GutenbergText,
}

/// Read a book's file of either kind. An EPUB is told by its bytes (a zip
/// archive); a name ending in `.epub` also goes to the EPUB reader, so a
/// file that claims to be one but is not is told why.
pub fn from_file_bytes(
    bytes: &[u8],
    name: &str,
    limits: &Limits,
) -> Result<(Text, FileKind), TextError> {
    let says_epub = name.to_lowercase().ends_with(".epub");
    if bytes.starts_with(b"PK\x03\x04") || says_epub {
        Ok((from_epub(bytes, name, limits)?, FileKind::Epub))
    } else {
        Ok((
            from_gutenberg_bytes(bytes, name, limits)?,
            FileKind::GutenbergText,
        ))
    }
}

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
    /// Named matter before the story (prefaces, an introduction, Moby-Dick's
    /// "Etymology" and "Extracts"): kept and labelled, but outside the
    /// body, so chapter numbers and positions count the story only.
    #[serde(default)]
    pub front_matter: Vec<Section>,
    /// What follows "THE END" (a publisher's advertisements, a printer's
    /// imprint): kept, outside the body.
    #[serde(default)]
    pub back_matter: Vec<Paragraph>,
}

impl Paragraph {
    /// A paragraph from text whose whitespace is already collapsed, split
    /// into sentences.
    pub fn new(text: String) -> Paragraph {
        let sentences = sentences::split(&text);
        Paragraph { text, sentences }
    }

    /// Its length in characters.
    pub fn chars(&self) -> u64 {
        self.text.chars().count() as u64
    }
}

impl Text {
    /// The body's length in characters (paragraph texts only: the breaks
    /// between paragraphs and sections count nothing).
    pub fn len(&self) -> u64 {
        self.sections
            .iter()
            .flat_map(|s| &s.paragraphs)
            .map(Paragraph::chars)
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.sections
            .iter()
            .all(|s| s.paragraphs.iter().all(|p| p.text.is_empty()))
    }

    /// Characters of the body before `place`. A place past the end of its
    /// paragraph, section or the book counts as the start of what follows
    /// (so a place past the last sentence is [`Text::len`]).
    pub fn offset(&self, place: Place) -> u64 {
        let mut total = 0u64;
        for (si, section) in self.sections.iter().enumerate() {
            let si = si as u32;
            if si < place.section {
                total += section.paragraphs.iter().map(Paragraph::chars).sum::<u64>();
                continue;
            }
            if si > place.section {
                break;
            }
            for (pi, paragraph) in section.paragraphs.iter().enumerate() {
                let pi = pi as u32;
                if pi < place.paragraph {
                    total += paragraph.chars();
                    continue;
                }
                if pi == place.paragraph {
                    let start = paragraph
                        .sentences
                        .get(place.sentence as usize)
                        .map_or(paragraph.text.len(), |r| r.start as usize);
                    total += paragraph
                        .text
                        .get(..start)
                        .map_or(0, |t| t.chars().count() as u64);
                }
                break;
            }
            break;
        }
        total
    }

    /// Where `place` is on the clubs' position scale: the share of the
    /// body's characters before it, rounded down.
    pub fn point_of(&self, place: Place) -> Point {
        point(self.offset(place), self.len())
    }

    /// Where each section starts on the position scale, for
    /// `Chapters::Exact`: ascending, the first at the start.
    pub fn section_starts(&self) -> Vec<Point> {
        let len = self.len();
        let mut at = 0u64;
        self.sections
            .iter()
            .map(|s| {
                let start = point(at, len);
                at += s.paragraphs.iter().map(Paragraph::chars).sum::<u64>();
                start
            })
            .collect()
    }

    /// Every sentence with its place, in reading order.
    pub fn sentences(&self) -> impl Iterator<Item = (Place, &str)> {
        self.sections.iter().enumerate().flat_map(|(si, s)| {
            s.paragraphs.iter().enumerate().flat_map(move |(pi, p)| {
                p.sentences.iter().enumerate().filter_map(move |(ti, r)| {
                    let text = p.text.get(r.start as usize..r.end as usize)?;
                    Some((
                        Place {
                            section: si as u32,
                            paragraph: pi as u32,
                            sentence: ti as u32,
                        },
                        text,
                    ))
                })
            })
        })
    }
}

/// `at / len` of the scale, rounded down; an empty text is all start.
fn point(at: u64, len: u64) -> Point {
    let end = u64::from(Point::END);
    let value = (at.min(len) * end).checked_div(len).unwrap_or(0);
    Point::new(value as u32).unwrap_or(Point::FINISHED)
}
