use crate::support::*;
use quire_pack::{Pack, PackError, Paper, to_pdf};

#[test]
fn the_pdf_has_a_title_page_every_part_and_page_numbers() {
    let dir = scratch("pdf");
    let pdf = to_pdf(&sample()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let path = dir.join("pack.pdf");
    std::fs::write(&path, &pdf).unwrap();
    assert!(first_page_inked(&path, &dir), "page 1 renders blank");

    let text = pdf_text(&path);
    for needle in [
        "The Tale of <Two> Cities & #Sons",
        "Charles Dickens, A. N. Other",
        "You are 50% of the way through",
        "Questions and answers",
        "Who wrote it?",
        "It was the best of times, it was the worst of times.",
        "Key ideas",
        "Chapter summaries",
        "Wine was spilt in the street outside the shop.",
        "Discussion questions",
        "Why does the book open with a paradox?",
        "Flashcards",
        "Who keeps the wine shop?",
        "Answer: Monsieur Defarge",
    ] {
        assert!(
            text.contains(needle),
            "{needle:?} missing from the PDF's text:\n{text}"
        );
    }
    // Page numbers: the contents page is 1, and the parts follow.
    let pages =
        String::from_utf8_lossy(&run(std::process::Command::new("pdfinfo").arg(&path)).stdout)
            .lines()
            .find_map(|l| {
                l.strip_prefix("Pages:")
                    .map(|n| n.trim().parse::<u32>().unwrap())
            })
            .unwrap();
    assert!(pages >= 6, "title, contents and five parts: {pages} pages");
    let last = pdf_text_page(&path, pages);
    assert!(
        last.split_whitespace()
            .any(|w| w == (pages - 1).to_string()),
        "the last page shows its number {}: {last}",
        pages - 1
    );
}

fn pdf_text_page(path: &std::path::Path, page: u32) -> String {
    let n = page.to_string();
    let out = run(std::process::Command::new("pdftotext")
        .args(["-f", &n, "-l", &n, "-enc", "UTF-8"])
        .arg(path)
        .arg("-"));
    flat(&String::from_utf8_lossy(&out.stdout))
}

#[test]
fn text_that_looks_like_typst_is_printed_as_it_is() {
    let dir = scratch("hostile-pdf");
    let path = dir.join("pack.pdf");
    std::fs::write(&path, to_pdf(&sample()).unwrap()).unwrap();
    let text = pdf_text(&path);
    for h in HOSTILE {
        assert!(
            text.contains(&flat(h)),
            "{h:?} not printed verbatim:\n{text}"
        );
    }
}

#[test]
fn an_empty_pack_says_so_and_a4_works() {
    let dir = scratch("empty-pdf");
    let pack = Pack {
        title: "Untold".into(),
        identifier: "urn:uuid:1".into(),
        language: "xx-not a tag!".into(),
        date: "2026-01-01".into(),
        paper: Paper::A4,
        ..Default::default()
    };
    let path = dir.join("pack.pdf");
    std::fs::write(&path, to_pdf(&pack).unwrap()).unwrap();
    let text = pdf_text(&path);
    assert!(text.contains("No chapter is wholly before your place yet"));
    assert!(text.contains("no discussion questions yet"));
    let info =
        String::from_utf8_lossy(&run(std::process::Command::new("pdfinfo").arg(&path)).stdout)
            .to_string();
    assert!(
        info.contains("595.276 x 841.89") || info.contains("(A4)"),
        "{info}"
    );
}

#[test]
fn a_pack_without_a_title_or_with_a_bad_date_is_refused() {
    let mut p = sample();
    p.title = "  ".into();
    assert!(matches!(
        to_pdf(&p),
        Err(PackError::Missing { field: "title" })
    ));
    let mut p = sample();
    p.date = "23/11/2026".into();
    let e = to_pdf(&p).unwrap_err();
    assert!(e.to_string().contains("YYYY-MM-DD"), "{e}");
}
