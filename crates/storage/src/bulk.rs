//! Bulk loading of readers' ratings and to-read lists, for catalog-scale
//! imports (goodbooks-shaped data sets of millions of ratings).
//!
//! Rows arrive as small numbers (the data set's own reader and book
//! numbers) and are staged in temporary tables of integers inside one
//! transaction; [`RatingsLoad::finish`] then moves them into `ratings`,
//! `readings` and `queue_entries` with one `INSERT … SELECT` each, sorted
//! by the target's key, and recomputes the rating totals of the works it
//! touched. On SQLite the secondary indexes of those tables are dropped
//! for a large load and built again at the end (one sort each instead of
//! millions of scattered updates), and the connection's page cache is
//! raised for the load only. Everything is one transaction: a failed load
//! leaves the database as it was, and a second run of the same rows adds
//! nothing (`ON CONFLICT DO NOTHING`, readings only where the reader has
//! none for that book).

use crate::Result;
use crate::db::{Db, Tx, now};
use quire_domain::{Rating, UserId, WorkId};

/// Staged rows above which SQLite's secondary indexes are dropped and
/// rebuilt rather than kept up to date row by row.
const REBUILD_INDEXES_FROM: u64 = 200_000;

/// Rows per statement into the staging tables. They travel as one JSON
/// array of number triples, unpacked by the database (`json_each`,
/// `json_array_elements`): binding each value costs far more here than
/// the database's own parsing.
const STAGE_ROWS: usize = 50_000;

/// The tables whose secondary indexes a large SQLite load rebuilds.
const LOADED_TABLES: &[&str] = &["ratings", "readings", "queue_entries"];

/// What [`RatingsLoad::finish`] added.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    /// Ratings added (a reader's existing rating of a book is kept).
    pub ratings: u64,
    /// "Read" readings added for rated books that were on none of the
    /// reader's shelves.
    pub readings: u64,
    /// Books added to readers' to-read queues.
    pub queued: u64,
    /// Works whose rating totals were recomputed.
    pub works: u64,
}

/// A bulk load in progress: one open transaction with its staging tables.
/// Nothing is visible to other connections until [`RatingsLoad::finish`];
/// dropping it rolls everything back.
pub struct RatingsLoad {
    db: Db,
    tx: Tx,
    staged_ratings: u64,
    staged_to_read: u64,
}

impl RatingsLoad {
    /// Begin a load. Readers and works must exist already (create them
    /// first: this holds SQLite's only write connection until it ends).
    pub async fn begin(db: &Db) -> Result<RatingsLoad> {
        let mut tx = db.begin().await?;
        let (id_type, drop_all) = match &tx {
            Tx::Sqlite(_) => ("BLOB", true),
            Tx::Postgres(_) => ("UUID", false),
        };
        // PostgreSQL drops them with the transaction; SQLite keeps temporary
        // tables for the connection, so they are dropped at the end (and a
        // rolled-back load takes their creation back with it).
        let on_commit = if drop_all { "" } else { " ON COMMIT DROP" };
        for ddl in [
            format!(
                "CREATE TEMP TABLE bulk_books (no BIGINT PRIMARY KEY, work_id {id_type} NOT NULL){on_commit}"
            ),
            format!(
                "CREATE TEMP TABLE bulk_readers (no BIGINT PRIMARY KEY, user_id {id_type} NOT NULL){on_commit}"
            ),
            format!(
                "CREATE TEMP TABLE bulk_ratings (user_no BIGINT NOT NULL, book_no BIGINT NOT NULL, halves INTEGER NOT NULL){on_commit}"
            ),
            format!(
                "CREATE TEMP TABLE bulk_to_read (seq BIGINT NOT NULL, user_no BIGINT NOT NULL, book_no BIGINT NOT NULL){on_commit}"
            ),
        ] {
            tx!(db, &mut tx, sqlx::query(sqlx::AssertSqlSafe(ddl)), execute)?;
        }
        if let Tx::Sqlite(t) = &mut tx {
            // About 512 MB of page cache for this connection while it loads
            // and 256 MB for its staging tables (the default is 2 MB each);
            // put back in `finish`.
            sqlx::query("PRAGMA cache_size = -524288")
                .execute(&mut **t)
                .await?;
            sqlx::query("PRAGMA temp.cache_size = -262144")
                .execute(&mut **t)
                .await?;
        }
        Ok(RatingsLoad {
            db: db.clone(),
            tx,
            staged_ratings: 0,
            staged_to_read: 0,
        })
    }

