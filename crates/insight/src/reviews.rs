//! What members' reviews say: the sentences in which readers praise a
//! book and the ones in which they find fault, each a verbatim slice of
//! one review with its author, and how many reviewers recommend the book
//! to book clubs.
//!
//! A sentence's opinion is the sum of the weights of the opinion words it
//! holds (a lexicon written for Quire: words readers use about books,
//! "gripping", "tedious", "couldn't put it down"), a word within three
//! words after a negation counting reversed. Praise comes from reviews
//! rated 3½ stars or more (or unrated), fault from reviews rated 3½ or
//! less, or from any review when the sentence turns on "but", "however",
//! "although" or "though". Each review gives at most one sentence to each
//! list, so one loud reviewer cannot fill it. Reviews marked as spoilers
//! are left out: these sentences are shown to every reader.

use quire_text::Paragraph;
use serde::{Deserialize, Serialize};

/// One member's review, as the caller has it: plain text (no Markdown).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewInput {
    /// The review's id, for a link back to it.
    pub id: String,
    /// Who wrote it, as the page names them.
    pub author: String,
    /// Stars, 0.5 to 5, when the reviewer also rated the book.
    pub rating: Option<f32>,
    pub body: String,
    pub spoiler: bool,
    /// The review's answer to "would you recommend it to a book club?".
    pub recommends: Option<bool>,
}

/// A sentence of a review, exactly as written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewSentence {
    pub review: String,
    pub author: String,
    /// A slice of the review's body, verbatim.
    pub text: String,
    /// Opinion strength: positive for praise, negative for fault.
    pub score: f32,
}

/// What the reviews say, as a whole.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReviewInsights {
    /// Reviews read (spoiler reviews included in the count).
    pub reviews: u32,
    /// Best praise first.
    pub praise: Vec<ReviewSentence>,
    /// Strongest fault first.
    pub criticism: Vec<ReviewSentence>,
    /// Reviews that answered the book-club question.
    pub club_answers: u32,
    /// Of those, the ones that said yes.
    pub club_yes: u32,
}

/// Opinion words and phrases with their weight. Phrases are matched on
/// lowercase words; a single word also matches its longer forms that
/// start with it when it ends in `*`.
const OPINION: &[(&str, i8)] = &[
    // Praise.
    ("loved", 3),
    ("love", 2),
    ("adored", 3),
    ("brilliant", 3),
    ("masterpiece", 3),
    ("wonderful", 3),
    ("beautiful*", 2),
    ("gorgeous", 2),
    ("gripping", 3),
    ("compelling", 2),
    ("captivating", 3),
    ("engrossing", 3),
    ("moving", 2),
    ("powerful", 2),
    ("funny", 2),
    ("witty", 2),
    ("hilarious", 2),
    ("charming", 2),
    ("delightful", 3),
    ("enjoyed", 2),
    ("enjoy*", 1),
    ("favourite", 2),
    ("favorite", 2),
    ("excellent", 3),
    ("superb", 3),
    ("amazing", 2),
    ("great", 1),
    ("good", 1),
    ("well written", 2),
    ("well-written", 2),
    ("page-turner", 3),
    ("page turner", 3),
    ("couldn't put it down", 3),
    ("could not put it down", 3),
    ("memorable", 2),
    ("vivid", 2),
    ("rich", 1),
    ("clever", 2),
    ("insightful", 2),
    ("thought-provoking", 2),
    ("thought provoking", 2),
    ("timeless", 2),
    ("recommend*", 2),
    ("must-read", 3),
    ("must read", 3),
    ("heartwarming", 2),
    ("haunting", 1),
    ("lyrical", 2),
    ("fascinating", 2),
    ("satisfying", 2),
    ("stunning", 3),
    ("perfect*", 2),
    // Fault.
    ("boring", -3),
    ("bored", -2),
    ("tedious", -3),
    ("dull", -2),
    ("slow", -2),
    ("dragged", -2),
    ("drags", -2),
    ("overrated", -3),
    ("disappoint*", -2),
    ("predictable", -2),
    ("confusing", -2),
    ("confused", -1),
    ("flat", -1),
    ("shallow", -2),
    ("annoying", -2),
    ("irritating", -2),
    ("repetitive", -2),
    ("long-winded", -2),
    ("too long", -2),
    ("pretentious", -2),
    ("unlikeable", -2),
    ("unlikable", -2),
    ("hated", -3),
    ("hate", -2),
    ("awful", -3),
    ("terrible", -3),
    ("bad", -1),
    ("weak", -2),
    ("rushed", -2),
    ("clichéd", -2),
    ("cliched", -2),
    ("cliché", -2),
    ("problematic", -2),
    ("dated", -1),
    ("struggled", -2),
    ("didn't like", -2),
    ("did not like", -2),
    ("not for me", -2),
    ("gave up", -3),
    ("meh", -2),
    ("forgettable", -2),
    ("unnecessary", -1),
];

const NEGATIONS: &[&str] = &[
    "not", "never", "no", "nor", "hardly", "barely", "isn't", "wasn't", "don't", "didn't",
    "doesn't", "couldn't", "wouldn't", "aren't", "weren't",
];

const CONTRAST: &[&str] = &[
    "but",
    "however",
    "although",
    "though",
    "yet",
    "unfortunately",
];

/// Sentences shorter or longer than this (in words) are not offered.
const MIN_WORDS: usize = 5;
const MAX_WORDS: usize = 45;

