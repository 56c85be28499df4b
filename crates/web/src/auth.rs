//! Accounts and sessions: registration, sign-in (argon2id, attempts
//! limited), sign-out, password change, and the extractors handlers use to
//! know who is asking.

use crate::AppState;
use crate::error::AppError;
use crate::input::{Form, Query};
use crate::view::{Layout, page};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use askama::Template;
use axum::extract::{ConnectInfo, FromRef, FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use quire_domain::{SiteRole, UserId};
use quire_storage::users::{self, NewUser, User};
use rand::RngCore;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "quire_session";
const SESSION_DAYS: i64 = 30;
/// Failed sign-ins allowed per account, and per client address, in the window.
const MAX_FAILS_PER_ACCOUNT: i64 = 5;
const MAX_FAILS_PER_CLIENT: i64 = 20;
const FAIL_WINDOW_MINUTES: i64 = 15;

fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The signed-in reader, if any. Costs one query when a session cookie is
/// sent, none otherwise.
pub struct Viewer(pub Option<User>);

impl<S> FromRequestParts<S> for Viewer
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) else {
            return Ok(Viewer(None));
        };
        let user = users::session_user(&state.db, &token_hash(&token)).await?;
        Ok(Viewer(user))
    }
}

/// A signed-in reader, or the "sign in" error.
pub struct Member(pub User);

impl Member {
    pub fn id(&self) -> UserId {
        self.0.user_id()
    }
}

impl<S> FromRequestParts<S> for Member
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Viewer::from_request_parts(parts, state).await?.0 {
            Some(u) => Ok(Member(u)),
            None => Err(AppError::SignInRequired),
        }
    }
}

async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| AppError::internal("The password could not be stored; try again.", e))?
    .map_err(|e| AppError::internal("The password could not be stored; try again.", e))
}

async fn verify_password(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        // With no account (or no password) still do the work of a check, so
        // timing does not tell which usernames exist.
        let hash = hash.unwrap_or_else(|| {
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4C0Sp3RbQYrQG1Ns6WWbH1ErfU2UrX8K66MwZfGeGgI".into()
        });
        match PasswordHash::new(&hash) {
            Ok(parsed) => Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        }
    })
    .await
    .unwrap_or(false)
}

pub fn validate_username(name: &str) -> Result<(), AppError> {
    let n = name.trim();
    if n.chars().count() < 3 || n.chars().count() > 30 {
        return Err(AppError::bad(
            "username",
            "A username is 3 to 30 characters long.",
        ));
    }
    if let Some(c) = n
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        return Err(AppError::bad(
            "username",
            format!("A username can hold letters, digits, '_', '-' and '.'; '{c}' is not allowed."),
        ));
    }
    Ok(())
}

pub fn validate_password(password: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < 10 {
        return Err(AppError::bad(
            "password",
            format!("A password needs at least 10 characters; this one has {n}."),
        ));
    }
    if n > 1000 {
        return Err(AppError::bad(
            "password",
            "A password can be at most 1,000 characters.",
        ));
    }
    Ok(())
}

/// Hash a password and create the account (also used by `quire admin`).
pub async fn create_account(
    db: &quire_storage::Db,
    username: &str,
    display_name: &str,
    password: &str,
    role: SiteRole,
) -> Result<User, AppError> {
    validate_username(username)?;
    validate_password(password)?;
    let hash = hash_password(password.to_string()).await?;
    let display = if display_name.trim().is_empty() {
        username
    } else {
        display_name
    };
    Ok(users::create(
        db,
        &NewUser {
            id: UserId::new(),
            username,
            display_name: display,
            password_hash: Some(&hash),
            role,
            is_demo: false,
        },
    )
    .await?)
}

async fn start_session(
    state: &AppState,
    jar: CookieJar,
    user: UserId,
) -> Result<CookieJar, AppError> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let expires = quire_storage::now() + time::Duration::days(SESSION_DAYS);
    users::create_session(&state.db, &token_hash(&token), user, expires).await?;
    let cookie = Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies)
        .path("/")
        .max_age(time::Duration::days(SESSION_DAYS))
        .build();
    Ok(jar.add(cookie))
}

