//! Reading insights drawn from one book's own text, with no model and no
//! IO: an extractive synopsis and section summaries, the characters, key
//! terms and themes, notable quotations, content warnings, reading time and
//! difficulty, and the mood through the book.
//!
//! Everything is grounded: every sentence the analysis offers is a
//! [`Place`] in the [`Text`] it was given, so a caller shows the book's own
//! words and links to them; the only strings it holds are short labels
//! copied from the text (names, words). [`analyse`] builds the whole
//! [`Analysis`], which serialises to JSON for caching under
//! [`VERSION`]; [`synopsis_until`] tells the story so far from the
//! sentences before a reader's place only (Quire's spoiler rule), and a
//! [`Recap`] does so for many places of one book.
//!
//! Around the analysis: [`AskIndex`] finds the passages that answer a
//! reader's question, and [`cards`] draws flashcards (scheduled by
//! [`Schedule`], exported by [`anki_export`]), both limited to the
//! reader's place.
//!
//! Only the body ([`Text::sections`]) is analysed: front and back matter
//! and the licence are not the story.

mod ask;
mod background;
mod cards;
mod characters;
mod doc;
mod faq;
mod lexicon;
mod mood;
mod quotes;
mod reading;
mod recap;
mod reviews;
mod schedule;
mod synopsis;
mod terms;
mod warnings;

pub use ask::{AskIndex, Highlight, Hit, PASSAGE_WORDS, QueryTerm};
pub use background::stem_counts;
pub use cards::{ANKI_COLUMNS, BLANK, Card, CardKind, anki_export, cards};
pub use characters::{Character, Gender, Together, Variant};
pub use faq::{
    BookFacts, Fact, FaqAnswer, FaqInput, FaqKey, Guard, Line, Measure, Ratings, Similar, Source,
    faq, key_ideas, section_name, sentence_at,
};
pub use mood::MoodPoint;
pub use quotes::Quotation;
pub use reading::{Reading, syllables};
pub use recap::{Recap, catch_up};
pub use reviews::{ReviewInput, ReviewInsights, ReviewSentence, reviews};
pub use schedule::{
    CardState, DEFAULT_RETENTION, RELEARN_MINUTES, Rating, Schedule, ScheduleError,
};
pub use terms::{Term, Theme};
pub use warnings::{Warning, WarningKind, rates as warning_rates};

use quire_text::{Place, Text};
use serde::{Deserialize, Serialize};

/// The analysis algorithm's version. Raise it whenever a change would
/// give a different [`Analysis`] for the same text, so cached analyses
/// are redone.
pub const VERSION: u32 = 2;

/// What to produce and how much of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Options {
    /// Sentences in the whole-book synopsis.
    pub synopsis_sentences: usize,
    /// Characters listed, most mentioned first.
    pub max_characters: usize,
    /// Silent reading speed for the reading time (adult average for
    /// fiction is about 250).
    pub words_per_minute: u32,
    /// Key terms of the whole book.
    pub key_terms: usize,
    /// Key terms of each section.
    pub section_terms: usize,
    pub themes: usize,
    pub quotations: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            synopsis_sentences: 10,
            max_characters: 40,
            words_per_minute: 250,
            key_terms: 30,
            section_terms: 5,
            themes: 6,
            quotations: 12,
        }
    }
}

/// Everything Quire shows about a book's text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// [`VERSION`] of the algorithm that made it.
    pub version: u32,
    /// The whole book in a few of its sentences, in reading order.
    pub synopsis: Vec<Place>,
    /// One entry per section of the text, in order.
    pub sections: Vec<SectionInsight>,
    pub characters: Vec<Character>,
    /// Pairs of [`Analysis::characters`] seen together, most often first.
    pub together: Vec<Together>,
    /// Words that set the book apart, most distinctive first.
    pub key_terms: Vec<Term>,
    pub themes: Vec<Theme>,
    /// Sentences that read as general statements, best first.
    pub quotations: Vec<Quotation>,
    /// Claimed content warnings, each with where it occurs.
    pub warnings: Vec<Warning>,
    pub reading: Reading,
    /// Valence of each section, raw and smoothed.
    pub mood: Vec<MoodPoint>,
}

/// What the analysis says about one section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SectionInsight {
    pub section: u32,
    /// 2–4 sentences of the section, in reading order.
    pub summary: Vec<Place>,
    /// Words that set this section apart from the rest of the book.
    pub key_terms: Vec<String>,
}

impl Analysis {
    /// Every place the analysis refers to, for checks and for storage to
    /// index.
    pub fn places(&self) -> Vec<Place> {
        let mut out = self.synopsis.clone();
        for s in &self.sections {
            out.extend_from_slice(&s.summary);
        }
        out.extend(self.characters.iter().map(|c| c.first));
        for t in &self.key_terms {
            out.extend_from_slice(&t.places);
        }
        for t in &self.themes {
            out.extend_from_slice(&t.places);
        }
        out.extend(self.quotations.iter().map(|q| q.place));
        for w in &self.warnings {
            out.extend_from_slice(&w.places);
        }
        out
    }
}

/// The whole analysis of a text.
pub fn analyse(text: &Text, options: &Options) -> Analysis {
    analyse_with_progress(text, options, |_| {})
}

/// [`analyse`], telling `progress` the fraction done (0.0 to 1.0, rising)
/// as it goes, for a progress bar.
pub fn analyse_with_progress(
    text: &Text,
    options: &Options,
    mut progress: impl FnMut(f32),
) -> Analysis {
    progress(0.0);
    let doc = doc::Doc::new(text);
    progress(0.2);
    let (characters, together) = characters::characters(text, &doc, options.max_characters);
    progress(0.3);
    let scorer = synopsis::Scorer::new(&doc);
    let synopsis = synopsis::synopsis_of(
        &doc,
        &scorer,
        0..doc.sents.len(),
        options.synopsis_sentences,
    );
    progress(0.4);
    let terms = terms::Terms::new(&doc);
    let mut section_terms = terms.section_terms(&doc, options.section_terms).into_iter();
    let sections = (0..text.sections.len())
        .map(|i| SectionInsight {
            section: i as u32,
            summary: synopsis::summary(&doc, &scorer, i),
            key_terms: section_terms.next().unwrap_or_default(),
        })
        .collect();
    progress(0.6);
    let key_terms = terms.key_terms(&doc, options.key_terms);
    let themes = terms.themes(&doc, &key_terms, options.themes);
    progress(0.7);
    let quotations = quotes::quotations(&doc, options.quotations);
    progress(0.8);
    let warnings = warnings::warnings(&doc);
    progress(0.9);
    let reading = reading::reading(&doc, options.words_per_minute);
    let mood = mood::mood(&doc);
    progress(1.0);
    Analysis {
        version: VERSION,
        synopsis,
        sections,
        characters,
        together,
        key_terms,
        themes,
        quotations,
        warnings,
        reading,
        mood,
    }
}

/// The story so far: a synopsis built only from the sentences strictly
/// before `until`, so nothing at or past a reader's place is used.
/// To tell it for many places of one book, prepare a [`Recap`] once.
pub fn synopsis_until(text: &Text, until: Place, options: &Options) -> Vec<Place> {
    Recap::new(text).until(until, options)
}
