//! The ten novels: sections, labels and titles, and no licence text in
//! the body.

use quire_text::{Limits, SectionKind, Text, normalise};

use crate::data;

/// One book's expected sections.
pub struct Book {
    pub txt: &'static str,
    pub epub: &'static str,
    pub sections: usize,
    pub first_label: &'static str,
    pub first_title: Option<&'static str>,
    pub last_label: &'static str,
    /// Labels of the front matter from the txt.
    pub front: &'static [&'static str],
}

/// Counted by hand in the files (see PROVENANCE.md and the notes below).
pub const BOOKS: [Book; 10] = [
    // 61 chapters; the first heading is the caption quirk "Chapter I.]".
    // George Saintsbury's preface is front matter.
    Book {
        txt: "pg1342.txt",
        epub: "pg1342-images.epub",
        sections: 61,
        first_label: "Chapter 1",
        first_title: None,
        last_label: "Chapter 61",
        front: &["Preface"],
    },
    // Letters 1-4, then chapters 1-24.
    Book {
        txt: "pg84.txt",
        epub: "pg84-images-3.epub",
        sections: 28,
        first_label: "Letter 1",
        first_title: None,
        last_label: "Chapter 24",
        front: &[],
    },
    // 135 chapters and the Epilogue; Etymology and Extracts are front
    // matter (the txt has "Extracts" once as its heading).
    Book {
        txt: "pg2701.txt",
        epub: "pg2701-images-3.epub",
        sections: 136,
        first_label: "Chapter 1",
        first_title: Some("Loomings."),
        last_label: "Epilogue",
        front: &["Etymology", "Extracts"],
    },
    // 27 chapters and Jonathan Harker's closing "Note" (in both the txt
    // and the EPUB's navigation), an afterword of the story.
    Book {
        txt: "pg345.txt",
        epub: "pg345-images-3.epub",
        sections: 28,
        first_label: "Chapter 1",
        first_title: Some("Jonathan Harker’s Journal"),
        last_label: "Note",
        front: &[],
    },
    // 47 chapters in two parts.
    Book {
        txt: "pg514.txt",
        epub: "pg514-images-3.epub",
        sections: 47,
        first_label: "Chapter 1",
        first_title: Some("Playing Pilgrims"),
        last_label: "Chapter 47",
        front: &[],
    },
    // Bare centred numerals I … IX.
    Book {
        txt: "pg64317.txt",
        epub: "pg64317-images-3.epub",
        sections: 9,
        first_label: "Chapter 1",
        first_title: None,
        last_label: "Chapter 9",
        front: &[],
    },
    Book {
        txt: "pg11.txt",
        epub: "pg11-images-3.epub",
        sections: 12,
        first_label: "Chapter 1",
        first_title: Some("Down the Rabbit-Hole"),
        last_label: "Chapter 12",
        front: &[],
    },
    // 38 chapters; the author's Preface and Note are front matter.
    Book {
        txt: "pg1260.txt",
        epub: "pg1260-images-3.epub",
        sections: 38,
        first_label: "Chapter 1",
        first_title: None,
        last_label: "Chapter 38",
        front: &["Preface", "Note to the Third Edition"],
    },
    Book {
        txt: "pg768.txt",
        epub: "pg768-images-3.epub",
        sections: 34,
        first_label: "Chapter 1",
        first_title: None,
        last_label: "Chapter 34",
        front: &[],
    },
    // Twelve stories; "A Scandal in Bohemia" is divided into I., II. and
    // III., which are not sections of their own.
    Book {
        txt: "pg1661.txt",
        epub: "pg1661-images-3.epub",
        sections: 12,
        first_label: "A Scandal in Bohemia",
        first_title: None,
        last_label: "The Adventure of the Copper Beeches",
        front: &[],
    },
];

pub fn txt(name: &str) -> Text {
    let path = data().join("txt").join(name);
    match quire_text::gutenberg::from_gutenberg_file(&path, &Limits::default()) {
        Ok(t) => t,
        Err(e) => panic!("{name}: {e}"),
    }
}

fn labels(t: &Text) -> Vec<String> {
    t.sections.iter().map(|s| s.label.clone()).collect()
}

fn check(name: &str, b: &Book, t: &Text) {
    assert_eq!(t.sections.len(), b.sections, "{name}: {:?}", labels(t));
    let first = &t.sections[0];
    let last = &t.sections[t.sections.len() - 1];
    assert_eq!(normalise(&first.label), normalise(b.first_label), "{name}");
    assert_eq!(
        first.title.as_deref().map(normalise),
        b.first_title.map(normalise),
        "{name}: first title"
    );
    assert_eq!(normalise(&last.label), normalise(b.last_label), "{name}");
    for s in &t.sections {
        assert!(!s.paragraphs.is_empty(), "{name}: {} is empty", s.label);
    }
}

#[test]
fn the_ten_plain_texts() {
    for b in &BOOKS {
        let t = txt(b.txt);
        check(b.txt, b, &t);
        let front: Vec<&str> = t.front_matter.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(front, b.front, "{}", b.txt);
        assert!(
            t.licence
                .as_deref()
                .is_some_and(|l| l.contains("Project Gutenberg"))
        );
    }
}

pub fn epub(name: &str) -> Text {
    let path = data().join("epub").join(name);
    match quire_text::from_epub_file(&path, &Limits::default()) {
        Ok(t) => t,
        Err(e) => panic!("{name}: {e}"),
    }
}

