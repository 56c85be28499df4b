//! Bulk loading of readers' ratings and to-read lists, for catalog-scale
//! imports (goodbooks-shaped data sets of millions of ratings).
//!
//! Rows arrive as the data set's own reader and book numbers and are held
//! in memory, a dozen bytes a rating, until [`RatingsLoad::finish`]. There
//! each reader and book gets a rank in the order of its id, every row
//! becomes one integer (reader rank, book rank, stars), and the rows are
//! sorted and de-duplicated in Rust. They then go into `ratings` and
//! `queue_entries` in the order of those tables' keys, a chunk per
//! statement, joined to two small temporary tables that turn ranks back
//! into ids. Sorting here rather than in the database is what makes the
//! load fast: the database appends to its B-trees instead of sorting
//! millions of 32-byte keys, and on SQLite the foreign keys of every row
//! are checked once per reader and book instead of once per row (the load
//! runs on a connection without enforcement, see [`Db::begin_bulk`]).
//!
//! On SQLite the secondary indexes of a table that takes 200,000 rows or
//! more are dropped and built again at the end (one sort each instead of
//! millions of scattered updates). Everything is one transaction: a failed
//! load leaves the database as it was, and a second run of the same rows
//! adds nothing (`ON CONFLICT DO NOTHING`, queue places only for books not
//! queued yet, readings only where the reader has none for that book).

use std::collections::{HashMap, HashSet};

use crate::Result;
use crate::db::{Db, StorageError, Tx, now, value_rows};
use quire_domain::{Rating, UserId, WorkId};
use uuid::Uuid;

/// Rows into one table above which its secondary indexes are dropped and
/// rebuilt on SQLite rather than kept up to date row by row.
const REBUILD_INDEXES_FROM: u64 = 200_000;

/// Rows per statement. They travel as one JSON array of integers, unpacked
/// by the database (`json_each`, `json_array_elements_text`): binding each
/// value costs far more here than the database's own parsing.
const CHUNK: usize = 50_000;

/// Bits of a row's integer: a rating is `reader << 34 | book << 4 |
/// halves`, a reader's book is `reader << 30 | book`. Ranks stay below
/// these bounds so the integer is a positive `BIGINT`.
const BOOK_BITS: u32 = 30;
const HALVES_BITS: u32 = 4;
const MAX_READERS: usize = 1 << 29;
const MAX_BOOKS: usize = 1 << BOOK_BITS;
const BOOK_MASK: u64 = (1 << BOOK_BITS) - 1;

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

/// The data set's numbers in the order they first appear in the rows; rows
/// hold the position (four bytes) instead of the number.
#[derive(Default)]
struct Numbers {
    index: HashMap<u64, u32>,
    seen: Vec<u64>,
}

impl Numbers {
    fn intern(&mut self, no: u64) -> u32 {
        let next = self.seen.len() as u32;
        *self.index.entry(no).or_insert_with(|| {
            self.seen.push(no);
            next
        })
    }
}

/// Ids in their sort order: `rank[i]` is the rank of the id of the `i`th
/// number seen (`None` when no id was given for it), `ids[rank]` the id.
/// Numbers given the same id share its rank.
struct Ranks {
    rank: Vec<Option<u32>>,
    ids: Vec<Uuid>,
}

impl Ranks {
    fn new(numbers: &Numbers, ids: &HashMap<u64, Uuid>) -> Ranks {
        let mut sorted: Vec<Uuid> = numbers
            .seen
            .iter()
            .filter_map(|n| ids.get(n).copied())
            .collect();
        sorted.sort_unstable();
        sorted.dedup();
        let rank = numbers
            .seen
            .iter()
            .map(|n| {
                ids.get(n)
                    .and_then(|id| sorted.binary_search(id).ok())
                    .map(|r| r as u32)
            })
            .collect();
        Ranks { rank, ids: sorted }
    }
}

/// A bulk load in progress: one open transaction. Nothing is visible to
/// other connections until [`RatingsLoad::finish`]; dropping it rolls
/// everything back.
pub struct RatingsLoad {
    db: Db,
    tx: Tx,
    book_ids: HashMap<u64, Uuid>,
    reader_ids: HashMap<u64, Uuid>,
    readers: Numbers,
    books: Numbers,
    /// (reader, book, halves), as positions in `readers` and `books`.
    ratings: Vec<(u32, u32, u8)>,
    /// (reader, book) in the order the readers queued them.
    to_read: Vec<(u32, u32)>,
}

