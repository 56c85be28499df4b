//! The insight page's questions and answers, assembled from the analysis
//! of the text, the catalog's facts and members' reviews, in Quire's own
//! template words.
//!
//! Every [`Line`] names its [`Source`]: a passage of the book (its quote is
//! that sentence, verbatim), a review (its quote is a slice of the review,
//! verbatim, with its author), a catalog fact, or a measure of the text.
//! Nothing is invented: a question the sources cannot answer is left out,
//! not filled.
//!
//! The spoiler rule: with a [`Guard`] at a reader's place, no line quotes
//! or links to a passage at or after it. An answer that cannot be given
//! without going past it ("How does it end?") comes back with
//! [`FaqAnswer::hidden`] set and no lines, so the page can offer to lift
//! the guard; the content itself is not sent.

use crate::{Analysis, ReviewInsights, WarningKind};
use quire_text::{Place, Text};
use serde::{Deserialize, Serialize};

/// The catalog's facts about the book, as the page shows them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BookFacts {
    pub title: String,
    pub authors: Vec<String>,
    /// As the catalog shows it ("1813", "4 January 2022").
    pub first_published: Option<String>,
    /// Subjects and genres, most used first.
    pub subjects: Vec<String>,
    /// The catalog's description, plain text.
    pub description: Option<String>,
    pub ratings: Option<Ratings>,
    /// Books that share readers or subjects with this one.
    pub similar: Vec<Similar>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ratings {
    pub average: f32,
    pub count: u64,
    /// Ratings of 1, 2, 3, 4 and 5 stars (half stars rounded up).
    pub by_star: [u64; 5],
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Similar {
    /// The other work's id, for its link.
    pub work: String,
    pub title: String,
    pub author: String,
    /// Members here who have read both.
    pub shared_readers: u32,
    pub shared_subjects: Vec<String>,
}

/// How far the reader lets the page look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guard {
    /// Nothing at or after this place.
    Before(Place),
    /// The whole book: the reader has finished, or lifted the guard.
    Lifted,
}

impl Guard {
    pub fn allows(self, place: Place) -> bool {
        match self {
            Guard::Before(limit) => place < limit,
            Guard::Lifted => true,
        }
    }
}

/// The questions, in the order the page asks them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaqKey {
    WhoWrote,
    About,
    WhoShouldRead,
    WorthReading,
    Theme,
    Genre,
    Title,
    Ending,
    Similar,
    Criticism,
    Warnings,
}

impl FaqKey {
    /// The page anchor of the answer.
    pub fn slug(self) -> &'static str {
        match self {
            FaqKey::WhoWrote => "who-wrote-it",
            FaqKey::About => "what-is-it-about",
            FaqKey::WhoShouldRead => "who-should-read-it",
            FaqKey::WorthReading => "is-it-worth-reading",
            FaqKey::Theme => "central-theme",
            FaqKey::Genre => "genre",
            FaqKey::Title => "the-title",
            FaqKey::Ending => "how-does-it-end",
            FaqKey::Similar => "books-like-it",
            FaqKey::Criticism => "criticism",
            FaqKey::Warnings => "content-warnings",
        }
    }
}

/// Where a line comes from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// A sentence of the book.
    Passage { place: Place },
    /// A member's review.
    Review { review: String, author: String },
    /// A fact of the catalog.
    Catalog { field: Fact },
    /// A measure Quire took of the text.
    Measure { what: Measure },
}

/// Which catalog fact a line states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fact {
    Authors,
    Description,
    Subjects,
    Ratings,
    Reviews,
    Similar,
}

/// Which measure of the text a line reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    Reading,
    Themes,
    Warnings,
}

/// One sentence of an answer: Quire's words (`lead`), then, when there is
/// one, a quotation (verbatim from the book or a review).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub lead: String,
    pub quote: Option<String>,
    pub source: Source,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaqAnswer {
    pub key: FaqKey,
    pub question: String,
    pub lines: Vec<Line>,
    /// The answer lies past the reader's place: not given.
    pub hidden: bool,
}

/// Everything the answers are drawn from.
pub struct FaqInput<'a> {
    pub text: &'a Text,
    pub analysis: &'a Analysis,
    pub facts: &'a BookFacts,
    pub reviews: &'a ReviewInsights,
    /// The story so far: `synopsis_until(reader's place)`, or the whole
    /// synopsis when the guard is lifted.
    pub story: &'a [Place],
    pub guard: Guard,
}

