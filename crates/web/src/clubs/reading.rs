//! Reading together: a selection's page (`GET /clubs/{slug}/selections/{selection}`)
//! with its reading schedule, where each member is (the group progress
//! view, for members who share), its threads and its questions; the
//! forms that record one's own position, turn sharing on or off, and let
//! organisers edit the schedule; and the same in the JSON API.
//!
//! Positions are placed on the work's one scale by `quire_domain::position`;
//! what the page may show of anchored content is decided by the storage
//! gate (`storage::clubs::discussion`), never here.

use super::Club;
use super::discussion::{AnchorJson, QuestionView, ThreadView, anchor_field};
use crate::AppState;
use crate::error::AppError;
use crate::input::{Form, Json, Query};
use crate::permissions::ClubPermission;
use crate::view::{Layout, date, page};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use quire_domain::position::{self, Anchor, Pace, Point};
use quire_domain::{MilestoneId, Progress, ReadingStatus, SelectionId};
use quire_storage::clubs::discussion as d;
use quire_storage::clubs::selections::{self, Selection};
use serde::{Deserialize, Serialize};
use time::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/clubs/{slug}/selections/{selection}", get(selection_page))
        .route(
            "/clubs/{slug}/selections/{selection}/position",
            post(position_form),
        )
        .route(
            "/clubs/{slug}/selections/{selection}/sharing",
            post(sharing_form),
        )
        .route(
            "/clubs/{slug}/selections/{selection}/milestones",
            post(milestone_form),
        )
        .route(
            "/clubs/{slug}/selections/{selection}/milestones/{milestone}/delete",
            post(milestone_delete_form),
        )
        .route(
            "/api/v1/clubs/{slug}/selections/{selection}/milestones",
            get(milestones_api).post(milestone_api),
        )
        .route(
            "/api/v1/clubs/{slug}/selections/{selection}/milestones/{milestone}",
            axum::routing::delete(milestone_delete_api),
        )
        .route(
            "/api/v1/clubs/{slug}/selections/{selection}/progress",
            get(progress_api),
        )
        .route(
            "/api/v1/clubs/{slug}/selections/{selection}/position",
            put(position_api),
        )
        .route(
            "/api/v1/clubs/{slug}/selections/{selection}/sharing",
            put(sharing_api),
        )
}

/// The selection named in the path, in this club, or 404.
pub async fn selection_of(st: &AppState, club: &Club, raw: &str) -> Result<Selection, AppError> {
    let missing = || AppError::NotFound("There is no such selection in this club.".into());
    let id = SelectionId::parse(raw).ok_or_else(missing)?;
    selections::get(&st.db, club.club.id, id)
        .await?
        .ok_or_else(missing)
}

/// `/clubs/{slug}/selections/{id}`.
pub fn selection_href(club: &Club, s: SelectionId) -> String {
    format!("{}/selections/{s}", club.href())
}

fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

// ------------------------------------------------------------ the page

pub struct MilestoneView {
    pub id: String,
    pub scope: String,
    pub due: String,
    pub note: String,
    pub due_passed: bool,
}

pub struct MemberView {
    pub username: String,
    pub name: String,
    pub percent: u8,
    pub at: String,
    /// "On track" or "Behind (chapter 12 was due 1 December 2026)".
    pub pace: String,
    pub behind: bool,
    pub me: bool,
}

#[derive(Template)]
#[template(path = "clubs/selection.html")]
struct SelectionTemplate {
    layout: Layout,
    flash: Option<&'static str>,
    club_href: String,
    club_name: String,
    href: String,
    selection_id: String,
    title: String,
    book_href: String,
    dates: Option<String>,
    chapter_count: Option<i64>,
    member: bool,
    organiser: bool,
    signed_in: bool,
    my_at: String,
    my_percent: u8,
    my_unit: &'static str,
    my_value: String,
    my_pages: Option<u32>,
    shares: bool,
    milestones: Vec<MilestoneView>,
    members: Vec<MemberView>,
    threads: Vec<ThreadView>,
    questions: Vec<QuestionView>,
    sign_in_href: String,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    done: Option<String>,
}

