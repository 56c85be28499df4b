//! `quire import goodreads|storygraph|…` and `quire export`, through the
//! real binary: the report, the per-row CSV, a dry run that writes
//! nothing, a second run that changes nothing, a wrong format named, and
//! an export that imports again.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const QUIRE: &str = env!("CARGO_BIN_EXE_quire");

fn quire(database: &str, args: &[&str]) -> Output {
    Command::new(QUIRE)
        .args(["--database", database])
        .args(args)
        .env("QUIRE_PASSWORD", "a long enough password")
        .env_remove("QUIRE_SEARCH_DIR")
        .output()
        .expect("run quire")
}

fn ok(out: &Output) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    text
}

fn export_2020() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/reading-exports/goodreads/goodreads_export_2020_31col_MIT.csv")
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_goodreads_library_goes_in_and_comes_out() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("q.db").display());
    ok(&quire(&db, &["admin", "create-user", "--username", "ann"]));
    let file = export_2020();

    // A dry run says what would happen and writes nothing.
    let said = ok(&quire(
        &db,
        &[
            "import",
            "goodreads",
            path(&file),
            "--user",
            "ann",
            "--dry-run",
        ],
    ));
    assert!(said.contains("line 2: \"Warbreaker\" — new book"), "{said}");
    assert!(
        said.contains("326 rows (dry run, nothing written): 326 new books"),
        "{said}"
    );

    let report = dir.path().join("report.csv");
    let said = ok(&quire(
        &db,
        &[
            "import",
            "goodreads",
            path(&file),
            "--user",
            "ann",
            "--report",
            path(&report),
        ],
    ));
    assert!(said.contains("326 rows: "), "{said}");
    assert!(said.contains("0 unchanged, 0 skipped"), "{said}");
    let csv = std::fs::read_to_string(&report).unwrap();
    assert!(csv.starts_with("line,outcome,title,author,field,reason,work\n"));
    assert_eq!(csv.lines().count(), 327);
    assert!(
        csv.contains("\n2,created,Warbreaker,Brandon Sanderson,,,"),
        "{csv}"
    );

    let said = ok(&quire(
        &db,
        &["import", "goodreads", path(&file), "--user", "ann"],
    ));
    assert!(
        said.contains("0 created, 0 matched, 0 updated, 326 unchanged, 0 skipped"),
        "{said}"
    );

    // The wrong format is named.
    let out = quire(&db, &["import", "storygraph", path(&file), "--user", "ann"]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("looks like a Goodreads export, not a StoryGraph one"),
        "{said}"
    );

    // Out as Goodreads CSV, and into another reader's library as it was.
    let out_file = dir.path().join("out.csv");
    let said = ok(&quire(
        &db,
        &[
            "export",
            "goodreads",
            "--user",
            "ann",
            "-o",
            path(&out_file),
        ],
    ));
    assert!(said.contains("books written to"), "{said}");
    let text = std::fs::read_to_string(&out_file).unwrap();
    assert!(text.starts_with("Book Id,Title,Author,Author l-f,Additional Authors,ISBN,ISBN13,My Rating,Average Rating,Publisher,Binding,Number of Pages,Year Published,Original Publication Year,Date Read,Date Added,Bookshelves,Bookshelves with positions,Exclusive Shelf,My Review,Spoiler,Private Notes,Read Count,Owned Copies\n"));
    assert!(
        text.contains(r#""=""9780440238140""""#),
        "ISBNs as Goodreads writes them"
    );
    ok(&quire(&db, &["admin", "create-user", "--username", "bob"]));
    let said = ok(&quire(
        &db,
        &["import", "goodreads", path(&out_file), "--user", "bob"],
    ));
    assert!(
        said.contains(" 0 created,"),
        "every book is in the catalog already: {said}"
    );
    assert!(said.contains(", 0 skipped"), "{said}");
    let again = ok(&quire(&db, &["export", "storygraph", "--user", "bob"]));
    assert!(again.starts_with("Title,Authors,Contributors,ISBN/UID,"));

    // A reader who does not exist.
    let out = quire(
        &db,
        &["import", "goodreads", path(&file), "--user", "nobody"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no reader called \"nobody\""));
}

#[test]
fn a_bad_row_is_reported_and_all_or_nothing_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("q.db").display());
    ok(&quire(&db, &["admin", "create-user", "--username", "cyd"]));
    let file = dir.path().join("sg.csv");
    std::fs::write(
        &file,
        "Title,Authors,Contributors,ISBN/UID,Format,Read Status,Date Added,Last Date Read,Dates Read,Read Count,Moods,Pace,Character- or Plot-Driven?,Strong Character Development?,Loveable Characters?,Diverse Characters?,Flawed Characters?,Star Rating,Review,Content Warnings,Content Warning Description,Tags,Owned?\n\
         The Hobbit,J.R.R. Tolkien,,9780618260300,paperback,read,2023/01/04,,2023/01/20-2023/02/10,1,,,,,,,,3.75,,,,,Yes\n\
         Nothing,,,,,read,,,,,,,,,,,,,,,,,\n",
    )
    .unwrap();
    let out = quire(
        &db,
        &[
            "import",
            "storygraph",
            path(&file),
            "--user",
            "cyd",
            "--all-or-nothing",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("nothing was written"), "{said}");
    assert!(
        said.contains("skipped line 3, field \"Authors\": no author is named"),
        "{said}"
    );
    let empty = ok(&quire(&db, &["export", "goodreads", "--user", "cyd"]));
    assert_eq!(empty.lines().count(), 1, "{empty}");

    let out = quire(&db, &["import", "storygraph", path(&file), "--user", "cyd"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("2 rows: 1 created"), "{said}");
    assert!(
        said.contains("line 2, field \"Star Rating\": 3.75 stars is rounded to 4"),
        "{said}"
    );
    let text = ok(&quire(&db, &["export", "storygraph", "--user", "cyd"]));
    assert!(text.contains("The Hobbit,J.R.R. Tolkien,,9780618260300,paperback,read,2023/01/04,2023/02/10,2023/01/20-2023/02/10,1,"), "{text}");
}
