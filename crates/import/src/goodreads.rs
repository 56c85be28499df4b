//! Reader for the CSV that Goodreads' "Export Library" produces.
//!
//! Two header layouts exist (24 columns since about 2021, 31 before); both
//! are read by column name. Problems that concern one optional value (an
//! ISBN that fails its checksum, a malformed date, an over-long review) do
//! not stop the import: the value is left out and a warning names the file,
//! line and column. Problems that make a row meaningless (no title, a rating
//! of 7) are errors.

use std::io::Read;
use std::path::Path;

use quire_domain::text::MAX_REVIEW_CHARS;
use quire_domain::{Format, Isbn13, Rating};
use time::{Date, Month};

use crate::error::{
    Capped, ImportError, bounded, display_name, find_columns, from_csv, next_record, open_capped,
};
use crate::goodbooks::{SeriesRef, collapse_spaces, split_names, split_series};

/// The largest export accepted. A library of 10,000 books with long reviews
/// is about 15 MB.
pub const MAX_EXPORT_BYTES: u64 = 20 * 1024 * 1024;
/// The longest field accepted other than the review, in characters.
pub const MAX_FIELD_CHARS: usize = 4_000;

/// One book of a Goodreads export.
#[derive(Debug, Clone, PartialEq)]
pub struct GoodreadsEntry {
    /// Where the row starts in the file (1-based).
    pub line: u64,
    pub goodreads_id: String,
    /// The title without its series suffix.
    pub title: String,
    pub series: Option<SeriesRef>,
    pub author: String,
    pub additional_authors: Vec<String>,
    pub isbn13: Option<Isbn13>,
    /// `None` when the reader gave no stars (Goodreads writes 0).
    pub rating: Option<Rating>,
    pub publisher: Option<String>,
    pub format: Option<Format>,
    pub pages: Option<u32>,
    pub year_published: Option<i32>,
    pub original_year: Option<i32>,
    pub date_read: Option<Date>,
    pub date_added: Option<Date>,
    pub exclusive_shelf: ExclusiveShelf,
    /// The reader's own shelves, without the exclusive one.
    pub custom_shelves: Vec<String>,
    /// The place in the want-to-read queue, for books on "to-read".
    pub queue_position: Option<u32>,
    /// The review as plain text with Markdown emphasis (see [`review_text`]).
    pub review: Option<String>,
    /// The `Spoiler` column, or a `<spoiler>` section in the review.
    pub spoiler: bool,
    pub read_count: u32,
}

/// The one shelf of Goodreads' that each book is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExclusiveShelf {
    Read,
    ToRead,
    CurrentlyReading,
    /// "dropped", "did-not-finish", "dnf" or "abandoned": readers make their
    /// own exclusive shelf for this, under one of these names.
    DidNotFinish,
    /// Any other exclusive shelf a reader made, as named in the file.
    Other(String),
}

impl ExclusiveShelf {
    pub fn parse(name: &str) -> Self {
        let name = name.trim();
        match name.to_lowercase().as_str() {
            "read" => ExclusiveShelf::Read,
            "to-read" => ExclusiveShelf::ToRead,
            "currently-reading" => ExclusiveShelf::CurrentlyReading,
            "dropped" | "did-not-finish" | "dnf" | "abandoned" => ExclusiveShelf::DidNotFinish,
            _ => ExclusiveShelf::Other(name.to_string()),
        }
    }
}

/// The entries of an export and what was left out of them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExportRead {
    pub entries: Vec<GoodreadsEntry>,
    /// One sentence per value left out, naming file, line and column.
    pub warnings: Vec<String>,
}

/// Read an export from a file, refusing one over [`MAX_EXPORT_BYTES`].
pub fn read_export_file(path: &Path) -> Result<ExportRead, ImportError> {
    let input = open_capped(path, MAX_EXPORT_BYTES)?;
    read_export(input, &display_name(path))
}

