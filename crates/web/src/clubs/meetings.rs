//! Club meetings on the web: organisers schedule, change and cancel a
//! meeting (a date and time in a zone, a place or a video link, a host, an
//! agenda of the book's discussion questions, an optional cap); members
//! answer yes, no or maybe, and wait in line when it is full; organisers
//! record who came. Times show in the reader's own zone (an account
//! setting, `POST /account/time-zone`) beside the meeting's.
//!
//! Calendars: an `.ics` file per meeting, and secret feed links (one per
//! member per club, one per member for all their clubs) that calendar
//! programs subscribe to; making a new link retires the old one at once.
//! A feed shows only clubs its owner may read today, whatever they could
//! read when the link was made.

use super::{Club, href};
use crate::AppState;
use crate::auth::Member;
use crate::error::{AppError, FieldError};
use crate::input::Json;
use crate::permissions::ClubPermission;
use crate::view::{FieldErrors, Layout, page, plural};
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use quire_calendar::{Calendar, End, Event, Organiser, Status, Zone};
use quire_domain::meeting::{MeetingStatus, RsvpAnswer, RsvpState};
use quire_domain::{ClubId, MeetingId, SelectionId, SelectionStatus, UserId};
use quire_storage::clubs::meetings::{
    self, AgendaQuestion, AttendanceEntry, Meeting, MeetingFields, MyRsvp,
};
use quire_storage::clubs::{self, members, page as club_page};
use quire_storage::users::{self, User};
use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/clubs/{slug}/meetings", get(list_page).post(create_form))
        .route("/clubs/{slug}/meetings/new", get(new_form))
        .route(
            "/clubs/{slug}/meetings/{meeting}",
            get(meeting_page).post(update_form),
        )
        .route("/clubs/{slug}/meetings/{meeting}/edit", get(edit_form))
        .route("/clubs/{slug}/meetings/{meeting}/cancel", post(cancel_form))
        .route("/clubs/{slug}/meetings/{meeting}/rsvp", post(rsvp_form))
        .route(
            "/clubs/{slug}/meetings/{meeting}/attendance",
            post(attendance_form),
        )
        .route("/account/time-zone", post(time_zone_form))
        .route("/calendar", get(feeds_page))
        .route("/calendar/feeds", post(make_feed_form))
        .route("/calendar/feeds/stop", post(stop_feed_form))
        .route("/calendar/{file}", get(feed))
        .route(
            "/api/v1/clubs/{slug}/meetings",
            get(list_api).post(create_api),
        )
        .route(
            "/api/v1/clubs/{slug}/meetings/{meeting}",
            get(meeting_api).patch(update_api).delete(cancel_api),
        )
        .route(
            "/api/v1/clubs/{slug}/meetings/{meeting}/rsvp",
            put(rsvp_api),
        )
        .route(
            "/api/v1/clubs/{slug}/meetings/{meeting}/attendance",
            put(attendance_api),
        )
}

// ---------------------------------------------------------------- input

/// The longest place, video link and agenda accepted.
const MAX_PLACE: usize = 300;
const MAX_URL: usize = 500;
const MAX_AGENDA: usize = 4000;
/// The largest cap.
const MAX_CAPACITY: i64 = 10_000;
/// A meeting lasts from a quarter of an hour to twelve hours.
const MIN_MINUTES: i64 = 15;
const MAX_MINUTES: i64 = 720;

/// A meeting as typed in the form or sent as JSON: all text, so a refused
/// form comes back exactly as sent.
#[derive(Clone, Debug, Default)]
pub struct MeetingInput {
    pub date: String,
    pub time: String,
    pub zone: String,
    pub duration: String,
    pub place: String,
    pub video_url: String,
    /// A member's user id or username; empty for none.
    pub host: String,
    /// A selection's id; empty for none.
    pub selection: String,
    pub agenda: String,
    pub capacity: String,
    /// Question ids, in agenda order.
    pub questions: Vec<String>,
    /// Attach the book's insight pack and the story so far.
    pub shares_pack: bool,
    pub shares_story: bool,
}

impl MeetingInput {
    /// A new meeting's starting values: the club's zone, two hours, the
    /// current selection.
    fn fresh(club: &clubs::Club, current: Option<SelectionId>) -> Self {
        Self {
            zone: club.time_zone.clone(),
            duration: "120".into(),
            selection: current.map(|s| s.to_string()).unwrap_or_default(),
            ..Self::default()
        }
    }

    /// The values of a saved meeting, for editing.
    fn of(m: &Meeting, questions: &[AgendaQuestion]) -> Self {
        let zone = zone_or_utc(&m.zone);
        let (date, time) = zone.form_values(m.starts_at);
        Self {
            date,
            time,
            zone: m.zone.clone(),
            duration: m.duration_minutes.to_string(),
            place: m.place.clone(),
            video_url: m.video_url.clone(),
            host: m.host_id.map(|h| h.to_string()).unwrap_or_default(),
            selection: m.selection_id.map(|s| s.to_string()).unwrap_or_default(),
            agenda: m.agenda.clone(),
            capacity: m.capacity.map(|c| c.to_string()).unwrap_or_default(),
            questions: questions.iter().map(|q| q.id.to_string()).collect(),
            shares_pack: m.shares_pack,
            shares_story: m.shares_story,
        }
    }

    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            let v = v.clone();
            match k.as_str() {
                "date" => f.date = v,
                "time" => f.time = v,
                "zone" => f.zone = v,
                "duration" => f.duration = v,
                "place" => f.place = v,
                "video_url" => f.video_url = v,
                "host" => f.host = v,
                "selection" => f.selection = v,
                "agenda" => f.agenda = v,
                "capacity" => f.capacity = v,
                "question" if f.questions.len() <= meetings::MAX_AGENDA_QUESTIONS => {
                    f.questions.push(v)
                }
                "shares_pack" => f.shares_pack = v == "on",
                "shares_story" => f.shares_story = v == "on",
                _ => {}
            }
        }
        f
    }

    fn has_question(&self, id: &Uuid) -> bool {
        self.questions.contains(&id.to_string())
    }
}

fn zone_or_utc(name: &str) -> Zone {
    Zone::parse(name).unwrap_or_else(|_| Zone::utc())
}

fn too_long(s: &str, max: usize) -> bool {
    s.chars().count() > max
}

/// What a form needs to check a meeting against: the club's members and
/// books, and the chosen book's questions.
struct Context {
    members: Vec<members::ClubMember>,
    selections: Vec<(SelectionId, String, SelectionStatus)>,
    current: Option<SelectionId>,
}

