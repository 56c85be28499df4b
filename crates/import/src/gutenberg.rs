//! Reader for Project Gutenberg plain-text ebooks: the header's metadata,
//! the text between the START and END markers, and an excerpt (the opening
//! paragraphs of the first chapter) that a book page can show.
//!
//! Both header layouts are read: the current one ("Release date: June 27,
//! 2008 [eBook #11]", "*** START OF THE PROJECT GUTENBERG EBOOK …") and the
//! pre-2021 one ("Release Date: November 29, 2002 [EBook #1661]",
//! "*** START OF THIS PROJECT GUTENBERG EBOOK …", markers that wrap onto a
//! second line or have no spaces inside the asterisks).

use std::io::Read;
use std::path::Path;

use time::{Date, Month};

use crate::error::{ImportError, display_name, from_io, open_capped};
use crate::goodbooks::collapse_spaces;

/// The largest text accepted. The longest Gutenberg novels are about 5 MB.
pub const MAX_TEXT_BYTES: u64 = 16 * 1024 * 1024;
/// An excerpt takes whole paragraphs until it has at least this many
/// characters…
pub const EXCERPT_MIN_CHARS: usize = 800;
/// …and never more than this many.
pub const EXCERPT_MAX_CHARS: usize = 2_000;

/// A parsed Project Gutenberg ebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GutenbergText {
    pub ebook_number: u32,
    pub title: String,
    pub authors: Vec<String>,
    pub translators: Vec<String>,
    pub illustrators: Vec<String>,
    /// The first release on Gutenberg (not the latest update).
    pub release_date: Option<Date>,
    /// An ISO 639-1 code such as "en".
    pub language: Option<String>,
    /// The text strictly between the START and END marker lines, unchanged.
    pub body: String,
    /// The opening paragraphs of the first chapter, each with its line
    /// breaks and runs of spaces turned into single spaces.
    pub excerpt: Vec<String>,
}

/// Read and parse a Gutenberg text file of at most [`MAX_TEXT_BYTES`].
/// UTF-8 is expected; a file that is not UTF-8 is read as Latin-1, the
/// other encoding Gutenberg used for plain text.
pub fn parse_file(path: &Path) -> Result<GutenbergText, ImportError> {
    let name = display_name(path);
    let mut input = open_capped(path, MAX_TEXT_BYTES)?;
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|e| from_io(&name, e, MAX_TEXT_BYTES))?;
    let text = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => e.into_bytes().into_iter().map(char::from).collect(),
    };
    parse(&text, &name)
}

