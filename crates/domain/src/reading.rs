//! The vocabulary of books and reading: formats, contributor roles, reading
//! statuses and progress, and where a piece of book-club material came from.
//! Each enum is stored as its `as_str()` text.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Declares a string-backed enum with `as_str`, `parse` and `label`. Other
/// modules of the crate use it too (`crate::reading::text_enum!`), so its
/// paths are absolute.
macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal / $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and URL form.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// What a person reads.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.label())
            }
        }

        /// Stored text back to the enum; an unknown value is an error (the
        /// data is corrupt), never a quiet default.
        impl TryFrom<String> for $name {
            type Error = $crate::reading::UnknownValue;

            fn try_from(s: String) -> Result<Self, $crate::reading::UnknownValue> {
                Self::parse(&s).ok_or($crate::reading::UnknownValue {
                    kind: stringify!($name),
                    value: s,
                })
            }
        }

        /// Stored as its `as_str()` text.
        #[cfg(feature = "sqlx")]
        impl<DB: sqlx::Database> sqlx::Type<DB> for $name
        where
            String: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <String as sqlx::Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <String as sqlx::Type<DB>>::compatible(ty)
            }
        }

        #[cfg(feature = "sqlx")]
        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $name
        where
            &'static str: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&'static str as sqlx::Encode<'q, DB>>::encode(self.as_str(), buf)
            }
        }

        /// An unknown stored value is an error (the data is corrupt), never
        /// a quiet default.
        #[cfg(feature = "sqlx")]
        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $name
        where
            String: sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <String as sqlx::Decode<'r, DB>>::decode(value)?;
                Ok(Self::try_from(text)?)
            }
        }
    };
}
pub(crate) use text_enum;

/// A stored or sent text that names no value of an enum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{value}\" is not a known {kind}")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

text_enum!(
    /// The physical or digital form of an edition.
    Format {
        Hardcover = "hardcover" / "Hardcover",
        Paperback = "paperback" / "Paperback",
        Ebook = "ebook" / "Ebook",
        Audiobook = "audiobook" / "Audiobook",
        Other = "other" / "Other format",
    }
);

impl Format {
    /// Map the free-text bindings of outside data ("Kindle Edition",
    /// "Mass Market Paperback", "Audio CD") onto Quire's formats.
    pub fn from_binding(binding: &str) -> Self {
        let b = binding.to_lowercase();
        if b.contains("audio") || b.contains("mp3") {
            Format::Audiobook
        } else if b.contains("kindle")
            || b.contains("ebook")
            || b.contains("e-book")
            || b.contains("nook")
            || b.contains("digital")
        {
            Format::Ebook
        } else if b.contains("paperback") || b.contains("softcover") || b.contains("trade") {
            Format::Paperback
        } else if b.contains("hardcover") || b.contains("hardback") || b.contains("library binding")
        {
            Format::Hardcover
        } else {
            Format::Other
        }
    }
}

text_enum!(
    /// What an account may do across the site. Ordered: each role may do
    /// everything the ones before it may. Club roles are separate (part 2).
    #[derive(PartialOrd, Ord)]
    SiteRole {
        Member = "member" / "Member",
        Librarian = "librarian" / "Librarian",
        Admin = "admin" / "Admin",
    }
);

text_enum!(
    ContributorRole {
        Author = "author" / "Author",
        Translator = "translator" / "Translator",
        Narrator = "narrator" / "Narrator",
        Illustrator = "illustrator" / "Illustrator",
        Editor = "editor" / "Editor",
        Foreword = "foreword" / "Foreword",
    }
);

text_enum!(
    /// A reader's state with one reading of a book. Re-reads are separate
    /// readings, so a book read twice has two `Read` readings.
    ReadingStatus {
        Reading = "reading" / "Currently reading",
        Read = "read" / "Read",
        DidNotFinish = "dnf" / "Did not finish",
    }
);

text_enum!(
    /// Who wrote a piece of book-club material. Always shown beside it.
    Source {
        Publisher = "publisher" / "From the publisher",
        Author = "author" / "From the author",
        Member = "member" / "From a member",
        Quire = "quire" / "Written by Quire",
    }
);

