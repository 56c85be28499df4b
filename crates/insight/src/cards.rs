//! Memory cues: flashcards drawn from a book's own sentences, never from
//! at or past the reader's place, and their export to a file Anki imports.
//!
//! Four kinds, each grounded in one sentence of the text ([`Card::place`]),
//! shown verbatim:
//! - a key sentence with a name or a word blanked (cloze): the last
//!   sentence of a section's summary, a character's name blanked first,
//!   else a key term of the book, else its longest uncommon word;
//! - a character and how the book introduces them: the name as the
//!   sentence writes it, answered by the first sentence of 6 to 60 words
//!   that names them, with its chapter;
//! - a notable quotation and its chapter;
//! - an event and its chapter: the first sentence of a section's summary.
//!
//! A card's id is a hash of its kind and its places (and, for a cloze, where
//! the blank starts), so it is the same when the same text is analysed
//! again and a member's review history stays with it.

use crate::Analysis;
use crate::lexicon;
use quire_text::{Place, Text};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::ops::Range;

/// The blank of a cloze card, as the prompt shows it.
pub const BLANK: &str = "____";
/// Characters that get a card, most mentioned first.
const MAX_CHARACTERS: usize = 15;
/// How far after a character's first mention to look for a sentence that
/// introduces them.
const INTRO_LOOKAHEAD: usize = 40;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardKind {
    Cloze,
    Character,
    Quotation,
    Event,
}

impl CardKind {
    fn key(self) -> &'static str {
        match self {
            CardKind::Cloze => "cloze",
            CardKind::Character => "character",
            CardKind::Quotation => "quotation",
            CardKind::Event => "event",
        }
    }
}

/// One flashcard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    /// Stable across analyses of the same text: 16 hex digits.
    pub id: String,
    pub kind: CardKind,
    pub prompt: String,
    pub answer: String,
    /// The sentence the card is drawn from.
    pub place: Place,
    /// For a cloze, the blanked word as a byte range of that sentence.
    pub blank: Option<Range<u32>>,
}

impl Card {
    /// The section the card's sentence is in.
    pub fn section(&self) -> u32 {
        self.place.section
    }
}

fn card_id(kind: CardKind, place: Place, extra: Option<u32>) -> String {
    let mut h = Sha256::new();
    h.update(kind.key().as_bytes());
    for n in [place.section, place.paragraph, place.sentence] {
        h.update(n.to_be_bytes());
    }
    if let Some(x) = extra {
        h.update(x.to_be_bytes());
    }
    h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

use crate::faq::sentence_at as sentence;

fn chapter(text: &Text, p: Place) -> String {
    crate::faq::section_name(text, p.section)
}

/// Byte ranges of the words of `s` (letters, apostrophes between them).
fn word_ranges(s: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        let inner = (c == '\'' || c == '’')
            && start.is_some()
            && chars.get(k + 1).is_some_and(|x| x.1.is_alphabetic());
        if c.is_alphabetic() || inner {
            start.get_or_insert(i);
        } else if let Some(a) = start.take() {
            out.push(a..i);
        }
    }
    if let Some(a) = start {
        out.push(a..s.len());
    }
    out
}

/// Where `form` ("Mr. Darcy") stands in `s` as whole words.
fn find_form(s: &str, form: &str) -> Option<Range<usize>> {
    let mut from = 0;
    while let Some(i) = s.get(from..)?.find(form) {
        let a = from + i;
        let b = a + form.len();
        let before = s[..a]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphabetic());
        let after = s[b..].chars().next().is_none_or(|c| !c.is_alphabetic());
        if before && after {
            return Some(a..b);
        }
        from = b;
    }
    None
}

/// The flashcards of a book up to a reader's place (`None`: the whole
/// book, when the reader lifts the guard), in reading order.
///
/// The deck up to a place is the whole deck less the cards whose sentence
/// is at or past it, so a card stays the same card (and keeps its
/// reviews) as the reader moves on.
pub fn cards(text: &Text, analysis: &Analysis, up_to: Option<Place>) -> Vec<Card> {
    let mut deck = all_cards(text, analysis);
    if let Some(u) = up_to {
        deck.retain(|c| c.place < u);
    }
    deck
}