impl RatingsLoad {
    /// Begin a load. Readers and works must exist already, or be created
    /// with [`Self::demo_readers`] (this holds SQLite's only write
    /// connection until it ends).
    pub async fn begin(db: &Db) -> Result<RatingsLoad> {
        let mut tx = db.begin_bulk().await?;
        if let Tx::Sqlite(t) = &mut tx {
            // About 512 MB of page cache while it loads (the default is
            // 32 MB): it also sizes the sorts that build the indexes again.
            // The connection closes with the load.
            sqlx::query("PRAGMA cache_size = -524288")
                .execute(&mut **t)
                .await?;
        }
        Ok(RatingsLoad {
            db: db.clone(),
            tx,
            book_ids: HashMap::new(),
            reader_ids: HashMap::new(),
            readers: Numbers::default(),
            books: Numbers::default(),
            ratings: Vec::new(),
            to_read: Vec::new(),
        })
    }

    /// Say which work each of the data set's book numbers is.
    pub fn books(&mut self, rows: &[(u64, WorkId)]) {
        self.book_ids.extend(rows.iter().map(|(n, w)| (*n, w.0)));
    }

    /// Say which account each of the data set's reader numbers is.
    pub fn readers(&mut self, rows: &[(u64, UserId)]) {
        self.reader_ids.extend(rows.iter().map(|(n, u)| (*n, u.0)));
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
        self.readers(&map);
        Ok(added)
    }

    /// Add ratings: (reader number, book number, rating). Rows naming a
    /// reader or book not given to [`Self::readers`] or [`Self::books`]
    /// are left out at the end; of two ratings of one book by one reader
    /// the higher is kept.
    pub fn ratings(&mut self, rows: &[(u64, u64, Rating)]) {
        self.ratings.reserve(rows.len());
        for (u, b, r) in rows {
            let row = (self.readers.intern(*u), self.books.intern(*b), r.halves());
            self.ratings.push(row);
        }
    }

    /// Add to-read rows: (reader number, book number), in the order the
    /// reader queued them.
    pub fn to_read(&mut self, rows: &[(u64, u64)]) {
        self.to_read.reserve(rows.len());
        for (u, b) in rows {
            let row = (self.readers.intern(*u), self.books.intern(*b));
            self.to_read.push(row);
        }
    }

