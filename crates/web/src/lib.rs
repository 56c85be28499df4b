//! Quire's HTTP server: HTML pages that work without JavaScript (htmx makes
//! rating, shelving and paging happen in place), and the JSON API.
//!
//! A reader finds a feature by its name: `books/page.rs` serves the book
//! page, `books/actions.rs` the forms on it, `auth.rs` accounts and
//! sessions, `api.rs` the JSON API.

mod admin;
mod api;
mod assets;
mod auth;
mod books;
mod browse;
mod clubs;
mod contributors;
mod cover;
mod edit;
mod error;
mod home;
mod html;
mod input;
mod paths;
mod people;
mod permissions;
pub mod search;
mod search_page;
mod security;
mod server;
mod transfer;
mod view;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::{from_fn, map_request, map_response};
use axum::routing::{get, patch, post, put};

use quire_storage::Db;
use std::sync::Arc;
use std::time::Duration;
use tower_http::csrf::CsrfLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use auth::create_account;
pub use auth::passwords::Passwords;
pub use error::{AppError, CODES as ERROR_CODES};
pub use security::{CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY, REQUEST_ID};

/// How the server behaves; the binary fills it from flags.
#[derive(Clone, Debug)]
pub struct Config {
    /// Mark cookies `Secure` (serve over HTTPS, e.g. behind a proxy).
    pub secure_cookies: bool,
    /// Keep prepared book pages in memory, checked against the work's
    /// revision on every request.
    pub page_cache: bool,
    pub reviews_per_page: u32,
    /// A header set by a trusted reverse proxy that names the client (e.g.
    /// `X-Forwarded-For`; the last address in it is the one the proxy saw).
    /// Ignored when `None`, since any client can send such a header.
    pub trusted_proxy_header: Option<String>,
    /// Password hashes run at once; 0 means one per core.
    pub hashing_slots: usize,
    /// How long a request waits for a hashing slot before it is answered
    /// 503 "busy".
    pub hashing_wait: std::time::Duration,
    /// New accounts allowed from one client address in an hour. Tests that
    /// need many accounts from 127.0.0.1 raise it.
    pub joins_per_address_per_hour: u32,
    /// A request's line and headers must arrive within this (slowloris);
    /// it also bounds the wait for the next request on a kept-alive connection.
    pub header_read_timeout: Duration,
    /// A connection on which nothing moves for this long is closed.
    pub idle_timeout: Duration,
    /// A request still unanswered after this gets 408.
    pub request_timeout: Duration,
    /// How many covers may be decoded at once; about the number of cores.
    pub cover_workers: usize,
    /// Where the search index lives; `None` keeps it in memory (rebuilt
    /// from the database at every start). See [`search::default_dir`].
    pub search_dir: Option<std::path::PathBuf>,
    /// Build and keep the search index current in the background while
    /// serving (off only for tests that count every statement).
    pub search_sync: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            page_cache: true,
            reviews_per_page: 10,
            trusted_proxy_header: None,
            hashing_slots: 0,
            hashing_wait: std::time::Duration::from_secs(2),
            joins_per_address_per_hour: 5,
            header_read_timeout: Duration::from_secs(15),
            idle_timeout: Duration::from_secs(60),
            request_timeout: Duration::from_secs(30),
            cover_workers: std::thread::available_parallelism()
                .map(usize::from)
                .unwrap_or(2),
            search_dir: None,
            search_sync: true,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// Password hashing with its cap; its counters are read by tests.
    pub passwords: Arc<Passwords>,
    pages: Arc<books::cache::PageCache>,
    home: Arc<home::HomeCache>,
    covers: Arc<cover::CoverWork>,
    insights: Arc<books::insights::InsightCache>,
    cards: Arc<books::cards::CardCache>,
    ask: Arc<books::ask::AskCache>,
    audio: Arc<books::audio::AudioWork>,
    packs: Arc<books::pack::PackWork>,
    archive_turns: transfer::ArchiveTurns,
    /// Wrong API tokens counted per client address.
    bad_tokens: Arc<api::bearer::BadTokens>,
    /// The search index and how far it has caught up with the database.
    pub search: Arc<search::Search>,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> Self {
        let passwords = match config.hashing_slots {
            0 => Passwords::for_this_machine(config.hashing_wait),
            n => Passwords::new(n, config.hashing_wait),
        };
        Self {
            db,
            passwords: Arc::new(passwords),
            covers: Arc::new(cover::CoverWork::new(
                config.cover_workers,
                quire_covers::Limits::default(),
            )),
            search: Arc::new(search::Search::open(config.search_dir.as_deref())),
            config: Arc::new(config),
            pages: Arc::new(books::cache::PageCache::default()),
            home: Arc::new(home::HomeCache::default()),
            insights: Arc::new(books::insights::InsightCache::default()),
            cards: Arc::new(books::cards::CardCache::default()),
            ask: Arc::new(books::ask::AskCache::default()),
            audio: Arc::new(books::audio::AudioWork::default()),
            packs: Arc::new(books::pack::PackWork::default()),
            archive_turns: transfer::ArchiveTurns::default(),
            bad_tokens: Arc::new(api::bearer::BadTokens::default()),
        }
    }
}