/// The sentence at `place`, verbatim.
pub fn sentence_at(text: &Text, place: Place) -> Option<&str> {
    text.sections
        .get(place.section as usize)?
        .paragraphs
        .get(place.paragraph as usize)?
        .sentence(place.sentence as usize)
}

/// "Chapter 3", or "Chapter 3, Loomings" when the section has a title.
pub fn section_name(text: &Text, section: u32) -> String {
    match text.sections.get(section as usize) {
        Some(s) => match &s.title {
            Some(t) if !s.label.contains(t.as_str()) => {
                format!("{}, {}", s.label, t.trim_end_matches('.'))
            }
            _ => s.label.clone(),
        },
        None => "the book".into(),
    }
}

fn passage(text: &Text, place: Place, lead: String) -> Option<Line> {
    Some(Line {
        lead,
        quote: Some(sentence_at(text, place)?.to_string()),
        source: Source::Passage { place },
    })
}

fn plain(lead: String, source: Source) -> Line {
    Line {
        lead,
        quote: None,
        source,
    }
}

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn warning_name(kind: WarningKind) -> &'static str {
    match kind {
        WarningKind::Violence => "violence",
        WarningKind::Blood => "blood",
        WarningKind::Death => "death",
        WarningKind::Suicide => "suicide",
        WarningKind::Alcohol => "alcohol",
        WarningKind::Drugs => "drugs",
        WarningKind::SexualContent => "sexual content",
        WarningKind::RacismAndSlurs => "racism and slurs",
        WarningKind::AnimalCruelty => "cruelty to animals",
        WarningKind::Illness => "illness",
        WarningKind::MentalIllness => "mental illness",
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Words of a title worth finding in the text: before a colon or
/// semicolon ("Moby Dick; Or, The Whale" → moby, dick), four letters or
/// more, not "the", "and" and the like.
fn title_words(title: &str) -> Vec<String> {
    let main = title.split([':', ';']).next().unwrap_or(title);
    main.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_lowercase)
        .filter(|w| !matches!(w.as_str(), "with" | "from" | "into" | "upon" | "adventures"))
        .collect()
}