    /// Move the rows into place and commit. `shelve_as_read` puts each
    /// rated book that is on none of its reader's shelves on "read" (as
    /// rating one book on its page does), with the same reading id a
    /// single rating would give it.
    pub async fn finish(mut self, shelve_as_read: bool) -> Result<Loaded> {
        let db = self.db.clone();
        let at = now();
        let readers = Ranks::new(&self.readers, &self.reader_ids);
        let books = Ranks::new(&self.books, &self.book_ids);
        if readers.ids.len() >= MAX_READERS || books.ids.len() >= MAX_BOOKS {
            return Err(StorageError::Conflict(format!(
                "a bulk load takes at most {MAX_READERS} readers and {MAX_BOOKS} books"
            )));
        }
        let ratings = rating_keys(std::mem::take(&mut self.ratings), &readers, &books);
        let to_read = std::mem::take(&mut self.to_read);
        let tx = &mut self.tx;
        create_rank_tables(&db, tx, &readers, &books).await?;

        let queue = queue_rows(&db, tx, &to_read, &readers, &books).await?;
        drop(to_read);
        // Which rated books go on "read", decided before the indexes that
        // answer it are dropped; the books this load queues are left out.
        let read = if shelve_as_read {
            let queued: HashSet<u64> = queue.iter().map(|(k, _)| *k).collect();
            rated_unshelved(&db, tx, &ratings, &queued).await?
        } else {
            Vec::new()
        };

        let heavy: Vec<&str> = [
            ("ratings", ratings.len()),
            ("queue_entries", queue.len()),
            ("readings", read.len()),
        ]
        .into_iter()
        .filter(|(_, rows)| *rows as u64 >= REBUILD_INDEXES_FROM)
        .map(|(table, _)| table)
        .collect();
        let indexes = drop_indexes(tx, &heavy).await?;

        let mut added = Loaded::default();
        let (single, pairs) = sources(tx);
        let insert_ratings = format!(
            "INSERT INTO ratings (user_id, work_id, halves, created_at, updated_at)
             SELECT r.user_id, b.work_id, j.k & {halves}, $2, $2
             FROM {single} CROSS JOIN bulk_readers r CROSS JOIN bulk_books b
             WHERE r.no = j.k >> {reader_shift} AND b.no = (j.k >> {HALVES_BITS}) & {BOOK_MASK}
             ON CONFLICT (user_id, work_id) DO NOTHING",
            halves = (1 << HALVES_BITS) - 1,
            reader_shift = BOOK_BITS + HALVES_BITS,
        );
        for chunk in ratings.chunks(CHUNK) {
            added.ratings += tx!(
                &db,
                &mut *tx,
                sqlx::query(sqlx::AssertSqlSafe(insert_ratings.as_str()))
                    .bind(json(chunk)?)
                    .bind(at),
                execute
            )?
            .0;
        }
        let insert_queue = format!(
            "INSERT INTO queue_entries (user_id, work_id, position, added_at)
             SELECT r.user_id, b.work_id, j.p, $2
             FROM {pairs} CROSS JOIN bulk_readers r CROSS JOIN bulk_books b
             WHERE r.no = j.k >> {BOOK_BITS} AND b.no = j.k & {BOOK_MASK}
             ON CONFLICT (user_id, work_id) DO NOTHING"
        );
        for chunk in queue.chunks(CHUNK) {
            added.queued += tx!(
                &db,
                &mut *tx,
                sqlx::query(sqlx::AssertSqlSafe(insert_queue.as_str()))
                    .bind(json(chunk)?)
                    .bind(at),
                execute
            )?
            .0;
        }
        added.readings = insert_read(&db, tx, read, at).await?;

        for sql in &indexes {
            tx!(
                &db,
                &mut *tx,
                sqlx::query(sqlx::AssertSqlSafe(sql.as_str())),
                execute
            )?;
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
        if added.ratings + added.queued + added.readings > 0 {
            added.works = tx!(
                &db,
                &mut *tx,
                sqlx::query(
                    "UPDATE works SET activity_revision = activity_revision + 1
                     WHERE id IN (SELECT work_id FROM bulk_books)"
                ),
                execute
            )?
            .0;
        }
        // On SQLite the connection closes with the transaction, and its
        // temporary tables with it; PostgreSQL drops them at the commit.
        self.tx.commit().await?;
        Ok(added)
    }
}

/// Each rating as one integer, sorted (so in the order of the readers' and
/// books' ids, the key order of `ratings`), one per reader and book (the
/// highest stars, which sort last), rows without a known reader or book
/// left out.
fn rating_keys(rows: Vec<(u32, u32, u8)>, readers: &Ranks, books: &Ranks) -> Vec<u64> {
    let mut keys: Vec<u64> = rows
        .into_iter()
        .filter_map(|(u, b, h)| {
            let u = readers.rank[u as usize]?;
            let b = books.rank[b as usize]?;
            Some(pair(u, b) << HALVES_BITS | u64::from(h))
        })
        .collect();
    keys.sort_unstable();
    let mut kept: Vec<u64> = Vec::with_capacity(keys.len());
    for k in keys {
        match kept.last_mut() {
            Some(last) if *last >> HALVES_BITS == k >> HALVES_BITS => *last = k,
            _ => kept.push(k),
        }
    }
    kept
}

fn pair(reader: u32, book: u32) -> u64 {
    u64::from(reader) << BOOK_BITS | u64::from(book)
}

/// The two temporary tables that turn ranks back into ids, after checking
/// that every id names an account or a work (the load's rows are not
/// checked one by one on SQLite).
async fn create_rank_tables(db: &Db, tx: &mut Tx, readers: &Ranks, books: &Ranks) -> Result<()> {
    let (id_type, key, on_commit) = match tx {
        Tx::Sqlite(_) => ("BLOB", "INTEGER", ""),
        Tx::Postgres(_) => ("UUID", "BIGINT", " ON COMMIT DROP"),
    };
    for (table, column, ranks, parent, unknown) in [
        (
            "bulk_readers",
            "user_id",
            readers,
            "users",
            "readers without an account",
        ),
        (
            "bulk_books",
            "work_id",
            books,
            "works",
            "books not in the catalog",
        ),
    ] {
        let ddl = format!(
            "CREATE TEMP TABLE {table} (no {key} PRIMARY KEY, {column} {id_type} NOT NULL){on_commit}"
        );
        tx!(db, &mut *tx, sqlx::query(sqlx::AssertSqlSafe(ddl)), execute)?;
        for (c, chunk) in ranks.ids.chunks(400).enumerate() {
            let sql = format!(
                "INSERT INTO {table} (no, {column}) VALUES {}",
                value_rows(1, chunk.len(), 2)
            );
            tx!(
                db,
                &mut *tx,
                {
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                    for (i, id) in chunk.iter().enumerate() {
                        q = q.bind((c * 400 + i) as i64).bind(*id);
                    }
                    q
                },
                execute
            )?;
        }
        let check = format!(
            "SELECT COUNT(*) FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.id = t.{column})"
        );
        let (missing,): (i64,) = tx!(
            db,
            &mut *tx,
            sqlx::query_as(sqlx::AssertSqlSafe(check)),
            fetch_one
        )?;
        if missing > 0 {
            return Err(StorageError::Conflict(format!(
                "the bulk load names {unknown} ({missing})"
            )));
        }
    }
    Ok(())
}

/// The queue places to add: (reader and book as one integer, place), in
/// key order. A book is queued once, at its first row; books already in
/// the reader's queue are left there; new books go after the reader's
/// last place, in the order of the rows.
async fn queue_rows(
    db: &Db,
    tx: &mut Tx,
    rows: &[(u32, u32)],
    readers: &Ranks,
    books: &Ranks,
) -> Result<Vec<(u64, i64)>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let existing: Vec<(i64, Uuid, i64)> = tx!(
        db,
        &mut *tx,
        sqlx::query_as(
            "SELECT r.no, e.work_id, e.position
             FROM bulk_readers r JOIN queue_entries e ON e.user_id = r.user_id"
        ),
        fetch_all
    )?;
    let mut last: HashMap<u32, i64> = HashMap::new();
    let mut queued: HashSet<u64> = HashSet::new();
    for (reader, work, position) in existing {
        let reader = reader as u32;
        let top = last.entry(reader).or_insert(0);
        *top = (*top).max(position);
        if let Ok(book) = books.ids.binary_search(&work) {
            queued.insert(pair(reader, book as u32));
        }
    }
    // (reader, book, row) for the rows with both known; the first row of
    // each book wins.
    let mut wanted: Vec<(u64, u32)> = rows
        .iter()
        .enumerate()
        .filter_map(|(seq, (u, b))| {
            let u = readers.rank[*u as usize]?;
            let b = books.rank[*b as usize]?;
            Some((pair(u, b), seq as u32))
        })
        .collect();
    wanted.sort_unstable();
    wanted.dedup_by_key(|(k, _)| *k);
    wanted.retain(|(k, _)| !queued.contains(k));
    // Places in row order per reader, then back to key order.
    wanted.sort_unstable_by_key(|(k, seq)| (k >> BOOK_BITS, *seq));
    let mut placed: Vec<(u64, i64)> = Vec::with_capacity(wanted.len());
    let mut reader = u64::MAX;
    let mut next = 0;
    for (k, _) in wanted {
        if k >> BOOK_BITS != reader {
            reader = k >> BOOK_BITS;
            next = last.get(&(reader as u32)).copied().unwrap_or(0);
        }
        next += 1;
        placed.push((k, next));
    }
    placed.sort_unstable();
    Ok(placed)
}

