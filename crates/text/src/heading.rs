//! What a heading line says: "CHAPTER I.", "Chapter 1", "CHAPTER ONE
//! PLAYING PILGRIMS", "Letter 4", a bare "IX", "I. A SCANDAL IN BOHEMIA",
//! "PART 2", "Epilogue", "PREFACE.", "Contents", "THE END". The same words
//! are read from a plain-text line and from an EPUB's navigation label, so
//! the two formats name sections alike.
//!
//! Only the shape of one line is judged here; whether a line that looks
//! like a heading really opens a section (and is not an entry of a table of
//! contents, or a line of prose) is decided by its surroundings in
//! `detect`.

use crate::SectionKind;

/// What a heading-shaped line announces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Head {
    /// A keyword and a number: "CHAPTER IV.", "Letter 1", "PART 2".
    Numbered {
        word: Word,
        n: u32,
        title: Option<String>,
    },
    /// A number alone ("IX", "I."), or a number and a title without a
    /// keyword ("I. A SCANDAL IN BOHEMIA").
    Bare { n: u32, title: Option<String> },
    /// A section named by a word: "Preface", "Epilogue", "Etymology.".
    Named { kind: SectionKind, label: String },
    /// "Contents", "Table of Contents".
    Contents,
    /// "THE END", "FINIS": the story is over.
    End,
}

/// The keyword of a numbered heading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Word {
    Chapter,
    Letter,
    Stave,
    /// "ADVENTURE I. A SCANDAL IN BOHEMIA": a story of a collection.
    Adventure,
    Part,
    Book,
    Volume,
}

impl Word {
    pub(crate) fn is_part(self) -> bool {
        matches!(self, Word::Part | Word::Book | Word::Volume)
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Word::Chapter => "Chapter",
            Word::Letter => "Letter",
            Word::Stave => "Stave",
            Word::Adventure => "Adventure",
            Word::Part => "Part",
            Word::Book => "Book",
            Word::Volume => "Volume",
        }
    }

    fn from(word: &str) -> Option<Word> {
        Some(match word.to_lowercase().as_str() {
            "chapter" => Word::Chapter,
            "letter" => Word::Letter,
            "stave" => Word::Stave,
            "adventure" => Word::Adventure,
            "part" => Word::Part,
            "book" => Word::Book,
            "volume" => Word::Volume,
            _ => return None,
        })
    }
}

/// The longest line read as a heading.
const MAX_HEADING_CHARS: usize = 120;
/// The most words a named heading has ("Note to the Third Edition").
const MAX_NAMED_WORDS: usize = 6;

/// What `line` announces, if it is shaped like a heading.
pub(crate) fn classify(line: &str) -> Option<Head> {
    let t = line.trim();
    // P&P's first heading closes an illustration caption: "Chapter I.]".
    let t = match t.strip_suffix(']') {
        Some(inner) if !inner.contains('[') => inner.trim_end(),
        _ => t,
    };
    let t = t.trim_matches(|c: char| c == '_' || c == '*' || c.is_whitespace());
    if t.is_empty() || t.chars().count() > MAX_HEADING_CHARS {
        return None;
    }
    // "CHAPTER XXXVIII—CONCLUSION": the dash parts number and title.
    let spaced = t.replace('—', " — ").replace('–', " – ");
    let words: Vec<&str> = spaced.split_whitespace().collect();
    let bare_words: Vec<String> = words
        .iter()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    match bare_words.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["contents"] | ["table", "of", "contents"] => return Some(Head::Contents),
        ["the", "end"] | ["finis"] if !t.contains(['"', '“', '”', '‘', '’']) => {
            return Some(Head::End);
        }
        _ => {}
    }
    let first = *words.first()?;
    let first_bare = first.trim_end_matches(['.', ':', ',']);
    if let Some(word) = Word::from(first_bare)
        && first.starts_with(char::is_uppercase)
        && let Some(head) = numbered(word, &words[1..])
    {
        return Some(head);
    }
    if let Some(head) = bare(t, &words) {
        return Some(head);
    }
    named(t)
}

/// "CHAPTER" + a number + maybe a title.
fn numbered(word: Word, rest: &[&str]) -> Option<Head> {
    let mut rest = rest;
    if rest.first()?.eq_ignore_ascii_case("the") {
        rest = &rest[1..];
    }
    let (n, used) = number_at(rest)?;
    let title = title_after(&rest[used..].join(" ")).map(|t| unspace_dashes(&t));
    Some(Head::Numbered { word, n, title })
}

/// The number at the start of `words` and how many words it took:
/// "12", "XII.", "TWELVE", "Twenty-One", "TWENTY ONE", "FIRST".
fn number_at(words: &[&str]) -> Option<(u32, usize)> {
    let w0 = clean_number(words.first()?);
    let n = ordinal(w0)?;
    // "TWENTY ONE": a tens word followed by a unit word.
    if (20..100).contains(&n)
        && n % 10 == 0
        && !w0.contains('-')
        && let Some(w1) = words.get(1)
        && let Some(unit) = number_word(&clean_number(w1).to_lowercase())
        && unit < 10
    {
        return Some((n + unit, 2));
    }
    Some((n, 1))
}

