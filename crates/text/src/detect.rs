//! Finding the sections of a body from its blocks, in any book laid out as
//! Project Gutenberg lays out plain text.
//!
//! The rules, none of them tied to a particular book:
//!
//! - A **heading** is a short block (at most three lines) whose first line
//!   is heading-shaped (see `heading`): "CHAPTER IV.", "Letter 1", a bare
//!   "IX", "PART 2", "Epilogue". A second line is its title ("CHAPTER
//!   ONE" / "PLAYING PILGRIMS").
//! - A heading is **real** only when prose follows it before the next
//!   heading-shaped block, passing over titles, captions, ornaments and
//!   short lines (a date line, "(_Kept in shorthand._)"). A table of
//!   contents repeats the headings with nothing between them, so its lines
//!   are never real. A named heading ("Epilogue") must also stand apart
//!   (two blank lines before it), as Gutenberg sets headings.
//! - A **contents list** ("Contents" and the lines after it) gives titles
//!   to numbered headings that have none in the body (Dracula), and, when
//!   its entries are plain titles rather than numbered headings, names the
//!   sections: each entry found again later as a line of its own opens a
//!   **story** (The Adventures of Sherlock Holmes). Numbered parts inside
//!   a story ("I.", "II.") are divisions of it, not sections.
//! - **Bare numerals** ("I" … "IX", The Great Gatsby) are chapters only
//!   when the book has no keyword chapters and no stories, and only while
//!   they count up from one; otherwise they divide a chapter or story.
//! - **Parts**, books and volumes set [`crate::Section::part`] of the
//!   sections after them; prose between a part heading and the next
//!   section (Little Women's Part 2 opens with a paragraph) starts that
//!   section.
//! - Named matter before the first chapter, letter, story or prologue
//!   (prefaces, introductions, "Etymology") is **front matter**; the
//!   unheaded text before the first heading (title pages, the contents) is
//!   dropped. "THE END" closes the story: what follows is **back matter**.
//! - Illustration captions and ornaments ("* * *") are not paragraphs.
//! - A body with no heading at all is one section, "The text".

use crate::blocks::Block;
use crate::heading::{Head, Word, classify, normalise, title_case};
use crate::limits::Clock;
use crate::{Paragraph, Section, SectionKind, TextError};

/// What a block does to the sections.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Mark {
    /// Opens a section.
    Section {
        kind: SectionKind,
        label: String,
        title: Option<String>,
    },
    /// Opens a part, book or volume.
    Part(String),
    /// A heading line that opens nothing (a division of a story), or a
    /// contents list: not a paragraph.
    Skip,
    /// "THE END".
    End,
}

/// The sections found, and the matter around them.
#[derive(Debug, Default)]
pub(crate) struct Detected {
    pub sections: Vec<Section>,
    pub front_matter: Vec<Section>,
    pub back_matter: Vec<Paragraph>,
}

/// How many blocks after a heading may hold titles, captions and short
/// lines before its prose.
const LOOKAHEAD: usize = 8;
/// A heading block's extra lines (its title) are shorter than this.
const TITLE_LINE_CHARS: usize = 80;
/// A block of one line shorter than this is a title, date or caption line
/// rather than prose.
const PROSE_CHARS: usize = 50;
/// Blank lines before a named heading.
const NAMED_GAP: usize = 2;

