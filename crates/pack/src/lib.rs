//! A book's insight pack, ready to download: the FAQ, key ideas, chapter
//! summaries up to the reader's place, discussion questions and
//! flashcards, as a typeset PDF ([`to_pdf`]) and as an EPUB 3
//! ([`to_epub`]).
//!
//! Pure: the caller gathers a [`Pack`] (already limited to what the reader
//! may see) and gets bytes back; no IO, no database, no clock. Rendering
//! is CPU work of tens of milliseconds, so a server runs it on a blocking
//! thread.
//!
//! Everything in a `Pack` comes from a book or its readers and is treated
//! as untrusted: the PDF never puts it into Typst markup (it reaches the
//! template as string values in `sys.inputs`, which Typst shows as text),
//! and the EPUB escapes it for XHTML. Characters that XML 1.0 cannot carry
//! are dropped in both.

mod epub;
mod pdf;
mod text;

pub use epub::to_epub;
pub use pdf::to_pdf;

/// Everything in one pack, limited beforehand to the reader's place.
#[derive(Debug, Clone, Default)]
pub struct Pack {
    pub title: String,
    pub authors: Vec<String>,
    /// The EPUB's unique identifier, a URI (`urn:uuid:…`). Give the same
    /// one for the same book so reading systems keep one copy.
    pub identifier: String,
    /// A BCP 47 language tag of the book, such as `en`.
    pub language: String,
    /// The date the content was drawn up, `YYYY-MM-DD`: the EPUB's
    /// modification date. Passed in so the same pack gives the same bytes.
    pub date: String,
    /// The reader's spoiler guard in words ("You are 50% of the way
    /// through…"), printed on the title page.
    pub guard: String,
    pub paper: Paper,
    pub faq: Vec<Answer>,
    pub key_ideas: Vec<Line>,
    pub chapters: Vec<ChapterSummary>,
    /// Discussion questions, as the club or catalog wrote them.
    pub questions: Vec<String>,
    pub cards: Vec<Card>,
}

/// Page size of the PDF.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Paper {
    #[default]
    A5,
    A4,
}

/// One FAQ question and its answer.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub question: String,
    pub lines: Vec<Line>,
}

/// One sentence of an answer: Quire's words (`lead`), optionally a
/// verbatim quotation from the book or a review, and where it comes from.
#[derive(Debug, Clone, Default)]
pub struct Line {
    pub lead: String,
    pub quote: Option<String>,
    /// "Chapter 3", "Anna's review": shown beside a quotation.
    pub source: String,
}

/// A chapter's extractive summary: its label and its sentences, verbatim.
#[derive(Debug, Clone, Default)]
pub struct ChapterSummary {
    pub label: String,
    pub sentences: Vec<String>,
}

/// A flashcard.
#[derive(Debug, Clone, Default)]
pub struct Card {
    pub prompt: String,
    pub answer: String,
    /// The chapter the card comes from.
    pub chapter: String,
}

/// Why a pack could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error(
        "the pack's {field} is empty; give the book's {field} (a pack needs a title, an identifier and a language)"
    )]
    Missing { field: &'static str },
    #[error("the pack's date \"{0}\" is not a date like 2026-11-23 (YYYY-MM-DD)")]
    Date(String),
    #[error(
        "typesetting the PDF failed: {0}. This is a bug in Quire's pack template; report it with the book's id"
    )]
    Typeset(String),
    #[error("writing the EPUB failed: {0}")]
    Epub(String),
}

impl Pack {
    /// The checks both formats need before rendering.
    fn check(&self) -> Result<(), PackError> {
        for (field, v) in [
            ("title", &self.title),
            ("identifier", &self.identifier),
            ("language", &self.language),
        ] {
            if v.trim().is_empty() {
                return Err(PackError::Missing { field });
            }
        }
        let d = self.date.as_bytes();
        let shaped = d.len() == 10
            && d.iter().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    *b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        if !shaped {
            return Err(PackError::Date(self.date.clone()));
        }
        Ok(())
    }
}
