//! EPUB 2 and 3: `META-INF/container.xml` names the package document (the
//! OPF); its spine gives the reading order of the XHTML documents, read
//! into blocks (`xhtml`). The sections come from the navigation: the EPUB 3
//! navigation document, else the EPUB 2 NCX. Each entry's label is read
//! with the same heading rules as plain text ("CHAPTER ONE PLAYING
//! PILGRIMS", "I. A SCANDAL IN BOHEMIA", "Epilogue"), so both formats of
//! a book name their sections alike; an entry nested under a section
//! (a story's "I.", "II.") divides it and opens nothing. Entries that are
//! no heading (a title page, "Contents") open nothing either. Without a
//! usable navigation, the blocks are read as plain text is (`detect`).
//!
//! Everything is bounded (see [`Limits`]): the file's size, the number of
//! entries, each entry's inflated size and ratio, the archive's total, XML
//! nesting and entity declarations, the text kept and the time taken.
//! Paths in the package and navigation that leave the archive are refused.

use std::collections::HashMap;
use std::io::{Cursor, Read, Seek};
use std::path::Path;

use crate::archive::{Archive, folder, resolve};
use crate::blocks::Block;
use crate::detect::{Mark, assemble, bare_mark, detect, numbered_mark};
use crate::heading::{Head, classify};
use crate::limits::Clock;
use crate::xhtml::{Ctx, Node, attr, read, walk};
use crate::{Limits, Text, TextError};

/// Reads an EPUB held in memory; `file` names it in messages.
pub fn from_epub(bytes: &[u8], file: &str, limits: &Limits) -> Result<Text, TextError> {
    let clock = Clock::start(limits);
    let archive = Archive::open(Cursor::new(bytes), bytes.len() as u64, file, limits)?;
    read_epub(archive, limits, &clock)
}

/// Reads an EPUB from disk: its size is checked before the archive is
/// opened, and entries are read from the file as needed.
pub fn from_epub_file(path: &Path, limits: &Limits) -> Result<Text, TextError> {
    let clock = Clock::start(limits);
    let name = path.display().to_string();
    let io = |source| TextError::Io {
        file: name.clone(),
        source,
    };
    let f = std::fs::File::open(path).map_err(io)?;
    let size = f.metadata().map_err(io)?.len();
    let archive = Archive::open(f, size, &name, limits)?;
    read_epub(archive, limits, &clock)
}

/// The package document's path from `container.xml`.
pub fn rootfile<R: Read + Seek>(
    archive: &mut Archive<R>,
    limits: &Limits,
) -> Result<String, TextError> {
    let file = archive.file().to_string();
    let container = archive
        .read("META-INF/container.xml")?
        .ok_or_else(|| TextError::NotEpub {
            file: file.clone(),
            reason: "META-INF/container.xml is missing".to_string(),
        })?;
    let clock = Clock::start(limits);
    let ctx = Ctx {
        file: &file,
        entry: "META-INF/container.xml",
        limits,
        clock: &clock,
    };
    let mut found = None;
    walk(&container, &ctx, |node| {
        if let Node::Start {
            name: "rootfile",
            attrs,
        } = node
            && found.is_none()
        {
            found = attr(attrs, "full-path").map(str::to_string);
        }
    })?;
    let path = found.ok_or_else(|| TextError::NotEpub {
        file: file.clone(),
        reason: "container.xml names no package document (no rootfile full-path)".to_string(),
    })?;
    if resolve("", &path).as_deref() != Some(path.as_str()) {
        return Err(TextError::PathEscapes {
            file,
            place: "META-INF/container.xml".to_string(),
            path,
        });
    }
    Ok(path)
}

/// One item of the manifest.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: String,
    /// The entry name, resolved against the package's folder.
    pub path: String,
    pub media_type: String,
    pub properties: String,
}

/// What the package document says.
#[derive(Debug, Default)]
pub struct Package {
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub language: Option<String>,
    pub items: Vec<Item>,
    /// Manifest ids in reading order.
    pub spine: Vec<String>,
    /// The NCX's manifest id (EPUB 2).
    pub toc: Option<String>,
    /// The manifest id `<meta name="cover">` names (EPUB 2).
    pub cover_id: Option<String>,
}

impl Package {
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    /// The cover image's entry: the item with the `cover-image` property,
    /// else the image `<meta name="cover">` names.
    pub fn cover(&self) -> Option<&Item> {
        self.items
            .iter()
            .find(|i| i.properties.split_whitespace().any(|p| p == "cover-image"))
            .or_else(|| {
                let id = self.cover_id.as_deref()?;
                self.item(id).filter(|i| i.media_type.starts_with("image/"))
            })
    }
}

