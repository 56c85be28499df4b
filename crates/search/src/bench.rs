//! Timing searches for benchmarks (`cargo bench -p quire-search` and the
//! data-scale benchmark of `quire-bench`): queries made from the books of
//! an index (exact titles, titles with one typo, authors, prefixes,
//! ISBNs), run and timed, with percentiles and how often the intended book
//! came back in the top ten. It prints; it asserts nothing.

#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark stops loudly on a failed query

use std::path::Path;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::{BookDoc, Kind, Query, SearchIndex};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Title,
    Typo,
    Author,
    Prefix,
    Isbn,
}

pub const CLASSES: [Class; 5] = [
    Class::Title,
    Class::Typo,
    Class::Author,
    Class::Prefix,
    Class::Isbn,
];

pub struct Probe {
    pub class: Class,
    pub text: String,
    /// The book the query was made from.
    pub target: String,
}

/// One typo in the longest word: a swap of two neighbours, a dropped
/// letter or a doubled one, in turn.
pub fn typo(title: &str, rng: &mut StdRng) -> String {
    let mut words: Vec<String> = title.split_whitespace().map(str::to_string).collect();
    let Some((i, _)) = words
        .iter()
        .enumerate()
        .filter(|(_, w)| w.chars().filter(|c| c.is_alphabetic()).count() >= 5)
        .max_by_key(|(_, w)| w.len())
    else {
        return title.to_string();
    };
    let mut chars: Vec<char> = words[i].chars().collect();
    let at = rng.random_range(1..chars.len() - 2);
    match rng.random_range(0..3) {
        0 => chars.swap(at, at + 1),
        1 => {
            chars.remove(at);
        }
        _ => chars.insert(at, chars[at]),
    }
    words[i] = chars.into_iter().collect();
    words.join(" ")
}

pub fn probes(books: &[BookDoc], count: usize, seed: u64) -> Vec<Probe> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let b = &books[rng.random_range(0..books.len())];
        let class = CLASSES[out.len() % CLASSES.len()];
        let text = match class {
            Class::Title => b.title.clone(),
            Class::Typo => typo(&b.title, &mut rng),
            Class::Author => match b.authors.first() {
                Some(a) => a.clone(),
                None => continue,
            },
            Class::Prefix => {
                let words: Vec<&str> = b.title.split_whitespace().collect();
                let keep = rng.random_range(0..words.len());
                let last: String = words[keep].chars().take(3).collect();
                let mut t = words[..keep].join(" ");
                if !t.is_empty() {
                    t.push(' ');
                }
                t.push_str(&last);
                t
            }
            Class::Isbn => match b.isbns.first() {
                Some(i) => i.clone(),
                None => continue,
            },
        };
        out.push(Probe {
            class,
            text,
            target: b.id.clone(),
        });
    }
    out
}

pub fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

pub fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

pub struct Timing {
    pub all: Vec<Duration>,
    /// The slowest queries: time, text, matches.
    pub slowest: Vec<(Duration, String, usize)>,
    pub by_class: Vec<(Class, Vec<Duration>, usize, usize)>,
}

pub fn report(label: &str, t: &mut Timing) {
    t.all.sort();
    println!(
        "{label}: {} queries, p50 {}, p99 {}, max {}",
        t.all.len(),
        ms(pct(&t.all, 0.5)),
        ms(pct(&t.all, 0.99)),
        ms(*t.all.last().unwrap_or(&Duration::ZERO))
    );
    for (class, d, found, n) in &mut t.by_class {
        d.sort();
        println!(
            "  {:<7} p50 {:>10}  p99 {:>10}  intended book in the top 10: {:>5.1} %",
            format!("{class:?}"),
            ms(pct(d, 0.5)),
            ms(pct(d, 0.99)),
            100.0 * *found as f64 / (*n).max(1) as f64
        );
    }
    for (d, text, total) in &t.slowest {
        println!("  slow: {} {text:?} ({total} matches)", ms(*d));
    }
}

pub fn timing() -> Timing {
    Timing {
        all: Vec::new(),
        slowest: Vec::new(),
        by_class: CLASSES.iter().map(|c| (*c, Vec::new(), 0, 0)).collect(),
    }
}

pub fn record(t: &mut Timing, class: Class, d: Duration, found: bool) {
    t.all.push(d);
    let entry = t
        .by_class
        .iter_mut()
        .find(|e| e.0 == class)
        .expect("a benchmark query");
    entry.1.push(d);
    entry.2 += usize::from(found);
    entry.3 += 1;
}

/// Each query timed `runs` times; the fastest counts. With `runs` = 1 this
/// is the plain wall-clock latency; more runs filter out the moments the
/// benchmark thread waited for a core (other builds share the machine),
/// with warm caches.
pub fn run_search(index: &SearchIndex, probes: &[Probe], facets: bool, runs: usize) -> Timing {
    // Warm the caches with a few hundred queries first.
    for p in probes.iter().take(200) {
        index
            .search(&Query::new(p.text.as_str()).kinds(&[Kind::Book]))
            .expect("a benchmark query");
    }
    let mut t = timing();
    for p in probes {
        let q = Query::new(p.text.as_str()).limit(10).facets(facets);
        let mut d = Duration::MAX;
        let mut r = None;
        for _ in 0..runs.max(1) {
            let start = Instant::now();
            r = Some(index.search(&q).expect("a benchmark query"));
            d = d.min(start.elapsed());
        }
        let r = r.expect("a benchmark query");
        record(&mut t, p.class, d, r.hits.iter().any(|h| h.id == p.target));
        t.slowest.push((d, p.text.clone(), r.total));
    }
    t.slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    t.slowest.truncate(6);
    t
}

pub fn run_suggest(index: &SearchIndex, probes: &[Probe]) -> Vec<Duration> {
    let mut all = Vec::new();
    for p in probes.iter().filter(|p| p.class == Class::Prefix) {
        let start = Instant::now();
        index.suggest(&p.text, 8).expect("a benchmark query");
        all.push(start.elapsed());
    }
    all.sort();
    all
}

pub fn dir_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
                .sum()
        })
        .unwrap_or(0)
}