fn clean_number(word: &str) -> &str {
    word.trim_end_matches(['.', ':', ',', ']', ';', '—', '–'])
        .split(['—', '–'])
        .next()
        .unwrap_or("")
}

/// A title after a heading's number: "—CONCLUSION", ". Loomings.", "
/// PLAYING PILGRIMS". Capitals only are put in title case.
pub(crate) fn title_after(rest: &str) -> Option<String> {
    let rest = rest.trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, '.' | ':' | ',' | '—' | '–' | '-' | ';')
    });
    let rest = rest.trim();
    if rest.is_empty() || !rest.chars().any(char::is_alphanumeric) {
        return None;
    }
    Some(title_case(rest))
}

/// Undoes the spaces put around dashes to part a number from its title:
/// "The Chase.—Third Day." keeps its dash as written.
fn unspace_dashes(s: &str) -> String {
    s.replace(" — ", "—").replace(" – ", "–")
}

/// A number alone, or a number with a title and no keyword.
fn bare(t: &str, words: &[&str]) -> Option<Head> {
    let first = words.first()?;
    let number = first.trim_end_matches('.');
    let n = roman(number).or_else(|| {
        (number.len() <= 3 && number.bytes().all(|b| b.is_ascii_digit()))
            .then(|| number.parse().ok())
            .flatten()
            .filter(|n| *n > 0)
    })?;
    if words.len() == 1 {
        return Some(Head::Bare { n, title: None });
    }
    // "I. A SCANDAL IN BOHEMIA": the numeral ends with a full stop (or the
    // title is on the same line after a dash), and the title is capitals
    // or title case, not a sentence ("I. went home" is not a heading).
    if !first.ends_with('.') || number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest = t.get(first.len()..).unwrap_or("").trim();
    if rest.chars().any(char::is_lowercase) && !is_title_cased(rest) {
        return None;
    }
    Some(Head::Bare {
        n,
        title: title_after(rest),
    })
}

/// A heading named by its first word.
fn named(t: &str) -> Option<Head> {
    // "EXTRACTS. (Supplied by a Sub-Sub-Librarian)." names Extracts.
    let main = t.split('(').next().unwrap_or(t).trim();
    let main = main.trim_end_matches(['.', ':', ',', ';']).trim();
    let words: Vec<&str> = main.split_whitespace().collect();
    if words.is_empty() || words.len() > MAX_NAMED_WORDS || !is_title_cased(main) {
        return None;
    }
    let first = words[0]
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    let kind = match first.as_str() {
        "preface" | "foreword" | "dedication" => SectionKind::Preface,
        "introduction" | "etymology" | "extracts" | "introductory" => SectionKind::Introduction,
        "prologue" | "prelude" => SectionKind::Prologue,
        "epilogue" => SectionKind::Epilogue,
        "afterword" | "postscript" | "appendix" | "conclusion" | "note" | "notes" => {
            SectionKind::Afterword
        }
        _ => return None,
    };
    Some(Head::Named {
        kind,
        label: title_case(main),
    })
}

/// Whether every word of `s` starts with a capital (short joining words
/// aside), as a heading does and a sentence does not.
fn is_title_cased(s: &str) -> bool {
    s.split_whitespace().enumerate().all(|(i, w)| {
        let w = w.trim_start_matches(|c: char| !c.is_alphanumeric());
        w.is_empty()
            || w.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit())
            || (i > 0 && SMALL_WORDS.contains(&w.to_lowercase().as_str()))
    })
}

const SMALL_WORDS: [&str; 16] = [
    "a", "an", "the", "of", "in", "and", "to", "on", "at", "by", "for", "with", "from", "or", "as",
    "into",
];

