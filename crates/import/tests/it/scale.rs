//! Catalog-scale imports: the data-set generator, `import goodbooks` on a
//! generated set (both backends), and Open Library dump lines.

use quire_import::goodbooks;
use quire_import::goodbooks_gen::{GenSize, GenSources, generate};
use quire_import::goodbooks_import::{self, GoodbooksFolder};
use quire_import::openlibrary;
use quire_storage::{book_page, catalog};
use std::io::Write;
use std::path::{Path, PathBuf};

fn goodbooks_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/goodbooks-10k")
}

fn openlibrary_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/openlibrary")
}

fn small_set(dir: &Path, books: u64, ratings: u64, seed: u64) {
    generate(
        &GenSources::in_folder(&goodbooks_dir()),
        GenSize {
            books,
            ratings,
            seed,
        },
        dir,
        |_| {},
    )
    .unwrap();
}

fn csv_rows(path: &Path) -> usize {
    std::fs::read_to_string(path).unwrap().lines().count() - 1
}

#[test]
fn a_generated_set_reads_back_with_the_goodbooks_readers() {
    let dir = tempfile::tempdir().unwrap();
    small_set(dir.path(), 300, 20_000, 7);
    let books = goodbooks::read_books(&dir.path().join("books.csv")).unwrap();
    assert_eq!(books.len(), 300);
    assert!(
        books.iter().all(|b| b.isbn13.is_some()),
        "every ISBN is valid"
    );
    let mut isbns: Vec<_> = books.iter().map(|b| b.isbn13.unwrap()).collect();
    isbns.sort();
    isbns.dedup();
    assert_eq!(isbns.len(), 300, "ISBNs are distinct");

    let ratings = goodbooks::read_ratings(&dir.path().join("ratings.csv")).unwrap();
    assert_eq!(ratings.len(), 20_000);
    // No reader rates a book twice.
    let mut pairs: Vec<(u32, u32)> = ratings.iter().map(|r| (r.user_id, r.book_id)).collect();
    pairs.sort();
    pairs.dedup();
    assert_eq!(pairs.len(), 20_000);
    // The subset's stars: 4 the most common, then 5 and 3; 1 the rarest.
    let mut stars = [0usize; 5];
    for r in &ratings {
        stars[(r.rating.halves() / 2 - 1) as usize] += 1;
    }
    assert!(
        stars[3] > stars[4] && stars[4] > stars[1] && stars[2] > stars[1],
        "{stars:?}"
    );
    assert!(stars[0] < stars[1], "{stars:?}");
    // Some readers rate many books, most a few.
    let mut per_reader = std::collections::HashMap::<u32, usize>::new();
    for r in &ratings {
        *per_reader.entry(r.user_id).or_default() += 1;
    }
    let most = per_reader.values().max().copied().unwrap();
    let mean = 20_000.0 / per_reader.len() as f64;
    assert!(most as f64 > 5.0 * mean, "most {most}, mean {mean}");

    let tags = goodbooks::read_tags(
        &dir.path().join("tags.csv"),
        &dir.path().join("book_tags.csv"),
        6,
    )
    .unwrap();
    assert!(tags.len() > 250, "most books have subjects: {}", tags.len());
    assert!(csv_rows(&dir.path().join("to_read.csv")) > 1_000);

    // The same seed, the same files; another seed, others.
    let again = tempfile::tempdir().unwrap();
    small_set(again.path(), 300, 20_000, 7);
    let other = tempfile::tempdir().unwrap();
    small_set(other.path(), 300, 20_000, 8);
    for f in ["books.csv", "ratings.csv", "to_read.csv", "book_tags.csv"] {
        let a = std::fs::read(dir.path().join(f)).unwrap();
        assert_eq!(a, std::fs::read(again.path().join(f)).unwrap(), "{f}");
        assert_ne!(a, std::fs::read(other.path().join(f)).unwrap(), "{f}");
    }
}

