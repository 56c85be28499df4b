//! A work's full text in the database (issue 8): the file it came from,
//! its sections with where each starts on the clubs' position scale, and
//! its paragraphs with their sentences, so the chapter lists, the spoiler
//! gate's exact chapters and the analysis read the text without the file.
//!
//! One current text per work. [`attach`] writes it in one transaction with
//! batched inserts; the same bytes again change nothing, different bytes
//! replace it whole under the next version (old rows and stale analyses
//! dropped). [`load`] rebuilds exactly the [`Text`] that was attached.
//!
//! Offsets count characters of the body (the paragraphs' texts one after
//! another, nothing between them), as `quire_text::Text::offset` does; a
//! point is the share of the body before a place on the 0..=10000 scale,
//! rounded down. A text that would not fit the documented bounds
//! ([`MAX_SECTIONS`], [`MAX_PARAGRAPHS`], [`MAX_CHARS`],
//! [`MAX_PARAGRAPH_BYTES`]) is refused before anything is written.

use crate::StorageError;
use crate::db::{Db, Tx, missing_book, now, value_rows};
use quire_domain::position::{Chapters, Point};
use quire_domain::{UserId, WorkId};
use quire_text::{Paragraph, Section, SectionKind, Text};
use sha2::{Digest, Sha256};
use std::fmt;
use std::ops::Range;
use time::OffsetDateTime;

/// Most sections a text may have. The longest novels have a few hundred
/// chapters (Moby-Dick 135, Les Misérables 365); 2,000 leaves room for
/// collections of letters or short pieces.
pub const MAX_SECTIONS: usize = 2_000;
/// Most paragraphs. Moby-Dick has about 2,500, War and Peace about 12,000.
pub const MAX_PARAGRAPHS: usize = 100_000;
/// Most characters of body. War and Peace is about 3.2 million.
pub const MAX_CHARS: u64 = 10_000_000;
/// Longest paragraph, in bytes: longer is a file without paragraph breaks,
/// which would make one passage of the whole book.
pub const MAX_PARAGRAPH_BYTES: usize = 200_000;
/// Most bytes of matter outside the body (prefaces, advertisements after
/// "THE END"), as stored.
pub const MAX_MATTER_BYTES: usize = 4_000_000;

/// Rows per multi-row INSERT: 400 paragraphs × 6 values stays far below
/// both engines' limit on bound values (32,766 on SQLite, 65,535 on
/// PostgreSQL) while cutting round trips a hundredfold.
const BATCH: usize = 400;

/// The kind of file a text was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceFormat {
    Epub,
    GutenbergTxt,
}

impl SourceFormat {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Epub => "epub",
            SourceFormat::GutenbergTxt => "gutenberg_txt",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "epub" => Some(SourceFormat::Epub),
            "gutenberg_txt" => Some(SourceFormat::GutenbergTxt),
            _ => None,
        }
    }
}

impl fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SourceFormat::Epub => "EPUB",
            SourceFormat::GutenbergTxt => "Project Gutenberg plain text",
        })
    }
}

/// Where a text came from: the file's name, format, size and digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceInfo {
    pub format: SourceFormat,
    pub file_name: String,
    pub byte_size: u64,
    /// SHA-256 of the file's bytes, lowercase hex: the text's identity.
    pub sha256: String,
}

impl SourceInfo {
    /// The source of `bytes` read as `format` from a file called
    /// `file_name` (a name only: no folders are kept).
    pub fn of(format: SourceFormat, file_name: &str, bytes: &[u8]) -> Self {
        let digest = Sha256::digest(bytes);
        let sha256 = digest.iter().map(|b| format!("{b:02x}")).collect();
        let file_name = file_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(file_name)
            .to_string();
        Self {
            format,
            file_name,
            byte_size: bytes.len() as u64,
            sha256,
        }
    }
}

/// The text a work carries now, as [`attach`] left it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextVersion {
    pub work: WorkId,
    /// 1 for the first text, one more for each replacement.
    pub version: i64,
    pub sha256: String,
    pub sections: u32,
    pub paragraphs: u32,
    pub chars: u64,
    pub attached_at: OffsetDateTime,
    /// False when these bytes were already the work's text (nothing was
    /// written).
    pub changed: bool,
}

