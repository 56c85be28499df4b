//! The vocabulary of clubs: who sees a club, how people join it, what each
//! member may do there, and where a book stands on the club's list. The
//! decisions built on these (who may see and do what) are made in one
//! place, the web crate's permission layer; this module only names things
//! and checks the text a club is made of.

use crate::reading::text_enum;
use std::fmt;

text_enum!(
    /// Who can find a club and read it.
    Visibility {
        Public = "public" / "Public",
        Private = "private" / "Private",
        Secret = "secret" / "Secret",
    }
);

impl Visibility {
    /// One line an organiser reads when choosing.
    pub fn explain(self) -> &'static str {
        match self {
            Visibility::Public => "Listed in the directory; anyone can read the club's page.",
            Visibility::Private => "Listed in the directory; only members read what is inside.",
            Visibility::Secret => {
                "Not listed; only members know it exists. People join by invitation."
            }
        }
    }

    /// Whether the directory lists it.
    pub fn listed(self) -> bool {
        self != Visibility::Secret
    }
}

text_enum!(
    /// How someone who can see a club becomes a member.
    JoinPolicy {
        Open = "open" / "Anyone can join",
        Request = "request" / "Ask to join",
        Invite = "invite" / "By invitation only",
    }
);

text_enum!(
    /// A member's role in one club. Ordered: each role may do everything
    /// the ones before it may.
    #[derive(PartialOrd, Ord)]
    ClubRole {
        Member = "member" / "Member",
        Organiser = "organiser" / "Organiser",
        Owner = "owner" / "Owner",
    }
);

text_enum!(
    /// Where a selection stands on the club's list.
    SelectionStatus {
        Upcoming = "upcoming" / "Upcoming",
        Current = "current" / "Reading now",
        Finished = "finished" / "Finished",
    }
);

/// Why a club's name or text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClubTextError {
    #[error("{field} is too short; write at least {min} characters")]
    TooShort { field: &'static str, min: usize },
    #[error("{field} is {len} characters; the limit is {max}")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
}

/// A club's name: 2 to 80 characters once trimmed, without line breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClubName(String);

impl ClubName {
    pub const MAX: usize = 80;

    pub fn parse(s: &str) -> Result<Self, ClubTextError> {
        let t = s.split_whitespace().collect::<Vec<_>>().join(" ");
        let len = t.chars().count();
        if len < 2 {
            return Err(ClubTextError::TooShort {
                field: "The name",
                min: 2,
            });
        }
        if len > Self::MAX {
            return Err(ClubTextError::TooLong {
                field: "The name",
                len,
                max: Self::MAX,
            });
        }
        Ok(Self(t))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClubName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Free text a member writes in a club (a description, a pitch, a join
/// request's message), bounded by a limit that depends on where it goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClubText(String);

impl ClubText {
    /// A club's description.
    pub const DESCRIPTION: usize = 2_000;
    /// A nomination's pitch.
    pub const PITCH: usize = 600;
    /// A join request's message.
    pub const MESSAGE: usize = 500;

    /// Trimmed text of at most `max` characters; empty is allowed.
    pub fn parse(field: &'static str, s: &str, max: usize) -> Result<Self, ClubTextError> {
        let t = s.trim();
        let len = t.chars().count();
        if len > max {
            return Err(ClubTextError::TooLong { field, len, max });
        }
        Ok(Self(t.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            ClubName::parse("  Tuesday \n  Readers ").unwrap().as_str(),
            "Tuesday Readers"
        );
        assert!(matches!(
            ClubName::parse(" x "),
            Err(ClubTextError::TooShort { .. })
        ));
        let long = "é".repeat(81);
        let err = ClubName::parse(&long).unwrap_err();
        assert_eq!(
            err.to_string(),
            "The name is 81 characters; the limit is 80"
        );
        assert!(ClubName::parse(&"é".repeat(80)).is_ok());
    }

    #[test]
    fn roles_are_ordered() {
        assert!(ClubRole::Owner > ClubRole::Organiser);
        assert!(ClubRole::Organiser > ClubRole::Member);
        assert_eq!(ClubRole::parse("organiser"), Some(ClubRole::Organiser));
        assert_eq!(Visibility::parse("secret"), Some(Visibility::Secret));
        assert!(!Visibility::Secret.listed());
    }

    #[test]
    fn text_is_bounded_by_its_place() {
        let pitch = "a".repeat(601);
        let err = ClubText::parse("The pitch", &pitch, ClubText::PITCH).unwrap_err();
        assert_eq!(
            err.to_string(),
            "The pitch is 601 characters; the limit is 600"
        );
        assert_eq!(
            ClubText::parse("The pitch", "  ok ", ClubText::PITCH)
                .unwrap()
                .as_str(),
            "ok"
        );
    }
}
