//! What a caller asks ([`Query`]) and gets back ([`Results`]), and how the
//! words of a query become a tantivy query: per word, the best of an exact
//! match (BM25, weighted by field), a typo match and, for the last word, a
//! prefix match; every word must match somewhere (if none does, all but one
//! of the uncommon words); a phrase bonus for the words in order in the
//! title. A common word is one list over all of a book's names, scored as a
//! title word, and a bonus wherever it may be left out: unions of long
//! lists are what made a query slow.

use std::collections::HashMap;
use std::ops::Bound;

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, DfaWrapper, DisjunctionMaxQuery, FuzzyTermQuery,
    Occur, PhraseQuery, Query as TQuery, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

use crate::docs::Kind;
use crate::facets::Facets;
use crate::schema::{Fields, key, kind_codes, nfc};

/// A query is cut to this many characters…
pub const MAX_QUERY_CHARS: usize = 200;
/// …and to this many words; the rest is ignored.
pub const MAX_QUERY_WORDS: usize = 12;
/// At most this many hits a page.
pub const MAX_LIMIT: usize = 100;
/// Pages start at most this far in; deeper pages are empty.
pub const MAX_OFFSET: usize = 1_000;

/// Weights of an exact match by field (times BM25).
pub(crate) const W_TITLE: f32 = 3.0;
/// A book's first author weighs more than its title, so that a name finds
/// that author's own books before books with the name in their titles.
pub(crate) const W_AUTHOR: f32 = 4.5;
pub(crate) const W_COAUTHOR: f32 = 2.0;
pub(crate) const W_SERIES: f32 = 1.5;
pub(crate) const W_BODY: f32 = 1.0;
pub(crate) const W_SUBJECT: f32 = 0.5;
/// A typo match scores this, whatever the field (a constant, below any
/// exact title or author match of a word that is not in most documents).
pub(crate) const W_TYPO: f32 = 1.0;
/// The last word as the start of a longer word.
pub(crate) const W_PREFIX: f32 = 1.2;
/// All the words in order in the title.
pub(crate) const W_PHRASE: f32 = 4.0;
/// Popularity: the relevance score is multiplied by `1 + POPULARITY * ln(1 + ratings)`.
/// With 4.7 million ratings (the most in goodbooks) that is ×2.5, with 100
/// ratings ×1.5: popularity orders matches of similar relevance but cannot
/// lift a typo match over an exact one.
pub const POPULARITY: f32 = 0.1;

/// Narrowing a search to part of the catalog. Values compare case-blind.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    pub subject: Option<String>,
    /// First publication year from (inclusive).
    pub year_from: Option<i32>,
    /// First publication year to (inclusive).
    pub year_to: Option<i32>,
    pub language: Option<String>,
    pub format: Option<String>,
}

impl Filter {
    fn is_empty(&self) -> bool {
        *self == Filter::default()
    }
}

/// One search.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// What was typed. Cut at [`MAX_QUERY_CHARS`] characters and
    /// [`MAX_QUERY_WORDS`] words.
    pub text: String,
    /// Kinds to find; empty means all.
    pub kinds: Vec<Kind>,
    pub filter: Filter,
    /// Hits a page, at most [`MAX_LIMIT`].
    pub limit: usize,
    /// Hits to skip, at most [`MAX_OFFSET`].
    pub offset: usize,
    /// Count facets over every match (costs time on broad queries).
    pub facets: bool,
}

impl Query {
    /// A search for `text` over every kind: 20 hits, with facets.
    pub fn new(text: impl Into<String>) -> Self {
        Query {
            text: text.into(),
            kinds: Vec::new(),
            filter: Filter::default(),
            limit: 20,
            offset: 0,
            facets: true,
        }
    }

    pub fn kinds(mut self, kinds: &[Kind]) -> Self {
        self.kinds = kinds.to_vec();
        self
    }

    pub fn filter(mut self, filter: Filter) -> Self {
        self.filter = filter;
        self
    }

    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    pub fn offset(mut self, offset: usize) -> Self {
        self.offset = offset;
        self
    }

    pub fn facets(mut self, facets: bool) -> Self {
        self.facets = facets;
        self
    }
}

/// Why a hit matched (the strongest reason per query word, deduplicated),
/// for showing "matched author" or "did you mean" hints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Why {
    Isbn,
    Title,
    Author,
    Series,
    Subject,
    Description,
    /// A word matched only with a typo corrected.
    Typo,
    /// The last word matched as the start of a longer word.
    Prefix,
}