/// A text refused before anything was written, or a failure to write it.
#[derive(Debug, thiserror::Error)]
pub enum AttachError {
    #[error(
        "the text has {count} {what}; Quire keeps at most {max} per book. Is this one book? Split a collection into its books"
    )]
    TooBig {
        what: &'static str,
        count: u64,
        max: u64,
    },
    #[error(
        "paragraph {paragraph} of section {section} is {bytes} bytes; the longest Quire keeps is {max}. The file probably has no paragraph breaks"
    )]
    ParagraphTooLong {
        section: usize,
        paragraph: usize,
        bytes: usize,
        max: usize,
    },
    #[error(
        "the text has no sections with words in them; nothing to keep. Check that the file holds the book's body"
    )]
    Empty,
    #[error(
        "sentence {sentence} of paragraph {paragraph} of section {section} is bytes {start}..{end} of a {len}-byte paragraph, outside it or out of order; the reader that made this text has a bug"
    )]
    BadSentence {
        section: usize,
        paragraph: usize,
        sentence: usize,
        start: u32,
        end: u32,
        len: usize,
    },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for AttachError {
    fn from(e: sqlx::Error) -> Self {
        AttachError::Storage(StorageError::Sql(e))
    }
}

/// `offset` characters into a body of `len`, on the clubs' scale,
/// rounded up: where a passage ending at `offset` is wholly read.
fn point_up(offset: u64, len: u64) -> Point {
    let n = if len == 0 || offset >= len {
        u32::from(Point::END)
    } else {
        (offset * u64::from(Point::END)).div_ceil(len) as u32
    };
    Point::new(n).unwrap_or(Point::FINISHED)
}

/// Check the bounds and the sentences, before any write.
fn check(text: &Text) -> Result<(u64, u64), AttachError> {
    let too_big = |what, count: u64, max: u64| AttachError::TooBig { what, count, max };
    if text.sections.len() > MAX_SECTIONS {
        return Err(too_big(
            "sections",
            text.sections.len() as u64,
            MAX_SECTIONS as u64,
        ));
    }
    let paragraphs: usize = text.sections.iter().map(|s| s.paragraphs.len()).sum();
    if paragraphs > MAX_PARAGRAPHS {
        return Err(too_big(
            "paragraphs",
            paragraphs as u64,
            MAX_PARAGRAPHS as u64,
        ));
    }
    let mut total = 0u64;
    for (si, s) in text.sections.iter().enumerate() {
        for (pi, p) in s.paragraphs.iter().enumerate() {
            if p.text.len() > MAX_PARAGRAPH_BYTES {
                return Err(AttachError::ParagraphTooLong {
                    section: si + 1,
                    paragraph: pi + 1,
                    bytes: p.text.len(),
                    max: MAX_PARAGRAPH_BYTES,
                });
            }
            let mut prev_end = 0u32;
            for (ti, r) in p.sentences.iter().enumerate() {
                let ok = r.start >= prev_end
                    && r.start <= r.end
                    && p.text.get(r.start as usize..r.end as usize).is_some();
                if !ok {
                    return Err(AttachError::BadSentence {
                        section: si + 1,
                        paragraph: pi + 1,
                        sentence: ti + 1,
                        start: r.start,
                        end: r.end,
                        len: p.text.len(),
                    });
                }
                prev_end = r.end;
            }
            total += p.chars();
        }
        if total > MAX_CHARS {
            return Err(too_big("characters", total, MAX_CHARS));
        }
    }
    if text.sections.is_empty() || total == 0 {
        return Err(AttachError::Empty);
    }
    Ok((paragraphs as u64, total))
}

/// Sentence ranges as stored: "start-end" pairs, comma-separated.
fn encode_sentences(ranges: &[Range<u32>]) -> String {
    let mut s = String::with_capacity(ranges.len() * 8);
    for (i, r) in ranges.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&r.start.to_string());
        s.push('-');
        s.push_str(&r.end.to_string());
    }
    s
}

