//! `cargo bench -p quire-search`: builds a search index of generated,
//! goodbooks-shaped books on disk and times searches over it, then does the
//! same for the real goodbooks-10k books beside a plain substring scan of
//! their titles and authors (what Quire's SQL `LIKE` search does today).
//!
//! Environment:
//! - `QUIRE_SEARCH_BOOKS`: how many generated books (default 1,000,000);
//! - `QUIRE_SEARCH_THREADS`: indexing threads (default: cores, at most 4);
//! - `QUIRE_SEARCH_QUERIES`: queries per run (default 2,000).
//!
//! It prints numbers and asserts no time.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use quire_search::generate::Generator;
use quire_search::{BookDoc, Kind, Query, RebuildOptions, SearchIndex, goodbooks};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Title,
    Typo,
    Author,
    Prefix,
    Isbn,
}

const CLASSES: [Class; 5] = [
    Class::Title,
    Class::Typo,
    Class::Author,
    Class::Prefix,
    Class::Isbn,
];

struct Probe {
    class: Class,
    text: String,
    /// The book the query was made from.
    target: String,
}

/// One typo in the longest word: a swap of two neighbours, a dropped
/// letter or a doubled one, in turn.
fn typo(title: &str, rng: &mut StdRng) -> String {
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

fn probes(books: &[BookDoc], count: usize, seed: u64) -> Vec<Probe> {
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

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

struct Timing {
    all: Vec<Duration>,
    /// The slowest queries: time, text, matches.
    slowest: Vec<(Duration, String, usize)>,
    by_class: Vec<(Class, Vec<Duration>, usize, usize)>,
}

fn report(label: &str, t: &mut Timing) {
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

fn timing() -> Timing {
    Timing {
        all: Vec::new(),
        slowest: Vec::new(),
        by_class: CLASSES.iter().map(|c| (*c, Vec::new(), 0, 0)).collect(),
    }
}

fn record(t: &mut Timing, class: Class, d: Duration, found: bool) {
    t.all.push(d);
    let entry = t.by_class.iter_mut().find(|e| e.0 == class).unwrap();
    entry.1.push(d);
    entry.2 += usize::from(found);
    entry.3 += 1;
}

/// Each query timed `runs` times; the fastest counts. With `runs` = 1 this
/// is the plain wall-clock latency; more runs filter out the moments the
/// benchmark thread waited for a core (other builds share the machine),
/// with warm caches.
fn run_search(index: &SearchIndex, probes: &[Probe], facets: bool, runs: usize) -> Timing {
    // Warm the caches with a few hundred queries first.
    for p in probes.iter().take(200) {
        index
            .search(&Query::new(p.text.as_str()).kinds(&[Kind::Book]))
            .unwrap();
    }
    let mut t = timing();
    for p in probes {
        let q = Query::new(p.text.as_str()).limit(10).facets(facets);
        let mut d = Duration::MAX;
        let mut r = None;
        for _ in 0..runs.max(1) {
            let start = Instant::now();
            r = Some(index.search(&q).unwrap());
            d = d.min(start.elapsed());
        }
        let r = r.unwrap();
        record(&mut t, p.class, d, r.hits.iter().any(|h| h.id == p.target));
        t.slowest.push((d, p.text.clone(), r.total));
    }
    t.slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    t.slowest.truncate(6);
    t
}

fn run_suggest(index: &SearchIndex, probes: &[Probe]) -> Vec<Duration> {
    let mut all = Vec::new();
    for p in probes.iter().filter(|p| p.class == Class::Prefix) {
        let start = Instant::now();
        index.suggest(&p.text, 8).unwrap();
        all.push(start.elapsed());
    }
    all.sort();
    all
}

fn dir_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
                .sum()
        })
        .unwrap_or(0)
}

/// Lower case and strip Latin accents, as Quire's `fold` does for the LIKE search.
fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
}

