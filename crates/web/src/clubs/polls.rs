//! Club polls on the web: organisers ask the club to choose its next book
//! (from the nominations or any books) or a meeting time; members vote
//! with the form of the poll's method (a radio, checkboxes, or a place
//! select per option for ranked choice and Borda, all without
//! JavaScript), and may change their ballot until the poll closes; the
//! result shows totals, every ranked-choice round, the tie rule in plain
//! words and how any tie was settled. The JSON API under
//! `/api/v1/clubs/{slug}/polls` offers the same, with the same checks.
//!
//! Who may: Read to see polls, Participate to vote, Organise to create
//! and close. Results of a hidden poll are hidden from everyone,
//! organisers included, until it closes: the person running the poll
//! should not be able to steer it by what they alone can see.

use super::{Club, href};
use crate::AppState;
use crate::error::{AppError, FieldError};
use crate::input::{Form, Json, Query};
use crate::permissions::ClubPermission;
use crate::view::{FieldErrors, Layout, page, plural};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use quire_calendar::Zone;
use quire_domain::poll::{self, Ballot, PollError, Tally, TieBreak, TieBreakBy};
use quire_domain::{PollId, PollKind, PollMethod, PollResults, WorkId};
use quire_storage::clubs::polls::{self, NewOptions, NewPoll, PollDetail, PollSummary};
use quire_storage::clubs::selections;
use quire_storage::now;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::OffsetDateTime;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/clubs/{slug}/polls", get(list_page).post(create_form))
        .route("/clubs/{slug}/polls/new", get(new_page))
        .route("/clubs/{slug}/polls/{poll}", get(poll_page))
        .route("/clubs/{slug}/polls/{poll}/ballot", post(ballot_form))
        .route("/clubs/{slug}/polls/{poll}/close", post(close_form))
        .route("/api/v1/clubs/{slug}/polls", get(list_api).post(create_api))
        .route("/api/v1/clubs/{slug}/polls/{poll}", get(poll_api))
        .route(
            "/api/v1/clubs/{slug}/polls/{poll}/ballot",
            get(my_ballot_api).put(ballot_api),
        )
        .route("/api/v1/clubs/{slug}/polls/{poll}/close", post(close_api))
}

/// The furthest ahead a poll may close.
const MAX_OPEN_DAYS: i64 = 366;
/// The most lines the "other books" and "times" boxes are read for.
const MAX_LINES: usize = poll::MAX_OPTIONS + 10;

fn club_zone(club: &Club) -> Zone {
    Zone::parse(&club.club.time_zone).unwrap_or_else(|_| Zone::utc())
}

fn poll_href(club: &Club, id: PollId) -> String {
    format!("{}/polls/{id}", club.href())
}

fn poll_id(raw: &str) -> Result<PollId, AppError> {
    PollId::parse(raw).ok_or_else(no_poll)
}

fn no_poll() -> AppError {
    AppError::NotFound("There is no such poll in this club.".into())
}

async fn load(st: &AppState, club: &Club, raw: &str) -> Result<PollDetail, AppError> {
    club.check(ClubPermission::Read)?;
    polls::get(&st.db, club.club.id, poll_id(raw)?)
        .await?
        .ok_or_else(no_poll)
}

// ---------------------------------------------------------------------
// Creating a poll

/// A poll as sent to the API (a form is turned into this too).
#[derive(Deserialize, Default, Clone)]
pub struct PollFields {
    /// "book" (the default) or "date".
    #[serde(default)]
    pub kind: String,
    /// plurality, approval, ranked_choice (the default for books) or
    /// borda; a date poll is always approval.
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub question: String,
    /// "live" (the default) or "hidden".
    #[serde(default)]
    pub results: String,
    #[serde(default)]
    pub select_winner: bool,
    /// An instant (RFC 3339); or the two fields below, in the club's zone.
    #[serde(default)]
    pub closes_at: String,
    #[serde(default)]
    pub closes_on: String,
    #[serde(default)]
    pub closes_time: String,
    /// Put every current nomination first, in the order they were made.
    #[serde(default)]
    pub from_nominations: bool,
    /// Books by Quire id or address, after the nominations.
    #[serde(default)]
    pub books: Vec<String>,
    /// Meeting times: "2026-12-01 19:30" in the club's zone, or RFC 3339.
    #[serde(default)]
    pub times: Vec<String>,
}

/// An instant typed as RFC 3339, or as a date and time in `zone`.
fn parse_when(zone: &Zone, s: &str) -> Result<OffsetDateTime, String> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
        return Ok(t);
    }
    let Some((d, t)) = s.split_once(['T', ' ']) else {
        return Err(format!(
            "\u{201c}{s}\u{201d} is not a date and time; write it as 2026-12-01 19:30."
        ));
    };
    zone.resolve_local(d.trim(), t.trim())
        .map_err(|e| format!("\u{201c}{s}\u{201d}: {e}"))
}

