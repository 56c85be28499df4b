//! The club authorisation test: every club route, pages and JSON, tried by
//! each kind of visitor (anonymous, a signed-in outsider, one holding an
//! invitation link, a member, an organiser, the owner, a banned account)
//! on a public, a private and a secret club.
//!
//! For each try it checks the status against the rule as written here,
//! independently of the server's `ClubAccess`; that a refused request
//! changes nothing; that distinctive text planted in the club (its name,
//! description, a nomination's pitch, the current book's title) never
//! reaches a visitor who may not see or read it; and that a secret club
//! answers anyone who may not see it exactly as a club that does not exist.
//!
//! A route is one line of `ROUTES`. `every_club_route_is_in_the_table` reads
//! the routers' own source (`src/clubs/*.rs`, and `/clubs…` routes of
//! `src/lib.rs`) and fails when a route is missing from the table, so a new
//! club route cannot go untested: add one line for it.

use super::site::Site;
use quire_domain::{
    ClubId, ClubName, ClubRole, EditionId, Format, JoinPolicy, SelectionStatus, UserId, Visibility,
    WorkId,
};
use quire_storage::catalog::{self, NewCredit, NewEdition, NewWork};
use quire_storage::clubs::{self, NewClub, invitations, members, page as club_page, selections};
use quire_storage::{Db, users};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Anonymous,
    Outsider,
    /// Signed in, not a member, holding a valid invitation link.
    Invited,
    Member,
    Organiser,
    Owner,
    Banned,
}
use Who::*;

const VISITORS: [Who; 7] = [
    Anonymous, Outsider, Invited, Member, Organiser, Owner, Banned,
];

impl Who {
    fn is_member(self) -> bool {
        matches!(self, Member | Organiser | Owner)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}
use Method::{Delete, Get, Patch, Post, Put};

#[derive(Clone, Copy)]
enum Body {
    None,
    Form(&'static [(&'static str, &'static str)]),
    Json(fn() -> Value),
    /// A multipart form with a real JPEG as `picture`.
    Picture,
    /// A real JPEG as the body (`Content-Type: image/jpeg`).
    Image,
}
const NONE: Body = Body::None;

/// Who may use a route: the rule, stated here on its own terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum May {
    /// Everyone, the club or not (the directory, a book's clubs).
    Anyone,
    /// Any signed-in account (starting a club).
    SignedIn,
    /// Anyone who may know the club exists.
    See,
    /// Anyone who may read what is inside.
    Read,
    /// A signed-in non-member, not banned, of an open club.
    Join,
    /// A signed-in non-member, not banned, of a club that takes requests.
    Ask,
    /// Any signed-in account that may see the club.
    SignedInSee,
    /// Any member.
    Members,
    /// Members but the owner (who must hand the club on first: 409).
    Leave,
    Organisers,
    TheOwner,
    /// Anyone holding the invitation link who is not banned.
    LinkHolder,
    /// A signed-in account holding the link, not banned.
    LinkJoiner,
    /// Any member, the account asked for before the club is looked at
    /// (a form that names the club in its body: anonymous is 401 first).
    AccountMembers,
    /// Anyone holding a calendar feed's secret address: it is the
    /// member's own credential, shown whatever the club's visibility.
    FeedHolder,
}

/// What must show to a visitor the route lets in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shows {
    Nothing,
    /// The club's description.
    Description,
    /// The description, and the nomination's pitch to those who may read.
    Page,
    /// The nomination's pitch.
    Pitch,
    /// The club, by its address, to those who may see it.
    Listed,
    /// Never a secret club, to anyone (searches, the API's directory).
    NeverSecret,
}

struct Route {
    name: &'static str,
    method: Method,
    path: &'static str,
    body: Body,
    may: May,
    shows: Shows,
}

const fn r(name: &'static str, method: Method, path: &'static str, body: Body, may: May) -> Route {
    Route {
        name,
        method,
        path,
        body,
        may,
        shows: Shows::Nothing,
    }
}

const fn showing(route: Route, shows: Shows) -> Route {
    Route { shows, ..route }
}

use May::*;

