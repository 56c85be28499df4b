//! Reading stats (`/people/{username}/stats`) and the year in books
//! (`/people/{username}/year/{year}`). The figures come from SQL aggregates
//! (`quire_storage::reading_stats`); the charts are drawn here as SVG, each
//! with its table.

use super::charts::{Bar, Chart, columns, rows};
use super::shelf::books;
use super::{rated, reader};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::home::Card;
use crate::input::Query;
use crate::view::thousands;
use crate::view::{Layout, date, page, plural};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use quire_storage::reading_stats::{self, LENGTH_BUCKETS, ReadingStats, YEAR_LIMIT, YearBook};
use serde::Deserialize;
use time::OffsetDateTime;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// At most this many years are drawn (the latest ones).
const MAX_YEARS: usize = 30;

fn half_stars(h: usize) -> String {
    let whole = h / 2;
    match (whole, h % 2) {
        (0, _) => "½".into(),
        (w, 1) => format!("{w}½"),
        (w, _) => w.to_string(),
    }
}

/// The years from the first to the last with a dated book (gaps as 0),
/// at most the latest [`MAX_YEARS`].
fn year_span(s: &ReadingStats) -> Vec<(i32, i64, i64)> {
    let (Some(first), Some(last)) = (s.years.first(), s.years.last()) else {
        return Vec::new();
    };
    let from = first.0.max(last.0 - MAX_YEARS as i32 + 1);
    (from..=last.0)
        .map(|y| {
            let t = s
                .years
                .iter()
                .find(|(yy, _)| *yy == y)
                .map(|(_, t)| *t)
                .unwrap_or_default();
            (y, t.books, t.pages)
        })
        .collect()
}

fn peak<T: Copy>(items: &[(T, i64)]) -> Option<(T, i64)> {
    items
        .iter()
        .copied()
        .filter(|(_, n)| *n > 0)
        .fold(None, |best: Option<(T, i64)>, (k, n)| match best {
            Some((_, b)) if b >= n => best,
            _ => Some((k, n)),
        })
}

fn per_year_charts(s: &ReadingStats) -> Vec<Chart> {
    let span = year_span(s);
    if span.is_empty() {
        return Vec::new();
    }
    let (first, last) = (span[0].0, span[span.len() - 1].0);
    let books: Vec<(i32, i64)> = span.iter().map(|(y, b, _)| (*y, *b)).collect();
    let pages: Vec<(i32, i64)> = span.iter().map(|(y, _, p)| (*y, *p)).collect();
    let short_year = |y: i32| {
        if span.len() > 8 {
            format!("’{:02}", y.rem_euclid(100))
        } else {
            y.to_string()
        }
    };
    let mut out = Vec::new();
    let total_books: i64 = books.iter().map(|(_, n)| n).sum();
    let summary = match peak(&books) {
        Some((y, n)) => format!(
            "Books read per year, {first} to {last}: {} in all, the most in {y} ({n}).",
            thousands(total_books)
        ),
        None => "Books read per year: none yet.".into(),
    };
    out.push(Chart {
        id: "books-per-year".into(),
        title: "Books per year".into(),
        svg: columns(
            &summary,
            &books
                .iter()
                .map(|(y, n)| Bar::new(short_year(*y), *n))
                .collect::<Vec<_>>(),
        ),
        summary,
        columns: vec!["Year".into(), "Books".into(), "Pages".into()],
        rows: span
            .iter()
            .map(|(y, b, p)| vec![y.to_string(), thousands(*b), thousands(*p)])
            .collect(),
    });
    let total_pages: i64 = pages.iter().map(|(_, n)| n).sum();
    let summary = match peak(&pages) {
        Some((y, n)) => format!(
            "Pages read per year, {first} to {last}: {} in all, the most in {y} ({}).",
            thousands(total_pages),
            thousands(n)
        ),
        None => "Pages read per year: no page counts known.".into(),
    };
    out.push(Chart {
        id: "pages-per-year".into(),
        title: "Pages per year".into(),
        svg: columns(
            &summary,
            &pages
                .iter()
                .map(|(y, n)| Bar::new(short_year(*y), *n))
                .collect::<Vec<_>>(),
        ),
        summary,
        columns: vec!["Year".into(), "Pages".into()],
        rows: pages
            .iter()
            .map(|(y, p)| vec![y.to_string(), thousands(*p)])
            .collect(),
    });
    out
}

