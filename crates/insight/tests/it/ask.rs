//! Ask anything: answers found in the top passages, the spoiler guard,
//! highlights, names in any form, and "catch me up to chapter N".

use crate::books::{Book, book};
use proptest::prelude::*;
use quire_insight::{AskIndex, Hit, Options, Recap, catch_up, synopsis_until};
use quire_text::Place;

/// A hit's paragraphs joined.
fn passage(b: &Book, hit: &Hit) -> String {
    let section = &b.text.sections[hit.section as usize];
    hit.paragraphs
        .clone()
        .map(|p| section.paragraphs[p as usize].text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

fn highlighted<'b>(b: &'b Book, hit: &Hit) -> Vec<&'b str> {
    let section = &b.text.sections[hit.section as usize];
    hit.highlights
        .iter()
        .map(|h| {
            let text = &section.paragraphs[h.paragraph as usize].text;
            &text[h.range.start as usize..h.range.end as usize]
        })
        .collect()
}

/// Questions whose answers were read in the books: some passage of the
/// top five must hold the answer word.
const ANSWERS: &[(&str, &str, &str)] = &[
    ("pg1342", "Where is Pemberley?", "Derbyshire"),
    ("pg1342", "Who did Lydia elope with?", "Wickham"),
    ("pg1342", "Whom did Jane's sister Lydia marry?", "Wickham"),
    (
        "pg1342",
        "Which estate does Mr. Bingley rent?",
        "Netherfield",
    ),
    ("pg2701", "Where is Queequeg a native of?", "Rokovoko"),
    ("pg2701", "What did Ahab nail to the mast?", "gold"),
    ("pg2701", "Who is the captain of the Pequod?", "Ahab"),
    ("pg2701", "What took off Ahab's leg?", "Moby Dick"),
];

#[test]
fn answers_are_in_the_top_five_passages() {
    let mut missed = Vec::new();
    for (stem, question, answer) in ANSWERS {
        let b = book(stem);
        let hits = b.index.ask(&b.text, question, None, 5);
        assert!(!hits.is_empty(), "{stem}: nothing for {question:?}");
        if !hits.iter().any(|h| passage(&b, h).contains(answer)) {
            missed.push(format!(
                "{stem} {question:?}: no {answer:?} in {:?}",
                hits.iter().map(|h| passage(&b, h)).collect::<Vec<_>>()
            ));
        }
    }
    assert!(missed.is_empty(), "{missed:#?}");
}

#[test]
fn hits_are_ranked_best_first_and_at_most_k() {
    let b = book("pg2701");
    let hits = b.index.ask(&b.text, "white whale", None, 7);
    assert_eq!(hits.len(), 7);
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    // The phrase outranks passages with the two words far apart: the
    // best hit says "white whale" in so many words.
    assert!(passage(&b, &hits[0]).to_lowercase().contains("white whale"));
}

#[test]
fn a_name_in_any_form_finds_the_character() {
    let b = book("pg1342");
    // "Lizzy" is the character Elizabeth: passages that only say
    // "Elizabeth" are found and the name is marked.
    let hits = b.index.ask(&b.text, "Lizzy", None, 20);
    assert!(
        hits.iter()
            .any(|h| highlighted(&b, h).contains(&"Elizabeth")
                && !passage(&b, h).contains("Lizzy")),
        "no Elizabeth passage for Lizzy"
    );
    let understood = b
        .index
        .understood("What does Lizzie think of Mr. Darcy?", None);
    let names: Vec<_> = understood
        .iter()
        .filter_map(|t| t.character.clone())
        .collect();
    assert_eq!(names.len(), 2, "{understood:?}");
    assert!(names[0].contains("Elizabeth"), "{names:?}");
    assert!(names[1].contains("Darcy"), "{names:?}");
}

#[test]
fn a_form_of_a_name_is_a_name_only_once_the_reader_has_met_it() {
    let b = book("pg1342");
    // Where the book first writes "Miss Eliza" for Elizabeth.
    let (first, _) = b
        .text
        .sentences()
        .find(|(_, s)| {
            s.match_indices("Miss Eliza")
                .any(|(i, m)| !s[i + m.len()..].starts_with(|c: char| c.is_alphabetic()))
        })
        .unwrap();
    let names = |up_to| {
        b.index
            .understood("Miss Eliza", up_to)
            .into_iter()
            .filter_map(|t| t.character)
            .collect::<Vec<_>>()
    };
    assert_eq!(names(None), vec!["Elizabeth".to_string()]);
    assert!(
        names(Some(first)).iter().all(|n| n != "Elizabeth"),
        "{first:?}"
    );
    // Before it, "Miss Eliza" does not bring Elizabeth's passages.
    for hit in b.index.ask(&b.text, "Miss Eliza", Some(first), 10) {
        assert!(hit.last < first);
        assert!(
            highlighted(&b, &hit)
                .iter()
                .all(|h| !h.contains("Elizabeth")),
            "{hit:?}"
        );
    }
}

#[test]
fn a_question_with_nothing_to_search_for_finds_nothing() {
    let b = book("pg1342");
    for q in ["", "who is it?", "What did he do?", "?!", "1813"] {
        assert!(b.index.understood(q, None).is_empty(), "{q:?}");
        assert!(b.index.ask(&b.text, q, None, 5).is_empty(), "{q:?}");
    }
    // A word the book never uses is understood, but finds nothing.
    let t = b.index.understood("submarine", None);
    assert_eq!(t.len(), 1);
    assert!(!t[0].known);
    assert!(b.index.ask(&b.text, "submarine", None, 5).is_empty());
}