/// One thing found.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub kind: Kind,
    pub id: String,
    /// A book's title, or a person's or club's name.
    pub title: String,
    pub subtitle: Option<String>,
    /// A book's authors (empty for other kinds).
    pub authors: Vec<String>,
    pub series: Option<String>,
    pub year: Option<i32>,
    pub language: Option<String>,
    pub average: Option<f32>,
    /// Ratings (books), the given popularity (people), members (clubs).
    pub popularity: u64,
    /// Relevance times popularity; only the order means anything.
    pub score: f32,
    pub why: Vec<Why>,
}

/// A page of hits and the counts over all matches.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Results {
    pub hits: Vec<Hit>,
    /// Every match, not only this page (an estimate if `estimated`).
    pub total: usize,
    /// The query matched more than [`crate::MATCH_CAP`] documents in a
    /// segment: only the most popular of them were ranked, and `total` and
    /// the facet counts are estimates.
    pub estimated: bool,
    /// Empty unless asked for.
    pub facets: Facets,
    /// The query was cut to the limits.
    pub truncated: bool,
    /// No document matched every word, so these match all but one of the
    /// uncommon words (common ones such as "the" may be missing too).
    pub relaxed: bool,
}

/// One word of a query, in both analysed forms.
#[derive(Clone, Debug)]
pub(crate) struct Word {
    pub folded: String,
    pub stemmed: String,
    /// The last word, typed without a space after it.
    pub prefix: bool,
}

/// Typo allowance by word length (in characters): none below 4, one edit
/// for 4–7, two for 8 or more; a swap of two neighbours counts as one.
pub fn typo_distance(chars: usize) -> u8 {
    match chars {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Cut the text to the limits; true if something was cut.
pub(crate) fn bounded(text: &str) -> (String, bool) {
    let mut cut = false;
    let text: String = match text.char_indices().nth(MAX_QUERY_CHARS) {
        Some((i, _)) => {
            cut = true;
            text[..i].to_string()
        }
        None => text.to_string(),
    };
    (nfc(&text).into_owned(), cut)
}

fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push(t.text.clone());
    }
    out
}

/// The words of a query (at most [`MAX_QUERY_WORDS`]; true if more were
/// dropped).
pub(crate) fn words(
    fold: &mut TextAnalyzer,
    stem: &mut TextAnalyzer,
    text: &str,
) -> (Vec<Word>, bool) {
    let mut folded = tokens(fold, text);
    let cut = folded.len() > MAX_QUERY_WORDS;
    folded.truncate(MAX_QUERY_WORDS);
    let ends_open = text.chars().last().is_some_and(|c| c.is_alphanumeric());
    let n = folded.len();
    let words = folded
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let stemmed = tokens(stem, &f).pop().unwrap_or_else(|| f.clone());
            Word {
                folded: f,
                stemmed,
                prefix: i + 1 == n && ends_open && !cut,
            }
        })
        .collect();
    (words, cut)
}

fn term(field: tantivy::schema::Field, text: &str) -> Term {
    Term::from_field_text(field, text)
}

fn boosted(q: Box<dyn TQuery>, b: f32) -> Box<dyn TQuery> {
    Box::new(BoostQuery::new(q, b))
}

fn exact(f: tantivy::schema::Field, text: &str, w: f32) -> Box<dyn TQuery> {
    boosted(
        Box::new(TermQuery::new(term(f, text), IndexRecordOption::WithFreqs)),
        w,
    )
}

/// At most this many spellings a typo match stands for (the most frequent),
/// per field…
pub(crate) const MAX_TYPO_TERMS: usize = 20;
/// …and at most this many words a prefix stands for.
pub(crate) const MAX_PREFIX_TERMS: usize = 30;

/// A word in more than this share of documents (and at least
/// [`COMMON_MIN`] of them) is taken as typed: no typo or prefix matching.
/// "the" is no typo of "she", and a word that common is rarely the start of
/// a longer one that was meant.
const COMMON_SHARE: u64 = 50;
const COMMON_MIN: u64 = 100;

/// The terms of `field` that `automaton` accepts, in every segment, the
/// `max` with the most documents. Expanding once here, rather than with
/// tantivy's automaton queries (which read every matching posting list
/// into a bitset before the first document), keeps typo and prefix
/// matching lazy: intersected with a rarer word, only what is needed is
/// read.
pub(crate) fn expand(
    searcher: &Searcher,
    field: Field,
    automaton: &DfaWrapper,
    max: usize,
) -> tantivy::Result<Vec<Term>> {
    expand_within(searcher, field, automaton, max, u64::MAX)
}

/// [`expand`], leaving out terms in more than `max_docs` documents.
fn expand_within(
    searcher: &Searcher,
    field: Field,
    automaton: &DfaWrapper,
    max: usize,
    max_docs: u64,
) -> tantivy::Result<Vec<Term>> {
    let mut found: HashMap<Vec<u8>, u32> = HashMap::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted.terms().search(automaton).into_stream()?;
        while stream.advance() {
            *found.entry(stream.key().to_vec()).or_default() += stream.value().doc_freq;
        }
    }
    let mut terms: Vec<(Vec<u8>, u32)> = found
        .into_iter()
        .filter(|(_, df)| u64::from(*df) <= max_docs)
        .collect();
    terms.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    terms.truncate(max);
    Ok(terms
        .into_iter()
        .filter_map(|(bytes, _)| String::from_utf8(bytes).ok())
        .map(|t| Term::from_field_text(field, &t))
        .collect())
}

