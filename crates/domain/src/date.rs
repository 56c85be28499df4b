//! Publication dates, which are often known only to the year or month.
//! A date carries its precision so that Quire never shows more than it
//! knows, nor a raw timestamp.

use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, Month};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    Year,
    Month,
    Day,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PubDate {
    year: i32,
    month: Option<Month>,
    day: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "\"{0}\" is not a date; write it as 2022, March 2022 or 4 March 2022 (or 2022-03, 2022-03-04)"
)]
pub struct DateError(pub String);

impl PubDate {
    pub fn year(year: i32) -> Self {
        Self {
            year,
            month: None,
            day: None,
        }
    }

    /// A year from outside data, if it is one Quire can store and show
    /// (1 to 9999, the range [`PubDate::parse`] accepts).
    pub fn known_year(year: i32) -> Option<Self> {
        (1..=9999).contains(&year).then(|| Self::year(year))
    }

    pub fn day(date: Date) -> Self {
        Self {
            year: date.year(),
            month: Some(date.month()),
            day: Some(date.day()),
        }
    }

    pub fn precision(&self) -> Precision {
        match (self.month, self.day) {
            (Some(_), Some(_)) => Precision::Day,
            (Some(_), None) => Precision::Month,
            _ => Precision::Year,
        }
    }

    pub fn year_value(&self) -> i32 {
        self.year
    }

    /// Parse the ISO-like forms `YYYY`, `YYYY-MM`, `YYYY-MM-DD`; `/` is
    /// accepted in place of `-` (as outside exports write dates). A time
    /// part after the date (`2022-01-04T00:00:00`) is dropped.
    /// People's forms are accepted too: `March 2022`, `4 March 2022`,
    /// `Mar 2022` (English month names, any case).
    pub fn parse(input: &str) -> Result<Self, DateError> {
        let err = || DateError(input.trim().to_string());
        let s = input.trim();
        let has_word = s
            .split(|c: char| c.is_whitespace() || c == ',')
            .any(|w| !w.is_empty() && w.chars().all(|c| c.is_alphabetic() || c == '.'));
        if has_word {
            return Self::parse_words(s).ok_or_else(err);
        }
        let s = s.split(['T', ' ']).next().unwrap_or_default();
        let parts: Vec<&str> = s.split(['-', '/']).collect();
        let num = |p: &str| -> Result<i64, DateError> {
            if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err());
            }
            p.parse::<i64>().map_err(|_| err())
        };
        let year = i32::try_from(num(parts.first().copied().unwrap_or(""))?).map_err(|_| err())?;
        if Self::known_year(year).is_none() || parts[0].len() != 4 {
            return Err(err());
        }
        match parts.len() {
            1 => Ok(Self::year(year)),
            2 => {
                let m = Month::try_from(u8::try_from(num(parts[1])?).map_err(|_| err())?)
                    .map_err(|_| err())?;
                Ok(Self {
                    year,
                    month: Some(m),
                    day: None,
                })
            }
            3 => {
                let m = Month::try_from(u8::try_from(num(parts[1])?).map_err(|_| err())?)
                    .map_err(|_| err())?;
                let d = u8::try_from(num(parts[2])?).map_err(|_| err())?;
                let date = Date::from_calendar_date(year, m, d).map_err(|_| err())?;
                Ok(Self::day(date))
            }
            _ => Err(err()),
        }
    }

    /// "March 2022", "4 March 2022", "4 Mar. 2022", "March 4, 2022".
    fn parse_words(s: &str) -> Option<Self> {
        let words: Vec<&str> = s
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .collect();
        let year = |w: &str| -> Option<i32> {
            if w.len() != 4 || !w.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Self::known_year(w.parse().ok()?).map(|d| d.year)
        };
        let day = |w: &str| -> Option<u8> {
            if w.is_empty() || w.len() > 2 || !w.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            w.parse().ok()
        };
        let (d, m, y) = match words.as_slice() {
            [m, y] => (None, month_named(m)?, year(y)?),
            [d, m, y] if day(d).is_some() => (day(d), month_named(m)?, year(y)?),
            [m, d, y] => (Some(day(d)?), month_named(m)?, year(y)?),
            _ => return None,
        };
        match d {
            None => Some(Self {
                year: y,
                month: Some(m),
                day: None,
            }),
            Some(d) => Date::from_calendar_date(y, m, d).ok().map(Self::day),
        }
    }

    /// The stored form: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub fn to_iso(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}-{:02}-{:02}", self.year, m as u8, d),
            (Some(m), None) => format!("{:04}-{:02}", self.year, m as u8),
            _ => format!("{:04}", self.year),
        }
    }
}

