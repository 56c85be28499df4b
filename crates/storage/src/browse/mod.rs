//! Read models for the browse pages: a contributor's works and other
//! contributions (`authors`), a series in its order with a reader's
//! progress (`series`), and a subject's books (`subjects`). Each page runs
//! a fixed number of statements, whatever the number of books, and pages
//! through long lists with `LIMIT`/`OFFSET` over indexed joins.

mod authors;
mod series;
mod subjects;

pub use authors::{AuthorPage, Contribution, RoleCount, author_page};
pub use series::{SeriesEntry, SeriesPage, SeriesStatus, series_page, series_position_key};
pub use subjects::{SubjectPage, subject_page};

/// How a list of books is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Sort {
    /// Most-rated first (how many members rated the book).
    #[default]
    Popular,
    /// Best-rated first: the mean pulled towards 3.5 stars by ten imaginary
    /// ratings, as the home page ranks, so one 5-star rating does not top
    /// the list; books nobody rated come last.
    Rating,
    /// Newest first by first publication; books without a date come last.
    Date,
}

impl Sort {
    pub const ALL: [Sort; 3] = [Sort::Popular, Sort::Rating, Sort::Date];

    /// The form used in addresses (`?sort=`).
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Popular => "popular",
            Sort::Rating => "rating",
            Sort::Date => "date",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Popular => "Most read",
            Sort::Rating => "Highest rated",
            Sort::Date => "Newest",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The `ORDER BY` keys over `works w LEFT JOIN work_stats s`; fixed
    /// text, never built from input.
    pub(crate) fn order_by(self) -> &'static str {
        match self {
            Sort::Popular => "COALESCE(s.rating_count, 0) DESC, w.sort_title, w.id",
            Sort::Rating => {
                "CASE WHEN COALESCE(s.rating_count, 0) = 0 THEN 1 ELSE 0 END,
                 (CAST(COALESCE(s.rating_sum, 0) AS DOUBLE PRECISION) + 70.0)
                    / (COALESCE(s.rating_count, 0) + 10) DESC,
                 COALESCE(s.rating_count, 0) DESC, w.sort_title, w.id"
            }
            Sort::Date => {
                "CASE WHEN w.first_published IS NULL THEN 1 ELSE 0 END,
                 w.first_published DESC, w.sort_title, w.id"
            }
        }
    }
}

/// Which slice of a long list: a page number from 1 and a page size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    pub page: u32,
    pub per_page: u32,
}

impl Paging {
    /// The most books one page shows.
    pub const MAX_PER_PAGE: u32 = 60;

    /// Page `page` (from 1) of `per_page` (clamped to 1–[`Self::MAX_PER_PAGE`]).
    pub fn new(page: u32, per_page: u32) -> Self {
        Self {
            page: page.max(1),
            per_page: per_page.clamp(1, Self::MAX_PER_PAGE),
        }
    }

    pub(crate) fn limit(self) -> i64 {
        i64::from(self.per_page)
    }

    pub(crate) fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    /// How many pages `total` items fill (at least one).
    pub fn pages(self, total: i64) -> u32 {
        let total = u64::try_from(total.max(0)).unwrap_or(0);
        u32::try_from(total.div_ceil(u64::from(self.per_page)).max(1)).unwrap_or(u32::MAX)
    }
}
