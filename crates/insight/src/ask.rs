//! Ask anything: the passages of a book that answer a reader's question,
//! found by full-text retrieval and ranked, never past the reader's place
//! unless they lift the guard.
//!
//! A passage is a paragraph, or a run of short paragraphs of one section
//! gathered until it holds [`PASSAGE_WORDS`] words, so a line of dialogue
//! comes with its answer rather than alone.
//!
//! Words are lowercased and stemmed (Snowball English); stopwords and
//! question words are dropped. A character's name, in any of the forms the
//! analysis merged ("Lizzy", "Miss Eliza Bennet", "Elizabeth"), is one term
//! for that character, so asking about Lizzy finds the passages that say
//! Elizabeth; a common diminutive the book never uses ("Lizzie") is tried
//! as the names it stands for. Behind the spoiler guard a form is a name
//! only once the reader has met it: a married name first written in the
//! last chapter does not lead to, or name, the character it belongs to.
//!
//! Ranking is BM25 (k1 1.2, b 0.75) over passages, then the best
//! candidates get a proximity bonus: for each pair of neighbouring query
//! terms found in the passage, the rarer term's IDF over their closest
//! distance in content words, doubled when they stand next to each other
//! in the question's order (a phrase). Collection statistics are the whole
//! book's, so a score never depends on where the guard stands, and the
//! statistics reveal nothing a reader sees.
//!
//! The index keeps postings only (no positions): the few candidates that
//! reach the proximity step are re-read from the text, which also gives
//! the byte ranges to highlight. It holds every surface word with its term,
//! so a question is answered without running the stemmer.

use crate::Analysis;
use crate::characters::Character;
use crate::lexicon;
use quire_text::{Place, Text};
use rust_stemmers::{Algorithm, Stemmer};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

/// Short paragraphs are gathered into one passage until it has this many
/// words.
pub const PASSAGE_WORDS: usize = 40;
/// At most this many paragraphs make one passage (a long exchange of
/// one-line speeches is split rather than becoming a page).
const PASSAGE_PARAGRAPHS: usize = 8;

const K1: f32 = 1.2;
const B: f32 = 0.75;
/// Weight of the proximity bonus against BM25.
const PROXIMITY: f32 = 0.6;
/// Candidates re-read for proximity and highlights: this many times `k`,
/// at least [`MIN_CANDIDATES`].
const CANDIDATES_PER_HIT: usize = 4;
const MIN_CANDIDATES: usize = 40;
/// Query terms beyond this are ignored (a pasted paragraph is not a
/// question).
const MAX_QUERY_TERMS: usize = 32;

/// Words of a question that ask rather than say what about.
const QUESTION_WORDS: &[&str] = &[
    "who", "whom", "whose", "what", "which", "where", "when", "why", "how", "does", "did", "do",
    "tell", "happen", "happens", "happened", "chapter", "book", "story",
];

/// One passage: a run of paragraphs of one section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Passage {
    section: u32,
    paragraphs: Range<u32>,
    /// Its last sentence: the passage is before a place when this is.
    last: Place,
    /// Content terms it holds (its BM25 length).
    len: u32,
}

/// A passage that answers a question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub section: u32,
    /// Paragraphs of [`Hit::section`], end exclusive.
    pub paragraphs: Range<u32>,
    /// The passage's first sentence.
    pub first: Place,
    /// The passage's last sentence (wholly before the reader's place when
    /// the guard is on).
    pub last: Place,
    pub score: f32,
    /// The words that matched, in reading order, as byte ranges of their
    /// paragraph's text.
    pub highlights: Vec<Highlight>,
}

/// Matched words inside one paragraph of a hit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Highlight {
    /// The paragraph within the hit's section.
    pub paragraph: u32,
    /// Byte range in that paragraph's text.
    pub range: Range<u32>,
}