/// "PLAYING PILGRIMS" as "Playing Pilgrims", "A SCANDAL IN BOHEMIA" as "A
/// Scandal in Bohemia"; text with small letters is left as it is.
pub(crate) fn title_case(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().any(char::is_lowercase) {
        return s;
    }
    s.split(' ')
        .enumerate()
        .map(|(i, word)| {
            let lower = word.to_lowercase();
            // Initials ("P.C.") and roman numerals keep their capitals.
            if word.contains('.') && word.trim_end_matches('.').contains('.')
                || roman(word).is_some_and(|_| i > 0 && word.len() > 1)
            {
                return word.to_string();
            }
            if i > 0 && SMALL_WORDS.contains(&lower.as_str()) {
                return lower;
            }
            let mut out = String::with_capacity(lower.len());
            let mut upper_next = true;
            for c in lower.chars() {
                if upper_next && c.is_alphabetic() {
                    out.extend(c.to_uppercase());
                    upper_next = false;
                } else {
                    out.push(c);
                }
                // "Red-Headed", "(Supplied": a letter after these starts a word.
                if matches!(c, '-' | '(' | '“' | '"' | '‘') {
                    upper_next = true;
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// "12", "XII", "TWELVE", "Twenty-One", "FIRST".
pub(crate) fn ordinal(word: &str) -> Option<u32> {
    if !word.is_empty() && word.len() <= 4 && word.bytes().all(|b| b.is_ascii_digit()) {
        return word.parse().ok().filter(|n| *n > 0);
    }
    if let Some(n) = roman(word) {
        return Some(n);
    }
    let lower = word.to_lowercase();
    let mut total = 0;
    for part in lower.split('-') {
        total += number_word(part)?;
    }
    Some(total)
}

fn number_word(word: &str) -> Option<u32> {
    const UNITS: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 8] = [
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    const ORDINALS: [&str; 12] = [
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
        "tenth", "eleventh", "twelfth",
    ];
    if let Some(n) = UNITS.iter().position(|w| *w == word) {
        return u32::try_from(n).ok().filter(|n| *n > 0);
    }
    if let Some(n) = TENS.iter().position(|w| *w == word) {
        return u32::try_from(n * 10 + 20).ok();
    }
    if word == "hundred" {
        return Some(100);
    }
    ORDINALS
        .iter()
        .position(|w| *w == word)
        .and_then(|n| u32::try_from(n + 1).ok())
}

/// The value of an upper-case roman numeral written in the usual way
/// ("IV", not "IIII"; "MCM" is fine).
pub(crate) fn roman(word: &str) -> Option<u32> {
    if word.is_empty() || word.len() > 12 {
        return None;
    }
    let mut total = 0u32;
    let mut prev = 0u32;
    for c in word.chars().rev() {
        let v = match c {
            'I' => 1,
            'V' => 5,
            'X' => 10,
            'L' => 50,
            'C' => 100,
            'D' => 500,
            'M' => 1000,
            _ => return None,
        };
        if v < prev {
            total = total.checked_sub(v)?;
        } else {
            total += v;
            prev = v;
        }
    }
    (total > 0).then_some(total)
}

/// A label or title reduced for comparing across formats: letters and
/// digits only, lower case.
pub fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn num(word: Word, n: u32, title: Option<&str>) -> Option<Head> {
        Some(Head::Numbered {
            word,
            n,
            title: title.map(str::to_string),
        })
    }

    #[test]
    fn headings_of_the_usual_shapes() {
        assert_eq!(classify("CHAPTER I"), num(Word::Chapter, 1, None));
        assert_eq!(classify("Chapter I.]"), num(Word::Chapter, 1, None));
        assert_eq!(
            classify("CHAPTER 1. Loomings."),
            num(Word::Chapter, 1, Some("Loomings."))
        );
        assert_eq!(
            classify("CHAPTER ONE PLAYING PILGRIMS"),
            num(Word::Chapter, 1, Some("Playing Pilgrims"))
        );
        assert_eq!(classify("CHAPTER TWENTY-ONE"), num(Word::Chapter, 21, None));
        assert_eq!(
            classify("CHAPTER XXXVIII—CONCLUSION"),
            num(Word::Chapter, 38, Some("Conclusion"))
        );
        assert_eq!(classify(" Letter 4"), num(Word::Letter, 4, None));
        assert_eq!(classify("CHAPTER THE FIRST"), num(Word::Chapter, 1, None));
        assert_eq!(classify("PART 2"), num(Word::Part, 2, None));
        assert_eq!(classify("  IX"), Some(Head::Bare { n: 9, title: None }));
        assert_eq!(classify("I."), Some(Head::Bare { n: 1, title: None }));
        assert_eq!(
            classify("I. A SCANDAL IN BOHEMIA"),
            Some(Head::Bare {
                n: 1,
                title: Some("A Scandal in Bohemia".into())
            })
        );
        assert_eq!(
            classify("EXTRACTS. (Supplied by a Sub-Sub-Librarian)."),
            Some(Head::Named {
                kind: SectionKind::Introduction,
                label: "Extracts".into()
            })
        );
        assert_eq!(
            classify("NOTE TO THE THIRD EDITION"),
            Some(Head::Named {
                kind: SectionKind::Afterword,
                label: "Note to the Third Edition".into()
            })
        );
        assert_eq!(classify("Table of Contents"), Some(Head::Contents));
        assert_eq!(classify("THE END"), Some(Head::End));
    }

    #[test]
    fn prose_is_not_a_heading() {
        for line in [
            "It was the best of times",
            "Chapter and verse were quoted",
            "chapter 1",
            "Part of the plan was",
            "I went home.",
            "I. went home",
            "Note how she smiled at him",
            "In",
            "[Illustration]",
        ] {
            assert_eq!(classify(line), None, "{line}");
        }
    }
}
