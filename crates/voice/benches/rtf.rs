//! Each voice's real-time factor: seconds of synthesis per second of
//! speech, on the opening of Pride and Prejudice (about 100 words), best of
//! three. Below 1 a voice speaks faster than it is heard. The neural
//! voice's first run, which opens the model, is shown apart.
//!
//! `cargo bench -p quire-voice` (QUIRE_DATA points at the shared data when
//! it is not beside the checkout).

use quire_voice::{Config, VoiceKind, Voices};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() {
    let text = paragraph();
    let words = text.split_whitespace().count();
    println!(
        "text: the opening of Pride and Prejudice, {words} words, {} characters",
        text.chars().count()
    );

    let config = Config::from_env();
    let voices = Voices::discover(&config);
    let mut two_threads = Config::from_env();
    two_threads.neural_threads = 2;
    let voices_2 = Voices::discover(&two_threads);

    // (label, audio, best, first run)
    let mut rows: Vec<(String, Duration, Duration, Duration)> = Vec::new();
    for info in voices.list() {
        if !info.available {
            println!(
                "{}: missing, install with `{}`",
                info.label,
                info.install.unwrap_or_default()
            );
            continue;
        }
        let (first, audio, best) = measure(&voices, &info.id, &text);
        rows.push((info.label.clone(), audio, best, first));
        if info.kind == VoiceKind::Neural {
            let (first, audio, best) = measure(&voices_2, &info.id, &text);
            rows.push((format!("{} ×2 threads", info.label), audio, best, first));
        }
    }
    // espeak-ng's Kate is the baseline: how many times heavier each voice is.
    let rtf = |audio: Duration, best: Duration| best.as_secs_f64() / audio.as_secs_f64();
    let kate = rows
        .iter()
        .find(|r| r.0.starts_with("Kate"))
        .map(|r| rtf(r.1, r.2));
    println!(
        "{:<50} {:>8} {:>8} {:>7} {:>9} {:>9}",
        "voice", "audio s", "synth s", "RTF", "× Kate", "1st run s"
    );
    for (label, audio, best, first) in &rows {
        let r = rtf(*audio, *best);
        let times = kate
            .map(|k| format!("{:.1}", r / k))
            .unwrap_or_else(|| "-".into());
        println!(
            "{label:<50} {:>8.2} {:>8.3} {r:>7.3} {times:>9} {:>9.3}",
            audio.as_secs_f64(),
            best.as_secs_f64(),
            first.as_secs_f64()
        );
    }
}

/// The first run's time, the audio's length, and the best of three runs.
fn measure(voices: &Voices, id: &str, text: &str) -> (Duration, Duration, Duration) {
    let mut best = Duration::MAX;
    let mut first = Duration::ZERO;
    let mut audio = Duration::ZERO;
    for run in 0..4 {
        let start = Instant::now();
        let result = match voices.synthesise(id, text) {
            Ok(result) => result,
            Err(e) => {
                eprintln!("{id}: {e}");
                std::process::exit(1);
            }
        };
        let took = start.elapsed();
        audio = result.duration;
        if run == 0 {
            first = took;
        } else {
            best = best.min(took);
        }
    }
    (first, audio, best)
}

/// The novel's first three paragraphs and the start of the dialogue, read
/// from the shared Gutenberg text.
fn paragraph() -> String {
    let data = std::env::var_os("QUIRE_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let path = data.join("gutenberg/txt/pg1342.txt");
    let book = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!(
            "{}: {e}; set QUIRE_DATA to the shared data folder",
            path.display()
        );
        std::process::exit(1);
    });
    let Some(start) = book.find("It is a truth universally acknowledged") else {
        eprintln!("{}: the opening sentence is not there", path.display());
        std::process::exit(1);
    };
    let mut text = String::new();
    for paragraph in book[start..].split("\n\n") {
        if text.split_whitespace().count() >= 90 {
            break;
        }
        text.push_str(&paragraph.replace('\n', " "));
        text.push_str("\n\n");
    }
    text.trim().to_owned()
}