/// Placeholders: `{slug}`, `{name}` (the club's), `{word}` (a word of its
/// name), `{book}` (its current book), `{free}` (a book on no list),
/// `{selection}`, `{nomination}` (the member's), `{invitation}`, `{token}`
/// (a valid link), `{target}` (a plain member), `{second}` (another
/// organiser), `{asker}` (waiting for an answer), `{banned}`,
/// `{visibility}`, `{policy}`, `{poll}`, `{meeting}` (`{meeting_ics}` its
/// calendar file), `{past}` (a meeting that has happened), `{thread}`,
/// `{post}`, `{report}`, `{question}`, `{milestone}`, `{feed}` (the owner's
/// feed of the club), `{target_id}`, `{soon}` and `{later}` (dates three and twenty days
/// ahead).
#[rustfmt::skip]
const ROUTES: &[Route] = &[
    // The directory and starting a club.
    showing(r("directory", Get, "/clubs", NONE, Anyone), Shows::Listed),
    showing(r("directory search", Get, "/clubs?q={word}", NONE, Anyone), Shows::NeverSecret),
    showing(r("directory (JSON)", Get, "/api/v1/clubs", NONE, Anyone), Shows::NeverSecret),
    showing(r("directory search (JSON)", Get, "/api/v1/clubs?q={word}", NONE, Anyone), Shows::NeverSecret),
    r("new club form", Get, "/clubs/new", NONE, SignedIn),
    r("start a club", Post, "/clubs", Body::Form(&[("name", "A started club"), ("visibility", "public"), ("join_policy", "open"), ("time_zone", "UTC")]), SignedIn),
    r("start a club (JSON)", Post, "/api/v1/clubs", Body::Json(|| json!({"name": "A started club", "visibility": "secret"})), SignedIn),
    // The club page, and a book's clubs.
    showing(r("club page", Get, "/clubs/{slug}", NONE, See), Shows::Page),
    showing(r("club page (JSON)", Get, "/api/v1/clubs/{slug}", NONE, See), Shows::Page),
    showing(r("a book's clubs", Get, "/books/{book}/clubs", NONE, Anyone), Shows::Listed),
    // Joining and leaving.
    r("join", Post, "/clubs/{slug}/join", Body::Form(&[]), Join),
    r("join (JSON)", Post, "/api/v1/clubs/{slug}/join", Body::Json(|| json!({})), Join),
    r("ask to join", Post, "/clubs/{slug}/request", Body::Form(&[("message", "Hello")]), Ask),
    r("ask to join (JSON)", Post, "/api/v1/clubs/{slug}/request", Body::Json(|| json!({"message": "Hello"})), Ask),
    r("withdraw a request", Post, "/clubs/{slug}/request/withdraw", Body::Form(&[]), SignedInSee),
    r("leave", Post, "/clubs/{slug}/leave", Body::Form(&[]), Leave),
    r("leave (JSON)", Post, "/api/v1/clubs/{slug}/leave", Body::Json(|| json!({})), Leave),
    // Selections and nominations.
    r("add a selection", Post, "/clubs/{slug}/selections", Body::Form(&[("book", "{free}"), ("status", "upcoming")]), Organisers),
    r("move a selection", Post, "/clubs/{slug}/selections/{selection}", Body::Form(&[("status", "finished")]), Organisers),
    r("nominate", Post, "/clubs/{slug}/nominations", Body::Form(&[("book", "{free}"), ("pitch", "Read it")]), Members),
    r("withdraw a nomination", Post, "/clubs/{slug}/nominations/{nomination}/withdraw", Body::Form(&[]), Members),
    showing(r("selections (JSON)", Get, "/api/v1/clubs/{slug}/selections", NONE, Read), Shows::Nothing),
    r("add a selection (JSON)", Post, "/api/v1/clubs/{slug}/selections", Body::Json(|| json!({"book": "{free}", "status": "upcoming"})), Organisers),
    r("move a selection (JSON)", Post, "/api/v1/clubs/{slug}/selections/{selection}", Body::Json(|| json!({"status": "finished"})), Organisers),
    r("remove a selection (JSON)", Delete, "/api/v1/clubs/{slug}/selections/{selection}", NONE, Organisers),
    showing(r("nominations (JSON)", Get, "/api/v1/clubs/{slug}/nominations", NONE, Read), Shows::Pitch),
    r("nominate (JSON)", Post, "/api/v1/clubs/{slug}/nominations", Body::Json(|| json!({"book": "{free}", "pitch": "Read it"})), Members),
    r("withdraw a nomination (JSON)", Delete, "/api/v1/clubs/{slug}/nominations/{nomination}", NONE, Members),
    // Members, requests, bans.
    r("members", Get, "/clubs/{slug}/members", NONE, Read),
    r("make organiser", Post, "/clubs/{slug}/members/{target}/role", Body::Form(&[("role", "organiser")]), Organisers),
    r("make an organiser a member", Post, "/clubs/{slug}/members/{second}/role", Body::Form(&[("role", "member")]), TheOwner),
    r("remove a member", Post, "/clubs/{slug}/members/{target}/remove", Body::Form(&[]), Organisers),
    r("ban a member", Post, "/clubs/{slug}/members/{target}/remove", Body::Form(&[("ban", "on")]), Organisers),
    r("remove an organiser", Post, "/clubs/{slug}/members/{second}/remove", Body::Form(&[]), TheOwner),
    r("hand the club on", Post, "/clubs/{slug}/transfer", Body::Form(&[("username", "{target}")]), TheOwner),
    r("approve a request", Post, "/clubs/{slug}/requests/{asker}", Body::Form(&[("decision", "approve")]), Organisers),
    r("decline a request", Post, "/clubs/{slug}/requests/{asker}", Body::Form(&[("decision", "decline")]), Organisers),
    r("lift a ban", Post, "/clubs/{slug}/bans/{banned}/lift", Body::Form(&[]), Organisers),
    r("members (JSON)", Get, "/api/v1/clubs/{slug}/members", NONE, Read),
    r("make organiser (JSON)", Patch, "/api/v1/clubs/{slug}/members/{target}", Body::Json(|| json!({"role": "organiser"})), Organisers),
    r("make an organiser a member (JSON)", Patch, "/api/v1/clubs/{slug}/members/{second}", Body::Json(|| json!({"role": "member"})), TheOwner),
    r("remove a member (JSON)", Delete, "/api/v1/clubs/{slug}/members/{target}", NONE, Organisers),
    r("ban a member (JSON)", Delete, "/api/v1/clubs/{slug}/members/{target}?ban=true", NONE, Organisers),
    r("remove an organiser (JSON)", Delete, "/api/v1/clubs/{slug}/members/{second}", NONE, TheOwner),
    r("hand the club on (JSON)", Post, "/api/v1/clubs/{slug}/transfer", Body::Json(|| json!({"username": "{target}"})), TheOwner),
    r("requests (JSON)", Get, "/api/v1/clubs/{slug}/requests", NONE, Organisers),
    r("answer a request (JSON)", Post, "/api/v1/clubs/{slug}/requests/{asker}", Body::Json(|| json!({"decision": "approve"})), Organisers),
    r("bans (JSON)", Get, "/api/v1/clubs/{slug}/bans", NONE, Organisers),
    r("lift a ban (JSON)", Delete, "/api/v1/clubs/{slug}/bans/{banned}", NONE, Organisers),
    // Invitations.
    r("invitations", Get, "/clubs/{slug}/invitations", NONE, Organisers),
    r("make a link", Post, "/clubs/{slug}/invitations", Body::Form(&[("expires_in_days", "7")]), Organisers),
    r("revoke a link", Post, "/clubs/{slug}/invitations/{invitation}/revoke", Body::Form(&[]), Organisers),
    r("invitations (JSON)", Get, "/api/v1/clubs/{slug}/invitations", NONE, Organisers),
    r("make a link (JSON)", Post, "/api/v1/clubs/{slug}/invitations", Body::Json(|| json!({"expires_in_days": 1, "max_uses": 5})), Organisers),
    r("revoke a link (JSON)", Delete, "/api/v1/clubs/{slug}/invitations/{invitation}", NONE, Organisers),
    showing(r("follow a link", Get, "/invite/{token}", NONE, LinkHolder), Shows::Description),
    r("join by a link", Post, "/invite/{token}", Body::Form(&[]), LinkJoiner),
    showing(r("follow a link (JSON)", Get, "/api/v1/invitations/{token}", NONE, LinkHolder), Shows::Description),
    r("join by a link (JSON)", Post, "/api/v1/invitations/{token}/accept", Body::Json(|| json!({})), LinkJoiner),
    // The club's picture.
    r("club picture", Get, "/clubs/{slug}/picture", NONE, See),
    r("upload a picture", Post, "/clubs/{slug}/picture", Body::Picture, Organisers),
    r("upload a picture (API)", Put, "/api/v1/clubs/{slug}/picture", Body::Image, Organisers),
    // Settings.
    r("settings", Get, "/clubs/{slug}/settings", NONE, Organisers),
    r("save settings", Post, "/clubs/{slug}/settings", Body::Form(&[("name", "{name}"), ("description", "Changed"), ("visibility", "{visibility}"), ("join_policy", "{policy}"), ("time_zone", "UTC"), ("nominations_open", "on")]), Organisers),
    r("save settings (JSON)", Patch, "/api/v1/clubs/{slug}", Body::Json(|| json!({"description": "Changed", "nominations_open": false})), Organisers),
    r("delete the club", Post, "/clubs/{slug}/delete", Body::Form(&[("confirm", "{name}")]), TheOwner),
    r("delete the club (JSON)", Delete, "/api/v1/clubs/{slug}", Body::Json(|| json!({"confirm": "{name}"})), TheOwner),
    // Polls.
    r("polls", Get, "/clubs/{slug}/polls", NONE, Read),
    r("new poll form", Get, "/clubs/{slug}/polls/new", NONE, Organisers),
    r("start a poll", Post, "/clubs/{slug}/polls", Body::Form(&[("kind", "date"), ("question", "When shall we meet?"), ("closes_on", "{soon}"), ("closes_time", "20:00"), ("times", "{later} 19:30\n{later} 20:30")]), Organisers),
    r("a poll", Get, "/clubs/{slug}/polls/{poll}", NONE, Read),
    r("cast a ballot", Post, "/clubs/{slug}/polls/{poll}/ballot", Body::Form(&[("choice", "0")]), Members),
    r("close a poll", Post, "/clubs/{slug}/polls/{poll}/close", Body::Form(&[]), Organisers),
    r("polls (JSON)", Get, "/api/v1/clubs/{slug}/polls", NONE, Read),
    r("start a poll (JSON)", Post, "/api/v1/clubs/{slug}/polls", Body::Json(|| json!({"kind": "date", "closes_on": "{soon}", "closes_time": "20:00", "times": ["{later} 19:30", "{later} 20:30"]})), Organisers),
    r("a poll (JSON)", Get, "/api/v1/clubs/{slug}/polls/{poll}", NONE, Read),
    r("my ballot (JSON)", Get, "/api/v1/clubs/{slug}/polls/{poll}/ballot", NONE, Members),
    r("cast a ballot (JSON)", Put, "/api/v1/clubs/{slug}/polls/{poll}/ballot", Body::Json(|| json!({"choices": [1]})), Members),
    r("close a poll (JSON)", Post, "/api/v1/clubs/{slug}/polls/{poll}/close", Body::Json(|| json!({})), Organisers),
    // Meetings.
    r("meetings", Get, "/clubs/{slug}/meetings", NONE, Read),
    r("new meeting form", Get, "/clubs/{slug}/meetings/new", NONE, Organisers),
    r("plan a meeting", Post, "/clubs/{slug}/meetings", Body::Form(&[("date", "{soon}"), ("time", "19:00"), ("zone", "Europe/London"), ("duration", "90"), ("place", "The library")]), Organisers),
    r("a meeting", Get, "/clubs/{slug}/meetings/{meeting}", NONE, Read),
    r("a meeting's calendar file", Get, "/clubs/{slug}/meetings/{meeting_ics}", NONE, Read),
    r("change a meeting", Post, "/clubs/{slug}/meetings/{meeting}", Body::Form(&[("date", "{soon}"), ("time", "20:00"), ("zone", "UTC"), ("duration", "60"), ("place", "Moved")]), Organisers),
    r("edit a meeting", Get, "/clubs/{slug}/meetings/{meeting}/edit", NONE, Organisers),
    r("cancel a meeting", Post, "/clubs/{slug}/meetings/{meeting}/cancel", Body::Form(&[]), Organisers),
    r("answer a meeting", Post, "/clubs/{slug}/meetings/{meeting}/rsvp", Body::Form(&[("answer", "yes")]), Members),
    r("record who came", Post, "/clubs/{slug}/meetings/{past}/attendance", Body::Form(&[("came", "{target_id}"), ("finished", "{target_id}")]), Organisers),
    r("meetings (JSON)", Get, "/api/v1/clubs/{slug}/meetings", NONE, Read),
    r("plan a meeting (JSON)", Post, "/api/v1/clubs/{slug}/meetings", Body::Json(|| json!({"date": "{soon}", "time": "19:00", "zone": "UTC", "place": "The library"})), Organisers),
    r("a meeting (JSON)", Get, "/api/v1/clubs/{slug}/meetings/{meeting}", NONE, Read),
    r("change a meeting (JSON)", Patch, "/api/v1/clubs/{slug}/meetings/{meeting}", Body::Json(|| json!({"place": "Moved"})), Organisers),
    r("cancel a meeting (JSON)", Delete, "/api/v1/clubs/{slug}/meetings/{meeting}", NONE, Organisers),
    r("answer a meeting (JSON)", Put, "/api/v1/clubs/{slug}/meetings/{meeting}/rsvp", Body::Json(|| json!({"answer": "maybe"})), Members),
    r("record who came (JSON)", Put, "/api/v1/clubs/{slug}/meetings/{past}/attendance", Body::Json(|| json!({"attendance": [{"user": "{target}", "attended": true, "finished_book": false}]})), Organisers),
    // Calendars: the page, a feed of one club, and a feed's secret
    // address (its own credential, like an invitation link).
    r("calendar feeds page", Get, "/calendar", NONE, SignedIn),
    r("make a club's feed", Post, "/calendar/feeds", Body::Form(&[("club", "{slug}")]), AccountMembers),
    r("stop a club's feed", Post, "/calendar/feeds/stop", Body::Form(&[("club", "{slug}")]), AccountMembers),
    r("a feed", Get, "/calendar/{feed}", NONE, FeedHolder),
    r("choose one's time zone", Post, "/account/time-zone", Body::Form(&[("time_zone", "Europe/Paris"), ("next", "/calendar")]), SignedIn),
    // Reading together.
    r("a selection's page", Get, "/clubs/{slug}/selections/{selection}", NONE, Read),
    r("say where I am", Post, "/clubs/{slug}/selections/{selection}/position", Body::Form(&[("unit", "percent"), ("value", "10")]), Members),
    r("say where I am (JSON)", Put, "/api/v1/clubs/{slug}/selections/{selection}/position", Body::Json(|| json!({"unit": "percent", "value": "20"})), Members),
    r("share my place", Post, "/clubs/{slug}/selections/{selection}/sharing", Body::Form(&[("share", "off")]), Members),
    r("share my place (JSON)", Put, "/api/v1/clubs/{slug}/selections/{selection}/sharing", Body::Json(|| json!({"share": false})), Members),
    r("group progress (JSON)", Get, "/api/v1/clubs/{slug}/selections/{selection}/progress", NONE, Read),
    r("set a milestone", Post, "/clubs/{slug}/selections/{selection}/milestones", Body::Form(&[("unit", "percent"), ("value", "75"), ("due_on", "{soon}"), ("note", "Three quarters")]), Organisers),
    r("remove a milestone", Post, "/clubs/{slug}/selections/{selection}/milestones/{milestone}/delete", Body::Form(&[]), Organisers),
    r("milestones (JSON)", Get, "/api/v1/clubs/{slug}/selections/{selection}/milestones", NONE, Read),
    r("set a milestone (JSON)", Post, "/api/v1/clubs/{slug}/selections/{selection}/milestones", Body::Json(|| json!({"unit": "percent", "value": "75", "due_on": "{soon}"})), Organisers),
    r("remove a milestone (JSON)", Delete, "/api/v1/clubs/{slug}/selections/{selection}/milestones/{milestone}", NONE, Organisers),
    // Discussion.
    r("start a thread", Post, "/clubs/{slug}/selections/{selection}/threads", Body::Form(&[("title", "First impressions"), ("body", "What did you think?"), ("unit", "start"), ("value", "")]), Members),
    r("a thread", Get, "/clubs/{slug}/threads/{thread}", NONE, Read),
    r("reply", Post, "/clubs/{slug}/threads/{thread}/replies", Body::Form(&[("body", "I agree.")]), Members),
    r("moderate a thread", Post, "/clubs/{slug}/threads/{thread}/moderate", Body::Form(&[("action", "pin")]), Organisers),
    r("moderate a post", Post, "/clubs/{slug}/posts/{post}/moderate", Body::Form(&[("action", "hide")]), Organisers),
    r("report a post", Post, "/clubs/{slug}/posts/{post}/report", Body::Form(&[("reason", "Off topic")]), Members),
    r("reports", Get, "/clubs/{slug}/reports", NONE, Organisers),
    r("dismiss a report", Post, "/clubs/{slug}/reports/{report}/dismiss", Body::Form(&[]), Organisers),
    r("ask a question", Post, "/clubs/{slug}/selections/{selection}/questions", Body::Form(&[("body", "Who is the narrator?"), ("unit", "start"), ("value", "")]), Members),
    r("vote for a question", Post, "/clubs/{slug}/questions/{question}/vote", Body::Form(&[("vote", "up"), ("selection", "{selection}")]), Members),
    r("remove a question", Post, "/clubs/{slug}/questions/{question}/delete", Body::Form(&[]), Organisers),
    r("threads (JSON)", Get, "/api/v1/clubs/{slug}/selections/{selection}/threads", NONE, Read),
    r("start a thread (JSON)", Post, "/api/v1/clubs/{slug}/selections/{selection}/threads", Body::Json(|| json!({"title": "First impressions", "body": "What did you think?", "unit": "start"})), Members),
    r("a thread (JSON)", Get, "/api/v1/clubs/{slug}/threads/{thread}", NONE, Read),
    r("reply (JSON)", Post, "/api/v1/clubs/{slug}/threads/{thread}/posts", Body::Json(|| json!({"body": "I agree."})), Members),
    r("moderate a thread (JSON)", Post, "/api/v1/clubs/{slug}/threads/{thread}/moderation", Body::Json(|| json!({"action": "lock"})), Organisers),
    r("moderate a post (JSON)", Post, "/api/v1/clubs/{slug}/posts/{post}/moderation", Body::Json(|| json!({"action": "hide"})), Organisers),
    r("report a post (JSON)", Post, "/api/v1/clubs/{slug}/posts/{post}/reports", Body::Json(|| json!({"reason": "Off topic"})), Members),
    r("reports (JSON)", Get, "/api/v1/clubs/{slug}/reports", NONE, Organisers),
    r("dismiss a report (JSON)", Delete, "/api/v1/clubs/{slug}/reports/{report}", NONE, Organisers),
    r("questions (JSON)", Get, "/api/v1/clubs/{slug}/selections/{selection}/questions", NONE, Read),
    r("ask a question (JSON)", Post, "/api/v1/clubs/{slug}/selections/{selection}/questions", Body::Json(|| json!({"body": "Who is the narrator?", "unit": "start"})), Members),
    r("vote for a question (JSON)", Put, "/api/v1/clubs/{slug}/questions/{question}/vote", Body::Json(|| json!({})), Members),
    r("take a vote back (JSON)", Delete, "/api/v1/clubs/{slug}/questions/{question}/vote", NONE, Members),
    r("remove a question (JSON)", Delete, "/api/v1/clubs/{slug}/questions/{question}", NONE, Organisers),
];

