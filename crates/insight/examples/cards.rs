//! Prints the flashcards of one of the shared novels as the Anki file,
//! to look at by eye or import: `cargo run -p quire-insight --example
//! cards -- pg1342 > deck.txt`.

#[path = "../tests/it/loader.rs"]
#[allow(dead_code)]
mod loader;

use quire_insight::{Options, analyse, anki_export, cards};

fn main() {
    let stem = std::env::args().nth(1).unwrap_or_else(|| "pg1342".into());
    let text = loader::load(&stem);
    let analysis = analyse(&text, &Options::default());
    let deck = cards(&text, &analysis, None);
    let title = text.title.clone().unwrap_or(stem);
    print!("{}", anki_export(&text, &title, &deck));
}
