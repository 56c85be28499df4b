//! Facet counts over every document a query matches (not only the page
//! shown): subjects, decades, languages and formats, read from the fast
//! columns, counted by term ordinal per segment and named once at the end.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// How many subjects a result lists (the most frequent).
pub const MAX_SUBJECTS: usize = 30;

/// One value of a facet and how many matching documents have it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// Matching documents per decade of first publication (1990 = 1990–1999).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecadeCount {
    pub decade: i32,
    pub count: u64,
}

/// The facet counts of a search. Values are lower-cased as indexed. A book
/// with several subjects or formats counts once under each; one with none
/// (or no year or language) is in no count of that facet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facets {
    /// Most frequent first, at most [`MAX_SUBJECTS`].
    pub subjects: Vec<FacetCount>,
    /// Oldest first.
    pub decades: Vec<DecadeCount>,
    /// Most frequent first.
    pub languages: Vec<FacetCount>,
    /// Most frequent first.
    pub formats: Vec<FacetCount>,
}

pub(crate) struct FacetCollector;

impl RawCounts {
    /// Scale estimated counts (see `collect::MATCH_CAP`).
    pub(crate) fn scale(&mut self, factor: f64) {
        let s = |v: &mut u64| *v = (*v as f64 * factor).round() as u64;
        self.subjects.values_mut().for_each(s);
        self.decades.values_mut().for_each(s);
        self.languages.values_mut().for_each(s);
        self.formats.values_mut().for_each(s);
    }
}

#[derive(Default)]
pub(crate) struct RawCounts {
    subjects: HashMap<String, u64>,
    decades: HashMap<i32, u64>,
    languages: HashMap<String, u64>,
    formats: HashMap<String, u64>,
}

struct StrCounter {
    column: StrColumn,
    counts: Vec<u64>,
}

impl StrCounter {
    fn open(reader: &SegmentReader, field: &str) -> tantivy::Result<Option<StrCounter>> {
        Ok(reader.fast_fields().str(field)?.map(|column| {
            let counts = vec![0; column.num_terms()];
            StrCounter { column, counts }
        }))
    }

    fn collect(&mut self, doc: DocId) {
        for ord in self.column.term_ords(doc) {
            if let Some(c) = self.counts.get_mut(ord as usize) {
                *c += 1;
            }
        }
    }

    fn harvest(self, into: &mut HashMap<String, u64>) {
        let mut name = String::new();
        for (ord, count) in self.counts.into_iter().enumerate() {
            if count == 0 {
                continue;
            }
            name.clear();
            if let Ok(true) = self.column.ord_to_str(ord as u64, &mut name) {
                *into.entry(name.clone()).or_default() += count;
            }
        }
    }
}

pub(crate) struct SegmentFacets {
    subjects: Option<StrCounter>,
    languages: Option<StrCounter>,
    formats: Option<StrCounter>,
    years: Option<Column<i64>>,
    decades: HashMap<i32, u64>,
}

impl Collector for FacetCollector {
    type Fruit = RawCounts;
    type Child = SegmentFacets;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFacets> {
        Ok(SegmentFacets {
            subjects: StrCounter::open(reader, "subject_key")?,
            languages: StrCounter::open(reader, "language")?,
            formats: StrCounter::open(reader, "format")?,
            years: reader.fast_fields().column_opt::<i64>("year")?,
            decades: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<RawCounts>) -> tantivy::Result<RawCounts> {
        let mut all = RawCounts::default();
        for f in fruits {
            for (k, v) in f.subjects {
                *all.subjects.entry(k).or_default() += v;
            }
            for (k, v) in f.decades {
                *all.decades.entry(k).or_default() += v;
            }
            for (k, v) in f.languages {
                *all.languages.entry(k).or_default() += v;
            }
            for (k, v) in f.formats {
                *all.formats.entry(k).or_default() += v;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = RawCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for c in [&mut self.subjects, &mut self.languages, &mut self.formats]
            .into_iter()
            .flatten()
        {
            c.collect(doc);
        }
        if let Some(year) = self.years.as_ref().and_then(|y| y.first(doc)) {
            let decade = (year.div_euclid(10) * 10).clamp(i32::MIN as i64, i32::MAX as i64) as i32;
            *self.decades.entry(decade).or_default() += 1;
        }
    }

    fn harvest(self) -> RawCounts {
        let mut raw = RawCounts {
            decades: self.decades,
            ..RawCounts::default()
        };
        if let Some(c) = self.subjects {
            c.harvest(&mut raw.subjects);
        }
        if let Some(c) = self.languages {
            c.harvest(&mut raw.languages);
        }
        if let Some(c) = self.formats {
            c.harvest(&mut raw.formats);
        }
        raw
    }
}

fn ranked(map: HashMap<String, u64>, cap: usize) -> Vec<FacetCount> {
    let mut v: Vec<FacetCount> = map
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    v.truncate(cap);
    v
}

impl From<RawCounts> for Facets {
    fn from(raw: RawCounts) -> Self {
        let mut decades: Vec<DecadeCount> = raw
            .decades
            .into_iter()
            .map(|(decade, count)| DecadeCount { decade, count })
            .collect();
        decades.sort_by_key(|d| d.decade);
        Facets {
            subjects: ranked(raw.subjects, MAX_SUBJECTS),
            decades,
            languages: ranked(raw.languages, usize::MAX),
            formats: ranked(raw.formats, usize::MAX),
        }
    }
}
