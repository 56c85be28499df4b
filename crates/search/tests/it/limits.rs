//! Bounded queries.

use quire_search::{MAX_LIMIT, MAX_QUERY_WORDS, Query};

use crate::index;

#[test]
fn punctuation_only_finds_nothing_without_error() {
    for q in ["", "   ", "?!...", "—", "\"\"", "*"] {
        let r = index().search(&Query::new(q)).unwrap();
        assert_eq!(r.total, 0, "{q:?}");
        assert!(index().suggest(q, 5).unwrap().is_empty());
    }
}

#[test]
fn long_queries_are_cut_and_say_so() {
    let long = "war and peace ".repeat(40);
    let r = index().search(&Query::new(long)).unwrap();
    assert!(r.truncated);
    let many: Vec<String> = (0..MAX_QUERY_WORDS + 5)
        .map(|_| "the".to_string())
        .collect();
    let r = index().search(&Query::new(many.join(" "))).unwrap();
    assert!(r.truncated);
}

#[test]
fn limit_and_offset_are_capped() {
    let r = index().search(&Query::new("the").limit(10_000)).unwrap();
    assert_eq!(r.hits.len(), MAX_LIMIT);
    let page2 = index()
        .search(&Query::new("the").limit(10).offset(10))
        .unwrap();
    let page1 = index().search(&Query::new("the").limit(20)).unwrap();
    assert_eq!(page2.hits[0].id, page1.hits[10].id);
    let far = index()
        .search(&Query::new("the").offset(usize::MAX))
        .unwrap();
    assert!(far.hits.len() <= 20);
    let none = index().search(&Query::new("the").limit(0)).unwrap();
    assert!(none.hits.is_empty() && none.total > 0);
}

#[test]
fn broad_queries_stop_at_the_cap_with_estimated_counts() {
    let exact = index().search(&Query::new("the")).unwrap();
    assert!(!exact.estimated, "10,000 books stay under the cap");
    let capped = index().clone().with_match_cap(200);
    let r = capped.search(&Query::new("the")).unwrap();
    assert!(r.estimated);
    let ratio = r.total as f64 / exact.total as f64;
    assert!(
        (0.7..1.3).contains(&ratio),
        "{} vs {}",
        r.total,
        exact.total
    );
    let langs: u64 = r.facets.languages.iter().map(|l| l.count).sum();
    let exact_langs: u64 = exact.facets.languages.iter().map(|l| l.count).sum();
    // Scaled from the most popular matches, which more often carry a
    // language code than the rest: near, not equal.
    let ratio = langs as f64 / exact_langs as f64;
    assert!((0.6..1.5).contains(&ratio), "{langs} vs {exact_langs}");
    // A precise query is never estimated.
    let precise = capped.search(&Query::new("pride and prejudice")).unwrap();
    assert!(!precise.estimated);
}

#[test]
fn the_cap_ranks_the_most_popular_matches() {
    use quire_search::{BookDoc, SearchIndex};
    // 300 books that all match, added in a shuffled order of popularity,
    // in three commits (three segments).
    let index = SearchIndex::in_ram().unwrap().with_match_cap(50);
    let mut w = index.writer().unwrap();
    for chunk in 0..3u64 {
        for i in 0..100u64 {
            let n = chunk * 100 + i;
            let ratings = (n * 7_919) % 300;
            w.add(BookDoc {
                id: format!("b{n}"),
                title: format!("The Book {n}"),
                ratings,
                ..BookDoc::default()
            })
            .unwrap();
        }
        w.commit().unwrap();
    }
    let r = index.search(&Query::new("book ").limit(100)).unwrap();
    assert!(r.estimated);
    // 50 per segment, each segment's most popular.
    assert_eq!(r.hits.len(), 100);
    let mut ranked: Vec<u64> = r.hits.iter().map(|h| h.popularity).collect();
    ranked.sort_unstable_by(|a, b| b.cmp(a));
    let mut expected = Vec::new();
    for chunk in 0..3u64 {
        let mut seg: Vec<u64> = (0..100u64)
            .map(|i| ((chunk * 100 + i) * 7_919) % 300)
            .collect();
        seg.sort_unstable_by(|a, b| b.cmp(a));
        expected.extend(seg.into_iter().take(50));
    }
    expected.sort_unstable_by(|a, b| b.cmp(a));
    expected.truncate(100);
    assert_eq!(ranked, expected);
}
