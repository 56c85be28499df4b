//! Offsets and points of places in a book.

use quire_domain::position::Point;
use quire_text::Place;

use crate::books::txt;

#[test]
fn offsets_count_characters_of_the_body_and_points_follow() {
    let t = txt("pg1342.txt");
    let start = Place {
        section: 0,
        paragraph: 0,
        sentence: 0,
    };
    assert_eq!(t.offset(start), 0);
    assert_eq!(t.point_of(start), Point::START);
    // The first paragraph of two sentences or more.
    let (pi, p) = t.sections[0]
        .paragraphs
        .iter()
        .enumerate()
        .find(|(_, p)| p.sentences.len() >= 2)
        .unwrap_or_else(|| panic!("no paragraph of two sentences"));
    let before_paragraph: u64 = t.sections[0].paragraphs[..pi]
        .iter()
        .map(|p| p.text.chars().count() as u64)
        .sum();
    let second_sentence = Place {
        section: 0,
        paragraph: pi as u32,
        sentence: 1,
    };
    let first_sentence: u64 = p.sentence(0).map_or(0, |s| s.chars().count() as u64);
    // The second sentence starts after the first and the space after it.
    assert_eq!(
        t.offset(second_sentence),
        before_paragraph + first_sentence + 1
    );
    let ch2 = Place {
        section: 1,
        paragraph: 0,
        sentence: 0,
    };
    let ch1_len: u64 = t.sections[0]
        .paragraphs
        .iter()
        .map(|p| p.text.chars().count() as u64)
        .sum();
    assert_eq!(t.offset(ch2), ch1_len);
    let end = Place {
        section: t.sections.len() as u32,
        paragraph: 0,
        sentence: 0,
    };
    assert_eq!(t.offset(end), t.len());
    assert_eq!(t.point_of(end), Point::FINISHED);
}

#[test]
fn section_starts_ascend_from_the_start() {
    for name in ["pg1342.txt", "pg2701.txt", "pg1661.txt"] {
        let t = txt(name);
        let starts = t.section_starts();
        assert_eq!(starts.len(), t.sections.len());
        assert_eq!(starts[0], Point::START);
        assert!(starts.windows(2).all(|w| w[0] < w[1]), "{name}");
        // Each start is the point of that section's first place.
        for (i, p) in starts.iter().enumerate() {
            let place = Place {
                section: i as u32,
                paragraph: 0,
                sentence: 0,
            };
            assert_eq!(*p, t.point_of(place), "{name} section {i}");
        }
    }
}
