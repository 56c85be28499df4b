//! The index itself: opening and creating it, writing to it, rebuilding it
//! whole, and searching it.

use std::path::Path;

use tantivy::directory::MmapDirectory;
use tantivy::query::{Query as TQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    DocAddress, Index, IndexReader, IndexSettings, IndexSortByField, IndexWriter, Order,
    ReloadPolicy, Score, Searcher, TantivyDocument, Term,
};

use crate::collect::{MATCH_CAP, SearchCollector};
use crate::docs::{Doc, Kind};
use crate::error::{Result, SearchError};
use crate::facets::Facets;
use crate::isbn;
use crate::query::{
    Hit, MAX_LIMIT, MAX_OFFSET, Query, Results, Why, Word, bounded, filters, text_query,
    typo_distance, with_filters, words,
};
use crate::schema::{Fields, fold_analyzer, register_analyzers, schema, stem_analyzer};

/// Heap of a [`Writer`] for day-to-day changes.
const WRITER_HEAP: usize = 50 * 1024 * 1024;
/// At most this many suggestions.
pub const MAX_SUGGESTIONS: usize = 20;

/// A search index (on disk or in memory). Cheap to clone; clones share the
/// index and its reader. Searches may run on many threads at once.
#[derive(Clone)]
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    fold: TextAnalyzer,
    stem: TextAnalyzer,
    cap: usize,
}

/// Documents are kept most popular first, in every segment and through
/// merges, so that a search can stop at the most popular matches.
fn settings() -> IndexSettings {
    IndexSettings {
        sort_by_field: Some(IndexSortByField {
            field: "popularity".to_string(),
            order: Order::Desc,
        }),
        ..IndexSettings::default()
    }
}

/// How [`SearchIndex::rebuild_with`] writes.
#[derive(Clone, Debug)]
pub struct RebuildOptions {
    /// Indexing threads (tantivy's; the caller's iterator runs on the calling thread).
    pub threads: usize,
    /// Memory for the in-progress segments, shared by the threads.
    pub heap_bytes: usize,
    /// Merge everything into one segment at the end (slower to build, a
    /// little faster to search).
    pub merge: bool,
}

impl Default for RebuildOptions {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        RebuildOptions {
            threads: cores.clamp(1, 4),
            heap_bytes: 512 * 1024 * 1024,
            merge: true,
        }
    }
}

/// What a rebuild did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RebuildStats {
    pub indexed: u64,
    /// Documents refused (empty id or title).
    pub skipped: u64,
}

/// One completion for what is being typed.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    /// The title or name to show and to search for.
    pub text: String,
    pub kind: Kind,
    /// The document it came from; `None` for an author name taken from a
    /// book's credits (no author document behind it).
    pub id: Option<String>,
    pub popularity: u64,
}

