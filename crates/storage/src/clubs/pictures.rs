//! A club's picture: one re-encoded image per club, replaced whole, with
//! a version that changes on every upload so its address can be cached.

use crate::Result;
use crate::db::{Db, now};
use quire_domain::ClubId;

/// A stored picture, as served.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Picture {
    pub content_type: String,
    pub data: Vec<u8>,
    pub version: String,
}

/// Store (or replace) the picture of `club`; returns its new version.
pub async fn set(
    db: &Db,
    club: ClubId,
    content_type: &str,
    data: &[u8],
    width: i64,
    height: i64,
) -> Result<String> {
    let version = uuid::Uuid::now_v7().simple().to_string();
    write!(
        db,
        sqlx::query(
            "INSERT INTO club_pictures (club_id, content_type, data, width, height, version, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (club_id) DO UPDATE SET content_type = excluded.content_type,
                data = excluded.data, width = excluded.width, height = excluded.height,
                version = excluded.version, updated_at = excluded.updated_at"
        )
        .bind(club)
        .bind(content_type)
        .bind(data)
        .bind(width)
        .bind(height)
        .bind(&version)
        .bind(now()),
        execute
    )?;
    Ok(version)
}

/// The picture of `club`, if it has one.
pub async fn get(db: &Db, club: ClubId) -> Result<Option<Picture>> {
    Ok(read!(
        db,
        sqlx::query_as("SELECT content_type, data, version FROM club_pictures WHERE club_id = $1")
            .bind(club),
        fetch_optional
    )?)
}