fn decode_sentences(s: &str) -> Option<Vec<Range<u32>>> {
    if s.is_empty() {
        return Some(Vec::new());
    }
    s.split(',')
        .map(|pair| {
            let (a, b) = pair.split_once('-')?;
            Some(a.parse().ok()?..b.parse().ok()?)
        })
        .collect()
}

fn kind_str(k: SectionKind) -> &'static str {
    match k {
        SectionKind::Preface => "preface",
        SectionKind::Introduction => "introduction",
        SectionKind::Prologue => "prologue",
        SectionKind::Letter => "letter",
        SectionKind::Chapter => "chapter",
        SectionKind::Story => "story",
        SectionKind::Epilogue => "epilogue",
        SectionKind::Afterword => "afterword",
    }
}

fn parse_kind(s: &str) -> Option<SectionKind> {
    Some(match s {
        "preface" => SectionKind::Preface,
        "introduction" => SectionKind::Introduction,
        "prologue" => SectionKind::Prologue,
        "letter" => SectionKind::Letter,
        "chapter" => SectionKind::Chapter,
        "story" => SectionKind::Story,
        "epilogue" => SectionKind::Epilogue,
        "afterword" => SectionKind::Afterword,
        _ => return None,
    })
}

/// Make `text` the text of `work`, read from `source`, attached by `by`
/// (none for the demo and the command line). One transaction: on any
/// error nothing is kept. The same bytes as the current text change
/// nothing (`changed` is false).
pub async fn attach(
    db: &Db,
    work: WorkId,
    text: &Text,
    source: &SourceInfo,
    by: Option<UserId>,
) -> Result<TextVersion, AttachError> {
    let (paragraph_count, len) = check(text)?;
    let starts = section_offsets(text);
    let start_points = text.section_starts();
    let starts_csv = start_points
        .iter()
        .map(|p| p.value().to_string())
        .collect::<Vec<_>>()
        .join(",");
    let json = |what: &str, r: serde_json::Result<String>| {
        r.map_err(|e| StorageError::Corrupt(format!("{what} as JSON: {e}")))
    };
    let authors = json("authors", serde_json::to_string(&text.authors))?;
    let front = json("front matter", serde_json::to_string(&text.front_matter))?;
    let back = json("back matter", serde_json::to_string(&text.back_matter))?;
    if front.len() + back.len() > MAX_MATTER_BYTES {
        return Err(AttachError::TooBig {
            what: "bytes of matter before and after the story",
            count: (front.len() + back.len()) as u64,
            max: MAX_MATTER_BYTES as u64,
        });
    }
    let at = now();
    let mut tx = db.begin().await?;
    // The upsert does nothing when the bytes are the same, so one
    // statement both decides and (on PostgreSQL) locks the row against a
    // second attach of the same work running at once.
    let version: Option<(i64,)> = tx!(
        db,
        &mut tx,
        sqlx::query_as(
            "INSERT INTO work_texts (work_id, version, sha256, source_format, file_name, byte_size,
                                     title, authors, language, licence, front_matter, back_matter,
                                     attached_by, attached_at, section_count, paragraph_count,
                                     char_count, section_starts)
             VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
             ON CONFLICT (work_id) DO UPDATE SET version = work_texts.version + 1,
                sha256 = excluded.sha256, source_format = excluded.source_format,
                file_name = excluded.file_name, byte_size = excluded.byte_size,
                title = excluded.title, authors = excluded.authors, language = excluded.language,
                licence = excluded.licence, front_matter = excluded.front_matter,
                back_matter = excluded.back_matter, attached_by = excluded.attached_by,
                attached_at = excluded.attached_at, section_count = excluded.section_count,
                paragraph_count = excluded.paragraph_count, char_count = excluded.char_count,
                section_starts = excluded.section_starts
             WHERE work_texts.sha256 <> excluded.sha256
             RETURNING version"
        )
        .bind(work)
        .bind(&source.sha256)
        .bind(source.format.as_str())
        .bind(&source.file_name)
        .bind(i64::try_from(source.byte_size).unwrap_or(i64::MAX))
        .bind(&text.title)
        .bind(&authors)
        .bind(&text.language)
        .bind(&text.licence)
        .bind(&front)
        .bind(&back)
        .bind(by)
        .bind(at)
        .bind(text.sections.len() as i64)
        .bind(paragraph_count as i64)
        .bind(len as i64)
        .bind(&starts_csv),
        fetch_optional
    )
    .map_err(missing_book)?;
    let Some((version,)) = version else {
        drop(tx);
        return current(db, work)
            .await?
            .ok_or(AttachError::Storage(StorageError::NotFound("text")));
    };
    if version > 1 {
        clear(db, &mut tx, work).await?;
    }
    tx!(
        db,
        &mut tx,
        sqlx::query("DELETE FROM text_analyses WHERE work_id = $1 AND text_sha256 <> $2")
            .bind(work)
            .bind(&source.sha256),
        execute
    )?;
    insert_sections(db, &mut tx, work, &text.sections, &starts, &start_points).await?;
    insert_paragraphs(db, &mut tx, work, &text.sections, &starts).await?;
    bump_core(db, &mut tx, work).await?;
    tx.commit().await?;
    Ok(TextVersion {
        work,
        version,
        sha256: source.sha256.clone(),
        sections: text.sections.len() as u32,
        paragraphs: paragraph_count as u32,
        chars: len,
        attached_at: at,
        changed: true,
    })
}

