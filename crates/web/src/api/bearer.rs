//! `Authorization: Bearer …` on `/api/v1/`: a personal access token stands for
//! its member. [`authenticate`] runs before the CSRF check: it finds the
//! token's member, or answers 401 `unauthenticated`, and takes the
//! request's cookies and browser fetch headers away, so a bearer request is
//! judged by its token alone (which is why it needs no CSRF protection: a
//! page on another site cannot make a browser send someone's token).
//! [`require_scope`] runs once the route is known and refuses, with 403
//! `insufficient_scope`, an operation the token's scopes do not cover. What
//! the member may do is then decided by the usual extractors and
//! `permissions.rs`, exactly as for a signed-in page.

use super::catalogue;
use super::scopes::{self, Scope};
use crate::AppState;
use crate::auth::limits::ClientAddr;
use crate::auth::{new_token, token_hash};
use crate::error::AppError;
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use quire_storage::tokens;
use quire_storage::users::User;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// Every secret starts with this, so a leaked one is easy to recognise
/// (secret scanners, logs).
pub const TOKEN_PREFIX: &str = "quire_pat_";

/// The member a bearer request acts as, put in the request's extensions.
#[derive(Clone, Debug)]
pub struct BearerAuth {
    pub user: User,
    pub scopes: Vec<Scope>,
}

/// A new secret: the prefix and 256 random bits in hex.
pub fn new_secret() -> String {
    format!("{TOKEN_PREFIX}{}", new_token())
}

fn well_formed(secret: &str) -> bool {
    secret.strip_prefix(TOKEN_PREFIX).is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Wrong tokens counted per client address: after [`BAD_TOKENS_ALLOWED`]
/// in [`BAD_TOKEN_WINDOW`], the address is answered 429 `rate_limited`
/// without a lookup until the window ends. Kept in memory: a guess at a
/// 256-bit secret cannot succeed, so this bounds the load, not the odds.
pub struct BadTokens {
    counts: moka::future::Cache<String, Arc<AtomicU32>>,
}

pub const BAD_TOKENS_ALLOWED: u32 = 20;
pub const BAD_TOKEN_WINDOW: Duration = Duration::from_secs(600);

impl Default for BadTokens {
    fn default() -> Self {
        Self {
            counts: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(BAD_TOKEN_WINDOW)
                .build(),
        }
    }
}

impl BadTokens {
    async fn blocked(&self, client: &str) -> bool {
        self.counts
            .get(client)
            .await
            .is_some_and(|n| n.load(Ordering::Relaxed) >= BAD_TOKENS_ALLOWED)
    }

    async fn count(&self, client: &str) {
        self.counts
            .get_with(client.to_owned(), async { Arc::new(AtomicU32::new(0)) })
            .await
            .fetch_add(1, Ordering::Relaxed);
    }
}

fn unauthenticated(message: &str) -> Response {
    let mut res = AppError::Unauthenticated(message.to_owned()).into_response();
    res.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer realm=\"quire\""),
    );
    res
}

/// Find the member of a bearer request to `/api/v1/`; other requests pass
/// untouched.
pub async fn authenticate(State(st): State<AppState>, req: Request, next: Next) -> Response {
    // Only the versioned API takes tokens; the document and the API page
    // are public, and a token sent to them is ignored.
    if !req.uri().path().starts_with("/api/v1/") {
        return next.run(req).await;
    }
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return next.run(req).await;
    };
    let secret = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .map(str::to_owned);
    let (mut parts, body) = req.into_parts();
    let client = match ClientAddr::from_request_parts(&mut parts, &st).await {
        Ok(c) => c.key(),
        Err(e) => return e.into_response(),
    };
    if st.bad_tokens.blocked(&client).await {
        return AppError::TooManyAttempts {
            message: "Too many requests with a wrong token from your address. Wait ten minutes, then try again with a token from your account's token page.".into(),
            retry_after: BAD_TOKEN_WINDOW.as_secs(),
        }
        .into_response();
    }
    let Some(secret) = secret else {
        st.bad_tokens.count(&client).await;
        return unauthenticated(
            "Send the token as `Authorization: Bearer quire_pat_…`; no other kind of authorisation is taken.",
        );
    };
    let found = if well_formed(&secret) {
        match tokens::authenticate(&st.db, &token_hash(&secret), quire_storage::now()).await {
            Ok(found) => found,
            Err(e) => return AppError::from(e).into_response(),
        }
    } else {
        None
    };
    let Some(found) = found else {
        st.bad_tokens.count(&client).await;
        return unauthenticated(
            "That token is not valid: it is mistyped, expired or revoked. Make a new one on your account's token page.",
        );
    };
    for name in [
        header::COOKIE,
        header::ORIGIN,
        header::HeaderName::from_static("sec-fetch-site"),
        header::HeaderName::from_static("sec-fetch-mode"),
        header::HeaderName::from_static("sec-fetch-dest"),
    ] {
        parts.headers.remove(name);
    }
    tracing::debug!(token = %found.token_id, user = %found.user.username, "API token");
    parts.extensions.insert(BearerAuth {
        scopes: scopes::parse_stored(&found.scopes),
        user: found.user,
    });
    next.run(Request::from_parts(parts, body)).await
}

/// Refuse an operation outside the token's scopes (after routing, so the
/// route's pattern is known). A route missing from the catalogue is
/// refused too: a token can only do what is documented.
pub async fn require_scope(req: Request, next: Next) -> Response {
    let Some(bearer) = req.extensions().get::<BearerAuth>() else {
        return next.run(req).await;
    };
    let pattern = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default();
    let needed = catalogue::find(req.method().as_str(), &pattern).map(|op| op.scope);
    match needed {
        Some(scope) if bearer.scopes.contains(&scope) => next.run(req).await,
        Some(scope) => AppError::InsufficientScope {
            scope: scope.name(),
            message: format!(
                "This token may not do that: it needs the `{scope}` scope. Make a token with it on your account's token page."
            ),
        }
        .into_response(),
        None => AppError::Forbidden(
            "Tokens cannot be used here; this address is not part of the documented API.".into(),
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_checked_for_shape_before_any_lookup() {
        let s = new_secret();
        assert!(well_formed(&s), "{s}");
        assert!(!well_formed(&s[..s.len() - 1]));
        assert!(!well_formed(&s.to_uppercase()));
        assert!(!well_formed(&s.replace(TOKEN_PREFIX, "other_")));
        assert_ne!(new_secret(), s);
    }
}