async fn context(st: &AppState, club: ClubId) -> Result<Context, AppError> {
    let p = club_page::load(&st.db, club, None).await?;
    let selections = p
        .current
        .iter()
        .chain(&p.upcoming)
        .chain(&p.archive)
        .map(|r| {
            (
                r.selection.id,
                r.selection.title.clone(),
                r.selection.status,
            )
        })
        .collect();
    Ok(Context {
        members: members::list(&st.db, club).await?,
        selections,
        current: p.current.map(|r| r.selection.id),
    })
}

/// Check every field, reporting all that are wrong at once.
async fn check(st: &AppState, cx: &Context, f: &MeetingInput) -> Result<MeetingFields, AppError> {
    let mut errors = Vec::new();
    let mut bad = |field: &'static str, message: String| errors.push(FieldError { field, message });
    let zone = match Zone::parse(f.zone.trim()) {
        Ok(z) => Some(z),
        Err(e) => {
            bad("zone", e.to_string());
            None
        }
    };
    let mut starts_at = None;
    if f.date.trim().is_empty() {
        bad("date", "Give the meeting's date, like 2026-12-01.".into());
    } else if f.time.trim().is_empty() {
        bad("time", "Give the meeting's start time, like 19:30.".into());
    } else if let Some(zone) = &zone {
        match zone.resolve_local(f.date.trim(), f.time.trim()) {
            Ok(at) if at <= quire_storage::now() => {
                bad("date", meetings::PAST_MESSAGE.into());
            }
            Ok(at) => starts_at = Some(at),
            Err(e) => {
                let field = if e.to_string().contains("date") {
                    "date"
                } else {
                    "time"
                };
                bad(field, e.to_string());
            }
        }
    }
    let duration = match f.duration.trim() {
        "" => Some(120),
        s => match s.parse::<i64>() {
            Ok(n) if (MIN_MINUTES..=MAX_MINUTES).contains(&n) => Some(n),
            _ => {
                bad(
                    "duration",
                    format!(
                        "The length is a number of minutes from {MIN_MINUTES} to {MAX_MINUTES}."
                    ),
                );
                None
            }
        },
    };
    let place = f.place.trim().to_string();
    if too_long(&place, MAX_PLACE) {
        bad(
            "place",
            format!("The place is longer than {MAX_PLACE} characters; shorten it."),
        );
    }
    let video_url = f.video_url.trim().to_string();
    if !video_url.is_empty()
        && (too_long(&video_url, MAX_URL)
            || !(video_url.starts_with("https://") || video_url.starts_with("http://"))
            || video_url
                .chars()
                .any(|c| c.is_whitespace() || c.is_control()))
    {
        bad(
            "video_url",
            format!(
                "The video link must be a web address starting with https://, without spaces, at most {MAX_URL} characters."
            ),
        );
    }
    let agenda = f.agenda.trim().to_string();
    if too_long(&agenda, MAX_AGENDA) {
        bad(
            "agenda",
            format!("The agenda is longer than {MAX_AGENDA} characters; shorten it."),
        );
    }
    let capacity = match f.capacity.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(n) if (1..=MAX_CAPACITY).contains(&n) => Some(n),
            _ => {
                bad(
                    "capacity",
                    format!(
                        "The cap is a whole number of people from 1 to {MAX_CAPACITY}, or empty for no cap."
                    ),
                );
                None
            }
        },
    };
    let host = match f.host.trim() {
        "" => None,
        h => {
            let found = cx
                .members
                .iter()
                .find(|m| m.user_id.to_string() == h || m.username.eq_ignore_ascii_case(h));
            if found.is_none() {
                bad(
                    "host",
                    "The host must be a member of the club; choose one from the list.".into(),
                );
            }
            found.map(|m| m.user_id)
        }
    };
    let selection = match f.selection.trim() {
        "" => None,
        s => {
            let found = cx.selections.iter().find(|(id, _, _)| id.to_string() == s);
            if found.is_none() {
                bad(
                    "selection",
                    "Choose a book from the club's list, or none.".into(),
                );
            }
            found.map(|(id, _, _)| *id)
        }
    };
    if selection.is_none() && (f.shares_pack || f.shares_story) {
        bad(
            "shares",
            "The insight pack and the story so far are drawn from the meeting's book; choose the book first.".into(),
        );
    }
    let mut questions = Vec::new();
    if f.questions.len() > meetings::MAX_AGENDA_QUESTIONS {
        bad(
            "questions",
            format!(
                "An agenda holds at most {} questions.",
                meetings::MAX_AGENDA_QUESTIONS
            ),
        );
    } else if !f.questions.is_empty() {
        match selection {
            None => bad(
                "questions",
                "Questions come from the meeting's book; choose the book first.".into(),
            ),
            Some(sel) => {
                let known = meetings::book_questions(&st.db, sel).await?;
                for q in &f.questions {
                    match known.iter().find(|k| k.id.to_string() == q.trim()) {
                        Some(k) if !questions.contains(&k.id) => questions.push(k.id),
                        Some(_) => {}
                        None => {
                            bad(
                                "questions",
                                "One of the questions is not one of this book's; pick them again from the list.".into(),
                            );
                            break;
                        }
                    }
                }
            }
        }
    }
    match (zone, starts_at, duration) {
        (Some(zone), Some(starts_at), Some(duration_minutes)) if errors.is_empty() => {
            Ok(MeetingFields {
                selection,
                starts_at,
                zone: zone.name().to_string(),
                duration_minutes,
                place,
                video_url,
                host,
                agenda,
                capacity,
                questions,
                shares_pack: f.shares_pack,
                shares_story: f.shares_story,
            })
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

/// A form body with repeated fields (the agenda's questions, attendance
/// ticks), as name and value pairs.
fn pairs(body: &Bytes) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .take(5000)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn meeting_id(raw: &str) -> Result<MeetingId, AppError> {
    MeetingId::parse(raw)
        .ok_or_else(|| AppError::NotFound("There is no such meeting in this club.".into()))
}

async fn load(st: &AppState, club: &Club, raw: &str) -> Result<Meeting, AppError> {
    let id = meeting_id(raw)?;
    meetings::get(&st.db, club.club.id, id)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such meeting in this club.".into()))
}

// ---------------------------------------------------------------- views

/// The zone a reader sees times in: their own, else the club's.
pub fn viewer_zone(viewer: Option<&User>, club: &clubs::Club) -> Zone {
    viewer
        .and_then(|u| u.time_zone.as_deref())
        .and_then(|z| Zone::parse(z).ok())
        .unwrap_or_else(|| zone_or_utc(&club.time_zone))
}

/// A meeting in a list.
pub struct MeetingCard {
    pub href: String,
    pub title: String,
    pub when: String,
    pub iso: String,
    pub cancelled: bool,
    pub place: String,
    pub counts: String,
}

fn title(m: &Meeting) -> String {
    match &m.book_title {
        Some(t) => format!("Meeting about {t}"),
        None => "Club meeting".into(),
    }
}

fn counts(m: &Meeting) -> String {
    let mut s = format!("{} going", m.going);
    if let Some(cap) = m.capacity {
        s.push_str(&format!(" of {}", plural(cap, "place", "places")));
    }
    if m.waiting > 0 {
        s.push_str(&format!(" · {} waiting", m.waiting));
    }
    if m.maybe > 0 {
        s.push_str(&format!(" · {} maybe", m.maybe));
    }
    s
}

fn card(slug: &str, m: &Meeting, zone: &Zone) -> MeetingCard {
    MeetingCard {
        href: format!("{}/meetings/{}", href(slug), m.id),
        title: title(m),
        when: zone.show_long(m.starts_at),
        iso: zone.show_iso(m.starts_at),
        cancelled: m.status == MeetingStatus::Cancelled,
        place: m.place.clone(),
        counts: counts(m),
    }
}

#[derive(Template)]
#[template(path = "clubs/meetings.html")]
struct ListTemplate {
    layout: Layout,
    club_href: String,
    club_name: String,
    organiser: bool,
    member: bool,
    upcoming: Vec<MeetingCard>,
    past: Vec<MeetingCard>,
    zone_name: String,
}

pub async fn list_page(State(st): State<AppState>, club: Club) -> Result<Html<String>, AppError> {
    club.check(ClubPermission::Read)?;
    let zone = viewer_zone(club.viewer.as_ref(), &club.club);
    let upcoming = meetings::list(&st.db, club.club.id, false).await?;
    let past = meetings::list(&st.db, club.club.id, true).await?;
    page(&ListTemplate {
        layout: Layout::for_user(club.viewer.as_ref()),
        club_href: club.href(),
        club_name: club.club.name.clone(),
        organiser: club.allows(ClubPermission::Organise),
        member: club.allows(ClubPermission::Participate),
        upcoming: upcoming
            .iter()
            .map(|m| card(&club.club.slug, m, &zone))
            .collect(),
        past: past
            .iter()
            .map(|m| card(&club.club.slug, m, &zone))
            .collect(),
        zone_name: zone.name().to_string(),
    })
}

/// Someone on a meeting's lists.
pub struct PersonView {
    pub username: String,
    pub name: String,
    pub position: Option<i64>,
}

pub struct AttendanceRow {
    pub id: String,
    pub name: String,
    pub came: bool,
    pub finished: bool,
}

#[derive(Template)]
#[template(path = "clubs/meeting.html")]
struct MeetingTemplate {
    layout: Layout,
    flash: Option<&'static str>,
    club_href: String,
    club_name: String,
    href: String,
    title: String,
    cancelled: bool,
    ended: bool,
    started: bool,
    when: String,
    iso: String,
    /// The same instant in the meeting's own zone, when the reader's
    /// differs.
    when_there: Option<String>,
    zone_name: String,
    meeting_zone: String,
    own_zone: bool,
    duration: String,
    place: String,
    video_url: Option<String>,
    host: Option<(String, String)>,
    agenda: String,
    questions: Vec<String>,
    capacity: Option<String>,
    member: bool,
    organiser: bool,
    signed_in: bool,
    mine: Option<RsvpAnswer>,
    my_state: Option<String>,
    going: Vec<PersonView>,
    waitlist: Vec<PersonView>,
    maybe: Vec<PersonView>,
    no_count: i64,
    attendance: Vec<AttendanceRow>,
    came: Option<String>,
    zones: &'static [String],
    sign_in_href: String,
    insights: Option<MeetingInsights>,
}

/// The book's insights an organiser attached to a meeting, drawn for the
/// reader looking at it: nothing past their own place.
pub struct MeetingInsights {
    pub insights_href: String,
    pub pack: bool,
    /// The story so far: the book's own sentences and their passages.
    pub story: Option<Vec<(String, String)>>,
    /// Where the reader is, and so where everything here stops.
    pub guard_line: String,
    /// Why there is nothing to show yet (no text, still being read).
    pub note: Option<String>,
}

async fn meeting_insights(
    st: &AppState,
    m: &Meeting,
    viewer: Option<&User>,
) -> Result<Option<MeetingInsights>, AppError> {
    use crate::books::insights;
    let Some(work) = m.work_id.filter(|_| m.shares_pack || m.shares_story) else {
        return Ok(None);
    };
    let mut out = MeetingInsights {
        insights_href: format!("/books/{work}/insights"),
        pack: m.shares_pack,
        story: None,
        guard_line: String::new(),
        note: None,
    };
    let viewer = crate::auth::Viewer(viewer.cloned());
    match insights::ready(st, work, &viewer, false, "insights").await {
        Ok(r) => {
            out.guard_line = insights::place_words(r.point, &r.loaded, r.guard);
            if m.shares_story {
                let story = insights::story(st, work, &r.sha, &r.loaded, r.guard).await;
                let text = &r.loaded.text;
                out.story = Some(
                    story
                        .iter()
                        .filter(|p| r.guard.allows(**p))
                        .filter_map(|p| {
                            Some((
                                quire_insight::sentence_at(text, *p)?.to_string(),
                                insights::passage_href(work, *p),
                            ))
                        })
                        .collect(),
                );
            }
        }
        Err(AppError::NotFound(message) | AppError::Unavailable { message, .. }) => {
            out.note = Some(message)
        }
        Err(e) => return Err(e),
    }
    Ok(Some(out))
}

/// What a member reads about their own answer.
pub fn state_line(r: &MyRsvp) -> String {
    match (r.state, r.position) {
        (RsvpState::Going, _) => "You are going.".into(),
        (RsvpState::Waitlist, Some(p)) => format!(
            "The meeting is full: you are #{p} on the waitlist. If someone drops out, the first waiting move up."
        ),
        (RsvpState::Waitlist, None) => "You are on the waitlist.".into(),
        (RsvpState::Out, _) => match r.answer {
            RsvpAnswer::Maybe => "You said maybe; say yes to take a place.".into(),
            _ => "You said you are not coming.".into(),
        },
    }
}

fn done_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "scheduled" => "The meeting is scheduled.",
        "saved" => "The meeting is updated.",
        "cancelled" => "The meeting is cancelled. It stays listed so members see it is off.",
        "answered" => "Your answer is saved.",
        "attendance" => "Attendance is recorded.",
        "zone" => "Times now show in your chosen zone.",
        _ => return None,
    })
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn meeting_page(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    headers: HeaderMap,
    crate::input::Query(q): crate::input::Query<DoneQuery>,
) -> Result<Response, AppError> {
    if let Some(id) = raw.strip_suffix(".ics") {
        return meeting_ics(&st, &club, id, &headers).await;
    }
    club.check(ClubPermission::Read)?;
    let m = load(&st, &club, &raw).await?;
    let zone = viewer_zone(club.viewer.as_ref(), &club.club);
    let there = zone_or_utc(&m.zone);
    let member = club.allows(ClubPermission::Participate);
    let organiser = club.allows(ClubPermission::Organise);
    let questions = meetings::questions(&st.db, m.id).await?;
    let rsvps = meetings::rsvps(&st.db, m.id).await?;
    let me = club.viewer.as_ref().map(|u| u.user_id());
    let mine = match me {
        Some(u) if member => meetings::mine(&st.db, m.id, u).await?,
        _ => None,
    };
    let now = quire_storage::now();
    let started = m.starts_at <= now;
    let recorded = if started {
        meetings::attendance(&st.db, m.id).await?
    } else {
        Vec::new()
    };
    let attendance = if organiser && started && m.status == MeetingStatus::Scheduled {
        let all = members::list(&st.db, club.club.id).await?;
        let going: std::collections::HashSet<UserId> = rsvps
            .iter()
            .filter(|r| r.state == RsvpState::Going)
            .map(|r| r.user_id)
            .collect();
        all.iter()
            .map(|mm| {
                let rec = recorded.iter().find(|a| a.user_id == mm.user_id);
                AttendanceRow {
                    id: mm.user_id.to_string(),
                    name: mm.display_name.clone(),
                    came: rec.map_or(going.contains(&mm.user_id), |a| a.attended),
                    finished: rec.is_some_and(|a| a.finished_book),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let came_n = recorded.iter().filter(|a| a.attended).count() as i64;
    let finished_n = recorded
        .iter()
        .filter(|a| a.attended && a.finished_book)
        .count() as i64;
    let person = |r: &meetings::Rsvp| PersonView {
        username: r.username.clone(),
        name: r.display_name.clone(),
        position: r.position,
    };
    let meeting_href = format!("{}/meetings/{}", club.href(), m.id);
    let insights = meeting_insights(&st, &m, club.viewer.as_ref()).await?;
    let body = page(&MeetingTemplate {
        insights,
        layout: Layout::for_user(club.viewer.as_ref()),
        flash: q.done.as_deref().and_then(done_message),
        club_href: club.href(),
        club_name: club.club.name.clone(),
        title: title(&m),
        cancelled: m.status == MeetingStatus::Cancelled,
        ended: m.ends_at <= now,
        started,
        when: zone.show_long(m.starts_at),
        iso: zone.show_iso(m.starts_at),
        when_there: (there.name() != zone.name()).then(|| there.show_long(m.starts_at)),
        zone_name: zone.name().to_string(),
        meeting_zone: there.name().to_string(),
        own_zone: club.viewer.as_ref().is_some_and(|u| u.time_zone.is_some()),
        duration: minutes_text(m.duration_minutes),
        place: m.place.clone(),
        video_url: (member && !m.video_url.is_empty()).then(|| m.video_url.clone()),
        host: m.host_username.clone().zip(m.host_name.clone()),
        agenda: m.agenda.clone(),
        questions: questions.into_iter().map(|q| q.body).collect(),
        capacity: m.capacity.map(|c| plural(c, "place", "places")),
        member,
        organiser,
        signed_in: club.viewer.is_some(),
        mine: mine.map(|r| r.answer),
        my_state: mine.as_ref().map(state_line),
        going: rsvps
            .iter()
            .filter(|r| r.state == RsvpState::Going)
            .map(person)
            .collect(),
        waitlist: rsvps
            .iter()
            .filter(|r| r.state == RsvpState::Waitlist)
            .map(person)
            .collect(),
        maybe: rsvps
            .iter()
            .filter(|r| r.answer == RsvpAnswer::Maybe)
            .map(person)
            .collect(),
        no_count: rsvps.iter().filter(|r| r.answer == RsvpAnswer::No).count() as i64,
        attendance,
        came: (!recorded.is_empty()).then(|| {
            format!(
                "{} came; {} of them had finished the book.",
                plural(came_n, "member", "members"),
                finished_n
            )
        }),
        zones: quire_calendar::zone_names(),
        sign_in_href: format!("/login?next={meeting_href}"),
        href: meeting_href,
    })?;
    Ok(body.into_response())
}

fn minutes_text(n: i64) -> String {
    match (n / 60, n % 60) {
        (0, m) => plural(m, "minute", "minutes"),
        (h, 0) => plural(h, "hour", "hours"),
        (h, m) => format!(
            "{} {}",
            plural(h, "hour", "hours"),
            plural(m, "minute", "minutes")
        ),
    }
}

// ---------------------------------------------------------------- the form

pub struct Choice {
    pub value: String,
    pub label: String,
}

pub struct QuestionChoice {
    pub id: String,
    pub body: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "clubs/meeting_form.html")]
struct FormTemplate {
    layout: Layout,
    club_href: String,
    club_name: String,
    /// Where the form posts.
    action: String,
    heading: String,
    f: MeetingInput,
    errors: FieldErrors,
    zones: &'static [String],
    hosts: Vec<Choice>,
    books: Vec<Choice>,
    questions: Vec<QuestionChoice>,
}

async fn form_page(
    st: &AppState,
    club: &Club,
    cx: &Context,
    action: String,
    heading: &str,
    f: MeetingInput,
    errors: Vec<FieldError>,
) -> Result<Html<String>, AppError> {
    let selection = SelectionId::parse(f.selection.trim());
    let questions = match selection {
        Some(s) if cx.selections.iter().any(|(id, _, _)| *id == s) => {
            meetings::book_questions(&st.db, s).await?
        }
        _ => Vec::new(),
    };
    page(&FormTemplate {
        layout: Layout::for_user(club.viewer.as_ref()),
        club_href: club.href(),
        club_name: club.club.name.clone(),
        action,
        heading: heading.into(),
        questions: questions
            .iter()
            .map(|q| QuestionChoice {
                id: q.id.to_string(),
                body: q.body.clone(),
                checked: f.has_question(&q.id),
            })
            .collect(),
        hosts: cx
            .members
            .iter()
            .map(|m| Choice {
                value: m.user_id.to_string(),
                label: m.display_name.clone(),
            })
            .collect(),
        books: cx
            .selections
            .iter()
            .filter(|(_, _, s)| *s != SelectionStatus::Finished)
            .map(|(id, t, s)| Choice {
                value: id.to_string(),
                label: format!("{t} ({})", s.label().to_lowercase()),
            })
            .collect(),
        f,
        errors: FieldErrors(errors),
        zones: quire_calendar::zone_names(),
    })
}

pub async fn new_form(State(st): State<AppState>, club: Club) -> Result<Html<String>, AppError> {
    club.check(ClubPermission::Organise)?;
    let cx = context(&st, club.club.id).await?;
    let mut f = MeetingInput::fresh(&club.club, cx.current);
    f.host = club
        .viewer
        .as_ref()
        .map(|u| u.user_id().to_string())
        .unwrap_or_default();
    let action = format!("{}/meetings", club.href());
    form_page(&st, &club, &cx, action, "Schedule a meeting", f, Vec::new()).await
}

/// A refused form: drawn again with every value and message (422).
async fn refused(
    st: &AppState,
    club: &Club,
    cx: &Context,
    action: String,
    heading: &str,
    f: MeetingInput,
    e: AppError,
) -> Result<Response, AppError> {
    let errors = match e {
        AppError::Invalid(errors) => errors,
        AppError::Conflict(message) => vec![FieldError {
            field: "form",
            message,
        }],
        other => return Err(other),
    };
    let body = form_page(st, club, cx, action, heading, f, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
}

pub async fn create_form(
    State(st): State<AppState>,
    club: Club,
    body: Bytes,
) -> Result<Response, AppError> {
    club.check(ClubPermission::Organise)?;
    let f = MeetingInput::from_pairs(&pairs(&body));
    let cx = context(&st, club.club.id).await?;
    let action = format!("{}/meetings", club.href());
    let heading = "Schedule a meeting";
    let fields = match check(&st, &cx, &f).await {
        Ok(x) => x,
        Err(e) => return refused(&st, &club, &cx, action, heading, f, e).await,
    };
    match meetings::create(&st.db, club.club.id, club.user()?.user_id(), &fields).await {
        Ok(id) => Ok(
            Redirect::to(&format!("{}/meetings/{id}?done=scheduled", club.href())).into_response(),
        ),
        Err(e) => refused(&st, &club, &cx, action, heading, f, e.into()).await,
    }
}

pub async fn edit_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    club.check(ClubPermission::Organise)?;
    let m = load(&st, &club, &raw).await?;
    let cx = context(&st, club.club.id).await?;
    let questions = meetings::questions(&st.db, m.id).await?;
    let action = format!("{}/meetings/{}", club.href(), m.id);
    form_page(
        &st,
        &club,
        &cx,
        action,
        "Change the meeting",
        MeetingInput::of(&m, &questions),
        Vec::new(),
    )
    .await
}

pub async fn update_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    club.check(ClubPermission::Organise)?;
    let m = load(&st, &club, &raw).await?;
    let f = MeetingInput::from_pairs(&pairs(&body));
    let cx = context(&st, club.club.id).await?;
    let action = format!("{}/meetings/{}", club.href(), m.id);
    let heading = "Change the meeting";
    let fields = match check(&st, &cx, &f).await {
        Ok(x) => x,
        Err(e) => return refused(&st, &club, &cx, action, heading, f, e).await,
    };
    match meetings::update(&st.db, club.club.id, m.id, &fields).await {
        Ok(()) => Ok(Redirect::to(&format!("{action}?done=saved")).into_response()),
        Err(e) => refused(&st, &club, &cx, action, heading, f, e.into()).await,
    }
}

pub async fn cancel_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
) -> Result<Redirect, AppError> {
    club.check(ClubPermission::Organise)?;
    let m = load(&st, &club, &raw).await?;
    meetings::cancel(&st.db, club.club.id, m.id).await?;
    Ok(Redirect::to(&format!(
        "{}/meetings/{}?done=cancelled",
        club.href(),
        m.id
    )))
}

#[derive(Deserialize, Default)]
pub struct RsvpFields {
    #[serde(default)]
    answer: String,
}

async fn answer(st: &AppState, club: &Club, raw: &str, answer: &str) -> Result<MyRsvp, AppError> {
    club.check(ClubPermission::Participate)?;
    let m = load(st, club, raw).await?;
    let a = RsvpAnswer::parse(answer.trim())
        .ok_or_else(|| AppError::bad("answer", "Answer yes, no or maybe."))?;
    Ok(meetings::rsvp(&st.db, club.club.id, m.id, club.user()?.user_id(), a).await?)
}

pub async fn rsvp_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    crate::input::Form(f): crate::input::Form<RsvpFields>,
) -> Result<Redirect, AppError> {
    answer(&st, &club, &raw, &f.answer).await?;
    Ok(Redirect::to(&format!(
        "{}/meetings/{}?done=answered#rsvp-h",
        club.href(),
        raw
    )))
}

