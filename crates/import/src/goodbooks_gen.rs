//! A goodbooks-shaped data set of any size, for benchmarks and scale
//! tests: `books.csv` (goodbooks' own columns), `ratings.csv`,
//! `to_read.csv`, `book_tags.csv` and `tags.csv`, written straight to disk.
//!
//! Everything is drawn from the real files: each generated book takes a
//! "template" book of the 547-book subset at random and copies the shape of
//! its audience, scaled to the size asked for: how many ratings it has, its
//! own star histogram, how many readers want to read it and its Goodreads
//! shelves with their counts. Readers are given an activity weight drawn
//! from the subset's ratings-per-reader counts, so a few readers rate many
//! books and most rate a few. Titles are made of words of real titles
//! (as many words as a real title has), authors of real first names and
//! surnames; year and language are a real book's. ISBNs are valid and
//! distinct within a set. The same seed gives the same files.
//!
//! Memory stays small whatever the size: the rows are written as they are
//! drawn, one book at a time; only per-book counts (a few numbers a book)
//! and the readers' weights are kept.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::error::{ImportError, display_name, find_columns, from_csv, next_record, open_capped};

/// The largest source file the generator reads (the subset's ratings are
/// 2 MB, goodbooks' books.csv 3.3 MB).
const MAX_SOURCE_BYTES: u64 = 64 * 1024 * 1024;

/// The size of a generated set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GenSize {
    pub books: u64,
    pub ratings: u64,
    pub seed: u64,
}

/// Where the real distributions come from: the goodbooks-10k folder (its
/// `books.csv`, `tags.csv` and `subset-547/`).
#[derive(Clone, Debug)]
pub struct GenSources {
    pub books: PathBuf,
    pub tags: PathBuf,
    pub subset_books: PathBuf,
    pub subset_ratings: PathBuf,
    pub subset_to_read: PathBuf,
    pub subset_book_tags: PathBuf,
}

impl GenSources {
    pub fn in_folder(dir: &Path) -> Self {
        let sub = dir.join("subset-547");
        Self {
            books: dir.join("books.csv"),
            tags: dir.join("tags.csv"),
            subset_books: sub.join("books.csv"),
            subset_ratings: sub.join("ratings.csv"),
            subset_to_read: sub.join("toread.csv"),
            subset_book_tags: sub.join("book_tags.csv"),
        }
    }
}

/// What was written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Generated {
    pub books: u64,
    pub ratings: u64,
    pub readers: u64,
    pub to_read: u64,
    pub book_tags: u64,
    pub tags: u64,
}

/// One book of the subset as a template.
#[derive(Clone, Debug, Default)]
struct Template {
    ratings: u64,
    stars: [u64; 5],
    to_read: u64,
    /// (tag id, count), most used first.
    tags: Vec<(u32, u64)>,
}

/// The distributions learnt from the real files.
struct Model {
    templates: Vec<Template>,
    /// Ratings per reader in the subset: the readers' activity weights.
    reader_counts: Vec<u64>,
    subset_ratings: u64,
    subset_books: u64,
    title_words: Vec<String>,
    title_lengths: Vec<usize>,
    first_names: Vec<String>,
    surnames: Vec<String>,
    years: Vec<String>,
    languages: Vec<String>,
    tags_csv: PathBuf,
}

