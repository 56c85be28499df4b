//! Where a reader is in a work, on one scale for every edition: a
//! [`Point`] from 0 (not started) to [`Point::END`] (finished), in ten
//! thousandths of the work. A page of a paperback, a percent of an ebook
//! and a chapter all map onto it, so two members on different editions can
//! be compared, and a club post anchored at a place in the book
//! ([`Anchor`]) is shown to a reader only once their point has reached
//! the anchor's ([`unlocked`]): Quire's spoiler gate.
//!
//! The gate runs in SQL too (`storage::clubs::discussion::spoiler_gate!`);
//! the functions marked "the SQL twin" here compute exactly what it
//! computes, and a storage test checks the two agree on generated values.
//!
//! Chapters are even slices of the work until the book's text is known
//! ([`Chapters::Even`]); then each chapter starts where the text says
//! ([`Chapters::Exact`]), and nothing else here changes.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A place in a work: 0 is the start, [`Point::END`] the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Point(u16);

impl Point {
    /// The scale's top: the reader has finished the work.
    pub const END: u16 = 10_000;
    pub const START: Point = Point(0);
    pub const FINISHED: Point = Point(Self::END);

    /// A point on the scale; `None` past the end.
    pub fn new(n: u32) -> Option<Point> {
        (n <= u32::from(Self::END)).then_some(Point(n as u16))
    }

    /// `numer / denom` of the work, rounded down; past the end is the end.
    fn fraction(numer: u64, denom: u64) -> Point {
        if denom == 0 || numer >= denom {
            return Point::FINISHED;
        }
        Point((numer * u64::from(Self::END) / denom) as u16)
    }

    pub fn value(self) -> u16 {
        self.0
    }

    /// The point as a whole percent, rounded down ("34%").
    pub fn percent(self) -> u8 {
        (self.0 / 100) as u8
    }
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.percent())
    }
}

/// How a work is divided into chapters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Chapters {
    /// `count` chapters of equal length: what a club says until the text
    /// of the book is known.
    Even(u32),
    /// Where each chapter starts, from the book's text: ascending, the
    /// first at the start.
    Exact(Vec<Point>),
}

impl Chapters {
    pub fn count(&self) -> u32 {
        match self {
            Chapters::Even(n) => *n,
            Chapters::Exact(starts) => starts.len() as u32,
        }
    }

    /// Where chapter `n` (from 1) starts; chapter `count + 1` "starts" at
    /// the end.
    fn start_of(&self, n: u32) -> Point {
        match self {
            Chapters::Even(count) => {
                Point::fraction(u64::from(n.saturating_sub(1)), u64::from(*count))
            }
            Chapters::Exact(starts) => starts
                .get(n.saturating_sub(1) as usize)
                .copied()
                .unwrap_or(Point::FINISHED),
        }
    }
}

/// A position that cannot be placed in the work, in words a reader acts on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PositionError {
    #[error("page {page} is past the end of this edition ({pages} pages)")]
    PageBeyondEnd { page: u32, pages: u32 },
    #[error("this edition's number of pages is not known; give a percent instead")]
    PagesUnknown,
    #[error("percent is from 0 to 100; {0} is not")]
    Percent(u32),
    #[error("chapter {chapter} is past the end of this book ({chapters} chapters)")]
    ChapterBeyondEnd { chapter: u32, chapters: u32 },
    #[error("a place in the book is a chapter, a percent or the end; \"{0}\" is none of these")]
    Unit(String),
    #[error("\"{0}\" is not a whole number")]
    NotANumber(String),
    #[error("chapters are counted from 1; there is no chapter 0")]
    ChapterZero,
    #[error(
        "the club has not said how many chapters this book has; give a page or a percent, or ask an organiser to set the chapter count"
    )]
    ChaptersUnknown,
}

/// A reader at page `page` of an edition of `pages` pages: the pages
/// before it are read. Past the end is refused.
pub fn at_page(page: u32, pages: Option<u32>) -> Result<Point, PositionError> {
    match pages {
        None | Some(0) => Err(PositionError::PagesUnknown),
        Some(pages) if page > pages => Err(PositionError::PageBeyondEnd { page, pages }),
        Some(pages) => Ok(Point::fraction(u64::from(page), u64::from(pages))),
    }
}

