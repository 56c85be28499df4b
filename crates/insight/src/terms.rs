//! Key terms and themes: the words that set a book (or a section) apart.
//!
//! - A term is a word stem of four letters or more, not a stopword, written
//!   in lowercase at least 80% of the time (so names and places are left
//!   to the characters), shown as its most used lowercase form in the book.
//! - Book key terms: log-likelihood keyness against the general-English
//!   background ([`crate::background`]): `2·a·ln(a / E)` with `a` the
//!   book's count and `E` the count expected from the background's rate;
//!   only terms used at least three times as often as expected, and at
//!   least 5 times.
//! - Section key terms: TF-IDF within the book, the count in the section
//!   times `ln(sections / sections using it)`, at least twice in the
//!   section: what that chapter is about compared with the others.
//! - Themes: the top key terms grouped by where they occur together. The
//!   book is cut into windows of four paragraphs; two terms are alike by
//!   the cosine of the windows they occur in. Taking key terms in order,
//!   each one not yet grouped starts a theme and gathers the terms alike
//!   to it (cosine ≥ 0.2, at most five). A theme is named by its first
//!   term and backed by the sentences that use most of its terms.

use crate::background;
use crate::doc::{Case, Doc};
use quire_text::Place;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Term {
    /// The word as the book writes it.
    pub term: String,
    pub count: u32,
    pub score: f32,
    /// A few sentences that use it, in reading order.
    pub places: Vec<Place>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Theme {
    /// Its leading term.
    pub label: String,
    pub terms: Vec<String>,
    /// Sentences that carry the theme, in reading order.
    pub places: Vec<Place>,
}

const WINDOW_PARAGRAPHS: u32 = 4;

pub(crate) struct Terms {
    /// Stem of each token when it is a term, by token index.
    tok_term: Vec<Option<u32>>,
    /// Shown form of each stem.
    surface: HashMap<u32, String>,
}

impl Terms {
    pub fn new(doc: &Doc) -> Terms {
        let n = doc.vocab.words.len();
        let mut lower = vec![0u32; n];
        let mut all = vec![0u32; n];
        for t in &doc.toks {
            all[t.word as usize] += 1;
            if t.case == Case::Lower {
                lower[t.word as usize] += 1;
            }
        }
        let eligible: Vec<bool> = (0..n)
            .map(|w| {
                let word = doc.vocab.word(w as u32);
                !doc.vocab.is_stop(w as u32)
                    && word.chars().count() >= 4
                    && !word.contains('\'')
                    && lower[w] * 5 >= all[w] * 4
            })
            .collect();
        let mut surface: HashMap<u32, (u32, u32)> = HashMap::new();
        for w in 0..n {
            if eligible[w] {
                let stem = doc.vocab.stem_of(w as u32);
                let e = surface.entry(stem).or_insert((w as u32, 0));
                if lower[w] > e.1 {
                    *e = (w as u32, lower[w]);
                }
            }
        }
        let tok_term = doc
            .toks
            .iter()
            .map(|t| eligible[t.word as usize].then(|| doc.vocab.stem_of(t.word)))
            .collect();
        let surface = surface
            .into_iter()
            .map(|(stem, (w, _))| (stem, doc.vocab.word(w).to_string()))
            .collect();
        Terms { tok_term, surface }
    }

    fn sentence_terms(&self, doc: &Doc, s: usize) -> impl Iterator<Item = u32> + '_ {
        let r = doc.sents[s].toks.clone();
        self.tok_term[r.start as usize..r.end as usize]
            .iter()
            .filter_map(|x| *x)
    }

    fn label(&self, stem: u32) -> String {
        self.surface.get(&stem).cloned().unwrap_or_default()
    }

    /// A few sentences using `stem`, spread through the book.
    fn examples(&self, doc: &Doc, stem: u32, n: usize) -> Vec<Place> {
        let hits: Vec<usize> = (0..doc.sents.len())
            .filter(|&s| {
                let len = doc.sent_toks(s).len();
                (6..=40).contains(&len) && self.sentence_terms(doc, s).any(|t| t == stem)
            })
            .collect();
        spread(&hits, n)
            .into_iter()
            .map(|s| doc.sents[s].place)
            .collect()
    }

    pub fn key_terms(&self, doc: &Doc, n: usize) -> Vec<Term> {
        let mut counts: HashMap<u32, u32> = HashMap::new();
        for t in self.tok_term.iter().flatten() {
            *counts.entry(*t).or_insert(0) += 1;
        }
        let total = doc.toks.len().max(1) as f32;
        let mut scored: Vec<(u32, u32, f32)> = counts
            .into_iter()
            .filter(|&(_, a)| a >= 5)
            .filter_map(|(stem, a)| {
                let expected =
                    total * background::per_million(&doc.vocab.stems[stem as usize]) / 1.0e6;
                let a_f = a as f32;
                (a_f >= 3.0 * expected).then(|| (stem, a, 2.0 * a_f * (a_f / expected).ln()))
            })
            .collect();
        scored.sort_by(|x, y| y.2.total_cmp(&x.2).then(x.0.cmp(&y.0)));
        scored.truncate(n);
        scored
            .into_iter()
            .map(|(stem, count, score)| Term {
                term: self.label(stem),
                count,
                score,
                places: self.examples(doc, stem, 3),
            })
            .collect()
    }

    /// Key terms of each section, `n` each.
    pub fn section_terms(&self, doc: &Doc, n: usize) -> Vec<Vec<String>> {
        let sections = doc.section_sents.len();
        let mut tf: Vec<HashMap<u32, u32>> = vec![HashMap::new(); sections];
        for (i, r) in doc.section_sents.iter().enumerate() {
            for s in r.start as usize..r.end as usize {
                for t in self.sentence_terms(doc, s) {
                    *tf[i].entry(t).or_insert(0) += 1;
                }
            }
        }
        let mut df: HashMap<u32, u32> = HashMap::new();
        for m in &tf {
            for &stem in m.keys() {
                *df.entry(stem).or_insert(0) += 1;
            }
        }
        tf.iter()
            .map(|m| {
                let mut v: Vec<(u32, f32)> = m
                    .iter()
                    .filter(|&(_, &c)| c >= 2)
                    .map(|(&stem, &c)| {
                        let d = df.get(&stem).copied().unwrap_or(1).max(1);
                        (stem, c as f32 * (sections as f32 / d as f32).ln())
                    })
                    .filter(|&(_, x)| x > 0.0)
                    .collect();
                v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                v.into_iter().take(n).map(|(s, _)| self.label(s)).collect()
            })
            .collect()
    }

    pub fn themes(&self, doc: &Doc, key: &[Term], max: usize) -> Vec<Theme> {
        let by_label: HashMap<&str, u32> = self
            .surface
            .iter()
            .map(|(&stem, w)| (w.as_str(), stem))
            .collect();
        let stems: Vec<u32> = key
            .iter()
            .filter_map(|t| by_label.get(t.term.as_str()).copied())
            .collect();
        let index: HashMap<u32, usize> = stems.iter().enumerate().map(|(i, &s)| (s, i)).collect();
        // Windows each key term occurs in, as sorted lists.
        let mut windows: Vec<Vec<u32>> = vec![Vec::new(); stems.len()];
        let mut window_id = 0u32;
        let mut last = (u32::MAX, u32::MAX);
        for s in 0..doc.sents.len() {
            let para = &doc.paras[doc.sents[s].para as usize];
            let w = (para.section, para.index / WINDOW_PARAGRAPHS);
            if w != last {
                window_id += 1;
                last = w;
            }
            for t in self.sentence_terms(doc, s) {
                if let Some(&i) = index.get(&t)
                    && windows[i].last() != Some(&window_id)
                {
                    windows[i].push(window_id);
                }
            }
        }
        let cosine = |a: &[u32], b: &[u32]| {
            let (mut i, mut j, mut both) = (0, 0, 0u32);
            while i < a.len() && j < b.len() {
                match a[i].cmp(&b[j]) {
                    std::cmp::Ordering::Less => i += 1,
                    std::cmp::Ordering::Greater => j += 1,
                    std::cmp::Ordering::Equal => {
                        both += 1;
                        i += 1;
                        j += 1;
                    }
                }
            }
            both as f32 / ((a.len() * b.len()) as f32).sqrt().max(1.0)
        };
        let mut taken = vec![false; stems.len()];
        let mut themes = Vec::new();
        for seed in 0..stems.len() {
            if themes.len() == max {
                break;
            }
            if taken[seed] {
                continue;
            }
            let mut members = vec![seed];
            let mut alike: Vec<(usize, f32)> = (seed + 1..stems.len())
                .filter(|&o| !taken[o])
                .map(|o| (o, cosine(&windows[seed], &windows[o])))
                .filter(|&(_, c)| c >= 0.2)
                .collect();
            alike.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            members.extend(alike.iter().take(4).map(|&(o, _)| o));
            if members.len() < 2 {
                continue;
            }
            for &m in &members {
                taken[m] = true;
            }
            let member_stems: Vec<u32> = members.iter().map(|&m| stems[m]).collect();
            themes.push(Theme {
                label: self.label(stems[seed]),
                terms: member_stems.iter().map(|&s| self.label(s)).collect(),
                places: self.theme_places(doc, &member_stems, 5),
            });
        }
        themes
    }

    /// Sentences using the most distinct terms of a theme (two at least when
    /// some sentence has two),
    /// at most one per section, best first, then put in reading order.
    fn theme_places(&self, doc: &Doc, stems: &[u32], n: usize) -> Vec<Place> {
        let mut scored: Vec<(usize, usize)> = (0..doc.sents.len())
            .filter(|&s| (6..=50).contains(&doc.sent_toks(s).len()))
            .filter_map(|s| {
                let mut seen: Vec<u32> = self
                    .sentence_terms(doc, s)
                    .filter(|t| stems.contains(t))
                    .collect();
                seen.sort_unstable();
                seen.dedup();
                (!seen.is_empty()).then_some((s, seen.len()))
            })
            .collect();
        // Two terms at least, unless no sentence has two ("wolf" and
        // "wolves" are two stems that rarely meet).
        if scored.iter().any(|&(_, k)| k >= 2) {
            scored.retain(|&(_, k)| k >= 2);
        }
        scored.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut out: Vec<usize> = Vec::new();
        for (s, _) in scored {
            if out.len() == n {
                break;
            }
            let section = doc.sents[s].place.section;
            if out.iter().all(|&o| doc.sents[o].place.section != section) {
                out.push(s);
            }
        }
        out.sort_unstable();
        out.into_iter().map(|s| doc.sents[s].place).collect()
    }
}

/// Up to `n` items of `hits` spread evenly through it.
fn spread(hits: &[usize], n: usize) -> Vec<usize> {
    if hits.len() <= n {
        return hits.to_vec();
    }
    (0..n).map(|i| hits[i * hits.len() / n]).collect()
}