/// Write a generated set into `out` (created when missing).
pub fn generate(
    src: &GenSources,
    size: GenSize,
    out: &Path,
    mut progress: impl FnMut(u64),
) -> Result<Generated, ImportError> {
    let model = Model::learn(src)?;
    std::fs::create_dir_all(out).map_err(|e| ImportError::io(&display_name(out), e))?;
    let mut rng = StdRng::seed_from_u64(size.seed);
    let n = size.books.max(1);

    // Each book's template, and its share of the ratings asked for.
    let picks: Vec<usize> = (0..n)
        .map(|_| rng.random_range(0..model.templates.len()))
        .collect();
    let weights: Vec<u64> = picks.iter().map(|&t| model.templates[t].ratings).collect();
    let counts = apportion(size.ratings, &weights);

    // As many readers as make each rate as many books as a subset reader
    // would in a catalog of this size.
    let per_reader = model.subset_ratings as f64 / model.reader_counts.len().max(1) as f64
        * (n as f64 / model.subset_books.max(1) as f64);
    let max_count = counts.iter().copied().max().unwrap_or(0);
    let readers = ((size.ratings as f64 / per_reader.max(1.0)).ceil() as u64)
        .max(max_count.saturating_mul(2))
        .max(1);
    let mut cumulative = Vec::with_capacity(readers as usize);
    let mut total = 0.0f64;
    for _ in 0..readers {
        let w = model.reader_counts[rng.random_range(0..model.reader_counts.len())] as f64;
        total += w.max(1.0);
        cumulative.push(total);
    }
    let draw_reader = |rng: &mut StdRng| -> u64 {
        let x = rng.random_range(0.0..total);
        cumulative.partition_point(|&c| c <= x) as u64 + 1
    };

    let scale = size.ratings as f64 / weights.iter().sum::<u64>().max(1) as f64;
    let path = |name: &str| out.join(name);
    let mut ratings_w = writer(&path("ratings.csv"))?;
    let mut to_read_w = writer(&path("to_read.csv"))?;
    let mut tags_w = writer(&path("book_tags.csv"))?;
    let wr = |file: &Path, e: std::io::Error| ImportError::io(&display_name(file), e);
    let rp = path("ratings.csv");
    let tp = path("to_read.csv");
    let bp = path("book_tags.csv");
    writeln!(ratings_w, "user_id,book_id,rating").map_err(|e| wr(&rp, e))?;
    writeln!(to_read_w, "user_id,book_id").map_err(|e| wr(&tp, e))?;
    writeln!(tags_w, "goodreads_book_id,tag_id,count").map_err(|e| wr(&bp, e))?;

    let mut done = Generated {
        readers,
        ..Generated::default()
    };
    let mut hists: Vec<[u64; 5]> = Vec::with_capacity(n as usize);
    let mut seen: HashSet<u64> = HashSet::new();
    let mut written = 0u64;
    for (i, (&t, &count)) in picks.iter().zip(&counts).enumerate() {
        let book_id = i as u64 + 1;
        let tpl = &model.templates[t];
        seen.clear();
        let mut hist = [0u64; 5];
        let star_total: u64 = tpl.stars.iter().sum::<u64>().max(1);
        for _ in 0..count {
            let user = distinct(&mut rng, &mut seen, readers, &draw_reader);
            let mut x = rng.random_range(0..star_total);
            let mut star = 5;
            for (s, &c) in tpl.stars.iter().enumerate() {
                if x < c {
                    star = s + 1;
                    break;
                }
                x -= c;
            }
            hist[star - 1] += 1;
            writeln!(ratings_w, "{user},{book_id},{star}").map_err(|e| wr(&rp, e))?;
        }
        done.ratings += count;
        // Readers who want to read it are not among those who rated it.
        let want =
            ((tpl.to_read as f64 * scale).round() as u64).min(readers.saturating_sub(count) / 2);
        for _ in 0..want {
            let user = distinct(&mut rng, &mut seen, readers, &draw_reader);
            writeln!(to_read_w, "{user},{book_id}").map_err(|e| wr(&tp, e))?;
        }
        done.to_read += want;
        let goodreads = goodreads_id(book_id);
        for &(tag, c) in &tpl.tags {
            let c = ((c as f64 * scale).round() as u64).max(1);
            writeln!(tags_w, "{goodreads},{tag},{c}").map_err(|e| wr(&bp, e))?;
            done.book_tags += 1;
        }
        hists.push(hist);
        written += count;
        progress(written);
    }
    for (w, p) in [
        (&mut ratings_w, &rp),
        (&mut to_read_w, &tp),
        (&mut tags_w, &bp),
    ] {
        w.flush().map_err(|e| wr(p, e))?;
    }

    write_books(&model, &mut rng, &hists, &path("books.csv"))?;
    done.books = n;
    done.tags = copy_tags(&model.tags_csv, &path("tags.csv"))?;
    Ok(done)
}