/// The sections of a body given as blocks.
pub(crate) fn detect(blocks: &[Block], file: &str, clock: &Clock) -> Result<Detected, TextError> {
    let heads: Vec<Option<Head>> = blocks.iter().map(heading_of).collect();
    clock.check(file, "finding headings")?;
    let contents = contents(blocks, &heads);
    let mut marks: Vec<Option<Mark>> = vec![None; blocks.len()];
    if let Some(c) = &contents {
        for m in &mut marks[c.start..c.end] {
            *m = Some(Mark::Skip);
        }
    }
    let real: Vec<bool> = (0..blocks.len())
        .map(|i| is_real(blocks, &heads, i))
        .collect();
    clock.check(file, "finding headings")?;

    let stories = contents
        .as_ref()
        .map(|c| find_stories(blocks, c))
        .unwrap_or_default();
    for (i, label) in &stories {
        marks[*i] = Some(Mark::Section {
            kind: SectionKind::Story,
            label: label.clone(),
            title: None,
        });
    }
    let has_keyword_chapters = heads
        .iter()
        .zip(&real)
        .any(|(h, r)| *r && matches!(h, Some(Head::Numbered { word, .. }) if !word.is_part()));
    let bare_are_sections = stories.is_empty() && !has_keyword_chapters;
    let mut next_bare = 1;

    for (i, head) in heads.iter().enumerate() {
        if marks[i].is_some() {
            continue;
        }
        let Some(head) = head else { continue };
        let block = &blocks[i];
        let second_line = block.lines.get(1).map(|l| title_case(l.trim()));
        match head {
            Head::End => marks[i] = Some(Mark::End),
            _ if !real[i] => {}
            Head::Numbered { word, n, title } if word.is_part() => {
                let _ = title;
                marks[i] = Some(Mark::Part(format!("{} {n}", word.name())));
            }
            Head::Numbered { word, n, title } => {
                let title = title.clone().or(second_line).or_else(|| {
                    contents
                        .as_ref()
                        .and_then(|c| c.titles.iter().find(|(w, k, _)| w == word && k == n))
                        .map(|(_, _, t)| t.clone())
                });
                marks[i] = Some(numbered_mark(*word, *n, title));
            }
            Head::Bare { n, title } => {
                if bare_are_sections && *n == next_bare {
                    next_bare += 1;
                    let title = title.clone().or(second_line);
                    marks[i] = Some(bare_mark(*n, title));
                } else {
                    marks[i] = Some(Mark::Skip);
                }
            }
            Head::Named { kind, label } => {
                if block.gap_before >= NAMED_GAP || block.heading_tag {
                    marks[i] = Some(Mark::Section {
                        kind: *kind,
                        label: label.clone(),
                        title: None,
                    });
                }
            }
            Head::Contents => {}
        }
    }
    // Captions that say only "THE END" close the story too (P&P).
    for (i, b) in blocks.iter().enumerate() {
        if b.caption && marks[i].is_none() && caption_is_the_end(b) {
            marks[i] = Some(Mark::End);
        }
    }
    clock.check(file, "finding headings")?;
    Ok(assemble(blocks, &marks))
}

/// The mark of a numbered heading.
pub(crate) fn numbered_mark(word: Word, n: u32, title: Option<String>) -> Mark {
    match word {
        Word::Adventure => match title {
            Some(t) => Mark::Section {
                kind: SectionKind::Story,
                label: t,
                title: None,
            },
            None => Mark::Section {
                kind: SectionKind::Story,
                label: format!("Adventure {n}"),
                title: None,
            },
        },
        Word::Letter => Mark::Section {
            kind: SectionKind::Letter,
            label: format!("Letter {n}"),
            title,
        },
        Word::Part | Word::Book | Word::Volume => Mark::Part(format!("{} {n}", word.name())),
        Word::Chapter | Word::Stave => Mark::Section {
            kind: SectionKind::Chapter,
            label: format!("{} {n}", word.name()),
            title,
        },
    }
}

/// The mark of a bare numeral that opens a section: a chapter when it is
/// a number alone, a story named by its title when it has one ("I. A
/// SCANDAL IN BOHEMIA").
pub(crate) fn bare_mark(n: u32, title: Option<String>) -> Mark {
    match title {
        Some(t) => Mark::Section {
            kind: SectionKind::Story,
            label: t,
            title: None,
        },
        None => Mark::Section {
            kind: SectionKind::Chapter,
            label: format!("Chapter {n}"),
            title: None,
        },
    }
}

/// The heading a block is, if it is shaped like one.
fn heading_of(b: &Block) -> Option<Head> {
    if b.caption || b.lines.len() > 3 {
        return None;
    }
    let head = classify(b.first())?;
    let rest_ok = b.lines[1..]
        .iter()
        .all(|l| l.trim().chars().count() < TITLE_LINE_CHARS && classify(l).is_none());
    rest_ok.then_some(head)
}