/// Read an export from any source (an upload, say); `file_name` is used in
/// messages. Input over [`MAX_EXPORT_BYTES`] is refused.
pub fn read_export(reader: impl Read, file_name: &str) -> Result<ExportRead, ImportError> {
    let file = file_name;
    let mut rdr = csv::ReaderBuilder::new().from_reader(Capped::new(reader, MAX_EXPORT_BYTES));
    let header = rdr
        .headers()
        .map_err(|e| from_csv(file, e, 1, MAX_EXPORT_BYTES))?
        .clone();
    let [
        c_title,
        c_author,
        c_shelf,
        c_rating,
        c_id,
        c_additional,
        c_isbn,
        c_isbn13,
        c_publisher,
        c_binding,
        c_pages,
        c_year,
        c_original_year,
        c_date_read,
        c_date_added,
        c_shelves,
        c_positions,
        c_review,
        c_spoiler,
        c_read_count,
    ] = find_columns(
        file,
        &header,
        [
            ("Title", true),
            ("Author", true),
            ("Exclusive Shelf", true),
            ("My Rating", true),
            ("Book Id", false),
            ("Additional Authors", false),
            ("ISBN", false),
            ("ISBN13", false),
            ("Publisher", false),
            ("Binding", false),
            ("Number of Pages", false),
            ("Year Published", false),
            ("Original Publication Year", false),
            ("Date Read", false),
            ("Date Added", false),
            ("Bookshelves", false),
            ("Bookshelves with positions", false),
            ("My Review", false),
            ("Spoiler", false),
            ("Read Count", false),
        ],
    )?;

    let mut out = ExportRead::default();
    let mut rec = csv::StringRecord::new();
    let mut last_line = 1;
    while let Some(line) = next_record(&mut rdr, &mut rec, file, &mut last_line, MAX_EXPORT_BYTES)?
    {
        let raw = |i: Option<usize>| i.and_then(|i| rec.get(i)).unwrap_or("");
        let text =
            |i: Option<usize>, name: &str| bounded(file, line, name, raw(i), MAX_FIELD_CHARS);
        let mut warn = |field: &str, message: String| {
            out.warnings
                .push(ImportError::row(file, line, field, message).to_string());
        };

        let (title, series) = split_series(text(c_title, "Title")?);
        if title.is_empty() {
            return Err(ImportError::row(file, line, "Title", "the title is empty"));
        }
        let author = collapse_spaces(text(c_author, "Author")?);
        if author.is_empty() {
            return Err(ImportError::row(file, line, "Author", "no author is named"));
        }
        let additional_authors = split_names(text(c_additional, "Additional Authors")?);

        let rating = parse_rating(raw(c_rating))
            .map_err(|m| ImportError::row(file, line, "My Rating", m))?;

        let shelf_name = text(c_shelf, "Exclusive Shelf")?;
        if shelf_name.is_empty() {
            return Err(ImportError::row(
                file,
                line,
                "Exclusive Shelf",
                "the shelf is empty; Goodreads always names one",
            ));
        }
        let exclusive_shelf = ExclusiveShelf::parse(shelf_name);

        // ISBN13 first; the ISBN-10 column only when it gives nothing usable.
        let mut isbn13 = None;
        for (col, name) in [(c_isbn13, "ISBN13"), (c_isbn, "ISBN")] {
            if isbn13.is_some() {
                break;
            }
            let value = excel_text(text(col, name)?);
            if value.is_empty() {
                continue;
            }
            match Isbn13::parse(value) {
                Ok(i) => isbn13 = Some(i),
                Err(e) => warn(name, format!("{e}; the ISBN is left out")),
            }
        }

        let publisher =
            Some(collapse_spaces(text(c_publisher, "Publisher")?)).filter(|p| !p.is_empty());
        let binding = text(c_binding, "Binding")?;
        let format = (!binding.is_empty()).then(|| Format::from_binding(binding));

        let mut number = |col: Option<usize>, name: &str| -> Result<Option<i64>, ImportError> {
            let v = text(col, name)?;
            if v.is_empty() {
                return Ok(None);
            }
            match v.parse::<i64>() {
                Ok(n) => Ok(Some(n)),
                Err(_) => {
                    warn(
                        name,
                        format!("\"{}\" is not a whole number; it is left out", clip(v)),
                    );
                    Ok(None)
                }
            }
        };
        let pages = number(c_pages, "Number of Pages")?.and_then(|n| u32::try_from(n).ok());
        let year_published = number(c_year, "Year Published")?.and_then(|n| i32::try_from(n).ok());
        let original_year = number(c_original_year, "Original Publication Year")?
            .and_then(|n| i32::try_from(n).ok());
        let read_count = number(c_read_count, "Read Count")?
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0);

        let mut date = |col: Option<usize>, name: &str| -> Result<Option<Date>, ImportError> {
            let v = text(col, name)?;
            if v.is_empty() {
                return Ok(None);
            }
            let parsed = parse_date(v);
            if parsed.is_none() {
                warn(
                    name,
                    format!(
                        "\"{}\" is not a date like 2020/12/31; it is left out",
                        clip(v)
                    ),
                );
            }
            Ok(parsed)
        };
        let date_read = date(c_date_read, "Date Read")?;
        let date_added = date(c_date_added, "Date Added")?;

        let custom_shelves = custom_shelves(text(c_shelves, "Bookshelves")?, shelf_name);
        let queue_position = if exclusive_shelf == ExclusiveShelf::ToRead {
            shelf_position(text(c_positions, "Bookshelves with positions")?, shelf_name)
        } else {
            None
        };

        let mut spoiler = raw(c_spoiler).trim().eq_ignore_ascii_case("true");
        let (review_plain, marked_spoiler) = review_text(raw(c_review));
        spoiler |= marked_spoiler;
        let review = if review_plain.is_empty() {
            None
        } else {
            let chars = review_plain.chars().count();
            if chars > MAX_REVIEW_CHARS {
                warn(
                    "My Review",
                    format!(
                        "the review is {chars} characters long, over the limit of {MAX_REVIEW_CHARS}; \
                         it is left out rather than cut short"
                    ),
                );
                None
            } else {
                Some(review_plain)
            }
        };

        out.entries.push(GoodreadsEntry {
            line,
            goodreads_id: text(c_id, "Book Id")?.to_string(),
            title,
            series,
            author,
            additional_authors,
            isbn13,
            rating,
            publisher,
            format,
            pages,
            year_published,
            original_year,
            date_read,
            date_added,
            exclusive_shelf,
            custom_shelves,
            queue_position,
            review,
            spoiler,
            read_count,
        });
    }
    Ok(out)
}

