//! Members' Markdown (reviews, notes, imported reviews) to safe HTML:
//! pulldown-cmark renders, ammonia removes anything that could run or load
//! (scripts, event attributes, `javascript:` links, images from other sites).

use pulldown_cmark::{Options, Parser, html};
use std::collections::HashSet;

pub fn render(markdown: &str) -> String {
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(
        &mut raw,
        Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH),
    );
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
        .link_rel(Some("nofollow noopener noreferrer ugc"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .clean(&raw)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn markdown_becomes_html() {
        assert_eq!(render("Loved *this*."), "<p>Loved <em>this</em>.</p>\n");
    }

    #[test]
    fn injection_is_inert() {
        let out = render(
            "<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) <a href=\"https://e.org\" onclick=\"steal()\">y</a> <iframe src=//evil></iframe>",
        );
        for bad in [
            "<script",
            "onerror",
            "href=\"javascript:",
            "onclick",
            "<img",
            "<iframe",
        ] {
            assert!(!out.contains(bad), "{bad} survived in {out}");
        }
        assert!(out.contains("rel=\"nofollow noopener noreferrer ugc\""));
        // A Markdown link to a script: the link goes, the words stay.
        let link = render("see [this](javascript:alert(1)) and [that](https://example.org)");
        assert!(!link.contains("javascript:alert"), "{link}");
        assert!(link.contains("href=\"https://example.org\""));
    }
}
