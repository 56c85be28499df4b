//! Flashcards: grounded in the text, never past the reader's place, ids
//! stable across analyses; the Anki file; FSRS scheduling.

use crate::books::{Book, book};
use crate::loader;
use proptest::prelude::*;
use quire_insight::{
    ANKI_COLUMNS, BLANK, Card, CardKind, Options, Rating, Schedule, ScheduleError, analyse,
    anki_export, cards, section_name,
};
use quire_text::Place;
use std::collections::HashSet;
use time::macros::datetime;

/// The card's own sentence, and a check that the card shows it verbatim.
fn check_grounded(b: &Book, card: &Card) {
    let s = b
        .sentence(card.place)
        .unwrap_or_else(|| panic!("{card:?}: no sentence there"));
    let chapter = section_name(&b.text, card.place.section);
    match card.kind {
        CardKind::Cloze => {
            let blank = card.blank.clone().expect("a cloze has a blank");
            assert_eq!(&s[blank.start as usize..blank.end as usize], card.answer);
            assert_eq!(card.prompt.replacen(BLANK, &card.answer, 1), s, "{card:?}");
            assert!(!card.answer.trim().is_empty());
        }
        CardKind::Character => {
            assert!(s.contains(&card.prompt), "{card:?}: name not in {s:?}");
            assert_eq!(card.answer, format!("{s} ({chapter})"));
        }
        CardKind::Quotation | CardKind::Event => {
            assert_eq!(card.prompt, s);
            assert_eq!(card.answer, chapter);
        }
    }
}

#[test]
fn every_card_is_the_books_own_words_and_all_four_kinds_are_drawn() {
    for stem in ["pg1342", "pg2701"] {
        let b = book(stem);
        let deck = cards(&b.text, &b.analysis, None);
        for card in &deck {
            check_grounded(&b, card);
        }
        for kind in [
            CardKind::Cloze,
            CardKind::Character,
            CardKind::Quotation,
            CardKind::Event,
        ] {
            let n = deck.iter().filter(|c| c.kind == kind).count();
            assert!(n >= 5, "{stem}: {n} cards of {kind:?}");
        }
        let ids: HashSet<&str> = deck.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids.len(), deck.len(), "{stem}: ids repeat");
    }
}

#[test]
fn pride_and_prejudice_introduces_its_heroine_and_hero() {
    let b = book("pg1342");
    let deck = cards(&b.text, &b.analysis, None);
    let names: Vec<&str> = deck
        .iter()
        .filter(|c| c.kind == CardKind::Character)
        .map(|c| c.prompt.as_str())
        .collect();
    // Each as the sentence that introduces them writes the name:
    // Elizabeth is first "Lizzy", to her father.
    for who in ["Lizzy", "Darcy", "Bingley", "Jane", "Mrs. Bennet"] {
        assert!(names.iter().any(|n| n.contains(who)), "{who} in {names:?}");
    }
}

#[test]
fn ids_are_the_same_when_the_book_is_read_and_analysed_again() {
    let b = book("pg1342");
    let first = cards(&b.text, &b.analysis, None);
    let text = loader::load("pg1342");
    let again = cards(&text, &analyse(&text, &Options::default()), None);
    assert_eq!(first, again);
    // A card drawn with the guard keeps the id it has without it.
    let at = Place {
        section: 20,
        paragraph: 0,
        sentence: 0,
    };
    let early = cards(&b.text, &b.analysis, Some(at));
    assert!(!early.is_empty());
    assert!(early.iter().all(|c| first.contains(c)));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn no_card_comes_from_at_or_after_the_place(
        book_i in 0usize..2,
        section in 0u32..140,
        paragraph in 0u32..40,
        sentence in 0u32..3,
    ) {
        let b = book(["pg1342", "pg2701"][book_i]);
        let at = Place { section, paragraph, sentence };
        for card in cards(&b.text, &b.analysis, Some(at)) {
            prop_assert!(card.place < at, "{card:?} at {at:?}");
        }
    }
}

/// Anki's quoting undone: a field in quotes with doubled quotes inside.
fn unquote(field: &str) -> String {
    match field.strip_prefix('"').and_then(|f| f.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => field.to_string(),
    }
}

#[test]
fn the_anki_file_reads_back_with_its_headers_and_four_columns() {
    for stem in ["pg1342", "pg2701"] {
        let b = book(stem);
        let deck = cards(&b.text, &b.analysis, None);
        let file = anki_export(&b.text, "Pride and Prejudice", &deck);
        let (headers, rows): (Vec<&str>, Vec<&str>) =
            file.lines().partition(|l| l.starts_with('#'));
        for h in [
            "#separator:tab",
            "#html:false",
            "#notetype:Basic",
            "#deck:Pride and Prejudice",
            "#columns:Front\tBack\tTags\tGUID",
            "#tags column:3",
            "#guid column:4",
        ] {
            assert!(headers.contains(&h), "{stem}: no {h:?} in {headers:?}");
        }
        assert_eq!(rows.len(), deck.len());
        for (row, card) in rows.iter().zip(&deck) {
            let fields: Vec<&str> = row.split('\t').collect();
            assert_eq!(fields.len(), ANKI_COLUMNS.len(), "{row:?}");
            let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(unquote(fields[0]), one_line(&card.prompt));
            assert_eq!(unquote(fields[1]), one_line(&card.answer));
            let tags: Vec<&str> = fields[2].split(' ').collect();
            assert_eq!(tags[0], "pride-and-prejudice");
            let label = &b.text.sections[card.place.section as usize].label;
            assert_eq!(tags[1], label.to_lowercase().replace(' ', "-"), "{tags:?}");
            assert_eq!(fields[3], card.id);
        }
    }
}

#[test]
fn good_twice_waits_longer_than_once_and_again_brings_the_card_back() {
    let schedule = Schedule::new(0.9).unwrap();
    let t0 = datetime!(2026-03-01 09:00 UTC);
    let once = schedule.review(None, Rating::Good, t0).unwrap();
    assert!(once.due > t0);
    let t1 = once.due;
    let twice = schedule.review(Some(&once), Rating::Good, t1).unwrap();
    assert!(
        twice.due - t1 > once.due - t0,
        "second wait {} not longer than first {}",
        twice.due - t1,
        once.due - t0
    );
    assert!(twice.stability > once.stability);
    let t2 = twice.due;
    let forgot = schedule.review(Some(&twice), Rating::Again, t2).unwrap();
    assert!(forgot.due - t2 < twice.due - t1);
    assert!(forgot.due - t2 <= time::Duration::hours(1));
    assert_eq!(forgot.lapses, 1);
    assert_eq!(forgot.reviews, 3);
    // Easy waits longer than hard from the same state.
    let hard = schedule.review(Some(&once), Rating::Hard, t1).unwrap();
    let easy = schedule.review(Some(&once), Rating::Easy, t1).unwrap();
    assert!(easy.due > hard.due);
    assert_eq!(
        Schedule::new(1.5).unwrap_err(),
        ScheduleError::Retention(1.5)
    );
}