/// At most 40 characters of a bad value, for a message.
fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().nth(40).is_some() {
        out.push('…');
    }
    out
}

/// `My Rating`: 0 is "not rated", 1–5 are stars.
fn parse_rating(raw: &str) -> Result<Option<Rating>, String> {
    let t = raw.trim();
    if t.is_empty() || t == "0" {
        return Ok(None);
    }
    let stars: i64 = t
        .parse()
        .map_err(|_| format!("\"{}\" is not a number of stars", clip(t)))?;
    Rating::from_stars(stars)
        .map(Some)
        .map_err(|_| format!("{stars} is not a rating; Goodreads ratings are 0 (none) to 5 stars"))
}

/// Goodreads writes ISBNs as spreadsheet formulas so that leading zeros
/// survive: the cell holds `="0465042333"`, or `=""` for none.
fn excel_text(cell: &str) -> &str {
    let t = cell.trim();
    match t.strip_prefix('=') {
        Some(rest) => rest
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .unwrap_or(rest)
            .trim(),
        None => t,
    }
}

/// `YYYY/MM/DD` (a dash is accepted too).
fn parse_date(s: &str) -> Option<Date> {
    let mut parts = s.trim().split(['/', '-']);
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1000..=9999).contains(&year) {
        return None;
    }
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// The shelves of `Bookshelves` other than Goodreads' three standard ones
/// and the book's own exclusive shelf.
fn custom_shelves(list: &str, exclusive: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for shelf in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let standard = matches!(shelf, "read" | "to-read" | "currently-reading");
        if !standard && !shelf.eq_ignore_ascii_case(exclusive) && !out.iter().any(|s| s == shelf) {
            out.push(shelf.to_string());
        }
    }
    out
}

/// The `#N` that `Bookshelves with positions` gives a shelf:
/// "history (#1), to-read (#6)" puts the book sixth on "to-read".
fn shelf_position(list: &str, shelf: &str) -> Option<u32> {
    list.split(',').find_map(|item| {
        let (name, rest) = item.trim().split_once(" (#")?;
        if !name.trim().eq_ignore_ascii_case(shelf) {
            return None;
        }
        rest.strip_suffix(')')?.trim().parse().ok()
    })
}