/// The confirmation after a plain form post on the selection and thread
/// pages (`?done=CODE`).
pub fn done_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "position" => "Your place in the book is saved.",
        "sharing-on" => "The club now sees where you are in the book.",
        "sharing-off" => "Your place in the book is now yours alone.",
        "milestone" => "The schedule is updated.",
        "thread" => "Your thread is started.",
        "reply" => "Your reply is posted.",
        "asked" => "Your question is on the club's list.",
        "voted" => "Your vote is counted.",
        "unvoted" => "Your vote is taken back.",
        "question-removed" => "The question is taken off the list.",
        "reported" => "Thank you; the organisers will look at it.",
        "moderated" => "Done.",
        "dismissed" => "The report is dismissed.",
        _ => return None,
    })
}

fn pace_line(
    point: Point,
    milestones: &[d::Milestone],
    points: &[(Date, Point)],
    today: Date,
) -> (String, bool) {
    match position::pace(point, points, today) {
        Pace::OnTrack => ("On track".into(), false),
        Pace::Behind(i) => {
            let m = &milestones[i];
            (
                format!("Behind: {} was due {}", m.anchor.label(), date(m.due_on)),
                true,
            )
        }
    }
}

fn at_line(point: Point) -> String {
    if point == Point::FINISHED {
        "Finished".into()
    } else if point == Point::START {
        "Not started".into()
    } else {
        format!("{}% through", point.percent())
    }
}

