//! Goodbooks-shaped books in any number, for benchmarks: deterministic for
//! a seed, drawn from the distributions of real books (normally the 10,000
//! of goodbooks-10k with the subjects of its 547-book tagged subset).
//!
//! - title: as many words as a real title picked at random, each word drawn
//!   from every word of every real title (so common words stay common);
//! - authors: a real book's credits half the time, otherwise a real first
//!   name with a real surname (so there are many more authors than 10,000
//!   books have, as a large catalog would);
//! - ratings, average, year, language, series (a real title's, or none):
//!   those of a real book drawn at random (the empirical distribution);
//! - subjects: those of a real tagged book, for the same share of books as
//!   in the sample;
//! - formats: invented (the data has none): paperback 70 %, ebook 50 %,
//!   hardcover 40 %, audiobook 20 %, at least one;
//! - ISBN: a valid ISBN-13, distinct for every book of a run.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::docs::BookDoc;
use crate::isbn;

/// The distributions books are drawn from.
#[derive(Clone, Debug)]
pub struct Generator {
    sample: Vec<BookDoc>,
    title_words: Vec<String>,
    title_lengths: Vec<usize>,
    first_names: Vec<String>,
    surnames: Vec<String>,
    subject_sets: Vec<Vec<String>>,
    subject_share: f64,
}

impl Generator {
    /// Learn the distributions from real books. `None` if `sample` is empty.
    pub fn from_books(sample: &[BookDoc]) -> Option<Generator> {
        if sample.is_empty() {
            return None;
        }
        let mut title_words = Vec::new();
        let mut title_lengths = Vec::new();
        let mut first_names = Vec::new();
        let mut surnames = Vec::new();
        let mut subject_sets = Vec::new();
        for b in sample {
            let words: Vec<&str> = b.title.split_whitespace().collect();
            title_lengths.push(words.len().max(1));
            title_words.extend(words.into_iter().map(str::to_string));
            for a in &b.authors {
                if let Some((first, last)) = a.rsplit_once(' ') {
                    first_names.push(first.to_string());
                    surnames.push(last.to_string());
                }
            }
            if !b.subjects.is_empty() {
                subject_sets.push(b.subjects.clone());
            }
        }
        if title_words.is_empty() {
            title_words.push("Untitled".to_string());
        }
        if first_names.is_empty() {
            first_names.push("Anne".to_string());
            surnames.push("Author".to_string());
        }
        let subject_share = subject_sets.len() as f64 / sample.len() as f64;
        Some(Generator {
            sample: sample.to_vec(),
            title_words,
            title_lengths,
            first_names,
            surnames,
            subject_sets,
            subject_share,
        })
    }

    /// Endless books for `seed`; take as many as wanted. The same seed
    /// gives the same books in the same order.
    pub fn books(&self, seed: u64) -> Books<'_> {
        Books {
            generator: self,
            rng: StdRng::seed_from_u64(seed),
            seed,
            next: 0,
        }
    }

    /// The ISBN-13 of the `n`th generated book (the same for every seed).
    pub fn isbn_of(n: u64) -> String {
        // 7,919 is prime and coprime to 10^9, so n ↦ n·7919 mod 10^9 is a
        // permutation: distinct ISBNs for the first billion books.
        let body = format!("978{:09}", (n % 1_000_000_000) * 7_919 % 1_000_000_000);
        let ten = format!("{}0", &body[3..]);
        // Derive the check digit by way of the ISBN-10 conversion helpers.
        isbn::to13(&ten).unwrap_or(body)
    }

    fn book(&self, rng: &mut StdRng, seed: u64, n: u64) -> BookDoc {
        let pick = |rng: &mut StdRng, len: usize| rng.random_range(0..len);
        let real = &self.sample[pick(rng, self.sample.len())];
        let length = self.title_lengths[pick(rng, self.title_lengths.len())];
        let title: Vec<&str> = (0..length)
            .map(|_| self.title_words[pick(rng, self.title_words.len())].as_str())
            .collect();
        let authors = if rng.random_bool(0.5) {
            self.sample[pick(rng, self.sample.len())].authors.clone()
        } else {
            let first = &self.first_names[pick(rng, self.first_names.len())];
            let last = &self.surnames[pick(rng, self.surnames.len())];
            vec![format!("{first} {last}")]
        };
        let subjects = if !self.subject_sets.is_empty() && rng.random_bool(self.subject_share) {
            self.subject_sets[pick(rng, self.subject_sets.len())].clone()
        } else {
            Vec::new()
        };
        let mut formats = Vec::new();
        for (name, p) in [
            ("paperback", 0.7),
            ("ebook", 0.5),
            ("hardcover", 0.4),
            ("audiobook", 0.2),
        ] {
            if rng.random_bool(p) {
                formats.push(name.to_string());
            }
        }
        if formats.is_empty() {
            formats.push("paperback".to_string());
        }
        BookDoc {
            id: format!("{:08x}-0000-4000-8000-{:012x}", seed as u32, n),
            title: title.join(" "),
            subtitle: None,
            authors,
            series: real.series.clone(),
            subjects,
            isbns: vec![Self::isbn_of(n)],
            year: real.year,
            language: real.language.clone(),
            formats,
            ratings: real.ratings,
            average: real.average,
        }
    }
}

/// The books of one seed, in order (see [`Generator::books`]).
pub struct Books<'a> {
    generator: &'a Generator,
    rng: StdRng,
    seed: u64,
    next: u64,
}

impl Iterator for Books<'_> {
    type Item = BookDoc;

    fn next(&mut self) -> Option<BookDoc> {
        let n = self.next;
        self.next += 1;
        Some(self.generator.book(&mut self.rng, self.seed, n))
    }
}