/// Whether a block reads as prose: small letters, and long enough not to
/// be a title or a date line.
fn is_prose(b: &Block) -> bool {
    if b.caption || b.heading_tag {
        return false;
    }
    let chars: usize = b.lines.iter().map(|l| l.trim().chars().count()).sum();
    let lower = b.lines.iter().any(|l| l.chars().any(char::is_lowercase));
    lower && (chars >= PROSE_CHARS || (b.lines.len() >= 2 && chars >= 30))
}

/// Whether a block is a paragraph of prose wrapped at a fixed width, as
/// opposed to a list of short entries.
fn is_wrapped_prose(b: &Block) -> bool {
    let n = b.lines.len();
    if n == 1 {
        return b.lines[0].trim().chars().count() >= 100;
    }
    let full: usize = b.lines[..n - 1]
        .iter()
        .map(|l| l.trim().chars().count())
        .sum();
    full / (n - 1) >= 60
}

/// Whether the heading at `i` opens something: prose follows before the
/// next heading. A part heading followed at once by a real chapter
/// heading is real too.
fn is_real(blocks: &[Block], heads: &[Option<Head>], i: usize) -> bool {
    let Some(head) = &heads[i] else { return false };
    let part = matches!(head, Head::Numbered { word, .. } if word.is_part());
    for k in i + 1..blocks.len().min(i + 1 + LOOKAHEAD) {
        if let Some(next) = &heads[k] {
            if matches!(next, Head::End) {
                return false;
            }
            return part && is_real(blocks, heads, k);
        }
        if is_prose(&blocks[k]) {
            return true;
        }
    }
    false
}

/// A table of contents: where it is and what its entries give.
#[derive(Debug, Default)]
struct Contents {
    start: usize,
    end: usize,
    /// Titles of numbered entries ("CHAPTER I. Jonathan Harker's
    /// Journal").
    titles: Vec<(Word, u32, String)>,
    /// Entries that are plain titles, not headings.
    plain: Vec<String>,
}

fn contents(blocks: &[Block], heads: &[Option<Head>]) -> Option<Contents> {
    let start = heads
        .iter()
        .position(|h| matches!(h, Some(Head::Contents)))?;
    let mut entries: Vec<&str> = blocks[start].lines[1..]
        .iter()
        .map(String::as_str)
        .collect();
    let mut end = start + 1;
    while end < blocks.len() {
        let b = &blocks[end];
        if (!entries.is_empty() && b.gap_before >= 2) || is_wrapped_prose(b) {
            break;
        }
        entries.extend(b.lines.iter().map(String::as_str));
        end += 1;
    }
    let mut c = Contents {
        start,
        end,
        ..Contents::default()
    };
    for entry in entries {
        let entry = strip_page_number(entry);
        if entry.is_empty() {
            continue;
        }
        match classify(entry) {
            Some(Head::Numbered {
                word,
                n,
                title: Some(t),
            }) => c.titles.push((word, n, t)),
            Some(_) => {}
            None => c.plain.push(entry.to_string()),
        }
    }
    Some(c)
}

/// "Heading to Chapter XXXI.      215" without its page number.
fn strip_page_number(entry: &str) -> &str {
    let t = entry.trim();
    match t.rsplit_once(char::is_whitespace) {
        Some((head, tail)) if tail.bytes().all(|b| b.is_ascii_digit()) => head.trim(),
        _ => t,
    }
}