fn all_cards(text: &Text, analysis: &Analysis) -> Vec<Card> {
    let mut out = Vec::new();
    let known: Vec<_> = analysis.characters.iter().collect();

    for s in &analysis.sections {
        let summary = &s.summary;
        if let Some(&p) = summary.first()
            && let Some(sent) = sentence(text, p)
        {
            out.push(Card {
                id: card_id(CardKind::Event, p, None),
                kind: CardKind::Event,
                prompt: sent.to_string(),
                answer: chapter(text, p),
                place: p,
                blank: None,
            });
        }
        if summary.len() >= 2
            && let Some(&p) = summary.last()
            && let Some(card) = cloze(text, analysis, &known, p)
        {
            out.push(card);
        }
    }

    for q in &analysis.quotations {
        if let Some(sent) = sentence(text, q.place) {
            out.push(Card {
                id: card_id(CardKind::Quotation, q.place, None),
                kind: CardKind::Quotation,
                prompt: sent.to_string(),
                answer: chapter(text, q.place),
                place: q.place,
                blank: None,
            });
        }
    }

    let all: Vec<(Place, &str)> = text.sentences().collect();
    for c in known.iter().take(MAX_CHARACTERS) {
        let start = all.partition_point(|(p, _)| *p < c.first);
        // Forms as the book writes them, longest first so "Mr. Darcy" is
        // preferred to "Darcy" in the same sentence.
        let mut forms: Vec<&str> = c.variants.iter().map(|v| v.form.as_str()).collect();
        forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
        let intro = all
            .iter()
            .skip(start)
            .take(INTRO_LOOKAHEAD)
            .filter(|(p, _)| p.section == c.first.section)
            .find_map(|&(p, s)| {
                let words = s.split_whitespace().count();
                if !(6..=60).contains(&words) {
                    return None;
                }
                let form = forms.iter().find(|f| find_form(s, f).is_some())?;
                Some((p, s, *form))
            });
        let Some((p, s, form)) = intro else {
            continue;
        };
        out.push(Card {
            id: card_id(CardKind::Character, p, None),
            kind: CardKind::Character,
            prompt: form.to_string(),
            answer: format!("{s} ({})", chapter(text, p)),
            place: p,
            blank: None,
        });
    }

    out.sort_by(|a, b| a.place.cmp(&b.place).then(a.kind.cmp(&b.kind)));
    out.dedup_by(|a, b| a.id == b.id);
    out
}

/// A cloze of the sentence at `p`: a known character's name blanked, else
/// a key term, else the longest uncommon word of seven letters or more.
fn cloze(text: &Text, analysis: &Analysis, known: &[&crate::Character], p: Place) -> Option<Card> {
    let s = sentence(text, p)?;
    let name = known.iter().find_map(|c| {
        c.variants
            .iter()
            .filter(|v| !v.form.contains(' ') && !v.form.contains('.'))
            .find_map(|v| find_form(s, &v.form))
    });
    let words = word_ranges(s);
    let terms: HashSet<String> = analysis
        .key_terms
        .iter()
        .map(|t| t.term.to_lowercase())
        .collect();
    let term = || {
        words
            .iter()
            .find(|r| terms.contains(&s[(*r).clone()].to_lowercase()))
            .cloned()
    };
    let long = || {
        words
            .iter()
            .filter(|r| {
                let w = s[(*r).clone()].to_lowercase();
                w.chars().count() >= 7 && !lexicon::STOPWORDS.contains(&w.as_str())
            })
            .max_by_key(|r| (r.len(), std::cmp::Reverse(r.start)))
            .cloned()
    };
    let blank = name.or_else(term).or_else(long)?;
    let prompt = format!("{}{BLANK}{}", &s[..blank.start], &s[blank.end..]);
    Some(Card {
        id: card_id(CardKind::Cloze, p, Some(blank.start as u32)),
        kind: CardKind::Cloze,
        prompt,
        answer: s[blank.clone()].to_string(),
        place: p,
        blank: Some(blank.start as u32..blank.end as u32),
    })
}

/// A field of the Anki file: on one line, and quoted (quotes doubled) when
/// it holds a quotation mark or starts with `#`, as Anki's importer reads
/// fields.
fn anki_field(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.contains('"') || one_line.starts_with('#') {
        format!("\"{}\"", one_line.replace('"', "\"\""))
    } else {
        one_line
    }
}

/// A tag: lowercase letters, digits and dashes (Anki splits tags at
/// spaces).
fn tag(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The columns of the Anki file, in order.
pub const ANKI_COLUMNS: [&str; 4] = ["Front", "Back", "Tags", "GUID"];

/// The cards as a text file that Anki imports (File → Import): tab
/// separated, plain text, one note of type Basic per card into a deck
/// named after the book, tagged with the book and the chapter, and with the
/// card's id as the note's GUID so importing again updates rather than
/// duplicates.
pub fn anki_export(text: &Text, book: &str, cards: &[Card]) -> String {
    let deck = book.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::new();
    out.push_str("#separator:tab\n#html:false\n#notetype:Basic\n");
    out.push_str(&format!("#deck:{}\n", deck.replace(['\t', '"'], " ")));
    out.push_str(&format!("#columns:{}\n", ANKI_COLUMNS.join("\t")));
    out.push_str("#tags column:3\n#guid column:4\n");
    let book_tag = tag(book);
    for card in cards {
        let chapter_tag = text
            .sections
            .get(card.section() as usize)
            .map(|s| tag(&s.label))
            .unwrap_or_default();
        let tags = [book_tag.as_str(), chapter_tag.as_str()]
            .iter()
            .filter(|t| !t.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        let fields = [
            anki_field(&card.prompt),
            anki_field(&card.answer),
            tags,
            card.id.clone(),
        ];
        out.push_str(&fields.join("\t"));
        out.push('\n');
    }
    out
}