/// Check a new poll's fields, every wrong one at once.
fn check_poll(
    f: &PollFields,
    zone: &Zone,
    nominations: &[WorkId],
) -> Result<
    (
        PollMethod,
        String,
        PollResults,
        bool,
        OffsetDateTime,
        NewOptions,
    ),
    AppError,
> {
    let mut errors = Vec::new();
    let kind = match f.kind.trim() {
        "" => Some(PollKind::Book),
        k => PollKind::parse(k),
    };
    if kind.is_none() {
        errors.push(FieldError {
            field: "kind",
            message: "Say what the poll chooses: book or date.".into(),
        });
    }
    let kind = kind.unwrap_or(PollKind::Book);
    let method = match (kind, f.method.trim()) {
        (PollKind::Date, "" | "approval") => Some(PollMethod::Approval),
        (PollKind::Date, _) => {
            errors.push(FieldError {
                field: "method",
                message: "A meeting-time poll is counted by approval: members tick every time they can make.".into(),
            });
            None
        }
        (PollKind::Book, "") => Some(PollMethod::RankedChoice),
        (PollKind::Book, m) => {
            let parsed = PollMethod::parse(m);
            if parsed.is_none() {
                errors.push(FieldError {
                    field: "method",
                    message:
                        "Choose how votes are counted: plurality, approval, ranked_choice or borda."
                            .into(),
                });
            }
            parsed
        }
    };
    let question = match f.question.trim() {
        "" if kind == PollKind::Date => "When shall we meet?".to_string(),
        "" => "Which book shall we read next?".to_string(),
        q => q.to_string(),
    };
    if question.chars().count() > polls::MAX_QUESTION {
        errors.push(FieldError {
            field: "question",
            message: format!(
                "The question is {} characters; keep it to {}.",
                question.chars().count(),
                polls::MAX_QUESTION
            ),
        });
    }
    let results = match f.results.trim() {
        "" => Some(PollResults::Live),
        r => PollResults::parse(r),
    };
    if results.is_none() {
        errors.push(FieldError {
            field: "results",
            message: "Say whether results show while voting: live or hidden.".into(),
        });
    }
    let closes = if !f.closes_at.trim().is_empty() {
        parse_when(zone, &f.closes_at)
    } else if f.closes_on.trim().is_empty() || f.closes_time.trim().is_empty() {
        Err("Give the day and time the poll closes.".to_string())
    } else {
        zone.resolve_local(f.closes_on.trim(), f.closes_time.trim())
            .map_err(|e| e.to_string())
    };
    let at = now();
    let closes = match closes {
        Ok(t) if t <= at => Err(format!(
            "That time has already passed ({}); choose a time in the future.",
            zone.show_long(t)
        )),
        Ok(t) if t > at + time::Duration::days(MAX_OPEN_DAYS) => Err(format!(
            "A poll can stay open for at most {MAX_OPEN_DAYS} days; choose an earlier closing time."
        )),
        other => other,
    };
    let closes = closes
        .map_err(|message| {
            errors.push(FieldError {
                field: "closes_on",
                message,
            })
        })
        .ok();
    let options = match kind {
        PollKind::Book => {
            let mut books: Vec<WorkId> = Vec::new();
            if f.from_nominations {
                books.extend_from_slice(nominations);
            }
            for (i, line) in f.books.iter().take(MAX_LINES).enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                match crate::paths::work_ref(line) {
                    Some(w) if books.contains(&w) => errors.push(FieldError {
                        field: "books",
                        message: format!(
                            "Book {} (\u{201c}{}\u{201d}) is already in the poll; list each book once.",
                            i + 1,
                            line.trim()
                        ),
                    }),
                    Some(w) => books.push(w),
                    None => errors.push(FieldError {
                        field: "books",
                        message: format!(
                            "Book {} (\u{201c}{}\u{201d}) is not a Quire book id or address.",
                            i + 1,
                            line.trim()
                        ),
                    }),
                }
            }
            NewOptions::Books(books)
        }
        PollKind::Date => {
            let mut times: Vec<OffsetDateTime> = Vec::new();
            for line in f.times.iter().take(MAX_LINES) {
                if line.trim().is_empty() {
                    continue;
                }
                match parse_when(zone, line) {
                    Ok(t) if times.contains(&t) => errors.push(FieldError {
                        field: "times",
                        message: format!(
                            "{} is listed twice; list each time once.",
                            zone.show_long(t)
                        ),
                    }),
                    Ok(t) => times.push(t),
                    Err(message) => errors.push(FieldError {
                        field: "times",
                        message,
                    }),
                }
            }
            NewOptions::Times(times)
        }
    };
    let n = match &options {
        NewOptions::Books(b) => b.len(),
        NewOptions::Times(t) => t.len(),
    };
    if let Err(e) = poll::validate_options(n) {
        let field = if kind == PollKind::Date {
            "times"
        } else {
            "books"
        };
        errors.push(FieldError {
            field,
            message: e.to_string(),
        });
    }
    match (method, results, closes) {
        (Some(m), Some(r), Some(c)) if errors.is_empty() => Ok((
            m,
            question,
            r,
            f.select_winner && kind == PollKind::Book,
            c,
            options,
        )),
        _ => Err(AppError::Invalid(errors)),
    }
}

