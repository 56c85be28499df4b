//! Cursor pagination for API lists that grow: `?limit=` (1 to
//! [`MAX_LIMIT`], [`DEFAULT_LIMIT`] when absent) and an opaque `?cursor=`
//! from the previous page's `next_cursor`. A cursor names the last item
//! sent by its sort key and id (keyset paging), so rows inserted while a
//! client walks a list neither repeat items nor skip them. It is the key
//! as JSON, in hex: opaque to clients, cheap to check; a cursor that does
//! not read back is 422 `invalid` naming `cursor`. A `page` sent to a
//! list paged this way is 422 naming `page`, not quietly the first page.

use crate::error::AppError;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;

/// The query of a paged list.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    pub limit: Option<String>,
    pub cursor: Option<String>,
    /// Numbered pages are not how these lists are walked; read only to
    /// refuse it with a way forward.
    pub page: Option<String>,
}

/// What a paged list answers.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl PageQuery {
    pub fn limit(&self) -> Result<u32, AppError> {
        if self.page.is_some() {
            return Err(AppError::bad(
                "page",
                "This list is paged by cursor, not by number: leave page out, and pass next_cursor from the previous page as cursor.",
            ));
        }
        match self.limit.as_deref() {
            None => Ok(DEFAULT_LIMIT),
            Some(s) => s
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    AppError::bad(
                        "limit",
                        format!("limit is a whole number from 1 to {MAX_LIMIT}."),
                    )
                }),
        }
    }

    /// The key after which the page starts, if a cursor was sent.
    pub fn after<K: DeserializeOwned>(&self) -> Result<Option<K>, AppError> {
        match self.cursor.as_deref() {
            None | Some("") => Ok(None),
            Some(c) => decode(c).map(Some).ok_or_else(bad_cursor),
        }
    }

    /// The `(time, id)` after which the page starts, for lists keyed by
    /// when each item was written and its id.
    pub fn after_time(&self) -> Result<Option<(time::OffsetDateTime, uuid::Uuid)>, AppError> {
        match self.after::<TimeKey>()? {
            None => Ok(None),
            Some((t, id)) => time::OffsetDateTime::from_unix_timestamp(t)
                .map(|t| Some((t, id)))
                .map_err(|_| bad_cursor()),
        }
    }
}

fn bad_cursor() -> AppError {
    AppError::bad(
        "cursor",
        "This cursor is not one Quire gave out; pass next_cursor from the previous page as it was, or leave cursor out to start at the beginning.",
    )
}

/// A time and an id, as a cursor carries them: the time in whole seconds
/// (the precision Quire stores), the id as it is.
pub type TimeKey = (i64, uuid::Uuid);

/// The cursor key of a row written at `at` with id `id`.
pub fn time_key(at: time::OffsetDateTime, id: uuid::Uuid) -> TimeKey {
    (at.unix_timestamp(), id)
}

/// A page from `limit + 1` fetched rows: the extra row only says another
/// page follows, and the cursor is the key of the last row sent.
pub fn page_of<R, T, K: Serialize>(
    mut rows: Vec<R>,
    limit: u32,
    key: impl Fn(&R) -> K,
    item: impl Fn(R) -> T,
) -> Page<T> {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|r| encode(&key(r)))
    } else {
        None
    };
    Page {
        items: rows.into_iter().map(item).collect(),
        next_cursor,
    }
}

pub fn encode<K: Serialize>(key: &K) -> String {
    let json = serde_json::to_vec(key).unwrap_or_default();
    json.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn decode<K: DeserializeOwned>(cursor: &str) -> Option<K> {
    if !cursor.len().is_multiple_of(2) || cursor.len() > 2048 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..cursor.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(cursor.get(i..i + 2)?, 16).ok())
        .collect();
    serde_json::from_slice(&bytes?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_back_and_nonsense_does_not() {
        let c = encode(&("2026-11-23T05:00:00Z", 7u32));
        assert_eq!(
            decode::<(String, u32)>(&c),
            Some(("2026-11-23T05:00:00Z".into(), 7))
        );
        assert_eq!(decode::<(String, u32)>("zz"), None);
        assert_eq!(decode::<(String, u32)>("abc"), None);
        assert_eq!(decode::<(String, u32)>(&encode(&"just text")), None);
    }

    #[test]
    fn a_page_says_whether_more_follow() {
        let p = page_of(vec![1, 2, 3], 2, |r| *r, |r| r * 10);
        assert_eq!(p.items, vec![10, 20]);
        assert_eq!(p.next_cursor.as_deref().and_then(decode::<i32>), Some(2));
        let last = page_of(vec![1, 2], 2, |r| *r, |r| r);
        assert_eq!(last.next_cursor, None);
    }
}