/// The blocks that repeat the contents list's plain titles, in order, as
/// lines of their own after the list: the stories of a collection. Empty
/// unless at least two, and half the titles, are found.
fn find_stories(blocks: &[Block], c: &Contents) -> Vec<(usize, String)> {
    if c.plain.len() < 2 || c.plain.len() < c.titles.len() {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut from = c.end;
    for title in &c.plain {
        let key = normalise(title);
        if key.is_empty() {
            continue;
        }
        let hit = (from..blocks.len()).find(|&k| {
            let b = &blocks[k];
            !b.caption && b.lines.len() == 1 && normalise(&b.lines[0]) == key
        });
        if let Some(k) = hit {
            found.push((k, title_case(blocks[k].lines[0].trim())));
            from = k + 1;
        }
    }
    if found.len() >= 2 && found.len() * 2 >= c.plain.len() {
        found
    } else {
        Vec::new()
    }
}

fn caption_is_the_end(b: &Block) -> bool {
    let inner = b.lines.join(" ");
    let inner = inner
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim();
    let inner = inner.strip_prefix("Illustration:").unwrap_or(inner);
    matches!(normalise(inner).as_str(), "theend" | "finis")
}

/// Whether a section of this kind belongs to the story (rather than the
/// front matter) when it comes before any other.
fn starts_story(kind: SectionKind) -> bool {
    !matches!(
        kind,
        SectionKind::Preface | SectionKind::Introduction | SectionKind::Afterword
    )
}

/// Builds the sections from the blocks and their marks (see the rules at
/// the top of this module).
pub(crate) fn assemble(blocks: &[Block], marks: &[Option<Mark>]) -> Detected {
    let mut out = Detected::default();
    let any_section = marks
        .iter()
        .any(|m| matches!(m, Some(Mark::Section { .. })));
    if !any_section {
        let paragraphs = blocks
            .iter()
            .zip(marks)
            .filter(|(b, m)| m.is_none() && !b.caption && has_words(b))
            .map(|(b, _)| Paragraph::new(b.text()))
            .collect();
        out.sections.push(Section {
            kind: SectionKind::Chapter,
            label: "The text".to_string(),
            title: None,
            part: None,
            paragraphs,
        });
        return out;
    }

    // "THE END" (or "FINIS") ends the story only after its last section;
    // one said inside the story is a line of it.
    let last_section = marks
        .iter()
        .rposition(|m| matches!(m, Some(Mark::Section { .. })))
        .unwrap_or(0);
    let mut story_started = false;
    let mut ended = false;
    let mut part: Option<String> = None;
    // The open section, and whether it is front matter.
    let mut current: Option<(Section, bool)> = None;
    let mut pending: Vec<Paragraph> = Vec::new();
    let close = |current: &mut Option<(Section, bool)>, out: &mut Detected| {
        if let Some((s, front)) = current.take() {
            if front {
                out.front_matter.push(s);
            } else {
                out.sections.push(s);
            }
        }
    };
    for (i, (b, mark)) in blocks.iter().zip(marks).enumerate() {
        let mark = match mark {
            Some(Mark::End) if i < last_section => &None,
            m => m,
        };
        if ended {
            if !b.caption && has_words(b) && !matches!(mark, Some(Mark::End)) {
                out.back_matter.push(Paragraph::new(b.text()));
            }
            continue;
        }
        match mark {
            Some(Mark::Section { kind, label, title }) => {
                close(&mut current, &mut out);
                let front = !story_started && !starts_story(*kind);
                story_started |= !front;
                // Before the story, a note is a preface, not an afterword.
                let kind = if front && *kind == SectionKind::Afterword {
                    SectionKind::Preface
                } else {
                    *kind
                };
                let section = Section {
                    kind,
                    label: label.clone(),
                    title: title.clone(),
                    part: if front { None } else { part.clone() },
                    paragraphs: std::mem::take(&mut pending),
                };
                current = Some((section, front));
            }
            Some(Mark::Part(label)) => {
                close(&mut current, &mut out);
                part = Some(label.clone());
            }
            Some(Mark::Skip) => {}
            Some(Mark::End) => {
                if story_started {
                    close(&mut current, &mut out);
                    ended = true;
                }
            }
            None => {
                if b.caption || !has_words(b) {
                    continue;
                }
                let p = Paragraph::new(b.text());
                match &mut current {
                    Some((s, _)) => s.paragraphs.push(p),
                    // After a part heading, before its first section.
                    None if part.is_some() => pending.push(p),
                    // Title pages before any heading are dropped.
                    None => {}
                }
            }
        }
    }
    close(&mut current, &mut out);
    if !pending.is_empty()
        && let Some(last) = out.sections.last_mut()
    {
        last.paragraphs.append(&mut pending);
    }
    out
}

/// Whether a block has any letter or digit (an ornament such as "* * *"
/// has none).
fn has_words(b: &Block) -> bool {
    b.lines.iter().any(|l| l.chars().any(char::is_alphanumeric))
}