impl SearchIndex {
    fn wrap(index: Index) -> Result<Self> {
        register_analyzers(&index);
        let (_, fields) = schema();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(SearchError::from_tantivy)?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
            fold: fold_analyzer(),
            stem: stem_analyzer(),
            cap: MATCH_CAP,
        })
    }

    /// A new, empty index in `dir` (created if missing; must not hold an index).
    pub fn create_in_dir(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(|source| SearchError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let index = Index::builder()
            .schema(schema().0)
            .settings(settings())
            .create_in_dir(dir)
            .map_err(SearchError::from_tantivy)?;
        Self::wrap(index)
    }

    /// The index in `dir`, which must have been made by this version's
    /// layout ([`SearchError::Incompatible`] asks for a rebuild otherwise).
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        let missing = || SearchError::Missing(dir.to_path_buf());
        let mmap = MmapDirectory::open(dir).map_err(|_| missing())?;
        if !Index::exists(&mmap).map_err(|_| missing())? {
            return Err(missing());
        }
        let index = Index::open(mmap).map_err(SearchError::from_tantivy)?;
        if index.schema() != schema().0
            || index.settings().sort_by_field != settings().sort_by_field
        {
            return Err(SearchError::Incompatible(dir.to_path_buf()));
        }
        Self::wrap(index)
    }

    /// The index in `dir` if there is one, else a new one.
    pub fn open_or_create(dir: impl AsRef<Path>) -> Result<Self> {
        match Self::open(dir.as_ref()) {
            Err(SearchError::Missing(_)) => Self::create_in_dir(dir),
            other => other,
        }
    }

    /// An index in memory (tests, small sites).
    pub fn in_ram() -> Result<Self> {
        let index = Index::builder()
            .schema(schema().0)
            .settings(settings())
            .create_in_ram()
            .map_err(SearchError::from_tantivy)?;
        Self::wrap(index)
    }

    /// The same index ranking at most `cap` matches per segment instead of
    /// [`MATCH_CAP`] (tests; a larger cap trades speed for exact totals).
    pub fn with_match_cap(mut self, cap: usize) -> Self {
        self.cap = cap.max(1);
        self
    }

    /// A writer for adding, replacing and deleting documents. Only one
    /// writer may be open at a time (across processes too): a second gets
    /// [`SearchError::Busy`]. Nothing is visible until [`Writer::commit`];
    /// a writer dropped without committing discards its changes.
    pub fn writer(&self) -> Result<Writer> {
        let writer = self
            .index
            .writer_with_num_threads(1, WRITER_HEAP)
            .map_err(SearchError::from_tantivy)?;
        Ok(Writer {
            index: self.clone(),
            writer,
        })
    }

    /// Replace everything in the index by `docs`, in one commit: searches
    /// see the old contents until the new ones are complete. Documents with
    /// an empty id or title are skipped and counted.
    pub fn rebuild<I>(&self, docs: I) -> Result<RebuildStats>
    where
        I: IntoIterator,
        I::Item: Into<Doc>,
    {
        self.rebuild_with(docs, &RebuildOptions::default())
    }

    /// [`SearchIndex::rebuild`] with chosen threads, memory and merging.
    pub fn rebuild_with<I>(&self, docs: I, options: &RebuildOptions) -> Result<RebuildStats>
    where
        I: IntoIterator,
        I::Item: Into<Doc>,
    {
        let threads = options.threads.max(1);
        // tantivy wants 15 MB to 4 GB per thread.
        let per_thread = (options.heap_bytes / threads).clamp(15 << 20, (4 << 30) - (1 << 20));
        let mut writer: IndexWriter<TantivyDocument> = self
            .index
            .writer_with_num_threads(threads, per_thread * threads)
            .map_err(SearchError::from_tantivy)?;
        writer
            .delete_all_documents()
            .map_err(SearchError::from_tantivy)?;
        let mut stats = RebuildStats::default();
        for doc in docs {
            match self.fields.document(&doc.into()) {
                Ok(d) => {
                    writer.add_document(d).map_err(SearchError::from_tantivy)?;
                    stats.indexed += 1;
                }
                Err(_) => stats.skipped += 1,
            }
        }
        writer.commit().map_err(SearchError::from_tantivy)?;
        if options.merge {
            let ids = self
                .index
                .searchable_segment_ids()
                .map_err(SearchError::from_tantivy)?;
            if ids.len() > 1 {
                writer
                    .merge(&ids)
                    .wait()
                    .map_err(SearchError::from_tantivy)?;
            }
        }
        writer
            .wait_merging_threads()
            .map_err(SearchError::from_tantivy)?;
        self.reload()?;
        Ok(stats)
    }

    /// See what other writers (other processes) committed.
    pub fn reload(&self) -> Result<()> {
        self.reader.reload().map_err(SearchError::from_tantivy)
    }

    /// Documents in the index (as of the last reload).
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Bytes the index takes on disk or in memory, as tantivy counts them.
    pub fn size_bytes(&self) -> Result<u64> {
        let usage = self
            .reader
            .searcher()
            .space_usage()
            .map_err(|e| SearchError::Index(e.into()))?;
        Ok(usage.total().get_bytes())
    }

    /// Segments now searched (one after a merged rebuild).
    pub fn segments(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    /// Run a search. An empty query, or one of only punctuation, finds
    /// nothing (no error). A query that is an ISBN-10 or ISBN-13 (hyphens
    /// and spaces allowed) finds that book first; if no book has it, the
    /// text is searched as words.
    pub fn search(&self, q: &Query) -> Result<Results> {
        let (text, cut) = bounded(&q.text);
        let limit = q.limit.min(MAX_LIMIT);
        let offset = q.offset.min(MAX_OFFSET);
        let searcher = self.reader.searcher();
        let filters = || filters(&self.fields, &q.kinds, &q.filter);

        if (q.kinds.is_empty() || q.kinds.contains(&Kind::Book))
            && let Some(isbn) = isbn::normalize(&text)
        {
            let tq: Box<dyn TQuery> = Box::new(TermQuery::new(
                Term::from_field_text(self.fields.isbn, &isbn),
                IndexRecordOption::Basic,
            ));
            let query = with_filters(tq, filters());
            let mut results = self.run(&searcher, &*query, limit, offset, q.facets, &[])?;
            if results.total > 0 {
                for h in &mut results.hits {
                    h.why = vec![Why::Isbn];
                }
                results.truncated = cut;
                return Ok(results);
            }
        }

        let (mut fold, mut stem) = (self.fold.clone(), self.stem.clone());
        let (words, wcut) = words(&mut fold, &mut stem, &text);
        if words.is_empty() {
            return Ok(Results {
                truncated: cut || wcut,
                ..Results::default()
            });
        }
        let tq = text_query(&searcher, &self.fields, &words, false)
            .map_err(SearchError::from_tantivy)?;
        let query = with_filters(tq, filters());
        let mut results = self.run(&searcher, &*query, limit, offset, q.facets, &words)?;
        if results.total == 0 && words.len() >= 2 {
            let tq = text_query(&searcher, &self.fields, &words, true)
                .map_err(SearchError::from_tantivy)?;
            let query = with_filters(tq, filters());
            results = self.run(&searcher, &*query, limit, offset, q.facets, &words)?;
            results.relaxed = true;
        }
        results.truncated = cut || wcut;
        Ok(results)
    }

    fn run(
        &self,
        searcher: &Searcher,
        query: &dyn TQuery,
        limit: usize,
        offset: usize,
        facets: bool,
        words: &[Word],
    ) -> Result<Results> {
        let collector = SearchCollector {
            keep: offset + limit,
            facets,
            cap: self.cap,
        };
        let fruit = searcher
            .search(query, &collector)
            .map_err(SearchError::from_tantivy)?;
        let mut hits = Vec::with_capacity(limit);
        for (score, addr) in fruit.top.into_iter().skip(offset) {
            hits.push(self.hit(searcher, addr, score, words)?);
        }
        Ok(Results {
            hits,
            total: fruit.total,
            estimated: fruit.estimated,
            facets: fruit.facets.map(Facets::from).unwrap_or_default(),
            truncated: false,
            relaxed: false,
        })
    }

    fn hit(
        &self,
        searcher: &Searcher,
        addr: DocAddress,
        score: Score,
        words: &[Word],
    ) -> Result<Hit> {
        let doc: TantivyDocument = searcher.doc(addr).map_err(SearchError::from_tantivy)?;
        let f = &self.fields;
        let str_of = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let kind = doc
            .get_first(f.kind)
            .and_then(|v| v.as_u64())
            .and_then(Kind::from_code)
            .unwrap_or(Kind::Book);
        let mut hit = Hit {
            kind,
            id: str_of(f.id).unwrap_or_default(),
            title: str_of(f.title).unwrap_or_default(),
            subtitle: str_of(f.subtitle),
            authors: doc
                .get_all(f.author)
                .chain(doc.get_all(f.coauthor))
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            series: str_of(f.series),
            year: doc
                .get_first(f.year)
                .and_then(|v| v.as_i64())
                .and_then(|y| i32::try_from(y).ok()),
            language: str_of(f.language),
            average: doc
                .get_first(f.average)
                .and_then(|v| v.as_f64())
                .map(|a| a as f32),
            popularity: doc
                .get_first(f.popularity)
                .and_then(|v| v.as_u64())
                .unwrap_or(0),
            score,
            why: Vec::new(),
        };
        hit.why = self.why(&hit, words);
        Ok(hit)
    }

    /// Which field each query word matched best, recomputed from the stored
    /// text (cheap for one page of hits).
    fn why(&self, hit: &Hit, words: &[Word]) -> Vec<Why> {
        let (mut fold, mut stem) = (self.fold.clone(), self.stem.clone());
        let title_text = match &hit.subtitle {
            Some(s) => format!("{} {}", hit.title, s),
            None => hit.title.clone(),
        };
        let title_stems = analysed(&mut stem, &title_text);
        let title_words = analysed(&mut fold, &title_text);
        let author_words = analysed(&mut fold, &hit.authors.join(" "));
        let series_stems = analysed(&mut stem, hit.series.as_deref().unwrap_or(""));
        let mut why = Vec::new();
        for w in words {
            let typo_of = |list: &[String]| {
                let d = typo_distance(w.folded.chars().count());
                d > 0 && list.iter().any(|t| within(&w.folded, t, d))
            };
            let reason = if title_stems.contains(&w.stemmed) {
                Why::Title
            } else if author_words.contains(&w.folded) {
                Why::Author
            } else if series_stems.contains(&w.stemmed) {
                Why::Series
            } else if typo_of(&title_words) || typo_of(&author_words) {
                Why::Typo
            } else if w.prefix
                && title_words
                    .iter()
                    .chain(&author_words)
                    .any(|t| t.starts_with(&w.folded))
            {
                Why::Prefix
            } else if hit.kind == Kind::Club {
                Why::Description
            } else {
                Why::Subject
            };
            if !why.contains(&reason) {
                why.push(reason);
            }
        }
        why.sort();
        why
    }

    /// Completions for `prefix` as it is typed: titles and names whose
    /// words start with the words typed (the last one as a prefix), and
    /// authors of books whose names do, most popular first. At most
    /// `limit` (capped at [`MAX_SUGGESTIONS`]); no typo tolerance here.
    pub fn suggest(&self, prefix: &str, limit: usize) -> Result<Vec<Suggestion>> {
        let limit = limit.min(MAX_SUGGESTIONS);
        let (text, _) = bounded(prefix);
        let (mut fold, mut stem) = (self.fold.clone(), self.stem.clone());
        let (words, _) = words(&mut fold, &mut stem, &text);
        if words.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let f = &self.fields;
        let mut out: Vec<Suggestion> = Vec::new();

        // Titles and names, then authors from the credits of the most
        // popular books that match. Documents are stored most popular
        // first, so the first matches of each segment are the ones wanted.
        for (field, keep) in [(f.words, limit * 2), (f.author, limit * 4)] {
            let q = crate::suggest::names_query(&searcher, field, &words)
                .map_err(SearchError::from_tantivy)?;
            let collector = SearchCollector {
                keep,
                facets: false,
                cap: keep,
            };
            let fruit = searcher
                .search(&*q, &collector)
                .map_err(SearchError::from_tantivy)?;
            for (_, addr) in fruit.top {
                let doc: TantivyDocument = searcher.doc(addr).map_err(SearchError::from_tantivy)?;
                let popularity = doc
                    .get_first(f.popularity)
                    .and_then(|v| v.as_u64())
                    .unwrap_or(0);
                if field == f.words {
                    let kind = doc
                        .get_first(f.kind)
                        .and_then(|v| v.as_u64())
                        .and_then(Kind::from_code)
                        .unwrap_or(Kind::Book);
                    out.push(Suggestion {
                        text: doc
                            .get_first(f.title)
                            .and_then(|v| v.as_str())
                            .unwrap_or("")
                            .to_string(),
                        kind,
                        id: doc
                            .get_first(f.id)
                            .and_then(|v| v.as_str())
                            .map(str::to_string),
                        popularity,
                    });
                } else {
                    for name in doc.get_all(f.author).filter_map(|v| v.as_str()) {
                        let tokens = analysed(&mut fold, name);
                        if crate::suggest::name_matches(&tokens, &words) {
                            out.push(Suggestion {
                                text: name.to_string(),
                                kind: Kind::Author,
                                id: None,
                                popularity,
                            });
                        }
                    }
                }
            }
        }
        Ok(crate::suggest::rank(out, &mut fold, limit))
    }
}

