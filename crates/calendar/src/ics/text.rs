//! The content-line rules of RFC 5545 §3.1 and §3.3.11: TEXT escaping,
//! parameter quoting, and folding at 75 octets with CRLF endings.

/// The most octets on one line, not counting its CRLF (RFC 5545 §3.1).
pub(crate) const LINE_OCTETS: usize = 75;

/// Appends `line` to `out`, folded so that no line is longer than
/// [`LINE_OCTETS`] octets and no UTF-8 character is split, each line ending
/// in CRLF. A continuation line starts with one space, which counts towards
/// its length.
pub(crate) fn push_folded(out: &mut String, line: &str) {
    let mut rest = line;
    let mut room = LINE_OCTETS;
    while rest.len() > room {
        let mut cut = room;
        // A character is at most four octets and `room` is at least 74, so
        // this stops well before zero.
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        room = LINE_OCTETS - 1;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

/// A TEXT value: backslash, semicolon and comma escaped, every line break
/// (CRLF, CR or LF) written as `\n`, and other control characters (which
/// TEXT may not hold) dropped. Tabs are kept.
pub(crate) fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + value.len() / 8);
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// An untyped value as it stands, on one line: each line break (CRLF, CR
/// or LF) and tab becomes a space and other control characters are dropped.
pub(crate) fn one_line(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push(' ');
            }
            '\n' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value (a name in `CN=`), always in double quotes so that
/// `:`, `;` and `,` need nothing more. A quoted value cannot hold `"` or
/// control characters (RFC 5545 §3.1): quotes become apostrophes and line
/// breaks spaces.
pub(crate) fn quote_param(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push('\''),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(line: &str) -> String {
        let mut out = String::new();
        push_folded(&mut out, line);
        out
    }

    /// Undoes folding as a reader does: a CRLF followed by one space is
    /// removed.
    fn unfold(text: &str) -> String {
        text.replace("\r\n ", "")
    }

    #[test]
    fn a_short_line_is_left_alone() {
        assert_eq!(folded("SUMMARY:Book club"), "SUMMARY:Book club\r\n");
        let exact = format!("SUMMARY:{}", "x".repeat(LINE_OCTETS - 8));
        assert_eq!(exact.len(), LINE_OCTETS);
        assert_eq!(folded(&exact), format!("{exact}\r\n"));
    }

    #[test]
    fn a_long_line_of_multibyte_characters_folds_at_75_octets_between_characters() {
        // Two-, three- and four-octet characters, so the 75th octet lands
        // inside a character on some lines.
        let value = "Éléonore — 読書会 🎉 Łódź ".repeat(12);
        let line = format!("DESCRIPTION:{}", escape_text(&value));
        let out = folded(&line);
        assert!(out.ends_with("\r\n"));
        let lines: Vec<&str> = out.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(lines.len() > 5, "{} lines", lines.len());
        for (i, l) in lines.iter().enumerate() {
            assert!(l.len() <= LINE_OCTETS, "line {i} is {} octets", l.len());
            if i > 0 {
                assert!(l.starts_with(' '), "line {i} does not start with a space");
            }
        }
        // Some line must have been cut short of 75 because a character did
        // not fit, or the test is not testing the boundary.
        assert!(
            lines[..lines.len() - 1]
                .iter()
                .any(|l| l.len() < LINE_OCTETS)
        );
        // Every piece is whole UTF-8 (they are &str) and unfolding gives the line back.
        assert_eq!(unfold(out.trim_end_matches("\r\n")), line);
    }

    #[test]
    fn text_escaping_covers_backslash_comma_semicolon_and_line_breaks() {
        assert_eq!(
            escape_text("Tea, cake; \\ and\nmore\r\nand\rthe end"),
            "Tea\\, cake\\; \\\\ and\\nmore\\nand\\nthe end"
        );
        assert_eq!(escape_text("a\u{0}b\u{7}c\td"), "abc\td");
        assert_eq!(escape_text("Café: 10:00"), "Café: 10:00");
    }

    #[test]
    fn an_untyped_value_is_kept_on_one_line() {
        assert_eq!(
            one_line("Tea, cake;\r\nmore\rand\nmore\u{7}"),
            "Tea, cake; more and more"
        );
    }

    #[test]
    fn a_parameter_value_is_quoted_and_cannot_break_out() {
        assert_eq!(quote_param("Ann; Bob, \"Cy\": x"), "\"Ann; Bob, 'Cy': x\"");
        assert_eq!(quote_param("a\r\nb"), "\"a  b\"");
    }
}