/// A reader `percent` of the way through.
pub fn at_percent(percent: u32) -> Result<Point, PositionError> {
    if percent > 100 {
        return Err(PositionError::Percent(percent));
    }
    Ok(Point(percent as u16 * 100))
}

/// A reader in chapter `chapter`: the chapters before it are read, this one
/// is not (yet), so a thread about it stays closed until they move on.
pub fn in_chapter(chapter: u32, chapters: Option<&Chapters>) -> Result<Point, PositionError> {
    let chapters = chapters.ok_or(PositionError::ChaptersUnknown)?;
    if chapter == 0 {
        return Err(PositionError::ChapterZero);
    }
    if chapter > chapters.count() {
        return Err(PositionError::ChapterBeyondEnd {
            chapter,
            chapters: chapters.count(),
        });
    }
    Ok(chapters.start_of(chapter))
}

/// A stored reading's point, never failing: the SQL twin of
/// `storage::clubs::discussion::reading_point!`. A finished reading is at
/// the end; a page past the edition's end or a chapter past the club's
/// count is the end; what cannot be placed (a page of an edition without a
/// page count, a chapter before the club gave a count) is the start, so a
/// doubtful position never opens a spoiler.
pub fn of_reading(
    finished: bool,
    progress: Option<crate::Progress>,
    pages: Option<u32>,
    chapters: Option<&Chapters>,
) -> Point {
    use crate::Progress;
    if finished {
        return Point::FINISHED;
    }
    match progress {
        Some(Progress::Percent(p)) => Point(u16::from(p.min(100)) * 100),
        Some(Progress::Page(n)) => match pages {
            Some(p) if p > 0 => Point::fraction(u64::from(n), u64::from(p)),
            _ => Point::START,
        },
        Some(Progress::Chapter(n)) => match chapters {
            Some(c) if c.count() > 0 && n > c.count() => Point::FINISHED,
            Some(c) if c.count() > 0 && n >= 1 => c.start_of(n),
            _ => Point::START,
        },
        None => Point::START,
    }
}

/// Where a club post, question or milestone sits in the book: a reader
/// sees it once they are past it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "unit", content = "value", rename_all = "snake_case")]
pub enum Anchor {
    /// No spoilers: open to everyone who may read the club.
    Start,
    /// Up to the end of this chapter.
    Chapter(u32),
    /// Up to this percent.
    Percent(u8),
    /// The whole book.
    Finished,
}

