//! Time zones by their IANA names, looked up in the database compiled into
//! the binary (never the host's zoneinfo), so every server, whatever is
//! installed on it, gives the same answer for the same meeting.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use jiff::tz::{TimeZone, TimeZoneDatabase};
use thiserror::Error;

/// The longest name kept in an error; IANA names are at most about 32 bytes,
/// so anything longer is not a zone and need not be repeated whole.
const MAX_NAME_IN_ERROR: usize = 64;

fn database() -> &'static TimeZoneDatabase {
    static DB: OnceLock<TimeZoneDatabase> = OnceLock::new();
    DB.get_or_init(TimeZoneDatabase::bundled)
}

/// Every zone name the bundled database knows, sorted, for a form's select.
///
/// The list includes the older aliases the database keeps (`US/Eastern`,
/// `GB`, `Etc/GMT+5`), since a host may have stored them; each one parses.
pub fn zone_names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Vec<String> = database()
            .available()
            .map(|name| name.as_str().to_owned())
            .filter(|name| name != "Etc/Unknown")
            .collect();
        names.sort();
        names.dedup();
        names
    })
}

/// A time zone named by IANA ("Europe/London"), known to be in the bundled
/// database.
///
/// Two zones are equal when their names are; aliases (`GB` and
/// `Europe/London`) are different zones with the same rules. The name is the
/// database's own spelling, whatever the case it was given in.
#[derive(Clone)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

/// A zone name that is not in the database.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ZoneError {
    /// Nothing was given.
    #[error("no time zone given: choose one such as Europe/London")]
    Empty,
    /// The name is not a zone the database knows.
    #[error(
        "\"{name}\" is not a time zone name we recognise: use an IANA name such as \
         Europe/London or America/New_York"
    )]
    Unknown {
        /// The name as given (cut short if it was very long).
        name: String,
    },
}

impl Zone {
    /// Looks a zone up by its IANA name, ignoring ASCII case and surrounding
    /// spaces. This is also the check for a name sent from a form.
    pub fn parse(name: &str) -> Result<Zone, ZoneError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ZoneError::Empty);
        }
        let unknown = || ZoneError::Unknown {
            name: cut(name, MAX_NAME_IN_ERROR),
        };
        // A zone name is short and plain ASCII; refusing anything else keeps
        // odd input away from the lookup.
        if name.len() > MAX_NAME_IN_ERROR
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/_+-".contains(&b))
        {
            return Err(unknown());
        }
        let tz = database().get(name).map_err(|_| unknown())?;
        if tz.is_unknown() {
            return Err(unknown());
        }
        let name = tz.iana_name().unwrap_or(name).to_owned();
        Ok(Zone { name, tz })
    }

    /// Coordinated Universal Time.
    pub fn utc() -> Zone {
        Zone {
            name: "UTC".to_owned(),
            tz: TimeZone::UTC,
        }
    }

    /// The zone's IANA name, as the database spells it.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn tz(&self) -> &TimeZone {
        &self.tz
    }
}

/// Cuts `s` to at most `max` bytes without splitting a character.
fn cut(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Zone {}

impl std::hash::Hash for Zone {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl PartialOrd for Zone {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Zone {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.name.cmp(&other.name)
    }
}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Zone").field(&self.name).finish()
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl FromStr for Zone {
    type Err = ZoneError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Zone::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_name_parses_in_any_case_and_keeps_the_database_spelling() {
        let zone = Zone::parse(" europe/london ").unwrap();
        assert_eq!(zone.name(), "Europe/London");
        assert_eq!(zone, "Europe/London".parse().unwrap());
        assert_eq!(Zone::parse("utc").unwrap().name(), "UTC");
    }

    #[test]
    fn an_unknown_name_is_named_in_the_error_with_an_example() {
        let err = Zone::parse("Europe/Londn").unwrap_err();
        assert_eq!(
            err,
            ZoneError::Unknown {
                name: "Europe/Londn".into()
            }
        );
        let text = err.to_string();
        assert!(text.contains("\"Europe/Londn\""), "{text}");
        assert!(text.contains("Europe/London"), "{text}");
        assert_eq!(Zone::parse("  ").unwrap_err(), ZoneError::Empty);
        assert!(Zone::parse("Etc/Unknown").is_err());
        assert!(Zone::parse("../../etc/passwd").is_err());
        assert!(Zone::parse("+05:00").is_err());
        let long = "A".repeat(500);
        match Zone::parse(&long).unwrap_err() {
            ZoneError::Unknown { name } => assert_eq!(name.len(), MAX_NAME_IN_ERROR),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_select_list_is_sorted_and_every_name_in_it_parses() {
        let names = zone_names();
        assert!(names.len() > 400, "only {} zones", names.len());
        assert!(names.windows(2).all(|w| w[0] < w[1]));
        for wanted in ["Europe/London", "America/New_York", "Asia/Kolkata", "UTC"] {
            assert!(names.iter().any(|n| n == wanted), "{wanted} missing");
        }
        for name in names {
            assert_eq!(Zone::parse(name).unwrap().name(), name);
        }
    }
}