/// A term of a question, as understood.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryTerm {
    /// The words of the question it stands for, lowercased.
    pub words: String,
    /// The character it names, as [`Character::name`], when it is a name.
    pub character: Option<String>,
    /// Whether the book uses it at all.
    pub known: bool,
}

/// The retrieval index of one book. Built once per text
/// ([`AskIndex::build`]); serialisable so it can be cached with the
/// analysis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AskIndex {
    passages: Vec<Passage>,
    /// Term ids by term: a stem, or `#` and a character index.
    terms: BTreeMap<String, u32>,
    /// Per term id: (passage, term frequency), passages ascending.
    postings: Vec<Vec<(u32, u32)>>,
    /// Every lowercased word of the book that is a content word, with its
    /// stem's term id.
    surface: BTreeMap<String, u32>,
    /// Every written form of a character's name.
    forms: Vec<NameForm>,
    /// Forms by their first word, longest first.
    names: Names,
    /// Character names to show, by character index, with the form that
    /// writes it (shown only once the reader has met that form).
    character_names: Vec<Shown>,
    avg_len: f32,
}

/// A word of a text: byte range and lowercased form.
struct Word {
    start: u32,
    end: u32,
    capital: bool,
}

/// The words of `text` as the analysis cuts them: letters with apostrophes
/// between letters, a possessive "'s" left out; digits skipped.
fn words(text: &str, lower: &mut Vec<String>) -> Vec<Word> {
    lower.clear();
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (pos, c) = chars[i];
        if c.is_ascii_digit() {
            while i < chars.len() && chars[i].1.is_alphanumeric() {
                i += 1;
            }
            continue;
        }
        if !c.is_alphabetic() {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < chars.len() {
            let d = chars[j].1;
            if d.is_alphabetic()
                || ((d == '\'' || d == '’')
                    && chars.get(j + 1).is_some_and(|x| x.1.is_alphabetic()))
            {
                j += 1;
            } else {
                break;
            }
        }
        let end = chars.get(j).map_or(text.len(), |x| x.0);
        let mut word = &text[pos..end];
        if word.len() > 3 && (word.ends_with("'s") || word.ends_with("’s")) {
            let cut = if word.ends_with("'s") { 2 } else { 4 };
            word = &word[..word.len() - cut];
        }
        let mut l = String::with_capacity(word.len());
        for ch in word.chars() {
            if ch == '’' {
                l.push('\'');
            } else {
                l.extend(ch.to_lowercase());
            }
        }
        lower.push(l);
        out.push(Word {
            start: pos as u32,
            end: (pos + word.len()) as u32,
            capital: c.is_uppercase(),
        });
        i = j;
    }
    out
}

/// A term found in a run of words: its term id, the words it covers and
/// their byte range.
struct Found {
    term: u32,
    /// The name form it is, when it is one.
    form: Option<u32>,
    words: Range<usize>,
    range: Range<u32>,
}

type Names = BTreeMap<String, Vec<u32>>;
/// A character's name to show, and the form that writes it.
type Shown = (String, Option<u32>);

/// One way the book writes a character's name ("Miss Eliza").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct NameForm {
    words: Vec<String>,
    character: u32,
    /// The first passage that writes it (`u32::MAX`: none). Behind the
    /// guard a form is a name only once the reader has met it, so asking
    /// about a married name does not say who took it.
    first: u32,
}

