//! `GET /clubs/{slug}` and `GET /api/v1/clubs/{slug}`: the club page.
//! What it shows depends on [`ClubAccess`]: anyone who may see the club
//! reads its name, description, size and how to join; those who may read
//! it (members, and anyone for a public club) also read its current,
//! upcoming, finished and possible selections and its members. The page
//! runs a fixed number of queries (`storage::clubs::page`).

use super::Club;
use super::directory::ClubJson;
use crate::AppState;
use crate::error::AppError;
use crate::home::Card;
use crate::input::{Json, Query};
use crate::permissions::ClubPermission;
use crate::view::{Layout, date, page, plural};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use quire_domain::{ClubRole, JoinPolicy, SelectionStatus, Visibility};
use quire_storage::clubs::page::{self as club_page, ClubPage, SelectionRow};
use quire_storage::clubs::selections::Nomination;
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/clubs/{slug}", get(club_page))
        .route("/api/v1/clubs/{slug}", get(club_api))
}

/// The line a plain form post comes back to (`?done=CODE`); unknown codes
/// show nothing.
pub fn done_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "created" => "Your club is ready. Invite people, or add the first book.",
        "joined" => "Welcome to the club.",
        "requested" => "Your request is sent. An organiser will answer it.",
        "withdrawn" => "Your request is withdrawn.",
        "left" => "You have left the club.",
        "selected" => "The book is on the club's list.",
        "nominated" => "Your nomination is added.",
        "unnominated" => "The nomination is withdrawn.",
        "status" => "The club's list is updated.",
        "unselected" => "The book is taken off the club's list.",
        "settings" => "The club's settings are saved.",
        "poll_created" => "The poll is open. Members can vote until it closes.",
        "voted" => "Your ballot is saved. You can change it until the poll closes.",
        "poll_closed" => "The poll is closed and counted.",
        other => return super::membership::done_message(other),
    })
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    done: Option<String>,
}

/// A selection as the page draws it.
pub struct SelectionView {
    pub id: String,
    pub card: Card,
    pub status: SelectionStatus,
    /// "1 – 30 December 2026", "from 1 December 2026", or nothing.
    pub dates: Option<String>,
    /// "Finished 30 December 2026".
    pub finished: Option<String>,
    /// "Club rating 4.2 from 6 members".
    pub club_rating: Option<String>,
    /// "8 came to its meetings".
    pub came: Option<String>,
}

/// The club's next meeting, in the reader's zone.
pub struct NextMeetingView {
    pub href: String,
    pub when: String,
    pub iso: String,
    pub place: String,
    pub going: String,
}

pub struct NominationView {
    pub id: String,
    pub card: Card,
    pub pitch: String,
    pub by: Option<(String, String)>,
    pub mine: bool,
}

pub struct MemberView {
    pub username: String,
    pub name: String,
    pub role: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "clubs/page.html")]
struct ClubTemplate {
    layout: Layout,
    flash: Option<&'static str>,
    href: String,
    name: String,
    description: String,
    visibility: Visibility,
    visibility_note: &'static str,
    members_count: String,
    role: Option<ClubRole>,
    can_read: bool,
    can_join: bool,
    can_ask: bool,
    requested: bool,
    banned: bool,
    signed_in: bool,
    invite_only: bool,
    organiser: bool,
    nominations_open: bool,
    can_nominate: bool,
    pending_requests: i64,
    current: Option<SelectionView>,
    upcoming: Vec<SelectionView>,
    archive: Vec<SelectionView>,
    archive_more: Option<String>,
    nominations: Vec<NominationView>,
    members: Vec<MemberView>,
    members_more: Option<String>,
    /// The latest threads, gated for the viewer by storage.
    recent: Vec<super::discussion::ThreadView>,
    sign_in_href: String,
    open_polls: Vec<super::polls::PollLine>,
    next_meeting: Option<NextMeetingView>,
    meetings_href: String,
}

fn dates(r: &SelectionRow) -> Option<String> {
    match (r.selection.starts_on, r.selection.ends_on) {
        (Some(s), Some(e)) => Some(format!("{} – {}", date(s), date(e))),
        (Some(s), None) => Some(format!("From {}", date(s))),
        (None, Some(e)) => Some(format!("Until {}", date(e))),
        (None, None) => None,
    }
}