/// Parse the text of a Gutenberg ebook; `file_name` is used in messages.
pub fn parse(text: &str, file_name: &str) -> Result<GutenbergText, ImportError> {
    if text.len() as u64 > MAX_TEXT_BYTES {
        return Err(ImportError::TooLarge {
            file: file_name.to_string(),
            limit_bytes: MAX_TEXT_BYTES,
        });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let not_gutenberg = |message: &str| ImportError::NotGutenberg {
        file: file_name.to_string(),
        message: message.to_string(),
    };

    let (marker_start, body_start) = find_start(text).ok_or_else(|| {
        not_gutenberg("there is no \"*** START OF THE PROJECT GUTENBERG EBOOK … ***\" line")
    })?;
    let body_end = find_end(text, body_start).unwrap_or(text.len());
    let header_text = &text[..marker_start];
    let marker_text = &text[marker_start..body_start];
    let body = &text[body_start..body_end];

    let header = Header::read(header_text);
    let ebook_number = header
        .release
        .as_deref()
        .and_then(ebook_number_in)
        .or_else(|| ebook_number_in(header_text))
        .or_else(|| ebook_number_in(marker_text))
        .or_else(|| ebooks_url_number(header_text))
        .or_else(|| number_in_file_name(file_name))
        .ok_or_else(|| {
            not_gutenberg("the header gives no eBook number (such as \"[eBook #1342]\")")
        })?;

    let title = header
        .title
        .clone()
        .or_else(|| title_from_marker(marker_text))
        .ok_or_else(|| not_gutenberg("the header has no \"Title:\" line"))?;

    Ok(GutenbergText {
        ebook_number,
        title,
        authors: header.authors,
        translators: header.translators,
        illustrators: header.illustrators,
        release_date: header.release.as_deref().and_then(parse_release_date),
        language: header.language.as_deref().and_then(language_code),
        body: body.to_string(),
        excerpt: excerpt(body),
    })
}

/// Lines of `s` with the byte offset where each starts and where the next
/// one starts.
fn lines_with_offsets(s: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    let mut offset = 0;
    s.split_inclusive('\n').map(move |raw| {
        let start = offset;
        offset += raw.len();
        (start, offset, raw.trim_end_matches(['\n', '\r']))
    })
}

/// Whether a line is a Gutenberg marker such as "*** START OF THE PROJECT
/// GUTENBERG EBOOK …" (`what` is "START OF" or "END OF").
fn is_marker(line: &str, what: &str) -> bool {
    let t = line.trim();
    if !t.starts_with("***") {
        return false;
    }
    let upper = t.to_uppercase();
    upper.contains(what) && upper.contains("GUTENBERG")
}

/// Where the START marker line begins and where the body after it begins.
/// The marker may wrap: "*** START OF THIS PROJECT GUTENBERG EBOOK THE
/// ADVENTURES OF SHERLOCK" + "HOLMES ***".
fn find_start(text: &str) -> Option<(usize, usize)> {
    let mut lines = lines_with_offsets(text);
    let (start, next, line) = lines.by_ref().find(|(_, _, l)| is_marker(l, "START OF"))?;
    let t = line.trim();
    if t.len() > 3 && t[3..].contains("***") {
        return Some((start, next));
    }
    // The closing asterisks should be on one of the next lines; if they
    // never come, the body starts right after the marker line.
    let closing = lines
        .take(3)
        .find(|(_, _, l)| l.trim_end().ends_with("***"))
        .map_or(next, |(_, after, _)| after);
    Some((start, closing))
}

/// Where the END marker line begins, searching from `from`.
fn find_end(text: &str, from: usize) -> Option<usize> {
    lines_with_offsets(&text[from..])
        .find(|(_, _, l)| is_marker(l, "END OF"))
        .map(|(start, _, _)| from + start)
}

/// The fields of the header that Quire keeps.
#[derive(Default)]
struct Header {
    title: Option<String>,
    authors: Vec<String>,
    translators: Vec<String>,
    illustrators: Vec<String>,
    release: Option<String>,
    language: Option<String>,
}

impl Header {
    fn read(header: &str) -> Header {
        let mut h = Header::default();
        let lines: Vec<&str> = header.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            i += 1;
            if line.starts_with(char::is_whitespace) {
                continue;
            }
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            // A field may go on over indented lines (a long title). The
            // release date's "Most recently updated" line is indented too,
            // but it is a separate fact, so it is not joined.
            let mut value = value.trim().to_string();
            let key = key.trim().to_ascii_lowercase();
            if key != "release date" {
                while let Some(next) = lines.get(i) {
                    if next.trim().is_empty() || !next.starts_with(char::is_whitespace) {
                        break;
                    }
                    value.push(' ');
                    value.push_str(next.trim());
                    i += 1;
                }
            }
            let value = collapse_spaces(&value);
            if value.is_empty() {
                continue;
            }
            match key.as_str() {
                "title" => h.title = h.title.or(Some(value)),
                "author" | "authors" => h.authors.extend(split_people(&value)),
                "translator" | "translators" | "translated by" => {
                    h.translators.extend(split_people(&value))
                }
                "illustrator" | "illustrators" | "illustrated by" => {
                    h.illustrators.extend(split_people(&value))
                }
                "release date" => h.release = Some(value),
                // Older headers may give only a posting date.
                "posting date" if h.release.is_none() => h.release = Some(value),
                "language" => h.language = h.language.or(Some(value)),
                _ => {}
            }
        }
        h
    }
}

/// "Jane Austen and Anna Austen Lefroy" or "A; B" as separate names.
fn split_people(value: &str) -> Vec<String> {
    value
        .split(';')
        .flat_map(|part| part.split(" and "))
        .map(collapse_spaces)
        .filter(|p| !p.is_empty())
        .collect()
}

