//! Content warnings: for each kind, a lexicon written for Quire (matched
//! by stem, phrases as consecutive words), the sentences where it occurs,
//! and a density threshold before a warning is claimed, since a single
//! "died" does not make a book about death.
//!
//! A sentence counts once per kind. A warning is claimed when the book
//! has at least the kind's minimum number of such sentences and at least
//! its rate per 10,000 words. Animal cruelty is a sentence naming an
//! animal and a harm together. Every claimed warning lists its places (all
//! of them, up to 1,000), so a reader can check each one and the caller can
//! keep to those before the reader's place.

use crate::doc::Doc;
use quire_text::Place;
use rust_stemmers::{Algorithm, Stemmer};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    Violence,
    Blood,
    Death,
    Suicide,
    Alcohol,
    Drugs,
    SexualContent,
    RacismAndSlurs,
    AnimalCruelty,
    Illness,
    MentalIllness,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    pub kind: WarningKind,
    /// Sentences where it occurs.
    pub sentences: u32,
    pub per_10k_words: f32,
    pub places: Vec<Place>,
}

const MAX_PLACES: usize = 1000;

struct Kind {
    kind: WarningKind,
    words: &'static [&'static str],
    min_sentences: u32,
    min_per_10k: f32,
}

const KINDS: &[Kind] = &[
    Kind {
        kind: WarningKind::Violence,
        words: &[
            "kill",
            "killed",
            "murder",
            "murderer",
            "stab",
            "stabbed",
            "shoot",
            "shot",
            "strangle",
            "throttle",
            "slay",
            "slain",
            "slaughter",
            "massacre",
            "assault",
            "attack",
            "violence",
            "violent",
            "brutal",
            "beat him",
            "beat her",
            "struck him",
            "struck her",
            "knife",
            "dagger",
            "pistol",
            "revolver",
            "rifle",
            "sword",
            "weapon",
            "fight",
            "fought",
            "wound",
            "wounded",
            "torture",
            "execution",
            "hanged",
        ],
        min_sentences: 40,
        min_per_10k: 8.0,
    },
    Kind {
        kind: WarningKind::Blood,
        // Not "severed": its stem is that of "several".
        words: &[
            "blood", "bloody", "bleed", "bleeding", "gore", "gory", "mangled", "entrails",
        ],
        min_sentences: 20,
        min_per_10k: 3.0,
    },
    Kind {
        kind: WarningKind::Death,
        words: &[
            "death", "die", "died", "dying", "dead", "corpse", "funeral", "coffin", "buried",
            "burial", "grave", "tomb", "mourning", "deathbed",
        ],
        min_sentences: 30,
        min_per_10k: 8.0,
    },
    Kind {
        kind: WarningKind::Suicide,
        words: &[
            "suicide",
            "self murder",
            "kill himself",
            "kill herself",
            "kill myself",
            "killed himself",
            "killed herself",
            "hanged himself",
            "hanged herself",
            "drown himself",
            "drown herself",
            "drown myself",
            "drowned himself",
            "drowned herself",
            "shot himself",
            "shot herself",
            "poisoned himself",
            "poisoned herself",
            "take my own life",
            "took his own life",
            "took her own life",
            "end my life",
        ],
        min_sentences: 2,
        min_per_10k: 0.1,
    },
    Kind {
        kind: WarningKind::Alcohol,
        words: &[
            "drunk",
            "drunken",
            "drunkard",
            "intoxicated",
            "tipsy",
            "wine",
            "brandy",
            "whisky",
            "whiskey",
            "gin",
            "rum",
            "beer",
            "ale",
            "liquor",
            "champagne",
            "cocktail",
            "grog",
            "sherry",
            "toddy",
            "alcohol",
            "spirits",
            "tavern",
        ],
        min_sentences: 30,
        min_per_10k: 5.0,
    },
    Kind {
        kind: WarningKind::Drugs,
        words: &[
            "opium",
            "laudanum",
            "cocaine",
            "morphine",
            "morphia",
            "narcotic",
            "hashish",
            "hypodermic",
            "syringe",
            "drugged",
            "opiate",
        ],
        min_sentences: 3,
        min_per_10k: 0.3,
    },
    Kind {
        kind: WarningKind::SexualContent,
        words: &[
            "seduce",
            "seduced",
            "seduction",
            "lust",
            "lustful",
            "naked",
            "rape",
            "ravish",
            "adultery",
            "harlot",
            "prostitute",
            "whore",
            "brothel",
            "illegitimate",
            "bastard",
        ],
        min_sentences: 4,
        min_per_10k: 0.4,
    },
    Kind {
        kind: WarningKind::RacismAndSlurs,
        words: &[
            "nigger",
            "niggers",
            "darkey",
            "darky",
            "darkies",
            "redskin",
            "redskins",
            "squaw",
            "chinaman",
            "chink",
            "dago",
            "kike",
            "white race",
            "inferior race",
            "coloured race",
            "nordics",
            "gipsy",
            "gypsies",
        ],
        min_sentences: 2,
        min_per_10k: 0.1,
    },
    Kind {
        kind: WarningKind::Illness,
        words: &[
            "fever",
            "illness",
            "sick",
            "sickness",
            "disease",
            "consumption",
            "typhus",
            "cholera",
            "plague",
            "smallpox",
            "scarlet fever",
            "invalid",
            "malady",
            "delirium",
            "pneumonia",
            "cough",
            "ailing",
            "epidemic",
        ],
        min_sentences: 30,
        min_per_10k: 8.0,
    },
    Kind {
        kind: WarningKind::MentalIllness,
        words: &[
            "madman", "madwoman", "lunatic", "lunatics", "insane", "insanity", "asylum", "madness",
            "maniac", "mania",
        ],
        min_sentences: 8,
        min_per_10k: 1.0,
    },
];