pub(crate) fn analysed(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push(t.text.clone());
    }
    out
}

/// Optimal string alignment distance of `a` and `b` is at most `max`
/// (adjacent swaps cost one, as in the index's typo matching).
pub(crate) fn within(a: &str, b: &str, max: u8) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let max = usize::from(max);
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()] <= max
}

/// Adds, replaces and deletes documents; see [`SearchIndex::writer`].
pub struct Writer {
    index: SearchIndex,
    writer: IndexWriter<TantivyDocument>,
}

impl Writer {
    /// Add a document (use [`Writer::replace`] if one with its id may exist).
    pub fn add(&mut self, doc: impl Into<Doc>) -> Result<()> {
        let doc = doc.into();
        let d = self
            .index
            .fields
            .document(&doc)
            .map_err(|reason| SearchError::BadDocument {
                id: doc.id().to_string(),
                reason,
            })?;
        self.writer
            .add_document(d)
            .map_err(SearchError::from_tantivy)?;
        Ok(())
    }

    /// Replace the document with this id (of any kind) by `doc`, or add it.
    pub fn replace(&mut self, doc: impl Into<Doc>) -> Result<()> {
        let doc = doc.into();
        self.delete(doc.id());
        self.add(doc)
    }

    /// Remove the document with this id, if any.
    pub fn delete(&mut self, id: &str) {
        self.writer
            .delete_term(Term::from_field_text(self.index.fields.id, id));
    }

    /// Make the changes so far visible to searches, atomically.
    pub fn commit(&mut self) -> Result<()> {
        self.writer.commit().map_err(SearchError::from_tantivy)?;
        self.index.reload()
    }

    /// Forget the changes since the last commit.
    pub fn rollback(&mut self) -> Result<()> {
        self.writer.rollback().map_err(SearchError::from_tantivy)?;
        Ok(())
    }
}