async fn record(
    st: &AppState,
    club: &Club,
    raw: &str,
    entries: Vec<AttendanceEntry>,
) -> Result<(), AppError> {
    club.check(ClubPermission::Organise)?;
    let m = load(st, club, raw).await?;
    Ok(meetings::record_attendance(&st.db, club.club.id, m.id, &entries).await?)
}

pub async fn attendance_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    body: Bytes,
) -> Result<Redirect, AppError> {
    club.check(ClubPermission::Organise)?;
    let p = pairs(&body);
    let ticked = |name: &str| -> std::collections::HashSet<UserId> {
        p.iter()
            .filter(|(k, _)| k == name)
            .filter_map(|(_, v)| UserId::parse(v.trim()))
            .collect()
    };
    let came = ticked("came");
    let finished = ticked("finished");
    let all = members::list(&st.db, club.club.id).await?;
    let entries = all
        .iter()
        .filter(|m| came.contains(&m.user_id) || finished.contains(&m.user_id))
        .map(|m| AttendanceEntry {
            user: m.user_id,
            attended: came.contains(&m.user_id),
            finished_book: finished.contains(&m.user_id),
        })
        .collect();
    record(&st, &club, &raw, entries).await?;
    Ok(Redirect::to(&format!(
        "{}/meetings/{}?done=attendance",
        club.href(),
        raw
    )))
}