    /// Say which work each of the data set's book numbers is.
    pub async fn books(&mut self, rows: &[(u64, WorkId)]) -> Result<()> {
        let pairs: Vec<(u64, uuid::Uuid)> = rows.iter().map(|(n, w)| (*n, w.0)).collect();
        self.map("bulk_books", &pairs).await
    }

    /// Say which account each of the data set's reader numbers is.
    pub async fn readers(&mut self, rows: &[(u64, UserId)]) -> Result<()> {
        let pairs: Vec<(u64, uuid::Uuid)> = rows.iter().map(|(n, u)| (*n, u.0)).collect();
        self.map("bulk_readers", &pairs).await
    }

    /// Create readers who cannot sign in (as the demo's readers) and say
    /// which of the data set's reader numbers each is; an existing account
    /// of that id is kept. Each row is (number, id, username, display name,
    /// bio). Returns how many accounts were new.
    pub async fn demo_readers(
        &mut self,
        rows: &[(u64, UserId, String, String, String)],
    ) -> Result<u64> {
        let people: Vec<(UserId, String, String, String)> = rows
            .iter()
            .map(|(_, id, u, d, b)| (*id, u.clone(), d.clone(), b.clone()))
            .collect();
        let db = self.db.clone();
        let added = crate::users::insert_demo_readers_in(&db, &mut self.tx, &people).await?;
        let map: Vec<(u64, UserId)> = rows.iter().map(|(n, id, ..)| (*n, *id)).collect();
        self.readers(&map).await?;
        Ok(added)
    }

    async fn map(&mut self, table: &str, rows: &[(u64, uuid::Uuid)]) -> Result<()> {
        let db = self.db.clone();
        for chunk in rows.chunks(400) {
            let sql = values_sql(
                &format!("INSERT INTO {table} (no, {}) VALUES ", map_column(table)),
                chunk.len(),
                2,
                " ON CONFLICT (no) DO NOTHING",
            );
            tx!(
                &db,
                &mut self.tx,
                {
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                    for (n, id) in chunk {
                        q = q.bind(to_i64(*n)).bind(*id);
                    }
                    q
                },
                execute
            )?;
        }
        Ok(())
    }

    /// Stage ratings: (reader number, book number, rating). Rows naming a
    /// reader or book not given to [`Self::readers`] or [`Self::books`]
    /// are left out at the end.
    pub async fn ratings(&mut self, rows: &[(u64, u64, Rating)]) -> Result<()> {
        let db = self.db.clone();
        for chunk in rows.chunks(STAGE_ROWS) {
            let json = json_rows(
                chunk
                    .iter()
                    .map(|(u, b, r)| [*u, *b, u64::from(r.halves())]),
            );
            stage(
                &db,
                &mut self.tx,
                "bulk_ratings (user_no, book_no, halves)",
                json,
            )
            .await?;
        }
        self.staged_ratings += rows.len() as u64;
        Ok(())
    }

    /// Stage to-read rows: (reader number, book number), in the order the
    /// reader queued them.
    pub async fn to_read(&mut self, rows: &[(u64, u64)]) -> Result<()> {
        let db = self.db.clone();
        let first = self.staged_to_read;
        for (c, chunk) in rows.chunks(STAGE_ROWS).enumerate() {
            let base = first + (c * STAGE_ROWS) as u64;
            let json = json_rows(
                chunk
                    .iter()
                    .enumerate()
                    .map(|(i, (u, b))| [base + i as u64, *u, *b]),
            );
            stage(
                &db,
                &mut self.tx,
                "bulk_to_read (seq, user_no, book_no)",
                json,
            )
            .await?;
        }
        self.staged_to_read += rows.len() as u64;
        Ok(())
    }

    /// Move the staged rows into place and commit. `shelve_as_read` puts
    /// each rated book that is on none of its reader's shelves on "read"
    /// (as rating one book on its page does), with the same reading id a
    /// single rating would give it.
    pub async fn finish(mut self, shelve_as_read: bool) -> Result<Loaded> {
        let db = self.db.clone();
        let tx = &mut self.tx;
        let at = now();
        let sqlite = matches!(tx, Tx::Sqlite(_));
        let rebuild = sqlite && self.staged_ratings + self.staged_to_read >= REBUILD_INDEXES_FROM;
        let mut indexes: Vec<(String, String)> = Vec::new();
        if rebuild && let Tx::Sqlite(t) = &mut *tx {
            let mut sql = String::from(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (",
            );
            sql.push_str(
                &LOADED_TABLES
                    .iter()
                    .map(|t| format!("'{t}'"))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            sql.push(')');
            indexes = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .fetch_all(&mut **t)
                .await?;
            for (name, _) in &indexes {
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX \"{name}\"")))
                    .execute(&mut **t)
                    .await?;
            }
        }