/// The character offset at which each section starts.
fn section_offsets(text: &Text) -> Vec<u64> {
    let mut at = 0u64;
    text.sections
        .iter()
        .map(|s| {
            let start = at;
            at += s.paragraphs.iter().map(Paragraph::chars).sum::<u64>();
            start
        })
        .collect()
}

async fn clear(db: &Db, tx: &mut Tx, work: WorkId) -> Result<(), StorageError> {
    tx!(
        db,
        &mut *tx,
        sqlx::query("DELETE FROM text_paragraphs WHERE work_id = $1").bind(work),
        execute
    )?;
    tx!(
        db,
        &mut *tx,
        sqlx::query("DELETE FROM text_sections WHERE work_id = $1").bind(work),
        execute
    )?;
    Ok(())
}

async fn insert_sections(
    db: &Db,
    tx: &mut Tx,
    work: WorkId,
    sections: &[Section],
    starts: &[u64],
    points: &[Point],
) -> Result<(), StorageError> {
    let rows: Vec<(usize, &Section)> = sections.iter().enumerate().collect();
    for chunk in rows.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO text_sections (work_id, section_index, kind, label, title, part, start_offset, start_point) VALUES {}",
            value_rows(1, chunk.len(), 8)
        );
        tx!(
            db,
            &mut *tx,
            {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                for (i, s) in chunk {
                    q = q
                        .bind(work)
                        .bind(*i as i64)
                        .bind(kind_str(s.kind))
                        .bind(&s.label)
                        .bind(&s.title)
                        .bind(&s.part)
                        .bind(starts.get(*i).copied().unwrap_or(0) as i64)
                        .bind(i64::from(points.get(*i).map_or(0, |p| p.value())));
                }
                q
            },
            execute
        )?;
    }
    Ok(())
}

async fn insert_paragraphs(
    db: &Db,
    tx: &mut Tx,
    work: WorkId,
    sections: &[Section],
    starts: &[u64],
) -> Result<(), StorageError> {
    // (section, paragraph, text, sentences, offset)
    let mut rows: Vec<(i64, i64, &str, String, i64)> = Vec::new();
    for (si, s) in sections.iter().enumerate() {
        let mut at = starts.get(si).copied().unwrap_or(0);
        for (pi, p) in s.paragraphs.iter().enumerate() {
            rows.push((
                si as i64,
                pi as i64,
                &p.text,
                encode_sentences(&p.sentences),
                at as i64,
            ));
            at += p.chars();
        }
    }
    for chunk in rows.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO text_paragraphs (work_id, section_index, paragraph_index, text, sentences, char_offset) VALUES {}",
            value_rows(1, chunk.len(), 6)
        );
        tx!(
            db,
            &mut *tx,
            {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                for (si, pi, text, sentences, offset) in chunk {
                    q = q
                        .bind(work)
                        .bind(*si)
                        .bind(*pi)
                        .bind(*text)
                        .bind(sentences.as_str())
                        .bind(*offset);
                }
                q
            },
            execute
        )?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct HeadRow {
    version: i64,
    sha256: String,
    source_format: String,
    file_name: String,
    byte_size: i64,
    title: Option<String>,
    authors: String,
    language: Option<String>,
    licence: Option<String>,
    front_matter: String,
    back_matter: String,
    attached_by: Option<UserId>,
    attached_at: OffsetDateTime,
    section_count: i64,
    paragraph_count: i64,
    char_count: i64,
    section_starts: String,
}