/// A reader not yet in `seen` (drawn by activity; after many misses, the
/// next free number, so a book rated by most readers still ends).
fn distinct(
    rng: &mut StdRng,
    seen: &mut HashSet<u64>,
    readers: u64,
    draw: &impl Fn(&mut StdRng) -> u64,
) -> u64 {
    for _ in 0..32 {
        let u = draw(rng);
        if seen.insert(u) {
            return u;
        }
    }
    let mut u = rng.random_range(1..=readers);
    while !seen.insert(u) {
        u = u % readers + 1;
    }
    u
}

/// Split `total` in proportion to `weights` (largest remainders), so the
/// parts add up to exactly `total`.
fn apportion(total: u64, weights: &[u64]) -> Vec<u64> {
    let sum: u64 = weights.iter().sum::<u64>().max(1);
    let mut parts: Vec<u64> = Vec::with_capacity(weights.len());
    let mut rest: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        let exact = u128::from(total) * u128::from(w);
        parts.push((exact / u128::from(sum)) as u64);
        rest.push((exact % u128::from(sum), i));
    }
    let short = total - parts.iter().sum::<u64>();
    rest.sort_unstable_by(|a, b| b.cmp(a));
    for &(_, i) in rest.iter().take(short as usize) {
        parts[i] += 1;
    }
    parts
}

fn goodreads_id(book_id: u64) -> u64 {
    90_000_000 + book_id
}

/// A valid ISBN-13 (978) and its ISBN-10, distinct for each book number
/// below a billion: the nine-digit body steps through the numbers by a
/// stride prime to 10⁹.
fn isbns(book_id: u64, seed: u64) -> (String, String) {
    let body = (book_id.wrapping_mul(7_368_787) + seed % 1_000_000_000) % 1_000_000_000;
    let digits = format!("{body:09}");
    let mut sum10 = 0u32;
    for (i, d) in digits.bytes().enumerate() {
        sum10 += u32::from(d - b'0') * (10 - i as u32);
    }
    let check10 = (11 - sum10 % 11) % 11;
    let isbn10 = if check10 == 10 {
        format!("{digits}X")
    } else {
        format!("{digits}{check10}")
    };
    let twelve = format!("978{digits}");
    let mut sum13 = 0u32;
    for (i, d) in twelve.bytes().enumerate() {
        sum13 += u32::from(d - b'0') * if i % 2 == 0 { 1 } else { 3 };
    }
    let check13 = (10 - sum13 % 10) % 10;
    (isbn10, format!("{twelve}{check13}"))
}

fn write_books(
    model: &Model,
    rng: &mut StdRng,
    hists: &[[u64; 5]],
    path: &Path,
) -> Result<(), ImportError> {
    let file = display_name(path);
    let mut w = csv::Writer::from_writer(writer(path)?);
    let err = |e: csv::Error| ImportError::Csv {
        file: file.clone(),
        line: 0,
        message: format!("cannot write: {e}"),
    };
    w.write_record([
        "book_id",
        "goodreads_book_id",
        "best_book_id",
        "work_id",
        "books_count",
        "isbn",
        "isbn13",
        "authors",
        "original_publication_year",
        "original_title",
        "title",
        "language_code",
        "average_rating",
        "ratings_count",
        "work_ratings_count",
        "work_text_reviews_count",
        "ratings_1",
        "ratings_2",
        "ratings_3",
        "ratings_4",
        "ratings_5",
        "image_url",
        "small_image_url",
    ])
    .map_err(err)?;
    let seed: u64 = rng.random();
    for (i, hist) in hists.iter().enumerate() {
        let book_id = i as u64 + 1;
        let words = model.title_lengths[rng.random_range(0..model.title_lengths.len())];
        let mut title = String::new();
        for k in 0..words {
            if k > 0 {
                title.push(' ');
            }
            title.push_str(&model.title_words[rng.random_range(0..model.title_words.len())]);
        }
        let mut authors = author(model, rng);
        if rng.random_bool(0.1) {
            authors.push_str(", ");
            authors.push_str(&author(model, rng));
        }
        let (isbn10, isbn13) = isbns(book_id, seed);
        let count: u64 = hist.iter().sum();
        let sum: u64 = hist
            .iter()
            .enumerate()
            .map(|(s, c)| (s as u64 + 1) * c)
            .sum();
        let average = if count == 0 {
            String::new()
        } else {
            format!("{:.2}", sum as f64 / count as f64)
        };
        let goodreads = goodreads_id(book_id).to_string();
        let year = &model.years[rng.random_range(0..model.years.len())];
        let language = &model.languages[rng.random_range(0..model.languages.len())];
        let count = count.to_string();
        let h: Vec<String> = hist.iter().map(u64::to_string).collect();
        w.write_record([
            book_id.to_string().as_str(),
            &goodreads,
            &goodreads,
            &(80_000_000 + book_id).to_string(),
            "1",
            &isbn10,
            &isbn13,
            &authors,
            year,
            &title,
            &title,
            language,
            &average,
            &count,
            &count,
            "0",
            &h[0],
            &h[1],
            &h[2],
            &h[3],
            &h[4],
            "",
            "",
        ])
        .map_err(err)?;
    }
    w.flush().map_err(|e| ImportError::io(&file, e))?;
    Ok(())
}

