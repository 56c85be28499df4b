//! A reader's library out of Quire: [`export`] reads it as [`Entry`]s (the
//! same type the importers give), and the writers put it in the formats
//! other tools import: Goodreads' 24-column CSV and StoryGraph's 23-column
//! CSV. Reading either back into Quire gives the same shelves, ratings,
//! reviews, read dates and queue order.

use super::{Entry, Extras, LibraryError, ReadDates, Status};
use crate::goodbooks::SeriesRef;
use quire_domain::{Format as BookFormat, Isbn13, PubDate, ReadingStatus, UserId};
use quire_storage::Db;
use quire_storage::library::{self as store, LibraryItem};
use std::collections::HashMap;
use std::io::Write;
use time::Date;

/// The header Goodreads' "Export Library" writes today, exactly.
pub const GOODREADS_HEADER: [&str; 24] = [
    "Book Id",
    "Title",
    "Author",
    "Author l-f",
    "Additional Authors",
    "ISBN",
    "ISBN13",
    "My Rating",
    "Average Rating",
    "Publisher",
    "Binding",
    "Number of Pages",
    "Year Published",
    "Original Publication Year",
    "Date Read",
    "Date Added",
    "Bookshelves",
    "Bookshelves with positions",
    "Exclusive Shelf",
    "My Review",
    "Spoiler",
    "Private Notes",
    "Read Count",
    "Owned Copies",
];

/// The header of a StoryGraph export, exactly.
pub const STORYGRAPH_HEADER: [&str; 23] = [
    "Title",
    "Authors",
    "Contributors",
    "ISBN/UID",
    "Format",
    "Read Status",
    "Date Added",
    "Last Date Read",
    "Dates Read",
    "Read Count",
    "Moods",
    "Pace",
    "Character- or Plot-Driven?",
    "Strong Character Development?",
    "Loveable Characters?",
    "Diverse Characters?",
    "Flawed Characters?",
    "Star Rating",
    "Review",
    "Content Warnings",
    "Content Warning Description",
    "Tags",
    "Owned?",
];

/// Everything `user` has, one entry per book, ordered by title. `line`
/// counts the entries from 2, as the rows of a written file would.
pub async fn export(db: &Db, user: UserId) -> Result<Vec<Entry>, LibraryError> {
    let items = store::export(db, user).await?;
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(i, it)| entry_of(i as u64 + 2, it))
        .collect())
}

fn year_of(stored: Option<&str>) -> Option<i32> {
    stored
        .and_then(|s| PubDate::parse(s).ok())
        .map(|d| d.year_value())
}

fn entry_of(line: u64, it: LibraryItem) -> Entry {
    let mut e = Entry::blank(line);
    e.source_id = it
        .goodreads_id
        .clone()
        .or_else(|| it.source.as_ref().map(|(_, key)| key.clone()))
        .unwrap_or_default();
    e.title = it.title;
    e.series = it
        .series
        .map(|(name, position)| SeriesRef { name, position });
    e.authors = it.authors;
    e.isbn13 = it.isbn13.as_deref().and_then(|i| Isbn13::parse(i).ok());
    e.rating = it.rating;
    e.publisher = it.publisher;
    e.format = it.format.filter(|f| *f != BookFormat::Other);
    e.pages = it.pages;
    e.year_published = year_of(it.published.as_deref());
    e.original_year = year_of(it.first_published.as_deref());
    e.date_added = it.added_on;
    e.queue_position = it.queue_place;
    e.shelves = it.shelves;
    if let Some((body, spoiler)) = it.review {
        e.review = Some(body);
        e.spoiler = spoiler;
    }
    e.extras = it
        .extras
        .as_deref()
        .and_then(|j| serde_json::from_str::<Extras>(j).ok())
        .unwrap_or_default();
    let has = |s: ReadingStatus| it.readings.iter().any(|r| r.status == s);
    let last_finished = |s: ReadingStatus| {
        it.readings
            .iter()
            .filter(|r| r.status == s)
            .filter_map(|r| r.finished_on.or(r.started_on))
            .max()
    };
    e.read_count = it
        .readings
        .iter()
        .filter(|r| r.status == ReadingStatus::Read)
        .count() as u32;
    for r in &it.readings {
        if r.started_on.is_some() || r.finished_on.is_some() {
            e.reads.push(ReadDates {
                started: r.started_on,
                finished: r.finished_on,
            });
        }
    }
    e.status = if has(ReadingStatus::Reading) {
        Status::CurrentlyReading
    } else if has(ReadingStatus::DidNotFinish)
        && (!has(ReadingStatus::Read)
            || last_finished(ReadingStatus::DidNotFinish) > last_finished(ReadingStatus::Read))
    {
        Status::DidNotFinish
    } else if has(ReadingStatus::Read) {
        Status::Read
    } else if e.queue_position.is_some() {
        Status::ToRead
    } else if !e.shelves.is_empty() {
        // Only on shelves of the reader's own: the first is its place.
        Status::Other(e.shelves.remove(0))
    } else {
        // Rated or reviewed, nothing else: a book read.
        Status::Read
    };
    e
}

