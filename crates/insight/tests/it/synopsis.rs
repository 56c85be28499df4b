//! The synopsis, section summaries and the story so far.

use crate::books::book;
use crate::loader;
use proptest::prelude::*;
use quire_insight::{Options, synopsis_until};
use quire_text::{Place, Text};

#[test]
fn the_synopsis_follows_the_whole_book_in_narration() {
    for stem in ["pg1342", "pg2701", "pg84"] {
        let b = book(stem);
        let syn = &b.analysis.synopsis;
        assert!(
            (8..=12).contains(&syn.len()),
            "{stem}: {} sentences",
            syn.len()
        );
        assert!(
            syn.windows(2).all(|w| w[0] < w[1]),
            "{stem}: in reading order"
        );
        let n = b.text.sections.len() as u32;
        assert!(
            syn[0].section * 4 < n,
            "{stem}: starts at {:?} of {n}",
            syn[0]
        );
        assert!(
            syn[syn.len() - 1].section * 4 > n * 3,
            "{stem}: ends at {:?}",
            syn.last()
        );
        let mut speech = 0;
        for p in syn {
            let s = b.sentence(*p).unwrap();
            let words = s.split_whitespace().count();
            assert!((8..=60).contains(&words), "{stem}: {words} words in {s:?}");
            if s.contains(['“', '”', '"', '‘']) {
                speech += 1;
            }
        }
        assert!(
            speech * 4 <= syn.len(),
            "{stem}: {speech} sentences of dialogue"
        );
    }
}

#[test]
fn most_sections_get_a_summary_of_two_to_four_sentences() {
    let b = book("pg1342");
    let full = b
        .analysis
        .sections
        .iter()
        .filter(|s| (2..=4).contains(&s.summary.len()))
        .count();
    assert_eq!(full, b.text.sections.len());
}

fn places(text: &Text) -> Vec<Place> {
    let mut out = Vec::new();
    for (s, section) in text.sections.iter().enumerate() {
        for (p, para) in section.paragraphs.iter().enumerate() {
            for n in 0..para.sentences.len() {
                out.push(Place {
                    section: s as u32,
                    paragraph: p as u32,
                    sentence: n as u32,
                });
            }
        }
    }
    out
}

/// The text with every sentence at or after `at` replaced by other words,
/// keeping the shape: what a spoiler-safe analysis must not notice.
fn rewritten_after(text: &Text, at: Place) -> Text {
    let mut t = text.clone();
    for (s, section) in t.sections.iter_mut().enumerate() {
        for (p, para) in section.paragraphs.iter_mut().enumerate() {
            let place = Place {
                section: s as u32,
                paragraph: p as u32,
                sentence: 0,
            };
            if place.section < at.section
                || (place.section == at.section && place.paragraph < at.paragraph)
            {
                continue;
            }
            let keep = if place.section == at.section && place.paragraph == at.paragraph {
                at.sentence as usize
            } else {
                0
            };
            let cut = para
                .sentences
                .get(keep)
                .map_or(para.text.len(), |r| r.start as usize);
            let mut text = para.text[..cut].to_string();
            let mut ranges = para.sentences[..keep.min(para.sentences.len())].to_vec();
            for _ in keep..para.sentences.len() {
                let start = text.len() as u32;
                text.push_str(
                    "Zebra quartz wolves vex the jumping Zanzibar harbour master tonight! ",
                );
                ranges.push(start..text.len() as u32 - 1);
            }
            para.text = text;
            para.sentences = ranges;
        }
    }
    t
}

#[test]
fn the_story_so_far_in_the_middle_of_pride_and_prejudice() {
    let b = book("pg1342");
    let all = b.places();
    let at = all[all.len() / 2];
    let so_far = synopsis_until(&b.text, at, &Options::default());
    assert!((8..=12).contains(&so_far.len()));
    assert!(so_far.iter().all(|p| *p < at));
    assert_eq!(
        so_far,
        synopsis_until(&rewritten_after(&b.text, at), at, &Options::default())
    );
    // Up to the end, the story so far is the synopsis.
    let end = Place {
        section: u32::MAX,
        paragraph: 0,
        sentence: 0,
    };
    assert_eq!(
        synopsis_until(&b.text, end, &Options::default()),
        b.analysis.synopsis
    );
}

fn alice() -> &'static (Text, Vec<Place>) {
    static A: std::sync::OnceLock<(Text, Vec<Place>)> = std::sync::OnceLock::new();
    A.get_or_init(|| {
        let t = loader::load("pg11");
        let p = places(&t);
        (t, p)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Nothing at or after the reader's place is used: the result holds no
    /// later place, and rewriting everything from that place on changes
    /// nothing.
    #[test]
    fn the_story_so_far_never_looks_ahead(i in 0usize..100_000) {
        let (text, all) = alice();
        let at = all[i % all.len()];
        let so_far = synopsis_until(text, at, &Options::default());
        prop_assert!(so_far.iter().all(|p| *p < at), "{so_far:?} at {at:?}");
        prop_assert_eq!(so_far, synopsis_until(&rewritten_after(text, at), at, &Options::default()));
    }
}
