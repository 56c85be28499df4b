//! The pack as an EPUB 3: a title page and one XHTML document per part,
//! the navigation document, and metadata with the caller's identifier.

use crate::text::{clean, xhtml as esc};
use crate::{Line, Pack, PackError};
use rbook::Epub;
use rbook::ebook::toc::TocEntryKind;
use rbook::epub::EpubChapter;
use std::fmt::Write as _;

const STYLE: &str = "body { font-family: serif; line-height: 1.45; margin: 0 4%; }
h1 { font-size: 1.6em; margin: 1.2em 0 0.6em; }
h2 { font-size: 1.15em; margin: 1.3em 0 0.4em; }
.title { text-align: center; margin-top: 25%; }
.title h1 { font-size: 2em; }
.authors { text-align: center; font-size: 1.2em; }
.kind { text-align: center; font-style: italic; }
.guard { border: 1px solid #999; padding: 0.6em; margin-top: 3em; font-size: 0.9em; }
.source { font-style: normal; color: #444; }
.card { border: 1px solid #aaa; border-radius: 4px; padding: 0.5em; margin: 0.6em 0; }
.card .answer { color: #333; }
.card .chapter { font-size: 0.85em; color: #555; }
";

/// A language tag as an attribute value: only letters, digits and
/// hyphens, as BCP 47 allows; anything else becomes English.
fn lang(tag: &str) -> String {
    let t = tag.trim();
    if !t.is_empty()
        && t.len() <= 35
        && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && t.as_bytes()[0].is_ascii_alphabetic()
    {
        t.to_string()
    } else {
        "en".into()
    }
}

fn document(title: &str, lang: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n\
<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" xml:lang=\"{lang}\" lang=\"{lang}\">\n\
<head>\n<meta charset=\"UTF-8\"/>\n<title>{}</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"style.css\"/>\n</head>\n\
<body>\n{body}</body>\n</html>\n",
        esc(title)
    )
}

fn say(l: &Line) -> String {
    let mut out = esc(&l.lead);
    if let Some(q) = &l.quote {
        if !l.lead.is_empty() {
            out.push(' ');
        }
        let _ = write!(out, "“<em>{}</em>”", esc(q));
        if !l.source.is_empty() {
            let _ = write!(out, " <span class=\"source\">({})</span>", esc(&l.source));
        }
    }
    out
}

fn part(title: &str, inner: String) -> String {
    format!(
        "<section epub:type=\"chapter\">\n<h1>{}</h1>\n{inner}</section>\n",
        esc(title)
    )
}

fn none_yet(words: &str) -> String {
    format!("<p>{}</p>\n", esc(words))
}

/// Writes the pack as an EPUB 3 that epubcheck accepts.
pub fn to_epub(pack: &Pack) -> Result<Vec<u8>, PackError> {
    pack.check()?;
    let lang = lang(&pack.language);
    let mut chapters = Vec::new();

    let title_page = format!(
        "<section class=\"title\" epub:type=\"titlepage\">\n<h1>{}</h1>\n<p class=\"authors\">{}</p>\n\
<p class=\"kind\">An insight pack from Quire</p>\n<p class=\"guard\">{}</p>\n</section>\n",
        esc(&pack.title),
        esc(&pack.authors.join(", ")),
        esc(&pack.guard)
    );
    chapters.push(
        EpubChapter::new(clean(&pack.title))
            .href("title.xhtml")
            .kind(TocEntryKind::TitlePage)
            .xhtml(document(&pack.title, &lang, &title_page)),
    );

    let mut faq = String::new();
    if pack.faq.is_empty() {
        faq.push_str(&none_yet("Nothing to answer yet."));
    }
    for a in &pack.faq {
        let _ = writeln!(faq, "<h2>{}</h2>", esc(&a.question));
        for l in &a.lines {
            let _ = writeln!(faq, "<p>{}</p>", say(l));
        }
    }
    let mut ideas = String::new();
    if pack.key_ideas.is_empty() {
        ideas.push_str(&none_yet("No key ideas before your place yet."));
    } else {
        ideas.push_str("<ul>\n");
        for l in &pack.key_ideas {
            let _ = writeln!(ideas, "<li>{}</li>", say(l));
        }
        ideas.push_str("</ul>\n");
    }
    let mut sums = String::new();
    if pack.chapters.is_empty() {
        sums.push_str(&none_yet(
            "No chapter is wholly before your place yet; summaries appear as you read.",
        ));
    }
    for c in &pack.chapters {
        let _ = writeln!(sums, "<h2>{}</h2>\n<p>", esc(&c.label));
        for s in &c.sentences {
            let _ = writeln!(sums, "“<em>{}</em>”", esc(s));
        }
        sums.push_str("</p>\n");
    }
    let mut questions = String::new();
    if pack.questions.is_empty() {
        questions.push_str(&none_yet(
            "This book has no discussion questions yet; members can add them on the book's page.",
        ));
    } else {
        questions.push_str("<ol>\n");
        for q in &pack.questions {
            let _ = writeln!(questions, "<li>{}</li>", esc(q));
        }
        questions.push_str("</ol>\n");
    }
    let mut cards = String::new();
    if pack.cards.is_empty() {
        cards.push_str(&none_yet("No flashcards before your place yet."));
    }
    for (i, c) in pack.cards.iter().enumerate() {
        let _ = writeln!(
            cards,
            "<div class=\"card\">\n<p><strong>{}.</strong> {}</p>\n<p class=\"answer\">Answer: {}</p>\n<p class=\"chapter\">{}</p>\n</div>",
            i + 1,
            esc(&c.prompt),
            esc(&c.answer),
            esc(&c.chapter)
        );
    }

    for (file, title, inner) in [
        ("faq.xhtml", "Questions and answers", faq),
        ("ideas.xhtml", "Key ideas", ideas),
        ("summaries.xhtml", "Chapter summaries", sums),
        ("questions.xhtml", "Discussion questions", questions),
        ("cards.xhtml", "Flashcards", cards),
    ] {
        chapters.push(EpubChapter::new(title).href(file).xhtml(document(
            title,
            &lang,
            &part(title, inner),
        )));
    }

    let mut book = Epub::builder()
        .identifier(clean(&pack.identifier))
        .title(clean(&pack.title))
        .language(lang.clone())
        .generator("Quire".to_string())
        .modified_date(format!("{}T00:00:00Z", pack.date))
        .published_date(pack.date.clone())
        .resource(("style.css", STYLE.as_bytes().to_vec()))
        .toc_title("Contents")
        .chapter(chapters);
    for a in &pack.authors {
        book = book.author(clean(a));
    }
    book.build()
        .write()
        .compression(9)
        .to_vec()
        .map_err(|e| PackError::Epub(e.to_string()))
}
