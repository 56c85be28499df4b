//! Reader for Project Gutenberg plain-text ebooks, for the catalog: the
//! header's metadata, the text between the START and END markers, and an
//! excerpt (the opening paragraphs of the first chapter) that a book page
//! can show.
//!
//! The header, the markers and the chapters are read by `quire-text`
//! (`quire_text::gutenberg`), which both header layouts and every heading
//! style go through; this module only adds what the catalog needs (the
//! eBook number, the release date, the excerpt) and its own errors.

use std::io::Read;
use std::path::Path;

use quire_text::gutenberg::{Header, ebook_number, split, title_from_marker};
use time::Date;

use crate::error::{ImportError, display_name, from_io, open_capped};

/// The largest text accepted. The longest Gutenberg novels are about 5 MB.
pub const MAX_TEXT_BYTES: u64 = 16 * 1024 * 1024;
/// An excerpt takes whole paragraphs until it has at least this many
/// characters…
pub const EXCERPT_MIN_CHARS: usize = 800;
/// …and never more than this many.
pub const EXCERPT_MAX_CHARS: usize = 2_000;

/// A parsed Project Gutenberg ebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GutenbergText {
    pub ebook_number: u32,
    pub title: String,
    pub authors: Vec<String>,
    pub translators: Vec<String>,
    pub illustrators: Vec<String>,
    /// The first release on Gutenberg (not the latest update).
    pub release_date: Option<Date>,
    /// An ISO 639-1 code such as "en".
    pub language: Option<String>,
    /// The text strictly between the START and END markers, unchanged.
    pub body: String,
    /// The opening paragraphs of the first chapter, each with its line
    /// breaks and runs of spaces turned into single spaces and
    /// Gutenberg's `_italic_` marks removed.
    pub excerpt: Vec<String>,
}

/// Read and parse a Gutenberg text file of at most [`MAX_TEXT_BYTES`].
/// UTF-8 is expected; a file that is not UTF-8 is read as Latin-1, the
/// other encoding Gutenberg used for plain text.
pub fn parse_file(path: &Path) -> Result<GutenbergText, ImportError> {
    let name = display_name(path);
    let mut input = open_capped(path, MAX_TEXT_BYTES)?;
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|e| from_io(&name, e, MAX_TEXT_BYTES))?;
    let text = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => e.into_bytes().into_iter().map(char::from).collect(),
    };
    parse(&text, &name)
}

/// Parse the text of a Gutenberg ebook; `file_name` is used in messages.
pub fn parse(text: &str, file_name: &str) -> Result<GutenbergText, ImportError> {
    if text.len() as u64 > MAX_TEXT_BYTES {
        return Err(ImportError::TooLarge {
            file: file_name.to_string(),
            limit_bytes: MAX_TEXT_BYTES,
        });
    }
    let not_gutenberg = |message: &str| ImportError::NotGutenberg {
        file: file_name.to_string(),
        message: message.to_string(),
    };
    let parts = split(text).ok_or_else(|| {
        not_gutenberg("there is no \"*** START OF THE PROJECT GUTENBERG EBOOK … ***\" line")
    })?;
    let header = Header::read(parts.header);
    let number = ebook_number(&parts, &header, file_name).ok_or_else(|| {
        not_gutenberg("the header gives no eBook number (such as \"[eBook #1342]\")")
    })?;
    let title = header
        .title
        .clone()
        .or_else(|| title_from_marker(parts.marker))
        .ok_or_else(|| not_gutenberg("the header has no \"Title:\" line"))?;
    let book = quire_text::from_gutenberg(text, file_name)?;
    Ok(GutenbergText {
        ebook_number: number,
        title,
        release_date: header.release_date(),
        language: header.language_code(),
        authors: header.authors,
        translators: header.translators,
        illustrators: header.illustrators,
        body: parts.body.to_string(),
        excerpt: excerpt(&book),
    })
}

// ---------------------------------------------------------------------------
// The excerpt
//
// The story's first section, as quire-text finds it (front matter, title
// pages and the contents are outside it), from its first paragraph of
// prose: short lines at its head (a chapter's subtitle in capitals,
// "(Kept in shorthand.)", a letter's address and date) are passed over.

/// A paragraph shorter than this, or without small letters, at the head
/// of a chapter is a title or date line, not prose.
const SHORT_PARAGRAPH_CHARS: usize = 60;

/// The opening paragraphs of a book's first section (see the notes
/// above); empty when it has no prose.
pub fn excerpt(book: &quire_text::Text) -> Vec<String> {
    let Some(first) = book.sections.first() else {
        return Vec::new();
    };
    let prose =
        |t: &str| t.chars().any(char::is_lowercase) && t.chars().count() >= SHORT_PARAGRAPH_CHARS;
    let start = first
        .paragraphs
        .iter()
        .position(|p| prose(&p.text))
        .unwrap_or(first.paragraphs.len());
    collect_paragraphs(first.paragraphs[start..].iter().map(|p| p.text.as_str()))
}