#[test]
fn highlights_lie_in_the_passage_and_cover_every_matched_word() {
    let b = book("pg2701");
    let hits = b
        .index
        .ask(&b.text, "What did Ahab nail to the mast?", None, 10);
    let words = ["nail", "nails", "nailed", "nailing", "mast", "masts"];
    for hit in &hits {
        let section = &b.text.sections[hit.section as usize];
        assert!(!hit.highlights.is_empty());
        for h in &hit.highlights {
            assert!(
                hit.paragraphs.contains(&h.paragraph),
                "{h:?} outside {hit:?}"
            );
            let text = &section.paragraphs[h.paragraph as usize].text;
            let word = text
                .get(h.range.start as usize..h.range.end as usize)
                .unwrap_or_else(|| panic!("{h:?} not on characters of {text:?}"));
            let lower = word.to_lowercase();
            assert!(
                lower.contains("ahab") || words.contains(&lower.as_str()),
                "highlighted {word:?}"
            );
        }
        // Every "mast" or "nail" word of the passage is marked.
        for p in hit.paragraphs.clone() {
            let text = &section.paragraphs[p as usize].text;
            let mut starts = Vec::new();
            let mut from = None;
            for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
                match (c.is_alphabetic(), from) {
                    (true, None) => from = Some(i),
                    (false, Some(f)) => {
                        starts.push((f, &text[f..i]));
                        from = None;
                    }
                    _ => {}
                }
            }
            for (start, w) in starts {
                if words.contains(&w.to_lowercase().as_str()) {
                    assert!(
                        hit.highlights.iter().any(|h| h.paragraph == p
                            && (h.range.start as usize) <= start
                            && start + w.len() <= h.range.end as usize),
                        "{w:?} at {start} of {text:?} not marked"
                    );
                }
            }
        }
    }
}

#[test]
fn the_index_survives_a_round_trip_through_json() {
    let b = book("pg1342");
    let json = serde_json::to_string(&b.index).unwrap();
    let back: AskIndex = serde_json::from_str(&json).unwrap();
    assert_eq!(back, b.index);
    let q = "Mr. Darcy's letter";
    assert_eq!(
        back.ask(&b.text, q, None, 5),
        b.index.ask(&b.text, q, None, 5)
    );
}

#[test]
fn the_guard_hides_what_lies_ahead() {
    let b = book("pg1342");
    // Chapter 3: Darcy has just refused to dance; the proposal is far
    // off.
    let at = Place {
        section: 3,
        paragraph: 0,
        sentence: 0,
    };
    let guarded = b
        .index
        .ask(&b.text, "Darcy proposes to Elizabeth", Some(at), 5);
    assert!(!guarded.is_empty());
    assert!(guarded.iter().all(|h| h.last < at));
    let open = b.index.ask(&b.text, "Darcy proposes to Elizabeth", None, 5);
    assert!(open.iter().any(|h| h.last >= at), "{open:?}");
}

const QUESTIONS: &[&str] = &[
    "Who does Elizabeth marry?",
    "the ball at Netherfield",
    "Lizzy and Wickham",
    "Where is Pemberley?",
    "letter",
    "Ahab white whale",
    "Queequeg harpoon",
    "Starbuck",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the place and question, no hit reaches the place.
    #[test]
    fn no_hit_at_or_after_the_readers_place(
        book_i in 0usize..2,
        section in 0u32..140,
        paragraph in 0u32..60,
        sentence in 0u32..4,
        q in 0usize..QUESTIONS.len(),
    ) {
        let b = book(["pg1342", "pg2701"][book_i]);
        let at = Place { section, paragraph, sentence };
        for hit in b.index.ask(&b.text, QUESTIONS[q], Some(at), 10) {
            prop_assert!(hit.first <= hit.last);
            prop_assert!(hit.last < at, "{hit:?} at {at:?}");
        }
    }
}

#[test]
fn catch_up_tells_the_story_to_the_end_of_the_chapter() {
    let b = book("pg2701");
    let options = Options::default();
    let recap = Recap::new(&b.text);
    for n in [0u32, 10, 40, 100] {
        let places = recap.through(n, None, &options);
        assert!(!places.is_empty());
        assert!(places.iter().all(|p| p.section <= n), "{n}: {places:?}");
        let next = Place {
            section: n + 1,
            paragraph: 0,
            sentence: 0,
        };
        assert_eq!(places, synopsis_until(&b.text, next, &options), "{n}");
    }
    // At chapter 40 the recap reaches into chapter 40 itself, not only
    // its start.
    let forty = recap.through(40, None, &options);
    assert!(forty.iter().any(|p| p.section >= 30), "{forty:?}");
    // The guard wins over the chapter asked for.
    let at = Place {
        section: 5,
        paragraph: 3,
        sentence: 0,
    };
    let guarded = catch_up(&b.text, 100, Some(at), &options);
    assert!(guarded.iter().all(|p| *p < at), "{guarded:?}");
    assert_eq!(guarded, recap.until(at, &options));
}
