//! Facet counts and filters.

use quire_search::{Filter, Query};

use crate::index;

#[test]
fn language_counts_add_up_and_each_matches_its_filter() {
    let q = Query::new("love").limit(10);
    let r = index().search(&q).unwrap();
    assert!(r.total > 50, "{}", r.total);
    let langs = &r.facets.languages;
    assert!(langs.len() >= 2, "{langs:?}");
    let sum: u64 = langs.iter().map(|l| l.count).sum();
    let without = index().search(&q.clone().limit(100)).unwrap().total as u64;
    assert!(sum <= without);
    for l in langs {
        let filtered = index()
            .search(&q.clone().filter(Filter {
                language: Some(l.value.clone()),
                ..Filter::default()
            }))
            .unwrap();
        assert_eq!(filtered.total as u64, l.count, "{}", l.value);
        assert!(
            filtered
                .hits
                .iter()
                .all(|h| h.language.as_deref() == Some(l.value.as_str()))
        );
    }
    // Books without a language are counted in no language: the rest add up.
    let all_books = crate::books();
    let no_lang_matches = r.total as u64 - sum;
    assert!(no_lang_matches <= all_books.iter().filter(|b| b.language.is_none()).count() as u64);
}

#[test]
fn a_language_filter_returns_only_that_language() {
    let r = index()
        .search(&Query::new("la ").limit(100).filter(Filter {
            language: Some("SPA".into()),
            ..Filter::default()
        }))
        .unwrap();
    assert!(!r.hits.is_empty());
    assert!(
        r.hits.iter().all(|h| h.language.as_deref() == Some("spa")),
        "{:#?}",
        r.hits
    );
    assert_eq!(r.facets.languages.len(), 1);
}

#[test]
fn decades_and_year_filters_agree() {
    let q = Query::new("war");
    let r = index().search(&q).unwrap();
    let d1990 = r
        .facets
        .decades
        .iter()
        .find(|d| d.decade == 1990)
        .unwrap()
        .count;
    let filtered = index()
        .search(&q.clone().filter(Filter {
            year_from: Some(1990),
            year_to: Some(1999),
            ..Filter::default()
        }))
        .unwrap();
    assert_eq!(filtered.total as u64, d1990);
    assert!(
        filtered
            .hits
            .iter()
            .all(|h| (1990..=1999).contains(&h.year.unwrap()))
    );
}

#[test]
fn subjects_count_and_filter() {
    let q = Query::new("the");
    let r = index().search(&q).unwrap();
    let fantasy = r
        .facets
        .subjects
        .iter()
        .find(|s| s.value == "fantasy")
        .unwrap();
    let filtered = index()
        .search(&q.clone().filter(Filter {
            subject: Some("Fantasy".into()),
            ..Filter::default()
        }))
        .unwrap();
    assert_eq!(filtered.total as u64, fantasy.count);
}