async fn head(db: &Db, work: WorkId) -> Result<Option<HeadRow>, StorageError> {
    Ok(read!(
        db,
        sqlx::query_as(
            "SELECT version, sha256, source_format, file_name, byte_size, title, authors, language,
                    licence, front_matter, back_matter, attached_by, attached_at, section_count, paragraph_count, char_count,
                    section_starts
             FROM work_texts WHERE work_id = $1"
        )
        .bind(work),
        fetch_optional
    )?)
}

/// What is known of a work's current text without reading its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextInfo {
    pub version: TextVersion,
    pub source: SourceInfo,
    pub attached_by: Option<UserId>,
}

/// The current text's version and source, if the work has a text.
pub async fn info(db: &Db, work: WorkId) -> Result<Option<TextInfo>, StorageError> {
    let Some(h) = head(db, work).await? else {
        return Ok(None);
    };
    let format = SourceFormat::parse(&h.source_format)
        .ok_or_else(|| StorageError::Corrupt(format!("source format {}", h.source_format)))?;
    Ok(Some(TextInfo {
        version: TextVersion {
            work,
            version: h.version,
            sha256: h.sha256.clone(),
            sections: h.section_count as u32,
            paragraphs: h.paragraph_count as u32,
            chars: h.char_count as u64,
            attached_at: h.attached_at,
            changed: false,
        },
        source: SourceInfo {
            format,
            file_name: h.file_name,
            byte_size: h.byte_size as u64,
            sha256: h.sha256,
        },
        attached_by: h.attached_by,
    }))
}

async fn current(db: &Db, work: WorkId) -> Result<Option<TextVersion>, StorageError> {
    Ok(info(db, work).await?.map(|i| i.version))
}

#[derive(sqlx::FromRow)]
struct SectionRow {
    section_index: i64,
    kind: String,
    label: String,
    title: Option<String>,
    part: Option<String>,
    start_offset: i64,
    start_point: i64,
}

#[derive(sqlx::FromRow)]
struct ParagraphRow {
    section_index: i64,
    paragraph_index: i64,
    text: String,
    sentences: String,
    char_offset: i64,
}

async fn section_rows(db: &Db, work: WorkId) -> Result<Vec<SectionRow>, StorageError> {
    Ok(read!(
        db,
        sqlx::query_as(
            "SELECT section_index, kind, label, title, part, start_offset, start_point
             FROM text_sections WHERE work_id = $1 ORDER BY section_index"
        )
        .bind(work),
        fetch_all
    )?)
}

fn paragraph_of(r: &ParagraphRow) -> Result<Paragraph, StorageError> {
    let sentences = decode_sentences(&r.sentences).ok_or_else(|| {
        StorageError::Corrupt(format!(
            "sentences \"{}\" of paragraph {} of section {}",
            r.sentences.chars().take(40).collect::<String>(),
            r.paragraph_index + 1,
            r.section_index + 1
        ))
    })?;
    Ok(Paragraph {
        text: r.text.clone(),
        sentences,
    })
}

