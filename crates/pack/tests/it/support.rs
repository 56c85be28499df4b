//! A sample pack and the outside tools the tests read the output with
//! (poppler's pdftotext and pdftoppm, epubcheck; `.ci/run` installs them).

use quire_pack::{Answer, Card, ChapterSummary, Line, Pack};

/// Strings a book or a reader could send that mean something to Typst or
/// to XHTML; each must come out as the same characters.
pub const HOSTILE: &[&str] = &[
    "#panic(\"typst ran this\")",
    "*not bold* _not emph_ $x^2$ `raw` <label> @ref",
    "<script>alert('x')</script> & &amp; ]]> <![CDATA[",
    "= Not a heading",
];

pub fn sample() -> Pack {
    Pack {
        title: "The Tale of <Two> Cities & #Sons".into(),
        authors: vec!["Charles Dickens".into(), "A. N. Other".into()],
        identifier: "urn:uuid:0191d7a2-0000-7000-8000-000000000001".into(),
        language: "en".into(),
        date: "2026-11-23".into(),
        guard:
            "You are 50% of the way through, in Chapter 3: nothing from later in the book is shown."
                .into(),
        paper: Default::default(),
        faq: vec![
            Answer {
                question: "Who wrote it?".into(),
                lines: vec![Line {
                    lead: "It was written by Charles Dickens.".into(),
                    quote: None,
                    source: "The catalog".into(),
                }],
            },
            Answer {
                question: "What is it about?".into(),
                lines: vec![Line {
                    lead: "It opens:".into(),
                    quote: Some("It was the best of times, it was the worst of times.".into()),
                    source: "Chapter 1".into(),
                }],
            },
        ],
        key_ideas: HOSTILE
            .iter()
            .map(|h| Line {
                lead: "A reader wrote".into(),
                quote: Some((*h).into()),
                source: "Mallory's review".into(),
            })
            .collect(),
        chapters: vec![
            ChapterSummary {
                label: "Chapter 1".into(),
                sentences: vec![
                    "There were a king with a large jaw and a queen with a plain face.".into(),
                    "Wine was spilt in the street outside the shop.".into(),
                ],
            },
            ChapterSummary {
                label: "Chapter 2".into(),
                sentences: vec!["The mail coach climbed Shooter's Hill in the mud.".into()],
            },
        ],
        questions: vec![
            "Why does the book open with a paradox?".into(),
            HOSTILE[0].into(),
        ],
        cards: vec![Card {
            prompt: "Who keeps the wine shop?".into(),
            answer: "Monsieur Defarge".into(),
            chapter: "Chapter 5".into(),
        }],
    }
}

pub use quire_testkit::documents::*;