/// Turn the HTML of a Goodreads review into plain text with Markdown
/// emphasis, and say whether it had a `<spoiler>` section.
///
/// `<br>` becomes a line break and two of them a paragraph break, `<p>`
/// separates paragraphs, `<i>`/`<em>` become `*…*` and `<b>`/`<strong>`
/// `**…**`; every other tag is dropped with its text kept (a link keeps its
/// words, not its address). The common entities are decoded. Words are not
/// touched.
pub fn review_text(html: &str) -> (String, bool) {
    let mut out = String::with_capacity(html.len());
    let mut spoiler = false;
    let mut rest = html;
    while let Some(ch) = rest.chars().next() {
        if ch == '<'
            && let Some((name, len)) = tag_at(rest)
        {
            match name.as_str() {
                "br" => out.push('\n'),
                "p" | "div" if !out.is_empty() => out.push_str("\n\n"),
                "i" | "em" => out.push('*'),
                "b" | "strong" => out.push_str("**"),
                "spoiler" => spoiler = true,
                _ => {}
            }
            rest = &rest[len..];
        } else if ch == '&'
            && let Some((decoded, len)) = entity_at(rest)
        {
            out.push(decoded);
            rest = &rest[len..];
        } else {
            out.push(ch);
            rest = &rest[ch.len_utf8()..];
        }
    }
    (tidy_breaks(&out), spoiler)
}

/// If `s` starts with an HTML tag (opening or closing), its lower-case name
/// and its length in bytes. A '<' that does not start a tag ("a < b") is
/// text.
fn tag_at(s: &str) -> Option<(String, usize)> {
    let body = s.strip_prefix('<')?;
    let body = body.strip_prefix('/').unwrap_or(body);
    if !body.chars().next()?.is_ascii_alphabetic() {
        return None;
    }
    // Tags are short; a '>' far away means this '<' was text.
    let end = body.char_indices().take(2_000).find(|(_, c)| *c == '>')?.0;
    let name: String = body[..end]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == ':')
        .collect::<String>()
        .to_ascii_lowercase();
    let len = s.len() - body.len() + end + 1;
    Some((name, len))
}

/// If `s` starts with a known HTML entity, the character and its length.
fn entity_at(s: &str) -> Option<(char, usize)> {
    let end = s.char_indices().take(12).find(|(_, c)| *c == ';')?.0;
    let name = &s[1..end];
    let ch = match name {
        "amp" => '&',
        "quot" => '"',
        "apos" => '\'',
        "lt" => '<',
        "gt" => '>',
        "nbsp" => ' ',
        _ => {
            let code =
                if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                    u32::from_str_radix(hex, 16).ok()?
                } else {
                    name.strip_prefix('#')?.parse().ok()?
                };
            char::from_u32(code)?
        }
    };
    Some((ch, end + 1))
}

