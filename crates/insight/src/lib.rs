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
//! sentences before a reader's place only (Quire's spoiler rule).

mod background;
mod characters;
mod doc;
mod lexicon;
mod reading;
mod synopsis;

pub use background::stem_counts;
pub use characters::{Character, Gender, Together, Variant};
pub use reading::{Reading, syllables};

use quire_text::{Place, Text};
use serde::{Deserialize, Serialize};

/// The analysis algorithm's version. Raise it whenever a change would
/// give a different [`Analysis`] for the same text, so cached analyses
/// are redone.
pub const VERSION: u32 = 1;

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
}

impl Default for Options {
    fn default() -> Options {
        Options {
            synopsis_sentences: 10,
            max_characters: 40,
            words_per_minute: 250,
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
    pub reading: Reading,
}

/// What the analysis says about one section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SectionInsight {
    pub section: u32,
    /// 2–4 sentences of the section, in reading order.
    pub summary: Vec<Place>,
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
    let (characters, together) = characters::characters(&doc, options.max_characters);
    progress(0.4);
    let scorer = synopsis::Scorer::new(&doc);
    let synopsis = synopsis::synopsis_of(
        &doc,
        &scorer,
        0..doc.sents.len(),
        options.synopsis_sentences,
    );
    progress(0.5);
    let sections = (0..text.sections.len())
        .map(|i| SectionInsight {
            section: i as u32,
            summary: synopsis::summary(&doc, &scorer, i),
        })
        .collect();
    progress(0.7);
    let reading = reading::reading(&doc, options.words_per_minute);
    progress(1.0);
    Analysis {
        version: VERSION,
        synopsis,
        sections,
        characters,
        together,
        reading,
    }
}

/// The story so far: a synopsis built only from the sentences strictly
/// before `until`, so nothing at or past a reader's place is used.
pub fn synopsis_until(text: &Text, until: Place, options: &Options) -> Vec<Place> {
    let doc = doc::Doc::new(text);
    let scorer = synopsis::Scorer::new(&doc);
    let end = doc.first_at_or_after(until);
    synopsis::synopsis_of(&doc, &scorer, 0..end, options.synopsis_sentences)
}
