use quire_testkit::db;

/// The two migration folders must build the same tables, columns and
/// indexes, or the same code would behave differently on each backend.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_schemas_match() {
    let s = db::sqlite().await;
    let p = db::postgres().await;
    let sc = s.db.schema_columns().await.unwrap();
    let pc = p.db.schema_columns().await.unwrap();
    assert!(sc.len() > 50, "too few columns read: {}", sc.len());
    let only_sqlite: Vec<_> = sc.iter().filter(|c| !pc.contains(c)).collect();
    let only_pg: Vec<_> = pc.iter().filter(|c| !sc.contains(c)).collect();
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "schemas differ.\nonly in SQLite: {only_sqlite:?}\nonly in PostgreSQL: {only_pg:?}"
    );
    assert_eq!(
        s.db.schema_indexes().await.unwrap(),
        p.db.schema_indexes().await.unwrap()
    );
}

#[tokio::test]
async fn unknown_database_urls_are_refused_with_advice() {
    let err = quire_storage::Db::connect("mysql://x/y", &Default::default())
        .await
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .contains("neither sqlite://PATH nor postgres://"),
        "{err}"
    );
}

#[tokio::test]
async fn migrating_twice_is_harmless() {
    let s = db::sqlite().await;
    s.db.migrate().await.unwrap();
    let reopened = quire_storage::Db::connect(&s.url, &Default::default())
        .await
        .unwrap();
    reopened.migrate().await.unwrap();
}