/// The work's text exactly as it was attached, or `None` without one.
pub async fn load(db: &Db, work: WorkId) -> Result<Option<Text>, StorageError> {
    // Three reads, each its own snapshot: a replacement landing between
    // them shows as a changed digest, and the read starts again.
    for _ in 0..3 {
        let Some(h) = head(db, work).await? else {
            return Ok(None);
        };
        let sections = section_rows(db, work).await?;
        let paragraphs: Vec<ParagraphRow> = read!(
            db,
            sqlx::query_as(
                "SELECT section_index, paragraph_index, text, sentences, char_offset
                 FROM text_paragraphs WHERE work_id = $1 ORDER BY section_index, paragraph_index"
            )
            .bind(work),
            fetch_all
        )?;
        let after = head(db, work).await?;
        if after.as_ref().map(|a| &a.sha256) != Some(&h.sha256) {
            continue;
        }
        let mut out: Vec<Section> = Vec::with_capacity(sections.len());
        for s in &sections {
            out.push(Section {
                kind: parse_kind(&s.kind)
                    .ok_or_else(|| StorageError::Corrupt(format!("section kind {}", s.kind)))?,
                label: s.label.clone(),
                title: s.title.clone(),
                part: s.part.clone(),
                paragraphs: Vec::new(),
            });
        }
        for p in &paragraphs {
            let section = usize::try_from(p.section_index)
                .ok()
                .and_then(|i| out.get_mut(i))
                .ok_or_else(|| {
                    StorageError::Corrupt(format!(
                        "a paragraph of section {} which the text does not have",
                        p.section_index + 1
                    ))
                })?;
            section.paragraphs.push(paragraph_of(p)?);
        }
        let corrupt = |what: &str, e: serde_json::Error| {
            StorageError::Corrupt(format!("{what} of the text of {work}: {e}"))
        };
        let authors: Vec<String> =
            serde_json::from_str(&h.authors).map_err(|e| corrupt("authors", e))?;
        let front_matter: Vec<Section> =
            serde_json::from_str(&h.front_matter).map_err(|e| corrupt("front matter", e))?;
        let back_matter: Vec<Paragraph> =
            serde_json::from_str(&h.back_matter).map_err(|e| corrupt("back matter", e))?;
        return Ok(Some(Text {
            title: h.title,
            authors,
            language: h.language,
            licence: h.licence,
            sections: out,
            front_matter,
            back_matter,
        }));
    }
    Err(StorageError::Conflict(
        "the book's text was being replaced while it was read; try again".into(),
    ))
}

/// A section as a chapter list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SectionEntry {
    /// From 0, in reading order; a club's chapter `index + 1`.
    pub index: u32,
    pub kind: SectionKind,
    pub label: String,
    pub title: Option<String>,
    pub part: Option<String>,
    /// Characters of the body before it.
    pub start_offset: u64,
    pub start: Point,
}

/// The sections of the work's text, in order (empty without a text).
pub async fn sections(db: &Db, work: WorkId) -> Result<Vec<SectionEntry>, StorageError> {
    section_rows(db, work)
        .await?
        .into_iter()
        .map(|s| {
            Ok(SectionEntry {
                index: s.section_index as u32,
                kind: parse_kind(&s.kind)
                    .ok_or_else(|| StorageError::Corrupt(format!("section kind {}", s.kind)))?,
                label: s.label,
                title: s.title,
                part: s.part,
                start_offset: s.start_offset as u64,
                start: stored_point(s.start_point)?,
            })
        })
        .collect()
}

fn stored_point(n: i64) -> Result<Point, StorageError> {
    u32::try_from(n)
        .ok()
        .and_then(Point::new)
        .ok_or_else(|| StorageError::Corrupt(format!("point {n}")))
}

/// Parse `work_texts.section_starts`.
pub(crate) fn parse_starts(csv: &str) -> Option<Chapters> {
    let starts: Option<Vec<Point>> = csv
        .split(',')
        .map(|n| n.trim().parse::<u32>().ok().and_then(Point::new))
        .collect();
    starts.filter(|s| !s.is_empty()).map(Chapters::Exact)
}

/// Where each section of the work's text starts: the club's chapters once
/// the text is known. `None` without a text.
pub async fn chapter_starts(db: &Db, work: WorkId) -> Result<Option<Chapters>, StorageError> {
    let row: Option<(String,)> = read!(
        db,
        sqlx::query_as("SELECT section_starts FROM work_texts WHERE work_id = $1").bind(work),
        fetch_optional
    )?;
    match row {
        None => Ok(None),
        Some((csv,)) => parse_starts(&csv)
            .map(Some)
            .ok_or_else(|| StorageError::Corrupt(format!("section starts of {work}"))),
    }
}

