//! The insight page's answers: every quote verbatim from its source,
//! nothing past the reader's place, the ending behind the guard, and no
//! sentence of one book in another's answers.

use crate::books::book;
use crate::loader::BOOKS;
use quire_insight::{
    BookFacts, FaqInput, FaqKey, Guard, Options, Ratings, ReviewInput, Similar, Source, faq,
    key_ideas, reviews, sentence_at, synopsis_until,
};
use quire_text::Place;

fn facts(title: &str) -> BookFacts {
    BookFacts {
        title: title.into(),
        authors: vec!["The Author".into()],
        first_published: Some("1850".into()),
        subjects: vec!["Classics".into(), "Fiction".into()],
        description: Some("A novel of manners. It is much loved. A third sentence.".into()),
        ratings: Some(Ratings {
            average: 4.1,
            count: 1234,
            by_star: [10, 20, 200, 500, 504],
        }),
        similar: vec![Similar {
            work: "w1".into(),
            title: "Another Book".into(),
            author: "Someone Else".into(),
            shared_readers: 7,
            shared_subjects: vec!["Classics".into()],
        }],
    }
}

fn member_reviews() -> Vec<ReviewInput> {
    vec![
        ReviewInput {
            id: "r1".into(),
            author: "Ann".into(),
            rating: Some(5.0),
            body: "I would recommend it to anyone who likes a slow, rich story. The characters are vivid and memorable.".into(),
            spoiler: false,
            recommends: Some(true),
        },
        ReviewInput {
            id: "r2".into(),
            author: "Bea".into(),
            rating: Some(2.0),
            body: "The middle chapters are tedious and far too slow for me.".into(),
            spoiler: false,
            recommends: Some(false),
        },
    ]
}

#[test]
fn every_quote_is_verbatim_and_every_line_names_its_source() {
    let input = member_reviews();
    let said = reviews(&input, 5);
    for (stem, title) in BOOKS {
        let b = book(stem);
        let f = facts(title);
        for guard in [Guard::Lifted, Guard::Before(middle(&b.text))] {
            let story = match guard {
                Guard::Lifted => b.analysis.synopsis.clone(),
                Guard::Before(p) => synopsis_until(&b.text, p, &Options::default()),
            };
            let answers = faq(&FaqInput {
                text: &b.text,
                analysis: &b.analysis,
                facts: &f,
                reviews: &said,
                story: &story,
                guard,
            });
            assert!(answers.len() >= 8, "{title}: {} answers", answers.len());
            for a in &answers {
                for l in &a.lines {
                    match &l.source {
                        Source::Passage { place } => {
                            assert!(
                                guard.allows(*place),
                                "{title} {:?}: {place:?} is past the guard",
                                a.key
                            );
                            let s = sentence_at(&b.text, *place).unwrap();
                            if let Some(q) = &l.quote {
                                assert_eq!(q, s, "{title} {:?}", a.key);
                            }
                        }
                        Source::Review { review, author } => {
                            let r = input.iter().find(|r| &r.id == review).unwrap();
                            assert_eq!(&r.author, author);
                            assert!(
                                r.body.contains(l.quote.as_deref().unwrap()),
                                "{title}: not verbatim"
                            );
                        }
                        Source::Catalog { .. } | Source::Measure { .. } => {}
                    }
                    assert!(
                        !l.lead.is_empty(),
                        "{title} {:?}: a line with no words",
                        a.key
                    );
                }
            }
            let ending = answers.iter().find(|a| a.key == FaqKey::Ending).unwrap();
            match guard {
                Guard::Lifted => assert!(!ending.hidden && !ending.lines.is_empty(), "{title}"),
                Guard::Before(_) => assert!(
                    ending.hidden && ending.lines.is_empty(),
                    "{title}: the ending shows before the end"
                ),
            }
        }
    }
}