/// Documents with any of `terms`, all scoring `score`.
fn any_of(terms: Vec<Term>, score: f32) -> Option<Box<dyn TQuery>> {
    if terms.is_empty() {
        return None;
    }
    let union: Vec<Box<dyn TQuery>> = terms
        .into_iter()
        .map(|t| Box::new(TermQuery::new(t, IndexRecordOption::Basic)) as Box<dyn TQuery>)
        .collect();
    Some(Box::new(ConstScoreQuery::new(
        Box::new(BooleanQuery::union(union)),
        score,
    )))
}

/// Whether `w` is so common that it is taken as typed.
fn common(searcher: &Searcher, fields: &Fields, w: &Word) -> tantivy::Result<bool> {
    let df = searcher.doc_freq(&term(fields.any, &w.folded))?;
    Ok(df >= COMMON_MIN && df * COMMON_SHARE >= searcher.num_docs())
}

/// The alternatives of one word: exact in each field (BM25 times the
/// field's weight), with a typo, or as a prefix; the best counts, plus a
/// tenth of the others.
pub(crate) fn word_query(
    searcher: &Searcher,
    fields: &Fields,
    w: &Word,
    is_common: bool,
) -> tantivy::Result<Box<dyn TQuery>> {
    // A common word narrows little, and its posting lists are long. It must
    // be in one of the book's names, checked in one list that is only
    // looked up at the candidates, and it scores as a title word. The best
    // of six fields would instead be a union that scores every document
    // having the word, most of the index.
    if is_common {
        let anywhere = ConstScoreQuery::new(
            Box::new(TermQuery::new(
                term(fields.any, &w.folded),
                IndexRecordOption::Basic,
            )),
            0.0,
        );
        return Ok(with_bonus(
            Box::new(anywhere),
            exact(fields.title, &w.stemmed, W_TITLE),
        ));
    }
    let mut alts: Vec<Box<dyn TQuery>> = vec![
        exact(fields.title, &w.stemmed, W_TITLE),
        exact(fields.author, &w.folded, W_AUTHOR),
        exact(fields.coauthor, &w.folded, W_COAUTHOR),
        exact(fields.series, &w.stemmed, W_SERIES),
        exact(fields.body, &w.stemmed, W_BODY),
        exact(fields.subject, &w.stemmed, W_SUBJECT),
    ];
    let len = w.folded.chars().count();
    let d = typo_distance(len);
    let wants_prefix = w.prefix && len >= 2;
    if (d > 0 || wants_prefix) && !is_common {
        if d > 0 {
            let dfa = FuzzyTermQuery::new(term(fields.words, &w.folded), d, true).automaton()?;
            // Nor is a common word what a typo stands for: "then" is no
            // typo of "the" or "when", and their long posting lists would
            // cost most of the query.
            let max_docs = (searcher.num_docs() / COMMON_SHARE).max(COMMON_MIN);
            let mut terms = Vec::new();
            for f in [fields.words, fields.author] {
                terms.extend(expand_within(searcher, f, &dfa, MAX_TYPO_TERMS, max_docs)?);
            }
            alts.extend(any_of(terms, W_TYPO));
        }
        if wants_prefix {
            // A typo in the part typed so far is forgiven from five letters on.
            let pd = if len >= 5 { d } else { 0 };
            let dfa =
                FuzzyTermQuery::new_prefix(term(fields.words, &w.folded), pd, true).automaton()?;
            let mut terms = Vec::new();
            for f in [fields.words, fields.author] {
                terms.extend(expand(searcher, f, &dfa, MAX_PREFIX_TERMS)?);
            }
            alts.extend(any_of(terms, W_PREFIX));
        }
    }
    Ok(Box::new(DisjunctionMaxQuery::with_tie_breaker(alts, 0.1)))
}

