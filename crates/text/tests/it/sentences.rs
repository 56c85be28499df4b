//! Sentence splitting on hard sentences of Pride and Prejudice and the
//! Sherlock Holmes stories, and its promises on any text.

use proptest::prelude::*;
use quire_text::sentences::split;

fn sentences(text: &str) -> Vec<&str> {
    split(text)
        .into_iter()
        .map(|r| &text[r.start as usize..r.end as usize])
        .collect()
}

#[test]
fn hard_sentences_of_the_books() {
    let cases: [(&str, &[&str]); 6] = [
        (
            "“My dear Mr. Bennet,” said his lady to him one day, “have you heard that Netherfield Park is let at last?”",
            &[
                "“My dear Mr. Bennet,” said his lady to him one day, “have you heard that Netherfield Park is let at last?”",
            ],
        ),
        (
            "“What is his name?” “Bingley.” “Is he married or single?”",
            &[
                "“What is his name?”",
                "“Bingley.”",
                "“Is he married or single?”",
            ],
        ),
        (
            "Mr. Bennet was so odd a mixture of quick parts, sarcastic humour, reserve, and caprice, that the experience of three-and-twenty years had been insufficient to make his wife understand his character. Her mind was less difficult to develop.",
            &[
                "Mr. Bennet was so odd a mixture of quick parts, sarcastic humour, reserve, and caprice, that the experience of three-and-twenty years had been insufficient to make his wife understand his character.",
                "Her mind was less difficult to develop.",
            ],
        ),
        (
            "“Wedlock suits you,” he remarked. “I think, Watson, that you have put on seven and a half pounds since I saw you.”",
            &[
                "“Wedlock suits you,” he remarked.",
                "“I think, Watson, that you have put on seven and a half pounds since I saw you.”",
            ],
        ),
        (
            "“Mr. Jabez Wilson here has been good enough to call upon me this morning.” Holmes nodded.",
            &[
                "“Mr. Jabez Wilson here has been good enough to call upon me this morning.”",
                "Holmes nodded.",
            ],
        ),
        (
            "Then, with a gesture of desperation, he tore the mask from his face and hurled it upon the ground. “You are right,” he cried; “I am the King.”",
            &[
                "Then, with a gesture of desperation, he tore the mask from his face and hurled it upon the ground.",
                "“You are right,” he cried; “I am the King.”",
            ],
        ),
    ];
    for (text, want) in cases {
        assert_eq!(sentences(text), want, "{text}");
    }
}

#[test]
fn dashes_and_ellipses() {
    assert_eq!(
        sentences("“But—” “No more, Lizzy.” And one fine morning— So we beat on… Boats."),
        vec![
            "“But—”",
            "“No more, Lizzy.”",
            "And one fine morning— So we beat on…",
            "Boats."
        ]
    );
    assert_eq!(
        sentences("It was St. Clair. Dr. Watson and Mrs. Hudson came."),
        vec!["It was St. Clair.", "Dr. Watson and Mrs. Hudson came."]
    );
}

proptest! {
    /// Sentences are in order, never overlap, leave only whitespace
    /// between them, cover every word, and never split "Mr. Darcy".
    #[test]
    fn sentences_cover_the_paragraph(
        words in prop::collection::vec(
            prop_oneof![
                Just("Mr. Darcy".to_string()),
                Just("said she.".to_string()),
                Just("“Yes!”".to_string()),
                Just("why?".to_string()),
                Just("He".to_string()),
                Just("…".to_string()),
                Just("—".to_string()),
                Just("J.".to_string()),
                "[a-zA-Z’.,!?”“]{1,8}",
            ],
            0..40,
        )
    ) {
        let text = words.join(" ");
        let ranges = split(&text);
        let mut at = 0usize;
        for r in &ranges {
            let (a, b) = (r.start as usize, r.end as usize);
            prop_assert!(a >= at && b > a);
            prop_assert!(text[at..a].chars().all(char::is_whitespace));
            let s = &text[a..b];
            prop_assert!(!s.starts_with(char::is_whitespace) && !s.ends_with(char::is_whitespace));
            prop_assert!(!s.ends_with("Mr.") || b == text.len(), "split inside Mr. Darcy: {s:?}");
            at = b;
        }
        prop_assert!(text[at..].chars().all(char::is_whitespace));
    }
}
