//! BookWyrm's CSV export: one row per book on a shelf, with the book's
//! identifiers (`remote_id`, ISBNs), the reading's `start_date`,
//! `finish_date` and `stopped_date`, the rating and the review
//! (`review_name`, `review_cw`, `review_content`), and the shelf (`shelf`
//! its identifier — read, to-read, reading, stopped-reading or the
//! reader's own — and `shelf_name` its name).

use super::row::{Problem, Row, problem};
use super::{Entry, ReadDates, Status};
use crate::goodbooks::{split_names, split_series};

pub(super) fn entry(r: &mut Row<'_>) -> Result<Entry, Problem> {
    let mut e = Entry::blank(r.line);
    let (title, series) = split_series(r.text("title")?);
    if title.is_empty() {
        return Err(problem("title", "the title is empty"));
    }
    e.title = title;
    e.series = series;
    e.authors = split_names(r.text("author_text")?);
    if e.authors.is_empty() {
        return Err(problem("author_text", "no author is named"));
    }
    e.source_id = r.text("remote_id")?.to_string();
    e.isbn13 = r.isbn(&["isbn_13", "isbn_10"])?;
    let shelf = r.text("shelf")?;
    e.status = match Status::parse(shelf) {
        // A shelf of the reader's own: keep its display name.
        Status::Other(_) => {
            let name = r.text("shelf_name")?;
            Status::Other(if name.is_empty() {
                shelf.to_string()
            } else {
                name.to_string()
            })
        }
        s => s,
    };
    if shelf.is_empty() {
        return Err(problem("shelf", "the shelf is empty"));
    }
    e.date_added = r.date("shelf_date")?;
    let started = r.date("start_date")?;
    let finished = r.date("finish_date")?;
    let stopped = r.date("stopped_date")?;
    if started.is_some() || finished.is_some() || stopped.is_some() {
        e.reads.push(ReadDates {
            started,
            finished: finished.or(stopped),
        });
    }
    if stopped.is_some() && finished.is_none() && e.status == Status::Read {
        e.status = Status::DidNotFinish;
    }
    e.rating = r.stars("rating")?;
    let mut body = super::goodreads::review_text(r.text_long("review_content")?).0;
    let headline = r.text("review_name")?;
    if !headline.is_empty() && !body.is_empty() {
        body = format!("**{headline}**\n\n{body}");
    }
    e.spoiler = !r.text("review_cw")?.is_empty();
    e.review = super::goodreads::review_within_limit(r, "review_content", body);
    Ok(e)
}
