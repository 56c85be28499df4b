//! `quire import text` and the demo's texts, end to end through the
//! binary: the demo attaches the ten Gutenberg novels (and a second run
//! attaches none), a Gutenberg text and an EPUB are attached to a work by
//! command, and a bad file is refused naming it, with nothing changed.
//! No browser needed.

use super::{QUIRE, SHARED_DATA, run, text};
use anyhow::{Context, Result, ensure};
use quire_domain::{EditionId, WorkId};
use quire_storage::{Db, DbOptions, catalog, texts};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

/// The goodbooks sample and all ten Gutenberg texts.
fn datasets(root: &Path) -> Result<PathBuf> {
    let shared = Path::new(SHARED_DATA);
    let data = root.join("data");
    let books = data.join("goodbooks-10k");
    let txt = data.join("gutenberg").join("txt");
    std::fs::create_dir_all(&books)?;
    std::fs::create_dir_all(&txt)?;
    std::fs::copy(
        shared.join("goodbooks-10k/samples/books.csv"),
        books.join("books.csv"),
    )
    .context("copying the goodbooks sample from the shared data sets")?;
    for entry in std::fs::read_dir(shared.join("gutenberg/txt"))? {
        let path = entry?.path();
        if let Some(name) = path.file_name() {
            std::fs::copy(&path, txt.join(name))?;
        }
    }
    Ok(data)
}

fn quire(database: &str, args: &[&dyn AsRef<std::ffi::OsStr>], scratch: &Path) -> Result<Output> {
    let mut cmd = Command::new(QUIRE);
    cmd.args(["--database", database]);
    for a in args {
        cmd.arg(a);
    }
    run(cmd, scratch, "quire", Duration::from_secs(300))
}

/// A work's text as the tests check it: (version, sections, file name).
type Stored = (i64, u32, String);

/// The work the demo made (or found) for Gutenberg ebook `n`, and the
/// text it carries.
fn work_and_text(database: &str, n: &str) -> Result<(WorkId, Option<Stored>)> {
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let db = Db::connect(database, &DbOptions::default()).await?;
        let (work, _) = catalog::edition_work(&db, EditionId::derived("gutenberg", n))
            .await?
            .context("the demo's Gutenberg edition")?;
        let info = texts::info(&db, work)
            .await?
            .map(|i| (i.version.version, i.version.sections, i.source.file_name));
        db.close().await;
        Ok((work, info))
    })
}

#[test]
fn the_demo_attaches_ten_texts_and_the_command_attaches_a_txt_and_an_epub() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let scratch = tmp.path();
    let database = format!("sqlite://{}", scratch.join("q.db").display());
    let data = datasets(scratch)?;

    let out = quire(&database, &[&"demo", &"--datasets", &data], scratch)?;
    ensure!(
        out.status.success(),
        "`quire demo` failed:\n{}",
        text(&out.stderr)
    );
    let said = text(&out.stderr);
    ensure!(
        said.contains("10 with their full text, 10 attached now"),
        "the demo's summary:\n{said}"
    );
    let again = quire(&database, &[&"demo", &"--datasets", &data], scratch)?;
    ensure!(
        again.status.success(),
        "second `quire demo`:\n{}",
        text(&again.stderr)
    );
    ensure!(
        text(&again.stderr).contains("10 with their full text, 0 attached now"),
        "the second demo's summary:\n{}",
        text(&again.stderr)
    );
    let (moby, attached) = work_and_text(&database, "2701")?;
    let (version, sections, file) = attached.context("Moby-Dick has its text after the demo")?;
    ensure!(version == 1 && file == "pg2701.txt", "{version} {file}");
    // 135 chapters and the epilogue.
    ensure!(sections == 136, "Moby-Dick's sections: {sections}");

    // The same file by command: nothing changes.
    let txt = Path::new(SHARED_DATA).join("gutenberg/txt/pg2701.txt");
    let id = moby.to_string();
    let out = quire(
        &database,
        &[&"import", &"text", &txt, &"--book", &id],
        scratch,
    )?;
    let printed = text(&out.stdout);
    ensure!(out.status.success(), "{}", text(&out.stderr));
    ensure!(printed.contains("136 sections"), "{printed}");
    ensure!(
        printed.contains("Loomings"),
        "the chapters are listed:\n{printed}"
    );
    ensure!(
        printed.contains("already the book's text (version 1)"),
        "{printed}"
    );

    // The EPUB replaces it, as version 2.
    let epub = Path::new(SHARED_DATA).join("gutenberg/epub/pg2701-images-3.epub");
    let out = quire(
        &database,
        &[&"import", &"text", &epub, &"--book", &id],
        scratch,
    )?;
    let printed = text(&out.stdout);
    ensure!(out.status.success(), "{}", text(&out.stderr));
    ensure!(printed.contains("(EPUB,"), "{printed}");
    ensure!(printed.contains("Attached as version 2"), "{printed}");
    let (_, now) = work_and_text(&database, "2701")?;
    let (version, epub_sections, file) = now.context("the EPUB's text")?;
    ensure!(
        version == 2 && file == "pg2701-images-3.epub",
        "{version} {file}"
    );
    ensure!(
        epub_sections == sections,
        "the EPUB has {epub_sections} sections, the text {sections}"
    );

    // A file that is no book: refused, named, nothing changed. An EPUB
    // by name only is read as one, so the reason says so.
    let junk = scratch.join("not-a-book.epub");
    std::fs::write(&junk, b"\x00\x01 these bytes are no archive \xff\xfe")?;
    let out = quire(
        &database,
        &[&"import", &"text", &junk, &"--book", &id],
        scratch,
    )?;
    let err = text(&out.stderr);
    ensure!(
        !out.status.success(),
        "junk was accepted:\n{}",
        text(&out.stdout)
    );
    ensure!(
        err.contains("not-a-book.epub") && err.contains("not an EPUB"),
        "{err}"
    );
    // The content decides: a zip archive named .txt is read as an EPUB.
    let disguised = scratch.join("moby.txt");
    std::fs::copy(&epub, &disguised)?;
    let out = quire(
        &database,
        &[&"import", &"text", &disguised, &"--book", &id],
        scratch,
    )?;
    ensure!(out.status.success(), "{}", text(&out.stderr));
    ensure!(
        text(&out.stdout).contains("(EPUB,"),
        "{}",
        text(&out.stdout)
    );
    let (_, after) = work_and_text(&database, "2701")?;
    // The same bytes as version 2: no new version.
    ensure!(after.as_ref().map(|a| a.0) == Some(2), "{after:?}");

    // An unknown book.
    let out = quire(
        &database,
        &[
            &"import",
            &"text",
            &txt,
            &"--book",
            &WorkId::new().to_string(),
        ],
        scratch,
    )?;
    ensure!(!out.status.success());
    ensure!(
        text(&out.stderr).contains("no book has the id"),
        "{}",
        text(&out.stderr)
    );
    Ok(())
}
