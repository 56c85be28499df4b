//! XML read with bounds (nesting depth, time, no entity declarations), and
//! XHTML turned into the blocks `detect` reads: block elements become
//! paragraphs, headings are marked, scripts, styles, images and page
//! numbers are dropped, inline elements keep their text, entities are
//! decoded, and Project Gutenberg's boilerplate (`pg-header`, `pg-footer`)
//! is set aside as licence text.
//!
//! quick-xml never expands entities declared in a DTD, but a file that
//! declares any is refused outright rather than read half-decoded: the
//! "billion laughs" shape has no place in an EPUB.

use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::blocks::{Block, paragraph_text};
use crate::limits::Clock;
use crate::{Limits, TextError};

/// What is being read, for messages and bounds.
pub(crate) struct Ctx<'a> {
    pub file: &'a str,
    pub entry: &'a str,
    pub limits: &'a Limits,
    pub clock: &'a Clock,
}

/// One step through an XML document.
pub(crate) enum Node<'a> {
    Start {
        name: &'a str,
        attrs: &'a [(String, String)],
    },
    End {
        name: &'a str,
    },
    Text(&'a str),
}

/// How many events pass between checks of the clock.
const CLOCK_EVERY: u32 = 4096;

/// Walks an XML document, giving each element's local name and
/// attributes, its end, and its text with entities decoded.
pub(crate) fn walk(
    bytes: &[u8],
    ctx: &Ctx<'_>,
    mut each: impl FnMut(Node<'_>),
) -> Result<(), TextError> {
    let mut reader = Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut names: Vec<String> = Vec::new();
    let mut count = 0u32;
    let xml_err = |reader: &Reader<&[u8]>, reason: String| TextError::Xml {
        file: ctx.file.to_string(),
        entry: ctx.entry.to_string(),
        at: reader.buffer_position(),
        reason,
    };
    loop {
        count = count.wrapping_add(1);
        if count.is_multiple_of(CLOCK_EVERY) {
            ctx.clock.check(ctx.file, "reading XML")?;
        }
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| xml_err(&reader, e.to_string()))?;
        match event {
            Event::DocType(t) => {
                let text = String::from_utf8_lossy(t.as_ref()).to_uppercase();
                if text.contains("<!ENTITY") || text.contains("ENTITY ") {
                    return Err(TextError::XmlEntities {
                        file: ctx.file.to_string(),
                        entry: ctx.entry.to_string(),
                    });
                }
            }
            Event::Start(e) => {
                depth += 1;
                if depth > ctx.limits.max_xml_depth {
                    return Err(TextError::XmlTooDeep {
                        file: ctx.file.to_string(),
                        entry: ctx.entry.to_string(),
                        limit: ctx.limits.max_xml_depth,
                    });
                }
                let name = local_name(&e);
                let attrs = attributes(&e);
                each(Node::Start {
                    name: &name,
                    attrs: &attrs,
                });
                names.push(name);
            }
            Event::Empty(e) => {
                let name = local_name(&e);
                let attrs = attributes(&e);
                each(Node::Start {
                    name: &name,
                    attrs: &attrs,
                });
                each(Node::End { name: &name });
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                let name = names.pop().unwrap_or_default();
                each(Node::End { name: &name });
            }
            Event::Text(t) => {
                let text = t
                    .decode()
                    .map_err(|e| xml_err(&reader, format!("text is not UTF-8 ({e})")))?;
                each(Node::Text(&text));
            }
            Event::CData(t) => {
                each(Node::Text(&String::from_utf8_lossy(t.as_ref())));
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = String::from_utf8_lossy(r.as_ref()).into_owned();
                        named_entity(&name).map_or_else(|| format!("&{name};"), str::to_string)
                    }
                    Err(e) => return Err(xml_err(&reader, e.to_string())),
                };
                each(Node::Text(&resolved));
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
        buf.clear();
    }
    Ok(())
}

fn local_name(e: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(e.local_name().as_ref()).to_ascii_lowercase()
}

fn attributes(e: &BytesStart<'_>) -> Vec<(String, String)> {
    e.attributes()
        .flatten()
        .map(|a| {
            let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
            let value = a
                .unescape_value()
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned());
            (key, value)
        })
        .collect()
}

/// The value of an attribute by its local name.
pub(crate) fn attr<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The XML entities, and the HTML ones an XHTML file may use without
/// declaring them.
fn named_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        "nbsp" => "\u{a0}",
        "mdash" => "—",
        "ndash" => "–",
        "hellip" => "…",
        "lsquo" => "‘",
        "rsquo" => "’",
        "ldquo" => "“",
        "rdquo" => "”",
        "copy" => "©",
        "shy" => "",
        _ => return None,
    })
}

