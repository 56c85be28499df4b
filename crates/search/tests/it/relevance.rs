//! The examples and the matching rules, on the real 10,000 books.

use quire_search::{Kind, Query, Why};

use crate::{book, index};

fn titles(q: &str, n: usize) -> Vec<(String, Vec<String>)> {
    let r = index().search(&Query::new(q).limit(n)).unwrap();
    r.hits.into_iter().map(|h| (h.title, h.authors)).collect()
}

#[test]
fn a_typo_finds_pride_and_prejudice_first() {
    let r = index().search(&Query::new("pride and prejudce")).unwrap();
    assert!(!r.relaxed, "every word matched, the typo included");
    let first = &r.hits[0];
    assert_eq!(first.title, "Pride and Prejudice");
    assert_eq!(first.authors[0], "Jane Austen");
    assert!(
        first.why.contains(&Why::Typo) || first.why.contains(&Why::Prefix),
        "{:?}",
        first.why
    );
}

#[test]
fn an_exact_title_outranks_a_typo_match() {
    // "emma" is exact for Austen's Emma; "gemma", "emmy" would be typos.
    let r = index().search(&Query::new("emma ")).unwrap();
    assert_eq!(r.hits[0].title, "Emma", "{:?}", titles("emma ", 5));
    assert!(r.hits[0].why.contains(&Why::Title));
}

#[test]
fn austen_lists_her_own_books_before_austenland() {
    let hits = titles("austen", 20);
    let austenland = hits
        .iter()
        .position(|(t, _)| t == "Austenland")
        .expect("Austenland is found too, as a prefix match");
    let own: Vec<usize> = hits
        .iter()
        .enumerate()
        .filter(|(_, (_, a))| a.first().map(String::as_str) == Some("Jane Austen"))
        .map(|(i, _)| i)
        .collect();
    assert!(own.len() >= 6, "{hits:#?}");
    // The first several hits are all hers, and Austenland comes after them.
    assert!(
        own[..6].iter().enumerate().all(|(i, &p)| i == p),
        "{hits:#?}"
    );
    assert!(austenland > own[5], "{hits:#?}");
    let top3: Vec<&str> = hits[..3].iter().map(|(t, _)| t.as_str()).collect();
    assert!(top3.contains(&"Pride and Prejudice"), "{top3:?}");
}

#[test]
fn hary_poter_finds_harry_potter() {
    let r = index().search(&Query::new("hary poter")).unwrap();
    assert!(!r.relaxed);
    assert!(r.hits[0].why.contains(&Why::Typo), "{:?}", r.hits[0].why);
    let hits = titles("hary poter", 10);
    let potter = hits
        .iter()
        .filter(|(t, a)| t.starts_with("Harry Potter") && a[0] == "J.K. Rowling")
        .count();
    assert!(potter >= 5, "{hits:#?}");
    assert!(hits[0].0.starts_with("Harry Potter"), "{hits:#?}");
}

#[test]
fn an_isbn_finds_its_book_first_in_either_form() {
    let gatsby = book("The Great Gatsby", "F. Scott Fitzgerald");
    let ten = &gatsby.isbns[0];
    let thirteen = quire_search::isbn::to13(ten).unwrap();
    let hyphenated = format!(
        "{}-{}-{}-{}",
        &thirteen[..3],
        &thirteen[3..4],
        &thirteen[4..9],
        &thirteen[9..]
    );
    for q in [ten.clone(), thirteen.clone(), hyphenated] {
        let r = index().search(&Query::new(q.clone())).unwrap();
        assert_eq!(r.hits[0].id, gatsby.id, "{q}");
        assert_eq!(r.hits[0].why, vec![Why::Isbn]);
    }
}

#[test]
fn an_isbn_with_a_leading_zero_lost_in_the_csv_still_finds_its_book() {
    let b = crate::books()
        .iter()
        .find(|b| b.isbns.first().is_some_and(|i| i.starts_with('0')))
        .unwrap();
    let r = index().search(&Query::new(b.isbns[0].clone())).unwrap();
    assert_eq!(r.hits[0].id, b.id);
}

#[test]
fn prefix_completion_suggests_pride_and_prejudice() {
    let s = index().suggest("pride and prej", 5).unwrap();
    assert_eq!(s[0].text, "Pride and Prejudice", "{s:#?}");
    assert_eq!(s[0].kind, Kind::Book);
    // The search box gives the same book first for the same prefix.
    let r = index().search(&Query::new("pride and prej")).unwrap();
    assert_eq!(r.hits[0].title, "Pride and Prejudice");
}

#[test]
fn suggestions_include_author_names_by_popularity() {
    let s = index().suggest("stephen k", 5).unwrap();
    assert!(
        s.iter()
            .any(|s| s.text == "Stephen King" && s.kind == Kind::Author),
        "{s:#?}"
    );
    let pops: Vec<u64> = s.iter().map(|s| s.popularity).collect();
    assert!(pops.windows(2).all(|w| w[0] >= w[1]), "{pops:?}");
}

#[test]
fn accents_fold_both_ways() {
    let hits = titles("bronte", 20);
    assert!(
        hits.iter()
            .any(|(_, a)| a.iter().any(|a| a.contains("Brontë"))),
        "{hits:#?}"
    );
    let accented = titles("Brontë", 20);
    assert_eq!(hits, accented);
}

#[test]
fn stemming_matches_other_forms_of_a_title_word() {
    // "hunger games" vs the typed singular "game".
    let hits = titles("hunger game ", 3);
    assert_eq!(hits[0].0, "The Hunger Games", "{hits:#?}");
}

#[test]
fn title_matches_outrank_subject_matches() {
    // "fantasy" is a subject of many tagged books and a word of a few titles.
    let r = index().search(&Query::new("fantasy ").limit(5)).unwrap();
    assert!(r.hits[0].why.contains(&Why::Title), "{:#?}", r.hits);
}

#[test]
fn words_too_short_for_typos_must_match_exactly() {
    // "cay" is three letters: no typo allowance, so "cat" and "day" do not match it.
    let r = index().search(&Query::new("cay ")).unwrap();
    for h in &r.hits {
        let all = format!(
            "{} {} {:?} {:?}",
            h.title,
            h.authors.join(" "),
            h.subtitle,
            h.series
        )
        .to_lowercase();
        assert!(all.contains("cay"), "{h:#?}");
    }
}

#[test]
fn a_word_found_nowhere_relaxes_to_the_other_words() {
    let r = index().search(&Query::new("gatsby qqqqzzz ")).unwrap();
    assert!(r.relaxed);
    assert_eq!(r.hits[0].title, "The Great Gatsby");
}

#[test]
fn a_common_word_may_stand_in_the_series() {
    // "the" is only in the series of Catching Fire ("The Hunger Games"): a
    // common word is matched in any of a book's names, so every word matches.
    let r = index()
        .search(&Query::new("the hunger games catching fire").limit(3))
        .unwrap();
    assert!(!r.relaxed);
    assert_eq!(r.hits[0].title, "Catching Fire", "{:#?}", r.hits);
}

#[test]
fn a_relaxed_search_may_also_leave_out_a_common_word() {
    // Nothing has "qqqqzzz"; The Great Gatsby has "gatsby" but not "of".
    // The word that may be missing is one of the uncommon ones, and common
    // words are not counted, so Gatsby is still found.
    let r = index().search(&Query::new("of gatsby qqqqzzz ")).unwrap();
    assert!(r.relaxed);
    assert_eq!(r.hits[0].title, "The Great Gatsby", "{:#?}", r.hits);
}