/// Only local paths are followed after signing in, never another site.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_form(
    Query(q): Query<NextQuery>,
    Viewer(v): Viewer,
) -> Result<Html<String>, AppError> {
    page(&LoginPage {
        layout: Layout::for_user(v.as_ref()),
        next: safe_next(q.next.as_deref()),
        username: String::new(),
        error: None,
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    let client = peer.ip().to_string();
    let since = quire_storage::now() - time::Duration::minutes(FAIL_WINDOW_MINUTES);
    let (by_account, by_client) =
        users::failed_logins_since(&state.db, &f.username, &client, since).await?;
    if by_account >= MAX_FAILS_PER_ACCOUNT || by_client >= MAX_FAILS_PER_CLIENT {
        return Err(AppError::TooManyAttempts(format!(
            "Too many failed sign-ins. Wait {FAIL_WINDOW_MINUTES} minutes, then try again."
        )));
    }
    let found = users::credentials(&state.db, &f.username).await?;
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), h),
        None => (None, None),
    };
    let ok = verify_password(f.password, hash.clone()).await && hash.is_some();
    users::record_login_attempt(&state.db, &f.username, &client, ok).await?;
    let (true, Some(user)) = (ok, user) else {
        let body = page(&LoginPage {
            layout: Layout::default(),
            next: safe_next(f.next.as_deref()),
            username: f.username,
            error: Some(
                "That username and password do not match. Check both and try again.".into(),
            ),
        })?;
        return Ok((axum::http::StatusCode::UNAUTHORIZED, body).into_response());
    };
    let jar = start_session(&state, jar, user.user_id()).await?;
    Ok((jar, Redirect::to(&safe_next(f.next.as_deref()))).into_response())
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    layout: Layout,
    username: String,
    display_name: String,
    error: Option<String>,
    error_field: String,
}

pub async fn register_form(Viewer(v): Viewer) -> Result<Html<String>, AppError> {
    page(&RegisterPage {
        layout: Layout::for_user(v.as_ref()),
        username: String::new(),
        display_name: String::new(),
        error: None,
        error_field: String::new(),
    })
}

#[derive(Deserialize)]
pub struct RegisterForm {
    username: String,
    #[serde(default)]
    display_name: String,
    password: String,
    password_again: String,
}

pub async fn register(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(f): Form<RegisterForm>,
) -> Result<Response, AppError> {
    let result = if f.password != f.password_again {
        Err(AppError::bad(
            "password_again",
            "The two passwords differ; type the same one twice.",
        ))
    } else {
        create_account(
            &state.db,
            &f.username,
            &f.display_name,
            &f.password,
            SiteRole::Member,
        )
        .await
    };
    match result {
        Ok(user) => {
            let jar = start_session(&state, jar, user.user_id()).await?;
            Ok((jar, Redirect::to(&format!("/people/{}", user.username))).into_response())
        }
        Err(e @ (AppError::BadInput { .. } | AppError::Conflict(_))) => {
            let status = match e {
                AppError::Conflict(_) => axum::http::StatusCode::CONFLICT,
                _ => axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            };
            let field = match &e {
                AppError::BadInput { field, .. } => field.to_string(),
                _ => "username".into(),
            };
            let body = page(&RegisterPage {
                layout: Layout::default(),
                username: f.username,
                display_name: f.display_name,
                error: Some(e.to_string()),
                error_field: field,
            })?;
            Ok((status, body).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn logout(State(state): State<AppState>, jar: CookieJar) -> Result<Response, AppError> {
    if let Some(c) = jar.get(SESSION_COOKIE) {
        users::delete_session(&state.db, &token_hash(c.value())).await?;
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/").build());
    Ok((jar, Redirect::to("/")).into_response())
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    layout: Layout,
    error: Option<String>,
    done: bool,
}

pub async fn password_form(Member(u): Member) -> Result<Html<String>, AppError> {
    page(&PasswordPage {
        layout: Layout::for_user(Some(&u)),
        error: None,
        done: false,
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new_password: String,
    new_again: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    Member(u): Member,
    jar: CookieJar,
    Form(f): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let hash = users::credentials(&state.db, &u.username)
        .await?
        .and_then(|(_, h)| h);
    let problem = if !verify_password(f.current, hash).await {
        Some("Your current password is not right; nothing was changed.".to_string())
    } else if f.new_password != f.new_again {
        Some("The two new passwords differ; nothing was changed.".to_string())
    } else {
        validate_password(&f.new_password)
            .err()
            .map(|e| e.to_string())
    };
    if let Some(error) = problem {
        let body = page(&PasswordPage {
            layout: Layout::for_user(Some(&u)),
            error: Some(error),
            done: false,
        })?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, body).into_response());
    }
    let hash = hash_password(f.new_password).await?;
    let keep = jar
        .get(SESSION_COOKIE)
        .map(|c| token_hash(c.value()))
        .unwrap_or_default();
    users::set_password(&state.db, u.user_id(), &hash, &keep).await?;
    Ok(page(&PasswordPage {
        layout: Layout::for_user(Some(&u)),
        error: None,
        done: true,
    })?
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(safe_next(Some("/books/1")), "/books/1");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn usernames_and_passwords_are_checked() {
        assert!(validate_username("maya_r").is_ok());
        assert!(validate_username("ma").is_err());
        assert!(
            validate_username("maya r")
                .unwrap_err()
                .to_string()
                .contains("' '")
        );
        assert!(
            validate_password("short")
                .unwrap_err()
                .to_string()
                .contains("has 5")
        );
    }
}