/// The terms of a run of words in order: character names (longest form
/// first, of the forms `usable` allows; in the book a name must be
/// capitalised), then content words as `lookup` gives them.
fn scan(
    names: &Names,
    forms: &[NameForm],
    usable: impl Fn(&NameForm) -> bool,
    ws: &[Word],
    lower: &[String],
    in_book: bool,
    mut lookup: impl FnMut(&str, bool) -> Option<u32>,
) -> Vec<Found> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < ws.len() {
        let name = names
            .get(&lower[i])
            .filter(|_| !in_book || ws[i].capital)
            .and_then(|ids| {
                ids.iter().copied().find(|&f| {
                    let form = &forms[f as usize];
                    usable(form)
                        && lower
                            .get(i..i + form.words.len())
                            .is_some_and(|run| run == form.words.as_slice())
                })
            });
        if let Some(f) = name {
            let form = &forms[f as usize];
            let n = form.words.len();
            out.push(Found {
                term: form.character,
                form: Some(f),
                words: i..i + n,
                range: ws[i].start..ws[i + n - 1].end,
            });
            i += n;
            continue;
        }
        if let Some(term) = lookup(&lower[i], ws[i].capital) {
            out.push(Found {
                term,
                form: None,
                words: i..i + 1,
                range: ws[i].start..ws[i].end,
            });
        }
        i += 1;
    }
    out
}

/// Paragraph runs of a section that make its passages.
fn passage_runs(section: &quire_text::Section) -> Vec<Range<u32>> {
    let mut out = Vec::new();
    let mut start = 0u32;
    let mut words = 0usize;
    for (pi, para) in section.paragraphs.iter().enumerate() {
        let pi = pi as u32;
        let n = para.text.split_whitespace().count();
        if n >= PASSAGE_WORDS && pi > start {
            // A long paragraph stands alone: close what was gathered.
            out.push(start..pi);
            start = pi;
            words = 0;
        }
        words += n;
        if words >= PASSAGE_WORDS || (pi + 1 - start) as usize >= PASSAGE_PARAGRAPHS {
            out.push(start..pi + 1);
            start = pi + 1;
            words = 0;
        }
    }
    if (start as usize) < section.paragraphs.len() {
        out.push(start..section.paragraphs.len() as u32);
    }
    out
}

/// The place of the last sentence of a run, if it has any sentence.
fn last_place(section: u32, s: &quire_text::Section, run: &Range<u32>) -> Option<Place> {
    run.clone().rev().find_map(|pi| {
        let n = s.paragraphs.get(pi as usize)?.sentences.len();
        (n > 0).then(|| Place {
            section,
            paragraph: pi,
            sentence: n as u32 - 1,
        })
    })
}

fn first_place(section: u32, s: &quire_text::Section, run: &Range<u32>) -> Place {
    let paragraph = run
        .clone()
        .find(|&pi| {
            s.paragraphs
                .get(pi as usize)
                .is_some_and(|p| !p.sentences.is_empty())
        })
        .unwrap_or(run.start);
    Place {
        section,
        paragraph,
        sentence: 0,
    }
}

fn bm25(idf: f32, tf: u32, len: u32, avg: f32) -> f32 {
    let tf = tf as f32;
    idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len as f32 / avg))
}

/// A question's terms: ids (None when the book never uses it) and how the
/// reader wrote them.
struct Query {
    terms: Vec<(Option<u32>, QueryTerm)>,
}

