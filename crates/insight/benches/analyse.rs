//! How long a full analysis takes, on one thread: Moby-Dick (the largest
//! of the shared novels; the aim is under 3 s) and each of the ten, beside
//! a baseline in the same run (one pass splitting every paragraph into
//! words), so numbers from different machines compare as ratios.
//! `cargo bench -p quire-insight` (reads `QUIRE_DATA`).

#[path = "../tests/it/loader.rs"]
#[allow(dead_code)]
mod loader;

use quire_insight::{Options, analyse, synopsis_until};
use quire_text::{Place, Text};
use std::hint::black_box;
use std::time::{Duration, Instant};

const RUNS: u32 = 3;

fn best<T>(mut f: impl FnMut() -> T) -> Duration {
    (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn baseline(text: &Text) -> usize {
    text.sections
        .iter()
        .flat_map(|s| &s.paragraphs)
        .map(|p| p.text.split_whitespace().count())
        .sum()
}

fn main() {
    let options = Options::default();
    println!(
        "{:<36} {:>8} {:>10} {:>10} {:>7}",
        "book", "words", "analyse", "baseline", "ratio"
    );
    for (stem, title) in loader::BOOKS {
        let text = loader::load(stem);
        let words = baseline(&text);
        let base = best(|| baseline(&text));
        let full = best(|| analyse(&text, &options));
        println!(
            "{:<36} {:>8} {:>8.0}ms {:>8.2}ms {:>6.0}x",
            title,
            words,
            full.as_secs_f64() * 1e3,
            base.as_secs_f64() * 1e3,
            full.as_secs_f64() / base.as_secs_f64().max(1e-9)
        );
        if stem == "pg2701" {
            let middle = Place {
                section: text.sections.len() as u32 / 2,
                paragraph: 0,
                sentence: 0,
            };
            let so_far = best(|| synopsis_until(&text, middle, &options));
            println!(
                "{:<36} {:>8} {:>8.0}ms",
                "  Moby-Dick: story so far to middle",
                "",
                so_far.as_secs_f64() * 1e3
            );
        }
    }
}
