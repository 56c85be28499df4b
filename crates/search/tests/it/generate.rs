//! The goodbooks-shaped generator.

use std::collections::HashSet;

use quire_search::generate::Generator;

use crate::books;

#[test]
fn the_same_seed_gives_the_same_books() {
    let g = Generator::from_books(books()).unwrap();
    let a: Vec<_> = g.books(7).take(2_000).collect();
    let b: Vec<_> = g.books(7).take(2_000).collect();
    assert_eq!(a, b);
    let c: Vec<_> = g.books(8).take(2_000).collect();
    assert_ne!(a, c);
}

#[test]
fn generated_books_look_like_the_sample() {
    let g = Generator::from_books(books()).unwrap();
    let made_books: Vec<_> = g.books(1).take(20_000).collect();
    let ids: HashSet<_> = made_books.iter().map(|b| &b.id).collect();
    let isbns: HashSet<_> = made_books.iter().map(|b| &b.isbns[0]).collect();
    assert_eq!(ids.len(), made_books.len());
    assert_eq!(isbns.len(), made_books.len());
    for i in made_books.iter().take(100) {
        assert!(
            quire_search::isbn::normalize(&i.isbns[0]).is_some(),
            "{:?}",
            i.isbns
        );
    }
    // Ratings follow the real distribution: compare medians within 20 %.
    let median = |mut v: Vec<u64>| {
        v.sort_unstable();
        v[v.len() / 2] as f64
    };
    let real = median(books().iter().map(|b| b.ratings).collect());
    let made = median(made_books.iter().map(|b| b.ratings).collect());
    assert!((made / real - 1.0).abs() < 0.2, "{made} vs {real}");
    let eng = |v: &mut dyn Iterator<Item = &Option<String>>| {
        let (n, e) = v.fold((0, 0), |(n, e), l| {
            (n + 1, e + usize::from(l.as_deref() == Some("eng")))
        });
        e as f64 / n as f64
    };
    let (r, m) = (
        eng(&mut books().iter().map(|b| &b.language)),
        eng(&mut made_books.iter().map(|b| &b.language)),
    );
    assert!((r - m).abs() < 0.03, "{r} vs {m}");
    // Titles use the real titles' words.
    let vocab: HashSet<&str> = books()
        .iter()
        .flat_map(|b| b.title.split_whitespace())
        .collect();
    assert!(
        made_books
            .iter()
            .take(500)
            .all(|b| b.title.split_whitespace().all(|w| vocab.contains(w)))
    );
}