/// The join policy each fixture club has: open, by request, by invitation.
fn policy_of(v: Visibility) -> JoinPolicy {
    match v {
        Visibility::Public => JoinPolicy::Open,
        Visibility::Private => JoinPolicy::Request,
        Visibility::Secret => JoinPolicy::Invite,
    }
}

/// Whether `who` may know the club exists on this route.
fn sees(may: May, v: Visibility, who: Who) -> bool {
    match may {
        LinkHolder | LinkJoiner => who != Banned,
        FeedHolder => true,
        _ => v != Visibility::Secret || who.is_member(),
    }
}

fn reads(may: May, v: Visibility, who: Who) -> bool {
    may == FeedHolder || v == Visibility::Public || who.is_member()
}

/// What the route must answer: `None` for "let in" (2xx or a redirect),
/// else the refusal's status.
fn expected(may: May, v: Visibility, who: Who) -> Option<u16> {
    let signed_in = who != Anonymous;
    let see = sees(may, v, who);
    let refuse = || {
        Some(if !see {
            404
        } else if !signed_in {
            401
        } else {
            403
        })
    };
    // A banned account holding a link is told so, and shown nothing of
    // the club.
    if matches!(may, LinkHolder | LinkJoiner) && who == Banned {
        return Some(403);
    }
    let outsider = signed_in && !who.is_member() && who != Banned;
    let ok = match may {
        Anyone => true,
        SignedIn => {
            return (!signed_in).then_some(401);
        }
        AccountMembers if !signed_in => return Some(401),
        AccountMembers => who.is_member(),
        FeedHolder => true,
        See => see,
        Read => see && reads(may, v, who),
        Join => see && outsider && policy_of(v) == JoinPolicy::Open,
        Ask => see && outsider && policy_of(v) == JoinPolicy::Request,
        SignedInSee => see && signed_in,
        Members => who.is_member(),
        Leave if who == Owner => return Some(409),
        Leave => who.is_member(),
        Organisers => matches!(who, Organiser | Owner),
        TheOwner => who == Owner,
        LinkHolder => who != Banned,
        LinkJoiner => signed_in && who != Banned,
    };
    if ok { None } else { refuse() }
}