/// Reads the package document at `opf_path`. A manifest path that leaves
/// the archive is refused.
pub fn package<R: Read + Seek>(
    archive: &mut Archive<R>,
    opf_path: &str,
    limits: &Limits,
) -> Result<Package, TextError> {
    let file = archive.file().to_string();
    let opf = archive.read(opf_path)?.ok_or_else(|| TextError::NotEpub {
        file: file.clone(),
        reason: format!("the package document {opf_path} is missing"),
    })?;
    let clock = Clock::start(limits);
    let ctx = Ctx {
        file: &file,
        entry: opf_path,
        limits,
        clock: &clock,
    };
    let base = folder(opf_path);
    let mut p = Package::default();
    let mut escaped: Option<String> = None;
    let mut in_field: Option<&'static str> = None;
    let mut field = String::new();
    walk(&opf, &ctx, |node| match node {
        Node::Start { name, attrs } => match name {
            "item" => {
                let (Some(id), Some(href)) = (attr(attrs, "id"), attr(attrs, "href")) else {
                    return;
                };
                match resolve(base, href) {
                    Some(path) => p.items.push(Item {
                        id: id.to_string(),
                        path,
                        media_type: attr(attrs, "media-type").unwrap_or("").to_string(),
                        properties: attr(attrs, "properties").unwrap_or("").to_string(),
                    }),
                    None => {
                        escaped.get_or_insert_with(|| href.to_string());
                    }
                }
            }
            "itemref" => {
                if attr(attrs, "linear") != Some("no")
                    && let Some(id) = attr(attrs, "idref")
                {
                    p.spine.push(id.to_string());
                }
            }
            "spine" => p.toc = attr(attrs, "toc").map(str::to_string),
            "meta" if attr(attrs, "name") == Some("cover") => {
                p.cover_id = attr(attrs, "content").map(str::to_string);
            }
            "title" | "creator" | "language" => {
                in_field = Some(match name {
                    "title" => "title",
                    "creator" => "creator",
                    _ => "language",
                });
                field.clear();
            }
            _ => {}
        },
        Node::Text(t) => {
            if in_field.is_some() {
                field.push_str(t);
            }
        }
        Node::End { name } => {
            if let Some(f) = in_field
                && (name == f)
            {
                let value = crate::gutenberg::collapse_spaces(&field);
                if !value.is_empty() {
                    match f {
                        "title" => {
                            p.title.get_or_insert(value);
                        }
                        "creator" => p.authors.push(value),
                        _ => {
                            p.language.get_or_insert(value);
                        }
                    }
                }
                in_field = None;
            }
        }
    })?;
    if let Some(href) = escaped {
        return Err(TextError::PathEscapes {
            file,
            place: format!("the package document {opf_path}"),
            path: href,
        });
    }
    Ok(p)
}

/// An entry of the navigation.
#[derive(Debug, Clone)]
struct NavEntry {
    label: String,
    depth: usize,
    path: String,
    fragment: Option<String>,
}

fn read_epub<R: Read + Seek>(
    mut archive: Archive<R>,
    limits: &Limits,
    clock: &Clock,
) -> Result<Text, TextError> {
    let file = archive.file().to_string();
    let opf_path = rootfile(&mut archive, limits)?;
    let pkg = package(&mut archive, &opf_path, limits)?;
    clock.check(&file, "reading the package")?;

    // The spine's documents, as one run of blocks.
    let mut blocks: Vec<Block> = Vec::new();
    let mut anchors: HashMap<(String, String), usize> = HashMap::new();
    let mut starts: HashMap<String, usize> = HashMap::new();
    let mut licence = String::new();
    let mut text_bytes = 0u64;
    for id in &pkg.spine {
        let Some(item) = pkg.item(id) else { continue };
        if !item.media_type.contains("html") {
            continue;
        }
        let Some(bytes) = archive.read(&item.path)? else {
            return Err(TextError::NotEpub {
                file: file.clone(),
                reason: format!("the spine names {}, which is not in the archive", item.path),
            });
        };
        let ctx = Ctx {
            file: &file,
            entry: &item.path,
            limits,
            clock,
        };
        let doc = read(&bytes, &ctx)?;
        clock.check(&file, "reading the chapters")?;
        text_bytes += doc.text_bytes;
        if text_bytes > limits.max_text_bytes {
            return Err(TextError::TextTooLong {
                file,
                limit: limits.max_text_bytes,
            });
        }
        let offset = blocks.len();
        starts.entry(item.path.clone()).or_insert(offset);
        for (anchor, at) in doc.anchors {
            anchors.insert((item.path.clone(), anchor), offset + at);
        }
        blocks.extend(doc.blocks);
        licence.push_str(&doc.licence);
    }

    let nav = navigation(&mut archive, &pkg, limits, clock)?;
    let marks = nav_marks(&nav, &blocks, &anchors, &starts);
    let found = if marks
        .iter()
        .any(|m| matches!(m, Some(Mark::Section { .. })))
    {
        let mut marks = marks;
        mark_the_end(&blocks, &mut marks);
        assemble(&blocks, &marks)
    } else {
        detect(&blocks, &file, clock)?
    };
    clock.check(&file, "finding the chapters")?;
    let licence = licence
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    Ok(Text {
        title: pkg.title.clone(),
        authors: pkg.authors.clone(),
        language: pkg.language.as_deref().map(language_tag),
        licence: (!licence.is_empty()).then_some(licence),
        sections: found.sections,
        front_matter: found.front_matter,
        back_matter: found.back_matter,
    })
}

