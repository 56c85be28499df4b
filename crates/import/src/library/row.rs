//! One data row of an export, read by column name, and the value parsers
//! the formats share (dates, ratings, ISBNs, numbers). A value that makes
//! the row meaningless is a [`Problem`] (the row is skipped); a doubtful
//! optional value is left out with a warning on the row.

use super::{MAX_FIELD_CHARS, Warning};
use quire_domain::{Isbn13, Rating};
use std::collections::HashMap;
use time::{Date, Month};

/// A column name as matched: lower case, no BOM, no surrounding space.
pub(super) fn column_key(name: &str) -> String {
    name.trim_start_matches('\u{feff}').trim().to_lowercase()
}

/// The header's columns by name.
pub(super) struct Columns {
    by_name: HashMap<String, usize>,
}

impl Columns {
    pub(super) fn new(header: &[String]) -> Self {
        let mut by_name = HashMap::new();
        for (i, h) in header.iter().enumerate() {
            by_name.entry(column_key(h)).or_insert(i);
        }
        Columns { by_name }
    }
}

/// Why a row is skipped.
#[derive(Debug)]
pub(super) struct Problem {
    pub field: String,
    pub reason: String,
}

pub(super) fn problem(field: &str, reason: impl Into<String>) -> Problem {
    Problem {
        field: field.to_string(),
        reason: reason.into(),
    }
}

pub(super) struct Row<'a> {
    cols: &'a Columns,
    rec: &'a csv::StringRecord,
    pub line: u64,
    pub warnings: Vec<Warning>,
}

impl<'a> Row<'a> {
    pub(super) fn new(cols: &'a Columns, rec: &'a csv::StringRecord, line: u64) -> Self {
        Row {
            cols,
            rec,
            line,
            warnings: Vec::new(),
        }
    }

    /// The raw cell of a column ("" when the file has no such column).
    pub(super) fn raw(&self, column: &str) -> &'a str {
        self.cols
            .by_name
            .get(&column.to_lowercase())
            .and_then(|i| self.rec.get(*i))
            .unwrap_or("")
    }

    pub(super) fn has(&self, column: &str) -> bool {
        self.cols.by_name.contains_key(&column.to_lowercase())
    }

    /// A trimmed cell of at most [`MAX_FIELD_CHARS`] characters.
    pub(super) fn text(&self, column: &str) -> Result<&'a str, Problem> {
        let v = self.raw(column).trim();
        if v.len() > MAX_FIELD_CHARS {
            let chars = v.chars().count();
            if chars > MAX_FIELD_CHARS {
                return Err(problem(
                    column,
                    format!("the text is {chars} characters long; the limit is {MAX_FIELD_CHARS}"),
                ));
            }
        }
        Ok(v)
    }

    /// A long cell (a review): bounded by Quire's review limit, four times
    /// over, so an over-long review is a warning rather than a skipped row.
    pub(super) fn text_long(&self, column: &str) -> Result<&'a str, Problem> {
        let v = self.raw(column).trim();
        let max = quire_domain::text::MAX_REVIEW_CHARS * 4;
        if v.len() > max && v.chars().count() > max {
            return Err(problem(
                column,
                format!("the text is over {max} characters long"),
            ));
        }
        Ok(v)
    }

    /// A cell as optional text.
    pub(super) fn opt(&self, column: &str) -> Result<Option<String>, Problem> {
        let v = super::super::goodbooks::collapse_spaces(self.text(column)?);
        Ok(Some(v).filter(|v| !v.is_empty()))
    }

    pub(super) fn warn(&mut self, field: &str, reason: impl Into<String>) {
        self.warnings.push(Warning {
            line: self.line,
            field: field.to_string(),
            reason: reason.into(),
        });
    }

    /// A whole number, or nothing (with a warning when it is not one).
    pub(super) fn number(&mut self, column: &str) -> Result<Option<i64>, Problem> {
        let v = self.text(column)?;
        if v.is_empty() {
            return Ok(None);
        }
        let digits = v.trim_end_matches(|c: char| !c.is_ascii_digit()).trim();
        match digits.parse::<i64>() {
            Ok(n) => Ok(Some(n)),
            Err(_) => {
                self.warn(
                    column,
                    format!("\"{}\" is not a whole number; it is left out", clip(v)),
                );
                Ok(None)
            }
        }
    }

    /// A date, or nothing (with a warning when it is not one).
    pub(super) fn date(&mut self, column: &str) -> Result<Option<Date>, Problem> {
        let v = self.text(column)?;
        let v = v.trim_start_matches('[').trim_end_matches(']').trim();
        if v.is_empty() {
            return Ok(None);
        }
        let parsed = parse_date(v);
        if parsed.is_none() {
            self.warn(
                column,
                format!(
                    "\"{}\" is not a date like 2020/12/31; it is left out",
                    clip(v)
                ),
            );
        }
        Ok(parsed)
    }

    /// The first ISBN of the cells given that is a valid ISBN-10 or -13,
    /// with a warning for each one that is not.
    pub(super) fn isbn(&mut self, columns: &[&str]) -> Result<Option<Isbn13>, Problem> {
        for col in columns {
            let v = excel_text(self.text(col)?);
            let v = v.trim_start_matches('[').trim_end_matches(']');
            for candidate in v.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                match Isbn13::parse(candidate) {
                    Ok(i) => return Ok(Some(i)),
                    Err(e) => self.warn(col, format!("{e}; the ISBN is left out")),
                }
            }
        }
        Ok(None)
    }

    /// A star rating of 0 (none) to 5, in halves; a value between halves is
    /// rounded to the nearest half with a warning. Over 5 or not a number
    /// skips the row.
    pub(super) fn stars(&mut self, column: &str) -> Result<Option<Rating>, Problem> {
        let v = self.text(column)?;
        if v.is_empty() {
            return Ok(None);
        }
        let stars: f64 = v
            .parse()
            .ok()
            .filter(|s: &f64| s.is_finite())
            .ok_or_else(|| problem(column, format!("\"{}\" is not a number of stars", clip(v))))?;
        if !(0.0..=5.0).contains(&stars) {
            return Err(problem(
                column,
                format!("{v} is not a rating; ratings are 0 (none) to 5 stars"),
            ));
        }
        let halves = (stars * 2.0).round();
        if (halves - stars * 2.0).abs() > 1e-9 {
            self.warn(
                column,
                format!(
                    "{v} stars is rounded to {} (Quire rates in half stars)",
                    halves / 2.0
                ),
            );
        }
        if halves < 1.0 {
            return Ok(None);
        }
        Ok(Rating::from_halves(halves as i64).ok())
    }
}