/// Trim spaces at line ends, keep at most one blank line between
/// paragraphs, and trim the whole.
fn tidy_breaks(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut newlines = 0;
    for line in s.split('\n') {
        let line = line.trim_end();
        if line.trim().is_empty() {
            newlines += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if newlines >= 1 { "\n\n" } else { "\n" });
        }
        newlines = 0;
        out.push_str(line.trim_start_matches(' '));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn export(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/reading-exports/goodreads")
            .join(name)
    }

    const HEADER: &str = "Book Id,Title,Author,Author l-f,Additional Authors,ISBN,ISBN13,My Rating,Average Rating,Publisher,Binding,Number of Pages,Year Published,Original Publication Year,Date Read,Date Added,Bookshelves,Bookshelves with positions,Exclusive Shelf,My Review,Spoiler,Private Notes,Read Count,Owned Copies\n";

    #[test]
    fn reads_the_2020_export() {
        let read = read_export_file(&export("goodreads_export_2020_31col_MIT.csv")).unwrap();
        let entries = &read.entries;
        assert_eq!(entries.len(), 326);
        assert_eq!(entries.iter().filter(|e| e.rating.is_some()).count(), 253);
        assert_eq!(entries.iter().filter(|e| e.review.is_some()).count(), 164);

        let first = &entries[0];
        assert_eq!(first.line, 2);
        assert_eq!(first.title, "Warbreaker");
        assert_eq!(first.series.as_ref().unwrap().name, "Warbreaker");
        assert_eq!(first.author, "Brandon Sanderson");
        assert_eq!(first.read_count, 2);
        assert_eq!(first.rating, Some(Rating::from_stars(4).unwrap()));
        assert_eq!(first.format, Some(Format::Ebook));
        assert_eq!(first.pages, Some(688));
        assert_eq!(first.isbn13, None);
        assert_eq!(first.date_read, Some(time::macros::date!(2014 - 04 - 05)));
        let review = first.review.as_deref().unwrap();
        assert!(review.starts_with("This is an other great Brandon Sanderson book"));
        assert!(
            review.contains("connections!\n\nFor a full review"),
            "{review}"
        );
        assert!(!review.contains('<'));

        let shelves = |s: ExclusiveShelf| entries.iter().filter(|e| e.exclusive_shelf == s).count();
        assert_eq!(shelves(ExclusiveShelf::Read), 257);
        assert_eq!(shelves(ExclusiveShelf::ToRead), 64);
        assert_eq!(shelves(ExclusiveShelf::DidNotFinish), 4);
        assert_eq!(shelves(ExclusiveShelf::CurrentlyReading), 1);
        assert!(entries.iter().all(|e| e.custom_shelves.is_empty()));

        let knife = &entries[1];
        assert_eq!(knife.isbn13.unwrap().as_str(), "9780440238140");
        // Only the ISBN-10 column is filled on this row.
        assert!(
            entries
                .iter()
                .any(|e| e.isbn13.map(|i| i.to_string()).as_deref() == Some("9780061015724"))
        );

        // "Diamonds in the Sky" has names in its ISBN columns.
        assert!(
            read.warnings
                .iter()
                .any(|w| w.contains("field \"ISBN13\"") && w.contains("Contributor")),
            "{:?}",
            read.warnings
        );
        // The two reviews with <spoiler> sections are flagged.
        assert_eq!(entries.iter().filter(|e| e.spoiler).count(), 2);
    }

    #[test]
    fn reads_the_2024_export() {
        let read = read_export_file(&export("goodreads_export_2024_24col_CC0.csv")).unwrap();
        let entries = &read.entries;
        assert_eq!(entries.len(), 105);
        let to_read: Vec<_> = entries
            .iter()
            .filter(|e| e.exclusive_shelf == ExclusiveShelf::ToRead)
            .collect();
        assert_eq!(to_read.len(), 104);
        assert!(to_read.iter().all(|e| e.queue_position.is_some()));
        assert_eq!(to_read[0].queue_position, Some(104));
        assert_eq!(
            entries
                .iter()
                .filter(|e| e.exclusive_shelf == ExclusiveShelf::CurrentlyReading)
                .count(),
            1
        );
        assert!(
            entries
                .iter()
                .all(|e| e.rating.is_none() && e.review.is_none())
        );

        let first = &entries[0];
        assert_eq!(
            first.title,
            "Losing Ground: American Social Policy, 1950-1980"
        );
        assert_eq!(first.isbn13.unwrap().as_str(), "9780465042333");
        assert_eq!(first.original_year, Some(1983));

        let spain = entries
            .iter()
            .find(|e| e.goodreads_id == "3220846")
            .unwrap();
        assert_eq!(spain.custom_shelves, vec!["history", "spain", "family"]);
        assert_eq!(spain.queue_position, Some(6));
        assert!(
            entries
                .iter()
                .all(|e| e.additional_authors.iter().all(|a| !a.contains("  ")))
        );
        assert!(read.warnings.is_empty(), "{:?}", read.warnings);
    }

    #[test]
    fn missing_required_column_is_named() {
        let csv = "Book Id,Title,Author,Exclusive Shelf\n1,T,A,read\n";
        let err = read_export(csv.as_bytes(), "lib.csv").unwrap_err();
        assert!(matches!(&err, ImportError::MissingColumn { column, .. } if column == "My Rating"));
        assert_eq!(
            err.to_string(),
            "lib.csv: the header row has no \"My Rating\" column; check that this is the right file"
        );
    }

    #[test]
    fn a_rating_of_seven_is_an_error_on_its_line() {
        let csv = format!(
            "{HEADER}1,Title,Author,\"A, B\",,\"=\"\"\"\"\",\"=\"\"\"\"\",7,4.0,P,Paperback,100,2000,2000,,2020/01/01,,,read,,,,1,0\n"
        );
        let err = read_export(csv.as_bytes(), "lib.csv").unwrap_err();
        match &err {
            ImportError::Row { line, field, .. } => {
                assert_eq!((*line, field.as_str()), (2, "My Rating"))
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(
            err.to_string()
                .starts_with("lib.csv line 2, field \"My Rating\": 7 is not a rating")
        );
    }

    #[test]
    fn bad_isbns_and_dates_are_warnings() {
        let csv = format!(
            "{HEADER}1,Good (S #2),Au,,,\"=\"\"0465042334\"\"\",\"=\"\"9780465042334\"\"\",3,4.0,,,x,2000,,2020/13/01,2020/01/01,\"mine, to-read\",\"to-read (#3), mine (#1)\",to-read,,,,0,0\n"
        );
        let read = read_export(csv.as_bytes(), "lib.csv").unwrap();
        let e = &read.entries[0];
        assert_eq!(e.isbn13, None);
        assert_eq!(e.date_read, None);
        assert_eq!(e.pages, None);
        assert_eq!(e.queue_position, Some(3));
        assert_eq!(e.custom_shelves, vec!["mine"]);
        assert_eq!(e.series.as_ref().unwrap().position.as_deref(), Some("2"));
        assert_eq!(read.warnings.len(), 4, "{:?}", read.warnings);
        assert!(read.warnings[0].starts_with("lib.csv line 2, field \"ISBN13\""));
        assert!(read.warnings.iter().any(|w| w.contains("\"Date Read\"")));
    }

    #[test]
    fn an_overlong_review_is_dropped_with_a_warning() {
        let long = "word ".repeat(5_000);
        let csv = format!("{HEADER}1,T,A,,,,,0,,,,,,,,,,,read,\"{long}\",,,1,0\n");
        let read = read_export(csv.as_bytes(), "lib.csv").unwrap();
        assert_eq!(read.entries[0].review, None);
        assert_eq!(read.entries[0].title, "T");
        assert!(read.warnings[0].contains("field \"My Review\""));
    }

    #[test]
    fn oversized_input_is_refused() {
        let big = std::io::repeat(b'a').take(MAX_EXPORT_BYTES + 10);
        let err = read_export(big, "huge.csv").unwrap_err();
        assert!(matches!(err, ImportError::TooLarge { .. }), "{err:?}");
    }

    #[test]
    fn reviews_become_markdown() {
        let (text, spoiler) = review_text(
            "Good.<br/><br/>Very <i>good</i> &amp; <b>bold</b> &quot;x&quot; &#39;y&#39; &lt;3<br>end <a href=\"http://e.org\">link</a>",
        );
        assert_eq!(
            text,
            "Good.\n\nVery *good* & **bold** \"x\" 'y' <3\nend link"
        );
        assert!(!spoiler);
        let (text, spoiler) = review_text("Before <spoiler>he dies</spoiler> after");
        assert_eq!(text, "Before he dies after");
        assert!(spoiler);
        assert_eq!(
            review_text("a < b and c<d &unknown; &").0,
            "a < b and c<d &unknown; &"
        );
        assert_eq!(review_text("one<br/><br/><br/><br/>two").0, "one\n\ntwo");
        assert_eq!(review_text("<p>one</p><p>two</p>").0, "one\n\ntwo");
    }

    #[test]
    fn small_helpers() {
        assert_eq!(excel_text("=\"0465042333\""), "0465042333");
        assert_eq!(excel_text("=\"\""), "");
        assert_eq!(excel_text("0465042333"), "0465042333");
        assert_eq!(
            parse_date("2020/12/27"),
            Some(time::macros::date!(2020 - 12 - 27))
        );
        assert_eq!(parse_date("2020/02/30"), None);
        assert_eq!(
            ExclusiveShelf::parse("dropped"),
            ExclusiveShelf::DidNotFinish
        );
        assert_eq!(ExclusiveShelf::parse("DNF"), ExclusiveShelf::DidNotFinish);
        assert_eq!(
            ExclusiveShelf::parse("paused"),
            ExclusiveShelf::Other("paused".into())
        );
        assert_eq!(shelf_position("to-read (#104)", "to-read"), Some(104));
        assert_eq!(shelf_position("currently-reading (#1)", "to-read"), None);
    }

    proptest::proptest! {
        #[test]
        fn review_text_never_panics(html in "(<br/>|<i>|</i>|<b>|<a href=\"x\">|</a>|&amp;|&#|&#x1F600;|&|<|>|;|é|text| |\n){0,60}") {
            let (text, _) = review_text(&html);
            proptest::prop_assert!(!text.contains("<br"));
            proptest::prop_assert!(!text.contains("\n\n\n"));
        }

        #[test]
        fn read_export_never_panics(body in "(\"|,|\n|=|0|7|5|read|to-read|2020/01/01|x|é|<br/>){0,80}") {
            let text = format!("{HEADER}{body}");
            let _ = read_export(text.as_bytes(), "p.csv");
        }
    }
}
