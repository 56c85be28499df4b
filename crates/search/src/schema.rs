//! The index layout: one tantivy index for every kind, a `kind` field to
//! tell them apart, and the two analyzers that fold and stem text.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};
use tantivy::{Index, TantivyDocument};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use crate::docs::{BookDoc, ClubDoc, Doc, Kind, PersonDoc};
use crate::isbn;

/// Folded words: lower case, Latin accents and ligatures to ASCII
/// ("Brontë" → "bronte", "Æsop" → "aesop"), split at anything that is not
/// a letter or digit.
pub(crate) const FOLD: &str = "quire_fold";
/// Folded and then stemmed with the English Snowball stemmer
/// ("prejudices" → "prejudic").
pub(crate) const STEM: &str = "quire_stem";

/// Words longer than this are dropped (they are noise, and they would make
/// fuzzy automata slow).
const LONGEST_WORD: usize = 40;

pub(crate) fn fold_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_WORD))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

pub(crate) fn stem_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_WORD))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

pub(crate) fn register_analyzers(index: &Index) {
    index.tokenizers().register(FOLD, fold_analyzer());
    index.tokenizers().register(STEM, stem_analyzer());
}

/// Composed form, so that a letter and its combining accent (as some
/// keyboards and files send them) fold like the precomposed letter.
pub(crate) fn nfc(s: &str) -> std::borrow::Cow<'_, str> {
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => std::borrow::Cow::Borrowed(s),
        _ => std::borrow::Cow::Owned(s.nfc().collect()),
    }
}

/// The fields of the index. Every kind uses `title` (a book's title, a
/// person's or club's name); the others are filled where they apply.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fields {
    pub id: Field,
    pub kind: Field,
    /// Stemmed, with positions (phrases), stored: the name shown.
    pub title: Field,
    /// The title's (and subtitle's) words folded but not stemmed, for
    /// completion.
    pub words: Field,
    /// Every word of a book's names (title, subtitle, series, credited
    /// names) folded but not stemmed, in one field: how a common word
    /// ("the", "of") is matched, as one posting list rather than one per
    /// field.
    pub any: Field,
    /// A book's first author, folded, with positions, stored.
    pub author: Field,
    /// The other credited names (co-authors, but also editors and
    /// translators in most catalogs), weighed less.
    pub coauthor: Field,
    pub series: Field,
    /// Subjects as words (stemmed) for matching.
    pub subject: Field,
    /// Subjects as given, for filters and facet counts.
    pub subject_key: Field,
    /// A club's description (stemmed).
    pub body: Field,
    pub isbn: Field,
    pub year: Field,
    pub language: Field,
    pub format: Field,
    pub popularity: Field,
    pub average: Field,
    pub subtitle: Field,
}

pub(crate) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tokenizer: &str, record: IndexRecordOption| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(record),
        )
    };
    let positions = IndexRecordOption::WithFreqsAndPositions;
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        kind: b.add_u64_field("kind", INDEXED | FAST | STORED),
        title: b.add_text_field("title", text(STEM, positions) | STORED),
        words: b.add_text_field("words", text(FOLD, IndexRecordOption::Basic)),
        any: b.add_text_field("any", text(FOLD, IndexRecordOption::Basic)),
        author: b.add_text_field("author", text(FOLD, positions) | STORED),
        coauthor: b.add_text_field("coauthor", text(FOLD, positions) | STORED),
        series: b.add_text_field("series", text(STEM, positions) | STORED),
        subject: b.add_text_field("subject", text(STEM, IndexRecordOption::WithFreqs)),
        subject_key: b.add_text_field("subject_key", STRING | FAST),
        body: b.add_text_field("body", text(STEM, IndexRecordOption::WithFreqs)),
        isbn: b.add_text_field("isbn", STRING),
        year: b.add_i64_field("year", INDEXED | FAST | STORED),
        language: b.add_text_field("language", STRING | FAST | STORED),
        format: b.add_text_field("format", STRING | FAST),
        popularity: b.add_u64_field("popularity", FAST | STORED),
        average: b.add_f64_field("average", STORED),
        subtitle: b.add_text_field("subtitle", STORED),
    };
    (b.build(), fields)
}