/// At most 40 characters of a bad value, for a message.
pub(super) fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().nth(40).is_some() {
        out.push('…');
    }
    out
}

/// Goodreads writes ISBNs as spreadsheet formulas so that leading zeros
/// survive: the cell holds `="0465042333"`, or `=""` for none.
pub(super) fn excel_text(cell: &str) -> &str {
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

/// `YYYY/MM/DD` or `YYYY-MM-DD`, with anything after the day (a time)
/// ignored.
pub(super) fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let s = s
        .get(..10)
        .filter(|_| s.len() > 10 && !s.as_bytes()[10].is_ascii_digit())
        .unwrap_or(s);
    let mut parts = s.split(['/', '-']);
    let year: i32 = parts.next()?.trim().parse().ok()?;
    let month: u8 = parts.next()?.trim().parse().ok()?;
    let day: u8 = parts.next()?.trim().parse().ok()?;
    if parts.next().is_some() || !(1000..=9999).contains(&year) {
        return None;
    }
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// A list split on `sep`, trimmed, empty items and repeats dropped.
pub(super) fn list(s: &str, sep: char) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in s.split(sep).map(str::trim).filter(|i| !i.is_empty()) {
        if !out.iter().any(|o| o == item) {
            out.push(item.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_isbn_cells() {
        assert_eq!(
            parse_date("2020/12/27"),
            Some(time::macros::date!(2020 - 12 - 27))
        );
        assert_eq!(
            parse_date("2020-10-21T00:00:00+00:00"),
            Some(time::macros::date!(2020 - 10 - 21))
        );
        assert_eq!(parse_date("2020/02/30"), None);
        assert_eq!(parse_date("20201"), None);
        assert_eq!(excel_text("=\"0465042333\""), "0465042333");
        assert_eq!(excel_text("=\"\""), "");
        assert_eq!(list("a, b,, a ,c", ','), vec!["a", "b", "c"]);
    }
}