impl Anchor {
    /// The stored unit.
    pub fn unit(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Chapter(_) => "chapter",
            Anchor::Percent(_) => "percent",
            Anchor::Finished => "finished",
        }
    }

    /// The stored value (0 for the start and the end).
    pub fn value(self) -> u32 {
        match self {
            Anchor::Chapter(n) => n,
            Anchor::Percent(p) => u32::from(p),
            Anchor::Start | Anchor::Finished => 0,
        }
    }

    /// Read back a stored unit and value.
    pub fn from_stored(unit: &str, value: i64) -> Option<Anchor> {
        let v = u32::try_from(value).ok()?;
        match unit {
            "start" => Some(Anchor::Start),
            "chapter" if v >= 1 => Some(Anchor::Chapter(v)),
            "percent" if v <= 100 => Some(Anchor::Percent(v as u8)),
            "finished" => Some(Anchor::Finished),
            _ => None,
        }
    }

    /// A form's unit and value, checked against the selection's chapters.
    pub fn parse(
        unit: &str,
        value: &str,
        chapters: Option<&Chapters>,
    ) -> Result<Anchor, PositionError> {
        let number = || -> Result<u32, PositionError> {
            value
                .trim()
                .parse::<u32>()
                .map_err(|_| PositionError::NotANumber(value.trim().chars().take(40).collect()))
        };
        let anchor = match unit.trim() {
            "" | "start" | "none" => Anchor::Start,
            "finished" | "end" => Anchor::Finished,
            "chapter" => Anchor::Chapter(number()?),
            "percent" => {
                let p = number()?;
                if p > 100 {
                    return Err(PositionError::Percent(p));
                }
                Anchor::Percent(p as u8)
            }
            other => return Err(PositionError::Unit(other.chars().take(40).collect())),
        };
        anchor.check(chapters)?;
        Ok(anchor)
    }

    /// Whether the anchor can be placed in a book with `chapters`.
    pub fn check(self, chapters: Option<&Chapters>) -> Result<(), PositionError> {
        if let Anchor::Chapter(c) = self {
            let chapters = chapters.ok_or(PositionError::ChaptersUnknown)?;
            if c == 0 {
                return Err(PositionError::ChapterZero);
            }
            if c > chapters.count() {
                return Err(PositionError::ChapterBeyondEnd {
                    chapter: c,
                    chapters: chapters.count(),
                });
            }
        }
        Ok(())
    }

    /// The anchor's point: the SQL twin of
    /// `storage::clubs::discussion::anchor_point!`. The end of chapter `n`
    /// is where chapter `n + 1` starts. A chapter anchor the book's
    /// chapters cannot place (the count was removed or lowered after it
    /// was written) is at the end, so it stays closed rather than open.
    pub fn point(self, chapters: Option<&Chapters>) -> Point {
        match self {
            Anchor::Start => Point::START,
            Anchor::Finished => Point::FINISHED,
            Anchor::Percent(p) => Point(u16::from(p.min(100)) * 100),
            Anchor::Chapter(n) => match chapters {
                Some(c) if n >= 1 && n < c.count() => c.start_of(n + 1),
                _ => Point::FINISHED,
            },
        }
    }

    /// "chapter 12", "45%", "the end"; "the start" for an open anchor.
    pub fn label(self) -> String {
        match self {
            Anchor::Start => "the start".into(),
            Anchor::Chapter(n) => format!("chapter {n}"),
            Anchor::Percent(p) => format!("{p}%"),
            Anchor::Finished => "the end".into(),
        }
    }

    /// "Up to chapter 12", "Up to 45%", "The whole book", "No spoilers".
    pub fn scope(self) -> String {
        match self {
            Anchor::Start => "No spoilers".into(),
            Anchor::Finished => "The whole book".into(),
            other => format!("Up to {}", other.label()),
        }
    }

    /// What a reader before the anchor reads instead of the content:
    /// "Unlocks when you finish chapter 12".
    pub fn unlocks(self) -> String {
        match self {
            Anchor::Start => "Open to everyone".into(),
            Anchor::Chapter(n) => format!("Unlocks when you finish chapter {n}"),
            Anchor::Percent(p) => format!("Unlocks at {p}%"),
            Anchor::Finished => "Unlocks when you finish the book".into(),
        }
    }
}

/// THE rule: a reader at `reader` sees what is anchored at `anchor` once
/// they have reached it.
pub fn unlocked(anchor: Point, reader: Point) -> bool {
    anchor <= reader
}

/// How a reader stands against a reading schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pace {
    /// No milestone is due yet, or the reader is past every one due.
    OnTrack,
    /// The reader has not reached the latest milestone due (its index).
    Behind(usize),
}

