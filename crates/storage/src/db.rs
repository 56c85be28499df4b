//! The connection: backend choice, pools, migrations and the dispatch macros.

use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use time::OffsetDateTime;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error(
        "the database URL \"{0}\" is neither sqlite://PATH nor postgres://…; say which database to use"
    )]
    UnknownUrl(String),
    #[error("could not open the database at {url}: {source}")]
    Connect {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("could not create the folder {path} for the database: {source}")]
    Folder {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("could not bring the database schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}

impl StorageError {
    /// Whether the error is a violated unique constraint (on either backend).
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StorageError::Sql(sqlx::Error::Database(e)) => e.is_unique_violation(),
            _ => false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct DbOptions {
    /// Connections for reads (SQLite) or for everything (PostgreSQL).
    pub max_connections: u32,
}

/// Connections when `QUIRE_DB_CONNECTIONS` does not say.
pub const DEFAULT_CONNECTIONS: u32 = 8;

impl Default for DbOptions {
    /// [`DEFAULT_CONNECTIONS`], or `QUIRE_DB_CONNECTIONS` (1 to 256) when
    /// the environment sets it: a host tunes it to its database server.
    fn default() -> Self {
        let max_connections = std::env::var("QUIRE_DB_CONNECTIONS")
            .ok()
            .and_then(|v| v.trim().parse::<u32>().ok())
            .filter(|n| (1..=256).contains(n))
            .unwrap_or(DEFAULT_CONNECTIONS);
        Self { max_connections }
    }
}

pub(crate) enum Pool {
    /// SQLite allows one writer at a time: writes go through a pool of one
    /// connection so they queue in Rust instead of failing with SQLITE_BUSY,
    /// and reads use connections of their own ([`Lane`]).
    Sqlite {
        read: Lane<SqliteConnection>,
        write: SqlitePool,
    },
    /// Writes and transactions through sqlx's pool; single reads through a
    /// [`Lane`].
    Postgres {
        read: Lane<PgConnection>,
        pool: PgPool,
    },
}

/// Connections for single reads (the `read!` statements), kept without
/// sqlx's pool. sqlx's pool checks a connection with a round trip to the
/// server (`ping`) when it hands it out and again when it takes it back, so
/// a one-statement read cost three round trips on PostgreSQL (three
/// messages to the connection's thread on SQLite); here it costs one. A
/// connection goes back only after its statement finished without error:
/// one that failed or whose request was dropped half-way is closed, and the
/// next read opens a fresh one, so a restarted database costs one failed
/// read per idle connection.
pub(crate) struct Lane<C: Connection> {
    options: <C as Connection>::Options,
    idle: std::sync::Mutex<Vec<C>>,
    permits: tokio::sync::Semaphore,
}

/// A connection taken from a [`Lane`]; it goes back only through
/// [`LaneConn::done`] with a success (dropped, it is closed).
pub(crate) struct LaneConn<'a, C: Connection> {
    pub(crate) conn: C,
    lane: &'a Lane<C>,
    _permit: tokio::sync::SemaphorePermit<'a>,
}

impl<C: Connection> Lane<C> {
    fn new(options: <C as Connection>::Options, size: u32) -> Self {
        Self {
            options,
            idle: std::sync::Mutex::new(Vec::with_capacity(size as usize)),
            permits: tokio::sync::Semaphore::new(size as usize),
        }
    }

    pub(crate) async fn get(&self) -> Result<LaneConn<'_, C>, sqlx::Error> {
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        let idle = self.idle.lock().ok().and_then(|mut v| v.pop());
        let conn = match idle {
            Some(c) => c,
            None => self.options.connect().await?,
        };
        Ok(LaneConn {
            conn,
            lane: self,
            _permit: permit,
        })
    }

    /// Refuse new reads and close the idle connections politely (a
    /// PostgreSQL database can then be dropped at once).
    async fn close(&self) {
        self.permits.close();
        let idle: Vec<C> = match self.idle.lock() {
            Ok(mut v) => v.drain(..).collect(),
            Err(_) => Vec::new(),
        };
        for c in idle {
            let _ = c.close().await;
        }
    }
}

impl<C: Connection> LaneConn<'_, C> {
    /// Give the connection back when its statement succeeded; close it
    /// otherwise (it may be broken or mid-way through a reply).
    pub(crate) fn done<T>(self, r: &Result<T, sqlx::Error>) {
        // "No row" is an answer; any other error may have left the
        // connection broken.
        if matches!(r, Ok(_) | Err(sqlx::Error::RowNotFound))
            && let Ok(mut idle) = self.lane.idle.lock()
        {
            idle.push(self.conn);
        }
    }
}