const ANIMALS: &[&str] = &[
    "horse", "horses", "dog", "dogs", "cat", "cats", "whale", "whales", "bird", "birds", "pony",
    "puppy", "kitten", "cow", "sheep", "pig", "donkey", "mule", "ox", "rabbit", "wolf", "wolves",
    "rat", "rats", "mouse", "animal", "animals", "beast",
];
const HARMS: &[&str] = &[
    "kill",
    "killed",
    "whip",
    "whipped",
    "flog",
    "beat",
    "beaten",
    "shoot",
    "shot",
    "torture",
    "drown",
    "drowned",
    "starve",
    "starved",
    "cruel",
    "cruelty",
    "lash",
    "stab",
    "slaughter",
    "wound",
    "wounded",
    "harpoon",
    "harpooned",
    "strangle",
    "crush",
    "crushed",
];

/// Stem-id sequences of a word list; entries whose words never occur in
/// the book are dropped.
fn compile(doc: &Doc, stemmer: &Stemmer, words: &[&str]) -> Vec<Vec<u32>> {
    words
        .iter()
        .filter_map(|w| doc.vocab.stem_phrase(stemmer, w))
        .collect()
}

fn matches(doc: &Doc, s: usize, phrases: &[Vec<u32>]) -> bool {
    let stems: Vec<u32> = doc
        .sent_toks(s)
        .iter()
        .map(|t| doc.vocab.stem_of(t.word))
        .collect();
    phrases
        .iter()
        .any(|p| !p.is_empty() && stems.windows(p.len()).any(|w| w == p.as_slice()))
}

pub(crate) fn warnings(doc: &Doc) -> Vec<Warning> {
    let stemmer = Stemmer::create(Algorithm::English);
    let words = doc.word_count().max(1) as f32;
    let mut out = Vec::new();
    let claim = |kind: WarningKind, min_sentences: u32, min_per_10k: f32, hits: Vec<usize>| {
        let sentences = hits.len() as u32;
        let per_10k_words = sentences as f32 * 10_000.0 / words;
        (sentences >= min_sentences && per_10k_words >= min_per_10k).then(|| Warning {
            kind,
            sentences,
            per_10k_words,
            places: hits
                .iter()
                .take(MAX_PLACES)
                .map(|&s| doc.sents[s].place)
                .collect(),
        })
    };
    for k in KINDS {
        let phrases = compile(doc, &stemmer, k.words);
        let hits: Vec<usize> = (0..doc.sents.len())
            .filter(|&s| matches(doc, s, &phrases))
            .collect();
        out.extend(claim(k.kind, k.min_sentences, k.min_per_10k, hits));
    }
    let animals = compile(doc, &stemmer, ANIMALS);
    let harms = compile(doc, &stemmer, HARMS);
    let hits: Vec<usize> = (0..doc.sents.len())
        .filter(|&s| matches(doc, s, &animals) && matches(doc, s, &harms))
        .collect();
    out.extend(claim(WarningKind::AnimalCruelty, 10, 1.0, hits));
    out
}

/// Every kind's rate per 10,000 words, claimed or not (for calibration).
#[doc(hidden)]
pub fn rates(text: &quire_text::Text) -> Vec<(WarningKind, u32, f32)> {
    let doc = Doc::new(text);
    let stemmer = Stemmer::create(Algorithm::English);
    let words = doc.word_count().max(1) as f32;
    KINDS
        .iter()
        .map(|k| {
            let phrases = compile(&doc, &stemmer, k.words);
            let n = (0..doc.sents.len())
                .filter(|&s| matches(&doc, s, &phrases))
                .count() as u32;
            (k.kind, n, n as f32 * 10_000.0 / words)
        })
        .collect()
}
