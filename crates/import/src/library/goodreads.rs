//! Goodreads' "Export Library" CSV. Two header layouts exist (24 columns
//! since about 2021, 31 before); both are read by column name. ISBNs come
//! as spreadsheet formulas (`="0465042333"`), reviews as HTML, dates as
//! `YYYY/MM/DD`, `My Rating` 0 for none, and `Bookshelves with positions`
//! gives each book's place on each shelf (`to-read (#104)`).

use super::row::{Problem, Row, problem};
use super::{Entry, ReadDates, Status};
use crate::goodbooks::{collapse_spaces, split_names, split_series};
use quire_domain::Format as BookFormat;
use quire_domain::text::MAX_REVIEW_CHARS;

pub(super) fn entry(r: &mut Row<'_>) -> Result<Entry, Problem> {
    let mut e = Entry::blank(r.line);
    let (title, series) = split_series(r.text("Title")?);
    if title.is_empty() {
        return Err(problem("Title", "the title is empty"));
    }
    e.title = title;
    e.series = series;
    let author = collapse_spaces(r.text("Author")?);
    if author.is_empty() {
        return Err(problem("Author", "no author is named"));
    }
    e.authors.push(author);
    for a in split_names(r.text("Additional Authors")?) {
        if !e.authors.contains(&a) {
            e.authors.push(a);
        }
    }
    e.source_id = r.text("Book Id")?.to_string();
    let rating = r.text("My Rating")?;
    e.rating = match rating {
        "" | "0" => None,
        v if v.parse::<u8>().is_ok_and(|n| n <= 5) => r.stars("My Rating")?,
        v => {
            return Err(problem(
                "My Rating",
                format!(
                    "{} is not a rating; Goodreads ratings are 0 (none) to 5 stars",
                    super::row::clip(v)
                ),
            ));
        }
    };
    let shelf_name = r.text("Exclusive Shelf")?;
    if shelf_name.is_empty() {
        return Err(problem(
            "Exclusive Shelf",
            "the shelf is empty; Goodreads always names one",
        ));
    }
    e.status = Status::parse(shelf_name);
    // ISBN13 first; the ISBN-10 column only when it gives nothing usable.
    e.isbn13 = r.isbn(&["ISBN13", "ISBN"])?;
    e.publisher = r.opt("Publisher")?;
    let binding = r.text("Binding")?;
    e.format = (!binding.is_empty()).then(|| BookFormat::from_binding(binding));
    e.pages = r
        .number("Number of Pages")?
        .and_then(|n| u32::try_from(n).ok());
    e.year_published = r
        .number("Year Published")?
        .and_then(|n| i32::try_from(n).ok());
    e.original_year = r
        .number("Original Publication Year")?
        .and_then(|n| i32::try_from(n).ok());
    e.read_count = r
        .number("Read Count")?
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(0);
    if let Some(d) = r.date("Date Read")? {
        e.reads.push(ReadDates {
            started: None,
            finished: Some(d),
        });
    }
    e.date_added = r.date("Date Added")?;
    e.shelves = custom_shelves(r.text("Bookshelves")?, shelf_name);
    if e.status == Status::ToRead {
        e.queue_position = shelf_position(r.text("Bookshelves with positions")?, shelf_name);
    }
    let owned = r.number("Owned Copies")?;
    e.extras.owned = owned.filter(|n| *n > 0).map(|_| true);
    let mut spoiler = r.raw("Spoiler").trim().eq_ignore_ascii_case("true");
    let (plain, marked) = review_text(r.text_long("My Review")?);
    spoiler |= marked;
    e.spoiler = spoiler;
    e.review = review_within_limit(r, "My Review", plain);
    Ok(e)
}

/// A review, unless it is over Quire's limit (then left out with a
/// warning, rather than cut short).
pub(super) fn review_within_limit(r: &mut Row<'_>, field: &str, plain: String) -> Option<String> {
    if plain.is_empty() {
        return None;
    }
    let chars = plain.chars().count();
    if chars > MAX_REVIEW_CHARS {
        r.warn(
            field,
            format!(
                "the review is {chars} characters long, over the limit of {MAX_REVIEW_CHARS}; \
                 it is left out rather than cut short"
            ),
        );
        None
    } else {
        Some(plain)
    }
}

/// The shelves of `Bookshelves` other than Goodreads' three standard ones
/// and the book's own exclusive shelf.
pub(super) fn custom_shelves(list: &str, exclusive: &str) -> Vec<String> {
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
pub(super) fn shelf_position(list: &str, shelf: &str) -> Option<u32> {
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
    fn shelves_and_positions() {
        assert_eq!(Status::parse("dropped"), Status::DidNotFinish);
        assert_eq!(Status::parse("DNF"), Status::DidNotFinish);
        assert_eq!(Status::parse("paused"), Status::Other("paused".into()));
        assert_eq!(shelf_position("to-read (#104)", "to-read"), Some(104));
        assert_eq!(shelf_position("currently-reading (#1)", "to-read"), None);
        assert_eq!(
            custom_shelves("history, to-read, spain, history", "to-read"),
            vec!["history", "spain"]
        );
    }

    proptest::proptest! {
        #[test]
        fn review_text_never_panics(html in "(<br/>|<i>|</i>|<b>|<a href=\"x\">|</a>|&amp;|&#|&#x1F600;|&|<|>|;|é|text| |\n){0,60}") {
            let (text, _) = review_text(&html);
            proptest::prop_assert!(!text.contains("<br"));
            proptest::prop_assert!(!text.contains("\n\n\n"));
        }
    }
}