// ---------------------------------------------------------------- zones

#[derive(Deserialize, Default)]
pub struct ZoneFields {
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    next: String,
}

/// Where to go back to after the zone is saved: a club or calendar page
/// of this site, nothing else.
fn back_to(next: &str) -> String {
    let plain = next
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.'));
    if plain
        && next.len() <= 300
        && !next.contains("//")
        && (next.starts_with("/clubs/") || next == "/calendar")
    {
        next.to_string()
    } else {
        "/calendar".into()
    }
}

/// `POST /account/time-zone`: the zone meeting times show in; empty for
/// each club's own.
pub async fn time_zone_form(
    State(st): State<AppState>,
    Member(u): Member,
    crate::input::Form(f): crate::input::Form<ZoneFields>,
) -> Result<Redirect, AppError> {
    let zone = match f.time_zone.trim() {
        "" => None,
        z => Some(super::zone::check(z).map_err(|m| AppError::bad("time_zone", m))?),
    };
    users::set_time_zone(&st.db, u.user_id(), zone.as_deref()).await?;
    Ok(Redirect::to(&format!("{}?done=zone", back_to(&f.next))))
}

// ---------------------------------------------------------------- calendars

/// `scheme://host` of this request, for the links a calendar file holds.
fn origin(st: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    let scheme = if st.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// One meeting as a calendar event. `member`: whether the reader may see
/// the video link.
fn event(
    m: &Meeting,
    club_name: &str,
    slug: &str,
    origin: &str,
    member: bool,
    questions: &[AgendaQuestion],
) -> Event {
    let summary = match &m.book_title {
        Some(t) => format!("{club_name}: {t}"),
        None => format!("{club_name}: meeting"),
    };
    let url = format!("{origin}{}/meetings/{}", href(slug), m.id);
    let mut e = Event::new(
        format!("meeting-{}@quire", m.id),
        summary,
        m.starts_at,
        zone_or_utc(&m.zone),
        End::After(time::Duration::minutes(m.duration_minutes)),
        m.created_at,
    );
    e.sequence = u32::try_from(m.sequence).unwrap_or(u32::MAX);
    e.last_modified = m.updated_at.max(m.created_at);
    e.status = match m.status {
        MeetingStatus::Scheduled => Status::Confirmed,
        MeetingStatus::Cancelled => Status::Cancelled,
    };
    let video = (member && !m.video_url.is_empty()).then_some(m.video_url.as_str());
    e.location = match (m.place.is_empty(), video) {
        (false, _) => Some(m.place.clone()),
        (true, Some(v)) => Some(format!("Online: {v}")),
        (true, None) => None,
    };
    let mut description = String::new();
    if !m.agenda.is_empty() {
        description.push_str(&m.agenda);
        description.push_str("\n\n");
    }
    if !questions.is_empty() {
        description.push_str("Questions:\n");
        for (i, q) in questions.iter().enumerate() {
            description.push_str(&format!("{}. {}\n", i + 1, q.body));
        }
        description.push('\n');
    }
    if let Some(v) = video {
        description.push_str(&format!("Video: {v}\n"));
    }
    description.push_str(&url);
    e.description = Some(description);
    e.url = Some(url);
    if let (Some(u), Some(n)) = (&m.host_username, &m.host_name) {
        e.organiser = Some(Organiser {
            name: n.clone(),
            address: format!("{origin}/people/{u}"),
        });
    }
    e
}

/// A calendar document with cache headers and an ETag; `304` when the
/// client has it already.
fn ics_response(
    cal: &Calendar,
    headers: &HeaderMap,
    filename: &str,
    cache: &'static str,
) -> Result<Response, AppError> {
    let stamp = cal
        .events
        .iter()
        .map(|e| e.last_modified)
        .max()
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let text = cal.to_ics(stamp).map_err(|e| {
        AppError::internal(
            "The calendar could not be written. This is a bug in Quire.",
            e,
        )
    })?;
    let etag = format!("\"{}\"", &hex(&Sha256::digest(text.as_bytes()))[..32]);
    let same = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut h = HeaderMap::new();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if same {
        return Ok((StatusCode::NOT_MODIFIED, h).into_response());
    }
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    Ok((StatusCode::OK, h, text).into_response())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `GET /clubs/{slug}/meetings/{id}.ics`.
async fn meeting_ics(
    st: &AppState,
    club: &Club,
    raw: &str,
    headers: &HeaderMap,
) -> Result<Response, AppError> {
    club.check(ClubPermission::Read)?;
    let m = load(st, club, raw).await?;
    let questions = meetings::questions(&st.db, m.id).await?;
    let mut cal = Calendar::new(format!("{}: {}", club.club.name, title(&m)));
    cal.events.push(event(
        &m,
        &club.club.name,
        &club.club.slug,
        &origin(st, headers),
        club.allows(ClubPermission::Participate),
        &questions,
    ));
    ics_response(
        &cal,
        headers,
        &format!("meeting-{}.ics", m.id),
        "private, max-age=60",
    )
}

fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

fn feed_missing() -> AppError {
    AppError::NotFound(
        "This calendar link is not in use: it was replaced by a newer one, turned off, or never existed. Get the current link from your calendar page on Quire.".into(),
    )
}

/// `GET /calendar/{token}.ics`: a secret feed. Shows only clubs its owner
/// may read now.
pub async fn feed(
    State(st): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let token = file.strip_suffix(".ics").ok_or_else(feed_missing)?;
    if token.is_empty() || token.len() > 100 {
        return Err(feed_missing());
    }
    let (owner, club) = meetings::feed_owner(&st.db, &token_hash(token))
        .await?
        .ok_or_else(feed_missing)?;
    let origin = origin(&st, &headers);
    let (name, member_of) = match club {
        Some(club) => {
            let c = clubs::by_id(&st.db, club).await?.ok_or_else(feed_missing)?;
            let (c, standing) = clubs::by_slug(&st.db, &c.slug, Some(owner))
                .await?
                .ok_or_else(feed_missing)?;
            let access = owner_access(&c, standing);
            if !access.allows(ClubPermission::Read) {
                return Err(feed_missing());
            }
            (
                format!("{} meetings", c.name),
                access.allows(ClubPermission::Participate),
            )
        }
        None => ("My book club meetings".to_string(), true),
    };
    let rows = meetings::feed(&st.db, owner, club).await?;
    let mut cal = Calendar::new(name);
    cal.description = Some(
        "Meetings from Quire. This link is private: anyone with it sees these meetings.".into(),
    );
    cal.refresh = Some(time::Duration::hours(1));
    cal.events = rows
        .iter()
        .map(|r| {
            event(
                &r.meeting,
                &r.club_name,
                &r.club_slug,
                &origin,
                member_of,
                &[],
            )
        })
        .collect();
    ics_response(&cal, &headers, "meetings.ics", "private, max-age=900")
}

/// What a feed's owner may do in a club: the link stands for them signed
/// in, and the one permission rule decides.
fn owner_access(c: &clubs::Club, standing: clubs::Standing) -> crate::permissions::ClubAccess {
    crate::permissions::ClubAccess {
        visibility: c.visibility,
        join_policy: c.join_policy,
        standing,
        signed_in: true,
        invited: false,
    }
}

pub struct FeedRow {
    /// The club's slug; empty for "all my clubs".
    pub slug: String,
    pub name: String,
    pub since: Option<String>,
}

#[derive(Template)]
#[template(path = "clubs/meeting_feeds.html")]
struct FeedsTemplate {
    layout: Layout,
    flash: Option<&'static str>,
    rows: Vec<FeedRow>,
    /// A link just made, shown once.
    fresh: Option<(String, String)>,
    zones: &'static [String],
    own_zone: String,
}

async fn feeds_view(
    st: &AppState,
    u: &User,
    headers: &HeaderMap,
    fresh: Option<(String, String)>,
    flash: Option<&'static str>,
) -> Result<Html<String>, AppError> {
    let mine = clubs::of_member(&st.db, u.user_id()).await?;
    let made = meetings::feeds_of(&st.db, u.user_id()).await?;
    let since = |club: Option<ClubId>| {
        made.iter()
            .find(|(c, _)| *c == club)
            .map(|(_, at)| crate::view::day(*at))
    };
    let mut rows = vec![FeedRow {
        slug: String::new(),
        name: "All my clubs".into(),
        since: since(None),
    }];
    rows.extend(mine.iter().map(|c| FeedRow {
        slug: c.club.slug.clone(),
        name: c.club.name.clone(),
        since: since(Some(c.club.id)),
    }));
    let origin = origin(st, headers);
    page(&FeedsTemplate {
        layout: Layout::for_user(Some(u)),
        flash,
        rows,
        fresh: fresh.map(|(name, token)| (name, format!("{origin}/calendar/{token}.ics"))),
        zones: quire_calendar::zone_names(),
        own_zone: u.time_zone.clone().unwrap_or_default(),
    })
}

pub async fn feeds_page(
    State(st): State<AppState>,
    Member(u): Member,
    headers: HeaderMap,
    crate::input::Query(q): crate::input::Query<DoneQuery>,
) -> Result<Html<String>, AppError> {
    let flash = q.done.as_deref().and_then(|c| match c {
        "stopped" => Some("The link is turned off; calendars using it get nothing more."),
        other => done_message(other),
    });
    feeds_view(&st, &u, &headers, None, flash).await
}

#[derive(Deserialize, Default)]
pub struct FeedFields {
    /// A club's slug; empty for all the member's clubs.
    #[serde(default)]
    club: String,
}

/// The club a feed form names, if the member may subscribe to it.
async fn feed_club(st: &AppState, u: &User, slug: &str) -> Result<Option<clubs::Club>, AppError> {
    let slug = slug.trim();
    if slug.is_empty() {
        return Ok(None);
    }
    let (c, standing) = clubs::by_slug(&st.db, slug, Some(u.user_id()))
        .await?
        .ok_or_else(crate::permissions::club_not_found)?;
    super::access_of(&c, standing, Some(u)).check(ClubPermission::Participate)?;
    Ok(Some(c))
}

/// `POST /calendar/feeds`: make a feed link (replacing the old one) and
/// show it once.
pub async fn make_feed_form(
    State(st): State<AppState>,
    Member(u): Member,
    headers: HeaderMap,
    crate::input::Form(f): crate::input::Form<FeedFields>,
) -> Result<Html<String>, AppError> {
    let club = feed_club(&st, &u, &f.club).await?;
    let token = new_token();
    meetings::set_feed(
        &st.db,
        u.user_id(),
        club.as_ref().map(|c| c.id),
        &token_hash(&token),
    )
    .await?;
    let name = club.map_or("All my clubs".to_string(), |c| c.name);
    feeds_view(&st, &u, &headers, Some((name, token)), None).await
}

pub async fn stop_feed_form(
    State(st): State<AppState>,
    Member(u): Member,
    crate::input::Form(f): crate::input::Form<FeedFields>,
) -> Result<Redirect, AppError> {
    let club = feed_club(&st, &u, &f.club).await?;
    meetings::drop_feed(&st.db, u.user_id(), club.map(|c| c.id)).await?;
    Ok(Redirect::to("/calendar?done=stopped"))
}

// ---------------------------------------------------------------- JSON

#[derive(Serialize)]
pub struct PersonJson {
    pub username: String,
    pub display_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
}

#[derive(Serialize)]
pub struct MyRsvpJson {
    pub answer: RsvpAnswer,
    pub state: RsvpState,
    /// On the waitlist: 1 for the first waiting.
    pub waitlist_position: Option<i64>,
    pub message: String,
}

impl MyRsvpJson {
    fn of(r: &MyRsvp) -> Self {
        Self {
            answer: r.answer,
            state: r.state,
            waitlist_position: r.position,
            message: state_line(r),
        }
    }
}

#[derive(Serialize)]
pub struct QuestionJson {
    pub id: Uuid,
    pub body: String,
}

#[derive(Serialize)]
pub struct MeetingJson {
    pub id: MeetingId,
    pub url: String,
    pub ics: String,
    pub status: MeetingStatus,
    /// RFC 3339, UTC.
    pub starts_at: String,
    pub ends_at: String,
    /// The zone it was set in, and its start as a wall time there.
    pub zone: String,
    pub starts_local: String,
    pub duration_minutes: i64,
    pub place: String,
    /// Members only.
    pub video_url: Option<String>,
    pub host: Option<String>,
    pub selection: Option<SelectionId>,
    pub book_title: Option<String>,
    pub agenda: String,
    pub capacity: Option<i64>,
    /// The book's insight pack and "the story so far" are attached: each
    /// reader fetches them from the book's insight routes, which stop at
    /// their own place.
    pub shares_pack: bool,
    pub shares_story: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insights: Option<String>,
    pub going: i64,
    pub waiting: i64,
    pub maybe: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub questions: Option<Vec<QuestionJson>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub going_list: Option<Vec<PersonJson>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waitlist: Option<Vec<PersonJson>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mine: Option<MyRsvpJson>,
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn meeting_json(slug: &str, m: &Meeting, member: bool) -> MeetingJson {
    let url = format!("{}/meetings/{}", href(slug), m.id);
    MeetingJson {
        id: m.id,
        ics: format!("{url}.ics"),
        url,
        status: m.status,
        starts_at: rfc3339(m.starts_at),
        ends_at: rfc3339(m.ends_at),
        zone: m.zone.clone(),
        starts_local: zone_or_utc(&m.zone).show_iso(m.starts_at),
        duration_minutes: m.duration_minutes,
        place: m.place.clone(),
        video_url: (member && !m.video_url.is_empty()).then(|| m.video_url.clone()),
        host: m.host_username.clone(),
        selection: m.selection_id,
        book_title: m.book_title.clone(),
        agenda: m.agenda.clone(),
        capacity: m.capacity,
        shares_pack: m.shares_pack,
        shares_story: m.shares_story,
        insights: m
            .work_id
            .filter(|_| m.shares_pack || m.shares_story)
            .map(|w| format!("/api/v1/books/{w}/insights")),
        going: m.going,
        waiting: m.waiting,
        maybe: m.maybe,
        questions: None,
        going_list: None,
        waitlist: None,
        mine: None,
    }
}

pub async fn list_api(
    State(st): State<AppState>,
    club: Club,
) -> Result<Json<Vec<MeetingJson>>, AppError> {
    club.check(ClubPermission::Read)?;
    let member = club.allows(ClubPermission::Participate);
    let mut all = meetings::list(&st.db, club.club.id, false).await?;
    all.extend(meetings::list(&st.db, club.club.id, true).await?);
    Ok(Json(
        all.iter()
            .map(|m| meeting_json(&club.club.slug, m, member))
            .collect(),
    ))
}

async fn full_json(st: &AppState, club: &Club, m: &Meeting) -> Result<MeetingJson, AppError> {
    let member = club.allows(ClubPermission::Participate);
    let mut j = meeting_json(&club.club.slug, m, member);
    let rsvps = meetings::rsvps(&st.db, m.id).await?;
    let person = |r: &meetings::Rsvp| PersonJson {
        username: r.username.clone(),
        display_name: r.display_name.clone(),
        position: r.position,
    };
    j.going_list = Some(
        rsvps
            .iter()
            .filter(|r| r.state == RsvpState::Going)
            .map(person)
            .collect(),
    );
    j.waitlist = Some(
        rsvps
            .iter()
            .filter(|r| r.state == RsvpState::Waitlist)
            .map(person)
            .collect(),
    );
    j.questions = Some(
        meetings::questions(&st.db, m.id)
            .await?
            .into_iter()
            .map(|q| QuestionJson {
                id: q.id,
                body: q.body,
            })
            .collect(),
    );
    if let (Some(u), true) = (&club.viewer, member) {
        j.mine = meetings::mine(&st.db, m.id, u.user_id())
            .await?
            .as_ref()
            .map(MyRsvpJson::of);
    }
    Ok(j)
}

pub async fn meeting_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
) -> Result<Json<MeetingJson>, AppError> {
    club.check(ClubPermission::Read)?;
    let m = load(&st, &club, &raw).await?;
    Ok(Json(full_json(&st, &club, &m).await?))
}

/// `capacity` as sent: absent (`None`), null (`Some(Null)`), or a value.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(d).map(Some)
}

/// A meeting as JSON: every field optional, so PATCH changes only what
/// it names. `capacity` null clears the cap.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct MeetingBody {
    date: Option<String>,
    time: Option<String>,
    zone: Option<String>,
    duration_minutes: Option<i64>,
    place: Option<String>,
    video_url: Option<String>,
    /// A member's username; "" for none.
    host: Option<String>,
    /// A selection id; "" for none.
    selection: Option<String>,
    agenda: Option<String>,
    #[serde(default, deserialize_with = "present")]
    capacity: Option<serde_json::Value>,
    questions: Option<Vec<String>>,
    /// Attach the book's insight pack to the meeting.
    shares_pack: Option<bool>,
    /// Attach "the story so far".
    shares_story: Option<bool>,
}

