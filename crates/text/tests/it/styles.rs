//! Books that are none of the ten, laid out in the same styles: the
//! detector must split them as well (it is not tuned to the ten).

use quire_text::{SectionKind, Text, from_gutenberg};

const PROSE: &str = "It was a long day, and the people of the town went about their\nbusiness as they always had, slowly and with a great deal of talk.\n\nNobody noticed the stranger until the evening, when he asked for a room.";

fn book(body: &str) -> Text {
    let text = format!(
        "Title: A Test\nAuthor: Nobody\n\n*** START OF THE PROJECT GUTENBERG EBOOK A TEST ***\n\n{body}\n\n*** END OF THE PROJECT GUTENBERG EBOOK A TEST ***\nThe licence.\n"
    );
    from_gutenberg(&text, "test.txt").unwrap_or_else(|e| panic!("{e}"))
}

fn labels(t: &Text) -> Vec<(String, Option<String>, Option<String>)> {
    t.sections
        .iter()
        .map(|s| (s.label.clone(), s.title.clone(), s.part.clone()))
        .collect()
}

fn l(
    label: &str,
    title: Option<&str>,
    part: Option<&str>,
) -> (String, Option<String>, Option<String>) {
    (label.into(), title.map(Into::into), part.map(Into::into))
}

#[test]
fn staves_with_a_contents_list() {
    let t = book(&format!(
        "A CAROL\n\n\nCONTENTS\n\n STAVE I. MARLEY'S GHOST\n STAVE II. THE FIRST OF THE THREE SPIRITS\n\n\n\n\nSTAVE I. MARLEY'S GHOST\n\n\n{PROSE}\n\n\n\n\nSTAVE II. THE FIRST OF THE THREE SPIRITS\n\n\n{PROSE}"
    ));
    assert_eq!(
        labels(&t),
        vec![
            l("Stave 1", Some("Marley's Ghost"), None),
            l("Stave 2", Some("The First of the Three Spirits"), None)
        ]
    );
}

#[test]
fn books_of_chapters_and_a_prologue_and_epilogue() {
    let t = book(&format!(
        "\n\n\nPROLOGUE\n\n\n{PROSE}\n\n\n\nBOOK I\n\n\n\nCHAPTER I\n\n{PROSE}\n\n\n\nCHAPTER II\n\n{PROSE}\n\n\n\nBOOK II\n\n\n\nCHAPTER I\n\n{PROSE}\n\n\n\nEPILOGUE\n\n\n{PROSE}\n\n\nTHE END\n\n\nAdvertisements of other books."
    ));
    assert_eq!(
        labels(&t),
        vec![
            l("Prologue", None, None),
            l("Chapter 1", None, Some("Book 1")),
            l("Chapter 2", None, Some("Book 1")),
            l("Chapter 1", None, Some("Book 2")),
            l("Epilogue", None, Some("Book 2")),
        ]
    );
    assert_eq!(t.sections[0].kind, SectionKind::Prologue);
    assert_eq!(t.back_matter.len(), 1);
}

#[test]
fn a_collection_named_by_its_contents() {
    let t = book(&format!(
        "Contents\n\n    The Lost Key\n    A Door in the Wall\n    The Last Train\n\n\n\n\nThe Lost Key\n\n\n{PROSE}\n\n\n\n\nA Door in the Wall\n\n\nI.\n\n\n{PROSE}\n\n\nII.\n\n\n{PROSE}\n\n\n\n\nThe Last Train\n\n\n{PROSE}"
    ));
    assert_eq!(
        labels(&t),
        vec![
            l("The Lost Key", None, None),
            l("A Door in the Wall", None, None),
            l("The Last Train", None, None)
        ]
    );
    assert!(t.sections.iter().all(|s| s.kind == SectionKind::Story));
    // "I." and "II." divide the second story; they are not paragraphs.
    assert_eq!(t.sections[1].paragraphs.len(), 4);
}

#[test]
fn bare_arabic_numerals_and_words_that_look_like_headings() {
    let t = book(&format!(
        "1\n\n{PROSE}\n\nChapter and verse were quoted at him.\n\n\n\n2\n\n{PROSE}\n\nI.\n\nA list item that is prose, since it is long enough to be one and has small letters.\n\n\n\n3\n\n{PROSE}"
    ));
    assert_eq!(
        labels(&t).into_iter().map(|x| x.0).collect::<Vec<_>>(),
        vec!["Chapter 1", "Chapter 2", "Chapter 3"]
    );
}

#[test]
fn a_contents_list_is_never_a_chapter() {
    let t = book(&format!(
        "CONTENTS\n\nCHAPTER I. The Beginning\nCHAPTER II. The Middle\nCHAPTER III. The End\n\n\n\nCHAPTER I.\n\n{PROSE}\n\n\n\nCHAPTER II.\n\n{PROSE}\n\n\n\nCHAPTER III.\n\n{PROSE}"
    ));
    assert_eq!(
        labels(&t),
        vec![
            l("Chapter 1", Some("The Beginning"), None),
            l("Chapter 2", Some("The Middle"), None),
            l("Chapter 3", Some("The End"), None),
        ]
    );
    assert!(t.sections.iter().all(|s| s.paragraphs.len() == 2));
}

#[test]
fn a_note_inside_the_story_is_a_line_of_it() {
    let t = book(&format!(
        "CHAPTER I\n\n{PROSE}\n\n\nNOTE\n\n{PROSE}\n\n\n\nCHAPTER II\n\n{PROSE}\n\n\n\nNOTE\n\n\n{PROSE}"
    ));
    assert_eq!(
        labels(&t).into_iter().map(|x| x.0).collect::<Vec<_>>(),
        vec!["Chapter 1", "Chapter 2", "Note"]
    );
    assert_eq!(t.sections[2].kind, SectionKind::Afterword);
}

#[test]
fn thousands_of_stacked_part_headings_neither_overflow_nor_crawl() {
    // Each part heading looks at the next: a chain must not recurse.
    let body = "PART 1\n\n".repeat(200_000);
    let t = book(&format!("{body}CHAPTER I\n\n{PROSE}"));
    assert_eq!(t.sections.len(), 1);
}

proptest::proptest! {
    #[test]
    fn any_mix_of_heading_shapes_reads_without_panic(
        lines in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just("CHAPTER I".to_string()),
                proptest::strategy::Just("Chapter I.]".to_string()),
                proptest::strategy::Just("[Illustration:".to_string()),
                proptest::strategy::Just("]".to_string()),
                proptest::strategy::Just("PART 2".to_string()),
                proptest::strategy::Just("Contents".to_string()),
                proptest::strategy::Just("THE END".to_string()),
                proptest::strategy::Just("I.".to_string()),
                proptest::strategy::Just("Epilogue".to_string()),
                proptest::strategy::Just(String::new()),
                proptest::strategy::Just(PROSE.to_string()),
                "\\PC{0,40}",
            ],
            0..60,
        )
    ) {
        let t = book(&lines.join("\n"));
        let starts = t.section_starts();
        proptest::prop_assert_eq!(starts.len(), t.sections.len());
        proptest::prop_assert!(starts.windows(2).all(|w| w[0] <= w[1]));
    }
}
