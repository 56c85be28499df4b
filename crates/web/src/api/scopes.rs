//! What a personal access token may do. A token carries a few scopes; a
//! request made with it must hold the scope its route names in
//! [`super::catalogue`] (every read needs `read`). Scopes narrow what the
//! member could do anyway: the permission layer still decides as for a
//! signed-in page, so a token never lets a member do more than they can.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Read everything the member can see.
    Read,
    /// Ratings and reviews.
    ReviewsWrite,
    /// Shelves and reading progress (a place in a club's book, flashcard
    /// reviews, sharing one's place).
    ShelvesWrite,
    /// Clubs: starting and running one, membership, selections and
    /// nominations, polls and ballots, meetings and RSVPs, threads, posts
    /// and questions, invitations.
    ClubsWrite,
    /// The catalog: books, editions, material, covers, texts, edits,
    /// merges and proposals.
    CatalogWrite,
    /// Site administration (roles and verified links); admins only.
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 6] = [
        Scope::Read,
        Scope::ReviewsWrite,
        Scope::ShelvesWrite,
        Scope::ClubsWrite,
        Scope::CatalogWrite,
        Scope::Admin,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::ReviewsWrite => "reviews:write",
            Scope::ShelvesWrite => "shelves:write",
            Scope::ClubsWrite => "clubs:write",
            Scope::CatalogWrite => "catalog:write",
            Scope::Admin => "admin",
        }
    }

    /// One line for the token form and the API page.
    pub fn description(self) -> &'static str {
        match self {
            Scope::Read => {
                "Read books, clubs, discussions and insights, as you see them signed in."
            }
            Scope::ReviewsWrite => "Rate books and write or delete your reviews.",
            Scope::ShelvesWrite => {
                "Change your shelves and reading progress, including your place in a club's book and flashcard reviews."
            }
            Scope::ClubsWrite => {
                "Act in clubs: join and leave, selections, polls and ballots, meetings and RSVPs, threads, posts and questions, and running a club you organise."
            }
            Scope::CatalogWrite => {
                "Add and edit books and editions, post material, upload covers and texts, merge and answer proposals, as your role allows."
            }
            Scope::Admin => "Site administration (roles and verified links), for admins.",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|x| x.name() == s)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A token's scopes as stored: space-separated names. Unknown names (from
/// a later version) are skipped, so they grant nothing.
pub fn parse_stored(s: &str) -> Vec<Scope> {
    let mut out: Vec<Scope> = s.split_whitespace().filter_map(Scope::parse).collect();
    out.sort();
    out.dedup();
    out
}

pub fn to_stored(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| s.name())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back() {
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.name()), Some(s));
        }
        assert_eq!(
            parse_stored("clubs:write read nonsense read"),
            vec![Scope::Read, Scope::ClubsWrite]
        );
        assert_eq!(to_stored(&[Scope::Read, Scope::Admin]), "read admin");
    }
}
