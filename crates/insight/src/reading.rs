//! Reading time and difficulty.
//!
//! Words are the book's word tokens plus its numbers. Difficulty is the
//! Flesch–Kincaid grade, 0.39 × words per sentence + 11.8 × syllables per
//! word − 15.59, and the Flesch reading ease, 206.835 − 1.015 × words per
//! sentence − 84.6 × syllables per word.
//!
//! Syllables are counted by [`syllables`]: groups of vowels (a, e, i, o,
//! u, y), less a silent final "e" (but not in "-le" after a consonant:
//! "little"), less "-es"/"-ed" endings that add no sound ("hopes",
//! "loved", but not "wanted", "horses"), at least one per word.

use crate::doc::Doc;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    pub words: u32,
    pub sentences: u32,
    pub syllables: u32,
    pub words_per_minute: u32,
    /// Words divided by words per minute, rounded up.
    pub minutes: u32,
    pub flesch_kincaid_grade: f32,
    pub flesch_reading_ease: f32,
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// Syllables of a lowercase English word (see the module's notes).
pub fn syllables(word: &str) -> u32 {
    let w: Vec<u8> = word.bytes().filter(u8::is_ascii_alphabetic).collect();
    if w.is_empty() {
        return 1;
    }
    let mut groups = 0u32;
    let mut prev = false;
    for &c in &w {
        let v = is_vowel(c);
        if v && !prev {
            groups += 1;
        }
        prev = v;
    }
    let n = w.len();
    if n > 2 && w[n - 1] == b'e' && !is_vowel(w[n - 2]) && (w[n - 2] != b'l' || is_vowel(w[n - 3]))
    {
        groups = groups.saturating_sub(1);
    } else if n > 3 && (w.ends_with(b"es") || w.ends_with(b"ed")) {
        let before = w[n - 3];
        let sounded = if w[n - 1] == b'd' {
            matches!(before, b't' | b'd')
        } else {
            matches!(before, b's' | b'x' | b'z' | b'c' | b'g' | b'h')
        };
        if !(sounded || is_vowel(before)) {
            groups = groups.saturating_sub(1);
        }
    }
    groups.max(1)
}

pub(crate) fn reading(doc: &Doc, words_per_minute: u32) -> Reading {
    let words = doc.word_count();
    let sentences = doc.sents.iter().filter(|s| !s.toks.is_empty()).count() as u32;
    let syllables: u32 = doc
        .toks
        .iter()
        .map(|t| syllables(doc.vocab.word(t.word)))
        .sum::<u32>()
        + doc.numbers * 2;
    let wpm = words_per_minute.max(1);
    let (wps, spw) = if words == 0 || sentences == 0 {
        (0.0, 0.0)
    } else {
        (
            words as f32 / sentences as f32,
            syllables as f32 / words as f32,
        )
    };
    Reading {
        words,
        sentences,
        syllables,
        words_per_minute: wpm,
        minutes: words.div_ceil(wpm),
        flesch_kincaid_grade: if words == 0 {
            0.0
        } else {
            0.39 * wps + 11.8 * spw - 15.59
        },
        flesch_reading_ease: if words == 0 {
            0.0
        } else {
            206.835 - 1.015 * wps - 84.6 * spw
        },
    }
}