/// Whole paragraphs until there are enough characters, never more than
/// the most.
fn collect_paragraphs<'a>(paragraphs: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut total = 0;
    for paragraph in paragraphs {
        if total >= EXCERPT_MIN_CHARS {
            break;
        }
        let chars = paragraph.chars().count();
        if chars > EXCERPT_MAX_CHARS {
            // Only a paragraph too long to show whole is cut, at a sentence.
            let cut = cut_at_sentence(paragraph, EXCERPT_MAX_CHARS - total);
            if !cut.is_empty() {
                out.push(cut);
            }
            break;
        }
        if total + chars > EXCERPT_MAX_CHARS {
            break;
        }
        total += chars;
        out.push(paragraph.to_string());
    }
    out
}

/// The longest run of whole sentences within `max` characters; a single
/// sentence that long is cut at a word instead.
fn cut_at_sentence(paragraph: &str, max: usize) -> String {
    let end = paragraph
        .char_indices()
        .nth(max)
        .map_or(paragraph.len(), |(i, _)| i);
    let head = &paragraph[..end];
    let mut best = None;
    let chars: Vec<(usize, char)> = head.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        // Closing quotes and brackets belong to the sentence.
        let mut j = k + 1;
        while j < chars.len() && matches!(chars[j].1, '"' | '\'' | '”' | '’' | ')' | '_') {
            j += 1;
        }
        if j == chars.len() || chars[j].1 == ' ' {
            let cut = chars.get(j).map_or(head.len(), |&(b, _)| b);
            if cut > i {
                best = Some(cut);
            }
        }
    }
    let cut = best.or_else(|| head.rfind(' ')).unwrap_or(head.len());
    head[..cut].trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use quire_text::gutenberg::collapse_spaces;
    use std::path::PathBuf;

    fn txt(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/gutenberg/txt")
            .join(name)
    }

    /// (file, number, title, author, first words of the excerpt)
    const BOOKS: [(&str, u32, &str, &str, &str); 10] = [
        (
            "pg1342.txt",
            1342,
            "Pride and Prejudice",
            "Jane Austen",
            "It is a truth universally acknowledged, that a single man in possession of a good fortune must be in want of a wife.",
        ),
        (
            "pg84.txt",
            84,
            "Frankenstein; or, the modern prometheus",
            "Mary Wollstonecraft Shelley",
            "You will rejoice to hear that no disaster has accompanied the commencement",
        ),
        (
            "pg2701.txt",
            2701,
            "Moby Dick; Or, The Whale",
            "Herman Melville",
            "Call me Ishmael. Some years ago—never mind how long precisely—having",
        ),
        (
            "pg345.txt",
            345,
            "Dracula",
            "Bram Stoker",
            "3 May. Bistritz.--Left Munich at 8:35 P. M., on 1st May, arriving at Vienna",
        ),
        (
            "pg514.txt",
            514,
            "Little Women",
            "Louisa May Alcott",
            "“Christmas won’t be Christmas without any presents,” grumbled Jo, lying on the rug.",
        ),
        (
            "pg64317.txt",
            64317,
            "The Great Gatsby",
            "F. Scott Fitzgerald",
            "In my younger and more vulnerable years my father gave me some advice",
        ),
        (
            "pg11.txt",
            11,
            "Alice's Adventures in Wonderland",
            "Lewis Carroll",
            "Alice was beginning to get very tired of sitting by her sister on the bank,",
        ),
        (
            "pg1260.txt",
            1260,
            "Jane Eyre: An Autobiography",
            "Charlotte Brontë",
            "There was no possibility of taking a walk that day.",
        ),
        (
            "pg768.txt",
            768,
            "Wuthering Heights",
            "Emily Bronte",
            "1801.--I have just returned from a visit to my landlord--the solitary neighbour",
        ),
        (
            "pg1661.txt",
            1661,
            "The Adventures of Sherlock Holmes",
            "Arthur Conan Doyle",
            "To Sherlock Holmes she is always the woman.",
        ),
    ];

    #[test]
    fn all_ten_novels() {
        for (file, number, title, author, opening) in BOOKS {
            let book = parse_file(&txt(file)).unwrap();
            assert_eq!(book.ebook_number, number, "{file}");
            assert_eq!(book.title, title, "{file}");
            assert_eq!(book.authors, vec![author.to_string()], "{file}");
            assert_eq!(book.language.as_deref(), Some("en"), "{file}");
            assert!(book.release_date.is_some(), "{file}");

            let first = book.excerpt.first().map_or("", String::as_str);
            assert!(
                first.starts_with(opening),
                "{file}: excerpt starts {first:?}"
            );
            let total: usize = book.excerpt.iter().map(|p| p.chars().count()).sum();
            assert!(
                (300..=EXCERPT_MAX_CHARS).contains(&total),
                "{file}: {total} characters"
            );

            // The excerpt drops Gutenberg's `_italic_` marks.
            let flat_body = collapse_spaces(&book.body).replace('_', "");
            for p in &book.excerpt {
                assert!(
                    flat_body.contains(p.as_str()),
                    "{file}: not in the body: {p}"
                );
                assert!(!p.starts_with('['), "{file}: caption in excerpt: {p}");
            }
            assert!(!book.body.contains("START OF"), "{file}");
            assert!(!book.body.contains("*** END"), "{file}");
        }
    }

    #[test]
    fn header_details() {
        let alice = parse_file(&txt("pg11.txt")).unwrap();
        assert_eq!(
            alice.release_date,
            Some(time::macros::date!(2008 - 06 - 27))
        );
        let holmes = parse_file(&txt("pg1661.txt")).unwrap();
        assert_eq!(
            holmes.release_date,
            Some(time::macros::date!(2002 - 11 - 29))
        );
        // The old marker wraps onto a second line; the body starts after it.
        assert!(
            holmes
                .body
                .trim_start()
                .starts_with("The Adventures of Sherlock Holmes")
        );
        let jane = parse_file(&txt("pg1260.txt")).unwrap();
        assert_eq!(jane.illustrators, vec!["F. H. Townsend".to_string()]);
        assert!(jane.translators.is_empty());
        let heights = parse_file(&txt("pg768.txt")).unwrap();
        assert_eq!(
            heights.release_date,
            Some(time::macros::date!(2007 - 04 - 19))
        );
        assert!(
            heights
                .body
                .trim_end()
                .ends_with("sleepers in that quiet earth.")
        );
    }

    #[test]
    fn the_body_is_exactly_between_the_markers() {
        let text = "\u{feff}Title: A Tale\n  of Two Parts\nAuthor: Ann Example and Bo Example\nTranslator: Cy Example\nRelease date: March 3, 2001 [eBook #77]\nLanguage: French\n\n*** START OF THE PROJECT GUTENBERG EBOOK A TALE ***\nline one\n\nline two\n*** END OF THE PROJECT GUTENBERG EBOOK A TALE ***\nlicence\n";
        let book = parse(text, "tale.txt").unwrap();
        assert_eq!(book.body, "line one\n\nline two\n");
        assert_eq!(book.title, "A Tale of Two Parts");
        assert_eq!(book.authors, vec!["Ann Example", "Bo Example"]);
        assert_eq!(book.translators, vec!["Cy Example"]);
        assert_eq!(book.ebook_number, 77);
        assert_eq!(book.language.as_deref(), Some("fr"));
        assert_eq!(book.release_date, Some(time::macros::date!(2001 - 03 - 03)));
    }

    #[test]
    fn not_gutenberg_without_a_start_marker() {
        let err = parse("Title: Nothing\n\nJust text.\n", "notes.txt").unwrap_err();
        assert!(matches!(err, ImportError::NotGutenberg { .. }));
        assert!(
            err.to_string()
                .starts_with("notes.txt is not a Project Gutenberg text")
        );
        let err = parse(
            "*** START OF THE PROJECT GUTENBERG EBOOK X ***\nbody\n",
            "x.txt",
        )
        .unwrap_err();
        assert!(err.to_string().contains("eBook number"), "{err}");
    }

    #[test]
    fn long_paragraphs_are_cut_at_a_sentence() {
        let sentence = "This is a sentence of moderate length, said she. ";
        let long = sentence.repeat(60);
        let cut = cut_at_sentence(long.trim(), EXCERPT_MAX_CHARS);
        assert!(cut.ends_with("said she."));
        assert!(cut.chars().count() <= EXCERPT_MAX_CHARS);
        let text = format!(
            "Title: T\nRelease date: May 1, 1999 [eBook #5]\n*** START OF THE PROJECT GUTENBERG EBOOK T ***\nCHAPTER I\n\n{long}\n\nMore.\n"
        );
        let book = parse(&text, "t.txt").unwrap();
        assert_eq!(book.excerpt.len(), 1);
        assert!(book.excerpt[0].ends_with("said she."));
    }

    #[test]
    fn garbage_does_not_panic() {
        for text in [
            "",
            "***",
            "*** START OF",
            "*** START OF GUTENBERG",
            "\u{feff}",
            "***START OF THE PROJECT GUTENBERG EBOOK ***\n[\n[\nCHAPTER I\n",
        ] {
            let _ = parse(text, "g.txt");
        }
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(
            text in "(\\*\\*\\* ?START OF THE PROJECT GUTENBERG EBOOK X|\\*\\*\\*END OF THE PROJECT GUTENBERG EBOOK|\\*\\*\\*|CHAPTER I\\.?|I|Letter 1|\\[Illustration:|\\[|\\]|\n|\n\n|Title: |Release date: May 1, 1999 \\[eBook #|[0-9]{1,3}|é|ß|word |  ){0,80}"
        ) {
            if let Ok(book) = parse(&text, "p.txt") {
                proptest::prop_assert!(text.contains(book.body.as_str()));
                let total: usize = book.excerpt.iter().map(|p| p.chars().count()).sum();
                proptest::prop_assert!(total <= EXCERPT_MAX_CHARS);
            }
        }

        #[test]
        fn excerpt_never_panics(body in "\\PC{0,300}") {
            if let Ok(book) = quire_text::from_gutenberg(&body, "p.txt") {
                let _ = excerpt(&book);
            }
        }
    }
}