/// The number in "[eBook #1342]", "[EBook #1661]" or "[Etext #84]".
fn ebook_number_in(s: &str) -> Option<u32> {
    s.char_indices()
        .filter(|(_, c)| *c == '#')
        .find_map(|(i, _)| {
            let before: String = s[..i]
                .chars()
                .rev()
                .take(8)
                .collect::<String>()
                .to_lowercase();
            // `before` is reversed: "koobe" is "ebook", "txet" is "etext".
            if !(before.contains("koob") || before.contains("txet")) {
                return None;
            }
            let digits: String = s[i + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
}

/// The number in "www.gutenberg.org/ebooks/84".
fn ebooks_url_number(s: &str) -> Option<u32> {
    let at = s.find("gutenberg.org/ebooks/")? + "gutenberg.org/ebooks/".len();
    let digits: String = s[at..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The number in a Gutenberg file name: "pg1342.txt", "1342-0.txt".
fn number_in_file_name(name: &str) -> Option<u32> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let base = base.strip_prefix("pg").unwrap_or(base);
    let digits: String = base.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The title in "*** START OF THE PROJECT GUTENBERG EBOOK PRIDE AND
/// PREJUDICE ***", for headers without a "Title:" line.
fn title_from_marker(marker: &str) -> Option<String> {
    let joined = collapse_spaces(marker);
    // ASCII upper-casing keeps byte offsets, so `at` is valid in `joined`.
    let at = joined.to_ascii_uppercase().find("EBOOK")? + "EBOOK".len();
    let title = joined[at..].trim_end_matches(['*', ' ']).trim();
    let title = title.trim_start_matches([',', ' ']);
    (!title.is_empty()).then(|| title.to_string())
}

/// "June 27, 2008 [eBook #1342]" as a date.
fn parse_release_date(value: &str) -> Option<Date> {
    let text = value.split('[').next()?.replace(',', " ");
    let mut words = text.split_whitespace();
    let month = month_named(words.next()?)?;
    let day: u8 = words.next()?.parse().ok()?;
    let year: i32 = words.next()?.parse().ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

fn month_named(word: &str) -> Option<Month> {
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    let months = [
        Month::January,
        Month::February,
        Month::March,
        Month::April,
        Month::May,
        Month::June,
        Month::July,
        Month::August,
        Month::September,
        Month::October,
        Month::November,
        Month::December,
    ];
    months.into_iter().find(|m| {
        let name = m.to_string().to_ascii_lowercase();
        name == w || (w.len() == 3 && name.starts_with(&w))
    })
}

/// "English" as "en". Only the first language of a list is kept.
fn language_code(value: &str) -> Option<String> {
    let first = value
        .split([',', ';'])
        .next()?
        .split(" and ")
        .next()?
        .trim()
        .to_ascii_lowercase();
    let code = match first.as_str() {
        "english" => "en",
        "french" => "fr",
        "german" => "de",
        "spanish" => "es",
        "italian" => "it",
        "portuguese" => "pt",
        "dutch" => "nl",
        "latin" => "la",
        "finnish" => "fi",
        "swedish" => "sv",
        "danish" => "da",
        "norwegian" => "no",
        "russian" => "ru",
        "polish" => "pl",
        "czech" => "cs",
        "hungarian" => "hu",
        "greek" => "el",
        "chinese" => "zh",
        "japanese" => "ja",
        "esperanto" => "eo",
        "catalan" => "ca",
        "welsh" => "cy",
        "irish" => "ga",
        "tagalog" => "tl",
        "hebrew" => "he",
        "arabic" => "ar",
        other if other.len() == 2 && other.bytes().all(|b| b.is_ascii_lowercase()) => other,
        _ => return None,
    };
    Some(code.to_string())
}

// ---------------------------------------------------------------------------
// The excerpt
//
// Gutenberg texts open with front matter (title page, dedication, preface,
// table of contents, list of illustrations) before the story. The story
// starts at the first chapter heading numbered one ("CHAPTER I", "Chapter
// 1.", "CHAPTER ONE", "Letter 1", a bare "I") that is followed by prose. A
// contents list repeats the headings, but there the next heading follows at
// once, with no prose between, which is how the list is told apart from the
// real chapter. Between the heading and the prose, short lines (a chapter
// title, "(_Kept in shorthand._)", a letter's date line), captions in
// square brackets and all-capital lines are passed over.

/// How many lines after a heading may hold titles and captions before the
/// first paragraph of prose.
const LOOKAHEAD_BLOCKS: usize = 8;
/// A one-line block shorter than this is a title or date line, not prose.
const SHORT_LINE_CHARS: usize = 60;

/// The opening paragraphs of the first chapter of a Gutenberg body (see
/// the notes above), each with its whitespace normalised; empty when no
/// prose is found.
pub fn excerpt(body: &str) -> Vec<String> {
    let lines: Vec<&str> = body.lines().collect();
    let start = (0..lines.len())
        .filter(|&i| heading(lines[i]).is_some_and(|h| h.chapter_level && h.ordinal == Some(1)))
        .find_map(|i| first_prose_after(&lines, i + 1))
        .or_else(|| fallback_start(&lines));
    match start {
        Some(start) => collect_paragraphs(&lines, start),
        None => Vec::new(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Heading {
    /// Chapter, letter or stave (rather than part, book or volume).
    chapter_level: bool,
    ordinal: Option<u32>,
}

/// Whether a line is a chapter or part heading, and its number.
fn heading(line: &str) -> Option<Heading> {
    let t = line.trim();
    // P&P's first heading closes an illustration caption: "Chapter I.]".
    let t = match t.strip_suffix(']') {
        Some(inner) if !inner.contains('[') => inner.trim_end(),
        _ => t,
    };
    if t.is_empty() || t.len() > 100 {
        return None;
    }
    let mut words = t.split_whitespace();
    let first = words.next()?;
    let bare = first.trim_end_matches(['.', ':']);
    if words.clone().next().is_none() {
        // A bare roman numeral, as in The Great Gatsby or Sherlock Holmes.
        return roman(bare).map(|n| Heading {
            chapter_level: true,
            ordinal: Some(n),
        });
    }
    if !first.starts_with(|c: char| c.is_uppercase()) {
        return None;
    }
    let chapter_level = match bare.to_lowercase().as_str() {
        "chapter" | "letter" | "stave" => true,
        "book" | "part" | "volume" => false,
        _ => return None,
    };
    let mut number = words.next()?;
    if number.eq_ignore_ascii_case("the") {
        number = words.next()?;
    }
    let ordinal = ordinal(number.trim_end_matches(['.', ':', ',', ']']))?;
    Some(Heading {
        chapter_level,
        ordinal: Some(ordinal),
    })
}

/// "12", "XII", "TWELVE", "Twenty-One", "FIRST".
fn ordinal(word: &str) -> Option<u32> {
    if !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit()) {
        return word.parse().ok();
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

/// The value of an upper-case roman numeral.
fn roman(word: &str) -> Option<u32> {
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

/// The blocks of consecutive non-blank lines from `from` on, each as the
/// index of its first line and one past its last.
fn blocks_from(lines: &[&str], from: usize) -> impl Iterator<Item = (usize, usize)> {
    let mut i = from;
    std::iter::from_fn(move || {
        while i < lines.len() && lines[i].trim().is_empty() {
            i += 1;
        }
        if i >= lines.len() {
            return None;
        }
        let start = i;
        while i < lines.len() && !lines[i].trim().is_empty() {
            i += 1;
        }
        Some((start, i))
    })
}

/// What a block of lines is, for the excerpt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    /// Starts with a chapter or part heading.
    Heading,
    /// "[Illustration: …]", possibly spread over several blocks.
    Caption,
    /// No letters at all: a rule of dashes, "* * *".
    Ornament,
    /// Every line indented: verse, an epigraph, centred title-page text.
    Indented,
    /// One short line, or capitals only: a title, a date line, a subtitle.
    Short,
    Prose,
}

fn classify(block: &[&str]) -> Block {
    // Only a block's first line can be a heading: "Part one of the plan
    // was…" inside a paragraph is prose.
    if block.first().is_some_and(|l| heading(l).is_some()) {
        return Block::Heading;
    }
    let text = block.join(" ");
    let t = text.trim();
    if t.starts_with('[') {
        return Block::Caption;
    }
    if !t.chars().any(char::is_alphabetic) {
        return Block::Ornament;
    }
    if block.iter().all(|l| l.starts_with(char::is_whitespace)) {
        return Block::Indented;
    }
    let no_lower = !t.chars().any(char::is_lowercase);
    if no_lower || (block.len() == 1 && t.chars().count() < SHORT_LINE_CHARS) {
        return Block::Short;
    }
    Block::Prose
}

/// A caption that opens in one block may close several blocks later (P&P's
/// illustrations have blank lines inside the brackets). The index of the
/// first line after the caption that starts at `start`.
fn caption_end(lines: &[&str], start: usize) -> usize {
    let mut depth: i32 = 0;
    for (i, line) in lines.iter().enumerate().skip(start).take(60) {
        for c in line.chars() {
            match c {
                '[' => depth += 1,
                ']' => depth -= 1,
                _ => {}
            }
        }
        if depth <= 0 {
            return i + 1;
        }
    }
    (start + 1).min(lines.len())
}

/// The first line of the first prose paragraph after a heading, or `None`
/// when another heading comes first (a contents list) or no prose follows
/// soon.
fn first_prose_after(lines: &[&str], from: usize) -> Option<usize> {
    let mut i = from;
    for _ in 0..LOOKAHEAD_BLOCKS {
        let (start, end) = blocks_from(lines, i).next()?;
        match classify(&lines[start..end]) {
            Block::Heading => return None,
            Block::Prose => return Some(start),
            Block::Caption => i = caption_end(lines, start).max(end),
            Block::Ornament | Block::Indented | Block::Short => i = end,
        }
    }
    None
}

/// Without a usable chapter heading, the first block that looks like a
/// real paragraph (three lines or more of unindented prose).
fn fallback_start(lines: &[&str]) -> Option<usize> {
    blocks_from(lines, 0)
        .find(|&(s, e)| e - s >= 3 && classify(&lines[s..e]) == Block::Prose)
        .map(|(s, _)| s)
}

/// Whole paragraphs from `start` until there are enough characters, ending
/// at the chapter's end or at verse.
fn collect_paragraphs(lines: &[&str], start: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut total = 0;
    let mut i = start;
    while total < EXCERPT_MIN_CHARS {
        let Some((s, e)) = blocks_from(lines, i).next() else {
            break;
        };
        i = e;
        match classify(&lines[s..e]) {
            Block::Heading => break,
            Block::Caption => {
                i = caption_end(lines, s).max(e);
                continue;
            }
            Block::Ornament => continue,
            Block::Indented if !out.is_empty() => break,
            _ => {}
        }
        let paragraph = collapse_spaces(&lines[s..e].join(" "));
        let chars = paragraph.chars().count();
        if chars > EXCERPT_MAX_CHARS {
            // Only a paragraph too long to show whole is cut, at a sentence.
            let cut = cut_at_sentence(&paragraph, EXCERPT_MAX_CHARS - total);
            if !cut.is_empty() {
                out.push(cut);
            }
            break;
        }
        if total + chars > EXCERPT_MAX_CHARS {
            break;
        }
        total += chars;
        out.push(paragraph);
    }
    out
}

/// The longest run of whole sentences within `max` characters; a single
/// sentence that long is cut at a word instead.
fn cut_at_sentence(paragraph: &str, max: usize) -> String {
    let end = paragraph
        .char_indices()
        .nth(max)
        .map_or(paragraph.len(), |(i, _)| i);
    let head = &paragraph[..end];
    let mut best = None;
    let chars: Vec<(usize, char)> = head.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        // Closing quotes and brackets belong to the sentence.
        let mut j = k + 1;
        while j < chars.len() && matches!(chars[j].1, '"' | '\'' | '”' | '’' | ')' | '_') {
            j += 1;
        }
        if j == chars.len() || chars[j].1 == ' ' {
            let cut = chars.get(j).map_or(head.len(), |&(b, _)| b);
            if cut > i {
                best = Some(cut);
            }
        }
    }
    let cut = best.or_else(|| head.rfind(' ')).unwrap_or(head.len());
    head[..cut].trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn txt(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/gutenberg/txt")
            .join(name)
    }

    /// (file, number, title, author, first words of the excerpt)
    const BOOKS: [(&str, u32, &str, &str, &str); 10] = [
        (
            "pg1342.txt",
            1342,
            "Pride and Prejudice",
            "Jane Austen",
            "It is a truth universally acknowledged, that a single man in possession of a good fortune must be in want of a wife.",
        ),
        (
            "pg84.txt",
            84,
            "Frankenstein; or, the modern prometheus",
            "Mary Wollstonecraft Shelley",
            "You will rejoice to hear that no disaster has accompanied the commencement",
        ),
        (
            "pg2701.txt",
            2701,
            "Moby Dick; Or, The Whale",
            "Herman Melville",
            "Call me Ishmael. Some years ago—never mind how long precisely—having",
        ),
        (
            "pg345.txt",
            345,
            "Dracula",
            "Bram Stoker",
            "_3 May. Bistritz._--Left Munich at 8:35 P. M., on 1st May, arriving at Vienna",
        ),
        (
            "pg514.txt",
            514,
            "Little Women",
            "Louisa May Alcott",
            "“Christmas won’t be Christmas without any presents,” grumbled Jo, lying on the rug.",
        ),
        (
            "pg64317.txt",
            64317,
            "The Great Gatsby",
            "F. Scott Fitzgerald",
            "In my younger and more vulnerable years my father gave me some advice",
        ),
        (
            "pg11.txt",
            11,
            "Alice's Adventures in Wonderland",
            "Lewis Carroll",
            "Alice was beginning to get very tired of sitting by her sister on the bank,",
        ),
        (
            "pg1260.txt",
            1260,
            "Jane Eyre: An Autobiography",
            "Charlotte Brontë",
            "There was no possibility of taking a walk that day.",
        ),
        (
            "pg768.txt",
            768,
            "Wuthering Heights",
            "Emily Bronte",
            "1801.--I have just returned from a visit to my landlord--the solitary neighbour",
        ),
        (
            "pg1661.txt",
            1661,
            "The Adventures of Sherlock Holmes",
            "Arthur Conan Doyle",
            "To Sherlock Holmes she is always _the_ woman.",
        ),
    ];

    #[test]
    fn all_ten_novels() {
        for (file, number, title, author, opening) in BOOKS {
            let book = parse_file(&txt(file)).unwrap();
            assert_eq!(book.ebook_number, number, "{file}");
            assert_eq!(book.title, title, "{file}");
            assert_eq!(book.authors, vec![author.to_string()], "{file}");
            assert_eq!(book.language.as_deref(), Some("en"), "{file}");
            assert!(book.release_date.is_some(), "{file}");

            let first = book.excerpt.first().map_or("", String::as_str);
            assert!(
                first.starts_with(opening),
                "{file}: excerpt starts {first:?}"
            );
            let total: usize = book.excerpt.iter().map(|p| p.chars().count()).sum();
            assert!(
                (300..=EXCERPT_MAX_CHARS).contains(&total),
                "{file}: {total} characters"
            );

            let flat_body = collapse_spaces(&book.body);
            for p in &book.excerpt {
                assert!(
                    flat_body.contains(p.as_str()),
                    "{file}: not in the body: {p}"
                );
                assert!(!p.starts_with('['), "{file}: caption in excerpt: {p}");
            }
            assert!(!book.body.contains("START OF"), "{file}");
            assert!(!book.body.contains("*** END"), "{file}");
        }
    }

    #[test]
    fn header_details() {
        let alice = parse_file(&txt("pg11.txt")).unwrap();
        assert_eq!(
            alice.release_date,
            Some(time::macros::date!(2008 - 06 - 27))
        );
        let holmes = parse_file(&txt("pg1661.txt")).unwrap();
        assert_eq!(
            holmes.release_date,
            Some(time::macros::date!(2002 - 11 - 29))
        );
        // The old marker wraps onto a second line; the body starts after it.
        assert!(
            holmes
                .body
                .trim_start()
                .starts_with("The Adventures of Sherlock Holmes")
        );
        let jane = parse_file(&txt("pg1260.txt")).unwrap();
        assert_eq!(jane.illustrators, vec!["F. H. Townsend".to_string()]);
        assert!(jane.translators.is_empty());
        let heights = parse_file(&txt("pg768.txt")).unwrap();
        assert_eq!(
            heights.release_date,
            Some(time::macros::date!(2007 - 04 - 19))
        );
        assert!(
            heights
                .body
                .trim_end()
                .ends_with("sleepers in that quiet earth.")
        );
    }

    #[test]
    fn the_body_is_exactly_between_the_markers() {
        let text = "\u{feff}Title: A Tale\n  of Two Parts\nAuthor: Ann Example and Bo Example\nTranslator: Cy Example\nRelease date: March 3, 2001 [eBook #77]\nLanguage: French\n\n*** START OF THE PROJECT GUTENBERG EBOOK A TALE ***\nline one\n\nline two\n*** END OF THE PROJECT GUTENBERG EBOOK A TALE ***\nlicence\n";
        let book = parse(text, "tale.txt").unwrap();
        assert_eq!(book.body, "line one\n\nline two\n");
        assert_eq!(book.title, "A Tale of Two Parts");
        assert_eq!(book.authors, vec!["Ann Example", "Bo Example"]);
        assert_eq!(book.translators, vec!["Cy Example"]);
        assert_eq!(book.ebook_number, 77);
        assert_eq!(book.language.as_deref(), Some("fr"));
        assert_eq!(book.release_date, Some(time::macros::date!(2001 - 03 - 03)));
    }

    #[test]
    fn not_gutenberg_without_a_start_marker() {
        let err = parse("Title: Nothing\n\nJust text.\n", "notes.txt").unwrap_err();
        assert!(matches!(err, ImportError::NotGutenberg { .. }));
        assert!(
            err.to_string()
                .starts_with("notes.txt is not a Project Gutenberg text")
        );
        let err = parse(
            "*** START OF THE PROJECT GUTENBERG EBOOK X ***\nbody\n",
            "x.txt",
        )
        .unwrap_err();
        assert!(err.to_string().contains("eBook number"), "{err}");
    }

    #[test]
    fn headings_are_recognised() {
        let one = Some(Heading {
            chapter_level: true,
            ordinal: Some(1),
        });
        for h in [
            "CHAPTER I",
            "Chapter I.]",
            "CHAPTER 1. Loomings.",
            "CHAPTER ONE",
            "Letter 1",
            "  I",
            "I.",
            " CHAPTER I.     Down the Rabbit-Hole",
            "CHAPTER THE FIRST",
        ] {
            assert_eq!(heading(h), one, "{h}");
        }
        assert_eq!(
            heading("CHAPTER TWENTY-ONE").and_then(|h| h.ordinal),
            Some(21)
        );
        assert_eq!(heading("PART 1").map(|h| h.chapter_level), Some(false));
        for not in [
            "It was the best of times",
            "Chapter and verse were quoted",
            "chapter 1",
            "[Illustration]",
            "In",
        ] {
            assert_eq!(heading(not), None, "{not}");
        }
    }

    #[test]
    fn long_paragraphs_are_cut_at_a_sentence() {
        let sentence = "This is a sentence of moderate length, said she. ";
        let long = sentence.repeat(60);
        let cut = cut_at_sentence(long.trim(), EXCERPT_MAX_CHARS);
        assert!(cut.ends_with("said she."));
        assert!(cut.chars().count() <= EXCERPT_MAX_CHARS);
        let text = format!(
            "Title: T\nRelease date: May 1, 1999 [eBook #5]\n*** START OF THE PROJECT GUTENBERG EBOOK T ***\nCHAPTER I\n\n{long}\n\nMore.\n"
        );
        let book = parse(&text, "t.txt").unwrap();
        assert_eq!(book.excerpt.len(), 1);
        assert!(book.excerpt[0].ends_with("said she."));
    }

    #[test]
    fn garbage_does_not_panic() {
        for text in [
            "",
            "***",
            "*** START OF",
            "*** START OF GUTENBERG",
            "\u{feff}",
            "***START OF THE PROJECT GUTENBERG EBOOK ***\n[\n[\nCHAPTER I\n",
        ] {
            let _ = parse(text, "g.txt");
        }
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(
            text in "(\\*\\*\\* ?START OF THE PROJECT GUTENBERG EBOOK X|\\*\\*\\*END OF THE PROJECT GUTENBERG EBOOK|\\*\\*\\*|CHAPTER I\\.?|I|Letter 1|\\[Illustration:|\\[|\\]|\n|\n\n|Title: |Release date: May 1, 1999 \\[eBook #|[0-9]{1,3}|é|ß|word |  ){0,80}"
        ) {
            if let Ok(book) = parse(&text, "p.txt") {
                proptest::prop_assert!(text.contains(book.body.as_str()));
                let total: usize = book.excerpt.iter().map(|p| p.chars().count()).sum();
                proptest::prop_assert!(total <= EXCERPT_MAX_CHARS);
            }
        }

        #[test]
        fn excerpt_never_panics(body in "\\PC{0,300}") {
            let _ = excerpt(&body);
        }
    }
}