text_enum!(
    /// The sections of book-club material on a book page, in page order.
    MaterialKind {
        Blurb = "blurb" / "Praise",
        Description = "description" / "Description",
        EditorialReview = "editorial_review" / "Editorial review",
        Excerpt = "excerpt" / "Excerpt",
        AuthorNote = "author_note" / "Notes from the author to book clubs",
        Award = "award" / "Awards",
    }
);

/// How far a reader is in a book, in the unit they chose.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "unit", content = "value", rename_all = "snake_case")]
pub enum Progress {
    Page(u32),
    Percent(u8),
    Chapter(u32),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProgressError {
    #[error("progress is a page, a percent or a chapter; \"{0}\" is none of these")]
    Unit(String),
    #[error("\"{0}\" is not a whole number")]
    NotANumber(String),
    #[error("percent is from 0 to 100; {0} is not")]
    Percent(u32),
    #[error("page {page} is past the end of this edition ({pages} pages)")]
    PastEnd { page: u32, pages: u32 },
}

impl Progress {
    /// Build from a form's unit and value, checked against the edition's
    /// page count when it is known.
    pub fn parse(unit: &str, value: &str, pages: Option<u32>) -> Result<Self, ProgressError> {
        let n: u32 = value
            .trim()
            .parse()
            .map_err(|_| ProgressError::NotANumber(value.trim().to_string()))?;
        match unit {
            "page" => match pages {
                Some(p) if n > p => Err(ProgressError::PastEnd { page: n, pages: p }),
                _ => Ok(Progress::Page(n)),
            },
            "percent" if n <= 100 => Ok(Progress::Percent(n as u8)),
            "percent" => Err(ProgressError::Percent(n)),
            "chapter" => Ok(Progress::Chapter(n)),
            other => Err(ProgressError::Unit(other.to_string())),
        }
    }

    pub fn unit(&self) -> &'static str {
        match self {
            Progress::Page(_) => "page",
            Progress::Percent(_) => "percent",
            Progress::Chapter(_) => "chapter",
        }
    }

    pub fn value(&self) -> u32 {
        match *self {
            Progress::Page(n) | Progress::Chapter(n) => n,
            Progress::Percent(n) => u32::from(n),
        }
    }

    /// Percent through the book, when it can be known.
    pub fn percent(&self, pages: Option<u32>) -> Option<u8> {
        match (*self, pages) {
            (Progress::Percent(p), _) => Some(p),
            (Progress::Page(n), Some(total)) if total > 0 => {
                Some(((n.min(total) * 100) / total) as u8)
            }
            _ => None,
        }
    }
}

impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Progress::Page(n) => write!(f, "page {n}"),
            Progress::Percent(n) => write!(f, "{n}%"),
            Progress::Chapter(n) => write!(f, "chapter {n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bindings_map_to_formats() {
        assert_eq!(Format::from_binding("Kindle Edition"), Format::Ebook);
        assert_eq!(
            Format::from_binding("Mass Market Paperback"),
            Format::Paperback
        );
        assert_eq!(Format::from_binding("Audio CD"), Format::Audiobook);
        assert_eq!(Format::from_binding("Hardcover"), Format::Hardcover);
        assert_eq!(Format::from_binding(""), Format::Other);
    }

    #[test]
    fn enums_round_trip_their_stored_form() {
        for f in Format::ALL {
            assert_eq!(Format::parse(f.as_str()), Some(*f));
        }
        for s in ReadingStatus::ALL {
            assert_eq!(ReadingStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(
            MaterialKind::parse("author_note"),
            Some(MaterialKind::AuthorNote)
        );
    }

    #[test]
    fn progress_is_checked() {
        assert_eq!(
            Progress::parse("page", "120", Some(352))
                .unwrap()
                .percent(Some(352)),
            Some(34)
        );
        assert!(matches!(
            Progress::parse("page", "400", Some(352)),
            Err(ProgressError::PastEnd { .. })
        ));
        assert!(Progress::parse("percent", "101", None).is_err());
        assert!(Progress::parse("line", "3", None).is_err());
        assert!(Progress::parse("page", "three", None).is_err());
    }
}