/// Books (or pages) per month of `year`.
fn month_chart(s: &ReadingStats, year: i32, pages: bool) -> Chart {
    let values: Vec<(usize, i64)> = s
        .months
        .iter()
        .enumerate()
        .map(|(i, t)| (i, if pages { t.pages } else { t.books }))
        .collect();
    let what = if pages { "Pages" } else { "Books" };
    let total: i64 = values.iter().map(|(_, n)| n).sum();
    let summary = match peak(&values) {
        Some((m, n)) => format!(
            "{what} read in {year}, by month: {} in all, the most in {} ({}).",
            thousands(total),
            MONTHS[m],
            thousands(n)
        ),
        None => format!("{what} read in {year}, by month: none."),
    };
    Chart {
        id: format!("{}-per-month", what.to_lowercase()),
        title: format!("{what} per month in {year}"),
        svg: columns(
            &summary,
            &values
                .iter()
                .map(|(m, n)| Bar::new(&MONTHS[*m][..3], *n))
                .collect::<Vec<_>>(),
        ),
        summary,
        columns: if pages {
            vec!["Month".into(), "Pages".into()]
        } else {
            vec!["Month".into(), "Books".into(), "Pages".into()]
        },
        rows: s
            .months
            .iter()
            .enumerate()
            .map(|(i, t)| {
                if pages {
                    vec![MONTHS[i].into(), thousands(t.pages)]
                } else {
                    vec![MONTHS[i].into(), thousands(t.books), thousands(t.pages)]
                }
            })
            .collect(),
    }
}

