//! The pack as a PDF, typeset by Typst with the fonts compiled in.

use crate::text::clean;
use crate::{Pack, PackError, Paper};
use std::sync::LazyLock;
use typst::foundations::{Array, Dict, Value};
use typst_as_lib::{TypstEngine, TypstTemplateMainFile};
use typst_layout::PagedDocument;

const TEMPLATE: &str = include_str!("pack.typ");

/// The engine parses the template and the fonts once; compiling with new
/// inputs reuses them.
static ENGINE: LazyLock<TypstEngine<TypstTemplateMainFile>> = LazyLock::new(|| {
    TypstEngine::builder()
        .main_file(TEMPLATE)
        .fonts(typst_assets::fonts())
        // Typst memoises across compilations; without eviction a server's
        // memory would grow with every pack it renders.
        .comemo_evict_max_age(Some(8))
        .build()
});

/// Typesets the pack: a title page with the guard, then contents, the
/// answers, key ideas, chapter summaries, discussion questions and
/// flashcards, with page numbers.
pub fn to_pdf(pack: &Pack) -> Result<Vec<u8>, PackError> {
    pack.check()?;
    let mut inputs = Dict::new();
    inputs.insert("pack".into(), inputs_of(pack));
    let doc: PagedDocument = ENGINE
        .compile_with_input(inputs)
        .output
        .map_err(|e| PackError::Typeset(e.to_string()))?;
    typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default()).map_err(|diags| {
        PackError::Typeset(
            diags
                .iter()
                .map(|d| d.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

fn s(v: &str) -> Value {
    Value::Str(clean(v).into())
}

fn strings(v: &[String]) -> Value {
    Value::Array(v.iter().map(|x| s(x)).collect::<Array>())
}

fn dict<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    let mut d = Dict::new();
    for (k, v) in pairs {
        d.insert(k.into(), v);
    }
    Value::Dict(d)
}

fn line(l: &crate::Line) -> Value {
    dict([
        ("lead", s(&l.lead)),
        ("quote", l.quote.as_deref().map(s).unwrap_or(Value::None)),
        ("source", s(&l.source)),
    ])
}

/// Typst refuses a language it cannot parse; a malformed tag falls back
/// to English rather than failing the pack.
fn lang(tag: &str) -> String {
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase()) {
        primary
    } else {
        "en".into()
    }
}

fn inputs_of(p: &Pack) -> Value {
    dict([
        ("title", s(&p.title)),
        ("authors", strings(&p.authors)),
        ("guard", s(&p.guard)),
        ("lang", Value::Str(lang(&p.language).into())),
        (
            "paper",
            Value::Str(
                match p.paper {
                    Paper::A5 => "a5",
                    Paper::A4 => "a4",
                }
                .into(),
            ),
        ),
        (
            "faq",
            Value::Array(
                p.faq
                    .iter()
                    .map(|a| {
                        dict([
                            ("question", s(&a.question)),
                            ("lines", Value::Array(a.lines.iter().map(line).collect())),
                        ])
                    })
                    .collect(),
            ),
        ),
        (
            "key_ideas",
            Value::Array(p.key_ideas.iter().map(line).collect()),
        ),
        (
            "chapters",
            Value::Array(
                p.chapters
                    .iter()
                    .map(|c| dict([("label", s(&c.label)), ("sentences", strings(&c.sentences))]))
                    .collect(),
            ),
        ),
        ("questions", strings(&p.questions)),
        (
            "cards",
            Value::Array(
                p.cards
                    .iter()
                    .map(|c| {
                        dict([
                            ("prompt", s(&c.prompt)),
                            ("answer", s(&c.answer)),
                            ("chapter", s(&c.chapter)),
                        ])
                    })
                    .collect(),
            ),
        ),
    ])
}
