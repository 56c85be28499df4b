//! The one collector every search runs: it scores matches with popularity,
//! keeps the best page, counts, and counts facets, in one pass per segment.
//!
//! Documents are stored most popular first (the index is sorted by
//! popularity), so when a query matches more than [`MATCH_CAP`] documents
//! in a segment, the collector stops there: the ones it ranked are that
//! segment's most popular matches, and the total and facet counts are
//! estimated from how far into the segment the cap was reached. This keeps
//! a query of common words ("the") as fast as a precise one, at a million
//! books; a precise query never reaches the cap.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::ColumnValues;
use tantivy::query::Weight;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader, TERMINATED};

use crate::facets::{FacetCollector, RawCounts, SegmentFacets};
use crate::query::POPULARITY;

/// Matches ranked per segment at most.
pub const MATCH_CAP: usize = 5_000;

pub(crate) struct SearchCollector {
    /// Hits to keep (offset + limit).
    pub keep: usize,
    pub facets: bool,
    pub cap: usize,
}

#[derive(Default)]
pub(crate) struct SearchFruit {
    /// Best first.
    pub top: Vec<(Score, DocAddress)>,
    pub total: usize,
    pub estimated: bool,
    pub facets: Option<RawCounts>,
}

#[derive(PartialEq)]
struct Entry(Score, DocAddress);

impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    /// "Greater" is worse, so the heap's top is the worst kept hit: a lower
    /// score, or at equal scores the later document.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .0
            .total_cmp(&self.0)
            .then_with(|| self.1.cmp(&other.1))
    }
}

pub(crate) struct SegmentSearch {
    segment: SegmentOrdinal,
    keep: usize,
    heap: BinaryHeap<Entry>,
    popularity: Option<Arc<dyn ColumnValues<u64>>>,
    facets: Option<SegmentFacets>,
    seen: usize,
}

impl SegmentSearch {
    fn collect(&mut self, doc: DocId, score: Score) {
        self.seen += 1;
        let score = match &self.popularity {
            Some(p) => score * (1.0 + POPULARITY * (p.get_val(doc) as f32).ln_1p()),
            None => score,
        };
        if self.keep > 0 {
            let entry = Entry(score, DocAddress::new(self.segment, doc));
            if self.heap.len() < self.keep {
                self.heap.push(entry);
            } else if self.heap.peek().is_some_and(|worst| entry < *worst) {
                self.heap.pop();
                self.heap.push(entry);
            }
        }
        if let Some(f) = &mut self.facets {
            f.collect(doc, score);
        }
    }
}

impl Collector for SearchCollector {
    type Fruit = SearchFruit;
    type Child = SegmentSearch;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentSearch> {
        let facets = if self.facets {
            Some(FacetCollector.for_segment(segment, reader)?)
        } else {
            None
        };
        Ok(SegmentSearch {
            segment,
            keep: self.keep,
            heap: BinaryHeap::with_capacity(self.keep + 1),
            popularity: reader
                .fast_fields()
                .u64("popularity")
                .ok()
                .map(|c| c.first_or_default_col(0)),
            facets,
            seen: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: u32,
        reader: &SegmentReader,
    ) -> tantivy::Result<SearchFruit> {
        let mut child = self.for_segment(segment, reader)?;
        let mut scorer = weight.scorer(reader, 1.0)?;
        let alive = reader.alive_bitset();
        let mut doc = scorer.doc();
        let mut stopped_at = None;
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                child.collect(doc, scorer.score());
                if child.seen >= self.cap {
                    stopped_at = Some(doc);
                    break;
                }
            }
            doc = scorer.advance();
        }
        let seen = child.seen;
        let mut fruit = child.harvest();
        if let Some(last) = stopped_at {
            // Matches are spread over the segment about as densely as in
            // the part read: scale by the share of the segment read.
            let factor = f64::from(reader.max_doc()) / (f64::from(last) + 1.0);
            fruit.total = (seen as f64 * factor).round() as usize;
            fruit.estimated = true;
            if let Some(f) = &mut fruit.facets {
                f.scale(factor);
            }
        }
        Ok(fruit)
    }

    fn merge_fruits(&self, fruits: Vec<SearchFruit>) -> tantivy::Result<SearchFruit> {
        let mut all = SearchFruit::default();
        let mut facets = Vec::new();
        for f in fruits {
            all.top.extend(f.top);
            all.total += f.total;
            all.estimated |= f.estimated;
            facets.extend(f.facets);
        }
        all.top
            .sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        all.top.truncate(self.keep);
        if self.facets {
            all.facets = Some(FacetCollector.merge_fruits(facets)?);
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentSearch {
    type Fruit = SearchFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        SegmentSearch::collect(self, doc, score);
    }

    fn harvest(self) -> SearchFruit {
        let mut top: Vec<(Score, DocAddress)> = self.heap.into_iter().map(|e| (e.0, e.1)).collect();
        top.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        SearchFruit {
            top,
            total: self.seen,
            estimated: false,
            facets: self.facets.map(SegmentCollector::harvest),
        }
    }
}
