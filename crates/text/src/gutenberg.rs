//! Project Gutenberg plain text: the header's metadata, the body between
//! the START and END markers, and the licence around it kept apart.
//!
//! Both header layouts are read: the current one ("Release date: June 27,
//! 2008 [eBook #11]", "*** START OF THE PROJECT GUTENBERG EBOOK …") and the
//! pre-2021 one ("Release Date: November 29, 2002 [EBook #1661]",
//! "*** START OF THIS PROJECT GUTENBERG EBOOK …", markers that wrap onto a
//! second line or have no spaces inside the asterisks). A byte-order mark
//! and CRLF line ends are accepted. A text without markers is read whole,
//! as a plain book with no licence.
//!
//! `quire-import` reads the catalog facts of the demo's books from here
//! too ([`split`], [`Header`]); there is one copy of this logic.

use std::io::Read;
use std::path::Path;

use time::{Date, Month};

use crate::blocks::blocks;
use crate::detect::detect;
use crate::limits::Clock;
use crate::{Limits, Text, TextError};

/// A Gutenberg file cut at its markers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// Everything before the START marker (the header and its notice).
    pub header: &'a str,
    /// The START marker line(s).
    pub marker: &'a str,
    /// The text strictly between the START and END markers, unchanged.
    pub body: &'a str,
    /// The END marker and everything after it (the licence).
    pub footer: &'a str,
}

/// Cut a Gutenberg text at its markers; `None` when it has no START
/// marker. A byte-order mark is skipped.
pub fn split(text: &str) -> Option<Split<'_>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (marker_start, body_start) = find_start(text)?;
    let body_end = find_end(text, body_start).unwrap_or(text.len());
    Some(Split {
        header: &text[..marker_start],
        marker: &text[marker_start..body_start],
        body: &text[body_start..body_end],
        footer: &text[body_end..],
    })
}

/// Read a Gutenberg (or plain) text already in memory. No size or time
/// bound applies: the caller holds the text; see [`from_gutenberg_bytes`]
/// for an upload.
pub fn from_gutenberg(text: &str, file_name: &str) -> Result<Text, TextError> {
    parse(text, file_name, &Clock::unbounded())
}

/// Read an uploaded plain-text file: refused when it is over the size
/// limits, holds binary data, or is not UTF-8; parsed under the time
/// budget.
pub fn from_gutenberg_bytes(
    bytes: &[u8],
    file_name: &str,
    limits: &Limits,
) -> Result<Text, TextError> {
    let clock = Clock::start(limits);
    let size = bytes.len() as u64;
    if size > limits.max_file_bytes {
        return Err(TextError::TooLarge {
            file: file_name.to_string(),
            size,
            limit: limits.max_file_bytes,
        });
    }
    if size > limits.max_text_bytes {
        return Err(TextError::TextTooLong {
            file: file_name.to_string(),
            limit: limits.max_text_bytes,
        });
    }
    let text = check_text(bytes, file_name)?;
    parse(text, file_name, &clock)
}

