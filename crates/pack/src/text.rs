//! Making untrusted text safe for the two formats.

/// Drops what XML 1.0 cannot carry (controls other than tab, newline and
/// carriage return; the non-characters U+FFFE and U+FFFF). Typst would
/// accept them, but a PDF's text layer and an EPUB should match.
pub(crate) fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| {
            matches!(c, '\t' | '\n' | '\r')
                || (!c.is_control() && *c != '\u{FFFE}' && *c != '\u{FFFF}')
        })
        .collect()
}

/// Text for XHTML element content and attribute values.
pub(crate) fn xhtml(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in clean(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xhtml_escapes_markup_and_drops_controls() {
        assert_eq!(
            xhtml("<b>\"Tom\" & 'Jerry'</b>\u{0}\u{7}"),
            "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
        assert_eq!(clean("a\tb\nc\u{1b}d\u{FFFF}"), "a\tb\ncd");
    }
}
