//! Every `/api/v1` operation in one table: its method and route pattern
//! (as the router spells it), its group, the token scope it needs, a
//! summary, its query parameters and an example body. The bearer check
//! (`bearer::require_scope`) reads the scope from here, and the OpenAPI
//! document and the API page are drawn from here, so an operation that is
//! documented is the one that is enforced. A test reads the router's source
//! and fails when a route is missing (`tests/it/api_tokens.rs`).

use super::scopes::Scope;
use super::scopes::Scope::{Admin, CatalogWrite, ClubsWrite, Read, ReviewsWrite, ShelvesWrite};

pub struct Op {
    pub method: &'static str,
    pub path: &'static str,
    pub tag: &'static str,
    pub scope: Scope,
    pub summary: &'static str,
    /// Query parameters: (name, what it is).
    pub query: &'static [(&'static str, &'static str)],
    /// An example request body (JSON), for operations that take one.
    pub body: Option<&'static str>,
    /// Answers `{ "items": [...], "next_cursor": ... }` and takes `limit`
    /// and `cursor`.
    pub paged: bool,
    /// The schema of one item of a paged list (a component's name).
    pub item: Option<&'static str>,
    /// For a page that comes inside something (a thread and a page of its
    /// posts): the schema of what it is inside, whose fields the answer
    /// carries beside `items` and `next_cursor`.
    pub around: Option<&'static str>,
}

/// The groups, in the order the API page shows them.
pub const TAGS: &[(&str, &str)] = &[
    (
        "Books",
        "The catalog: books, editions, history and proposals.",
    ),
    (
        "Ratings and reviews",
        "A member's ratings and the reviews of a book.",
    ),
    (
        "Reading",
        "Your shelves and reading progress, your place in a club's book, and flashcards.",
    ),
    (
        "Insights",
        "A book's insights, ask anything, recaps and voices, drawn up to the reader's place.",
    ),
    (
        "Search",
        "One search over books, authors, clubs and members.",
    ),
    ("Clubs", "Clubs, their members, invitations and settings."),
    ("Selections", "A club's books, nominations and milestones."),
    ("Polls", "Polls and ballots."),
    ("Meetings", "Meetings, RSVPs and attendance."),
    ("Discussion", "Threads, posts, questions and reports."),
    (
        "Your data",
        "Your library and everything else you made, to take away, and imports of other sites' exports.",
    ),
    ("Admin", "Site roles and verified links."),
];

const fn op(
    method: &'static str,
    path: &'static str,
    tag: &'static str,
    scope: Scope,
    summary: &'static str,
) -> Op {
    Op {
        method,
        path,
        tag,
        scope,
        summary,
        query: &[],
        body: None,
        paged: false,
        item: None,
        around: None,
    }
}

const fn q(mut o: Op, query: &'static [(&'static str, &'static str)]) -> Op {
    o.query = query;
    o
}

const fn b(mut o: Op, body: &'static str) -> Op {
    o.body = Some(body);
    o
}

const fn paged(mut o: Op, item: &'static str) -> Op {
    o.paged = true;
    o.item = Some(item);
    o
}

/// A page of `item`s inside an `around` (its fields beside the page's).
const fn paged_in(o: Op, item: &'static str, around: &'static str) -> Op {
    let mut o = paged(o, item);
    o.around = Some(around);
    o
}

const BOOKS: &str = "Books";
const RATINGS: &str = "Ratings and reviews";
const READING: &str = "Reading";
const INSIGHTS: &str = "Insights";
const SEARCH: &str = "Search";
const CLUBS: &str = "Clubs";
const SELECTIONS: &str = "Selections";
const POLLS: &str = "Polls";
const MEETINGS: &str = "Meetings";
const DISCUSSION: &str = "Discussion";
const ADMIN: &str = "Admin";
const DATA: &str = "Your data";