/// Read a plain-text file from disk: its size is checked before a byte is
/// read, and the read stops at the limit whatever the file claims.
pub fn from_gutenberg_file(path: &Path, limits: &Limits) -> Result<Text, TextError> {
    let name = path.display().to_string();
    let io = |source| TextError::Io {
        file: name.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > limits.max_file_bytes {
        return Err(TextError::TooLarge {
            file: name,
            size,
            limit: limits.max_file_bytes,
        });
    }
    let mut bytes = Vec::new();
    file.take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    from_gutenberg_bytes(&bytes, &name, limits)
}

/// The bytes as text: binary data (a NUL, or mostly control characters)
/// and anything not UTF-8 are refused with where they are.
pub(crate) fn check_text<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str, TextError> {
    if let Some(at) = bytes.iter().position(|b| *b == 0) {
        return Err(TextError::Binary {
            file: file.to_string(),
            what: "a NUL byte",
            byte: at as u64,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|b| **b == b'\n').count() as u64 + 1;
        TextError::NotUtf8 {
            file: file.to_string(),
            line,
            byte: at as u64,
        }
    })?;
    // Text has few control characters besides line ends and tabs.
    let head: Vec<char> = text.chars().take(64 * 1024).collect();
    let controls = head
        .iter()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    if controls * 20 > head.len().max(1) {
        let at = text
            .char_indices()
            .find(|(_, c)| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
            .map_or(0, |(i, _)| i);
        return Err(TextError::Binary {
            file: file.to_string(),
            what: "control characters",
            byte: at as u64,
        });
    }
    Ok(text)
}

fn parse(text: &str, file_name: &str, clock: &Clock) -> Result<Text, TextError> {
    let (body, header, licence) = match split(text) {
        Some(s) => {
            let licence = format!("{}{}{}", s.header, s.marker, s.footer);
            (
                s.body,
                Header::read(s.header),
                Some(licence.trim().to_string()),
            )
        }
        None => (
            text.strip_prefix('\u{feff}').unwrap_or(text),
            Header::default(),
            None,
        ),
    };
    let title = header
        .title
        .clone()
        .or_else(|| split(text).and_then(|s| title_from_marker(s.marker)));
    let found = detect(&blocks(body), file_name, clock)?;
    Ok(Text {
        title,
        authors: header.authors,
        language: header.language.as_deref().and_then(language_code),
        licence: licence.filter(|l| !l.is_empty()),
        sections: found.sections,
        front_matter: found.front_matter,
        back_matter: found.back_matter,
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

/// The fields of a Gutenberg header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub translators: Vec<String>,
    pub illustrators: Vec<String>,
    /// The "Release date" (or older "Posting date") line's value.
    pub release: Option<String>,
    /// The "Language" line's value ("English").
    pub language: Option<String>,
}

impl Header {
    /// The fields of the text before the START marker.
    pub fn read(header: &str) -> Header {
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

    /// The first release on Gutenberg, from the release line.
    pub fn release_date(&self) -> Option<Date> {
        self.release.as_deref().and_then(parse_release_date)
    }

    /// The ISO 639-1 code of the first language named.
    pub fn language_code(&self) -> Option<String> {
        self.language.as_deref().and_then(language_code)
    }
}

/// Runs of whitespace as single spaces, trimmed.
pub fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
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

/// The eBook number of a Gutenberg file: from the release line, the
/// header, the marker, the "gutenberg.org/ebooks/N" address, or the file
/// name ("pg1342.txt"), in that order.
pub fn ebook_number(split: &Split<'_>, header: &Header, file_name: &str) -> Option<u32> {
    header
        .release
        .as_deref()
        .and_then(ebook_number_in)
        .or_else(|| ebook_number_in(split.header))
        .or_else(|| ebook_number_in(split.marker))
        .or_else(|| ebooks_url_number(split.header))
        .or_else(|| number_in_file_name(file_name))
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
pub fn title_from_marker(marker: &str) -> Option<String> {
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
pub fn language_code(value: &str) -> Option<String> {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_body_is_exactly_between_the_markers() {
        let text = "\u{feff}Title: A Tale\n  of Two Parts\nAuthor: Ann Example and Bo Example\nRelease date: March 3, 2001 [eBook #77]\nLanguage: French\n\n*** START OF THE PROJECT GUTENBERG EBOOK A TALE ***\nline one\n\nline two\n*** END OF THE PROJECT GUTENBERG EBOOK A TALE ***\nlicence\n";
        let s = split(text).unwrap();
        assert_eq!(s.body, "line one\n\nline two\n");
        let h = Header::read(s.header);
        assert_eq!(h.title.as_deref(), Some("A Tale of Two Parts"));
        assert_eq!(h.authors, vec!["Ann Example", "Bo Example"]);
        assert_eq!(h.language_code().as_deref(), Some("fr"));
        assert_eq!(ebook_number(&s, &h, "x.txt"), Some(77));
        assert_eq!(h.release_date(), Some(time::macros::date!(2001 - 03 - 03)));
    }
}