/// The largest form or JSON body accepted. A review at its limit of 20,000
/// characters fits several times over.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Every route, inside the layers every request passes through. Outermost
/// first: a caller's request id checked, then set if missing; the trace
/// span (method, path, id); the id copied to the response; the security
/// headers; the body limit; error shaping; the whole-request timeout; an
/// API token's member (`api::bearer`); the CSRF check; then, once routed,
/// a token's scope; then the handler.
pub fn router(state: AppState) -> Router {
    let request_timeout = state.config.request_timeout;
    Router::new()
        .route("/", get(home::home))
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/books/new",
            get(books::add::new_book_form)
                .post(books::add::create_book)
                .layer(DefaultBodyLimit::max(cover::MAX_UPLOAD_BODY)),
        )
        .route("/books/{id}", get(books::page::book_page))
        .route("/books/{id}/{slug}", get(books::page::book_page))
        .route("/books/{id}/reviews", get(books::page::reviews_partial))
        .route("/books/{id}/insights", get(books::insights::insights_page))
        .route(
            "/books/{id}/passages/{section}/{paragraph}",
            get(books::insights::passage_page),
        )
        .route(
            "/api/v1/books/{id}/insights",
            get(books::insights::insights_api),
        )
        .route(
            "/books/{id}/text",
            post(books::text_upload::form_upload)
                .layer(DefaultBodyLimit::max(books::text_upload::MAX_TEXT_BODY)),
        )
        .route(
            "/api/v1/books/{id}/text",
            put(books::text_upload::api_upload)
                .layer(DefaultBodyLimit::max(books::text_upload::MAX_TEXT_BODY)),
        )
        .route("/books/{id}/rating", post(books::actions::rate))
        .route("/books/{id}/queue", post(books::actions::queue))
        .route("/books/{id}/reading", post(books::actions::reading))
        .route("/books/{id}/review", post(books::actions::review))
        .route(
            "/books/{id}/review/delete",
            post(books::actions::delete_review),
        )
        .route("/books/{id}/questions", post(books::actions::add_question))
        .route("/books/{id}/shelves", post(books::actions::custom_shelf))
        .route(
            "/books/{id}/editions/new",
            get(books::add::new_edition_form)
                .post(books::add::create_edition)
                .layer(DefaultBodyLimit::max(cover::MAX_UPLOAD_BODY)),
        )
        .route("/books/{id}/material", post(books::material::post_form))
        .route("/contributors/search", get(contributors::search))
        .merge(clubs::routes())
        .merge(books::cards::routes())
        .merge(books::ask::routes())
        .merge(books::audio::routes())
        .merge(books::pack::routes())
        .merge(books::mine::routes())
        .merge(search_page::routes())
        .merge(transfer::routes())
        .merge(api::routes())
        // Browsing: a contributor's, a series' and a subject's books.
        .route("/authors/{id}", get(browse::authors::author_page))
        .route("/authors/{id}/{slug}", get(browse::authors::author_page))
        .route("/series/{id}", get(browse::series::series_page))
        .route("/series/{id}/{slug}", get(browse::series::series_page))
        .route("/subjects/{id}", get(browse::subjects::subject_page))
        .route("/subjects/{id}/{slug}", get(browse::subjects::subject_page))
        .route("/admin/people", get(admin::people))
        .route("/admin/people/{username}/role", post(admin::role_form))
        .route("/admin/people/{username}/links", post(admin::link_form))
        .route("/questions/{id}/vote", post(books::actions::vote_question))
        .route(
            "/books/{id}/merge",
            get(books::merge::merge_form).post(books::merge::merge),
        )
        .route(
            "/editions/{id}/move",
            get(books::merge::move_form).post(books::merge::move_edition),
        )
        .route("/catalog/duplicates", get(books::merge::duplicates))
        .route("/api/v1/books/{id}/merge", post(books::merge::merge_api))
        .route("/api/v1/editions/{id}/move", post(books::merge::move_api))
        .route("/covers/{edition}", get(cover::stored_cover))
        // Keeping the catalog: edit forms, history, revert, locks, proposals.
        .route(
            "/books/{id}/edit",
            get(edit::forms::work_form).post(edit::forms::work_save),
        )
        .route(
            "/editions/{id}/edit",
            get(edit::forms::edition_form).post(edit::forms::edition_save),
        )
        .route(
            "/contributors/{id}/edit",
            get(edit::forms::contributor_form).post(edit::forms::contributor_save),
        )
        .route(
            "/series/{id}/edit",
            get(edit::forms::series_form).post(edit::forms::series_save),
        )
        .route(
            "/subjects/{id}/edit",
            get(edit::forms::subject_form).post(edit::forms::subject_save),
        )
        .route("/books/{id}/history", get(edit::history::history_page))
        .route(
            "/books/{id}/history/{change}/revert",
            post(edit::history::revert),
        )
        .route("/books/{id}/lock", post(edit::lock::lock))
        .route("/books/{id}/unlock", post(edit::lock::unlock))
        .route("/catalog/proposals", get(edit::proposals::list))
        .route(
            "/catalog/proposals/{id}/accept",
            post(edit::proposals::accept),
        )
        .route(
            "/catalog/proposals/{id}/decline",
            post(edit::proposals::decline),
        )
        .route(
            "/catalog/proposals/{id}/withdraw",
            post(edit::proposals::withdraw),
        )
        .route("/api/v1/catalog/proposals", get(edit::proposals::api_list))
        .route(
            "/api/v1/catalog/proposals/{id}/accept",
            post(edit::proposals::api_accept),
        )
        .route(
            "/api/v1/catalog/proposals/{id}/decline",
            post(edit::proposals::api_decline),
        )
        .route(
            "/api/v1/catalog/proposals/{id}/withdraw",
            post(edit::proposals::api_withdraw),
        )
        .route(
            "/api/v1/books/{id}/history",
            get(edit::history::api_history),
        )
        .route("/api/v1/editions/{id}", patch(edit::api::patch_edition))
        .route(
            "/api/v1/contributors/{id}",
            patch(edit::api::patch_contributor),
        )
        .route("/api/v1/series/{id}", patch(edit::api::patch_series))
        .route("/api/v1/subjects/{id}", patch(edit::api::patch_subject))
        .route(
            "/editions/{id}/cover",
            post(cover::form_upload).layer(DefaultBodyLimit::max(cover::MAX_UPLOAD_BODY)),
        )
        .route(
            "/api/v1/editions/{id}/cover",
            put(cover::api_upload).layer(DefaultBodyLimit::max(cover::MAX_UPLOAD_BODY)),
        )
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/register", get(auth::register_form).post(auth::register))
        .route("/logout", post(auth::logout))
        .route(
            "/account/password",
            get(auth::password_form).post(auth::change_password),
        )
        .route("/people/{username}", get(people::profile))
        .route(
            "/people/{username}/shelves/{shelf}",
            get(people::shelf::shelf),
        )
        .route("/people/{username}/reviews", get(people::shelf::reviews))
        .route("/people/{username}/stats", get(people::stats::stats))
        .route("/people/{username}/year/{year}", get(people::stats::year))
        .route("/shelves", post(people::create_shelf))
        .route(
            "/api/v1/books",
            get(api::lookup).post(books::add::api_create_book),
        )
        .route(
            "/api/v1/books/{id}/editions",
            post(books::add::api_create_edition),
        )
        .route(
            "/api/v1/books/{id}/material",
            post(books::material::post_api),
        )
        .route(
            "/api/v1/admin/people/{username}/role",
            post(admin::role_api),
        )
        .route(
            "/api/v1/admin/people/{username}/links",
            post(admin::link_api),
        )
        .route(
            "/api/v1/books/{id}",
            get(api::book).patch(edit::api::patch_work),
        )
        .route("/api/v1/books/{id}/rating", post(api::rate))
        .route("/assets/{file}", get(assets::asset))
        .route("/favicon.ico", get(assets::favicon))
        // A bearer request's scope, checked once its route is known.
        .route_layer(from_fn(api::bearer::require_scope))
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            paths::follow_merged,
        ))
        .layer(CsrfLayer::new())
        // Before the CSRF check: a bearer request is judged by its token.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            api::bearer::authenticate,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .layer(from_fn(error::shape_errors))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(map_response(security::headers))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(security::request_span)
                // A server error is logged once, with its cause, where it
                // becomes a response (error.rs); not again here.
                .on_failure(()),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(map_request(security::sanitise_request_id))
        .with_state(state)
}

/// Serve until the process is asked to stop (Ctrl-C or SIGTERM), with the
/// connection timeouts of the state's [`Config`].
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let timeouts = server::Timeouts {
        header_read: state.config.header_read_timeout,
        idle: state.config.idle_timeout,
    };
    if state.config.search_sync {
        tokio::spawn(search::run(state.db.clone(), state.search.clone()));
    }
    server::run(listener, router(state), timeouts, shutdown_signal()).await
}

/// Ctrl-C, or SIGTERM from a service manager: when the server (and the
/// `quire worker` process) stop.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
