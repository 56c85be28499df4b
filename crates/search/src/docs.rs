//! The documents a caller hands to the index: plain structs filled from the
//! database (or from outside data), so nothing here knows about storage.

/// One work (book) as search sees it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BookDoc {
    /// The work's id (a UUID in Quire). Ids must be unique across kinds.
    pub id: String,
    pub title: String,
    pub subtitle: Option<String>,
    /// Credited names, first author first.
    pub authors: Vec<String>,
    pub series: Option<String>,
    /// Subjects or genres as the catalog names them; facets count them as given.
    pub subjects: Vec<String>,
    /// ISBN-10s and ISBN-13s of the work's editions, with or without hyphens.
    /// Both forms of each are indexed, so either finds the work.
    pub isbns: Vec<String>,
    /// Year of first publication (negative for BCE).
    pub year: Option<i32>,
    /// Language code as the catalog has it ("eng", "spa").
    pub language: Option<String>,
    /// Formats the editions come in ("paperback", "ebook").
    pub formats: Vec<String>,
    /// Number of ratings: the popularity that ranking weighs.
    pub ratings: u64,
    /// Average rating (shown, not ranked on).
    pub average: Option<f32>,
}

/// What a person is to Quire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PersonKind {
    /// A contributor to books.
    Author,
    /// A member of this Quire.
    Member,
}

/// An author or a member.
#[derive(Clone, Debug, PartialEq)]
pub struct PersonDoc {
    pub id: String,
    pub name: String,
    pub kind: PersonKind,
    /// Popularity for ranking: for an author the ratings of their books, for
    /// a member whatever the caller wants to weigh (0 is fine).
    pub popularity: u64,
}

/// A club. **Only public clubs may be given to the index**: the index has
/// no notion of who may see what, so whatever is in it can be found by
/// anyone who can search. Deciding that is the caller's job (the club's
/// visibility, `ClubAccess` in the web crate).
#[derive(Clone, Debug, PartialEq)]
pub struct ClubDoc {
    pub id: String,
    pub name: String,
    pub description: String,
    /// Member count, the club's popularity for ranking.
    pub members: u64,
}

/// Any document the index holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Doc {
    Book(BookDoc),
    Person(PersonDoc),
    Club(ClubDoc),
}

impl Doc {
    /// The caller's id of the document.
    pub fn id(&self) -> &str {
        match self {
            Doc::Book(b) => &b.id,
            Doc::Person(p) => &p.id,
            Doc::Club(c) => &c.id,
        }
    }

    /// What kind of thing the document is.
    pub fn kind(&self) -> Kind {
        match self {
            Doc::Book(_) => Kind::Book,
            Doc::Person(p) => match p.kind {
                PersonKind::Author => Kind::Author,
                PersonKind::Member => Kind::Member,
            },
            Doc::Club(_) => Kind::Club,
        }
    }
}

impl From<BookDoc> for Doc {
    fn from(b: BookDoc) -> Self {
        Doc::Book(b)
    }
}
impl From<PersonDoc> for Doc {
    fn from(p: PersonDoc) -> Self {
        Doc::Person(p)
    }
}
impl From<ClubDoc> for Doc {
    fn from(c: ClubDoc) -> Self {
        Doc::Club(c)
    }
}

/// The kinds of things one search box finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Book,
    Author,
    Member,
    Club,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Book, Kind::Author, Kind::Member, Kind::Club];

    pub(crate) fn code(self) -> u64 {
        match self {
            Kind::Book => 0,
            Kind::Author => 1,
            Kind::Member => 2,
            Kind::Club => 3,
        }
    }

    pub(crate) fn from_code(code: u64) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }
}