#[rustfmt::skip]
pub const OPS: &[Op] = &[
    // Books and the catalog.
    q(op("GET", "/api/v1/books", BOOKS, Read, "Look books up by ISBN or title"), &[("isbn", "an ISBN-10 or ISBN-13"), ("title", "words of the title or author, 1 to 200 characters")]),
    op("POST", "/api/v1/books", BOOKS, CatalogWrite, "Add a book"),
    op("GET", "/api/v1/books/{id}", BOOKS, Read, "A book: editions, contributors, subjects, counts and the first reviews"),
    op("PATCH", "/api/v1/books/{id}", BOOKS, CatalogWrite, "Edit a book's fields"),
    op("POST", "/api/v1/books/{id}/editions", BOOKS, CatalogWrite, "Add an edition to a book"),
    paged(op("GET", "/api/v1/books/{id}/history", BOOKS, Read, "A book's change history, newest first (with `total`)"), "Change"),
    b(op("POST", "/api/v1/books/{id}/material", BOOKS, CatalogWrite, "Post material (a summary, a note) on a book"), r#"{"kind": "summary", "body": "In our own words: what the book is about."}"#),
    b(op("POST", "/api/v1/books/{id}/merge", BOOKS, CatalogWrite, "Merge a book into another"), r#"{"into": "0192d7e4-…"}"#),
    op("PUT", "/api/v1/books/{id}/text", BOOKS, CatalogWrite, "Attach a book's full text (EPUB or Project Gutenberg text as the body)"),
    op("PATCH", "/api/v1/editions/{id}", BOOKS, CatalogWrite, "Edit an edition's fields"),
    op("PUT", "/api/v1/editions/{id}/cover", BOOKS, CatalogWrite, "Upload an edition's cover (the image as the body)"),
    b(op("POST", "/api/v1/editions/{id}/move", BOOKS, CatalogWrite, "Move an edition to another book"), r#"{"work": "0192d7e4-…"}"#),
    op("PATCH", "/api/v1/contributors/{id}", BOOKS, CatalogWrite, "Edit a contributor"),
    op("PATCH", "/api/v1/series/{id}", BOOKS, CatalogWrite, "Edit a series"),
    op("PATCH", "/api/v1/subjects/{id}", BOOKS, CatalogWrite, "Edit a subject"),
    op("GET", "/api/v1/catalog/proposals", BOOKS, Read, "Open edit proposals"),
    op("POST", "/api/v1/catalog/proposals/{id}/accept", BOOKS, CatalogWrite, "Accept a proposal (librarians)"),
    op("POST", "/api/v1/catalog/proposals/{id}/decline", BOOKS, CatalogWrite, "Decline a proposal (librarians)"),
    op("POST", "/api/v1/catalog/proposals/{id}/withdraw", BOOKS, CatalogWrite, "Withdraw your own proposal"),
    // Ratings and reviews.
    b(op("POST", "/api/v1/books/{id}/rating", RATINGS, ReviewsWrite, "Rate a book, or clear your rating with null"), r#"{"stars": 4.5}"#),
    paged(op("GET", "/api/v1/books/{id}/reviews", RATINGS, Read, "A book's reviews, newest first"), "Review"),
    b(op("PUT", "/api/v1/books/{id}/review", RATINGS, ReviewsWrite, "Write or replace your review of a book (Markdown)"), r#"{"headline": "Worth the patience", "body": "A slow start, then *impossible* to put down.", "spoiler": false, "recommends": true}"#),
    op("DELETE", "/api/v1/books/{id}/review", RATINGS, ReviewsWrite, "Delete your review of a book (your rating stays)"),
    // Reading.
    b(op("PUT", "/api/v1/books/{id}/reading", READING, ShelvesWrite, "Start a book, set your place, finish it or give it up"), r#"{"action": "progress", "unit": "percent", "value": "40"}"#),
    op("PUT", "/api/v1/books/{id}/queue", READING, ShelvesWrite, "Put a book on your want-to-read queue"),
    op("DELETE", "/api/v1/books/{id}/queue", READING, ShelvesWrite, "Take a book off your queue"),
    op("PUT", "/api/v1/books/{id}/shelves/{shelf}", READING, ShelvesWrite, "Put a book on one of your own shelves"),
    op("DELETE", "/api/v1/books/{id}/shelves/{shelf}", READING, ShelvesWrite, "Take a book off one of your own shelves"),
    op("GET", "/api/v1/me/shelves", READING, Read, "Your shelves with how many books each holds, and your rating and review counts"),
    b(op("POST", "/api/v1/me/shelves", READING, ShelvesWrite, "Make a shelf of your own"), r#"{"name": "Summer 2026"}"#),
    op("GET", "/api/v1/books/{id}/cards", READING, Read, "Your flashcards for a book, up to your place"),
    b(op("POST", "/api/v1/books/{id}/cards/{card}/review", READING, ShelvesWrite, "Record a flashcard review"), r#"{"rating": "good"}"#),
    op("GET", "/api/v1/clubs/{slug}/selections/{selection}/progress", READING, Read, "Where the club's members are in a selection"),
    op("PUT", "/api/v1/clubs/{slug}/selections/{selection}/position", READING, ShelvesWrite, "Set your place in a club's book"),
    op("PUT", "/api/v1/clubs/{slug}/selections/{selection}/sharing", READING, ShelvesWrite, "Share your place with the club, or stop"),
    // Insights.
    op("GET", "/api/v1/books/{id}/insights", INSIGHTS, Read, "A book's insights up to your place (202 while the analysis runs)"),
    q(op("GET", "/api/v1/books/{id}/insights/audio-text", INSIGHTS, Read, "The text a part's audio would read"), &[("part", "which part"), ("voice", "a voice id")]),
    q(op("GET", "/api/v1/books/{id}/ask", INSIGHTS, Read, "Ask anything about a book, answered from before your place"), &[("q", "the question"), ("k", "how many passages")]),
    q(op("GET", "/api/v1/books/{id}/recap", INSIGHTS, Read, "The story so far, or up to a chapter"), &[("chapter", "catch up to this chapter")]),
    op("GET", "/api/v1/voices", INSIGHTS, Read, "The voices for listening, installed or not"),
    // Search.
    q(op("GET", "/api/v1/search", SEARCH, Read, "Search books, authors, clubs and members"), &[("q", "what to look for"), ("kind", "books, people or clubs"), ("page", "the page of results")]),
    q(op("GET", "/api/v1/search/suggest", SEARCH, Read, "Complete a title or name as it is typed"), &[("q", "what has been typed")]),
    // Clubs.
    paged(q(op("GET", "/api/v1/clubs", CLUBS, Read, "The club directory (public and private clubs), newest first (with `total`)"), &[("q", "words of a club's name")]), "Club"),
    op("POST", "/api/v1/clubs", CLUBS, ClubsWrite, "Start a club"),
    op("GET", "/api/v1/clubs/{slug}", CLUBS, Read, "A club: about, current and next books, members"),
    op("PATCH", "/api/v1/clubs/{slug}", CLUBS, ClubsWrite, "Change a club's settings (organisers)"),
    op("DELETE", "/api/v1/clubs/{slug}", CLUBS, ClubsWrite, "Delete a club (its owner)"),
    op("POST", "/api/v1/clubs/{slug}/join", CLUBS, ClubsWrite, "Join an open club"),
    op("POST", "/api/v1/clubs/{slug}/request", CLUBS, ClubsWrite, "Ask to join a club that approves members"),
    op("POST", "/api/v1/clubs/{slug}/leave", CLUBS, ClubsWrite, "Leave a club"),
    paged(op("GET", "/api/v1/clubs/{slug}/members", CLUBS, Read, "A club's members, longest standing first"), "Member"),
    op("PATCH", "/api/v1/clubs/{slug}/members/{username}", CLUBS, ClubsWrite, "Change a member's club role"),
    op("DELETE", "/api/v1/clubs/{slug}/members/{username}", CLUBS, ClubsWrite, "Remove (or ban) a member"),
    op("POST", "/api/v1/clubs/{slug}/transfer", CLUBS, ClubsWrite, "Hand the club to another member"),
    op("GET", "/api/v1/clubs/{slug}/requests", CLUBS, Read, "Requests to join"),
    op("POST", "/api/v1/clubs/{slug}/requests/{username}", CLUBS, ClubsWrite, "Approve or decline a request to join"),
    op("GET", "/api/v1/clubs/{slug}/bans", CLUBS, Read, "A club's bans"),
    op("DELETE", "/api/v1/clubs/{slug}/bans/{username}", CLUBS, ClubsWrite, "Lift a ban"),
    op("PUT", "/api/v1/clubs/{slug}/picture", CLUBS, ClubsWrite, "Upload a club's picture (the image as the body)"),
    op("GET", "/api/v1/clubs/{slug}/invitations", CLUBS, Read, "A club's invitation links"),
    op("POST", "/api/v1/clubs/{slug}/invitations", CLUBS, ClubsWrite, "Make an invitation link"),
    op("DELETE", "/api/v1/clubs/{slug}/invitations/{invitation}", CLUBS, ClubsWrite, "Withdraw an invitation link"),
    op("GET", "/api/v1/invitations/{token}", CLUBS, Read, "What an invitation link leads to"),
    op("POST", "/api/v1/invitations/{token}/accept", CLUBS, ClubsWrite, "Accept an invitation"),
    // Selections.
    op("GET", "/api/v1/clubs/{slug}/selections", SELECTIONS, Read, "A club's books: current, next and past"),
    op("POST", "/api/v1/clubs/{slug}/selections", SELECTIONS, ClubsWrite, "Add a book to the club's list"),
    op("POST", "/api/v1/clubs/{slug}/selections/{selection}", SELECTIONS, ClubsWrite, "Change a selection (start, finish, dates)"),
    op("DELETE", "/api/v1/clubs/{slug}/selections/{selection}", SELECTIONS, ClubsWrite, "Remove a selection"),
    op("GET", "/api/v1/clubs/{slug}/nominations", SELECTIONS, Read, "Books nominated for the club"),
    op("POST", "/api/v1/clubs/{slug}/nominations", SELECTIONS, ClubsWrite, "Nominate a book"),
    op("DELETE", "/api/v1/clubs/{slug}/nominations/{nomination}", SELECTIONS, ClubsWrite, "Withdraw a nomination"),
    op("GET", "/api/v1/clubs/{slug}/selections/{selection}/milestones", SELECTIONS, Read, "A selection's reading milestones"),
    op("POST", "/api/v1/clubs/{slug}/selections/{selection}/milestones", SELECTIONS, ClubsWrite, "Add a milestone"),
    op("DELETE", "/api/v1/clubs/{slug}/selections/{selection}/milestones/{milestone}", SELECTIONS, ClubsWrite, "Remove a milestone"),
    // Polls.
    op("GET", "/api/v1/clubs/{slug}/polls", POLLS, Read, "A club's polls"),
    op("POST", "/api/v1/clubs/{slug}/polls", POLLS, ClubsWrite, "Open a poll"),
    op("GET", "/api/v1/clubs/{slug}/polls/{poll}", POLLS, Read, "A poll and, once closed, its count"),
    op("GET", "/api/v1/clubs/{slug}/polls/{poll}/ballot", POLLS, Read, "Your ballot"),
    op("PUT", "/api/v1/clubs/{slug}/polls/{poll}/ballot", POLLS, ClubsWrite, "Cast or change your ballot"),
    op("POST", "/api/v1/clubs/{slug}/polls/{poll}/close", POLLS, ClubsWrite, "Close a poll now (organisers)"),
    // Meetings.
    op("GET", "/api/v1/clubs/{slug}/meetings", MEETINGS, Read, "A club's meetings"),
    op("POST", "/api/v1/clubs/{slug}/meetings", MEETINGS, ClubsWrite, "Plan a meeting"),
    op("GET", "/api/v1/clubs/{slug}/meetings/{meeting}", MEETINGS, Read, "A meeting, with who is coming"),
    op("PATCH", "/api/v1/clubs/{slug}/meetings/{meeting}", MEETINGS, ClubsWrite, "Change a meeting"),
    op("DELETE", "/api/v1/clubs/{slug}/meetings/{meeting}", MEETINGS, ClubsWrite, "Cancel a meeting"),
    op("PUT", "/api/v1/clubs/{slug}/meetings/{meeting}/rsvp", MEETINGS, ClubsWrite, "Answer a meeting's RSVP"),
    op("PUT", "/api/v1/clubs/{slug}/meetings/{meeting}/attendance", MEETINGS, ClubsWrite, "Record who came"),
    // Discussion.
    paged(op("GET", "/api/v1/clubs/{slug}/selections/{selection}/threads", DISCUSSION, Read, "A selection's threads, newest first, each behind your spoiler guard"), "Thread"),
    op("POST", "/api/v1/clubs/{slug}/selections/{selection}/threads", DISCUSSION, ClubsWrite, "Start a thread"),
    paged_in(op("GET", "/api/v1/clubs/{slug}/threads/{thread}", DISCUSSION, Read, "A thread and its posts, oldest first (none while the thread is behind your spoiler guard)"), "Post", "Thread"),
    op("POST", "/api/v1/clubs/{slug}/threads/{thread}/posts", DISCUSSION, ClubsWrite, "Reply in a thread"),
    op("POST", "/api/v1/clubs/{slug}/threads/{thread}/moderation", DISCUSSION, ClubsWrite, "Lock, pin or hide a thread (moderators)"),
    op("POST", "/api/v1/clubs/{slug}/posts/{post}/moderation", DISCUSSION, ClubsWrite, "Hide or restore a post (moderators)"),
    op("POST", "/api/v1/clubs/{slug}/posts/{post}/reports", DISCUSSION, ClubsWrite, "Report a post"),
    op("GET", "/api/v1/clubs/{slug}/reports", DISCUSSION, Read, "Open reports (moderators)"),
    op("DELETE", "/api/v1/clubs/{slug}/reports/{report}", DISCUSSION, ClubsWrite, "Dismiss a report"),
    op("GET", "/api/v1/clubs/{slug}/selections/{selection}/questions", DISCUSSION, Read, "A selection's discussion questions"),
    op("POST", "/api/v1/clubs/{slug}/selections/{selection}/questions", DISCUSSION, ClubsWrite, "Ask a discussion question"),
    op("PUT", "/api/v1/clubs/{slug}/questions/{question}/vote", DISCUSSION, ClubsWrite, "Vote for a question"),
    op("DELETE", "/api/v1/clubs/{slug}/questions/{question}/vote", DISCUSSION, ClubsWrite, "Take back your vote"),
    op("DELETE", "/api/v1/clubs/{slug}/questions/{question}", DISCUSSION, ClubsWrite, "Remove a question"),
    // Your data.
    op("GET", "/api/v1/me/archive.zip", DATA, Read, "Everything you made, as JSON and CSV in one zip, with your library in Goodreads and StoryGraph formats"),
    q(op("GET", "/api/v1/me/library.csv", DATA, Read, "Your library as a Goodreads or StoryGraph export"), &[("format", "goodreads (the default) or storygraph")]),
    q(op("POST", "/api/v1/me/imports", DATA, ShelvesWrite, "Upload a Goodreads, StoryGraph, BookWyrm or LibraryThing export (the file as the body) and get the preview of every row"), &[("format", "goodreads, storygraph, bookwyrm or librarything; found from the file when left out")]),
    op("GET", "/api/v1/me/imports/{id}", DATA, Read, "An import: its preview, its progress, or its report"),
    b(op("POST", "/api/v1/me/imports/{id}/confirm", DATA, ShelvesWrite, "Start an import that was previewed"), r#"{"keep": "good"}"#),
    op("GET", "/api/v1/clubs/{slug}/archive.zip", DATA, Read, "A club's archive: selections, meetings, polls, questions and discussions (organisers)"),
    // Admin.
    b(op("POST", "/api/v1/admin/people/{username}/role", ADMIN, Admin, "Set a member's site role"), r#"{"role": "librarian"}"#),
    b(op("POST", "/api/v1/admin/people/{username}/links", ADMIN, Admin, "Link an account to a contributor or publisher, or revoke the link"), r#"{"contributor": "Ursula K. Le Guin"}"#),
];

/// The operation a request is for, by method and matched route pattern
/// (HEAD is answered as GET).
pub fn find(method: &str, path: &str) -> Option<&'static Op> {
    let method = if method == "HEAD" { "GET" } else { method };
    OPS.iter().find(|o| o.method == method && o.path == path)
}