pub async fn selection_page(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, AppError> {
    club.check(ClubPermission::Read)?;
    let s = selection_of(&st, &club, &raw).await?;
    let me = club.viewer.as_ref().map(|u| u.user_id());
    let organiser = club.allows(ClubPermission::Organise);
    let chapters = d::chapters_of(&s);
    let mine = d::my_position(&st.db, s.id, me).await?;
    let milestones = d::milestones(&st.db, s.id).await?;
    let points: Vec<(Date, Point)> = milestones
        .iter()
        .map(|m| (m.due_on, m.anchor.point(chapters.as_ref())))
        .collect();
    let group = if club.access.is_member() {
        d::group_progress(&st.db, club.club.id, s.id, me).await?
    } else {
        Vec::new()
    };
    let threads = d::threads(&st.db, club.club.id, s.id, me, organiser).await?;
    let questions = d::questions(&st.db, club.club.id, s.id, me).await?;
    let today = today();
    let href = selection_href(&club, s.id);
    let (my_unit, my_value) = match mine.progress {
        Some(p) => (p.unit(), p.value().to_string()),
        None => ("page", String::new()),
    };
    page(&SelectionTemplate {
        layout: Layout::for_user(club.viewer.as_ref()),
        flash: q
            .done
            .as_deref()
            .and_then(|c| done_message(c).or_else(|| super::page::done_message(c))),
        club_href: club.href(),
        club_name: club.club.name.clone(),
        selection_id: s.id.to_string(),
        title: s.title.clone(),
        book_href: format!("/books/{}", s.work_id),
        dates: match (s.starts_on, s.ends_on) {
            (Some(a), Some(b)) => Some(format!("{} – {}", date(a), date(b))),
            (Some(a), None) => Some(format!("From {}", date(a))),
            (None, Some(b)) => Some(format!("Until {}", date(b))),
            (None, None) => None,
        },
        // The chapters the gate uses: the text's sections when the work
        // has a text, else the organiser's count.
        chapter_count: chapters.as_ref().map(|c| i64::from(c.count())),
        member: club.access.is_member(),
        organiser,
        signed_in: club.viewer.is_some(),
        my_at: at_line(mine.point),
        my_percent: mine.point.percent(),
        my_unit,
        my_value,
        my_pages: mine.pages,
        shares: mine.shares,
        milestones: milestones
            .iter()
            .map(|m| MilestoneView {
                id: m.id.to_string(),
                scope: m.anchor.scope(),
                due: date(m.due_on),
                note: m.note.clone(),
                due_passed: m.due_on <= today,
            })
            .collect(),
        members: group
            .iter()
            .map(|m| {
                let (pace, behind) = pace_line(m.point, &milestones, &points, today);
                MemberView {
                    username: m.username.clone(),
                    name: m.display_name.clone(),
                    percent: m.point.percent(),
                    at: at_line(m.point),
                    pace,
                    behind,
                    me: Some(m.user_id) == me,
                }
            })
            .collect(),
        threads: threads.iter().map(|t| ThreadView::of(&club, t)).collect(),
        questions: questions
            .iter()
            .map(|x| QuestionView::of(x, me, organiser))
            .collect(),
        sign_in_href: format!("/login?next={href}"),
        href,
    })
}

// ------------------------------------------------------------ position

#[derive(Deserialize, Default)]
pub struct PositionFields {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    value: String,
}

/// Check and save where the visitor is: a page of their edition (refused
/// past its end), a percent, a chapter (refused past the club's count) or
/// "finished". Written through the reader's own readings, so the book
/// page shows the same place.
async fn record_position(
    st: &AppState,
    club: &Club,
    s: &Selection,
    f: &PositionFields,
) -> Result<Point, AppError> {
    club.check(ClubPermission::Participate)?;
    let user = club.user()?.user_id();
    let mine = d::my_position(&st.db, s.id, Some(user)).await?;
    let chapters = d::chapters_of(s);
    let value = f.value.trim();
    let number = || {
        value.parse::<u32>().map_err(|_| {
            AppError::bad(
                "value",
                format!(
                    "\u{201c}{}\u{201d} is not a whole number; give the page, percent or chapter you are at.",
                    value.chars().take(40).collect::<String>()
                ),
            )
        })
    };
    let bad = |e: position::PositionError| {
        let m = e.to_string();
        let mut c = m.chars();
        let m = match c.next() {
            Some(first) => first.to_uppercase().chain(c).collect::<String>() + ".",
            None => m,
        };
        AppError::bad("value", m)
    };
    let progress = match f.unit.trim() {
        "finished" => {
            quire_storage::shelves::finish(&st.db, user, s.work_id, ReadingStatus::Read, today())
                .await?;
            return Ok(Point::FINISHED);
        }
        "page" => {
            let n = number()?;
            position::at_page(n, mine.pages).map_err(bad)?;
            Progress::Page(n)
        }
        "percent" => {
            let n = number()?;
            position::at_percent(n).map_err(bad)?;
            Progress::Percent(n as u8)
        }
        "chapter" => {
            let n = number()?;
            position::in_chapter(n, chapters.as_ref()).map_err(bad)?;
            Progress::Chapter(n)
        }
        _ => {
            return Err(AppError::bad(
                "unit",
                "Say how you count your place: page, percent, chapter or finished.",
            ));
        }
    };
    quire_storage::shelves::set_progress(&st.db, user, s.work_id, mine.edition, progress, today())
        .await?;
    Ok(position::of_reading(
        false,
        Some(progress),
        mine.pages,
        chapters.as_ref(),
    ))
}

pub async fn position_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Form(f): Form<PositionFields>,
) -> Result<Redirect, AppError> {
    let s = selection_of(&st, &club, &raw).await?;
    record_position(&st, &club, &s, &f).await?;
    Ok(Redirect::to(&format!(
        "{}?done=position#progress-h",
        selection_href(&club, s.id)
    )))
}

#[derive(Serialize)]
pub struct PositionJson {
    /// On the work's scale: 0 (not started) to 10000 (finished).
    pub point: u16,
    pub percent: u8,
}

pub async fn position_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Json(f): Json<PositionFields>,
) -> Result<Json<PositionJson>, AppError> {
    let s = selection_of(&st, &club, &raw).await?;
    let p = record_position(&st, &club, &s, &f).await?;
    Ok(Json(PositionJson {
        point: p.value(),
        percent: p.percent(),
    }))
}