/// "en-GB" as "en".
fn language_tag(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or(tag)
        .to_ascii_lowercase()
}

/// The navigation entries: the EPUB 3 navigation document's `toc` nav,
/// else the NCX. Empty when there is neither.
fn navigation<R: Read + Seek>(
    archive: &mut Archive<R>,
    pkg: &Package,
    limits: &Limits,
    clock: &Clock,
) -> Result<Vec<NavEntry>, TextError> {
    let file = archive.file().to_string();
    let nav_item = pkg
        .items
        .iter()
        .find(|i| i.properties.split_whitespace().any(|p| p == "nav"));
    if let Some(item) = nav_item
        && let Some(bytes) = archive.read(&item.path)?
    {
        let ctx = Ctx {
            file: &file,
            entry: &item.path,
            limits,
            clock,
        };
        let entries = nav_document(&bytes, &item.path, &ctx)?;
        if !entries.is_empty() {
            return Ok(entries);
        }
    }
    let ncx = pkg.toc.as_deref().and_then(|id| pkg.item(id)).or_else(|| {
        pkg.items
            .iter()
            .find(|i| i.media_type == "application/x-dtbncx+xml")
    });
    if let Some(item) = ncx
        && let Some(bytes) = archive.read(&item.path)?
    {
        let ctx = Ctx {
            file: &file,
            entry: &item.path,
            limits,
            clock,
        };
        return ncx_document(&bytes, &item.path, &ctx);
    }
    Ok(Vec::new())
}

/// A link of the navigation, checked: `None` for a link outside the
/// archive, which is refused by the caller.
fn target(base: &str, href: &str) -> Option<(String, Option<String>)> {
    let path = resolve(base, href)?;
    let fragment = href
        .split_once('#')
        .map(|(_, f)| f.to_string())
        .filter(|f| !f.is_empty());
    Some((path, fragment))
}

fn escaped(ctx: &Ctx<'_>, href: &str) -> TextError {
    TextError::PathEscapes {
        file: ctx.file.to_string(),
        place: format!("the navigation {}", ctx.entry),
        path: href.to_string(),
    }
}

/// The entries of an EPUB 3 navigation document's table of contents.
fn nav_document(bytes: &[u8], path: &str, ctx: &Ctx<'_>) -> Result<Vec<NavEntry>, TextError> {
    let base = folder(path);
    let mut out = Vec::new();
    let mut bad: Option<String> = None;
    // Inside the toc nav: its depth in open elements, the ol depth, and
    // the link being read.
    let mut depth = 0usize;
    let mut in_toc: Option<usize> = None;
    let mut seen_toc = false;
    let mut ol = 0usize;
    let mut link: Option<(String, String)> = None;
    walk(bytes, ctx, |node| match node {
        Node::Start { name, attrs } => {
            depth += 1;
            if name == "nav" && in_toc.is_none() && !seen_toc {
                let kind = attr(attrs, "type").unwrap_or("");
                if kind.split_whitespace().any(|t| t == "toc") || kind.is_empty() {
                    in_toc = Some(depth);
                    seen_toc = true;
                }
            }
            if in_toc.is_none() {
                return;
            }
            match name {
                "ol" => ol += 1,
                "a" => {
                    link = attr(attrs, "href").map(|h| (h.to_string(), String::new()));
                }
                _ => {}
            }
        }
        Node::Text(t) => {
            if let Some((_, label)) = &mut link {
                label.push_str(t);
            }
        }
        Node::End { name } => {
            let at = depth;
            depth = depth.saturating_sub(1);
            if in_toc.is_none() {
                return;
            }
            match name {
                "ol" => ol = ol.saturating_sub(1),
                "a" => {
                    if let Some((href, label)) = link.take() {
                        match target(base, &href) {
                            Some((path, fragment)) => out.push(NavEntry {
                                label: crate::gutenberg::collapse_spaces(&label),
                                depth: ol,
                                path,
                                fragment,
                            }),
                            None => {
                                bad.get_or_insert(href);
                            }
                        }
                    }
                }
                "nav" if in_toc == Some(at) => in_toc = None,
                _ => {}
            }
        }
    })?;
    if let Some(href) = bad {
        return Err(escaped(ctx, &href));
    }
    Ok(out)
}