async fn create(st: &AppState, club: &Club, f: &PollFields) -> Result<PollId, AppError> {
    club.check(ClubPermission::Organise)?;
    let user = club.user()?.user_id();
    let nominations: Vec<WorkId> = if f.from_nominations {
        selections::nominations(&st.db, club.club.id)
            .await?
            .iter()
            .map(|n| n.work_id)
            .collect()
    } else {
        Vec::new()
    };
    let (method, question, results, select_winner, closes_at, options) =
        check_poll(f, &club_zone(club), &nominations)?;
    let id = PollId::new();
    let job = quire_jobs::new_job(&quire_jobs::ClosePoll { poll: id.0 })
        .map_err(|e| AppError::internal("The poll could not be saved; try again.", e))?;
    polls::create(
        &st.db,
        club.club.id,
        user,
        &NewPoll {
            id,
            method,
            question,
            results,
            select_winner,
            closes_at,
            options,
        },
        &job,
    )
    .await?;
    Ok(id)
}

/// The new-poll form as typed, shown again beside its errors.
#[derive(Default, Clone)]
pub struct FormValues {
    kind: String,
    method: String,
    question: String,
    results: String,
    select_winner: bool,
    closes_on: String,
    closes_time: String,
    books: String,
    times: String,
    /// Nominations ticked (all of them on a fresh form).
    ticked: Vec<String>,
}

pub struct NominationChoice {
    id: String,
    title: String,
    ticked: bool,
}

#[derive(Template)]
#[template(path = "clubs/poll_new.html")]
struct NewPollTemplate {
    layout: Layout,
    club_href: String,
    club_name: String,
    zone: String,
    f: FormValues,
    errors: FieldErrors,
    nominations: Vec<NominationChoice>,
    methods: &'static [PollMethod],
}

fn method_help(m: PollMethod) -> &'static str {
    match m {
        PollMethod::Plurality => "Each member picks one; the most votes wins.",
        PollMethod::Approval => {
            "Each member ticks every choice they would be happy with; the most ticks wins."
        }
        PollMethod::RankedChoice => {
            "Members rank the choices; the choice with fewest first places is dropped and its ballots pass to their next choice, until one has more than half."
        }
        PollMethod::Borda => {
            "Members rank the choices; a place earns points (the top place most), and the most points wins."
        }
    }
}

async fn new_template(
    st: &AppState,
    club: &Club,
    f: FormValues,
    errors: FieldErrors,
    fresh: bool,
) -> Result<NewPollTemplate, AppError> {
    let nominations = selections::nominations(&st.db, club.club.id).await?;
    Ok(NewPollTemplate {
        layout: Layout::for_user(club.viewer.as_ref()),
        club_href: club.href(),
        club_name: club.club.name.clone(),
        zone: club.club.time_zone.clone(),
        nominations: nominations
            .iter()
            .map(|n| NominationChoice {
                id: n.work_id.to_string(),
                title: n.title.clone(),
                ticked: fresh || f.ticked.contains(&n.work_id.to_string()),
            })
            .collect(),
        f,
        errors,
        methods: PollMethod::ALL,
    })
}

pub async fn new_page(State(st): State<AppState>, club: Club) -> Result<Html<String>, AppError> {
    club.check(ClubPermission::Organise)?;
    let f = FormValues {
        method: PollMethod::RankedChoice.as_str().into(),
        results: PollResults::Live.as_str().into(),
        select_winner: true,
        closes_time: "20:00".into(),
        ..FormValues::default()
    };
    page(&new_template(&st, &club, f, FieldErrors::default(), true).await?)
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(MAX_LINES)
        .map(str::to_string)
        .collect()
}