/// The answers, in page order.
pub fn faq(input: &FaqInput) -> Vec<FaqAnswer> {
    let FaqInput {
        text,
        analysis,
        facts,
        reviews,
        story,
        guard,
    } = *input;
    let title = facts.title.as_str();
    let mut out = Vec::new();
    let mut answer = |key: FaqKey, question: String, lines: Vec<Line>, hidden: bool| {
        if !lines.is_empty() || hidden {
            out.push(FaqAnswer {
                key,
                question,
                lines: if hidden { Vec::new() } else { lines },
                hidden,
            });
        }
    };

    // Who wrote it.
    if !facts.authors.is_empty() {
        let mut lead = format!("{title} is by {}.", list(&facts.authors));
        if let Some(date) = &facts.first_published {
            // "in 1813", "in January 1813", but "on 28 January 1813".
            let on = date.split_whitespace().count() == 3;
            let prep = if on { "on" } else { "in" };
            lead.push_str(&format!(" It was first published {prep} {date}."));
        }
        answer(
            FaqKey::WhoWrote,
            format!("Who wrote {title}?"),
            vec![plain(
                lead,
                Source::Catalog {
                    field: Fact::Authors,
                },
            )],
            false,
        );
    }

    // What it is about: the catalog's description, then the story so far
    // in the book's own sentences.
    let mut about = Vec::new();
    if let Some(d) = facts
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        let para = quire_text::Paragraph::new(d.split_whitespace().collect::<Vec<_>>().join(" "));
        let first: Vec<&str> = (0..para.sentences.len().min(2))
            .filter_map(|i| para.sentence(i))
            .collect();
        if !first.is_empty() {
            about.push(Line {
                lead: "The catalog describes it:".into(),
                quote: Some(first.join(" ")),
                source: Source::Catalog {
                    field: Fact::Description,
                },
            });
        }
    }
    for &p in story.iter().filter(|p| guard.allows(**p)).take(4) {
        about.extend(passage(
            text,
            p,
            format!("From {}:", section_name(text, p.section)),
        ));
    }
    answer(
        FaqKey::About,
        format!("What is {title} about?"),
        about,
        false,
    );

    // Who should read it.
    let mut who = Vec::new();
    if !facts.subjects.is_empty() {
        let subjects: Vec<String> = facts.subjects.iter().take(3).cloned().collect();
        who.push(plain(
            format!(
                "It is for readers who enjoy {}.",
                list(&subjects).to_lowercase()
            ),
            Source::Catalog {
                field: Fact::Subjects,
            },
        ));
    }
    let r = &analysis.reading;
    if r.words > 0 {
        let hours = f64::from(r.minutes) / 60.0;
        who.push(plain(
            format!(
                "It runs to about {} words: some {:.0} hours at {} words a minute, at a school-grade level of about {:.0} (Flesch–Kincaid).",
                thousands(r.words),
                hours.max(1.0),
                r.words_per_minute,
                r.flesch_kincaid_grade.max(1.0)
            ),
            Source::Measure { what: Measure::Reading },
        ));
    }
    if let Some(s) = reviews.praise.iter().find(|s| {
        let l = s.text.to_lowercase();
        ["recommend", "anyone", "fans of", "readers who", "if you"]
            .iter()
            .any(|cue| l.contains(cue))
    }) {
        who.push(review_line(s));
    }
    answer(
        FaqKey::WhoShouldRead,
        format!("Who should read {title}?"),
        who,
        false,
    );

    // Is it worth reading.
    let mut worth = Vec::new();
    if let Some(rt) = facts.ratings.as_ref().filter(|r| r.count > 0) {
        let high = rt.by_star[3] + rt.by_star[4];
        let total: u64 = rt.by_star.iter().sum();
        let mut lead = if rt.count == 1 {
            format!("The one rating here is {:.1} out of 5", rt.average)
        } else {
            format!(
                "{} ratings average {:.2} out of 5",
                thousands_u64(rt.count),
                rt.average
            )
        };
        if let Some(share) = (high * 100).checked_div(total).filter(|_| total > 1) {
            lead.push_str(&format!("; {share}% of them are four or five stars"));
        }
        lead.push('.');
        worth.push(plain(
            lead,
            Source::Catalog {
                field: Fact::Ratings,
            },
        ));
    }
    if reviews.club_answers > 0 {
        worth.push(plain(
            if reviews.club_answers == 1 {
                format!(
                    "The one reviewer who answered {} it to book clubs.",
                    if reviews.club_yes == 1 {
                        "recommends"
                    } else {
                        "does not recommend"
                    }
                )
            } else {
                format!(
                    "{} of {} reviewers who answered recommend it to book clubs.",
                    reviews.club_yes, reviews.club_answers
                )
            },
            Source::Catalog {
                field: Fact::Reviews,
            },
        ));
    }
    worth.extend(reviews.praise.iter().take(2).map(review_line));
    answer(
        FaqKey::WorthReading,
        format!("Is {title} worth reading?"),
        worth,
        false,
    );

    // The central theme.
    let mut theme = Vec::new();
    let labels: Vec<String> = analysis
        .themes
        .iter()
        .take(4)
        .map(|t| t.label.clone())
        .collect();
    if !labels.is_empty() {
        theme.push(plain(
            format!(
                "The words that set this book's text apart gather around {}.",
                list(&labels)
            ),
            Source::Measure {
                what: Measure::Themes,
            },
        ));
        for t in analysis.themes.iter().take(2) {
            if let Some(&p) = t.places.iter().find(|p| guard.allows(**p)) {
                theme.extend(passage(
                    text,
                    p,
                    format!("On {}, from {}:", t.label, section_name(text, p.section)),
                ));
            }
        }
    }
    answer(
        FaqKey::Theme,
        format!("What is the central theme of {title}?"),
        theme,
        false,
    );

    // Genre.
    if !facts.subjects.is_empty() {
        let subjects: Vec<String> = facts.subjects.iter().take(5).cloned().collect();
        answer(
            FaqKey::Genre,
            format!("What genre is {title}?"),
            vec![plain(
                format!("Readers here file it under {}.", list(&subjects)),
                Source::Catalog {
                    field: Fact::Subjects,
                },
            )],
            false,
        );
    }

    // The title's meaning: where its words first appear in the text.
    let words = title_words(title);
    if !words.is_empty() {
        let first = text.sentences().find(|(_, s)| {
            let l = s.to_lowercase();
            words.iter().all(|w| l.contains(w.as_str()))
        });
        if let Some((p, _)) = first {
            let shown = guard.allows(p);
            let line = passage(
                text,
                p,
                format!(
                    "The words of the title first come together in {}:",
                    section_name(text, p.section)
                ),
            );
            answer(
                FaqKey::Title,
                format!("What does the title {title} mean?"),
                line.into_iter().collect(),
                !shown,
            );
        }
    }

    // How it ends: the last chapter's summary, behind the guard.
    if let Some(last) = analysis.sections.last() {
        let lines: Vec<Line> = last
            .summary
            .iter()
            .filter_map(|&p| passage(text, p, format!("From {}:", section_name(text, p.section))))
            .collect();
        let hidden = last.summary.iter().any(|&p| !guard.allows(p));
        answer(
            FaqKey::Ending,
            format!("How does {title} end?"),
            lines,
            hidden,
        );
    }

    // Books like it.
    let similar: Vec<Line> = facts
        .similar
        .iter()
        .take(3)
        .map(|s| {
            let mut lead = format!("{} by {}", s.title, s.author);
            match (s.shared_readers, s.shared_subjects.is_empty()) {
                (0, false) => lead.push_str(&format!(
                    " shares its subjects {}.",
                    list(&s.shared_subjects).to_lowercase()
                )),
                (n, true) => lead.push_str(&format!(
                    ": {n} {} here read both.",
                    if n == 1 { "reader" } else { "readers" }
                )),
                (n, false) => lead.push_str(&format!(
                    ": {n} {} here read both, and it shares {}.",
                    if n == 1 { "reader" } else { "readers" },
                    list(&s.shared_subjects).to_lowercase()
                )),
            }
            plain(
                lead,
                Source::Catalog {
                    field: Fact::Similar,
                },
            )
        })
        .collect();
    answer(
        FaqKey::Similar,
        format!("What books are like {title}?"),
        similar,
        false,
    );

    // Criticism.
    let mut critics: Vec<Line> = reviews.criticism.iter().take(3).map(review_line).collect();
    if critics.is_empty() && reviews.reviews >= 3 {
        critics.push(plain(
            format!(
                "None of its {} reviews here finds a fault Quire can quote.",
                reviews.reviews
            ),
            Source::Catalog {
                field: Fact::Reviews,
            },
        ));
    }
    answer(
        FaqKey::Criticism,
        format!("What do readers criticise about {title}?"),
        critics,
        false,
    );

    // Content warnings: the kinds are safe before reading; a link goes
    // only to a passage the reader has passed.
    let mut warn = Vec::new();
    for w in &analysis.warnings {
        let name = capitalised(warning_name(w.kind));
        let count = format!(
            "{name}: {} {} ({:.1} per 10,000 words)",
            w.sentences,
            if w.sentences == 1 {
                "passage"
            } else {
                "passages"
            },
            w.per_10k_words
        );
        match w.places.iter().find(|p| guard.allows(**p)) {
            Some(&p) => warn.push(Line {
                lead: format!("{count}, the first in {}.", section_name(text, p.section)),
                quote: None,
                source: Source::Passage { place: p },
            }),
            None => warn.push(plain(
                format!("{count}, all of them further on than you are."),
                Source::Measure {
                    what: Measure::Warnings,
                },
            )),
        }
    }
    if warn.is_empty() {
        warn.push(plain(
            "Quire's word lists find none of the warnings they look for: violence, blood, death, suicide, alcohol, drugs, sexual content, racism and slurs, cruelty to animals, illness or mental illness.".into(),
            Source::Measure { what: Measure::Warnings },
        ));
    }
    answer(
        FaqKey::Warnings,
        format!("Does {title} need content warnings?"),
        warn,
        false,
    );
    out
}

