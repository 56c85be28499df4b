//! The general-English background that makes a word distinctive: how often
//! each word stem occurs per million words in ordinary fiction. Built from
//! the ten public-domain novels in Quire's shared data by
//! `cargo run -p quire-insight --example background` and compiled in
//! (`background.tsv`: stem, tab, uses per million), keeping only stems
//! found in at least four of the ten books, so that no one book's own
//! vocabulary ("whale", "vampire") counts as common. A stem not in the
//! table is rare.

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("background.tsv");

/// Uses per million words assumed for a stem the table does not hold.
pub(crate) const RARE: f32 = 0.5;

fn table() -> &'static HashMap<&'static str, f32> {
    static MAP: OnceLock<HashMap<&'static str, f32>> = OnceLock::new();
    MAP.get_or_init(|| {
        TABLE
            .lines()
            .filter_map(|line| {
                let (stem, freq) = line.split_once('\t')?;
                Some((stem, freq.trim().parse().ok()?))
            })
            .collect()
    })
}

/// Uses per million words of a stem in general fiction.
pub(crate) fn per_million(stem: &str) -> f32 {
    table().get(stem).copied().unwrap_or(RARE)
}

/// Inverse frequency weight of a stem: high for rare words.
pub(crate) fn idf(stem: &str) -> f32 {
    (1.0e6 / per_million(stem)).ln()
}

/// Word stems and their counts in a text, for building the table.
#[doc(hidden)]
pub fn stem_counts(text: &quire_text::Text) -> (HashMap<String, u64>, u64) {
    let doc = crate::doc::Doc::new(text);
    let mut counts: HashMap<String, u64> = HashMap::new();
    for t in &doc.toks {
        let stem = &doc.vocab.stems[doc.vocab.stem_of(t.word) as usize];
        *counts.entry(stem.clone()).or_insert(0) += 1;
    }
    (counts, doc.toks.len() as u64)
}
