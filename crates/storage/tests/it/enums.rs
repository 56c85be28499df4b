//! Enum columns: CHECK constraints on both engines (migration 0006, which
//! must keep every row), and domain types that bind and decode themselves.

use quire_domain::{Format, ReadingStatus, WorkId};
use quire_storage::{Db, DbOptions};
use sqlx::{AssertSqlSafe, PgPool, SqlitePool};
use uuid::Uuid;

/// A connection of our own beside the `Db`, to write what the code never
/// would.
enum Raw {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

macro_rules! on {
    ($raw:expr, $q:expr, execute) => {
        match $raw {
            Raw::Sqlite(p) => $q.execute(p).await.map(|_| ()),
            Raw::Postgres(p) => $q.execute(p).await.map(|_| ()),
        }
    };
    ($raw:expr, $q:expr, $method:ident) => {
        match $raw {
            Raw::Sqlite(p) => $q.$method(p).await,
            Raw::Postgres(p) => $q.$method(p).await,
        }
    };
}

struct Fresh {
    db: Db,
    raw: Raw,
    _dir: Option<tempfile::TempDir>,
}

/// An empty database, not migrated.
async fn fresh(postgres: bool) -> Fresh {
    let (url, dir) = if postgres {
        let server = quire_testkit::pg::server().await.unwrap();
        let name = format!("quire_m_{}", &Uuid::new_v4().simple().to_string()[..12]);
        (server.create_database(&name, None).await.unwrap(), None)
    } else {
        let dir = tempfile::tempdir().unwrap();
        (
            format!("sqlite://{}", dir.path().join("q.db").display()),
            Some(dir),
        )
    };
    let db = Db::connect(&url, &DbOptions::default()).await.unwrap();
    let raw = if postgres {
        Raw::Postgres(PgPool::connect(&url).await.unwrap())
    } else {
        Raw::Sqlite(SqlitePool::connect(&url).await.unwrap())
    };
    Fresh { db, raw, _dir: dir }
}

/// One row in every table of the schema as of migration 0005.
fn seed_script(postgres: bool) -> String {
    let id = |n: u8| {
        let u = Uuid::from_u128(u128::from(n));
        if postgres {
            format!("'{u}'")
        } else {
            format!("X'{}'", u.simple())
        }
    };
    let bytes = if postgres {
        "decode('00ff', 'hex')"
    } else {
        "X'00FF'"
    };
    let t = "'2026-11-22 10:00:00+00:00'";
    let (u, w, e, c, s, sub, m, q, r, sh, cl, v, ch, j, se, la, cr) = (
        id(1),
        id(2),
        id(3),
        id(4),
        id(5),
        id(6),
        id(7),
        id(8),
        id(9),
        id(10),
        id(11),
        id(12),
        id(13),
        id(14),
        id(15),
        id(16),
        id(17),
    );
    format!(
        "INSERT INTO users (id, username, username_key, display_name, is_demo, created_at, role)
           VALUES ({u}, 'ada', 'ada', 'Ada', FALSE, {t}, 'admin');
         INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ('h', {u}, {t}, {t});
         INSERT INTO login_attempts (id, username_key, client, succeeded, at) VALUES ({la}, 'ada', 'x', TRUE, {t});
         INSERT INTO series (id, name, name_key) VALUES ({se}, 'S', 's');
         INSERT INTO works (id, slug, title, sort_title, series_id, revision, created_at, updated_at, locked_by)
           VALUES ({w}, 'w', 'W', 'w', {se}, 1, {t}, {t}, {u});
         INSERT INTO editions (id, work_id, title, format, isbn13, is_primary, created_at)
           VALUES ({e}, {w}, 'W', 'paperback', '9780000000002', TRUE, {t});
         INSERT INTO covers (edition_id, content_type, data, updated_at) VALUES ({e}, 'image/png', {bytes}, {t});
         INSERT INTO contributors (id, name, sort_name, name_key, created_at) VALUES ({c}, 'C', 'C', 'c', {t});
         INSERT INTO credits (id, work_id, edition_id, contributor_id, role, position)
           VALUES ({cr}, {w}, {e}, {c}, 'translator', 1);
         INSERT INTO subjects (id, name, name_key) VALUES ({sub}, 'Sub', 'sub');
         INSERT INTO work_subjects (work_id, subject_id, weight) VALUES ({w}, {sub}, 3);
         INSERT INTO work_identifiers (scheme, value, work_id) VALUES ('goodbooks', '1', {w});
         INSERT INTO materials (id, work_id, kind, body, source, position, created_by, created_at)
           VALUES ({m}, {w}, 'author_note', 'b', 'author', 1, {u}, {t});
         INSERT INTO questions (id, work_id, body, source, position, created_by, created_at)
           VALUES ({q}, {w}, 'q?', 'member', 1, {u}, {t});
         INSERT INTO question_votes (question_id, user_id, created_at) VALUES ({q}, {u}, {t});
         INSERT INTO ratings (user_id, work_id, halves, created_at, updated_at) VALUES ({u}, {w}, 9, {t}, {t});
         INSERT INTO work_stats (work_id, rating_count, rating_sum) VALUES ({w}, 1, 9);
         INSERT INTO reviews (id, user_id, work_id, body, body_html, spoiler, created_at, updated_at)
           VALUES ({s}, {u}, {w}, 'r', '<p>r</p>', FALSE, {t}, {t});
         INSERT INTO queue_entries (user_id, work_id, position, added_at) VALUES ({u}, {w}, 1, {t});
         INSERT INTO readings (id, user_id, work_id, edition_id, status, started_on, progress_unit,
             progress_value, created_at, updated_at)
           VALUES ({r}, {u}, {w}, {e}, 'reading', '2026-11-01', 'page', 12, {t}, {t});
         INSERT INTO shelves (id, user_id, name, slug, created_at) VALUES ({sh}, {u}, 'Sh', 'sh', {t});
         INSERT INTO shelf_items (shelf_id, work_id, added_at) VALUES ({sh}, {w}, {t});
         INSERT INTO clubs (id, name, slug, created_at) VALUES ({cl}, 'Club', 'club', {t});
         INSERT INTO club_books (club_id, work_id, status, added_at) VALUES ({cl}, {w}, 'current', {t});
         INSERT INTO verified_links (id, user_id, kind, contributor_id, granted_at) VALUES ({v}, {u}, 'contributor', {c}, {t});
         INSERT INTO catalog_changes (id, work_id, kind, summary, user_id, created_at)
           VALUES ({ch}, {w}, 'edit', 'x', {u}, {t});
         INSERT INTO catalog_change_fields (change_id, position, entity, entity_id, field, after_value)
           VALUES ({ch}, 1, 'work', {w}, 'title', '\"W\"');
         INSERT INTO jobs (id, kind, payload, state, run_at, attempts, max_attempts, created_at)
           VALUES ({j}, 'purge_sessions', 'null', 'pending', {t}, 0, 5, {t});"
    )
}

async fn row_counts(f: &Fresh) -> Vec<(String, i64)> {
    let mut tables: Vec<String> =
        f.db.schema_columns()
            .await
            .unwrap()
            .into_iter()
            .map(|(t, _, _)| t)
            .collect();
    tables.dedup();
    let mut out = Vec::new();
    for t in tables {
        let sql = format!("SELECT COUNT(*) FROM {t}");
        let (n,): (i64,) = on!(&f.raw, sqlx::query_as(AssertSqlSafe(sql)), fetch_one).unwrap();
        out.push((t, n));
    }
    out
}

/// Each enum column, a value it must refuse, and a row to try it on.
const BAD_VALUES: &[(&str, &str)] = &[
    ("editions", "format"),
    ("credits", "role"),
    ("materials", "kind"),
    ("materials", "source"),
    ("questions", "source"),
    ("readings", "status"),
    ("readings", "progress_unit"),
    ("club_books", "status"),
];

async fn checks_keep_rows_and_refuse_bad_values(postgres: bool) {
    let f = fresh(postgres).await;
    f.db.migrate_to(5).await.unwrap();
    let script = seed_script(postgres);
    on!(
        &f.raw,
        sqlx::raw_sql(AssertSqlSafe(script.clone())),
        execute
    )
    .unwrap();
    let before = row_counts(&f).await;
    // Every table of the schema up to 0005 has a row (tables other parts
    // add in their own migrations may be empty).
    let seeded: Vec<&str> = script
        .split("INSERT INTO ")
        .skip(1)
        .filter_map(|s| s.split_whitespace().next())
        .collect();
    assert!(seeded.len() >= 28, "{seeded:?}");
    for (t, n) in &before {
        assert!(*n > 0 || !seeded.contains(&t.as_str()), "{t} is empty");
    }

    // Up to 0013: 0014 turns the part-1 club list into selections and
    // nominations (`clubs::the_part_one_club_list_becomes_selections`).
    f.db.migrate_to(13).await.unwrap();
    // Later migrations add tables of their own; the rows that were there
    // before are what must survive.
    let after: Vec<(String, i64)> = row_counts(&f)
        .await
        .into_iter()
        .filter(|(t, _)| before.iter().any(|(b, _)| b == t))
        .collect();
    assert_eq!(after, before, "every row survives migration 0006");

    for (table, column) in BAD_VALUES {
        let sql = format!("UPDATE {table} SET {column} = 'bogus'");
        let err = on!(&f.raw, sqlx::query(AssertSqlSafe(sql)), execute)
            .expect_err(&format!("{table}.{column} must refuse an unknown value"));
        let db_err = err.as_database_error().expect("a database error");
        assert!(db_err.is_check_violation(), "{table}.{column}: {db_err}");
    }
    // The foreign keys still act after the rebuild: deleting the work takes
    // its editions, and the editions' covers, with it.
    on!(&f.raw, sqlx::query("DELETE FROM works"), execute).unwrap();
    let after = row_counts(&f).await;
    for t in ["editions", "covers", "credits", "readings", "club_books"] {
        assert_eq!(after.iter().find(|(n, _)| n == t).unwrap().1, 0, "{t}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enum_checks_keep_every_row_and_refuse_bad_values_sqlite() {
    checks_keep_rows_and_refuse_bad_values(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enum_checks_keep_every_row_and_refuse_bad_values_postgres() {
    checks_keep_rows_and_refuse_bad_values(true).await;
}

async fn domain_types_decode_themselves(postgres: bool) {
    let f = fresh(postgres).await;
    let work = WorkId::new();
    let (w, s, fm): (WorkId, ReadingStatus, Format) = on!(
        &f.raw,
        sqlx::query_as("SELECT $1, $2, $3")
            .bind(work)
            .bind(ReadingStatus::DidNotFinish)
            .bind(Format::Ebook),
        fetch_one
    )
    .unwrap();
    assert_eq!(
        (w, s, fm),
        (work, ReadingStatus::DidNotFinish, Format::Ebook)
    );
    let (text,): (String,) = on!(
        &f.raw,
        sqlx::query_as("SELECT CAST($1 AS TEXT)").bind(ReadingStatus::DidNotFinish),
        fetch_one
    )
    .unwrap();
    assert_eq!(text, "dnf", "stored as its text");

    let err = on!(
        &f.raw,
        sqlx::query_as::<_, (ReadingStatus,)>("SELECT CAST($1 AS TEXT)").bind("finished"),
        fetch_one
    )
    .expect_err("an unknown stored value is an error");
    assert!(
        err.to_string()
            .contains("\"finished\" is not a known ReadingStatus"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn domain_types_decode_themselves_sqlite() {
    domain_types_decode_themselves(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn domain_types_decode_themselves_postgres() {
    domain_types_decode_themselves(true).await;
}
