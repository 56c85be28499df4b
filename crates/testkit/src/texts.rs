//! Book texts built by hand for tests, before (and beside) the parsers of
//! `quire-text`: sections of made-up paragraphs (with a preface and a closing line
//! outside the body) whose sentences are real
//! byte ranges, so storage and analysis tests need no file.

use quire_text::{Paragraph, Section, SectionKind, Text};

/// A text of `sections` chapters ("Chapter 1", …) of `paragraphs`
/// paragraphs each; the last paragraph of chapter `n` is `n` sentences
/// longer than the others, so the chapters differ in length. Non-ASCII
/// words (“Café”, “naïve”) make byte and character counts differ.
pub fn text(sections: usize, paragraphs: usize) -> Text {
    let sections = (0..sections)
        .map(|s| Section {
            kind: SectionKind::Chapter,
            label: format!("Chapter {}", s + 1),
            title: (s % 2 == 0).then(|| format!("The {} Café", ordinal(s + 1))),
            part: (s >= 2).then(|| "Part Second".to_string()),
            paragraphs: (0..paragraphs)
                .map(|p| {
                    let extra = if p + 1 == paragraphs { s + 1 } else { 0 };
                    paragraph(s, p, 2 + extra)
                })
                .collect(),
        })
        .collect();
    Text {
        title: Some("A Test Book".into()),
        authors: vec!["Ann Author".into(), "Bo Writer".into()],
        language: Some("en".into()),
        licence: Some("Do as you like with this test text.".into()),
        sections,
        front_matter: vec![Section {
            kind: SectionKind::Preface,
            label: "Preface".into(),
            title: None,
            part: None,
            paragraphs: vec![Paragraph::new("A preface, outside the story.".into())],
        }],
        back_matter: vec![Paragraph::new("THE END. Other books by Ann Author.".into())],
    }
}

fn ordinal(n: usize) -> String {
    format!("{n}th")
}

/// A paragraph of `sentences` sentences, named by its place.
pub fn paragraph(section: usize, paragraph: usize, sentences: usize) -> Paragraph {
    let mut text = String::new();
    let mut ranges = Vec::new();
    for i in 0..sentences {
        if i > 0 {
            text.push(' ');
        }
        let start = text.len() as u32;
        text.push_str(&format!(
            "In chapter {} paragraph {} the naïve reader said “sentence {}” aloud.",
            section + 1,
            paragraph + 1,
            i + 1
        ));
        ranges.push(start..text.len() as u32);
    }
    Paragraph {
        text,
        sentences: ranges,
    }
}