/// A paragraph of the body with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Passage {
    pub section: u32,
    pub paragraph: u32,
    /// Characters of the body before it.
    pub offset: u64,
    /// Where a reader has read it all: see [`passages`].
    pub read_at: Point,
    pub text: Paragraph,
}

/// The paragraphs a reader at `up_to` has wholly read, in order.
///
/// A paragraph is read at the point where it ends, rounded up, but never
/// later than where the next section starts: a reader placed at the start
/// of chapter 3 (`in_chapter(3)`) has every paragraph of chapter 2 and none
/// of chapter 3, even when the scale's ten-thousandths are coarser than a
/// paragraph.
pub async fn passages(db: &Db, work: WorkId, up_to: Point) -> Result<Vec<Passage>, StorageError> {
    let Some(h) = head(db, work).await? else {
        return Ok(Vec::new());
    };
    let len = h.char_count.max(0) as u64;
    let next_starts: Vec<Point> = match parse_starts(&h.section_starts) {
        Some(Chapters::Exact(s)) => s.into_iter().skip(1).collect(),
        _ => return Err(StorageError::Corrupt(format!("section starts of {work}"))),
    };
    // Nothing that starts past the reader's point can be read: a bound
    // in SQL, the exact rule in Rust.
    let bound = (u64::from(up_to.value()) * len).div_ceil(u64::from(Point::END));
    let rows: Vec<ParagraphRow> = read!(
        db,
        sqlx::query_as(
            "SELECT section_index, paragraph_index, text, sentences, char_offset
             FROM text_paragraphs WHERE work_id = $1 AND char_offset <= $2
             ORDER BY char_offset, section_index, paragraph_index"
        )
        .bind(work)
        .bind(bound as i64),
        fetch_all
    )?;
    let mut out = Vec::new();
    for r in &rows {
        let p = paragraph_of(r)?;
        let end = r.char_offset as u64 + p.chars();
        let mut read_at = point_up(end, len);
        if let Some(next) = next_starts.get(r.section_index as usize) {
            read_at = read_at.min(*next);
        }
        if read_at <= up_to {
            out.push(Passage {
                section: r.section_index as u32,
                paragraph: r.paragraph_index as u32,
                offset: r.char_offset as u64,
                read_at,
                text: p,
            });
        }
    }
    Ok(out)
}

/// The book page shows whether a work has a text (its link to the
/// insights): its cached core is redrawn when that changes.
async fn bump_core(db: &Db, tx: &mut crate::db::Tx, work: WorkId) -> Result<(), StorageError> {
    tx!(
        db,
        tx,
        sqlx::query("UPDATE works SET revision = revision + 1 WHERE id = $1").bind(work),
        execute
    )?;
    Ok(())
}

/// Take the work's text away (its analyses with it). Not found when it
/// has none.
pub async fn remove(db: &Db, work: WorkId) -> Result<(), StorageError> {
    let mut tx = db.begin().await?;
    clear(db, &mut tx, work).await?;
    tx!(
        db,
        &mut tx,
        sqlx::query("DELETE FROM text_analyses WHERE work_id = $1").bind(work),
        execute
    )?;
    let done = tx!(
        db,
        &mut tx,
        sqlx::query("DELETE FROM work_texts WHERE work_id = $1").bind(work),
        execute
    )?;
    done.found("text")?;
    bump_core(db, &mut tx, work).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- analyses

/// Where the analysis of one text by one algorithm version stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnalysisStatus {
    Queued,
    Running,
    Done,
    Failed,
}

impl AnalysisStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AnalysisStatus::Queued => "queued",
            AnalysisStatus::Running => "running",
            AnalysisStatus::Done => "done",
            AnalysisStatus::Failed => "failed",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => AnalysisStatus::Queued,
            "running" => AnalysisStatus::Running,
            "done" => AnalysisStatus::Done,
            "failed" => AnalysisStatus::Failed,
            _ => return None,
        })
    }
}

