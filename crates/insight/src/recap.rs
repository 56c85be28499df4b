//! The story so far, prepared once per text: "catch me up to chapter N"
//! and the storytelling recap up to a reader's place.
//!
//! [`crate::synopsis_until`] on its own cuts the whole book into words
//! and stems every call (about 100 ms on Moby-Dick); a [`Recap`] does that
//! once, and each recap after it only scores the sentences before the
//! place (a few milliseconds). It owns what it needs, so a server can keep
//! it beside the text.

use crate::Options;
use crate::doc::Doc;
use crate::synopsis::{self, Scorer};
use quire_text::{Place, Text};

/// A book prepared for recaps.
pub struct Recap {
    doc: Doc,
    scorer: Scorer,
}

impl Recap {
    pub fn new(text: &Text) -> Recap {
        let doc = Doc::new(text);
        let scorer = Scorer::new(&doc);
        Recap { doc, scorer }
    }

    /// The story so far from the sentences strictly before `until` only.
    pub fn until(&self, until: Place, options: &Options) -> Vec<Place> {
        let end = self.doc.first_at_or_after(until);
        synopsis::synopsis_of(&self.doc, &self.scorer, 0..end, options.synopsis_sentences)
    }

    /// "Catch me up to chapter N": the story up to the end of section
    /// `section` (an index into [`Text::sections`]; past the last, the
    /// whole book), and never at or past `up_to` when the guard is on,
    /// whatever section was asked for.
    pub fn through(&self, section: u32, up_to: Option<Place>, options: &Options) -> Vec<Place> {
        let end = self
            .doc
            .section_sents
            .get(section as usize)
            .map_or(self.doc.sents.len(), |r| r.end as usize);
        let end = up_to.map_or(end, |p| end.min(self.doc.first_at_or_after(p)));
        synopsis::synopsis_of(&self.doc, &self.scorer, 0..end, options.synopsis_sentences)
    }
}

/// [`Recap::through`] for one question, preparing the text first.
pub fn catch_up(text: &Text, section: u32, up_to: Option<Place>, options: &Options) -> Vec<Place> {
    Recap::new(text).through(section, up_to, options)
}