struct Inner {
    pool: Pool,
    queries: AtomicU64,
}

/// A handle on the database. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

/// A write transaction on either backend.
pub(crate) enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Run one statement that reads. `$q` is a sqlx query builder expression;
/// it is written once and compiled for each backend.
macro_rules! read {
    ($db:expr, $q:expr, $method:ident) => {{
        let db: &$crate::db::Db = $db;
        db.count_query();
        match db.pool() {
            $crate::db::Pool::Sqlite { read, .. } => match read.get().await {
                Ok(mut c) => {
                    let r = $q.$method(&mut c.conn).await;
                    c.done(&r);
                    r
                }
                Err(e) => Err(e),
            },
            $crate::db::Pool::Postgres { read, .. } => match read.get().await {
                Ok(mut c) => {
                    let r = $q.$method(&mut c.conn).await;
                    c.done(&r);
                    r
                }
                Err(e) => Err(e),
            },
        }
    }};
}

/// Run one statement that writes, outside a transaction.
macro_rules! write {
    ($db:expr, $q:expr, execute) => {{
        let db: &$crate::db::Db = $db;
        db.count_query();
        match db.pool() {
            $crate::db::Pool::Sqlite { write, .. } => $q
                .execute(write)
                .await
                .map(|r| $crate::db::Done(r.rows_affected())),
            $crate::db::Pool::Postgres { pool: p, .. } => $q
                .execute(p)
                .await
                .map(|r| $crate::db::Done(r.rows_affected())),
        }
    }};
    ($db:expr, $q:expr, $method:ident) => {{
        let db: &$crate::db::Db = $db;
        db.count_query();
        match db.pool() {
            $crate::db::Pool::Sqlite { write, .. } => $q.$method(write).await,
            $crate::db::Pool::Postgres { pool: p, .. } => $q.$method(p).await,
        }
    }};
}

/// Run one statement inside a transaction begun with [`Db::begin`].
macro_rules! tx {
    ($db:expr, $tx:expr, $q:expr, execute) => {{
        let db: &$crate::db::Db = $db;
        db.count_query();
        match $tx {
            $crate::db::Tx::Sqlite(t) => $q
                .execute(&mut **t)
                .await
                .map(|r| $crate::db::Done(r.rows_affected())),
            $crate::db::Tx::Postgres(t) => $q
                .execute(&mut **t)
                .await
                .map(|r| $crate::db::Done(r.rows_affected())),
        }
    }};
    ($db:expr, $tx:expr, $q:expr, $method:ident) => {{
        let db: &$crate::db::Db = $db;
        db.count_query();
        match $tx {
            $crate::db::Tx::Sqlite(t) => $q.$method(&mut **t).await,
            $crate::db::Tx::Postgres(t) => $q.$method(&mut **t).await,
        }
    }};
}

/// Where a statement that writes runs: on the pool, on its own, or inside
/// an open transaction. A statement used both ways is written once, with
/// [`run!`], and the caller says which.
pub(crate) enum Conn<'a> {
    Pool,
    Tx(&'a mut Tx),
}

/// Run one statement that writes on a [`Conn`]: the pool (as `write!`) or
/// a transaction (as `tx!`).
macro_rules! run {
    ($db:expr, $conn:expr, $q:expr, $method:ident) => {{
        match $conn {
            $crate::db::Conn::Pool => write!($db, $q, $method),
            $crate::db::Conn::Tx(tx) => tx!($db, tx, $q, $method),
        }
    }};
}

/// What a statement that writes reports, on either backend.
pub(crate) struct Done(pub(crate) u64);