fn author(model: &Model, rng: &mut StdRng) -> String {
    format!(
        "{} {}",
        model.first_names[rng.random_range(0..model.first_names.len())],
        model.surnames[rng.random_range(0..model.surnames.len())]
    )
}

fn writer(path: &Path) -> Result<BufWriter<File>, ImportError> {
    File::create(path)
        .map(|f| BufWriter::with_capacity(1 << 16, f))
        .map_err(|e| ImportError::io(&display_name(path), e))
}

fn copy_tags(from: &Path, to: &Path) -> Result<u64, ImportError> {
    let mut input = open_capped(from, MAX_SOURCE_BYTES)?;
    let mut out = writer(to)?;
    std::io::copy(&mut input, &mut out).map_err(|e| ImportError::io(&display_name(to), e))?;
    out.flush()
        .map_err(|e| ImportError::io(&display_name(to), e))?;
    let text = std::fs::read_to_string(to).map_err(|e| ImportError::io(&display_name(to), e))?;
    Ok(text.lines().count().saturating_sub(1) as u64)
}

/// Read a CSV file's rows as strings, by column name.
fn rows<const N: usize>(
    path: &Path,
    columns: [&str; N],
    mut each: impl FnMut([&str; N]),
) -> Result<(), ImportError> {
    let file = display_name(path);
    let input = open_capped(path, MAX_SOURCE_BYTES)?;
    let mut rdr = csv::ReaderBuilder::new().from_reader(input);
    let header = rdr
        .headers()
        .map_err(|e| from_csv(&file, e, 1, MAX_SOURCE_BYTES))?
        .clone();
    let cols = find_columns(&file, &header, columns.map(|c| (c, true)))?;
    let mut rec = csv::StringRecord::new();
    let mut last = 1;
    while next_record(&mut rdr, &mut rec, &file, &mut last, MAX_SOURCE_BYTES)?.is_some() {
        let values = cols.map(|c| c.and_then(|i| rec.get(i)).unwrap_or(""));
        each(values);
    }
    Ok(())
}