/// One fixture club with everything a route may touch.
struct Fixture {
    id: ClubId,
    slug: String,
    name: String,
    word: String,
    description: String,
    pitch: String,
    title: String,
    visibility: Visibility,
    book: WorkId,
    free: WorkId,
    selection: String,
    nomination: String,
    invitation: String,
    token: String,
    poll: String,
    meeting: String,
    /// A meeting that has happened, for recording who came.
    past: String,
    thread: String,
    /// A reply in the thread, by another organiser.
    post: String,
    /// A report of that reply, by a plain member.
    report: String,
    /// A discussion question, by another organiser.
    question: String,
    milestone: String,
    /// The secret address of the owner's feed of this club.
    feed: String,
    selection_id: quire_domain::SelectionId,
}

/// The accounts: the visitors' (signed in on their own clients) and the
/// ones routes act on.
struct People {
    ids: Vec<(Who, UserId)>,
    names: Vec<(Who, String)>,
    target: (UserId, String),
    second: (UserId, String),
    asker: (UserId, String),
}

impl People {
    fn id(&self, who: Who) -> UserId {
        self.ids
            .iter()
            .find(|(w, _)| *w == who)
            .map(|(_, id)| *id)
            .unwrap()
    }
}

fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A book with `title`, for selections.
async fn book(db: &Db, title: &str) -> WorkId {
    let id = WorkId::new();
    let mut w = NewWork::new(id, title);
    w.credits.push(NewCredit::author("Club Matrix Author"));
    let mut e = NewEdition::new(EditionId::new(), title, Format::Paperback);
    e.is_primary = true;
    w.editions.push(e);
    catalog::create_work(db, &w, None).await.unwrap();
    id
}