fn slashed(d: Date) -> String {
    format!("{:04}/{:02}/{:02}", d.year(), u8::from(d.month()), d.day())
}

/// "Title (Series, #2)", the form the readers split again.
fn titled(e: &Entry) -> String {
    match &e.series {
        Some(SeriesRef {
            name,
            position: Some(p),
        }) => format!("{} ({name}, #{p})", e.title),
        _ => e.title.clone(),
    }
}

/// "Ursula K. Le Guin" → "Le Guin, Ursula K." is beyond a rule; Goodreads'
/// own `Author l-f` puts the last word first, as this does.
fn last_first(name: &str) -> String {
    match name.trim().rsplit_once(' ') {
        Some((given, last)) => format!("{last}, {given}"),
        None => name.trim().to_string(),
    }
}

/// A review as Goodreads keeps it: HTML, with `<br/>` for line breaks.
fn review_html(body: &str) -> String {
    body.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace("\r\n", "\n")
        .replace('\n', "<br/>")
}

fn csv_error(e: csv::Error) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// Write entries as a Goodreads library export (the 24-column header).
pub fn write_goodreads(entries: &[Entry], out: impl Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(GOODREADS_HEADER).map_err(csv_error)?;
    // Each shelf's books are numbered in the order written; the queue keeps
    // its own order.
    let mut counts: HashMap<String, u32> = HashMap::new();
    for e in entries {
        let exclusive = e.status.shelf_name().to_string();
        let mut shelves: Vec<String> = e.shelves.clone();
        if e.status != Status::Read && !exclusive.is_empty() {
            shelves.push(exclusive.clone());
        }
        let positions: Vec<String> = shelves
            .iter()
            .map(|s| {
                let n = if *s == "to-read" {
                    e.queue_position.unwrap_or(0)
                } else {
                    let c = counts.entry(s.clone()).or_insert(0);
                    *c += 1;
                    *c
                };
                format!("{s} (#{n})")
            })
            .collect();
        let isbn10 = e
            .isbn13
            .and_then(|i| i.to_isbn10().ok())
            .map(|i| i.as_str().to_string())
            .unwrap_or_default();
        let isbn13 = e.isbn13.map(|i| i.as_str().to_string()).unwrap_or_default();
        let last_read = e.reads.iter().filter_map(|r| r.finished).max();
        let book_id = if e.source_id.chars().all(|c| c.is_ascii_digit()) {
            e.source_id.clone()
        } else {
            String::new()
        };
        let record: [String; 24] = [
            book_id,
            titled(e),
            e.first_author().to_string(),
            last_first(e.first_author()),
            e.authors
                .iter()
                .skip(1)
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            format!("=\"{isbn10}\""),
            format!("=\"{isbn13}\""),
            e.rating
                .map_or(0, |r| u32::from(r.halves()).div_ceil(2))
                .to_string(),
            String::new(),
            e.publisher.clone().unwrap_or_default(),
            e.format.map(binding).unwrap_or_default().to_string(),
            e.pages.map(|p| p.to_string()).unwrap_or_default(),
            e.year_published.map(|y| y.to_string()).unwrap_or_default(),
            e.original_year.map(|y| y.to_string()).unwrap_or_default(),
            last_read.map(slashed).unwrap_or_default(),
            e.date_added.map(slashed).unwrap_or_default(),
            shelves.join(", "),
            positions.join(", "),
            exclusive,
            e.review.as_deref().map(review_html).unwrap_or_default(),
            if e.spoiler {
                "true".into()
            } else {
                String::new()
            },
            String::new(),
            e.read_count.to_string(),
            u8::from(e.extras.owned == Some(true)).to_string(),
        ];
        w.write_record(&record).map_err(csv_error)?;
    }
    w.flush()
}