/// `POST /clubs/{slug}/polls`: a form's fields are plain names (`nom_{book}`
/// for each ticked nomination, one book or time a line in the boxes).
pub async fn create_form(
    State(st): State<AppState>,
    club: Club,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    club.check(ClubPermission::Organise)?;
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let nominations = selections::nominations(&st.db, club.club.id).await?;
    let ticked: Vec<String> = nominations
        .iter()
        .map(|n| n.work_id.to_string())
        .filter(|id| form.contains_key(&format!("nom_{id}")))
        .collect();
    let values = FormValues {
        kind: get("kind"),
        method: get("method"),
        question: get("question"),
        results: get("results"),
        select_winner: form.contains_key("select_winner"),
        closes_on: get("closes_on"),
        closes_time: get("closes_time"),
        books: get("books"),
        times: get("times"),
        ticked: ticked.clone(),
    };
    let mut books = ticked;
    books.extend(lines(&values.books));
    let fields = PollFields {
        kind: values.kind.clone(),
        method: values.method.clone(),
        question: values.question.clone(),
        results: values.results.clone(),
        select_winner: values.select_winner,
        closes_at: String::new(),
        closes_on: values.closes_on.clone(),
        closes_time: values.closes_time.clone(),
        from_nominations: false,
        books,
        times: lines(&values.times),
    };
    match create(&st, &club, &fields).await {
        Ok(id) => Ok(
            Redirect::to(&format!("{}?done=poll_created", poll_href(&club, id))).into_response(),
        ),
        Err(e) => {
            let errors = match e {
                AppError::Invalid(errors) => errors,
                AppError::NotFound(m) | AppError::Conflict(m) => vec![FieldError {
                    field: "books",
                    message: m,
                }],
                other => return Err(other),
            };
            let body = page(&new_template(&st, &club, values, FieldErrors(errors), false).await?)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
        }
    }
}