async fn fixture(db: &Db, n: usize, v: Visibility, people: &People) -> Fixture {
    let word = format!("Zq{n:05}x");
    let name = format!("{} circle {word}", v.label());
    let description = format!("DESCMARK-{word} about our club");
    let pitch = format!("PITCHMARK-{word} read this");
    let title = format!("TITLEMARK-{word}");
    let club_name = ClubName::parse(&name).unwrap();
    let owner = people.id(Owner);
    let (id, slug) = clubs::create(
        db,
        owner,
        &NewClub {
            name: &club_name,
            description: &description,
            visibility: v,
            join_policy: policy_of(v),
            time_zone: "UTC",
        },
    )
    .await
    .unwrap();
    for (who, role) in [(Organiser, ClubRole::Organiser), (Member, ClubRole::Member)] {
        members::join(db, id, people.id(who)).await.unwrap();
        members::set_role(db, id, people.id(who), role)
            .await
            .unwrap();
    }
    members::join(db, id, people.target.0).await.unwrap();
    members::join(db, id, people.second.0).await.unwrap();
    members::set_role(db, id, people.second.0, ClubRole::Organiser)
        .await
        .unwrap();
    members::remove(db, id, people.id(Banned), true, owner)
        .await
        .unwrap();
    members::request(db, id, people.asker.0, "Let me in")
        .await
        .unwrap();
    let token = format!("{:064x}", uuid::Uuid::new_v4().as_u128());
    let invitation = invitations::create(
        db,
        id,
        owner,
        &hash(&token),
        quire_storage::now() + time::Duration::days(7),
        None,
    )
    .await
    .unwrap();
    clubs::pictures::set(db, id, "image/jpeg", b"stored picture", 1, 1)
        .await
        .unwrap();
    let book = book(db, &title).await;
    let free = book_free(db).await;
    let selection = selections::add(
        db,
        id,
        owner,
        &selections::NewSelection {
            work: book,
            status: SelectionStatus::Current,
            starts_on: None,
            ends_on: None,
            chapter_count: None,
        },
    )
    .await
    .unwrap();
    let other = self::book(db, &format!("Nominated {word}")).await;
    let nomination = selections::nominate(db, id, other, people.id(Member), &pitch)
        .await
        .unwrap();
    // A poll, a meeting and a thread with no spoilers, for the later
    // parts' routes.
    let poll = quire_domain::PollId::new();
    let job = quire_jobs::new_job(&quire_jobs::ClosePoll { poll: poll.0 }).unwrap();
    quire_storage::clubs::polls::create(
        db,
        id,
        owner,
        &quire_storage::clubs::polls::NewPoll {
            id: poll,
            method: quire_domain::PollMethod::Plurality,
            question: "Which next?".into(),
            results: quire_domain::PollResults::Live,
            select_winner: false,
            closes_at: quire_storage::now() + time::Duration::days(3),
            options: quire_storage::clubs::polls::NewOptions::Books(vec![free, other]),
        },
        &job,
    )
    .await
    .unwrap();
    let meeting = quire_storage::clubs::meetings::create(
        db,
        id,
        owner,
        &quire_storage::clubs::meetings::MeetingFields {
            selection: Some(selection),
            starts_at: quire_storage::now() + time::Duration::days(5),
            zone: "UTC".into(),
            duration_minutes: 60,
            place: "The back room".into(),
            video_url: String::new(),
            host: None,
            agenda: String::new(),
            capacity: None,
            questions: Vec::new(),
            shares_pack: false,
            shares_story: false,
        },
    )
    .await
    .unwrap();
    let thread = quire_storage::clubs::discussion::start_thread(
        db,
        id,
        selection,
        owner,
        &quire_storage::clubs::discussion::NewThread {
            title: "Hello",
            body: "How are you reading it?",
            body_html: "<p>How are you reading it?</p>",
            anchor: quire_domain::Anchor::Start,
        },
    )
    .await
    .unwrap();
    let past = quire_storage::clubs::meetings::create(
        db,
        id,
        owner,
        &quire_storage::clubs::meetings::MeetingFields {
            selection: Some(selection),
            starts_at: quire_storage::now() + time::Duration::days(5),
            zone: "UTC".into(),
            duration_minutes: 60,
            place: "Last time's room".into(),
            video_url: String::new(),
            host: None,
            agenda: String::new(),
            capacity: None,
            questions: Vec::new(),
            shares_pack: false,
            shares_story: false,
        },
    )
    .await
    .unwrap();
    quire_storage::clubs::meetings::reschedule_unchecked(
        db,
        past,
        quire_storage::now() - time::Duration::days(2),
    )
    .await
    .unwrap();
    use quire_storage::clubs::discussion as d;
    let post = d::reply(
        db,
        id,
        thread,
        people.second.0,
        &d::NewReply {
            body: "Slowly.",
            body_html: "<p>Slowly.</p>",
            anchor: None,
        },
        true,
    )
    .await
    .unwrap();
    let report = d::report(db, id, post, people.target.0, "Rude")
        .await
        .unwrap();
    let question = d::ask(
        db,
        id,
        selection,
        people.second.0,
        "What is the house like?",
        quire_domain::Anchor::Start,
    )
    .await
    .unwrap();
    let milestone = d::add_milestone(
        db,
        selection,
        quire_domain::Anchor::Percent(50),
        quire_storage::now().date() + time::Duration::days(10),
        "Half way",
    )
    .await
    .unwrap();
    let feed = format!("{:048x}", uuid::Uuid::new_v4().as_u128());
    quire_storage::clubs::meetings::set_feed(db, owner, Some(id), &hash(&feed))
        .await
        .unwrap();
    Fixture {
        poll: poll.to_string(),
        meeting: meeting.to_string(),
        past: past.to_string(),
        thread: thread.to_string(),
        post: post.to_string(),
        report: report.to_string(),
        question: question.to_string(),
        milestone: milestone.to_string(),
        feed,
        selection_id: selection,
        id,
        slug,
        name,
        word,
        description,
        pitch,
        title,
        visibility: v,
        book,
        free,
        selection: selection.to_string(),
        nomination: nomination.to_string(),
        invitation: invitation.to_string(),
        token,
    }
}

