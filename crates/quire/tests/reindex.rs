//! `quire reindex`: the search index is built beside a SQLite file, built
//! again from nothing on a second run, and refused (with the reason) when
//! the index lives in memory.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

const QUIRE: &str = env!("CARGO_BIN_EXE_quire");

fn quire(database: &str, args: &[&str]) -> std::process::Output {
    Command::new(QUIRE)
        .args(["--database", database])
        .args(args)
        .env_remove("QUIRE_SEARCH_DIR")
        .output()
        .expect("run quire")
}

#[test]
fn reindex_builds_the_index_beside_the_database_and_again_from_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("q.db").display());
    let out = quire(&db, &["migrate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    for _ in 0..2 {
        let out = quire(&db, &["reindex"]);
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{said}");
        assert!(
            said.contains("holds 0 books, 0 authors, 0 public clubs and 0 members"),
            "{said}"
        );
        let index = dir.path().join("q.db.search");
        assert!(
            index.join("meta.json").exists(),
            "no index in {}",
            index.display()
        );
        assert!(index.join("quire-synced-at").exists());
    }

    // A database whose index lives in memory has nothing to rebuild.
    let out = Command::new(QUIRE)
        .args(["--database", "sqlite::memory:", "reindex"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--search-dir"));
}