#[test]
fn no_sentence_of_one_books_answers_comes_from_another_book() {
    let said = reviews(&[], 5);
    let loaded: Vec<_> = BOOKS.iter().map(|(stem, _)| book(stem)).collect();
    for (i, b) in loaded.iter().enumerate() {
        let f = facts(BOOKS[i].1);
        let answers = faq(&FaqInput {
            text: &b.text,
            analysis: &b.analysis,
            facts: &f,
            reviews: &said,
            story: &b.analysis.synopsis,
            guard: Guard::Lifted,
        });
        let quotes: Vec<&str> = answers
            .iter()
            .flat_map(|a| &a.lines)
            .filter(|l| matches!(l.source, Source::Passage { .. }))
            .filter_map(|l| l.quote.as_deref())
            .filter(|q| q.split_whitespace().count() >= 8)
            .collect();
        assert!(!quotes.is_empty(), "{}", BOOKS[i].1);
        for q in quotes {
            assert!(
                b.all_text.contains(q),
                "{}: {q:?} is not in the book",
                BOOKS[i].1
            );
            for (j, other) in loaded.iter().enumerate() {
                if j != i {
                    assert!(
                        !other.all_text.contains(q),
                        "{}'s answer {q:?} is in {}",
                        BOOKS[i].1,
                        BOOKS[j].1
                    );
                }
            }
        }
    }
}

#[test]
fn pride_and_prejudice_answers_as_a_reader_would_expect() {
    let b = book("pg1342");
    let said = reviews(&member_reviews(), 5);
    let f = facts("Pride and Prejudice");
    let answers = faq(&FaqInput {
        text: &b.text,
        analysis: &b.analysis,
        facts: &f,
        reviews: &said,
        story: &b.analysis.synopsis,
        guard: Guard::Lifted,
    });
    let get = |k: FaqKey| answers.iter().find(|a| a.key == k).unwrap();
    let worth = get(FaqKey::WorthReading);
    assert!(
        worth.lines[0].lead.contains("1,234 ratings average 4.10"),
        "{:?}",
        worth.lines[0]
    );
    assert!(
        worth.lines[0]
            .lead
            .contains("81% of them are four or five stars")
    );
    assert!(
        worth.lines[1]
            .lead
            .contains("1 of 2 reviewers who answered recommend it to book clubs")
    );
    let crit = get(FaqKey::Criticism);
    assert_eq!(
        crit.lines[0].quote.as_deref(),
        Some("The middle chapters are tedious and far too slow for me.")
    );
    assert!(crit.lines[0].lead.starts_with("Bea"));
    // The words "pride" and "prejudice" never share a sentence of the
    // story: the question is left out rather than answered with a guess.
    assert!(answers.iter().all(|a| a.key != FaqKey::Title));
    let moby = book("pg2701");
    let whale = faq(&FaqInput {
        text: &moby.text,
        analysis: &moby.analysis,
        facts: &facts("Moby Dick; Or, The Whale"),
        reviews: &said,
        story: &moby.analysis.synopsis,
        guard: Guard::Lifted,
    });
    let title = whale.iter().find(|a| a.key == FaqKey::Title).unwrap();
    let q = title.lines[0].quote.as_deref().unwrap().to_lowercase();
    assert!(q.contains("moby") && q.contains("dick"), "{q}");
    // Before the first chapter, the ending and anything later is hidden,
    // but the warnings' kinds are still named.
    let start = Place {
        section: 0,
        paragraph: 0,
        sentence: 0,
    };
    let early = faq(&FaqInput {
        text: &b.text,
        analysis: &b.analysis,
        facts: &f,
        reviews: &said,
        story: &[],
        guard: Guard::Before(start),
    });
    assert!(
        early
            .iter()
            .find(|a| a.key == FaqKey::Ending)
            .unwrap()
            .hidden
    );
    assert!(
        early
            .iter()
            .flat_map(|a| &a.lines)
            .all(|l| !matches!(l.source, Source::Passage { .. }))
    );
    assert!(key_ideas(&b.text, &b.analysis, Guard::Before(start), 5).is_empty());
    let ideas = key_ideas(&b.text, &b.analysis, Guard::Lifted, 5);
    assert!(
        ideas[0]
            .quote
            .as_deref()
            .unwrap()
            .starts_with("It is a truth universally acknowledged"),
        "{:?}",
        ideas[0]
    );
}

fn middle(text: &quire_text::Text) -> Place {
    Place {
        section: (text.sections.len() / 2) as u32,
        paragraph: 0,
        sentence: 0,
    }
}
