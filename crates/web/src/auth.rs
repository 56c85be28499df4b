//! Accounts and sessions: registration, sign-in (argon2id, attempts
//! limited), sign-out, password change, and the extractors handlers use to
//! know who is asking. The hashing cap is in `passwords`, the attempt limits
//! and client addresses in `limits`, the rules for names in `names`.

pub mod limits;
pub mod names;
pub mod passwords;

use crate::AppState;
use crate::error::AppError;
use crate::input::{Form, Query};
use crate::view::{Layout, page};
use askama::Template;
use axum::extract::{FromRef, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use limits::ClientAddr;
use names::{MAX_DISPLAY_NAME_CHARS, MAX_PASSWORD_CHARS, MAX_USERNAME_CHARS};
use passwords::Passwords;
use quire_domain::{SiteRole, UserId};
use quire_storage::users::{self, LimitScope, NewUser, User};
use rand::RngCore;
use serde::Deserialize;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "quire_session";
const SESSION_DAYS: i64 = 30;

/// How a secret token (a session's, an invitation link's) is stored: its
/// SHA-256 in hex, so a copy of the database lets nobody in.
pub(crate) fn token_hash(token: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(token.as_bytes());
    let mut hex = String::with_capacity(64);
    for b in digest {
        hex.push(char::from(HEX[usize::from(b >> 4)]));
        hex.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    hex
}

/// A fresh secret token: 32 random bytes in hex.
pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
        // A bearer API request acts as the token's member (its cookies
        // were taken away by `api::bearer::authenticate`).
        if let Some(b) = parts.extensions.get::<crate::api::bearer::BearerAuth>() {
            return Ok(Viewer(Some(b.user.clone())));
        }
        let state = AppState::from_ref(state);
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(hash) = jar.get(SESSION_COOKIE).map(|c| token_hash(c.value())) else {
            return Ok(Viewer(None));
        };
        let user = users::session_user(&state.db, &hash).await?;
        Ok(Viewer(user))
    }
}

