//! The StoryGraph's export CSV (23 columns). `Star Rating` is in quarter
//! stars (3.75), rounded here to Quire's half stars with a warning; `Dates
//! Read` lists each reading as `2023/05/23-2023/06/07` (or a single date,
//! or an open range for a book being read), several separated by commas;
//! moods, pace, the character questions, content warnings and "Owned?" are
//! kept in the entry's [`Extras`](super::Extras).

use super::row::{Problem, Row, list, parse_date, problem};
use super::{Entry, ReadDates, Status};
use crate::goodbooks::{split_names, split_series};
use quire_domain::Format as BookFormat;

pub(super) fn entry(r: &mut Row<'_>) -> Result<Entry, Problem> {
    let mut e = Entry::blank(r.line);
    let (title, series) = split_series(r.text("Title")?);
    if title.is_empty() {
        return Err(problem("Title", "the title is empty"));
    }
    e.title = title;
    e.series = series;
    e.authors = split_names(r.text("Authors")?);
    if e.authors.is_empty() {
        return Err(problem("Authors", "no author is named"));
    }
    e.extras.contributors = r.opt("Contributors")?;
    let id = r.text("ISBN/UID")?;
    e.source_id = id.to_string();
    if id.chars().filter(char::is_ascii_digit).count() >= 10 {
        e.isbn13 = r.isbn(&["ISBN/UID"])?;
    }
    let format = r.text("Format")?;
    e.format = (!format.is_empty()).then(|| BookFormat::from_binding(format));
    let status_column = if r.has("Read Status") {
        "Read Status"
    } else {
        "ReadStatus"
    };
    let status = r.text(status_column)?;
    e.status = if status.is_empty() {
        // StoryGraph leaves it empty for a book merely added: it goes on
        // no shelf but its tags.
        Status::Other(String::new())
    } else {
        Status::parse(status)
    };
    e.date_added = r.date("Date Added")?;
    let dates = r.text("Dates Read")?;
    for item in dates.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        match read_range(item) {
            Some(d) => e.reads.push(d),
            None => r.warn(
                "Dates Read",
                format!(
                    "\"{}\" is not a date or a range like 2023/05/23-2023/06/07; it is left out",
                    super::row::clip(item)
                ),
            ),
        }
    }
    if e.reads.is_empty()
        && let Some(last) = r.date("Last Date Read")?
    {
        e.reads.push(ReadDates {
            started: None,
            finished: Some(last),
        });
    }
    e.reads.sort_by_key(|d| d.finished.or(d.started));
    e.read_count = r
        .number("Read Count")?
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(0);
    e.rating = r.stars("Star Rating")?;
    let review = collapse_review(r.text_long("Review")?);
    e.review = super::goodreads::review_within_limit(r, "Review", review);
    e.extras.moods = list(r.text("Moods")?, ',');
    e.extras.pace = r.opt("Pace")?;
    e.extras.character_or_plot = r.opt("Character- or Plot-Driven?")?;
    e.extras.strong_character_development = r.opt("Strong Character Development?")?;
    e.extras.loveable_characters = r.opt("Loveable Characters?")?;
    e.extras.diverse_characters = r.opt("Diverse Characters?")?;
    e.extras.flawed_characters = r.opt("Flawed Characters?")?;
    e.extras.content_warnings = r.opt("Content Warnings")?;
    e.extras.content_warning_description = r.opt("Content Warning Description")?;
    e.spoiler = false;
    e.shelves = list(r.text("Tags")?, ',');
    e.extras.owned = match r.text("Owned?")?.to_ascii_lowercase().as_str() {
        "yes" | "true" => Some(true),
        "no" | "false" => Some(false),
        _ => None,
    };
    Ok(e)
}

/// A review as StoryGraph writes it: plain text, with line breaks kept.
fn collapse_review(s: &str) -> String {
    s.replace("\r\n", "\n").trim().to_string()
}

/// `2023/05/23-2023/06/07`, `2023/05/23-` (still reading) or `2023/06/07`.
fn read_range(item: &str) -> Option<ReadDates> {
    // The dates themselves use '/', so a '-' between them is the range.
    match item.split_once('-').filter(|_| item.contains('/')) {
        Some((a, b)) => {
            let started = parse_date(a);
            let finished = if b.trim().is_empty() {
                None
            } else {
                Some(parse_date(b)?)
            };
            started?;
            Some(ReadDates { started, finished })
        }
        None => Some(ReadDates {
            started: None,
            finished: Some(parse_date(item)?),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn date_ranges() {
        assert_eq!(
            read_range("2023/05/23-2023/06/07"),
            Some(ReadDates {
                started: Some(date!(2023 - 05 - 23)),
                finished: Some(date!(2023 - 06 - 07))
            })
        );
        assert_eq!(
            read_range("2023/05/23-"),
            Some(ReadDates {
                started: Some(date!(2023 - 05 - 23)),
                finished: None
            })
        );
        assert_eq!(
            read_range("2023/06/07"),
            Some(ReadDates {
                started: None,
                finished: Some(date!(2023 - 06 - 07))
            })
        );
        assert_eq!(read_range("soon"), None);
        assert_eq!(read_range("2023/05/23-later"), None);
    }
}
