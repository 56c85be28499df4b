//! The mood arc: a valence score per section from a small sentiment
//! lexicon written for Quire, smoothed so a chart shows how the mood moves.
//!
//! Each lexicon word (matched by stem, so "happy", "happiness" and
//! "happily" count alike) carries a weight from −3 to +3. A word within
//! three words after a negation ("not", "never", "no", "nor", "without",
//! "hardly", "scarcely", or a "n't" contraction) in the same sentence
//! counts half, reversed: "not happy" is mildly negative. A section's
//! valence is the sum of weights over the sum of their absolute values
//! plus 10 (so a section with few sentiment words stays near 0), in −1..1.
//! The smoothed value is a centred moving average over
//! `max(3, sections / 10)` sections (odd), shorter at the ends.

use crate::doc::Doc;
use rust_stemmers::{Algorithm, Stemmer};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MoodPoint {
    pub section: u32,
    /// −1 (dark) to 1 (bright).
    pub valence: f32,
    pub smoothed: f32,
}

const LEXICON: &[(&str, i8)] = &[
    // Positive.
    ("happy", 3),
    ("joy", 3),
    ("delight", 3),
    ("love", 2),
    ("lovely", 2),
    ("beloved", 2),
    ("glad", 2),
    ("pleasure", 2),
    ("pleasant", 2),
    ("cheerful", 2),
    ("smile", 2),
    ("laugh", 2),
    ("merry", 2),
    ("kind", 1),
    ("kindness", 2),
    ("good", 1),
    ("beautiful", 2),
    ("beauty", 2),
    ("hope", 1),
    ("hopeful", 2),
    ("comfort", 2),
    ("peace", 2),
    ("peaceful", 2),
    ("calm", 1),
    ("gentle", 1),
    ("tender", 1),
    ("warm", 1),
    ("bright", 1),
    ("sweet", 2),
    ("charming", 2),
    ("admire", 2),
    ("admiration", 2),
    ("affection", 2),
    ("grateful", 2),
    ("gratitude", 2),
    ("bless", 2),
    ("blessing", 2),
    ("success", 2),
    ("triumph", 2),
    ("win", 1),
    ("safe", 1),
    ("rescue", 1),
    ("relief", 2),
    ("fond", 1),
    ("friend", 1),
    ("friendly", 2),
    ("amuse", 1),
    ("fun", 2),
    ("enjoy", 2),
    ("wonderful", 2),
    ("excellent", 2),
    ("agreeable", 2),
    ("satisfaction", 2),
    ("content", 1),
    ("proud", 1),
    ("brave", 1),
    ("courage", 1),
    ("honest", 1),
    ("trust", 1),
    ("wedding", 2),
    ("marry", 1),
    ("heaven", 1),
    ("glory", 2),
    ("bliss", 3),
    ("rapture", 3),
    ("ecstasy", 3),
    ("adore", 3),
    ("cheer", 2),
    ("gay", 1),
    ("jolly", 2),
    ("praise", 2),
    ("generous", 2),
    ("welcome", 1),
    ("dear", 1),
    ("playful", 1),
    ("eager", 1),
    ("excite", 1),
    ("splendid", 2),
    ("magnificent", 2),
    ("fine", 1),
    // Negative.
    ("sad", -2),
    ("sorrow", -3),
    ("grief", -3),
    ("misery", -3),
    ("miserable", -3),
    ("unhappy", -2),
    ("despair", -3),
    ("fear", -2),
    ("afraid", -2),
    ("terror", -3),
    ("horror", -3),
    ("horrible", -3),
    ("dread", -3),
    ("anger", -2),
    ("angry", -2),
    ("rage", -3),
    ("fury", -3),
    ("hate", -3),
    ("hatred", -3),
    ("death", -2),
    ("die", -2),
    ("dead", -2),
    ("kill", -3),
    ("murder", -3),
    ("blood", -2),
    ("pain", -2),
    ("suffer", -2),
    ("cry", -1),
    ("tear", -1),
    ("weep", -2),
    ("sob", -2),
    ("grave", -1),
    ("dark", -1),
    ("gloom", -2),
    ("gloomy", -2),
    ("cold", -1),
    ("cruel", -3),
    ("wicked", -2),
    ("evil", -3),
    ("danger", -2),
    ("dangerous", -2),
    ("ill", -1),
    ("sick", -2),
    ("disease", -2),
    ("lose", -1),
    ("loss", -2),
    ("lost", -1),
    ("alone", -1),
    ("lonely", -2),
    ("anxious", -2),
    ("anxiety", -2),
    ("worry", -2),
    ("trouble", -2),
    ("distress", -2),
    ("shame", -2),
    ("ashamed", -2),
    ("guilt", -2),
    ("regret", -2),
    ("wretched", -3),
    ("wretch", -2),
    ("woe", -3),
    ("agony", -3),
    ("torment", -3),
    ("torture", -3),
    ("scream", -2),
    ("shriek", -2),
    ("groan", -2),
    ("tremble", -1),
    ("shudder", -2),
    ("ghastly", -3),
    ("awful", -2),
    ("terrible", -3),
    ("dreadful", -2),
    ("monster", -2),
    ("fiend", -3),
    ("demon", -3),
    ("curse", -2),
    ("disgust", -2),
    ("contempt", -2),
    ("insult", -2),
    ("quarrel", -2),
    ("bitter", -2),
    ("poor", -1),
    ("weary", -1),
    ("tired", -1),
    ("fail", -2),
    ("failure", -2),
    ("ruin", -3),
    ("disgrace", -3),
    ("mourn", -2),
    ("funeral", -2),
    ("corpse", -3),
    ("coffin", -2),
    ("storm", -1),
    ("wound", -2),
    ("hurt", -2),
    ("harm", -2),
    ("violent", -2),
    ("strange", -1),
    ("doubt", -1),
    ("fault", -1),
    ("vex", -1),
    ("mortify", -2),
    ("uneasy", -1),
    ("alarm", -1),
    ("sorry", -1),
    ("unfortunate", -2),
    ("melancholy", -2),
    ("hopeless", -3),
];

