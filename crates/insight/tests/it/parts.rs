//! Key terms, themes, quotations, content warnings, reading time and the
//! mood arc.

use crate::books::book;
use crate::loader::{self, BOOKS};
use quire_insight::{Options, WarningKind, analyse, syllables};
use quire_text::{Paragraph, Section, SectionKind, Text};

/// A whole word of the book, any case.
fn has_word(all_lower: &str, word: &str) -> bool {
    all_lower.match_indices(word).any(|(i, _)| {
        let before = all_lower[..i].chars().next_back();
        let after = all_lower[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphabetic) && !after.is_some_and(char::is_alphabetic)
    })
}

#[test]
fn every_term_and_theme_label_is_a_word_of_the_book() {
    for (stem, title) in BOOKS {
        let b = book(stem);
        let lower = b.all_text.to_lowercase();
        let a = &b.analysis;
        let mut labels: Vec<&str> = a.key_terms.iter().map(|t| t.term.as_str()).collect();
        for t in &a.themes {
            labels.push(&t.label);
            labels.extend(t.terms.iter().map(String::as_str));
        }
        for s in &a.sections {
            labels.extend(s.key_terms.iter().map(String::as_str));
        }
        assert!(labels.len() > 30, "{title}");
        for l in labels {
            assert!(
                !l.is_empty() && has_word(&lower, l),
                "{title}: {l:?} is not in the book"
            );
        }
    }
}

#[test]
fn key_terms_say_what_the_book_is_about() {
    let terms = |stem: &str, n: usize| -> Vec<String> {
        book(stem)
            .analysis
            .key_terms
            .iter()
            .take(n)
            .map(|t| t.term.clone())
            .collect()
    };
    let moby = terms("pg2701", 10);
    assert!(moby.iter().any(|t| t.starts_with("whale")), "{moby:?}");
    assert!(moby.contains(&"ship".to_string()), "{moby:?}");
    let pp = terms("pg1342", 30);
    assert!(pp.iter().any(|t| t.starts_with("marri")), "{pp:?}");
    assert!(pp.contains(&"sister".to_string()), "{pp:?}");
    let dracula = terms("pg345", 30);
    assert!(
        dracula.contains(&"blood".to_string()) && dracula.contains(&"garlic".to_string()),
        "{dracula:?}"
    );
    // Names belong to the characters, not the key terms.
    for name in ["elizabeth", "darcy", "bingley", "jane"] {
        assert!(!pp.contains(&name.to_string()), "{name} in {pp:?}");
    }
}

#[test]
fn a_theme_is_backed_by_sentences_using_its_terms() {
    for stem in ["pg1342", "pg2701", "pg345"] {
        let b = book(stem);
        assert!(b.analysis.themes.len() >= 2, "{stem}");
        for t in &b.analysis.themes {
            assert!((2..=5).contains(&t.terms.len()), "{stem}: {t:?}");
            assert_eq!(t.terms[0], t.label);
            assert!(!t.places.is_empty(), "{stem}: {t:?}");
            for p in &t.places {
                let s = b.sentence(*p).unwrap().to_lowercase();
                let used = t
                    .terms
                    .iter()
                    .filter(|w| has_word(&s, w) || s.contains(w.as_str()))
                    .count();
                assert!(used >= 1, "{stem}: {s:?} does not carry {:?}", t.terms);
            }
        }
    }
}

#[test]
fn austens_most_quoted_sentence_is_found() {
    let b = book("pg1342");
    let q = &b.analysis.quotations;
    assert!(q.len() >= 8);
    let texts: Vec<&str> = q.iter().map(|q| b.sentence(q.place).unwrap()).collect();
    assert!(
        texts[..3]
            .iter()
            .any(|s| s.starts_with("It is a truth universally acknowledged")),
        "{texts:#?}"
    );
    for s in texts {
        let n = s.split_whitespace().count();
        assert!((5..=30).contains(&n), "{n} words: {s}");
    }
}

fn kinds(stem: &str) -> Vec<WarningKind> {
    book(stem)
        .analysis
        .warnings
        .iter()
        .map(|w| w.kind)
        .collect()
}

#[test]
fn content_warnings_need_enough_evidence() {
    let dracula = kinds("pg345");
    for k in [
        WarningKind::Blood,
        WarningKind::Death,
        WarningKind::Violence,
    ] {
        assert!(dracula.contains(&k), "Dracula lacks {k:?}: {dracula:?}");
    }
    let moby = kinds("pg2701");
    assert!(moby.contains(&WarningKind::AnimalCruelty), "{moby:?}");
    let pp = kinds("pg1342");
    for k in [
        WarningKind::Violence,
        WarningKind::Blood,
        WarningKind::Death,
        WarningKind::Drugs,
    ] {
        assert!(!pp.contains(&k), "Pride and Prejudice claims {k:?}");
    }
    assert!(kinds("pg64317").contains(&WarningKind::Alcohol));
}