pub async fn create_api(
    State(st): State<AppState>,
    club: Club,
    Json(f): Json<PollFields>,
) -> Result<Response, AppError> {
    let id = create(&st, &club, &f).await?;
    let detail = polls::get(&st.db, club.club.id, id)
        .await?
        .ok_or_else(no_poll)?;
    let json = poll_json(&club, &detail)?;
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

// ---------------------------------------------------------------------
// Lists

pub struct PollLine {
    pub href: String,
    pub question: String,
    pub kind: &'static str,
    pub method: &'static str,
    /// "Closes Tue 1 Dec, 19:30" or "Closed …".
    pub when: String,
    pub ballots: String,
    pub winner: Option<String>,
    pub open: bool,
}

impl PollLine {
    pub fn of(club_href: &str, zone: &Zone, s: &PollSummary) -> Self {
        let p = &s.poll;
        Self {
            href: format!("{club_href}/polls/{}", p.id),
            question: p.question.clone(),
            kind: p.kind.label(),
            method: p.method.label(),
            when: match p.closed_at {
                Some(t) => format!("Closed {}", zone.show_long(t)),
                None => format!("Closes {}", zone.show_long(p.closes_at)),
            },
            ballots: plural(p.ballots, "ballot", "ballots"),
            winner: match (p.closed_at, s.winner_starts_at, &s.winner_label) {
                (None, _, _) => None,
                (Some(_), Some(t), _) => Some(zone.show_long(t)),
                (Some(_), None, Some(l)) => Some(l.clone()),
                (Some(_), None, None) => Some("No winner: nobody voted".into()),
            },
            open: p.closed_at.is_none(),
        }
    }
}

#[derive(Template)]
#[template(path = "clubs/polls.html")]
struct ListTemplate {
    layout: Layout,
    club_href: String,
    club_name: String,
    organiser: bool,
    open: Vec<PollLine>,
    closed: Vec<PollLine>,
}

pub async fn list_page(State(st): State<AppState>, club: Club) -> Result<Html<String>, AppError> {
    club.check(ClubPermission::Read)?;
    let all = polls::list(&st.db, club.club.id).await?;
    let zone = club_zone(&club);
    let (open, closed): (Vec<PollLine>, Vec<PollLine>) = all
        .iter()
        .map(|s| PollLine::of(&club.href(), &zone, s))
        .partition(|l| l.open);
    page(&ListTemplate {
        layout: Layout::for_user(club.viewer.as_ref()),
        club_href: club.href(),
        club_name: club.club.name.clone(),
        organiser: club.allows(ClubPermission::Organise),
        open,
        closed,
    })
}

/// A poll in the API's list.
#[derive(Serialize)]
pub struct PollSummaryJson {
    pub id: String,
    pub kind: PollKind,
    pub method: PollMethod,
    pub question: String,
    pub results: PollResults,
    #[serde(with = "time::serde::rfc3339")]
    pub closes_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
    pub open: bool,
    pub ballots: i64,
    pub options: i64,
    /// Once closed: the winning option's position and label.
    pub winner: Option<i64>,
    pub winner_label: Option<String>,
    pub href: String,
}

pub async fn list_api(
    State(st): State<AppState>,
    club: Club,
) -> Result<Json<Vec<PollSummaryJson>>, AppError> {
    club.check(ClubPermission::Read)?;
    let all = polls::list(&st.db, club.club.id).await?;
    Ok(Json(
        all.into_iter()
            .map(|s| PollSummaryJson {
                id: s.poll.id.to_string(),
                kind: s.poll.kind,
                method: s.poll.method,
                question: s.poll.question.clone(),
                results: s.poll.results,
                closes_at: s.poll.closes_at,
                closed_at: s.poll.closed_at,
                open: s.poll.closed_at.is_none(),
                ballots: s.poll.ballots,
                options: s.options,
                winner: s.poll.winner_position,
                winner_label: s.poll.closed_at.and(s.winner_label),
                href: format!("/api/v1/clubs/{}/polls/{}", club.club.slug, s.poll.id),
            })
            .collect(),
    ))
}

// ---------------------------------------------------------------------
// One poll: the ballot and the result

/// How an option is named to a reader: a book's title, or a time in the
/// reader's zone.
fn option_label(o: &polls::PollOption, zone: &Zone) -> String {
    match o.starts_at {
        Some(t) => zone.show_long(t),
        None => o.label.clone(),
    }
}

fn names(labels: &[String], which: &[usize]) -> String {
    let named: Vec<String> = which
        .iter()
        .filter_map(|&i| labels.get(i))
        .map(|l| format!("\u{201c}{l}\u{201d}"))
        .collect();
    match named.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn label_of(labels: &[String], i: usize) -> String {
    labels
        .get(i)
        .map(|l| format!("\u{201c}{l}\u{201d}"))
        .unwrap_or_default()
}

/// How each tie in a count was settled, in words.
fn tie_notes(tally: &Tally, labels: &[String]) -> Vec<String> {
    let mut notes = Vec::new();
    let unit = match tally.method {
        PollMethod::Plurality | PollMethod::RankedChoice => "votes",
        PollMethod::Approval => "approvals",
        PollMethod::Borda => "points",
    };
    for (r, round) in tally.rounds.iter().enumerate() {
        let (Some(t), Some(out)) = (&round.tie_break, round.eliminated) else {
            continue;
        };
        notes.push(match &t.by {
            TieBreakBy::EarlierRound { round: earlier } => format!(
                "Round {}: {} were tied for the fewest votes. In round {} {} had fewer, so it was eliminated.",
                r + 1,
                names(labels, &t.tied),
                earlier + 1,
                label_of(labels, out)
            ),
            TieBreakBy::AddedOrder { .. } => format!(
                "Round {}: {} were tied for the fewest votes and no earlier round separated them. {} was added to the poll last, so it was eliminated.",
                r + 1,
                names(labels, &t.tied),
                label_of(labels, out)
            ),
        });
    }
    if let (Some(TieBreak { tied, .. }), Some(w)) = (&tally.tie_break, tally.winner) {
        notes.push(format!(
            "{} were tied for the most {unit}. {} was added to the poll first, so it wins.",
            names(labels, tied),
            label_of(labels, w)
        ));
    }
    notes
}

pub struct OptionView {
    pub position: usize,
    pub label: String,
    pub href: Option<String>,
    pub iso: Option<String>,
    /// Plurality and approval: ticked on the ballot shown.
    pub checked: bool,
    /// Ranked methods: the place on the ballot shown, from 1.
    pub rank: Option<usize>,
    pub total: Option<u64>,
    /// Width of the result bar, in percent of the largest total.
    pub bar: u64,
    pub winner: bool,
}

pub struct RoundView {
    pub number: usize,
    /// Per option, in the order of `options`: its votes, or "—" once out.
    pub cells: Vec<String>,
    pub exhausted: u64,
    pub eliminated: Option<String>,
}

#[derive(Template)]
#[template(path = "clubs/poll.html")]
struct PollTemplate {
    layout: Layout,
    flash: Option<&'static str>,
    error: Option<String>,
    club_href: String,
    club_name: String,
    href: String,
    question: String,
    kind: PollKind,
    method: PollMethod,
    method_help: &'static str,
    results_hidden: bool,
    /// Open for ballots now.
    open: bool,
    /// Past its time but not yet counted.
    counting: bool,
    closed: bool,
    closes: String,
    closed_at: Option<String>,
    select_winner: bool,
    can_vote: bool,
    voted: bool,
    sign_in_href: Option<String>,
    organiser: bool,
    options: Vec<OptionView>,
    places: Vec<usize>,
    show_results: bool,
    ballots: String,
    winner: Option<String>,
    selected_note: Option<String>,
    rounds: Vec<RoundView>,
    tie_rule: &'static str,
    tie_notes: Vec<String>,
    zone: String,
    zone_names: &'static [String],
}

#[derive(Deserialize, Default)]
pub struct PollQuery {
    done: Option<String>,
    /// The zone to show times in (the viewer's; the club's by default).
    tz: Option<String>,
}

fn viewer_zone(club: &Club, tz: Option<&str>) -> Zone {
    tz.and_then(|t| Zone::parse(t).ok())
        .unwrap_or_else(|| club_zone(club))
}

/// The poll page. `shown` is the ballot to show in the form: a refused
/// one as it was sent, or the member's stored one.
fn poll_template(
    club: &Club,
    d: &PollDetail,
    zone: &Zone,
    shown: Option<&[usize]>,
    flash: Option<&'static str>,
    error: Option<String>,
) -> Result<PollTemplate, AppError> {
    let p = &d.poll;
    let at = now();
    let me = club.viewer.as_ref().map(|u| u.user_id());
    let mine = me.and_then(|u| d.ballot_of(u));
    let shown: Vec<usize> = shown
        .map(<[usize]>::to_vec)
        .or_else(|| mine.map(|b| b.choices().to_vec()))
        .unwrap_or_default();
    let labels: Vec<String> = d.options.iter().map(|o| option_label(o, zone)).collect();
    let show_results = p.results_visible();
    let tally = if show_results { Some(d.tally()?) } else { None };
    let max = tally
        .as_ref()
        .and_then(|t| t.totals.iter().copied().max())
        .unwrap_or(0)
        .max(1);
    let winner = if p.closed_at.is_some() {
        tally.as_ref().and_then(|t| t.winner)
    } else {
        None
    };
    let options = d
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let total = tally.as_ref().and_then(|t| t.totals.get(i).copied());
            OptionView {
                position: i,
                label: labels.get(i).cloned().unwrap_or_default(),
                href: o.work_id.map(|w| format!("/books/{w}")),
                iso: o.starts_at.map(|t| zone.show_iso(t)),
                checked: shown.contains(&i),
                rank: shown.iter().position(|&c| c == i).map(|r| r + 1),
                total,
                bar: total.map(|t| t * 100 / max).unwrap_or(0),
                winner: winner == Some(i),
            }
        })
        .collect();
    let rounds = tally
        .as_ref()
        .map(|t| {
            t.rounds
                .iter()
                .enumerate()
                .map(|(r, round)| RoundView {
                    number: r + 1,
                    cells: round
                        .votes
                        .iter()
                        .map(|v| v.map(|n| n.to_string()).unwrap_or_else(|| "—".into()))
                        .collect(),
                    exhausted: round.exhausted,
                    eliminated: round.eliminated.and_then(|e| labels.get(e).cloned()),
                })
                .collect()
        })
        .unwrap_or_default();
    let is_over = p.is_over(at);
    Ok(PollTemplate {
        layout: Layout::for_user(club.viewer.as_ref()),
        flash,
        error,
        club_href: club.href(),
        club_name: club.club.name.clone(),
        href: poll_href(club, p.id),
        question: p.question.clone(),
        kind: p.kind,
        method: p.method,
        method_help: method_help(p.method),
        results_hidden: p.results == PollResults::Hidden,
        open: !is_over,
        counting: is_over && p.closed_at.is_none(),
        closed: p.closed_at.is_some(),
        closes: zone.show_long(p.closes_at),
        closed_at: p.closed_at.map(|t| zone.show_long(t)),
        select_winner: p.select_winner,
        can_vote: !is_over && club.allows(ClubPermission::Participate),
        voted: mine.is_some(),
        sign_in_href: club
            .viewer
            .is_none()
            .then(|| format!("/login?next={}", poll_href(club, p.id))),
        organiser: club.allows(ClubPermission::Organise),
        places: (1..=d.options.len()).collect(),
        options,
        show_results,
        ballots: plural(p.ballots, "ballot", "ballots"),
        winner: match (p.closed_at, &tally) {
            (Some(_), Some(t)) => Some(match t.winner {
                Some(w) => labels.get(w).cloned().unwrap_or_default(),
                None => "No winner: nobody voted.".into(),
            }),
            _ => None,
        },
        selected_note: (p.selection_id.is_some())
            .then(|| "The winning book is on the club's list as coming up.".to_string()),
        rounds,
        tie_rule: poll::tie_break_rule(p.method),
        tie_notes: tally
            .as_ref()
            .map(|t| tie_notes(t, &labels))
            .unwrap_or_default(),
        zone: zone.name().to_string(),
        zone_names: if p.kind == PollKind::Date {
            quire_calendar::zone_names()
        } else {
            &[]
        },
    })
}