fn binding(f: BookFormat) -> &'static str {
    match f {
        BookFormat::Hardcover => "Hardcover",
        BookFormat::Paperback => "Paperback",
        BookFormat::Ebook => "Kindle Edition",
        BookFormat::Audiobook => "Audiobook",
        BookFormat::Other => "",
    }
}

/// Write entries as a StoryGraph export (the 23-column header).
pub fn write_storygraph(entries: &[Entry], out: impl Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(STORYGRAPH_HEADER).map_err(csv_error)?;
    // StoryGraph has no queue places: the queued books come first, in
    // queue order, so an importer that reads the file in order keeps it.
    let mut ordered: Vec<&Entry> = entries.iter().collect();
    ordered.sort_by_key(|e| e.queue_position.unwrap_or(u32::MAX));
    for e in ordered {
        let x = &e.extras;
        let dates: Vec<String> = e
            .reads
            .iter()
            .map(|r| match (r.started, r.finished) {
                (Some(s), Some(f)) => format!("{}-{}", slashed(s), slashed(f)),
                (Some(s), None) => format!("{}-", slashed(s)),
                (None, Some(f)) => slashed(f),
                (None, None) => String::new(),
            })
            .filter(|s| !s.is_empty())
            .collect();
        let status = match &e.status {
            Status::Other(_) => String::new(),
            s => s.shelf_name().to_string(),
        };
        let mut tags = e.shelves.clone();
        if let Status::Other(name) = &e.status
            && !name.is_empty()
        {
            tags.insert(0, name.clone());
        }
        let format = match e.format {
            Some(BookFormat::Hardcover) => "hardcover",
            Some(BookFormat::Paperback) => "paperback",
            Some(BookFormat::Ebook) => "digital",
            Some(BookFormat::Audiobook) => "audio",
            _ => "",
        };
        let id = e
            .isbn13
            .map(|i| i.as_str().to_string())
            .unwrap_or_else(|| e.source_id.clone());
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let record: [String; 23] = [
            titled(e),
            e.authors.join(", "),
            opt(&x.contributors),
            id,
            format.to_string(),
            status,
            e.date_added.map(slashed).unwrap_or_default(),
            e.reads
                .iter()
                .filter_map(|r| r.finished)
                .max()
                .map(slashed)
                .unwrap_or_default(),
            dates.join(", "),
            e.read_count.to_string(),
            x.moods.join(", "),
            opt(&x.pace),
            opt(&x.character_or_plot),
            opt(&x.strong_character_development),
            opt(&x.loveable_characters),
            opt(&x.diverse_characters),
            opt(&x.flawed_characters),
            e.rating
                .map(|r| {
                    let h = r.halves();
                    if h % 2 == 0 {
                        format!("{}", h / 2)
                    } else {
                        format!("{}.5", h / 2)
                    }
                })
                .unwrap_or_default(),
            e.review.clone().unwrap_or_default(),
            opt(&x.content_warnings),
            opt(&x.content_warning_description),
            tags.join(", "),
            match x.owned {
                Some(true) => "Yes".into(),
                Some(false) => "No".into(),
                None => String::new(),
            },
        ];
        w.write_record(&record).map_err(csv_error)?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_forms() {
        assert_eq!(last_first("Ursula K. Le Guin"), "Guin, Ursula K. Le");
        assert_eq!(review_html("a <b> & c\nd"), "a &lt;b&gt; &amp; c<br/>d");
        assert_eq!(slashed(time::macros::date!(2020 - 01 - 02)), "2020/01/02");
    }
}