impl Model {
    fn learn(src: &GenSources) -> Result<Model, ImportError> {
        // The subset's books, by book id and Goodreads id.
        let mut by_book: HashMap<u64, usize> = HashMap::new();
        let mut by_goodreads: HashMap<u64, usize> = HashMap::new();
        let mut templates: Vec<Template> = Vec::new();
        rows(
            &src.subset_books,
            ["book_id", "goodreads_book_id"],
            |[b, g]| {
                if let (Ok(b), Ok(g)) = (b.parse::<u64>(), g.parse::<u64>()) {
                    by_book.insert(b, templates.len());
                    by_goodreads.insert(g, templates.len());
                    templates.push(Template::default());
                }
            },
        )?;
        let mut reader_counts: HashMap<u64, u64> = HashMap::new();
        let mut subset_ratings = 0;
        rows(
            &src.subset_ratings,
            ["user_id", "book_id", "rating"],
            |[u, b, r]| {
                let (Ok(u), Ok(b), Ok(r)) =
                    (u.parse::<u64>(), b.parse::<u64>(), r.parse::<usize>())
                else {
                    return;
                };
                if let (Some(&t), 1..=5) = (by_book.get(&b), r) {
                    templates[t].ratings += 1;
                    templates[t].stars[r - 1] += 1;
                    *reader_counts.entry(u).or_default() += 1;
                    subset_ratings += 1;
                }
            },
        )?;
        rows(&src.subset_to_read, ["user_id", "book_id"], |[_, b]| {
            if let Some(&t) = b.parse::<u64>().ok().and_then(|b| by_book.get(&b)) {
                templates[t].to_read += 1;
            }
        })?;
        rows(
            &src.subset_book_tags,
            ["goodreads_book_id", "tag_id", "count"],
            |[g, tag, c]| {
                let (Ok(g), Ok(tag), Ok(c)) =
                    (g.parse::<u64>(), tag.parse::<u32>(), c.parse::<i64>())
                else {
                    return;
                };
                if let (Some(&t), Ok(c @ 1..)) = (by_goodreads.get(&g), u64::try_from(c)) {
                    templates[t].tags.push((tag, c));
                }
            },
        )?;
        templates.retain(|t| t.ratings > 0);
        let subset_books = templates.len() as u64;
        if templates.is_empty() {
            return Err(ImportError::Row {
                file: display_name(&src.subset_ratings),
                line: 1,
                field: "book_id".into(),
                message: "no rating names a book of the subset's books.csv".into(),
            });
        }

        let mut title_words = Vec::new();
        let mut title_lengths = Vec::new();
        let mut first_names = Vec::new();
        let mut surnames = Vec::new();
        let mut years = Vec::new();
        let mut languages = Vec::new();
        rows(
            &src.books,
            [
                "title",
                "authors",
                "original_publication_year",
                "language_code",
            ],
            |[title, authors, year, language]| {
                let (title, _) = crate::goodbooks::split_series(title);
                let words: Vec<&str> = title.split_whitespace().collect();
                title_lengths.push(words.len().max(1));
                title_words.extend(words.into_iter().map(str::to_string));
                for a in authors.split(',') {
                    if let Some((first, last)) = a.trim().rsplit_once(' ') {
                        first_names.push(first.to_string());
                        surnames.push(last.to_string());
                    }
                }
                years.push(year.to_string());
                languages.push(language.to_string());
            },
        )?;
        if title_words.is_empty() || first_names.is_empty() {
            return Err(ImportError::Row {
                file: display_name(&src.books),
                line: 1,
                field: "title".into(),
                message: "no titles or authors to draw from".into(),
            });
        }
        Ok(Model {
            templates,
            // Sorted: a map's order changes from run to run, and the same
            // seed must give the same files.
            reader_counts: {
                let mut v: Vec<u64> = reader_counts.into_values().collect();
                v.sort_unstable();
                v
            },
            subset_ratings,
            subset_books,
            title_words,
            title_lengths,
            first_names,
            surnames,
            years,
            languages,
            tags_csv: src.tags.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportioned_parts_add_up() {
        let parts = apportion(1000, &[1, 2, 3, 4]);
        assert_eq!(parts.iter().sum::<u64>(), 1000);
        assert_eq!(parts, vec![100, 200, 300, 400]);
        assert_eq!(apportion(7, &[1, 1, 1]).iter().sum::<u64>(), 7);
    }

    #[test]
    fn isbns_are_valid_and_distinct() {
        let mut seen = HashSet::new();
        for b in 1..5000 {
            let (ten, thirteen) = isbns(b, 42);
            assert!(quire_domain::Isbn13::parse(&thirteen).is_ok(), "{thirteen}");
            assert!(quire_domain::Isbn10::parse(&ten).is_ok(), "{ten}");
            assert!(seen.insert(thirteen));
        }
    }
}