impl MeetingBody {
    fn onto(self, mut f: MeetingInput) -> Result<MeetingInput, AppError> {
        let set = |slot: &mut String, v: Option<String>| {
            if let Some(v) = v {
                *slot = v;
            }
        };
        set(&mut f.date, self.date);
        set(&mut f.time, self.time);
        set(&mut f.zone, self.zone);
        set(
            &mut f.duration,
            self.duration_minutes.map(|d| d.to_string()),
        );
        set(&mut f.place, self.place);
        set(&mut f.video_url, self.video_url);
        set(&mut f.host, self.host);
        set(&mut f.selection, self.selection);
        set(&mut f.agenda, self.agenda);
        if let Some(q) = self.questions {
            f.questions = q;
        }
        if let Some(b) = self.shares_pack {
            f.shares_pack = b;
        }
        if let Some(b) = self.shares_story {
            f.shares_story = b;
        }
        match self.capacity {
            None => {}
            Some(serde_json::Value::Null) => f.capacity.clear(),
            Some(serde_json::Value::Number(n)) => f.capacity = n.to_string(),
            Some(serde_json::Value::String(s)) => f.capacity = s,
            Some(_) => {
                return Err(AppError::bad(
                    "capacity",
                    "The cap is a whole number of people, or null for no cap.",
                ));
            }
        }
        Ok(f)
    }
}