        // `WHERE TRUE`: SQLite needs it to tell `ON CONFLICT` from a join
        // constraint after a `SELECT`.
        let ratings = tx!(
            &db,
            &mut *tx,
            sqlx::query(
                "INSERT INTO ratings (user_id, work_id, halves, created_at, updated_at)
                 SELECT r.user_id, b.work_id, MAX(s.halves), $1, $1
                 FROM bulk_ratings s
                 JOIN bulk_readers r ON r.no = s.user_no
                 JOIN bulk_books b ON b.no = s.book_no
                 WHERE TRUE
                 GROUP BY r.user_id, b.work_id
                 ORDER BY r.user_id, b.work_id
                 ON CONFLICT (user_id, work_id) DO NOTHING"
            )
            .bind(at),
            execute
        )?
        .rows_affected();

        let queued = tx!(
            &db,
            &mut *tx,
            sqlx::query(
                "INSERT INTO queue_entries (user_id, work_id, position, added_at)
                 SELECT q.user_id, q.work_id,
                    COALESCE((SELECT MAX(e.position) FROM queue_entries e WHERE e.user_id = q.user_id), 0)
                        + ROW_NUMBER() OVER (PARTITION BY q.user_id ORDER BY q.seq),
                    $1
                 FROM (SELECT r.user_id, b.work_id, MIN(s.seq) AS seq
                       FROM bulk_to_read s
                       JOIN bulk_readers r ON r.no = s.user_no
                       JOIN bulk_books b ON b.no = s.book_no
                       WHERE NOT EXISTS (SELECT 1 FROM queue_entries e
                                         WHERE e.user_id = r.user_id AND e.work_id = b.work_id)
                       GROUP BY r.user_id, b.work_id) q
                 WHERE TRUE
                 ORDER BY q.user_id, q.work_id
                 ON CONFLICT (user_id, work_id) DO NOTHING"
            )
            .bind(at),
            execute
        )?
        .rows_affected();

        let mut readings = 0;
        if shelve_as_read {
            readings = shelve_staged_as_read(&db, tx, at).await?;
        }

        for (_, sql) in &indexes {
            if let Tx::Sqlite(t) = &mut *tx {
                sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .execute(&mut **t)
                    .await?;
            }
        }

        // The totals shown on book pages and used for ranking, from the
        // ratings themselves, for every work the load touched.
        tx!(
            &db,
            &mut *tx,
            sqlx::query(
                "INSERT INTO work_stats (work_id, rating_count, rating_sum)
                 SELECT r.work_id, COUNT(*), CAST(SUM(r.halves) AS BIGINT)
                 FROM ratings r WHERE r.work_id IN (SELECT work_id FROM bulk_books)
                 GROUP BY r.work_id
                 ON CONFLICT (work_id) DO UPDATE SET rating_count = excluded.rating_count,
                    rating_sum = excluded.rating_sum"
            ),
            execute
        )?;
        let works = if ratings + queued + readings > 0 {
            tx!(
                &db,
                &mut *tx,
                sqlx::query(
                    "UPDATE works SET activity_revision = activity_revision + 1
                     WHERE id IN (SELECT work_id FROM bulk_books)"
                ),
                execute
            )?
            .rows_affected()
        } else {
            0
        };

        if let Tx::Sqlite(t) = &mut *tx {
            for table in ["bulk_books", "bulk_readers", "bulk_ratings", "bulk_to_read"] {
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP TABLE temp.{table}")))
                    .execute(&mut **t)
                    .await?;
            }
            // The connection goes back to the pool: its defaults again.
            sqlx::query("PRAGMA cache_size = -2000")
                .execute(&mut **t)
                .await?;
            sqlx::query("PRAGMA temp.cache_size = -2000")
                .execute(&mut **t)
                .await?;
        }
        self.tx.commit().await?;
        Ok(Loaded {
            ratings,
            readings,
            queued,
            works,
        })
    }
}