#[derive(Deserialize, Default)]
pub struct SharingFields {
    #[serde(default)]
    share: Option<serde_json::Value>,
}

impl SharingFields {
    /// A form sends "on"/"off" (or "true"/"false"); JSON a boolean.
    fn wanted(&self) -> Result<bool, AppError> {
        match &self.share {
            Some(serde_json::Value::Bool(b)) => Ok(*b),
            Some(serde_json::Value::String(s)) if matches!(s.as_str(), "on" | "true" | "1") => {
                Ok(true)
            }
            Some(serde_json::Value::String(s)) if matches!(s.as_str(), "off" | "false" | "0") => {
                Ok(false)
            }
            _ => Err(AppError::bad(
                "share",
                "Say whether to share your place in the book: true or false.",
            )),
        }
    }
}

async fn set_sharing(st: &AppState, club: &Club, share: bool) -> Result<(), AppError> {
    club.check(ClubPermission::Participate)?;
    d::set_sharing(&st.db, club.club.id, club.user()?.user_id(), share).await?;
    Ok(())
}

pub async fn sharing_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Form(f): Form<SharingFields>,
) -> Result<Redirect, AppError> {
    let s = selection_of(&st, &club, &raw).await?;
    let share = f.wanted()?;
    set_sharing(&st, &club, share).await?;
    Ok(Redirect::to(&format!(
        "{}?done={}#progress-h",
        selection_href(&club, s.id),
        if share { "sharing-on" } else { "sharing-off" }
    )))
}

#[derive(Serialize)]
pub struct SharingJson {
    pub share: bool,
}

pub async fn sharing_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Json(f): Json<SharingFields>,
) -> Result<Json<SharingJson>, AppError> {
    selection_of(&st, &club, &raw).await?;
    let share = f.wanted()?;
    set_sharing(&st, &club, share).await?;
    Ok(Json(SharingJson { share }))
}

#[derive(Serialize)]
pub struct MemberProgressJson {
    pub username: String,
    pub display_name: String,
    pub point: u16,
    pub percent: u8,
    /// "on_track" or "behind".
    pub pace: &'static str,
}

#[derive(Serialize)]
pub struct ProgressJson {
    /// The caller's own point (0 for a visitor).
    pub me: PositionJson,
    pub shares: bool,
    /// Members who share, and the caller; members only see this.
    pub members: Vec<MemberProgressJson>,
    pub milestones: Vec<MilestoneJson>,
}

pub async fn progress_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
) -> Result<Json<ProgressJson>, AppError> {
    club.check(ClubPermission::Read)?;
    let s = selection_of(&st, &club, &raw).await?;
    let me = club.viewer.as_ref().map(|u| u.user_id());
    let chapters = d::chapters_of(&s);
    let mine = d::my_position(&st.db, s.id, me).await?;
    let milestones = d::milestones(&st.db, s.id).await?;
    let points: Vec<(Date, Point)> = milestones
        .iter()
        .map(|m| (m.due_on, m.anchor.point(chapters.as_ref())))
        .collect();
    let group = if club.access.is_member() {
        d::group_progress(&st.db, club.club.id, s.id, me).await?
    } else {
        Vec::new()
    };
    let today = today();
    Ok(Json(ProgressJson {
        me: PositionJson {
            point: mine.point.value(),
            percent: mine.point.percent(),
        },
        shares: mine.shares,
        members: group
            .iter()
            .map(|m| MemberProgressJson {
                username: m.username.clone(),
                display_name: m.display_name.clone(),
                point: m.point.value(),
                percent: m.point.percent(),
                pace: match position::pace(m.point, &points, today) {
                    Pace::OnTrack => "on_track",
                    Pace::Behind(_) => "behind",
                },
            })
            .collect(),
        milestones: milestones.iter().map(MilestoneJson::of).collect(),
    }))
}

// ------------------------------------------------------------ schedule

#[derive(Deserialize, Default)]
pub struct MilestoneFields {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    note: String,
}