pub async fn create_api(
    State(st): State<AppState>,
    club: Club,
    Json(b): Json<MeetingBody>,
) -> Result<Response, AppError> {
    club.check(ClubPermission::Organise)?;
    let cx = context(&st, club.club.id).await?;
    let f = b.onto(MeetingInput::fresh(&club.club, cx.current))?;
    let fields = check(&st, &cx, &f).await?;
    let id = meetings::create(&st.db, club.club.id, club.user()?.user_id(), &fields).await?;
    let m = load(&st, &club, &id.to_string()).await?;
    Ok((StatusCode::CREATED, Json(full_json(&st, &club, &m).await?)).into_response())
}

pub async fn update_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Json(b): Json<MeetingBody>,
) -> Result<Json<MeetingJson>, AppError> {
    club.check(ClubPermission::Organise)?;
    let m = load(&st, &club, &raw).await?;
    let cx = context(&st, club.club.id).await?;
    let questions = meetings::questions(&st.db, m.id).await?;
    let f = b.onto(MeetingInput::of(&m, &questions))?;
    let fields = check(&st, &cx, &f).await?;
    meetings::update(&st.db, club.club.id, m.id, &fields).await?;
    let m = load(&st, &club, &raw).await?;
    Ok(Json(full_json(&st, &club, &m).await?))
}

