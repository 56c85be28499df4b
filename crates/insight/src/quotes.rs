//! Notable quotations: short sentences that read as general statements.
//!
//! A sentence of 6 to 28 words scores points for what aphorisms share and
//! loses them for what tells a particular story:
//! - +2 for present-tense or timeless verbs ("is", "are", "has", "can",
//!   "must", "never", "always"); −2 for past tense ("was", "had", "said");
//! - +1.5 for a general opening ("It is", "There is", "No", "Nothing",
//!   "Every", "All", "Those who", "He who");
//! - +0.6 for each general noun (man, woman, life, love, heart, truth,
//!   happiness… at most three);
//! - −1 for each name (a word capitalised mid-sentence), −1 for "I", "me",
//!   "my", −0.5 for each "he", "she", "him", "her" (someone in particular);
//! - +0.5 for a balanced length (10 to 20 words).
//!
//! Those scoring at least 3 are candidates; the best are kept, at most one
//! per section and none sharing most words with one already kept.

use crate::doc::{Case, Doc};
use quire_text::Place;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quotation {
    pub place: Place,
    pub score: f32,
}

const TIMELESS: &[&str] = &[
    "is", "are", "has", "have", "can", "cannot", "must", "never", "always", "does", "do", "may",
    "should", "makes", "seems", "lies",
];
const PAST: &[&str] = &[
    "was", "were", "had", "did", "said", "went", "came", "saw", "looked",
];
const OPENINGS: &[&[&str]] = &[
    &["it", "is"],
    &["there", "is"],
    &["there", "are"],
    &["no"],
    &["nothing"],
    &["every"],
    &["all"],
    &["those", "who"],
    &["he", "who"],
    &["she", "who"],
    &["whoever"],
    &["none"],
    &["nobody"],
];
const GENERAL: &[&str] = &[
    "man",
    "men",
    "woman",
    "women",
    "life",
    "world",
    "love",
    "heart",
    "nature",
    "happiness",
    "mind",
    "people",
    "person",
    "truth",
    "human",
    "soul",
    "death",
    "fortune",
    "marriage",
    "friend",
    "friendship",
    "pride",
    "vanity",
    "money",
    "virtue",
    "wisdom",
    "time",
    "mankind",
    "hope",
    "fear",
    "misery",
    "sorrow",
    "joy",
    "beauty",
    "youth",
    "age",
    "courage",
    "wealth",
    "poverty",
    "knowledge",
    "duty",
    "sense",
    "character",
    "folly",
];

pub(crate) fn quotations(doc: &Doc, n: usize) -> Vec<Quotation> {
    let flag = |list: &[&str]| -> Vec<bool> {
        doc.vocab
            .words
            .iter()
            .map(|w| list.contains(&w.as_str()))
            .collect()
    };
    let timeless = flag(TIMELESS);
    let past = flag(PAST);
    let general = flag(GENERAL);
    let first_person = flag(&["i", "me", "my"]);
    let third_person = flag(&["he", "she", "him", "her"]);
    let mut cands: Vec<(usize, f32)> = Vec::new();
    for s in 0..doc.sents.len() {
        let toks = doc.sent_toks(s);
        if !(6..=28).contains(&toks.len()) {
            continue;
        }
        let mut score = 0.0f32;
        if toks.iter().any(|t| timeless[t.word as usize]) {
            score += 2.0;
        }
        if toks.iter().any(|t| past[t.word as usize]) {
            score -= 2.0;
        }
        let opening = OPENINGS.iter().any(|o| {
            o.len() <= toks.len()
                && o.iter()
                    .zip(toks)
                    .all(|(w, t)| doc.vocab.word(t.word) == *w)
        });
        if opening {
            score += 1.5;
        }
        let g = toks
            .iter()
            .filter(|t| general[t.word as usize])
            .count()
            .min(3);
        score += 0.6 * g as f32;
        for t in toks {
            if t.case == Case::Capital && !t.initial && doc.vocab.word(t.word) != "i" {
                score -= 1.0;
            }
            if first_person[t.word as usize] {
                score -= 1.0;
            }
            if third_person[t.word as usize] {
                score -= 0.5;
            }
        }
        if (10..=20).contains(&toks.len()) {
            score += 0.5;
        }
        if score >= 3.0 {
            cands.push((s, score));
        }
    }
    cands.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out: Vec<(usize, f32)> = Vec::new();
    for (s, score) in cands {
        if out.len() == n {
            break;
        }
        let section = doc.sents[s].place.section;
        let words = |x: usize| -> Vec<u32> {
            let mut v: Vec<u32> = doc.sent_toks(x).iter().map(|t| t.word).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let mine = words(s);
        let clash = out.iter().any(|&(o, _)| {
            doc.sents[o].place.section == section || {
                let theirs = words(o);
                let both = mine
                    .iter()
                    .filter(|w| theirs.binary_search(w).is_ok())
                    .count();
                both * 2 > mine.len().min(theirs.len())
            }
        });
        if !clash {
            out.push((s, score));
        }
    }
    out.into_iter()
        .map(|(s, score)| Quotation {
            place: doc.sents[s].place,
            score,
        })
        .collect()
}
