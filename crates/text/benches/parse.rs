//! Time to read each of the ten shared novels, as plain text and as EPUB,
//! into sections, paragraphs and sentences. Prints milliseconds (the
//! median of a few runs) and, as a baseline from the same run, the time
//! to split the same text into lines and count its words, so a slow
//! machine and a slow parser can be told apart.
//!
//!     cargo bench -p quire-text

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use quire_text::{Limits, from_epub, gutenberg};

const BOOKS: [(&str, &str); 10] = [
    ("pg1342.txt", "pg1342-images.epub"),
    ("pg84.txt", "pg84-images-3.epub"),
    ("pg2701.txt", "pg2701-images-3.epub"),
    ("pg345.txt", "pg345-images-3.epub"),
    ("pg514.txt", "pg514-images-3.epub"),
    ("pg64317.txt", "pg64317-images-3.epub"),
    ("pg11.txt", "pg11-images-3.epub"),
    ("pg1260.txt", "pg1260-images-3.epub"),
    ("pg768.txt", "pg768-images-3.epub"),
    ("pg1661.txt", "pg1661-images-3.epub"),
];

const RUNS: usize = 5;

fn data() -> PathBuf {
    std::env::var_os("QUIRE_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
        .join("gutenberg")
}

/// The median of `RUNS` timings of `f`, in milliseconds.
fn median_ms(mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[RUNS / 2]
}

fn main() {
    let limits = Limits::default();
    println!(
        "{:<12} {:>9} {:>10} {:>10} {:>22} {:>9}",
        "book", "txt ms", "epub ms", "lines ms", "txt / lines baseline", "sections"
    );
    let (mut total_txt, mut total_epub) = (0.0, 0.0);
    for (txt, epub) in BOOKS {
        let text = match std::fs::read(data().join("txt").join(txt)) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{txt}: {e}; set QUIRE_DATA to the shared data folder");
                return;
            }
        };
        let bytes = match std::fs::read(data().join("epub").join(epub)) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{epub}: {e}");
                return;
            }
        };
        let mut sections = 0;
        let t_txt = median_ms(
            || match gutenberg::from_gutenberg_bytes(&text, txt, &limits) {
                Ok(t) => sections = black_box(t).sections.len(),
                Err(e) => eprintln!("{txt}: {e}"),
            },
        );
        let t_epub = median_ms(|| match from_epub(&bytes, epub, &limits) {
            Ok(t) => {
                black_box(t);
            }
            Err(e) => eprintln!("{epub}: {e}"),
        });
        let t_lines = median_ms(|| {
            let s = String::from_utf8_lossy(&text);
            let words: usize = s.lines().map(|l| l.split_whitespace().count()).sum();
            black_box(words);
        });
        total_txt += t_txt;
        total_epub += t_epub;
        println!(
            "{:<12} {:>9.1} {:>10.1} {:>10.2} {:>22.1} {:>9}",
            txt.trim_end_matches(".txt"),
            t_txt,
            t_epub,
            t_lines,
            t_txt / t_lines.max(1e-6),
            sections
        );
    }
    println!("all ten: {total_txt:.0} ms as plain text, {total_epub:.0} ms as EPUB");
    compare_sentences(&limits);
}

/// Counts, on Pride and Prejudice, the breaks of quire-text's splitter and
/// of Unicode's sentence boundaries (UAX #29, `unicode-segmentation`) that
/// are surely wrong: a sentence ending in a title ("Mr.") inside its
/// paragraph, and a sentence starting with a small letter.
fn compare_sentences(limits: &Limits) {
    use unicode_segmentation::UnicodeSegmentation;
    let Ok(bytes) = std::fs::read(data().join("txt").join("pg1342.txt")) else {
        return;
    };
    let Ok(book) = gutenberg::from_gutenberg_bytes(&bytes, "pg1342.txt", limits) else {
        return;
    };
    let titles = ["Mr.", "Mrs.", "Dr.", "St.", "Messrs."];
    let judge = |sentences: &[&str]| -> (usize, usize, usize) {
        let n = sentences.len();
        let after_title = sentences
            .iter()
            .take(n.saturating_sub(1))
            .filter(|s| titles.iter().any(|t| s.ends_with(t)))
            .count();
        let lower = sentences
            .iter()
            .skip(1)
            .filter(|s| s.starts_with(char::is_lowercase))
            .count();
        (n, after_title, lower)
    };
    let (mut ours, mut uax) = ((0, 0, 0), (0, 0, 0));
    let t = Instant::now();
    for p in book.sections.iter().flat_map(|s| &s.paragraphs) {
        let mine: Vec<&str> = quire_text::sentences::split(&p.text)
            .into_iter()
            .map(|r| &p.text[r.start as usize..r.end as usize])
            .collect();
        let (a, b, c) = judge(&mine);
        ours = (ours.0 + a, ours.1 + b, ours.2 + c);
    }
    let t_ours = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    for p in book.sections.iter().flat_map(|s| &s.paragraphs) {
        let theirs: Vec<&str> = p.text.unicode_sentences().map(str::trim).collect();
        let (a, b, c) = judge(&theirs);
        uax = (uax.0 + a, uax.1 + b, uax.2 + c);
    }
    let t_uax = t.elapsed().as_secs_f64() * 1000.0;
    println!();
    println!(
        "sentences of Pride and Prejudice: splitter, sentences, breaks after a title, sentences starting in lower case"
    );
    println!(
        "  quire-text rules  {:>6} {:>6} {:>6}  ({t_ours:.1} ms)",
        ours.0, ours.1, ours.2
    );
    println!(
        "  UAX #29           {:>6} {:>6} {:>6}  ({t_uax:.1} ms)",
        uax.0, uax.1, uax.2
    );
}