const NEGATIONS: &[&str] = &[
    "not", "never", "no", "nor", "without", "hardly", "scarcely", "cannot",
];

pub(crate) fn mood(doc: &Doc) -> Vec<MoodPoint> {
    let stemmer = Stemmer::create(Algorithm::English);
    let mut weight: HashMap<u32, f32> = HashMap::new();
    for (w, v) in LEXICON {
        if let Some(ids) = doc.vocab.stem_phrase(&stemmer, w)
            && let [id] = ids[..]
        {
            weight.insert(id, f32::from(*v));
        }
    }
    let negation: Vec<bool> = doc
        .vocab
        .words
        .iter()
        .map(|w| NEGATIONS.contains(&w.as_str()) || w.ends_with("n't"))
        .collect();
    let mut raw = Vec::with_capacity(doc.section_sents.len());
    for r in &doc.section_sents {
        let (mut sum, mut abs) = (0.0f32, 0.0f32);
        for s in r.start as usize..r.end as usize {
            let toks = doc.sent_toks(s);
            for (i, t) in toks.iter().enumerate() {
                let Some(&w) = weight.get(&doc.vocab.stem_of(t.word)) else {
                    continue;
                };
                let negated = toks[i.saturating_sub(3)..i]
                    .iter()
                    .any(|p| negation[p.word as usize]);
                let v = if negated { -0.5 * w } else { w };
                sum += v;
                abs += v.abs();
            }
        }
        raw.push(sum / (abs + 10.0));
    }
    let n = raw.len();
    let half = (n / 10).max(3) / 2;
    (0..n)
        .map(|i| {
            let lo = i.saturating_sub(half);
            let hi = (i + half + 1).min(n);
            let smoothed = raw[lo..hi].iter().sum::<f32>() / (hi - lo) as f32;
            MoodPoint {
                section: i as u32,
                valence: raw[i],
                smoothed,
            }
        })
        .collect()
}
