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

use std::path::PathBuf;
use std::time::Instant;

use quire_search::bench::{
    Probe, Timing, dir_size, ms, pct, probes, record, report, run_search, run_suggest, timing,
};
use quire_search::generate::Generator;
use quire_search::{BookDoc, RebuildOptions, SearchIndex, goodbooks};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
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
