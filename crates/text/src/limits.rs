//! The bounds every read of an untrusted file runs under, and the clock
//! that enforces the time budget while parsing.

use std::time::{Duration, Instant};

use crate::TextError;

/// Bounds for reading an uploaded file. [`Limits::default`] suits books:
/// the longest Project Gutenberg novels are about 5 MB of text, and their
/// EPUBs (with illustrations) rarely pass 20 MB.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest file accepted, checked before anything is read
    /// (64 MB).
    pub max_file_bytes: u64,
    /// The most entries an EPUB may list (10,000).
    pub max_entries: usize,
    /// The most bytes inflated from one archive entry, counted while
    /// inflating, never trusting the size the archive declares (16 MB).
    pub max_entry_bytes: u64,
    /// The most bytes inflated from one archive in all (128 MB).
    pub max_total_inflated: u64,
    /// The most an entry may inflate relative to its compressed size (100),
    /// checked once it has inflated past [`Limits::ratio_floor_bytes`].
    pub max_ratio: u64,
    /// Below this many inflated bytes the ratio is not judged: a tiny
    /// entry of repeated spaces compresses very well and harms no one
    /// (1 MB).
    pub ratio_floor_bytes: u64,
    /// The deepest nesting of XML elements (256).
    pub max_xml_depth: usize,
    /// The most bytes of text kept for one book (32 MB).
    pub max_text_bytes: u64,
    /// How long one parse may take, checked as it goes (20 s).
    pub time_budget: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 64 * 1024 * 1024,
            max_entries: 10_000,
            max_entry_bytes: 16 * 1024 * 1024,
            max_total_inflated: 128 * 1024 * 1024,
            max_ratio: 100,
            ratio_floor_bytes: 1024 * 1024,
            max_xml_depth: 256,
            max_text_bytes: 32 * 1024 * 1024,
            time_budget: Duration::from_secs(20),
        }
    }
}

/// The time budget of one parse.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clock {
    started: Instant,
    budget: Duration,
}

impl Clock {
    pub(crate) fn start(limits: &Limits) -> Clock {
        Clock {
            started: Instant::now(),
            budget: limits.time_budget,
        }
    }

    /// A clock that never runs out, for callers that bound nothing (the
    /// `&str` entry points, whose input is already in memory).
    pub(crate) fn unbounded() -> Clock {
        Clock {
            started: Instant::now(),
            budget: Duration::MAX,
        }
    }

    pub(crate) fn check(&self, file: &str, stage: &'static str) -> Result<(), TextError> {
        if self.started.elapsed() > self.budget {
            return Err(TextError::TooSlow {
                file: file.to_string(),
                stage,
                limit_ms: self.budget.as_millis(),
            });
        }
        Ok(())
    }
}