/// A "read" reading for every staged rating whose reader has the book on
/// no shelf, no reading and no queue place. Its id is the one
/// `ratings::set` would give it, computed here in Rust over the pairs that
/// need one (a second load finds none).
async fn shelve_staged_as_read(db: &Db, tx: &mut Tx, at: time::OffsetDateTime) -> Result<u64> {
    let pairs: Vec<(uuid::Uuid, uuid::Uuid)> = tx!(
        db,
        tx,
        sqlx::query_as(
            "SELECT DISTINCT r.user_id, b.work_id
             FROM bulk_ratings s
             JOIN bulk_readers r ON r.no = s.user_no
             JOIN bulk_books b ON b.no = s.book_no
             WHERE NOT EXISTS (SELECT 1 FROM readings x WHERE x.user_id = r.user_id AND x.work_id = b.work_id)
               AND NOT EXISTS (SELECT 1 FROM queue_entries q WHERE q.user_id = r.user_id AND q.work_id = b.work_id)
               AND NOT EXISTS (SELECT 1 FROM shelf_items e JOIN shelves h ON h.id = e.shelf_id
                               WHERE h.user_id = r.user_id AND e.work_id = b.work_id)"
        ),
        fetch_all
    )?;
    let mut rows: Vec<(uuid::Uuid, uuid::Uuid, uuid::Uuid)> = pairs
        .into_iter()
        .map(|(u, w)| (crate::ratings::rated_read_id(UserId(u), WorkId(w)), u, w))
        .collect();
    // In key order, so the table and its primary key grow at the end.
    rows.sort_unstable();
    let mut added = 0;
    for chunk in rows.chunks(300) {
        let sql = values_sql(
            "INSERT INTO readings (id, user_id, work_id, status, created_at, updated_at)
             SELECT v.column1, v.column2, v.column3, 'read', $1, $1 FROM (VALUES ",
            chunk.len(),
            3,
            ") v WHERE TRUE ON CONFLICT (id) DO NOTHING",
        )
        // The shared timestamp is `$1`; the rows' values start at `$2`.
        .replace("$0", "$1");
        added += tx!(
            db,
            tx,
            {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(at);
                for (id, u, w) in chunk {
                    q = q.bind(*id).bind(*u).bind(*w);
                }
                q
            },
            execute
        )?
        .rows_affected();
    }
    Ok(added)
}

/// `[[a,b,c],…]` for [`stage`].
fn json_rows(rows: impl Iterator<Item = [u64; 3]>) -> String {
    let mut out = String::from("[");
    for (i, [a, b, c]) in rows.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        out.push_str(&a.to_string());
        out.push(',');
        out.push_str(&b.to_string());
        out.push(',');
        out.push_str(&c.to_string());
        out.push(']');
    }
    out.push(']');
    out
}

/// Insert a JSON array of number triples into a staging table's three
/// columns (`target` names the table and columns).
async fn stage(db: &Db, tx: &mut Tx, target: &str, json: String) -> Result<()> {
    let sql = match tx {
        Tx::Sqlite(_) => format!(
            "INSERT INTO {target} SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each($1)"
        ),
        Tx::Postgres(_) => format!(
            "INSERT INTO {target} SELECT CAST(e.v ->> 0 AS BIGINT), CAST(e.v ->> 1 AS BIGINT), CAST(e.v ->> 2 AS BIGINT)
             FROM json_array_elements(CAST($1 AS JSON)) AS e(v)"
        ),
    };
    tx!(
        db,
        tx,
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(json),
        execute
    )?;
    Ok(())
}

fn map_column(table: &str) -> &'static str {
    if table == "bulk_books" {
        "work_id"
    } else {
        "user_id"
    }
}

/// `head (…),(…)… tail` with `width` placeholders a row. Placeholders are
/// numbered from `$1`, or from `$2` when `head` already uses `$1`.
fn values_sql(head: &str, rows: usize, width: usize, tail: &str) -> String {
    let first = if head.contains("$1") { 2 } else { 1 };
    let mut sql = String::with_capacity(head.len() + rows * width * 7 + tail.len());
    sql.push_str(head);
    for i in 0..rows {
        if i > 0 {
            sql.push(',');
        }
        sql.push('(');
        for j in 0..width {
            if j > 0 {
                sql.push(',');
            }
            sql.push('$');
            sql.push_str(&(first + i * width + j).to_string());
        }
        sql.push(')');
    }
    sql.push_str(tail);
    sql
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
