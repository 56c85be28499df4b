//! Members' Markdown (reviews, notes, imported reviews) to safe HTML.
//!
//! pulldown-cmark parses; raw HTML a member typed is turned into text before
//! rendering, so `<style> of the prose` shows exactly that instead of
//! swallowing what follows; bare `https://` addresses become links; ammonia
//! then removes anything the Markdown itself produced that could run or load
//! (`javascript:` links, images from other sites) and marks every link
//! `rel="nofollow ugc noopener"`.

use pulldown_cmark::{
    CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, TextMergeStream, html,
};
use std::collections::HashSet;

/// What every member link carries: no ranking credit, marked as user
/// content, and no handle on Quire's window for the page it opens.
pub const LINK_REL: &str = "nofollow ugc noopener";

pub fn render(markdown: &str) -> String {
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, events(markdown));
    let tags: HashSet<&str> = [
        "p",
        "br",
        "em",
        "strong",
        "del",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "code",
        "pre",
        "h3",
        "h4",
        "hr",
    ]
    .into_iter()
    .collect();
    ammonia::Builder::default()
        .tags(tags)
        .link_rel(Some(LINK_REL))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .clean(&raw)
        .to_string()
}

/// Whether `markdown` shows a reader anything: some character that is not
/// white space or invisible, once Markdown syntax is taken away. Empty
/// emphasis, a lone rule, an empty link or zero-width spaces show nothing.
pub fn has_visible_text(markdown: &str) -> bool {
    events(markdown).any(|e| match e {
        Event::Text(t) | Event::Code(t) => is_visible_text(&t),
        _ => false,
    })
}

/// The words of `markdown` as plain text, for a short excerpt (the home
/// page's recent reviews): syntax dropped, blocks joined by spaces, runs of
/// white space squeezed, cut on a word boundary to at most `max` characters
/// with "…" when anything was cut. Escape it like any other text.
pub fn plain_excerpt(markdown: &str, max: usize) -> String {
    let mut text = String::new();
    for e in events(markdown) {
        match e {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak
            | Event::HardBreak
            | Event::Rule
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::BlockQuote(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableCell,
            ) => text.push(' '),
            _ => {}
        }
        if text.len() > max * 8 {
            break;
        }
    }
    let squeezed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if squeezed.chars().count() <= max {
        return squeezed;
    }
    let cut: String = squeezed.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => &cut[..],
    };
    format!(
        "{}…",
        cut.trim_end_matches(|c: char| c.is_whitespace() || c.is_ascii_punctuation())
    )
}

/// Whether plain text (a discussion question) has a character a reader can
/// see: not white space, not a control, not one of the characters that
/// take no room (zero-width spaces and joiners, direction marks, fillers).
pub fn is_visible_text(text: &str) -> bool {
    text.chars().any(|c| {
        !c.is_whitespace()
            && !c.is_control()
            && !matches!(c,
                '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}'
                | '\u{17B5}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{2800}'
                | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
                | '\u{E0000}'..='\u{E007F}')
    })
}

/// The parsed Markdown as Quire renders it: raw HTML as text, images as
/// their words, bare addresses as links.
fn events(markdown: &str) -> impl Iterator<Item = Event<'_>> {
    let as_text = Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH).filter_map(|e| {
        Some(match e {
            // An HTML block becomes a paragraph of its own words.
            Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
            Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
            Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
            // ammonia would drop the image and its description with it;
            // keep the description as text.
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => return None,
            other => other,
        })
    });
    let mut finder = linkify::LinkFinder::new();
    finder
        .kinds(&[linkify::LinkKind::Url])
        .url_must_have_scheme(true);
    // Text is merged first: the parser splits it at characters such as `_`
    // that could have started emphasis, which would cut addresses in two.
    let mut in_link_or_code = 0usize;
    TextMergeStream::new(as_text).flat_map(move |e| {
        match &e {
            Event::Start(Tag::Link { .. } | Tag::CodeBlock(_)) => in_link_or_code += 1,
            Event::End(TagEnd::Link | TagEnd::CodeBlock) => {
                in_link_or_code = in_link_or_code.saturating_sub(1)
            }
            Event::Text(t) if in_link_or_code == 0 => return linkify(&finder, t.clone()),
            _ => {}
        }
        vec![e]
    })
}