#[test]
fn the_ten_epubs() {
    for b in &BOOKS {
        let t = epub(b.epub);
        check(b.epub, b, &t);
        assert!(
            t.licence
                .as_deref()
                .is_some_and(|l| l.contains("Project Gutenberg")),
            "{}: the pg-header and pg-footer are the licence",
            b.epub
        );
        assert_eq!(t.language.as_deref(), Some("en"), "{}", b.epub);
    }
}

#[test]
fn both_formats_name_the_same_sections() {
    for b in &BOOKS {
        let (a, e) = (txt(b.txt), epub(b.epub));
        let la: Vec<String> = a.sections.iter().map(|s| normalise(&s.label)).collect();
        let le: Vec<String> = e.sections.iter().map(|s| normalise(&s.label)).collect();
        assert_eq!(la, le, "{} and {}", b.txt, b.epub);
        let parts_a: Vec<_> = a.sections.iter().map(|s| s.part.clone()).collect();
        let parts_e: Vec<_> = e.sections.iter().map(|s| s.part.clone()).collect();
        assert_eq!(parts_a, parts_e, "{}", b.txt);
        let kinds_a: Vec<_> = a.sections.iter().map(|s| s.kind).collect();
        let kinds_e: Vec<_> = e.sections.iter().map(|s| s.kind).collect();
        assert_eq!(kinds_a, kinds_e, "{}", b.txt);
        // The same text: each section's length agrees within a fifth (the
        // files are different Gutenberg revisions, and captions differ).
        for (sa, se) in a.sections.iter().zip(&e.sections) {
            let len = |s: &quire_text::Section| -> usize {
                s.paragraphs.iter().map(|p| p.text.chars().count()).sum()
            };
            let (x, y) = (len(sa), len(se));
            assert!(
                x.abs_diff(y) * 5 <= x.max(y),
                "{} {}: {x} characters in the txt, {y} in the EPUB",
                b.txt,
                sa.label
            );
        }
    }
}

#[test]
fn labels_count_up_and_kinds_follow_the_headings() {
    let t = txt("pg1342.txt");
    for (i, s) in t.sections.iter().enumerate() {
        assert_eq!(s.label, format!("Chapter {}", i + 1));
        assert_eq!(s.kind, SectionKind::Chapter);
    }
    let f = txt("pg84.txt");
    assert_eq!(f.sections[3].label, "Letter 4");
    assert_eq!(f.sections[3].kind, SectionKind::Letter);
    assert_eq!(f.sections[4].label, "Chapter 1");
    let m = txt("pg2701.txt");
    assert_eq!(m.sections[135].kind, SectionKind::Epilogue);
    assert_eq!(
        m.sections[134].title.as_deref(),
        Some("The Chase.—Third Day.")
    );
    let lw = txt("pg514.txt");
    assert_eq!(lw.sections[22].part.as_deref(), Some("Part 1"));
    assert_eq!(lw.sections[23].part.as_deref(), Some("Part 2"));
    // Part 2 opens with a paragraph before its first chapter heading.
    assert!(
        lw.sections[23].paragraphs[0]
            .text
            .starts_with("In order that we may start afresh")
    );
    let holmes = txt("pg1661.txt");
    assert!(holmes.sections.iter().all(|s| s.kind == SectionKind::Story));
    // The "I." of the first story is no paragraph.
    assert!(
        holmes.sections[0].paragraphs[0]
            .text
            .starts_with("To Sherlock Holmes she is always the woman.")
    );
}

/// Words of the Gutenberg licence and header that must never reach a
/// section.
const BOILERPLATE: [&str; 4] = [
    "Project Gutenberg",
    "www.gutenberg.org",
    "START OF THE PROJECT",
    "END OF THE PROJECT",
];

pub fn assert_no_boilerplate(name: &str, t: &Text) {
    for s in &t.sections {
        for p in &s.paragraphs {
            for word in BOILERPLATE {
                assert!(
                    !p.text.to_lowercase().contains(&word.to_lowercase()),
                    "{name}, {}: {word:?} in {:?}",
                    s.label,
                    p.text
                );
            }
        }
    }
}

#[test]
fn no_licence_in_any_plain_text_section() {
    for b in &BOOKS {
        assert_no_boilerplate(b.txt, &txt(b.txt));
    }
}

#[test]
fn no_licence_in_any_epub_section() {
    for b in &BOOKS {
        assert_no_boilerplate(b.epub, &epub(b.epub));
    }
}

#[test]
fn a_text_without_headings_is_one_section() {
    let t = quire_text::from_gutenberg(
        "It was a dark and stormy night. The rain fell.\n\nThen it stopped, and everyone went home to bed.\n",
        "story.txt",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.sections.len(), 1);
    assert_eq!(t.sections[0].label, "The text");
    assert_eq!(t.sections[0].paragraphs.len(), 2);
    assert_eq!(t.licence, None);
}

#[test]
fn crlf_and_a_byte_order_mark_read_as_lf() {
    let lf = "Title: T\nAuthor: A\n\n*** START OF THE PROJECT GUTENBERG EBOOK T ***\n\nCHAPTER I\n\nIt was a long and quiet morning, and nothing at all happened in it.\n\nCHAPTER II\n\nThe afternoon was louder, with visitors who talked and talked.\n\n*** END OF THE PROJECT GUTENBERG EBOOK T ***\nLicence.\n";
    let crlf = format!("\u{feff}{}", lf.replace('\n', "\r\n"));
    let a = quire_text::from_gutenberg(lf, "lf.txt").unwrap_or_else(|e| panic!("{e}"));
    let b = quire_text::from_gutenberg(&crlf, "crlf.txt").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.sections, b.sections);
    assert_eq!(a.sections.len(), 2);
    assert_eq!(b.title.as_deref(), Some("T"));
    assert_eq!(b.authors, vec!["A".to_string()]);
}
