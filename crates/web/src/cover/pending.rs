//! Covers chosen on a form that is shown again (a wrong field, or the
//! "is it one of these?" step) before anything is saved. A browser cannot
//! put a chosen file back into a form, so the checked cover is held here
//! under a random token the form carries in a hidden field; the member need
//! not choose the file again.
//!
//! Bounded: at most [`MAX_HELD_BYTES`] of re-encoded covers in all, each
//! for at most [`HOLD_FOR`], and only the account that chose a cover can
//! use its token. A token that has expired (or a restart) is reported
//! beside the cover field, asking for the file again.

use moka::future::Cache;
use quire_covers::Prepared;
use quire_domain::UserId;
use std::sync::Arc;
use std::time::Duration;

/// The most re-encoded cover bytes held at once, across every member.
pub const MAX_HELD_BYTES: u64 = 64 * 1024 * 1024;
/// How long a held cover waits for its form to come back.
pub const HOLD_FOR: Duration = Duration::from_secs(60 * 60);

/// A cover checked on an earlier post of a form.
#[derive(Clone)]
pub struct Held {
    pub owner: UserId,
    /// The file's name as the member's browser sent it, to show beside the
    /// field (never used as a path).
    pub file_name: String,
    pub cover: Arc<Prepared>,
}

/// Covers waiting for their form, keyed by token.
pub struct PendingCovers {
    held: Cache<String, Held>,
}

impl Default for PendingCovers {
    fn default() -> Self {
        Self {
            held: Cache::builder()
                .max_capacity(MAX_HELD_BYTES)
                .weigher(|_k: &String, v: &Held| {
                    u32::try_from(v.cover.original.data.len() + 256).unwrap_or(u32::MAX)
                })
                .time_to_live(HOLD_FOR)
                .build(),
        }
    }
}

impl PendingCovers {
    /// Hold `held`; the token to put in the form.
    pub async fn hold(&self, held: Held) -> String {
        let token = uuid::Uuid::new_v4().simple().to_string();
        self.held.insert(token.clone(), held).await;
        token
    }

    /// The cover held under `token` for `owner`, if it is still held.
    pub async fn get(&self, token: &str, owner: UserId) -> Option<Held> {
        if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.held.get(token).await.filter(|h| h.owner == owner)
    }

    /// Forget a cover once it is saved.
    pub async fn forget(&self, token: &str) {
        self.held.invalidate(token).await;
    }
}
