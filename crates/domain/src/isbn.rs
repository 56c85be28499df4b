//! ISBN-10 and ISBN-13: parsing with checksums, and conversion between them.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IsbnError {
    #[error("an ISBN has 10 or 13 digits; \"{input}\" has {digits}")]
    Length { input: String, digits: usize },
    #[error("\"{input}\" contains '{ch}', which cannot appear in an ISBN")]
    Character { input: String, ch: char },
    #[error("\"{input}\" is not a valid ISBN: its check digit should be {expected}")]
    Checksum { input: String, expected: char },
    #[error("an ISBN-13 starts with 978 or 979; \"{input}\" does not")]
    Prefix { input: String },
    #[error("ISBN {input} starts with 979 and has no ISBN-10 form")]
    NoIsbn10 { input: String },
}

/// A valid ISBN-13, stored as its 13 digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Isbn13([u8; 13]);

/// A valid ISBN-10, stored as its 10 characters (the last may be 'X').
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Isbn10([u8; 10]);

/// Keep the significant characters: digits and a final X; skip the hyphens
/// and spaces people type, and reject anything else.
fn significant(input: &str) -> Result<Vec<u8>, IsbnError> {
    let mut out = Vec::with_capacity(13);
    for ch in input.trim().chars() {
        match ch {
            '0'..='9' => out.push(ch as u8),
            'x' | 'X' => out.push(b'X'),
            '-' | ' ' | '\u{2010}' | '\u{2011}' => {}
            _ => {
                return Err(IsbnError::Character {
                    input: input.to_string(),
                    ch,
                });
            }
        }
    }
    // An X is only allowed as an ISBN-10 check digit.
    if let Some(pos) = out.iter().position(|&b| b == b'X')
        && !(out.len() == 10 && pos == 9)
    {
        return Err(IsbnError::Character {
            input: input.to_string(),
            ch: 'X',
        });
    }
    Ok(out)
}

fn check13(first12: &[u8]) -> u8 {
    let sum: u32 = first12
        .iter()
        .enumerate()
        .map(|(i, d)| u32::from(d - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    b'0' + ((10 - sum % 10) % 10) as u8
}

fn check10(first9: &[u8]) -> u8 {
    let sum: u32 = first9
        .iter()
        .enumerate()
        .map(|(i, d)| u32::from(d - b'0') * (10 - i as u32))
        .sum();
    match (11 - sum % 11) % 11 {
        10 => b'X',
        n => b'0' + n as u8,
    }
}

impl Isbn13 {
    /// Parse an ISBN-13, or an ISBN-10 converted to its ISBN-13.
    pub fn parse(input: &str) -> Result<Self, IsbnError> {
        let digits = significant(input)?;
        match digits.len() {
            13 => {
                if !(digits.starts_with(b"978") || digits.starts_with(b"979")) {
                    return Err(IsbnError::Prefix {
                        input: input.to_string(),
                    });
                }
                let expected = check13(&digits[..12]);
                if digits[12] != expected {
                    return Err(IsbnError::Checksum {
                        input: input.to_string(),
                        expected: expected as char,
                    });
                }
                let mut a = [0u8; 13];
                a.copy_from_slice(&digits);
                Ok(Self(a))
            }
            10 => Ok(Isbn10::parse(input)?.to_isbn13()),
            n => Err(IsbnError::Length {
                input: input.to_string(),
                digits: n,
            }),
        }
    }

    pub fn as_str(&self) -> &str {
        // The array only ever holds ASCII digits.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The ISBN-10 form, for ISBNs in the 978 range.
    pub fn to_isbn10(&self) -> Result<Isbn10, IsbnError> {
        if !self.0.starts_with(b"978") {
            return Err(IsbnError::NoIsbn10 {
                input: self.as_str().to_string(),
            });
        }
        let mut a = [0u8; 10];
        a[..9].copy_from_slice(&self.0[3..12]);
        a[9] = check10(&a[..9]);
        Ok(Isbn10(a))
    }
}

impl Isbn10 {
    pub fn parse(input: &str) -> Result<Self, IsbnError> {
        let digits = significant(input)?;
        if digits.len() != 10 {
            return Err(IsbnError::Length {
                input: input.to_string(),
                digits: digits.len(),
            });
        }
        let expected = check10(&digits[..9]);
        if digits[9] != expected {
            return Err(IsbnError::Checksum {
                input: input.to_string(),
                expected: expected as char,
            });
        }
        let mut a = [0u8; 10];
        a.copy_from_slice(&digits);
        Ok(Self(a))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    pub fn to_isbn13(&self) -> Isbn13 {
        let mut a = [0u8; 13];
        a[..3].copy_from_slice(b"978");
        a[3..12].copy_from_slice(&self.0[..9]);
        a[12] = check13(&a[..12]);
        Isbn13(a)
    }
}

macro_rules! string_forms {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($t), self.as_str())
            }
        }
        impl TryFrom<String> for $t {
            type Error = IsbnError;
            fn try_from(s: String) -> Result<Self, IsbnError> {
                Self::parse(&s)
            }
        }
        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.as_str().to_string()
            }
        }
        impl std::str::FromStr for $t {
            type Err = IsbnError;
            fn from_str(s: &str) -> Result<Self, IsbnError> {
                Self::parse(s)
            }
        }
    };
}
string_forms!(Isbn13);
string_forms!(Isbn10);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_isbns() {
        let i = Isbn13::parse("978-1-9848-8167-0").unwrap();
        assert_eq!(i.as_str(), "9781984881670");
        assert_eq!(i.to_isbn10().unwrap().as_str(), "1984881671");
        assert_eq!(
            Isbn13::parse("0-8044-2957-X").unwrap().as_str(),
            "9780804429573"
        );
        assert_eq!(Isbn10::parse("080442957x").unwrap().as_str(), "080442957X");
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let e = Isbn13::parse("9781984881677").unwrap_err();
        assert_eq!(
            e.to_string(),
            "\"9781984881677\" is not a valid ISBN: its check digit should be 0"
        );
        assert!(matches!(
            Isbn13::parse("12345"),
            Err(IsbnError::Length { digits: 5, .. })
        ));
        assert!(matches!(
            Isbn13::parse("97819848816a0"),
            Err(IsbnError::Character { ch: 'a', .. })
        ));
        assert!(matches!(
            Isbn13::parse("1234567890123"),
            Err(IsbnError::Prefix { .. })
        ));
        assert!(matches!(
            Isbn13::parse("X781984881670"),
            Err(IsbnError::Character { ch: 'X', .. })
        ));
        assert!(Isbn13::parse("9791234567896").unwrap().to_isbn10().is_err());
    }

    proptest! {
        #[test]
        fn isbn10_round_trips_through_isbn13(body in "[0-9]{9}") {
            let check = check10(body.as_bytes()) as char;
            let ten = Isbn10::parse(&format!("{body}{check}")).unwrap();
            let thirteen = ten.to_isbn13();
            prop_assert_eq!(thirteen.to_isbn10().unwrap(), ten);
            prop_assert_eq!(Isbn13::parse(thirteen.as_str()).unwrap(), thirteen);
        }

        #[test]
        fn one_wrong_digit_is_caught(body in "97[89][0-9]{9}", pos in 3usize..12, bump in 1u8..10) {
            let good = format!("{}{}", body, check13(body.as_bytes()) as char);
            let mut bad = good.clone().into_bytes();
            bad[pos] = b'0' + (bad[pos] - b'0' + bump) % 10;
            prop_assert!(Isbn13::parse(std::str::from_utf8(&bad).unwrap()).is_err());
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = Isbn13::parse(&s);
        }
    }
}