/// The session cookie's token as the database keys it (hashed), read
/// without a query: for a handler that looks the session up inside its own
/// statement (the book page, `book_page::session_view`). `None` without a
/// cookie.
pub struct SessionToken(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for SessionToken {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        Ok(SessionToken(
            jar.get(SESSION_COOKIE).map(|c| token_hash(c.value())),
        ))
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

/// Hash a password and create the account (also used by `quire admin`,
/// which may take a name that members cannot, such as "admin").
pub async fn create_account(
    db: &quire_storage::Db,
    passwords: &Passwords,
    username: &str,
    display_name: &str,
    password: &str,
    role: SiteRole,
) -> Result<User, AppError> {
    names::validate_username(username)?;
    names::validate_display_name(display_name)?;
    names::validate_password(password)?;
    let hash = passwords.hash(password.to_string()).await?;
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

/// Sign the user in and send them to `location`. The location is checked
/// first, so a session row is only ever made for a response that carries
/// its cookie.
async fn signed_in_redirect(
    state: &AppState,
    jar: CookieJar,
    user: UserId,
    location: &str,
) -> Result<Response, AppError> {
    let location = HeaderValue::from_str(location)
        .map_err(|e| AppError::internal("The page to go to next is not a valid address.", e))?;
    let token = new_token();
    let expires = quire_storage::now() + time::Duration::days(SESSION_DAYS);
    users::create_session(&state.db, &token_hash(&token), user, expires).await?;
    let cookie = Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies)
        .path("/")
        .max_age(time::Duration::days(SESSION_DAYS))
        .build();
    Ok((
        StatusCode::SEE_OTHER,
        jar.add(cookie),
        [(header::LOCATION, location)],
    )
        .into_response())
}

/// Percent-decode once, for checking only; bytes that do not decode stay.
fn percent_decoded(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (
                (b[i + 1] as char).to_digit(16),
                (b[i + 2] as char).to_digit(16),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Only a path on this site is followed after signing in, never another
/// site. Browsers drop tabs and line breaks from a URL and read a backslash
/// as `/`, so `/<tab>/evil.example` or `/<backslash>evil.example` would
/// leave the site; such values (also percent-encoded), and any with control
/// characters or a scheme, give the home page.
fn safe_next(next: Option<&str>) -> String {
    let Some(n) = next else {
        return "/".to_string();
    };
    let looks_local = |p: &str| {
        let squeezed: String = p
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect();
        p.starts_with('/')
            && !squeezed.starts_with("//")
            && !squeezed.starts_with("/\\")
            && !p.contains('\\')
            && !p.chars().any(char::is_control)
    };
    if n.len() <= 2000 && looks_local(n) && looks_local(&percent_decoded(n)) {
        n.to_string()
    } else {
        "/".to_string()
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    next: String,
    username: String,
    /// About the whole form ("do not match"), shown above it.
    error: Option<String>,
    /// Beside each field, all at once.
    username_error: Option<String>,
    password_error: Option<String>,
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
        username_error: None,
        password_error: None,
    })
}

/// Missing fields read as empty, so each gets its message beside it.
#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

fn login_again(
    status: StatusCode,
    next: String,
    username: String,
    error: String,
) -> Result<Response, AppError> {
    let body = page(&LoginPage {
        layout: Layout::default(),
        next,
        username,
        error: Some(error),
        username_error: None,
        password_error: None,
    })?;
    Ok((status, body).into_response())
}

/// The fields' own problems, every one at once, found before any work:
/// empty, or longer than any account's (such input is neither recorded
/// nor shown back).
fn login_field_errors(f: &LoginForm) -> (Option<String>, Option<String>) {
    let username = if f.username.trim().is_empty() {
        Some("Type your username.".to_string())
    } else if longer_than(&f.username, MAX_USERNAME_CHARS) {
        Some(format!(
            "A username is at most {MAX_USERNAME_CHARS} characters long; check what you typed."
        ))
    } else {
        None
    };
    let password = if f.password.is_empty() {
        Some("Type your password.".to_string())
    } else if longer_than(&f.password, MAX_PASSWORD_CHARS) {
        Some("A password is at most 1,000 characters long; check what you typed.".to_string())
    } else {
        None
    };
    (username, password)
}

/// Whether `s` has more than `max` characters, without counting them all.
fn longer_than(s: &str, max: usize) -> bool {
    s.chars().nth(max).is_some()
}

pub async fn login(
    State(state): State<AppState>,
    client: ClientAddr,
    jar: CookieJar,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    let next = safe_next(f.next.as_deref());
    // Input no account could match is refused before any work, and is
    // neither recorded nor shown back; every field's problem at once.
    let (username_error, password_error) = login_field_errors(&f);
    if username_error.is_some() || password_error.is_some() {
        let problems =
            usize::from(username_error.is_some()) + usize::from(password_error.is_some());
        let body = page(&LoginPage {
            layout: Layout::default(),
            next,
            username: if longer_than(&f.username, MAX_USERNAME_CHARS) {
                String::new()
            } else {
                f.username
            },
            error: Some(if problems == 1 {
                "One field needs a change; its message is beside it.".into()
            } else {
                "Both fields need a change; each message is beside its field.".into()
            }),
            username_error,
            password_error,
        })?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response());
    }
    // Count the attempt before checking the password: per account and
    // address (so an attacker elsewhere cannot lock the owner out), then
    // per address across accounts.
    let client_key = client.key();
    let account_key = format!("{client_key} {}", users::username_key(&f.username));
    limits::take(
        &state,
        LimitScope::SignIn,
        &account_key,
        &limits::SIGN_IN,
        "failed sign-ins to this account from your address",
    )
    .await?;
    if let Err(e) = limits::take(
        &state,
        LimitScope::SignInClient,
        &client_key,
        &limits::SIGN_IN_CLIENT,
        "failed sign-ins from your address",
    )
    .await
    {
        users::give_back_attempt(&state.db, LimitScope::SignIn, &account_key).await?;
        return Err(e);
    }
    let (user, hash) = match users::credentials(&state.db, &f.username).await? {
        Some((u, h)) => (Some(u), h),
        None => (None, None),
    };
    let ok = match state.passwords.verify(f.password, hash).await {
        Ok(ok) => ok,
        Err(e) => {
            // Not checked after all (the server was busy): uncount it.
            users::give_back_attempt(&state.db, LimitScope::SignIn, &account_key).await?;
            users::give_back_attempt(&state.db, LimitScope::SignInClient, &client_key).await?;
            return Err(e);
        }
    };
    users::record_login_attempt(&state.db, &f.username, &client_key, ok).await?;
    let (true, Some(user)) = (ok, user) else {
        return login_again(
            StatusCode::UNAUTHORIZED,
            next,
            f.username,
            "That username and password do not match. Check both and try again.".into(),
        );
    };
    users::clear_attempts(&state.db, LimitScope::SignIn, &account_key).await?;
    users::give_back_attempt(&state.db, LimitScope::SignInClient, &client_key).await?;
    signed_in_redirect(&state, jar, user.user_id(), &next).await
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    layout: Layout,
    username: String,
    display_name: String,
    /// How many fields below have a message.
    problems: usize,
    username_error: Option<String>,
    display_name_error: Option<String>,
    password_error: Option<String>,
    password_again_error: Option<String>,
}

impl RegisterPage {
    fn new(layout: Layout, username: String, display_name: String, errors: Vec<AppError>) -> Self {
        let mut p = RegisterPage {
            layout,
            // Shown back only when within bounds: an oversize value is not
            // worth echoing, and the message says what was wrong.
            username: if longer_than(&username, MAX_USERNAME_CHARS) {
                String::new()
            } else {
                username
            },
            display_name: if longer_than(&display_name, MAX_DISPLAY_NAME_CHARS) {
                String::new()
            } else {
                display_name
            },
            problems: errors.len(),
            username_error: None,
            display_name_error: None,
            password_error: None,
            password_again_error: None,
        };
        for e in errors {
            let (field, message) = match e {
                AppError::BadInput { field, message } => (field, message),
                other => ("username", other.to_string()),
            };
            let slot = match field {
                "display_name" => &mut p.display_name_error,
                "password" => &mut p.password_error,
                "password_again" => &mut p.password_again_error,
                _ => &mut p.username_error,
            };
            slot.get_or_insert(message);
        }
        p
    }
}

pub async fn register_form(Viewer(v): Viewer) -> Result<Html<String>, AppError> {
    page(&RegisterPage::new(
        Layout::for_user(v.as_ref()),
        String::new(),
        String::new(),
        Vec::new(),
    ))
}

/// Missing fields read as empty, so each gets its message beside it.
#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

pub async fn register(
    State(state): State<AppState>,
    client: ClientAddr,
    jar: CookieJar,
    Form(f): Form<RegisterForm>,
) -> Result<Response, AppError> {
    // Every problem at once, each beside its field.
    let mut errors: Vec<AppError> = [
        names::validate_new_username(&f.username),
        names::validate_display_name(&f.display_name),
        names::validate_password(&f.password),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect();
    if f.password != f.password_again {
        errors.push(AppError::bad(
            "password_again",
            "The two passwords differ; type the same one twice.",
        ));
    }
    // A taken name is said with the rest, not after they are fixed. Which
    // names are taken is no secret (profiles are public at /people/NAME),
    // so asking costs no limit; joining still does.
    if !errors.is_empty()
        && !errors.iter().any(|e| {
            matches!(
                e,
                AppError::BadInput {
                    field: "username",
                    ..
                }
            )
        })
        && users::by_username(&state.db, f.username.trim())
            .await?
            .is_some()
    {
        errors.insert(
            0,
            AppError::bad(
                "username",
                format!(
                    "The username \"{}\" is taken; choose another.",
                    f.username.trim()
                ),
            ),
        );
    }
    let show_again = |status: StatusCode, errors: Vec<AppError>, f: RegisterForm| {
        let body = page(&RegisterPage::new(
            Layout::default(),
            f.username,
            f.display_name,
            errors,
        ))?;
        Ok::<_, AppError>((status, body).into_response())
    };
    if !errors.is_empty() {
        return show_again(StatusCode::UNPROCESSABLE_ENTITY, errors, f);
    }
    let client_key = client.key();
    let rule = users::LimitRule {
        free: i64::from(state.config.joins_per_address_per_hour.max(1)),
        ..limits::REGISTER
    };
    limits::take(
        &state,
        LimitScope::Register,
        &client_key,
        &rule,
        "new accounts from your address",
    )
    .await?;
    let result = create_account(
        &state.db,
        &state.passwords,
        &f.username,
        &f.display_name,
        &f.password,
        SiteRole::Member,
    )
    .await;
    match result {
        Ok(user) => {
            signed_in_redirect(
                &state,
                jar,
                user.user_id(),
                &format!("/people/{}", user.username),
            )
            .await
        }
        Err(AppError::Conflict(message)) => show_again(
            StatusCode::CONFLICT,
            vec![AppError::bad("username", message)],
            f,
        ),
        Err(e @ AppError::BadInput { .. }) => {
            show_again(StatusCode::UNPROCESSABLE_ENTITY, vec![e], f)
        }
        Err(e) => {
            if matches!(e, AppError::Busy { .. }) {
                users::give_back_attempt(&state.db, LimitScope::Register, &client_key).await?;
            }
            Err(e)
        }
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
    let again = |error: String| {
        let body = page(&PasswordPage {
            layout: Layout::for_user(Some(&u)),
            error: Some(error),
            done: false,
        })?;
        Ok::<_, AppError>((StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
    };
    if longer_than(&f.current, MAX_PASSWORD_CHARS) {
        return again(
            "Current password: a password is at most 1,000 characters long; nothing was changed."
                .into(),
        );
    }
    // A wrong current password is a guess like a wrong sign-in: counted,
    // per account, before it is checked.
    let subject = u.id.to_string();
    limits::take(
        &state,
        LimitScope::PasswordChange,
        &subject,
        &limits::PASSWORD_CHANGE,
        "wrong current passwords for this account",
    )
    .await?;
    let hash = users::credentials(&state.db, &u.username)
        .await?
        .and_then(|(_, h)| h);
    let right = match state.passwords.verify(f.current, hash).await {
        Ok(right) => right,
        Err(e) => {
            users::give_back_attempt(&state.db, LimitScope::PasswordChange, &subject).await?;
            return Err(e);
        }
    };
    if !right {
        return again("Your current password is not right; nothing was changed.".into());
    }
    users::clear_attempts(&state.db, LimitScope::PasswordChange, &subject).await?;
    if f.new_password != f.new_again {
        return again("The two new passwords differ; nothing was changed.".into());
    }
    if let Err(e) = names::validate_password(&f.new_password) {
        return again(e.to_string());
    }
    let hash = state.passwords.hash(f.new_password).await?;
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
        assert_eq!(safe_next(Some("/search?q=a%20b")), "/search?q=a%20b");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example/x")), "/");
        assert_eq!(safe_next(Some("/\n/evil.example")), "/");
        assert_eq!(safe_next(Some("/%09/evil.example/x")), "/");
        assert_eq!(safe_next(Some("/%2F/evil.example")), "/");
        assert_eq!(safe_next(Some("/%5Cevil.example")), "/");
        assert_eq!(safe_next(Some("/books\r\nSet-Cookie: x=1")), "/");
        assert_eq!(safe_next(Some("evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn percent_decoding_keeps_what_is_not_an_escape() {
        assert_eq!(percent_decoded("/a%2Fb%zz%4"), "/a/b%zz%4");
    }
}