/// A cached analysis: keyed by the text's digest and the algorithm's
/// version, so a new text or a new algorithm never reads an old result.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    pub status: AnalysisStatus,
    /// 0 to 1.
    pub progress: f64,
    pub error: Option<String>,
    pub result: Option<serde_json::Value>,
    pub updated_at: OffsetDateTime,
}

/// What the analysis job reports: where it is, and its reason or result.
#[derive(Clone, Copy, Debug)]
pub struct AnalysisUpdate<'a> {
    pub status: AnalysisStatus,
    pub progress: f64,
    pub error: Option<&'a str>,
    pub result: Option<&'a serde_json::Value>,
}

/// Record the state of the analysis of `work`'s text `sha256` by algorithm
/// `version` (made when missing): the analysis job calls it as it goes,
/// with the result when done or the reason when failed. Progress is
/// clamped to 0..=1.
pub async fn set_analysis(
    db: &Db,
    work: WorkId,
    sha256: &str,
    version: i64,
    state: &AnalysisUpdate<'_>,
) -> Result<(), StorageError> {
    let AnalysisUpdate {
        status,
        progress,
        error,
        result,
    } = *state;
    let progress = if progress.is_finite() {
        progress.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let result = result.map(|r| r.to_string());
    write!(
        db,
        sqlx::query(
            "INSERT INTO text_analyses (work_id, text_sha256, algorithm_version, status, progress,
                                        error, result, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (work_id, text_sha256, algorithm_version) DO UPDATE SET
                status = excluded.status, progress = excluded.progress, error = excluded.error,
                result = excluded.result, updated_at = excluded.updated_at"
        )
        .bind(work)
        .bind(sha256)
        .bind(version)
        .bind(status.as_str())
        .bind(progress)
        .bind(error)
        .bind(result)
        .bind(now()),
        execute
    )
    .map_err(missing_book)?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct AnalysisRow {
    status: String,
    progress: f64,
    error: Option<String>,
    result: Option<String>,
    updated_at: OffsetDateTime,
}

/// The analysis of `work`'s text `sha256` by algorithm `version`, if any.
pub async fn analysis(
    db: &Db,
    work: WorkId,
    sha256: &str,
    version: i64,
) -> Result<Option<Analysis>, StorageError> {
    let row: Option<AnalysisRow> = read!(
        db,
        sqlx::query_as(
            "SELECT status, progress, error, result, updated_at FROM text_analyses
             WHERE work_id = $1 AND text_sha256 = $2 AND algorithm_version = $3"
        )
        .bind(work)
        .bind(sha256)
        .bind(version),
        fetch_optional
    )?;
    let Some(AnalysisRow {
        status,
        progress,
        error,
        result,
        updated_at,
    }) = row
    else {
        return Ok(None);
    };
    let status = AnalysisStatus::parse(&status)
        .ok_or_else(|| StorageError::Corrupt(format!("analysis status {status}")))?;
    let result = result
        .map(|r| serde_json::from_str(&r))
        .transpose()
        .map_err(|e| StorageError::Corrupt(format!("analysis result of {work}: {e}")))?;
    Ok(Some(Analysis {
        status,
        progress,
        error,
        result,
        updated_at,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_survive_their_encoding() {
        let r = vec![0..12, 13..40, 41..41];
        assert_eq!(encode_sentences(&r), "0-12,13-40,41-41");
        assert_eq!(decode_sentences(&encode_sentences(&r)), Some(r));
        assert_eq!(decode_sentences(""), Some(vec![]));
        assert_eq!(decode_sentences("3-x"), None);
    }

    #[test]
    fn the_digest_names_the_bytes_and_the_name_drops_folders() {
        let s = SourceInfo::of(SourceFormat::Epub, "/tmp/x/book.epub", b"abc");
        assert_eq!(
            s.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(s.file_name, "book.epub");
        assert_eq!(s.byte_size, 3);
    }

    #[test]
    fn points_round_up() {
        assert_eq!(point_up(1, 3).value(), 3334);
        assert_eq!(point_up(3, 3), Point::FINISHED);
        assert_eq!(point_up(0, 3), Point::START);
    }
}
