//! Rebuilds `src/background.tsv`, the general-English background of key
//! terms, from the ten shared novels: each stem's average uses per million
//! words, kept when it occurs in at least four of the ten books.
//! `cargo run -p quire-insight --example background` (reads `QUIRE_DATA`).

#[path = "../tests/it/loader.rs"]
#[allow(dead_code)]
mod loader;

use std::collections::HashMap;
use std::fmt::Write as _;

const MIN_BOOKS: usize = 4;

fn main() -> std::io::Result<()> {
    let mut rates: HashMap<String, Vec<f64>> = HashMap::new();
    for (stem, _) in loader::BOOKS {
        let (counts, total) = quire_insight::stem_counts(&loader::load(stem));
        for (s, n) in counts {
            rates
                .entry(s)
                .or_default()
                .push(n as f64 * 1.0e6 / total.max(1) as f64);
        }
    }
    let books = loader::BOOKS.len() as f64;
    let mut rows: Vec<(String, f64)> = rates
        .into_iter()
        .filter(|(_, r)| r.len() >= MIN_BOOKS)
        .map(|(s, r)| (s, r.iter().sum::<f64>() / books))
        .filter(|&(_, f)| f >= 1.0)
        .collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out = String::new();
    for (s, f) in &rows {
        let _ = writeln!(out, "{s}\t{f:.1}");
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/background.tsv");
    std::fs::write(&path, out)?;
    eprintln!("{} stems written to {}", rows.len(), path.display());
    Ok(())
}
