//! A sample pack and the outside tools the tests read the output with
//! (poppler's pdftotext and pdftoppm, epubcheck; `.ci/run` installs them).

use quire_pack::{Answer, Card, ChapterSummary, Line, Pack};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Strings a book or a reader could send that mean something to Typst or
/// to XHTML; each must come out as the same characters.
pub const HOSTILE: &[&str] = &[
    "#panic(\"typst ran this\")",
    "*not bold* _not emph_ $x^2$ `raw` <label> @ref",
    "<script>alert('x')</script> & &amp; ]]> <![CDATA[",
    "= Not a heading",
];

pub fn sample() -> Pack {
    Pack {
        title: "The Tale of <Two> Cities & #Sons".into(),
        authors: vec!["Charles Dickens".into(), "A. N. Other".into()],
        identifier: "urn:uuid:0191d7a2-0000-7000-8000-000000000001".into(),
        language: "en".into(),
        date: "2026-11-23".into(),
        guard:
            "You are 50% of the way through, in Chapter 3: nothing from later in the book is shown."
                .into(),
        paper: Default::default(),
        faq: vec![
            Answer {
                question: "Who wrote it?".into(),
                lines: vec![Line {
                    lead: "It was written by Charles Dickens.".into(),
                    quote: None,
                    source: "The catalog".into(),
                }],
            },
            Answer {
                question: "What is it about?".into(),
                lines: vec![Line {
                    lead: "It opens:".into(),
                    quote: Some("It was the best of times, it was the worst of times.".into()),
                    source: "Chapter 1".into(),
                }],
            },
        ],
        key_ideas: HOSTILE
            .iter()
            .map(|h| Line {
                lead: "A reader wrote".into(),
                quote: Some((*h).into()),
                source: "Mallory's review".into(),
            })
            .collect(),
        chapters: vec![
            ChapterSummary {
                label: "Chapter 1".into(),
                sentences: vec![
                    "There were a king with a large jaw and a queen with a plain face.".into(),
                    "Wine was spilt in the street outside the shop.".into(),
                ],
            },
            ChapterSummary {
                label: "Chapter 2".into(),
                sentences: vec!["The mail coach climbed Shooter's Hill in the mud.".into()],
            },
        ],
        questions: vec![
            "Why does the book open with a paradox?".into(),
            HOSTILE[0].into(),
        ],
        cards: vec![Card {
            prompt: "Who keeps the wine shop?".into(),
            answer: "Monsieur Defarge".into(),
            chapter: "Chapter 5".into(),
        }],
    }
}

/// A scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("quire-pack-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn run(cmd: &mut Command) -> std::process::Output {
    cmd.output().unwrap_or_else(|e| {
        panic!(
            "could not run {:?} ({e}); install poppler-utils and epubcheck (.ci/run does)",
            cmd.get_program()
        )
    })
}

/// The PDF's text layer, whitespace collapsed and ligatures undone, so a
/// sentence can be searched for whatever the line breaks.
pub fn pdf_text(pdf: &Path) -> String {
    let out = run(Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(pdf)
        .arg("-"));
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    flat(&String::from_utf8_lossy(&out.stdout))
}

pub fn flat(s: &str) -> String {
    s.replace('\u{FB01}', "fi")
        .replace('\u{FB02}', "fl")
        .replace('\u{FB00}', "ff")
        .replace('\u{FB03}', "ffi")
        .replace('\u{FB04}', "ffl")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Page 1 as a PNG at 50 dpi; true when some pixel is not white.
pub fn first_page_inked(pdf: &Path, dir: &Path) -> bool {
    let stem = dir.join("page");
    let out = run(Command::new("pdftoppm")
        .args(["-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile"])
        .arg(pdf)
        .arg(&stem));
    assert!(
        out.status.success(),
        "pdftoppm failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(stem.with_extension("png")).unwrap();
    png_has_ink(&png)
}

/// Decodes the PNG and counts dark pixels: a page with a title on it has
/// some, a blank or failed render has none.
pub fn png_has_ink(png: &[u8]) -> bool {
    let img = image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .unwrap()
        .to_luma8();
    let dark = img.pixels().filter(|p| p.0[0] < 128).count();
    dark > 20
}

/// epubcheck's verdict: exit code and its report.
pub fn epubcheck(epub: &Path) -> (bool, String) {
    // Debian installs epubcheck as a bare jar (run through binfmt, which
    // a container may lack): start it with java directly.
    let jar =
        std::env::var_os("EPUBCHECK_JAR").unwrap_or_else(|| "/usr/share/java/epubcheck.jar".into());
    let out = run(Command::new("java").arg("-jar").arg(jar).arg(epub));
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success() && !report.contains("ERROR"), report)
}