/// The words as a tantivy query: all words required, or when `relaxed` all
/// but one of the uncommon words (the common ones a bonus), plus the title
/// phrase bonus.
pub(crate) fn text_query(
    searcher: &Searcher,
    fields: &Fields,
    words: &[Word],
    relaxed: bool,
) -> tantivy::Result<Box<dyn TQuery>> {
    // A word typed twice ("the the") is required once.
    let mut distinct: Vec<&Word> = Vec::with_capacity(words.len());
    for w in words {
        match distinct.iter_mut().find(|d| d.folded == w.folded) {
            Some(d) if w.prefix => *d = w,
            Some(_) => {}
            None => distinct.push(w),
        }
    }
    let (mut uncommon, mut common_words) = (Vec::new(), Vec::new());
    for w in &distinct {
        let is_common = common(searcher, fields, w)?;
        let q = word_query(searcher, fields, w, is_common)?;
        if is_common {
            common_words.push(q);
        } else {
            uncommon.push(q);
        }
    }
    let all_common = uncommon.is_empty();
    let mut bonuses = Vec::new();
    let mut query: Box<dyn TQuery> = if !relaxed {
        Box::new(BooleanQuery::new(
            uncommon
                .into_iter()
                .chain(common_words)
                .map(|q| (Occur::Must, q))
                .collect(),
        ))
    } else if all_common {
        let need = common_words.len().saturating_sub(1).max(1);
        at_least(common_words, need)
    } else {
        // The word that may be missing is looked for among the uncommon
        // ones; common words only add to the score. Counting matches of a
        // common word's long list document by document would cost more
        // than the rest of the query, and a common word narrows little.
        bonuses = common_words;
        let need = uncommon.len().saturating_sub(1).max(1);
        at_least(uncommon, need)
    };
    // The phrase bonus needs positions for every candidate: skipped when
    // every word is common ("of the"), where it would read most of the index.
    if words.len() >= 2 && !all_common {
        let terms: Vec<Term> = words
            .iter()
            .map(|w| term(fields.title, &w.stemmed))
            .collect();
        bonuses.push(boosted(Box::new(PhraseQuery::new(terms)), W_PHRASE));
    }
    for bonus in bonuses {
        query = with_bonus(query, bonus);
    }
    Ok(query)
}

/// `required`, plus `bonus`'s score where it also matches. One bonus a
/// layer: tantivy then looks the bonus up only for the documents it scores,
/// where two bonuses in one layer would be merged into a union that reads
/// thousands of documents ahead at every look-up.
fn with_bonus(required: Box<dyn TQuery>, bonus: Box<dyn TQuery>) -> Box<dyn TQuery> {
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, required),
        (Occur::Should, bonus),
    ]))
}

/// Documents matching at least `need` of `queries`.
fn at_least(mut queries: Vec<Box<dyn TQuery>>, need: usize) -> Box<dyn TQuery> {
    if queries.len() == 1 {
        return queries.remove(0);
    }
    Box::new(BooleanQuery::union_with_minimum_required_clauses(
        queries, need,
    ))
}

/// Filters that do not score: kinds and the facet filters.
pub(crate) fn filters(fields: &Fields, kinds: &[Kind], filter: &Filter) -> Vec<Box<dyn TQuery>> {
    let mut out: Vec<Box<dyn TQuery>> = Vec::new();
    let codes = kind_codes(kinds);
    if !codes.is_empty() && codes.len() < Kind::ALL.len() {
        let terms = codes
            .into_iter()
            .map(|c| Term::from_field_u64(fields.kind, c));
        out.push(Box::new(TermSetQuery::new(terms)));
    }
    if filter.is_empty() {
        return out;
    }
    let mut string = |f, v: &Option<String>| {
        if let Some(v) = v {
            out.push(Box::new(TermQuery::new(
                term(f, &key(v)),
                IndexRecordOption::Basic,
            )));
        }
    };
    string(fields.subject_key, &filter.subject);
    string(fields.language, &filter.language);
    string(fields.format, &filter.format);
    if filter.year_from.is_some() || filter.year_to.is_some() {
        let b = |y: Option<i32>| match y {
            Some(y) => Bound::Included(Term::from_field_i64(fields.year, i64::from(y))),
            None => Bound::Unbounded,
        };
        let (lo, hi) = (b(filter.year_from), b(filter.year_to));
        // An open end still needs the field: use the far end of i64.
        let lo = match lo {
            Bound::Unbounded => Bound::Included(Term::from_field_i64(fields.year, i64::MIN)),
            other => other,
        };
        let hi = match hi {
            Bound::Unbounded => Bound::Included(Term::from_field_i64(fields.year, i64::MAX)),
            other => other,
        };
        out.push(Box::new(RangeQuery::new(lo, hi)));
    }
    out
}

/// `scoring` with the filters added as required clauses that add nothing
/// to the score.
pub(crate) fn with_filters(
    scoring: Box<dyn TQuery>,
    filters: Vec<Box<dyn TQuery>>,
) -> Box<dyn TQuery> {
    if filters.is_empty() {
        return scoring;
    }
    let mut clauses = vec![(Occur::Must, scoring)];
    for f in filters {
        clauses.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(f, 0.0)) as Box<dyn TQuery>,
        ));
    }
    Box::new(BooleanQuery::new(clauses))
}