/// Key ideas: the book's most quotable general statements that the reader
/// has reached, each with its chapter.
pub fn key_ideas(text: &Text, analysis: &Analysis, guard: Guard, max: usize) -> Vec<Line> {
    analysis
        .quotations
        .iter()
        .filter(|q| guard.allows(q.place))
        .take(max)
        .filter_map(|q| {
            passage(
                text,
                q.place,
                format!("{}:", section_name(text, q.place.section)),
            )
        })
        .collect()
}

fn review_line(s: &crate::ReviewSentence) -> Line {
    Line {
        lead: format!("{} writes:", s.author),
        quote: Some(s.text.clone()),
        source: Source::Review {
            review: s.review.clone(),
            author: s.author.clone(),
        },
    }
}

fn thousands(n: u32) -> String {
    thousands_u64(u64::from(n))
}

/// 215136 → "215,136".
fn thousands_u64(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_thousands_separators() {
        assert_eq!(thousands_u64(215_136), "215,136");
        assert_eq!(thousands_u64(999), "999");
        assert_eq!(thousands_u64(1_000_000), "1,000,000");
    }

    #[test]
    fn title_words_skip_the_subtitle_and_short_words() {
        assert_eq!(title_words("Moby Dick; Or, The Whale"), ["moby", "dick"]);
        assert_eq!(title_words("Pride and Prejudice"), ["pride", "prejudice"]);
    }
}