fn run_baseline(books: &[BookDoc], probes: &[Probe]) -> Timing {
    let folded: Vec<(String, &BookDoc)> = books
        .iter()
        .map(|b| (fold(&format!("{} {}", b.title, b.authors.join(" "))), b))
        .collect();
    let mut t = timing();
    for p in probes {
        let start = Instant::now();
        let q = fold(&p.text);
        let mut hits: Vec<&BookDoc> = folded
            .iter()
            .filter(|(text, _)| text.contains(&q))
            .map(|(_, b)| *b)
            .collect();
        hits.sort_by_key(|b| std::cmp::Reverse(b.ratings));
        hits.truncate(10);
        let d = start.elapsed();
        record(&mut t, p.class, d, hits.iter().any(|b| b.id == p.target));
    }
    t
}

fn main() {
    let n = env_usize("QUIRE_SEARCH_BOOKS", 1_000_000);
    let queries = env_usize("QUIRE_SEARCH_QUERIES", 2_000);
    let mut options = RebuildOptions::default();
    options.threads = env_usize("QUIRE_SEARCH_THREADS", options.threads);

    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/goodbooks-10k");
    let subjects = goodbooks::read_subjects(
        &data.join("subset-547/book_tags.csv"),
        &data.join("tags.csv"),
    )
    .unwrap();
    let real = goodbooks::read_books(&data.join("books.csv"), &subjects).unwrap();
    let generator = Generator::from_books(&real).unwrap();

    println!(
        "quire-search benchmark: {n} generated books, {} indexing threads",
        options.threads
    );
    let start = Instant::now();
    let books: Vec<BookDoc> = generator.books(42).take(n).collect();
    println!(
        "generated {} books in {:.1} s",
        books.len(),
        start.elapsed().as_secs_f64()
    );
    let probes_gen = probes(&books, queries, 7);

    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::create_in_dir(dir.path()).unwrap();
    let start = Instant::now();
    let stats = index.rebuild_with(books, &options).unwrap();
    let build = start.elapsed();
    println!(
        "index build: {} docs in {:.1} s ({:.0} docs/s), {} segment(s), {:.1} MB on disk",
        stats.indexed,
        build.as_secs_f64(),
        stats.indexed as f64 / build.as_secs_f64(),
        index.segments(),
        dir_size(dir.path()) as f64 / 1e6
    );
    report(
        &format!("search over {n} (with facets)"),
        &mut run_search(&index, &probes_gen, true, 1),
    );
    report(
        &format!("search over {n} (with facets, best of 3 runs)"),
        &mut run_search(&index, &probes_gen, true, 3),
    );
    report(
        &format!("search over {n} (no facets)"),
        &mut run_search(&index, &probes_gen, false, 1),
    );
    let s = run_suggest(&index, &probes_gen);
    println!(
        "suggest over {n}: {} prefixes, p50 {}, p99 {}",
        s.len(),
        ms(pct(&s, 0.5)),
        ms(pct(&s, 0.99))
    );
    drop(index);
    drop(dir);
    // The substring scan at the same size, on a tenth of the queries (it is slow).
    let books: Vec<BookDoc> = generator.books(42).take(n).collect();
    let few: Vec<Probe> = probes_gen.into_iter().step_by(7).collect();
    report(
        &format!("baseline: substring scan over the {n} titles and authors"),
        &mut run_baseline(&books, &few),
    );
    drop(books);

    println!();
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::create_in_dir(dir.path()).unwrap();
    let start = Instant::now();
    index.rebuild_with(real.iter().cloned(), &options).unwrap();
    println!(
        "real goodbooks-10k: index build {:.2} s, {:.1} MB on disk",
        start.elapsed().as_secs_f64(),
        dir_size(dir.path()) as f64 / 1e6
    );
    let probes_real = probes(&real, queries, 11);
    let mut tantivy = run_search(&index, &probes_real, true, 1);
    report("search over the 10,000 (with facets)", &mut tantivy);
    let mut like = run_baseline(&real, &probes_real);
    report(
        "baseline: substring scan over the 10,000 folded titles and authors",
        &mut like,
    );
    let s = run_suggest(&index, &probes_real);
    println!(
        "suggest over the 10,000: {} prefixes, p50 {}, p99 {}",
        s.len(),
        ms(pct(&s, 0.5)),
        ms(pct(&s, 0.99))
    );
    let ratio = pct(&like.all, 0.5).as_secs_f64() / pct(&tantivy.all, 0.5).as_secs_f64();
    println!("p50 ratio, substring scan / index: {ratio:.1}×");
}
