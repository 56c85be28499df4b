//! LibraryThing's tab-separated export. Authors are written "Surname,
//! Given" (turned round here), dates and ISBNs in brackets
//! (`[2007-04-16]`, `[2070291340]`), `Publication` as "Publisher (year),
//! binding", ratings in half stars, `Tags` comma-separated (the reader's
//! shelves) and `Collections` LibraryThing's own lists ("Your library",
//! "To read", "Currently reading", "Read but unowned", "Wishlist").

use super::row::{Problem, Row, list, problem};
use super::{Entry, ReadDates, Status};
use crate::goodbooks::{collapse_spaces, split_series};
use quire_domain::Format as BookFormat;

/// "Cortazar, Julio" → "Julio Cortazar"; a name without a comma is kept.
fn given_first(name: &str) -> String {
    match name.split_once(',') {
        Some((surname, given)) if !given.trim().is_empty() => {
            collapse_spaces(&format!("{} {}", given.trim(), surname.trim()))
        }
        _ => collapse_spaces(name),
    }
}

pub(super) fn entry(r: &mut Row<'_>) -> Result<Entry, Problem> {
    let mut e = Entry::blank(r.line);
    let (title, series) = split_series(r.text("Title")?);
    if title.is_empty() {
        return Err(problem("Title", "the title is empty"));
    }
    e.title = title;
    e.series = series;
    let primary = r.text("Primary Author")?;
    if primary.is_empty() {
        return Err(problem("Primary Author", "no author is named"));
    }
    e.authors.push(given_first(primary));
    for other in r.text("Secondary Author")?.split('|').map(str::trim) {
        if !other.is_empty() {
            let name = given_first(other);
            if !e.authors.contains(&name) {
                e.authors.push(name);
            }
        }
    }
    e.source_id = r.text("Book Id")?.to_string();
    e.isbn13 = r.isbn(&["ISBN", "ISBNs"])?;
    let publication = r.text("Publication")?;
    let publisher = publication.split(" (").next().unwrap_or("").trim();
    e.publisher = Some(collapse_spaces(publisher)).filter(|p| !p.is_empty());
    let media = r.text("Media")?;
    e.format = (!media.is_empty()).then(|| BookFormat::from_binding(media));
    e.pages = r.number("Page Count")?.and_then(|n| u32::try_from(n).ok());
    e.year_published = r.text("Date")?.get(..4).and_then(|y| y.parse::<i32>().ok());
    e.rating = r.stars("Rating")?;
    let started = r.date("Date Started")?;
    let finished = r.date("Date Read")?;
    if started.is_some() || finished.is_some() {
        e.reads.push(ReadDates { started, finished });
    }
    e.date_added = r.date("Entry Date")?.or(r.date("Acquired")?);
    e.shelves = list(r.text("Tags")?, ',');
    let collections: Vec<String> = list(r.text("Collections")?, ',');
    let has = |name: &str| collections.iter().any(|c| c.eq_ignore_ascii_case(name));
    e.status = if has("Currently reading") {
        Status::CurrentlyReading
    } else if finished.is_some() || has("Read but unowned") {
        Status::Read
    } else if has("To read") || has("Wishlist") {
        Status::ToRead
    } else {
        // A book that is simply in the library: on a shelf of that name.
        Status::Other(
            collections
                .first()
                .cloned()
                .unwrap_or_else(|| "Your library".into()),
        )
    };
    for c in &collections {
        let standard = [
            "Currently reading",
            "Read but unowned",
            "To read",
            "Your library",
        ]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(c));
        if !standard && !e.shelves.contains(c) {
            e.shelves.push(c.clone());
        }
    }
    e.extras.owned = Some(!has("Read but unowned") && !has("Wishlist"));
    let (review, _) = super::goodreads::review_text(r.text_long("Review")?);
    e.review = super::goodreads::review_within_limit(r, "Review", review);
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_turn_round() {
        assert_eq!(given_first("Cortazar, Julio"), "Julio Cortazar");
        assert_eq!(given_first("Plato"), "Plato");
    }
}
