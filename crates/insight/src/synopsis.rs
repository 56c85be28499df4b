//! Extractive synopsis and section summaries: real sentences of the book,
//! chosen by a centroid scorer.
//!
//! The centroid of a stretch of text is its most distinctive content
//! stems: count in the stretch (square-rooted, so one repeated word does
//! not rule) times rarity in general English ([`crate::background`]). A
//! sentence scores the sum of the centroid weights of its distinct stems,
//! divided by its length to the power 0.6 (longer sentences carry more
//! words but should not win by length alone), times priors:
//! - length: 8 to 60 words only; full weight from 12 to 40;
//! - narration over speech: a sentence with quotation marks counts 0.3;
//! - a question or exclamation counts 0.6;
//! - a sentence opening on a pronoun or connective ("He", "But") leans on
//!   the one before it and counts 0.75.
//!
//! The synopsis splits its stretch into as many equal parts as it wants
//! sentences and takes the best sentence of each part, so it follows the
//! story from beginning to end; a section summary takes its best 2–4. Both
//! skip a sentence sharing more than 40% of its stems with one already
//! chosen.
//!
//! The spoiler rule: [`synopsis_of`] over the sentences before a place
//! computes its centroid from those sentences only; a section's summary
//! uses only that section.

use crate::background;
use crate::doc::Doc;
use quire_text::Place;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

const OPENERS: &[&str] = &[
    "he", "she", "it", "they", "this", "that", "these", "those", "but", "and", "or", "so", "yet",
    "then", "his", "her", "their", "its", "there", "him", "them", "such", "nor", "for",
];

pub(crate) struct Scorer {
    idf: Vec<f32>,
    content: Vec<bool>,
    opener: Vec<bool>,
}

impl Scorer {
    pub fn new(doc: &Doc) -> Scorer {
        let idf = doc.vocab.stems.iter().map(|s| background::idf(s)).collect();
        let content = (0..doc.vocab.words.len() as u32)
            .map(|w| !doc.vocab.is_stop(w) && doc.vocab.word(w).chars().count() >= 3)
            .collect();
        let opener = (0..doc.vocab.words.len() as u32)
            .map(|w| OPENERS.contains(&doc.vocab.word(w)))
            .collect();
        Scorer {
            idf,
            content,
            opener,
        }
    }

    fn stems(&self, doc: &Doc, s: usize) -> Vec<u32> {
        let mut v: Vec<u32> = doc
            .sent_toks(s)
            .iter()
            .filter(|t| self.content[t.word as usize])
            .map(|t| doc.vocab.stem_of(t.word))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    fn centroid(&self, doc: &Doc, range: Range<usize>, size: usize) -> HashMap<u32, f32> {
        let mut tf: HashMap<u32, u32> = HashMap::new();
        for s in range {
            for t in doc.sent_toks(s) {
                if self.content[t.word as usize] {
                    *tf.entry(doc.vocab.stem_of(t.word)).or_insert(0) += 1;
                }
            }
        }
        let mut w: Vec<(u32, f32)> = tf
            .into_iter()
            .filter(|&(_, n)| n >= 2)
            .map(|(stem, n)| (stem, (n as f32).sqrt() * self.idf[stem as usize]))
            .collect();
        w.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        w.truncate(size);
        let top = w.first().map_or(1.0, |x| x.1.max(f32::EPSILON));
        w.into_iter().map(|(s, x)| (s, x / top)).collect()
    }

    fn score(&self, doc: &Doc, s: usize, centroid: &HashMap<u32, f32>) -> f32 {
        let toks = doc.sent_toks(s);
        let n = toks.len();
        if !(8..=60).contains(&n) {
            return 0.0;
        }
        let sum: f32 = self
            .stems(doc, s)
            .iter()
            .filter_map(|st| centroid.get(st))
            .sum();
        let mut score = sum / (n as f32).powf(0.6);
        if !(12..=40).contains(&n) {
            score *= 0.8;
        }
        let sent = &doc.sents[s];
        if sent.dialogue {
            score *= 0.3;
        }
        if sent.exclaims {
            score *= 0.6;
        }
        if toks.first().is_some_and(|t| self.opener[t.word as usize]) {
            score *= 0.75;
        }
        score
    }

    fn redundant(&self, doc: &Doc, s: usize, chosen: &[usize]) -> bool {
        let a: HashSet<u32> = self.stems(doc, s).into_iter().collect();
        chosen.iter().any(|&c| {
            let b: HashSet<u32> = self.stems(doc, c).into_iter().collect();
            let inter = a.intersection(&b).count();
            let small = a.len().min(b.len()).max(1);
            inter * 10 > small * 4
        })
    }
}

/// `n` sentences following the sentences in `range`, from beginning to end.
pub(crate) fn synopsis_of(doc: &Doc, scorer: &Scorer, range: Range<usize>, n: usize) -> Vec<Place> {
    if range.is_empty() || n == 0 {
        return Vec::new();
    }
    let centroid = scorer.centroid(doc, range.clone(), 150);
    let scores: Vec<f32> = range
        .clone()
        .map(|s| scorer.score(doc, s, &centroid))
        .collect();
    // Parts of equal word counts, so a part is a stretch of story.
    let words: u64 = range.clone().map(|s| doc.sent_toks(s).len() as u64).sum();
    let mut chosen: Vec<usize> = Vec::new();
    let mut part_start = range.start;
    let mut acc = 0u64;
    let mut part = 1u64;
    let mut s = range.start;
    while s < range.end && part <= n as u64 {
        acc += doc.sent_toks(s).len() as u64;
        let last = s + 1 == range.end;
        if acc * n as u64 >= words * part || last {
            pick_best(
                doc,
                scorer,
                part_start..s + 1,
                &scores,
                range.start,
                &mut chosen,
                1,
            );
            part += 1;
            part_start = s + 1;
        }
        s += 1;
    }
    chosen.sort_unstable();
    chosen.into_iter().map(|s| doc.sents[s].place).collect()
}

/// Adds up to `k` best non-redundant sentences of `part` to `chosen`.
fn pick_best(
    doc: &Doc,
    scorer: &Scorer,
    part: Range<usize>,
    scores: &[f32],
    offset: usize,
    chosen: &mut Vec<usize>,
    k: usize,
) {
    let mut cands: Vec<usize> = part.filter(|&s| scores[s - offset] > 0.0).collect();
    cands.sort_by(|&a, &b| {
        scores[b - offset]
            .total_cmp(&scores[a - offset])
            .then(a.cmp(&b))
    });
    let mut taken = 0;
    for s in cands {
        if taken == k {
            break;
        }
        if !scorer.redundant(doc, s, chosen) {
            chosen.push(s);
            taken += 1;
        }
    }
}

/// 2–4 sentences summing up one section (more for longer sections), in
/// reading order.
pub(crate) fn summary(doc: &Doc, scorer: &Scorer, section: usize) -> Vec<Place> {
    let r = &doc.section_sents[section];
    let range = r.start as usize..r.end as usize;
    let words: usize = range.clone().map(|s| doc.sent_toks(s).len()).sum();
    let k = (words / 700).clamp(2, 4);
    let centroid = scorer.centroid(doc, range.clone(), 40);
    let scores: Vec<f32> = range
        .clone()
        .map(|s| scorer.score(doc, s, &centroid))
        .collect();
    let mut chosen = Vec::new();
    pick_best(
        doc,
        scorer,
        range.clone(),
        &scores,
        range.start,
        &mut chosen,
        k,
    );
    chosen.sort_unstable();
    chosen.into_iter().map(|s| doc.sents[s].place).collect()
}