async fn book_free(db: &Db) -> WorkId {
    book(db, "A book on no list").await
}

fn fill(s: &str, fx: &Fixture, people: &People, slug: &str) -> String {
    s.replace("{slug}", slug)
        .replace("{name}", &fx.name)
        .replace("{word}", &fx.word)
        .replace("{book}", &fx.book.to_string())
        .replace("{free}", &fx.free.to_string())
        .replace("{selection}", &fx.selection)
        .replace("{nomination}", &fx.nomination)
        .replace("{invitation}", &fx.invitation)
        .replace("{token}", &fx.token)
        .replace("{poll}", &fx.poll)
        .replace("{meeting}", &fx.meeting)
        .replace("{meeting_ics}", &format!("{}.ics", fx.meeting))
        .replace("{past}", &fx.past)
        .replace("{thread}", &fx.thread)
        .replace("{post}", &fx.post)
        .replace("{report}", &fx.report)
        .replace("{question}", &fx.question)
        .replace("{milestone}", &fx.milestone)
        .replace("{feed}", &format!("{}.ics", fx.feed))
        .replace("{target_id}", &people.target.0.to_string())
        .replace(
            "{soon}",
            &(quire_storage::now().date() + time::Duration::days(3)).to_string(),
        )
        .replace(
            "{later}",
            &(quire_storage::now().date() + time::Duration::days(20)).to_string(),
        )
        .replace("{target}", &people.target.1)
        .replace("{second}", &people.second.1)
        .replace("{asker}", &people.asker.1)
        .replace(
            "{banned}",
            &people.names.iter().find(|(w, _)| *w == Banned).unwrap().1,
        )
        .replace("{visibility}", fx.visibility.as_str())
        .replace("{policy}", policy_of(fx.visibility).as_str())
}

/// Everything a club route can change, to compare before and after.
async fn fingerprint(db: &Db, fx: &Fixture, people: &People) -> String {
    let Some(c) = clubs::by_id(db, fx.id).await.unwrap() else {
        return "deleted".into();
    };
    let m: Vec<String> = members::list(db, fx.id)
        .await
        .unwrap()
        .iter()
        .map(|m| format!("{}:{:?}", m.username, m.role))
        .collect();
    let rq: Vec<String> = members::requests(db, fx.id)
        .await
        .unwrap()
        .iter()
        .map(|r| r.username.clone())
        .collect();
    let b: Vec<String> = members::banned(db, fx.id)
        .await
        .unwrap()
        .iter()
        .map(|r| r.username.clone())
        .collect();
    let inv: Vec<String> = invitations::list(db, fx.id)
        .await
        .unwrap()
        .iter()
        .map(|i| format!("{} {} {:?}", i.id, i.uses, i.revoked_at.is_some()))
        .collect();
    let p = club_page::load(db, fx.id, None).await.unwrap();
    let sel: Vec<String> = p
        .current
        .iter()
        .chain(&p.upcoming)
        .chain(&p.archive)
        .map(|s| format!("{} {:?}", s.selection.id, s.selection.status))
        .collect();
    let noms: Vec<String> = p.nominations.iter().map(|n| n.id.to_string()).collect();
    format!(
        "{} {:?} | {} | {:?} {:?} {} | {m:?} | {rq:?} | {b:?} | {inv:?} | {sel:?} | {noms:?} | {}",
        c.name,
        c.picture,
        c.description,
        c.visibility,
        c.join_policy,
        c.nominations_open,
        inside(db, fx, people).await
    )
}

