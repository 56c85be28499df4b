//! Who is asking (the client address, through a trusted proxy when one is
//! configured) and the limits on attempts that cost a password hash or
//! could guess a password. The counting itself is in
//! `quire_storage::users::take_attempt`, so the database stays the one
//! source of truth when several servers share it.

use crate::AppState;
use crate::error::AppError;
use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use quire_storage::users::{self, Attempt, LimitRule, LimitScope};
use std::net::{IpAddr, SocketAddr};
use time::Duration;

/// Doubling waits: 1 minute, 2, 4, … about 8½ hours, then that again.
const DOUBLING: &[Duration] = &[
    Duration::minutes(1),
    Duration::minutes(2),
    Duration::minutes(4),
    Duration::minutes(8),
    Duration::minutes(16),
    Duration::minutes(32),
    Duration::minutes(64),
    Duration::minutes(128),
    Duration::minutes(256),
    Duration::minutes(512),
];

/// The same, stopping at half an hour, for rules forgotten after an hour.
const DOUBLING_TO_HALF_AN_HOUR: &[Duration] = &[
    Duration::minutes(1),
    Duration::minutes(2),
    Duration::minutes(4),
    Duration::minutes(8),
    Duration::minutes(16),
    Duration::minutes(32),
];

/// Sign-ins to one account from one address: five tries, then waits that
/// double. Keyed by address too, so nobody can lock the owner out by
/// failing from elsewhere.
pub const SIGN_IN: LimitRule = LimitRule {
    free: 5,
    waits: DOUBLING,
    forget_after: Duration::days(1),
};

/// Sign-ins from one address across accounts: looser, for households and
/// offices behind one address, but it stops one address guessing at many
/// accounts. A successful sign-in gives its attempt back.
pub const SIGN_IN_CLIENT: LimitRule = LimitRule {
    free: 30,
    waits: DOUBLING_TO_HALF_AN_HOUR,
    forget_after: Duration::hours(1),
};

/// Wrong current passwords on the password-change form, per account.
pub const PASSWORD_CHANGE: LimitRule = LimitRule {
    free: 5,
    waits: DOUBLING,
    forget_after: Duration::days(1),
};

/// New accounts from one address: five an hour (`free` is replaced by
/// `Config::joins_per_address_per_hour`).
pub const REGISTER: LimitRule = LimitRule {
    free: 5,
    waits: &[Duration::hours(1)],
    forget_after: Duration::hours(1),
};

/// The client's address. Behind a reverse proxy that is configured as
/// trusted (`--trusted-proxy-header X-Forwarded-For`), the last address in
/// that header, the one the proxy itself appended; otherwise the peer of
/// the connection. The header is ignored unless configured, since anyone
/// can send it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// The key limits count by. An IPv6 client usually holds a whole /64,
    /// so its addresses count as one.
    pub fn key(&self) -> String {
        match self.0 {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let s = v6.segments();
                    format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
        }
    }
}

/// The rightmost address in a forwarding header's values (several header
/// lines count as one list). `None` when it is missing or not an address.
pub fn forwarded_client(values: &[&str]) -> Option<IpAddr> {
    let last = values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .rfind(|v| !v.is_empty())?;
    last.parse::<IpAddr>()
        .ok()
        .or_else(|| last.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

impl<S> FromRequestParts<S> for ClientAddr
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        if let Some(name) = state.config.trusted_proxy_header.as_deref() {
            let values: Vec<&str> = parts
                .headers
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            if let Some(ip) = forwarded_client(&values) {
                return Ok(ClientAddr(ip));
            }
        }
        match parts.extensions.get::<ConnectInfo<SocketAddr>>() {
            Some(ConnectInfo(peer)) => Ok(ClientAddr(peer.ip())),
            None => Err(AppError::internal(
                "The server could not tell where this request came from.",
                "the server was started without client addresses",
            )),
        }
    }
}

/// "45 seconds", "1 minute", "3 hours": a wait as a person reads it.
pub fn wait_words(secs: u64) -> String {
    let (n, unit) = if secs < 90 {
        (secs.max(1), "second")
    } else if secs < 90 * 60 {
        (secs.div_ceil(60), "minute")
    } else {
        (secs.div_ceil(3600), "hour")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// Count an attempt; `Err` (429 with `Retry-After`) when it must wait.
/// `what` finishes the sentence "Too many …".
pub async fn take(
    state: &AppState,
    scope: LimitScope,
    subject: &str,
    rule: &LimitRule,
    what: &str,
) -> Result<(), AppError> {
    let at = quire_storage::now();
    match users::take_attempt(&state.db, scope, subject, rule, at).await? {
        Attempt::Allowed(_) => Ok(()),
        Attempt::Refused { retry_at } => {
            let secs = u64::try_from((retry_at - at).whole_seconds())
                .unwrap_or(1)
                .max(1);
            Err(AppError::TooManyAttempts {
                message: format!(
                    "Too many {what}. Wait {}, then try again.",
                    wait_words(secs)
                ),
                retry_after: secs,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxy_appends_the_last_address() {
        assert_eq!(
            forwarded_client(&["203.0.113.9, 198.51.100.7"]),
            Some("198.51.100.7".parse().unwrap())
        );
        assert_eq!(
            forwarded_client(&["203.0.113.9", "198.51.100.7 ,"]),
            Some("198.51.100.7".parse().unwrap())
        );
        assert_eq!(forwarded_client(&["not an address"]), None);
        assert_eq!(forwarded_client(&[]), None);
    }

    #[test]
    fn ipv6_clients_count_by_their_64() {
        let a = ClientAddr("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = ClientAddr("2001:db8:1:2:bbbb::9".parse().unwrap());
        assert_eq!(a.key(), b.key());
        assert_eq!(
            ClientAddr("::ffff:192.0.2.1".parse().unwrap()).key(),
            "192.0.2.1"
        );
    }

    #[test]
    fn rules_fit_what_storage_keeps() {
        for rule in [SIGN_IN, SIGN_IN_CLIENT, PASSWORD_CHANGE, REGISTER] {
            assert!(rule.forget_after <= users::ATTEMPTS_KEPT);
            assert!(rule.waits.iter().all(|w| *w <= rule.forget_after));
        }
    }

    #[test]
    fn waits_read_like_words() {
        assert_eq!(wait_words(1), "1 second");
        assert_eq!(wait_words(60), "60 seconds");
        assert_eq!(wait_words(120), "2 minutes");
        assert_eq!(wait_words(3600), "60 minutes");
        assert_eq!(wait_words(30_720), "9 hours");
    }
}