fn other_charts(s: &ReadingStats) -> Vec<Chart> {
    let mut out = Vec::new();
    let rated_total: i64 = s.ratings.iter().sum();
    if rated_total > 0 {
        let values: Vec<(usize, i64)> = s.ratings.iter().copied().enumerate().collect();
        let (most, n) = peak(&values).unwrap_or((0, 0));
        let weighted: i64 = values.iter().map(|(i, n)| (*i as i64 + 1) * n).sum();
        let average = weighted as f64 / 2.0 / rated_total as f64;
        let summary = format!(
            "Ratings given: {} books rated, {average:.1} stars on average; most often {} stars ({n}).",
            thousands(rated_total),
            half_stars(most + 1)
        );
        out.push(Chart {
            id: "ratings".into(),
            title: "Ratings given".into(),
            svg: columns(
                &summary,
                &values
                    .iter()
                    .map(|(i, n)| Bar::new(half_stars(i + 1), *n))
                    .collect::<Vec<_>>(),
            ),
            summary,
            columns: vec!["Stars".into(), "Books".into()],
            rows: values
                .iter()
                .map(|(i, n)| vec![half_stars(i + 1), thousands(*n)])
                .collect(),
        });
    }
    if !s.subjects.is_empty() {
        let summary = format!(
            "Subjects of the books read, the {} most frequent: {}.",
            s.subjects.len(),
            s.subjects
                .iter()
                .take(3)
                .map(|(name, n)| format!("{name} ({n})"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let bars: Vec<Bar> = s
            .subjects
            .iter()
            .map(|(name, n)| Bar::new(name.clone(), *n))
            .collect();
        out.push(Chart {
            id: "subjects".into(),
            title: "Subjects".into(),
            svg: rows(&summary, &bars),
            summary,
            columns: vec!["Subject".into(), "Books".into()],
            rows: s
                .subjects
                .iter()
                .map(|(name, n)| vec![name.clone(), thousands(*n)])
                .collect(),
        });
    }
    if !s.formats.is_empty() {
        let summary = format!(
            "Formats of the books read: {}.",
            s.formats
                .iter()
                .map(|(f, n)| format!("{} {n}", f.label().to_lowercase()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let bars: Vec<Bar> = s
            .formats
            .iter()
            .map(|(f, n)| Bar::new(f.label(), *n))
            .collect();
        out.push(Chart {
            id: "formats".into(),
            title: "Formats".into(),
            svg: rows(&summary, &bars),
            summary,
            columns: vec!["Format".into(), "Books".into()],
            rows: s
                .formats
                .iter()
                .map(|(f, n)| vec![f.label().to_string(), thousands(*n)])
                .collect(),
        });
    }
    if let Some(avg) = s.average_pages() {
        let summary = format!(
            "Length of the books read: {avg:.0} pages on average over {} of known length; {}.",
            books(s.with_pages),
            LENGTH_BUCKETS
                .iter()
                .zip(s.lengths)
                .map(|(l, n)| format!("{} pages: {n}", l.to_lowercase()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let bars: Vec<Bar> = LENGTH_BUCKETS
            .iter()
            .zip(s.lengths)
            .map(|(l, n)| Bar::new(format!("{l} pages"), n))
            .collect();
        out.push(Chart {
            id: "length".into(),
            title: format!("Length: {avg:.0} pages on average"),
            svg: rows(&summary, &bars),
            summary,
            columns: vec!["Pages".into(), "Books".into()],
            rows: LENGTH_BUCKETS
                .iter()
                .zip(s.lengths)
                .map(|(l, n)| vec![l.to_string(), thousands(n)])
                .collect(),
        });
    }
    if !s.most_reread.is_empty() {
        let summary = format!(
            "Re-reads: {} read more than once, {} readings in all; the most re-read is {} ({} times).",
            books(s.reread_books),
            thousands(s.reread_readings),
            s.most_reread[0].2,
            s.most_reread[0].3
        );
        let bars: Vec<Bar> = s
            .most_reread
            .iter()
            .map(|(_, _, title, n)| Bar::new(title.clone(), *n))
            .collect();
        out.push(Chart {
            id: "rereads".into(),
            title: format!("Re-reads: {}", books(s.reread_books)),
            svg: rows(&summary, &bars),
            summary,
            columns: vec!["Book".into(), "Times read".into()],
            rows: s
                .most_reread
                .iter()
                .map(|(_, _, title, n)| vec![title.clone(), n.to_string()])
                .collect(),
        });
    }
    out
}

#[derive(Deserialize, Default)]
pub struct StatsQuery {
    year: Option<String>,
}

fn year_of(raw: &str) -> Option<i32> {
    let raw = raw.trim();
    (raw.len() == 4 && raw.bytes().all(|b| b.is_ascii_digit()))
        .then(|| raw.parse().ok())
        .flatten()
        .filter(|y| *y >= 1000)
}

pub struct YearLink {
    pub year: i32,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "people/stats.html")]
struct StatsPage {
    layout: Layout,
    display_name: String,
    profile: String,
    year: i32,
    total_books: String,
    total_pages: String,
    average: Option<String>,
    undated: i64,
    year_links: Vec<YearLink>,
    year_charts: Vec<Chart>,
    month_charts: Vec<Chart>,
    charts: Vec<Chart>,
}

fn this_year() -> i32 {
    OffsetDateTime::now_utc().year()
}

pub async fn stats(
    State(st): State<AppState>,
    Path(username): Path<String>,
    Viewer(v): Viewer,
    Query(q): Query<StatsQuery>,
) -> Result<Html<String>, AppError> {
    let user = reader(&st, &username).await?;
    let asked = match q.year.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => Some(year_of(raw).ok_or_else(|| {
            AppError::bad("year", "A year is written with four digits, e.g. 2024.")
        })?),
    };
    // The months of the asked-for year, else of the latest year with books:
    // one statement finds the years, the second (only when needed) the months.
    let mut s = reading_stats::stats(&st.db, user.user_id(), asked.unwrap_or(this_year())).await?;
    let year = match asked {
        Some(y) => y,
        None => {
            let latest = s.years.last().map_or(this_year(), |(y, _)| *y);
            if latest != this_year() {
                s = reading_stats::stats(&st.db, user.user_id(), latest).await?;
            }
            latest
        }
    };
    let profile = format!("/people/{}", user.username);
    let year_links = s
        .years
        .iter()
        .rev()
        .map(|(y, _)| YearLink {
            year: *y,
            href: format!("{profile}/stats?year={y}#months"),
            current: *y == year,
        })
        .collect();
    page(&StatsPage {
        layout: Layout::for_user(v.as_ref()),
        display_name: user.display_name.clone(),
        year,
        total_books: thousands(s.total.books),
        total_pages: thousands(s.total.pages),
        average: s.average_pages().map(|a| format!("{a:.0}")),
        undated: s.undated,
        year_links,
        year_charts: per_year_charts(&s),
        month_charts: vec![month_chart(&s, year, false), month_chart(&s, year, true)],
        charts: other_charts(&s),
        profile,
    })
}

pub struct Highlight {
    pub label: &'static str,
    pub card: Card,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "people/year.html")]
struct YearPage {
    layout: Layout,
    display_name: String,
    profile: String,
    year: i32,
    books: String,
    pages: String,
    cards: Vec<Card>,
    truncated: bool,
    highlights: Vec<Highlight>,
    chart: Chart,
    years: Vec<YearLink>,
}

fn highlight(label: &'static str, b: &YearBook, detail: String) -> Highlight {
    Highlight {
        label,
        card: Card::from(&b.work, None),
        detail,
    }
}

pub async fn year(
    State(st): State<AppState>,
    Path((username, raw)): Path<(String, String)>,
    Viewer(v): Viewer,
) -> Result<Html<String>, AppError> {
    let user = reader(&st, &username).await?;
    let Some(year) = year_of(&raw) else {
        return Err(AppError::NotFound(format!(
            "\"{}\" is not a year: a year in books is written with four digits, e.g. /people/{}/year/2024.",
            raw.chars().take(20).collect::<String>(),
            user.username
        )));
    };
    let s = reading_stats::stats(&st.db, user.user_id(), year).await?;
    let list = reading_stats::year_books(&st.db, user.user_id(), year).await?;
    let total = s
        .months
        .iter()
        .fold((0, 0), |(b, p), t| (b + t.books, p + t.pages));
    let mut highlights = Vec::new();
    let with_pages = || list.iter().filter(|b| b.pages.is_some_and(|p| p > 0));
    if let Some(b) = with_pages().min_by_key(|b| b.pages) {
        highlights.push(highlight(
            "Shortest",
            b,
            plural(b.pages.unwrap_or(0), "page", "pages"),
        ));
    }
    if let Some(b) = with_pages().max_by_key(|b| b.pages)
        && list.len() > 1
    {
        highlights.push(highlight(
            "Longest",
            b,
            plural(b.pages.unwrap_or(0), "page", "pages"),
        ));
    }
    if let Some(b) = list
        .iter()
        .filter(|b| b.halves.is_some())
        .max_by_key(|b| b.halves)
    {
        highlights.push(highlight("Highest rated", b, rated(b.halves.unwrap_or(0))));
    }
    let cards = list
        .iter()
        .map(|b| {
            let mut c = Card::from(&b.work, Some(format!("Finished {}", date(b.finished_on))));
            c.rating = b.halves.map(rated);
            c
        })
        .collect();
    let profile = format!("/people/{}", user.username);
    let years = s
        .years
        .iter()
        .rev()
        .map(|(y, _)| YearLink {
            year: *y,
            href: format!("{profile}/year/{y}"),
            current: *y == year,
        })
        .collect();
    page(&YearPage {
        layout: Layout::for_user(v.as_ref()),
        display_name: user.display_name.clone(),
        year,
        books: books(total.0),
        pages: plural(total.1, "page", "pages").replacen(
            &total.1.to_string(),
            &thousands(total.1),
            1,
        ),
        truncated: list.len() >= YEAR_LIMIT as usize,
        cards,
        highlights,
        chart: month_chart(&s, year, false),
        years,
        profile,
    })
}