/// What the later parts of a club hold: polls and their ballots, meetings
/// with their answers and who came, threads, posts, reports, questions,
/// milestones, where each visitor is and whether they share it, their
/// time zones and calendar feeds.
async fn inside(db: &Db, fx: &Fixture, people: &People) -> String {
    use quire_storage::clubs::{discussion as d, meetings as mt, polls};
    let mut out = String::new();
    for poll in polls::list(db, fx.id).await.unwrap() {
        let detail = polls::get(db, fx.id, poll.poll.id).await.unwrap();
        out += &format!("{poll:?} {detail:?}\n");
    }
    for past in [false, true] {
        for m in mt::list(db, fx.id, past).await.unwrap() {
            let rsvps = mt::rsvps(db, m.id).await.unwrap();
            let came = mt::attendance(db, m.id).await.unwrap();
            out += &format!("{m:?} {rsvps:?} {came:?}\n");
        }
    }
    let (sel, owner) = (fx.selection_id, people.id(Owner));
    for t in d::threads(db, fx.id, sel, Some(owner), true).await.unwrap() {
        let posts = d::thread(db, fx.id, t.id, Some(owner), true).await.unwrap();
        out += &format!("{posts:?}\n");
    }
    out += &format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n",
        d::reports(db, fx.id, owner).await.unwrap(),
        d::questions(db, fx.id, sel, Some(owner)).await.unwrap(),
        d::milestones(db, sel).await.unwrap(),
        d::group_progress(db, fx.id, sel, Some(owner))
            .await
            .unwrap(),
    );
    for (_, user) in &people.ids {
        let u = users::by_id(db, *user).await.unwrap().unwrap();
        out += &format!(
            "{:?} {:?} {:?}\n",
            d::my_position(db, sel, Some(*user)).await.unwrap(),
            u.time_zone,
            mt::feeds_of(db, *user).await.unwrap(),
        );
    }
    out
}

/// An error page's body without its request id (different every time).
fn normalised(body: &str, slug: &str) -> String {
    let mut out = body.replace(slug, "SLUG");
    if let Some(i) = out.find("Request id: <code>")
        && let Some(j) = out[i..].find("</code>")
    {
        out.replace_range(i..i + j, "");
    }
    out
}

/// A client of its own that does not follow redirects: a redirect is how
/// a form post says it worked.
fn client(site: &Site) -> Site {
    Site {
        base: site.base.clone(),
        client: Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    }
}

async fn register(site: &Site, username: &str) {
    let r = site
        .post(
            "/register",
            &[
                ("username", username),
                ("display_name", ""),
                ("password", "correct horse battery"),
                ("password_again", "correct horse battery"),
            ],
        )
        .await;
    assert!(
        r.status().is_redirection() || r.status() == StatusCode::OK,
        "{}",
        r.status()
    );
}

async fn send(
    s: &Site,
    method: Method,
    path: &str,
    body: Body,
    fill_one: &dyn Fn(&str) -> String,
) -> (u16, String) {
    let url = s.url(path);
    let req = match method {
        Get => s.client.get(url),
        Post => s.client.post(url),
        Put => s.client.put(url),
        Patch => s.client.patch(url),
        Delete => s.client.delete(url),
    }
    .header("sec-fetch-site", "same-origin");
    let res = match body {
        Body::None => req.send().await.unwrap(),
        Body::Form(f) => {
            let f: Vec<(&str, String)> = f.iter().map(|(k, v)| (*k, fill_one(v))).collect();
            req.form(&f).send().await.unwrap()
        }
        Body::Json(j) => {
            let v: Value = serde_json::from_str(&fill_one(&j().to_string())).unwrap();
            req.json(&v).send().await.unwrap()
        }
        Body::Picture => {
            let part = reqwest::multipart::Part::bytes(jpeg())
                .file_name("club.jpg")
                .mime_str("image/jpeg")
                .unwrap();
            req.multipart(reqwest::multipart::Form::new().part("picture", part))
                .send()
                .await
                .unwrap()
        }
        Body::Image => req
            .header("content-type", "image/jpeg")
            .body(jpeg())
            .send()
            .await
            .unwrap(),
    };
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

/// A real JPEG, made here.
fn jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(60, 60, |x, y| image::Rgb([x as u8, y as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// What a try broke, if anything.
fn judge(
    route: &Route,
    who: Who,
    fx: &Fixture,
    status: u16,
    body: &str,
    failures: &mut Vec<String>,
) {
    let v = fx.visibility;
    let at = format!("{} by {who:?} on a {} club", route.name, v.as_str());
    let want = expected(route.may, v, who);
    match want {
        None if !(200..400).contains(&status) => failures.push(format!(
            "{at}: expected to be let in, got {status}: {}",
            snippet(body)
        )),
        Some(w) if w != status => failures.push(format!(
            "{at}: expected {w}, got {status}: {}",
            snippet(body)
        )),
        _ => {}
    }
    let see = sees(route.may, v, who);
    let read = reads(route.may, v, who);
    let mut never: Vec<&str> = Vec::new();
    if !see {
        never.extend([fx.name.as_str(), fx.slug.as_str(), fx.description.as_str()]);
    }
    if !see || !read {
        never.push(&fx.pitch);
        if !route.path.starts_with("/books/") {
            // A book's clubs page names its own book.
            never.push(&fx.title);
        }
    }
    if route.shows == Shows::NeverSecret && v == Visibility::Secret {
        never.extend([fx.name.as_str(), fx.slug.as_str()]);
    }
    for secret in never {
        if body.contains(secret) {
            failures.push(format!("{at}: the answer shows {secret:?}"));
        }
    }
    if want.is_none() {
        let must: Vec<&str> = match route.shows {
            Shows::Description => vec![&fx.description],
            Shows::Page if read => vec![&fx.description, &fx.pitch],
            Shows::Page => vec![&fx.description],
            Shows::Pitch => vec![&fx.pitch],
            Shows::Listed if see => vec![&fx.slug],
            _ => vec![],
        };
        for m in must {
            if !body.contains(m) {
                failures.push(format!("{at}: the answer does not show {m:?}"));
            }
        }
    }
}

fn snippet(body: &str) -> String {
    body.chars().take(300).collect()
}

quire_testkit::both_backends! {
    async fn every_club_route_answers_each_visitor_as_the_rule_says(db: Db) {
        let site = Site::start(db.clone()).await;
        let mut clients = Vec::new();
        let mut ids = Vec::new();
        let mut names = Vec::new();
        for who in VISITORS {
            let s = client(&site);
            if who != Anonymous {
                let name = format!("{who:?}").to_lowercase();
                register(&s, &name).await;
                ids.push((who, users::by_username(&db, &name).await.unwrap().unwrap().user_id()));
                names.push((who, name));
            }
            clients.push((who, s));
        }
        let account = |name: &'static str| {
            let db = db.clone();
            async move {
                let id = quire_testkit::member(&db, name).await;
                (id, users::by_id(&db, id).await.unwrap().unwrap().username)
            }
        };
        let people = People {
            ids,
            names,
            target: account("target").await,
            second: account("second").await,
            asker: account("asker").await,
        };
        let mut failures = Vec::new();
        let mut n = 0;
        let mut tries = 0;
        for v in [Visibility::Public, Visibility::Private, Visibility::Secret] {
            // Reads share one club per visibility; each write gets its own.
            n += 1;
            let shared = fixture(&db, n, v, &people).await;
            for route in ROUTES {
                for (who, s) in &clients {
                    let own;
                    let fx = if route.method == Get {
                        &shared
                    } else {
                        n += 1;
                        own = fixture(&db, n, v, &people).await;
                        &own
                    };
                    let before = fingerprint(&db, fx, &people).await;
                    let filler = |x: &str| fill(x, fx, &people, &fx.slug);
                    let (status, body) =
                        send(s, route.method, &filler(route.path), route.body, &filler).await;
                    tries += 1;
                    judge(route, *who, fx, status, &body, &mut failures);
                    let want = expected(route.may, v, *who);
                    if want.is_some() && route.method != Get {
                        let after = fingerprint(&db, fx, &people).await;
                        if before != after {
                            failures.push(format!(
                                "{} by {who:?} on a {} club was refused but changed {before} into {after}",
                                route.name, v.as_str()
                            ));
                        }
                    }
                    // A secret club is, to whoever may not see it, a club
                    // that does not exist.
                    if want == Some(404) && route.path.contains("{slug}") {
                        let nowhere = "secret-circle-nowhere";
                        let filler = |x: &str| fill(x, fx, &people, nowhere);
                        let (s2, body2) =
                            send(s, route.method, &filler(route.path), route.body, &filler).await;
                        if s2 != status || normalised(&body2, nowhere) != normalised(&body, &fx.slug) {
                            failures.push(format!(
                                "{} by {who:?} on a {} club: the answer ({status}) differs from a missing club's ({s2})",
                                route.name, v.as_str()
                            ));
                        }
                    }
                    if route.method != Get {
                        clubs::delete(&db, fx.id).await.unwrap();
                    }
                }
            }
        }
        assert!(tries >= ROUTES.len() * 21, "{tries}");
        assert!(failures.is_empty(), "{} of {tries} tries went wrong:\n{}", failures.len(), failures.join("\n"));
    }
}

/// A path with every `{name}` made `{}` and no query, to compare the
/// routers' patterns with the table's.
fn pattern(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    let mut out = String::new();
    let mut in_brace = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_brace = true;
                out.push_str("{}");
            }
            '}' => in_brace = false,
            _ if in_brace => {}
            c => out.push(c),
        }
    }
    out
}

