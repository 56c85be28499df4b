//! The browse pages: a contributor's books (`authors`), a series in order
//! with the reader's progress (`series`), and a subject's books
//! (`subjects`). Their lists are paged and sorted by `?page=`, `?sort=` and
//! `?per=`, each checked with an error that names the field.

pub mod authors;
pub mod series;
pub mod subjects;

use crate::error::{AppError, FieldError};
use crate::view::thousands;
use quire_storage::browse::{Paging, Sort};
use serde::Deserialize;

/// Books a page shows unless `?per=` says otherwise.
pub const PER_PAGE: u32 = 24;

/// The query of a browse page. Read as text, so a bad value gets a message
/// that names its field rather than a generic "cannot read".
#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub page: Option<String>,
    pub sort: Option<String>,
    pub per: Option<String>,
    /// Author pages only: one role's books.
    pub role: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A shown value, cut short and stripped of controls.
fn shown(raw: &str) -> String {
    raw.chars().filter(|c| !c.is_control()).take(40).collect()
}

impl ListQuery {
    fn page(&self) -> Result<u32, FieldError> {
        let Some(raw) = given(&self.page) else {
            return Ok(1);
        };
        match raw.parse::<u32>() {
            Ok(0) => Err(FieldError {
                field: "page",
                message: "Pages are numbered from 1; there is no page 0.".into(),
            }),
            Ok(n) => Ok(n),
            Err(_) if raw.bytes().all(|b| b.is_ascii_digit()) => Err(FieldError {
                field: "page",
                message: format!(
                    "Page {} is far past the last page; go back to page 1.",
                    shown(raw)
                ),
            }),
            Err(_) => Err(FieldError {
                field: "page",
                message: format!(
                    "\"{}\" is not a page number: pages are whole numbers from 1.",
                    shown(raw)
                ),
            }),
        }
    }

    fn sort(&self) -> Result<Sort, FieldError> {
        let Some(raw) = given(&self.sort) else {
            return Ok(Sort::default());
        };
        Sort::parse(raw).ok_or_else(|| FieldError {
            field: "sort",
            message: format!(
                "\"{}\" is not a way to sort these books; use popular, rating or date.",
                shown(raw)
            ),
        })
    }

    fn per_page(&self, default: u32) -> Result<u32, FieldError> {
        let Some(raw) = given(&self.per) else {
            return Ok(default);
        };
        match raw.parse::<u32>() {
            Ok(n) if (1..=Paging::MAX_PER_PAGE).contains(&n) => Ok(n),
            _ => Err(FieldError {
                field: "per",
                message: format!(
                    "A page shows from 1 to {} books; \"{}\" is not one of those numbers.",
                    Paging::MAX_PER_PAGE,
                    shown(raw)
                ),
            }),
        }
    }

    /// The page, sort and page size, or every wrong field at once.
    pub fn checked(&self) -> Result<(Sort, Paging), AppError> {
        let (page, sort, per) = (self.page(), self.sort(), self.per_page(PER_PAGE));
        match (page, sort, per) {
            (Ok(page), Ok(sort), Ok(per)) => Ok((sort, Paging::new(page, per))),
            (page, sort, per) => Err(invalid(
                [page.err(), sort.err(), per.err()]
                    .into_iter()
                    .flatten()
                    .collect(),
            )),
        }
    }
}

impl ListQuery {
    /// The page and page size of a list in a fixed order (a series), or
    /// every wrong field at once; `?sort=` does not apply and is ignored.
    pub fn checked_paging(&self, default_per: u32) -> Result<Paging, AppError> {
        match (self.page(), self.per_page(default_per)) {
            (Ok(page), Ok(per)) => Ok(Paging::new(page, per)),
            (page, per) => Err(invalid(
                [page.err(), per.err()].into_iter().flatten().collect(),
            )),
        }
    }
}

/// One wrong field as itself; several as a list.
pub fn invalid(mut errors: Vec<FieldError>) -> AppError {
    if errors.len() == 1 {
        let e = errors.remove(0);
        AppError::bad(e.field, e.message)
    } else {
        AppError::Invalid(errors)
    }
}

/// A page past the last: said plainly, with the way back.
pub fn past_last(page: u32, pages: u32) -> AppError {
    AppError::bad(
        "page",
        format!("Page {page} is past the last page ({pages}); go back to page {pages}."),
    )
}

/// A link in a pager or a sort menu.
pub struct Link {
    pub label: String,
    pub href: String,
    pub current: bool,
}

/// The address of `base` with the list's query: the default sort and page
/// size are left out, and page 1 too.
pub fn list_href(
    base: &str,
    extra: &[(&str, &str)],
    sort: Sort,
    paging: Paging,
    page: u32,
) -> String {
    let mut q: Vec<String> = extra.iter().map(|(k, v)| format!("{k}={v}")).collect();
    if sort != Sort::default() {
        q.push(format!("sort={}", sort.as_str()));
    }
    if paging.per_page != PER_PAGE {
        q.push(format!("per={}", paging.per_page));
    }
    if page > 1 {
        q.push(format!("page={page}"));
    }
    if q.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", q.join("&"))
    }
}

/// The sort menu: each way, the current one marked, back to page 1.
pub fn sort_links(base: &str, extra: &[(&str, &str)], sort: Sort, paging: Paging) -> Vec<Link> {
    Sort::ALL
        .into_iter()
        .map(|s| Link {
            label: s.label().to_string(),
            href: list_href(base, extra, s, paging, 1),
            current: s == sort,
        })
        .collect()
}

/// The pager: previous, the first, a window around the current page, the
/// last, next. Empty when everything fits on one page.
pub struct Pager {
    pub prev: Option<String>,
    pub next: Option<String>,
    /// Page links; `None` stands for a gap ("…").
    pub pages: Vec<Option<Link>>,
}

impl Pager {
    pub fn new(base: &str, extra: &[(&str, &str)], sort: Sort, paging: Paging, total: i64) -> Self {
        let last = paging.pages(total);
        let current = paging.page;
        let href = |n: u32| list_href(base, extra, sort, paging, n);
        let mut pages = Vec::new();
        if last > 1 {
            let mut previous = 0;
            for n in 1..=last {
                if n == 1 || n == last || n.abs_diff(current) <= 2 {
                    if n > previous + 1 {
                        pages.push(None);
                    }
                    pages.push(Some(Link {
                        label: n.to_string(),
                        href: href(n),
                        current: n == current,
                    }));
                    previous = n;
                }
            }
        }
        Self {
            prev: (current > 1 && last > 1).then(|| href(current - 1)),
            next: (current < last).then(|| href(current + 1)),
            pages,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }
}

/// "1 book", "2,345 books".
pub fn books(n: i64) -> String {
    if n == 1 {
        "1 book".into()
    } else {
        format!("{} books", thousands(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagers_show_a_window_and_the_ends() {
        let p = Pager::new("/s", &[], Sort::Rating, Paging::new(6, 24), 24 * 20);
        let labels: Vec<String> = p
            .pages
            .iter()
            .map(|l| l.as_ref().map_or("…".to_string(), |l| l.label.clone()))
            .collect();
        assert_eq!(labels, ["1", "…", "4", "5", "6", "7", "8", "…", "20"]);
        assert_eq!(p.prev.as_deref(), Some("/s?sort=rating&page=5"));
        assert!(Pager::new("/s", &[], Sort::Popular, Paging::new(1, 24), 24).is_empty());
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(books(1), "1 book");
    }
}