fn selection_view(p: &ClubPage, r: &SelectionRow) -> Option<SelectionView> {
    let w = p.works.get(&r.selection.work_id)?;
    Some(SelectionView {
        id: r.selection.id.to_string(),
        card: Card::from(w, None),
        status: r.selection.status,
        dates: dates(r),
        finished: r
            .selection
            .finished_at
            .map(|t| format!("Finished {}", crate::view::day(t))),
        club_rating: r.club_rating_halves.map(|h| {
            format!(
                "Club rating {:.1} from {}",
                h / 2.0,
                plural(r.club_ratings, "member", "members")
            )
        }),
        came: p
            .meetings
            .came
            .get(&r.selection.id)
            .map(|n| format!("{} came to its meetings", plural(*n, "member", "members"))),
    })
}

pub async fn club_page(
    State(st): State<AppState>,
    club: Club,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, AppError> {
    let a = club.access;
    let can_read = a.allows(ClubPermission::Read);
    let p = if can_read {
        club_page::load(
            &st.db,
            club.club.id,
            club.viewer.as_ref().map(|u| u.user_id()),
        )
        .await?
    } else {
        ClubPage::default()
    };
    let me = club.viewer.as_ref().map(|u| u.user_id());
    let c = &club.club;
    let shown_members = p.members.len() as i64;
    page(&ClubTemplate {
        layout: Layout::for_user(club.viewer.as_ref()),
        flash: q.done.as_deref().and_then(done_message),
        href: club.href(),
        name: c.name.clone(),
        description: c.description.clone(),
        visibility: c.visibility,
        visibility_note: c.visibility.explain(),
        members_count: plural(c.members, "member", "members"),
        role: a.role(),
        can_read,
        can_join: a.allows(ClubPermission::Join),
        can_ask: a.allows(ClubPermission::AskToJoin) && !a.standing.requested,
        requested: a.standing.requested,
        banned: a.standing.banned,
        signed_in: a.signed_in,
        invite_only: c.join_policy == JoinPolicy::Invite,
        organiser: a.allows(ClubPermission::Organise),
        nominations_open: c.nominations_open,
        can_nominate: c.nominations_open && a.allows(ClubPermission::Participate),
        pending_requests: p.pending_requests,
        current: p.current.as_ref().and_then(|r| selection_view(&p, r)),
        upcoming: p
            .upcoming
            .iter()
            .filter_map(|r| selection_view(&p, r))
            .collect(),
        archive: p
            .archive
            .iter()
            .filter_map(|r| selection_view(&p, r))
            .collect(),
        archive_more: (p.archive_total > p.archive.len() as i64).then(|| {
            format!(
                "and {} more",
                plural(p.archive_total - p.archive.len() as i64, "book", "books")
            )
        }),
        nominations: p
            .nominations
            .iter()
            .filter_map(|n| nomination_view(&p, n, me))
            .collect(),
        members: p
            .members
            .iter()
            .map(|m| MemberView {
                username: m.username.clone(),
                name: m.display_name.clone(),
                role: (m.role != ClubRole::Member).then(|| m.role.label()),
            })
            .collect(),
        members_more: (c.members > shown_members && can_read)
            .then(|| format!("and {} more", c.members - shown_members)),
        recent: p
            .recent
            .iter()
            .map(|t| super::discussion::ThreadView::of(&club, t))
            .collect(),
        sign_in_href: format!("/login?next={}", club.href()),
        open_polls: super::polls::open_lines(&club, &p.open_polls),
        next_meeting: p.meetings.next.as_ref().map(|m| {
            let zone = super::meetings::viewer_zone(club.viewer.as_ref(), c);
            NextMeetingView {
                href: format!("{}/meetings/{}", club.href(), m.id),
                when: zone.show_long(m.starts_at),
                iso: zone.show_iso(m.starts_at),
                place: if m.place.is_empty() && !m.video_url.is_empty() {
                    "Online".into()
                } else {
                    m.place.clone()
                },
                going: format!("{} going", m.going),
            }
        }),
        meetings_href: format!("{}/meetings", club.href()),
    })
}

fn nomination_view(
    p: &ClubPage,
    n: &Nomination,
    me: Option<quire_domain::UserId>,
) -> Option<NominationView> {
    let w = p.works.get(&n.work_id)?;
    Some(NominationView {
        id: n.id.to_string(),
        card: Card::from(w, None),
        pitch: n.pitch.clone(),
        by: n.by_username.clone().zip(n.by_name.clone()),
        mine: me.is_some() && n.user_id == me,
    })
}

/// A selection in the API.
#[derive(Serialize)]
pub struct SelectionJson {
    pub id: String,
    pub book: String,
    pub title: String,
    pub status: SelectionStatus,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub chapter_count: Option<i64>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<time::OffsetDateTime>,
    /// The current members' mean rating, in stars.
    pub club_rating: Option<f64>,
    pub club_ratings: i64,
}

impl SelectionJson {
    pub fn of(r: &SelectionRow) -> Self {
        let s = &r.selection;
        Self {
            id: s.id.to_string(),
            book: format!("/api/v1/books/{}", s.work_id),
            title: s.title.clone(),
            status: s.status,
            starts_on: s.starts_on.map(|d| d.to_string()),
            ends_on: s.ends_on.map(|d| d.to_string()),
            chapter_count: s.chapter_count,
            finished_at: s.finished_at,
            club_rating: r.club_rating_halves.map(|h| (h * 5.0).round() / 10.0),
            club_ratings: r.club_ratings,
        }
    }
}

#[derive(Serialize)]
pub struct NominationJson {
    pub id: String,
    pub book: String,
    pub title: String,
    pub pitch: String,
    pub nominated_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
}

impl NominationJson {
    pub fn of(n: &Nomination) -> Self {
        Self {
            id: n.id.to_string(),
            book: format!("/api/v1/books/{}", n.work_id),
            title: n.title.clone(),
            pitch: n.pitch.clone(),
            nominated_by: n.by_username.clone(),
            created_at: n.created_at,
        }
    }
}

#[derive(Serialize)]
pub struct MemberJson {
    pub username: String,
    pub display_name: String,
    pub role: ClubRole,
}

/// The club in the API: its facts for anyone who may see it; what is
/// inside only for those who may read it (`null` otherwise).
#[derive(Serialize)]
pub struct ClubPageJson {
    #[serde(flatten)]
    pub club: ClubJson,
    pub contents: Option<ClubContentsJson>,
}

#[derive(Serialize)]
pub struct ClubContentsJson {
    pub current: Option<SelectionJson>,
    pub upcoming: Vec<SelectionJson>,
    pub archive: Vec<SelectionJson>,
    pub archive_total: i64,
    pub nominations: Vec<NominationJson>,
    pub members: Vec<MemberJson>,
    /// The latest threads, gated for the caller.
    pub recent_discussion: Vec<super::discussion::ThreadJson>,
}

pub async fn club_api(
    State(st): State<AppState>,
    club: Club,
) -> Result<Json<ClubPageJson>, AppError> {
    let contents = if club.allows(ClubPermission::Read) {
        let p = club_page::load(
            &st.db,
            club.club.id,
            club.viewer.as_ref().map(|u| u.user_id()),
        )
        .await?;
        Some(ClubContentsJson {
            current: p.current.as_ref().map(SelectionJson::of),
            upcoming: p.upcoming.iter().map(SelectionJson::of).collect(),
            archive: p.archive.iter().map(SelectionJson::of).collect(),
            archive_total: p.archive_total,
            nominations: p.nominations.iter().map(NominationJson::of).collect(),
            members: p
                .members
                .iter()
                .map(|m| MemberJson {
                    username: m.username.clone(),
                    display_name: m.display_name.clone(),
                    role: m.role,
                })
                .collect(),
            recent_discussion: p
                .recent
                .iter()
                .map(super::discussion::ThreadJson::of)
                .collect(),
        })
    } else {
        None
    };
    Ok(Json(ClubPageJson {
        club: ClubJson::of(&club.club, club.access.role()),
        contents,
    }))
}
