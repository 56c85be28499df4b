//! A fresh, migrated database for each test, on SQLite (a file in a
//! temporary folder) or PostgreSQL (a clone of a template database migrated
//! once per process, so tests never share state and need no serialising).

use quire_storage::{Db, DbOptions};
use tokio::sync::OnceCell;

pub struct TestDb {
    pub db: Db,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temporary folder");
    let url = format!("sqlite://{}", dir.path().join("quire.db").display());
    let db = Db::connect(&url, &DbOptions::default())
        .await
        .expect("open SQLite");
    db.migrate().await.expect("migrate SQLite");
    TestDb {
        db,
        url,
        _dir: Some(dir),
    }
}

static TEMPLATE: OnceCell<String> = OnceCell::const_new();

/// The name of this process's migrated template database.
async fn template() -> &'static str {
    TEMPLATE
        .get_or_init(|| async {
            let server = crate::pg::server()
                .await
                .expect("start PostgreSQL for tests");
            let name = format!("quire_tpl_{}_{}", std::process::id(), short_id());
            let url = server
                .create_database(&name, None)
                .await
                .expect("create the template database");
            let db = Db::connect(&url, &DbOptions::default())
                .await
                .expect("open the template database");
            db.migrate().await.expect("migrate PostgreSQL");
            // A template cannot be cloned while anyone is connected to it.
            db.close().await;
            name
        })
        .await
}

fn short_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_string()
}

pub async fn postgres() -> TestDb {
    let template = template().await;
    let server = crate::pg::server()
        .await
        .expect("start PostgreSQL for tests");
    let name = format!("quire_t_{}", short_id());
    let url = server
        .create_database(&name, Some(template))
        .await
        .expect("clone the template database");
    let db = Db::connect(&url, &DbOptions::default())
        .await
        .expect("open PostgreSQL");
    TestDb {
        db,
        url,
        _dir: None,
    }
}

/// Write each test once and run it on both backends:
///
/// ```ignore
/// quire_testkit::both_backends! {
///     async fn rating_is_saved(db: Db) { /* … */ }
/// }
/// ```
/// makes the tests `rating_is_saved::sqlite` and `rating_is_saved::postgres`.
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($db:ident: Db) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($db: quire_storage::Db) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let t = $crate::db::sqlite().await;
                    run(t.db.clone()).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let t = $crate::db::postgres().await;
                    run(t.db.clone()).await;
                }
            }
        )*
    };
}
