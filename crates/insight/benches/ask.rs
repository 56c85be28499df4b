//! Ask anything and catch-up on Moby-Dick (the largest shared novel): the
//! time to build the retrieval index, to cache it as JSON and read it
//! back, the latency of about fifty questions (p50 and p95; the aim is a
//! p50 under 10 ms) with the spoiler guard at the middle of the book and
//! without it, and "catch me up to chapter N" prepared once and not.
//! Beside a baseline in the same run (one pass splitting every paragraph
//! into words), so numbers from different machines compare as ratios.
//! `cargo bench -p quire-insight --bench ask` (reads `QUIRE_DATA`).

#[path = "../tests/it/loader.rs"]
#[allow(dead_code)]
mod loader;

use quire_insight::{AskIndex, Options, Recap, analyse, catch_up};
use quire_text::{Place, Text};
use std::hint::black_box;
use std::time::{Duration, Instant};

const RUNS: u32 = 3;
/// Each question is asked this many times; every time counts.
const REPEATS: usize = 5;

const QUESTIONS: &[&str] = &[
    "Who is the captain of the Pequod?",
    "What did Ahab nail to the mast?",
    "Where is Queequeg a native of?",
    "What took off Ahab's leg?",
    "Who is Starbuck?",
    "Why does Ishmael go to sea?",
    "What is the white whale?",
    "the whiteness of the whale",
    "Who is Fedallah?",
    "the doubloon",
    "What happens to the Pequod at the end?",
    "Queequeg's coffin",
    "ambergris",
    "How is a whale's head cut off?",
    "the try-works at night",
    "Stubb kills a whale",
    "Flask and the third boat",
    "What does Ahab say to the carpenter about his leg?",
    "Father Mapple's sermon about Jonah",
    "Tashtego falls into the whale's head",
    "Pip jumps from the boat",
    "What is spermaceti?",
    "the Rachel searching for her lost boat",
    "Ahab breaks the quadrant",
    "the compass needles turned",
    "Who is Bildad?",
    "Peleg and Bildad sign Ishmael",
    "Nantucket",
    "the Spouter-Inn landlord",
    "What is a gam?",
    "harpooneer",
    "the line of a whale boat",
    "Moby Dick breaches",
    "St. Elmo's fire on the masts",
    "the Jeroboam and Gabriel",
    "Elijah warns Ishmael",
    "Queequeg's idol Yojo",
    "sharks around the whale",
    "the cassock",
    "squid",
    "Why did Ahab hate the whale?",
    "lances forged in blood",
    "Samuel Enderby captain's arm",
    "the Town-Ho's story",
    "What does Ishmael think of whiteness?",
    "cutting in the blubber",
    "the great Armada of whales",
    "Ahab and Starbuck on the last day",
    "the sea hawk and the flag",
    "Ishmael floats on the coffin",
];

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

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// p50 and p95 of the questions' latencies.
fn latencies(index: &AskIndex, text: &Text, up_to: Option<Place>) -> (Duration, Duration) {
    let mut times: Vec<Duration> = Vec::new();
    for q in QUESTIONS {
        for _ in 0..REPEATS {
            let t = Instant::now();
            black_box(index.ask(text, q, up_to, 10));
            times.push(t.elapsed());
        }
    }
    times.sort();
    let at = |share: f64| times[((times.len() - 1) as f64 * share).round() as usize];
    (at(0.5), at(0.95))
}

fn main() {
    let text = loader::load("pg2701");
    let analysis = analyse(&text, &Options::default());
    let options = Options::default();
    let base = best(|| baseline(&text));
    let build = best(|| AskIndex::build(&text, &analysis));
    let index = AskIndex::build(&text, &analysis);
    let json = serde_json::to_string(&index).unwrap_or_default();
    let write = best(|| serde_json::to_string(&index));
    let read = best(|| serde_json::from_str::<AskIndex>(&json));
    let middle = Place {
        section: text.sections.len() as u32 / 2,
        paragraph: 0,
        sentence: 0,
    };
    let (open50, open95) = latencies(&index, &text, None);
    let (guard50, guard95) = latencies(&index, &text, Some(middle));
    let recap_new = best(|| Recap::new(&text));
    let recap = Recap::new(&text);
    let chapters = [10u32, 40, 80, 130];
    let prepared = best(|| {
        for n in chapters {
            black_box(recap.through(n, None, &options));
        }
    }) / chapters.len() as u32;
    let unprepared = best(|| {
        for n in chapters {
            black_box(catch_up(&text, n, None, &options));
        }
    }) / chapters.len() as u32;

    println!(
        "Moby-Dick: {} passages, {} questions asked {REPEATS} times each",
        index.passages(),
        QUESTIONS.len()
    );
    let row = |what: &str, d: Duration| {
        println!(
            "{what:<44} {:>9.2}ms {:>7.1}x baseline",
            ms(d),
            d.as_secs_f64() / base.as_secs_f64().max(1e-9)
        );
    };
    row("baseline (split every paragraph)", base);
    row("index build", build);
    row(&format!("index to JSON ({} KB)", json.len() / 1024), write);
    row("index from JSON", read);
    row("ask, no guard, p50", open50);
    row("ask, no guard, p95", open95);
    row("ask, guard at the middle, p50", guard50);
    row("ask, guard at the middle, p95", guard95);
    row("recap: prepare once (Recap::new)", recap_new);
    row("catch up to chapter N, prepared", prepared);
    row("catch up to chapter N, unprepared", unprepared);
}