pub async fn cancel_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    club.check(ClubPermission::Organise)?;
    let m = load(&st, &club, &raw).await?;
    meetings::cancel(&st.db, club.club.id, m.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn rsvp_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Json(f): Json<RsvpFields>,
) -> Result<Json<MyRsvpJson>, AppError> {
    let r = answer(&st, &club, &raw, &f.answer).await?;
    Ok(Json(MyRsvpJson::of(&r)))
}

#[derive(Deserialize)]
pub struct AttendanceLine {
    /// A member's username.
    user: String,
    #[serde(default)]
    attended: bool,
    #[serde(default)]
    finished_book: bool,
}

#[derive(Deserialize)]
pub struct AttendanceBody {
    attendance: Vec<AttendanceLine>,
}

pub async fn attendance_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Json(b): Json<AttendanceBody>,
) -> Result<StatusCode, AppError> {
    club.check(ClubPermission::Organise)?;
    if b.attendance.len() > meetings::MAX_ATTENDANCE {
        return Err(AppError::bad(
            "attendance",
            format!(
                "An attendance record names at most {} people.",
                meetings::MAX_ATTENDANCE
            ),
        ));
    }
    let all = members::list(&st.db, club.club.id).await?;
    let mut entries = Vec::new();
    for line in &b.attendance {
        let m = all
            .iter()
            .find(|m| m.username.eq_ignore_ascii_case(line.user.trim()))
            .ok_or_else(|| {
                AppError::bad(
                    "attendance",
                    format!(
                        "\u{201c}{}\u{201d} is not a member of this club.",
                        line.user
                    ),
                )
            })?;
        entries.push(AttendanceEntry {
            user: m.user_id,
            attended: line.attended,
            finished_book: line.finished_book,
        });
    }
    record(&st, &club, &raw, entries).await?;
    Ok(StatusCode::NO_CONTENT)
}