#[derive(Serialize)]
pub struct MilestoneJson {
    pub id: String,
    pub anchor: AnchorJson,
    pub due_on: String,
    pub note: String,
}

impl MilestoneJson {
    fn of(m: &d::Milestone) -> Self {
        Self {
            id: m.id.to_string(),
            anchor: AnchorJson::of(m.anchor),
            due_on: m.due_on.to_string(),
            note: m.note.clone(),
        }
    }
}

async fn add_milestone(
    st: &AppState,
    club: &Club,
    s: &Selection,
    f: &MilestoneFields,
) -> Result<MilestoneId, AppError> {
    club.check(ClubPermission::Organise)?;
    let mut errors = Vec::new();
    let anchor = anchor_field(&f.unit, &f.value, d::chapters_of(s).as_ref())
        .map_err(|e| errors.push(e))
        .ok();
    if anchor == Some(Anchor::Start) {
        errors.push(crate::error::FieldError {
            field: "unit",
            message: "A milestone is a chapter, a percent or the end of the book.".into(),
        });
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let due = Date::parse(f.due_on.trim(), &fmt)
        .map_err(|_| {
            errors.push(crate::error::FieldError {
                field: "due_on",
                message: "Give the date the club should be there by, as 2026-12-01.".into(),
            })
        })
        .ok();
    let note = quire_domain::ClubText::parse("The note", &f.note, 200)
        .map_err(|e| {
            errors.push(crate::error::FieldError {
                field: "note",
                message: e.to_string(),
            })
        })
        .ok();
    match (anchor, due, note) {
        (Some(a), Some(due), Some(note)) if errors.is_empty() => {
            Ok(d::add_milestone(&st.db, s.id, a, due, note.as_str()).await?)
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

pub async fn milestone_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Form(f): Form<MilestoneFields>,
) -> Result<Redirect, AppError> {
    let s = selection_of(&st, &club, &raw).await?;
    add_milestone(&st, &club, &s, &f).await?;
    Ok(Redirect::to(&format!(
        "{}?done=milestone#schedule-h",
        selection_href(&club, s.id)
    )))
}

pub async fn milestone_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Json(f): Json<MilestoneFields>,
) -> Result<Response, AppError> {
    let s = selection_of(&st, &club, &raw).await?;
    let id = add_milestone(&st, &club, &s, &f).await?;
    let all = d::milestones(&st.db, s.id).await?;
    let m = all.iter().find(|m| m.id == id).map(MilestoneJson::of);
    Ok((StatusCode::CREATED, Json(m)).into_response())
}

pub async fn milestones_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
) -> Result<Json<Vec<MilestoneJson>>, AppError> {
    club.check(ClubPermission::Read)?;
    let s = selection_of(&st, &club, &raw).await?;
    let all = d::milestones(&st.db, s.id).await?;
    Ok(Json(all.iter().map(MilestoneJson::of).collect()))
}

async fn remove_milestone(
    st: &AppState,
    club: &Club,
    raw: &str,
    raw_m: &str,
) -> Result<Selection, AppError> {
    club.check(ClubPermission::Organise)?;
    let s = selection_of(st, club, raw).await?;
    let m = MilestoneId::parse(raw_m)
        .ok_or_else(|| AppError::NotFound("There is no such milestone.".into()))?;
    d::remove_milestone(&st.db, s.id, m).await?;
    Ok(s)
}

pub async fn milestone_delete_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw, m)): Path<(String, String, String)>,
) -> Result<Redirect, AppError> {
    let s = remove_milestone(&st, &club, &raw, &m).await?;
    Ok(Redirect::to(&format!(
        "{}?done=milestone#schedule-h",
        selection_href(&club, s.id)
    )))
}

pub async fn milestone_delete_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw, m)): Path<(String, String, String)>,
) -> Result<StatusCode, AppError> {
    remove_milestone(&st, &club, &raw, &m).await?;
    Ok(StatusCode::NO_CONTENT)
}