fn words(sentence: &str) -> Vec<String> {
    sentence
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '-'))
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().replace('’', "'"))
        .collect()
}

/// The opinion of one sentence, and whether it turns on a contrast.
fn opinion(words: &[String]) -> (f32, bool) {
    let mut score = 0.0f32;
    let mut i = 0;
    while i < words.len() {
        let mut matched = None;
        for (entry, weight) in OPINION {
            let parts: Vec<&str> = entry.split(' ').collect();
            let fits = parts.len() <= words.len() - i
                && parts
                    .iter()
                    .zip(&words[i..])
                    .all(|(p, w)| match p.strip_suffix('*') {
                        Some(stem) => w.starts_with(stem),
                        None => w == p,
                    });
            if fits {
                matched = Some((parts.len(), f32::from(*weight)));
                break;
            }
        }
        match matched {
            Some((len, weight)) => {
                let negated = words[i.saturating_sub(3)..i]
                    .iter()
                    .any(|w| NEGATIONS.contains(&w.as_str()));
                score += if negated { -weight } else { weight };
                i += len;
            }
            None => i += 1,
        }
    }
    let contrast = words.iter().any(|w| CONTRAST.contains(&w.as_str()));
    (score, contrast)
}

/// Read the reviews; at most `max` sentences of praise and of fault.
pub fn reviews(input: &[ReviewInput], max: usize) -> ReviewInsights {
    let mut out = ReviewInsights {
        reviews: input.len() as u32,
        ..ReviewInsights::default()
    };
    for r in input {
        if let Some(yes) = r.recommends {
            out.club_answers += 1;
            out.club_yes += u32::from(yes);
        }
        if r.spoiler {
            continue;
        }
        let mut best_praise: Option<ReviewSentence> = None;
        let mut best_fault: Option<ReviewSentence> = None;
        for line in r.body.lines() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let para = Paragraph::new(line.to_string());
            for i in 0..para.sentences.len() {
                let Some(sentence) = para.sentence(i) else {
                    continue;
                };
                let sentence = sentence.trim();
                let w = words(sentence);
                if !(MIN_WORDS..=MAX_WORDS).contains(&w.len()) {
                    continue;
                }
                let (score, contrast) = opinion(&w);
                let found = |score: f32| ReviewSentence {
                    review: r.id.clone(),
                    author: r.author.clone(),
                    text: sentence.to_string(),
                    score,
                };
                let rated = r.rating;
                if score >= 2.0 && rated.is_none_or(|s| s >= 3.5) {
                    if best_praise.as_ref().is_none_or(|b| score > b.score) {
                        best_praise = Some(found(score));
                    }
                } else if score <= -2.0
                    && (contrast || rated.is_none_or(|s| s <= 3.5))
                    && best_fault.as_ref().is_none_or(|b| score < b.score)
                {
                    best_fault = Some(found(score));
                }
            }
        }
        out.praise.extend(best_praise);
        out.criticism.extend(best_fault);
    }
    out.praise.sort_by(|a, b| b.score.total_cmp(&a.score));
    out.criticism.sort_by(|a, b| a.score.total_cmp(&b.score));
    out.praise.truncate(max);
    out.criticism.truncate(max);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(id: &str, rating: Option<f32>, body: &str) -> ReviewInput {
        ReviewInput {
            id: id.into(),
            author: format!("reader {id}"),
            rating,
            body: body.into(),
            spoiler: false,
            recommends: None,
        }
    }

    #[test]
    fn praise_and_fault_are_verbatim_sentences_of_their_reviews() {
        let input = [
            review(
                "a",
                Some(5.0),
                "I read it in a weekend. The prose is beautiful and the ending is gripping from start to finish.",
            ),
            review(
                "b",
                Some(2.0),
                "Some of it works. The middle section is tedious and far too slow for a book this short.",
            ),
            review(
                "c",
                Some(4.0),
                "A clever premise, but the dialogue felt repetitive and dull in places.",
            ),
        ];
        let got = reviews(&input, 5);
        assert_eq!(got.praise.len(), 1);
        assert_eq!(got.praise[0].review, "a");
        assert_eq!(
            got.praise[0].text,
            "The prose is beautiful and the ending is gripping from start to finish."
        );
        let faults: Vec<&str> = got.criticism.iter().map(|s| s.review.as_str()).collect();
        assert_eq!(faults, ["b", "c"]);
        for s in got.praise.iter().chain(&got.criticism) {
            let body = &input.iter().find(|r| r.id == s.review).unwrap().body;
            assert!(body.contains(&s.text));
        }
    }

    #[test]
    fn negation_turns_praise_into_fault() {
        let (score, _) = opinion(&words("The plot was not gripping at all for me."));
        assert!(score < 0.0, "{score}");
        let (score, _) = opinion(&words("I couldn't put it down all night long."));
        assert!(score > 0.0, "{score}");
    }

    #[test]
    fn spoiler_reviews_give_no_sentences_but_their_answers_count() {
        let mut r = review(
            "s",
            Some(5.0),
            "The twist is brilliant and I loved every page of it.",
        );
        r.spoiler = true;
        r.recommends = Some(true);
        let mut q = review("q", None, "Short.");
        q.recommends = Some(false);
        let got = reviews(&[r, q], 5);
        assert!(got.praise.is_empty());
        assert_eq!((got.club_yes, got.club_answers), (1, 2));
    }
}
