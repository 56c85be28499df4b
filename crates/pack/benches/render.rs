//! How long a pack takes to make: a novel-sized pack (61 chapters, twelve
//! answers, forty cards) against an empty one, as PDF and EPUB. Prints
//! numbers and ratios; asserts nothing.
//!
//! `cargo bench -p quire-pack`

#![allow(clippy::unwrap_used)]

use quire_pack::{Answer, Card, ChapterSummary, Line, Pack, to_epub, to_pdf};
use std::time::{Duration, Instant};

fn sentence(i: usize) -> String {
    format!(
        "Sentence {i} of the book, in which a character walks some distance across the park and considers, not for the first time, what the letter might have meant."
    )
}

fn novel() -> Pack {
    Pack {
        title: "A Novel-Sized Pack".into(),
        authors: vec!["A. Writer".into()],
        identifier: "urn:uuid:0191d7a2-0000-7000-8000-00000000b0b0".into(),
        language: "en".into(),
        date: "2026-11-23".into(),
        guard: "Everything is included.".into(),
        faq: (0..12)
            .map(|q| Answer {
                question: format!("Question {q}?"),
                lines: (0..3)
                    .map(|l| Line {
                        lead: "Quire's words around it:".into(),
                        quote: Some(sentence(q * 3 + l)),
                        source: format!("Chapter {}", q + l),
                    })
                    .collect(),
            })
            .collect(),
        key_ideas: (0..6)
            .map(|i| Line {
                lead: String::new(),
                quote: Some(sentence(i)),
                source: format!("Chapter {i}"),
            })
            .collect(),
        chapters: (1..=61)
            .map(|c| ChapterSummary {
                label: format!("Chapter {c}"),
                sentences: (0..3).map(|s| sentence(c * 3 + s)).collect(),
            })
            .collect(),
        questions: (1..=8)
            .map(|q| format!("Discussion question {q}?"))
            .collect(),
        cards: (0..40)
            .map(|c| Card {
                prompt: format!("Who said this? {}", sentence(c)),
                answer: "Elizabeth".into(),
                chapter: format!("Chapter {c}"),
            })
            .collect(),
        ..Default::default()
    }
}

fn time(n: u32, f: impl Fn() -> usize) -> (Duration, usize) {
    let mut size = f(); // warm: fonts parsed, caches filled
    let start = Instant::now();
    for _ in 0..n {
        size = f();
    }
    (start.elapsed() / n, size)
}

fn main() {
    let empty = Pack {
        title: "Empty".into(),
        identifier: "urn:uuid:1".into(),
        language: "en".into(),
        date: "2026-11-23".into(),
        ..Default::default()
    };
    let big = novel();
    let n = 20;
    let (pe, _) = time(n, || to_pdf(&empty).unwrap().len());
    let (pb, pdf_size) = time(n, || to_pdf(&big).unwrap().len());
    let (ee, _) = time(n, || to_epub(&empty).unwrap().len());
    let (eb, epub_size) = time(n, || to_epub(&big).unwrap().len());
    println!("pack render, mean of {n} (after one warm-up):");
    println!(
        "  PDF   empty {:>8.2} ms   novel {:>8.2} ms ({:.1}x, {} KB)",
        pe.as_secs_f64() * 1e3,
        pb.as_secs_f64() * 1e3,
        pb.as_secs_f64() / pe.as_secs_f64(),
        pdf_size / 1024
    );
    println!(
        "  EPUB  empty {:>8.2} ms   novel {:>8.2} ms ({:.1}x, {} KB)",
        ee.as_secs_f64() * 1e3,
        eb.as_secs_f64() * 1e3,
        eb.as_secs_f64() / ee.as_secs_f64(),
        epub_size / 1024
    );
}