pub async fn poll_page(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Query(q): Query<PollQuery>,
) -> Result<Html<String>, AppError> {
    let d = load(&st, &club, &raw).await?;
    let zone = viewer_zone(&club, q.tz.as_deref());
    let flash = q.done.as_deref().and_then(super::page::done_message);
    page(&poll_template(&club, &d, &zone, None, flash, None)?)
}

/// A ballot form's fields to choice positions: `choice` (plurality),
/// `approve_{i}` (approval), `rank_{i}` = place from 1 (ranked methods).
fn ballot_from_form(
    method: PollMethod,
    n: usize,
    form: &HashMap<String, String>,
) -> Result<Vec<usize>, String> {
    match method {
        PollMethod::Plurality => match form.get("choice").map(|s| s.trim().parse::<usize>()) {
            Some(Ok(i)) => Ok(vec![i]),
            Some(Err(_)) => Err("The choice sent is not one of the poll's.".into()),
            None => Ok(Vec::new()),
        },
        PollMethod::Approval => Ok((0..n)
            .filter(|i| form.contains_key(&format!("approve_{i}")))
            .collect()),
        PollMethod::RankedChoice | PollMethod::Borda => {
            let mut placed: Vec<(usize, usize)> = Vec::new();
            for i in 0..n {
                let Some(v) = form.get(&format!("rank_{i}")) else {
                    continue;
                };
                let v = v.trim();
                if v.is_empty() {
                    continue;
                }
                match v.parse::<usize>() {
                    Ok(place) if (1..=n).contains(&place) => placed.push((place, i)),
                    _ => {
                        return Err(format!(
                            "Choice {} has a place that is not 1 to {n}.",
                            i + 1
                        ));
                    }
                }
            }
            placed.sort_unstable();
            if let Some(w) = placed.windows(2).find(|w| w[0].0 == w[1].0) {
                return Err(format!(
                    "Choices {} and {} are both at place {}: give each place to one choice.",
                    w[0].1 + 1,
                    w[1].1 + 1,
                    w[0].0
                ));
            }
            Ok(placed.into_iter().map(|(_, i)| i).collect())
        }
    }
}