/// A text node with its web addresses made into links.
fn linkify<'a>(finder: &linkify::LinkFinder, text: CowStr<'a>) -> Vec<Event<'a>> {
    let mut out = Vec::new();
    for span in finder.spans(&text) {
        let words = CowStr::from(span.as_str().to_string());
        let is_web = span.kind().is_some()
            && ["http://", "https://"].iter().any(|s| {
                span.as_str()
                    .get(..s.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(s))
            });
        if is_web {
            out.push(Event::Start(Tag::Link {
                link_type: LinkType::Autolink,
                dest_url: words.clone(),
                title: CowStr::from(""),
                id: CowStr::from(""),
            }));
            out.push(Event::Text(words));
            out.push(Event::End(TagEnd::Link));
        } else {
            out.push(Event::Text(words));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{has_visible_text, is_visible_text, plain_excerpt, render};

    #[test]
    fn excerpts_are_plain_words_cut_on_a_word() {
        assert_eq!(
            plain_excerpt("# Wow\n\n> *Loved* [this](https://e.org) <b>book</b>.", 100),
            "Wow Loved this <b>book</b>."
        );
        assert_eq!(plain_excerpt("one two three four", 12), "one two…");
        assert_eq!(plain_excerpt("", 10), "");
    }

    #[test]
    fn markdown_becomes_html() {
        assert_eq!(render("Loved *this*."), "<p>Loved <em>this</em>.</p>\n");
    }

    #[test]
    fn injection_is_inert() {
        let out = render(
            "<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) <a href=\"https://e.org\" onclick=\"steal()\">y</a> <iframe src=//evil></iframe>",
        );
        // Only tags Markdown made are tags: no `<a … onclick=…>` opens.
        for bad in [
            "<script",
            "<img",
            "<iframe",
            "onclick=\"steal()\">",
            "href=\"javascript:",
        ] {
            assert!(!out.contains(bad), "{bad} survived in {out}");
        }
        // What the member typed is shown, as text.
        assert!(
            out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{out}"
        );
        assert!(out.contains("&lt;img src=x onerror=alert(2)&gt;"), "{out}");
        // A Markdown link to a script: the link goes, the words stay.
        let link = render("see [this](javascript:alert(1)) and [that](https://example.org)");
        assert!(!link.contains("javascript:alert"), "{link}");
        assert!(link.contains("href=\"https://example.org\""));
        assert!(link.contains("rel=\"nofollow ugc noopener\""), "{link}");
    }

    /// The bug: a disallowed tag deleted everything after it.
    #[test]
    fn a_disallowed_tag_is_shown_and_the_rest_kept() {
        let out = render("A fine book. <style> of the prose I say nothing.\n\nSecond paragraph.");
        assert!(
            out.contains("&lt;style&gt; of the prose I say nothing."),
            "{out}"
        );
        assert!(out.contains("Second paragraph."), "{out}");
        let block = render("<style>\nbody { display: none }\n</style>\n\nAfter the block.");
        assert!(block.contains("&lt;style&gt;"), "{block}");
        assert!(block.contains("body { display: none }"), "{block}");
        assert!(block.contains("After the block."), "{block}");
        let inline = render("I <b>loved</b> it <textarea>and more");
        assert!(
            inline.contains("I &lt;b&gt;loved&lt;/b&gt; it &lt;textarea&gt;and more"),
            "{inline}"
        );
    }

    #[test]
    fn an_image_leaves_its_description() {
        let out = render("![the cover, in blue](https://evil.example/x.png)");
        assert!(!out.contains("<img"), "{out}");
        assert!(out.contains("the cover, in blue"), "{out}");
    }

    #[test]
    fn bare_addresses_become_links() {
        let out = render("More at https://example.org/a_b_c (and http://x.example/p).");
        assert!(
            out.contains("<a href=\"https://example.org/a_b_c\" rel=\"nofollow ugc noopener\">https://example.org/a_b_c</a>"),
            "{out}"
        );
        assert!(out.contains(">http://x.example/p</a>)."), "{out}");
        // Not inside code, not twice inside a link, never a script.
        let code = render("`https://example.org` and\n\n    https://example.org/block\n");
        assert!(!code.contains("<a "), "{code}");
        let linked = render("[https://example.org](https://example.org)");
        assert_eq!(linked.matches("<a ").count(), 1, "{linked}");
        let js = render("javascript://example.org/%0Aalert(1)");
        assert!(!js.contains("<a "), "{js}");
    }

    #[test]
    fn nothing_visible_is_noticed() {
        for blank in [
            "",
            "   \n\n ",
            "** **",
            "---",
            "[](https://example.org)",
            "\u{200B}\u{200B}",
            "> \n>",
            "\u{3164}",
        ] {
            assert!(!has_visible_text(blank), "{blank:?} counted as visible");
        }
        for shown in ["a", "<b></b>", "`x`", "![cover](x.png)", "<style>"] {
            assert!(has_visible_text(shown), "{shown:?} counted as blank");
        }
        assert!(!is_visible_text("\u{200B} \u{2060}\u{FEFF}\t"));
        assert!(is_visible_text("Why?"));
    }
}