impl AskIndex {
    /// The index of a book's body, with the analysis's characters so their
    /// names match in every form.
    pub fn build(text: &Text, analysis: &Analysis) -> AskIndex {
        let stemmer = Stemmer::create(Algorithm::English);
        let stop: HashSet<&str> = lexicon::STOPWORDS.iter().copied().collect();
        let (mut forms, names, character_names) = name_table(&analysis.characters);
        // Term ids 0..characters are the characters; stems follow.
        let mut terms: HashMap<String, u32> = (0..character_names.len())
            .map(|c| (format!("#{c}"), c as u32))
            .collect();
        let mut surface: HashMap<String, Option<u32>> = HashMap::new();
        let mut postings: Vec<Vec<(u32, u32)>> = vec![Vec::new(); character_names.len()];
        let mut passages = Vec::new();
        let mut lower = Vec::new();
        let mut counts: HashMap<u32, u32> = HashMap::new();
        let mut total_len = 0u64;
        for (si, section) in text.sections.iter().enumerate() {
            let si = si as u32;
            for run in passage_runs(section) {
                let Some(last) = last_place(si, section, &run) else {
                    continue;
                };
                counts.clear();
                let mut len = 0u32;
                for pi in run.clone() {
                    let para = &section.paragraphs[pi as usize];
                    let ws = words(&para.text, &mut lower);
                    let found = scan(
                        &names,
                        &forms,
                        |_| true,
                        &ws,
                        &lower,
                        true,
                        |w, _| {
                            if let Some(known) = surface.get(w) {
                                return *known;
                            }
                            let id = (w.chars().count() >= 2 && !stop.contains(w)).then(|| {
                                let stem = stemmer.stem(w).into_owned();
                                let next = terms.len() as u32;
                                *terms.entry(stem).or_insert(next)
                            });
                            surface.insert(w.to_string(), id);
                            id
                        },
                    );
                    for f in found {
                        if let Some(form) = f.form {
                            let first = &mut forms[form as usize].first;
                            *first = (*first).min(passages.len() as u32);
                        }
                        *counts.entry(f.term).or_insert(0) += 1;
                        len += 1;
                    }
                }
                let p = passages.len() as u32;
                postings.resize(terms.len(), Vec::new());
                let mut sorted: Vec<(u32, u32)> = counts.iter().map(|(&t, &n)| (t, n)).collect();
                sorted.sort_unstable();
                for (t, n) in sorted {
                    postings[t as usize].push((p, n));
                }
                total_len += u64::from(len);
                passages.push(Passage {
                    section: si,
                    paragraphs: run,
                    last,
                    len,
                });
            }
        }
        postings.resize(terms.len(), Vec::new());
        let avg_len = if passages.is_empty() {
            1.0
        } else {
            (total_len as f32 / passages.len() as f32).max(1.0)
        };
        AskIndex {
            passages,
            terms: terms.into_iter().collect(),
            postings,
            surface: surface
                .into_iter()
                .filter_map(|(w, id)| Some((w, id?)))
                .collect(),
            forms,
            names,
            character_names,
            avg_len,
        }
    }

    /// How many passages the book was cut into.
    pub fn passages(&self) -> usize {
        self.passages.len()
    }

    /// What Quire searches for in `question` for a reader at `up_to`: its
    /// content words and the characters it names (a name only once the
    /// reader has met that form of it). Empty when it has nothing to search
    /// for ("who is it?"), so the page can say so.
    pub fn understood(&self, question: &str, up_to: Option<Place>) -> Vec<QueryTerm> {
        let cutoff = self.cutoff(up_to);
        self.query(question, cutoff)
            .terms
            .into_iter()
            .map(|(_, t)| t)
            .collect()
    }

    /// How many passages, from the start, lie wholly before `up_to`.
    fn cutoff(&self, up_to: Option<Place>) -> usize {
        up_to.map_or(self.passages.len(), |place| {
            self.passages.partition_point(|p| p.last < place)
        })
    }