/// Check and store `user`'s ballot. Errors keep the stored ballot.
async fn cast(
    st: &AppState,
    club: &Club,
    d: &PollDetail,
    choices: &[usize],
) -> Result<Ballot, AppError> {
    club.check(ClubPermission::Participate)?;
    let user = club.user()?.user_id();
    if d.poll.is_over(now()) {
        return Err(AppError::Conflict(closed_message()));
    }
    Ballot::new(d.poll.method, d.options.len(), choices).map_err(ballot_error)?;
    polls::cast(&st.db, club.club.id, d.poll.id, user, choices)
        .await
        .map_err(AppError::from)
}

fn closed_message() -> String {
    "This poll has closed, so ballots can no longer be cast or changed. Your earlier ballot, if any, was counted as it was.".into()
}

fn ballot_error(e: PollError) -> AppError {
    AppError::Invalid(vec![FieldError {
        field: "choices",
        message: e.to_string(),
    }])
}

pub async fn ballot_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let d = load(&st, &club, &raw).await?;
    let zone = club_zone(&club);
    let refused = |choices: Option<Vec<usize>>, message: String, status: StatusCode| {
        let t = poll_template(&club, &d, &zone, choices.as_deref(), None, Some(message))?;
        Ok::<Response, AppError>((status, page(&t)?).into_response())
    };
    let choices = match ballot_from_form(d.poll.method, d.options.len(), &form) {
        Ok(c) => c,
        Err(m) => return refused(None, m, StatusCode::UNPROCESSABLE_ENTITY),
    };
    match cast(&st, &club, &d, &choices).await {
        Ok(_) => Ok(
            Redirect::to(&format!("{}?done=voted", poll_href(&club, d.poll.id))).into_response(),
        ),
        Err(AppError::Invalid(fields)) => refused(
            Some(choices),
            fields
                .into_iter()
                .map(|f| f.message)
                .collect::<Vec<_>>()
                .join(" "),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(AppError::Conflict(m)) => refused(None, m, StatusCode::CONFLICT),
        Err(e) => Err(e),
    }
}

pub async fn close_form(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
) -> Result<Redirect, AppError> {
    let id = close(&st, &club, &raw).await?;
    Ok(Redirect::to(&format!(
        "{}?done=poll_closed",
        poll_href(&club, id)
    )))
}

async fn close(st: &AppState, club: &Club, raw: &str) -> Result<PollId, AppError> {
    club.check(ClubPermission::Organise)?;
    let id = poll_id(raw)?;
    polls::close(&st.db, id, polls::Closer::Organiser(club.club.id)).await?;
    Ok(id)
}

// ---------------------------------------------------------------------
// The API's poll

