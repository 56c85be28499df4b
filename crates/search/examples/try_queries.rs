//! `cargo run -p quire-search --example try_queries -- "austen" "hary poter"`:
//! the real 10,000 books in memory, and for each argument the top 12 hits
//! (score, title, authors, why) and five suggestions. For looking at ranking.

#![allow(clippy::unwrap_used)]
use quire_search::{Query, SearchIndex, goodbooks};
use std::path::PathBuf;
fn main() {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/goodbooks-10k");
    let subjects = goodbooks::read_subjects(
        &data.join("subset-547/book_tags.csv"),
        &data.join("tags.csv"),
    )
    .unwrap();
    let real = goodbooks::read_books(&data.join("books.csv"), &subjects).unwrap();
    let index = SearchIndex::in_ram().unwrap();
    index.rebuild(real).unwrap();
    for q in std::env::args().skip(1) {
        let r = index.search(&Query::new(q.as_str()).limit(12)).unwrap();
        println!(
            "== {q:?}: {} matches relaxed={} est={}",
            r.total, r.relaxed, r.estimated
        );
        for h in r.hits {
            println!(
                "  {:>8.2} {} — {} {:?}",
                h.score,
                h.title,
                h.authors.join(", "),
                h.why
            );
        }
        let s = index.suggest(&q, 5).unwrap();
        println!(
            "  suggest: {:?}",
            s.iter().map(|s| (&s.text, s.kind)).collect::<Vec<_>>()
        );
    }
}
