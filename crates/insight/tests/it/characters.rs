//! Characters found in the novels: the ones every reader would name, with
//! their variants merged and look-alikes kept apart.

use crate::books::book;
use quire_insight::{Analysis, Character};

/// Drops the full stop of an abbreviated title: "Mr. Darcy" = "Mr Darcy".
fn norm(s: &str) -> String {
    s.replace('.', "")
}

/// The rank of the character called `name` (its shown name or one of its
/// written forms) among the first `within`.
fn rank(a: &Analysis, name: &str, within: usize) -> Option<usize> {
    let n = norm(name);
    a.characters
        .iter()
        .take(within)
        .position(|c| norm(&c.name) == n || c.variants.iter().any(|v| norm(&v.form) == n))
}

fn character<'a>(a: &'a Analysis, name: &str, within: usize) -> &'a Character {
    let list: Vec<&str> = a
        .characters
        .iter()
        .take(within)
        .map(|c| c.name.as_str())
        .collect();
    match rank(a, name, within) {
        Some(i) => &a.characters[i],
        None => panic!("{name} is not among the top {within} characters: {list:?}"),
    }
}

#[test]
fn pride_and_prejudice_has_its_family_and_suitors() {
    let b = book("pg1342");
    let a = &b.analysis;
    for name in [
        "Elizabeth",
        "Darcy",
        "Jane",
        "Bingley",
        "Mr. Bennet",
        "Mrs. Bennet",
    ] {
        character(a, name, 12);
    }
    let mr = rank(a, "Mr. Bennet", 12);
    let mrs = rank(a, "Mrs. Bennet", 12);
    assert_ne!(mr, mrs, "Mr. and Mrs. Bennet are two people");
    let elizabeth = character(a, "Elizabeth", 3);
    assert!(
        elizabeth.variants.iter().any(|v| v.form == "Lizzy"),
        "Lizzy is Elizabeth: {:?}",
        elizabeth.variants
    );
    assert_eq!(rank(a, "Lizzy", 40), rank(a, "Elizabeth", 40));
    // Kitty is Catherine Bennet, not Lady Catherine: a pet name never joins
    // someone always called by a title.
    assert_ne!(rank(a, "Kitty", 40), rank(a, "Lady Catherine", 40));
    assert_eq!(elizabeth.gender, Some(quire_insight::Gender::Female));
}

#[test]
fn places_and_common_words_are_not_characters() {
    let b = book("pg1342");
    for place in [
        "Longbourn",
        "Netherfield",
        "London",
        "Pemberley",
        "Meryton",
        "Brighton",
        "Chapter",
        "God",
    ] {
        assert_eq!(
            rank(&b.analysis, place, 40),
            None,
            "{place} is not a person"
        );
    }
    let m = book("pg2701");
    for thing in ["Nantucket", "Pequod", "Whale", "Sperm", "Leviathan"] {
        assert_eq!(
            rank(&m.analysis, thing, 40),
            None,
            "{thing} is not a person"
        );
    }
}

#[test]
fn moby_dick_has_its_crew() {
    let b = book("pg2701");
    for name in ["Ahab", "Ishmael", "Queequeg", "Starbuck", "Stubb"] {
        character(&b.analysis, name, 20);
    }
    let ahab = character(&b.analysis, "Ahab", 1);
    assert!(ahab.variants.iter().any(|v| v.form == "Captain Ahab"));
}

#[test]
fn dracula_and_little_women_have_their_leads() {
    let d = book("pg345");
    for name in ["Van Helsing", "Mina", "Jonathan Harker", "Lucy"] {
        character(&d.analysis, name, 8);
    }
    let l = book("pg514");
    for name in ["Jo", "Meg", "Beth", "Amy", "Laurie"] {
        character(&l.analysis, name, 6);
    }
}

#[test]
fn every_name_and_form_is_written_in_the_book() {
    for (stem, _) in crate::loader::BOOKS {
        let b = book(stem);
        for c in &b.analysis.characters {
            assert!(
                b.all_text.contains(&c.name),
                "{stem}: {:?} is not in the text",
                c.name
            );
            for v in &c.variants {
                assert!(
                    b.all_text.contains(&v.form),
                    "{stem}: {:?} is not in the text",
                    v.form
                );
            }
        }
    }
}

#[test]
fn presence_through_the_book_adds_up() {
    let b = book("pg1342");
    let a = &b.analysis;
    for c in &a.characters {
        assert_eq!(c.by_section.len(), b.text.sections.len());
        assert_eq!(c.by_section.iter().sum::<u32>(), c.mentions, "{}", c.name);
        assert_eq!(
            c.variants.iter().map(|v| v.count).sum::<u32>(),
            c.mentions,
            "{}",
            c.name
        );
        let first = c.by_section.iter().position(|&n| n > 0);
        assert_eq!(first, Some(c.first.section as usize), "{}", c.name);
    }
    let elizabeth = character(a, "Elizabeth", 1);
    let present = elizabeth.by_section.iter().filter(|&&n| n > 0).count();
    assert!(
        present * 10 >= b.text.sections.len() * 9,
        "Elizabeth is in {present} sections"
    );
    // Wickham comes into the story with the militia, not at its start.
    let wickham = character(a, "Wickham", 12);
    assert!(wickham.first.section >= 10, "{:?}", wickham.first);
}

#[test]
fn elizabeth_and_darcy_are_seen_together() {
    let b = book("pg1342");
    let a = &b.analysis;
    let e = rank(a, "Elizabeth", 40).unwrap() as u32;
    let d = rank(a, "Darcy", 40).unwrap() as u32;
    let pos = a
        .together
        .iter()
        .position(|t| (t.a, t.b) == (e.min(d), e.max(d)))
        .expect("Elizabeth and Darcy appear together");
    assert!(pos < 5, "Elizabeth and Darcy are pair {pos}");
    for t in &a.together {
        assert!(t.a < t.b && (t.b as usize) < a.characters.len());
    }
}