/// The rated books (reader and book as one integer) that are on none of
/// their reader's shelves, in no reading, in no queue and not queued by
/// this load.
async fn rated_unshelved(
    db: &Db,
    tx: &mut Tx,
    ratings: &[u64],
    queued: &HashSet<u64>,
) -> Result<Vec<(Uuid, Uuid)>> {
    let (single, _) = sources(tx);
    let sql = format!(
        "SELECT r.user_id, b.work_id
         FROM {single} CROSS JOIN bulk_readers r CROSS JOIN bulk_books b
         WHERE r.no = j.k >> {BOOK_BITS} AND b.no = j.k & {BOOK_MASK}
           AND NOT EXISTS (SELECT 1 FROM readings x WHERE x.user_id = r.user_id AND x.work_id = b.work_id)
           AND NOT EXISTS (SELECT 1 FROM queue_entries q WHERE q.user_id = r.user_id AND q.work_id = b.work_id)
           AND NOT EXISTS (SELECT 1 FROM shelf_items e JOIN shelves h ON h.id = e.shelf_id
                           WHERE h.user_id = r.user_id AND e.work_id = b.work_id)"
    );
    let mut out = Vec::new();
    let pairs: Vec<u64> = ratings
        .iter()
        .map(|k| k >> HALVES_BITS)
        .filter(|k| !queued.contains(k))
        .collect();
    for chunk in pairs.chunks(CHUNK) {
        let found: Vec<(Uuid, Uuid)> = tx!(
            db,
            &mut *tx,
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(json(chunk)?),
            fetch_all
        )?;
        out.extend(found);
    }
    Ok(out)
}

