//! Quire's HTTP server: HTML pages that work without JavaScript (htmx makes
//! rating, shelving and paging happen in place), and the JSON API.
//!
//! A reader finds a feature by its name: `books/page.rs` serves the book
//! page, `books/actions.rs` the forms on it, `auth.rs` accounts and
//! sessions, `api.rs` the JSON API.

mod api;
mod assets;
mod auth;
mod books;
mod cover;
mod error;
mod home;
mod paths;
mod people;
#[allow(dead_code)] // its first callers arrive with the catalog routes
mod permissions;
mod view;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use quire_storage::Db;
use std::sync::Arc;
use tower_http::csrf::CsrfLayer;

pub use auth::create_account;
pub use error::AppError;

/// How the server behaves; the binary fills it from flags.
#[derive(Clone, Debug)]
pub struct Config {
    /// Mark cookies `Secure` (serve over HTTPS, e.g. behind a proxy).
    pub secure_cookies: bool,
    /// Keep prepared book pages in memory, checked against the work's
    /// revision on every request.
    pub page_cache: bool,
    pub reviews_per_page: u32,
    /// How many covers may be decoded at once; about the number of cores.
    pub cover_workers: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            page_cache: true,
            reviews_per_page: 10,
            cover_workers: std::thread::available_parallelism()
                .map(usize::from)
                .unwrap_or(2),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pages: Arc<books::cache::PageCache>,
    covers: Arc<cover::CoverWork>,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> Self {
        Self {
            db,
            covers: Arc::new(cover::CoverWork::new(
                config.cover_workers,
                quire_covers::Limits::default(),
            )),
            config: Arc::new(config),
            pages: Arc::new(books::cache::PageCache::default()),
        }
    }
}

/// The largest form or JSON body accepted. A review at its limit of 20,000
/// characters fits several times over.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(home::home))
        .route("/search", get(home::search))
        .route("/healthz", get(|| async { "ok" }))
        .route("/books/{id}", get(books::page::book_page))
        .route("/books/{id}/{slug}", get(books::page::book_page))
        .route("/books/{id}/reviews", get(books::page::reviews_partial))
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
        .route("/books/{id}/clubs", get(books::page::clubs_coming))
        .route("/questions/{id}/vote", post(books::actions::vote_question))
        .route("/covers/{edition}", get(cover::stored_cover))
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
        .route("/shelves", post(people::create_shelf))
        .route("/api/v1/books", get(api::lookup))
        .route("/api/v1/books/{id}", get(api::book))
        .route("/api/v1/books/{id}/rating", post(api::rate))
        .route("/assets/{file}", get(assets::asset))
        .fallback(error::not_found)
        .layer(CsrfLayer::new())
        .layer(axum::middleware::from_fn(error::shape_errors))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// Serve until the process is asked to stop (Ctrl-C or SIGTERM).
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
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