    fn query(&self, question: &str, cutoff: usize) -> Query {
        let usable = |f: &NameForm| (f.first as usize) < cutoff;
        let stop: HashSet<&str> = lexicon::STOPWORDS
            .iter()
            .chain(QUESTION_WORDS)
            .copied()
            .collect();
        let mut lower = Vec::new();
        let ws = words(question, &mut lower);
        let found = scan(
            &self.names,
            &self.forms,
            usable,
            &ws,
            &lower,
            false,
            |w, capital| {
                if stop.contains(w) || w.chars().count() < 2 {
                    return None;
                }
                // A diminutive ("Lizzie") that is not a form of a character
                // stands for the character of the name it shortens, when the
                // question writes it as a name or the book never uses the
                // word ("art" is not Arthur).
                let nick = lexicon::nickname_targets(w)
                    .iter()
                    .find_map(|full| {
                        self.names.get(*full)?.iter().find_map(|&f| {
                            let form = &self.forms[f as usize];
                            (form.words.len() == 1 && usable(form)).then_some(form.character)
                        })
                    })
                    .filter(|_| capital || !self.surface.contains_key(w));
                // u32::MAX marks a word the book never uses.
                Some(
                    nick.or_else(|| self.surface.get(w).copied())
                        .unwrap_or(u32::MAX),
                )
            },
        );
        let mut seen = HashSet::new();
        let mut terms = Vec::new();
        for f in found {
            let words = lower[f.words.clone()].join(" ");
            let id = (f.term != u32::MAX).then_some(f.term);
            let key = id.map_or_else(|| format!("?{words}"), |t| t.to_string());
            if !seen.insert(key) {
                continue;
            }
            let character = id.and_then(|t| self.character_names.get(t as usize)).map(
                |(name, form)| match form {
                    Some(f) if usable(&self.forms[*f as usize]) => name.clone(),
                    _ => words.clone(),
                },
            );
            terms.push((
                id,
                QueryTerm {
                    words,
                    character,
                    known: id.is_some(),
                },
            ));
            if terms.len() == MAX_QUERY_TERMS {
                break;
            }
        }
        Query { terms }
    }

    /// The `k` passages that best answer `question`, best first. With
    /// `up_to`, only passages wholly before that place (the spoiler rule;
    /// pass None only when the reader lifts the guard). A question with
    /// no word the book uses gives no hits.
    pub fn ask(&self, text: &Text, question: &str, up_to: Option<Place>, k: usize) -> Vec<Hit> {
        let cutoff = self.cutoff(up_to);
        let query = self.query(question, cutoff);
        let terms: Vec<(usize, u32)> = query
            .terms
            .iter()
            .enumerate()
            .filter_map(|(q, (id, _))| Some((q, (*id)?)))
            .collect();
        if terms.is_empty() || k == 0 {
            return Vec::new();
        }
        let n = self.passages.len() as f32;
        let idf: Vec<f32> = terms
            .iter()
            .map(|&(_, t)| {
                let df = self.postings[t as usize].len() as f32;
                (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
            })
            .collect();
        let mut scores = vec![0f32; cutoff];
        for (qi, &(_, t)) in terms.iter().enumerate() {
            let list = &self.postings[t as usize];
            let end = list.partition_point(|&(p, _)| (p as usize) < cutoff);
            for &(p, tf) in &list[..end] {
                let len = self.passages[p as usize].len;
                scores[p as usize] += bm25(idf[qi], tf, len, self.avg_len);
            }
        }
        let mut cands: Vec<u32> = (0..cutoff as u32)
            .filter(|&p| scores[p as usize] > 0.0)
            .collect();
        let m = (k * CANDIDATES_PER_HIT).max(MIN_CANDIDATES);
        let by_score = |a: &u32, b: &u32| {
            scores[*b as usize]
                .total_cmp(&scores[*a as usize])
                .then(a.cmp(b))
        };
        if cands.len() > m {
            cands.select_nth_unstable_by(m - 1, by_score);
            cands.truncate(m);
        }
        let term_slot: HashMap<u32, usize> = terms
            .iter()
            .enumerate()
            .map(|(i, &(_, t))| (t, i))
            .collect();
        let mut hits: Vec<Hit> = cands
            .into_iter()
            .map(|p| self.hit(text, p, scores[p as usize], &term_slot, &idf, cutoff))
            .collect();
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.section.cmp(&b.section))
                .then(a.paragraphs.start.cmp(&b.paragraphs.start))
        });
        hits.truncate(k);
        hits
    }

    /// A candidate passage re-read: its proximity bonus and highlights.
    fn hit(
        &self,
        text: &Text,
        p: u32,
        bm25: f32,
        slot: &HashMap<u32, usize>,
        idf: &[f32],
        cutoff: usize,
    ) -> Hit {
        let passage = &self.passages[p as usize];
        let section = &text.sections[passage.section as usize];
        let mut lower = Vec::new();
        let mut highlights = Vec::new();
        // (position among content terms, query slot) of every match.
        let mut matches: Vec<(u32, usize)> = Vec::new();
        let mut position = 0u32;
        for pi in passage.paragraphs.clone() {
            let Some(para) = section.paragraphs.get(pi as usize) else {
                continue;
            };
            let ws = words(&para.text, &mut lower);
            let usable = |f: &NameForm| (f.first as usize) < cutoff;
            for f in scan(
                &self.names,
                &self.forms,
                usable,
                &ws,
                &lower,
                true,
                |w, _| self.surface.get(w).copied(),
            ) {
                if let Some(&q) = slot.get(&f.term) {
                    matches.push((position, q));
                    highlights.push(Highlight {
                        paragraph: pi,
                        range: f.range,
                    });
                }
                position += 1;
            }
        }
        let mut bonus = 0.0;
        for q in 0..idf.len().saturating_sub(1) {
            let a: Vec<u32> = matches.iter().filter(|m| m.1 == q).map(|m| m.0).collect();
            let b: Vec<u32> = matches
                .iter()
                .filter(|m| m.1 == q + 1)
                .map(|m| m.0)
                .collect();
            let mut best: Option<(u32, bool)> = None;
            for &x in &a {
                for &y in &b {
                    let d = x.abs_diff(y).max(1);
                    let phrase = y == x + 1;
                    if best.is_none_or(|(bd, bp)| d < bd || (d == bd && phrase && !bp)) {
                        best = Some((d, phrase));
                    }
                }
            }
            if let Some((d, phrase)) = best {
                let mut add = idf[q].min(idf[q + 1]) / d as f32;
                if phrase {
                    add *= 2.0;
                }
                bonus += add;
            }
        }
        Hit {
            section: passage.section,
            paragraphs: passage.paragraphs.clone(),
            first: first_place(passage.section, section, &passage.paragraphs),
            last: passage.last,
            score: bm25 + PROXIMITY * bonus,
            highlights,
        }
    }
}