/// A "read" reading for each pair, with the id `ratings::set` would give
/// it, in the order of that id (the primary key).
async fn insert_read(
    db: &Db,
    tx: &mut Tx,
    pairs: Vec<(Uuid, Uuid)>,
    at: time::OffsetDateTime,
) -> Result<u64> {
    let mut rows: Vec<(Uuid, Uuid, Uuid)> = pairs
        .into_iter()
        .map(|(u, w)| (crate::ratings::rated_read_id(UserId(u), WorkId(w)), u, w))
        .collect();
    rows.sort_unstable();
    let mut added = 0;
    for chunk in rows.chunks(300) {
        let sql = format!(
            "INSERT INTO readings (id, user_id, work_id, status, created_at, updated_at)
             SELECT v.column1, v.column2, v.column3, 'read', $1, $1 FROM (VALUES {}) v
             WHERE TRUE ON CONFLICT (id) DO NOTHING",
            value_rows(2, chunk.len(), 3)
        );
        added += tx!(
            db,
            &mut *tx,
            {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(at);
                for (id, u, w) in chunk {
                    q = q.bind(*id).bind(*u).bind(*w);
                }
                q
            },
            execute
        )?
        .0;
    }
    Ok(added)
}

/// Drop the secondary indexes of `tables` (on SQLite; PostgreSQL keeps
/// its indexes); returns the statements that make them again. They are
/// read from `sqlite_master`, so they stay what the migrations made.
async fn drop_indexes(tx: &mut Tx, tables: &[&str]) -> Result<Vec<String>> {
    let Tx::Sqlite(t) = tx else {
        return Ok(Vec::new());
    };
    if tables.is_empty() {
        return Ok(Vec::new());
    }
    let tables = tables
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let indexes: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({tables})"
    )))
    .fetch_all(&mut **t)
    .await?;
    for (name, _) in &indexes {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX \"{name}\"")))
            .execute(&mut **t)
            .await?;
    }
    Ok(indexes.into_iter().map(|(_, sql)| sql).collect())
}

/// The row sources of a JSON array bound as `$1`: of integers (`j.k`) and
/// of `[integer, integer]` pairs (`j.k`, `j.p`), in array order.
fn sources(tx: &Tx) -> (&'static str, &'static str) {
    match tx {
        Tx::Sqlite(_) => (
            "(SELECT value AS k FROM json_each($1)) j",
            "(SELECT value ->> 0 AS k, value ->> 1 AS p FROM json_each($1)) j",
        ),
        Tx::Postgres(_) => (
            "(SELECT CAST(e AS BIGINT) AS k FROM json_array_elements_text(CAST($1 AS JSON)) e) j",
            "(SELECT CAST(e ->> 0 AS BIGINT) AS k, CAST(e ->> 1 AS BIGINT) AS p
              FROM json_array_elements(CAST($1 AS JSON)) e) j",
        ),
    }
}

/// Rows as a JSON array: `[k,…]` for integers, `[[k,p],…]` for pairs.
fn json<T: serde::Serialize + ?Sized>(rows: &T) -> Result<String> {
    serde_json::to_string(rows)
        .map_err(|e| StorageError::Corrupt(format!("a bulk load's rows as JSON: {e}")))
}
