//! A stand-in for `quire_text::from_gutenberg` while the text parser is on
//! its own branch: a naive split of a Project Gutenberg plain-text file into
//! sections (at heading lines), paragraphs (blank-line blocks) and sentences
//! (a full stop, question or exclamation mark before a capital). Good enough
//! to exercise the analysis; not a parser anyone should ship.

use quire_text::{Paragraph, Section, SectionKind, Text};
use std::path::PathBuf;

/// The shared data folder: `QUIRE_DATA`, or `../shared/data` beside the
/// repository.
pub fn data_dir() -> PathBuf {
    match std::env::var_os("QUIRE_DATA") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    }
}

/// The ten novels: file stem and title.
pub const BOOKS: [(&str, &str); 10] = [
    ("pg1342", "Pride and Prejudice"),
    ("pg84", "Frankenstein"),
    ("pg2701", "Moby-Dick"),
    ("pg345", "Dracula"),
    ("pg514", "Little Women"),
    ("pg64317", "The Great Gatsby"),
    ("pg11", "Alice's Adventures in Wonderland"),
    ("pg1260", "Jane Eyre"),
    ("pg768", "Wuthering Heights"),
    ("pg1661", "The Adventures of Sherlock Holmes"),
];

pub fn load(stem: &str) -> Text {
    let path = data_dir().join("gutenberg/txt").join(format!("{stem}.txt"));
    let raw = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e} (set QUIRE_DATA)", path.display()));
    parse(&raw)
}

fn is_heading(line: &str) -> bool {
    let t = line.trim();
    if t.is_empty() || t.len() > 60 {
        return false;
    }
    let starts = [
        "CHAPTER",
        "Chapter",
        "LETTER",
        "Letter",
        "EPILOGUE",
        "Epilogue",
        "ADVENTURE",
        "STAVE",
    ];
    if starts.iter().any(|s| t.starts_with(s)) {
        return true;
    }
    let bare = t.trim_end_matches('.');
    !bare.is_empty() && bare.len() <= 6 && bare.chars().all(|c| "IVXLC".contains(c))
}

pub fn parse(raw: &str) -> Text {
    let raw = raw.trim_start_matches('\u{feff}');
    let mut lines = raw.lines();
    for line in lines.by_ref() {
        if line.starts_with("***") && line.contains("START OF") {
            break;
        }
    }
    let mut blocks: Vec<Vec<&str>> = vec![Vec::new()];
    for line in lines {
        if line.starts_with("***") && line.contains("END OF") {
            break;
        }
        if line.trim().is_empty() {
            if blocks.last().is_some_and(|b| !b.is_empty()) {
                blocks.push(Vec::new());
            }
        } else if let Some(b) = blocks.last_mut() {
            b.push(line);
        }
    }
    let mut sections: Vec<Section> = Vec::new();
    let mut current: Option<Section> = None;
    for block in blocks.into_iter().filter(|b| !b.is_empty()) {
        if block.len() <= 2 && is_heading(block[0]) && block.iter().all(|l| l.trim().len() < 60) {
            if let Some(s) = current.take() {
                sections.push(s);
            }
            current = Some(Section {
                kind: SectionKind::Chapter,
                label: block[0].trim().to_string(),
                title: None,
                part: None,
                paragraphs: Vec::new(),
            });
            continue;
        }
        let text = block
            .iter()
            .flat_map(|l| l.split_whitespace())
            .collect::<Vec<_>>()
            .join(" ");
        if text.starts_with("[Illustration") {
            continue;
        }
        if let Some(s) = current.as_mut() {
            let sentences = split_sentences(&text);
            s.paragraphs.push(Paragraph { text, sentences });
        }
    }
    if let Some(s) = current.take() {
        sections.push(s);
    }
    // Contents lists become runs of empty or tiny sections: drop them.
    sections.retain(|s| s.paragraphs.iter().map(|p| p.text.len()).sum::<usize>() > 600);
    Text {
        title: None,
        authors: Vec::new(),
        language: Some("en".into()),
        licence: None,
        sections,
    }
}

const ABBREVIATIONS: [&str; 12] = [
    "Mr", "Mrs", "Dr", "St", "Ms", "Messrs", "Jr", "Sr", "Capt", "Col", "Rev", "Prof",
];

pub fn split_sentences(text: &str) -> Vec<std::ops::Range<u32>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let (pos, c) = chars[i];
        if matches!(c, '.' | '!' | '?') {
            let mut j = i + 1;
            while j < chars.len() && "”’\"')_]".contains(chars[j].1) {
                j += 1;
            }
            let end = chars.get(j).map_or(text.len(), |x| x.0);
            let next_ok = j < chars.len()
                && chars[j].1 == ' '
                && chars
                    .get(j + 1)
                    .is_some_and(|x| x.1.is_uppercase() || "“‘\"_(".contains(x.1));
            let word_before: String = text[start..pos]
                .rsplit(|ch: char| !ch.is_alphabetic())
                .next()
                .unwrap_or("")
                .to_string();
            let abbrev = c == '.'
                && (ABBREVIATIONS.contains(&word_before.as_str())
                    || (word_before.chars().count() == 1
                        && word_before.chars().all(char::is_uppercase)));
            if next_ok && !abbrev {
                out.push(start as u32..end as u32);
                start = end + 1;
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    if start < text.len() {
        out.push(start as u32..text.len() as u32);
    }
    out
}