/// What people read: "4 January 2022", "January 2022" or "2022".
impl fmt::Display for PubDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.month, self.day) {
            (Some(m), Some(d)) => write!(f, "{d} {m} {}", self.year),
            (Some(m), None) => write!(f, "{m} {}", self.year),
            _ => write!(f, "{}", self.year),
        }
    }
}

impl Serialize for PubDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_iso())
    }
}

impl<'de> Deserialize<'de> for PubDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PubDate::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// An English month by its name or its first three letters, any case, a
/// final full stop allowed ("Sept." too).
fn month_named(word: &str) -> Option<Month> {
    let w = word.trim_end_matches('.').to_lowercase();
    if w.len() < 3 {
        return None;
    }
    let mut m = Month::January;
    for _ in 0..12 {
        let name = m.to_string().to_lowercase();
        if name == w || (name.starts_with(&w) && (w.len() == 3 || w == "sept")) {
            return Some(m);
        }
        m = m.next();
    }
    None
}

/// A calendar date as people read it: "5 May 2024".
pub fn human_date(d: Date) -> String {
    format!("{} {} {}", d.day(), d.month(), d.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_only_what_is_known() {
        assert_eq!(
            PubDate::parse("2022-01-04").unwrap().to_string(),
            "4 January 2022"
        );
        assert_eq!(
            PubDate::parse("2022-01-04T00:00:00Z").unwrap().to_string(),
            "4 January 2022"
        );
        assert_eq!(
            PubDate::parse("2022/01").unwrap().to_string(),
            "January 2022"
        );
        assert_eq!(PubDate::parse("2022").unwrap().to_string(), "2022");
        assert_eq!(PubDate::parse("2022-1-4").unwrap().to_iso(), "2022-01-04");
    }

    #[test]
    fn reads_dates_as_people_write_them() {
        let d = |s: &str| PubDate::parse(s).map(|d| d.to_iso());
        assert_eq!(d("March 2022").unwrap(), "2022-03");
        assert_eq!(d("4 March 2022").unwrap(), "2022-03-04");
        assert_eq!(d("4 mar 2022").unwrap(), "2022-03-04");
        assert_eq!(d("Sept. 2021").unwrap(), "2021-09");
        assert_eq!(d("March 4, 2022").unwrap(), "2022-03-04");
        assert_eq!(
            PubDate::parse("4 March 2022").unwrap().precision(),
            Precision::Day
        );
        assert_eq!(
            PubDate::parse("March 2022").unwrap().precision(),
            Precision::Month
        );
        for bad in [
            "Marchember 2022",
            "31 February 2022",
            "March",
            "4 March 22",
            "Ma 2022",
        ] {
            assert!(PubDate::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn only_storable_years_are_known() {
        assert_eq!(PubDate::known_year(1813).unwrap().to_string(), "1813");
        assert!(PubDate::known_year(-750).is_none());
        assert!(PubDate::known_year(0).is_none());
    }

    #[test]
    fn rejects_impossible_dates() {
        for bad in [
            "",
            "22",
            "2022-13",
            "2021-02-29",
            "twenty",
            "2022-01-04-01",
            "-2022",
        ] {
            assert!(PubDate::parse(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(
            PubDate::parse("2022-13").unwrap_err().to_string(),
            "\"2022-13\" is not a date; write it as 2022, March 2022 or 4 March 2022 (or 2022-03, 2022-03-04)"
        );
    }
}
