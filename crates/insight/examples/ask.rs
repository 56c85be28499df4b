//! Asks one of the shared novels a question and prints the passages found,
//! to look at by eye: `cargo run -p quire-insight --example ask -- pg1342
//! "Who does Elizabeth marry?"`.

#[path = "../tests/it/loader.rs"]
#[allow(dead_code)]
mod loader;

use quire_insight::{AskIndex, Options, analyse};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((stem, questions)) = args.split_first() else {
        eprintln!("usage: ask BOOK QUESTION...");
        return;
    };
    let text = loader::load(stem);
    let analysis = analyse(&text, &Options::default());
    let index = AskIndex::build(&text, &analysis);
    for question in questions {
        println!("## {question}");
        println!("   understood: {:?}", index.understood(question, None));
        for hit in index.ask(&text, question, None, 5) {
            let section = &text.sections[hit.section as usize];
            let mut shown = String::new();
            for p in hit.paragraphs.clone() {
                let para = &section.paragraphs[p as usize].text;
                let mut at = 0;
                for h in hit.highlights.iter().filter(|h| h.paragraph == p) {
                    let (a, b) = (h.range.start as usize, h.range.end as usize);
                    shown.push_str(&para[at..a]);
                    shown.push('[');
                    shown.push_str(&para[a..b]);
                    shown.push(']');
                    at = b;
                }
                shown.push_str(&para[at..]);
                shown.push_str(" ¶ ");
            }
            let cut: String = shown.chars().take(400).collect();
            println!(
                "-- {:.2} {} ¶{:?}: {cut}",
                hit.score, section.label, hit.paragraphs
            );
        }
    }
}
