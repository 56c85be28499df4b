//! The book prepared once for every part of the analysis: each sentence cut
//! into word tokens (interned, lowercased, stemmed, with their case and
//! what separates them from the previous word), and flat tables of
//! sentences and paragraphs so the other modules can walk the book by
//! index without touching strings again.

use crate::lexicon;
use quire_text::{Place, Text};
use rust_stemmers::{Algorithm, Stemmer};
use std::collections::{HashMap, HashSet};
use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Case {
    Lower,
    /// First letter upper, not all upper: "Darcy", "I".
    Capital,
    /// "CHAPTER": says nothing about names.
    Upper,
}

/// What lies between a token and the one before it in its sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Gap {
    /// First token of the sentence.
    Start,
    /// Whitespace only: the two words can belong to one name.
    Space,
    /// A full stop and whitespace: "Mr. Darcy", "St. John".
    Dot,
    /// Anything else (commas, quotes, dashes).
    Other,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Tok {
    pub word: u32,
    /// Byte range in the paragraph's text (without a possessive "'s").
    pub start: u32,
    pub end: u32,
    pub case: Case,
    pub gap: Gap,
    /// Capitalised because of where it stands: first in its sentence or
    /// first after an opening quotation mark.
    pub initial: bool,
    pub possessive: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct Sent {
    pub place: Place,
    pub toks: Range<u32>,
    /// Index into [`Doc::paras`].
    pub para: u32,
    /// Holds a quotation mark: speech rather than narration.
    pub dialogue: bool,
    /// Ends in a question or exclamation mark.
    pub exclaims: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct Para {
    pub section: u32,
    pub index: u32,
}

/// Lowercased word forms, their stems and flags, by id.
pub(crate) struct Vocab {
    pub ids: HashMap<String, u32>,
    pub words: Vec<String>,
    pub stem: Vec<u32>,
    pub stems: Vec<String>,
    pub stem_ids: HashMap<String, u32>,
    pub stop: Vec<bool>,
}

impl Vocab {
    pub fn id(&self, word: &str) -> Option<u32> {
        self.ids.get(word).copied()
    }
    pub fn word(&self, id: u32) -> &str {
        &self.words[id as usize]
    }
    pub fn is_stop(&self, id: u32) -> bool {
        self.stop[id as usize]
    }
    pub fn stem_of(&self, id: u32) -> u32 {
        self.stem[id as usize]
    }
    /// The ids of the stems of each word of a lexicon entry ("hanged
    /// himself"), or None when a word never occurs in the book.
    pub fn stem_phrase(&self, stemmer: &Stemmer, entry: &str) -> Option<Vec<u32>> {
        entry
            .split_whitespace()
            .map(|w| self.stem_ids.get(stemmer.stem(w).as_ref()).copied())
            .collect()
    }
}

pub(crate) struct Doc {
    pub vocab: Vocab,
    pub toks: Vec<Tok>,
    pub sents: Vec<Sent>,
    pub paras: Vec<Para>,
    /// Sentence range of each section.
    pub section_sents: Vec<Range<u32>>,
    /// Numbers ("1820", "3rd") are words for reading time, not tokens.
    pub numbers: u32,
}

fn is_open_quote(c: char) -> bool {
    matches!(c, '“' | '‘' | '"' | '(' | '«')
}

fn is_dialogue_mark(c: char) -> bool {
    matches!(c, '“' | '”' | '"' | '‘' | '«' | '»')
}

impl Doc {
    pub fn new(text: &Text) -> Doc {
        let stemmer = Stemmer::create(Algorithm::English);
        let stopset: HashSet<&str> = lexicon::STOPWORDS.iter().copied().collect();
        let mut vocab = Vocab {
            ids: HashMap::new(),
            words: Vec::new(),
            stem: Vec::new(),
            stems: Vec::new(),
            stem_ids: HashMap::new(),
            stop: Vec::new(),
        };
        let mut toks = Vec::new();
        let mut sents = Vec::new();
        let mut paras = Vec::new();
        let mut section_sents = Vec::new();
        let mut numbers = 0u32;
        let mut lower = String::new();

        for (si, section) in text.sections.iter().enumerate() {
            let section_start = sents.len() as u32;
            for (pi, para) in section.paragraphs.iter().enumerate() {
                let para_id = paras.len() as u32;
                for (ni, range) in para.sentences.iter().enumerate() {
                    let Some(sentence) = para.text.get(range.start as usize..range.end as usize)
                    else {
                        continue;
                    };
                    let tok_start = toks.len() as u32;
                    let base = range.start as usize;
                    let mut prev_end = 0usize;
                    let mut first = true;
                    let bytes: Vec<(usize, char)> = sentence.char_indices().collect();
                    let mut i = 0;
                    while i < bytes.len() {
                        let (pos, c) = bytes[i];
                        if c.is_ascii_digit() {
                            numbers += 1;
                            while i < bytes.len() && bytes[i].1.is_alphanumeric() {
                                i += 1;
                            }
                            continue;
                        }
                        if !c.is_alphabetic() {
                            i += 1;
                            continue;
                        }
                        // A word: letters, with apostrophes between letters.
                        let mut j = i + 1;
                        while j < bytes.len() {
                            let d = bytes[j].1;
                            if d.is_alphabetic()
                                || ((d == '\'' || d == '’')
                                    && bytes.get(j + 1).is_some_and(|x| x.1.is_alphabetic()))
                            {
                                j += 1;
                            } else {
                                break;
                            }
                        }
                        let end = bytes.get(j).map_or(sentence.len(), |x| x.0);
                        let mut word = &sentence[pos..end];
                        let mut possessive = false;
                        if word.len() > 3 && (word.ends_with("'s") || word.ends_with("’s")) {
                            let cut = if word.ends_with("'s") { 2 } else { 4 };
                            word = &word[..word.len() - cut];
                            possessive = true;
                        }
                        lower.clear();
                        for ch in word.chars() {
                            if ch == '’' {
                                lower.push('\'');
                            } else {
                                lower.extend(ch.to_lowercase());
                            }
                        }
                        let id = match vocab.ids.get(lower.as_str()) {
                            Some(&id) => id,
                            None => {
                                let id = vocab.words.len() as u32;
                                let stem = stemmer.stem(&lower);
                                let next = vocab.stem_ids.len() as u32;
                                let sid = *vocab.stem_ids.entry(stem.to_string()).or_insert(next);
                                if sid == next {
                                    vocab.stems.push(stem.to_string());
                                }
                                vocab.ids.insert(lower.clone(), id);
                                vocab.words.push(lower.clone());
                                vocab.stem.push(sid);
                                vocab.stop.push(stopset.contains(lower.as_str()));
                                id
                            }
                        };
                        let mut chars = word.chars();
                        let case = match chars.next() {
                            Some(f) if f.is_uppercase() => {
                                if word.chars().count() > 1
                                    && word.chars().all(|x| !x.is_lowercase())
                                {
                                    Case::Upper
                                } else {
                                    Case::Capital
                                }
                            }
                            _ => Case::Lower,
                        };
                        let between = &sentence[prev_end..pos];
                        let gap = if first {
                            Gap::Start
                        } else if between.chars().all(char::is_whitespace) {
                            Gap::Space
                        } else if between.trim() == "." {
                            Gap::Dot
                        } else {
                            Gap::Other
                        };
                        let initial = first || between.chars().any(is_open_quote);
                        toks.push(Tok {
                            word: id,
                            start: (base + pos) as u32,
                            end: (base + pos + word.len()) as u32,
                            case,
                            gap,
                            initial,
                            possessive,
                        });
                        first = false;
                        prev_end = end;
                        i = j;
                    }
                    let trimmed = sentence.trim_end_matches(|c: char| {
                        c.is_whitespace() || matches!(c, '”' | '’' | '"' | '\'' | ')' | '_')
                    });
                    sents.push(Sent {
                        place: Place {
                            section: si as u32,
                            paragraph: pi as u32,
                            sentence: ni as u32,
                        },
                        toks: tok_start..toks.len() as u32,
                        para: para_id,
                        dialogue: sentence.chars().any(is_dialogue_mark),
                        exclaims: trimmed.ends_with('?') || trimmed.ends_with('!'),
                    });
                }
                paras.push(Para {
                    section: si as u32,
                    index: pi as u32,
                });
            }
            section_sents.push(section_start..sents.len() as u32);
        }
        Doc {
            vocab,
            toks,
            sents,
            paras,
            section_sents,
            numbers,
        }
    }

    pub fn sent_toks(&self, s: usize) -> &[Tok] {
        let r = &self.sents[s].toks;
        &self.toks[r.start as usize..r.end as usize]
    }

    /// The text of a paragraph of `text`, the text this was built from.
    pub fn para_text<'t>(&self, text: &'t Text, para: u32) -> &'t str {
        let p = &self.paras[para as usize];
        text.sections[p.section as usize].paragraphs[p.index as usize]
            .text
            .as_str()
    }

    /// The sentence index of the first sentence at or after `place`.
    pub fn first_at_or_after(&self, place: Place) -> usize {
        self.sents.partition_point(|s| s.place < place)
    }

    pub fn word_count(&self) -> u32 {
        self.toks.len() as u32 + self.numbers
    }
}