/// Elements whose start and end part paragraphs.
const BLOCK_ELEMENTS: [&str; 24] = [
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "blockquote",
    "pre",
    "tr",
    "table",
    "dd",
    "dt",
    "dl",
    "section",
    "article",
    "header",
    "footer",
    "aside",
    "hr",
];

/// Elements whose content is never text of the book.
const DROPPED: [&str; 10] = [
    "head", "script", "style", "svg", "math", "noscript", "template", "img", "object", "audio",
];

/// One XHTML document as blocks, with where its `id`s are.
#[derive(Debug, Default)]
pub(crate) struct Doc {
    pub blocks: Vec<Block>,
    /// Each `id` and the index of the first block at or after it.
    pub anchors: HashMap<String, usize>,
    /// Text inside Project Gutenberg's boilerplate sections.
    pub licence: String,
    /// Bytes of text kept.
    pub text_bytes: u64,
}

/// Whether an element is Project Gutenberg's header or footer.
fn is_boilerplate(attrs: &[(String, String)]) -> bool {
    let id = attr(attrs, "id").unwrap_or("");
    let class = attr(attrs, "class").unwrap_or("");
    matches!(id, "pg-header" | "pg-footer")
        || class
            .split_whitespace()
            .any(|c| matches!(c, "pg-boilerplate" | "pgheader" | "pgfooter"))
}

fn has_class(attrs: &[(String, String)], pred: impl Fn(&str) -> bool) -> bool {
    attr(attrs, "class").is_some_and(|c| c.split_whitespace().any(pred))
}

/// Reads an XHTML document into blocks.
pub(crate) fn read(bytes: &[u8], ctx: &Ctx<'_>) -> Result<Doc, TextError> {
    let mut doc = Doc::default();
    let mut text = String::new();
    // Depths (in open elements) where a dropped, boilerplate or caption
    // subtree began.
    let mut depth = 0usize;
    let mut dropped: Option<usize> = None;
    let mut boiler: Option<usize> = None;
    let mut caption: Option<usize> = None;
    let mut heading: Option<usize> = None;
    let flush = |doc: &mut Doc, text: &mut String, heading: bool, caption: bool| {
        let t = paragraph_text(text);
        text.clear();
        if t.is_empty() {
            return;
        }
        doc.text_bytes += t.len() as u64;
        doc.blocks.push(Block {
            lines: vec![t],
            gap_before: if heading { 2 } else { 1 },
            caption,
            heading_tag: heading,
        });
    };
    walk(bytes, ctx, |node| match node {
        Node::Start { name, attrs } => {
            depth += 1;
            if dropped.is_some() {
                return;
            }
            if DROPPED.contains(&name) || has_class(attrs, |c| c.contains("pagenum")) {
                dropped = Some(depth);
                return;
            }
            if boiler.is_none() && is_boilerplate(attrs) {
                flush(&mut doc, &mut text, heading.is_some(), caption.is_some());
                boiler = Some(depth);
            }
            if boiler.is_some() {
                if BLOCK_ELEMENTS.contains(&name) || name == "br" {
                    doc.licence.push('\n');
                }
                return;
            }
            if BLOCK_ELEMENTS.contains(&name) {
                flush(&mut doc, &mut text, heading.is_some(), caption.is_some());
            }
            if let Some(id) = attr(attrs, "id") {
                doc.anchors
                    .entry(id.to_string())
                    .or_insert(doc.blocks.len());
            }
            if name.len() == 2 && name.starts_with('h') && name[1..].parse::<u8>().is_ok() {
                heading.get_or_insert(depth);
            }
            if caption.is_none()
                && has_class(attrs, |c| {
                    c == "caption" || c.starts_with("fig") || c.starts_with("illus")
                })
            {
                caption = Some(depth);
            }
            if name == "br" {
                text.push(' ');
            }
        }
        Node::End { name } => {
            let at = depth;
            depth = depth.saturating_sub(1);
            if let Some(d) = dropped {
                if at == d {
                    dropped = None;
                }
                return;
            }
            if let Some(d) = boiler {
                if at == d {
                    boiler = None;
                    doc.licence.push('\n');
                }
                return;
            }
            if BLOCK_ELEMENTS.contains(&name) {
                flush(&mut doc, &mut text, heading.is_some(), caption.is_some());
            }
            if heading == Some(at) {
                heading = None;
            }
            if caption == Some(at) {
                caption = None;
            }
        }
        Node::Text(t) => {
            if dropped.is_some() {
                return;
            }
            if boiler.is_some() {
                doc.licence.push_str(t);
            } else {
                text.push_str(t);
            }
        }
    })?;
    flush(&mut doc, &mut text, false, false);
    Ok(doc)
}