#[test]
fn each_warning_lists_the_sentences_it_rests_on() {
    let b = book("pg345");
    for w in &b.analysis.warnings {
        assert_eq!(w.places.len() as u32, w.sentences.min(1000));
        assert!(w.places.windows(2).all(|p| p[0] < p[1]));
        assert!(w.per_10k_words > 0.0);
    }
    let blood = b
        .analysis
        .warnings
        .iter()
        .find(|w| w.kind == WarningKind::Blood)
        .unwrap();
    for p in &blood.places {
        let s = b.sentence(*p).unwrap().to_lowercase();
        assert!(
            ["blood", "bleed", "gore", "gory", "mangled", "entrails"]
                .iter()
                .any(|w| s.contains(w)),
            "{s}"
        );
    }
}

#[test]
fn syllables_are_counted_as_documented() {
    for (word, n) in [
        ("the", 1),
        ("little", 2),
        ("hoped", 1),
        ("wanted", 2),
        ("horses", 2),
        ("hopes", 1),
        ("beautiful", 3),
        ("whale", 1),
        ("elizabeth", 4),
        ("a", 1),
        ("rhythm", 1),
        ("queequeg", 2),
    ] {
        assert_eq!(syllables(word), n, "{word}");
    }
}

#[test]
fn reading_time_and_difficulty() {
    let pp = &book("pg1342").analysis.reading;
    assert!((115_000..135_000).contains(&pp.words), "{pp:?}");
    assert_eq!(pp.minutes, pp.words.div_ceil(250));
    let alice = &book("pg11").analysis.reading;
    assert!(alice.words < 30_000);
    for (stem, title) in BOOKS {
        let r = &book(stem).analysis.reading;
        assert!(
            (4.0..16.0).contains(&r.flesch_kincaid_grade),
            "{title}: {r:?}"
        );
    }
    assert!(
        alice.flesch_kincaid_grade < pp.flesch_kincaid_grade,
        "Alice reads easier"
    );
    let slow = Options {
        words_per_minute: 125,
        ..Options::default()
    };
    let text = loader::load("pg11");
    assert_eq!(
        analyse(&text, &slow).reading.minutes,
        alice.words.div_ceil(125)
    );
}

fn one_section_text(paragraphs: &[&str]) -> Text {
    Text {
        title: None,
        authors: Vec::new(),
        language: None,
        licence: None,
        sections: vec![Section {
            kind: SectionKind::Chapter,
            label: "Chapter 1".into(),
            title: None,
            part: None,
            paragraphs: paragraphs
                .iter()
                .map(|p| Paragraph::new(p.to_string()))
                .collect(),
        }],
        front_matter: Vec::new(),
        back_matter: Vec::new(),
    }
}

#[test]
fn the_mood_turns_with_a_negation() {
    let happy = one_section_text(&["She was happy and glad. The day was lovely and full of joy."]);
    let unhappy = one_section_text(&[
        "She was not happy and never glad. The day was hardly lovely and without joy.",
    ]);
    let a = analyse(&happy, &Options::default()).mood[0].valence;
    let b = analyse(&unhappy, &Options::default()).mood[0].valence;
    assert!(a > 0.2, "{a}");
    assert!(b < 0.0, "{b}");
}

#[test]
fn the_mood_arc_follows_the_book() {
    let mean = |stem: &str| {
        let m = &book(stem).analysis.mood;
        m.iter().map(|p| p.smoothed).sum::<f32>() / m.len() as f32
    };
    for (stem, title) in BOOKS {
        let b = book(stem);
        assert_eq!(b.analysis.mood.len(), b.text.sections.len(), "{title}");
        for p in &b.analysis.mood {
            assert!((-1.0..=1.0).contains(&p.valence) && (-1.0..=1.0).contains(&p.smoothed));
        }
    }
    assert!(
        mean("pg345") < mean("pg1342"),
        "Dracula is darker than Pride and Prejudice"
    );
    assert!(
        mean("pg84") < mean("pg514"),
        "Frankenstein is darker than Little Women"
    );
}

#[test]
fn an_empty_text_gives_an_empty_analysis() {
    let empty = Text {
        title: None,
        authors: Vec::new(),
        language: None,
        licence: None,
        sections: Vec::new(),
        front_matter: Vec::new(),
        back_matter: Vec::new(),
    };
    let a = analyse(&empty, &Options::default());
    assert!(a.places().is_empty() && a.characters.is_empty() && a.mood.is_empty());
    assert_eq!(a.reading.words, 0);
}