/// Where a reader at `reader` stands on `today` against milestones
/// `(due, point)`: behind when short of the furthest point due by today.
pub fn pace(reader: Point, milestones: &[(time::Date, Point)], today: time::Date) -> Pace {
    let due = milestones
        .iter()
        .enumerate()
        .filter(|(_, (d, _))| *d <= today)
        .max_by_key(|(i, (_, p))| (*p, *i));
    match due {
        Some((i, (_, p))) if reader < *p => Pace::Behind(i),
        _ => Pace::OnTrack,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Progress;
    use proptest::prelude::*;

    #[test]
    fn past_the_end_is_refused_in_words() {
        assert_eq!(
            at_page(420, Some(352)).unwrap_err().to_string(),
            "page 420 is past the end of this edition (352 pages)"
        );
        assert_eq!(
            in_chapter(40, Some(&Chapters::Even(32)))
                .unwrap_err()
                .to_string(),
            "chapter 40 is past the end of this book (32 chapters)"
        );
        assert!(at_percent(101).is_err());
        assert_eq!(at_page(352, Some(352)), Ok(Point::FINISHED));
    }

    #[test]
    fn chapter_anchor_opens_when_the_next_chapter_starts() {
        let c = Chapters::Even(24);
        let anchor = Anchor::Chapter(12).point(Some(&c));
        assert!(!unlocked(anchor, in_chapter(12, Some(&c)).unwrap()));
        assert!(unlocked(anchor, in_chapter(13, Some(&c)).unwrap()));
        assert_eq!(Anchor::Chapter(24).point(Some(&c)), Point::FINISHED);
        assert_eq!(Anchor::Chapter(3).point(None), Point::FINISHED);
    }

    #[test]
    fn exact_chapters_place_by_the_text() {
        let c = Chapters::Exact(vec![Point(0), Point(500), Point(4000)]);
        assert_eq!(in_chapter(3, Some(&c)), Ok(Point(4000)));
        assert_eq!(Anchor::Chapter(1).point(Some(&c)), Point(500));
        assert_eq!(Anchor::Chapter(3).point(Some(&c)), Point::FINISHED);
    }

    #[test]
    fn pace_compares_with_the_furthest_milestone_due() {
        use time::macros::date;
        let m = [
            (date!(2026 - 11 - 01), Point(2500)),
            (date!(2026 - 11 - 15), Point(5000)),
        ];
        assert_eq!(pace(Point(0), &m, date!(2026 - 10 - 30)), Pace::OnTrack);
        assert_eq!(pace(Point(3000), &m, date!(2026 - 11 - 10)), Pace::OnTrack);
        assert_eq!(
            pace(Point(3000), &m, date!(2026 - 11 - 20)),
            Pace::Behind(1)
        );
    }

    fn chapters() -> impl Strategy<Value = Chapters> {
        prop_oneof![
            (1u32..200).prop_map(Chapters::Even),
            prop::collection::btree_set(1u16..Point::END, 0..30).prop_map(|s| {
                Chapters::Exact(
                    std::iter::once(Point(0))
                        .chain(s.into_iter().map(Point))
                        .collect(),
                )
            }),
        ]
    }

    proptest! {
        #[test]
        fn every_position_is_on_the_scale(page in 0u32..5000, pages in 1u32..5000, pct in 0u32..=100) {
            if let Ok(p) = at_page(page, Some(pages)) {
                prop_assert!(p.value() <= Point::END);
                prop_assert!(page <= pages);
            } else {
                prop_assert!(page > pages);
            }
            prop_assert_eq!(at_percent(pct).unwrap().value() as u32, pct * 100);
        }

        #[test]
        fn later_pages_are_never_earlier_points(a in 0u32..3000, b in 0u32..3000, pages in 1u32..3000) {
            let (lo, hi) = (a.min(b).min(pages), a.max(b).min(pages));
            prop_assert!(at_page(lo, Some(pages)).unwrap() <= at_page(hi, Some(pages)).unwrap());
        }

        #[test]
        fn a_chapter_thread_is_closed_in_that_chapter_and_open_after(c in chapters(), n in 1u32..250) {
            let count = c.count();
            prop_assume!(n < count);
            let anchor = Anchor::Chapter(n).point(Some(&c));
            // Strictly increasing starts make the chapter's own start earlier than its end.
            prop_assert!(!unlocked(anchor, in_chapter(n, Some(&c)).unwrap()));
            prop_assert!(unlocked(anchor, in_chapter(n + 1, Some(&c)).unwrap()));
            prop_assert!(unlocked(anchor, Point::FINISHED));
        }

        #[test]
        fn the_lenient_reading_agrees_with_the_checked_one(c in chapters(), n in 0u32..250, page in 0u32..900, pages in 1u32..900) {
            if let Ok(p) = in_chapter(n, Some(&c)) {
                prop_assert_eq!(of_reading(false, Some(Progress::Chapter(n)), None, Some(&c)), p);
            }
            if let Ok(p) = at_page(page, Some(pages)) {
                prop_assert_eq!(of_reading(false, Some(Progress::Page(page)), Some(pages), None), p);
            }
            prop_assert_eq!(of_reading(true, Some(Progress::Page(page)), Some(pages), None), Point::FINISHED);
            prop_assert_eq!(of_reading(false, Some(Progress::Chapter(n)), None, None), Point::START);
        }

        #[test]
        fn anchors_round_trip_their_stored_form(n in 1u32..2000, p in 0u8..=100) {
            for a in [Anchor::Start, Anchor::Chapter(n), Anchor::Percent(p), Anchor::Finished] {
                prop_assert_eq!(Anchor::from_stored(a.unit(), i64::from(a.value())), Some(a));
            }
        }
    }
}