quire_testkit::both_backends! {
    async fn a_generated_set_imports_with_correct_totals_and_twice_adds_nothing(db: Db) {
        let dir = tempfile::tempdir().unwrap();
        small_set(dir.path(), 60, 3_000, 3);
        // Three bad rows at the end: a letter, a sixth star, an unknown book.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(dir.path().join("ratings.csv"))
            .unwrap();
        writeln!(f, "x,1,4\n5,1,6\n5,999,3").unwrap();
        drop(f);
        let folder = GoodbooksFolder::in_folder(dir.path());
        let first = goodbooks_import::import(&db, &folder, true, |_, _, _| {}).await.unwrap();
        assert_eq!(first.books, 60);
        assert_eq!(first.works_created, 60);
        assert_eq!(first.rating_rows, 3_000);
        assert_eq!(first.ratings_added, 3_000);
        assert_eq!(first.to_read_rows, first.queued_added);
        assert_eq!(first.readers, first.readers_created);
        assert_eq!(first.readings_added, 3_000, "every rated book is on \"read\"");
        assert_eq!(first.skipped_total, 3);
        let lines: Vec<u64> = first.skipped.iter().map(|s| s.line).collect();
        assert_eq!(lines, vec![3_002, 3_003, 3_004]);
        assert!(first.skipped[0].reason.contains("user_id"), "{:?}", first.skipped[0]);
        assert!(first.skipped[1].reason.contains("1 to 5"), "{:?}", first.skipped[1]);
        assert!(first.skipped[2].reason.contains("999"), "{:?}", first.skipped[2]);

        // Each book page shows the generator's star counts, and the totals
        // used for lists agree with the page.
        let books = goodbooks::read_books(&dir.path().join("books.csv")).unwrap();
        let text = std::fs::read_to_string(dir.path().join("books.csv")).unwrap();
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        let expected: Vec<[i64; 5]> = rdr
            .records()
            .map(|r| {
                let r = r.unwrap();
                [16, 17, 18, 19, 20].map(|i| r[i].parse().unwrap())
            })
            .collect();
        for (b, want) in books.iter().zip(&expected).take(20) {
            let work = catalog::find_by_identifier(&db, "goodbooks", &b.book_id.to_string())
                .await
                .unwrap()
                .unwrap();
            let page = book_page::load(&db, work, 1, 10).await.unwrap().unwrap();
            assert_eq!(page.stats.by_star(), *want, "{}", b.title);
            assert_eq!(page.stats.have_read, want.iter().sum::<i64>());
            let summary = catalog::work_summary(&db, work).await.unwrap().unwrap();
            assert_eq!(summary.rating_count, page.stats.rating_count());
            let avg = summary.rating_average.unwrap_or(0.0);
            assert!((avg - page.stats.rating_average().unwrap_or(0.0)).abs() < 1e-9);
        }

        let second = goodbooks_import::import(&db, &folder, true, |_, _, _| {}).await.unwrap();
        assert_eq!(second.works_created, 0);
        assert_eq!(second.works_matched, 60);
        assert_eq!(second.ratings_added, 0);
        assert_eq!(second.readers_created, 0);
        assert_eq!(second.readings_added, 0);
        assert_eq!(second.queued_added, 0);
    }

    async fn open_library_samples_import_and_a_second_run_adds_nothing(db: Db) {
        let d = openlibrary_dir();
        // Given editions first: the importer reads authors, then works.
        let files = vec![
            d.join("ol_dump_editions_sample.txt"),
            d.join("ol_dump_works_sample.txt"),
            d.join("ol_dump_authors_sample.txt"),
        ];
        let first = openlibrary::import(&db, &files, |_| {}).await.unwrap();
        assert_eq!(first.authors, 34);
        assert_eq!(first.works, 35);
        assert_eq!(first.editions, 68);
        assert_eq!(first.skipped_total, 0, "{:?}", first.skipped);
        assert!(first.works_created >= 35, "{first:?}");
        // Gulliver's travels is credited to its author, by key.
        let gulliver = catalog::find_by_identifier(&db, "openlibrary", "/works/OL20600W")
            .await
            .unwrap()
            .expect("the work keeps its Open Library key");
        let summary = catalog::work_summary(&db, gulliver).await.unwrap().unwrap();
        assert_eq!(summary.title, "Gulliver's travels");
        assert_eq!(summary.authors, vec!["Jonathan Swift".to_string()]);

        let before = catalog::count_works(&db).await.unwrap();
        let second = openlibrary::import(&db, &files, |_| {}).await.unwrap();
        assert_eq!(second.works_created, 0, "{second:?}");
        assert_eq!(catalog::count_works(&db).await.unwrap(), before);
    }

    async fn bad_open_library_lines_are_reported_and_the_good_ones_load(db: Db) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mixed.txt");
        let long = "x".repeat(openlibrary::MAX_LINE_BYTES + 10);
        let text = format!(
            "/type/author\t/authors/OL9A\t1\t2020-01-01\t{{\"name\": \"Ada Writer\"}}\n\
             /type/work\t/works/OL9W\t1\t2020-01-01\t{{\"title\": \"A Good Work\", \"authors\": [{{\"author\": {{\"key\": \"/authors/OL9A\"}}}}]}}\n\
             /type/work\t/works/OL10W\t1\t2020-01-01\t{{\"title\": \"Broken\n\
             /type/redirect\t/works/OL11W\t1\t2020-01-01\t{{\"location\": \"/works/OL9W\"}}\n\
             /type/work\t/works/OL12W\t1\t2020-01-01\t{{\"subjects\": [\"no title\"]}}\n\
             just some words\n\
             /type/work\t/works/OL13W\t1\t2020-01-01\t{{\"title\": \"{long}\"}}\n\
             /type/edition\t/books/OL9M\t1\t2020-01-01\t{{\"title\": \"A Good Work\", \"isbn_10\": [\"0439023483\"], \"works\": [{{\"key\": \"/works/OL9W\"}}], \"authors\": [{{\"key\": \"/authors/OL9A\"}}]}}\n"
        );
        std::fs::write(&path, text).unwrap();
        let r = openlibrary::import(&db, std::slice::from_ref(&path), |_| {}).await.unwrap();
        let skipped: Vec<(u64, &str)> = r.skipped.iter().map(|s| (s.line, s.reason.as_str())).collect();
        assert_eq!(skipped.len(), 5, "{skipped:?}");
        assert_eq!(skipped[0].0, 3);
        assert!(skipped[0].1.contains("not a valid work record"), "{skipped:?}");
        assert_eq!(skipped[1].0, 4);
        assert!(skipped[1].1.contains("unknown record type \"/type/redirect\""));
        assert_eq!(skipped[2], (5, "the work has no title"));
        assert_eq!(skipped[3].0, 6);
        assert!(skipped[3].1.contains("not a dump line"));
        assert_eq!(skipped[4].0, 7);
        assert!(skipped[4].1.contains("longer than"));
        assert!(r.skipped.iter().all(|s| s.file == path.display().to_string()));
        // The good work, with its author, and the edition joined it.
        let work = catalog::find_by_identifier(&db, "openlibrary", "/works/OL9W")
            .await
            .unwrap()
            .unwrap();
        let page = book_page::load(&db, work, 1, 10).await.unwrap().unwrap();
        assert_eq!(page.editions.len(), 1);
        assert_eq!(page.credits[0].name, "Ada Writer");
        assert_eq!(r.works_created, 1);
    }

    async fn a_gzip_dump_reads_like_the_text(db: Db) {
        let dir = tempfile::tempdir().unwrap();
        let gz = dir.path().join("works.txt.gz");
        let plain = std::fs::read(openlibrary_dir().join("ol_dump_works_sample.txt")).unwrap();
        let mut enc = flate2::write::GzEncoder::new(
            std::fs::File::create(&gz).unwrap(),
            flate2::Compression::default(),
        );
        enc.write_all(&plain).unwrap();
        enc.finish().unwrap();
        let r = openlibrary::import(&db, &[gz], |_| {}).await.unwrap();
        assert_eq!(r.works, 35);
        assert_eq!(r.works_created, 35);
        assert_eq!(r.skipped_total, 0);
    }
}