#[derive(Serialize)]
pub struct OptionJson {
    pub position: usize,
    pub label: String,
    pub book: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub starts_at: Option<OffsetDateTime>,
}

/// The count, when the poll's results may be seen.
#[derive(Serialize)]
pub struct ResultJson {
    /// Final once the poll is closed; a live poll's standing otherwise.
    pub r#final: bool,
    pub ballots: u64,
    pub winner: Option<usize>,
    pub totals: Vec<u64>,
    /// Ranked choice: every round, the first first.
    pub rounds: Vec<poll::Round>,
    pub tie_break: Option<TieBreak>,
    pub tie_break_rule: &'static str,
    /// How each tie was settled, in words.
    pub ties: Vec<String>,
}

#[derive(Serialize)]
pub struct PollJson {
    pub id: String,
    pub kind: PollKind,
    pub method: PollMethod,
    pub question: String,
    pub results: PollResults,
    pub select_winner: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub closes_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
    pub open: bool,
    pub ballots: i64,
    pub options: Vec<OptionJson>,
    /// `null` while a hidden poll is open.
    pub result: Option<ResultJson>,
    /// The selection the winning book became.
    pub selection: Option<String>,
    /// The viewer's ballot (positions, best first when ranked).
    pub my_ballot: Option<Vec<usize>>,
}

fn poll_json(club: &Club, d: &PollDetail) -> Result<PollJson, AppError> {
    let p = &d.poll;
    let zone = club_zone(club);
    let labels: Vec<String> = d.options.iter().map(|o| option_label(o, &zone)).collect();
    let result = if p.results_visible() {
        let t = d.tally()?;
        Some(ResultJson {
            r#final: p.closed_at.is_some(),
            ballots: t.ballots,
            winner: t.winner,
            ties: tie_notes(&t, &labels),
            totals: t.totals,
            rounds: t.rounds,
            tie_break: t.tie_break,
            tie_break_rule: poll::tie_break_rule(p.method),
        })
    } else {
        None
    };
    let me = club.viewer.as_ref().map(|u| u.user_id());
    Ok(PollJson {
        id: p.id.to_string(),
        kind: p.kind,
        method: p.method,
        question: p.question.clone(),
        results: p.results,
        select_winner: p.select_winner,
        closes_at: p.closes_at,
        closed_at: p.closed_at,
        open: !p.is_over(now()),
        ballots: p.ballots,
        options: d
            .options
            .iter()
            .enumerate()
            .map(|(i, o)| OptionJson {
                position: i,
                label: o.label.clone(),
                book: o.work_id.map(|w| format!("/api/v1/books/{w}")),
                starts_at: o.starts_at,
            })
            .collect(),
        result,
        selection: p.selection_id.map(|s| s.to_string()),
        my_ballot: me
            .and_then(|u| d.ballot_of(u))
            .map(|b| b.choices().to_vec()),
    })
}

pub async fn poll_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
) -> Result<Json<PollJson>, AppError> {
    let d = load(&st, &club, &raw).await?;
    Ok(Json(poll_json(&club, &d)?))
}

#[derive(Deserialize, Serialize, Default)]
pub struct BallotJson {
    /// Option positions; best first for ranked choice and Borda.
    #[serde(default)]
    pub choices: Option<Vec<usize>>,
}

pub async fn ballot_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
    Json(b): Json<BallotJson>,
) -> Result<Json<BallotJson>, AppError> {
    let d = load(&st, &club, &raw).await?;
    let choices: Vec<usize> = b.choices.unwrap_or_default();
    let stored = cast(&st, &club, &d, &choices).await?;
    Ok(Json(BallotJson {
        choices: Some(stored.choices().to_vec()),
    }))
}

pub async fn my_ballot_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
) -> Result<Json<BallotJson>, AppError> {
    let d = load(&st, &club, &raw).await?;
    club.check(ClubPermission::Participate)?;
    let user = club.user()?.user_id();
    Ok(Json(BallotJson {
        choices: d.ballot_of(user).map(|b| b.choices().to_vec()),
    }))
}

pub async fn close_api(
    State(st): State<AppState>,
    club: Club,
    Path((_, raw)): Path<(String, String)>,
) -> Result<Json<PollJson>, AppError> {
    let id = close(&st, &club, &raw).await?;
    let d = polls::get(&st.db, club.club.id, id)
        .await?
        .ok_or_else(no_poll)?;
    Ok(Json(poll_json(&club, &d)?))
}

/// The club page's "Open polls" lines.
pub fn open_lines(club: &Club, open: &[PollSummary]) -> Vec<PollLine> {
    let zone = club_zone(club);
    open.iter()
        .map(|s| PollLine::of(&href(&club.club.slug), &zone, s))
        .collect()
}
