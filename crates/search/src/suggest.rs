//! Completion as one types: the query for names, the check that an
//! author's name matches, and ordering the merged list.

use tantivy::query::{
    BooleanQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query as TQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

use crate::index::{Suggestion, analysed};
use crate::query::Word;

/// Words a prefix stands for in suggestions, at most (the most frequent).
const MAX_PREFIX_TERMS: usize = 200;

/// Every word exactly, the last (when still being typed) as a prefix; all
/// matches score alike, so the collector orders them by popularity alone.
pub(crate) fn names_query(
    searcher: &Searcher,
    field: Field,
    words: &[Word],
) -> tantivy::Result<Box<dyn TQuery>> {
    let mut clauses = Vec::with_capacity(words.len());
    for w in words {
        let term = Term::from_field_text(field, &w.folded);
        let q: Box<dyn TQuery> = if w.prefix {
            let dfa = FuzzyTermQuery::new_prefix(term, 0, false).automaton()?;
            let terms = crate::query::expand(searcher, field, &dfa, MAX_PREFIX_TERMS)?;
            let union: Vec<Box<dyn TQuery>> = terms
                .into_iter()
                .map(|t| Box::new(TermQuery::new(t, IndexRecordOption::Basic)) as Box<dyn TQuery>)
                .collect();
            Box::new(BooleanQuery::union(union))
        } else {
            Box::new(TermQuery::new(term, IndexRecordOption::Basic))
        };
        clauses.push((Occur::Must, q));
    }
    Ok(Box::new(ConstScoreQuery::new(
        Box::new(BooleanQuery::new(clauses)),
        1.0,
    )))
}

/// The name (as folded words) has every typed word, the last one as a prefix.
pub(crate) fn name_matches(tokens: &[String], words: &[Word]) -> bool {
    words.iter().all(|w| {
        tokens
            .iter()
            .any(|t| *t == w.folded || (w.prefix && t.starts_with(&w.folded)))
    })
}

/// Most popular first, one entry per folded text.
pub(crate) fn rank(
    mut all: Vec<Suggestion>,
    fold: &mut TextAnalyzer,
    limit: usize,
) -> Vec<Suggestion> {
    all.sort_by(|a, b| {
        b.popularity
            .cmp(&a.popularity)
            .then_with(|| a.text.cmp(&b.text))
    });
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for s in all {
        if seen.insert(analysed(fold, &s.text).join(" ")) {
            out.push(s);
            if out.len() == limit {
                break;
            }
        }
    }
    out
}