/// Every (method, pattern) in `src`'s `.route("path", …)` calls, the
/// call's own parentheses bounding what is read.
fn routes_in(src: &str) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    for chunk in src.split(".route(").skip(1) {
        let mut depth = 1;
        let mut end = chunk.len();
        for (i, c) in chunk.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let call = &chunk[..end];
        let Some(path) = call.split('"').nth(1) else {
            continue;
        };
        for method in ["get", "post", "put", "patch", "delete"] {
            let needle = format!("{method}(");
            let mut rest = call;
            while let Some(i) = rest.find(&needle) {
                let before = rest[..i].chars().next_back();
                if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    found.insert((method.to_uppercase(), pattern(path)));
                }
                rest = &rest[i + needle.len()..];
            }
        }
    }
    found
}

/// Every club route the server serves: all of `src/clubs/`, and the
/// `/clubs…` and `/api/v1/clubs…` routes anywhere in `src/lib.rs`.
fn served_club_routes() -> BTreeSet<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir(root.join("clubs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            found.extend(routes_in(&std::fs::read_to_string(path).unwrap()));
        }
    }
    let lib = std::fs::read_to_string(root.join("lib.rs")).unwrap();
    found.extend(
        routes_in(&lib)
            .into_iter()
            .filter(|(_, p)| p.starts_with("/clubs") || p.starts_with("/api/v1/clubs")),
    );
    found
}

#[test]
fn every_club_route_is_in_the_table() {
    let served = served_club_routes();
    assert!(
        served.len() > 40,
        "the routers' source was not read: {served:?}"
    );
    let method = |m: Method| match m {
        Get => "GET",
        Post => "POST",
        Put => "PUT",
        Patch => "PATCH",
        Delete => "DELETE",
    };
    let table: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| (method(r.method).to_string(), pattern(r.path)))
        .collect();
    let missing: Vec<_> = served.iter().filter(|r| !table.contains(*r)).collect();
    assert!(
        missing.is_empty(),
        "club routes missing from club_permissions.rs's ROUTES (add one line each): {missing:?}"
    );
    let unknown: Vec<_> = table.iter().filter(|r| !served.contains(*r)).collect();
    assert!(
        unknown.is_empty(),
        "the table names routes the server does not serve: {unknown:?}"
    );
}

#[test]
fn the_rule_in_this_test_says_what_the_issue_says() {
    use Visibility::*;
    // Secret clubs are unknown to non-members, even to a banned account.
    for who in [Anonymous, Outsider, Invited, Banned] {
        assert_eq!(expected(See, Secret, who), Some(404));
        assert_eq!(expected(Organisers, Secret, who), Some(404));
    }
    // A private club's inside is for members.
    assert_eq!(expected(Read, Private, Outsider), Some(403));
    assert_eq!(expected(Read, Private, Anonymous), Some(401));
    assert_eq!(expected(Read, Public, Anonymous), None);
    // The holder of a link sees even a secret club; a banned one does not.
    assert_eq!(expected(LinkHolder, Secret, Anonymous), None);
    assert_eq!(expected(LinkJoiner, Secret, Banned), Some(403));
    // Organisers run the club; only the owner hands it on.
    assert_eq!(expected(Organisers, Private, Member), Some(403));
    assert_eq!(expected(TheOwner, Public, Organiser), Some(403));
}