impl Done {
    pub(crate) fn rows_affected(&self) -> u64 {
        self.0
    }

    /// `Ok` when the statement touched a row; otherwise "`what` not found"
    /// (an update or delete of a row that is not there, or not the
    /// caller's).
    pub(crate) fn found(&self, what: &'static str) -> Result<(), StorageError> {
        if self.0 == 0 {
            Err(StorageError::NotFound(what))
        } else {
            Ok(())
        }
    }
}

/// A write that names a work that does not exist (a foreign key on
/// `work_id` fails) is the reader's "no such book", not a server error.
pub(crate) fn missing_book(e: sqlx::Error) -> StorageError {
    match &e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => StorageError::NotFound("book"),
        _ => StorageError::Sql(e),
    }
}

/// The rows of a multi-row `VALUES`: `($first, …), (…), …`, `rows` rows
/// of `width` placeholders each, numbered on from `$first`.
pub(crate) fn value_rows(first: usize, rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| {
            format!(
                "({})",
                crate::catalog::placeholders(first + r * width, width)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The current time at the precision Quire stores (whole seconds), so that
/// both backends hold and sort the same values.
pub fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(0).unwrap_or(t)
}

impl Db {
    /// Open the database named by `url`: `sqlite://PATH` (created when
    /// missing) or `postgres://…`. Anything else is refused.
    pub async fn connect(url: &str, opts: &DbOptions) -> Result<Db, StorageError> {
        let connect_err = |source| StorageError::Connect {
            url: redact(url),
            source,
        };
        let pool = if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or(path);
            if let Some(parent) = std::path::Path::new(path).parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent).map_err(|source| StorageError::Folder {
                    path: parent.display().to_string(),
                    source,
                })?;
            }
            let base = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))
                .map_err(connect_err)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("cache_size", "-32000")
                .pragma("temp_store", "memory");
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(base.clone())
                .await
                .map_err(connect_err)?;
            let read = Lane::new(base.read_only(true), opts.max_connections.max(1));
            // Open one now, so a database that cannot be read fails here.
            let first = read.get().await.map_err(connect_err)?;
            first.done(&Ok(()));
            Pool::Sqlite { read, write }
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url).map_err(connect_err)?;
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections.max(2))
                .connect_with(options.clone())
                .await
                .map_err(connect_err)?;
            let read = Lane::new(options, opts.max_connections.max(2));
            Pool::Postgres { read, pool }
        } else {
            return Err(StorageError::UnknownUrl(redact(url)));
        };
        Ok(Db {
            inner: Arc::new(Inner {
                pool,
                queries: AtomicU64::new(0),
            }),
        })
    }

    pub fn backend(&self) -> Backend {
        match self.inner.pool {
            Pool::Sqlite { .. } => Backend::Sqlite,
            Pool::Postgres { .. } => Backend::Postgres,
        }
    }

    /// Bring the schema up to date. Safe to run on every start.
    pub async fn migrate(&self) -> Result<(), StorageError> {
        match &self.inner.pool {
            Pool::Sqlite { write, .. } => sqlx::migrate!("./migrations/sqlite").run(write).await?,
            Pool::Postgres { pool: p, .. } => {
                sqlx::migrate!("./migrations/postgres").run(p).await?
            }
        }
        // Match keys are computed in Rust, so works stored before they
        // existed get theirs here (a no-op once every work has them).
        crate::catalog::backfill_keys(self).await?;
        // Folded search columns are computed in Rust, so a migration that
        // adds them cannot fill them: do it here, once.
        crate::catalog::backfill_folds(self).await?;
        Ok(())
    }

    /// Bring the schema up to `version` and no further: for tests that
    /// check a migration against data written under the schema before it.
    #[doc(hidden)]
    pub async fn migrate_to(&self, version: i64) -> Result<(), StorageError> {
        match &self.inner.pool {
            Pool::Sqlite { write, .. } => {
                sqlx::migrate!("./migrations/sqlite")
                    .run_to(version, write)
                    .await?
            }
            Pool::Postgres { pool: p, .. } => {
                sqlx::migrate!("./migrations/postgres")
                    .run_to(version, p)
                    .await?
            }
        }
        Ok(())
    }

    pub async fn close(&self) {
        match &self.inner.pool {
            Pool::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Pool::Postgres { read, pool } => {
                read.close().await;
                pool.close().await;
            }
        }
    }

    /// How many statements this handle has run since it was opened.
    pub fn queries_run(&self) -> u64 {
        self.inner.queries.load(Ordering::Relaxed)
    }

    pub(crate) fn count_query(&self) {
        self.inner.queries.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn pool(&self) -> &Pool {
        &self.inner.pool
    }

    pub(crate) async fn begin(&self) -> Result<Tx, StorageError> {
        Ok(match &self.inner.pool {
            Pool::Sqlite { write, .. } => Tx::Sqlite(write.begin().await?),
            Pool::Postgres { pool: p, .. } => Tx::Postgres(p.begin().await?),
        })
    }

    /// A write transaction for a bulk load. On SQLite its connection runs
    /// without foreign-key enforcement (the load checks each reader and
    /// book once instead of once per row; the pragma cannot change inside
    /// a transaction) and is closed when the transaction ends, committed or
    /// not, so no later statement runs on it unchecked: the pool opens a
    /// fresh one with the usual settings.
    pub(crate) async fn begin_bulk(&self) -> Result<Tx, StorageError> {
        Ok(match &self.inner.pool {
            Pool::Sqlite { write, .. } => {
                let mut conn = write.acquire().await?;
                conn.close_on_drop();
                sqlx::query("PRAGMA foreign_keys = OFF")
                    .execute(&mut *conn)
                    .await?;
                Tx::Sqlite(sqlx::Transaction::begin(conn, None).await?)
            }
            Pool::Postgres { pool: p, .. } => Tx::Postgres(p.begin().await?),
        })
    }

    /// Names of the tables and their columns, for the test that keeps the two
    /// schemas equal: `(table, column, not_null)` sorted.
    pub async fn schema_columns(&self) -> Result<Vec<(String, String, bool)>, StorageError> {
        let mut cols: Vec<(String, String, bool)> = match &self.inner.pool {
            Pool::Sqlite { write: read, .. } => sqlx::query_as(
                "SELECT m.name, p.name, p.\"notnull\" <> 0 OR p.pk > 0
                 FROM sqlite_master m JOIN pragma_table_info(m.name) p
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
            )
            .fetch_all(read)
            .await?,
            Pool::Postgres { pool: p, .. } => sqlx::query_as(
                "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT), is_nullable = 'NO'
                 FROM information_schema.columns
                 WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'",
            )
            .fetch_all(p)
            .await?,
        };
        cols.sort();
        Ok(cols)
    }

    /// Index names, sorted, for the same test.
    pub async fn schema_indexes(&self) -> Result<Vec<String>, StorageError> {
        let mut names: Vec<(String,)> = match &self.inner.pool {
            Pool::Sqlite { write: read, .. } => {
                sqlx::query_as(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
                )
                .fetch_all(read)
                .await?
            }
            Pool::Postgres { pool: p, .. } => {
                sqlx::query_as(
                    "SELECT CAST(indexname AS TEXT) FROM pg_indexes
                 WHERE schemaname = 'public'
                   AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                )
                .fetch_all(p)
                .await?
            }
        };
        names.sort();
        Ok(names.into_iter().map(|(n,)| n).collect())
    }
}

impl Tx {
    pub(crate) async fn commit(self) -> Result<(), StorageError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Undo everything the transaction did (a read-only look that needed
    /// the writer's view).
    pub(crate) async fn rollback(self) -> Result<(), StorageError> {
        match self {
            Tx::Sqlite(t) => t.rollback().await?,
            Tx::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }
}

/// A URL with any password hidden, for messages and logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}://{user}:***@{}", &url[..s], &url[at + 1..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            super::redact("postgres://quire:s3cret@db:5432/quire"),
            "postgres://quire:***@db:5432/quire"
        );
        assert_eq!(super::redact("sqlite://x.db"), "sqlite://x.db");
    }
}
