//! Grounding: every place the analysis gives is a real sentence of the
//! book it analysed.

use crate::books::book;
use crate::loader::BOOKS;

#[test]
fn every_place_of_every_book_is_a_real_sentence() {
    for (stem, title) in BOOKS {
        let b = book(stem);
        let places = b.analysis.places();
        assert!(places.len() > 50, "{title}: only {} places", places.len());
        for p in places {
            let s = b
                .sentence(p)
                .unwrap_or_else(|| panic!("{title}: {p:?} is not a sentence"));
            assert!(!s.trim().is_empty(), "{title}: {p:?} is empty");
        }
    }
}

#[test]
fn a_section_summary_is_drawn_from_its_own_section() {
    for (stem, title) in BOOKS {
        let b = book(stem);
        assert_eq!(b.analysis.sections.len(), b.text.sections.len(), "{title}");
        for (i, s) in b.analysis.sections.iter().enumerate() {
            assert_eq!(s.section as usize, i);
            assert!(s.summary.len() <= 4, "{title} {i}");
            assert!(
                s.summary.windows(2).all(|w| w[0] < w[1]),
                "{title} {i}: in reading order"
            );
            for p in &s.summary {
                assert_eq!(
                    p.section as usize, i,
                    "{title}: {p:?} is outside section {i}"
                );
            }
        }
    }
}

#[test]
fn the_analysis_survives_a_json_round_trip() {
    let b = book("pg11");
    let json = serde_json::to_string(&b.analysis).unwrap();
    let back: quire_insight::Analysis = serde_json::from_str(&json).unwrap();
    assert_eq!(back, b.analysis);
    assert_eq!(back.version, quire_insight::VERSION);
}

#[test]
fn progress_rises_from_zero_to_one() {
    let text = crate::loader::load("pg11");
    let mut seen = Vec::new();
    let a = quire_insight::analyse_with_progress(&text, &quire_insight::Options::default(), |f| {
        seen.push(f)
    });
    assert_eq!(seen.first(), Some(&0.0));
    assert_eq!(seen.last(), Some(&1.0));
    assert!(seen.len() >= 4);
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert_eq!(
        a,
        book("pg11").analysis,
        "the same text gives the same analysis"
    );
}