/// The entries of an EPUB 2 NCX's navigation map.
fn ncx_document(bytes: &[u8], path: &str, ctx: &Ctx<'_>) -> Result<Vec<NavEntry>, TextError> {
    let base = folder(path);
    let mut out: Vec<NavEntry> = Vec::new();
    let mut bad: Option<String> = None;
    let mut points = 0usize;
    // The label of the open navPoint, and where its entry will go.
    let mut label: Option<String> = None;
    let mut in_text = false;
    walk(bytes, ctx, |node| match node {
        Node::Start { name, attrs } => match name {
            "navPoint" | "navpoint" => {
                points += 1;
                label = Some(String::new());
            }
            "text" => in_text = label.is_some(),
            "content" => {
                if let (Some(l), Some(src)) = (label.take(), attr(attrs, "src")) {
                    match target(base, src) {
                        Some((path, fragment)) => out.push(NavEntry {
                            label: crate::gutenberg::collapse_spaces(&l),
                            depth: points,
                            path,
                            fragment,
                        }),
                        None => {
                            bad.get_or_insert(src.to_string());
                        }
                    }
                }
            }
            _ => {}
        },
        Node::Text(t) => {
            if in_text && let Some(l) = &mut label {
                l.push_str(t);
            }
        }
        Node::End { name } => match name {
            "navPoint" | "navpoint" => points = points.saturating_sub(1),
            "text" => in_text = false,
            _ => {}
        },
    })?;
    if let Some(href) = bad {
        return Err(escaped(ctx, &href));
    }
    Ok(out)
}

/// What each navigation entry opens, at the block it points to.
fn nav_marks(
    nav: &[NavEntry],
    blocks: &[Block],
    anchors: &HashMap<(String, String), usize>,
    starts: &HashMap<String, usize>,
) -> Vec<Option<Mark>> {
    let mut marks: Vec<Option<Mark>> = vec![None; blocks.len()];
    let heads: Vec<Option<Head>> = nav.iter().map(|e| classify(&e.label)).collect();
    let keyword_chapters = heads
        .iter()
        .any(|h| matches!(h, Some(Head::Numbered { word, .. }) if !word.is_part()));
    // The entries that open sections, by index, to find each entry's
    // parent.
    let mut opens: Vec<bool> = vec![false; nav.len()];
    let mut next_bare = 1;
    for (i, (entry, head)) in nav.iter().zip(&heads).enumerate() {
        let Some(at) = locate(entry, anchors, starts) else {
            continue;
        };
        if at >= blocks.len() {
            continue;
        }
        // The nearest entry before this one that is shallower.
        let parent = (0..i).rev().find(|&k| nav[k].depth < entry.depth);
        let under_section = parent.is_some_and(|k| opens[k]);
        let mark = match head {
            None | Some(Head::Contents) | Some(Head::End) => continue,
            Some(_) if under_section => Mark::Skip,
            Some(Head::Numbered { word, n, title }) => numbered_mark(*word, *n, title.clone()),
            Some(Head::Bare { n, title }) => {
                if keyword_chapters || *n != next_bare {
                    Mark::Skip
                } else {
                    next_bare += 1;
                    bare_mark(*n, title.clone())
                }
            }
            Some(Head::Named { kind, label }) => Mark::Section {
                kind: *kind,
                label: label.clone(),
                title: None,
            },
        };
        opens[i] = matches!(mark, Mark::Section { .. });
        // A section's mark wins over a part's or a skip at the same block.
        let slot = &mut marks[at];
        match (&slot, &mark) {
            (Some(Mark::Section { .. }), _) => {}
            _ => *slot = Some(mark),
        }
    }
    marks
}

/// The block an entry points to: its anchor, else the start of its
/// document.
fn locate(
    entry: &NavEntry,
    anchors: &HashMap<(String, String), usize>,
    starts: &HashMap<String, usize>,
) -> Option<usize> {
    entry
        .fragment
        .as_ref()
        .and_then(|f| anchors.get(&(entry.path.clone(), f.clone())))
        .or_else(|| starts.get(&entry.path))
        .copied()
}

/// A block that says only "THE END" closes the story (the rule of plain
/// text; `assemble` heeds it only after the last section).
fn mark_the_end(blocks: &[Block], marks: &mut [Option<Mark>]) {
    for (b, m) in blocks.iter().zip(marks.iter_mut()) {
        if m.is_none() && b.lines.len() == 1 && classify(&b.lines[0]) == Some(Head::End) {
            *m = Some(Mark::End);
        }
    }
}
