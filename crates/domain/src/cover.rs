//! The sizes a stored cover is kept in.

/// One of the sizes a cover is kept in. The upload is re-encoded at its own
/// dimensions (`Original`); the smaller sizes are what pages show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CoverSize {
    /// The re-encoded upload, at its own dimensions.
    Original,
    /// For the book page: 480 pixels wide, twice the width it is shown at,
    /// so it stays sharp on high-density screens.
    Page,
    /// For cards in lists: 240 pixels wide.
    Card,
}

impl CoverSize {
    pub const ALL: [CoverSize; 3] = [CoverSize::Original, CoverSize::Page, CoverSize::Card];

    /// The name stored in the database and used in `?size=`.
    pub fn as_str(self) -> &'static str {
        match self {
            CoverSize::Original => "original",
            CoverSize::Page => "page",
            CoverSize::Card => "card",
        }
    }

    pub fn parse(s: &str) -> Option<CoverSize> {
        CoverSize::ALL.into_iter().find(|z| z.as_str() == s)
    }

    /// The width a thumbnail is made at; `None` for the original.
    pub fn width(self) -> Option<u32> {
        match self {
            CoverSize::Original => None,
            CoverSize::Page => Some(480),
            CoverSize::Card => Some(240),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_round_trip_through_their_names() {
        for s in CoverSize::ALL {
            assert_eq!(CoverSize::parse(s.as_str()), Some(s));
        }
        assert_eq!(CoverSize::parse("huge"), None);
    }
}