/// Subjects, languages and formats are compared as given but with the case
/// folded and the ends trimmed, so "Fiction " and "fiction" are one facet.
pub(crate) fn key(s: &str) -> String {
    nfc(s.trim()).to_lowercase()
}

impl Fields {
    pub(crate) fn document(&self, doc: &Doc) -> Result<TantivyDocument, &'static str> {
        if doc.id().trim().is_empty() {
            return Err("the id is empty");
        }
        let mut d = TantivyDocument::new();
        d.add_text(self.id, doc.id());
        d.add_u64(self.kind, doc.kind().code());
        match doc {
            Doc::Book(b) => self.book(&mut d, b)?,
            Doc::Person(p) => self.person(&mut d, p)?,
            Doc::Club(c) => self.club(&mut d, c)?,
        }
        Ok(d)
    }

    fn named(&self, d: &mut TantivyDocument, name: &str) -> Result<(), &'static str> {
        let name = nfc(name.trim());
        if name.is_empty() {
            return Err("the title or name is empty");
        }
        d.add_text(self.title, &name);
        d.add_text(self.words, &name);
        d.add_text(self.any, &name);
        Ok(())
    }

    fn book(&self, d: &mut TantivyDocument, b: &BookDoc) -> Result<(), &'static str> {
        self.named(d, &b.title)?;
        if let Some(sub) = b
            .subtitle
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let sub = nfc(sub);
            d.add_text(self.subtitle, &sub);
            // Searchable like the title (a second value: phrases do not run
            // across the two), but not the stored title.
            d.add_text(self.words, &sub);
            d.add_text(self.any, &sub);
        }
        let mut first = true;
        for a in &b.authors {
            let a = nfc(a.trim());
            if !a.is_empty() {
                d.add_text(if first { self.author } else { self.coauthor }, &a);
                d.add_text(self.any, &a);
                first = false;
            }
        }
        if let Some(s) = b.series.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let s = nfc(s);
            d.add_text(self.series, &s);
            d.add_text(self.any, &s);
        }
        for s in &b.subjects {
            let k = key(s);
            if !k.is_empty() {
                d.add_text(self.subject, &k);
                d.add_text(self.subject_key, &k);
            }
        }
        let mut isbns: Vec<String> = b.isbns.iter().flat_map(|i| isbn::forms(i)).collect();
        isbns.sort();
        isbns.dedup();
        for i in isbns {
            d.add_text(self.isbn, i);
        }
        if let Some(y) = b.year {
            d.add_i64(self.year, i64::from(y));
        }
        if let Some(l) = b.language.as_deref().map(key).filter(|l| !l.is_empty()) {
            d.add_text(self.language, l);
        }
        for f in &b.formats {
            let f = key(f);
            if !f.is_empty() {
                d.add_text(self.format, f);
            }
        }
        d.add_u64(self.popularity, b.ratings);
        if let Some(a) = b.average {
            d.add_f64(self.average, f64::from(a));
        }
        Ok(())
    }

    fn person(&self, d: &mut TantivyDocument, p: &PersonDoc) -> Result<(), &'static str> {
        self.named(d, &p.name)?;
        d.add_u64(self.popularity, p.popularity);
        Ok(())
    }

    fn club(&self, d: &mut TantivyDocument, c: &ClubDoc) -> Result<(), &'static str> {
        self.named(d, &c.name)?;
        d.add_text(self.body, nfc(&c.description));
        d.add_u64(self.popularity, c.members);
        Ok(())
    }
}

/// Kinds filter as a set of codes.
pub(crate) fn kind_codes(kinds: &[Kind]) -> Vec<u64> {
    let mut codes: Vec<u64> = kinds.iter().map(|k| k.code()).collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}
