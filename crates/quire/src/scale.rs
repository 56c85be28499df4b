//! The catalog-scale commands: `quire import goodbooks`, `quire import
//! openlibrary` and `quire bench gen`, each with a progress bar and a
//! report on standard error.

use anyhow::{Context, Result};
use quire_import::goodbooks_gen::{self, GenSize, GenSources};
use quire_import::goodbooks_import::{self, GoodbooksFolder, Stage};
use quire_storage::Db;
use std::path::{Path, PathBuf};

fn bar(len: u64, template: &str) -> indicatif::ProgressBar {
    indicatif::ProgressBar::new(len).with_style(
        indicatif::ProgressStyle::with_template(template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    )
}

/// `quire import goodbooks DIR`.
pub async fn import_goodbooks(db: &Db, dir: &Path, shelve_read: bool) -> Result<()> {
    let folder = GoodbooksFolder::in_folder(dir);
    let bar = bar(1, "{msg:24!} [{bar:30}] {percent:>3}% {elapsed_precise}");
    let mut stage_now = None;
    let report = goodbooks_import::import(db, &folder, shelve_read, |stage, done, total| {
        if stage_now != Some(stage) {
            stage_now = Some(stage);
            bar.set_message(match stage {
                Stage::Books => "books",
                Stage::Rows => "ratings and to-read",
                Stage::Finishing => "putting rows in place",
            });
            bar.set_length(total.max(1));
        }
        bar.set_position(done);
    })
    .await
    .with_context(|| format!("importing the goodbooks folder {}", dir.display()))?;
    bar.finish_and_clear();
    let r = &report;
    eprintln!(
        "Imported {} in {:.1} s:\n  books: {} ({} new works, {} matched to works already in the catalog)\n  ratings: {} rows, {} added\n  to-read: {} rows, {} added to queues\n  readers: {} ({} new accounts that cannot sign in)\n  rated books put on \"read\": {}\n  rows skipped: {}",
        dir.display(),
        r.seconds,
        r.books,
        r.works_created,
        r.works_matched,
        r.rating_rows,
        r.ratings_added,
        r.to_read_rows,
        r.queued_added,
        r.readers,
        r.readers_created,
        r.readings_added,
        r.skipped_total,
    );
    for s in &r.skipped {
        eprintln!("  skipped {} line {}: {}", s.file, s.line, s.reason);
    }
    if r.skipped_total > r.skipped.len() as u64 {
        eprintln!(
            "  … and {} more skipped rows",
            r.skipped_total - r.skipped.len() as u64
        );
    }
    Ok(())
}

/// `quire bench gen`.
pub fn bench_gen(
    datasets: Option<PathBuf>,
    books: u64,
    ratings: u64,
    seed: u64,
    out: &Path,
) -> Result<()> {
    let Some(from) = datasets.or_else(|| {
        let p = PathBuf::from("../shared/data/goodbooks-10k");
        p.exists().then_some(p)
    }) else {
        anyhow::bail!(
            "the real goodbooks-10k folder is needed to draw from: pass --from DIR (the folder with books.csv, tags.csv and subset-547/)"
        );
    };
    let started = std::time::Instant::now();
    let bar = bar(
        ratings.max(1),
        "generating [{bar:30}] {percent:>3}% {elapsed_precise}",
    );
    let done = goodbooks_gen::generate(
        &GenSources::in_folder(&from),
        GenSize {
            books,
            ratings,
            seed,
        },
        out,
        |n| bar.set_position(n),
    )
    .with_context(|| format!("generating a data set into {}", out.display()))?;
    bar.finish_and_clear();
    eprintln!(
        "Wrote {} in {:.1} s: {} books, {} ratings by {} readers, {} to-read rows, {} book tags, {} tags.",
        out.display(),
        started.elapsed().as_secs_f64(),
        done.books,
        done.ratings,
        done.readers,
        done.to_read,
        done.book_tags,
        done.tags
    );
    Ok(())
}

/// `quire import openlibrary FILE…`.
pub async fn import_openlibrary(db: &Db, files: &[PathBuf]) -> Result<()> {
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {pos} lines read {elapsed_precise}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    let r = quire_import::openlibrary::import(db, files, |n| bar.set_position(n))
        .await
        .context("importing Open Library records")?;
    bar.finish_and_clear();
    eprintln!(
        "Read {} lines in {:.1} s: {} authors, {} works, {} editions.\n  works added: {}\n  records matched to works already in the catalog: {}\n  authors named but not among the author lines: {}\n  lines skipped: {}",
        r.lines,
        started.elapsed().as_secs_f64(),
        r.authors,
        r.works,
        r.editions,
        r.works_created,
        r.records_matched,
        r.unknown_authors,
        r.skipped_total
    );
    for s in &r.skipped {
        eprintln!("  skipped {} line {}: {}", s.file, s.line, s.reason);
    }
    if r.skipped_total > r.skipped.len() as u64 {
        eprintln!(
            "  … and {} more skipped lines",
            r.skipped_total - r.skipped.len() as u64
        );
    }
    Ok(())
}
