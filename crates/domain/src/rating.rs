//! Star ratings in half stars, from 0.5 to 5.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RatingError {
    #[error("a rating is from 0.5 to 5 stars in half stars; {0} is not")]
    OutOfRange(String),
    #[error("\"{0}\" is not a number of stars")]
    NotANumber(String),
}

/// A rating, held as a count of half stars (1 = 0.5 stars, 10 = 5 stars).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Rating(u8);

impl Rating {
    pub const MAX_HALVES: u8 = 10;

    pub fn from_halves(halves: i64) -> Result<Self, RatingError> {
        if (1..=i64::from(Self::MAX_HALVES)).contains(&halves) {
            Ok(Self(halves as u8))
        } else {
            Err(RatingError::OutOfRange(format!("{}", halves as f64 / 2.0)))
        }
    }

    /// Whole stars, as in most outside data (1–5).
    pub fn from_stars(stars: i64) -> Result<Self, RatingError> {
        if (1..=5).contains(&stars) {
            Ok(Self(stars as u8 * 2))
        } else {
            Err(RatingError::OutOfRange(stars.to_string()))
        }
    }

    /// Parse what a person or a form sends: "4", "4.5", "4,5".
    pub fn parse(input: &str) -> Result<Self, RatingError> {
        let t = input.trim().replace(',', ".");
        let v: f64 = t
            .parse()
            .map_err(|_| RatingError::NotANumber(input.trim().to_string()))?;
        Self::try_from(v).map_err(|_| RatingError::OutOfRange(input.trim().to_string()))
    }

    pub fn halves(self) -> u8 {
        self.0
    }

    pub fn stars(self) -> f64 {
        f64::from(self.0) / 2.0
    }
}

impl TryFrom<f64> for Rating {
    type Error = RatingError;
    fn try_from(v: f64) -> Result<Self, RatingError> {
        let halves = v * 2.0;
        if !halves.is_finite() || halves.fract() != 0.0 {
            return Err(RatingError::OutOfRange(v.to_string()));
        }
        Self::from_halves(halves as i64)
    }
}

impl From<Rating> for f64 {
    fn from(r: Rating) -> f64 {
        r.stars()
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_multiple_of(2) {
            write!(f, "{}", self.0 / 2)
        } else {
            write!(f, "{}.5", self.0 / 2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_half_stars_in_range() {
        assert_eq!(Rating::parse("4.5").unwrap().halves(), 9);
        assert_eq!(Rating::parse("0,5").unwrap().halves(), 1);
        assert_eq!(Rating::parse("5").unwrap().to_string(), "5");
        assert_eq!(Rating::from_stars(3).unwrap().to_string(), "3");
    }

    #[test]
    fn rejects_out_of_range_and_odd_steps() {
        for bad in ["0", "5.5", "11", "-1", "4.3", "NaN", "inf"] {
            assert!(Rating::parse(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(
            Rating::parse("11").unwrap_err().to_string(),
            "a rating is from 0.5 to 5 stars in half stars; 11 is not"
        );
        assert!(matches!(
            Rating::parse("lots"),
            Err(RatingError::NotANumber(_))
        ));
    }
}