/// Every written form of every character, as lowercased word runs, by
/// first word, longest first; a form two characters share is dropped
/// (it names neither for sure). Each character's shown name comes with
/// its form.
fn name_table(characters: &[Character]) -> (Vec<NameForm>, Names, Vec<Shown>) {
    let mut owner: BTreeMap<Vec<String>, Option<u32>> = BTreeMap::new();
    let mut lower = Vec::new();
    for (c, character) in characters.iter().enumerate() {
        for v in &character.variants {
            words(&v.form, &mut lower);
            if lower.is_empty() {
                continue;
            }
            let e = owner.entry(lower.clone()).or_insert(Some(c as u32));
            if *e != Some(c as u32) {
                *e = None;
            }
        }
    }
    let forms: Vec<NameForm> = owner
        .into_iter()
        .filter_map(|(words, c)| {
            Some(NameForm {
                words,
                character: c?,
                first: u32::MAX,
            })
        })
        .collect();
    let mut names: Names = BTreeMap::new();
    for (i, f) in forms.iter().enumerate() {
        if let Some(first) = f.words.first() {
            names.entry(first.clone()).or_default().push(i as u32);
        }
    }
    for ids in names.values_mut() {
        ids.sort_by(|&a, &b| {
            let (fa, fb) = (&forms[a as usize], &forms[b as usize]);
            fb.words.len().cmp(&fa.words.len()).then(a.cmp(&b))
        });
    }
    let shown = characters
        .iter()
        .enumerate()
        .map(|(c, ch)| {
            words(&ch.name, &mut lower);
            let form = forms
                .iter()
                .position(|f| f.character == c as u32 && f.words == lower)
                .map(|i| i as u32);
            (ch.name.clone(), form)
        })
        .collect();
    (forms, names, shown)
}
