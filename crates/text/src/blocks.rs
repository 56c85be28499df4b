//! A body of plain text as blocks: runs of non-blank lines, each with the
//! number of blank lines before it, with illustration captions ("[Illus-
//! tration: …]", which may hold blank lines of their own) gathered into
//! one block. The EPUB reader makes the same blocks from XHTML, so one
//! detector (`detect`) serves both.

/// One block of the body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Block {
    pub lines: Vec<String>,
    /// Blank lines before it (Project Gutenberg puts four before a chapter
    /// heading and one between paragraphs).
    pub gap_before: usize,
    /// An illustration caption or editor's bracketed note: not prose.
    pub caption: bool,
    /// Marked as a heading by the file itself (an XHTML `<h1>`…`<h6>`).
    pub heading_tag: bool,
}

impl Block {
    /// The block's text with whitespace collapsed and Gutenberg's `_italic_`
    /// marks removed, as a paragraph keeps it.
    pub(crate) fn text(&self) -> String {
        paragraph_text(&self.lines.join(" "))
    }

    pub(crate) fn first(&self) -> &str {
        self.lines.first().map_or("", String::as_str)
    }
}

/// A caption may hold blank lines; it is closed within this many lines or
/// taken to end at its first block.
const MAX_CAPTION_LINES: usize = 60;

/// The blocks of `body`.
pub(crate) fn blocks(body: &str) -> Vec<Block> {
    let mut raw: Vec<Block> = Vec::new();
    let mut gap = 0;
    let mut current: Option<Block> = None;
    for line in body.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            if let Some(b) = current.take() {
                raw.push(b);
            }
            gap += 1;
            continue;
        }
        current
            .get_or_insert_with(|| Block {
                gap_before: std::mem::take(&mut gap),
                ..Block::default()
            })
            .lines
            .push(line.to_string());
    }
    raw.extend(current);
    gather_captions(raw)
}

/// Joins the blocks of a caption that spans blank lines into one caption
/// block. When the caption's closing bracket ends a heading ("Chapter
/// I.]", as in P&P), that last line becomes a block of its own.
fn gather_captions(raw: Vec<Block>) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let b = &raw[i];
        if !b.first().trim_start().starts_with('[') {
            out.push(b.clone());
            i += 1;
            continue;
        }
        let mut depth = 0i32;
        let mut j = i;
        let mut lines = 0;
        loop {
            for line in &raw[j].lines {
                depth += bracket_balance(line);
                lines += 1;
            }
            if depth <= 0 || j + 1 >= raw.len() || lines > MAX_CAPTION_LINES {
                break;
            }
            j += 1;
        }
        if depth > 0 {
            // Never closed: only the first block is a caption.
            j = i;
        }
        let mut caption = Block {
            gap_before: b.gap_before,
            caption: true,
            ..Block::default()
        };
        let mut tail = None;
        for (k, block) in raw[i..=j].iter().enumerate() {
            let last = k == j - i;
            if last
                && k > 0
                && block.lines.len() == 1
                && crate::heading::classify(&block.lines[0]).is_some()
            {
                tail = Some(block.clone());
            } else {
                caption.lines.extend(block.lines.iter().cloned());
            }
        }
        out.push(caption);
        out.extend(tail);
        i = j + 1;
    }
    out
}

fn bracket_balance(line: &str) -> i32 {
    line.chars().fold(0, |d, c| match c {
        '[' => d + 1,
        ']' => d - 1,
        _ => d,
    })
}

/// Whitespace collapsed to single spaces, and the underscores Project
/// Gutenberg uses for italics removed (an underscore between two letters
/// or in a run of underscores, a blank to fill, is kept).
pub(crate) fn paragraph_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut pending_space = false;
    for (i, &c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if c == '_' {
            let before = i.checked_sub(1).and_then(|k| chars.get(k)).copied();
            let after = chars.get(i + 1).copied();
            let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
            let run = before == Some('_') || after == Some('_');
            if !(run || word(before) && word(after)) {
                continue;
            }
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn italics_marks_go_and_spaces_collapse() {
        assert_eq!(
            paragraph_text("To Sherlock  Holmes she is\n always _the_ woman."),
            "To Sherlock Holmes she is always the woman."
        );
        assert_eq!(
            paragraph_text("_3 May. Bistritz._--Left"),
            "3 May. Bistritz.--Left"
        );
        assert_eq!(paragraph_text("snake_case and ____"), "snake_case and ____");
    }

    #[test]
    fn a_caption_with_blank_lines_is_one_block_and_frees_its_heading() {
        let body =
            "Prose before.\n\n[Illustration: ·PRIDE·\n\n\n\nChapter I.]\n\n\nIt is a truth.\n";
        let b = blocks(body);
        assert_eq!(b.len(), 4, "{b:?}");
        assert!(b[1].caption);
        assert_eq!(b[2].lines, vec!["Chapter I.]"]);
        assert_eq!(b[3].gap_before, 2);
    }
}
